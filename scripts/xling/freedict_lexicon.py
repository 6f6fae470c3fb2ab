#!/usr/bin/env python3
"""Builds a reprint lexicon (docs/cross-lingual.md) from FreeDict dictionaries installed as
Debian packages, for `--lexicon` at run time.

FreeDict's German/French/English dictionaries are licensed CC-BY-SA or GPL: reprint never ships
or compiles them in; this script turns the installed files into the plain lexicon format that
`reprint` reads from a path.

    apt-get install dict-freedict-deu-fra dict-freedict-fra-deu
    python3 scripts/xling/freedict_lexicon.py de fr > de-fr.tsv

Both directions are read when installed (deu-fra and fra-deu for `de fr`): a pair a dictionary
gives only one way round still links the two words. Output: a header line
`#reprint-lexicon<TAB>de<TAB>fr`, then one line per source word, its translations after it,
tab-separated, sorted, so the same dictionaries give the same file.
"""
import argparse
import base64
import gzip
import re
import sys
from collections import defaultdict
from pathlib import Path

CODES = {"de": "deu", "fr": "fra", "en": "eng"}
NUMBERED = re.compile(r"^\d+\.\s+(.*)$")
TRAILING_SENSE = re.compile(r"\s+\d+\.$")
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def b64(s):
    n = 0
    for c in s:
        n = n * 64 + B64.index(c)
    return n


def entries(stem):
    """(headword, [translations]) of one dictd dictionary."""
    data = gzip.open(f"{stem}.dict.dz").read()
    seen = set()
    for line in open(f"{stem}.index", encoding="utf-8"):
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 3 or parts[0].startswith("00database"):
            continue
        span = (b64(parts[1]), b64(parts[2]))
        if span in seen:
            continue
        seen.add(span)
        text = data[span[0] : span[0] + span[1]].decode("utf-8", "replace")
        lines = text.split("\n")
        head = re.split(r"\s+[/<]", lines[0], maxsplit=1)[0].strip()
        if not head:
            continue
        senses = []
        for k, l in enumerate(lines[1:]):
            m = NUMBERED.match(l)
            if m:
                senses.append(m.group(1))
            elif k == 0 and l.strip() and not l.startswith(" "):
                senses.append(l)
        words = []
        for s in senses:
            s = TRAILING_SENSE.sub("", s.strip())
            words += [w.strip() for w in s.split(",") if w.strip()]
        if words:
            yield head, words


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("source", choices=sorted(CODES))
    p.add_argument("target", choices=sorted(CODES))
    p.add_argument("--dir", default="/usr/share/dictd")
    args = p.parse_args()
    src, dst = CODES[args.source], CODES[args.target]
    pairs = defaultdict(set)
    found = False
    for a, b, flip in ((src, dst, False), (dst, src, True)):
        stem = Path(args.dir) / f"freedict-{a}-{b}"
        if not Path(f"{stem}.index").exists():
            continue
        found = True
        for head, words in entries(stem):
            for w in words:
                if flip:
                    pairs[w].add(head)
                else:
                    pairs[head].add(w)
    if not found:
        sys.exit(f"no FreeDict dictionary {src}-{dst} or {dst}-{src} in {args.dir}")
    out = sys.stdout
    out.write(f"#reprint-lexicon\t{args.source}\t{args.target}\n")
    for w in sorted(pairs):
        if "\t" in w:
            continue
        out.write(w + "\t" + "\t".join(sorted(t for t in pairs[w] if "\t" not in t)) + "\n")


if __name__ == "__main__":
    main()

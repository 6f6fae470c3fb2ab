#!/usr/bin/env python3
"""Measures matching alternatives on corpus/labels.tsv (and on the development evaluation split
when ../shared/eval-dev is present) with `reprint eval`, and prints the table README quotes.

Usage: python3 scripts/alternatives.py [--dev PATH] [--bin PATH]
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (label, flags). Each row changes one thing from the default, except the first, which
# approximates what verbatim tools measure: runs of 5 or more identical words.
VARIANTS = [
    ("exact word runs (≥5 words, stop words kept)",
     ["--keep-stop-words", "--prefix", "0", "--max-gap", "0", "--min-matches", "5",
      "--entity-weight", "1", "--min-pair-bigrams", "0"]),
    ("content words, whole, no gaps",
     ["--prefix", "0", "--max-gap", "0", "--entity-weight", "1", "--min-pair-bigrams", "0"]),
    ("content 5-prefixes, no gaps",
     ["--max-gap", "0", "--entity-weight", "1", "--min-pair-bigrams", "0"]),
    ("+ gap-tolerant chains (gap 8)", ["--entity-weight", "1", "--min-pair-bigrams", "0"]),
    ("+ names/figures weigh 0.5", ["--min-pair-bigrams", "0"]),
    ("+ pair needs 4 content bigrams (default)", []),
    ("default, whole words", ["--prefix", "0"]),
    ("default, 4-prefixes", ["--prefix", "4"]),
    ("default, 6-prefixes", ["--prefix", "6"]),
    ("default, stop words kept", ["--keep-stop-words"]),
    ("default, gap 4", ["--max-gap", "4"]),
    ("default, density 0.5", ["--min-density", "0.5"]),
]


def evaluate(binary, pairs, docs, flags):
    out = subprocess.run(
        [binary, "eval", "--json", "--pairs", pairs, docs, "--min-score", "0.10"] + flags,
        check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def seed(binary, flags):
    d = os.path.join(ROOT, "corpus", "docs", "seeds")
    out = subprocess.run(
        [binary, "compare", "--json", os.path.join(d, "afp-2022-09-albania-iran.txt"),
         os.path.join(d, "syndicated-mt-albania-iran.txt")] + flags,
        check=True, capture_output=True, text=True).stdout
    return json.loads(out)["containment_a_in_b"]


def max_negative(binary, docs, labels, flags):
    """Largest containment, either way, of a same-story or unrelated pair, compared directly (not
    through candidate generation, which would hide a verifier that cannot tell them apart)."""
    worst = 0.0
    with open(labels, encoding="utf-8") as f:
        next(f)
        for line in f:
            a, b, rel = line.split("\t")[:3]
            if rel not in ("same-story", "unrelated"):
                continue
            out = subprocess.run(
                [binary, "compare", "--json", os.path.join(docs, a), os.path.join(docs, b)] + flags,
                check=True, capture_output=True, text=True).stdout
            v = json.loads(out)
            worst = max(worst, v["containment_a_in_b"], v["containment_b_in_a"])
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dev", default=os.path.join(ROOT, "..", "shared", "eval-dev"))
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "reprint"))
    args = ap.parse_args()
    if not os.path.exists(args.bin):
        sys.exit(f"{args.bin} not found: run `cargo build --release` first")
    labels = os.path.join(ROOT, "corpus", "labels.tsv")
    docs = os.path.join(ROOT, "corpus", "docs")
    dev = os.path.isdir(args.dev)
    head = "| variant | seed | corpus: max negative | translation MAE | partial MAE | AP |"
    if dev:
        head += " dev: partial (other rendering) MAE | translation MAE | short-excerpt recall | AP | negatives ≥ 0.10 |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name, flags in VARIANTS:
        e = evaluate(args.bin, labels, docs, flags)
        k = e["by_kind"]
        row = (f"| {name} | {seed(args.bin, flags):.3f} | "
               f"{max_negative(args.bin, docs, labels, flags):.3f} | "
               f"{k['translation']['containment_mae']:.3f} | {k['partial']['containment_mae']:.3f} | "
               f"{e['overall']['average_precision']:.3f} |")
        if dev:
            d = evaluate(args.bin, os.path.join(args.dev, "pairs.tsv"), os.path.join(args.dev, "docs"), flags)
            dk = d["by_kind"]
            fp = d["overall"]["false_positives"]
            row += (f" {dk['partial-different-rendering']['containment_mae']:.3f} |"
                    f" {dk['same-article-different-translation']['containment_mae']:.3f} |"
                    f" {dk['short-excerpt']['recall']:.3f} | {d['overall']['average_precision']:.3f} | {fp} |")
        print(row, flush=True)


if __name__ == "__main__":
    main()

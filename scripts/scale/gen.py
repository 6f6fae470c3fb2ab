#!/usr/bin/env python3
"""Deterministic corpora for two scale situations: big copy clusters, and a shared sentence pool.

    python3 scripts/scale/gen.py clusters --background 20000 --sizes 10,100,300,1000,5000 \\
        --seed 1 --out target/scale/clusters
    python3 scripts/scale/gen.py pool --docs 60000 --seed 1 --out target/scale/pool-60k
    python3 scripts/scale/gen.py overlap target/scale/pool-60k d0000000 d0000001

The text is made by scripts/peers/gen.py (imported, not copied), that is only from this
repository's own fictional corpus (corpus/docs/{wire,rewrites,independent,other} and
corpus/generate_filler), recombined from sentence templates with content-word swaps and a Zipf
vocabulary; nothing is downloaded. Python 3 standard library only; the same arguments give
byte-identical output. Every file is written to --out: corpus.jsonl (`{"id": ..., "text": ...}`
per line, ids unique) and a truth file; a one-line summary goes to stderr.

clusters: one wire story copied many times, among unrelated pages.
    --background N unrelated documents, made as peers/gen.py makes its plain documents (a title
    and a lognormal number of template sentences in paragraphs, 60% French, 40% English). For
    each size k of --sizes, an original "wire story" (title and 2,000 to 3,500 characters of
    body in paragraphs; French for the 1st, 3rd, 5th size..., English for the 2nd, 4th...) is
    copied k times. The original itself is NOT in the output, only its k copies. Each copy has
    round(--edit-rate x story words) of its story's words (default 2%; title and body, not the
    chrome) replaced, at distinct random positions, by other words of the language's vocabulary
    (content words of 4 letters or more, capitalization kept, as peers/gen.py's near_duplicate
    swaps them), and the chrome of the site publishing it.
    Sites: a pool of --sites sites (default 5,000; 60% French, 40% English), each with a unique
    name and a header (1 to 3 lines) and footer (1 to 4 lines) drawn once from peers/gen.py's
    BOILERPLATE tables: a site's chrome is the same on every page of the site. The copies of a
    cluster go to the sites of their language in a random order, each site once before any site
    twice (a cluster bigger than its language's site pool, e.g. 5,000 French copies on 3,000
    French sites, puts two copies on some sites). Background pages also carry their site's
    chrome, the site drawn by Zipf's law over the language's sites (a few big sites with
    hundreds of pages, many with a handful), so boilerplate is shared by many unrelated pages.
    All documents (background and copies) are shuffled together, then named d0000000, d0000001...
    in output order. Truth: clusters.tsv, no header, one line per copy, sorted:
        cluster_id<TAB>size<TAB>doc_id        (cluster_id c0, c1... in --sizes order, size k)
    The expected pairs are all pairs within a cluster (k(k-1)/2 for a cluster of k copies).

pool: every document made of stock passages from one fixed pool of sentences.
    A pool of --pool-sentences P sentences (default 28,800), rendered once from peers/gen.py's
    templates, split 60/40 into a French part and an English part. The pool depends on the seed
    and P only, never on --docs: at the default P and 60,000 documents each sentence recurs in
    about 25 documents (12 sentences a document on average: 60,000 x 12 / 28,800 = 25); at
    10,000 documents in about 4.2, at 30,000 in about 12.5. Each document: one language (French
    with probability 0.6), a generated title, then 2 to 4 runs of 2 to 6 consecutive sentences
    of its language's part (the part read as a ring, so every sentence is equally likely; runs of
    one document never overlap), each run one paragraph (runs of 4 or more sentences split in
    two paragraphs). Document i depends only on the seed and i, so with one seed a larger
    --docs starts with the documents of a smaller one: 10k, 30k and 60k corpora nest.
    Truth: pool-truth.tsv, no header, one line per document in output order:
        doc_id<TAB>sentence ids in document order, comma-separated (s00000, s00001, ...)
    and pool-sentences.jsonl, one `{"id", "lang", "words", "text"}` per pool sentence, "words"
    the number of words (peers/gen.py's `words`: maximal runs of Unicode word characters). A
    document's words are its title's plus its sentences' (sentences are joined by spaces and
    blank lines, which never merge two words), so for any pair of documents the fraction of
    each one's words that lie in sentences the two share is exact from these files:
    `gen.py overlap DIR A B` computes it by brute force.
"""

import argparse
import importlib.util
import json
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "peers_gen", os.path.join(os.path.dirname(HERE), "peers", "gen.py"))
peers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(peers)

LANG_OF_CLUSTER = ("fr", "en")  # cluster c is in LANG_OF_CLUSTER[c % 2]
STORY_CHARS = (2000, 3500)  # an original story's length, title and body
DEFAULT_SITES = 5000
DEFAULT_POOL = 28800  # 60,000 documents x 12 sentences / 25 documents a sentence
RUNS = (2, 4)  # runs of pool sentences in a document, inclusive
RUN_LENGTH = (2, 6)  # sentences in a run, inclusive


def lang_split(n):
    """(french, english) shares of n, French as peers/gen.py's FRENCH_SHARE."""
    fr = round(n * peers.FRENCH_SHARE)
    return fr, n - fr


def write_jsonl(path, docs):
    with open(path, "w", encoding="utf-8") as f:
        for doc_id, text in docs:
            f.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------------------------------------
# clusters
# ---------------------------------------------------------------------------------------------

class Site:
    def __init__(self, lang, name, header, footer):
        self.lang, self.name, self.header, self.footer = lang, name, header, footer

    def page(self, title, paras):
        """A page of this site: its header, the title, the paragraphs (lists of sentences), its
        footer; the layout of peers/gen.py's near_duplicate."""
        body = "\n\n".join(" ".join(p) for p in paras)
        return "\n".join(self.header + [title]) + "\n\n" + body + "\n\n" + "\n".join(self.footer)


def make_sites(langs, n_sites, seed):
    """{lang: [Site]}: n_sites sites with unique names, 60% French, each with its fixed chrome."""
    rng = random.Random(f"scale-sites-{seed}")
    writer = peers.Writer(langs, rng)
    seen = set()
    sites = {}
    for lang, n in zip(("fr", "en"), lang_split(n_sites)):
        bp = peers.BOILERPLATE[lang]
        L = langs[lang]
        sites[lang] = []
        while len(sites[lang]) < n:
            name = rng.choice(bp["sites"]).format(name=L.names.draw(rng))
            if name in seen:
                continue
            seen.add(name)
            year = rng.randint(2015, 2026)

            def fill(line):
                # each {section} its own (peers/gen.py fills them all with one word)
                while "{section}" in line:
                    line = line.replace("{section}", L.content[False].draw(rng).capitalize(), 1)
                return line.format(title=writer.title(lang) if "{title}" in line else "",
                                   year=year, site=name)

            header = [fill(x) for x in rng.sample(bp["header"], rng.randint(1, 2))]
            if rng.random() < 0.5:
                header.insert(0, rng.choice(bp["header_fixed"]))
            footer = [fill(x) for x in rng.sample(bp["footer"], rng.randint(1, 3))]
            if rng.random() < 0.5:
                footer.append(rng.choice(bp["footer_fixed"]))
            sites[lang].append(Site(lang, name, header, footer))
    return sites


def story(writer, lang):
    """(title, paras): an original wire story of STORY_CHARS characters, title and body."""
    r = writer.rng
    lo, hi = STORY_CHARS
    title = writer.title(lang)
    target = r.randint(lo, hi)
    sentences = []
    size = len(title) + 2
    while size < target:
        s = writer.sentence(lang)
        if size + len(s) + 2 > hi:  # +2: the blank line or space that joins it, rounded up
            if size >= lo:
                break
            continue
        sentences.append(s)
        size += len(s) + 2
    paras = []
    i = 0
    while i < len(sentences):
        k = r.choice((1, 2, 2, 3, 3, 4))
        paras.append(sentences[i:i + k])
        i += k
    return title, paras


def edit_words(writer, lang, title, paras, rate):
    """A copy of (title, paras) with round(rate x words) content words (alphabetic, 4 letters
    or more, not a function word, not capitalized inside a sentence) replaced at distinct
    positions by different vocabulary words starting with a vowel when the original does (as
    peers/gen.py's near_duplicate swaps them), capitalization kept. Returns (title, paras, n)."""
    r = writer.rng
    L = writer.langs[lang]
    stop = peers.STOP[lang]
    texts = [title] + [s for p in paras for s in p]
    parts = [peers.SPLIT_RE.split(t) for t in texts]
    n_words = sum(len(peers.words(t)) for t in texts)
    slots = []
    for ti, ps in enumerate(parts):
        first = True
        for i in range(1, len(ps), 2):
            w = ps[i]
            if len(w) >= 4 and w.isalpha() and w.lower() not in stop and \
                    (first or not w[0].isupper()):
                slots.append((ti, i))
            first = False
    n = min(len(slots), round(rate * n_words))
    for ti, i in r.sample(slots, n):
        old = parts[ti][i]
        while True:
            new = L.content[peers.starts_with_vowel(old)].draw(r)
            if new != old.lower():
                break
        parts[ti][i] = new.capitalize() if old[0].isupper() else new
    out = ["".join(ps) for ps in parts]
    new_paras = []
    k = 1
    for p in paras:
        new_paras.append(out[k:k + len(p)])
        k += len(p)
    return out[0], new_paras, n


def clusters(args):
    t0 = time.time()
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    if any(k < 1 for k in sizes):
        raise SystemExit("--sizes: each size must be at least 1")
    if min(lang_split(args.sites)) < 1:
        raise SystemExit("--sites: at least one site a language")
    langs = peers.load_languages()
    sites = make_sites(langs, args.sites, args.seed)
    site_zipf = {}
    for lang in ("fr", "en"):
        order = list(sites[lang])  # ranks of sites by size: a random order, fixed by the seed
        random.Random(f"scale-site-ranks-{args.seed}-{lang}").shuffle(order)
        site_zipf[lang] = peers.Zipf(order)

    docs = []  # (cluster index or None, text)
    writer = peers.Writer(langs, random.Random(f"scale-background-{args.seed}"))
    r = writer.rng
    for _ in range(args.background):
        lang = "fr" if r.random() < peers.FRENCH_SHARE else "en"
        title = writer.title(lang)
        paras = writer.paragraphs(lang, writer.article_length())
        docs.append((None, site_zipf[lang].draw(r).page(title, paras)))

    edits = []  # (cluster, words replaced, story words)
    for c, k in enumerate(sizes):
        lang = LANG_OF_CLUSTER[c % 2]
        writer = peers.Writer(langs, random.Random(f"scale-story-{args.seed}-{c}"))
        title, paras = story(writer, lang)
        story_words = len(peers.words(peers.join(title, paras)))
        order = []
        for _ in range(0, k, len(sites[lang])):
            batch = list(sites[lang])
            writer.rng.shuffle(batch)
            order.extend(batch)
        for j in range(k):
            t, p, n = edit_words(writer, lang, title, paras, args.edit_rate)
            docs.append((c, order[j].page(t, p)))
            edits.append(n / story_words)

    random.Random(f"scale-order-{args.seed}").shuffle(docs)
    out = [(f"d{i:07d}", text) for i, (_, text) in enumerate(docs)]
    os.makedirs(args.out, exist_ok=True)
    write_jsonl(os.path.join(args.out, "corpus.jsonl"), out)
    truth = sorted((c, doc_id) for (c, _), (doc_id, _) in zip(docs, out) if c is not None)
    with open(os.path.join(args.out, "clusters.tsv"), "w", encoding="utf-8") as f:
        for c, doc_id in truth:
            f.write(f"c{c}\t{sizes[c]}\t{doc_id}\n")
    n_bytes = sum(len(t.encode("utf-8")) for _, t in out)
    print(f"clusters: {len(out)} docs ({args.background} background, {len(truth)} copies in "
          f"{len(sizes)} clusters of {','.join(map(str, sizes))}), {args.sites} sites, "
          f"{n_bytes / 1e6:.1f} MB of text, mean {100 * sum(edits) / max(1, len(edits)):.2f}% of "
          f"story words replaced a copy, {time.time() - t0:.1f} s -> {args.out}",
          file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# pool
# ---------------------------------------------------------------------------------------------

def make_pool(langs, n_sentences, seed):
    """[(id, lang, text)]: the French part, then the English part; distinct sentences."""
    pool = []
    for lang, n in zip(("fr", "en"), lang_split(n_sentences)):
        writer = peers.Writer(langs, random.Random(f"scale-pool-{seed}-{lang}"))
        seen = set()
        while len(seen) < n:
            s = writer.sentence(lang)
            if s not in seen:
                seen.add(s)
                pool.append((f"s{len(pool):05d}", lang, s))
    return pool


def pool_document(langs, parts, seed, i):
    """(text, [pool indices]) of document i: depends on the seed and i only."""
    writer = peers.Writer(langs, random.Random(f"scale-pool-doc-{seed}-{i}"))
    r = writer.rng
    lang = "fr" if r.random() < peers.FRENCH_SHARE else "en"
    part = parts[lang]  # (first index, count) of the language's part of the pool
    first, count = part
    title = writer.title(lang)
    used = set()
    runs = []
    n_runs = r.randint(*RUNS)
    while len(runs) < n_runs:
        length = r.randint(*RUN_LENGTH)
        start = r.randrange(count)
        run = [first + (start + j) % count for j in range(length)]
        if used.isdisjoint(run):
            used.update(run)
            runs.append(run)
    return title, runs


def pool(args):
    t0 = time.time()
    n_fr, n_en = lang_split(args.pool_sentences)
    if min(n_fr, n_en) < 4 * RUNS[1] * RUN_LENGTH[1]:
        raise SystemExit("--pool-sentences: too small")
    langs = peers.load_languages()
    pool_ = make_pool(langs, args.pool_sentences, args.seed)
    parts = {"fr": (0, n_fr), "en": (n_fr, n_en)}
    texts = [s for _, _, s in pool_]
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "pool-sentences.jsonl"), "w", encoding="utf-8") as f:
        for sid, lang, s in pool_:
            f.write(json.dumps({"id": sid, "lang": lang, "words": len(peers.words(s)),
                                "text": s}, ensure_ascii=False) + "\n")
    recurrence = [0] * len(pool_)
    n_bytes = 0
    with open(os.path.join(args.out, "corpus.jsonl"), "w", encoding="utf-8") as corpus, \
            open(os.path.join(args.out, "pool-truth.tsv"), "w", encoding="utf-8") as truth:
        for i in range(args.docs):
            title, runs = pool_document(langs, parts, args.seed, i)
            paras = []
            for run in runs:
                sentences = [texts[j] for j in run]
                if len(sentences) >= 4:
                    cut = len(sentences) // 2
                    paras += [sentences[:cut], sentences[cut:]]
                else:
                    paras.append(sentences)
            text = peers.join(title, paras)
            n_bytes += len(text.encode("utf-8"))
            doc_id = f"d{i:07d}"
            corpus.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
            ids = [j for run in runs for j in run]
            truth.write(doc_id + "\t" + ",".join(pool_[j][0] for j in ids) + "\n")
            for j in ids:
                recurrence[j] += 1
    used = sum(1 for x in recurrence if x)
    print(f"pool: {args.docs} docs, {len(pool_)} pool sentences ({n_fr} fr, {n_en} en), "
          f"{sum(recurrence) / max(1, args.docs):.2f} sentences a doc, "
          f"{sum(recurrence) / len(pool_):.2f} docs a sentence (mean; max {max(recurrence)}, "
          f"{len(pool_) - used} unused), {n_bytes / 1e6:.1f} MB of text, "
          f"{time.time() - t0:.1f} s -> {args.out}", file=sys.stderr)


def overlap(args):
    """Brute-force reference for the pool: the fraction of each document's words that lie in
    pool sentences the two documents share."""
    words = {}
    with open(os.path.join(args.dir, "pool-sentences.jsonl"), encoding="utf-8") as f:
        for line in f:
            s = json.loads(line)
            words[s["id"]] = s["words"]
    sentences = {}
    with open(os.path.join(args.dir, "pool-truth.tsv"), encoding="utf-8") as f:
        for line in f:
            doc_id, ids = line.rstrip("\n").split("\t")
            if doc_id in (args.a, args.b):
                sentences[doc_id] = ids.split(",")
    totals = {}
    with open(os.path.join(args.dir, "corpus.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d["id"] in (args.a, args.b):
                totals[d["id"]] = len(peers.words(d["text"]))
    for x in (args.a, args.b):
        if x not in sentences or x not in totals:
            raise SystemExit(f"{x}: no such document in {args.dir}")
    shared = set(sentences[args.a]) & set(sentences[args.b])
    for x, y in ((args.a, args.b), (args.b, args.a)):
        n = sum(words[s] for s in sentences[x] if s in shared)
        print(f"{x} in {y}\t{n / totals[x]:.4f}\t{n}/{totals[x]} words\t"
              f"{sum(1 for s in sentences[x] if s in shared)} shared sentences")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("clusters", help="copy clusters of given sizes among background pages")
    c.add_argument("--background", type=int, default=20000)
    c.add_argument("--sizes", default="10,100,300,1000,5000")
    c.add_argument("--sites", type=int, default=DEFAULT_SITES)
    c.add_argument("--edit-rate", type=float, default=0.02)
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--out", required=True)
    p = sub.add_parser("pool", help="documents made of runs of sentences from a fixed pool")
    p.add_argument("--docs", type=int, default=60000)
    p.add_argument("--pool-sentences", type=int, default=DEFAULT_POOL)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True)
    o = sub.add_parser("overlap", help="pool: shared-sentence word fractions of two documents")
    o.add_argument("dir")
    o.add_argument("a")
    o.add_argument("b")
    args = ap.parse_args()
    {"clusters": clusters, "pool": pool, "overlap": overlap}[args.command](args)


if __name__ == "__main__":
    main()

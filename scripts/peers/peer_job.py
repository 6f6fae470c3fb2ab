"""One peer tool on one job, run by run.py inside the peers' virtual environment.

    python peer_job.py TOOL JOB CORPUS.jsonl PAIRS_OUT RESULT_OUT.json

TOOL is datasketch, rensa, gaoya (its own Rust word analyzer) or gaoya-py (gaoya fed the 5-grams
of the Python tokenizer that datasketch and rensa get); JOB is
- `signatures`: 128-permutation MinHash of the word 5-gram set of every document, nothing else
  (gaoya's Python API has no signature-only call: its documents are inserted into a 16 x 8 LSH
  index, which costs a signature plus 16 band-hash insertions per document);
- `dedup`: the same signatures, an LSH index of 16 bands x 8 rows, every document queried, and
  each candidate pair kept when its estimated Jaccard (from the signatures) is at least 0.8.
  Pairs are written to PAIRS_OUT as `i<TAB>j` line numbers of the corpus (i < j);
- `clusters`: the `dedup` pairs joined into connected components (union-find, as text-dedup
  and datatrove cluster them), the first document of each kept: PAIRS_OUT gets one line per
  document, the line number of the document kept in its place (its own when kept). This is
  the job `reprint dedup` does (dedup_run.py).

Word 5-grams: words are maximal runs of Unicode word characters, lowercased (as gen.words),
joined by spaces; datasketch, rensa and gaoya-py get them from this Python tokenizer. gaoya's own
word analyzer (ngram_range=(5, 5), lowercase=True) is faster but splits words on ASCII
punctuation only: `l’Iran` is one word to it and `«` another, so French typography changes its
5-grams, which is why both ways are measured.
Documents go to each tool in batches of BATCH, as a user would feed a large corpus.

RESULT_OUT gets the seconds spent reading the JSONL and in the job itself (`job_s`: tokenizing,
hashing, indexing, querying, verifying); run.py measures wall time and peak memory from outside.
Threads: run.py sets RAYON_NUM_THREADS (1 for signatures, 2 for dedup); datasketch is pure
Python and numpy and runs on one core either way.
"""

import json
import os
import re
import sys
import time

WORD_RE = re.compile(r"\w+")
NUM_PERM = 128
BANDS, ROWS = 16, 8
THRESHOLD = 0.8
SEED = 1
BATCH = 2000


def shingles(text):
    w = WORD_RE.findall(text.lower())
    if len(w) < 5:
        return [" ".join(w)] if w else []
    return list({" ".join(w[i:i + 5]) for i in range(len(w) - 4)})


def batches(texts):
    for start in range(0, len(texts), BATCH):
        yield start, texts[start:start + BATCH]


# ---------------------------------------------------------------------------------------------

def datasketch_signatures(texts):
    from datasketch import MinHash
    out = []
    for _, chunk in batches(texts):
        sets = ([s.encode("utf-8") for s in shingles(t)] for t in chunk)
        out.extend(MinHash.bulk(sets, num_perm=NUM_PERM, seed=SEED))
    return out


def datasketch_dedup(texts):
    from datasketch import MinHashLSH
    sigs = datasketch_signatures(texts)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, params=(BANDS, ROWS))
    with lsh.insertion_session() as session:
        for i, m in enumerate(sigs):
            session.insert(i, m, check_duplication=False)
    pairs = []
    for i, m in enumerate(sigs):
        for j in lsh.query(m):
            if j > i and m.jaccard(sigs[j]) >= THRESHOLD:
                pairs.append((i, j))
    return pairs


def rensa_signatures(texts):
    from rensa import RMinHash
    out = []
    for _, chunk in batches(texts):
        out.append(RMinHash.digest_matrix_from_token_sets(
            [shingles(t) for t in chunk], NUM_PERM, SEED))
    return out


def rensa_dedup(texts):
    from rensa import RMinHash, RMinHashLSH
    lsh = RMinHashLSH(THRESHOLD, NUM_PERM, BANDS)
    sigs = []
    for start, chunk in batches(texts):
        mhs = RMinHash.from_token_sets([shingles(t) for t in chunk], NUM_PERM, SEED)
        lsh.insert_many(mhs, start)
        sigs.extend(mhs)
    pairs = []
    for i, cands in enumerate(lsh.query_all(sigs)):
        m = sigs[i]
        for j in cands:
            if j > i and m.jaccard(sigs[j]) >= THRESHOLD:
                pairs.append((i, j))
    return pairs


def gaoya_index(own_tokenizer):
    from gaoya.minhash import MinHashStringIndex
    # 32-bit hash values like rensa's; "smallvec" buckets are what gaoya recommends when near
    # duplicates are few. jaccard_threshold is what queries filter on (estimated similarity).
    # With a callable analyzer gaoya takes its features (here the 5-gram strings) from Python.
    return MinHashStringIndex(hash_size=32, jaccard_threshold=THRESHOLD, num_bands=BANDS,
                              band_size=ROWS, analyzer="word" if own_tokenizer else shingles,
                              lowercase=True, ngram_range=(5, 5), id_container="smallvec")


def gaoya_signatures(texts, own_tokenizer=True):
    index = gaoya_index(own_tokenizer)
    for start, chunk in batches(texts):
        index.par_bulk_insert_docs(list(range(start, start + len(chunk))), chunk)
    return index


def gaoya_dedup(texts, own_tokenizer=True):
    index = gaoya_signatures(texts, own_tokenizer)
    pairs = []
    for start, chunk in batches(texts):
        for off, found in enumerate(index.par_bulk_query(chunk, return_similarity=True)):
            i = start + off
            for j, sim in found:
                if j > i and sim >= THRESHOLD:
                    pairs.append((i, j))
    return pairs


def components(pairs, n):
    """Each document's component root, the component's smallest line number."""
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return [find(i) for i in range(n)]


JOBS = {
    ("datasketch", "signatures"): datasketch_signatures, ("datasketch", "dedup"): datasketch_dedup,
    ("rensa", "signatures"): rensa_signatures, ("rensa", "dedup"): rensa_dedup,
    ("gaoya", "signatures"): gaoya_signatures, ("gaoya", "dedup"): gaoya_dedup,
    ("gaoya-py", "signatures"): lambda texts: gaoya_signatures(texts, False),
    ("gaoya-py", "dedup"): lambda texts: gaoya_dedup(texts, False),
}
for (_tool, _job), _fn in list(JOBS.items()):
    if _job == "dedup":
        JOBS[(_tool, "clusters")] = lambda texts, fn=_fn: components(fn(texts), len(texts))


def main():
    tool, job, corpus, pairs_out, result_out = sys.argv[1:6]
    fn = JOBS[(tool, job)]
    t0 = time.perf_counter()
    texts = []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line)["text"])
    t1 = time.perf_counter()
    out = fn(texts)
    t2 = time.perf_counter()
    n_pairs = None
    if job == "dedup":
        with open(pairs_out, "w") as f:
            for i, j in out:
                f.write(f"{i}\t{j}\n")
        n_pairs = len(out)
    elif job == "clusters":
        with open(pairs_out, "w") as f:
            f.writelines(f"{root}\n" for root in out)
    elif not tool.startswith("gaoya"):
        n = sum(m.len() for m in out) if tool == "rensa" else len(out)
        assert n == len(texts), (n, len(texts))  # every document got a signature
    with open(result_out, "w") as f:
        json.dump({"tool": tool, "job": job, "docs": len(texts), "read_s": t1 - t0,
                   "job_s": t2 - t1, "pairs": n_pairs,
                   "rayon_threads": os.environ.get("RAYON_NUM_THREADS")}, f)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The dataset builder's job head to head (issue 25): near-duplicate clusters at word 5-gram
Jaccard >= 0.8 and one document kept per cluster, by `reprint dedup` and by datasketch, rensa
and gaoya from PyPI, on two corpora, wall time and peak memory measured from outside. A job
that finishes in under REPEAT_UNDER_S seconds (reprint's, and the faster peers' on the pool
corpus) runs three times and its median wall time is reported (the largest peak memory): a
tenth of a second is within the noise of a shared machine. Slower jobs run once.

    python3 scripts/peers/dedup_run.py                      # peers' 60,000 + pool 10,000
    python3 scripts/peers/dedup_run.py --docs 2000 --pool-docs 2000   # a quick run

Corpora:
- the peers' corpus of gen.py (--docs, --seed 7; the one run.py uses): news-like documents with
  injected near-duplicates (copies of an original with small edits and/or site boilerplate, each
  kept at exact 5-gram Jaccard >= 0.8 with the original) and partial copies;
- the shared-pool corpus of scripts/scale/gen.py (`pool --docs --pool-docs --seed 1`): every
  document made of runs of stock sentences from one pool, so documents share passages but are
  hardly ever near-duplicates: it measures false drops and the cost of many weak candidates.

The job, as each tool does it:
- reprint: `reprint dedup -j 2 -q --format jsonl` (defaults: LSH bands chosen for recall >= 0.99
  at 0.8, exact Jaccard verification, representative clusters, the longest kept), and again
  with `--clusters components` (connected components of the verified pairs, as the peers);
- peers: peer_job.py's `clusters`: 128-permutation MinHash, LSH 16 bands x 8 rows, candidate
  pairs kept at estimated Jaccard >= 0.8, connected components (union-find), the first of each
  component kept. RAYON_NUM_THREADS=2 (datasketch is single-threaded).
- text-dedup (PyPI text-dedup==0.4.0, the last release for Python 3.11, in WORK/venv-td): its
  command as its README runs it, `python -m text_dedup.minhash --path json --data_files CORPUS
  --split train --column text --threshold 0.8 --num_perm 128 --ngram 5 --num_proc 2 --debug`:
  Hugging Face datasets, its own bands x rows for the threshold, every LSH bucket collision a
  duplicate (no Jaccard check), union-find, the smallest index of each component kept. Its
  clusters are read afterwards from the union-find it dumps with --debug. Its peak memory is
  that of its largest process (GNU time), its 2 worker processes not added.
- datatrove (PyPI datatrove[io,processing]==0.10.1 and spaCy, in WORK/venv-dt): its four
  MinHash stages (datatrove_job.py), 16 buckets x 8 hashes, no Jaccard check, union-find; the
  kept document of a cluster is its union-find root. Peak memory as for text-dedup.

Quality, computed here with exact Jaccard of gen.py's 5-grams (words: runs of Unicode word
characters, lowercased), independently of every tool:
- precision: the share of dropped documents whose exact Jaccard with the document kept in
  their place is >= 0.8 (a drop below it is a false drop, by chaining or by estimation error);
- recall (peers' corpus): the share of injected near-duplicate pairs (truth file) that are not
  both kept; on the pool corpus, of the exact pairs >= 0.8 found by an inverted index over all
  5-grams (none may exist);
- purity (peers' corpus): clusters of two or more, each scored by its largest share of members
  that are copies of one original (truth groups: near-duplicate and same-source pairs joined),
  weighted by size.

Writes WORK/dedup-results.md and dedup-results.json. Options: --docs, --seed, --pool-docs,
--work (default target/peers), --bin (skip the build), --tools, --no-venv-install.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402
import run  # noqa: E402

THRESHOLD = 0.8
PEERS = ["datasketch", "rensa", "gaoya", "gaoya-py"]
TEXT_DEDUP = "text-dedup==0.4.0"
# datatrove's MinHash stages need its io and processing extras and spaCy (its English word
# tokenizer: spaCy's rule-based one, no model).
DATATROVE = ["datatrove[io,processing]==0.10.1", "spacy==3.8.18"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def read_corpus(path):
    ids, texts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            ids.append(str(o["id"]))
            texts.append(o["text"])
    return ids, texts


def truth_pairs(path, ids):
    """Injected near-duplicate pairs and the truth groups (copies of one original)."""
    index = {d: i for i, d in enumerate(ids)}
    pairs, parent = [], list(range(len(ids)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            a, b, kind, _jac, _frac = line.rstrip("\n").split("\t")
            if kind == "partial":
                continue
            i, j = index[a], index[b]
            ra, rb = find(i), find(j)
            parent[max(ra, rb)] = min(ra, rb)
            if kind == "near-duplicate":
                pairs.append((i, j))
    return pairs, [find(i) for i in range(len(ids))]


def exact_pairs(texts):
    """Every pair at exact 5-gram Jaccard >= THRESHOLD, through an inverted index of 5-grams."""
    sets = [frozenset(hash(s) for s in gen.shingles(t)) for t in texts]
    postings = defaultdict(list)
    for i, s in enumerate(sets):
        for h in s:
            postings[h].append(i)
    shared = defaultdict(int)
    for docs in postings.values():
        if len(docs) > 1:
            for x in range(len(docs)):
                for y in range(x + 1, len(docs)):
                    shared[(docs[x], docs[y])] += 1
    return [(i, j) for (i, j), n in shared.items()
            if n / (len(sets[i]) + len(sets[j]) - n) >= THRESHOLD]


def quality(kept_as, texts, pairs, groups):
    """kept_as[i]: the line number of the document kept in i's place."""
    sh = {}

    def shingles(i):
        if i not in sh:
            sh[i] = gen.shingles(texts[i])
        return sh[i]

    dropped = [i for i, r in enumerate(kept_as) if r != i]
    good = sum(1 for i in dropped if gen.jaccard(shingles(i), shingles(kept_as[i])) >= THRESHOLD)
    q = {"dropped": len(dropped), "kept": len(kept_as) - len(dropped),
         "false_drops": len(dropped) - good,
         "precision": good / len(dropped) if dropped else None,
         "recall": (sum(1 for a, b in pairs if kept_as[a] != a or kept_as[b] != b) / len(pairs)
                    if pairs else None),
         "truth_pairs": len(pairs)}
    if groups is not None:
        clusters = defaultdict(list)
        for i, r in enumerate(kept_as):
            clusters[r].append(i)
        big = [m for m in clusters.values() if len(m) > 1]
        members = sum(len(m) for m in big)
        best = 0
        for m in big:
            counts = defaultdict(int)
            for i in m:
                counts[groups[i]] += 1
            best += max(counts.values())
        q["purity"] = best / members if members else None
        q["clusters"] = len(big)
    return q


# Jobs faster than this run three times and report their median wall time (see the docs above).
REPEAT_UNDER_S = 10.0


def measure(cmd, out=None, env=None, stderr_path=None):
    """run.measure, three times for a job under REPEAT_UNDER_S: (median wall, largest peak,
    exit code of the last run)."""
    wall, rss, rc = run.measure(cmd, out, env=env, stderr_path=stderr_path)
    if rc != 0 or wall >= REPEAT_UNDER_S:
        return wall, rss, rc
    walls, peaks = [wall], [rss]
    for _ in range(2):
        wall, rss, rc = run.measure(cmd, out, env=env, stderr_path=stderr_path)
        walls.append(wall)
        peaks.append(rss)
        if rc != 0:
            break
    log(f"  walls {', '.join(f'{w:.2f}' for w in walls)} s")
    return sorted(walls)[len(walls) // 2], max(peaks), rc


def run_reprint(binary, corpus, ids, work, name, extra):
    out = os.path.join(work, f"dedup-{name}-reprint{''.join(extra)}.jsonl")
    cmd = [binary, "dedup", "-j", "2", "-q", "--format", "jsonl", *extra, corpus]
    log(f"reprint: {' '.join(cmd)}")
    wall, rss, rc = measure(cmd, out, stderr_path=out + ".stderr")
    if rc not in (0, 3):
        raise RuntimeError(f"reprint dedup exited with {rc}")
    index = {d: i for i, d in enumerate(ids)}
    kept_as = list(range(len(ids)))
    with open(out, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            kept_as[index[o["id"]]] = index[o["cluster"]]
    return {"tool": "reprint dedup " + " ".join(extra), "wall_s": wall, "peak_mib": rss}, kept_as


def run_peer(py, tool, corpus, work, name):
    out = os.path.join(work, f"dedup-{name}-{tool}.txt")
    res = out + ".json"
    env = dict(os.environ, RAYON_NUM_THREADS="2", OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    log(f"{tool}: clusters")
    wall, rss, rc = measure([py, os.path.join(HERE, "peer_job.py"), tool, "clusters",
                             corpus, out, res], env=env, stderr_path=res + ".stderr")
    if rc != 0:
        raise RuntimeError(f"{tool} exited with {rc}")
    with open(out) as f:
        kept_as = [int(line) for line in f]
    return {"tool": tool, "wall_s": wall, "peak_mib": rss}, kept_as


def setup_venv(venv, packages):
    """A venv of its own for a peer with heavy pinned dependencies (datasets, numpy, spaCy)."""
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        log(f"creating {venv}")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        *packages], check=True)
    return py


def run_datatrove(py, work, corpus, name):
    job_dir = os.path.join(work, f"dedup-{name}-datatrove")
    subprocess.run(["rm", "-rf", job_dir], check=True)
    out = job_dir + ".txt"
    cmd = [py, os.path.join(HERE, "datatrove_job.py"), corpus, job_dir, out]
    log(f"datatrove: {' '.join(cmd[1:])}")
    wall, rss, rc = run.measure(cmd, stderr_path=job_dir + ".stderr")
    if rc != 0:
        raise RuntimeError(f"datatrove exited with {rc}")
    with open(out) as f:
        kept_as = [int(line) for line in f]
    version = subprocess.run([py, "-c", "import importlib.metadata as m; "
                              "print(m.version('datatrove'))"], capture_output=True,
                             text=True).stdout.strip()
    return {"tool": "datatrove", "label": f"datatrove {version}", "wall_s": wall,
            "peak_mib": rss}, kept_as


def run_text_dedup(py, work, corpus, name, n):
    out_dir = os.path.join(work, f"dedup-{name}-text-dedup")
    cache = os.path.join(work, "td-cache")
    subprocess.run(["rm", "-rf", out_dir, cache], check=True)
    cmd = [py, "-m", "text_dedup.minhash", "--path", "json", "--data_files", corpus, "--split",
           "train", "--cache_dir", cache, "--output", out_dir, "--column", "text", "--threshold",
           str(THRESHOLD), "--num_perm", "128", "--ngram", "5", "--num_proc", "2", "--debug"]
    log(f"text-dedup: {' '.join(cmd[1:])}")
    wall, rss, rc = run.measure(cmd, stderr_path=out_dir + ".stderr")
    if rc != 0:
        raise RuntimeError(f"text-dedup exited with {rc}")
    roots = subprocess.run(
        [py, "-c", "import pickle, sys; uf = pickle.load(open(sys.argv[1], 'rb')); "
         "print(' '.join(str(uf.find(i)) for i in range(int(sys.argv[2]))))",
         os.path.join(out_dir, "uf.pkl"), str(n)],
        check=True, capture_output=True, text=True).stdout.split()
    first = {}
    for i, r in enumerate(roots):
        first.setdefault(r, i)
    version = subprocess.run([py, "-c", "import importlib.metadata as m; "
                              "print(m.version('text-dedup'))"], capture_output=True,
                             text=True).stdout.strip()
    return {"tool": "text-dedup", "label": f"text-dedup {version} (2 processes)", "wall_s": wall,
            "peak_mib": rss}, [first[r] for r in roots]


def fmt(x, spec):
    return "–" if x is None else format(x, spec)


def table(title, rows, n_docs, mb):
    ref = rows[0]["wall_s"]
    lines = [f"### {title}", "",
             "| tool | wall | docs/s | peak memory | kept | precision | recall | purity | "
             "time ÷ reprint's | memory ÷ reprint's |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        q = r["quality"]
        lines.append(
            f"| {r['label']} | {r['wall_s']:.2f} s | {n_docs / r['wall_s']:,.0f} | "
            f"{r['peak_mib']:.0f} MiB | {q['kept']:,} | {fmt(q['precision'], '.4f')} "
            f"({q['false_drops']} false) | {fmt(q['recall'], '.4f')} | "
            f"{fmt(q.get('purity'), '.4f')} | {r['wall_s'] / ref:.1f}× | "
            f"{r['peak_mib'] / rows[0]['peak_mib']:.2f}× |")
    lines.append("")
    lines.append(f"{n_docs:,} documents, {mb:.0f} MB of text; "
                 f"{rows[0]['quality']['truth_pairs']:,} near-duplicate pairs in the truth.")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=60000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--pool-docs", type=int, default=10000)
    ap.add_argument("--work", default=os.path.join(run.ROOT, "target", "peers"))
    ap.add_argument("--bin")
    ap.add_argument("--tools", default="reprint," + ",".join(PEERS) + ",text-dedup,datatrove")
    ap.add_argument("--no-venv-install", action="store_true")
    args = ap.parse_args()
    started = time.perf_counter()
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    run.ensure_gnu_time()
    tools = args.tools.split(",")
    peers = [t for t in tools if t in PEERS]
    binary = args.bin or run.build_reprint()
    py, peers, versions = run.setup_venv(work, peers, not args.no_venv_install) if peers else \
        (None, [], {})

    td_py = setup_venv(os.path.join(work, "venv-td"), [TEXT_DEDUP]) \
        if "text-dedup" in tools else None
    dt_py = setup_venv(os.path.join(work, "venv-dt"), DATATROVE) \
        if "datatrove" in tools else None
    peers_jsonl, peers_truth, meta = gen.write(work, args.docs, args.seed)
    pool_dir = os.path.join(run.ROOT, "target", "scale", f"pool-{args.pool_docs}")
    subprocess.run([sys.executable, os.path.join(run.ROOT, "scripts", "scale", "gen.py"), "pool",
                    "--docs", str(args.pool_docs), "--seed", "1", "--out", pool_dir], check=True)
    pool_jsonl = os.path.join(pool_dir, "corpus.jsonl")

    mach = run.machine()
    mach["loadavg_before"] = run.loadavg()
    results, md = {}, ["## Deduplication head to head", ""]
    for name, corpus in [("peers", peers_jsonl), ("pool", pool_jsonl)]:
        ids, texts = read_corpus(corpus)
        if name == "peers":
            pairs, groups = truth_pairs(peers_truth, ids)
        else:
            log("pool: exact pairs by inverted index")
            pairs, groups = exact_pairs(texts), None
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        rows = []
        if "reprint" in tools:
            # The default (representative clusters), then connected components for comparison.
            for extra in ([], ["--clusters", "components"]):
                row, kept_as = run_reprint(binary, corpus, ids, work, name, extra)
                row["label"] = f"**reprint dedup{''.join(' ' + e for e in extra)}**"
                row["quality"] = quality(kept_as, texts, pairs, groups)
                rows.append(row)
        for tool in peers:
            row, kept_as = run_peer(py, tool, corpus, work, name)
            package = run.PEERS[tool]
            row["label"] = f"{package} {versions[package]}" + \
                (" (Python 5-grams)" if tool == "gaoya-py" else "") + \
                (" (one thread)" if tool == "datasketch" else "")
            row["quality"] = quality(kept_as, texts, pairs, groups)
            rows.append(row)
        if "text-dedup" in tools:
            row, kept_as = run_text_dedup(td_py, work, corpus, name, len(ids))
            row["quality"] = quality(kept_as, texts, pairs, groups)
            rows.append(row)
        if "datatrove" in tools:
            row, kept_as = run_datatrove(dt_py, work, corpus, name)
            row["quality"] = quality(kept_as, texts, pairs, groups)
            rows.append(row)
        results[name] = {"docs": len(ids), "mb": mb, "rows": rows}
        title = (f"Peers' corpus (scripts/peers/gen.py --docs {args.docs} --seed {args.seed})"
                 if name == "peers" else
                 f"Shared-pool corpus (scripts/scale/gen.py pool --docs {args.pool_docs} "
                 "--seed 1)")
        md += [table(title, rows, len(ids), mb), ""]
    mach["loadavg_after"] = run.loadavg()
    md += [f"Machine: {mach.get('cpu', '?')}, {mach.get('cores')} cores, "
           f"{mach.get('memory_gib')} GiB; {mach.get('rustc')}; reprint {mach.get('reprint_commit')}; "
           f"load average {mach['loadavg_before']} before, {mach['loadavg_after']} after.", ""]
    text = "\n".join(md)
    print(text)
    with open(os.path.join(work, "dedup-results.md"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(work, "dedup-results.json"), "w", encoding="utf-8") as f:
        json.dump({"machine": mach, "versions": versions, "results": results,
                   "script_seconds": time.perf_counter() - started}, f, indent=1)
    log(f"wrote {work}/dedup-results.md ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

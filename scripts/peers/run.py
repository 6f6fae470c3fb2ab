#!/usr/bin/env python3
"""Reproducible side-by-side comparison of reprint with the MinHash tools users would pick
(issue 7): datasketch, rensa and gaoya, from PyPI, on one generated corpus, in one run.

    python3 scripts/peers/run.py              # 60,000 documents, about 150 MB of text
    python3 scripts/peers/run.py --docs 2000  # a quick run, under a minute

What it does, in order:

1. Generates (or reuses, if this generator already wrote it) a deterministic corpus of English
   and French news-like documents with injected near-duplicates (word 5-gram Jaccard >= 0.8:
   small edits, site boilerplate) and injected partial copies (a run of 20-60% of an article
   inside other text), and the truth: see gen.py for how. The text is the repository's own
   fictional corpus (corpus/docs, corpus/generate_filler) recombined sentence by sentence with
   word substitutions, from a vocabulary widened to a realistic size with made-up words spliced
   from the corpus's own; nothing is downloaded. Files: WORK/corpus-N-SEED.jsonl (`{"id","text"}`
   per line) and WORK/corpus-N-SEED.truth.tsv.
2. Builds reprint (`cargo build --release`) and creates WORK/venv with the pinned peers of
   requirements.txt (pip, from PyPI). A peer that fails to install is reported and skipped.
3. Runs each tool on the same corpus, one process at a time, and measures from outside the wall
   time (fork to exit, reading the JSONL included) and the peak resident memory (ru_maxrss of
   the child as GNU time reports it, Debian package `time`, installed with apt-get if missing):
   - peers, `signatures`, one thread: 128-permutation MinHash over word 5-grams; docs/s and
     MB/s are of the signature work alone (timed inside the process, JSON reading excluded);
   - peers, `dedup`, two threads where the tool can use them (rensa and gaoya through rayon;
     datasketch is single-threaded): signatures, LSH with 16 bands x 8 rows, every candidate
     kept when its estimated Jaccard >= 0.8; recall and precision against the injected
     near-duplicate pairs (exact 5-gram Jaccard >= 0.8);
   - reprint, `reprint scan --format jsonl -q -j 2`, with its default settings and again with
     `--shingle 5` (shingles of 5 content terms, nearer the peers' word 5-grams), end to end. It
     also measures containment and finds partial copies: its recall is given on the
     near-duplicates and on the partial copies, and its precision is the share of the pairs it
     reports that are injected copies of any kind (near-duplicate, two copies of one original
     under 0.8, partial).
   - reprint, `reprint sketch -j 1 --format bin`, the same signatures-only job (128 values,
     one-permutation MinHash with optimal densification over word 5-grams, one thread); its
     signature time is the one it prints on stderr (reading and writing excluded, as for the
     peers).
4. Prints the tables in markdown and writes them to WORK/results.md, with the raw figures in
   WORK/results.json. Ratios are each run's wall time over reprint's default scan, all from
   this one run: on a shared 2-core machine timings vary by about 20% from run to run.

Options: --docs N, --seed S, --work DIR (default target/peers), --tools (a subset), --bin PATH
(a reprint binary: skips the build), --no-venv-install (use WORK/venv as it is).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# Each peer run and the PyPI package it needs: gaoya with its own word analyzer, and gaoya-py,
# gaoya fed the same Python-made 5-grams as datasketch and rensa (see peer_job.py).
PEERS = {"datasketch": "datasketch", "rensa": "rensa", "gaoya": "gaoya", "gaoya-py": "gaoya"}
JOB_TIMEOUT_S = 3600


def log(msg):
    print(msg, file=sys.stderr, flush=True)


TIME = "/usr/bin/time"


def measure(cmd, stdout_path=None, env=None, stderr_path=None):
    """Runs cmd to completion under GNU time; returns (wall seconds, peak RSS in MiB, exit
    code). The peak is the maximum resident set size GNU time reads from wait4 for its own
    child. (Not from this process's wait4: a child forked from a large parent starts with the
    parent's high-water mark, which would put a floor under every figure.)"""
    rss_path = (stderr_path or os.devnull) + ".rss"
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    err = open(stderr_path, "wb") if stderr_path else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        proc = subprocess.run([TIME, "-f", "%M", "-o", rss_path, *cmd], stdout=out, stderr=err,
                              env=env, timeout=JOB_TIMEOUT_S)
        wall = time.perf_counter() - t0
    finally:
        for f in (out, err):
            if f is not subprocess.DEVNULL:
                f.close()
    if stderr_path:
        with open(stderr_path, "rb") as f:
            text = f.read().decode("utf-8", "replace").strip()
        if text:
            log(text[-2000:])
    with open(rss_path) as f:
        # GNU time writes "Command exited with non-zero status N" first when it did.
        kib = int(f.read().split()[-1])
    return wall, kib / 1024.0, proc.returncode


def ensure_gnu_time():
    if os.access(TIME, os.X_OK):
        return
    log(f"{TIME} is missing: installing Debian's package `time` (apt-get install time)")
    subprocess.run(["apt-get", "install", "-y", "-q", "time"], check=True,
                   stdout=subprocess.DEVNULL)


# ---------------------------------------------------------------------------------------------
# Setup
# ---------------------------------------------------------------------------------------------

def build_reprint():
    log("building reprint (cargo build --release)")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return os.path.join(ROOT, "target", "release", "reprint")


def setup_venv(work, runs, install):
    """Creates WORK/venv and installs the pinned packages the peer runs need; returns (python,
    the runs whose package imports, {package: version})."""
    venv = os.path.join(work, "venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        log(f"creating {venv}")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    with open(os.path.join(HERE, "requirements.txt")) as f:
        pins = {line.split("==")[0].strip(): line.strip() for line in f
                if line.strip() and not line.startswith("#")}
    versions = {}
    for package in sorted({PEERS[r] for r in runs}):
        if install:
            r = subprocess.run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                pins[package]], capture_output=True, text=True)
            if r.returncode != 0:
                log(f"{package}: pip install failed, skipped:\n{r.stderr[-1500:]}")
                continue
        r = subprocess.run([py, "-c", f"import importlib.metadata as m, {package}; "
                            f"print(m.version('{package}'))"], capture_output=True, text=True)
        if r.returncode != 0:
            log(f"{package}: not importable, skipped:\n{r.stderr[-1500:]}")
            continue
        versions[package] = r.stdout.strip()
    return py, [r for r in runs if PEERS[r] in versions], versions


def loadavg():
    """1-minute load average: other work on a shared machine shows here."""
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def machine():
    info = {"cores": os.cpu_count(), "python": platform.python_version(),
            "kernel": platform.release()}
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                info["cpu"] = line.split(":", 1)[1].strip()
        with open("/proc/meminfo") as f:
            info["memory_gib"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
        info["rustc"] = subprocess.run(["rustc", "--version"], capture_output=True,
                                       text=True).stdout.strip()
        info["reprint_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                                capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    return info


# ---------------------------------------------------------------------------------------------
# Truth and scoring
# ---------------------------------------------------------------------------------------------

def read_truth(path):
    """{unordered pair: (kind, jaccard5)}"""
    truth = {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            a, b, kind, jac, _frac = line.rstrip("\n").split("\t")
            truth[frozenset((a, b))] = (kind, float(jac))
    return truth


def score(pairs, truth):
    near = {p for p, (k, _) in truth.items() if k == "near-duplicate"}
    clear = {p for p, (k, j) in truth.items() if k == "near-duplicate" and j >= 0.85}
    partial = {p for p, (k, _) in truth.items() if k == "partial"}
    related = set(truth)
    return {
        "pairs": len(pairs),
        "recall_near_dup": len(pairs & near) / len(near) if near else None,
        "recall_near_dup_j085": len(pairs & clear) / len(clear) if clear else None,
        "recall_partial": len(pairs & partial) / len(partial) if partial else None,
        # Against the job's own truth: near-duplicates for the peers (set below), every
        # injected copy relation for reprint.
        "precision_near_dup": len(pairs & near) / len(pairs) if pairs else None,
        "precision_any_copy": len(pairs & related) / len(pairs) if pairs else None,
        "reported_same_source": len(pairs & {p for p, (k, _) in truth.items()
                                             if k == "same-source"}),
        "reported_unrelated": len(pairs - related),
    }


def read_ids(corpus):
    with open(corpus, encoding="utf-8") as f:
        return [json.loads(line)["id"] for line in f]


# ---------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------

def run_reprint(binary, corpus, work, name, extra):
    out = os.path.join(work, f"pairs-{name}.jsonl")
    cmd = [binary, "scan", "--format", "jsonl", "-q", "-j", "2", *extra, corpus]
    log(f"{name}: {' '.join(cmd)}")
    wall, rss, rc = measure(cmd, out, stderr_path=out + ".stderr")
    if rc not in (0, 3):
        raise RuntimeError(f"{name} exited with {rc}")
    pairs = set()
    with open(out, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            if "a" in o:
                pairs.add(frozenset((o["a"], o["b"])))
    return {"tool": name, "job": "scan", "command": " ".join(cmd[1:-1]) + " CORPUS",
            "threads": 2, "wall_s": wall, "peak_mib": rss, "exit_code": rc}, pairs


def run_reprint_sketch(binary, corpus, work):
    """reprint's signatures-only job; job_s is the signature time it reports on stderr."""
    out = os.path.join(work, "sketch-reprint.bin")
    err = out + ".stderr"
    cmd = [binary, "sketch", "-j", "1", "--format", "bin", corpus]
    log(f"reprint: {' '.join(cmd)}")
    wall, rss, rc = measure(cmd, out, stderr_path=err)
    if rc not in (0, 3):
        raise RuntimeError(f"reprint sketch exited with {rc}")
    with open(err, encoding="utf-8") as f:
        summary = [line for line in f if "signatures (" in line][-1]
    job_s = float(summary.split(" in ", 1)[1].split(" s", 1)[0])
    return {"tool": "reprint", "job": "signatures", "threads": 1, "wall_s": wall,
            "peak_mib": rss, "job_s": job_s}


def run_peer(py, tool, job, corpus, work, ids):
    pairs_out = os.path.join(work, f"pairs-{tool}.tsv")
    res_out = os.path.join(work, f"job-{tool}-{job}.json")
    threads = "1" if job == "signatures" else "2"
    env = dict(os.environ, RAYON_NUM_THREADS=threads, OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    log(f"{tool}: {job}")
    wall, rss, rc = measure([py, os.path.join(HERE, "peer_job.py"), tool, job, corpus, pairs_out,
                             res_out], env=env, stderr_path=res_out + ".stderr")
    if rc != 0:
        raise RuntimeError(f"{tool} {job} exited with {rc}")
    with open(res_out) as f:
        inner = json.load(f)
    row = {"tool": tool, "job": job, "threads": 1 if tool == "datasketch" else int(threads),
           "wall_s": wall, "peak_mib": rss, "read_s": inner["read_s"], "job_s": inner["job_s"]}
    pairs = None
    if job == "dedup":
        pairs = set()
        with open(pairs_out) as f:
            for line in f:
                i, j = line.split()
                pairs.add(frozenset((ids[int(i)], ids[int(j)])))
    return row, pairs


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def fmt(x, spec):
    return "–" if x is None else format(x, spec)


def report(meta, mach, versions, sig_rows, full_rows, n_docs, mb, truth_counts, seconds):
    lines = []
    lines.append(f"Corpus: {n_docs:,} documents, {mb:.1f} MB of text (English and French, "
                 f"generated with seed {meta['seed']}); injected: "
                 f"{truth_counts.get('near-duplicate', 0):,} near-duplicate pairs "
                 f"(word 5-gram Jaccard ≥ 0.8), {truth_counts.get('partial', 0):,} partial "
                 f"copies (20–60% of an article), and {truth_counts.get('same-source', 0):,} "
                 f"pairs of copies of one original under 0.8.")
    lines.append(f"Machine: {mach.get('cpu', '?')}, {mach.get('cores')} cores, "
                 f"{mach.get('memory_gib', '?')} GiB (load average {mach['loadavg_before']:.1f} "
                 f"before the runs, {mach['loadavg_after']:.1f} after); "
                 f"{mach.get('rustc', '')}, Python "
                 f"{mach.get('python')}; "
                 + ", ".join([f"reprint {mach.get('reprint_commit', '')}"]
                             + [f"{k} {v}" for k, v in versions.items()]) + ".")
    lines.append("")
    if sig_rows:
        lines.append("**Signatures only**: 128-permutation MinHash of each document's word "
                     "5-gram set, one thread (docs/s and MB/s of the signature work; wall time "
                     "and memory of the whole process, reading the JSONL included).")
        lines.append("")
        lines.append("| tool | signatures/s | MB/s | signature time | wall time | peak memory | "
                     "reprint's signatures/s ÷ this |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|")
        sig_base = next((r["job_s"] for r in sig_rows if r["tool"] == "reprint"), None)
        for r in sig_rows:
            ratio = f"{r['job_s'] / sig_base:.1f}×" if sig_base else "–"
            name = "**reprint sketch**" if r["tool"] == "reprint" else r["tool"]
            lines.append(f"| {name} | {n_docs / r['job_s']:,.0f} | {mb / r['job_s']:.1f} | "
                         f"{r['job_s']:.2f} s | {r['wall_s']:.1f} s | {r['peak_mib']:,.0f} MiB | "
                         f"{ratio} |")
        lines.append("")
        lines.append("gaoya's Python API has no signature-only call: its rows include inserting "
                     "each signature into a 16 × 8 LSH index. gaoya uses its own word analyzer, "
                     "which splits on ASCII punctuation only (`l’Iran` is one word to it); "
                     "gaoya-py is gaoya fed the same Python-made 5-grams as datasketch and rensa.")
        lines.append("")
    lines.append("**End to end**: peers find all pairs at Jaccard ≥ 0.8 (LSH 16 bands × 8 rows, "
                 "candidates kept at estimated Jaccard ≥ 0.8); reprint scans for copies of any "
                 "size (candidates, alignment, containment). Wall time of the whole process "
                 "(reading the JSONL included), peak resident memory, recall on the injected "
                 "near-duplicates and partial copies.")
    lines.append("")
    lines.append("| tool | threads | wall time | docs/s | MB/s | peak memory | recall near-dup "
                 "(J ≥ 0.85) | recall partial | precision | pairs | time ÷ reprint's |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    base = next((r["wall_s"] for r in full_rows if r["tool"] == "reprint"), None)
    for r in full_rows:
        is_reprint = r["tool"].startswith("reprint")
        prec = r["precision_any_copy"] if is_reprint else r["precision_near_dup"]
        name = r["tool"] if not is_reprint else "**" + r["tool"] + "**"
        lines.append(
            f"| {name} | {r['threads']} | {r['wall_s']:.1f} s | {n_docs / r['wall_s']:,.0f} | "
            f"{mb / r['wall_s']:.1f} | {r['peak_mib']:,.0f} MiB | "
            f"{fmt(r['recall_near_dup'], '.3f')} ({fmt(r['recall_near_dup_j085'], '.3f')}) | "
            f"{fmt(r['recall_partial'], '.3f') if is_reprint else '–'} | "
            f"{fmt(prec, '.3f')}{'*' if is_reprint else ''} | {r['pairs']:,} | "
            f"{r['wall_s'] / base:.2f}× |" if base else "")
    lines.append("")
    lines.append("Precision: for the peers, the share of reported pairs whose exact 5-gram "
                 "Jaccard is ≥ 0.8; *for reprint, the share of reported pairs that are injected "
                 "copies of any kind (it reports copies, not only near-duplicates). Recall in "
                 "parentheses: on the near-duplicates at Jaccard ≥ 0.85, away from the "
                 "threshold where any MinHash estimate is a coin toss.")
    lines.append("")
    lines.append(f"All figures from one run of `python3 scripts/peers/run.py"
                 f"{'' if n_docs == 60000 else f' --docs {n_docs}'}` ({seconds / 60:.1f} min "
                 f"in all).")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=60000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "peers"))
    ap.add_argument("--tools", default="reprint," + ",".join(PEERS),
                    help="comma-separated subset of reprint,datasketch,rensa,gaoya")
    ap.add_argument("--bin", help="reprint binary to use instead of building one")
    ap.add_argument("--no-venv-install", action="store_true",
                    help="use WORK/venv as it is, without pip")
    args = ap.parse_args()
    started = time.perf_counter()
    work = os.path.abspath(args.work)
    tools = [t for t in args.tools.split(",") if t]

    ensure_gnu_time()
    log(f"corpus: {args.docs} documents, seed {args.seed}")
    t0 = time.perf_counter()
    # In a child process, so that this one stays small while it starts the measured runs.
    made = json.loads(subprocess.run(
        [sys.executable, os.path.join(HERE, "gen.py"), "--docs", str(args.docs), "--seed",
         str(args.seed), "--work", work], check=True, capture_output=True, text=True).stdout)
    corpus, truth_path, meta = made["jsonl"], made["truth"], made["meta"]
    log(f"corpus {'reused' if meta['cached'] else 'generated'}: {corpus} "
        f"({meta['text_bytes'] / 1e6:.1f} MB of text, {time.perf_counter() - t0:.0f} s)")
    truth = read_truth(truth_path)
    ids = read_ids(corpus)
    mb = meta["text_bytes"] / 1e6

    binary = None
    if "reprint" in tools:
        binary = os.path.abspath(args.bin) if args.bin else build_reprint()
    peers = [t for t in tools if t in PEERS]
    py, peers, versions = setup_venv(work, peers, not args.no_venv_install) if peers else \
        (None, [], {})

    # Warm the page cache so that the first tool does not pay for reading the file from disk.
    with open(corpus, "rb") as f:
        while f.read(1 << 24):
            pass

    mach = machine()
    mach["loadavg_before"] = loadavg()
    full_rows, sig_rows = [], []
    if binary:
        for name, extra in (("reprint", []), ("reprint --shingle 5", ["--shingle", "5"])):
            row, pairs = run_reprint(binary, corpus, work, name.replace(" --", "-"), extra)
            row["tool"] = name
            row.update(score(pairs, truth))
            full_rows.append(row)
    if binary:
        sig_rows.append(run_reprint_sketch(binary, corpus, work))
    for tool in peers:
        row, _ = run_peer(py, tool, "signatures", corpus, work, ids)
        sig_rows.append(row)
    for tool in peers:
        row, pairs = run_peer(py, tool, "dedup", corpus, work, ids)
        row.update(score(pairs, truth))
        full_rows.append(row)

    mach["loadavg_after"] = loadavg()
    counts = {}
    for kind, _ in truth.values():
        counts[kind] = counts.get(kind, 0) + 1
    seconds = time.perf_counter() - started
    md = report(meta, mach, versions, sig_rows, full_rows, args.docs, mb, counts, seconds)
    print(md)
    with open(os.path.join(work, "results.md"), "w", encoding="utf-8") as f:
        f.write(md)
    raw = {"corpus": {k: v for k, v in meta.items() if k != "cached"}, "truth": counts,
           "machine": mach, "versions": versions, "signatures": sig_rows, "end_to_end": full_rows,
           "script_seconds": seconds}
    with open(os.path.join(work, "results.json"), "w", encoding="utf-8") as f:
        json.dump(raw, f, indent=1)
    log(f"wrote {os.path.join(work, 'results.md')} and results.json ({seconds:.0f} s)")


if __name__ == "__main__":
    main()

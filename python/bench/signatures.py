"""Signature speed from Python against the same work in Rust and in rensa, on the same texts.

    python bench/signatures.py [--limit N] [--rust PATH] [--no-rensa] FILE.jsonl...

- reprint from Python: ``reprint.signatures(texts)`` (128 values, word 5-grams), all threads,
  best of 3, and on one thread (``RAYON_NUM_THREADS=1`` in a child process);
- reprint in Rust: ``Sketcher::signatures`` on the same texts, timed inside the ``measure``
  example (``--rust``, built by ``cargo build --release --example measure``), run alternately
  with the Python timing so that both see the same machine load;
- rensa: ``RMinHash.digest_matrix_from_token_sets`` with 128 permutations on word 5-gram sets
  made in Python (rensa takes tokens, not text), in chunks of 2,000, as rensa's users do.

Loading the JSONL is not timed. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time


def load(files, limit):
    texts = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                if len(texts) >= limit:
                    return texts
                texts.append(json.loads(line)["text"])
    return texts


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(f):
    c, t = cpu(), time.perf_counter()
    f()
    return time.perf_counter() - t, cpu() - c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--limit", type=int, default=100_000)
    ap.add_argument("--rust", help="path of the measure example binary")
    ap.add_argument("--no-rensa", action="store_true")
    ap.add_argument("--one-thread-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    import reprint

    texts = load(args.files, args.limit)
    if args.one_thread_child:
        print(json.dumps(timed(lambda: reprint.signatures(texts))[0]))
        return
    out = {"docs": len(texts), "bytes": sum(len(t.encode()) for t in texts)}
    py_runs, py_cpu, rust_runs = [], [], []
    for _ in range(3):
        if args.rust:
            r = subprocess.run(
                [args.rust, "--only-signatures", "--limit", str(args.limit), *args.files],
                capture_output=True, check=True, text=True,
            )
            for line in r.stdout.splitlines():
                m = json.loads(line)
                if m["measure"] == "signatures_all_threads":
                    rust_runs.append(m["seconds"])
        wall, cpu_s = timed(lambda: reprint.signatures(texts))
        py_runs.append(wall)
        py_cpu.append(cpu_s)
    out["python_all_threads_s"] = min(py_runs)
    # CPU seconds (all threads) depend less on other processes' load than wall time.
    out["python_cpu_s"] = min(py_cpu)
    out["python_runs_s"] = py_runs
    if rust_runs:
        out["rust_all_threads_s"] = min(rust_runs)
        out["rust_runs_s"] = rust_runs
        out["python_over_rust"] = min(py_runs) / min(rust_runs)
    child = subprocess.run(
        [sys.executable, __file__, "--one-thread-child", "--limit", str(args.limit), *args.files],
        env={**os.environ, "RAYON_NUM_THREADS": "1"},
        capture_output=True, check=True, text=True,
    )
    out["python_one_thread_s"] = float(child.stdout)
    if not args.no_rensa:
        from rensa import RMinHash

        word = re.compile(r"\w+")

        def shingles(text):
            w = word.findall(text.lower())
            if len(w) < 5:
                return [" ".join(w)] if w else []
            return list({" ".join(w[i : i + 5]) for i in range(len(w) - 4)})

        parts = {"shingling": 0.0, "hashing": 0.0}

        def run_rensa():
            for s in range(0, len(texts), 2000):
                t = time.perf_counter()
                sets = [shingles(t) for t in texts[s : s + 2000]]
                parts["shingling"] += time.perf_counter() - t
                t = time.perf_counter()
                RMinHash.digest_matrix_from_token_sets(sets, 128, 1)
                parts["hashing"] += time.perf_counter() - t

        wall, cpu_s = timed(run_rensa)
        out["rensa_s"] = wall
        out["rensa_cpu_s"] = cpu_s
        out["rensa_python_shingling_s"] = parts["shingling"]
        out["rensa_hashing_s"] = parts["hashing"]
        out["rensa_over_python"] = wall / out["python_all_threads_s"]
        out["rensa_over_python_one_thread"] = wall / out["python_one_thread_s"]
        out["rensa_cpu_over_python_cpu"] = cpu_s / out["python_cpu_s"]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

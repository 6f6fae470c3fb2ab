#!/usr/bin/env python3
"""How reprint's time and memory grow with the corpus (issue 7): `reprint scan` and
`reprint sketch` on generated corpora of growing size, one run, a table and an SVG plot.

    python3 scripts/peers/scaling.py                       # 10,000 and 100,000 documents
    python3 scripts/peers/scaling.py --docs 10000,100000,1000000

Corpora come from gen.py (the same generator and seed as run.py, reused when already made).
Each size runs `reprint scan --format jsonl -q -j 2` and `reprint sketch -j 2 --format bin`,
measured from outside as in run.py (wall time, peak resident memory). Writes
WORK/scaling.md, WORK/scaling.json and WORK/scaling.svg (time and memory per document against
the number of documents, log-log; a flat line is linear growth). Standard library only.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (measure, machine, loadavg, ensure_gnu_time, build_reprint)


def svg(rows, path, series=None):
    """Time per document and KiB per document against the number of documents, log-log: by
    default for scan and sketch; `series` is a list of (label, [(docs, value)], color)."""
    w, h, pad = 720, 300, 60
    ns = [r["docs"] for r in rows]
    series = series or [
        ("scan: time per document (ms)", [(r["docs"], 1e3 * r["scan_s"] / r["docs"]) for r in rows], "#c0392b"),
        ("scan: peak memory per document (KiB)", [(r["docs"], 1024 * r["scan_mib"] / r["docs"]) for r in rows], "#2471a3"),
        ("sketch: time per document (ms)", [(r["docs"], 1e3 * r["sketch_s"] / r["docs"]) for r in rows], "#229954"),
    ]
    import math
    xs = [math.log10(n) for n in ns]
    x0, x1 = min(xs) - 0.2, max(xs) + 0.2
    ys = [v for _, pts, _ in series for _, v in pts]
    y0, y1 = math.log10(min(ys)) - 0.3, math.log10(max(ys)) + 0.3
    X = lambda x: pad + (math.log10(x) - x0) / (x1 - x0) * (w - 2 * pad)
    Y = lambda y: h - pad + (-(math.log10(y) - y0) / (y1 - y0)) * (h - 2 * pad)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h + 20 * len(series)}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="black"/>',
           f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="black"/>',
           f'<text x="{w / 2}" y="{h - pad + 35}" text-anchor="middle">documents (log scale)</text>',
           f'<text x="{w / 2}" y="20" text-anchor="middle">reprint per-document cost vs corpus '
           f'size (log-log; flat = linear growth)</text>']
    for n in ns:
        out.append(f'<text x="{X(n):.1f}" y="{h - pad + 16}" text-anchor="middle">{n:,}</text>')
    for label, pts, color in series:
        d = " ".join(f"{'M' if i == 0 else 'L'}{X(n):.1f},{Y(v):.1f}" for i, (n, v) in enumerate(pts))
        out.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="2"/>')
        for n, v in pts:
            out.append(f'<circle cx="{X(n):.1f}" cy="{Y(v):.1f}" r="3" fill="{color}"/>')
            out.append(f'<text x="{X(n) + 6:.1f}" y="{Y(v) - 6:.1f}" fill="{color}">{v:.3g}</text>')
    for i, (label, _, color) in enumerate(series):
        y = h + 10 + 20 * i
        out.append(f'<rect x="{pad}" y="{y - 9}" width="12" height="12" fill="{color}"/>')
        out.append(f'<text x="{pad + 18}" y="{y + 1}">{label}</text>')
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def generated(n, seed, work):
    """gen.py's corpus of n documents (made, or reused when already there), read once so that
    it is in the page cache as for every run: (JSONL path, MB of text)."""
    made = json.loads(subprocess.run(
        [sys.executable, os.path.join(HERE, "gen.py"), "--docs", str(n), "--seed", str(seed),
         "--work", work], check=True, capture_output=True, text=True).stdout)
    with open(made["jsonl"], "rb") as f:
        while f.read(1 << 24):
            pass
    return made["jsonl"], made["meta"]["text_bytes"] / 1e6


def start(description, default_docs):
    """What a scaling run starts with, from its command line: the arguments (sizes to run), the
    work directory, the reprint binary (built unless ``--bin``) and the machine, load average
    included."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--docs", default=default_docs)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", default=os.path.join(run.ROOT, "target", "peers"))
    ap.add_argument("--bin", help="reprint binary to use instead of building one")
    args = ap.parse_args()
    run.ensure_gnu_time()
    binary = os.path.abspath(args.bin) if args.bin else run.build_reprint()
    mach = run.machine()
    mach["loadavg_before"] = run.loadavg()
    return args, os.path.abspath(args.work), binary, mach


def main():
    args, work, binary, mach = start(__doc__.split("\n")[0], "10000,100000")
    rows = []
    for n in [int(x) for x in args.docs.split(",")]:
        corpus, mb = generated(n, args.seed, work)
        err = os.path.join(work, f"scaling-{n}.stderr")
        run.log(f"{n} documents: scan")
        scan_s, scan_mib, rc = run.measure([binary, "scan", "--format", "jsonl", "-q", "-j", "2",
                                            corpus], os.devnull, stderr_path=err)
        if rc not in (0, 3):
            raise RuntimeError(f"scan exited with {rc}")
        run.log(f"{n} documents: sketch")
        sketch_s, sketch_mib, rc = run.measure([binary, "sketch", "-j", "2", "--format", "bin",
                                                corpus], os.devnull, stderr_path=err)
        if rc not in (0, 3):
            raise RuntimeError(f"sketch exited with {rc}")
        rows.append({"docs": n, "mb": mb, "scan_s": scan_s, "scan_mib": scan_mib,
                     "sketch_s": sketch_s, "sketch_mib": sketch_mib})
    mach["loadavg_after"] = run.loadavg()
    lines = [f"Machine: {mach.get('cpu', '?')}, {mach.get('cores')} cores (load average "
             f"{mach['loadavg_before']:.1f} before, {mach['loadavg_after']:.1f} after); reprint "
             f"{mach.get('reprint_commit', '')}; 2 threads; wall time and peak memory of the "
             f"whole process, reading included.", "",
             "| documents | MB of text | scan time | scan peak memory | scan memory per document | "
             "sketch time | sketch peak memory |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['docs']:,} | {r['mb']:.0f} | {r['scan_s']:.1f} s | "
                     f"{r['scan_mib']:,.0f} MiB | {1024 * r['scan_mib'] / r['docs']:.1f} KiB | "
                     f"{r['sketch_s']:.1f} s | {r['sketch_mib']:,.0f} MiB |")
    md = "\n".join(lines) + "\n"
    print(md)
    for name, text in (("scaling.md", md), ("scaling.json", json.dumps(
            {"machine": mach, "rows": rows}, indent=1))):
        with open(os.path.join(work, name), "w", encoding="utf-8") as f:
            f.write(text)
    svg(rows, os.path.join(work, "scaling.svg"))
    run.log(f"wrote {work}/scaling.md, scaling.json and scaling.svg")


if __name__ == "__main__":
    main()

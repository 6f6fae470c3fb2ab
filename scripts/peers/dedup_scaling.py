#!/usr/bin/env python3
"""How `reprint dedup`'s time and memory grow with the corpus (issue 25): one run at each size,
a table and an SVG plot.

    python3 scripts/peers/dedup_scaling.py                            # 10,000 to 1,000,000
    python3 scripts/peers/dedup_scaling.py --docs 10000,100000

Corpora come from gen.py (seed 7, as run.py and dedup_run.py; reused when already made: a
million documents take about 8 minutes to generate and 2.3 GB). Each size runs
`reprint dedup -j 2 -q --format ids`, measured from outside as in run.py (wall time, peak
resident memory, reading included). Writes WORK/dedup-scaling.md, .json and .svg (time and
memory per document against the number of documents, log-log: a flat line is linear growth).
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402
import scaling  # noqa: E402


def main():
    args, work, binary, mach = scaling.start(__doc__.split("\n")[0], "10000,100000,1000000")
    rows = []
    for n in [int(x) for x in args.docs.split(",")]:
        corpus, mb = scaling.generated(n, args.seed, work)
        err = os.path.join(work, f"dedup-scaling-{n}.stderr")
        run.log(f"{n} documents: dedup")
        wall, mib, rc = run.measure([binary, "dedup", "-j", "2", "--format", "ids", corpus],
                                    os.devnull, stderr_path=err)
        if rc not in (0, 3):
            raise RuntimeError(f"dedup exited with {rc}")
        with open(err, encoding="utf-8") as f:
            summary = f.read().strip().splitlines()[-1]
        rows.append({"docs": n, "mb": mb, "dedup_s": wall, "dedup_mib": mib,
                     "summary": summary})
    mach["loadavg_after"] = run.loadavg()
    lines = [f"Machine: {mach.get('cpu', '?')}, {mach.get('cores')} cores (load average "
             f"{mach['loadavg_before']:.1f} before, {mach['loadavg_after']:.1f} after); reprint "
             f"{mach.get('reprint_commit', '')}; `reprint dedup -j 2`; wall time and peak memory "
             "of the whole process, reading included.", "",
             "| documents | MB of text | time | µs per document | peak memory | memory per "
             "document | kept |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        kept = r["summary"].split(" documents, ", 1)[1].split(" kept", 1)[0]
        lines.append(f"| {r['docs']:,} | {r['mb']:.0f} | {r['dedup_s']:.2f} s | "
                     f"{1e6 * r['dedup_s'] / r['docs']:.1f} | {r['dedup_mib']:,.0f} MiB | "
                     f"{1024 * r['dedup_mib'] / r['docs']:.2f} KiB | {kept} |")
    md = "\n".join(lines) + "\n"
    print(md)
    with open(os.path.join(work, "dedup-scaling.md"), "w", encoding="utf-8") as f:
        f.write(md)
    with open(os.path.join(work, "dedup-scaling.json"), "w", encoding="utf-8") as f:
        json.dump({"machine": mach, "rows": rows}, f, indent=1)
    scaling.svg(rows, os.path.join(work, "dedup-scaling.svg"), [
        ("dedup: time per document (µs)",
         [(r["docs"], 1e6 * r["dedup_s"] / r["docs"]) for r in rows], "#c0392b"),
        ("dedup: peak memory per document (KiB)",
         [(r["docs"], 1024 * r["dedup_mib"] / r["docs"]) for r in rows], "#2471a3"),
    ])
    run.log(f"wrote {work}/dedup-scaling.md, .json and .svg")


if __name__ == "__main__":
    main()

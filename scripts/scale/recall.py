"""Pair recall of each copy cluster of `gen.py clusters`, from `reprint scan --format jsonl`.

    python3 scripts/scale/recall.py DIR/clusters.tsv pairs.jsonl

For every cluster of the truth file: how many of its k(k-1)/2 pairs the scan reported, and how
many of its copies are in no reported pair; then the pairs reported outside any cluster and the
lowest score of a pair inside one. Reads the pairs as a stream (millions of lines are fine).
"""

import collections
import json
import sys


def main(truth, pairs):
    members = collections.defaultdict(list)
    with open(truth, encoding="utf-8") as f:
        for line in f:
            cluster, _size, doc = line.rstrip("\n").split("\t")
            members[cluster].append(doc)
    cluster_of = {d: c for c, ds in members.items() for d in ds}
    found = collections.Counter()
    paired = collections.defaultdict(set)
    outside, lowest = 0, None
    with open(pairs, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if "a" not in r:  # a cluster record
                continue
            a, b = r["a"], r["b"]
            c = cluster_of.get(a)
            if c is not None and cluster_of.get(b) == c:
                found[c] += 1
                paired[c].update((a, b))
                s = max(r["containment_a_in_b"], r["containment_b_in_a"])
                lowest = s if lowest is None else min(lowest, s)
            else:
                outside += 1
    for c, ds in sorted(members.items(), key=lambda x: len(x[1])):
        k = len(ds)
        want = k * (k - 1) // 2
        print(f"{c}\t{k} copies\tpair recall {found[c] / max(want, 1):.4f} ({found[c]}/{want})"
              f"\tcopies in no pair {k - len(paired[c])}")
    print(f"pairs outside clusters {outside}; lowest score inside one {lowest}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])

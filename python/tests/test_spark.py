"""reprint.spark on Spark in local mode: the same pairs and scores as the CLI."""

from __future__ import annotations

import json
import random
import subprocess

import pytest

import reprint
from conftest import CORPUS

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")

from reprint import spark as rs  # noqa: E402


def _docs_frame(spark, corpus):
    rows = [(doc_id, text, pos) for pos, (doc_id, text) in enumerate(corpus)]
    return spark.createDataFrame(rows, "id string, text string, pos int")


def _scores(rows):
    return {
        (r["id_a"], r["id_b"]): (r["resemblance"], r["containment_a_in_b"], r["containment_b_in_a"])
        for r in rows
    }


def _union_find(edges):
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


@pytest.fixture(scope="module")
def found(spark, corpus):
    pairs = rs.find_copies(_docs_frame(spark, corpus), "id", "text", order_col="pos").cache()
    return pairs


def _cli_scores(cli, *extra):
    out = subprocess.run(
        [str(cli), "scan", str(CORPUS), "--format", "jsonl", "--quiet", *extra],
        capture_output=True,
        check=True,
    )
    expected = {}
    for line in out.stdout.decode().splitlines():
        r = json.loads(line)
        expected[(r["a"], r["b"])] = (
            r["resemblance"],
            r["containment_a_in_b"],
            r["containment_b_in_a"],
            r.get("via"),
        )
    return expected


def test_find_copies_reports_what_the_cli_reports(found, cli):
    expected = _cli_scores(cli)
    rows = [r.asDict() for r in found.collect()]
    assert len(expected) > 50
    # Exact pairs, orientation, scores and the copy a pair was found through: both sides round
    # the same f64 the same way.
    got = {k: v + (r["via"],) for r in rows for k, v in _scores([r]).items()}
    assert got == expected
    assert len(rows) == len(expected), "no pair twice"
    assert all(r["passages"] >= 1 for r in rows if r["containment_a_in_b"] > 0)
    assert sum(1 for v in expected.values() if v[3]) >= 5, "corpus/ has pairs found via a copy"


def test_without_bridges_find_copies_is_scan_no_bridge(spark, corpus, cli):
    rows = rs.find_copies(
        _docs_frame(spark, corpus), "id", "text", order_col="pos", bridge=False
    ).collect()
    got = {k: v + (r["via"],) for r in rows for k, v in _scores([r]).items()}
    assert got == _cli_scores(cli, "--no-bridge")


def test_bucket_cap_matches_scan(spark, corpus):
    # At min_score 0 every candidate is reported: this checks candidate generation itself.
    texts, ids = [t for _, t in corpus], [i for i, _ in corpus]
    local = reprint.scan(texts, ids, max_bucket=3, min_score=0.0, bridge=False)
    assert local["stats"]["oversized_buckets"] > 0, "the cap bites on this corpus"
    full = reprint.scan(texts, ids, min_score=0.0, bridge=False)
    assert len(local["pairs"]) < len(full["pairs"])
    rows = rs.find_copies(
        _docs_frame(spark, corpus),
        "id",
        "text",
        min_score=0.0,
        max_bucket=3,
        order_col="pos",
        bridge=False,
    ).collect()
    expected = {
        (p["a"], p["b"]): (p["resemblance"], p["containment_a_in_b"], p["containment_b_in_a"])
        for p in local["pairs"]
    }
    assert _scores([r.asDict() for r in rows]) == expected


def test_clusters_are_the_connected_components_of_the_pairs(found):
    rows = found.collect()
    expected = _union_find((r["id_a"], r["id_b"]) for r in rows)
    got = {r["id"]: r["cluster"] for r in rs.clusters(found).collect()}
    assert got == expected
    assert 1 < len(set(got.values())) < len(got)


def test_connected_components_on_long_chains(spark):
    rng = random.Random(7)
    # A path of 60 nodes in random order (many rounds for a naive min-propagation), a star, a
    # small cycle, and a few lone edges; integer ids.
    path = list(range(100, 160))
    rng.shuffle(path)
    edges = list(zip(path, path[1:]))
    edges += [(500, 500 + i) for i in range(1, 20)]
    edges += [(700, 701), (701, 702), (702, 700)]
    edges += [(900 + 2 * i, 901 + 2 * i) for i in range(5)]
    rng.shuffle(edges)
    df = spark.createDataFrame(edges, "id_a long, id_b long")
    got = {r["id"]: r["cluster"] for r in rs.clusters(df).collect()}
    assert got == _union_find(edges)
    assert got[path[0]] == 100 and got[159] == 100


def test_spark_is_an_attribute_of_the_package():
    assert reprint.spark is rs


def test_bad_arguments(spark, corpus):
    df = _docs_frame(spark, corpus)
    with pytest.raises(ValueError):
        rs.find_copies(df, "id", "text", min_score=1.5)
    with pytest.raises(ValueError):
        rs.find_copies(df, "id", "text", max_bucket=1)


def test_a_story_copied_by_many_sites_is_found_whole(spark, tmp_path):
    """Above MIN_GROUP copies, the job groups them as scan does: the same pairs, scores and via
    as ``reprint.scan`` on one machine, every copy paired with every other."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, str(root / "scripts/scale/gen.py"), "clusters", "--background", "60",
         "--sizes", "45", "--seed", "4", "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    docs = [json.loads(line) for line in (tmp_path / "corpus.jsonl").read_text().splitlines()]
    copies = [line.split("\t")[2] for line in (tmp_path / "clusters.tsv").read_text().splitlines()]
    assert len(copies) == 45 >= reprint.MIN_GROUP
    frame = spark.createDataFrame(
        [(d["id"], d["text"], i) for i, d in enumerate(docs)], "id string, text string, pos int"
    )
    rows = rs.find_copies(frame, "id", "text", order_col="pos").collect()
    got = {k: v + (r["via"],) for r in rows for k, v in _scores([r]).items()}
    assert len(got) == len(rows), "each pair once"
    one = reprint.scan([d["text"] for d in docs], [d["id"] for d in docs])["pairs"]
    expected = {
        (r["a"], r["b"]): (
            r["resemblance"],
            r["containment_a_in_b"],
            r["containment_b_in_a"],
            r.get("via"),
        )
        for r in one
    }
    assert any(v[3] is not None for v in expected.values()), "scan groups the copies"
    assert got == expected
    paired = {p for p in got if p[0] in copies and p[1] in copies}
    assert len(paired) == 45 * 44 // 2

"""reprint.dedup against `reprint dedup` (issue 25): the same clusters from the library in
Python as from the command line, on the shipped corpus and on a generated one."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import reprint
from conftest import CORPUS, ROOT


def cli_clusters(cli, path, ids, *flags):
    """`reprint dedup` as an array like reprint.dedup's: the index of each document's kept one."""
    out = subprocess.run(
        [str(cli), "dedup", "-q", *flags, str(path)], capture_output=True, check=True
    )
    index = {d: i for i, d in enumerate(ids)}
    clusters = np.arange(len(ids))
    sims = np.ones(len(ids))
    for line in out.stdout.decode().splitlines():
        r = json.loads(line)
        clusters[index[r["id"]]] = index[r["cluster"]]
        sims[index[r["id"]]] = r["similarity"]
    return clusters, sims


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    work = tmp_path_factory.mktemp("gen")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "peers" / "gen.py"), "--docs", "400", "--seed",
         "3", "--work", str(work)],
        check=True, capture_output=True,
    )
    path = work / "corpus-400-3.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return path, [r["id"] for r in rows], [r["text"] for r in rows]


@pytest.mark.parametrize("flags", [(), ("--keep", "first"), ("--clusters", "components"),
                                   ("--containment",)])
def test_dedup_is_the_cli(cli, generated, flags):
    path, ids, texts = generated
    expected, expected_sims = cli_clusters(cli, path, ids, *flags)
    kwargs = {}
    if "--keep" in flags:
        kwargs["keep"] = "first"
    if "--clusters" in flags:
        kwargs["clusters"] = "components"
    if "--containment" in flags:
        kwargs["containment"] = True
    got, sims = reprint.dedup(texts, 0.8, return_similarity=True, **kwargs)
    assert (got != np.arange(len(texts))).sum() > 20, "the generator injects near-duplicates"
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_allclose(sims, expected_sims, rtol=0, atol=1e-12)
    # The same from a pyarrow column, as the Spark job would pass it.
    pa = pytest.importorskip("pyarrow")
    np.testing.assert_array_equal(reprint.dedup(pa.array(texts), **kwargs), got)


def test_dedup_on_the_shipped_corpus(cli, corpus):
    ids, texts = [i for i, _ in corpus], [t for _, t in corpus]
    expected, _ = cli_clusters(cli, CORPUS, ids)
    got = reprint.dedup(texts)
    np.testing.assert_array_equal(got, expected)
    assert (got != np.arange(len(texts))).any()


def test_dedup_refuses_bad_parameters():
    for kwargs in ({"threshold": 0.0}, {"threshold": 1.5}, {"ngram": 0},
                   {"permutations": 0}, {"keep": "oldest"}, {"clusters": "chains"}):
        with pytest.raises(ValueError):
            reprint.dedup(["a b c d e f"], **kwargs)
    with pytest.raises(ValueError):
        reprint.dedup(["a b c d e f"], keep="earliest", dates=[])


@pytest.mark.parametrize("clusters", ["representative", "components"])
def test_spark_dedup_is_the_cli(spark, cli, generated, clusters):
    pytest.importorskip("pyarrow")
    from reprint import spark as rs

    path, ids, texts = generated
    flags = () if clusters == "representative" else ("--clusters", "components")
    expected, expected_sims = cli_clusters(cli, path, ids, *flags)
    df = spark.createDataFrame(
        [(doc_id, text, pos) for pos, (doc_id, text) in enumerate(zip(ids, texts))],
        "id string, text string, pos int",
    )
    rows = rs.dedup(df, "id", "text", "pos", clusters=clusters).collect()
    assert len(rows) == len(ids)
    index = {d: i for i, d in enumerate(ids)}
    got = np.arange(len(ids))
    sims = np.ones(len(ids))
    for r in rows:
        got[index[r["id"]]] = index[r["cluster"]]
        sims[index[r["id"]]] = r["similarity"]
        assert r["keep"] == (r["id"] == r["cluster"])
    assert (got != np.arange(len(ids))).sum() > 20
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_allclose(sims, expected_sims, rtol=0, atol=1e-12)

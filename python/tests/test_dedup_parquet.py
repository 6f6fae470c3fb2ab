"""`reprint dedup` on Parquet files that pyarrow and pandas write here, and its `--format
parquet` read back by pyarrow (issue 25): the same records as `--format jsonl` on the same
documents as JSONL."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """400 generated documents with injected near-duplicates, as JSONL and as rows."""
    work = tmp_path_factory.mktemp("gen")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "peers" / "gen.py"), "--docs", "400", "--seed",
         "5", "--work", str(work)],
        check=True, capture_output=True,
    )
    path = work / "corpus-400-5.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return path, rows


def dedup(cli, *args):
    out = subprocess.run([str(cli), "dedup", "-q", *map(str, args)], capture_output=True)
    assert out.returncode == 0, out.stderr.decode()
    return out.stdout.decode()


def records(jsonl: str):
    return [json.loads(line) for line in jsonl.splitlines()]


@pytest.mark.parametrize("flags", [(), ("--containment",)])
def test_parquet_in_and_out_is_jsonl(cli, generated, tmp_path, flags):
    path, rows = generated
    table = pa.table({
        "id": [r["id"] for r in rows],
        "text": pa.array([r["text"] for r in rows], pa.large_string()),
    })
    src = tmp_path / "docs.parquet"
    # Several row groups, and Zstandard, as dataset builders write their shards.
    pq.write_table(table, src, row_group_size=64, compression="zstd")
    expected = records(dedup(cli, *flags, path))
    assert sum(not r["keep"] for r in expected) > 20, "the generator injects near-duplicates"
    assert records(dedup(cli, *flags, src)) == expected

    out = tmp_path / "clusters.parquet"
    assert dedup(cli, *flags, "--format", "parquet", "--output", out, src) == ""
    got = pq.read_table(out)
    want_types = [pa.string(), pa.string(), pa.bool_(), pa.float64()]
    if flags:
        want_types.append(pa.string())
    assert got.schema.types == want_types
    assert got.to_pylist() == expected


def test_pandas_integer_ids_and_named_columns(cli, generated, tmp_path):
    pd = pytest.importorskip("pandas")
    path, rows = generated
    df = pd.DataFrame({"doc": range(len(rows)), "body": [r["text"] for r in rows]})
    src = tmp_path / "frame.parquet"
    df.to_parquet(src)
    got = records(dedup(cli, "--id-column", "doc", "--text-column", "body", src))
    # The same clusters, named by row number instead of the JSONL ids.
    number = {r["id"]: str(i) for i, r in enumerate(rows)}
    expected = [
        dict(r, id=number[r["id"]], cluster=number[r["cluster"]])
        for r in records(dedup(cli, path))
    ]
    assert got == expected

#!/usr/bin/env python3
"""Writes the Parquet fixtures of tests/dedup_parquet.rs into tests/data/parquet/, with pyarrow
(the writer dataset builders use), from the project's own texts: the wire stories and verbatim
copies of corpus/docs, plus exact and near duplicates of some of them made here.

- docs.jsonl: the documents, as JSONL: what the Parquet files must give the same clusters as.
- docs.parquet: the same rows, string ids, Snappy (pyarrow's default), row groups of 7 rows and
  4 KiB data pages, so that texts are read again across row groups and skipped pages.
- int_ids.parquet: the same texts with int64 ids (the row's number), Zstandard.
- null_text.parquet: no id column (ids are made from the file and the row), gzip, and one row
  whose text is null.
- no_text.parquet: columns `id` and `body`, no `text`.

Run from anywhere: python3 scripts/parquet_fixtures.py (needs pyarrow). The output is the same
on every run, so that the committed files are what this script makes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "corpus" / "docs"
OUT = ROOT / "tests" / "data" / "parquet"


def near_copy(text: str, every: int = 80) -> str:
    """One word in `every` replaced: word 5-gram Jaccard with the original about 0.85."""
    words = text.split()
    for i in range(every // 2, len(words), every):
        words[i] = "REPLACED"
    return " ".join(words)


def documents() -> list[tuple[str, str]]:
    docs = []
    for sub, pattern in (("wire", "*.txt"), ("copies", "verbatim-*.txt")):
        for p in sorted((DOCS / sub).glob(pattern)):
            docs.append((f"{sub}/{p.name}", p.read_text(encoding="utf-8")))
    by_id = dict(docs)
    wire = [d for d, _ in docs if d.startswith("wire/")]
    # Exact copies of two stories, near copies of three: clusters of two or more beside the
    # ones the corpus has (a wire story and its verbatim copy).
    for d in wire[:2]:
        docs.append((f"exact-copy/{d}", by_id[d]))
    for d in wire[2:5]:
        docs.append((f"near-copy/{d}", near_copy(by_id[d])))
    return docs


def write(table: pa.Table, name: str, **options) -> None:
    # No statistics or creator string that would change between pyarrow versions' runs
    # matter to the tests; the files are made once and committed.
    pq.write_table(table, OUT / name, **options)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    docs = documents()
    ids = [d for d, _ in docs]
    texts = [t for _, t in docs]
    with open(OUT / "docs.jsonl", "w", encoding="utf-8") as f:
        for d, t in docs:
            f.write(json.dumps({"id": d, "text": t}, ensure_ascii=False) + "\n")
    write(
        pa.table({"id": pa.array(ids, pa.string()), "text": pa.array(texts, pa.large_string())}),
        "docs.parquet",
        row_group_size=7,
        data_page_size=4096,
    )
    write(
        pa.table({"id": pa.array(range(len(texts)), pa.int64()), "text": texts}),
        "int_ids.parquet",
        compression="zstd",
    )
    write(
        pa.table({"text": [texts[0], None, texts[-1], texts[1]]}),
        "null_text.parquet",
        compression="gzip",
    )
    write(pa.table({"id": ids[:2], "body": texts[:2]}), "no_text.parquet")
    print(f"{len(docs)} documents written to {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()

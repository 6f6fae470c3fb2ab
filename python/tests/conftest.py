"""Shared fixtures: the shipped corpus as the CLI reads it, and a local Spark session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus" / "docs"


def corpus_documents():
    """``(id, text)`` of corpus/docs in ``reprint scan``'s input order: directories walked with
    entries sorted by name, ids the paths relative to the root with ``/``."""
    docs = []

    def walk(d: Path, rel: tuple):
        for entry in sorted(os.listdir(d)):
            p = d / entry
            if entry.startswith("."):
                continue
            if p.is_dir():
                walk(p, rel + (entry,))
            elif p.suffix.lower() in (".txt", ".md"):
                docs.append(("/".join(rel + (entry,)), p.read_bytes().decode("utf-8")))

    walk(CORPUS, ())
    return docs


@pytest.fixture(scope="session")
def corpus():
    docs = corpus_documents()
    assert len(docs) > 50, "corpus/docs is missing"
    return docs


@pytest.fixture(scope="session")
def spark():
    pyspark = pytest.importorskip("pyspark")
    del pyspark
    from pyspark.sql import SparkSession

    # Workers must run this interpreter, which has reprint, pyarrow and pandas installed.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("reprint-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def cli():
    """The `reprint` binary of this checkout (REPRINT_BIN overrides): the reference the Python
    and Spark results are checked against. ci.sh builds it."""
    path = Path(os.environ.get("REPRINT_BIN", ROOT / "target" / "release" / "reprint"))
    if not path.is_file():
        pytest.fail(f"{path} not found: build it with `cargo build --release` at the root")
    return path

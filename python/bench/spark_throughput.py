"""Throughput of reprint.spark.find_copies in local mode against `reprint scan` on one machine.

    python bench/spark_throughput.py --cli PATH [--master local[2]] [--partitions N] FILE.jsonl

Run it from outside python/: Spark's workers start in the current directory, and from python/
they would import the source folder `reprint/`, which has no compiled module.

Runs the CLI (``reprint scan FILE --format jsonl``) and the Spark job on the same JSONL of
``{"id", "text"}`` (ids in input order, so both orient pairs alike), times both (Spark: from the
DataFrame read to the last pair collected; JVM start-up reported apart), checks that both
report the same pairs and scores, and lists the bytes and records each Spark stage wrote to
shuffle (per document too) and their sum. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time


def shuffle_stages(spark):
    """Each stage of this application that wrote shuffle data: id, name, bytes and records
    written, from the UI's REST API."""
    from urllib.request import urlopen

    base = spark.sparkContext.uiWebUrl + "/api/v1/applications/"
    app = spark.sparkContext.applicationId
    with urlopen(base + app + "/stages") as r:
        stages = json.load(r)
    return sorted(
        (
            {
                "stage": s["stageId"],
                "name": s.get("name", ""),
                "write_bytes": s.get("shuffleWriteBytes", 0),
                "write_records": s.get("shuffleWriteRecords", 0),
                "executor_run_s": s.get("executorRunTime", 0) / 1000,
            }
            for s in stages
            if s.get("shuffleWriteBytes", 0) and s.get("status") == "COMPLETE"
        ),
        key=lambda s: s["stage"],
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--cli", required=True)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=8)
    args = ap.parse_args()
    out = {"file": os.path.basename(args.file), "master": args.master}

    t = time.perf_counter()
    r = subprocess.run(
        [args.cli, "scan", args.file, "--format", "jsonl", "--quiet"],
        capture_output=True, check=True, text=True,
    )
    out["cli_s"] = time.perf_counter() - t
    cli = {}
    for line in r.stdout.splitlines():
        p = json.loads(line)
        cli[(p["a"], p["b"])] = (p["resemblance"], p["containment_a_in_b"], p["containment_b_in_a"])

    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    from reprint import spark as rs

    t = time.perf_counter()
    spark = (
        SparkSession.builder.master(args.master)
        .config("spark.sql.shuffle.partitions", str(args.partitions))
        # The UI's REST API reports the bytes each stage shuffled.
        .config("spark.ui.enabled", "true")
        .config("spark.ui.port", "4077")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    out["spark_start_s"] = time.perf_counter() - t

    t = time.perf_counter()
    df = spark.read.schema("id string, text string").json(args.file)
    docs = df.count()
    pairs = rs.find_copies(df.repartition(args.partitions), "id", "text")
    rows = pairs.collect()
    out["spark_s"] = time.perf_counter() - t
    got = {
        (r.id_a, r.id_b): (r.resemblance, r.containment_a_in_b, r.containment_b_in_a) for r in rows
    }
    out["docs"] = docs
    out["pairs_cli"] = len(cli)
    out["pairs_spark"] = len(got)
    out["same_pairs_and_scores"] = got == cli
    out["only_cli"] = len(set(cli) - set(got))
    out["only_spark"] = len(set(got) - set(cli))
    out["scores_differ"] = sum(1 for k in set(cli) & set(got) if cli[k] != got[k])
    # A few of each difference, to look at.
    out["sample_only_cli"] = sorted(set(cli) - set(got))[:5]
    out["sample_only_spark"] = sorted(set(got) - set(cli))[:5]
    out["sample_scores_differ"] = [
        (k, cli[k], got[k]) for k in sorted(set(cli) & set(got)) if cli[k] != got[k]
    ][:5]
    out["cli_docs_per_s"] = docs / out["cli_s"]
    out["spark_docs_per_s"] = docs / out["spark_s"]
    out["spark_over_cli"] = out["spark_s"] / out["cli_s"]
    stages = shuffle_stages(spark)
    out["shuffle_write_bytes"] = sum(s["write_bytes"] for s in stages)
    out["shuffle_bytes_per_doc"] = out["shuffle_write_bytes"] / docs
    for s in stages:
        s["bytes_per_doc"] = s["write_bytes"] / docs
        s["records_per_doc"] = s["write_records"] / docs
    out["shuffle_stages"] = stages
    spark.stop()
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

"""Find every copy in a Spark DataFrame of texts: ``reprint scan``, distributed.

The job is plain DataFrame operations; the driver only plans it. Rust does the text work, called
once per Arrow batch inside the workers:

1. **Keys.** ``mapInArrow`` runs :func:`reprint.candidate_keys` on each batch of ``(id, text)``
   and emits ``(id, key)``: one row per key of the document, its sampled term-pair
   shingles and its verbatim-run fingerprints (so partial copies and pasted sentences become
   candidates, not only near-duplicates).
2. **Buckets.** Group by key: ``n``, the number of documents holding it, gives the key's weight
   (:func:`reprint.key_weight`) and each document's total weight. A key held by one document or
   by more than ``max_bucket`` (a fingerprint: ``MAX_RUN_BUCKET``) pairs nothing: scan skips such
   buckets as boilerplate.
3. **Candidates.** The ids of each kept bucket are paired; each pair sums the weights of the
   shingle keys it shares (infinite for a shared fingerprint) and is kept when the sum reaches
   ``MIN_SHARED_KEY_WEIGHT`` and ``MIN_KEY_SHARE`` times the smaller of the two documents' total
   weights.
4. **Verification.** Both texts are joined onto each pair and ``mapInArrow`` runs
   :func:`reprint.verify_indexed` on each batch (each distinct text analyzed once per batch);
   pairs whose best score is positive and reaches ``min_score`` are kept.
5. **Bridges.** As scan does (``src/bridge.rs``): the pairs that are whole copies are joined with
   the pairs having a firm passage on their shared document X, giving routes near–X–far; routes
   whose two ends were paired directly are dropped, at most 16 per pair are kept (those through
   the earliest X; and per X, its 256 earliest copies and 4,096 earliest links), their three
   texts are joined on and :func:`reprint.bridge_indexed` composes each; each pair keeps its best route, and is reported with ``via`` = X when it reaches
   ``min_score``, replacing a direct pair of the same two documents that had no passage.

6. **Groups.** A story copied by :data:`reprint.MIN_GROUP` sites or more is found whole: see
   ``group`` in :func:`find_copies`.

:func:`clusters` then groups the pairs by connected components with the large-star/small-star
algorithm of Kiveris et al. (2014), also as DataFrame operations.

On the same texts and options this reports exactly the pairs, scores and ``via`` of ``reprint
scan`` (tested on ``corpus/``), provided pairs are oriented in the same input order
(``order_col``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Dict, Optional

from . import (
    DEFAULT_MAX_BUCKET,
    DEFAULT_MIN_SCORE,
    FINGERPRINT_KEY_BIT,
    MAX_RUN_BUCKET,
    MIN_KEY_SHARE,
    MIN_SHARED_KEY_WEIGHT,
    RARE_KEY_DOCS,
)

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame

__all__ = ["candidate_pairs", "clusters", "dedup", "find_copies", "key_rows"]

# As in src/bridge.rs: whole copies considered per intermediary, intermediaries per pair.
_MAX_COPIES_PER_INTERMEDIARY = 256
_MAX_LINKS_PER_INTERMEDIARY = 4096
_MAX_INTERMEDIARIES = 16


def key_rows(
    df: "DataFrame", id_col: str, text_col: str, config: Optional[Dict[str, Any]] = None
) -> "DataFrame":
    """``(id, key)`` for every candidate key of every text of ``df`` (step 1).

    ``key`` is a long (the bits of reprint's unsigned key; bit ``FINGERPRINT_KEY_BIT`` marks a
    verbatim-run fingerprint). Null texts have no keys.
    """
    from pyspark.sql import functions as F

    per_doc = _doc_keys(df, id_col, text_col, config, bands=False)
    return per_doc.select("id", F.explode("keys").alias("key"))


def _doc_keys(
    df: "DataFrame",
    id_col: str,
    text_col: str,
    config: Optional[Dict[str, Any]],
    bands: bool,
) -> "DataFrame":
    """One row per document: ``(id, keys)``, and with ``bands`` its group-sketch bands
    (:func:`reprint.group_bands`) in a column ``bands``, from one analysis of each text."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    id_type = df.schema[id_col].dataType
    fields = [
        T.StructField("id", id_type, False),
        T.StructField("keys", T.ArrayType(T.LongType(), False), False),
    ]
    if bands:
        fields.append(T.StructField("bands", T.ArrayType(T.LongType(), False), False))
    schema = T.StructType(fields)

    def keys(batches):  # runs in the workers
        import numpy as np
        import pyarrow as pa

        import reprint

        for batch in batches:
            ck = reprint.candidate_keys(batch.column(1), config=config)
            # One row per document with its keys as a list: the id crosses to the JVM once.
            offsets = pa.array(ck.offsets.astype(np.int32))
            cols = [batch.column(0), pa.ListArray.from_arrays(offsets, pa.array(ck.keys))]
            if bands:
                b = reprint.group_bands(ck)
                cols.append(
                    pa.ListArray.from_arrays(pa.array(b.offsets.astype(np.int32)), pa.array(b.keys))
                )
            yield pa.RecordBatch.from_arrays(cols, names=[f.name for f in fields])

    return df.select(id_col, text_col).where(F.col(id_col).isNotNull()).mapInArrow(keys, schema)


def candidate_pairs(
    keys: "DataFrame", max_bucket: int = DEFAULT_MAX_BUCKET, documents: Optional[int] = None
) -> "DataFrame":
    """Distinct ``(id_a, id_b)``, ``id_a < id_b``, that ``reprint scan`` would verify (steps 2
    and 3), from :func:`key_rows`' output: pairs sharing a fingerprint key, or shingle keys
    whose weights sum to ``MIN_SHARED_KEY_WEIGHT`` and to ``MIN_KEY_SHARE`` of the smaller
    document's total weight, counting
    only keys held by at most ``max_bucket`` documents (fingerprints: at most
    ``MAX_RUN_BUCKET``). ``documents`` is the number of documents scanned, which key weights
    depend on (scan counts every document, keys or none); without it, the documents holding a
    key are counted, which computes ``keys`` a second time unless it is cached."""
    from pyspark.sql import functions as F

    if max_bucket < 2:
        raise ValueError(f"max_bucket must be at least 2, got {max_bucket}")
    total = documents if documents is not None else keys.select("id").distinct().count()
    big_n = float(total) + 1.0
    fingerprint = F.col("key").bitwiseAND(F.lit(FINGERPRINT_KEY_BIT)) != 0
    # One shuffle of the key rows; kept buckets are small (at most max_bucket documents), so
    # their pairs are generated in place rather than by a self-join.
    buckets = keys.groupBy("key").agg(F.collect_list("id").alias("ids")).select(
        "key", "ids", F.size("ids").alias("n")
    )
    weight = F.when(F.col("n") <= RARE_KEY_DOCS, F.lit(1.0)).otherwise(
        F.log(1.0 + F.lit(big_n) / F.col("n")) / F.lit(math.log(1.0 + big_n / RARE_KEY_DOCS))
    )
    buckets = buckets.withColumn(
        "w", F.when(fingerprint, F.lit(float("inf"))).otherwise(weight)
    ).cache()
    # Each document's total weight: all its shingle keys, kept or not.
    totals = (
        buckets.where(~fingerprint)
        .select(F.explode("ids").alias("id"), "w")
        .groupBy("id")
        .agg(F.sum("w").alias("total"))
    )
    run_cap = min(max_bucket, MAX_RUN_BUCKET)
    cap = F.when(fingerprint, F.lit(run_cap)).otherwise(F.lit(max_bucket))
    shared = (
        buckets.where((F.col("n") >= 2) & (F.col("n") <= cap))
        .select(F.explode("ids").alias("id_a"), "ids", "w")
        .select("id_a", F.explode("ids").alias("id_b"), "w")
        .where(F.col("id_a") < F.col("id_b"))
        .groupBy("id_a", "id_b")
        .agg(F.sum("w").alias("shared"))
    )
    ta = totals.select(F.col("id").alias("id_a"), F.col("total").alias("ta"))
    tb = totals.select(F.col("id").alias("id_b"), F.col("total").alias("tb"))
    return (
        shared.join(ta, "id_a", "left")
        .join(tb, "id_b", "left")
        .where(
            (F.col("shared") >= F.lit(MIN_SHARED_KEY_WEIGHT))
            & (
                F.col("shared")
                >= F.lit(MIN_KEY_SHARE)
                * F.least(F.coalesce("ta", F.lit(0.0)), F.coalesce("tb", F.lit(0.0)))
            )
        )
        .select("id_a", "id_b")
    )


def find_copies(
    df: "DataFrame",
    id_col: str,
    text_col: str,
    min_score: float = DEFAULT_MIN_SCORE,
    max_bucket: int = DEFAULT_MAX_BUCKET,
    *,
    order_col: Optional[str] = None,
    config: Optional[Dict[str, Any]] = None,
    bridge: bool = True,
    group: bool = True,
) -> "DataFrame":
    """Every pair of documents of ``df`` where one copies the other, as ``reprint scan`` finds.

    ``id_col`` must be unique (rows with a null id are ignored). Returns a DataFrame of
    ``id_a``, ``id_b``, ``resemblance``, ``containment_a_in_b``, ``containment_b_in_a`` (rounded
    to 4 decimals as the CLI prints them), ``passages`` (number of shared passages) and ``via``
    (the id of the document a pair was found through, null for a pair found directly), one row
    per pair whose best score is positive and reaches ``min_score``. ``bridge=False`` is ``scan
    --no-bridge``: no pair is found through a third document. ``a`` is the document that
    comes first by ``order_col`` (scan's input order, which decides which side is A), or by id
    without it. Keys held by more than ``max_bucket`` documents are skipped, as in scan.
    ``config`` is a dict of detector overrides (see :func:`reprint.default_config`).

    With ``group`` (the default, as in scan), a story copied by :data:`reprint.MIN_GROUP` sites
    or more is found whole (step 6): documents whose sketches agree on a band are joined into
    components (:func:`reprint.group_bands`, then :func:`clusters`); in the key rows, a
    component holds each key once, so its story's keys stay under ``max_bucket``; and each
    component, with the documents paired with one of its members, is scanned on one worker
    (:func:`reprint.scan_indexed`), which groups its near-duplicates under a representative and
    derives their pairs (``via`` the representative) as scan does. Its pairs replace those of
    the pipeline for the component's documents. ``group=False`` is scan with
    ``ScanOptions::group`` off.

    Without ``group``, nothing runs until the result is used; with it, the components and the
    pairs before step 6 are computed when this is called. Cache the result if it is used twice
    (e.g. with :func:`clusters`).
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
    from pyspark.sql.window import Window

    if not 0.0 <= min_score <= 1.0:
        raise ValueError(f"min_score must be in [0, 1], got {min_score}")
    cols = [id_col, text_col] + ([order_col] if order_col else [])
    docs = df.select(*cols).where(F.col(id_col).isNotNull())
    per_doc = _doc_keys(docs, id_col, text_col, config, bands=group)
    keys = per_doc.select("id", F.explode("keys").alias("key"))
    components = None
    if group:
        per_doc = per_doc.persist()
        # Materialized here (the components' rounds run jobs already): the pairs' plan then
        # starts from these rows, not from the rounds that found them. Each use reads them as
        # a new frame: a checkpointed frame joined with itself confuses Spark's analyzer.
        found_components = _components(per_doc).localCheckpoint()

        def components():
            # Aliases give the columns new identities in each use.
            return found_components.select(F.col("id").alias("id"), F.col("comp").alias("comp"))

        keys = _one_holder_per_component(keys, components)
    # Counting the input is a read of the ids; counting the key rows would analyze every text a
    # second time. It is also scan's N: a document without keys still counts.
    pairs = candidate_pairs(keys, max_bucket, docs.count())

    if order_col:
        order = docs.select(F.col(id_col).alias("id"), F.col(order_col).alias("o"))
        pairs = (
            pairs.join(order.withColumnRenamed("id", "id_a").withColumnRenamed("o", "oa"), "id_a")
            .join(order.withColumnRenamed("id", "id_b").withColumnRenamed("o", "ob"), "id_b")
            .select(
                F.when(F.col("oa") <= F.col("ob"), F.col("id_a")).otherwise(F.col("id_b")).alias("x"),
                F.when(F.col("oa") <= F.col("ob"), F.col("id_b")).otherwise(F.col("id_a")).alias("y"),
            )
            .select(F.col("x").alias("id_a"), F.col("y").alias("id_b"))
        )

    texts = docs.select(F.col(id_col).alias("id"), F.col(text_col).alias("text"))
    joined = (
        pairs.join(texts.withColumnRenamed("id", "id_a").withColumnRenamed("text", "text_a"), "id_a")
        .join(texts.withColumnRenamed("id", "id_b").withColumnRenamed("text", "text_b"), "id_b")
        .select("id_a", "id_b", "text_a", "text_b")
    )

    id_type = df.schema[id_col].dataType
    out_schema = T.StructType(_pair_fields(id_type))
    names = [f.name for f in out_schema.fields]
    # What the bridging stage needs of a pair: its best score unrounded, whether it is a whole
    # copy, whether it has a firm passage.
    out_schema = T.StructType(
        out_schema.fields
        + [
            T.StructField("_max", T.DoubleType(), False),
            T.StructField("_copy", T.BooleanType(), False),
            T.StructField("_firm", T.BooleanType(), False),
        ]
    )

    def verify(batches):  # runs in the workers
        import pyarrow as pa

        import reprint

        for batch in batches:
            # A document recurs in a batch (the join leaves pairs sorted by id_b): analyze each
            # distinct one once.
            n = batch.num_rows
            codes, texts = _distinct_texts(
                [batch.column(0), batch.column(1)], [batch.column(2), batch.column(3)]
            )
            s = reprint.verify_indexed(texts, codes[:n], codes[n:], config=config)
            keep = pa.array((s["max_score"] >= min_score) & (s["max_score"] > 0))
            cols = [batch.column(0).filter(keep), batch.column(1).filter(keep)] + [
                pa.array(s[name]).filter(keep)
                for name in names[2:] + ["max_score", "copy", "firm"]
            ]
            yield pa.RecordBatch.from_arrays(cols, names=[f.name for f in out_schema.fields])

    verified = joined.mapInArrow(verify, out_schema)
    public = names + ["via"]
    if order_col:
        order = docs.select(F.col(id_col).alias("id"), F.col(order_col).alias("o"))
    else:
        order = docs.select(F.col(id_col).alias("id"), F.col(id_col).alias("o"))

    def finish(found: "DataFrame") -> "DataFrame":
        if components is None:
            return found
        # Read three times below: computed once, and its plan cut short here.
        found = found.localCheckpoint()
        return _with_groups(
            found, components, texts, order, id_type, min_score, max_bucket, config, bridge
        )

    if not bridge:
        return finish(verified.withColumn("via", F.lit(None).cast(id_type)).select(*public))
    # Read by every branch of the bridging stage: verify once.
    verified = verified.persist()

    def ordered(df, col):
        return df.join(order.withColumnRenamed("id", col).withColumnRenamed("o", "o_" + col), col)

    ends = verified.select(
        F.col("id_a").alias("x"), F.col("id_b").alias("other"), "_copy", "_firm"
    ).unionByName(
        verified.select(F.col("id_b").alias("x"), F.col("id_a").alias("other"), "_copy", "_firm")
    )
    def earliest(df, by, order_by, n):
        """The first `n` rows of each `by` group by `order_by`, as scan's caps take them."""
        rank = F.row_number().over(Window.partitionBy(*by).orderBy(order_by))
        return df.withColumn("_r", rank).where(F.col("_r") <= n).drop("_r")

    # Per intermediary, scan takes its earliest whole copies and links only.
    copies = ordered(ends.where("_copy").select("x", F.col("other").alias("near")), "near")
    copies = earliest(copies, ["x"], "o_near", _MAX_COPIES_PER_INTERMEDIARY)
    links = ordered(ends.where("_firm").select("x", F.col("other").alias("far")), "far")
    links = earliest(links, ["x"], "o_far", _MAX_LINKS_PER_INTERMEDIARY)
    routes = ordered(copies.join(links, "x").where(F.col("near") != F.col("far")), "x")
    first = F.col("o_near") < F.col("o_far")
    routes = routes.withColumn("id_a", F.when(first, F.col("near")).otherwise(F.col("far")))
    routes = routes.withColumn("id_b", F.when(first, F.col("far")).otherwise(F.col("near")))
    direct = verified.where(F.col("passages") > 0).select("id_a", "id_b")
    routes = routes.join(direct, ["id_a", "id_b"], "left_anti")
    routes = earliest(routes, ["id_a", "id_b"], "o_x", _MAX_INTERMEDIARIES)
    routes = routes.select(
        "id_a",
        "id_b",
        "near",
        "x",
        "far",
        "o_x",
        (F.col("o_near") < F.col("o_x")).alias("nx"),
        (F.col("o_x") < F.col("o_far")).alias("xf"),
        first.alias("nf"),
    )
    for col in ("near", "x", "far"):
        routes = routes.join(
            texts.withColumnRenamed("id", col).withColumnRenamed("text", "t_" + col), col
        )
    o_type = order.schema["o"].dataType
    route_schema = T.StructType(
        [
            T.StructField("id_a", id_type, False),
            T.StructField("id_b", id_type, False),
            T.StructField("via", id_type, False),
            T.StructField("o_x", o_type, True),
        ]
        + [f for f in out_schema.fields if f.name in names[2:] or f.name == "_max"]
    )
    route_names = [f.name for f in route_schema.fields]
    rcols = ["id_a", "id_b", "x", "o_x", "near", "far", "nx", "xf", "nf", "t_near", "t_x", "t_far"]

    def compose(batches):  # runs in the workers
        import pyarrow as pa

        import reprint

        for batch in batches:
            n = batch.num_rows
            c = {name: batch.column(i) for i, name in enumerate(rcols)}
            codes, all_texts = _distinct_texts(
                [c["near"], c["x"], c["far"]], [c["t_near"], c["t_x"], c["t_far"]]
            )
            flag = lambda k: c[k].to_numpy(zero_copy_only=False).astype(bool)  # noqa: E731
            s = reprint.bridge_indexed(
                all_texts,
                codes[:n],
                codes[n : 2 * n],
                codes[2 * n :],
                flag("nx"),
                flag("xf"),
                flag("nf"),
                config=config,
            )
            cols = [c["id_a"], c["id_b"], c["x"], c["o_x"]] + [
                pa.array(s[name] if name != "_max" else s["max_score"]) for name in route_names[4:]
            ]
            yield pa.RecordBatch.from_arrays(cols, names=route_names)

    composed = routes.select(*rcols).mapInArrow(compose, route_schema)
    best = (
        composed.withColumn(
            "_r",
            F.row_number().over(
                Window.partitionBy("id_a", "id_b").orderBy(F.col("_max").desc(), F.col("o_x"))
            ),
        )
        .where((F.col("_r") == 1) & (F.col("_max") > 0))
    )
    derived = best.where(F.col("_max") >= min_score).select(*public)
    # A derived pair replaces a direct pair of the same two documents (one without a passage).
    kept = verified.join(best.select("id_a", "id_b"), ["id_a", "id_b"], "left_anti")
    return finish(
        kept.withColumn("via", F.lit(None).cast(id_type)).select(*public).unionByName(derived)
    )


def _pair_fields(id_type: Any) -> list:
    """The columns of a pair as :func:`find_copies` reports it, ``via`` aside: the ids, the three
    scores rounded as the CLI prints them, the number of passages."""
    from pyspark.sql import types as T

    return [
        T.StructField("id_a", id_type, False),
        T.StructField("id_b", id_type, False),
        T.StructField("resemblance", T.DoubleType(), False),
        T.StructField("containment_a_in_b", T.DoubleType(), False),
        T.StructField("containment_b_in_a", T.DoubleType(), False),
        T.StructField("passages", T.IntegerType(), False),
    ]


def _components(per_doc: "DataFrame") -> "DataFrame":
    """``(id, comp)`` for the documents of components of at least :data:`reprint.MIN_GROUP`
    documents, joined by a band of their sketches in common (``comp``: the smallest id)."""
    from pyspark.sql import functions as F

    from . import MIN_GROUP

    bands = per_doc.select("id", F.explode("bands").alias("band"))
    edges = (
        bands.groupBy("band")
        .agg(F.min("id").alias("id_a"), F.collect_set("id").alias("ids"))
        .select("id_a", F.explode("ids").alias("id_b"))
        .where(F.col("id_a") != F.col("id_b"))
    )
    comp = clusters(edges, "id_a", "id_b")
    big = comp.groupBy("cluster").count().where(F.col("count") >= MIN_GROUP).select("cluster")
    return comp.join(big, "cluster").select("id", F.col("cluster").alias("comp"))


def _one_holder_per_component(keys: "DataFrame", components: Any) -> "DataFrame":
    """The key rows with each key held once per component (by its smallest holder there): a
    story copied by hundreds of sites keeps its keys under ``max_bucket``, and a page sharing
    a passage with it still meets one of its copies. ``components()`` gives the ``(id, comp)``
    rows, a new frame each call.

    Keys few of a component's documents hold go to one holder too: a page outside the component
    that shares only such a key with one of its members (the header of a site two of them are
    on) is not paired with it unless it meets the holder: 13 of the 557,452 pairs scan reports
    on a 6,410-page cluster corpus, each about 0.1. Keeping those keys with each holder, as
    scan's groups keep their members' minority keys, made the job more than five times slower
    there (unfinished after 8 minutes, against 87 s)."""
    from pyspark.sql import functions as F

    k = keys.join(components(), "id", "left")
    outside = k.where(F.col("comp").isNull()).select("id", "key")
    held = k.where(F.col("comp").isNotNull()).groupBy("comp", "key").agg(F.min("id").alias("id"))
    return outside.unionByName(held.select("id", "key"))


def _with_groups(
    found: "DataFrame",
    components: Any,
    texts: "DataFrame",
    order: "DataFrame",
    id_type: Any,
    min_score: float,
    max_bucket: int,
    config: Optional[Dict[str, Any]],
    bridge: bool,
) -> "DataFrame":
    """``found`` with the pairs of each component's documents replaced by those of a scan of
    the component and of the documents ``found`` pairs with it (step 6). A pair is taken from
    one scan only: the component of its first document, or of its second when the first is in
    none. ``components()`` gives the ``(id, comp)`` rows, a new frame each call."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    ends = found.select(F.col("id_a").alias("x"), F.col("id_b").alias("y")).unionByName(
        found.select(F.col("id_b").alias("x"), F.col("id_a").alias("y"))
    )
    def own():
        return components().select("id", F.col("comp").alias("own"))

    # Documents paired with a member of a component, outside it: scanned with it.
    attached = (
        ends.join(components().withColumnRenamed("id", "y"), "y")
        .select(F.col("x").alias("id"), "comp")
        .join(own(), "id", "left")
        .where(F.col("own").isNull() | (F.col("own") != F.col("comp")))
        .select("id", "comp")
    )
    cast = (
        components()
        .unionByName(attached)
        .distinct()
        .join(own(), "id", "left")
        .join(texts, "id")
        .join(order, "id")
        .select(
            "comp",
            "id",
            "o",
            "text",
            (F.col("own") == F.col("comp")).alias("member"),
            (F.col("own").isNotNull() & (F.col("own") != F.col("comp"))).alias("elsewhere"),
        )
        .fillna(False, ["member"])
    )
    schema = T.StructType(_pair_fields(id_type) + [T.StructField("via", id_type, True)])

    def scan_component(pdf):  # runs in the workers, one component at a time
        import numpy as np
        import pandas as pd

        import reprint

        pdf = pdf.sort_values(["o", "id"], kind="stable").reset_index(drop=True)
        s = reprint.scan_indexed(
            list(pdf["text"]), min_score=min_score, max_bucket=max_bucket, config=config, bridge=bridge
        )
        a, b, via = s["a"], s["b"], s["via"]
        member = pdf["member"].to_numpy(dtype=bool)
        elsewhere = pdf["elsewhere"].to_numpy(dtype=bool)
        keep = member[a] | (~member[a] & ~elsewhere[a] & member[b])
        ids = pdf["id"].to_numpy(dtype=object)
        return pd.DataFrame(
            {
                "id_a": ids[a[keep]],
                "id_b": ids[b[keep]],
                "resemblance": s["resemblance"][keep],
                "containment_a_in_b": s["containment_a_in_b"][keep],
                "containment_b_in_a": s["containment_b_in_a"][keep],
                "passages": s["passages"][keep].astype(np.int32),
                "via": [ids[v] if v >= 0 else None for v in via[keep]],
            }
        )

    scanned = cast.groupBy("comp").applyInPandas(scan_component, schema)
    kept = found.join(
        components().select(F.col("id").alias("id_a")), "id_a", "left_anti"
    ).join(components().select(F.col("id").alias("id_b")), "id_b", "left_anti")
    return kept.select(*[f.name for f in schema.fields]).unionByName(scanned)


def _distinct_texts(id_columns, text_columns):
    """Codes of the ids of a batch's columns (equal ids, equal codes; ids of all the columns
    concatenated) and the text of each code once: Rust then analyzes each distinct text once."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    codes = pc.dictionary_encode(pa.concat_arrays(id_columns)).indices.to_numpy(
        zero_copy_only=False
    )
    first = np.unique(codes, return_index=True)[1]
    return codes, pa.concat_arrays(text_columns).take(pa.array(first))


def clusters(
    pairs: "DataFrame",
    a_col: str = "id_a",
    b_col: str = "id_b",
    *,
    max_rounds: int = 64,
    checkpoint: bool = True,
) -> "DataFrame":
    """Connected components of the graph whose edges are the rows of ``pairs``.

    Returns ``(id, cluster)`` for every document in at least one pair, ``cluster`` being the
    smallest id of its component. Uses large-star/small-star rounds (Kiveris et al., "Connected
    Components in MapReduce and Beyond", SoCC 2014) until every component is a star around its
    smallest node; each round is a few joins and group-bys, and the number of rounds grows as
    ``O(log² n)`` at worst. Each round's edges are checkpointed (``localCheckpoint``) so that
    the query plan does not grow with the rounds; on a cluster where executors may be lost, set a
    checkpoint directory and pass ``checkpoint=False`` to handle it yourself.
    """
    from pyspark.sql import functions as F

    a, b = F.col(a_col), F.col(b_col)
    # Edges are kept oriented (src > dst): a node's outgoing edge points towards smaller ids.
    edges = (
        pairs.where(a.isNotNull() & b.isNotNull() & (a != b))
        .select(F.greatest(a, b).alias("src"), F.least(a, b).alias("dst"))
        .distinct()
    )
    for _ in range(max_rounds):
        edges = _small_star(_large_star(edges))
        if checkpoint:
            edges = edges.localCheckpoint()
        if _is_star_forest(edges):
            break
    else:
        raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
    roots = edges.select(F.col("dst").alias("id")).distinct()
    return edges.select(F.col("src").alias("id"), F.col("dst").alias("cluster")).unionByName(
        roots.select("id", F.col("id").alias("cluster"))
    )


# `dedup` takes a `clusters` option, as reprint.dedup does; the function goes by this name there.
_connected_components = clusters


def dedup(
    df: "DataFrame",
    id_col: str,
    text_col: str,
    order_col: str,
    *,
    threshold: float = 0.8,
    ngram: int = 5,
    permutations: int = 128,
    keep: str = "longest",
    clusters: str = "representative",
    date_col: Optional[str] = None,
    seed: Optional[int] = None,
) -> "DataFrame":
    """``reprint dedup`` distributed: ``(id, cluster, keep, similarity)`` for every document of
    ``df``, ``cluster`` the id of the document kept for its cluster (its own id when kept),
    ``similarity`` its exact word n-gram Jaccard with it (1.0 when kept).

    1. ``mapInArrow`` runs :func:`reprint.dedup_band_keys` on each batch: the LSH band keys
       each document is a candidate by;
    2. the documents of each key are linked to the key's smallest id, and the connected
       components of these links (:func:`clusters`) are the groups of documents that may
       interact: a document's candidates all lie in its group;
    3. ``applyInPandas`` runs :func:`reprint.dedup` on each group, its documents in the order
       of ``order_col`` (the input order of ``reprint dedup``: ties of ``keep`` go to it).

    So the clusters are those of ``reprint dedup`` on the same texts in ``order_col`` order. A
    group is deduplicated in one task: a story copied a million times is a million texts in one
    worker. ``containment`` is not offered here (its candidates are not band keys).
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    id_type = df.schema[id_col].dataType
    docs = df.select(
        F.col(id_col).alias("id"),
        F.col(text_col).alias("text"),
        F.col(order_col).alias("order"),
        (F.col(date_col) if date_col else F.lit(None).cast("string")).alias("date"),
    ).where(F.col("id").isNotNull())

    key_schema = T.StructType(
        [
            T.StructField("id", id_type, False),
            T.StructField("keys", T.ArrayType(T.LongType(), False), False),
        ]
    )

    def band_keys(batches):  # runs in the workers
        import pyarrow as pa

        import reprint

        for batch in batches:
            keys, has = reprint.dedup_band_keys(
                batch.column(1), threshold, ngram=ngram, permutations=permutations, seed=seed
            )
            n, bands = keys.shape
            # A column per band in the key: equal values in different bands never meet.
            flat = pa.array(keys.reshape(-1))
            offsets = pa.array([i * bands for i in range(n + 1)], type=pa.int32())
            lists = pa.ListArray.from_arrays(offsets, flat)
            yield pa.RecordBatch.from_arrays(
                [batch.column(0).filter(pa.array(has)), lists.filter(pa.array(has))],
                names=["id", "keys"],
            )

    keyed = docs.select("id", "text").mapInArrow(band_keys, key_schema)
    per_key = keyed.select("id", F.posexplode("keys").alias("band", "key"))
    least = per_key.groupBy("band", "key").agg(F.min("id").alias("root"), F.count("*").alias("n"))
    links = (
        per_key.join(least.where(F.col("n") > 1), ["band", "key"])
        .where(F.col("id") != F.col("root"))
        .select(F.col("id").alias("id_a"), F.col("root").alias("id_b"))
    )
    groups = _connected_components(links).select("id", F.col("cluster").alias("group"))

    out_schema = T.StructType(
        [
            T.StructField("id", id_type, False),
            T.StructField("cluster", id_type, False),
            T.StructField("keep", T.BooleanType(), False),
            T.StructField("similarity", T.DoubleType(), False),
        ]
    )

    def dedup_group(pdf):  # runs in the workers, one group at a time
        import numpy as np
        import pandas as pd

        import reprint

        pdf = pdf.sort_values("order", kind="stable").reset_index(drop=True)
        dates = None if date_col is None else [None if pd.isna(d) else d for d in pdf["date"]]
        kept_as, sims = reprint.dedup(
            list(pdf["text"].fillna("")), threshold, ngram=ngram, permutations=permutations,
            keep=keep, clusters=clusters_policy, dates=dates, seed=seed, return_similarity=True,
        )
        ids = pdf["id"]
        return pd.DataFrame(
            {
                "id": ids,
                "cluster": ids.iloc[kept_as].reset_index(drop=True),
                "keep": kept_as == np.arange(len(ids)),
                "similarity": sims,
            }
        )

    clusters_policy = clusters
    grouped = (
        docs.join(groups, "id")
        .groupBy("group")
        .applyInPandas(dedup_group, out_schema)
    )
    alone = docs.join(groups, "id", "left_anti").select(
        "id", F.col("id").alias("cluster"), F.lit(True).alias("keep"), F.lit(1.0).alias("similarity")
    )
    return grouped.unionByName(alone)


def _large_star(edges: "DataFrame") -> "DataFrame":
    """Links every larger neighbour of ``u`` to the smallest node of ``u``'s neighbourhood."""
    from pyspark.sql import functions as F

    both = edges.select(F.col("src").alias("u"), F.col("dst").alias("v")).unionByName(
        edges.select(F.col("dst").alias("u"), F.col("src").alias("v"))
    )
    least = both.groupBy("u").agg(F.min("v").alias("m"))
    least = least.select("u", F.least(F.col("u"), F.col("m")).alias("m"))
    return (
        both.where(F.col("v") > F.col("u"))
        .join(least, "u")
        .select(F.col("v").alias("src"), F.col("m").alias("dst"))
        .distinct()
    )


def _small_star(edges: "DataFrame") -> "DataFrame":
    """Links ``u`` and every smaller neighbour of ``u`` to the smallest of them."""
    from pyspark.sql import functions as F

    least = edges.groupBy("src").agg(F.min("dst").alias("m"))
    moved = (
        edges.join(least, "src")
        .where(F.col("dst") != F.col("m"))
        .select(F.col("dst").alias("src"), F.col("m").alias("dst"))
    )
    return moved.unionByName(least.select("src", F.col("m").alias("dst"))).distinct()


def _is_star_forest(edges: "DataFrame") -> bool:
    """Every node has at most one outgoing edge and no edge ends at a node that has one: each
    component is then a star around its smallest node (edges point to smaller ids)."""
    from pyspark.sql import functions as F

    if edges.groupBy("src").count().where(F.col("count") > 1).limit(1).count():
        return False
    chained = edges.select(F.col("dst").alias("n")).join(
        edges.select(F.col("src").alias("n")), "n", "left_semi"
    )
    return chained.limit(1).count() == 0

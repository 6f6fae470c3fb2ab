"""reprint: does article B copy article A, how much, and which passages?

Python bindings of the reprint Rust crate. Every call that does real work runs in Rust with the
GIL released, on all cores (rayon), and gives the same result whatever the number of threads.

- :func:`compare`, :func:`compare_many`: the records ``reprint compare --json`` / ``reprint scan``
  print, as dicts.
- :func:`signatures`: MinHash signatures of word n-grams as a NumPy ``uint32`` matrix.
- :func:`candidate_keys`, :func:`verify`: the two halves of ``reprint scan``, for engines that
  shuffle by key (see :mod:`reprint.spark`).
- :class:`Index`: the crawler's index (check each new page against everything seen so far).
- :class:`CrossLingual`, :func:`detect_language`: copies across languages, for ``compare`` and
  ``scan``.

Texts may be given as a list (or any sequence) of ``str``, or as a pyarrow string array, which is
handed over as one buffer instead of one Python object per text.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Union

import numpy as np

from . import _reprint
from ._reprint import (
    CrossLingual,
    detect_language,
    DEFAULT_K,
    DEFAULT_MAX_BUCKET,
    DEFAULT_MIN_SCORE,
    DEFAULT_SEED,
    EMPTY,
    FINGERPRINT_KEY_BIT,
    MAX_RUN_BUCKET,
    MIN_KEY_SHARE,
    MIN_GROUP,
    MIN_SHARED_KEY_WEIGHT,
    RARE_KEY_DOCS,
)

__all__ = [
    "CandidateKeys",
    "CrossLingual",
    "detect_language",
    "DEFAULT_K",
    "DEFAULT_MAX_BUCKET",
    "DEFAULT_MIN_SCORE",
    "DEFAULT_SEED",
    "EMPTY",
    "FINGERPRINT_KEY_BIT",
    "Index",
    "MAX_RUN_BUCKET",
    "MIN_GROUP",
    "MIN_KEY_SHARE",
    "MIN_SHARED_KEY_WEIGHT",
    "RARE_KEY_DOCS",
    "candidate_keys",
    "compare",
    "compare_many",
    "dedup",
    "dedup_band_keys",
    "default_config",
    "key_weight",
    "scan",
    "signatures",
    "verify",
    "verify_indexed",
    "bridge_indexed",
    "group_bands",
    "scan_indexed",
]


def __getattr__(name: str) -> Any:
    # `reprint.spark` without an explicit import, and without importing pyspark for users who
    # never touch it.
    if name == "spark":
        import importlib

        return importlib.import_module(".spark", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _texts(texts: Any) -> Any:
    """What the compiled module accepts: the sequence itself, or a pyarrow string array packed
    as ``(data bytes, int64 offsets)``."""
    module = type(texts).__module__ or ""
    if not module.startswith("pyarrow"):
        return texts
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
        raise TypeError(f"expected a pyarrow string array, got type {texts.type}")
    if texts.null_count:
        # A missing text is an empty one: no keys, no signature, scores 0.
        texts = pc.fill_null(texts, "")
    n = len(texts)
    bufs = texts.buffers()
    width = np.int32 if pa.types.is_string(texts.type) else np.int64
    if n == 0 or bufs[1] is None:
        return (b"", np.zeros(1, dtype=np.int64))
    offsets = np.frombuffer(bufs[1], dtype=width)[texts.offset : texts.offset + n + 1]
    offsets = offsets.astype(np.int64)
    start, end = int(offsets[0]), int(offsets[-1])
    data = bufs[2][start:end].to_pybytes() if bufs[2] is not None else b""
    return (data, offsets - start)


def _config(config: Optional[Dict[str, Any]]) -> Optional[str]:
    if config is None:
        return None
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict, got {type(config).__name__}")
    return json.dumps(config)


def default_config() -> Dict[str, Any]:
    """The detector configuration the CLI uses, as a nested dict. Any function taking
    ``config=`` accepts a dict of keys to change, nested the same way (e.g.
    ``{"shingle": 3, "align": {"min_terms": 4}}``); an unknown key is a ``ValueError``."""
    return json.loads(_reprint.default_config())


def compare(
    a: str,
    b: str,
    passages: bool = True,
    *,
    a_id: str = "a",
    b_id: str = "b",
    config: Optional[Dict[str, Any]] = None,
    cross_lingual: Optional[CrossLingual] = None,
) -> Dict[str, Any]:
    """Compares two texts: how much of ``a`` is in ``b``, of ``b`` in ``a``, and which passages.

    With ``cross_lingual`` (a :class:`CrossLingual`, holding the lexicons to use), two texts whose
    detected languages differ are compared sentence by sentence across their languages, as
    ``reprint compare --cross-lingual`` does (docs/cross-lingual.md); texts of one language as
    without it.

    Returns the record ``reprint compare --json`` prints (the library's ``PairReport``): ``a``,
    ``b`` (the ids), ``resemblance``, ``containment_a_in_b``, ``containment_b_in_a`` (scores
    rounded to 4 decimals) and, with ``passages``, a list of ``{a_start, a_end, b_start, b_end,
    a_text, b_text}`` with byte offsets into the UTF-8 encoding of each text. Fields added to the
    report in the library appear here too.
    """
    return json.loads(
        _reprint.compare(a, b, passages, a_id, b_id, _config(config), cross_lingual)
    )


def compare_many(
    a_texts: Sequence[str],
    b_texts: Sequence[str],
    passages: bool = False,
    *,
    a_ids: Optional[Sequence[str]] = None,
    b_ids: Optional[Sequence[str]] = None,
    config: Optional[Dict[str, Any]] = None,
) -> List[Dict[str, Any]]:
    """:func:`compare` for the pairs ``(a_texts[i], b_texts[i])``, in parallel; ids default to
    ``"a"`` and ``"b"``. Returns one record per pair, in order."""
    a_texts, b_texts = _texts(a_texts), _texts(b_texts)
    n = len(a_texts[1]) - 1 if isinstance(a_texts, tuple) else len(a_texts)
    a_ids = ["a"] * n if a_ids is None else [str(i) for i in a_ids]
    b_ids = ["b"] * n if b_ids is None else [str(i) for i in b_ids]
    return json.loads(
        _reprint.compare_many(a_texts, b_texts, passages, a_ids, b_ids, _config(config))
    )


def scan(
    texts: Union[Sequence[str], Any],
    ids: Optional[Sequence[str]] = None,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    max_bucket: int = DEFAULT_MAX_BUCKET,
    passages: bool = False,
    config: Optional[Dict[str, Any]] = None,
    bridge: bool = True,
    cross_lingual: Optional[CrossLingual] = None,
) -> Dict[str, Any]:
    """``reprint scan`` on texts in memory, on one machine: every pair where one copies the other.

    Returns ``{"pairs": [...], "stats": {...}}``: ``pairs`` holds the records ``reprint scan
    --format jsonl`` prints, sorted by input position, ``a`` being the earlier text; ``stats``
    the work counters (documents, candidates, buckets skipped as larger than ``max_bucket``,
    pairs verified, found through a whole copy, and reported). ``ids`` default to the texts'
    positions as strings. With ``bridge`` (the default, as in the CLI), pairs that do not align
    directly but are found through a third text, a whole copy of one of the two, are reported
    too, with ``via`` naming it; ``bridge=False`` is ``reprint scan --no-bridge``. With
    ``cross_lingual`` (a :class:`CrossLingual`), pairs of texts in different languages are found
    and measured too, as ``reprint scan --cross-lingual`` does.
    """
    texts = _texts(texts)
    n = len(texts[1]) - 1 if isinstance(texts, tuple) else len(texts)
    ids = [str(i) for i in range(n)] if ids is None else [str(i) for i in ids]
    return json.loads(
        _reprint.scan(
            texts, ids, min_score, max_bucket, passages, _config(config), bridge, cross_lingual
        )
    )


def signatures(
    texts: Union[Sequence[str], Any],
    k: int = DEFAULT_K,
    ngram: int = 5,
    seed: Optional[int] = None,
) -> np.ndarray:
    """MinHash signatures of word n-grams: a ``uint32`` array of shape ``(len(texts), k)``.

    Words are reprint's normalized words (case and accents folded, every non-alphanumeric
    character a separator); shingles are ``ngram`` consecutive words; the signature is
    one-permutation MinHash with optimal densification. Texts with the same words get the same
    row, whatever the batch or thread count; the fraction of equal positions of two rows estimates
    the Jaccard similarity of their n-gram sets. A text without words gets a row of :data:`EMPTY`.

    ``k`` must be in 1..=4096 and ``ngram`` in 1..=16 (``ValueError`` otherwise); ``seed``
    defaults to :data:`DEFAULT_SEED`.
    """
    seed = DEFAULT_SEED if seed is None else seed
    return _reprint.signatures(_texts(texts), k, ngram, seed)


def dedup(
    texts: Union[Sequence[str], Any],
    threshold: float = 0.8,
    *,
    ngram: int = 5,
    permutations: int = DEFAULT_K,
    keep: str = "longest",
    clusters: str = "representative",
    containment: bool = False,
    dates: Optional[Sequence[Optional[str]]] = None,
    seed: Optional[int] = None,
    return_similarity: bool = False,
) -> Union[np.ndarray, "tuple[np.ndarray, np.ndarray]"]:
    """Near-duplicate clusters, as ``reprint dedup`` makes them: an ``int64`` array whose entry
    ``i`` is the index of the text kept for text ``i``'s cluster (``i`` itself when text ``i`` is
    kept, singletons included), so ``keep = clusters == np.arange(len(texts))``.

    Two texts are near-duplicates when the Jaccard similarity of their sets of word ``ngram``-grams
    reaches ``threshold``; candidates come from MinHash LSH (``permutations`` values, bands chosen
    for recall >= 0.99 at the threshold) and each is verified exactly, so no pair below the
    threshold is ever merged. Unlike connected components (``clusters="components"``, what
    datasketch-based pipelines usually build), every member is a near-duplicate of its cluster's
    kept text: chains A~B~C with A and C apart do not merge. ``keep`` chooses the kept text:
    ``"longest"`` (most distinct n-grams), ``"earliest"`` (by ``dates``, ISO 8601 strings; undated
    last) or ``"first"`` (input order). ``containment=True`` also drops a text contained at least
    ``threshold`` in a kept one. With ``return_similarity=True``, also returns each text's exact
    Jaccard (or containment) with its kept text, as a ``float64`` array (1.0 for kept ones).
    Bad parameters raise ``ValueError``.
    """
    seed = DEFAULT_SEED if seed is None else seed
    cluster, similarity = _reprint.dedup(
        _texts(texts), threshold, ngram, permutations, seed, keep, clusters, containment,
        None if dates is None else list(dates),
    )
    return (cluster, similarity) if return_similarity else cluster


def dedup_band_keys(
    texts: Union[Sequence[str], Any],
    threshold: float = 0.8,
    *,
    ngram: int = 5,
    permutations: int = DEFAULT_K,
    seed: Optional[int] = None,
) -> "tuple[np.ndarray, np.ndarray]":
    """The LSH band keys :func:`dedup` finds candidates with: ``(keys, has_keys)``, an ``int64``
    array of shape ``(len(texts), bands)`` and a ``bool`` array; two texts are candidates when
    they have a key in common (in the same column). A text without words has no keys. Running
    :func:`dedup` on each connected group of candidates gives the clusters of one run on all the
    texts (the Spark job does that).
    """
    seed = DEFAULT_SEED if seed is None else seed
    return _reprint.dedup_band_keys(_texts(texts), threshold, ngram, permutations, seed)


class CandidateKeys(NamedTuple):
    """Candidate keys of a batch of texts, flat: text ``i`` has ``keys[offsets[i]:offsets[i+1]]``.

    ``keys`` are int64 (the bits of reprint's keys: Spark and Arrow have no unsigned type); a key
    with bit :data:`FINGERPRINT_KEY_BIT` set is a verbatim-run fingerprint, any other a sampled
    term-pair shingle. A text holds each of its keys once.
    """

    offsets: np.ndarray
    keys: np.ndarray

    def of(self, i: int) -> np.ndarray:
        """The keys of text ``i``."""
        return self.keys[self.offsets[i] : self.offsets[i + 1]]


def key_weight(n: int, total: int) -> float:
    """The weight of a shingle key that ``n`` of ``total`` texts hold, as ``reprint scan``
    counts it: 1 up to :data:`RARE_KEY_DOCS` texts, then ``ln(1 + (total+1)/n)`` normalized to 1
    at :data:`RARE_KEY_DOCS`."""
    import math

    if n <= RARE_KEY_DOCS:
        return 1.0
    big_n = total + 1.0
    return math.log(1.0 + big_n / n) / math.log(1.0 + big_n / RARE_KEY_DOCS)


def candidate_keys(
    texts: Union[Sequence[str], Any], *, config: Optional[Dict[str, Any]] = None
) -> CandidateKeys:
    """The keys under which ``reprint scan`` files each text: its term-pair shingles whose hash
    falls in a fixed sample of the range (so a passage two texts share gives both the same keys,
    and partial copies are candidates too), and the fingerprints of its verbatim runs.

    Of ``N`` texts, counting only keys that at most ``max_bucket`` texts hold, two texts are
    scan candidates exactly when they share a fingerprint key that at most
    :data:`MAX_RUN_BUCKET` texts hold, or when the
    :func:`key_weight` of the shingle keys they share sums to at least
    :data:`MIN_SHARED_KEY_WEIGHT` and at least :data:`MIN_KEY_SHARE` times the smaller of their
    total weights (a text's total weight: the weights of all its
    shingle keys, including those held by one text or by more than ``max_bucket``). Verify each
    candidate pair with :func:`verify`; scan reports those whose best score is positive and
    reaches ``min_score``.
    """
    offsets, keys = _reprint.candidate_keys(_texts(texts), _config(config))
    return CandidateKeys(offsets, keys)


def verify(
    a_texts: Union[Sequence[str], Any],
    b_texts: Union[Sequence[str], Any],
    *,
    config: Optional[Dict[str, Any]] = None,
) -> Dict[str, np.ndarray]:
    """Scores of the pairs ``(a_texts[i], b_texts[i])``, in parallel, as NumPy columns.

    Returns ``resemblance``, ``containment_a_in_b``, ``containment_b_in_a`` (float64, rounded to
    4 decimals exactly as the CLI prints them), ``max_score`` (float64, the largest of the three
    before rounding: what scan compares with ``min_score``), ``passages`` (int32, the number of
    shared passages), and two booleans for scan's bridging stage: ``copy`` (the verdict is
    ``copy``) and ``firm`` (a passage stands on its own evidence).
    """
    return _reprint.verify(_texts(a_texts), _texts(b_texts), _config(config))


class Index:
    """The crawler's index: check every new page against everything seen so far.

    ``Index()`` is in memory; ``Index(path)`` opens (or creates) a persistent index in the
    directory ``path``, replaying its logs. Options are those of the Rust ``IndexOptions``:
    ``sample_rate``, ``min_score``, ``max_candidates``, ``min_key_share``, ``common_key_share``,
    ``max_postings_per_key``, ``max_postings_per_query``, ``group_from``, ``max_docs``,
    ``max_age``, and ``config`` (the detector, a dict of overrides); one left as ``None`` takes
    the library's default. Every method releases the GIL; many threads may use one index.

    With ``cross_lingual`` (a :class:`CrossLingual`), queries also find indexed documents in
    another language that the page translates or that translate it, scored as :func:`compare`
    with ``cross_lingual`` scores the two texts (resemblance 0). The lexicons are not stored: a
    persistent index rebuilds its cross-lingual lists from its texts when opened with them.

    Matches are dicts: ``id``, ``time``, ``data``, ``resemblance``, ``containment_query_in_doc``,
    ``containment_doc_in_query``, ``passages`` (``query_start``, ``query_end``, ``doc_start``,
    ``doc_end``: byte offsets into the UTF-8 encodings of the query text and the stored text)
    and ``copies``, best first. A story copied by ``group_from`` sites or more (default 32) is
    held as one representative and its near-duplicates: a match with ``copies`` > 0 is such a
    representative, and :meth:`copies_of` lists its copies.
    """

    def __init__(
        self,
        path: Optional[str] = None,
        *,
        config: Optional[Dict[str, Any]] = None,
        sample_rate: Optional[int] = None,
        min_score: Optional[float] = None,
        max_candidates: Optional[int] = None,
        min_key_share: Optional[float] = None,
        common_key_share: Optional[float] = None,
        max_postings_per_key: Optional[int] = None,
        max_postings_per_query: Optional[int] = None,
        group_from: Optional[int] = None,
        max_docs: Optional[int] = None,
        max_age: Optional[int] = None,
        cross_lingual: Optional[CrossLingual] = None,
    ) -> None:
        self._inner = _reprint._Index(
            None if path is None else str(path),
            _config(config),
            sample_rate,
            min_score,
            max_candidates,
            min_key_share,
            common_key_share,
            max_postings_per_key,
            max_postings_per_query,
            group_from,
            max_docs,
            max_age,
            cross_lingual,
        )

    def insert(
        self, id: str, text: str, time: Optional[int] = None, data: Optional[str] = None
    ) -> bool:
        """Adds a document (``time`` in Unix seconds, default now; ``data`` returned with
        matches), replacing one with the same id. Returns whether one was replaced."""
        return self._inner.insert(id, text, time, data)

    def query(self, text: str) -> List[Dict[str, Any]]:
        """The indexed documents that ``text`` copies from or that copy from it, best first."""
        return self._inner.query(text)

    def check_and_insert(
        self, id: str, text: str, time: Optional[int] = None, data: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        """:meth:`query` then :meth:`insert`, analyzing the text once: a crawler's hot path. A
        document with the same id is not reported as a match of itself."""
        return self._inner.check_and_insert(id, text, time, data)

    def copies_of(self, id: str) -> List[Dict[str, Any]]:
        """The near-duplicates filed as copies of the indexed document ``id`` when it represents
        a group (``copies`` of its matches), oldest first: dicts with ``id``, ``time``, ``data``,
        ``containment_in_representative`` and ``representative_in_copy``. Empty otherwise."""
        return self._inner.copies_of(id)

    def remove(self, id: str) -> bool:
        """Removes the document with this id. Returns whether there was one."""
        return self._inner.remove(id)

    def get(self, id: str) -> Optional[Dict[str, Any]]:
        """The stored document (``id``, ``time``, ``data``, ``text``), or None."""
        return self._inner.get(id)

    def __len__(self) -> int:
        return len(self._inner)

    def __contains__(self, id: object) -> bool:
        return isinstance(id, str) and self._inner.get(id) is not None

    def stats(self) -> Dict[str, Any]:
        """Counts and sizes for monitoring (documents, postings, bytes per document, disk)."""
        return json.loads(self._inner.stats_json())

    def save(self) -> None:
        """Makes everything so far durable (a persistent index only; ``ValueError`` otherwise)."""
        self._inner.save()

    def compact(self) -> None:
        """Rewrites the logs with only live documents, and purges removed ones from memory."""
        self._inner.compact()


def verify_indexed(
    texts: Union[Sequence[str], Any],
    a: Any,
    b: Any,
    *,
    config: Optional[Dict[str, Any]] = None,
) -> Dict[str, np.ndarray]:
    """:func:`verify` for the pairs ``(texts[a[i]], texts[b[i]])``: each text is analyzed once,
    however many pairs it is in, so a batch where documents recur costs less. ``a`` and ``b``
    are integer arrays of positions in ``texts`` (``ValueError`` if one is out of range)."""
    a = np.ascontiguousarray(a, dtype=np.int64)
    b = np.ascontiguousarray(b, dtype=np.int64)
    return _reprint.verify_indexed(_texts(texts), a, b, _config(config))


def bridge_indexed(
    texts: Union[Sequence[str], Any],
    near: Any,
    x: Any,
    far: Any,
    near_before_x: Any,
    x_before_far: Any,
    near_before_far: Any,
    *,
    config: Optional[Dict[str, Any]] = None,
) -> Dict[str, np.ndarray]:
    """Pairs found through a whole copy, as ``reprint scan`` derives them: for each route ``i``,
    ``texts[x[i]]`` is a whole copy of ``texts[near[i]]`` and shares firm passages with
    ``texts[far[i]]`` (``copy`` and ``firm`` of :func:`verify`); the three booleans give the
    documents' order (scan's input order, which decides which side of a pair is A). Returns the
    columns of :func:`verify` for the pair of near and far, oriented from the earlier of the two
    to the later. Each text is analyzed once per call. Used by :mod:`reprint.spark`."""
    ints = [np.ascontiguousarray(v, dtype=np.int64) for v in (near, x, far)]
    bools = [np.ascontiguousarray(v, dtype=np.bool_) for v in (near_before_x, x_before_far, near_before_far)]
    return _reprint.bridge_indexed(_texts(texts), *ints, *bools, _config(config))


def group_bands(keys: CandidateKeys) -> CandidateKeys:
    """The bands of each text's near-duplicate sketch, from its :func:`candidate_keys`, in the
    same flat layout (text ``i`` has ``keys[offsets[i]:offsets[i+1]]``, here band values): texts
    sharing a band value are joined into one component, as ``reprint scan`` joins them before
    it groups the components of :data:`MIN_GROUP` texts or more under a representative. Used
    by :mod:`reprint.spark`."""
    offsets = np.ascontiguousarray(keys.offsets, dtype=np.int64)
    values = np.ascontiguousarray(keys.keys, dtype=np.int64)
    return CandidateKeys(*_reprint.group_bands(offsets, values))


def scan_indexed(
    texts: Union[Sequence[str], Any],
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    max_bucket: int = DEFAULT_MAX_BUCKET,
    config: Optional[Dict[str, Any]] = None,
    bridge: bool = True,
) -> Dict[str, np.ndarray]:
    """:func:`scan` as columns: ``a``, ``b`` (positions in ``texts``, ``a < b``), ``via`` (the
    position of the text a pair was found through, -1 for a pair found directly), and the
    columns of :func:`verify` (for a pair derived through a near-duplicate group's
    representative, ``resemblance`` is 0). Used by :mod:`reprint.spark` on each group."""
    return _reprint.scan_indexed(_texts(texts), min_score, max_bucket, _config(config), bridge)

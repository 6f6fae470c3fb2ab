"""Type stubs of the compiled module. Use the documented wrappers in :mod:`reprint` instead:
they convert inputs (pyarrow arrays, config dicts) and parse the JSON these return."""

import os
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

# A sequence of str, or a packed string column: (UTF-8 data, n + 1 int64 offsets).
_Texts = Union[Sequence[str], Tuple[bytes, npt.NDArray[np.int64]]]

DEFAULT_K: int
DEFAULT_MAX_BUCKET: int
DEFAULT_MIN_SCORE: float
DEFAULT_SEED: int
EMPTY: int
MIN_KEY_SHARE: float
MIN_SHARED_KEY_WEIGHT: float
RARE_KEY_DOCS: int
MIN_GROUP: int
MAX_RUN_BUCKET: int
FINGERPRINT_KEY_BIT: int

def default_config() -> str: ...
def signatures(texts: _Texts, k: int, ngram: int, seed: int) -> npt.NDArray[np.uint32]: ...
def dedup(
    texts: _Texts,
    threshold: float,
    ngram: int,
    permutations: int,
    seed: int,
    keep: str,
    clusters: str,
    containment: bool,
    dates: Optional[Sequence[Optional[str]]] = None,
) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]: ...
def dedup_band_keys(
    texts: _Texts, threshold: float, ngram: int, permutations: int, seed: int
) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]: ...
def candidate_keys(
    texts: _Texts, config: Optional[str] = None
) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def verify(
    a_texts: _Texts, b_texts: _Texts, config: Optional[str] = None
) -> Dict[str, npt.NDArray[Any]]: ...
def verify_indexed(
    texts: _Texts,
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    config: Optional[str] = None,
) -> Dict[str, npt.NDArray[Any]]: ...
def bridge_indexed(
    texts: _Texts,
    near: npt.NDArray[np.int64],
    x: npt.NDArray[np.int64],
    far: npt.NDArray[np.int64],
    near_before_x: npt.NDArray[np.bool_],
    x_before_far: npt.NDArray[np.bool_],
    near_before_far: npt.NDArray[np.bool_],
    config: Optional[str] = None,
) -> Dict[str, npt.NDArray[Any]]: ...
def group_bands(
    offsets: npt.NDArray[np.int64], keys: npt.NDArray[np.int64]
) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def scan_indexed(
    texts: _Texts,
    min_score: float,
    max_bucket: int,
    config: Optional[str] = None,
    bridge: bool = True,
) -> Dict[str, npt.NDArray[Any]]: ...
def compare(
    a: str,
    b: str,
    passages: bool,
    a_id: str,
    b_id: str,
    config: Optional[str] = None,
    cross_lingual: Optional[CrossLingual] = None,
) -> str: ...
def compare_many(
    a_texts: _Texts,
    b_texts: _Texts,
    passages: bool,
    a_ids: List[str],
    b_ids: List[str],
    config: Optional[str] = None,
) -> str: ...
def scan(
    texts: _Texts,
    ids: List[str],
    min_score: float,
    max_bucket: int,
    passages: bool,
    config: Optional[str] = None,
    bridge: bool = True,
    cross_lingual: Optional[CrossLingual] = None,
) -> str: ...

class CrossLingual:
    """Copies across languages: the lexicons (``reprint`` lexicon files, docs/cross-lingual.md)
    loaded once, for ``compare`` and ``scan``. A file that cannot be read is an ``OSError``, a
    malformed one a ``ValueError`` naming its line."""

    def __new__(cls, lexicons: Sequence[Union[str, "os.PathLike[str]"]] = ...) -> "CrossLingual": ...

def detect_language(text: str) -> Optional[str]: ...

class _Index:
    def __new__(
        cls,
        path: Optional[str] = None,
        config: Optional[str] = None,
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
    ) -> "_Index": ...
    def insert(
        self, id: str, text: str, time: Optional[int] = None, data: Optional[str] = None
    ) -> bool: ...
    def query(self, text: str) -> List[Dict[str, Any]]: ...
    def check_and_insert(
        self, id: str, text: str, time: Optional[int] = None, data: Optional[str] = None
    ) -> List[Dict[str, Any]]: ...
    def copies_of(self, id: str) -> List[Dict[str, Any]]: ...
    def remove(self, id: str) -> bool: ...
    def get(self, id: str) -> Optional[Dict[str, Any]]: ...
    def __len__(self) -> int: ...
    def stats_json(self) -> str: ...
    def save(self) -> None: ...
    def compact(self) -> None: ...

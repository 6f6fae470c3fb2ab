"""compare, compare_many, scan, signatures, candidate_keys and verify on real texts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict

import numpy as np
import pytest

import reprint
from conftest import CORPUS, ROOT

WIRE = (
    "PARIS (AFP) - Le pont de Varenne s'est effondré mardi soir, faisant trois blessés selon la "
    "préfecture, qui a ouvert une enquête sur les causes de l'accident. Les pompiers sont restés "
    "sur place toute la nuit pour sécuriser les berges du fleuve."
)
PAGE = f"Accueil > Faits divers\n{WIRE}\nLire aussi : la météo du week-end, et nos jeux."


def test_compare_finds_the_wire_story_in_the_page_with_byte_offsets():
    r = reprint.compare(WIRE, PAGE)
    assert r["a"] == "a" and r["b"] == "b"
    assert r["containment_a_in_b"] > 0.95
    assert r["containment_b_in_a"] < 0.9
    assert 0 < r["resemblance"] < 1
    (p,) = r["passages"]
    # Offsets are bytes of the UTF-8 text, as in the CLI's JSON.
    assert PAGE.encode()[p["b_start"] : p["b_end"]].decode() == p["b_text"]
    assert WIRE.encode()[p["a_start"] : p["a_end"]].decode() == p["a_text"]
    assert "passages" not in reprint.compare(WIRE, PAGE, passages=False)


def test_compare_is_the_cli_json(cli):
    a = CORPUS / "wire" / "en-airline-merger.txt"
    b = CORPUS / "copies" / "partial-en-airline-merger.txt"
    out = subprocess.run(
        [str(cli), "compare", str(a), str(b), "--json"], capture_output=True, check=True
    )
    expected = json.loads(out.stdout)
    got = reprint.compare(
        a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8"), a_id=str(a), b_id=str(b)
    )
    assert got == expected
    assert expected["containment_a_in_b"] > 0.5 and expected["passages"]


def test_scan_is_the_cli_jsonl(corpus, cli):
    out = subprocess.run(
        [str(cli), "scan", str(CORPUS), "--format", "jsonl", "--quiet"],
        capture_output=True,
        check=True,
    )
    expected = [json.loads(line) for line in out.stdout.decode().splitlines() if line.strip()]
    got = reprint.scan([t for _, t in corpus], [i for i, _ in corpus])
    assert len(expected) > 50
    assert got["pairs"] == expected
    assert got["stats"]["reported"] == len(expected)


def test_compare_many_equals_compare_pair_by_pair(corpus):
    texts = [t for _, t in corpus[:12]]
    a, b = texts[:6], texts[6:]
    many = reprint.compare_many(a, b, passages=True, a_ids=list("abcdef"), b_ids=list("ghijkl"))
    for i, r in enumerate(many):
        one = reprint.compare(a[i], b[i], a_id="abcdef"[i], b_id="ghijkl"[i])
        assert r == one


def test_verify_scores_are_the_compare_scores(corpus):
    texts = [t for _, t in corpus]
    a, b = texts[:-1], texts[1:]
    s = reprint.verify(a, b)
    assert s["resemblance"].dtype == np.float64 and s["passages"].dtype == np.int32
    for i in range(len(a)):
        c = reprint.compare(a[i], b[i])
        assert s["resemblance"][i] == c["resemblance"]
        assert s["containment_a_in_b"][i] == c["containment_a_in_b"]
        assert s["containment_b_in_a"][i] == c["containment_b_in_a"]
        assert s["passages"][i] == len(c["passages"])
        best = max(c["resemblance"], c["containment_a_in_b"], c["containment_b_in_a"])
        assert abs(s["max_score"][i] - best) <= 0.00005
    assert (s["max_score"] >= reprint.DEFAULT_MIN_SCORE).any()
    assert (s["max_score"] < reprint.DEFAULT_MIN_SCORE).any()


def test_signatures_equal_for_equal_normalized_words():
    rows = reprint.signatures(
        ["The cat sat on the mat today.", "the CAT   sat on the mat, today!", "A dog sat on it."]
    )
    assert rows.shape == (3, reprint.DEFAULT_K) and rows.dtype == np.uint32
    assert (rows[0] == rows[1]).all()
    assert (rows[0] != rows[2]).any()


def test_signatures_estimate_jaccard_of_a_known_overlap():
    words = [f"w{i}" for i in range(400)]
    a, b = " ".join(words[:300]), " ".join(words[100:])
    rows = reprint.signatures([a, b], k=256)
    estimate = (rows[0] == rows[1]).mean()
    # Word 5-grams: 296 in each, 196 shared, so J = 196 / 396.
    assert abs(estimate - 196 / 396) < 0.1
    assert (reprint.signatures([a, b], k=256, ngram=1)[0] == rows[0]).mean() < 1


def test_signatures_do_not_depend_on_batch_seed_or_threads(corpus):
    texts = [t for _, t in corpus]
    rows = reprint.signatures(texts)
    alone = np.vstack([reprint.signatures([t]) for t in texts[:5]])
    assert (rows[:5] == alone).all()
    assert (reprint.signatures(texts, seed=7) != rows).any()
    assert (reprint.signatures(texts, seed=7) == reprint.signatures(texts, seed=7)).all()
    one_thread = subprocess.run(
        [sys.executable, "-c",
         "import sys, reprint; from conftest import corpus_documents;"
         "sys.stdout.buffer.write(reprint.signatures([t for _, t in corpus_documents()]).tobytes())"],
        cwd=ROOT / "python" / "tests",
        env={**os.environ, "RAYON_NUM_THREADS": "1"},
        capture_output=True,
        check=True,
    )
    assert one_thread.stdout == rows.tobytes()


def test_empty_texts_get_empty_rows():
    rows = reprint.signatures(["", " ... ", "two words"])
    assert (rows[0] == reprint.EMPTY).all() and (rows[1] == reprint.EMPTY).all()
    assert (rows[2] != reprint.EMPTY).any()
    assert reprint.signatures([]).shape == (0, reprint.DEFAULT_K)


def test_arrow_strings_are_read_like_python_strings(corpus):
    pa = pytest.importorskip("pyarrow")
    texts = [t for _, t in corpus]
    expected = reprint.signatures(texts)
    arr = pa.array(texts)
    assert (reprint.signatures(arr) == expected).all()
    assert (reprint.signatures(arr.cast(pa.large_string())) == expected).all()
    # A slice keeps its parent's buffers with an offset.
    assert (reprint.signatures(arr.slice(10, 20)) == expected[10:30]).all()
    chunked = pa.chunked_array([texts[:40], texts[40:]])
    assert (reprint.signatures(chunked) == expected).all()
    with_null = reprint.signatures(pa.array([texts[0], None]))
    assert (with_null[0] == expected[0]).all() and (with_null[1] == reprint.EMPTY).all()
    ck_arrow, ck_list = reprint.candidate_keys(arr), reprint.candidate_keys(texts)
    assert all((x == y).all() for x, y in zip(ck_arrow, ck_list))
    with pytest.raises(TypeError):
        reprint.signatures(pa.array([1, 2]))


def test_candidate_keys_reproduce_the_scan_candidates_and_cap(corpus):
    texts = [t for _, t in corpus]
    ck = reprint.candidate_keys(texts)
    assert ck.keys.dtype == np.int64
    assert len(ck.offsets) == len(texts) + 1
    # A text holds each of its keys once.
    assert all(len(set(ck.of(i).tolist())) == len(ck.of(i)) for i in range(len(texts)))
    buckets = defaultdict(list)
    for i in range(len(texts)):
        for key in ck.of(i):
            buckets[int(key)].append(i)
    assert any(k & reprint.FINGERPRINT_KEY_BIT for k in buckets)
    n = len(texts)
    total = [0.0] * n
    for key, docs in buckets.items():
        if not key & reprint.FINGERPRINT_KEY_BIT:
            for d in docs:
                total[d] += reprint.key_weight(len(docs), n)
    for cap in (reprint.DEFAULT_MAX_BUCKET, 3):
        shared = defaultdict(float)
        for key, docs in buckets.items():
            fp = key & reprint.FINGERPRINT_KEY_BIT
            if len(docs) > (min(cap, reprint.MAX_RUN_BUCKET) if fp else cap):
                continue
            w = float("inf") if fp else reprint.key_weight(len(docs), n)
            for x, a in enumerate(docs):
                for b in docs[x + 1 :]:
                    shared[(a, b)] += w
        share = reprint.MIN_KEY_SHARE
        floor = reprint.MIN_SHARED_KEY_WEIGHT
        pairs = {
            p
            for p, s in shared.items()
            if s >= floor and s >= share * min(total[p[0]], total[p[1]])
        }
        stats = reprint.scan(texts, max_bucket=cap)["stats"]
        assert len(pairs) == stats["candidates"], cap
    assert reprint.scan(texts, max_bucket=3)["stats"]["oversized_buckets"] > 0
    assert len(reprint.candidate_keys([""]).keys) == 0
    assert reprint.key_weight(1, 10) == 1.0 and 0 < reprint.key_weight(500, 1000) < 1


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: reprint.signatures(["x"], k=0), ValueError),
        (lambda: reprint.signatures(["x"], k=5000), ValueError),
        (lambda: reprint.signatures(["x"], ngram=0), ValueError),
        (lambda: reprint.signatures(["x"], ngram=17), ValueError),
        (lambda: reprint.signatures(["x"], k=-1), OverflowError),
        (lambda: reprint.signatures(["x"], seed=-1), OverflowError),
        (lambda: reprint.signatures("one string"), TypeError),
        (lambda: reprint.signatures(["ok", 3]), TypeError),
        (lambda: reprint.signatures(None), TypeError),
        (lambda: reprint.signatures(["lone surrogate \ud800"]), UnicodeEncodeError),
        (lambda: reprint.compare("\udfff", "b"), UnicodeEncodeError),
        (lambda: reprint.verify(["a"], ["a", "b"]), ValueError),
        (lambda: reprint.compare_many(["a"], ["b"], a_ids=["x", "y"]), ValueError),
        (lambda: reprint.compare("a", "b", config={"no_such_key": 1}), ValueError),
        (lambda: reprint.compare("a", "b", config={"k": "many"}), ValueError),
        (lambda: reprint.compare("a", "b", config={"k": 0}), ValueError),
        (lambda: reprint.compare("a", "b", config={"align": 3}), ValueError),
        (lambda: reprint.compare("a", "b", config="k=3"), TypeError),
        (lambda: reprint.scan(["a"], min_score=2.0), ValueError),
        (lambda: reprint.scan(["a", "b"], ids=["x"]), ValueError),
        (lambda: reprint._reprint.signatures((b"abc", np.array([0, 5])), 8, 5, 1), ValueError),
        (lambda: reprint._reprint.signatures((b"abc", np.array([2, 1])), 8, 5, 1), ValueError),
        (lambda: reprint._reprint.signatures((b"\xff", np.array([0, 1])), 8, 5, 1), ValueError),
    ],
)
def test_bad_input_raises_python_exceptions(call, error):
    with pytest.raises(error):
        call()


def test_config_overrides_change_the_result():
    base = reprint.default_config()
    assert base["shingle"] == 2 and "align" in base
    ck_default = reprint.candidate_keys([WIRE])
    ck_other = reprint.candidate_keys([WIRE], config={"seed": 12345})
    assert not np.array_equal(ck_default.keys, ck_other.keys)
    assert reprint.compare(WIRE, PAGE, config={"shingle": 2}) == reprint.compare(WIRE, PAGE)


def test_verify_indexed_equals_verify(corpus):
    texts = [t for _, t in corpus]
    rng = np.random.default_rng(3)
    a = rng.integers(0, len(texts), 200)
    b = rng.integers(0, len(texts), 200)
    by_index = reprint.verify_indexed(texts, a, b)
    direct = reprint.verify([texts[i] for i in a], [texts[i] for i in b])
    for name, column in direct.items():
        assert np.array_equal(by_index[name], column), name
    with pytest.raises(ValueError):
        reprint.verify_indexed(texts, [0], [len(texts)])
    with pytest.raises(ValueError):
        reprint.verify_indexed(texts, [0, 1], [1])

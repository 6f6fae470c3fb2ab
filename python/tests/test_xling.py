"""Copies across languages from Python: `CrossLingual`, `detect_language`, and `compare` /
`scan` with `cross_lingual=`, checked against the CLI on the cross-lingual pages of corpus/."""

import json
import subprocess

import pytest

import reprint

from conftest import ROOT

CORPUS = ROOT / "corpus" / "docs"
LEXICON = ROOT / "tests" / "data" / "lexicon-en-fr.tsv"
ROCKET_EN = CORPUS / "wire" / "en-rocket-failure.txt"
ROCKET_FR = CORPUS / "crosslingual" / "fr-rocket-failure-traduction.txt"
PORT_EN = CORPUS / "wire" / "en-port-ransomware.txt"
PORT_FR = CORPUS / "crosslingual" / "fr-port-ransomware-extraits.txt"


def test_languages_are_detected():
    assert reprint.detect_language(ROCKET_EN.read_text()) == "en"
    assert reprint.detect_language(ROCKET_FR.read_text()) == "fr"
    assert reprint.detect_language("") is None


def test_compare_across_languages_equals_the_cli(cli):
    xl = reprint.CrossLingual([str(LEXICON)])
    for a, b in [(ROCKET_EN, ROCKET_FR), (PORT_EN, PORT_FR)]:
        got = reprint.compare(a.read_text(), b.read_text(), cross_lingual=xl)
        out = subprocess.run(
            [str(cli), "compare", str(a), str(b), "--json", "--lexicon", str(LEXICON)],
            check=True, capture_output=True, text=True,
        )
        want = json.loads(out.stdout)
        for key in ("containment_a_in_b", "containment_b_in_a", "resemblance", "verdict"):
            assert got[key] == want[key], (a.name, key)
        assert [(p["a_start"], p["b_start"]) for p in got["passages"]] == [
            (p["a_start"], p["b_start"]) for p in want["passages"]
        ]
    plain = reprint.compare(ROCKET_EN.read_text(), ROCKET_FR.read_text())
    assert plain["containment_a_in_b"] < 0.2, "without cross_lingual, one language only"


def test_scan_across_languages_equals_the_cli(cli):
    paths = sorted(p for p in CORPUS.rglob("*.txt"))
    ids = [str(p.relative_to(CORPUS)) for p in paths]
    xl = reprint.CrossLingual([LEXICON])
    got = reprint.scan([p.read_text() for p in paths], ids, cross_lingual=xl)["pairs"]
    out = subprocess.run(
        [str(cli), "scan", str(CORPUS), "--format", "jsonl", "-q", "--lexicon", str(LEXICON)],
        check=True, capture_output=True, text=True,
    )
    want = [json.loads(line) for line in out.stdout.splitlines()]
    key = lambda r: (r["a"], r["b"], r["containment_a_in_b"], r["containment_b_in_a"])
    assert sorted(map(key, got)) == sorted(map(key, want))
    across = [r for r in got if "crosslingual/" in r["a"] + r["b"]]
    assert any(r["a"] == "crosslingual/fr-rocket-failure-traduction.txt"
               or r["b"] == "crosslingual/fr-rocket-failure-traduction.txt" for r in across)


def test_a_bad_lexicon_is_an_error_naming_its_line(tmp_path):
    bad = tmp_path / "lexicon.tsv"
    bad.write_text("#reprint-lexicon\ten\tfr\nrocket\n")
    with pytest.raises(ValueError, match="lexicon.tsv:2"):
        reprint.CrossLingual([bad])
    with pytest.raises(OSError, match="missing.tsv"):
        reprint.CrossLingual([tmp_path / "missing.tsv"])


OTHERS = [CORPUS / "wire" / n for n in (
    "en-airline-merger.txt", "en-river-flood.txt", "fr-port-strike.txt", "fr-election.txt")]


def _fill(index):
    for p in [ROCKET_EN, PORT_EN] + OTHERS:
        index.insert(p.name, p.read_text(), time=1)


def test_index_finds_the_source_across_languages_with_compare_s_scores(tmp_path):
    xl = reprint.CrossLingual([str(LEXICON)])
    path = tmp_path / "idx"
    index = reprint.Index(path, cross_lingual=xl)
    _fill(index)
    index.save()
    found = {}
    for fr, en, other in [(ROCKET_FR, ROCKET_EN, PORT_EN), (PORT_FR, PORT_EN, ROCKET_EN)]:
        matches = index.query(fr.read_text())
        ids = [m["id"] for m in matches]
        assert en.name in ids and other.name not in ids, (fr.name, ids)
        m = matches[ids.index(en.name)]
        want = reprint.compare(fr.read_text(), en.read_text(), cross_lingual=xl)
        assert m["containment_query_in_doc"] == pytest.approx(want["containment_a_in_b"], abs=5e-5)
        assert m["containment_doc_in_query"] == pytest.approx(want["containment_b_in_a"], abs=5e-5)
        assert m["resemblance"] == 0
        found[fr] = matches
    del index
    # Reopened with the lexicons: the same matches; without them, one language only.
    again = reprint.Index(path, cross_lingual=xl)
    for fr, matches in found.items():
        assert again.query(fr.read_text()) == matches
    del again
    plain = reprint.Index(path)
    assert all(m["id"] != ROCKET_EN.name for m in plain.query(ROCKET_FR.read_text()))


def test_index_without_cross_lingual_stays_in_one_language():
    index = reprint.Index()
    _fill(index)
    ids = [m["id"] for m in index.query(PORT_FR.read_text())]
    assert PORT_EN.name not in ids

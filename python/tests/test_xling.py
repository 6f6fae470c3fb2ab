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

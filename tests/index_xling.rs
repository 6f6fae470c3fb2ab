//! Copies across languages in the crawler's index (`IndexOptions::cross_lingual`, `reprint index
//! query --lexicon`): the French pages of `corpus/` queried against an index holding their
//! English wire stories and other wire copy, with the lexicon written for the tests.

use reprint::index::{Index, IndexOptions, Match, Meta};
use reprint::xling::{CrossLingual, Lexicon};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

const LEXICON: &str = "tests/data/lexicon-en-fr.tsv";
const ROCKET_EN: &str = "corpus/docs/wire/en-rocket-failure.txt";
const ROCKET_FR: &str = "corpus/docs/crosslingual/fr-rocket-failure-traduction.txt";
const PORT_EN: &str = "corpus/docs/wire/en-port-ransomware.txt";
const PORT_FR: &str = "corpus/docs/crosslingual/fr-port-ransomware-extraits.txt";
/// Other wire copy in both languages: English and French stories of their own.
const OTHERS: &[&str] = &[
    "corpus/docs/wire/en-airline-merger.txt",
    "corpus/docs/wire/en-fraud-verdict.txt",
    "corpus/docs/wire/en-river-flood.txt",
    "corpus/docs/wire/fr-port-strike.txt",
    "corpus/docs/wire/fr-bridge-collapse.txt",
    "corpus/docs/wire/fr-election.txt",
];

fn read(p: &str) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn cross_lingual() -> Arc<CrossLingual> {
    Arc::new(CrossLingual::new().with_lexicon(Lexicon::load(Path::new(LEXICON)).unwrap()))
}

fn with_lexicon() -> IndexOptions {
    IndexOptions {
        cross_lingual: Some(cross_lingual()),
        ..IndexOptions::default()
    }
}

fn fill(index: &Index) {
    for p in [ROCKET_EN, PORT_EN].iter().chain(OTHERS) {
        index.insert(p, &read(p), &Meta::at(1)).unwrap();
    }
}

/// `reprint compare A B --lexicon LEXICON --json`.
fn compare_cli(a: &str, b: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_reprint"))
        .args(["compare", a, b, "--json", "--lexicon", LEXICON])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The match's comparison is the library's cross-lingual comparison of the two texts, and what
/// `reprint compare --lexicon` prints (rounded to 4 decimals).
fn assert_same_scores(m: &Match, query: &str, doc: &str) {
    let (q, d) = (read(query), read(doc));
    let (lq, ld) = (
        reprint::xling::detect(&q).unwrap(),
        reprint::xling::detect(&d).unwrap(),
    );
    assert_eq!(m.comparison, cross_lingual().compare(&q, lq, &d, ld));
    let cli = compare_cli(query, doc);
    let c = &m.comparison;
    for (got, key) in [
        (c.containment_a_in_b, "containment_a_in_b"),
        (c.containment_b_in_a, "containment_b_in_a"),
        (c.resemblance, "resemblance"),
    ] {
        let want = cli[key].as_f64().unwrap();
        assert!(
            (got - want).abs() <= 5e-5,
            "{key}: index {got}, compare {want}"
        );
    }
    assert_eq!(c.passages.len(), cli["passages"].as_array().unwrap().len());
}

#[test]
fn a_french_page_finds_the_english_story_it_translates_with_compare_s_scores() {
    let index = Index::new(with_lexicon()).unwrap();
    fill(&index);
    for (fr, en, other) in [
        (ROCKET_FR, ROCKET_EN, PORT_EN),
        (PORT_FR, PORT_EN, ROCKET_EN),
    ] {
        let found = index.query(&read(fr)).unwrap();
        let m = found
            .iter()
            .find(|m| m.id == en)
            .unwrap_or_else(|| panic!("{fr} does not find {en}: {found:?}"));
        assert_same_scores(m, fr, en);
        assert!(m.comparison.containment_a_in_b > 0.3, "{m:?}");
        assert!(found.iter().all(|m| m.id != other), "{fr} finds {other}");
    }
}

#[test]
fn check_and_insert_finds_the_translation_and_the_translation_finds_the_source() {
    let index = Index::new(with_lexicon()).unwrap();
    index
        .insert("rocket-en", &read(ROCKET_EN), &Meta::at(1))
        .unwrap();
    let found = index
        .check_and_insert("rocket-fr", &read(ROCKET_FR), &Meta::at(2))
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].id, "rocket-en");
    // The French page is now indexed: the English story finds it, A being the query.
    let back = index.query(&read(ROCKET_EN)).unwrap();
    let m = back.iter().find(|m| m.id == "rocket-fr").expect("found");
    assert_same_scores(m, ROCKET_EN, ROCKET_FR);
    // A document is never a match of itself.
    let again = index
        .check_and_insert("rocket-fr", &read(ROCKET_FR), &Meta::at(3))
        .unwrap();
    assert!(again.iter().all(|m| m.id != "rocket-fr"), "{again:?}");
}

#[test]
fn a_persistent_index_reopened_finds_the_same_matches() {
    let dir = tempfile::tempdir().unwrap();
    let before: Vec<Vec<Match>> = {
        let index = Index::open(dir.path(), with_lexicon()).unwrap();
        fill(&index);
        index.save().unwrap();
        [ROCKET_FR, PORT_FR]
            .iter()
            .map(|p| index.query(&read(p)).unwrap())
            .collect()
    };
    assert!(before.iter().all(|f| !f.is_empty()));
    // The lexicons are given at each opening: without them, one language only.
    let plain = Index::open(dir.path(), IndexOptions::default()).unwrap();
    let found = plain.query(&read(PORT_FR)).unwrap();
    assert!(found.iter().all(|m| m.id != PORT_EN), "{found:?}");
    drop(plain);
    let index = Index::open(dir.path(), with_lexicon()).unwrap();
    for (p, want) in [ROCKET_FR, PORT_FR].iter().zip(&before) {
        assert_eq!(&index.query(&read(p)).unwrap(), want, "{p}");
    }
    // Removed: no longer found, its entries left in the lists or compacted away.
    assert!(index.remove(ROCKET_EN).unwrap());
    let found = index.query(&read(ROCKET_FR)).unwrap();
    assert!(found.iter().all(|m| m.id != ROCKET_EN), "{found:?}");
    index.compact().unwrap();
    let found = index.query(&read(ROCKET_FR)).unwrap();
    assert!(found.iter().all(|m| m.id != ROCKET_EN), "{found:?}");
    // Replaced by another text: found as it is now, not as it was.
    index
        .insert(PORT_EN, &read(OTHERS[0]), &Meta::at(2))
        .unwrap();
    let found = index.query(&read(PORT_FR)).unwrap();
    assert!(found.iter().all(|m| m.id != PORT_EN), "{found:?}");
}

#[test]
fn without_the_option_no_match_across_languages() {
    let index = Index::new(IndexOptions::default()).unwrap();
    fill(&index);
    for fr in [ROCKET_FR, PORT_FR] {
        let found = index.query(&read(fr)).unwrap();
        assert!(
            found.iter().all(|m| m.id != ROCKET_EN && m.id != PORT_EN),
            "{fr}: {found:?}"
        );
    }
}

#[test]
fn an_evicted_source_is_no_longer_found() {
    let index = Index::new(IndexOptions {
        max_docs: Some(3),
        ..with_lexicon()
    })
    .unwrap();
    index
        .insert("rocket", &read(ROCKET_EN), &Meta::at(1))
        .unwrap();
    assert!(!index.query(&read(ROCKET_FR)).unwrap().is_empty());
    for (i, p) in OTHERS.iter().enumerate() {
        index
            .insert(&i.to_string(), &read(p), &Meta::at(2))
            .unwrap();
    }
    let found = index.query(&read(ROCKET_FR)).unwrap();
    assert!(found.iter().all(|m| m.id != "rocket"), "{found:?}");
}

#[test]
fn index_query_with_a_lexicon_reports_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("idx");
    let idx = index.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_reprint"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let mut add = vec!["index", "add", idx, ROCKET_EN, PORT_EN, "-q"];
    add.extend_from_slice(OTHERS);
    add.extend_from_slice(&["--lexicon", LEXICON]);
    run(&add);
    let query = |extra: &[&str]| -> Vec<serde_json::Value> {
        let mut args = vec!["index", "query", idx, ROCKET_FR, "--format", "jsonl", "-q"];
        args.extend_from_slice(extra);
        run(&args)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let rows = query(&["--lexicon", LEXICON]);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0]["b"]
        .as_str()
        .unwrap()
        .ends_with("en-rocket-failure.txt"));
    let cli = compare_cli(ROCKET_FR, ROCKET_EN);
    let got = rows[0]["containment_a_in_b"].as_f64().unwrap();
    let want = cli["containment_a_in_b"].as_f64().unwrap();
    assert!((got - want).abs() <= 5e-5, "{got} vs {want}");
    assert!(
        query(&[]).is_empty(),
        "without --lexicon, one language only"
    );
}

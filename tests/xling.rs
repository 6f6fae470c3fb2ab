//! Copies across languages (`reprint::xling`, `--cross-lingual`, `--lexicon`) on the
//! cross-lingual pages of `corpus/` (an English wire story translated whole into French, and
//! two of its paragraphs translated inside a French page) and a lexicon written for the tests.

use std::path::Path;
use std::process::Command;

fn reprint(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_reprint"))
        .args(args)
        .output()
        .expect("run reprint")
}

const LEXICON: &str = "tests/data/lexicon-en-fr.tsv";
const ROCKET_EN: &str = "corpus/docs/wire/en-rocket-failure.txt";
const ROCKET_FR: &str = "corpus/docs/crosslingual/fr-rocket-failure-traduction.txt";
const PORT_EN: &str = "corpus/docs/wire/en-port-ransomware.txt";
const PORT_FR: &str = "corpus/docs/crosslingual/fr-port-ransomware-extraits.txt";

fn read(p: &str) -> String {
    std::fs::read_to_string(p).unwrap()
}

/// The labeled containment of A in B of a pair in `corpus/labels.tsv`.
fn label(a: &str, b: &str) -> f64 {
    let strip = |p: &str| p.trim_start_matches("corpus/docs/").to_string();
    read("corpus/labels.tsv")
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|f| f[0] == strip(a) && f[1] == strip(b))
        .map(|f| f[3].parse().unwrap())
        .expect("labeled pair")
}

/// The containment of the English text `en` in the French text `fr`, with the test lexicon.
fn en_in_fr(en: &str, fr: &str) -> f64 {
    reprint::xling::CrossLingual::new()
        .with_lexicon(reprint::xling::Lexicon::load(Path::new(LEXICON)).unwrap())
        .compare_across(en, fr)
        .expect("two languages")
        .containment_a_in_b
}

fn compare_json(a: &str, b: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["compare", a, b, "--json"];
    args.extend_from_slice(extra);
    let out = reprint(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_whole_translation_is_found_without_a_lexicon_and_measured_with_one() {
    let plain = compare_json(ROCKET_EN, ROCKET_FR, &[]);
    assert!(
        plain["containment_a_in_b"].as_f64().unwrap() < 0.2,
        "one language sees little"
    );
    let bare = compare_json(ROCKET_EN, ROCKET_FR, &["--cross-lingual"]);
    assert!(
        bare["containment_a_in_b"].as_f64().unwrap() >= 0.8,
        "{bare}"
    );
    let lex = compare_json(ROCKET_EN, ROCKET_FR, &["--lexicon", LEXICON]);
    let truth = label(ROCKET_EN, ROCKET_FR);
    let got = lex["containment_a_in_b"].as_f64().unwrap();
    assert!((got - truth).abs() <= 0.1, "{got} vs {truth}");
    assert_eq!(lex["verdict"], "copy");
}

#[test]
fn a_partial_translation_is_measured_and_its_passages_are_the_translated_paragraphs() {
    let c = compare_json(PORT_EN, PORT_FR, &["--lexicon", LEXICON]);
    let truth = label(PORT_EN, PORT_FR);
    let got = c["containment_a_in_b"].as_f64().unwrap();
    assert!((got - truth).abs() <= 0.1, "{got} vs {truth}");
    // The passages' byte ranges: the English paragraphs 2-3 and their French rendering.
    let (en, fr) = (read(PORT_EN), read(PORT_FR));
    let lib = reprint::xling::CrossLingual::new()
        .with_lexicon(reprint::xling::Lexicon::load(Path::new(LEXICON)).unwrap());
    let (le, lf) = (
        reprint::xling::detect(&en).unwrap(),
        reprint::xling::detect(&fr).unwrap(),
    );
    assert_eq!((le.code(), lf.code()), ("en", "fr"));
    let cmp = lib.compare(&en, le, &fr, lf);
    assert!(!cmp.passages.is_empty());
    for p in &cmp.passages {
        let (a, b) = (&en[p.a.clone()], &fr[p.b.clone()]);
        assert!(a.contains("Marsh") || a.contains("2,300"), "{a}");
        assert!(b.contains("Marsh") || b.contains("2 300"), "{b}");
        assert!(
            !b.contains("Havre"),
            "the French page's own paragraph is not a passage: {b}"
        );
    }
    assert_eq!(cmp, lib.compare(&en, le, &fr, lf), "deterministic");
}

#[test]
fn scan_reports_the_copies_across_languages_and_no_unrelated_pair() {
    for threads in ["1", "2"] {
        let out = reprint(&[
            "scan",
            "corpus/docs",
            "--lexicon",
            LEXICON,
            "--format",
            "jsonl",
            "-q",
            "-j",
            threads,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pairs: Vec<serde_json::Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let find = |x: &str, y: &str| {
            let (x, y) = (
                x.trim_start_matches("corpus/docs/"),
                y.trim_start_matches("corpus/docs/"),
            );
            pairs
                .iter()
                .find(|p| (p["a"] == x && p["b"] == y) || (p["a"] == y && p["b"] == x))
        };
        for (en, fr) in [(ROCKET_EN, ROCKET_FR), (PORT_EN, PORT_FR)] {
            let p = find(en, fr).unwrap_or_else(|| panic!("{en} / {fr} not reported"));
            let got = if p["a"] == en.trim_start_matches("corpus/docs/") {
                p["containment_a_in_b"].as_f64().unwrap()
            } else {
                p["containment_b_in_a"].as_f64().unwrap()
            };
            assert!((got - label(en, fr)).abs() <= 0.1, "{en} / {fr}: {got}");
        }
        assert!(find(PORT_EN, ROCKET_FR).is_none() && find(ROCKET_EN, PORT_FR).is_none());
        // Every pair the French pages are in is with a page of their own story (the wire, or
        // another copy of it).
        for p in &pairs {
            for side in ["a", "b"] {
                let d = p[side].as_str().unwrap();
                if d.starts_with("crosslingual/") {
                    let other = p[if side == "a" { "b" } else { "a" }].as_str().unwrap();
                    let story = if d.contains("rocket") {
                        "rocket-failure"
                    } else {
                        "port-ransomware"
                    };
                    assert!(other.contains(story), "unexpected pair {d} / {other}");
                }
            }
        }
    }
}

#[test]
fn eval_scores_the_pairs_across_languages() {
    let out = reprint(&[
        "eval",
        "--pairs",
        "corpus/labels.tsv",
        "corpus/docs",
        "--lexicon",
        LEXICON,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for kind in ["translation-across", "partial-across"] {
        let row = text.lines().find(|l| l.starts_with(kind)).expect(kind);
        let recall: f64 = row.split_whitespace().nth(3).unwrap().parse().unwrap();
        assert_eq!(recall, 1.0, "{row}");
    }
    let overall = text.lines().find(|l| l.starts_with("overall")).unwrap();
    let fp: usize = overall.split_whitespace().nth(4).unwrap().parse().unwrap();
    assert_eq!(fp, 0, "{overall}");
}

#[test]
fn a_bad_lexicon_is_refused_with_its_file_and_line() {
    let dir = std::env::temp_dir().join(format!("reprint-xling-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("lexicon.tsv");
    std::fs::write(&bad, "#reprint-lexicon\ten\tfr\nrocket\n").unwrap();
    let out = reprint(&[
        "compare",
        ROCKET_EN,
        ROCKET_FR,
        "--lexicon",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("lexicon.tsv:2: expected a word"), "{err}");
    let out = reprint(&[
        "compare",
        ROCKET_EN,
        ROCKET_FR,
        "--lexicon",
        "no/such/lexicon.tsv",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/lexicon.tsv"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_sentence_is_not_found_in_a_place_far_longer_than_its_translation() {
    // The words of the first English sentence are all in one long French sentence about
    // something else (fishermen protesting where the rocket once exploded), and in its
    // translation: only the translation, of about its length, carries it.
    let en = "The rocket exploded minutes after launch off the coast. The weather in the \
              capital was mild for the season, and shops stayed open late on Friday evening. \
              Schools will reopen next week after the holidays, the education office said.";
    let elsewhere = "Au large de la côte, où la fusée avait explosé quelques minutes après son \
                     lancement l'an dernier, les pêcheurs de la région, inquiets pour leurs \
                     filets et pour l'avenir de leur métier, ont manifesté samedi matin devant \
                     la mairie pour réclamer des aides et un meilleur encadrement des activités \
                     spatiales dans la baie. Le maire a promis de les recevoir la semaine \
                     prochaine.";
    let translated = "La fusée a explosé quelques minutes après le lancement au large de la \
                      côte. Le maire a promis de recevoir les pêcheurs de la région la semaine \
                      prochaine.";
    let found = |fr: &str| en_in_fr(en, fr);
    let first = 9.0 / 39.0;
    assert!(
        (found(translated) - first).abs() < 0.03,
        "{}",
        found(translated)
    );
    assert_eq!(found(elsewhere), 0.0);
}

#[test]
fn a_sentence_is_not_found_where_the_place_holds_a_figure_it_lacks() {
    // Two pages on one event: each sentence's best place in the other is the sentence that
    // shares `750 billion euros`, the rocket and its launch, but the French one also holds a
    // budget of 1074 billion: it says more than the English one, and is no translation of it.
    // Once the French page gives the figures the English sentence gives, it is.
    let en = "Critics in the defence ministry say the rocket programme will cost taxpayers 750 \
              billion euros over many years before its launch. The weather in the capital was \
              mild for the season, and shops stayed open late on Friday evening.";
    let other = "Les 27 États membres ont approuvé mardi un programme de fusée de 750 milliards \
                 d'euros et un budget de 1074 milliards d'euros pour son lancement. \
                 Les écoles rouvriront la semaine prochaine, selon le rectorat.";
    let same = "Les 27 États membres ont approuvé mardi un programme de fusée de 750 milliards \
                d'euros pour son lancement. Les écoles rouvriront la semaine \
                prochaine, selon le rectorat.";
    let found = |fr: &str| en_in_fr(en, fr);
    assert_eq!(found(other), 0.0);
    assert!(found(same) > 0.4, "{}", found(same));
}

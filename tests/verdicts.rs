//! Floors under the verdicts, origins and wire cues on the labeled corpus, measured through
//! reprint's own candidate generation. `reprint eval --pairs corpus/labels.tsv corpus/docs` prints
//! the same figures (README quotes them); the floors sit at or slightly under what is achieved,
//! so that a regression fails here.

use reprint::eval::{calibrate, evaluate_verdicts, read_labels};
use reprint::origin::{origin, DocEvidence, Side};
use reprint::scan::{scan, ScanOptions, DEFAULT_MIN_SCORE};
use reprint::verdict::{Verdict, VerdictThresholds};
use std::path::Path;

#[test]
fn verdicts_origins_and_calibration_on_the_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut labels = read_labels(&root.join("labels.tsv")).expect("labels are readable");
    // A short excerpt whose true containment is under the reporting threshold is not reported,
    // and under `partial`'s threshold it is not a partial copy either: such pairs are held to
    // their own test in tests/quality.rs, not to a verdict.
    labels.retain(|l| !l.positive || l.containment >= DEFAULT_MIN_SCORE);
    // Copies across languages need `--cross-lingual`: tests/xling.rs holds them.
    labels.retain(|l| !l.kind.ends_with("-across"));
    let loaded = reprint::input::load(&[root.join("docs")]);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let docs = &loaded.documents;
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    let options = ScanOptions {
        min_score: 0.0,
        ..ScanOptions::default()
    };
    let pairs = scan(&reprint::Detector::default(), &texts, &options, &()).pairs;
    let wires: Vec<_> = texts.iter().map(|t| reprint::wire::find(t)).collect();
    let t = VerdictThresholds::default();
    let origin_of = |p: &reprint::scan::ScoredPair, v: Verdict| {
        let c = &p.comparison;
        let ev = |i: usize| DocEvidence {
            date: None,
            wire: Some(&wires[i]),
        };
        origin(
            v,
            c.containment_a_in_b,
            c.containment_b_in_a,
            &c.passages,
            &ev(p.a),
            &ev(p.b),
            &t,
        )
        .side
    };
    let e = evaluate_verdicts(&labels, &ids, &pairs, DEFAULT_MIN_SCORE, &t, &origin_of);

    // Achieved: every verdict right (29 copies, 24 partial copies, 49 independent pairs).
    assert_eq!(e.confusion.iter().flatten().sum::<usize>(), labels.len());
    for (v, p) in e.precision.iter().enumerate() {
        assert!(
            p.unwrap() >= 0.98,
            "precision of {:?}: {p:?}",
            Verdict::ALL[v]
        );
    }
    assert!(
        e.errors <= 1,
        "{} wrong verdicts: {:?}",
        e.errors,
        e.confusion
    );
    // Independent reports of one story are never called copies.
    assert_eq!(e.confusion[2][0] + e.confusion[2][1], 0);

    // Origin: never the copy. The labels put the copied text in A.
    let claims: usize = e.origin.values().map(|c| c.a + c.b).sum();
    let wrong: usize = e.origin.values().map(|c| c.b).sum();
    assert_eq!(wrong, 0, "{:?}", e.origin);
    assert!(claims >= 8, "origins claimed: {:?}", e.origin);
    assert!(e.origin["verbatim"].a >= 6, "{:?}", e.origin["verbatim"]);

    // The default thresholds are inside the ranges that calibration finds best.
    let c = calibrate(&labels, &ids, &pairs, DEFAULT_MIN_SCORE);
    assert_eq!(c.errors_at_defaults, c.errors);
    assert!(c.whole.0 <= t.whole && t.whole <= c.whole.1, "{c:?}");
    assert!(c.mutual.0 <= t.mutual && t.mutual <= c.mutual.1, "{c:?}");
    assert!(
        c.partial.0 <= t.partial && t.partial <= c.partial.1,
        "{c:?}"
    );
}

#[test]
fn wire_cues_of_the_corpus() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
    let read = |p: &str| std::fs::read_to_string(docs.join(p)).unwrap();
    // Every wire story opens with its agency's dateline.
    for entry in std::fs::read_dir(docs.join("wire")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let w = reprint::wire::find(&text);
        let first = &w.cues[0];
        assert_eq!(first.kind, reprint::wire::CueKind::Dateline, "{w:?}");
        assert!(["AFP", "Reuters"].contains(&first.agencies[0].as_str()));
        // "a déclaré à l'AFP" in the text is a mention, not another cue.
        assert!(
            w.cues
                .iter()
                .all(|c| c.kind == reprint::wire::CueKind::Dateline),
            "{w:?}"
        );
    }
    // A republishing page: its own credit line and the dispatch's dateline.
    let w = reprint::wire::find(&read("copies/verbatim-en-fraud-verdict.txt"));
    let texts: Vec<&str> = w.cues.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["with Reuters", "WESTBRIDGE, June 3 (Reuters) -"]);
    // Independent reports name no agency.
    for entry in std::fs::read_dir(docs.join("independent")).unwrap() {
        let path = entry.unwrap().path();
        let w = reprint::wire::find(&std::fs::read_to_string(&path).unwrap());
        assert!(w.cues.is_empty(), "{}: {w:?}", path.display());
    }
    // The seed pair: a partial copy, and a credit line alone does not name its source.
    let (afp, mt) = (
        read("seeds/afp-2022-09-albania-iran.txt"),
        read("seeds/syndicated-mt-albania-iran.txt"),
    );
    let c = reprint::compare(&afp, &mt);
    let (wa, wb) = (reprint::wire::find(&afp), reprint::wire::find(&mt));
    let t = VerdictThresholds::default();
    let v = t.verdict(c.containment_a_in_b, c.containment_b_in_a);
    let ev = |w| DocEvidence {
        date: None,
        wire: Some(w),
    };
    let o = origin(
        v,
        c.containment_a_in_b,
        c.containment_b_in_a,
        &c.passages,
        &ev(&wa),
        &ev(&wb),
        &t,
    );
    assert_eq!(
        (v, o.side),
        (Verdict::Partial, Side::Unknown),
        "{}",
        o.reason
    );
    // With dates, the earlier one.
    let dated = |d, w| DocEvidence {
        date: Some(d),
        wire: Some(w),
    };
    let o = origin(
        v,
        c.containment_a_in_b,
        c.containment_b_in_a,
        &c.passages,
        &dated("2022-09-08", &wa),
        &dated("2022-09-09", &wb),
        &t,
    );
    assert_eq!(o.side, Side::A);
}

//! Quality floors on the labeled corpus (`corpus/labels.tsv`), measured through reprint's own
//! candidate generation: a labeled copy the scan does not report counts as containment 0.
//! The same figures are printed by `reprint eval --pairs corpus/labels.tsv corpus/docs`; README
//! quotes them. The floors sit slightly under what is achieved, so a regression fails here.

use reprint::eval::{evaluate, read_labels, Label};
use reprint::scan::{scan, ScanOptions, ScoredPair, DEFAULT_MIN_SCORE};
use std::path::Path;

struct Run {
    labels: Vec<Label>,
    ids: Vec<String>,
    pairs: Vec<ScoredPair>,
}

fn run() -> Run {
    run_with(true)
}

fn run_with(bridge: bool) -> Run {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    // Copies across languages need `--cross-lingual`: tests/xling.rs holds them.
    let mut labels = read_labels(&root.join("labels.tsv")).expect("labels are readable");
    labels.retain(|l| !l.kind.ends_with("-across"));
    let loaded = reprint::input::load(&[root.join("docs")]);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let texts: Vec<&str> = loaded.documents.iter().map(|d| d.text.as_str()).collect();
    let options = ScanOptions {
        min_score: 0.0,
        bridge,
        ..ScanOptions::default()
    };
    let result = scan(&reprint::Detector::default(), &texts, &options, &());
    Run {
        labels,
        ids: loaded.documents.into_iter().map(|d| d.id).collect(),
        pairs: result.pairs,
    }
}

impl Run {
    fn index(&self, id: &str) -> usize {
        self.ids
            .iter()
            .position(|x| x == id)
            .expect("labeled documents exist")
    }

    /// The reported pair of a label's two documents.
    fn found(&self, l: &Label) -> Option<&ScoredPair> {
        let (a, b) = (self.index(&l.a), self.index(&l.b));
        self.pairs
            .iter()
            .find(|p| (p.a, p.b) == (a.min(b), a.max(b)))
    }

    /// The predicted containment of A in B is within `tolerance` of the label's.
    fn assert_measured(&self, l: &Label, tolerance: f64) {
        let (c, _) = self.predicted(l);
        assert!(
            (c - l.containment).abs() <= tolerance,
            "{} in {}: predicted {c}, true {}",
            l.a,
            l.b,
            l.containment
        );
    }

    /// Containment of A in B and of B in A as the scan reported them (0 when not reported).
    fn predicted(&self, l: &Label) -> (f64, f64) {
        let (a, b) = (self.index(&l.a), self.index(&l.b));
        match self.found(l) {
            None => (0.0, 0.0),
            Some(p) if a < b => (
                p.comparison.containment_a_in_b,
                p.comparison.containment_b_in_a,
            ),
            Some(p) => (
                p.comparison.containment_b_in_a,
                p.comparison.containment_a_in_b,
            ),
        }
    }

    fn of_kind(&self, kind: &str) -> Vec<&Label> {
        let v: Vec<&Label> = self.labels.iter().filter(|l| l.kind == kind).collect();
        assert!(
            v.len() >= 8,
            "corpus has at least 8 {kind} pairs, found {}",
            v.len()
        );
        v
    }
}

#[test]
fn verbatim_copies_in_boilerplate_score_at_least_095() {
    let r = run();
    for l in r.of_kind("verbatim") {
        let (c, _) = r.predicted(l);
        assert!(c >= 0.95, "{} in {}: {c}", l.a, l.b);
    }
}

#[test]
fn partial_copies_are_measured_within_005() {
    let r = run();
    for l in r.of_kind("partial") {
        r.assert_measured(l, 0.05);
    }
}

#[test]
fn independent_articles_score_below_010_both_ways() {
    // Compared directly, not through the scan: candidate generation must not be what keeps
    // independent reports of one story apart.
    let r = run();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
    let read = |id: &str| std::fs::read_to_string(root.join(id)).unwrap();
    let detector = reprint::Detector::default();
    let mut negatives = r.of_kind("same-story");
    negatives.extend(r.of_kind("unrelated"));
    for l in negatives {
        let c = detector.compare(&read(&l.a), &read(&l.b));
        let (ab, ba) = (c.containment_a_in_b, c.containment_b_in_a);
        assert!(ab < 0.10 && ba < 0.10, "{} / {}: {ab} {ba}", l.a, l.b);
        let (sab, sba) = r.predicted(l);
        assert!(
            sab < 0.10 && sba < 0.10,
            "scan: {} / {}: {sab} {sba}",
            l.a,
            l.b
        );
    }
}

#[test]
fn seed_pair_shares_a_third() {
    let r = run();
    let l = r
        .labels
        .iter()
        .find(|l| l.a.starts_with("seeds/afp") && l.b.starts_with("seeds/syndicated"))
        .expect("the seed pair is labeled");
    let (c, _) = r.predicted(l);
    assert!((0.25..=0.50).contains(&c), "{c}");
}

#[test]
fn precision_recall_and_error_floors() {
    let r = run();
    let ids: Vec<&str> = r.ids.iter().map(String::as_str).collect();
    let e = evaluate(&r.labels, &ids, &r.pairs, DEFAULT_MIN_SCORE);
    let o = &e.overall;
    assert!(o.precision >= PRECISION_FLOOR, "precision {}", o.precision);
    // Recall of the copies the threshold is meant to report: those whose true containment
    // reaches it. A short excerpt under it is held to `short_excerpts_…` below instead.
    let due: Vec<&Label> = r
        .labels
        .iter()
        .filter(|l| l.positive && l.containment >= DEFAULT_MIN_SCORE)
        .collect();
    let reported = due
        .iter()
        .filter(|l| r.predicted(l).0 >= DEFAULT_MIN_SCORE)
        .count();
    let recall = reported as f64 / due.len() as f64;
    assert!(recall >= RECALL_FLOOR, "recall {recall} of {}", due.len());
    assert!(
        o.average_precision.unwrap() >= AP_FLOOR,
        "AP {:?}",
        o.average_precision
    );
    let ari = e.adjusted_rand_index.unwrap();
    assert!(ari >= ARI_FLOOR, "ARI {ari}");
    for (kind, max_mae) in MAE_CEILINGS {
        let m = &e.by_kind[*kind];
        assert!(
            m.containment_mae <= *max_mae,
            "{kind}: MAE {}",
            m.containment_mae
        );
    }
}

#[test]
fn short_excerpts_are_found_measured_and_ranked() {
    // One paragraph of a second rendering pasted between unrelated briefs: `excerpt` against the
    // rendering it was cut from, `excerpt-translation` against the wire article it renders.
    // Their true containment is 0.03-0.14: a same-story pair sharing a stock phrase or two can
    // outscore the smallest, so they are held to a ranking (AP among every non-copy), not to a
    // margin over every negative.
    let r = run();
    let ids: Vec<&str> = r.ids.iter().map(String::as_str).collect();
    let e = evaluate(&r.labels, &ids, &r.pairs, DEFAULT_MIN_SCORE);
    for (kind, min_found, max_error, min_ap) in [
        ("excerpt", 10, 0.01, 0.97),
        ("excerpt-translation", 10, 0.05, 0.97),
    ] {
        let labels: Vec<&Label> = r.labels.iter().filter(|l| l.kind == kind).collect();
        assert_eq!(labels.len(), 10, "{kind}");
        let mut found = 0;
        for l in labels {
            let (c, _) = r.predicted(l);
            if c > 0.0 {
                found += 1;
                r.assert_measured(l, max_error);
            }
        }
        assert!(found >= min_found, "{kind}: {found} found");
        let ap = e.by_kind[kind].average_precision.unwrap();
        assert!(ap >= min_ap, "{kind}: AP {ap}");
    }
}

#[test]
fn excerpts_of_a_reworded_paragraph_are_found_through_the_whole_copy() {
    // `copies/excerpt-via-copy-*`: a paragraph of a second rendering reworded so much that,
    // alone among unrelated briefs, it does not align with the wire article. The rendering is a
    // whole copy of the wire article and aligns with the page word for word: the pair is found
    // through it, and only through it.
    let with = run();
    let without = run_with(false);
    let labels: Vec<&Label> = with
        .labels
        .iter()
        .filter(|l| l.kind == "excerpt-translation" && l.b.contains("excerpt-via-copy-"))
        .collect();
    assert_eq!(labels.len(), 5);
    for l in labels {
        let rendering = with
            .labels
            .iter()
            .find(|x| x.kind == "excerpt" && x.b == l.b)
            .expect("the excerpt is labeled against its rendering");
        let p = with
            .found(l)
            .unwrap_or_else(|| panic!("{} in {} not found", l.a, l.b));
        assert_eq!(p.via, Some(with.index(&rendering.a)), "{} in {}", l.a, l.b);
        assert!(p.comparison.passages.iter().all(|x| x.firm));
        with.assert_measured(l, 0.05);
        assert_eq!(without.predicted(l), (0.0, 0.0), "{} in {}", l.a, l.b);
    }
}

// Achieved when these were set (README): precision 1, recall 1 (of the copies whose true
// containment reaches the threshold), AP 0.999, ARI 0.923; excerpts: AP 0.981 and 0.981 (short excerpts under the threshold
// are not reported, so their clusters stay apart); containment MAE verbatim 0.000, partial
// 0.000, rewrite 0.053, translation 0.007, same-story 0.000, unrelated 0.
const PRECISION_FLOOR: f64 = 0.98;
const RECALL_FLOOR: f64 = 0.98;
const AP_FLOOR: f64 = 0.985;
const ARI_FLOOR: f64 = 0.92;
const MAE_CEILINGS: &[(&str, f64)] = &[
    ("verbatim", 0.01),
    ("partial", 0.01),
    ("rewrite", 0.08),
    ("translation", 0.03),
    ("same-story", 0.01),
    ("unrelated", 0.005),
];

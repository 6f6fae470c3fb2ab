//! Measuring reprint against labeled pairs: precision, recall, average precision and containment
//! error, overall and per relation kind; and the verdicts' confusion matrix, with the search that
//! calibrates their thresholds ([`evaluate_verdicts`], [`calibrate`]).
//!
//! Labels are a TSV file with a header. Two layouts are read:
//! - `corpus/labels.tsv`: `a  b  relation  containment_a_in_b  [note]`, where the relations
//!   `verbatim`, `partial`, `rewrite` and `translation` are copies and `same-story`, `unrelated` are
//!   not;
//! - the evaluation-set layout `docA  docB  label  kind  true_containment_a_in_b`, where `label` is
//!   1 for a copy.
//!
//! Every labeled pair is scored by what a scan *reported*: the predicted containment of A in B is
//! the one of the reported pair (oriented), or 0 when the scan did not report the pair. Labeled
//! copies that candidate generation misses therefore count as misses, as they would for a user.
//!
//! # Invariants
//! - Ids match document ids exactly, or after appending `.txt` (evaluation sets name files without
//!   their extension).
//! - Metrics depend only on the labels and the scan result.

use crate::error::{Error, Result};
use crate::origin::Side;
use crate::score::ScoredPair;
use crate::verdict::{Verdict, VerdictThresholds};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// One labeled pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// Id of A.
    pub a: String,
    /// Id of B.
    pub b: String,
    /// Relation kind (e.g. `partial`, `same-story`).
    pub kind: String,
    /// Whether B copies (part of) A.
    pub positive: bool,
    /// The true fraction of A found in B.
    pub containment: f64,
}

const POSITIVE_RELATIONS: &[&str] = &[
    "verbatim",
    "partial",
    "rewrite",
    "translation",
    "excerpt",
    "excerpt-translation",
    "translation-across",
    "partial-across",
];

/// Reads a labels file. Errors name the file and line.
pub fn read_labels(path: &Path) -> Result<Vec<Label>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_labels(path, &text)
}

fn parse_labels(path: &Path, text: &str) -> Result<Vec<Label>> {
    let bad = |line: usize, reason: String| Error::BadLabel {
        path: path.to_path_buf(),
        line: line as u64,
        reason,
    };
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = match lines.next() {
        Some((_, h)) => h.split('\t').collect(),
        None => return Err(bad(1, "empty file, expected a header line".into())),
    };
    let col = |names: &[&str]| header.iter().position(|h| names.contains(h));
    let (a, b) = (col(&["a", "docA"]), col(&["b", "docB"]));
    let kind = col(&["relation", "kind"]);
    let label = col(&["label"]);
    let cont = col(&["containment_a_in_b", "true_containment_a_in_b"]);
    let (Some(a), Some(b), Some(kind), Some(cont)) = (a, b, kind, cont) else {
        return Err(bad(
            1,
            "header must name a/docA, b/docB, relation/kind and containment_a_in_b columns".into(),
        ));
    };
    let mut out = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let get = |c: usize| {
            f.get(c)
                .copied()
                .ok_or_else(|| bad(i + 1, format!("missing column {}", c + 1)))
        };
        let kind_s = get(kind)?.to_string();
        let positive = match label {
            Some(l) => get(l)? == "1",
            None => POSITIVE_RELATIONS.contains(&kind_s.as_str()),
        };
        let c: f64 = get(cont)?
            .parse()
            .map_err(|_| bad(i + 1, format!("containment {:?} is not a number", f[cont])))?;
        out.push(Label {
            a: get(a)?.to_string(),
            b: get(b)?.to_string(),
            kind: kind_s,
            positive,
            containment: c,
        });
    }
    Ok(out)
}

/// Metrics of one group of labeled pairs.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Metrics {
    /// Labeled pairs in the group.
    pub pairs: usize,
    /// Labeled pairs whose documents were not both found in the input.
    pub missing_documents: usize,
    /// Copies among them.
    pub positives: usize,
    /// Copies reported (predicted containment of A in B reaching the threshold).
    pub true_positives: usize,
    /// Non-copies reported.
    pub false_positives: usize,
    /// `true_positives / reported` (1 when nothing was reported).
    pub precision: f64,
    /// `true_positives / positives` (1 when there is no copy in the group).
    pub recall: f64,
    /// Average precision of the predicted containment as a ranking of copies over non-copies.
    /// A group of copies alone (one relation kind) is ranked among every non-copy of the
    /// evaluation; a group of non-copies alone has none.
    pub average_precision: Option<f64>,
    /// Best F1 over all thresholds, and that threshold (ranked as for `average_precision`).
    pub best_f1: Option<(f64, f64)>,
    /// Mean absolute error of the predicted containment of A in B against the label.
    pub containment_mae: f64,
}

/// Evaluation of a scan against labels.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Evaluation {
    /// The threshold at which pairs count as reported.
    pub threshold: f64,
    /// All labeled pairs.
    pub overall: Metrics,
    /// Per relation kind, in name order.
    pub by_kind: BTreeMap<String, Metrics>,
    /// Adjusted Rand index of the clusters of reported pairs against the clusters of the labeled
    /// copies, over the documents the labels name: 1 is perfect agreement, 0 what chance gives.
    /// Clusters are connected components, of the positive labels on one side and of the labeled
    /// pairs reported at the threshold (by their best score) on the other.
    pub adjusted_rand_index: Option<f64>,
}

/// Scores `labels` against scan `pairs` over documents named `ids`. A labeled pair counts as
/// reported when its predicted containment of A in B reaches `threshold`.
pub fn evaluate(
    labels: &[Label],
    ids: &[&str],
    pairs: &[ScoredPair],
    threshold: f64,
) -> Evaluation {
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    let lookup = |id: &str| {
        index
            .get(id)
            .or_else(|| index.get(format!("{id}.txt").as_str()))
            .copied()
    };
    let found: HashMap<(usize, usize), (f64, f64)> = pairs
        .iter()
        .map(|p| {
            let c = &p.comparison;
            ((p.a, p.b), (c.containment_a_in_b, c.containment_b_in_a))
        })
        .collect();
    // (kind, positive, predicted, truth, documents present)
    let scored: Vec<(&str, bool, f64, f64, bool)> = labels
        .iter()
        .map(|l| {
            let (Some(a), Some(b)) = (lookup(&l.a), lookup(&l.b)) else {
                return (l.kind.as_str(), l.positive, 0.0, l.containment, false);
            };
            let predicted = if a < b {
                found.get(&(a, b)).map(|x| x.0)
            } else {
                found.get(&(b, a)).map(|x| x.1)
            };
            (
                l.kind.as_str(),
                l.positive,
                predicted.unwrap_or(0.0),
                l.containment,
                true,
            )
        })
        .collect();
    let mut by_kind: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for s in &scored {
        by_kind.entry(s.0.to_string()).or_default().push(*s);
    }
    let negatives: Vec<_> = scored.iter().filter(|s| !s.1).copied().collect();
    let labeled: Vec<(usize, usize, bool)> = labels
        .iter()
        .filter_map(|l| Some((lookup(&l.a)?, lookup(&l.b)?, l.positive)))
        .collect();
    // Only labeled pairs are edges: a corpus holds unlabeled text reuse too (the development set's
    // hosts share filler articles), which would chain every document into one cluster.
    let best: HashMap<(usize, usize), f64> = pairs
        .iter()
        .map(|p| ((p.a, p.b), p.comparison.max_score()))
        .collect();
    let edges = labeled
        .iter()
        .filter(|&&(a, b, _)| {
            let score = best.get(&(a.min(b), a.max(b))).copied().unwrap_or(0.0);
            crate::score::reaches(score, threshold)
        })
        .map(|&(a, b, _)| (a, b));
    Evaluation {
        threshold,
        adjusted_rand_index: cluster_agreement(ids.len(), &labeled, edges),
        overall: metrics(&scored, threshold),
        by_kind: by_kind
            .into_iter()
            .map(|(k, v)| {
                let mut m = metrics(&v, threshold);
                // A kind of copies alone has no ranking of its own: rank it among every
                // non-copy of the evaluation, which is how a user meets it.
                if m.positives == m.pairs && !negatives.is_empty() {
                    let mut with_negatives = v.clone();
                    with_negatives.extend_from_slice(&negatives);
                    let ranked = metrics(&with_negatives, threshold);
                    m.average_precision = ranked.average_precision;
                    m.best_f1 = ranked.best_f1;
                }
                (k, m)
            })
            .collect(),
    }
}

/// Adjusted Rand index (Hubert & Arabie, 1985) between the clusters of the copies found (connected
/// components of `found` edges over `n` documents) and the true ones (connected components of the
/// positive labels), over the documents that appear in a label. `None` without such documents.
fn cluster_agreement(
    n: usize,
    labeled: &[(usize, usize, bool)],
    found: impl Iterator<Item = (usize, usize)>,
) -> Option<f64> {
    use crate::cluster::{find, union};
    let mut truth: Vec<usize> = (0..n).collect();
    let mut members = vec![false; n];
    for &(a, b, positive) in labeled {
        members[a] = true;
        members[b] = true;
        if positive {
            union(&mut truth, a, b);
        }
    }
    let mut predicted: Vec<usize> = (0..n).collect();
    for (a, b) in found {
        union(&mut predicted, a, b);
    }
    let mut cells: HashMap<(usize, usize), u64> = HashMap::new();
    let mut rows: HashMap<usize, u64> = HashMap::new();
    let mut cols: HashMap<usize, u64> = HashMap::new();
    let mut total = 0u64;
    for d in (0..n).filter(|&d| members[d]) {
        let (t, p) = (find(&mut truth, d), find(&mut predicted, d));
        *cells.entry((t, p)).or_default() += 1;
        *rows.entry(t).or_default() += 1;
        *cols.entry(p).or_default() += 1;
        total += 1;
    }
    if total == 0 {
        return None;
    }
    let pairs_of = |k: u64| (k * k.saturating_sub(1) / 2) as f64;
    let index: f64 = cells.values().map(|&k| pairs_of(k)).sum();
    let (sum_rows, sum_cols): (f64, f64) = (
        rows.values().map(|&k| pairs_of(k)).sum(),
        cols.values().map(|&k| pairs_of(k)).sum(),
    );
    let expected = sum_rows * sum_cols / pairs_of(total).max(1.0);
    let max = (sum_rows + sum_cols) / 2.0;
    // Both partitions all singletons (or one block each): they agree exactly.
    if (max - expected).abs() < f64::EPSILON {
        return Some(1.0);
    }
    Some((index - expected) / (max - expected))
}

fn metrics(scored: &[(&str, bool, f64, f64, bool)], threshold: f64) -> Metrics {
    let mut m = Metrics {
        pairs: scored.len(),
        missing_documents: scored.iter().filter(|s| !s.4).count(),
        positives: scored.iter().filter(|s| s.1).count(),
        ..Metrics::default()
    };
    for &(_, pos, pred, _, _) in scored {
        if crate::score::reaches(pred, threshold) {
            if pos {
                m.true_positives += 1;
            } else {
                m.false_positives += 1;
            }
        }
    }
    let reported = m.true_positives + m.false_positives;
    m.precision = if reported == 0 {
        1.0
    } else {
        m.true_positives as f64 / reported as f64
    };
    m.recall = if m.positives == 0 {
        1.0
    } else {
        m.true_positives as f64 / m.positives as f64
    };
    m.containment_mae = if scored.is_empty() {
        0.0
    } else {
        scored.iter().map(|s| (s.2 - s.3).abs()).sum::<f64>() / scored.len() as f64
    };
    if m.positives > 0 && m.positives < scored.len() {
        let mut ranked: Vec<(f64, bool)> = scored.iter().map(|s| (s.2, s.1)).collect();
        // Ties are ranked pessimistically (negatives first) so a constant score earns nothing.
        ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        let (mut tp, mut ap) = (0usize, 0.0f64);
        let mut best = (0.0f64, 0.0f64);
        for (k, &(score, pos)) in ranked.iter().enumerate() {
            if pos {
                tp += 1;
                ap += tp as f64 / (k + 1) as f64;
            }
            let last_of_tie = ranked.get(k + 1).is_none_or(|n| n.0 < score);
            if last_of_tie && score > 0.0 {
                let f1 = 2.0 * tp as f64 / ((k + 1) + m.positives) as f64;
                if f1 > best.0 {
                    best = (f1, score);
                }
            }
        }
        m.average_precision = Some(ap / m.positives as f64);
        m.best_f1 = Some(best);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pair;

    #[test]
    fn reads_both_layouts() {
        let ours = parse_labels(
            Path::new("l.tsv"),
            "a\tb\trelation\tcontainment_a_in_b\tnote\nx.txt\ty.txt\tpartial\t0.3\tsome note\nx.txt\tz.txt\tsame-story\t0\t\n",
        )
        .unwrap();
        assert_eq!(ours.len(), 2);
        assert!(ours[0].positive && !ours[1].positive);
        let theirs = parse_labels(
            Path::new("p.tsv"),
            "docA\tdocB\tlabel\tkind\ttrue_containment_a_in_b\nd1\td2\t1\tshort-excerpt\t0.3310\n",
        )
        .unwrap();
        assert!(theirs[0].positive);
        assert_eq!(theirs[0].containment, 0.331);
        let err = parse_labels(Path::new("p.tsv"), "a\tb\nx\ty\n").unwrap_err();
        assert!(err.to_string().starts_with("p.tsv:1:"), "{err}");
        let err = parse_labels(
            Path::new("p.tsv"),
            "a\tb\trelation\tcontainment_a_in_b\nx\ty\tpartial\tlots\n",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("p.tsv:2:"), "{err}");
    }

    #[test]
    fn metrics_follow_orientation_and_misses() {
        let ids = ["a.txt", "b.txt", "c.txt", "d.txt"];
        let label = |a: &str, b: &str, pos: bool, c: f64| Label {
            a: a.into(),
            b: b.into(),
            kind: if pos { "partial" } else { "unrelated" }.into(),
            positive: pos,
            containment: c,
        };
        let labels = [
            label("b", "a", true, 0.5), // reported as (a, b): use containment_b_in_a
            label("a.txt", "c.txt", true, 1.0), // missed: predicted 0
            label("c.txt", "d.txt", false, 0.0), // false positive
            label("a.txt", "zzz", false, 0.0), // unknown document
        ];
        let pairs = [pair(0, 1, 0.9, 0.45), pair(2, 3, 0.2, 0.1)];
        let e = evaluate(&labels, &ids, &pairs, 0.15);
        let o = &e.overall;
        assert_eq!(
            (o.true_positives, o.false_positives, o.positives),
            (1, 1, 2)
        );
        assert_eq!(o.missing_documents, 1);
        assert_eq!(o.precision, 0.5);
        assert_eq!(o.recall, 0.5);
        let mae = (0.05 + 1.0 + 0.2 + 0.0) / 4.0;
        assert!((o.containment_mae - mae).abs() < 1e-12);
        // Ranking: 0.45 (pos), 0.2 (neg), 0 (pos), 0 (neg) → AP = (1/1 + 2/4) / 2.
        assert!((o.average_precision.unwrap() - 0.75).abs() < 1e-12);
        assert_eq!(e.by_kind["partial"].recall, 0.5);
        // The copies of one kind are ranked among every non-copy: the unrelated pair's 0.2
        // (and the tie at 0 with the unknown one) stand between them as above.
        let partial = &e.by_kind["partial"];
        assert!((partial.average_precision.unwrap() - 0.75).abs() < 1e-12);
        assert_eq!(e.by_kind["unrelated"].average_precision, None);
    }

    #[test]
    fn cluster_agreement_is_one_when_exact_and_falls_with_wrong_merges() {
        let labeled = [
            (0, 1, true),
            (1, 2, true),
            (3, 4, true),
            (0, 3, false),
            (5, 0, false),
        ];
        let exact = cluster_agreement(6, &labeled, [(0, 1), (2, 1), (4, 3)].into_iter());
        assert_eq!(exact, Some(1.0));
        // Found through another edge of the same component: still exact.
        let other = cluster_agreement(6, &labeled, [(0, 2), (1, 2), (3, 4)].into_iter());
        assert_eq!(other, Some(1.0));
        // Everything merged into one cluster: no better than chance.
        let all = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)];
        assert!(cluster_agreement(6, &labeled, all.into_iter()).unwrap() <= 0.0);
        // One copy missed: between the two.
        let missed = cluster_agreement(6, &labeled, [(0, 1), (3, 4)].into_iter()).unwrap();
        assert!(missed > 0.3 && missed < 1.0, "{missed}");
        // Contingency of the missed case by hand: truth {0,1,2},{3,4},{5}; found {0,1},{2},{3,4},
        // {5}: index 2, rows 3 + 1, columns 1 + 1, expected 4·2/15, max 3.
        let expected = 8.0 / 15.0;
        assert!((missed - (2.0 - expected) / (3.0 - expected)).abs() < 1e-12);
        assert_eq!(cluster_agreement(6, &[], [(0, 1)].into_iter()), None);
    }
}

/// Verdicts against labels: the confusion matrix and the precision of each verdict, and where
/// the origin was claimed.
///
/// A labeled pair is expected to be `independent` when it is not a copy; a copy is expected to be
/// `copy` when its true containment is at least [`WHOLE_COPY`] and its kind is not a partial one
/// (`partial…`, `short-excerpt…`), `partial` otherwise. A pair the scan does not report (its
/// best score under the reporting threshold) gets `independent`, as a user would see it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct VerdictEvaluation {
    /// The thresholds evaluated.
    pub thresholds: VerdictThresholds,
    /// The reporting threshold (`--min-score`).
    pub min_score: f64,
    /// `confusion[expected][predicted]`, both in the order copy, partial, independent.
    pub confusion: [[usize; 3]; 3],
    /// Per verdict, in the same order: correct / predicted (`None` when never predicted).
    pub precision: [Option<f64>; 3],
    /// Per verdict: correct / expected (`None` when never expected).
    pub recall: [Option<f64>; 3],
    /// Labeled pairs whose verdict is wrong.
    pub errors: usize,
    /// Per relation kind, over its labeled copies given a `copy` or `partial` verdict: how often
    /// the origin was the labeled A (the text copied), the labeled B, or unknown.
    pub origin: BTreeMap<String, OriginCounts>,
}

/// Origin claims on labeled copies.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct OriginCounts {
    /// The origin given is the labeled A (in a label, B copies A).
    pub a: usize,
    /// The origin given is the labeled B.
    pub b: usize,
    /// No origin claimed.
    pub unknown: usize,
}

/// A labeled copy whose true containment reaches this is wholly derived (rewrites and
/// translations that cut a few sentences keep more than 0.8 of the text in the corpus; partial
/// copies keep at most 0.79).
pub const WHOLE_COPY: f64 = 0.8;

/// The verdict a labeled pair should get (see [`VerdictEvaluation`]).
pub fn expected_verdict(l: &Label) -> Verdict {
    let partial_kind = l.kind.starts_with("partial") || l.kind.starts_with("short-excerpt");
    if !l.positive {
        Verdict::Independent
    } else if partial_kind || l.containment < WHOLE_COPY {
        Verdict::Partial
    } else {
        Verdict::Copy
    }
}

/// Each label with its reported pair (if the scan reported it above `min_score`), and whether
/// the label names the pair's documents in the other order.
fn oriented<'p>(
    labels: &[Label],
    ids: &[&str],
    pairs: &'p [ScoredPair],
    min_score: f64,
) -> Vec<Option<(&'p ScoredPair, bool)>> {
    let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    let lookup = |id: &str| {
        index
            .get(id)
            .or_else(|| index.get(format!("{id}.txt").as_str()))
            .copied()
    };
    let found: HashMap<(usize, usize), &ScoredPair> = pairs
        .iter()
        .map(|p| ((p.a.min(p.b), p.a.max(p.b)), p))
        .collect();
    labels
        .iter()
        .map(|l| {
            let (a, b) = (lookup(&l.a)?, lookup(&l.b)?);
            let p = found.get(&(a.min(b), a.max(b)))?;
            p.comparison.reaches(min_score).then_some((*p, p.a != a))
        })
        .collect()
}

fn verdict_index(v: Verdict) -> usize {
    Verdict::ALL
        .iter()
        .position(|&w| w == v)
        .expect("every verdict is in ALL")
}

/// The predicted verdict of each label (`independent` when not reported).
fn predicted(found: &[Option<(&ScoredPair, bool)>], t: &VerdictThresholds) -> Vec<Verdict> {
    found
        .iter()
        .map(|f| match f {
            Some((p, _)) => t.verdict(
                p.comparison.containment_a_in_b,
                p.comparison.containment_b_in_a,
            ),
            None => Verdict::Independent,
        })
        .collect()
}

/// Evaluates the verdicts at `thresholds` of the pairs a scan reported at `min_score`.
/// `origin_of` gives the origin of a reported pair, in the pair's own orientation.
pub fn evaluate_verdicts(
    labels: &[Label],
    ids: &[&str],
    pairs: &[ScoredPair],
    min_score: f64,
    thresholds: &VerdictThresholds,
    origin_of: &dyn Fn(&ScoredPair, Verdict) -> Side,
) -> VerdictEvaluation {
    let found = oriented(labels, ids, pairs, min_score);
    let got = predicted(&found, thresholds);
    let mut confusion = [[0usize; 3]; 3];
    let mut origin: BTreeMap<String, OriginCounts> = BTreeMap::new();
    for ((l, f), &v) in labels.iter().zip(&found).zip(&got) {
        confusion[verdict_index(expected_verdict(l))][verdict_index(v)] += 1;
        if let (true, Some((p, flipped)), false) = (l.positive, f, v == Verdict::Independent) {
            let counts = origin.entry(l.kind.clone()).or_default();
            match (origin_of(p, v), flipped) {
                (Side::Unknown, _) => counts.unknown += 1,
                (Side::A, false) | (Side::B, true) => counts.a += 1,
                _ => counts.b += 1,
            }
        }
    }
    let ratio = |num: usize, den: usize| (den > 0).then(|| num as f64 / den as f64);
    let mut precision = [None; 3];
    let mut recall = [None; 3];
    for v in 0..3 {
        let predicted: usize = (0..3).map(|e| confusion[e][v]).sum();
        precision[v] = ratio(confusion[v][v], predicted);
        recall[v] = ratio(confusion[v][v], confusion[v].iter().sum());
    }
    VerdictEvaluation {
        thresholds: *thresholds,
        min_score,
        errors: labels.len() - (0..3).map(|v| confusion[v][v]).sum::<usize>(),
        confusion,
        precision,
        recall,
        origin,
    }
}

/// What [`calibrate`] found: the fewest verdict errors on a 0.01 grid, and the range of each
/// threshold that reaches it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Calibration {
    /// Fewest wrong verdicts over the grid.
    pub errors: usize,
    /// Lowest and highest `whole` among the best (`whole`, `mutual`) grid points.
    pub whole: (f64, f64),
    /// Lowest and highest `mutual` among them.
    pub mutual: (f64, f64),
    /// Lowest and highest `partial` that keep the fewest errors with `whole` and `mutual` at
    /// their defaults, when the defaults are among the best points, else at the best point
    /// nearest the defaults.
    pub partial: (f64, f64),
    /// Wrong verdicts at the default thresholds.
    pub errors_at_defaults: usize,
}

/// Searches the verdict thresholds on a grid of 0.01 for the fewest wrong verdicts on `labels`
/// (`whole` in 0.50–1.00, `mutual` in 0.30–1.00, then `partial` in 0.01–0.50).
pub fn calibrate(
    labels: &[Label],
    ids: &[&str],
    pairs: &[ScoredPair],
    min_score: f64,
) -> Calibration {
    let found = oriented(labels, ids, pairs, min_score);
    let expected: Vec<Verdict> = labels.iter().map(expected_verdict).collect();
    let errors = |t: &VerdictThresholds| {
        predicted(&found, t)
            .iter()
            .zip(&expected)
            .filter(|(p, e)| p != e)
            .count()
    };
    let d = VerdictThresholds::default();
    let grid = |from: u32, to: u32| (from..=to).map(|i| f64::from(i) / 100.0);
    let mut points: Vec<(usize, f64, f64)> = Vec::new();
    for whole in grid(50, 100) {
        for mutual in grid(30, 100) {
            let t = VerdictThresholds { whole, mutual, ..d };
            points.push((errors(&t), whole, mutual));
        }
    }
    let best = points.iter().map(|p| p.0).min().unwrap_or(0);
    let optimal: Vec<&(usize, f64, f64)> = points.iter().filter(|p| p.0 == best).collect();
    let range = |xs: &mut dyn Iterator<Item = f64>| {
        xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        })
    };
    let (_, whole, mutual) = optimal
        .iter()
        .min_by(|x, y| {
            let dist = |p: &&&(usize, f64, f64)| (p.1 - d.whole).abs() + (p.2 - d.mutual).abs();
            dist(x).total_cmp(&dist(y))
        })
        .map(|p| **p)
        .unwrap_or((0, d.whole, d.mutual));
    let partials: Vec<(usize, f64)> = grid(1, 50)
        .map(|partial| {
            let t = VerdictThresholds {
                whole,
                mutual,
                partial,
            };
            (errors(&t), partial)
        })
        .collect();
    let best_partial = partials.iter().map(|p| p.0).min().unwrap_or(0);
    Calibration {
        errors: best.min(best_partial),
        whole: range(&mut optimal.iter().map(|p| p.1)),
        mutual: range(&mut optimal.iter().map(|p| p.2)),
        partial: range(&mut partials.iter().filter(|p| p.0 == best_partial).map(|p| p.1)),
        errors_at_defaults: errors(&d),
    }
}

#[cfg(test)]
mod verdict_tests {
    use super::*;
    use crate::testing::pair;

    fn label(a: &str, b: &str, kind: &str, positive: bool, c: f64) -> Label {
        Label {
            a: a.into(),
            b: b.into(),
            kind: kind.into(),
            positive,
            containment: c,
        }
    }

    #[test]
    fn expected_verdicts_follow_kind_and_containment() {
        assert_eq!(
            expected_verdict(&label("a", "b", "verbatim", true, 1.0)),
            Verdict::Copy
        );
        assert_eq!(
            expected_verdict(&label("a", "b", "translation", true, 0.33)),
            Verdict::Partial
        );
        assert_eq!(
            expected_verdict(&label("a", "b", "short-excerpt", true, 0.9)),
            Verdict::Partial
        );
        assert_eq!(
            expected_verdict(&label("a", "b", "same-story", false, 0.0)),
            Verdict::Independent
        );
    }

    #[test]
    fn confusion_precision_and_origin() {
        let ids = ["w", "page", "rewrite", "digest", "other"];
        let labels = [
            label("w", "page", "verbatim", true, 1.0),
            label("rewrite", "w", "rewrite", true, 0.9), // reported as (w, rewrite): flipped
            label("w", "digest", "partial", true, 0.4),
            label("w", "other", "same-story", false, 0.0), // reported, wrongly a partial copy
            label("page", "other", "unrelated", false, 0.0), // not reported
        ];
        let pairs = [
            pair(0, 1, 1.0, 0.5),
            pair(0, 2, 0.7, 0.8),
            pair(0, 3, 0.4, 0.2),
            pair(0, 4, 0.15, 0.1),
            pair(1, 4, 0.05, 0.05),
        ];
        let t = VerdictThresholds::default();
        // Origin: the pair's A when A is more contained, else unknown.
        let origin_of = |p: &ScoredPair, _: Verdict| {
            let c = &p.comparison;
            if c.containment_a_in_b > c.containment_b_in_a {
                Side::A
            } else {
                Side::Unknown
            }
        };
        let e = evaluate_verdicts(&labels, &ids, &pairs, 0.10, &t, &origin_of);
        assert_eq!(e.confusion, [[2, 0, 0], [0, 1, 0], [0, 1, 1]]);
        assert_eq!(e.precision, [Some(1.0), Some(0.5), Some(1.0)]);
        assert_eq!(e.recall, [Some(1.0), Some(1.0), Some(0.5)]);
        assert_eq!(e.errors, 1);
        assert_eq!(
            e.origin["verbatim"],
            OriginCounts {
                a: 1,
                b: 0,
                unknown: 0
            }
        );
        assert_eq!(
            e.origin["rewrite"],
            OriginCounts {
                a: 0,
                b: 0,
                unknown: 1
            }
        );
        assert_eq!(e.origin["partial"].a, 1);
        // Below the reporting threshold a pair is independent whatever its containments.
        let e = evaluate_verdicts(&labels, &ids, &pairs, 0.5, &t, &origin_of);
        assert_eq!(e.confusion[1], [0, 0, 1]);
    }

    #[test]
    fn calibration_finds_the_separating_ranges() {
        let ids = ["a", "b", "c", "d"];
        let labels = [
            label("a", "b", "verbatim", true, 1.0),
            label("a", "c", "partial", true, 0.5),
            label("a", "d", "unrelated", false, 0.0),
        ];
        let pairs = [
            pair(0, 1, 0.95, 0.6),
            pair(0, 2, 0.5, 0.3),
            pair(0, 3, 0.2, 0.04),
        ];
        let c = calibrate(&labels, &ids, &pairs, 0.0);
        assert_eq!(c.errors, 0);
        // The copy is found by `whole` ≤ 0.95 or by `mutual` ≤ 0.6; the partial copy must stay
        // under both (`whole` > 0.5, `mutual` > 0.3).
        assert_eq!(c.whole, (0.51, 1.0));
        assert_eq!(c.mutual, (0.31, 1.0));
        assert_eq!(c.partial, (0.21, 0.5));
        assert_eq!(
            c.errors_at_defaults, 1,
            "0.2 is a partial copy at the default 0.10"
        );
    }
}

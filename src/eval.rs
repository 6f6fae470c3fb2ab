//! Measuring reprint against labeled pairs: precision, recall, average precision and containment
//! error, overall and per relation kind.
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
use crate::scan::ScoredPair;
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

const POSITIVE_RELATIONS: &[&str] = &["verbatim", "partial", "rewrite", "translation"];

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
    /// Average precision of the predicted containment as a ranking of copies over non-copies
    /// (only defined when the group has both).
    pub average_precision: Option<f64>,
    /// Best F1 over all thresholds, and that threshold (only with both classes).
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
    Evaluation {
        threshold,
        overall: metrics(&scored, threshold),
        by_kind: by_kind
            .into_iter()
            .map(|(k, v)| (k, metrics(&v, threshold)))
            .collect(),
    }
}

fn metrics(scored: &[(&str, bool, f64, f64, bool)], threshold: f64) -> Metrics {
    let mut m = Metrics {
        pairs: scored.len(),
        missing_documents: scored.iter().filter(|s| !s.4).count(),
        positives: scored.iter().filter(|s| s.1).count(),
        ..Metrics::default()
    };
    for &(_, pos, pred, _, _) in scored {
        if pred >= threshold && pred > 0.0 {
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
    use crate::scan::test_support::pair;

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
    }
}

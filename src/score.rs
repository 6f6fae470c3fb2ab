//! Scores of a pair: resemblance, and containment each way, from the shingle sets and the alignment.
//!
//! - `resemblance` is the Jaccard similarity of the two shingle sets: symmetric, and low whenever
//!   the texts differ in length, even if one is wholly inside the other.
//! - `containment_a_in_b` is the fraction of A's text, counted in A's words, that lies inside
//!   passages aligned with B. It is the headline score: syndication is asymmetric, and a short wire
//!   story inside a long page has containment near 1 and low resemblance. Words, not characters:
//!   that is how the evaluation data counts it, and on its partial copies words give half the
//!   containment error that characters give (docs/evaluation.md).
//!
//! # Invariants
//! - All scores are in `[0, 1]`; a text without words scores 0 against anything, itself included.
//! - Passages are sorted by their start in A, and do not overlap on either side.

use crate::align::{coverage, Alignment};
use crate::normalize::Tokens;
use std::ops::Range;

/// A passage of A found again in B, as byte ranges of the two original texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passage {
    /// Byte range in A's original text.
    pub a: Range<usize>,
    /// Byte range in B's original text.
    pub b: Range<usize>,
    /// Number of content terms matched inside the passage (evidence strength).
    pub matches: usize,
    /// The passage stands on its own evidence (see [`Alignment::firm`]).
    pub firm: bool,
}

/// A pair of documents of a set, by position, with its scores: what `scan` reports, and what
/// [`crate::bridge`], [`crate::cluster`] and [`crate::eval`] consume.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredPair {
    /// Index of the first document (the smaller index).
    pub a: usize,
    /// Index of the second document.
    pub b: usize,
    /// Its scores and passages.
    pub comparison: Comparison,
    /// The document through which the pair was found, when neither text aligns with the other
    /// directly but one aligns with a whole copy of the other ([`crate::bridge`]), or is a copy
    /// in a near-duplicate group of the other's ([`crate::scan`]).
    pub via: Option<usize>,
}

/// The scores of one pair of texts.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Jaccard similarity of the shingle sets, in `[0, 1]`.
    pub resemblance: f64,
    /// Fraction of A's words covered by passages found in B.
    pub containment_a_in_b: f64,
    /// Fraction of B's words covered by passages found in A.
    pub containment_b_in_a: f64,
    /// The shared passages, sorted by position in A.
    pub passages: Vec<Passage>,
}

/// Whether a pair whose best score is `score` is reported at `min_score`: it is positive and
/// reaches it (at `min_score` 0, a pair sharing nothing is still not reported). The one rule of
/// `scan`, its bounds, the index, the cross-lingual pairs and `eval`.
pub(crate) fn reaches(score: f64, min_score: f64) -> bool {
    score >= min_score && score > 0.0
}

impl Comparison {
    /// The largest of the three scores: what `--min-score` is compared with.
    pub fn max_score(&self) -> f64 {
        self.resemblance
            .max(self.containment_a_in_b)
            .max(self.containment_b_in_a)
    }

    /// Whether a pair scoring this is reported at `min_score`: its best score is positive and
    /// reaches it (at `min_score` 0, a pair sharing nothing is still not reported).
    pub fn reaches(&self, min_score: f64) -> bool {
        reaches(self.max_score(), min_score)
    }

    /// Builds the scores from an alignment of token ranges.
    pub(crate) fn from_alignment(
        resemblance: f64,
        a: &Tokens,
        b: &Tokens,
        alignment: &[Alignment],
    ) -> Comparison {
        let passages = alignment
            .iter()
            .map(|al| Passage {
                a: a.get(al.a.start).start..a.get(al.a.end - 1).end,
                b: b.get(al.b.start).start..b.get(al.b.end - 1).end,
                matches: al.matches,
                firm: al.firm,
            })
            .collect();
        Comparison {
            resemblance: clamp01(resemblance),
            containment_a_in_b: clamp01(coverage(a, alignment.iter().map(|p| &p.a))),
            containment_b_in_a: clamp01(coverage(b, alignment.iter().map(|p| &p.b))),
            passages,
        }
    }
}

fn clamp01(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tokenize;

    #[test]
    fn containment_counts_words_each_way() {
        // A: four words; B: A's first three words inside five.
        let a = "Les dés en ville";
        let b = "Hier, les dés en jeu";
        let (ta, tb) = (tokenize(a), tokenize(b));
        let alignment = [Alignment {
            a: 0..3,
            b: 1..4,
            matches: 3,
            firm: true,
        }];
        let c = Comparison::from_alignment(0.25, &ta, &tb, &alignment);
        assert_eq!(c.containment_a_in_b, 3.0 / 4.0);
        assert_eq!(c.containment_b_in_a, 3.0 / 5.0);
        assert_eq!(c.passages[0].a, 0..11, "byte offsets: `é` takes two bytes");
        assert_eq!(&b[c.passages[0].b.clone()], "les dés en");
        assert_eq!(c.max_score(), 3.0 / 4.0);
    }

    #[test]
    fn scores_stay_in_the_unit_interval() {
        let t = tokenize("un mot");
        let c = Comparison::from_alignment(f64::NAN, &t, &t, &[]);
        assert_eq!((c.resemblance, c.containment_a_in_b), (0.0, 0.0));
        let c = Comparison::from_alignment(1.5, &t, &t, &[]);
        assert_eq!(c.resemblance, 1.0);
    }
}

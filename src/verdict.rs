//! Graded verdicts: is a pair a `copy` (one text wholly derived from the other), a `partial` copy
//! (part of one is in the other), or `independent`?
//!
//! The verdict reads only the two containments. Resemblance adds nothing the containments do not
//! already say (it is low whenever lengths differ, and every labeled kind separates on
//! containment), so it is not used.
//!
//! - **copy** when one text is nearly all in the other (the larger containment reaches
//!   [`VerdictThresholds::whole`], 0.90: a wire story inside a page with menus and footers), or
//!   each is mostly in the other (the smaller containment reaches [`VerdictThresholds::mutual`],
//!   0.65: a rewrite or translation that cuts a few sentences, where neither side is whole);
//! - **partial** when the larger containment reaches [`VerdictThresholds::partial`], 0.10;
//! - **independent** otherwise.
//!
//! # Calibration
//! The thresholds are the ones `reprint eval --calibrate` finds best on the labeled corpus
//! (`corpus/labels.tsv`) and on the development split of the evaluation set, where a labeled copy
//! is expected to be `copy` when its true containment is at least 0.8 (whole-article kinds:
//! verbatim, rewrite, translation), `partial` below (partial copies and excerpts, and the corpus's
//! pages that hold a run of paragraphs of a second rendering), and a negative `independent`:
//!
//! - `mutual`: the corpus allows 0.64–0.67 and no other value (its largest partial copy of a
//!   second rendering has 0.64 and 0.63 each way; its most cut-down rewrite 0.68 and 0.74); the
//!   development split allows 0.53–1.00. 0.65 is inside both, near the middle of the corpus's range.
//! - `whole`: the corpus allows 0.80–1.00, the development split 0.67–1.00 (nothing between their
//!   largest partial copy, 0.79 and 0.61, and a whole verbatim copy, 1.0, needs it); 0.90 is the
//!   middle of the corpus's range.
//! - `partial`: any value up to the reporting floor (`--min-score` 0.10) is optimal on both sets
//!   (corpus 0.01–0.20, development 0.01–0.10), since no negative pair reaches 0.10 (the highest
//!   is 0.071); 0.10 is the most cautious of them.
//!
//! docs/evaluation.md gives the confusion matrices and the precision of each verdict.
//!
//! ```
//! use reprint::verdict::{Verdict, VerdictThresholds};
//! let t = VerdictThresholds::default();
//! assert_eq!(t.verdict(1.0, 0.45), Verdict::Copy); // a wire story inside a page
//! assert_eq!(t.verdict(0.87, 0.74), Verdict::Copy); // a rewrite that cut a few sentences
//! assert_eq!(t.verdict(0.79, 0.53), Verdict::Partial); // four fifths of a story among briefs
//! assert_eq!(t.verdict(0.06, 0.04), Verdict::Independent);
//! ```

use serde::Serialize;

/// The graded relation of a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// One text is wholly derived from the other.
    Copy,
    /// Part of one text is in the other.
    Partial,
    /// Neither text derives from the other (as far as the scores show).
    Independent,
}

impl Verdict {
    /// The three verdicts, strongest first.
    pub const ALL: [Verdict; 3] = [Verdict::Copy, Verdict::Partial, Verdict::Independent];

    /// The verdict's name as printed: `copy`, `partial` or `independent`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Copy => "copy",
            Verdict::Partial => "partial",
            Verdict::Independent => "independent",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The containment thresholds of the verdicts (see the module docs for how they were measured).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct VerdictThresholds {
    /// `copy` when the larger containment reaches this: one text is (nearly) all in the other.
    pub whole: f64,
    /// `copy` when the smaller containment reaches this: each text is mostly in the other.
    pub mutual: f64,
    /// `partial` when the larger containment reaches this.
    pub partial: f64,
}

impl Default for VerdictThresholds {
    fn default() -> Self {
        VerdictThresholds {
            whole: 0.90,
            mutual: 0.65,
            partial: 0.10,
        }
    }
}

impl VerdictThresholds {
    /// The verdict of a pair whose containments are `a_in_b` and `b_in_a`.
    pub fn verdict(&self, a_in_b: f64, b_in_a: f64) -> Verdict {
        let (hi, lo) = if a_in_b >= b_in_a {
            (a_in_b, b_in_a)
        } else {
            (b_in_a, a_in_b)
        };
        // A text without words scores 0 both ways: never a copy, even at thresholds of 0.
        if hi <= 0.0 {
            Verdict::Independent
        } else if hi >= self.whole || lo >= self.mutual {
            Verdict::Copy
        } else if hi >= self.partial {
            Verdict::Partial
        } else {
            Verdict::Independent
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_are_symmetric_and_ordered() {
        let t = VerdictThresholds::default();
        for &(x, y) in &[(1.0, 0.4), (0.8, 0.7), (0.3, 0.2), (0.05, 0.0), (0.0, 0.0)] {
            assert_eq!(t.verdict(x, y), t.verdict(y, x));
        }
        // Raising either containment never weakens the verdict.
        let rank = |v: Verdict| Verdict::ALL.iter().position(|&w| w == v).unwrap();
        for i in 0..=20 {
            for j in 0..=20 {
                let (x, y) = (i as f64 / 20.0, j as f64 / 20.0);
                let v = rank(t.verdict(x, y));
                assert!(rank(t.verdict((x + 0.05).min(1.0), y)) <= v);
                assert!(rank(t.verdict(x, (y + 0.05).min(1.0))) <= v);
            }
        }
    }

    #[test]
    fn boundaries() {
        let t = VerdictThresholds::default();
        assert_eq!(t.verdict(0.90, 0.0), Verdict::Copy);
        assert_eq!(t.verdict(0.8999, 0.64), Verdict::Partial);
        assert_eq!(t.verdict(0.7, 0.65), Verdict::Copy);
        assert_eq!(t.verdict(0.10, 0.0), Verdict::Partial);
        assert_eq!(t.verdict(0.0999, 0.09), Verdict::Independent);
        let zero = VerdictThresholds {
            whole: 0.0,
            mutual: 0.0,
            partial: 0.0,
        };
        assert_eq!(zero.verdict(0.0, 0.0), Verdict::Independent);
        assert_eq!(
            serde_json::to_string(&Verdict::Partial).unwrap(),
            "\"partial\""
        );
    }
}

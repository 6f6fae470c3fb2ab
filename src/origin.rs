//! Origin: for a pair judged a copy or a partial copy, which of the two is the likely source, and
//! why. `unknown` is an answer: a claim needs evidence.
//!
//! The evidence, strongest first:
//!
//! 1. **Dates.** When both documents have a `date` (JSONL input) and they differ, the earlier one.
//! 2. **Containment, for copies.** When one text is wholly in the other (containment ≥
//!    [`VerdictThresholds::whole`]) but the other is not mostly in it (< [`VerdictThresholds::mutual`]),
//!    the wholly contained one: the other is a page that wraps it in text of its own (menus,
//!    footers, other stories). It does not fire on rewrites and translations, where each side is
//!    mostly in the other, because there an abridged copy and an extended source look alike.
//!    Containment alone says nothing for partial copies: measured on the labeled data, the side
//!    more contained in the other is the source only three times in four.
//! 3. **Wire cues, with containment.** A text carrying an agency's own form (a dateline
//!    `PARIS (AFP) -` or `© AFP`) next to the shared text, when the other does not, or when the
//!    other reproduces it but also credits agency copy (`Avec AFP`: a page made from the dispatch).
//!    Cues are never the only evidence: the cued side must also be clearly the more contained one
//!    (by at least [`MARGIN`]), as a source is. A dateline counts only within [`NEAR`] bytes of a
//!    shared passage: on the development set, composite pages carry datelines of *other* stories
//!    in their filler, and with no such condition four partial copies were given the wrong origin.
//!    A credit line alone (`Avec Reuters et AFP` on one side, no cue on the other) is not taken as
//!    evidence: on the corpus it would name a digest page as the source of another page that
//!    copies the same dispatch, as readily as it names the dispatch in the seed pair.
//!
//! Measured by `reprint eval` (origin of labeled copies, where B copies A): docs/evaluation.md
//! gives the figures; on both labeled sets no labeled copy is given the wrong origin.
//!
//! # Invariants
//! - An `independent` pair has an `unknown` origin.
//! - The result depends only on the arguments; swapping A and B swaps the answer.

use crate::score::Passage;
use crate::verdict::{Verdict, VerdictThresholds};
use crate::wire::{CueKind, WireCues};
use serde::Serialize;

/// Which document of a pair is the likely source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Document A.
    A,
    /// Document B.
    B,
    /// The evidence does not say.
    Unknown,
}

impl Side {
    /// `a`, `b` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::A => "a",
            Side::B => "b",
            Side::Unknown => "unknown",
        }
    }

    fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
            Side::Unknown => Side::Unknown,
        }
    }
}

/// What is known of one document besides its text.
#[derive(Clone, Copy, Debug, Default)]
pub struct DocEvidence<'a> {
    /// Its `date`, as given (JSONL input).
    pub date: Option<&'a str>,
    /// Its wire cues.
    pub wire: Option<&'a WireCues>,
}

/// The likely source of a pair, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// Which side.
    pub side: Side,
    /// The evidence, in words.
    pub reason: String,
}

impl Origin {
    fn unknown(reason: &str) -> Origin {
        Origin {
            side: Side::Unknown,
            reason: reason.to_string(),
        }
    }
}

/// How much more contained the cued side must be than the other for a wire cue to count.
pub const MARGIN: f64 = 0.05;

/// Bytes between an agency-form cue and a shared passage within which the cue belongs to the
/// shared story (a dateline directly precedes the story's first sentence).
pub const NEAR: usize = 300;

/// The likely source of a pair with verdict `verdict`, containments `a_in_b`, `b_in_a` and shared
/// `passages` (byte ranges of A and B).
pub fn origin(
    verdict: Verdict,
    a_in_b: f64,
    b_in_a: f64,
    passages: &[Passage],
    a: &DocEvidence,
    b: &DocEvidence,
    t: &VerdictThresholds,
) -> Origin {
    if verdict == Verdict::Independent {
        return Origin::unknown("no copy relation");
    }
    let side = |first: bool| if first { Side::A } else { Side::B };
    let name = |s: Side| if s == Side::A { "A" } else { "B" };
    // 1. Dates.
    if let (Some(da), Some(db)) = (a.date, b.date) {
        if let (Some(ta), Some(tb)) = (parse_date(da), parse_date(db)) {
            if ta != tb {
                let (s, early, late) = if ta < tb {
                    (Side::A, da, db)
                } else {
                    (Side::B, db, da)
                };
                return Origin {
                    side: s,
                    reason: format!("earlier date ({} before {})", early.trim(), late.trim()),
                };
            }
        }
    }
    // 2. A copy wholly contained in a page that adds text of its own.
    let (hi, lo) = (a_in_b.max(b_in_a), a_in_b.min(b_in_a));
    if verdict == Verdict::Copy && hi >= t.whole && lo < t.mutual {
        let s = side(a_in_b >= b_in_a);
        return Origin {
            side: s,
            reason: format!(
                "all of {} is in {} ({hi:.2}), which adds text of its own (only {lo:.2} of it is in {})",
                name(s),
                name(s.other()),
                name(s)
            ),
        };
    }
    // 3. Wire cues, corroborated by containment.
    if let (Some(wa), Some(wb)) = (a.wire, b.wire) {
        // Whether a cue lies within NEAR bytes of a shared passage of its side.
        let near = |start: usize, end: usize, on_a: bool| {
            passages.iter().any(|p| {
                let r = if on_a { &p.a } else { &p.b };
                start <= r.end.saturating_add(NEAR) && r.start <= end.saturating_add(NEAR)
            })
        };
        let cue = |w: &WireCues, on_a: bool| {
            w.cues
                .iter()
                .find(|c| c.kind.is_agency_form() && near(c.start, c.end, on_a))
                .map(|c| c.text.clone())
        };
        let credit = |w: &WireCues| w.first(CueKind::Credit).map(|c| c.text.clone());
        let evidence = match (cue(wa, true), cue(wb, false), credit(wa), credit(wb)) {
            (Some(c), None, _, _) => Some((
                Side::A,
                format!("A carries the agency's own form `{c}` and B does not"),
            )),
            (None, Some(c), _, _) => Some((
                Side::B,
                format!("B carries the agency's own form `{c}` and A does not"),
            )),
            // Both carry the dateline, but one also says it was written from agency copy: the
            // other is the dispatch, the crediting one a page made from it.
            (Some(c), Some(_), None, Some(k)) => Some((
                Side::A,
                format!("A carries the agency's own form `{c}`, and B, which credits agency copy (`{k}`), reproduces it"),
            )),
            (Some(_), Some(c), Some(k), None) => Some((
                Side::B,
                format!("B carries the agency's own form `{c}`, and A, which credits agency copy (`{k}`), reproduces it"),
            )),
            _ => None,
        };
        if let Some((s, why)) = evidence {
            let (mine, theirs) = if s == Side::A {
                (a_in_b, b_in_a)
            } else {
                (b_in_a, a_in_b)
            };
            if mine >= theirs + MARGIN {
                return Origin {
                    side: s,
                    reason: format!(
                        "{why}; more of {} is in {} ({mine:.2}) than the other way ({theirs:.2})",
                        name(s),
                        name(s.other())
                    ),
                };
            }
        }
    }
    Origin::unknown("no differing dates, and neither containment nor wire cues single out a source")
}

/// A `date` as Unix seconds: an integer, or `YYYY-MM-DD` with an optional `THH:MM[:SS]` (or a
/// space instead of `T`), read as UTC; anything after the seconds (a fraction, a zone) is ignored.
/// `None` when it is neither.
pub fn parse_date(date: &str) -> Option<u64> {
    let d = date.trim();
    if let Ok(n) = d.parse::<u64>() {
        return Some(n);
    }
    let num = |s: Option<&str>| s.and_then(|x| x.parse::<u64>().ok());
    let (day, time) = d.split_at(d.find(['T', ' ']).unwrap_or(d.len()));
    let mut ymd = day.splitn(3, '-');
    let (y, m, dd) = (num(ymd.next())?, num(ymd.next())?, num(ymd.next())?);
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&dd) {
        return None;
    }
    let time = time.get(1..).unwrap_or("");
    let mut hms = time.splitn(3, ':');
    let h = num(hms.next().filter(|x| !x.is_empty())).unwrap_or(0);
    let min = num(hms.next()).unwrap_or(0);
    let sec = hms.next().and_then(|x| num(x.get(..2))).unwrap_or(0);
    // Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days calculation
    // described by Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms").
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + dd - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + min * 60 + sec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire;

    fn ev<'a>(date: Option<&'a str>, wire: &'a WireCues) -> DocEvidence<'a> {
        DocEvidence {
            date,
            wire: Some(wire),
        }
    }

    #[test]
    fn earlier_date_wins() {
        let t = VerdictThresholds::default();
        let none = WireCues::default();
        let o = origin(
            Verdict::Partial,
            0.3,
            0.4,
            &[],
            &ev(Some("2022-09-08T10:00"), &none),
            &ev(Some("2022-09-07"), &none),
            &t,
        );
        assert_eq!(o.side, Side::B);
        assert_eq!(
            o.reason,
            "earlier date (2022-09-07 before 2022-09-08T10:00)"
        );
        // Same instant, or one date unreadable: dates say nothing.
        for (da, db) in [
            ("2022-09-07", "2022-09-07T00:00:00Z"),
            ("2022-09-07", "soon"),
        ] {
            let o = origin(
                Verdict::Partial,
                0.3,
                0.4,
                &[],
                &ev(Some(da), &none),
                &ev(Some(db), &none),
                &t,
            );
            assert_eq!(o.side, Side::Unknown, "{da} {db}");
        }
    }

    #[test]
    fn wholly_contained_story_in_a_page() {
        let t = VerdictThresholds::default();
        let d = DocEvidence::default();
        let o = origin(Verdict::Copy, 1.0, 0.47, &[], &d, &d, &t);
        assert_eq!(o.side, Side::A);
        assert!(
            o.reason.starts_with("all of A is in B (1.00)"),
            "{}",
            o.reason
        );
        assert_eq!(
            origin(Verdict::Copy, 0.47, 1.0, &[], &d, &d, &t).side,
            Side::B
        );
        // A rewrite: each side mostly in the other; containment does not tell.
        assert_eq!(
            origin(Verdict::Copy, 0.85, 0.99, &[], &d, &d, &t).side,
            Side::Unknown
        );
        // Partial copies: containment alone never decides.
        assert_eq!(
            origin(Verdict::Partial, 0.6, 0.2, &[], &d, &d, &t).side,
            Side::Unknown
        );
        assert_eq!(
            origin(Verdict::Independent, 1.0, 0.2, &[], &d, &d, &t).side,
            Side::Unknown
        );
    }

    #[test]
    fn wire_cues_need_containment_to_agree() {
        let t = VerdictThresholds::default();
        let dispatch = wire::find("PARIS (AFP) - Le texte de la dépêche.");
        let credited = wire::find("Le texte réécrit.\n\nAvec AFP");
        let none = WireCues::default();
        // The seed's case: B credits agency copy, A has no cue. Not evidence enough: two pages
        // made from one dispatch look the same.
        let o = origin(
            Verdict::Partial,
            0.26,
            0.16,
            &[],
            &ev(None, &none),
            &ev(None, &credited),
            &t,
        );
        assert_eq!(o.side, Side::Unknown);
        let near = [Passage {
            a: 0..17,
            b: 14..37,
            matches: 4,
            firm: true,
        }];
        let o = origin(
            Verdict::Copy,
            0.7,
            0.8,
            &near,
            &ev(None, &credited),
            &ev(None, &dispatch),
            &t,
        );
        assert_eq!(o.side, Side::B);
        assert!(
            o.reason
                .starts_with("B carries the agency's own form `PARIS (AFP) -`"),
            "{}",
            o.reason
        );
        // Cues alone are not enough: here the containments point the other way, or differ by
        // less than the margin.
        for (x, y) in [(0.8, 0.7), (0.77, 0.8)] {
            let o = origin(
                Verdict::Copy,
                x,
                y,
                &near,
                &ev(None, &credited),
                &ev(None, &dispatch),
                &t,
            );
            assert_eq!(o.side, Side::Unknown, "{x} {y}");
        }
        // A page that reproduces the dateline and credits the agency, against the dispatch.
        let page = wire::find("Accueil\nPARIS (AFP) - Le texte de la dépêche.\nAvec AFP");
        let both = [Passage {
            a: 8..44,
            b: 0..36,
            matches: 4,
            firm: true,
        }];
        let o = origin(
            Verdict::Copy,
            0.7,
            1.0,
            &both,
            &ev(None, &page),
            &ev(None, &dispatch),
            &t,
        );
        assert_eq!(o.side, Side::B, "{}", o.reason);
        assert_eq!(
            o.reason,
            "B carries the agency's own form `PARIS (AFP) -`, and A, which credits agency copy (`Avec AFP`), reproduces it; more of B is in A (1.00) than the other way (0.70)"
        );
        // A dateline far from every shared passage belongs to another story of the page.
        let far = [Passage {
            a: 0..20,
            b: 400..500,
            matches: 4,
            firm: true,
        }];
        let o = origin(
            Verdict::Copy,
            0.7,
            0.8,
            &far,
            &ev(None, &none),
            &ev(None, &dispatch),
            &t,
        );
        assert_eq!(o.side, Side::Unknown);
        // A containment margin under 0.05 is no corroboration.
        let o = origin(
            Verdict::Partial,
            0.26,
            0.25,
            &[],
            &ev(None, &none),
            &ev(None, &credited),
            &t,
        );
        assert_eq!(o.side, Side::Unknown);
        // Both carry the dateline (a page reproducing the dispatch): no evidence.
        let o = origin(
            Verdict::Partial,
            0.5,
            0.3,
            &[],
            &ev(None, &dispatch),
            &ev(None, &dispatch),
            &t,
        );
        assert_eq!(o.side, Side::Unknown);
    }

    #[test]
    fn swapping_sides_swaps_the_answer() {
        let t = VerdictThresholds::default();
        let cues = [
            wire::find("PARIS (AFP) - x"),
            wire::find("Avec AFP"),
            WireCues::default(),
        ];
        let dates = [None, Some("2022-01-01"), Some("2023-01-01")];
        let shared = [Passage {
            a: 14..15,
            b: 500..600,
            matches: 4,
            firm: true,
        }];
        let swapped = [Passage {
            a: 500..600,
            b: 14..15,
            matches: 4,
            firm: true,
        }];
        for (x, y) in [(1.0, 0.4), (0.3, 0.2), (0.7, 0.8), (0.26, 0.16)] {
            for ca in &cues {
                for cb in &cues {
                    for da in dates {
                        for db in dates {
                            let (a, b) = (ev(da, ca), ev(db, cb));
                            let v = t.verdict(x, y);
                            let o1 = origin(v, x, y, &shared, &a, &b, &t);
                            let o2 = origin(v, y, x, &swapped, &b, &a, &t);
                            assert_eq!(o1.side, o2.side.other());
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn dates_parse() {
        assert_eq!(parse_date("1700000000"), Some(1_700_000_000));
        assert_eq!(parse_date("2022-09-08"), Some(1_662_595_200));
        assert_eq!(parse_date("2024-02-29T12:30:15Z"), Some(1_709_209_815));
        for bad in ["", "yesterday", "2022-13-01", "1969-12-31", "2022-09"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}

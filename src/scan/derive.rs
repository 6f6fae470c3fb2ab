//! Pairs derived through near-duplicate groups (step 6 of [`super`]).
//!
//! A group's members are copies of its representative ([`super::groups`]), each aligned with it
//! once. The pairs they make are derived rather than aligned:
//!
//! - two members of one group: the member's passages with the representative, carried to the
//!   other member through the other's passages with the representative;
//! - a member and a document paired with its representative (directly, or through a whole copy
//!   by [`crate::bridge`]): that pair's passages carried to the member; both sides in groups,
//!   through both representatives.
//!
//! Carrying follows [`crate::bridge`]: where two passages overlap on the document between, the
//! overlap is carried to each end in proportion and widened to whole words; pieces overlapping
//! at the near end merge, pieces overlapping at the far end keep the larger. Unlike a bridge,
//! weak passages are carried too: a member is a copy of the representative, so comparing it
//! directly would find them again. Containment is counted in words, as for any pair;
//! resemblance is not measured and is 0.
//!
//! `k` copies cost `k` alignments, not `k²`, and each derived pair a few operations on
//! passage ranges: 20 bytes held per derived pair reported, passages made again only when
//! asked for ([`super::ScanResult::derived_comparison`]).
//!
//! # Invariants
//! - A pair that scan compared directly (or bridged) is never derived: direct evidence wins.
//! - Derived pairs are `(a, b)`, `a < b`, sorted, each once, and depend only on the groups and
//!   the pairs given.

use super::groups::{Grouping, Link, Piece, NONE};
use super::{ScanOptions, ScoredPair, Words};
use crate::normalize::Tokens;
use crate::score::{Comparison, Passage};
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::Range;

/// A pair derived through a group's representative, with its containments (compact: a copy
/// cluster of `k` documents makes `k²/2` of them).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DerivedPair {
    /// The first document (the smaller index).
    pub a: u32,
    /// The second document.
    pub b: u32,
    /// The representative it was derived through (of `a`'s group if `a` is a member, else of
    /// `b`'s).
    pub via: u32,
    /// Share of `a`'s words in passages found in `b`.
    pub containment_a_in_b: f32,
    /// Share of `b`'s words in passages found in `a`.
    pub containment_b_in_a: f32,
}

impl DerivedPair {
    /// The larger containment: what `--min-score` is compared with.
    pub fn max_score(&self) -> f64 {
        f64::from(self.containment_a_in_b.max(self.containment_b_in_a))
    }
}

/// What deriving needs, kept to make a derived pair's passages again.
#[derive(Clone, Debug, Default)]
pub(crate) struct Expansion {
    /// Each member's representative, [`NONE`] for other documents.
    rep_of: Vec<u32>,
    /// Each member's passages with its representative (near: the member).
    member: HashMap<u32, Link, ahash::RandomState>,
    /// The passages of each pair reported between a representative and a document outside its
    /// group, from the first document's side, by `(first, second)`.
    link: HashMap<(u32, u32), Link, ahash::RandomState>,
    /// Members of each representative, ascending.
    members_of: HashMap<u32, Vec<u32>, ahash::RandomState>,
}

/// The part of `to` that `part` (inside `from`) corresponds to, in proportion, widened to whole
/// words.
fn carry(part: &Range<u32>, from: &Range<u32>, to: &Range<u32>) -> Range<u32> {
    let (len, span) = (
        u64::from(from.end - from.start).max(1),
        u64::from(to.end - to.start),
    );
    let at = |x: u32, up: bool| {
        let off = u64::from(x - from.start) * span;
        let q = if up { off.div_ceil(len) } else { off / len };
        to.start + q as u32
    };
    let start = at(part.start, false);
    let end = at(part.end, true).max(start + 1).min(to.end.max(start + 1));
    start..end
}

/// The passages from `copy`'s near side to `link`'s far side through the document they share
/// (`copy`'s far side, `link`'s near side).
fn compose(copy: &Link, link: &Link) -> Link {
    let mut pieces: Vec<Piece> = Vec::new();
    for lp in &link.pieces {
        for cp in &copy.pieces {
            let o = lp.near.start.max(cp.far.start)..lp.near.end.min(cp.far.end);
            if o.start >= o.end {
                continue;
            }
            pieces.push(Piece {
                near: carry(&o, &cp.far, &cp.near),
                far: carry(&o, &lp.near, &lp.far),
                firm: lp.firm && cp.firm,
            });
        }
    }
    Link {
        pieces: one_to_one(pieces),
        words: copy.words,
        far_words: link.far_words,
    }
}

/// Pieces made one-to-one, sorted by their near side: pieces overlapping at the near end merge;
/// of pieces overlapping at the far end, the larger stays.
fn one_to_one(mut pieces: Vec<Piece>) -> Vec<Piece> {
    pieces.sort_by_key(|p| (p.near.start, p.near.end, p.far.start));
    let mut merged: Vec<Piece> = Vec::with_capacity(pieces.len());
    for p in pieces {
        match merged.last_mut() {
            Some(last) if p.near.start < last.near.end => {
                last.near.end = last.near.end.max(p.near.end);
                last.far = last.far.start.min(p.far.start)..last.far.end.max(p.far.end);
                last.firm &= p.firm;
            }
            _ => merged.push(p),
        }
    }
    let mut by_size: Vec<usize> = (0..merged.len()).collect();
    by_size.sort_by_key(|&i| (std::cmp::Reverse(merged[i].near.len()), i));
    let mut keep = vec![false; merged.len()];
    for &i in &by_size {
        let f = &merged[i].far;
        if (0..merged.len())
            .filter(|&k| keep[k])
            .all(|k| merged[k].far.end <= f.start || f.end <= merged[k].far.start)
        {
            keep[i] = true;
        }
    }
    merged
        .into_iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(p))
        .collect()
}

/// The containments of a derived link's near side in its far side and back.
fn scores(link: &Link) -> (f32, f32) {
    let mut far: Vec<&Range<u32>> = link.pieces.iter().map(|p| &p.far).collect();
    far.sort_by_key(|r| r.start);
    (
        cover(link.pieces.iter().map(|p| &p.near), link.words),
        cover(far.into_iter(), link.far_words),
    )
}

/// Share of `words` covered by the ranges (sorted by start, not overlapping).
fn cover<'r>(ranges: impl Iterator<Item = &'r Range<u32>>, words: u32) -> f32 {
    if words == 0 {
        return 0.0;
    }
    let n: u32 = ranges.map(|r| r.end - r.start).sum();
    (n as f32 / words as f32).min(1.0)
}

impl Expansion {
    /// The passages of pair `(a, b)` through the link `(x, y)` (`x` is `a` or its
    /// representative, `y` is `b` or its), from `a`'s side, if that link was reported.
    fn through(&self, a: u32, b: u32, x: u32, y: u32) -> Option<Link> {
        let mut hops: Vec<Link> = Vec::with_capacity(3);
        if x != a {
            hops.push(self.member.get(&a)?.clone());
        }
        if x != y {
            hops.push(if x < y {
                self.link.get(&(x, y))?.clone()
            } else {
                self.link.get(&(y, x))?.flipped()
            });
        }
        if y != b {
            hops.push(self.member.get(&b)?.flipped());
        }
        let mut hops = hops.into_iter();
        let first = hops.next()?;
        Some(hops.fold(first, |acc, next| compose(&acc, &next)))
    }

    /// The passages of derived pair `(a, b)` (`a < b`) from `a`'s side, and the representative
    /// they were carried through: of the reported pairs joining `a` or its representative to
    /// `b` or its, the one that carries the most (each finds only what passes through it).
    fn route(&self, a: u32, b: u32) -> Option<(Link, u32)> {
        let (ra, rb) = (self.rep(a), self.rep(b));
        let mut best: Option<(f32, Link, u32)> = None;
        let mut links = [(ra, rb), (a, rb), (ra, b)];
        links.sort_unstable();
        for (k, &(x, y)) in links.iter().enumerate() {
            if (x, y) == (a, b) || (k > 0 && links[k - 1] == (x, y)) {
                continue;
            }
            let Some(link) = self.through(a, b, x, y) else {
                continue;
            };
            let (ab, ba) = scores(&link);
            if best.as_ref().is_none_or(|b| ab.max(ba) > b.0) {
                best = Some((ab.max(ba), link, if x != a { x } else { y }));
            }
        }
        best.map(|(_, link, via)| (link, via))
    }

    fn rep(&self, d: u32) -> u32 {
        match self.rep_of[d as usize] {
            NONE => d,
            r => r,
        }
    }

    fn derived(&self, a: u32, b: u32) -> Option<DerivedPair> {
        let (a, b) = (a.min(b), a.max(b));
        let (link, via) = self.route(a, b)?;
        let (containment_a_in_b, containment_b_in_a) = scores(&link);
        Some(DerivedPair {
            a,
            b,
            via,
            containment_a_in_b,
            containment_b_in_a,
        })
    }

    /// The comparison of a derived pair, its passages as byte ranges of the two texts whose
    /// words are `ta` and `tb`.
    pub(crate) fn comparison(&self, p: &DerivedPair, ta: &Tokens, tb: &Tokens) -> Comparison {
        let link = self.route(p.a, p.b).map(|x| x.0).unwrap_or_default();
        let bytes = |t: &Tokens, r: &Range<u32>| {
            let (s, e) = (r.start as usize, (r.end as usize).min(t.len()));
            if s >= e {
                return 0..0;
            }
            t.get(s).start..t.get(e - 1).end
        };
        let passages = link
            .pieces
            .iter()
            .map(|x| Passage {
                a: bytes(ta, &x.near),
                b: bytes(tb, &x.far),
                matches: 0,
                firm: x.firm,
            })
            .filter(|x| !x.a.is_empty() && !x.b.is_empty())
            .collect();
        Comparison {
            resemblance: 0.0,
            containment_a_in_b: f64::from(p.containment_a_in_b),
            containment_b_in_a: f64::from(p.containment_b_in_a),
            passages,
        }
    }
}

/// The pairs derived through the groups of `grouping` from the pairs reported (`pairs`,
/// sorted, the pairs of members with their representatives among them), those `options`
/// reports, sorted; and what is needed to make their passages again.
pub(crate) fn derive(
    grouping: &Grouping,
    pairs: &[ScoredPair],
    words: &Words<'_>,
    options: &ScanOptions,
) -> (Vec<DerivedPair>, Expansion) {
    let mut x = Expansion {
        rep_of: grouping.rep_of.clone(),
        ..Expansion::default()
    };
    if grouping.groups.is_empty() {
        return (Vec::new(), x);
    }
    for g in &grouping.groups {
        let mut ms: Vec<u32> = Vec::with_capacity(g.members.len());
        for m in &g.members {
            x.member.insert(m.doc, m.link.clone());
            ms.push(m.doc);
        }
        x.members_of.insert(g.representative, ms);
    }
    let is_rep = |d: usize| x.members_of.contains_key(&(d as u32));
    let own = |m: usize, r: usize| grouping.rep_of[m] == r as u32;
    // Pairs of a representative with a document outside its group (a member of another group
    // included): their passages are carried to the group's members.
    let links: Vec<&ScoredPair> = pairs
        .iter()
        .filter(|p| (is_rep(p.a) || is_rep(p.b)) && !own(p.a, p.b) && !own(p.b, p.a))
        .collect();
    let made: Vec<((u32, u32), Link)> = links
        .par_iter()
        .map_init(
            || (Tokens::new(), Tokens::new()),
            |(ta, tb), p| {
                words(p.a, ta);
                words(p.b, tb);
                ((p.a as u32, p.b as u32), Link::of(p, p.a, ta, tb))
            },
        )
        .collect();
    x.link.extend(made);
    let direct = |a: u32, b: u32| {
        pairs
            .binary_search_by_key(&(a as usize, b as usize), |p| (p.a, p.b))
            .is_ok()
    };
    let keep = |p: Option<DerivedPair>| {
        p.filter(|p| crate::score::reaches(p.max_score(), options.min_score))
    };
    // Tasks: (one document, the documents it is paired with through a group).
    let empty: Vec<u32> = Vec::new();
    let group_of = |r: u32| x.members_of.get(&r).unwrap_or(&empty);
    let mut tasks: Vec<(u32, &[u32])> = Vec::new();
    for g in &grouping.groups {
        let ms = group_of(g.representative);
        for (i, &m) in ms.iter().enumerate() {
            tasks.push((m, &ms[i + 1..]));
        }
    }
    let mut cross: Vec<(u32, Vec<u32>)> = Vec::new();
    for p in &links {
        let (a, b) = (p.a as u32, p.b as u32);
        let (ua, ub) = (group_of(a), group_of(b));
        // Every document of a's side with every document of b's side but (a, b) itself.
        for &u in std::iter::once(&a).chain(ua) {
            let vs: Vec<u32> = std::iter::once(b)
                .chain(ub.iter().copied())
                .filter(|&v| !(u == a && v == b))
                .collect();
            if !vs.is_empty() {
                cross.push((u, vs));
            }
        }
    }
    tasks.extend(cross.iter().map(|(u, vs)| (*u, &vs[..])));
    let found: Vec<Vec<DerivedPair>> = tasks
        .par_iter()
        .map(|&(u, vs)| {
            vs.iter()
                .filter(|&&v| !direct(u.min(v), u.max(v)))
                .filter_map(|&v| keep(x.derived(u, v)))
                .collect()
        })
        .collect();
    let mut out: Vec<DerivedPair> = found.into_iter().flatten().collect();
    out.par_sort_unstable_by_key(|p| (p.a, p.b));
    // A pair met through several links was derived the same way each time (its best route).
    out.dedup_by_key(|p| (p.a, p.b));
    (out, x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(near: Range<u32>, far: Range<u32>) -> Piece {
        Piece {
            near,
            far,
            firm: true,
        }
    }

    #[test]
    fn carrying_keeps_proportions_and_whole_words() {
        assert_eq!(carry(&(10..20), &(0..100), &(0..100)), 10..20);
        assert_eq!(carry(&(10..20), &(0..100), &(0..50)), 5..10);
        // A one-word overlap stays at least one word.
        assert_eq!(carry(&(3..4), &(0..100), &(0..10)), 0..1);
    }

    #[test]
    fn two_copies_share_what_both_share_with_the_representative() {
        // The representative: 100 words. Member x: a 10-word header, then words 0..90 of it.
        // Member y: words 20..100 of it, then a 15-word footer.
        let x = Link {
            pieces: vec![piece(10..100, 0..90)],
            words: 100,
            far_words: 100,
        };
        let y = Link {
            pieces: vec![piece(0..80, 20..100)],
            words: 95,
            far_words: 100,
        };
        let d = compose(&x, &y.flipped());
        // Words 20..90 of the representative: x's 30..100, y's 0..70.
        assert_eq!(d.pieces, vec![piece(30..100, 0..70)]);
        assert_eq!(cover(d.pieces.iter().map(|p| &p.near), d.words), 0.7);
        assert_eq!((d.words, d.far_words), (100, 95));
    }
}

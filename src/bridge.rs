//! Copies of copies: a page that quotes one rendering of a story quotes the story.
//!
//! Wire copy reaches pages through intermediaries. Site X publishes a machine translation of wire
//! story A; page B pastes a paragraph of X. B and A may share too few words to align (two
//! renderings of one sentence can differ in almost every content word), yet B aligns with X word
//! for word, and X with A as a whole. When the corpus holds the intermediary, [`derive()`] composes
//! the two alignments: the passages of X found in B are carried back into A through the passages
//! of A found in X, and the pair (A, B) is reported with the passages so found and `via` = X.
//!
//! Rules:
//! - The link between A and X is a whole copy: verdict `copy` ([`VerdictThresholds`]).
//! - Only the [firm](crate::align::Alignment::firm) passages of the link between X and B are
//!   carried over: a clause two reports of one event share, carried to every copy of one of
//!   them, would become as many false pairs.
//! - Only pairs whose direct comparison found no passage are derived: direct evidence always
//!   wins. One
//!   step only (a copy of a copy of a copy is found through the copies, which are pairs of
//!   their own).
//! - Inside a passage, positions are carried proportionally, then widened to whole words.
//!   Containment is counted in the words of A and B covered, as for any pair; resemblance (shingle
//!   Jaccard) is not measured and is 0.
//! - Of several intermediaries, the one giving the largest score is kept; ties go to the lowest
//!   document index.
//!
//! Measured on the development set (docs/evaluation.md): of 42 short excerpts of another rendering, 32 align
//! directly and the other 10 are found this way (their average precision 0.762 → 0.996), and no
//! non-copy gains a score. The crawler's index does not bridge: it answers for one page at a
//! time, and the copy that would bridge may arrive after the page.
//!
//! # Invariants
//! - The result depends only on the pairs given (in any order) and the texts, never on the number
//!   of threads.
//! - Derived pairs are `(a, b)` with `a < b`, none of them among the pairs given, each with
//!   passages sorted by their start in A, overlapping neither in A nor in B.

use crate::align::coverage;
use crate::normalize::Tokens;
use crate::score::ScoredPair;
use crate::score::{Comparison, Passage};
use crate::verdict::{Verdict, VerdictThresholds};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

/// Whole copies of an intermediary considered, at most (those of lowest index): a story copied
/// thousands of times would otherwise make pairs by the million, each of which its own copies
/// already explain.
pub const MAX_COPIES_PER_INTERMEDIARY: usize = 256;

/// Documents sharing firm passages with an intermediary considered, at most (those of lowest
/// index): with the cap on copies, the routes through one intermediary stay below a million
/// whatever the corpus.
pub const MAX_LINKS_PER_INTERMEDIARY: usize = 4096;

/// Intermediaries tried per derived pair, at most (those of lowest index).
const MAX_INTERMEDIARIES: usize = 16;

/// Pairs derived from `pairs` (the direct comparisons of a corpus, `a < b`) through whole copies.
/// `tokens(i, out)` puts document `i`'s words into `out`.
pub fn derive(
    pairs: &[ScoredPair],
    n_docs: usize,
    thresholds: &VerdictThresholds,
    tokens: &(dyn Fn(usize, &mut Tokens) + Sync),
) -> Vec<ScoredPair> {
    let mut copies: Vec<Vec<usize>> = vec![Vec::new(); n_docs];
    let mut links: Vec<Vec<usize>> = vec![Vec::new(); n_docs];
    let mut direct: HashSet<(usize, usize)> = HashSet::with_capacity(pairs.len());
    for (k, p) in pairs.iter().enumerate() {
        let c = &p.comparison;
        // A pair scored only by resemblance (a few shingles in common, no passage) is no
        // direct evidence of a copy.
        if c.passages.is_empty() {
            continue;
        }
        direct.insert(ordered(p.a, p.b));
        if thresholds.verdict(c.containment_a_in_b, c.containment_b_in_a) == Verdict::Copy {
            copies[p.a].push(k);
            copies[p.b].push(k);
        }
        if c.passages.iter().any(|x| x.firm) {
            links[p.a].push(k);
            links[p.b].push(k);
        }
    }
    let other = |k: usize, x: usize| {
        let p = &pairs[k];
        if p.a == x {
            p.b
        } else {
            p.a
        }
    };
    // (a, b) → the routes to it.
    let mut wanted: BTreeMap<(usize, usize), Vec<Route>> = BTreeMap::new();
    for x in 0..n_docs {
        if links[x].is_empty() {
            continue;
        }
        let mut near: Vec<usize> = copies[x].clone();
        near.sort_unstable_by_key(|&k| other(k, x));
        near.truncate(MAX_COPIES_PER_INTERMEDIARY);
        let mut far: Vec<usize> = links[x].clone();
        far.sort_unstable_by_key(|&k| other(k, x));
        far.truncate(MAX_LINKS_PER_INTERMEDIARY);
        for &ck in &near {
            let a = other(ck, x);
            for &lk in &far {
                let b = other(lk, x);
                if a == b || direct.contains(&ordered(a, b)) {
                    continue;
                }
                wanted.entry(ordered(a, b)).or_default().push(Route {
                    via: x,
                    copy: ck,
                    link: lk,
                });
            }
        }
    }
    let wanted: Vec<_> = wanted.into_iter().collect();
    let derived: Vec<Option<ScoredPair>> = wanted
        .into_par_iter()
        .map_init(
            || (Tokens::new(), Tokens::new()),
            |(ta, tb), ((a, b), mut routes)| {
                tokens(a, ta);
                tokens(b, tb);
                routes.sort_unstable();
                routes.truncate(MAX_INTERMEDIARIES);
                let mut best: Option<ScoredPair> = None;
                for r in &routes {
                    let (x, ck, lk) = (r.via, r.copy, r.link);
                    let c = compose(a, b, x, &pairs[ck], &pairs[lk], ta, tb);
                    if c.max_score() > best.as_ref().map_or(0.0, |p| p.comparison.max_score()) {
                        best = Some(ScoredPair {
                            a,
                            b,
                            comparison: c,
                            via: Some(x),
                        });
                    }
                }
                best
            },
        )
        .collect();
    derived.into_iter().flatten().collect()
}

/// One way to a derived pair: the intermediary, the pair (index in the pairs given) linking it
/// with its whole copy, and the pair linking it with the other text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Route {
    via: usize,
    copy: usize,
    link: usize,
}

fn ordered(x: usize, y: usize) -> (usize, usize) {
    (x.min(y), x.max(y))
}

/// The passages of `pair` as (range in `from`, range in the other document).
fn oriented(pair: &ScoredPair, from: usize) -> impl Iterator<Item = (&Range<usize>, &Passage)> {
    let flip = pair.a != from;
    pair.comparison
        .passages
        .iter()
        .map(move |p| (if flip { &p.b } else { &p.a }, p))
}

/// The other side of a passage oriented by [`oriented`].
fn far_side(pair: &ScoredPair, from: usize, p: &Passage) -> Range<usize> {
    if pair.a == from {
        p.b.clone()
    } else {
        p.a.clone()
    }
}

/// The part of `to` that `part` (inside `from`) corresponds to, in proportion.
fn carry(part: &Range<usize>, from: &Range<usize>, to: &Range<usize>) -> Range<usize> {
    let scale = |at: usize| {
        let off = (at - from.start) as u128 * to.len() as u128 / from.len().max(1) as u128;
        to.start + off as usize
    };
    scale(part.start)..scale(part.end)
}

/// The words of `tokens` that `bytes` touches, as a token index range (empty if none).
pub(crate) fn words_in(tokens: &Tokens, bytes: &Range<usize>) -> Range<usize> {
    let t = tokens.as_slice();
    let first = t.partition_point(|w| w.end <= bytes.start);
    let last = t.partition_point(|w| w.start < bytes.end);
    first..last.max(first)
}

/// The pair (`a`, `b`) through `x`, for engines that find the routes themselves (the Spark job):
/// `copy` is the comparison of `x` with one of `a` and `b` (a whole copy), `link` that of `x`
/// with the other, each a [`ScoredPair`] as `scan` makes it (its `a` the document that comes
/// first, compared with the later one); `ta` and `tb` are the words of `a` and `b`, and `a`
/// comes before `b`. The result is oriented from `a` to `b`. [`derive()`] applies the rules (a
/// whole copy, firm passages, no direct passage) before calling this; this composes whatever it
/// is given.
pub fn compose(
    a: usize,
    b: usize,
    x: usize,
    copy: &ScoredPair,
    link: &ScoredPair,
    ta: &Tokens,
    tb: &Tokens,
) -> Comparison {
    // `near` is the end of the copy pair that is not x, the other end of the link is `far`.
    let near = if copy.a == a || copy.b == a { a } else { b };
    let (tn, tf) = if near == a { (ta, tb) } else { (tb, ta) };
    // Token ranges in near and far, one piece per overlap of a copy passage with a link passage.
    let mut pieces: Vec<(Range<usize>, Range<usize>, usize)> = Vec::new();
    for (in_x, lp) in oriented(link, x) {
        if !lp.firm {
            continue;
        }
        let in_far = far_side(link, x, lp);
        for (in_x2, cp) in oriented(copy, x) {
            let o = in_x.start.max(in_x2.start)..in_x.end.min(in_x2.end);
            if o.start >= o.end {
                continue;
            }
            let n = words_in(tn, &carry(&o, in_x2, &far_side(copy, x, cp)));
            let f = words_in(tf, &carry(&o, in_x, &in_far));
            if !n.is_empty() && !f.is_empty() {
                pieces.push((n, f, lp.matches));
            }
        }
    }
    // One-to-one: pieces overlapping in `near` whose places in `far` meet merge (one passage
    // cut by the other pair's passages). Pieces that meet in `near` only are two places: their
    // hull in `far` would cover text neither holds, so the smaller gives up the words of `near`
    // the larger has (carried in proportion and widened to words, neighbours can share one);
    // a piece overlapping a kept one in `far`, or inside one in `near`, is dropped.
    pieces.sort_by_key(|p| (p.0.start, p.0.end, p.1.start));
    let meet = |x: &Range<usize>, y: &Range<usize>| x.start <= y.end && y.start <= x.end;
    let apart = |x: &Range<usize>, y: &Range<usize>| x.end <= y.start || y.end <= x.start;
    let mut merged: Vec<(Range<usize>, Range<usize>, usize)> = Vec::new();
    for (n, f, m) in pieces {
        match merged.last_mut() {
            Some(last) if n.start < last.0.end && meet(&last.1, &f) => {
                last.0.end = last.0.end.max(n.end);
                last.1 = last.1.start.min(f.start)..last.1.end.max(f.end);
                last.2 += m;
            }
            _ => merged.push((n, f, m)),
        }
    }
    let mut kept: Vec<(Range<usize>, Range<usize>, usize)> = Vec::new();
    let mut by_size: Vec<usize> = (0..merged.len()).collect();
    by_size.sort_by_key(|&i| (std::cmp::Reverse(merged[i].0.len()), i));
    for i in by_size {
        let (mut n, f, m) = merged[i].clone();
        for k in &kept {
            if k.0.start <= n.start && n.start < k.0.end {
                n.start = k.0.end;
            }
            if k.0.start < n.end && n.end <= k.0.end {
                n.end = k.0.start;
            }
        }
        if n.start < n.end && kept.iter().all(|k| apart(&k.0, &n) && apart(&k.1, &f)) {
            kept.push((n, f, m));
        }
    }
    kept.sort_by_key(|k| k.0.start);
    let to_bytes = |t: &Tokens, r: &Range<usize>| t.get(r.start).start..t.get(r.end - 1).end;
    let mut passages: Vec<Passage> = kept
        .iter()
        .map(|(n, f, m)| {
            let (pa, pb) = if near == a {
                (to_bytes(tn, n), to_bytes(tf, f))
            } else {
                (to_bytes(tf, f), to_bytes(tn, n))
            };
            Passage {
                a: pa,
                b: pb,
                matches: *m,
                firm: true,
            }
        })
        .collect();
    let cover_near = coverage(tn, kept.iter().map(|k| &k.0));
    let cover_far = coverage(tf, kept.iter().map(|k| &k.1));
    let (a_in_b, b_in_a) = if near == a {
        (cover_near, cover_far)
    } else {
        (cover_far, cover_near)
    };
    // Sorted by `near`: by A already when `near` is A.
    passages.sort_by_key(|p| p.a.start);
    Comparison {
        resemblance: 0.0,
        containment_a_in_b: a_in_b.clamp(0.0, 1.0),
        containment_b_in_a: b_in_a.clamp(0.0, 1.0),
        passages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tokenize;

    const A: &str = "The dam gave way at dawn. Two villages were flooded. \
                     Rescuers reached them by boat. The mayor asked for calm.";
    /// A whole copy of A under a headline of its own (byte positions shifted).
    const X: &str = "BREAKING\nThe dam gave way at dawn. Two villages were flooded. \
                     Rescuers reached them by boat. The mayor asked for calm.";
    const Q: &str = "Weather: rain again. Rescuers reached them by boat. Sports: a draw.";

    fn span(text: &str, part: &str) -> Range<usize> {
        let at = text.find(part).expect("part of the text");
        at..at + part.len()
    }

    fn pair(a: usize, b: usize, a_in_b: f64, b_in_a: f64, passages: Vec<Passage>) -> ScoredPair {
        ScoredPair {
            a,
            b,
            comparison: Comparison {
                resemblance: 0.0,
                containment_a_in_b: a_in_b,
                containment_b_in_a: b_in_a,
                passages,
            },
            via: None,
        }
    }

    fn passage(a: Range<usize>, b: Range<usize>, firm: bool) -> Passage {
        Passage {
            a,
            b,
            matches: 4,
            firm,
        }
    }

    fn derive_over(texts: &[&str], pairs: &[ScoredPair]) -> Vec<ScoredPair> {
        let words = |i: usize, out: &mut Tokens| *out = tokenize(texts[i]);
        derive(pairs, texts.len(), &VerdictThresholds::default(), &words)
    }

    #[test]
    fn a_passage_of_the_copy_is_carried_back_to_the_original() {
        // Documents 0 = A, 1 = X (whole copy of A), 2 = Q (quotes one sentence of X).
        let sentence = "Rescuers reached them by boat.";
        let copy = pair(
            0,
            1,
            1.0,
            0.95,
            vec![passage(0..A.len(), span(X, "The dam").start..X.len(), true)],
        );
        let link = pair(
            1,
            2,
            0.3,
            0.4,
            vec![passage(span(X, sentence), span(Q, sentence), true)],
        );
        let got = derive_over(&[A, X, Q], &[copy.clone(), link.clone()]);
        assert_eq!(got.len(), 1, "{got:?}");
        let p = &got[0];
        assert_eq!((p.a, p.b, p.via), (0, 2, Some(1)));
        assert_eq!(p.comparison.passages.len(), 1);
        let carried = &p.comparison.passages[0];
        // Passages run from a word's first byte to a word's last: the full stop is outside.
        let words_only = sentence.trim_end_matches('.');
        assert_eq!(&A[carried.a.clone()], words_only);
        assert_eq!(&Q[carried.b.clone()], words_only);
        let words = |t: &str| tokenize(t).len() as f64;
        assert_eq!(p.comparison.containment_a_in_b, words(sentence) / words(A));
        assert_eq!(p.comparison.containment_b_in_a, words(sentence) / words(Q));

        // A clause that is not firm is not carried; a direct pair with a passage is not replaced.
        let mut weak = link.clone();
        weak.comparison.passages[0].firm = false;
        assert!(derive_over(&[A, X, Q], &[copy.clone(), weak]).is_empty());
        let direct = pair(
            0,
            2,
            0.05,
            0.1,
            vec![passage(span(A, "boat"), span(Q, "boat"), true)],
        );
        assert!(derive_over(&[A, X, Q], &[copy.clone(), direct, link.clone()]).is_empty());
        // Without a whole copy there is no bridge.
        let mut part = copy;
        part.comparison.containment_a_in_b = 0.5;
        part.comparison.containment_b_in_a = 0.5;
        assert!(derive_over(&[A, X, Q], &[part, link]).is_empty());
    }

    #[test]
    fn two_sentences_next_to_each_other_in_the_copy_stay_apart_in_the_quoting_page() {
        // Q quotes two sentences of X that follow each other there, at its two ends: carried
        // into A (whose copy X is), they are two places of Q, not everything between them.
        let q = "Rescuers reached them by boat. Weather: rain again all week, with wind from \
                 the west and a cold night ahead for the valley towns. The mayor asked for calm.";
        let (s1, s2) = (
            "Rescuers reached them by boat.",
            "The mayor asked for calm.",
        );
        // X copies A whole with an aside of its own, and its passage with A runs over the
        // aside: carried in proportion, the two sentences' places in A meet inside a word.
        let x = "BREAKING\nThe dam gave way at dawn. Two villages were flooded. Our reporter \
                 saw the water rise over the bridge within an hour, while sirens sounded across \
                 the whole valley. Rescuers reached them by boat. The mayor asked for calm.";
        let copy = pair(0, 1, 1.0, 0.7, vec![passage(0..A.len(), 0..x.len(), true)]);
        let link = pair(
            1,
            2,
            0.3,
            0.4,
            vec![
                passage(span(x, s1), span(q, s1), true),
                passage(span(x, s2), span(q, s2), true),
            ],
        );
        let got = derive_over(&[A, x, q], &[copy, link]);
        assert_eq!(got.len(), 1, "{got:?}");
        let words = |t: &str| tokenize(t).len() as f64;
        let c = &got[0].comparison;
        assert_eq!(c.containment_b_in_a, (words(s1) + words(s2)) / words(q));
        assert!(c
            .passages
            .iter()
            .all(|p| !q[p.b.clone()].contains("Weather")));
    }
}

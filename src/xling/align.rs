//! Sentence alignment across languages: which sentences of A a text B carries, in order.
//!
//! A sentence of A is *found* in the place of B — one sentence, or two adjacent ones
//! (translation splits and joins sentences) — that holds the largest share of its anchor
//! weight. An anchor's weight falls with the square root of the number of sentences of its own
//! text that hold it, and of B's sentences it is found in: a text's topic (`Corona`, the
//! minister's name) is everywhere and says little about which sentence carries which.
//!
//! A sentence is found *firmly* where its place holds [`FIRM_SHARE`] of its weight, or where
//! the sentence of B found there is itself found back in it (mutual best matches, the rule
//! parallel-text mining pairs sentences by) and the two agree on their long figures; in both
//! cases only in a place of a translation's length. Otherwise it is *likely*, with
//! [`LIKELY_SHARE`]. The sentences found are kept in the chain whose places in B never go
//! backwards (a translation keeps the order of its source, and chance matches, scattered, do
//! not chain) with the most firm sentences, then the most words. A likely sentence counts only
//! in a run of neighbours that holds a firm one (seed and extend), and a short sentence between
//! two kept ones whose places in B leave no room for anything else is carried too, as the
//! monolingual aligner bridges small gaps.

use super::text::Text;
use crate::score::{Comparison, Passage};
use std::ops::Range;

/// A sentence of A is *firmly* found in B where a place holds this share of its anchor weight,
/// and at least [`FIRM_WEIGHT`]; a *likely* place needs [`LIKELY_SHARE`] and
/// [`LIKELY_WEIGHT`], and counts only in a run of places that holds a firm one.
const FIRM_SHARE: f32 = 0.4;
const FIRM_WEIGHT: f32 = 3.0;
const LIKELY_SHARE: f32 = 0.25;
const LIKELY_WEIGHT: f32 = 2.0;
/// Two sentences of B must hold this much more of the share than one to be the place.
const PAIR_MARGIN: f32 = 0.1;

/// The variance, per character, of the difference in length between a text and its
/// translation, and how many standard deviations a place may differ from its sentence and
/// still be taken as its translation: Gale & Church's model of sentence lengths ("A program
/// for aligning sentences in bilingual corpora", Computational Linguistics 19(1), 1993,
/// estimated on German, French and English; bytes stand in for characters here).
const LENGTH_VARIANCE: f64 = 6.8;
const LENGTH_DEVIATIONS: f64 = 3.0;

/// Whether texts of `a` and `b` bytes can be translations of each other by their lengths:
/// translation keeps a sentence's length, give or take a share that shrinks as the sentence
/// grows. A sentence found by a few words in a place three times its length is another
/// sentence on the same subject.
fn lengths_fit(a: usize, b: usize) -> bool {
    let (a, b) = (a as f64, b as f64);
    (b - a).abs() <= LENGTH_DEVIATIONS * (LENGTH_VARIANCE * (a + b) / 2.0).sqrt()
}

/// The bytes of a run of sentences, their own only.
fn length(t: &Text, sentences: Range<usize>) -> usize {
    t.sentences[sentences].iter().map(|s| s.bytes.len()).sum()
}

/// A sentence of A found in B.
#[derive(Clone, Debug)]
struct Link {
    a: usize,
    /// The sentences of B that hold it.
    b: Range<usize>,
    /// Anchors of A's sentence found there.
    matches: usize,
    /// Found firmly (see [`FIRM_SHARE`]), or found where the other text's sentence is found
    /// in it ([`mutual`]).
    firm: bool,
}

pub(super) fn compare(a: &Text, b: &Text) -> Comparison {
    let (mut ab, mut ba) = (places(a, b), places(b, a));
    mutual(a, b, &mut ab, &mut ba);
    let (ab, ba) = (chain(a, ab), chain(b, ba));
    let covered = |t: &Text, l: &[Link]| -> f64 {
        if t.words == 0 {
            return 0.0;
        }
        // Summed from +0.0: an empty float sum is -0.0, which prints as `-0.00`.
        let words = l.iter().fold(0.0, |n, x| n + t.sentences[x.a].words as f64);
        words / t.words as f64
    };
    Comparison {
        resemblance: 0.0,
        containment_a_in_b: covered(a, &ab).min(1.0),
        containment_b_in_a: covered(b, &ba).min(1.0),
        passages: passages(a, b, &ab),
    }
}

/// Marks firm the sentences found each in the place where the other is found: a sentence of A
/// whose best place in B holds a sentence whose best place in A is it (mutual best matches,
/// as parallel-text mining pairs sentences), where either place has the length of a
/// translation of what was found there, and either holds the same long figures.
///
/// Every sentence has a best place, in any text: being each other's best says where a
/// sentence would be, not that it is there. Figures pass through translation unchanged, so a
/// place holding a long figure its sentence lacks, or lacking one it holds, says more, or
/// less, than the sentence (two sentences on one event: `750 milliards` in both, and a
/// `1074 milliards` in one).
fn mutual(a: &Text, b: &Text, ab: &mut [Link], ba: &mut [Link]) {
    let fits = |sa: Range<usize>, sb: Range<usize>| lengths_fit(length(a, sa), length(b, sb));
    let figures = |sa: Range<usize>, sb: Range<usize>| a.figures(sa) == b.figures(sb);
    let meets = |x: &Link, y: &Link| {
        let (xa, ya) = (x.a..x.a + 1, y.a..y.a + 1);
        x.b.contains(&y.a)
            && y.b.contains(&x.a)
            && (fits(xa.clone(), x.b.clone()) || fits(y.b.clone(), ya.clone()))
            && (figures(xa, x.b.clone()) || figures(y.b.clone(), ya))
    };
    for x in ab.iter_mut() {
        if let Some(y) = ba.iter_mut().find(|y| meets(x, y)) {
            x.firm = true;
            y.firm = true;
        }
    }
}

/// The sentences of `a` found in `b`, chained in order, gaps filled; ascending in `a`.
fn chain(a: &Text, found: Vec<Link>) -> Vec<Link> {
    let chain = longest_chain(a, &found);
    let mut chain = firm_runs(chain);
    fill_gaps(a, &mut chain);
    chain
}

/// Each sentence of `a` with the place in `b` that holds most of it, if that is at least
/// likely; ascending in `a`.
fn places(a: &Text, b: &Text) -> Vec<Link> {
    let n = b.sentences.len();
    // Weight and anchors of A's current sentence found in each sentence of B (`one`), and in
    // it and the next (`two`).
    let mut one = vec![(0f32, 0usize); n];
    let mut two = vec![(0f32, 0usize); n];
    let mut touched: Vec<usize> = Vec::new();
    let mut hits: Vec<u32> = Vec::new();
    let mut found = Vec::new();
    for (i, s) in a.sentences.iter().enumerate() {
        let anchors = &a.anchors[s.anchors.clone()];
        let mut total: f32 = anchors.iter().map(|x| x.weight).sum();
        if total <= 0.0 {
            continue;
        }
        let mut findable = 0.0;
        for anchor in anchors {
            hits.clear();
            for k in &a.keys[anchor.keys.clone()] {
                if let Some(list) = b.postings.get(k) {
                    hits.extend_from_slice(list);
                }
            }
            hits.sort_unstable();
            hits.dedup();
            if !hits.is_empty() {
                findable += anchor.weight;
            }
            // Found in many sentences of B, a word is B's topic more than this sentence's.
            let weight = anchor.weight / (hits.len() as f32).sqrt();
            for (h, &j) in hits.iter().enumerate() {
                let j = j as usize;
                touched.push(j);
                one[j].0 += weight;
                one[j].1 += 1;
                two[j].0 += weight;
                two[j].1 += 1;
                // The window starting one sentence earlier holds this anchor too, unless it
                // was counted there through that sentence already.
                if j > 0 && (h == 0 || hits[h - 1] as usize != j - 1) {
                    touched.push(j - 1);
                    two[j - 1].0 += weight;
                    two[j - 1].1 += 1;
                }
            }
        }
        touched.sort_unstable();
        touched.dedup();
        if !a.translated {
            // Without a lexicon, the words of A that B does not hold at all (German nouns,
            // names written otherwise) could not have been found anywhere: the share is of
            // what B holds somewhere.
            total = findable;
        }
        // The best place (share of the sentence's weight, weight, place, anchors); ties go to
        // the earlier place.
        let mut best: Option<(f32, f32, Range<usize>, usize)> = None;
        for &j in &touched {
            let places = [
                (one[j].0 / total, one[j].0, j..j + 1, one[j].1),
                (
                    two[j].0 / total - PAIR_MARGIN,
                    two[j].0,
                    j..(j + 2).min(n),
                    two[j].1,
                ),
            ];
            for (share, w, r, m) in places {
                if best.as_ref().is_none_or(|x| share > x.0) {
                    best = Some((share, w, r, m));
                }
            }
            one[j] = (0.0, 0);
            two[j] = (0.0, 0);
        }
        touched.clear();
        if let Some((share, w, r, m)) = best {
            if share >= LIKELY_SHARE && w >= LIKELY_WEIGHT {
                let fits = lengths_fit(s.bytes.len(), length(b, r.clone()));
                found.push(Link {
                    a: i,
                    b: r,
                    matches: m,
                    firm: share >= FIRM_SHARE && w >= FIRM_WEIGHT && fits,
                });
            }
        }
    }
    found
}

/// Most sentences of A, and of B, between two neighbours of one run of places.
const RUN_GAP: usize = 3;

/// The links of `chain` in runs (neighbours at most [`RUN_GAP`] sentences apart on each side)
/// that hold a firm link.
fn firm_runs(chain: Vec<Link>) -> Vec<Link> {
    let mut out = Vec::with_capacity(chain.len());
    let mut run: Vec<Link> = Vec::new();
    let flush = |run: &mut Vec<Link>, out: &mut Vec<Link>| {
        if run.iter().any(|l| l.firm) {
            out.append(run);
        }
        run.clear();
    };
    for link in chain {
        if let Some(last) = run.last() {
            let near = link.a - last.a <= RUN_GAP + 1
                && link.b.start.saturating_sub(last.b.end) <= RUN_GAP;
            if !near {
                flush(&mut run, &mut out);
            }
        }
        run.push(link);
    }
    flush(&mut run, &mut out);
    out
}

/// The chain of `found` (ascending in A) whose places in B never go backwards, with the most
/// firmly found sentences, and of those the most words: a chance match must not outweigh the
/// sentences that anchor a copy.
fn longest_chain(a: &Text, found: &[Link]) -> Vec<Link> {
    let k = found.len();
    let value = |l: &Link| a.sentences[l.a].words as u64 + if l.firm { 1 << 32 } else { 0 };
    let mut best = vec![0u64; k];
    let mut prev = vec![usize::MAX; k];
    for x in 0..k {
        best[x] = value(&found[x]);
        for y in 0..x {
            if found[y].b.start <= found[x].b.start {
                let w = best[y] + value(&found[x]);
                if w > best[x] {
                    best[x] = w;
                    prev[x] = y;
                }
            }
        }
    }
    let Some(mut at) = (0..k).max_by_key(|&x| (best[x], std::cmp::Reverse(x))) else {
        return Vec::new();
    };
    let mut chain = Vec::new();
    loop {
        chain.push(found[at].clone());
        if prev[at] == usize::MAX {
            break;
        }
        at = prev[at];
    }
    chain.reverse();
    chain
}

/// Adds the sentences of A between two chained ones when their places in B leave room for
/// nothing more than them (at most one sentence of B apart per sentence of A skipped).
fn fill_gaps(a: &Text, chain: &mut Vec<Link>) {
    let mut out = Vec::with_capacity(chain.len());
    for (x, link) in chain.iter().enumerate() {
        if let Some(prev) = x.checked_sub(1).map(|p| &chain[p]) {
            let skipped = link.a - prev.a - 1;
            let room = link.b.start.saturating_sub(prev.b.end);
            if skipped > 0 && skipped <= 2 && room <= skipped {
                for s in prev.a + 1..link.a {
                    if a.sentences[s].words > 0 {
                        out.push(Link {
                            a: s,
                            b: prev.b.end.min(link.b.start)..link.b.start.max(prev.b.end),
                            matches: 0,
                            firm: false,
                        });
                    }
                }
            }
        }
        out.push(link.clone());
    }
    *chain = out;
}

/// Runs of consecutive sentences of A carried by neighbouring sentences of B, as passages.
fn passages(a: &Text, b: &Text, links: &[Link]) -> Vec<Passage> {
    let mut out: Vec<Passage> = Vec::new();
    let mut last: Option<(usize, usize)> = None; // (A sentence, B sentence end) of the previous link
    for l in links {
        let sa = &a.sentences[l.a];
        let b_range = if l.b.is_empty() {
            None
        } else {
            Some(b.sentences[l.b.start].bytes.start..b.sentences[l.b.end - 1].bytes.end)
        };
        let continues = matches!(last, Some((pa, pb)) if pa + 1 == l.a && l.b.start <= pb + 1);
        match (continues, out.last_mut()) {
            (true, Some(p)) => {
                p.a.end = sa.bytes.end;
                if let Some(r) = b_range {
                    p.b.start = p.b.start.min(r.start);
                    p.b.end = p.b.end.max(r.end);
                }
                p.matches += l.matches;
            }
            _ => {
                let b_range = b_range.unwrap_or_else(|| {
                    let at = b.sentences.get(l.b.start).map_or(0, |s| s.bytes.start);
                    at..at
                });
                out.push(Passage {
                    a: sa.bytes.clone(),
                    b: b_range,
                    matches: l.matches,
                    firm: l.matches >= 4,
                });
            }
        }
        last = Some((l.a, l.b.end.max(l.b.start + 1) - 1));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_fit_as_a_translation_s_do() {
        // Within three standard deviations of Gale & Church's model, both ways.
        assert!(lengths_fit(100, 115) && lengths_fit(115, 100));
        assert!(lengths_fit(200, 270) && !lengths_fit(200, 330));
        // A headline found in a sentence six times its length; a short sentence in a pair.
        assert!(!lengths_fit(63, 392) && !lengths_fit(392, 63));
        assert!(!lengths_fit(20, 80) && lengths_fit(20, 40));
        assert!(lengths_fit(0, 0));
    }
}

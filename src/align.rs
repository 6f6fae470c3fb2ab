//! Alignment: the passages two texts share, even when one is a rewording or translation of the other.
//!
//! Exact shingle matching breaks at every changed word: two French renderings of one English
//! sentence (`condamnent sévèrement` / `condamnent fermement`) share few 5-word shingles although
//! most of their content words recur, in the same order. The aligner therefore works on the
//! [terms](crate::terms) of both texts (content words cut to a prefix) and looks for *chains* of
//! matching terms that progress in both texts, tolerating small gaps on either side:
//!
//! 1. Every pair `(i, j)` of equal terms (term `i` of A, term `j` of B) is a match point. Terms that
//!    occur more than [`AlignConfig::max_term_freq`] times in B are ignored: they say nothing about
//!    where a passage is.
//! 2. Match points are chained as in local alignment (Smith & Waterman 1981), restricted to the
//!    sparse set of matches: a point scores `w + max(0, best predecessor − gap_penalty · (skipped
//!    terms in A + skipped terms in B))`, where a predecessor lies strictly before it in both texts
//!    and at most [`AlignConfig::max_gap`] terms back on each side. A match weighs `w = 1`, or
//!    [`AlignConfig::entity_weight`] on a name or number: reports of one event written
//!    independently share names and figures, copies share the words between them. The cost is
//!    linear in the number of match points times the window, not quadratic in the text lengths.
//! 3. Chains are taken greedily from the best-scoring end and traced back. Of each chain, the
//!    longest dense part is kept: weighted matches of at least [`AlignConfig::min_matches`] and of
//!    at least [`AlignConfig::min_density`] of the weighted terms it spans on each side, overlapping
//!    no part already kept on either side, so the alignment is one-to-one.
//! 4. Chains whose spans are close on both sides (within [`AlignConfig::merge_gap`] terms) merge into
//!    one passage: a reworded clause between two matched ones was copied too.
//! 5. Each passage is extended over the words around it (stop words included) as long as the two
//!    texts agree word for word, so a verbatim copy is covered to its first and last word.
//!    A pair whose chains hold fewer than [`AlignConfig::min_pair_bigrams`] content bigrams
//!    (consecutive terms matched by consecutive terms) keeps only the passages that cover
//!    whole sentences on both sides ([`AlignConfig::min_sentence_cover`]): two reports of one
//!    event share stock clauses inside different sentences, while an excerpt of another
//!    translation is pasted sentence by sentence. On the development set this finds a third of
//!    the short excerpts of another rendering that the bigram rule alone missed, and no
//!    non-copy.
//! 6. Runs of at least [`AlignConfig::min_verbatim_words`] identical words that no passage covers
//!    become passages of their own ([`crate::verbatim`]): a sentence pasted word for word is a
//!    copy even when it holds too few content words for the steps above.
//!
//! # Invariants
//! - Passages are sorted by their start in A and do not overlap in A, nor in B.
//! - Every passage has `a.start < a.end` and `b.start < b.end`, as token indices of the two texts.
//! - The result depends only on the two inputs and the configuration.

use crate::normalize::Tokens;
use crate::terms::Term;
use std::ops::Range;

/// Parameters of the aligner. The defaults were chosen on `corpus/labels.tsv` (see docs/evaluation.md).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AlignConfig {
    /// Most terms that may be skipped between two consecutive matches of a chain, on each side.
    pub max_gap: usize,
    /// Score lost per skipped term (a match gains 1).
    pub gap_penalty: f64,
    /// Fewest matched terms for a chain to count as a shared passage.
    pub min_matches: usize,
    /// Least share of matched terms among the terms a chain spans, on each side: a few common
    /// words scattered over a long stretch are not a passage.
    pub min_density: f64,
    /// Chains closer than this many terms on both sides merge into one passage.
    pub merge_gap: usize,
    /// Terms occurring more often than this in B are not used as match points.
    pub max_term_freq: usize,
    /// Weight of a match on a name or number ([`Term::entity`]) relative to other words, in the
    /// chain score, in `min_matches` and in `min_density`. Independently written reports of one
    /// event share names and figures, not the words between them.
    pub entity_weight: f64,
    /// Fewest content bigrams (two consecutive terms, neither a name or number, matched by two
    /// consecutive terms) in a passage. Copies keep local word order, even through translation;
    /// independent reports of one event share names and facts, rarely two words in a row.
    pub min_bigrams: usize,
    /// Fewest content bigrams over all passages of a pair; below it the pair has no passage at all.
    /// A few short shared phrases are what independent reports of one event have in common; a
    /// copy shares many, and once that is established its weaker passages are believed too.
    pub min_pair_bigrams: usize,
    /// A run of at least this many identical words (stop words included) is a passage whatever
    /// the content bigrams say: see [`crate::verbatim`]. 0 turns it off.
    #[serde(default)]
    pub min_verbatim_words: usize,
    /// A passage of a pair that falls short of `min_pair_bigrams` is kept all the same when it
    /// covers at least this share of the words of every sentence it touches, on both sides, and
    /// holds `min_sentence_bigrams` content bigrams: an excerpt of another rendering is pasted
    /// in whole sentences, while a stock phrase two reports of one event share is a clause
    /// inside longer, different sentences. 0 turns it off.
    #[serde(default)]
    pub min_sentence_cover: f64,
    /// Fewest content bigrams of a passage kept by `min_sentence_cover`.
    #[serde(default)]
    pub min_sentence_bigrams: usize,
    /// Fewest content bigrams over all passages of a pair for all its passages to be
    /// [firm](Alignment::firm); below it, only those covering whole sentences are.
    #[serde(default = "default_min_firm_pair_bigrams")]
    pub min_firm_pair_bigrams: usize,
}

fn default_min_firm_pair_bigrams() -> usize {
    AlignConfig::default().min_firm_pair_bigrams
}

impl Default for AlignConfig {
    fn default() -> Self {
        AlignConfig {
            max_gap: 8,
            gap_penalty: 0.3,
            min_matches: 4,
            min_density: 0.4,
            merge_gap: 6,
            max_term_freq: 64,
            entity_weight: 0.5,
            min_bigrams: 1,
            min_pair_bigrams: 4,
            min_verbatim_words: 10,
            min_sentence_cover: 0.85,
            min_sentence_bigrams: 2,
            min_firm_pair_bigrams: 6,
        }
    }
}

impl AlignConfig {
    /// Fewest content bigrams two texts must share for the aligner to keep any passage other than
    /// a verbatim run: the exact bound the index's pre-alignment filter relies on.
    pub fn min_bigrams_for_a_passage(&self) -> usize {
        if self.min_sentence_cover > 0.0 {
            self.min_pair_bigrams.min(self.min_sentence_bigrams)
        } else {
            self.min_pair_bigrams
        }
    }
}

/// A passage of A found again in B, as token index ranges of both texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alignment {
    /// Tokens of A covered by the passage.
    pub a: Range<usize>,
    /// Tokens of B covered by the passage.
    pub b: Range<usize>,
    /// Number of matched terms in the passage.
    pub matches: usize,
    /// The passage stands on its own evidence: it covers whole sentences on both sides
    /// ([`AlignConfig::min_sentence_cover`]), or is a verbatim run, or the pair shares at least
    /// [`AlignConfig::min_firm_pair_bigrams`] content bigrams. A clause two reports of one
    /// event share is a passage but not a firm one. Only firm passages are carried over to a
    /// whole copy of a text ([`crate::bridge`]), where a weak match would be repeated once per
    /// copy.
    pub firm: bool,
}

/// One text as the aligner sees it: its words and its terms.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    /// All words, with normalized forms.
    pub tokens: &'a Tokens,
    /// Content terms, in order, pointing into `tokens`.
    pub terms: &'a [Term],
}

#[derive(Clone, Copy)]
struct Point {
    i: u32,
    j: u32,
    /// Evidence of this match: 1, or the entity weight.
    weight: f32,
    /// The point follows its predecessor directly on both sides, and neither is a name or number:
    /// a content bigram shared by both texts.
    bigram: bool,
    score: f32,
    /// Index of the predecessor in the point list, or `u32::MAX` when the chain starts here.
    pred: u32,
}

const NONE: u32 = u32::MAX;

/// Finds the passages A and B share. See the module docs for the method.
pub fn align(a: Side<'_>, b: Side<'_>, config: &AlignConfig) -> Vec<Alignment> {
    align_known(a, b, config, true)
}

/// [`align`], told whether the texts may share a verbatim run: callers holding both texts'
/// winnowed fingerprints ([`crate::verbatim::fingerprints`]) know that texts sharing none share
/// no run of `min_verbatim_words` words, and searching for runs is then wasted (a sixth of an
/// alignment, most alignments in a scan).
pub(crate) fn align_known(
    a: Side<'_>,
    b: Side<'_>,
    config: &AlignConfig,
    may_share_run: bool,
) -> Vec<Alignment> {
    let mut out = align_terms(a, b, config);
    if may_share_run {
        add_verbatim_runs(&mut out, a.tokens, b.tokens, config.min_verbatim_words);
    }
    out
}

/// Runs no passage touches, longest first, as passages of their own; keeps passages sorted by
/// their start in A and one-to-one.
fn add_verbatim_runs(out: &mut Vec<Alignment>, a: &Tokens, b: &Tokens, min_words: usize) {
    let runs = crate::verbatim::runs(a, b, min_words);
    if runs.is_empty() {
        return;
    }
    for r in runs {
        if out
            .iter()
            .all(|p| !overlaps(&p.a, &r.a) && !overlaps(&p.b, &r.b))
        {
            out.push(Alignment {
                matches: r.a.len(),
                a: r.a,
                b: r.b,
                firm: true,
            });
        }
    }
    out.sort_by_key(|p| p.a.start);
}

/// Steps 1 to 5 of the module docs.
fn align_terms(a: Side<'_>, b: Side<'_>, config: &AlignConfig) -> Vec<Alignment> {
    if a.terms.is_empty() || b.terms.is_empty() {
        return Vec::new();
    }
    let weights = Weights::new(a.terms, b.terms, config.entity_weight as f32);
    let points = match_points(a.terms, b.terms, &weights, config);
    let chains = extract_chains(&points, &weights, config);
    // A very short text cannot show more evidence than it has: ask no more bigrams of a pair
    // than the shorter text holds, so a short text still matches a copy of itself.
    let possible = content_bigrams(a.terms).min(content_bigrams(b.terms));
    let bigrams: usize = chains.iter().map(|c| c.bigrams).sum();
    // Below the pair's bar, only passages of whole sentences are believed (see
    // `min_sentence_cover`); they too need some bigrams.
    let established = bigrams >= config.min_pair_bigrams.min(possible);
    if !established && bigrams < config.min_bigrams_for_a_passage().min(possible) {
        return Vec::new();
    }
    let merged = merge(chains, config.merge_gap);
    let mut kept_bigrams = Vec::with_capacity(merged.len());
    let mut out: Vec<Alignment> = merged
        .into_iter()
        .map(|c| {
            kept_bigrams.push(c.bigrams);
            Alignment {
                a: a.terms[c.a.start].token as usize..a.terms[c.a.end - 1].token as usize + 1,
                b: b.terms[c.b.start].token as usize..b.terms[c.b.end - 1].token as usize + 1,
                matches: c.matches,
                firm: false,
            }
        })
        .collect();
    extend(&mut out, a.tokens, b.tokens);
    let need = config.min_sentence_bigrams.min(possible);
    let whole_sentences = |p: &Alignment, bigrams: usize| {
        config.min_sentence_cover > 0.0
            && bigrams >= need
            && sentence_cover(a.tokens, &p.a) >= config.min_sentence_cover
            && sentence_cover(b.tokens, &p.b) >= config.min_sentence_cover
    };
    let firm_pair = bigrams >= config.min_firm_pair_bigrams.min(possible);
    for (p, &k) in out.iter_mut().zip(&kept_bigrams) {
        p.firm = firm_pair || whole_sentences(p, k);
    }
    if !established {
        // Below the pair's bar, only passages of whole sentences are kept (all of them firm).
        out.retain(|p| p.firm);
    }
    out
}

/// Share of the words of the sentences that `range` touches which `range` covers.
fn sentence_cover(tokens: &Tokens, range: &Range<usize>) -> f64 {
    let t = tokens.as_slice();
    let start = (0..=range.start)
        .rev()
        .find(|&i| i == 0 || t[i].sentence_start)
        .unwrap_or(0);
    let end = (range.end..t.len())
        .find(|&i| t[i].sentence_start)
        .unwrap_or(t.len());
    range.len() as f64 / (end - start).max(1) as f64
}

/// Number of adjacent term pairs of which neither is an entity: the content bigrams a text could
/// share.
fn content_bigrams(terms: &[Term]) -> usize {
    terms
        .windows(2)
        .filter(|w| !w[0].entity && !w[1].entity)
        .count()
}

/// Prefix sums of term weights on both sides, so the weighted length of any span is O(1).
struct Weights {
    entity: f32,
    a: Vec<f32>,
    b: Vec<f32>,
}

impl Weights {
    fn new(a: &[Term], b: &[Term], entity: f32) -> Weights {
        let prefix = |terms: &[Term]| {
            let mut acc = 0.0f32;
            let mut v = Vec::with_capacity(terms.len() + 1);
            v.push(0.0);
            for t in terms {
                acc += if t.entity { entity } else { 1.0 };
                v.push(acc);
            }
            v
        };
        Weights {
            entity,
            a: prefix(a),
            b: prefix(b),
        }
    }

    fn span_a(&self, r: &Range<usize>) -> f32 {
        self.a[r.end] - self.a[r.start]
    }

    fn span_b(&self, r: &Range<usize>) -> f32 {
        self.b[r.end] - self.b[r.start]
    }
}

/// Builds the chained match points, in (i, j) order.
fn match_points(a: &[Term], b: &[Term], weights: &Weights, config: &AlignConfig) -> Vec<Point> {
    // B's terms sorted by hash: the occurrences of a term are one contiguous run. A's terms
    // sorted too, one merge finds each term's run (a binary search per term of A was a third
    // of the aligner's own time).
    let sorted = |terms: &[Term]| {
        let mut v: Vec<(u64, u32)> = terms
            .iter()
            .enumerate()
            .map(|(j, t)| (t.hash, j as u32))
            .collect();
        v.sort_unstable();
        v
    };
    let by_hash = sorted(b);
    let mut runs = vec![(0u32, 0u32); a.len()];
    let (mut lo, mut hi, mut last) = (0usize, 0usize, None);
    for (h, i) in sorted(a) {
        if last != Some(h) {
            last = Some(h);
            lo = hi;
            while lo < by_hash.len() && by_hash[lo].0 < h {
                lo += 1;
            }
            hi = lo;
            while hi < by_hash.len() && by_hash[hi].0 == h {
                hi += 1;
            }
        }
        runs[i as usize] = (lo as u32, hi as u32);
    }

    let max_gap = config.max_gap as u32;
    let penalty = config.gap_penalty as f32;
    let mut points: Vec<Point> = Vec::new();
    // Points of rows i - max_gap - 1 .. i - 1 are candidates for predecessors: `window_lo` is the
    // first of them, `row_start` the first point of the current row.
    let mut window_lo = 0usize;
    for (i, term) in a.iter().enumerate() {
        let i = i as u32;
        let (lo, hi) = (runs[i as usize].0 as usize, runs[i as usize].1 as usize);
        if hi - lo > config.max_term_freq || hi == lo {
            continue;
        }
        while window_lo < points.len() && points[window_lo].i + max_gap + 1 < i {
            window_lo += 1;
        }
        let row_start = points.len();
        for &(_, j) in &by_hash[lo..hi] {
            let weight = if term.entity || b[j as usize].entity {
                weights.entity
            } else {
                1.0
            };
            let mut best = weight;
            let mut pred = NONE;
            let mut bigram = false;
            for (q_idx, q) in points[window_lo..row_start].iter().enumerate() {
                if q.j >= j || j - q.j - 1 > max_gap {
                    continue;
                }
                let skipped = (i - q.i - 1) + (j - q.j - 1);
                let s = q.score + weight - penalty * skipped as f32;
                if s > best {
                    best = s;
                    pred = (window_lo + q_idx) as u32;
                    bigram = skipped == 0 && q.weight == 1.0 && weight == 1.0;
                }
            }
            points.push(Point {
                i,
                j,
                weight,
                bigram,
                score: best,
                pred,
            });
        }
    }
    points
}

/// A chain or passage in term index space (half-open ranges of term indices).
#[derive(Clone, Debug)]
struct TermSpan {
    a: Range<usize>,
    b: Range<usize>,
    matches: usize,
    bigrams: usize,
}

fn extract_chains(points: &[Point], weights: &Weights, config: &AlignConfig) -> Vec<TermSpan> {
    let mut order: Vec<u32> = (0..points.len() as u32).collect();
    // Best chain ends first; ties broken by position so the result is deterministic.
    order.sort_unstable_by(|&x, &y| {
        points[y as usize]
            .score
            .total_cmp(&points[x as usize].score)
            .then(x.cmp(&y))
    });
    let mut used = vec![false; points.len()];
    let mut kept: Vec<TermSpan> = Vec::new();
    let mut chain: Vec<u32> = Vec::new();
    for &end in &order {
        if used[end as usize] {
            continue;
        }
        chain.clear();
        let mut p = end;
        loop {
            used[p as usize] = true;
            chain.push(p);
            let pred = points[p as usize].pred;
            if pred == NONE || used[pred as usize] {
                break;
            }
            p = pred;
        }
        chain.reverse();
        let Some(span) = densest_part(points, &chain, weights, config) else {
            continue;
        };
        if kept
            .iter()
            .all(|k| !overlaps(&k.a, &span.a) && !overlaps(&k.b, &span.b))
        {
            kept.push(span);
        }
    }
    kept.sort_by_key(|k| k.a.start);
    kept
}

/// The longest run of consecutive points of `chain` with enough weighted matches and density on
/// both sides. A chain may reach far back through a sparse stretch; only its dense part is a
/// passage.
fn densest_part(
    points: &[Point],
    chain: &[u32],
    weights: &Weights,
    config: &AlignConfig,
) -> Option<TermSpan> {
    let mut prefix = Vec::with_capacity(chain.len() + 1);
    let mut bigrams = Vec::with_capacity(chain.len() + 1);
    prefix.push(0.0f32);
    bigrams.push(0usize);
    for &p in chain {
        let p = &points[p as usize];
        prefix.push(prefix.last().copied().unwrap_or(0.0) + p.weight);
        bigrams.push(bigrams.last().copied().unwrap_or(0) + usize::from(p.bigram));
    }
    // Likewise no more weighted matches than the shorter text has.
    let need = (config.min_matches as f32)
        .min(weights.a[weights.a.len() - 1])
        .min(weights.b[weights.b.len() - 1])
        .max(weights.entity.min(1.0))
        - 1e-4;
    let density = config.min_density as f32;
    let mut best: Option<TermSpan> = None;
    for s in 0..chain.len() {
        let mut e = chain.len();
        while e > s && best.as_ref().is_none_or(|b| e - s > b.matches) {
            let w = prefix[e] - prefix[s];
            if w < need {
                break;
            }
            let (first, last) = (&points[chain[s] as usize], &points[chain[e - 1] as usize]);
            let a = first.i as usize..last.i as usize + 1;
            let b = first.j as usize..last.j as usize + 1;
            // The first point's bigram flag links it to a point outside the run.
            let runs = bigrams[e] - bigrams[s + 1];
            if runs >= config.min_bigrams
                && w >= density * weights.span_a(&a) - 1e-4
                && w >= density * weights.span_b(&b) - 1e-4
            {
                best = Some(TermSpan {
                    a,
                    b,
                    matches: e - s,
                    bigrams: runs,
                });
                break;
            }
            e -= 1;
        }
    }
    best
}

fn overlaps(x: &Range<usize>, y: &Range<usize>) -> bool {
    x.start < y.end && y.start < x.end
}

/// Merges consecutive spans (sorted by A start) that are within `gap` terms of each other on both
/// sides and in the same order in B, unless another span lies between them in B: merging over it
/// would make two passages overlap in B.
fn merge(spans: Vec<TermSpan>, gap: usize) -> Vec<TermSpan> {
    let in_b: Vec<Range<usize>> = spans.iter().map(|s| s.b.clone()).collect();
    let mut out: Vec<TermSpan> = Vec::with_capacity(spans.len());
    for s in spans {
        if let Some(last) = out.last_mut() {
            let a_close = s.a.start <= last.a.end + gap;
            let b_close = s.b.start >= last.b.end && s.b.start <= last.b.end + gap;
            let between = last.b.end..s.b.start;
            let b_free = between.is_empty() || !in_b.iter().any(|r| overlaps(r, &between));
            if a_close && b_close && b_free {
                last.a.end = s.a.end;
                last.b.end = s.b.end;
                last.matches += s.matches;
                last.bigrams += s.bigrams;
                continue;
            }
        }
        out.push(s);
    }
    out
}

/// Extends each passage over neighbouring words that are equal on both sides, without running into
/// another passage.
fn extend(passages: &mut [Alignment], a: &Tokens, b: &Tokens) {
    let n = passages.len();
    for k in 0..n {
        let a_floor = if k == 0 { 0 } else { passages[k - 1].a.end };
        let a_ceil = passages.get(k + 1).map_or(a.len(), |p| p.a.start);
        // B spans are not sorted by A order in general; bound by every other passage's B span.
        let (mut b_floor, mut b_ceil) = (0usize, b.len());
        for (m, other) in passages.iter().enumerate() {
            if m == k {
                continue;
            }
            if other.b.end <= passages[k].b.start {
                b_floor = b_floor.max(other.b.end);
            }
            if other.b.start >= passages[k].b.end {
                b_ceil = b_ceil.min(other.b.start);
            }
        }
        let p = &mut passages[k];
        while p.a.start > a_floor
            && p.b.start > b_floor
            && a.norm(p.a.start - 1) == b.norm(p.b.start - 1)
        {
            p.a.start -= 1;
            p.b.start -= 1;
        }
        while p.a.end < a_ceil && p.b.end < b_ceil && a.norm(p.a.end) == b.norm(p.b.end) {
            p.a.end += 1;
            p.b.end += 1;
        }
    }
}

/// Fraction of `tokens` (words) inside the given token ranges (which may overlap).
pub fn coverage<'r>(tokens: &Tokens, ranges: impl Iterator<Item = &'r Range<usize>>) -> f64 {
    let total = tokens.len();
    if total == 0 {
        return 0.0;
    }
    let mut rs: Vec<Range<usize>> = ranges.cloned().collect();
    rs.sort_by_key(|r| r.start);
    let (mut covered, mut upto) = (0usize, 0usize);
    for r in rs {
        let start = r.start.max(upto);
        if start < r.end {
            covered += r.end - start;
            upto = r.end;
        }
    }
    covered as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_never_covers_another_span_in_b() {
        let span = |a: Range<usize>, b: Range<usize>| TermSpan {
            a,
            b,
            matches: 4,
            bigrams: 1,
        };
        // X and Y are close on both sides, but W (far away in A) lies between them in B: merging
        // X and Y would make two passages overlap in B (found by fuzzing,
        // fuzz/regressions/compare/merge-over-a-passage-in-b).
        let merged = merge(
            vec![
                span(0..10, 0..10),
                span(12..20, 13..20),
                span(40..50, 11..12),
            ],
            6,
        );
        assert_eq!(merged.len(), 3);
        // Without W in the way, they merge.
        let merged = merge(
            vec![
                span(0..10, 0..10),
                span(12..20, 13..20),
                span(40..50, 30..32),
            ],
            6,
        );
        assert_eq!(merged.len(), 2);
        assert_eq!((merged[0].a.clone(), merged[0].b.clone()), (0..20, 0..20));
    }
    use crate::normalize::tokenize;
    use crate::terms::{extract, TermConfig};

    fn run(a: &str, b: &str) -> (Vec<Alignment>, Tokens, Tokens) {
        run_with(a, b, &AlignConfig::default())
    }

    fn run_with(a: &str, b: &str, config: &AlignConfig) -> (Vec<Alignment>, Tokens, Tokens) {
        let (ta, tb) = (tokenize(a), tokenize(b));
        let c = TermConfig::default();
        let (xa, xb) = (extract(&ta, &c), extract(&tb, &c));
        let al = align(
            Side {
                tokens: &ta,
                terms: &xa,
            },
            Side {
                tokens: &tb,
                terms: &xb,
            },
            config,
        );
        (al, ta, tb)
    }

    fn text_of<'t>(text: &'t str, toks: &Tokens, r: &Range<usize>) -> &'t str {
        &text[toks.get(r.start).start..toks.get(r.end - 1).end]
    }

    #[test]
    fn verbatim_copy_is_covered_to_the_last_word() {
        let a = "Le pont de Varenne s'est effondré mardi soir, faisant trois blessés selon la préfecture.";
        let b = format!("Accueil > Actualités. {a} Partager sur les réseaux sociaux.");
        let (al, ta, tb) = run(a, &b);
        assert_eq!(al.len(), 1);
        assert_eq!(al[0].a, 0..ta.len());
        assert_eq!(coverage(&ta, al.iter().map(|p| &p.a)), 1.0);
        assert!(coverage(&tb, al.iter().map(|p| &p.b)) < 0.9);
    }

    #[test]
    fn reworded_translation_still_aligns() {
        let a =
            "Les Etats-Unis condamnent sévèrement la cyberattaque de l'Iran contre notre allié de \
                 l'Otan, l'Albanie, écrit la porte-parole du Conseil de sécurité nationale dans un \
                 communiqué. Cette attaque crée un précédent inquiétant, selon la porte-parole.";
        let b =
            "« Les États-Unis condamnent fermement la cyberattaque de l’Iran contre notre allié \
                 de l’OTAN, l’Albanie », a écrit la porte-parole du Conseil de sécurité nationale \
                 dans un communiqué. Cette attaque « crée un précédent inquiétant », selon le \
                 porte-parole.";
        let (al, ta, tb) = run(a, b);
        assert_eq!(al.len(), 1, "{al:?}");
        assert_eq!(
            text_of(a, &ta, &al[0].a),
            &a[..a.len() - 1],
            "all of A but the final stop"
        );
        assert!(text_of(b, &tb, &al[0].b).starts_with("Les États-Unis"));
    }

    #[test]
    fn one_shared_clause_is_not_enough() {
        // The clause is a real shared passage, but the reworded adverb breaks its only pair of
        // consecutive content words and names weigh little: a pair needs more evidence.
        let a = "Les Etats-Unis condamnent sévèrement la cyberattaque de l'Iran.";
        let b = "Les États-Unis condamnent fermement la cyberattaque de l’Iran.";
        assert!(run(a, b).0.is_empty());
        let lax = AlignConfig {
            min_pair_bigrams: 0,
            min_bigrams: 0,
            min_matches: 3,
            ..AlignConfig::default()
        };
        let (al, _, _) = run_with(a, b, &lax);
        assert_eq!(al.len(), 1);
    }

    #[test]
    fn whole_sentences_of_another_rendering_are_a_passage_a_shared_clause_is_not() {
        // Two renderings of two sentences of one dispatch, the second pasted between unrelated
        // sentences: together they hold fewer content bigrams than a pair needs, but they are
        // whole sentences on both sides.
        let a = "Les pompiers de la Drôme ont maîtrisé samedi soir l'incendie qui menaçait le \
                 village de Buis-les-Baronnies depuis jeudi. Plus de trois cents hectares de \
                 garrigue sont partis en fumée, selon la préfecture, qui maintient l'interdiction \
                 d'accès aux massifs.";
        let b = "Le marché de Noël ouvrira ses portes vendredi sur la place de l'Hôtel de ville. \
                 Les soldats du feu de la Drôme ont maîtrisé dans la soirée de samedi le sinistre \
                 qui menaçait depuis jeudi le village de Buis-les-Baronnies. Plus de trois cents \
                 hectares de garrigue ont brûlé, d'après les services de la préfecture, qui \
                 interdisent toujours l'accès aux massifs. Les commerçants espèrent une bonne \
                 fréquentation malgré la pluie.";
        let (al, ta, tb) = run(a, b);
        assert!(!al.is_empty(), "{al:?}");
        assert!(coverage(&ta, al.iter().map(|p| &p.a)) > 0.8, "{al:?}");
        let in_b: Vec<&str> = al.iter().map(|p| text_of(b, &tb, &p.b)).collect();
        assert!(in_b
            .iter()
            .all(|t| !t.contains("Noël") && !t.contains("commerçants")));
        // It is the sentence rule that keeps them.
        let off = AlignConfig {
            min_sentence_cover: 0.0,
            ..AlignConfig::default()
        };
        assert!(run_with(a, b, &off).0.is_empty());

        // The same clause inside longer sentences that differ around it is what two reports
        // of one event share: no passage.
        let a = "Les pompiers ont maîtrisé samedi soir l'incendie qui menaçait le village, \
                 a indiqué le maire, qui réclame depuis des années un débroussaillage obligatoire \
                 des terrains abandonnés autour des habitations.";
        let b = "Selon la préfecture, les soldats du feu ont maîtrisé samedi soir le sinistre qui \
                 menaçait le village, mais trois maisons et un hangar agricole ont été détruits \
                 par les flammes avant leur arrivée.";
        let any_cover = AlignConfig {
            min_sentence_cover: 0.01,
            ..AlignConfig::default()
        };
        assert_eq!(
            run_with(a, b, &any_cover).0.len(),
            1,
            "enough bigrams for the rule"
        );
        let (al, _, _) = run(a, b);
        assert!(al.is_empty(), "{al:?}");
    }

    #[test]
    fn a_few_shared_names_are_not_a_passage() {
        let a =
            "Le Premier ministre Edi Rama a réuni son gouvernement à Tirana pour parler du budget.";
        let b = "A Tirana, l'opposition critique Edi Rama et réclame des élections anticipées au printemps.";
        let (al, _, _) = run(a, b);
        assert!(al.is_empty(), "{al:?}");
    }

    #[test]
    fn a_short_text_matches_a_copy_of_itself() {
        let a = "Grève des dockers au Havre.";
        let (al, ta, _) = run(a, &format!("Brèves du jour. {a} Météo : pluie."));
        assert_eq!(al.len(), 1, "{al:?}");
        assert_eq!(coverage(&ta, al.iter().map(|p| &p.a)), 1.0);
    }

    #[test]
    fn empty_sides_align_to_nothing() {
        assert!(run("", "du texte ici et là").0.is_empty());
        assert!(
            run("de la", "de la").0.is_empty(),
            "stop words alone have no terms"
        );
    }
}

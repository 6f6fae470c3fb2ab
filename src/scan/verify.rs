//! Step 4 of [`super`]: verifying candidate pairs with as few analyses as possible.
//!
//! Scan holds no analyses between stages, so verifying a pair needs both texts analyzed again.
//! Done pair by pair, that is one analysis per pair, and analysis (tokens, terms, shingles, the
//! pre-alignment profile) then costs more than everything else together: a generated corpus of
//! 60,000 documents makes 300,000 candidates. So:
//!
//! - first, [`sieve`] settles the candidates that alignment could not report from what the
//!   first analysis left of each document: its profile, narrowed ([`Narrow`]), whether it holds
//!   a fingerprint too common to be a bucket, and above the default threshold its words and
//!   terms cut to 16 bits ([`crate::cover`]). On the 60,000-document peer corpus it settles
//!   77% of the candidates without analyzing a text again (checking each pair after analyzing
//!   both texts took four times as many analyses). Pairs sharing only a run of ten common
//!   words (`à trois ans de lundi, dont un an`), which the bigrams cannot settle, are settled
//!   by the bound on what shared runs can cover (`crate::bounds`). A document's
//!   candidates are checked together, from its lists loaded once as bitmaps ([`NarrowSets`]):
//!   each candidate's values are looked up in them rather than merged with the document's, and
//!   only a pair that this upper bound lets through is merged;
//! - then, since the pairs left come in clusters (a story and its copies; the pages sharing a
//!   sentence), they are visited in an order where a document's pairs come close together, and
//!   each worker keeps the analyses it will need soonest:
//!
//! - documents are ranked by a breadth-first walk of the candidate graph, from the most
//!   connected documents first: a cluster's documents get neighbouring ranks;
//! - pairs are visited by the rank of their later document, then of the earlier one;
//! - pairs are cut into consecutive chunks verified in parallel, each with a cache of
//!   [`CACHE`] analyses and profiles. The whole order being known, a full cache evicts the
//!   analysis whose document is visited furthest ahead, or never again (Belady's rule, the
//!   optimal one: Belady, "A study of replacement algorithms for a virtual-storage computer",
//!   IBM Systems Journal, 1966).
//!
//! On that corpus this analyzes 46,000 texts (37,300 distinct) for the 50,900 pairs left
//! (43,100 of which the full profiles do not settle); evicting by the CLOCK rule (a second
//! chance for anything used since the hand last passed) analyzed 50,300. At a million
//! documents: 2,103,000 analyses (921,000 distinct) for 2,688,000 pairs, against 2,174,000.
//!
//! # Invariants
//! - The sieve drops only pairs that [`may_report_pair`] on the full profiles would rule out
//!   (a pair sharing a fingerprint bucket, or whose two documents both hold a fingerprint
//!   without one, counts as sharing a run), and verification checks the full profiles again.
//! - The order and the cache decide only how often a text is analyzed, never a result: each
//!   pair is verified once, from the same two analyses, and the reported pairs are sorted by
//!   `(a, b)` at the end. Chunks are cut by position, not by thread.

use super::analyzer::{self, Analyzer};
use super::buckets::Candidates;
use super::{Fill, Progress, ScanOptions, ScoredPair};
use crate::bounds::{may_report_pair, may_share_run_pair, Bar, Narrow, NarrowSets, Profile};
use crate::cover::{max_containment, Compact, CompactSets, Reach, Scratch};
use crate::detector::{Analysis, Detector};
use rayon::prelude::*;
use std::collections::HashMap;

/// Analyses kept per chunk being verified (about 30 KB each for a 2,500-character text). Once
/// the sieve has settled most candidates, a larger cache saves few analyses: on the peer corpus
/// 83,000 with 256, 81,000 with 1,024 (and 20 MB more per chunk in progress).
const CACHE: usize = 256;
/// Pairs per chunk, at least: each chunk starts with an empty cache.
const MIN_CHUNK: usize = 8192;

/// The candidates whose narrow profiles (`profiles[d / chunk]` holds document `d` at
/// `d % chunk`) do not rule out a report at `options.min_score`, in their order. A pair may
/// share a verbatim run when it shares a fingerprint bucket, or when both documents hold a
/// fingerprint too common to be one (`stock`).
///
/// Above the default threshold, a pair must also resemble enough, or alignment be able to cover
/// enough of one of the two texts ([`crate::cover`]). Each document's sets are loaded once: a
/// first pass, by first document, bounds the second text in the first; a second pass, by second
/// document, bounds the first text in the second, for the pairs still open.
pub(super) fn sieve(
    detector: &Detector,
    profiles: &[Narrow],
    covers: &[Compact],
    chunk: usize,
    stock: &[bool],
    candidates: Candidates,
    options: &ScanOptions,
) -> Vec<(u32, u32)> {
    let bar = Bar::new(&detector.config().align, options.min_score);
    let at = |d: u32| (&profiles[d as usize / chunk], d as usize % chunk);
    let cover_at = |d: u32| (&covers[d as usize / chunk], d as usize % chunk);
    let config = &detector.config().align;
    let reaches = |x: f64| crate::score::reaches(x, options.min_score);
    let pairs = &candidates.pairs;
    // The candidates come grouped by their first document: each group is checked from that
    // document's sets.
    let groups = runs_by(pairs.len(), |k| pairs[k].0);
    let may_share_run = |k: usize| {
        let (a, b) = pairs[k];
        candidates.share_run[k] || (stock[a as usize] && stock[b as usize])
    };
    let mut verdicts: Vec<Verdict> = groups
        .into_par_iter()
        .map_init(
            || {
                (
                    NarrowSets::new(),
                    None,
                    CompactSets::new(),
                    Scratch::default(),
                )
            },
            |(sets, loaded, mine, marks), group| {
                let a = pairs[group.start].0;
                if !covers.is_empty() {
                    let (c, i) = cover_at(a);
                    mine.load(c, i, config);
                }
                let (pa, i) = at(a);
                // A document with a single candidate is checked by merging.
                let many = group.len() >= SETS_FROM;
                if many {
                    sets.load(loaded.map(at), pa, i);
                    *loaded = Some(a);
                }
                group
                    .map(|k| {
                        let b = pairs[k].1;
                        let (pb, j) = at(b);
                        let run = may_share_run(k);
                        let passes = if many {
                            pa.may_report_from(i, sets, pb, j, run, &bar)
                        } else {
                            pa.may_report(i, pb, j, run, &bar)
                        };
                        if !passes {
                            Verdict::Out
                        } else if covers.is_empty() || pa.may_resemble(i, pb, j, &bar) || {
                            let (c, k) = cover_at(b);
                            reaches(mine.max_containment_of(
                                c,
                                k,
                                config,
                                run,
                                options.min_score,
                                marks,
                            ))
                        } {
                            Verdict::In
                        } else {
                            Verdict::Open
                        }
                    })
                    .collect::<Vec<_>>()
            },
        )
        .flatten_iter()
        .collect();
    // The pairs still open, by second document: its sets bound the first text in it.
    let mut open: Vec<(u32, u32)> = (0..pairs.len())
        .filter(|&k| verdicts[k] == Verdict::Open)
        .map(|k| (pairs[k].1, k as u32))
        .collect();
    open.sort_unstable();
    let opened = runs_by(open.len(), |x| open[x].0);
    let kept: Vec<u32> = opened
        .into_par_iter()
        .map_init(
            || (CompactSets::new(), Scratch::default()),
            |(theirs, marks), group| {
                let (cb, j) = cover_at(open[group.start].0);
                theirs.load(cb, j, config);
                group
                    .map(|x| open[x].1)
                    .filter(|&k| {
                        let (ca, i) = cover_at(pairs[k as usize].0);
                        let run = may_share_run(k as usize);
                        reaches(theirs.max_containment_of(
                            ca,
                            i,
                            config,
                            run,
                            options.min_score,
                            marks,
                        ))
                    })
                    .collect::<Vec<_>>()
            },
        )
        .flatten_iter()
        .collect();
    for k in kept {
        verdicts[k as usize] = Verdict::In;
    }
    pairs
        .iter()
        .zip(&verdicts)
        .filter(|(_, &v)| v == Verdict::In)
        .map(|(&p, _)| p)
        .collect()
}

/// What the sieve's first pass says of a candidate.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Settled: it cannot be reported.
    Out,
    /// Left for verification.
    In,
    /// Up to the bound on the first text in the second.
    Open,
}

/// The ranges of `0..n` over which `key` stays the same (it comes grouped).
fn runs_by(n: usize, key: impl Fn(usize) -> u32) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut start = 0;
    for k in 1..=n {
        if k == n || key(k) != key(start) {
            runs.push(start..k);
            start = k;
        }
    }
    runs
}

/// Candidates of one document from which the sieve checks them from its sets.
const SETS_FROM: usize = 2;

/// Verifies `candidates` (`a < b`); returns the reported pairs sorted by `(a, b)` and how many
/// candidates were aligned.
pub(super) fn verify(
    detector: &Detector,
    n_docs: usize,
    candidates: &[(u32, u32)],
    fill: &Fill<'_>,
    options: &ScanOptions,
    progress: &dyn Progress,
) -> (Vec<ScoredPair>, usize) {
    let ordered = visiting_order(n_docs, candidates);
    let chunk = MIN_CHUNK.max(ordered.len().div_ceil(4 * rayon::current_num_threads()));
    let next = next_uses(n_docs, &ordered);
    // The aligner's exact bound, whole-sentence passages and runs included.
    let bar = Bar::new(&detector.config().align, options.min_score);
    let per_chunk: Vec<(Vec<ScoredPair>, usize)> = ordered
        .par_chunks(chunk)
        .zip(next.par_chunks(chunk))
        .map(|(pairs, next)| {
            let mut cache = Cache::new(detector, CACHE, options.bounds_coverage());
            let mut scratch = Scratch::default();
            let mut found = Vec::new();
            let mut aligned = 0;
            for (&(a, b), &[next_a, next_b]) in pairs.iter().zip(next) {
                let i = cache.load(a, next_a, usize::MAX, fill);
                let j = cache.load(b, next_b, i, fill);
                let (x, y) = (&cache.slots[i], &cache.slots[j]);
                let run = may_share_run_pair(&x.profile, &y.profile);
                if may_report_pair(&x.profile, &y.profile, run, &bar)
                    && may_reach(detector, (x, y), run, options, &mut scratch)
                {
                    aligned += 1;
                    let comparison = detector.compare_known(&x.analysis, &y.analysis, run);
                    if options.reports(&comparison) {
                        let (a, b) = (a as usize, b as usize);
                        found.push(ScoredPair {
                            a,
                            b,
                            comparison,
                            via: None,
                        });
                    }
                }
            }
            progress.advance(pairs.len() as u64);
            (found, aligned)
        })
        .collect();
    let aligned = per_chunk.iter().map(|x| x.1).sum();
    let mut pairs: Vec<ScoredPair> = per_chunk.into_iter().flat_map(|x| x.0).collect();
    pairs.sort_unstable_by_key(|p| (p.a, p.b));
    (pairs, aligned)
}

/// Whether the pair of `x` and `y` may score `options.min_score`: its resemblance, or the
/// containment either way that alignment could at most find ([`crate::cover`]). Above the
/// default threshold only: below, the profiles' bound has settled nearly every pair this would.
fn may_reach(
    detector: &Detector,
    (x, y): (&Slot, &Slot),
    run: bool,
    options: &ScanOptions,
    scratch: &mut Scratch,
) -> bool {
    if !options.bounds_coverage() {
        return true;
    }
    let config = &detector.config().align;
    let floor = options.min_score;
    let reaches = |s: f64| crate::score::reaches(s, floor);
    reaches(crate::shingle::jaccard(&x.analysis.shingles, &y.analysis.shingles).unwrap_or(0.0))
        || reaches(max_containment(
            &x.analysis,
            &y.reach,
            config,
            run,
            floor,
            scratch,
        ))
        || reaches(max_containment(
            &y.analysis,
            &x.reach,
            config,
            run,
            floor,
            scratch,
        ))
}

/// The candidates, `(a, b)` unchanged, in the order described in the module docs.
fn visiting_order(n_docs: usize, candidates: &[(u32, u32)]) -> Vec<(u32, u32)> {
    // Adjacency lists, flat.
    let mut start = vec![0u32; n_docs + 1];
    for &(a, b) in candidates {
        start[a as usize + 1] += 1;
        start[b as usize + 1] += 1;
    }
    for i in 0..n_docs {
        start[i + 1] += start[i];
    }
    let mut next: Vec<u32> = start[..n_docs].to_vec();
    let mut adj = vec![0u32; 2 * candidates.len()];
    for &(a, b) in candidates {
        adj[next[a as usize] as usize] = b;
        next[a as usize] += 1;
        adj[next[b as usize] as usize] = a;
        next[b as usize] += 1;
    }
    drop(next);
    let degree = |d: u32| start[d as usize + 1] - start[d as usize];
    // Most connected first, ties by position: a deterministic walk.
    let by_degree = |x: &u32, y: &u32| degree(*y).cmp(&degree(*x)).then(x.cmp(y));
    for d in 0..n_docs {
        adj[start[d] as usize..start[d + 1] as usize].sort_unstable_by(by_degree);
    }
    let mut roots: Vec<u32> = (0..n_docs as u32).filter(|&d| degree(d) > 0).collect();
    roots.sort_unstable_by(by_degree);
    let mut rank = vec![u32::MAX; n_docs];
    let mut queue = std::collections::VecDeque::new();
    let mut next_rank = 0u32;
    for r in roots {
        if rank[r as usize] != u32::MAX {
            continue;
        }
        rank[r as usize] = next_rank;
        next_rank += 1;
        queue.push_back(r);
        while let Some(u) = queue.pop_front() {
            for &v in &adj[start[u as usize] as usize..start[u as usize + 1] as usize] {
                if rank[v as usize] == u32::MAX {
                    rank[v as usize] = next_rank;
                    next_rank += 1;
                    queue.push_back(v);
                }
            }
        }
    }
    let mut ordered = candidates.to_vec();
    ordered.par_sort_unstable_by_key(|&(a, b)| {
        let (ra, rb) = (rank[a as usize], rank[b as usize]);
        (ra.max(rb), ra.min(rb))
    });
    ordered
}

/// For each pair of `ordered`, where each of its two documents is visited next (the position
/// of the next pair holding it), `u32::MAX` for none.
fn next_uses(n_docs: usize, ordered: &[(u32, u32)]) -> Vec<[u32; 2]> {
    let mut seen = vec![u32::MAX; n_docs];
    let mut out = vec![[u32::MAX; 2]; ordered.len()];
    for (k, &(a, b)) in ordered.iter().enumerate().rev() {
        out[k] = [seen[a as usize], seen[b as usize]];
        seen[a as usize] = k as u32;
        seen[b as usize] = k as u32;
    }
    out
}

/// One cached document.
struct Slot {
    doc: u32,
    /// Where it is visited next.
    next: u32,
    analysis: Analysis,
    profile: Profile,
    /// What [`crate::cover`] needs of it as the other side of a pair (empty at the default
    /// threshold, where the bound is not used).
    reach: Reach,
}

/// A fixed number of analyses, evicted by Belady's rule.
struct Cache<'d> {
    analyzer: Analyzer<'d>,
    detector: &'d Detector,
    at: HashMap<u32, usize, ahash::RandomState>,
    slots: Vec<Slot>,
    capacity: usize,
    /// Whether each slot gets its [`Slot::reach`].
    reach: bool,
    /// Texts analyzed so far.
    analyzed: usize,
}

impl<'d> Cache<'d> {
    /// A cache of `capacity` (at least 2) analyses, with their reach if `reach`.
    fn new(detector: &'d Detector, capacity: usize, reach: bool) -> Cache<'d> {
        Cache {
            capacity: capacity.max(2),
            reach,
            analyzer: Analyzer::new(detector),
            detector,
            at: HashMap::with_hasher(ahash::RandomState::with_seeds(1, 2, 3, 4)),
            slots: Vec::new(),
            analyzed: 0,
        }
    }

    /// The slot holding `doc`'s analysis, analyzing it if needed, never evicting slot `keep`;
    /// `next` is where `doc` is visited next. A full cache evicts the analysis visited
    /// furthest ahead, or never again (Belady's rule: the whole visiting order is known).
    fn load(&mut self, doc: u32, next: u32, keep: usize, fill: &Fill<'_>) -> usize {
        if let Some(&i) = self.at.get(&doc) {
            self.slots[i].next = next;
            return i;
        }
        let i = if self.slots.len() < self.capacity {
            self.slots.push(Slot {
                doc,
                next,
                analysis: analyzer::empty(),
                profile: Profile::default(),
                reach: Reach::default(),
            });
            self.slots.len() - 1
        } else {
            // A scan of a few hundred slots, against an analysis of thousands of words.
            let far = (0..self.slots.len())
                .filter(|&h| h != keep)
                .max_by_key(|&h| (self.slots[h].next, std::cmp::Reverse(h)))
                .expect("at least two slots");
            let s = &mut self.slots[far];
            self.at.remove(&s.doc);
            s.doc = doc;
            s.next = next;
            far
        };
        let s = &mut self.slots[i];
        self.analyzed += 1;
        fill(doc as usize, &mut self.analyzer, &mut s.analysis);
        s.profile = Profile::of(&s.analysis, self.detector.config());
        if self.reach {
            s.reach = Reach::of(&s.analysis, &self.detector.config().align);
        }
        self.at.insert(doc, i);
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_is_a_permutation_of_the_candidates() {
        let candidates = vec![(0, 1), (0, 5), (1, 5), (2, 3), (3, 4), (4, 6)];
        let mut got = visiting_order(8, &candidates);
        assert_eq!(got.len(), candidates.len());
        got.sort_unstable();
        assert_eq!(got, candidates);
    }

    #[test]
    fn a_small_cache_gives_the_right_analyses() {
        let d = Detector::default();
        let texts: Vec<String> = (0..40)
            .map(|i| {
                format!(
                    "Le conseil {i} a voté le budget des écoles de la ville {}.",
                    i % 3
                )
            })
            .collect();
        let fill =
            |i: usize, an: &mut Analyzer, out: &mut Analysis| an.analyze_into(&texts[i], out);
        // Far more documents than slots: loads evict, and a pair's first slot survives the
        // second load.
        let mut cache = Cache::new(&d, 3, false);
        let pairs: Vec<(u32, u32)> = (1..4)
            .flat_map(|round| (0..40).map(move |i| (i as u32, ((i + round) % 40) as u32)))
            .collect();
        for (&(a, b), &[next_a, next_b]) in pairs.iter().zip(&next_uses(40, &pairs)) {
            let x = cache.load(a, next_a, usize::MAX, &fill);
            let y = cache.load(b, next_b, x, &fill);
            assert_ne!(x, y);
            for (slot, doc) in [(x, a), (y, b)] {
                assert_eq!(cache.slots[slot].doc, doc);
                assert_eq!(
                    cache.slots[slot].analysis.shingles,
                    d.analyze_unsketched(&texts[doc as usize]).shingles
                );
            }
        }
        assert_eq!(cache.slots.len(), 3);
    }

    #[test]
    fn the_cache_keeps_what_is_needed_again() {
        // Documents 0 and 2 come back; the others are needed once. Keeping the most recently
        // used would evict 0 to make room for 3; looking ahead, each text is analyzed once.
        let d = Detector::default();
        let fill = |i: usize, an: &mut Analyzer, out: &mut Analysis| {
            an.analyze_into(&format!("document {i}"), out)
        };
        let pairs = [(0, 1), (2, 3), (0, 4), (2, 5), (0, 6), (2, 0)];
        let mut cache = Cache::new(&d, 3, false);
        for (&(a, b), &[next_a, next_b]) in pairs.iter().zip(&next_uses(7, &pairs)) {
            let x = cache.load(a, next_a, usize::MAX, &fill);
            cache.load(b, next_b, x, &fill);
        }
        assert_eq!(cache.analyzed, 7);
    }
}

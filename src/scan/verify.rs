//! Step 4 of [`super`]: verifying candidate pairs with as few analyses as possible.
//!
//! Scan holds no analyses between stages, so verifying a pair needs both texts analyzed again.
//! Done pair by pair, that is one analysis per pair, and analysis (tokens, terms, shingles, the
//! pre-alignment profile) then costs more than everything else together: a generated corpus of
//! 60,000 documents makes 300,000 candidates. So:
//!
//! - first, [`sieve`] settles the candidates that alignment could not report from what the
//!   first analysis left of each document: its profile, narrowed ([`Narrow`]), and whether it
//!   holds a fingerprint too common to be a bucket. On that corpus it settles 77% of the
//!   candidates without analyzing a text again; when each pair was checked after analyzing
//!   both texts, verification took 193,000 analyses, against 50,000 now. Half the pairs it
//!   leaves were once pairs sharing only a run of ten common words (`à trois ans de lundi,
//!   dont un an`), which the bigrams cannot settle: the bound on what shared runs can cover
//!   ([`crate::index::profile`]) settles them;
//! - then, since the pairs left come in clusters (a story and its copies; the pages sharing a
//!   sentence), they are visited in an order where a document's pairs come close together, and
//!   each worker keeps its most recent analyses:
//!
//! - documents are ranked by a breadth-first walk of the candidate graph, from the most
//!   connected documents first: a cluster's documents get neighbouring ranks;
//! - pairs are visited by the rank of their later document, then of the earlier one;
//! - pairs are cut into consecutive chunks verified in parallel, each with a cache of
//!   [`CACHE`] analyses and profiles, evicted by the CLOCK rule (a second chance for anything
//!   used since the hand last passed).
//!
//! On that corpus this analyzes 50,000 texts for the 50,900 pairs left (43,100 of which the
//! full profiles do not settle).
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
use crate::detector::{Analysis, Detector};
use crate::index::profile::{may_report_pair, may_share_run_pair, Bar, Narrow, Profile};
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
pub(super) fn sieve(
    detector: &Detector,
    profiles: &[Narrow],
    chunk: usize,
    stock: &[bool],
    candidates: Candidates,
    options: &ScanOptions,
) -> Vec<(u32, u32)> {
    let bar = Bar::new(&detector.config().align, options.min_score);
    let at = |d: u32| (&profiles[d as usize / chunk], d as usize % chunk);
    candidates
        .pairs
        .into_par_iter()
        .zip(candidates.share_run)
        .filter(|&((a, b), run)| {
            let ((pa, i), (pb, j)) = (at(a), at(b));
            let run = run || (stock[a as usize] && stock[b as usize]);
            pa.may_report(i, pb, j, run, &bar)
        })
        .map(|(pair, _)| pair)
        .collect()
}

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
    // The aligner's exact bound, whole-sentence passages and runs included.
    let bar = Bar::new(&detector.config().align, options.min_score);
    let per_chunk: Vec<(Vec<ScoredPair>, usize)> = ordered
        .par_chunks(chunk)
        .map(|pairs| {
            let mut cache = Cache::new(detector, CACHE);
            let mut found = Vec::new();
            let mut aligned = 0;
            for &(a, b) in pairs {
                let i = cache.load(a, usize::MAX, fill);
                let j = cache.load(b, i, fill);
                let (x, y) = (&cache.slots[i], &cache.slots[j]);
                let run = may_share_run_pair(&x.profile, &y.profile);
                if may_report_pair(&x.profile, &y.profile, run, &bar) {
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

/// One cached document.
struct Slot {
    doc: u32,
    used: bool,
    analysis: Analysis,
    profile: Profile,
}

/// A fixed number of analyses, evicted by the CLOCK rule.
struct Cache<'d> {
    analyzer: Analyzer<'d>,
    detector: &'d Detector,
    at: HashMap<u32, usize, ahash::RandomState>,
    slots: Vec<Slot>,
    capacity: usize,
    hand: usize,
}

impl<'d> Cache<'d> {
    /// A cache of `capacity` (at least 2) analyses.
    fn new(detector: &'d Detector, capacity: usize) -> Cache<'d> {
        Cache {
            capacity: capacity.max(2),
            analyzer: Analyzer::new(detector),
            detector,
            at: HashMap::with_hasher(ahash::RandomState::with_seeds(1, 2, 3, 4)),
            slots: Vec::new(),
            hand: 0,
        }
    }

    /// The slot holding `doc`'s analysis, analyzing it if needed, never evicting slot `keep`.
    fn load(&mut self, doc: u32, keep: usize, fill: &Fill<'_>) -> usize {
        if let Some(&i) = self.at.get(&doc) {
            self.slots[i].used = true;
            return i;
        }
        let i = if self.slots.len() < self.capacity {
            self.slots.push(Slot {
                doc,
                used: true,
                analysis: analyzer::empty(),
                profile: Profile::default(),
            });
            self.slots.len() - 1
        } else {
            loop {
                let h = self.hand;
                self.hand = (h + 1) % self.slots.len();
                if h == keep {
                    continue;
                }
                let s = &mut self.slots[h];
                if s.used {
                    s.used = false;
                } else {
                    self.at.remove(&s.doc);
                    s.doc = doc;
                    s.used = true;
                    break h;
                }
            }
        };
        let s = &mut self.slots[i];
        fill(doc as usize, &mut self.analyzer, &mut s.analysis);
        s.profile = Profile::of(&s.analysis, self.detector.config());
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
        let mut cache = Cache::new(&d, 3);
        for round in 1..4 {
            for i in 0..40 {
                let (a, b) = (i as u32, ((i + round) % 40) as u32);
                let x = cache.load(a, usize::MAX, &fill);
                let y = cache.load(b, x, &fill);
                assert_ne!(x, y);
                for (slot, doc) in [(x, a), (y, b)] {
                    assert_eq!(cache.slots[slot].doc, doc);
                    assert_eq!(
                        cache.slots[slot].analysis.shingles,
                        d.analyze_unsketched(&texts[doc as usize]).shingles
                    );
                }
            }
        }
        assert_eq!(cache.slots.len(), 3);
    }
}

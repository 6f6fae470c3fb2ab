//! Near-duplicate groups (step 2 of [`super`]): a story that many sites republish, collapsed to
//! one representative before pairing.
//!
//! Candidate counting pairs every two holders of a key, so `k` copies of one story cost `k²`
//! tallies and `k²` alignments, and a key held by more than `max_bucket` documents is skipped as
//! boilerplate: for a story copied 300 times, that drops the story's own keys, the strongest
//! evidence there is. Grouped, the copies hold the story's keys once, through their
//! representative. Buckets stay the size they would be with one copy, each copy is aligned with
//! the representative once, and the pairs among copies, or between a copy and a page that shares
//! a passage with the story, are derived through the representative ([`super::derive`]), as
//! [`crate::bridge`] derives pairs through a whole copy.
//!
//! 1. **Candidates.** Each document's shingle keys (already a hash sample, sorted) give a
//!    one-permutation MinHash sketch (Li, Owen & Zhang, "One permutation hashing", NIPS 2012):
//!    the smallest key in each of [`BINS`] ranges of the hash, and for short texts the two
//!    smallest keys of all. Two values make a band; documents agreeing on a band are joined
//!    (union–find). Copies with 2% of their words changed and
//!    their own site's header and footer share about two thirds of their keys, so two copies
//!    agree on some band with probability 0.99, and a copy joins the rest of a large cluster
//!    through any of its members.
//! 2. **Representative.** A component of at least [`MIN_GROUP`] documents (smaller clusters
//!    cost little and are paired directly, as before) is represented by the member whose keys
//!    the others hold most (the largest sum, over its keys, of the members holding each): the
//!    most complete copy of what they share, whatever chrome it carries of its own.
//! 3. **Members.** A document joins the group only as a near-duplicate of the representative
//!    itself, never through a chain of neighbours: at least [`MIN_MEMBER_KEY_SHARE`] of the
//!    smaller key set in common, and aligned with the representative, verdict `copy`. The rest
//!    go back, and the steps repeat among them ([`ROUNDS`] times at most): a component that
//!    joined two stories yields one group per story.
//!
//! # Invariants
//! - Groups depend only on the keys, the texts and the detector, never on the number of
//!   threads: components do not depend on the order of unions, and ties go to the lowest
//!   document.
//! - Every member is a `copy` of its representative (verdict from the alignment of the two);
//!   a document is in one group at most; groups are sorted by representative, members by
//!   document.

use super::analyzer::{self, Analyzer};
use super::buckets::KeyChunk;
use super::{Fill, ScoredPair, FINGERPRINT_TAG};
use crate::bounds::{common_u32, may_share_run_pair, Profile};
use crate::cluster::{find, union};
use crate::detector::Detector;
use crate::normalize::Tokens;
use crate::verdict::{Verdict, VerdictThresholds};
use rayon::prelude::*;
use std::ops::Range;

/// Ranges of the hash in a document's sketch.
pub const BINS: usize = 16;
/// Bins per band.
const ROWS: usize = 2;
/// Documents in a component for it to be grouped: below, a cluster's pairs are aligned one by
/// one (at most 465 alignments), as is every pair of the development set. From 32 holders on, a
/// key starts to weigh less as a common one ([`super::RARE_KEY_DOCS`]).
pub const MIN_GROUP: usize = 32;
/// Least share of the smaller key set a member holds in common with its representative before
/// the two are aligned: copies with 2% of their words changed and a site's chrome of their own
/// share about 0.75; two renderings of a story, about 0.3.
pub const MIN_MEMBER_KEY_SHARE: f64 = 0.5;
/// Least containment of a member in its representative and of the representative in it: a
/// near-duplicate, each nearly all in the other but for a site's header and footer. The pairs
/// a member makes are derived through the representative, which misses what two members share
/// outside it: an excerpt, or a text that only overlaps the representative, is paired on its
/// own. Copies of a story with 2% of their words changed and their own site's chrome score
/// 0.84 to 0.99 with each other (`scripts/scale/gen.py clusters`).
pub const MIN_MEMBER_CONTAINMENT: f64 = 0.8;

/// Whether two texts, each this much contained in the other, are near-duplicates, as a group's
/// members are of its representative in `scan` and in the index: a copy by the default verdict
/// thresholds, each at least [`MIN_MEMBER_CONTAINMENT`] in the other.
pub fn is_near_duplicate(a_in_b: f64, b_in_a: f64) -> bool {
    VerdictThresholds::default().verdict(a_in_b, b_in_a) == Verdict::Copy
        && a_in_b.min(b_in_a) >= MIN_MEMBER_CONTAINMENT
}

/// Rounds of grouping among the documents a round left out.
const ROUNDS: usize = 3;

/// One side of a passage and the other, in word positions, and whether it is firm
/// ([`crate::align::Alignment::firm`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Piece {
    pub(crate) near: Range<u32>,
    pub(crate) far: Range<u32>,
    pub(crate) firm: bool,
}

/// A document's passages with another, in word positions, and its number of words.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Link {
    pub(crate) pieces: Vec<Piece>,
    /// Words of the near side.
    pub(crate) words: u32,
    /// Words of the far side.
    pub(crate) far_words: u32,
}

impl Link {
    /// The passages of `pair` seen from document `from` (one of its two), in word positions.
    pub(crate) fn of(pair: &ScoredPair, from: usize, near: &Tokens, far: &Tokens) -> Link {
        let flip = pair.a != from;
        let pieces = pair
            .comparison
            .passages
            .iter()
            .map(|p| {
                let (n, f) = if flip { (&p.b, &p.a) } else { (&p.a, &p.b) };
                Piece {
                    near: word_range(near, n),
                    far: word_range(far, f),
                    firm: p.firm,
                }
            })
            .filter(|p| !p.near.is_empty() && !p.far.is_empty())
            .collect();
        Link {
            pieces,
            words: near.len() as u32,
            far_words: far.len() as u32,
        }
    }

    /// The same passages seen from the other side.
    pub(crate) fn flipped(&self) -> Link {
        let mut pieces: Vec<Piece> = self
            .pieces
            .iter()
            .map(|p| Piece {
                near: p.far.clone(),
                far: p.near.clone(),
                firm: p.firm,
            })
            .collect();
        pieces.sort_by_key(|p| p.near.start);
        Link {
            pieces,
            words: self.far_words,
            far_words: self.words,
        }
    }
}

/// The words of `tokens` that `bytes` touches ([`crate::bridge::words_in`]), as `u32`s.
fn word_range(tokens: &Tokens, bytes: &Range<usize>) -> Range<u32> {
    let r = crate::bridge::words_in(tokens, bytes);
    r.start as u32..r.end as u32
}

/// A member of a group and its alignment with the representative.
#[derive(Clone, Debug)]
pub(crate) struct Member {
    pub(crate) doc: u32,
    /// The comparison of the member and the representative, as scan reports pairs.
    pub(crate) pair: ScoredPair,
    /// The same passages from the member's side, in word positions.
    pub(crate) link: Link,
}

/// A representative and its members.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub(crate) representative: u32,
    pub(crate) members: Vec<Member>,
}

/// Marks a document in no group, in [`Grouping::rep_of`].
pub(crate) const NONE: u32 = u32::MAX;

/// The groups of a corpus.
#[derive(Debug, Default)]
pub(crate) struct Grouping {
    pub(crate) groups: Vec<Group>,
    /// For each document, its representative if it is a member, else [`NONE`] (a
    /// representative is not a member of its own group).
    pub(crate) rep_of: Vec<u32>,
}

impl Grouping {
    /// No groups, for `n` documents.
    pub(crate) fn none(n: usize) -> Grouping {
        Grouping {
            groups: Vec::new(),
            rep_of: vec![NONE; n],
        }
    }

    /// Members in all groups (representatives not counted).
    pub(crate) fn members(&self) -> usize {
        self.groups.iter().map(|g| g.members.len()).sum()
    }
}

/// The keys of document `d` (`chunks[d / chunk]` holds it at `d % chunk`).
fn keys_of(chunks: &[KeyChunk], chunk: usize, d: u32) -> &[u32] {
    let c = &chunks[d as usize / chunk];
    let i = d as usize % chunk;
    let from = if i == 0 { 0 } else { c.ends[i - 1] as usize };
    &c.keys[from..c.ends[i] as usize]
}

/// The shingle keys among a document's keys (they come before its fingerprints).
fn shingle_keys(keys: &[u32]) -> &[u32] {
    &keys[..keys.partition_point(|&k| k & FINGERPRINT_TAG == 0)]
}

/// Values of a document's sketch: the smallest key in each of the [`BINS`] ranges of the hash,
/// then its two smallest keys over the whole range.
const SKETCH: usize = BINS + 2;

/// A document's sketch, `u32::MAX` for a value it has no key for (no shingle key has bit 31
/// set). The last band, the two smallest keys, is what a short text has: a brief of one
/// sentence holds a handful of keys, too few to fill two bins of a band, and a brief that
/// hundreds of sites carry is a cluster like any other.
fn sketch(keys: &[u32]) -> [u32; SKETCH] {
    let mut m = [u32::MAX; SKETCH];
    let shift = 31 - BINS.trailing_zeros();
    let shingles = shingle_keys(keys);
    // Keys are sorted: the first key met in a bin is its smallest.
    for &k in shingles {
        let b = (k >> shift) as usize;
        if m[b] == u32::MAX {
            m[b] = k;
        }
    }
    if let [x, y, ..] = shingles {
        m[BINS] = *x;
        m[BINS + 1] = *y;
    }
    m
}

/// The bands of a document's sketch, from its keys as [`super::candidate_keys`] gives them
/// (sorted, shingles before fingerprints), each as one hash of the band's number and values,
/// into `out`: two documents sharing a value are joined into one component, as `scan` joins
/// them before it keeps the components of [`MIN_GROUP`] documents or more. For engines that
/// find the components themselves (the Spark job).
pub fn group_bands(keys: &[u64], out: &mut Vec<u64>) {
    out.clear();
    // Keys are 32-bit values; anything wider is not a key of this engine.
    let keys: Vec<u32> = keys.iter().filter_map(|&k| u32::try_from(k).ok()).collect();
    let s = sketch(&keys);
    for band in 0..SKETCH / ROWS {
        let (x, y) = (s[band * ROWS], s[band * ROWS + 1]);
        if x != u32::MAX && y != u32::MAX {
            let mut bytes = [0u8; 9];
            bytes[0] = band as u8;
            bytes[1..5].copy_from_slice(&x.to_le_bytes());
            bytes[5..].copy_from_slice(&y.to_le_bytes());
            out.push(xxhash_rust::xxh3::xxh3_64(&bytes));
        }
    }
}

/// The components of at least [`MIN_GROUP`] of `docs` (ascending) joined by a band in common,
/// each ascending, in order of their first document.
fn components(chunks: &[KeyChunk], chunk: usize, docs: &[u32]) -> Vec<Vec<u32>> {
    let sketches: Vec<[u32; SKETCH]> = docs
        .par_iter()
        .map(|&d| sketch(keys_of(chunks, chunk, d)))
        .collect();
    let mut parent: Vec<usize> = (0..docs.len()).collect();
    let mut entries: Vec<(u64, u32)> = Vec::with_capacity(docs.len());
    for band in 0..SKETCH / ROWS {
        entries.clear();
        entries.par_extend(sketches.par_iter().enumerate().filter_map(|(i, s)| {
            let (x, y) = (s[band * ROWS], s[band * ROWS + 1]);
            (x != u32::MAX && y != u32::MAX)
                .then_some((u64::from(x) << 32 | u64::from(y), i as u32))
        }));
        entries.par_sort_unstable();
        for run in entries.chunk_by(|x, y| x.0 == y.0) {
            // The smaller root stays the root: components do not depend on the order.
            for &(_, i) in &run[1..] {
                union(&mut parent, run[0].1 as usize, i as usize);
            }
        }
    }
    let mut by_root: Vec<(usize, u32)> = (0..docs.len())
        .map(|i| (find(&mut parent, i), docs[i]))
        .collect();
    by_root.sort_unstable();
    by_root
        .chunk_by(|x, y| x.0 == y.0)
        .filter(|c| c.len() >= MIN_GROUP)
        .map(|c| c.iter().map(|x| x.1).collect())
        .collect()
}

/// The representative of a component, and the documents close enough to it to align.
fn elect(chunks: &[KeyChunk], chunk: usize, component: &[u32]) -> (u32, Vec<u32>) {
    let mut all: Vec<u32> = component
        .iter()
        .flat_map(|&d| shingle_keys(keys_of(chunks, chunk, d)).iter().copied())
        .collect();
    all.sort_unstable();
    let mut keys: Vec<u32> = Vec::new();
    let mut counts: Vec<u64> = Vec::new();
    for run in all.chunk_by(|x, y| x == y) {
        keys.push(run[0]);
        counts.push(run.len() as u64);
    }
    let held = |d: u32| -> u64 {
        shingle_keys(keys_of(chunks, chunk, d))
            .iter()
            .map(|k| keys.binary_search(k).map_or(0, |i| counts[i]))
            .sum()
    };
    let (_, rep) = component
        .iter()
        .map(|&d| (held(d), std::cmp::Reverse(d)))
        .max()
        .map(|(h, r)| (h, r.0))
        .expect("a component has members");
    let rk = shingle_keys(keys_of(chunks, chunk, rep));
    let close = component
        .iter()
        .copied()
        .filter(|&d| d != rep)
        .filter(|&d| {
            let k = shingle_keys(keys_of(chunks, chunk, d));
            let smaller = k.len().min(rk.len());
            smaller > 0 && common_u32(k, rk) as f64 >= MIN_MEMBER_KEY_SHARE * smaller as f64
        })
        .collect();
    (rep, close)
}

/// Groups the documents (see the module docs). `chunks` hold every document's keys, `chunk`
/// documents each; `fill` analyzes a document.
pub(crate) fn find_groups(
    detector: &Detector,
    chunks: &[KeyChunk],
    chunk: usize,
    n_docs: usize,
    fill: &Fill<'_>,
) -> Grouping {
    let mut out = Grouping::none(n_docs);
    let mut left: Vec<u32> = (0..n_docs as u32).collect();
    for _ in 0..ROUNDS {
        if left.len() < MIN_GROUP {
            break;
        }
        let comps = components(chunks, chunk, &left);
        if comps.is_empty() {
            break;
        }
        let elected: Vec<(u32, Vec<u32>)> =
            comps.par_iter().map(|c| elect(chunks, chunk, c)).collect();
        let mut grouped_now = Vec::new();
        for (rep, close) in elected {
            if close.len() + 1 < MIN_GROUP {
                continue;
            }
            let members = align_members(detector, rep, &close, fill);
            if members.len() + 1 < MIN_GROUP {
                continue;
            }
            grouped_now.push(rep);
            for m in &members {
                out.rep_of[m.doc as usize] = rep;
                grouped_now.push(m.doc);
            }
            out.groups.push(Group {
                representative: rep,
                members,
            });
        }
        if grouped_now.is_empty() {
            break;
        }
        grouped_now.sort_unstable();
        left.retain(|d| grouped_now.binary_search(d).is_err());
    }
    out.groups.sort_by_key(|g| g.representative);
    out
}

/// The documents of `close` that are copies of `rep` by their alignment, with it.
fn align_members(detector: &Detector, rep: u32, close: &[u32], fill: &Fill<'_>) -> Vec<Member> {
    let mut rep_analysis = analyzer::empty();
    fill(
        rep as usize,
        &mut Analyzer::new(detector),
        &mut rep_analysis,
    );
    let rep_profile = Profile::of(&rep_analysis, detector.config());
    close
        .par_iter()
        .map_init(
            || (Analyzer::new(detector), analyzer::empty()),
            |(an, a), &d| {
                fill(d as usize, an, a);
                let run = may_share_run_pair(&Profile::of(a, detector.config()), &rep_profile);
                let (x, y) = if d < rep {
                    (&*a, &rep_analysis)
                } else {
                    (&rep_analysis, &*a)
                };
                let comparison = detector.compare_known(x, y, run);
                if !is_near_duplicate(comparison.containment_a_in_b, comparison.containment_b_in_a)
                {
                    return None;
                }
                let pair = ScoredPair {
                    a: d.min(rep) as usize,
                    b: d.max(rep) as usize,
                    comparison,
                    via: None,
                };
                let link = Link::of(&pair, d as usize, &a.tokens, &rep_analysis.tokens);
                Some(Member { doc: d, pair, link })
            },
        )
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_do_not_depend_on_the_order_of_unions() {
        // Documents whose sketches agree on band 0 in a chain of shared values: all one
        // component, whatever order the bands join them in.
        let mut chunk = KeyChunk::default();
        let n = 40u32;
        for d in 0..n {
            // Bins 0 and 1 (keys below 2^27 and below 2^28): the same pair for all documents,
            // then a key of its own in each other bin.
            let mut keys = vec![5, (1 << 27) + 9];
            keys.extend((2..BINS as u32).map(|b| (b << 27) + d));
            chunk.keys.extend(keys);
            chunk.ends.push(chunk.keys.len() as u32);
        }
        let docs: Vec<u32> = (0..n).collect();
        let comps = components(&[chunk.clone()], 1024, &docs);
        assert_eq!(comps, vec![docs.clone()]);
        // Every other document only: still one component, of 20 documents, too small to group.
        let half: Vec<u32> = (0..n).step_by(2).collect();
        assert!(components(&[chunk], 1024, &half).is_empty());
    }

    #[test]
    fn the_sketch_takes_the_smallest_key_of_each_bin() {
        let keys = [3, 7, (1 << 27) + 1, (15 << 27) + 4, FINGERPRINT_TAG | 2];
        let s = sketch(&keys);
        assert_eq!((s[0], s[1], s[15]), (3, (1 << 27) + 1, (15 << 27) + 4));
        assert!(s[2..15].iter().all(|&v| v == u32::MAX));
        assert_eq!((s[16], s[17]), (3, 7), "the two smallest keys");
    }
}

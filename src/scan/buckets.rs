//! Documents grouped by key, and the candidate pairs they make (steps 2 and 3 of [`super`]).
//!
//! Everything is held in flat arrays: the `(key, document)` entries are grouped by key in a few
//! passes, each in parallel ([`Buckets::new`]), keys held by one document or by more than `max_bucket` are dropped, and each kept
//! key becomes a bucket, its documents listed in order; each document lists its buckets.
//! Counting a document's candidates then reads only its own buckets' lists.
//!
//! # Invariants
//! - Buckets are numbered in the order of their keys rotated left by one bit (the fingerprint
//!   bit last), and list their documents ascending; a document lists its
//!   buckets ascending. So a pair's weighted count is summed in the same order, with the same
//!   floating-point result, whatever the number of threads.
//! - A document's total weight counts all its shingle keys, kept or not.

use super::groups::NONE;
use super::{ScanStats, FINGERPRINT_TAG, MAX_RUN_BUCKET, MIN_KEY_SHARE, MIN_SHARED_KEY_WEIGHT};
use crate::keys::key_weight;
use rayon::prelude::*;

/// The documents holding each kept key, and each document's kept keys, as flat arrays.
///
/// Counting candidates visits, for each document, the rest of each of its buckets: it goes
/// straight to the document's place in the bucket and reads on to the bucket's end, where the
/// bucket's size says its weight. A bucket's numbers (where it starts, its weight) kept in
/// arrays of their own cost a cache miss or two per visit, and finding the document in its
/// bucket a binary search; together they were more than half of the counting's time.
#[derive(Debug, PartialEq)]
pub(super) struct Buckets {
    /// Each bucket's documents, ascending, then an [`END`] entry that holds its size and
    /// whether it is a fingerprint's ([`RUN`]).
    docs: Vec<u32>,
    /// Weight of a shingle bucket by its size (the sizes kept: up to `max_bucket`).
    weights: Vec<f64>,
    /// Buckets kept.
    buckets: usize,
    /// Document `d` is at `docs[p]` for each `p` of `of_doc[doc_start[d]..doc_start[d + 1]]`,
    /// one per bucket it is in, ascending.
    doc_start: Vec<u32>,
    of_doc: Vec<u32>,
    /// Total weight of each document's shingle keys.
    doc_weight: Vec<f64>,
    /// The number of documents keys are weighed against: a group counts once.
    weigh_as: usize,
    /// Whether each document holds a fingerprint too widely held to be a bucket: two such
    /// documents may share a verbatim run that no candidate pair records.
    pub(super) stock: Vec<bool>,
}

/// Marks the entry of [`Buckets::docs`] that ends a bucket (documents are below `2^30`).
const END: u32 = 1 << 31;
/// Set on the end of a fingerprint's bucket.
const RUN: u32 = 1 << 30;

/// Weighted counts of the documents met from one document's buckets, summed in the order they
/// come, then drained in the order each was first met.
trait Tally {
    /// Adds `w` (positive) to document `d`'s count.
    fn add(&mut self, d: u32, w: f64);
    /// Hands every document and its count to `f`, in the order the documents were first met,
    /// and empties the tally.
    fn drain(&mut self, f: impl FnMut(u32, f64));
}

/// Places of a document read this far ahead of the one being counted.
const READ_AHEAD: usize = 8;

/// Corpora of up to this many documents count in an array with a slot for every document
/// ([`Dense`]), larger ones in a table of the documents met ([`Sparse`]). Peer corpus, two
/// threads: at 60,000 documents (a 480 KB array) the array counted in 0.26 s and the table in
/// 0.31 s; at a million (8 MB) the array in 21 s and the table in 15 s.
const DENSE_DOCS: usize = 1 << 17;

/// A count for every document.
struct Dense {
    counts: Vec<f64>,
    met: Vec<u32>,
}

impl Tally for Dense {
    #[inline]
    fn add(&mut self, d: u32, w: f64) {
        let c = &mut self.counts[d as usize];
        if *c == 0.0 {
            self.met.push(d);
        }
        *c += w;
    }

    fn drain(&mut self, mut f: impl FnMut(u32, f64)) {
        for &d in &self.met {
            f(d, std::mem::take(&mut self.counts[d as usize]));
        }
        self.met.clear();
    }
}

/// Counts of the documents met, in a small table ([`crate::tally`]): they are a few hundred to
/// a few thousand, and their table stays in the fastest caches, where an array with a count for
/// every document of a large corpus does not.
struct Sparse(crate::tally::Table<f64>);

impl Sparse {
    fn new() -> Sparse {
        Sparse::with_slots(1024)
    }

    /// A table of `n` slots to begin with (a power of two).
    fn with_slots(n: usize) -> Sparse {
        Sparse(crate::tally::Table::with_slots(n))
    }
}

impl Tally for Sparse {
    #[inline]
    fn add(&mut self, d: u32, w: f64) {
        self.0.add(d, w);
    }

    fn drain(&mut self, f: impl FnMut(u32, f64)) {
        self.0.drain(f);
    }
}

/// Candidate pairs `(a, b)`, `a < b`, sorted, and whether each shares a fingerprint bucket (a
/// verbatim run).
#[derive(Debug, PartialEq)]
pub(super) struct Candidates {
    pub(super) pairs: Vec<(u32, u32)>,
    pub(super) share_run: Vec<bool>,
}

/// The keys of consecutive documents, flat: document `i` of the chunk holds
/// `keys[ends[i - 1]..ends[i]]` (from 0 for the first).
#[derive(Clone, Default)]
pub(super) struct KeyChunk {
    pub(super) keys: Vec<u32>,
    pub(super) ends: Vec<u32>,
}

/// `(key, document)` entries grouped at once, at most (8 bytes each): more keys are grouped in
/// that many passes over a partition of the key space each, so that the grouping's memory stays
/// below the keys' own...
const PARTITION: usize = 1 << 22;

/// ... but in no more passes than this: each pass visits every document, and a visit is a
/// cache miss or two. At a million documents (289 million keys) 128 passes made grouping
/// 2.8 times slower per document than at 60,000; with 16, a pass holds a sixteenth of the
/// entries, in an eighth of the keys' own memory.
const MAX_PASSES: usize = 16;

/// A pass's entries are first spread over this many sub-buckets by the key bits below the
/// partition's, then each sub-bucket is sorted on its own, in parallel: a few thousand
/// entries, sorted in cache.
const SUB_BITS: u32 = 8;

/// Where one document of a chunk is in its keys: the next shingle key of the pass, the end of
/// its shingle keys (its first fingerprint key), the next fingerprint key of the pass.
type Cursor = [u32; 3];

/// How a pass takes its keys: see [`Buckets::new`].
#[derive(Clone, Copy)]
struct Split {
    /// log2 of the number of passes.
    bits: u32,
}

impl Split {
    /// The pass of key `k`.
    #[inline]
    fn part(self, k: u32) -> u32 {
        // Bit 31 tells fingerprints from shingle keys: the bits below it are the hash's.
        (k & !FINGERPRINT_TAG) >> (31 - self.bits)
    }

    /// The sub-bucket of key `k` within its pass.
    #[inline]
    fn sub(self, k: u32) -> usize {
        (k >> (31 - self.bits - SUB_BITS)) as usize & ((1 << SUB_BITS) - 1)
    }

    /// Calls `f` with each key of pass `p` of document `i` of `c`, whose cursors are `cur`.
    #[inline]
    fn each_key(self, c: &KeyChunk, i: usize, cur: &Cursor, p: u32, mut f: impl FnMut(u32)) {
        for (from, end) in [(cur[0], cur[1]), (cur[2], c.ends[i])] {
            for &k in &c.keys[from as usize..end as usize] {
                if self.part(k) != p {
                    break;
                }
                f(k);
            }
        }
    }
}

impl Buckets {
    /// Groups the documents by key, keeping keys held by 2 to `max_bucket` documents.
    ///
    /// A pass takes the keys whose bits 30 down to `31 − log2(parts)` are the pass's number,
    /// then spreads them over `2^SUB_BITS` sub-buckets by the next bits. A document's keys are
    /// sorted, shingle keys (bit 31 clear) first, so the keys of a pass are two runs of each
    /// document's keys, one among its shingle keys and one among its fingerprints: each pass
    /// reads only its own keys, from two cursors per document, and the chunks of documents
    /// are read in parallel, each writing into its own slice of every sub-bucket.
    ///
    /// A near-duplicate group ([`super::groups`]; `rep_of[d]` is a member's representative,
    /// [`NONE`] for a document in no group) holds each of its keys once, as if it were one
    /// document: through its representative when it holds the key, else through the first of
    /// its members that does (the text the representative changed, which the others share).
    /// The other members' copies of the key count in their total weight, weighed by the
    /// holders in their own right, but they are not listed in its bucket: the pairs they would
    /// make are derived through the representative.
    pub(super) fn new(
        chunks: Vec<KeyChunk>,
        rep_of: &[u32],
        max_bucket: usize,
        stats: &mut ScanStats,
    ) -> Buckets {
        Buckets::grouped(chunks, rep_of, max_bucket, stats, PARTITION)
    }

    /// No bucket yet, for `n_docs` documents.
    fn empty(n_docs: usize) -> Buckets {
        Buckets {
            docs: Vec::new(),
            weights: Vec::new(),
            buckets: 0,
            doc_start: Vec::new(),
            of_doc: Vec::new(),
            doc_weight: vec![0.0; n_docs],
            weigh_as: n_docs,
            stock: vec![false; n_docs],
        }
    }

    /// [`Buckets::new`], grouping at most about `partition` entries per pass.
    fn grouped(
        chunks: Vec<KeyChunk>,
        rep_of: &[u32],
        max_bucket: usize,
        stats: &mut ScanStats,
        partition: usize,
    ) -> Buckets {
        let n_docs = rep_of.len();
        let total: usize = chunks.iter().map(|c| c.keys.len()).sum();
        stats.keys = total;
        let mut b = Buckets::empty(n_docs);
        let members = rep_of.iter().filter(|&&r| r != NONE).count();
        b.weigh_as = n_docs - members;
        let sizes: Vec<u32> = if members > 0 {
            let mut v = vec![0u32; n_docs];
            for &r in rep_of.iter().filter(|&&r| r != NONE) {
                v[r as usize] += 1;
            }
            v
        } else {
            Vec::new()
        };
        let grouping = (members > 0).then_some((rep_of, &sizes[..]));
        let mut per_doc = vec![0u32; n_docs];
        let parts = total
            .div_ceil(partition)
            .next_power_of_two()
            .clamp(1, MAX_PASSES);
        let split = Split {
            bits: parts.trailing_zeros(),
        };
        // The first document of each chunk, and its cursors.
        let firsts: Vec<u32> = chunks
            .iter()
            .scan(0u32, |d, c| {
                let first = *d;
                *d += c.ends.len() as u32;
                Some(first)
            })
            .collect();
        let mut cursors: Vec<Vec<Cursor>> = chunks
            .par_iter()
            .map(|c| {
                let mut from = 0;
                c.ends
                    .iter()
                    .map(|&end| {
                        let keys = &c.keys[from as usize..end as usize];
                        let fingerprints =
                            from + keys.partition_point(|&k| k & FINGERPRINT_TAG == 0) as u32;
                        let cursor = [from, fingerprints, fingerprints];
                        from = end;
                        cursor
                    })
                    .collect()
            })
            .collect();
        let mut filed: Vec<u64> = Vec::new();
        for p in 0..parts as u32 {
            // How many keys of this pass each chunk puts in each sub-bucket.
            let counts: Vec<Vec<u32>> = chunks
                .par_iter()
                .zip(&cursors)
                .map(|(c, cur)| {
                    let mut n = vec![0u32; 1 << SUB_BITS];
                    for (i, x) in cur.iter().enumerate() {
                        split.each_key(c, i, x, p, |k| n[split.sub(k)] += 1);
                    }
                    n
                })
                .collect();
            let sizes: Vec<usize> = (0..1 << SUB_BITS)
                .map(|s| counts.iter().map(|n| n[s] as usize).sum())
                .collect();
            filed.clear();
            filed.resize(sizes.iter().sum(), 0);
            // Sub-bucket by sub-bucket, a slice for each chunk, handed to the chunk.
            let mut slices: Vec<Vec<&mut [u64]>> = chunks.iter().map(|_| Vec::new()).collect();
            let mut rest = &mut filed[..];
            for s in 0..1 << SUB_BITS {
                for (c, n) in counts.iter().enumerate() {
                    let (mine, after) = std::mem::take(&mut rest).split_at_mut(n[s] as usize);
                    slices[c].push(mine);
                    rest = after;
                }
            }
            chunks
                .par_iter()
                .zip(&mut cursors)
                .zip(&firsts)
                .zip(slices)
                .for_each(|(((c, cur), &first), mut out)| {
                    let mut at = vec![0usize; 1 << SUB_BITS];
                    for (i, x) in cur.iter_mut().enumerate() {
                        let doc = u64::from(first + i as u32);
                        let mut taken = [0u32; 2];
                        split.each_key(c, i, x, p, |k| {
                            let s = split.sub(k);
                            out[s][at[s]] = u64::from(k.rotate_left(1)) << 32 | doc;
                            at[s] += 1;
                            taken[usize::from(k & FINGERPRINT_TAG != 0)] += 1;
                        });
                        x[0] += taken[0];
                        x[2] += taken[1];
                    }
                });
            // Each sub-bucket holds its keys by chunk and document: sorted, they come by key,
            // each key's documents ascending. Keys are rotated so that bit 31 comes last: the
            // order is the same whatever the number of passes (their bits come first).
            let mut rest = &mut filed[..];
            let mut groups = Vec::with_capacity(sizes.len());
            for &n in &sizes {
                let (mine, after) = std::mem::take(&mut rest).split_at_mut(n);
                groups.push(mine);
                rest = after;
            }
            groups.into_par_iter().for_each(|g| g.sort_unstable());
            b.file(&filed, grouping, max_bucket, &mut per_doc, stats);
        }
        drop(filed);
        drop(chunks);
        b.index_by_doc(&per_doc, max_bucket);
        b
    }

    /// Adds the buckets of `filed`: sorted `(key, document)` entries, the key rotated left by
    /// one bit in the high half. `groups`, when there are groups, gives each document's
    /// representative ([`NONE`] for none) and each representative's number of members.
    fn file(
        &mut self,
        filed: &[u64],
        groups: Option<(&[u32], &[u32])>,
        max_bucket: usize,
        per_doc: &mut [u32],
        stats: &mut ScanStats,
    ) {
        let b = self;
        let doc = |x: &u64| *x as u32 as usize;
        let mut held: Vec<u64> = Vec::new();
        // Per group met in a key's run: its representative and how many members hold the key;
        // and the groups whose first member holding it has been met.
        let mut seen: Vec<(u32, u32)> = Vec::new();
        let mut first: Vec<u32> = Vec::new();
        for all in filed.chunk_by(|x, y| x >> 32 == y >> 32) {
            let fingerprint = (all[0] >> 32) as u32 & 1 != 0;
            // The holders in their own right: a group holds its text once, through its
            // representative where it holds the key, else, for text most of its members share
            // (what the representative changed), through its first member holding it. A
            // shingle key only some members hold (their own additions) stays theirs: the pairs
            // it makes cannot be derived through the representative.
            let run = match groups {
                None => all,
                Some((rep_of, size)) => {
                    held.clear();
                    seen.clear();
                    for x in all {
                        let r = rep_of[doc(x)];
                        if r != NONE && all.binary_search_by_key(&(r as usize), doc).is_err() {
                            match seen.binary_search_by_key(&r, |s| s.0) {
                                Ok(at) => seen[at].1 += 1,
                                Err(at) => seen.insert(at, (r, 1)),
                            }
                        }
                    }
                    first.clear();
                    for x in all {
                        let r = rep_of[doc(x)];
                        if r == NONE {
                            held.push(*x);
                            continue;
                        }
                        let Ok(at) = seen.binary_search_by_key(&r, |s| s.0) else {
                            continue; // the representative holds it
                        };
                        // Winnowing selects a run's fingerprints from the words around it,
                        // so the members' own changes scatter which of them hold one: any
                        // fingerprint the representative lacks counts as the group's.
                        let consensus =
                            fingerprint || (2 * seen[at].1 >= size[r as usize] && seen[at].1 >= 2);
                        if !consensus {
                            held.push(*x);
                        } else if let Err(k) = first.binary_search(&r) {
                            first.insert(k, r);
                            held.push(*x);
                        }
                    }
                    &held[..]
                }
            };
            if !fingerprint {
                let w = key_weight(run.len(), b.weigh_as);
                for d in all.iter().map(doc) {
                    b.doc_weight[d] += w;
                }
            }
            if run.len() < 2 {
                continue;
            }
            let cap = if fingerprint {
                max_bucket.min(MAX_RUN_BUCKET)
            } else {
                max_bucket
            };
            if run.len() > cap {
                stats.oversized_buckets += 1;
                if fingerprint {
                    for d in run.iter().map(doc) {
                        b.stock[d] = true;
                    }
                }
                continue;
            }
            for d in run.iter().map(doc) {
                b.docs.push(d as u32);
                per_doc[d] += 1;
            }
            b.docs
                .push(END | if fingerprint { RUN } else { run.len() as u32 });
            b.buckets += 1;
        }
    }

    /// Lists each document's buckets and weighs the sizes of buckets, once every bucket is
    /// filed.
    fn index_by_doc(&mut self, per_doc: &[u32], max_bucket: usize) {
        let (b, n_docs) = (self, per_doc.len());
        b.weights = (0..=max_bucket.min(n_docs))
            .map(|n| key_weight(n, b.weigh_as))
            .collect();
        b.doc_start = Vec::with_capacity(n_docs + 1);
        let mut at = 0u32;
        for &n in per_doc {
            b.doc_start.push(at);
            at += n;
        }
        b.doc_start.push(at);
        b.of_doc = vec![0; at as usize];
        let mut fill: Vec<u32> = b.doc_start[..n_docs].to_vec();
        for (p, &d) in b.docs.iter().enumerate() {
            if d & END == 0 {
                b.of_doc[fill[d as usize] as usize] = p as u32;
                fill[d as usize] += 1;
            }
        }
        b.docs.shrink_to_fit();
    }

    /// The candidate pairs.
    pub(super) fn candidates(&self, stats: &mut ScanStats) -> Candidates {
        let n_docs = self.doc_weight.len();
        if n_docs <= DENSE_DOCS {
            self.candidates_with(stats, || Dense {
                counts: vec![0.0; n_docs],
                met: Vec::new(),
            })
        } else {
            self.candidates_with(stats, Sparse::new)
        }
    }

    /// The candidate pairs, counted in the tallies `tally` makes (one per worker).
    fn candidates_with<T: Tally>(
        &self,
        stats: &mut ScanStats,
        tally: impl Fn() -> T + Sync + Send,
    ) -> Candidates {
        let n_docs = self.doc_weight.len();
        let min_share = MIN_KEY_SHARE;
        // Per worker: a tally, emptied after each document. Per first document: (second
        // document, shares a run), and the counts by reason.
        type Found = (Vec<(u32, bool)>, u32, u32);
        let per_doc: Vec<Found> = (0..n_docs)
            .into_par_iter()
            .map_init(tally, |count, a| {
                let places =
                    &self.of_doc[self.doc_start[a] as usize..self.doc_start[a + 1] as usize];
                for (k, &p) in places.iter().enumerate() {
                    // Each place is a cache miss in a large corpus: the place a few ahead is
                    // read now, so that its line is on its way while this one is counted.
                    if let Some(&q) = places.get(k + READ_AHEAD) {
                        std::hint::black_box(self.docs[q as usize + 1]);
                    }
                    let after = &self.docs[p as usize + 1..];
                    // The bucket's end is always there.
                    let n = after.iter().position(|&d| d & END != 0).unwrap_or(0);
                    let end = after[n];
                    let w = if end & RUN != 0 {
                        f64::INFINITY
                    } else {
                        self.weights[(end & !END) as usize]
                    };
                    for &d in &after[..n] {
                        count.add(d, w);
                    }
                }
                let (mut by_keys, mut by_runs) = (0, 0);
                let mut out = Vec::new();
                count.drain(|d, c| {
                    let smaller = self.doc_weight[a].min(self.doc_weight[d as usize]);
                    if c.is_infinite() {
                        by_runs += 1;
                        out.push((d, true));
                    } else if c >= (min_share * smaller).max(MIN_SHARED_KEY_WEIGHT) {
                        by_keys += 1;
                        out.push((d, false));
                    }
                });
                // In order of the second document: sorting the few that pass costs less
                // than sorting every document met (each count is complete either way).
                out.sort_unstable_by_key(|&(d, _)| d);
                (out, by_keys, by_runs)
            })
            .collect();
        let n: usize = per_doc.iter().map(|x| x.0.len()).sum();
        let mut out = Candidates {
            pairs: Vec::with_capacity(n),
            share_run: Vec::with_capacity(n),
        };
        for (a, (bs, by_keys, by_runs)) in per_doc.into_iter().enumerate() {
            stats.shared_key_candidates += by_keys as usize;
            stats.verbatim_candidates += by_runs as usize;
            for (b, run) in bs {
                out.pairs.push((a as u32, b));
                out.share_run.push(run);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_common_key_in_common_is_no_candidate_however_short_the_documents() {
        // 40 short documents: ten keys of their own each, and one key all of them hold (more
        // than RARE_KEY_DOCS, so it weighs less than one). Documents 0 and 1 also share a rare
        // key. 3% of a document's weight is a third of a key: the common key alone would make
        // every pair a candidate.
        let n = 40u32;
        let (common, rare) = (1u32 << 30, (1u32 << 30) + 1);
        let mut chunk = KeyChunk::default();
        for d in 0..n {
            let mut keys: Vec<u32> = (0..10).map(|k| d * 100 + k).collect();
            keys.push(common);
            if d < 2 {
                keys.push(rare);
            }
            keys.sort_unstable();
            chunk.keys.extend(keys);
            chunk.ends.push(chunk.keys.len() as u32);
        }
        assert!(key_weight(n as usize, n as usize) < MIN_SHARED_KEY_WEIGHT);
        assert!(key_weight(n as usize, n as usize) > MIN_KEY_SHARE * 11.0);
        let mut stats = ScanStats::default();
        let b = Buckets::new(vec![chunk], &vec![NONE; n as usize], 200, &mut stats);
        let c = b.candidates(&mut stats);
        assert_eq!(c.pairs, [(0, 1)]);
        assert_eq!(c.share_run, [false]);
    }

    /// Random documents: keys from a small space, so that many are shared, some by more
    /// documents than `max_bucket`; shingle keys and fingerprints; chunks of uneven size.
    fn random_chunks(seed: u64, n_docs: usize) -> Vec<KeyChunk> {
        let mut x = seed;
        let mut next = move || crate::testing::xorshift64(&mut x);
        // Spread over the hash bits that choose passes and sub-buckets.
        let key = |v: u64| (v.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 33) as u32;
        let mut chunks = vec![KeyChunk::default()];
        for _ in 0..n_docs {
            if next() % 40 == 0 {
                chunks.push(KeyChunk::default());
            }
            let n = (next() % 80) as usize;
            let mut keys: Vec<u32> = (0..n)
                .map(|_| match next() % 10 {
                    0 => key(next() % 60) | FINGERPRINT_TAG,
                    1 => key(1_000 + next() % 3),
                    _ => key(next() % 2_000),
                })
                .collect();
            keys.sort_unstable();
            keys.dedup();
            let c = chunks.last_mut().unwrap();
            c.keys.extend(keys);
            c.ends.push(c.keys.len() as u32);
        }
        chunks
    }

    #[test]
    fn grouping_does_not_depend_on_the_number_of_passes() {
        for seed in [1, 2, 3] {
            let chunks = random_chunks(seed, 600);
            let total: usize = chunks.iter().map(|c| c.keys.len()).sum();
            let n_docs = chunks.iter().map(|c| c.ends.len()).sum();
            let mut one_stats = ScanStats::default();
            let none = vec![NONE; n_docs];
            let one = Buckets::grouped(chunks.clone(), &none, 30, &mut one_stats, total);
            assert!(one.buckets > 100 && one.stock.iter().any(|&s| s));
            let one_candidates = one.candidates(&mut one_stats);
            assert!(!one_candidates.pairs.is_empty());
            // Counted in a table that has to grow, the same candidates, by the same sums.
            let mut sparse_stats = ScanStats::default();
            let sparse = one.candidates_with(&mut sparse_stats, || Sparse::with_slots(2));
            assert_eq!(sparse, one_candidates);
            let by_reason = |s: &ScanStats| (s.shared_key_candidates, s.verbatim_candidates);
            assert_eq!(by_reason(&sparse_stats), by_reason(&one_stats));
            // Reference: every (key, document) entry sorted in one go, in the same order.
            let mut entries = Vec::new();
            let mut doc = 0u64;
            for c in &chunks {
                let mut from = 0;
                for &end in &c.ends {
                    for &k in &c.keys[from..end as usize] {
                        entries.push(u64::from(k.rotate_left(1)) << 32 | doc);
                    }
                    from = end as usize;
                    doc += 1;
                }
            }
            entries.sort_unstable();
            let mut reference = Buckets::empty(n_docs);
            let mut per_doc = vec![0; n_docs];
            reference.file(&entries, None, 30, &mut per_doc, &mut ScanStats::default());
            reference.index_by_doc(&per_doc, 30);
            assert!(one == reference, "one pass against the reference");
            for partition in [1_000, 97, 9] {
                let mut stats = ScanStats::default();
                let many = Buckets::grouped(chunks.clone(), &none, 30, &mut stats, partition);
                assert!(many == one, "{partition} entries per pass");
                assert_eq!(many.candidates(&mut stats), one_candidates);
                assert_eq!(stats, one_stats);
            }
        }
    }
}

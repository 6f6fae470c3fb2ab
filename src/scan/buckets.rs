//! Documents grouped by key, and the candidate pairs they make (steps 2 and 3 of [`super`]).
//!
//! Everything is held in flat arrays: the `(key, document)` entries are sorted once (in
//! parallel), keys held by one document or by more than `max_bucket` are dropped, and each kept
//! key becomes a bucket, its documents listed in order; each document lists its buckets.
//! Counting a document's candidates then reads only its own buckets' lists.
//!
//! # Invariants
//! - Buckets are numbered in key order and list their documents ascending; a document lists its
//!   buckets ascending. So a pair's weighted count is summed in the same order, with the same
//!   floating-point result, whatever the number of threads.
//! - A document's total weight counts all its shingle keys, kept or not.

use super::{
    key_weight, ScanStats, FINGERPRINT_TAG, MAX_RUN_BUCKET, MIN_KEY_SHARE, MIN_SHARED_KEY_WEIGHT,
};
use rayon::prelude::*;

/// The documents holding each kept key, and each document's kept keys, as flat arrays.
pub(super) struct Buckets {
    /// Bucket `g` holds `docs[start[g]..start[g + 1]]`, ascending.
    start: Vec<u32>,
    docs: Vec<u32>,
    /// Weight of a shingle bucket; infinite for a fingerprint bucket.
    weight: Vec<f64>,
    /// Document `d`'s buckets are `of_doc[doc_start[d]..doc_start[d + 1]]`, ascending.
    doc_start: Vec<u32>,
    of_doc: Vec<u32>,
    /// Total weight of each document's shingle keys.
    doc_weight: Vec<f64>,
    /// Whether each document holds a fingerprint too widely held to be a bucket: two such
    /// documents may share a verbatim run that no candidate pair records.
    pub(super) stock: Vec<bool>,
}

/// Candidate pairs `(a, b)`, `a < b`, sorted, and whether each shares a fingerprint bucket (a
/// verbatim run).
pub(super) struct Candidates {
    pub(super) pairs: Vec<(u32, u32)>,
    pub(super) share_run: Vec<bool>,
}

/// The keys of consecutive documents, flat: document `i` of the chunk holds
/// `keys[ends[i - 1]..ends[i]]` (from 0 for the first).
#[derive(Default)]
pub(super) struct KeyChunk {
    pub(super) keys: Vec<u32>,
    pub(super) ends: Vec<u32>,
}

/// `(key, document)` entries sorted at once, at most (8 bytes each): more keys are grouped in
/// that many passes over a partition of the key space each, so that the sort's memory stays
/// below the keys' own.
const PARTITION: usize = 1 << 22;

/// The partition of a key among `parts` (a power of two): any mix of all its bits, since
/// fingerprint keys all have bit 31 set.
fn part(key: u32, parts: usize) -> usize {
    (key.wrapping_mul(0x9E37_79B1) as usize >> 16) & (parts - 1)
}

impl Buckets {
    /// Groups the documents by key, keeping keys held by 2 to `max_bucket` documents.
    pub(super) fn new(
        chunks: Vec<KeyChunk>,
        n_docs: usize,
        max_bucket: usize,
        stats: &mut ScanStats,
    ) -> Buckets {
        let total: usize = chunks.iter().map(|c| c.keys.len()).sum();
        stats.keys = total;
        let mut b = Buckets {
            start: Vec::new(),
            docs: Vec::new(),
            weight: Vec::new(),
            doc_start: Vec::new(),
            of_doc: Vec::new(),
            doc_weight: vec![0.0; n_docs],
            stock: vec![false; n_docs],
        };
        let mut per_doc = vec![0u32; n_docs];
        let parts = total
            .div_ceil(PARTITION)
            .next_power_of_two()
            .clamp(1, 1 << 16);
        let mut filed: Vec<(u32, u32)> = Vec::new();
        for p in 0..parts {
            filed.clear();
            let mut doc = 0u32;
            for c in &chunks {
                let mut from = 0;
                for &end in &c.ends {
                    let end = end as usize;
                    filed.extend(
                        c.keys[from..end]
                            .iter()
                            .filter(|&&k| parts == 1 || part(k, parts) == p)
                            .map(|&k| (k, doc)),
                    );
                    from = end;
                    doc += 1;
                }
            }
            filed.par_sort_unstable();
            b.file(&filed, max_bucket, &mut per_doc, stats);
        }
        drop(filed);
        drop(chunks);
        b.index_by_doc(&per_doc);
        b
    }

    /// Adds the buckets of `filed` (sorted `(key, document)` entries).
    fn file(
        &mut self,
        filed: &[(u32, u32)],
        max_bucket: usize,
        per_doc: &mut [u32],
        stats: &mut ScanStats,
    ) {
        let (b, n_docs) = (self, per_doc.len());
        for run in filed.chunk_by(|x, y| x.0 == y.0) {
            let fingerprint = run[0].0 & FINGERPRINT_TAG != 0;
            let w = if fingerprint {
                f64::INFINITY
            } else {
                let w = key_weight(run.len(), n_docs);
                for &(_, d) in run {
                    b.doc_weight[d as usize] += w;
                }
                w
            };
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
                    for &(_, d) in run {
                        b.stock[d as usize] = true;
                    }
                }
                continue;
            }
            b.start.push(b.docs.len() as u32);
            b.weight.push(w);
            for &(_, d) in run {
                b.docs.push(d);
                per_doc[d as usize] += 1;
            }
        }
    }

    /// Lists each document's buckets, once every bucket is filed.
    fn index_by_doc(&mut self, per_doc: &[u32]) {
        let (b, n_docs) = (self, per_doc.len());
        b.start.push(b.docs.len() as u32);

        b.doc_start = Vec::with_capacity(n_docs + 1);
        let mut at = 0u32;
        for &n in per_doc {
            b.doc_start.push(at);
            at += n;
        }
        b.doc_start.push(at);
        b.of_doc = vec![0; at as usize];
        let mut fill: Vec<u32> = b.doc_start[..n_docs].to_vec();
        for g in 0..b.start.len() - 1 {
            for &d in &b.docs[b.start[g] as usize..b.start[g + 1] as usize] {
                b.of_doc[fill[d as usize] as usize] = g as u32;
                fill[d as usize] += 1;
            }
        }
        b.docs.shrink_to_fit();
    }

    /// The candidate pairs.
    pub(super) fn candidates(&self, stats: &mut ScanStats) -> Candidates {
        let n_docs = self.doc_weight.len();
        let min_share = MIN_KEY_SHARE;
        // Per worker: a weighted count per document and the documents touched, reset after use.
        // Per first document: (second document, shares a run), and the counts by reason.
        type Found = (Vec<(u32, bool)>, u32, u32);
        let per_doc: Vec<Found> = (0..n_docs)
            .into_par_iter()
            .map_init(
                || (vec![0f64; n_docs], Vec::new()),
                |(count, touched), a| {
                    let groups =
                        &self.of_doc[self.doc_start[a] as usize..self.doc_start[a + 1] as usize];
                    for &g in groups {
                        let g = g as usize;
                        let docs = &self.docs[self.start[g] as usize..self.start[g + 1] as usize];
                        let after = docs.partition_point(|&d| d as usize <= a);
                        for &d in &docs[after..] {
                            let c = &mut count[d as usize];
                            if *c == 0.0 {
                                touched.push(d);
                            }
                            *c += self.weight[g];
                        }
                    }
                    let (mut by_keys, mut by_runs) = (0, 0);
                    let mut out = Vec::new();
                    for &d in touched.iter() {
                        let c = std::mem::take(&mut count[d as usize]);
                        let smaller = self.doc_weight[a].min(self.doc_weight[d as usize]);
                        if c.is_infinite() {
                            by_runs += 1;
                            out.push((d, true));
                        } else if c >= (min_share * smaller).max(MIN_SHARED_KEY_WEIGHT) {
                            by_keys += 1;
                            out.push((d, false));
                        }
                    }
                    touched.clear();
                    // In order of the second document: sorting the few that pass costs less
                    // than sorting every document met (each count is complete either way).
                    out.sort_unstable_by_key(|&(d, _)| d);
                    (out, by_keys, by_runs)
                },
            )
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
        let b = Buckets::new(vec![chunk], n as usize, 200, &mut stats);
        let c = b.candidates(&mut stats);
        assert_eq!(c.pairs, [(0, 1)]);
        assert_eq!(c.share_run, [false]);
    }
}

//! Locality-sensitive hashing by banding: candidate pairs without comparing every pair.
//!
//! A signature of `k` MinHash values is cut into `b` bands of `r` rows (`b·r ≤ k`). Two documents
//! become candidates when all `r` values of at least one band agree. For documents of Jaccard
//! similarity `s`, one band agrees with probability `s^r`, so
//!
//! ```text
//! P(s) = 1 − (1 − s^r)^b
//! ```
//!
//! an S-curve that rises steeply near `s ≈ (1/b)^(1/r)` (Leskovec, Rajaraman & Ullman, *Mining of
//! Massive Datasets*, ch. 3.4). Given a threshold `t`, [`LshParams::for_threshold`] picks `b` and
//! `r` minimizing the weighted error
//!
//! ```text
//! w_fp · ∫₀ᵗ P(s) ds  +  w_fn · ∫ₜ¹ (1 − P(s)) ds
//! ```
//!
//! the area of false positives below the threshold plus the area of false negatives above it,
//! integrated numerically (Simpson's rule). False positives cost a verification; false negatives
//! lose a copy, so callers weigh the latter more. Every candidate is verified afterwards: LSH
//! decides only what gets compared.
//!
//! Each band is hashed once into a 64-bit key that also depends on the band's index, so equal
//! rows in different bands never collide.
//!
//! # Invariants
//! - An empty signature has no keys and is never a candidate.
//! - [`candidate_pairs`] returns each pair once, `(i, j)` with `i < j`, sorted, whatever the
//!   number of threads.

use crate::error::{Error, Result};
use crate::minhash::{mix64, Signature};
use rayon::prelude::*;
use std::collections::HashMap;

/// Bands × rows of a banding scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LshParams {
    /// Number of bands `b`: more bands, more candidates.
    pub bands: usize,
    /// Rows per band `r`: more rows, fewer and more similar candidates.
    pub rows: usize,
}

impl LshParams {
    /// Checked constructor: both at least 1.
    pub fn new(bands: usize, rows: usize) -> Result<LshParams> {
        if bands == 0 || rows == 0 {
            return Err(Error::InvalidParameter {
                name: "bands/rows",
                reason: format!("both must be at least 1, got {bands} × {rows}"),
            });
        }
        Ok(LshParams { bands, rows })
    }

    /// The bands × rows with `bands·rows ≤ k` minimizing the weighted false positive and false
    /// negative areas around `threshold` (see the module docs).
    pub fn for_threshold(
        k: usize,
        threshold: f64,
        fp_weight: f64,
        fn_weight: f64,
    ) -> Result<LshParams> {
        if k == 0 {
            return Err(Error::InvalidParameter {
                name: "k",
                reason: "must be at least 1".into(),
            });
        }
        if !(threshold > 0.0 && threshold < 1.0) {
            return Err(Error::InvalidParameter {
                name: "threshold",
                reason: format!("must be strictly between 0 and 1, got {threshold}"),
            });
        }
        if !(fp_weight >= 0.0 && fn_weight >= 0.0) || fp_weight + fn_weight == 0.0 {
            return Err(Error::InvalidParameter {
                name: "weights",
                reason: "false positive and negative weights must be non-negative, not both 0"
                    .into(),
            });
        }
        let mut best = (f64::INFINITY, LshParams { bands: 1, rows: 1 });
        for bands in 1..=k {
            for rows in 1..=k / bands {
                let p = LshParams { bands, rows };
                let fp = integrate(|s| p.collision_probability(s), 0.0, threshold);
                let fn_ = integrate(|s| 1.0 - p.collision_probability(s), threshold, 1.0);
                let err = fp_weight * fp + fn_weight * fn_;
                if err < best.0 {
                    best = (err, p);
                }
            }
        }
        Ok(best.1)
    }

    /// The bands × rows with `bands·rows ≤ k` that keep a pair of Jaccard similarity
    /// `threshold` a candidate with probability at least `recall` (`P(threshold) ≥ recall`),
    /// and among those make the fewest candidates below the threshold (the smallest
    /// `∫₀ᵗ P(s) ds`, verifications wasted). Pairs above the threshold collide more often still,
    /// as `P` rises. This is the choice for a job that verifies every candidate exactly, where
    /// a missed pair is lost for good and a spurious one costs one verification.
    pub fn for_recall(k: usize, threshold: f64, recall: f64) -> Result<LshParams> {
        if k == 0 {
            return Err(Error::InvalidParameter {
                name: "k",
                reason: "must be at least 1".into(),
            });
        }
        if !(threshold > 0.0 && threshold <= 1.0) {
            return Err(Error::InvalidParameter {
                name: "threshold",
                reason: format!("must be in (0, 1], got {threshold}"),
            });
        }
        if !(recall > 0.0 && recall < 1.0) {
            return Err(Error::InvalidParameter {
                name: "recall",
                reason: format!("must be strictly between 0 and 1, got {recall}"),
            });
        }
        let mut best: Option<(f64, LshParams)> = None;
        for rows in 1..=k {
            // More bands only raise P, so the most bands that fit are the best for this width.
            let p = LshParams {
                bands: k / rows,
                rows,
            };
            if p.collision_probability(threshold) < recall {
                continue;
            }
            let fp = integrate(|s| p.collision_probability(s), 0.0, threshold);
            if best.is_none_or(|(b, _)| fp < b) {
                best = Some((fp, p));
            }
        }
        // One row per band over all k values reaches any recall below 1 for t > 0 unless k is
        // tiny; say so rather than return a scheme that misses pairs.
        best.map(|(_, p)| p).ok_or_else(|| Error::InvalidParameter {
            name: "permutations",
            reason: format!(
                "{k} values per signature cannot reach a recall of {recall} at similarity                  {threshold}; use more permutations"
            ),
        })
    }

    /// Probability that two documents of Jaccard similarity `s` share at least one band.
    pub fn collision_probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// Values of a signature the scheme uses: `bands · rows`.
    pub fn signature_len(&self) -> usize {
        self.bands * self.rows
    }
}

/// Simpson's rule with 64 intervals: plenty for these smooth curves.
fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    const N: usize = 64;
    let h = (b - a) / N as f64;
    let mut sum = f(a) + f(b);
    for i in 1..N {
        sum += f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    sum * h / 3.0
}

/// Writes one key per band of `sig` into `out` (cleared first); none for an empty signature.
pub fn band_keys(sig: &Signature, params: &LshParams, out: &mut Vec<u64>) -> Result<()> {
    out.clear();
    let values = sig.values();
    if values.is_empty() {
        return Ok(());
    }
    if values.len() < params.signature_len() {
        return Err(Error::InvalidParameter {
            name: "bands/rows",
            reason: format!(
                "{} × {} needs {} signature values, the signature has {}",
                params.bands,
                params.rows,
                params.signature_len(),
                values.len()
            ),
        });
    }
    out.extend(
        values
            .chunks_exact(params.rows)
            .take(params.bands)
            .enumerate()
            .map(|(band, rows)| band_key(band, rows)),
    );
    Ok(())
}

/// The key of band number `band` whose signature values are `rows`: equal rows in different
/// bands give different keys.
pub fn band_key(band: usize, rows: &[u32]) -> u64 {
    let mut h = mix64(band as u64 ^ 0x6c73_685f_6261_6e64);
    for &v in rows {
        h = mix64(h ^ u64::from(v));
    }
    h
}

/// What [`candidate_pairs`] saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CandidateStats {
    /// Buckets (band, key) holding two or more items.
    pub buckets: usize,
    /// Buckets skipped for holding more than `max_bucket` items.
    pub oversized_buckets: usize,
    /// Distinct candidate pairs returned.
    pub pairs: usize,
}

/// The candidates one band contributes.
struct BandCandidates {
    pairs: Vec<(u32, u32)>,
    buckets: usize,
    oversized: usize,
}

/// Every pair of items sharing a key in the same band. `keys[i]` holds item `i`'s band keys (band
/// `b` at index `b`; empty for an empty document). Buckets of more than `max_bucket` items are
/// skipped: so many documents sharing a band is boilerplate, not a copy.
pub fn candidate_pairs(keys: &[Vec<u64>], max_bucket: usize) -> (Vec<(u32, u32)>, CandidateStats) {
    let bands = keys.iter().map(Vec::len).max().unwrap_or(0);
    // One band at a time keeps memory at one (key, item) list per band in flight per thread.
    let per_band: Vec<BandCandidates> = (0..bands)
        .into_par_iter()
        .map(|band| {
            let mut entries: Vec<(u64, u32)> = keys
                .iter()
                .enumerate()
                .filter_map(|(i, k)| k.get(band).map(|&key| (key, i as u32)))
                .collect();
            entries.sort_unstable();
            let (mut pairs, mut buckets, mut oversized) = (Vec::new(), 0, 0);
            for bucket in entries.chunk_by(|x, y| x.0 == y.0) {
                if bucket.len() < 2 {
                    continue;
                }
                buckets += 1;
                if bucket.len() > max_bucket {
                    oversized += 1;
                    continue;
                }
                for (x, &(_, i)) in bucket.iter().enumerate() {
                    for &(_, j) in &bucket[x + 1..] {
                        pairs.push((i, j));
                    }
                }
            }
            BandCandidates {
                pairs,
                buckets,
                oversized,
            }
        })
        .collect();
    let mut stats = CandidateStats::default();
    let mut pairs = Vec::new();
    for band in per_band {
        stats.buckets += band.buckets;
        stats.oversized_buckets += band.oversized;
        pairs.extend(band.pairs);
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    stats.pairs = pairs.len();
    (pairs, stats)
}

/// An incremental banding index, for callers that add documents one at a time.
#[derive(Clone, Debug)]
pub struct LshIndex<Id> {
    params: LshParams,
    tables: Vec<HashMap<u64, Vec<Id>, ahash::RandomState>>,
    len: usize,
}

impl<Id: Copy + Eq + std::hash::Hash + Ord> LshIndex<Id> {
    /// An empty index for signatures banded by `params`.
    pub fn new(params: LshParams) -> Self {
        LshIndex {
            params,
            tables: (0..params.bands)
                .map(|_| HashMap::with_hasher(ahash::RandomState::with_seeds(1, 2, 3, 4)))
                .collect(),
            len: 0,
        }
    }

    /// The banding scheme.
    pub fn params(&self) -> LshParams {
        self.params
    }

    /// Adds `id` under its band keys (from [`band_keys`]). Empty keys add nothing.
    pub fn insert(&mut self, id: Id, keys: &[u64]) {
        if keys.is_empty() {
            return;
        }
        for (table, &key) in self.tables.iter_mut().zip(keys) {
            table.entry(key).or_default().push(id);
        }
        self.len += 1;
    }

    /// Distinct ids sharing at least one band key with `keys`, sorted.
    pub fn query(&self, keys: &[u64]) -> Vec<Id> {
        let mut out: Vec<Id> = self
            .tables
            .iter()
            .zip(keys)
            .filter_map(|(table, key)| table.get(key))
            .flatten()
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Removes `id`, inserted under `keys`. Returns whether it was there.
    pub fn remove(&mut self, id: Id, keys: &[u64]) -> bool {
        let mut found = false;
        for (table, key) in self.tables.iter_mut().zip(keys) {
            if let Some(ids) = table.get_mut(key) {
                let before = ids.len();
                ids.retain(|&x| x != id);
                found |= ids.len() < before;
                if ids.is_empty() {
                    table.remove(key);
                }
            }
        }
        if found {
            self.len -= 1;
        }
        found
    }

    /// Number of documents indexed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::MinHasher;

    fn objective(p: LshParams, t: f64, wfp: f64, wfn: f64) -> f64 {
        wfp * integrate(|s| p.collision_probability(s), 0.0, t)
            + wfn * integrate(|s| 1.0 - p.collision_probability(s), t, 1.0)
    }

    #[test]
    fn chosen_params_minimize_the_objective() {
        for (k, t, wfp, wfn) in [
            (128, 0.5, 0.5, 0.5),
            (128, 0.8, 0.5, 0.5),
            (32, 0.3, 0.3, 0.7),
        ] {
            let p = LshParams::for_threshold(k, t, wfp, wfn).unwrap();
            assert!(p.signature_len() <= k);
            let best = objective(p, t, wfp, wfn);
            for b in 1..=k {
                for r in 1..=k / b {
                    let other = objective(LshParams { bands: b, rows: r }, t, wfp, wfn);
                    assert!(best <= other + 1e-12, "{p:?} vs {b}×{r}");
                }
            }
            // The S-curve rises through the threshold.
            assert!(p.collision_probability(t - 0.2) < 0.5, "{p:?}");
            assert!(p.collision_probability((t + 0.2).min(0.99)) > 0.5, "{p:?}");
        }
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(LshParams::for_threshold(0, 0.5, 1.0, 1.0).is_err());
        assert!(LshParams::for_threshold(128, 1.0, 1.0, 1.0).is_err());
        assert!(LshParams::for_threshold(128, 0.5, 0.0, 0.0).is_err());
        assert!(LshParams::for_threshold(128, 0.5, -1.0, 1.0).is_err());
        assert!(LshParams::new(0, 4).is_err());
        let short = MinHasher::new(8, 1).unwrap().sketch(&[1, 2, 3]);
        let mut out = Vec::new();
        assert!(band_keys(&short, &LshParams::new(4, 4).unwrap(), &mut out).is_err());
    }

    #[test]
    fn keys_depend_on_band_and_content() {
        let h = MinHasher::new(16, 1).unwrap();
        let p = LshParams::new(4, 4).unwrap();
        let one = h.sketch(&[99]); // every value equal: equal rows in every band
        let mut keys = Vec::new();
        band_keys(&one, &p, &mut keys).unwrap();
        assert_eq!(keys.len(), 4);
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            4,
            "same rows, different bands, different keys"
        );
        let mut again = Vec::new();
        band_keys(&h.sketch(&[99]), &p, &mut again).unwrap();
        assert_eq!(keys, again);
        band_keys(&h.sketch(&[]), &p, &mut again).unwrap();
        assert!(again.is_empty());
    }

    #[test]
    fn candidate_pairs_match_brute_force() {
        // 300 items, 6 bands, keys drawn from a small alphabet so that buckets collide.
        let keys: Vec<Vec<u64>> = (0..300u64)
            .map(|i| {
                if i % 37 == 0 {
                    vec![]
                } else {
                    (0..6).map(|b| mix64(i * 7 + b) % 40).collect()
                }
            })
            .collect();
        let (pairs, stats) = candidate_pairs(&keys, usize::MAX);
        let mut expect = Vec::new();
        for i in 0..keys.len() {
            for j in i + 1..keys.len() {
                if keys[i].iter().zip(&keys[j]).any(|(x, y)| x == y) {
                    expect.push((i as u32, j as u32));
                }
            }
        }
        assert_eq!(pairs, expect);
        assert_eq!(stats.pairs, expect.len());
        assert_eq!(stats.oversized_buckets, 0);
        // With a small bucket cap every bucket is skipped.
        let (none, stats) = candidate_pairs(&keys, 1);
        assert!(none.is_empty());
        assert_eq!(stats.oversized_buckets, stats.buckets);
    }

    #[test]
    fn similar_documents_collide_and_dissimilar_rarely() {
        let h = MinHasher::new(128, 11).unwrap();
        let p = LshParams::for_threshold(128, 0.5, 0.5, 0.5).unwrap();
        let base: Vec<u64> = (0..1000).map(mix64).collect();
        let (mut near, mut far) = (0, 0);
        for trial in 0..50u64 {
            let mut similar = base.clone();
            // Replace 5% of the elements: Jaccard about 0.9.
            for x in similar.iter_mut().take(50) {
                *x = mix64(*x ^ (trial + 1) << 40);
            }
            let other: Vec<u64> = (0..1000).map(|i| mix64(i + 10_000 * (trial + 1))).collect();
            let keys = |s: &[u64]| {
                let mut k = Vec::new();
                band_keys(&h.sketch(s), &p, &mut k).unwrap();
                k
            };
            let (kb, ks, ko) = (keys(&base), keys(&similar), keys(&other));
            near += usize::from(kb.iter().zip(&ks).any(|(x, y)| x == y));
            far += usize::from(kb.iter().zip(&ko).any(|(x, y)| x == y));
        }
        assert_eq!(near, 50);
        assert_eq!(far, 0);
    }

    #[test]
    fn index_insert_query_remove() {
        let p = LshParams::new(2, 1).unwrap();
        let mut idx = LshIndex::new(p);
        idx.insert(1u32, &[10, 20]);
        idx.insert(2, &[10, 30]);
        idx.insert(3, &[40, 50]);
        idx.insert(4, &[]);
        assert_eq!(idx.len(), 3);
        assert_eq!(idx.query(&[10, 99]), vec![1, 2]);
        assert_eq!(idx.query(&[99, 50]), vec![3]);
        assert!(idx.remove(1, &[10, 20]));
        assert!(!idx.remove(1, &[10, 20]));
        assert_eq!(idx.query(&[10, 20]), vec![2]);
        assert_eq!(idx.len(), 2);
        assert!(!idx.is_empty());
    }
}

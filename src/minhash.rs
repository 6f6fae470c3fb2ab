//! MinHash signatures in O(n + k): one-permutation hashing with optimal densification.
//!
//! Classic MinHash applies k independent hash functions to every shingle: O(n·k). One-permutation
//! hashing (Li, Owen & Zhang, "One Permutation Hashing", NIPS 2012) hashes each shingle once,
//! sends it to one of k bins by its hash, and keeps the minimum per bin: O(n + k). Bins that no
//! shingle reached are filled by *optimal densification* (Shrivastava, "Optimal Densification for
//! Fast and Accurate Minwise Hashing", ICML 2017): an empty bin `i` probes bins in a pseudo-random
//! order that depends only on `i`, the probe number and the seed, and copies the value of the
//! first bin that is not empty. Because every document probes in the same order, two documents
//! agree on a densified bin with probability equal to their Jaccard similarity, so the fraction
//! of equal values is an unbiased estimate of it, with a variance close to classic MinHash's
//! `J(1 − J)/k`.
//!
//! Each shingle hash is re-mixed with the seed first, so different seeds give independent
//! signatures. The high 32 bits of the mixed hash choose the bin (multiply-shift range
//! reduction, so `k` need not be a power of two), the low 32 bits are the value.
//!
//! # Invariants
//! - A signature has exactly `k` values, or none at all for a document without shingles: an empty
//!   document matches nothing, not even another empty document.
//! - The signature of a set depends only on the set (not on order or repetition), `k` and the seed.
//!
//! ```
//! use reprint::minhash::MinHasher;
//! let h = MinHasher::new(128, 7).unwrap();
//! let a: Vec<u64> = (0..1000).collect();
//! let b: Vec<u64> = (500..1500).collect(); // Jaccard 1/3
//! let est = h.sketch(&a).jaccard(&h.sketch(&b)).unwrap();
//! assert!((est - 1.0 / 3.0).abs() < 0.15);
//! assert_eq!(h.sketch(&[]).jaccard(&h.sketch(&[])), None);
//! ```

use crate::error::{Error, Result};

/// Default number of values per signature.
pub const DEFAULT_K: usize = 128;

/// Default seed: any fixed value works; this one spells "reprint" in ASCII.
pub const DEFAULT_SEED: u64 = 0x0072_6570_7269_6e74;

/// Largest accepted `k`.
pub const MAX_K: usize = 4096;

/// Value marking a bin no shingle reached. Real values are capped one below it, a bias of
/// 2⁻³² per bin that no estimate can see.
const EMPTY: u32 = u32::MAX;

/// Computes signatures with fixed `k` and seed. Cheap to clone, `Send + Sync`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MinHasher {
    k: usize,
    seed: u64,
    /// Seed of the densification probe sequence, derived from `seed`.
    probe_seed: u64,
}

/// The MinHash signature of one document.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Signature {
    values: Vec<u32>,
}

/// A strong 64-bit mixer (the finalizer of SplitMix64): a bijection whose output bits each depend
/// on every input bit.
#[inline]
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Maps a uniformly distributed 32-bit value to `0..k` without division (Lemire's multiply-shift).
#[inline]
fn range(x: u32, k: usize) -> usize {
    ((u64::from(x) * k as u64) >> 32) as usize
}

impl MinHasher {
    /// A hasher producing `k` values per signature (`1..=4096`) with the given seed.
    pub fn new(k: usize, seed: u64) -> Result<MinHasher> {
        if !(1..=MAX_K).contains(&k) {
            return Err(Error::InvalidParameter {
                name: "k",
                reason: format!("must be between 1 and {MAX_K}, got {k}"),
            });
        }
        Ok(MinHasher {
            k,
            seed,
            probe_seed: mix64(seed ^ 0xd6e8_feb8_6659_fd93),
        })
    }

    /// Values per signature.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The signature of a set of shingle hashes (duplicates allowed; order irrelevant).
    pub fn sketch(&self, shingles: &[u64]) -> Signature {
        let mut out = Signature::default();
        self.sketch_into(shingles, &mut out);
        out
    }

    /// Like [`MinHasher::sketch`], reusing `out`'s allocation.
    pub fn sketch_into(&self, shingles: &[u64], out: &mut Signature) {
        let bins = &mut out.values;
        bins.clear();
        if shingles.is_empty() {
            return;
        }
        self.begin(bins);
        for &s in shingles {
            self.add(bins, s);
        }
        self.finish(bins);
    }

    /// Starts a signature built one shingle at a time: `k` empty bins. Then [`add`] every
    /// shingle and [`finish`] once; the result equals [`sketch_into`] of the same shingles
    /// (it is how [`sketch_into`] works), for callers that make shingles on the fly.
    ///
    /// [`add`]: MinHasher::add
    /// [`finish`]: MinHasher::finish
    /// [`sketch_into`]: MinHasher::sketch_into
    pub(crate) fn begin(&self, bins: &mut Vec<u32>) {
        bins.clear();
        bins.resize(self.k, EMPTY);
    }

    /// Adds one shingle hash to bins started by [`MinHasher::begin`].
    #[inline]
    pub(crate) fn add(&self, bins: &mut [u32], shingle: u64) {
        let x = mix64(shingle ^ self.seed);
        let bin = range((x >> 32) as u32, self.k);
        let value = (x as u32).min(EMPTY - 1);
        // Branch-free: whether a shingle lowers its bin is a coin toss the predictor loses.
        if let Some(slot) = bins.get_mut(bin) {
            *slot = (*slot).min(value);
        }
    }

    /// Densifies bins that received at least one shingle.
    pub(crate) fn finish(&self, bins: &mut [u32]) {
        self.densify(bins);
    }

    /// Fills empty bins from non-empty ones along a probe sequence shared by all documents.
    fn densify(&self, bins: &mut [u32]) {
        let k = self.k;
        // Which bins were filled by shingles, before any copying: densified bins must never be
        // copied from, or the estimate would lose its unbiasedness.
        let mut filled = [0u64; MAX_K / 64];
        let mut n_filled = 0;
        for (i, &v) in bins.iter().enumerate() {
            if v != EMPTY {
                filled[i / 64] |= 1 << (i % 64);
                n_filled += 1;
            }
        }
        debug_assert!(n_filled > 0, "a non-empty set fills at least one bin");
        if n_filled == k {
            return;
        }
        for i in 0..k {
            if filled[i / 64] & (1 << (i % 64)) != 0 {
                continue;
            }
            let mut attempt = 0u64;
            loop {
                let probe = mix64(self.probe_seed ^ ((i as u64) << 32) ^ attempt);
                let j = range((probe >> 32) as u32, k);
                if filled[j / 64] & (1 << (j % 64)) != 0 {
                    bins[i] = bins[j];
                    break;
                }
                attempt += 1;
            }
        }
    }
}

impl Signature {
    /// The values; empty for a document without shingles.
    pub fn values(&self) -> &[u32] {
        &self.values
    }

    /// True for a document that had no shingles.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Estimated Jaccard similarity: the fraction of positions with equal values. `None` when
    /// either document is empty (two empty documents are not copies) or when the `k` differ.
    pub fn jaccard(&self, other: &Signature) -> Option<f64> {
        if self.is_empty() || other.is_empty() || self.values.len() != other.values.len() {
            return None;
        }
        let equal = self
            .values
            .iter()
            .zip(&other.values)
            .filter(|(a, b)| a == b)
            .count();
        Some(equal as f64 / self.values.len() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_per_seed_and_independent_across_seeds() {
        let set: Vec<u64> = (0..200).map(mix64).collect();
        let a = MinHasher::new(64, 1).unwrap();
        let b = MinHasher::new(64, 2).unwrap();
        assert_eq!(a.sketch(&set), a.sketch(&set));
        assert_ne!(a.sketch(&set), b.sketch(&set));
        let mut shuffled = set.clone();
        shuffled.reverse();
        shuffled.extend_from_slice(&set[..50]);
        assert_eq!(a.sketch(&set), a.sketch(&shuffled), "a set, not a sequence");
    }

    #[test]
    fn empty_and_tiny_documents() {
        let h = MinHasher::new(128, 3).unwrap();
        let empty = h.sketch(&[]);
        assert!(empty.is_empty() && empty.values().is_empty());
        assert_eq!(empty.jaccard(&empty), None);
        let one = h.sketch(&[42]);
        assert_eq!(one.values().len(), 128);
        assert!(one.values().iter().all(|&v| v == one.values()[0]));
        assert_eq!(one.jaccard(&h.sketch(&[42])), Some(1.0));
        assert_eq!(one.jaccard(&empty), None);
    }

    #[test]
    fn identical_and_disjoint_sets() {
        let h = MinHasher::new(128, 9).unwrap();
        let a: Vec<u64> = (0..500).map(mix64).collect();
        let b: Vec<u64> = (1000..1500).map(mix64).collect();
        assert_eq!(h.sketch(&a).jaccard(&h.sketch(&a)), Some(1.0));
        assert!(h.sketch(&a).jaccard(&h.sketch(&b)).unwrap() < 0.05);
    }

    #[test]
    fn sketch_into_reuses_and_matches() {
        let h = MinHasher::new(32, 5).unwrap();
        let mut sig = h.sketch(&[1, 2, 3]);
        h.sketch_into(&[7, 8, 9, 10], &mut sig);
        assert_eq!(sig, h.sketch(&[7, 8, 9, 10]));
        h.sketch_into(&[], &mut sig);
        assert!(sig.is_empty());
    }

    #[test]
    fn signatures_of_different_k_do_not_compare() {
        let a = MinHasher::new(32, 1).unwrap().sketch(&[1, 2]);
        let b = MinHasher::new(64, 1).unwrap().sketch(&[1, 2]);
        assert_eq!(a.jaccard(&b), None);
    }

    #[test]
    fn k_out_of_range_is_refused() {
        assert!(MinHasher::new(0, 0).is_err());
        assert!(MinHasher::new(MAX_K + 1, 0).is_err());
        assert!(MinHasher::new(MAX_K, 0).is_ok());
    }
}

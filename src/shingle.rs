//! Shingles: overlapping n-grams of terms, each hashed to one `u64`.
//!
//! A shingle is hashed from the `n` term hashes it spans (xxh3 over their little-endian bytes, in a
//! fixed-size stack buffer), so no string is built per shingle and the cost per shingle is one xxh3
//! call over `8·n` bytes.
//!
//! # Invariants
//! - A sequence of `m ≥ n` terms gives exactly `m − n + 1` shingles, in order; shingle `i` covers
//!   terms `i..i + n`.
//! - A non-empty sequence shorter than `n` gives exactly one shingle over all its terms, so that a
//!   very short document can still be compared with a copy of itself; an empty sequence gives none.
//! - Equal term sequences give equal shingles for the same seed; the hash depends on term order.

use crate::error::{Error, Result};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The largest supported shingle length, in terms.
pub const MAX_N: usize = 16;

/// Checks a shingle length.
pub fn check_n(n: usize) -> Result<()> {
    if (1..=MAX_N).contains(&n) {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name: "shingle",
            reason: format!("shingle length must be between 1 and {MAX_N} terms, got {n}"),
        })
    }
}

/// Hashes the n-grams of `terms` into `out` (cleared first). `n` must have passed [`check_n`].
pub fn shingles_into(terms: &[u64], n: usize, seed: u64, out: &mut Vec<u64>) {
    debug_assert!((1..=MAX_N).contains(&n));
    out.clear();
    if terms.is_empty() {
        return;
    }
    let n = n.min(terms.len());
    out.reserve(terms.len() + 1 - n);
    let mut buf = [0u8; 8 * MAX_N];
    for window in terms.windows(n) {
        for (slot, h) in buf.chunks_exact_mut(8).zip(window) {
            slot.copy_from_slice(&h.to_le_bytes());
        }
        out.push(xxh3_64_with_seed(&buf[..8 * n], seed));
    }
}

/// Hashes the n-grams of `terms`.
pub fn shingles(terms: &[u64], n: usize, seed: u64) -> Vec<u64> {
    let mut out = Vec::new();
    shingles_into(terms, n, seed, &mut out);
    out
}

/// Sorts and deduplicates shingles in place, turning a sequence into a set.
pub fn into_set(shingles: &mut Vec<u64>) {
    shingles.sort_unstable();
    shingles.dedup();
}

/// Exact Jaccard similarity of two shingle sets (sorted, deduplicated). `None` when either is empty:
/// two empty documents are not copies of each other.
pub fn jaccard(a: &[u64], b: &[u64]) -> Option<f64> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let inter = intersection_len(a, b);
    Some(inter as f64 / (a.len() + b.len() - inter) as f64)
}

/// Size of the intersection of two sorted, deduplicated sets.
pub fn intersection_len(a: &[u64], b: &[u64]) -> usize {
    // With nothing needed the early stop never fires, and inlined it compiles away.
    intersection_len_at_least(a, b, 0).expect("every intersection has at least 0 elements")
}

/// [`intersection_len`] when it is at least `need`, else `None`, found without walking both
/// sets to their ends when the elements left cannot make up the difference: what verifying a
/// candidate pair against a threshold needs, most candidates below it stopping early.
#[inline]
pub fn intersection_len_at_least(a: &[u64], b: &[u64], need: usize) -> Option<usize> {
    debug_assert!(a.windows(2).all(|w| w[0] < w[1]) && b.windows(2).all(|w| w[0] < w[1]));
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
                continue;
            }
        }
        if n + (a.len() - i).min(b.len() - j) < need {
            return None;
        }
    }
    (n >= need).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_the_invariants() {
        let t: Vec<u64> = (1..=10).collect();
        assert_eq!(shingles(&t, 3, 0).len(), 8);
        assert_eq!(shingles(&t, 10, 0).len(), 1);
        assert_eq!(
            shingles(&t[..2], 3, 0).len(),
            1,
            "short input gives one shingle"
        );
        assert!(shingles(&[], 3, 0).is_empty());
    }

    #[test]
    fn shingles_depend_on_content_order_and_seed() {
        let a = shingles(&[1, 2, 3, 4], 2, 7);
        let b = shingles(&[9, 1, 2, 3, 4], 2, 7);
        assert_eq!(a, b[1..], "same n-grams hash the same wherever they are");
        assert_ne!(shingles(&[1, 2], 2, 7), shingles(&[2, 1], 2, 7));
        assert_ne!(shingles(&[1, 2], 2, 7), shingles(&[1, 2], 2, 8));
    }

    #[test]
    fn bounded_intersection_agrees_with_the_full_one() {
        let mut x = 7u64;
        let mut set = |len: usize, modulo: u64| {
            let mut v: Vec<u64> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x % modulo
                })
                .collect();
            into_set(&mut v);
            v
        };
        for _ in 0..200 {
            let (a, b) = (set(60, 100), set(50, 100));
            let full = intersection_len(&a, &b);
            for need in 0..=full + 2 {
                let got = intersection_len_at_least(&a, &b, need);
                assert_eq!(got, (full >= need).then_some(full), "need {need}");
            }
        }
        assert_eq!(intersection_len_at_least(&[], &[1], 0), Some(0));
        assert_eq!(intersection_len_at_least(&[], &[1], 1), None);
    }

    #[test]
    fn exact_jaccard() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), Some(0.5));
        assert_eq!(jaccard(&[1], &[1]), Some(1.0));
        assert_eq!(jaccard(&[], &[]), None);
        assert_eq!(jaccard(&[1], &[]), None);
    }

    #[test]
    fn rejects_bad_lengths() {
        assert!(check_n(0).is_err());
        assert!(check_n(MAX_N + 1).is_err());
        assert!(check_n(5).is_ok());
    }
}

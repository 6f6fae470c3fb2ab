//! The key-sampling and weighting rules shared by [`crate::scan`] and the crawler's
//! [`crate::index`].
//!
//! Both reduce a document to *keys*: the term-pair shingles whose hash falls in the lowest
//! `1 / sample_rate` of the hash range (a fixed-rate sample, as in FracMinHash: Irber et al.,
//! 2022). Because the sample is decided by the hash alone, a passage two documents share gives
//! both the same keys whatever surrounds it, so the share of keys two documents have in common
//! estimates how much of one is in the other. (Each engine packs a sampled hash into its own
//! 32-bit key: the two kinds of keys are not interchangeable.)
//!
//! Not every key is equal evidence. A key held by a few documents is a term pair a copy shares
//! with its source; one held by many is a phrase of the language or of the news cycle, shared by
//! every page on the topic. So a key weighs 1 up to [`RARE_KEY_DOCS`] documents, then less, as
//! `ln(1 + N / n)` for a key `n` of the `N` documents hold, normalized to 1 at `RARE_KEY_DOCS`
//! ([`key_weight`]).
//!
//! # Invariants
//! - A weight is in `(0, 1]`, is 1 for `n <= RARE_KEY_DOCS`, and decreases as `n` grows.
//! - [`key_weight_f32`] is the same rule as [`key_weight`], computed in `f32` (the precision the
//!   index tallies weights in) rather than rounded from it: which documents a query verifies
//!   depends on those exact bits, so its operations and their order are part of the rule.

/// Keys held by this many documents or fewer weigh fully: a story and its copies hold the same
/// rare keys, and a popular story must not weigh less for being copied often.
pub const RARE_KEY_DOCS: usize = 32;

/// The weight of a shingle key that `n` of `total` documents hold: 1 up to [`RARE_KEY_DOCS`]
/// documents, then decreasing as `ln(1 + total / n)`, normalized to 1 at `RARE_KEY_DOCS`.
pub fn key_weight(n: usize, total: usize) -> f64 {
    if n <= RARE_KEY_DOCS {
        1.0
    } else {
        let big_n = total as f64 + 1.0;
        (1.0 + big_n / n as f64).ln() / (1.0 + big_n / RARE_KEY_DOCS as f64).ln()
    }
}

/// [`key_weight`] in `f32`, the precision the index's query tallies weights in: the same rule,
/// not always the same last bits (`total + 1` is counted as an integer before it is converted).
pub(crate) fn key_weight_f32(n: usize, total: usize) -> f32 {
    if n <= RARE_KEY_DOCS {
        1.0
    } else {
        let big_n = (total + 1) as f32;
        (1.0 + big_n / n as f32).ln() / (1.0 + big_n / RARE_KEY_DOCS as f32).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_keys_weigh_fully_and_common_ones_less_in_both_precisions() {
        let total = 100_000;
        assert_eq!(key_weight(1, total), 1.0);
        assert_eq!(key_weight(RARE_KEY_DOCS, total), 1.0);
        assert_eq!(key_weight_f32(RARE_KEY_DOCS, total), 1.0);
        let mut last = 1.0;
        for n in [RARE_KEY_DOCS + 1, 100, 1_000, 10_000, total] {
            let w = key_weight(n, total);
            assert!(w > 0.0 && w < last, "{n}: {w}");
            assert!(
                (f64::from(key_weight_f32(n, total)) - w).abs() < 1e-6,
                "{n}"
            );
            last = w;
        }
    }
}

//! Helpers shared by the unit tests.

/// The next value of a 32-bit xorshift generator (Marsaglia, "Xorshift RNGs", 2003, shifts
/// 13, 17, 5): deterministic random test data.
pub(crate) fn xorshift32(x: &mut u32) -> u32 {
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    *x
}

/// The next value of a 64-bit xorshift generator (shifts 13, 7, 17).
pub(crate) fn xorshift64(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// A reported pair with only containments set, for tests of what consumes scan results.
pub(crate) fn pair(a: usize, b: usize, a_in_b: f64, b_in_a: f64) -> crate::score::ScoredPair {
    crate::score::ScoredPair {
        a,
        b,
        comparison: crate::score::Comparison {
            resemblance: 0.0,
            containment_a_in_b: a_in_b,
            containment_b_in_a: b_in_a,
            passages: vec![],
        },
        via: None,
    }
}

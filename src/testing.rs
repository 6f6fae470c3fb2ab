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

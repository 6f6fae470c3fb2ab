//! AFL target `compare`: see `reprint_fuzz::check_compare` for what it checks.
fn main() {
    afl::fuzz!(|data: &[u8]| reprint_fuzz::check_compare(data));
}

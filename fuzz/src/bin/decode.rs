//! AFL target `decode`: see `reprint_fuzz::check_decode` for what it checks.
fn main() {
    afl::fuzz!(|data: &[u8]| reprint_fuzz::check_decode(data));
}

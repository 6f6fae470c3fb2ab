//! AFL target `index`: see `reprint_fuzz::check_index` for what it checks.
fn main() {
    afl::fuzz!(|data: &[u8]| reprint_fuzz::check_index(data));
}

//! AFL target `tokenize`: see `reprint_fuzz::check_tokenize` for what it checks.
fn main() {
    afl::fuzz!(|data: &[u8]| reprint_fuzz::check_tokenize(data));
}

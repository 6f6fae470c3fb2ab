//! AFL target `jsonl`: see `reprint_fuzz::check_jsonl` for what it checks.
fn main() {
    afl::fuzz!(|data: &[u8]| reprint_fuzz::check_jsonl(data));
}

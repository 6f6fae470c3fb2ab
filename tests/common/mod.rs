//! Helpers shared by the integration tests that generate their data.

#![allow(dead_code)] // each test file uses its own part

use std::path::Path;
use std::process::Command;

/// The documents `gen.py` writes for `args`, and the directory it wrote them in.
pub fn generate(args: &[&str]) -> (Vec<(String, String)>, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/scale/gen.py");
    let status = Command::new("python3")
        .arg(&script)
        .args(args)
        .arg("--out")
        .arg(out.path())
        .status()
        .expect("python3 runs scripts/scale/gen.py");
    assert!(status.success(), "gen.py {args:?}");
    let docs = std::fs::read_to_string(out.path().join("corpus.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (docs, out)
}

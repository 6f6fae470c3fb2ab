//! Measures what docs/scale.md's estimates are built on, on JSONL files of `{"id", "text"}`:
//! `Sketcher::signatures` on all threads and on one, candidate keys per document, and the
//! single-core rates of analysis and verification (what the Spark job spends its CPU on).
//!
//! `cargo run --release --example measure -- [--limit N] [--verify-docs N] [--only-signatures]
//! FILE.jsonl...`
//! prints one JSON object per measurement. Timings are wall-clock and best of three where
//! cheap enough; on a shared machine, compare figures from one run only.

use rayon::prelude::*;
use reprint::sketch::{SketchOptions, Sketcher};
use reprint::Detector;
use std::collections::HashMap;
use std::io::BufRead;
use std::time::Instant;

fn main() {
    let mut limit = usize::MAX;
    let mut verify_docs = 10_000;
    let mut only_signatures = false;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--limit" => limit = args.next().and_then(|v| v.parse().ok()).expect("--limit N"),
            "--verify-docs" => {
                verify_docs = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--verify-docs N")
            }
            "--only-signatures" => only_signatures = true,
            _ => files.push(a),
        }
    }
    let texts = load(&files, limit);
    let bytes: usize = texts.iter().map(String::len).sum();
    emit(
        "input",
        &[("docs", texts.len() as f64), ("bytes", bytes as f64)],
    );

    let sketcher = Sketcher::new(SketchOptions::default()).expect("default options");
    let best = |f: &dyn Fn()| {
        (0..3)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let all = best(&|| {
        std::hint::black_box(sketcher.signatures(&texts));
    });
    emit(
        "signatures_all_threads",
        &[
            ("threads", rayon::current_num_threads() as f64),
            ("seconds", all),
            ("docs_per_s", texts.len() as f64 / all),
        ],
    );
    if only_signatures {
        return;
    }
    let one = pool1().install(|| {
        let t = Instant::now();
        std::hint::black_box(sketcher.signatures(&texts));
        t.elapsed().as_secs_f64()
    });
    emit(
        "signatures_one_thread",
        &[("seconds", one), ("docs_per_s", texts.len() as f64 / one)],
    );

    // Keys, analysis and verification on the first `verify_docs` documents, on one thread.
    let detector = Detector::default();
    let sample = &texts[..verify_docs.min(texts.len())];
    let (analyses, analyze_s) = pool1().install(|| {
        let t = Instant::now();
        let a: Vec<_> = sample.iter().map(|s| detector.analyze(s)).collect();
        (a, t.elapsed().as_secs_f64())
    });
    let mut keys = Vec::new();
    let (mut doc_keys, mut win_keys, mut items) = (0usize, 0usize, 0u64);
    let mut per_doc = Vec::with_capacity(analyses.len());
    let mut by_key: HashMap<u64, (u64, Vec<u32>)> = HashMap::new();
    let doc_bands = detector.doc_lsh().bands;
    for (i, a) in analyses.iter().enumerate() {
        reprint::scan::candidate_key_counts(&detector, a, &mut keys);
        per_doc.push(keys.len());
        let d = if a.signature.is_empty() { 0 } else { doc_bands };
        doc_keys += d;
        win_keys += keys.len() - d.min(keys.len());
        for &(k, n) in &keys {
            items += u64::from(n);
            let e = by_key.entry(k).or_default();
            e.0 += u64::from(n);
            e.1.push(i as u32);
        }
    }
    per_doc.sort_unstable();
    let n = analyses.len().max(1) as f64;
    emit(
        "keys_per_doc",
        &[
            ("docs", analyses.len() as f64),
            ("mean", per_doc.iter().sum::<usize>() as f64 / n),
            ("doc_keys_mean", doc_keys as f64 / n),
            ("window_keys_mean", win_keys as f64 / n),
            ("items_mean", items as f64 / n),
            (
                "p50",
                per_doc.get(per_doc.len() / 2).copied().unwrap_or(0) as f64,
            ),
            (
                "p99",
                per_doc.get(per_doc.len() * 99 / 100).copied().unwrap_or(0) as f64,
            ),
            ("max", per_doc.last().copied().unwrap_or(0) as f64),
            ("analyze_docs_per_s_one_thread", n / analyze_s),
        ],
    );
    let max_bucket = reprint::scan::ScanOptions::default().max_bucket as u64;
    let mut pairs: Vec<(u32, u32)> = by_key
        .values()
        .filter(|(items, docs)| docs.len() >= 2 && *items <= max_bucket)
        .flat_map(|(_, docs)| {
            docs.iter()
                .enumerate()
                .flat_map(move |(x, &a)| docs[x + 1..].iter().map(move |&b| (a.min(b), a.max(b))))
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let (compare_s, full_s, batched_s) = pool1().install(|| {
        let t = Instant::now();
        for &(a, b) in &pairs {
            std::hint::black_box(
                detector.compare_analyzed(&analyses[a as usize], &analyses[b as usize]),
            );
        }
        let compare_s = t.elapsed().as_secs_f64();
        // What reprint.verify does per pair: analyze both texts (without signatures), compare.
        let t = Instant::now();
        pairs.par_iter().for_each(|&(a, b)| {
            std::hint::black_box(detector.compare_analyzed(
                &detector.analyze_unsketched(&sample[a as usize]),
                &detector.analyze_unsketched(&sample[b as usize]),
            ));
        });
        let full_s = t.elapsed().as_secs_f64();
        // What the Spark job does: batches of 10,000 pairs sorted by their second document (as
        // the join leaves them), each distinct text of a batch analyzed once.
        let mut by_b = pairs.clone();
        by_b.sort_unstable_by_key(|&(a, b)| (b, a));
        let t = Instant::now();
        for chunk in by_b.chunks(10_000) {
            let mut docs: Vec<u32> = chunk.iter().flat_map(|&(a, b)| [a, b]).collect();
            docs.sort_unstable();
            docs.dedup();
            let analyzed: HashMap<u32, reprint::Analysis> = docs
                .iter()
                .map(|&d| (d, detector.analyze_unsketched(&sample[d as usize])))
                .collect();
            for (a, b) in chunk {
                std::hint::black_box(detector.compare_analyzed(&analyzed[a], &analyzed[b]));
            }
        }
        (compare_s, full_s, t.elapsed().as_secs_f64())
    });
    let p = pairs.len().max(1) as f64;
    emit(
        "verification_one_thread",
        &[
            ("candidate_pairs", pairs.len() as f64),
            ("pairs_per_doc", pairs.len() as f64 / n),
            ("compare_pairs_per_s", p / compare_s),
            ("verify_pairs_per_s", p / full_s),
            ("verify_batched_pairs_per_s", p / batched_s),
        ],
    );
}

fn pool1() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool of one thread")
}

fn load(files: &[String], limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        let file = std::fs::File::open(f).unwrap_or_else(|e| panic!("{f}: {e}"));
        for line in std::io::BufReader::new(file).lines() {
            if out.len() >= limit {
                return out;
            }
            let line = line.unwrap_or_else(|e| panic!("{f}: {e}"));
            let v: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
            out.push(v["text"].as_str().expect("a text field").to_string());
        }
    }
    out
}

fn emit(what: &str, fields: &[(&str, f64)]) {
    let mut o = serde_json::Map::new();
    o.insert("measure".into(), what.into());
    for (k, v) in fields {
        o.insert((*k).into(), (*v).into());
    }
    println!("{}", serde_json::Value::Object(o));
}

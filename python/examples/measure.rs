//! Measures what docs/scale.md's estimates are built on, on JSONL files of `{"id", "text"}`:
//! `Sketcher::signatures` on all threads and on one; scan's candidate keys per document (sampled
//! shingle keys and verbatim-run fingerprints, as `reprint.candidate_keys` gives them), the
//! buckets and candidate pairs they make; and the single-core rates of the key stage, of
//! verification as the Spark job does it, and of `reprint::scan::scan` itself.
//!
//! `cargo run --release --example measure -- [--limit N] [--verify-docs N] [--only-signatures]
//! FILE.jsonl...`
//! prints one JSON object per measurement. Timings are wall-clock and best of three where
//! cheap enough; on a shared machine, compare figures from one run only.

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

    // Keys, candidates and verification on the first `verify_docs` documents, on one thread,
    // as the Spark job does them (`reprint.candidate_keys`, `candidate_pairs`,
    // `reprint.verify_indexed`).
    let detector = Detector::default();
    let sample = &texts[..verify_docs.min(texts.len())];
    // The key stage: unsketched analysis and keys of each text. The analyses are kept for the
    // verification rates below.
    let (analyses, per_doc_keys, keys_s) = pool1().install(|| {
        let t = Instant::now();
        let mut analyses = Vec::with_capacity(sample.len());
        let mut per_doc_keys = Vec::with_capacity(sample.len());
        for s in sample {
            let a = detector.analyze_unsketched(s);
            let mut keys = Vec::new();
            reprint::scan::candidate_keys(&detector, &a, &mut keys);
            per_doc_keys.push(keys);
            analyses.push(a);
        }
        (analyses, per_doc_keys, t.elapsed().as_secs_f64())
    });
    let n = analyses.len().max(1) as f64;
    let fingerprints = |keys: &[u64]| {
        keys.iter()
            .filter(|&&k| reprint::scan::is_fingerprint_key(k))
            .count()
    };
    let stats = |mut v: Vec<usize>| {
        v.sort_unstable();
        let at = |q: usize| v.get(v.len() * q / 100).copied().unwrap_or(0) as f64;
        (
            v.iter().sum::<usize>() as f64 / v.len().max(1) as f64,
            at(50),
            at(99),
            v.last().copied().unwrap_or(0) as f64,
        )
    };
    let (mean, p50, p99, max) = stats(per_doc_keys.iter().map(Vec::len).collect());
    let (fp_mean, _, fp_p99, _) = stats(per_doc_keys.iter().map(|k| fingerprints(k)).collect());
    let (sh_mean, _, sh_p99, _) = stats(
        per_doc_keys
            .iter()
            .map(|k| k.len() - fingerprints(k))
            .collect(),
    );
    emit(
        "keys_per_doc",
        &[
            ("docs", n),
            ("mean", mean),
            ("p50", p50),
            ("p99", p99),
            ("max", max),
            ("shingle_keys_mean", sh_mean),
            ("shingle_keys_p99", sh_p99),
            ("fingerprint_keys_mean", fp_mean),
            ("fingerprint_keys_p99", fp_p99),
            ("keys_docs_per_s_one_thread", n / keys_s),
        ],
    );

    // Buckets and candidates, by the rule of `reprint.spark.candidate_pairs` (and scan's).
    let mut by_key: HashMap<u64, Vec<u32>> = HashMap::new();
    for (d, keys) in per_doc_keys.iter().enumerate() {
        for &k in keys {
            by_key.entry(k).or_default().push(d as u32);
        }
    }
    let mut buckets: Vec<(u64, Vec<u32>)> = by_key.into_iter().collect();
    buckets.sort_unstable_by_key(|b| b.0);
    let max_bucket = reprint::scan::ScanOptions::default().max_bucket;
    let mut total = vec![0f64; analyses.len()];
    let mut shared: HashMap<(u32, u32), f64> = HashMap::new();
    let (mut kept, mut oversized, mut pair_rows) = (0usize, 0usize, 0usize);
    for (k, docs) in &buckets {
        let fp = reprint::scan::is_fingerprint_key(*k);
        let w = if fp {
            f64::INFINITY
        } else {
            let w = reprint::scan::key_weight(docs.len(), analyses.len());
            for &d in docs {
                total[d as usize] += w;
            }
            w
        };
        let cap = if fp {
            max_bucket.min(reprint::scan::MAX_RUN_BUCKET)
        } else {
            max_bucket
        };
        if docs.len() < 2 {
            continue;
        }
        if docs.len() > cap {
            oversized += 1;
            continue;
        }
        kept += 1;
        for (x, &a) in docs.iter().enumerate() {
            for &b in &docs[x + 1..] {
                pair_rows += 1;
                *shared.entry((a.min(b), a.max(b))).or_default() += w;
            }
        }
    }
    let mut pairs: Vec<(u32, u32)> = shared
        .iter()
        .filter(|(&(a, b), &s)| {
            s >= reprint::scan::MIN_SHARED_KEY_WEIGHT
                && s >= reprint::scan::MIN_KEY_SHARE * total[a as usize].min(total[b as usize])
        })
        .map(|(&p, _)| p)
        .collect();
    pairs.sort_unstable();
    let by_runs = pairs.iter().filter(|p| shared[p].is_infinite()).count();
    emit(
        "buckets",
        &[
            ("distinct_keys", buckets.len() as f64),
            ("kept_buckets", kept as f64),
            ("oversized_buckets", oversized as f64),
            ("bucket_pair_rows_per_doc", pair_rows as f64 / n),
            ("pairs_sharing_a_kept_key_per_doc", shared.len() as f64 / n),
        ],
    );

    // The CLI's scan of the same documents on one thread, for its candidate count (a check of
    // the rule above) and its single-core rate.
    let (scan_stats, scan_s) = pool1().install(|| {
        let t = Instant::now();
        let r = reprint::scan::scan(
            &detector,
            sample,
            &reprint::scan::ScanOptions::default(),
            &(),
        );
        (r.stats, t.elapsed().as_secs_f64())
    });
    emit(
        "scan_one_thread",
        &[
            ("docs_per_s", n / scan_s),
            ("candidates", scan_stats.candidates as f64),
            ("aligned", scan_stats.verified as f64),
            ("reported", scan_stats.reported as f64),
        ],
    );

    let (compare_s, batched_s) = pool1().install(|| {
        let t = Instant::now();
        for &(a, b) in &pairs {
            std::hint::black_box(
                detector.compare_analyzed(&analyses[a as usize], &analyses[b as usize]),
            );
        }
        let compare_s = t.elapsed().as_secs_f64();
        // What the Spark job does: batches of 10,000 pairs sorted by their second document (as
        // the join leaves them), each distinct text of a batch analyzed once, every pair aligned
        // (no pre-alignment bound).
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
        (compare_s, t.elapsed().as_secs_f64())
    });
    let p = pairs.len().max(1) as f64;
    emit(
        "verification_one_thread",
        &[
            ("candidate_pairs", pairs.len() as f64),
            ("by_fingerprint", by_runs as f64),
            ("by_key_share", (pairs.len() - by_runs) as f64),
            ("pairs_per_doc", pairs.len() as f64 / n),
            ("compare_pairs_per_s", p / compare_s),
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

//! Criterion benchmarks of the pipeline's stages on the real text of `corpus/docs`.
//!
//! Every timed closure checks its result (a count or score that must be non-trivial), so a stage
//! that silently did nothing would fail rather than look fast. Run with `cargo bench`; CI runs
//! them in quick mode (`cargo bench --bench pipeline -- --quick`) so they keep compiling and running.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use reprint::minhash::MinHasher;
use reprint::normalize::{tokenize_into, Tokens};
use reprint::terms::{extract_into, TermConfig};
use std::path::Path;

fn corpus_texts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
    let loaded = reprint::corpus::load(&[dir]);
    assert!(
        loaded.documents.len() >= 60,
        "corpus/docs is the benchmark input"
    );
    loaded.documents.into_iter().map(|d| d.text).collect()
}

fn stages(c: &mut Criterion) {
    let texts = corpus_texts();
    let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    let mut g = c.benchmark_group("stages");
    g.throughput(Throughput::Bytes(bytes));

    g.bench_function("normalize+tokenize", |b| {
        let mut toks = Tokens::new();
        b.iter(|| {
            let mut words = 0;
            for t in &texts {
                tokenize_into(black_box(t), &mut toks);
                words += toks.len();
            }
            assert!(words > 10_000);
            words
        })
    });

    let tokenized: Vec<Tokens> = texts
        .iter()
        .map(|t| reprint::normalize::tokenize(t))
        .collect();
    let config = TermConfig::default();
    g.bench_function("terms+shingles", |b| {
        let mut terms = Vec::new();
        let mut hashes = Vec::new();
        let mut shingles = Vec::new();
        b.iter(|| {
            let mut n = 0;
            for t in &tokenized {
                extract_into(t, &config, &mut terms);
                hashes.clear();
                hashes.extend(terms.iter().map(|x| x.hash));
                reprint::shingle::shingles_into(&hashes, 2, 7, &mut shingles);
                n += shingles.len();
            }
            assert!(n > 5_000);
            n
        })
    });

    let detector = reprint::Detector::default();
    let shingle_sets: Vec<Vec<u64>> = texts.iter().map(|t| detector.analyze(t).shingles).collect();
    for k in [64usize, 128, 256] {
        let hasher = MinHasher::new(k, 1).unwrap();
        g.bench_function(format!("signature k={k}"), |b| {
            b.iter(|| {
                let mut nonempty = 0;
                for s in &shingle_sets {
                    nonempty += usize::from(!hasher.sketch(black_box(s)).is_empty());
                }
                assert!(nonempty > 60);
                nonempty
            })
        });
    }
    g.finish();

    let analyses: Vec<reprint::Analysis> = texts.iter().map(|t| detector.analyze(t)).collect();
    let mut g = c.benchmark_group("pairs");
    g.throughput(Throughput::Elements((analyses.len() - 1) as u64));
    g.bench_function("verify+align (first document against all)", |b| {
        b.iter(|| {
            let mut best = 0.0f64;
            for other in &analyses[1..] {
                best = best.max(detector.compare_analyzed(&analyses[0], other).max_score());
            }
            assert!(best > 0.0);
            best
        })
    });
    g.throughput(Throughput::Elements(analyses.len() as u64));
    g.bench_function("scan corpus (analyze, LSH, verify)", |b| {
        b.iter(|| {
            let r = reprint::scan::scan(&detector, &texts, &Default::default(), &());
            assert!(r.stats.reported > 20);
            r.stats.reported
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);

//! Criterion benchmarks of the pipeline's stages on the real text of `corpus/docs`.
//!
//! Every timed closure checks its result (a count or score that must be non-trivial), so a stage
//! that silently did nothing would fail rather than look fast. Run with `cargo bench`; CI runs
//! them in a quick mode (`cargo bench --bench pipeline -- --warm-up-time 0.1 --measurement-time
//! 0.3 --sample-size 10`, see `.ci/run`) so they keep compiling and running.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use reprint::lsh::{band_keys, candidate_pairs, LshIndex};
use reprint::minhash::MinHasher;
use reprint::normalize::{tokenize_into, Tokens};
use reprint::sketch::{SketchOptions, Sketcher, EMPTY};
use reprint::terms::{extract_into, TermConfig};
use std::path::Path;
use xxhash_rust::xxh3::xxh3_64_with_seed;

fn corpus_texts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
    let loaded = reprint::input::load(&[dir]);
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

    let sketcher = Sketcher::new(SketchOptions::default()).unwrap();
    g.bench_function("sketch: word 5-gram signatures, k=128, 1 thread", |b| {
        let mut row = vec![0u32; sketcher.k()];
        b.iter(|| {
            let mut filled = 0;
            for t in &texts {
                sketcher.sketch_into(black_box(t), &mut row);
                filled += usize::from(row[0] != EMPTY);
            }
            assert_eq!(filled, texts.len());
            filled
        })
    });
    g.bench_function("sketch batch (Sketcher::signatures, rayon)", |b| {
        b.iter(|| {
            let rows = sketcher.signatures(black_box(&texts));
            assert!(rows.iter().filter(|&&v| v == EMPTY).count() < rows.len() / 100);
            rows.len()
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

    let word_hashes: Vec<Vec<u64>> = tokenized
        .iter()
        .map(|t| {
            (0..t.len())
                .map(|i| xxh3_64_with_seed(t.norm(i).as_bytes(), 7))
                .collect()
        })
        .collect();
    g.bench_function("shingle hashing (word 5-grams)", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            let mut n = 0;
            for w in &word_hashes {
                reprint::shingle::shingles_into(black_box(w), 5, 7, &mut out);
                n += out.len();
            }
            assert!(n > 20_000);
            n
        })
    });

    // Wire cues: scan looks for them in every document of a reported pair.
    g.bench_function("wire cues", |b| {
        b.iter(|| {
            let cues: usize = texts
                .iter()
                .map(|t| reprint::wire::find(black_box(t)).cues.len())
                .sum();
            assert!(cues >= 20, "{cues}");
            cues
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

    // LSH: the document signatures banded as scan bands them, many times over with distinct
    // keys (each copy's keys re-mixed) so that the tables hold thousands of documents.
    // Bands × rows for whole-document Jaccard 0.3, false negatives weighed over false
    // positives (a missed copy costs more than a verification).
    let params =
        reprint::lsh::LshParams::for_threshold(detector.config().k, 0.3, 0.3, 0.7).unwrap();
    let mut keys: Vec<Vec<u64>> = Vec::new();
    for copy in 0..50u64 {
        for a in &analyses {
            let mut k = Vec::new();
            band_keys(&a.signature, &params, &mut k).unwrap();
            keys.push(
                k.iter()
                    .map(|x| x ^ copy.wrapping_mul(0x9E37_79B9_7F4A_7C15))
                    .collect(),
            );
        }
    }
    let mut g = c.benchmark_group("lsh");
    g.throughput(Throughput::Elements(keys.len() as u64));
    g.bench_function("LshIndex insert", |b| {
        b.iter(|| {
            let mut idx = LshIndex::new(params);
            for (i, k) in keys.iter().enumerate() {
                idx.insert(i as u32, black_box(k));
            }
            assert_eq!(idx.len(), keys.len());
            idx.len()
        })
    });
    let mut idx = LshIndex::new(params);
    for (i, k) in keys.iter().enumerate() {
        idx.insert(i as u32, k);
    }
    g.bench_function("LshIndex query", |b| {
        b.iter(|| {
            let mut found = 0;
            for k in &keys {
                found += idx.query(black_box(k)).len();
            }
            assert!(found >= keys.len(), "every document finds at least itself");
            found
        })
    });
    g.bench_function("candidate_pairs (batch banding)", |b| {
        b.iter(|| {
            let (pairs, _) = candidate_pairs(black_box(&keys), 200);
            assert!(!pairs.is_empty());
            pairs.len()
        })
    });
    g.finish();
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

    // End to end on a generated corpus: documents recombined from the corpus's sentences, every
    // eighth one a copy of an earlier one with a sentence changed.
    let (generated, injected) = generated_corpus(&texts, 300);
    let bytes: u64 = generated.iter().map(|t| t.len() as u64).sum();
    let mut g = c.benchmark_group("scan generated");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("scan 300 generated documents", |b| {
        b.iter(|| {
            let r = reprint::scan::scan(&detector, black_box(&generated), &Default::default(), &());
            let found = injected
                .iter()
                .filter(|&&(a, b)| r.pairs.iter().any(|p| (p.a, p.b) == (a, b)))
                .count();
            assert_eq!(found, injected.len(), "every injected copy is found");
            r.stats.reported
        })
    });
    g.finish();

    // A high threshold on pages that share stock sentences: the sieve's coverage bound settles
    // nearly every candidate (`src/cover.rs`), which is what this measures.
    let pooled = pooled_corpus(&texts, 600, 150);
    let high = reprint::scan::ScanOptions {
        min_score: 0.8,
        ..Default::default()
    };
    let all = reprint::scan::scan(&detector, &pooled, &Default::default(), &());
    let want: Vec<(usize, usize)> = all
        .all_pairs()
        .filter_map(|p| match p {
            Ok(p) if p.comparison.max_score() >= 0.8 => Some((p.a, p.b)),
            Err(d) if d.containment_a_in_b.max(d.containment_b_in_a) >= 0.8 => {
                Some((d.a as usize, d.b as usize))
            }
            _ => None,
        })
        .collect();
    let mut g = c.benchmark_group("scan shared sentences");
    g.throughput(Throughput::Elements(pooled.len() as u64));
    g.bench_function(
        "scan --min-score 0.8, 600 pages of 150 stock sentences",
        |b| {
            b.iter(|| {
                let r = reprint::scan::scan(&detector, black_box(&pooled), &high, &());
                assert!(
                    r.stats.candidates > 20 * pooled.len(),
                    "{}",
                    r.stats.candidates
                );
                let got: std::collections::HashSet<(usize, usize)> = r
                    .all_pairs()
                    .map(|p| p.map_or_else(|d| (d.a as usize, d.b as usize), |p| (p.a, p.b)))
                    .collect();
                assert!(
                    want.iter().all(|p| got.contains(p)),
                    "every pair the default scan reports at 0.8"
                );
                r.stats.reported
            })
        },
    );
    g.finish();
}

/// The corpus's sentences of six words or more, in order: what the generated corpora are
/// made of.
fn corpus_sentences(texts: &[String]) -> impl Iterator<Item = &str> {
    texts
        .iter()
        .flat_map(|t| t.split_inclusive(". "))
        .filter(|s| s.split_whitespace().count() >= 6)
}

/// `n` pages of 4 to 16 sentences drawn (deterministically) from the first `pool` sentences of
/// the corpus, as they are: each sentence recurs in many pages, so most pairs of pages share
/// one or two, and a few pages hold most of another.
fn pooled_corpus(texts: &[String], n: usize, pool: usize) -> Vec<String> {
    use rand::{rngs::StdRng, Rng, SeedableRng};
    let sentences: Vec<&str> = corpus_sentences(texts).take(pool).collect();
    let mut rng = StdRng::seed_from_u64(11);
    (0..n)
        .map(|_| {
            let len = rng.gen_range(4..=16);
            let start = rng.gen_range(0..sentences.len());
            // Runs of consecutive pool sentences, as stock passages run on.
            (0..len)
                .map(|k| sentences[(start + k * rng.gen_range(1..=2)) % sentences.len()].trim())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// `n` documents of 8 to 20 sentences (deterministic), and the injected copy pairs
/// `(original, copy)`. Each sentence is one of the corpus's with every word of four letters or
/// more given a random two-letter beginning (terms are 5-letter prefixes), so that unrelated documents share no more than
/// function words and chance, as distinct articles do.
fn generated_corpus(texts: &[String], n: usize) -> (Vec<String>, Vec<(usize, usize)>) {
    use rand::{rngs::StdRng, Rng, SeedableRng};
    let sentences: Vec<&str> = corpus_sentences(texts).collect();
    let mut rng = StdRng::seed_from_u64(7);
    let sentence = |rng: &mut StdRng| -> String {
        let s = sentences[rng.gen_range(0..sentences.len())];
        s.split(' ')
            .map(|w| {
                if w.chars().count() >= 4 && w.chars().all(char::is_alphabetic) {
                    let a = char::from(b'a' + rng.gen_range(0..26u8));
                    let b = char::from(b'a' + rng.gen_range(0..26u8));
                    format!("{a}{b}{w}")
                } else {
                    w.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut docs: Vec<String> = Vec::with_capacity(n);
    let mut injected = Vec::new();
    for i in 0..n {
        if i % 8 == 7 {
            let original = rng.gen_range(0..i);
            let mut parts: Vec<String> = docs[original].split(" | ").map(String::from).collect();
            let at = rng.gen_range(0..parts.len());
            parts[at] = sentence(&mut rng);
            docs.push(parts.join(" | "));
            injected.push((original, i));
        } else {
            let len = rng.gen_range(8..=20);
            let parts: Vec<String> = (0..len).map(|_| sentence(&mut rng)).collect();
            docs.push(parts.join(" | "));
        }
    }
    (docs, injected)
}

criterion_group!(benches, stages);
criterion_main!(benches);

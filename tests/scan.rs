//! The scan's candidate generation: a fragment copied into unrelated text is found through the
//! passage windows, although whole-document LSH cannot see it.

use reprint::scan::{scan, ScanOptions};
use std::path::Path;

fn doc(id: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus/docs")
            .join(id),
    )
    .unwrap()
}

#[test]
fn a_fragment_inside_unrelated_text_is_found_with_its_share() {
    let wire = doc("wire/fr-wildfire.txt");
    // About a third of the wire story, cut at paragraph boundaries, between two unrelated
    // articles and part of a third.
    let paragraphs: Vec<&str> = wire.split("\n\n").collect();
    let fragment = paragraphs[1..3].join("\n\n");
    let page = format!(
        "{}\n\n{}\n\n{}\n\n{}",
        doc("other/fr-budget-municipal.txt"),
        fragment,
        doc("other/fr-musee-reouverture.txt"),
        doc("other/fr-cyclisme-etape.txt"),
    );
    let detector = reprint::Detector::default();
    let texts = [wire.as_str(), page.as_str(), &doc("other/en-marathon.txt")];

    // Whole-document signatures are too far apart for document LSH...
    let (w, p) = (detector.analyze(texts[0]), detector.analyze(texts[1]));
    let estimate = w.signature.jaccard(&p.signature).unwrap();
    assert!(estimate < 0.2, "document Jaccard estimate {estimate}");

    // Without passage windows and verbatim-run fingerprints the scan misses it...
    let blind = reprint::Detector::new(reprint::Config {
        window: 0,
        align: reprint::align::AlignConfig {
            min_verbatim_words: 0,
            ..Default::default()
        },
        ..reprint::Config::default()
    })
    .unwrap();
    let blind = scan(&blind, &texts, &ScanOptions::default(), &());
    assert!(blind.pairs.is_empty(), "{:?}", blind.stats);
    // ...either finds it: the fragment is pasted word for word.
    let no_windows = reprint::Detector::new(reprint::Config {
        window: 0,
        ..reprint::Config::default()
    })
    .unwrap();
    let runs_only = scan(&no_windows, &texts, &ScanOptions::default(), &());
    assert_eq!(
        runs_only.stats.verbatim_candidates, 1,
        "{:?}",
        runs_only.stats
    );
    assert_eq!(runs_only.pairs.len(), 1, "{:?}", runs_only.stats);

    // ...with them it finds the pair and measures the fragment.
    let result = scan(&detector, &texts, &ScanOptions::default(), &());
    assert!(result.stats.passage_candidates >= 1);
    assert_eq!(result.pairs.len(), 1, "{:?}", result.stats);
    let pair = &result.pairs[0];
    assert_eq!((pair.a, pair.b), (0, 1));
    let words = |t: &str| -> usize { reprint::normalize::tokenize(t).len() };
    let truth = words(&fragment) as f64 / words(&wire) as f64;
    let got = pair.comparison.containment_a_in_b;
    assert!(
        (got - truth).abs() <= 0.05,
        "containment {got}, true share {truth}"
    );
    assert!(pair.comparison.containment_b_in_a < 0.5);
}

#[test]
fn scan_results_do_not_depend_on_the_thread_count() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
    let loaded = reprint::corpus::load(&[dir]);
    let texts: Vec<&str> = loaded.documents.iter().map(|d| d.text.as_str()).collect();
    let detector = reprint::Detector::default();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| scan(&detector, &texts, &ScanOptions::default(), &()))
    };
    let one = run(1);
    let three = run(3);
    assert!(!one.pairs.is_empty());
    assert_eq!(one.pairs, three.pairs);
    assert_eq!(one.stats, three.stats);
}

#[test]
fn candidate_keys_reproduce_the_scan() {
    // What a Spark job does: group documents by key, verify every pair sharing one. On the shipped
    // corpus no bucket reaches the size cap, so this must report exactly scan's pairs.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
    let loaded = reprint::corpus::load(&[dir]);
    let texts: Vec<&str> = loaded.documents.iter().map(|d| d.text.as_str()).collect();
    let detector = reprint::Detector::default();
    let options = ScanOptions::default();
    let analyses: Vec<_> = texts.iter().map(|t| detector.analyze(t)).collect();
    let mut by_key: std::collections::HashMap<u64, Vec<usize>> = Default::default();
    let mut keys = Vec::new();
    for (i, a) in analyses.iter().enumerate() {
        reprint::scan::candidate_keys(&detector, a, &mut keys);
        for &k in &keys {
            by_key.entry(k).or_default().push(i);
        }
    }
    let mut pairs = std::collections::BTreeSet::new();
    for docs in by_key.values() {
        assert!(docs.len() <= options.max_bucket);
        for (x, &a) in docs.iter().enumerate() {
            for &b in &docs[x + 1..] {
                pairs.insert((a.min(b), a.max(b)));
            }
        }
    }
    let result = scan(&detector, &texts, &options, &());
    assert_eq!(pairs.len(), result.stats.verified);
    let reported: Vec<(usize, usize)> = pairs
        .into_iter()
        .filter(|&(a, b)| {
            detector
                .compare_analyzed(&analyses[a], &analyses[b])
                .max_score()
                >= options.min_score
        })
        .collect();
    let scanned: Vec<(usize, usize)> = result.pairs.iter().map(|p| (p.a, p.b)).collect();
    assert!(!scanned.is_empty());
    assert_eq!(reported, scanned);
}

#[test]
fn counted_keys_reproduce_the_bucket_cap() {
    // With a cap small enough to bite on the shipped corpus, summing each key's item counts and
    // dropping keys over the cap must give exactly scan's candidates: the cap counts windows,
    // not documents, so plain document counts would keep buckets that scan skips.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
    let loaded = reprint::corpus::load(&[dir]);
    let texts: Vec<&str> = loaded.documents.iter().map(|d| d.text.as_str()).collect();
    let detector = reprint::Detector::default();
    let analyses: Vec<_> = texts.iter().map(|t| detector.analyze(t)).collect();
    let mut by_key: std::collections::HashMap<u64, (u64, Vec<usize>)> = Default::default();
    let (mut counted, mut plain) = (Vec::new(), Vec::new());
    let mut multi_window_keys = 0;
    for (i, a) in analyses.iter().enumerate() {
        reprint::scan::candidate_key_counts(&detector, a, &mut counted);
        reprint::scan::candidate_keys(&detector, a, &mut plain);
        let keys: Vec<u64> = counted.iter().map(|&(k, _)| k).collect();
        assert_eq!(keys, plain, "same keys as candidate_keys, document {i}");
        for &(k, n) in &counted {
            multi_window_keys += usize::from(n > 1);
            let e = by_key.entry(k).or_default();
            e.0 += u64::from(n);
            e.1.push(i);
        }
    }
    assert!(
        multi_window_keys > 0,
        "some windows of one document share a key"
    );
    for max_bucket in [2, 3, 5] {
        let options = ScanOptions {
            max_bucket,
            ..ScanOptions::default()
        };
        let mut pairs = std::collections::BTreeSet::new();
        for (items, docs) in by_key.values() {
            if *items > max_bucket as u64 {
                continue;
            }
            for (x, &a) in docs.iter().enumerate() {
                for &b in &docs[x + 1..] {
                    pairs.insert((a.min(b), a.max(b)));
                }
            }
        }
        let result = scan(&detector, &texts, &options, &());
        assert!(result.stats.oversized_buckets > 0, "cap {max_bucket} bites");
        assert_eq!(pairs.len(), result.stats.verified, "cap {max_bucket}");
    }
}

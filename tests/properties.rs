//! Property tests: invariants that hold for any input text, not only the corpus.

use proptest::prelude::*;
use reprint::minhash::MinHasher;
use reprint::normalize::tokenize;
use reprint::sketch::{SketchOptions, Sketcher};

/// Text mixing the scripts and marks that crawlers meet: Latin with accents (precomposed and
/// combining), typographic punctuation, CJK, Arabic, emoji, control and bidi characters.
fn messy_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("États-Unis".to_string()),
        Just("l’Iran".to_string()),
        Just("e\u{301}te\u{301}".to_string()),
        Just("« »".to_string()),
        Just("東京".to_string()),
        Just("مرحبا".to_string()),
        Just("🙂".to_string()),
        Just("\u{200f}\u{200e}\u{feff}".to_string()),
        Just("ﬁ Ａ ² ½ ß Œ".to_string()),
        Just("\n\n".to_string()),
        "[a-zA-Z]{1,8}",
        "\\PC{0,6}",
    ];
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn tokens_point_at_words_of_the_original(text in messy_text()) {
        let t = tokenize(&text);
        let mut prev_end = 0;
        for (i, tok) in t.as_slice().iter().enumerate() {
            prop_assert!(tok.start < tok.end);
            prop_assert!(tok.start >= prev_end);
            prop_assert!(text.is_char_boundary(tok.start) && text.is_char_boundary(tok.end));
            let word = &text[tok.start..tok.end];
            prop_assert_eq!(word.chars().count() as u32, tok.chars);
            // The original word normalizes to exactly this token.
            let again = tokenize(word);
            prop_assert!(!again.is_empty());
            prop_assert_eq!(again.norm(0), t.norm(i));
            prev_end = tok.end;
        }
    }

    #[test]
    fn normalization_is_idempotent(text in messy_text()) {
        let t = tokenize(&text);
        let once: Vec<&str> = (0..t.len()).map(|i| t.norm(i)).collect();
        let joined = once.join(" ");
        let t2 = tokenize(&joined);
        let twice: Vec<&str> = (0..t2.len()).map(|i| t2.norm(i)).collect();
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn sketcher_equals_the_reference_pipeline(
        text in prop_oneof![messy_text(), "\\PC{0,200}", any::<String>()],
        ngram in 1usize..=6,
        k in prop_oneof![Just(128usize), 1usize..300],
        seed in any::<u64>(),
    ) {
        let options = SketchOptions { k, ngram, seed };
        let mut fast = vec![0; k];
        Sketcher::new(options).unwrap().sketch_into(&text, &mut fast);
        prop_assert_eq!(fast, reference_signature(&text, k, ngram, seed));
    }

    #[test]
    fn scores_are_fractions_and_resemblance_is_symmetric(a in messy_text(), b in messy_text()) {
        let d = reprint::Detector::default();
        let ab = d.compare(&a, &b);
        let ba = d.compare(&b, &a);
        for s in [ab.resemblance, ab.containment_a_in_b, ab.containment_b_in_a] {
            prop_assert!((0.0..=1.0).contains(&s));
        }
        prop_assert_eq!(ab.resemblance, ba.resemblance);
        for p in &ab.passages {
            prop_assert!(a.is_char_boundary(p.a.start) && a.is_char_boundary(p.a.end));
            prop_assert!(b.is_char_boundary(p.b.start) && b.is_char_boundary(p.b.end));
        }
    }
}

/// `Sketcher`'s definition, stage by stage through the public API: tokenize, xxh3 of each
/// normalized word, `shingle_hash` of each window of `ngram` word hashes, one-permutation
/// MinHash.
fn reference_signature(text: &str, k: usize, ngram: usize, seed: u64) -> Vec<u32> {
    let tokens = tokenize(text);
    let words: Vec<u64> = (0..tokens.len())
        .map(|i| xxhash_rust::xxh3::xxh3_64_with_seed(tokens.norm(i).as_bytes(), seed))
        .collect();
    let shingles: Vec<u64> = if words.is_empty() {
        vec![]
    } else if words.len() < ngram {
        vec![reprint::sketch::shingle_hash(&words)]
    } else {
        words
            .windows(ngram)
            .map(reprint::sketch::shingle_hash)
            .collect()
    };
    let sig = MinHasher::new(k, seed).unwrap().sketch(&shingles);
    if sig.is_empty() {
        vec![reprint::sketch::EMPTY; k]
    } else {
        sig.values().to_vec()
    }
}

#[test]
fn sketcher_equals_the_reference_pipeline_on_the_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
    let texts: Vec<String> = reprint::corpus::load(&[dir])
        .documents
        .into_iter()
        .map(|d| d.text)
        .collect();
    assert!(texts.len() > 50);
    let s = Sketcher::new(SketchOptions::default()).unwrap();
    let rows = s.signatures(&texts);
    let o = s.options();
    for (text, row) in texts.iter().zip(rows.chunks_exact(s.k())) {
        assert_eq!(row, reference_signature(text, o.k, o.ngram, o.seed));
    }
}

#[test]
fn a_text_fully_contains_itself() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus/docs/seeds/afp-2022-09-albania-iran.txt"),
    )
    .unwrap();
    let c = reprint::compare(&text, &text);
    assert_eq!(c.resemblance, 1.0);
    assert!(c.containment_a_in_b > 0.99, "{}", c.containment_a_in_b);
    assert!(c.containment_b_in_a > 0.99, "{}", c.containment_b_in_a);
}

#[test]
fn wordless_texts_are_not_copies_of_each_other() {
    for (a, b) in [("", ""), ("!!!", "!!!"), ("de la", "de la"), ("🙂", "🙂")] {
        let c = reprint::compare(a, b);
        assert_eq!(
            (c.resemblance, c.containment_a_in_b, c.containment_b_in_a),
            (0.0, 0.0, 0.0),
            "{a:?}"
        );
    }
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<reprint::Detector>();
    check::<reprint::Analysis>();
    check::<reprint::Comparison>();
    check::<reprint::minhash::MinHasher>();
    check::<reprint::minhash::Signature>();
    check::<reprint::lsh::LshIndex<u64>>();
    check::<reprint::scan::ScanResult>();
    check::<reprint::corpus::Loaded>();
    check::<reprint::Error>();
}

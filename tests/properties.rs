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
    let texts: Vec<String> = reprint::input::load(&[dir])
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
    check::<reprint::input::Loaded>();
    check::<reprint::input::Catalog>();
    check::<reprint::input::Entry>();
    check::<reprint::Error>();
}

/// The invariants every reported pair keeps, found directly or through a copy.
fn check_pairs(texts: &[&str], pairs: &[reprint::scan::ScoredPair]) -> Result<(), TestCaseError> {
    for p in pairs {
        prop_assert!(p.a < p.b && p.b < texts.len());
        let c = &p.comparison;
        for s in [c.resemblance, c.containment_a_in_b, c.containment_b_in_a] {
            prop_assert!((0.0..=1.0).contains(&s));
        }
        prop_assert!(c.max_score() > 0.0);
        if let Some(x) = p.via {
            prop_assert!(x != p.a && x != p.b && x < texts.len());
            prop_assert!(!c.passages.is_empty());
        }
        let (a, b) = (texts[p.a], texts[p.b]);
        let mut by_b: Vec<&std::ops::Range<usize>> = Vec::new();
        for (k, q) in c.passages.iter().enumerate() {
            prop_assert!(q.a.start < q.a.end && q.a.end <= a.len());
            prop_assert!(q.b.start < q.b.end && q.b.end <= b.len());
            prop_assert!(a.is_char_boundary(q.a.start) && a.is_char_boundary(q.a.end));
            prop_assert!(b.is_char_boundary(q.b.start) && b.is_char_boundary(q.b.end));
            if k > 0 {
                prop_assert!(c.passages[k - 1].a.end <= q.a.start, "sorted, apart in A");
            }
            by_b.push(&q.b);
        }
        by_b.sort_by_key(|r| r.start);
        prop_assert!(
            by_b.windows(2).all(|w| w[0].end <= w[1].start),
            "apart in B"
        );
    }
    Ok(())
}

/// Cuts `text` at the char boundary nearest below `at` (a fraction of its length).
fn cut_at(text: &str, at: f64) -> usize {
    let mut i = (text.len() as f64 * at) as usize;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A wire story, a rendering of it that is a whole copy, and a page pasting a paragraph of
    /// the rendering that does not align with the story on its own (`corpus/`): whatever is cut
    /// from the page or the rendering and whatever is pasted into them, the pairs scan reports,
    /// those found through the copy included, keep their invariants, and bridging only adds
    /// pairs (or replaces a direct pair that has no passage).
    #[test]
    fn pairs_found_through_a_copy_keep_the_invariants(
        page_cut in (0.0f64..1.0, 0.0f64..1.0),
        rendering_cut in (0.0f64..1.0, 0.0f64..0.3),
        pasted in messy_text(),
        into_page in 0.0f64..1.0,
    ) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
        let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
        let wire = read("wire/fr-election.txt");
        let mut rendering = read("rewrites/fr-election-mt.txt");
        let mut page = read("copies/excerpt-via-copy-fr-election.txt");
        // Drop a span of the page (anywhere) and a smaller one of the rendering; paste messy
        // text into the page.
        let (lo, hi) = (page_cut.0.min(page_cut.1), page_cut.0.max(page_cut.1));
        let (lo, hi) = (cut_at(&page, lo), cut_at(&page, lo + (hi - lo) / 4.0));
        page.replace_range(lo..hi, "");
        let at = cut_at(&page, into_page);
        page.insert_str(at, &pasted);
        let lo = cut_at(&rendering, rendering_cut.0);
        let hi = cut_at(&rendering, (rendering_cut.0 + rendering_cut.1).min(1.0)).max(lo);
        rendering.replace_range(lo..hi, "");
        let texts = [wire.as_str(), rendering.as_str(), page.as_str()];
        let d = reprint::Detector::default();
        let run = |bridge: bool| {
            let options = reprint::scan::ScanOptions {
                min_score: 0.0,
                bridge,
                ..Default::default()
            };
            reprint::scan::scan(&d, &texts, &options, &()).pairs
        };
        let (with, without) = (run(true), run(false));
        check_pairs(&texts, &with)?;
        for p in &without {
            match with.iter().find(|q| (q.a, q.b) == (p.a, p.b)) {
                Some(q) if q.via.is_none() => prop_assert_eq!(&q.comparison, &p.comparison),
                Some(_) => prop_assert!(p.comparison.passages.is_empty()),
                None => prop_assert!(false, "bridging lost the pair {} {}", p.a, p.b),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Copies across languages: any two texts, any lexicon file, no panic; scores in [0, 1],
    /// passages on character boundaries inside both texts, the same result twice.
    #[test]
    fn cross_lingual_comparison_is_bounded_and_total(
        a in messy_text(),
        b in messy_text(),
        lexicon in "\\PC{0,40}(\n[a-zA-Zéß]{1,8}\t[a-zA-Zéß ]{1,12}){0,6}",
    ) {
        use reprint::xling::{CrossLingual, Language, Lexicon};
        let header = format!("#reprint-lexicon\tde\tfr\n{lexicon}");
        let mut xl = CrossLingual::new();
        for text in [&lexicon, &header] {
            if let Ok(l) = Lexicon::parse(text, std::path::Path::new("p.tsv")) {
                xl = xl.with_lexicon(l);
            }
        }
        let langs: Vec<Language> = [
            "Der Vorsitzende sieht seinen Fehler in seiner Bemerkung auf der Konferenz in Kassel.",
            "Le président voit son erreur dans sa remarque lors de la conférence de Kassel.",
        ]
        .iter()
        .map(|t| reprint::xling::detect(t).unwrap())
        .collect();
        let c = xl.compare(&a, langs[0], &b, langs[1]);
        for s in [c.containment_a_in_b, c.containment_b_in_a, c.resemblance] {
            prop_assert!((0.0..=1.0).contains(&s), "{}", s);
        }
        for p in &c.passages {
            prop_assert!(p.a.start <= p.a.end && p.a.end <= a.len());
            prop_assert!(p.b.start <= p.b.end && p.b.end <= b.len());
            prop_assert!(a.is_char_boundary(p.a.start) && a.is_char_boundary(p.a.end));
            prop_assert!(b.is_char_boundary(p.b.start) && b.is_char_boundary(p.b.end));
        }
        prop_assert_eq!(c, xl.compare(&a, langs[0], &b, langs[1]));
    }
}

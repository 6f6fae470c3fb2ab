//! The scan's candidate generation: a fragment copied into unrelated text is found through the
//! sampled keys it shares with its source, although whole-document LSH cannot see it; a pasted
//! sentence through its verbatim run; and the keys alone describe the candidates exactly.

use reprint::scan::{scan, ScanOptions};
use std::collections::{BTreeSet, HashMap};
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

    // ...but the fragment gives both texts the same sampled keys, whatever surrounds it: the
    // pair is a candidate by its share of keys alone, without the verbatim-run fingerprints.
    let no_runs = without_verbatim_runs();
    let keys_only = scan(&no_runs, &texts, &ScanOptions::default(), &());
    assert_eq!(keys_only.stats.verbatim_candidates, 0);
    assert_eq!(keys_only.pairs.len(), 1, "{:?}", keys_only.stats);

    // With everything on, it finds the pair and measures the fragment.
    let result = scan(&detector, &texts, &ScanOptions::default(), &());
    assert_eq!(result.stats.candidates, 1, "{:?}", result.stats);
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
fn a_pasted_sentence_is_found_by_its_verbatim_run() {
    // Ten words pasted word for word, four of them content words: too few to share sampled term
    // pairs, but the verbatim-run fingerprints meet.
    let wire = "Le gouvernement a présenté mardi son plan pour l'hiver. Ce chèque n'est pas \
                encaissable auprès de votre banque. La ministre l'a rappelé. Les \
                fournisseurs devront l'accepter comme moyen de paiement dès janvier.";
    let page = "Notre club de lecture se réunit jeudi à la médiathèque pour parler des \
                romans de la rentrée. Ce chèque n'est pas encaissable auprès de \
                votre banque. Pensez à réserver votre place.";
    let texts = [wire, page];
    let detector = reprint::Detector::default();
    let result = scan(&detector, &texts, &ScanOptions::default(), &());
    assert_eq!(result.stats.verbatim_candidates, 1, "{:?}", result.stats);
    assert_eq!(result.pairs.len(), 1, "{:?}", result.stats);
    let no_runs = without_verbatim_runs();
    assert!(scan(&no_runs, &texts, &ScanOptions::default(), &())
        .pairs
        .is_empty());
}

#[test]
fn scan_results_do_not_depend_on_the_thread_count() {
    let texts = corpus_texts();
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

/// What an engine that shuffles by key (Spark) does with [`reprint::scan::candidate_keys`]:
/// group documents by key, drop keys held by one document or by more than `max_bucket`, weigh
/// shingle keys by how many documents hold them, and keep the pairs that share a fingerprint or
/// enough of their keys, as the documentation of `candidate_keys` states.
fn candidates_from_keys(keys: &[Vec<u64>], max_bucket: usize) -> BTreeSet<(usize, usize)> {
    use reprint::scan::{is_fingerprint_key, key_weight, MIN_KEY_SHARE, MIN_SHARED_KEY_WEIGHT};
    let mut by_key: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, ks) in keys.iter().enumerate() {
        for &k in ks {
            by_key.entry(k).or_default().push(i);
        }
    }
    let n = keys.len();
    let mut total = vec![0f64; n];
    let mut shared: HashMap<(usize, usize), f64> = HashMap::new();
    for (&k, docs) in &by_key {
        let fingerprint = is_fingerprint_key(k);
        let w = key_weight(docs.len(), n);
        if !fingerprint {
            for &d in docs {
                total[d] += w;
            }
        }
        let cap = if fingerprint {
            max_bucket.min(reprint::scan::MAX_RUN_BUCKET)
        } else {
            max_bucket
        };
        if docs.len() > cap {
            continue;
        }
        for (x, &a) in docs.iter().enumerate() {
            for &b in &docs[x + 1..] {
                *shared.entry((a.min(b), a.max(b))).or_default() +=
                    if fingerprint { f64::INFINITY } else { w };
            }
        }
    }
    shared
        .into_iter()
        .filter(|&((a, b), s)| {
            s >= MIN_SHARED_KEY_WEIGHT && s >= MIN_KEY_SHARE * total[a].min(total[b])
        })
        .map(|(p, _)| p)
        .collect()
}

#[test]
fn candidate_keys_reproduce_the_scan() {
    // On the shipped corpus, the pairs chosen from the keys alone, verified, must be exactly
    // scan's pairs (those it finds directly: bridges are the next step).
    let texts = corpus_texts();
    let detector = reprint::Detector::default();
    let options = ScanOptions {
        bridge: false,
        ..ScanOptions::default()
    };
    let analyses: Vec<_> = texts
        .iter()
        .map(|t| detector.analyze_unsketched(t))
        .collect();
    let keys: Vec<Vec<u64>> = analyses
        .iter()
        .map(|a| {
            let mut k = Vec::new();
            reprint::scan::candidate_keys(&detector, a, &mut k);
            k
        })
        .collect();
    let pairs = candidates_from_keys(&keys, options.max_bucket);
    let result = scan(&detector, &texts, &options, &());
    assert_eq!(pairs.len(), result.stats.candidates);
    assert!(
        result.stats.verified < result.stats.candidates,
        "{:?}",
        result.stats
    );
    let reported = reported_directly(&detector, &analyses, pairs, &options);
    let scanned: Vec<(usize, usize)> = result.pairs.iter().map(|p| (p.a, p.b)).collect();
    assert!(!scanned.is_empty());
    assert_eq!(reported, scanned);
}

#[test]
fn candidate_keys_reproduce_the_bucket_cap() {
    // With a cap small enough to bite on the shipped corpus, the rule applied to the keys must
    // still give exactly scan's candidates.
    let texts = corpus_texts();
    let detector = reprint::Detector::default();
    let mut keys = Vec::new();
    for t in &texts {
        let a = detector.analyze_unsketched(t);
        let mut plain = Vec::new();
        reprint::scan::candidate_keys(&detector, &a, &mut plain);
        // Sorted and distinct: a document holds each key once.
        assert!(plain.windows(2).all(|w| w[0] < w[1]));
        keys.push(plain);
    }
    let analyses: Vec<_> = texts
        .iter()
        .map(|t| detector.analyze_unsketched(t))
        .collect();
    for max_bucket in [2, 3, 5] {
        let options = ScanOptions {
            max_bucket,
            bridge: false,
            ..ScanOptions::default()
        };
        let result = scan(&detector, &texts, &options, &());
        assert!(result.stats.oversized_buckets > 0, "cap {max_bucket} bites");
        let candidates = candidates_from_keys(&keys, max_bucket);
        assert_eq!(
            candidates.len(),
            result.stats.candidates,
            "cap {max_bucket}"
        );
        // Pairs sharing a verbatim run only through a fingerprint too common to be a bucket
        // are settled by neither bucket: verification must still see them.
        let reported = reported_directly(&detector, &analyses, candidates, &options);
        let scanned: Vec<(usize, usize)> = result.pairs.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(reported, scanned, "cap {max_bucket}");
        assert!(
            result.stats.settled_by_profiles > 0,
            "cap {max_bucket}: {:?}",
            result.stats
        );
    }
}

#[test]
fn scanning_analyses_gives_what_scanning_texts_gives() {
    let texts = corpus_texts();
    let detector = reprint::Detector::default();
    let analyses: Vec<_> = texts.iter().map(|t| detector.analyze(t)).collect();
    let options = ScanOptions::default();
    let from_texts = scan(&detector, &texts, &options, &());
    let from_analyses = reprint::scan::scan_analyzed(&detector, &analyses, &options, &());
    assert!(!from_texts.pairs.is_empty());
    assert_eq!(from_texts.pairs, from_analyses.pairs);
    assert_eq!(from_texts.stats, from_analyses.stats);
}

/// The candidate pairs that `reprint compare` scores at `options.min_score` or above (and above
/// 0): what scan must report directly.
fn reported_directly(
    detector: &reprint::Detector,
    analyses: &[reprint::detector::Analysis],
    candidates: BTreeSet<(usize, usize)>,
    options: &ScanOptions,
) -> Vec<(usize, usize)> {
    candidates
        .into_iter()
        .filter(|&(a, b)| {
            let s = detector
                .compare_analyzed(&analyses[a], &analyses[b])
                .max_score();
            s >= options.min_score && s > 0.0
        })
        .collect()
}

/// The texts of the shipped corpus, in the order `reprint scan corpus/docs` reads them.
fn corpus_texts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
    reprint::input::load(&[dir])
        .documents
        .into_iter()
        .map(|d| d.text)
        .collect()
}

/// The default detector without verbatim-run passages and candidates.
fn without_verbatim_runs() -> reprint::Detector {
    reprint::Detector::new(reprint::Config {
        align: reprint::align::AlignConfig {
            min_verbatim_words: 0,
            ..Default::default()
        },
        ..reprint::Config::default()
    })
    .unwrap()
}

#[test]
fn a_run_too_common_to_be_a_bucket_still_reaches_verification() {
    // The three pages share a run of figures (ten words, no content bigram), and the first two
    // also two names. With buckets capped at two documents, the run's fingerprints make no
    // bucket, and the pair of the first two is a candidate by the names' keys alone; only the
    // run can make it a passage, so the sieve before verification must let it through.
    let run = "le 12 et le 13 ou le 14 et le 15 puis le 16";
    let texts = [
        format!(
            "La commission a publié son rapport annuel sur les transports régionaux, signé par \
             Jean Valjean et Marius Pontmercy. Les tarifs changent : {run}. Les usagers \
             réclament davantage de trains le matin, des quais accessibles aux fauteuils, des \
             horaires affichés clairement et des guichets ouverts le dimanche. Plusieurs \
             associations dénoncent la fermeture de petites gares rurales, jugée brutale, \
             tandis que la région promet des autocars de substitution dès la rentrée. Le \
             conseil régional votera le budget ferroviaire en décembre, après une \
             concertation menée auprès des élus locaux et des syndicats de cheminots."
        ),
        format!(
            "Le festival de musique ouvre ses portes vendredi sous un ciel incertain, avec \
             Jean Valjean et Marius Pontmercy. Au programme : {run}. Les organisateurs \
             attendent trente mille spectateurs venus écouter des fanfares, des chorales \
             d'enfants et quelques vedettes du jazz. Les bénévoles installent depuis lundi \
             les scènes, les buvettes et un camping provisoire au bord de la rivière. La \
             préfecture a validé le dispositif de sécurité, renforcé cette année par des \
             navettes gratuites depuis la gare et un poste médical avancé."
        ),
        format!(
            "Une nouvelle bibliothèque accueille les lecteurs du quartier depuis lundi. \
             Horaires : {run}. Le maire a salué un projet attendu depuis dix ans, financé \
             par la commune et le département, qui propose aussi des ateliers numériques."
        ),
    ];
    let detector = reprint::Detector::default();
    let options = ScanOptions {
        max_bucket: 2,
        bridge: false,
        ..ScanOptions::default()
    };
    let result = scan(&detector, &texts, &options, &());
    assert!(result.stats.oversized_buckets > 0, "{:?}", result.stats);
    assert_eq!(result.stats.verbatim_candidates, 0, "{:?}", result.stats);
    let direct = detector.compare(&texts[0], &texts[1]);
    assert!(direct.max_score() >= options.min_score, "{direct:?}");
    // Not through resemblance.
    assert!(direct.resemblance < options.min_score, "{direct:?}");
    assert!(
        result.pairs.iter().any(|p| (p.a, p.b) == (0, 1)),
        "{:?}",
        result.stats
    );
}

#[test]
fn group_bands_join_near_duplicates_and_keep_unrelated_texts_apart() {
    let detector = reprint::Detector::default();
    let bands = |id: &str| -> BTreeSet<u64> {
        let a = detector.analyze_unsketched(&doc(id));
        let (mut keys, mut bands) = (Vec::new(), Vec::new());
        reprint::scan::candidate_keys(&detector, &a, &mut keys);
        reprint::scan::group_bands(&keys, &mut bands);
        bands.into_iter().collect()
    };
    // The wire story, and the same story on a site, under its header and above its footer.
    let story = doc("wire/en-fraud-verdict.txt");
    let edited = format!(
        "Daily Courier | Business | Markets\n{story}\nMore stories: weather, sport, comics"
    );
    let a = detector.analyze_unsketched(&edited);
    let (mut keys, mut edited_bands) = (Vec::new(), Vec::new());
    reprint::scan::candidate_keys(&detector, &a, &mut keys);
    reprint::scan::group_bands(&keys, &mut edited_bands);
    let wire = bands("wire/en-fraud-verdict.txt");
    assert_eq!(wire.len(), 9, "a whole article fills every band");
    assert!(edited_bands.iter().any(|b| wire.contains(b)));
    assert!(wire.is_disjoint(&bands("wire/en-rocket-failure.txt")));
}

//! Syndication at scale, on small instances of `scripts/scale/gen.py`'s two situations: a story
//! copied by hundreds of sites inside unrelated pages (every copy found, the pairs among copies
//! derived through a representative within 0.02 of `compare`), and pages built from a shared
//! pool of passages (a threshold loses no pair that brute force finds above it).

mod common;

use common::generate;
use reprint::scan::{scan, ScanOptions, ScanResult};
use reprint::Detector;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn truth_file(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

/// Every pair reported, direct or derived, with its two containments.
fn reported(r: &ScanResult) -> HashMap<(usize, usize), (f64, f64)> {
    r.all_pairs()
        .map(|p| match p {
            Ok(p) => (
                (p.a, p.b),
                (
                    p.comparison.containment_a_in_b,
                    p.comparison.containment_b_in_a,
                ),
            ),
            Err(d) => (
                (d.a as usize, d.b as usize),
                (
                    f64::from(d.containment_a_in_b),
                    f64::from(d.containment_b_in_a),
                ),
            ),
        })
        .collect()
}

#[test]
fn every_copy_of_a_story_copied_by_hundreds_of_sites_is_found() {
    // 260 copies: more than `max_bucket` (200) documents hold the story's keys, which before
    // groups dropped them as boilerplate (about half the pairs lost).
    let (docs, dir) = generate(&[
        "clusters",
        "--background",
        "300",
        "--sizes",
        "40,260",
        "--seed",
        "5",
    ]);
    let at: HashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.0.as_str(), i))
        .collect();
    let mut clusters: HashMap<String, Vec<usize>> = HashMap::new();
    for line in std::fs::read_to_string(truth_file(&dir, "clusters.tsv"))
        .unwrap()
        .lines()
    {
        let f: Vec<&str> = line.split('\t').collect();
        clusters.entry(f[0].to_string()).or_default().push(at[f[2]]);
    }
    let texts: Vec<&str> = docs.iter().map(|d| d.1.as_str()).collect();
    let detector = Detector::default();
    let result = scan(&detector, &texts, &ScanOptions::default(), &());
    let pairs = reported(&result);
    for (name, members) in &clusters {
        let mut missed = 0;
        for (i, &a) in members.iter().enumerate() {
            for &b in &members[i + 1..] {
                missed += usize::from(!pairs.contains_key(&(a.min(b), a.max(b))));
            }
        }
        assert_eq!(missed, 0, "cluster {name} of {}", members.len());
        // Each cluster is one group: its copies aligned with one representative.
        let group = result
            .groups
            .iter()
            .find(|g| members.contains(&g.representative))
            .unwrap_or_else(|| panic!("cluster {name} is a group"));
        assert_eq!(group.members.len() + 1, members.len(), "cluster {name}");
    }
    // k copies: k − 1 alignments with the representative, not k²/2.
    let copies: usize = clusters.values().map(Vec::len).sum();
    assert!(result.stats.verified < 2 * copies, "{:?}", result.stats);

    // Derived pairs score what comparing the two texts gives: within 0.02 for nearly all of a
    // sample, a little under it for the few where the representative changed a word at the edge
    // of the story, which direct alignment of the two copies covers.
    let mut sample: Vec<_> = result.derived.iter().step_by(97).collect();
    sample.truncate(120);
    assert!(sample.len() > 100);
    let mut errors: Vec<f64> = sample
        .iter()
        .map(|d| {
            let c = detector.compare(texts[d.a as usize], texts[d.b as usize]);
            (c.containment_a_in_b - f64::from(d.containment_a_in_b))
                .abs()
                .max((c.containment_b_in_a - f64::from(d.containment_b_in_a)).abs())
        })
        .collect();
    errors.sort_by(f64::total_cmp);
    let mean = errors.iter().sum::<f64>() / errors.len() as f64;
    let p95 = errors[errors.len() * 95 / 100];
    let worst = errors[errors.len() - 1];
    assert!(
        mean <= 0.01 && p95 <= 0.02 && worst <= 0.05,
        "{mean} {p95} {worst}"
    );

    // The same scan from one thread: the same groups and pairs.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| scan(&detector, &texts, &ScanOptions::default(), &()));
    assert_eq!(one.groups, result.groups);
    assert_eq!(one.pairs, result.pairs);
    assert_eq!(one.derived, result.derived);
}

#[test]
fn a_derived_pair_has_the_passages_of_the_story() {
    let (docs, _dir) = generate(&[
        "clusters",
        "--background",
        "20",
        "--sizes",
        "40",
        "--seed",
        "9",
    ]);
    let texts: Vec<&str> = docs.iter().map(|d| d.1.as_str()).collect();
    let result = scan(&Detector::default(), &texts, &ScanOptions::default(), &());
    let d = result
        .derived
        .first()
        .expect("pairs among copies are derived");
    let (ta, tb) = (
        reprint::normalize::tokenize(texts[d.a as usize]),
        reprint::normalize::tokenize(texts[d.b as usize]),
    );
    let c = result.derived_comparison(d, &ta, &tb);
    assert_eq!(c.containment_a_in_b, f64::from(d.containment_a_in_b));
    assert!(!c.passages.is_empty());
    // Passages sorted, inside the texts, and most of each text.
    let covered: usize = c.passages.iter().map(|p| p.a.len()).sum();
    assert!(covered as f64 > 0.8 * texts[d.a as usize].len() as f64);
    for w in c.passages.windows(2) {
        assert!(w[0].a.end <= w[1].a.start);
    }
    assert!(c
        .passages
        .iter()
        .all(|p| p.a.end <= texts[d.a as usize].len() && p.b.end <= texts[d.b as usize].len()));
}

#[test]
fn a_threshold_loses_no_pair_that_brute_force_finds_above_it() {
    // Pages made of runs of sentences from a small shared pool: each shares passages with many
    // others, most of them a sentence or two.
    let (docs, _dir) = generate(&[
        "pool",
        "--docs",
        "240",
        "--pool-sentences",
        "300",
        "--seed",
        "4",
    ]);
    let texts: Vec<&str> = docs.iter().map(|d| d.1.as_str()).collect();
    let detector = Detector::default();
    let analyses: Vec<_> = texts
        .iter()
        .map(|t| detector.analyze_unsketched(t))
        .collect();
    let mut truth: Vec<((usize, usize), f64)> = Vec::new();
    for a in 0..texts.len() {
        for b in a + 1..texts.len() {
            let s = detector
                .compare_analyzed(&analyses[a], &analyses[b])
                .max_score();
            if s > 0.0 {
                truth.push(((a, b), s));
            }
        }
    }
    let at = |t: f64| {
        let options = ScanOptions {
            min_score: t,
            ..ScanOptions::default()
        };
        reported(&scan(&detector, &texts, &options, &()))
    };
    let full = at(0.1);
    for t in [0.1, 0.3, 0.5, 0.8] {
        let got = at(t);
        // The threshold loses nothing the default scan reports above it...
        for (pair, (x, y)) in &full {
            assert!(x.max(*y) < t || got.contains_key(pair), "at {t}: {pair:?}");
        }
        // ...nor anything brute force finds: at the default threshold, sampled keys miss the
        // odd pair sharing one sentence of exactly ten words (a verbatim run too short for its
        // fingerprint to be sure to be kept); above it, none.
        let want: Vec<_> = truth.iter().filter(|x| x.1 >= t).collect();
        assert!(want.len() > 10, "{t}: {} pairs", want.len());
        let lost: Vec<_> = want.iter().filter(|x| !got.contains_key(&x.0)).collect();
        let allowed = if t < 0.2 { want.len() / 1000 } else { 0 };
        assert!(
            lost.len() <= allowed,
            "at {t}, lost {} of {}: {lost:?}",
            lost.len(),
            want.len()
        );
    }
}

#[test]
fn the_command_lists_each_group_once_with_its_members_scores() {
    let (_docs, dir) = generate(&[
        "clusters",
        "--background",
        "100",
        "--sizes",
        "5,60",
        "--seed",
        "11",
    ]);
    let mut truth: HashMap<String, Vec<String>> = HashMap::new();
    for line in std::fs::read_to_string(truth_file(&dir, "clusters.tsv"))
        .unwrap()
        .lines()
    {
        let f: Vec<&str> = line.split('\t').collect();
        truth
            .entry(f[0].to_string())
            .or_default()
            .push(f[2].to_string());
    }
    let corpus = dir.path().join("corpus.jsonl");
    let run = |extra: &[&str]| -> Vec<serde_json::Value> {
        let out = Command::new(env!("CARGO_BIN_EXE_reprint"))
            .arg("scan")
            .arg(&corpus)
            .args(["--format", "jsonl", "--quiet"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let big = truth.values().find(|c| c.len() == 60).unwrap();
    let inside = |v: &serde_json::Value| {
        big.iter().any(|d| d == &v["a"]) && big.iter().any(|d| d == &v["b"])
    };
    // Pairs: every pair of the 60 copies, 59 of them with the representative, the rest
    // derived through it.
    let pairs = run(&[]);
    let among: Vec<&serde_json::Value> = pairs.iter().filter(|v| inside(v)).collect();
    assert_eq!(among.len(), 60 * 59 / 2);
    let derived = among.iter().filter(|v| v.get("via").is_some()).count();
    assert_eq!(derived, 60 * 59 / 2 - 59);
    assert!(among.iter().all(|v| v["verdict"] == "copy"));
    // Clusters: the pairs derived inside the group are left out, and its record scores every
    // copy against one representative.
    let records = run(&["--clusters"]);
    assert_eq!(records.iter().filter(|v| inside(v)).count(), 59);
    let cluster = records
        .iter()
        .find(|v| {
            v.get("members")
                .is_some_and(|m| m.as_array().unwrap().contains(&big[0].clone().into()))
        })
        .expect("a cluster holds the copies");
    let rep = cluster["representative"].as_str().unwrap();
    assert!(big.iter().any(|d| d == rep));
    let scored: Vec<&serde_json::Value> = cluster["scores"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| big.iter().any(|d| d == &s["id"]))
        .collect();
    assert_eq!(scored.len(), 59);
    for s in scored {
        assert_eq!(s["representative"], rep);
        assert!(
            s["containment_in_representative"].as_f64().unwrap() > 0.8,
            "{s}"
        );
        assert!(s["representative_in_member"].as_f64().unwrap() > 0.8, "{s}");
    }
}

#[test]
fn a_one_sentence_brief_carried_by_hundreds_of_sites_is_found() {
    // A handful of keys each, every one held by all 250 copies: more than `max_bucket`, and
    // too few keys to fill the sketch's bins.
    let brief = "Le conseil municipal de Lyon a voté mardi soir la rénovation complète de la \
                 piscine olympique du quartier de Gerland, fermée depuis trois ans.";
    let texts: Vec<String> = (0..250)
        .map(|i| format!("{brief}\nPublié par le site numéro {i}."))
        .collect();
    let result = scan(&Detector::default(), &texts, &ScanOptions::default(), &());
    assert_eq!(result.len(), 250 * 249 / 2, "{:?}", result.stats);
    assert_eq!(result.groups.len(), 1);
}

#[test]
fn excerpts_of_one_story_lose_few_pairs_to_groups() {
    // 400 pages, each a different window of 30% of a long story between its site's header and
    // footer: many overlap the representative of their group only in part, and what two of
    // them share outside it cannot be derived through it. They keep their own keys for it, so
    // nearly every pair is still found, aligned directly.
    let story: String = [
        "fr-election",
        "fr-drought",
        "fr-central-bank",
        "fr-court-ruling",
    ]
    .iter()
    .map(|n| {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("corpus/docs/wire/{n}.txt")),
        )
        .unwrap()
    })
    .collect::<Vec<_>>()
    .join("\n\n");
    let words: Vec<&str> = story.split(' ').collect();
    let len = words.len() * 3 / 10;
    let mut x = 7u64;
    let texts: Vec<String> = (0..400)
        .map(|i| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let start = (x >> 33) as usize % (words.len() - len);
            format!(
                "Le Journal de Ville{i}\n{}\nTous droits réservés, Ville{i}.",
                words[start..start + len].join(" ")
            )
        })
        .collect();
    let detector = Detector::default();
    let grouped = scan(&detector, &texts, &ScanOptions::default(), &());
    let each = ScanOptions {
        group: false,
        ..ScanOptions::default()
    };
    let aligned = reported(&scan(&detector, &texts, &each, &()));
    assert!(!grouped.groups.is_empty(), "{:?}", grouped.stats);
    let got = reported(&grouped);
    let lost = aligned.keys().filter(|k| !got.contains_key(k)).count();
    assert!(
        lost * 50 <= aligned.len(),
        "{lost} of {} pairs lost",
        aligned.len()
    );
}

//! The crawler's index on a story copied by more sites than `group_from`: every other copy is
//! found, as a match or as a copy of a matched representative (`Match::copies`,
//! `Index::copies_of`), at a query cost that does not grow with the cluster; and so it stays
//! when the index is reopened, compacted, or loses the representative to removal or eviction.
//! Data from `scripts/scale/gen.py clusters`.

mod common;

use common::generate;
use reprint::index::{Index, IndexOptions, Meta};
use std::collections::{BTreeSet, HashMap};
use std::process::Command;

/// Documents as (id, text), and each cluster's member ids by cluster name.
type Docs = Vec<(String, String)>;
type Clusters = HashMap<String, BTreeSet<String>>;

/// `gen.py clusters` documents in its order, and its clusters.
fn cluster_corpus(args: &[&str]) -> (Docs, Clusters) {
    let args: Vec<&str> = std::iter::once("clusters")
        .chain(args.iter().copied())
        .collect();
    let (docs, out) = generate(&args);
    let mut clusters: HashMap<String, BTreeSet<String>> = HashMap::new();
    for line in std::fs::read_to_string(out.path().join("clusters.tsv"))
        .unwrap()
        .lines()
    {
        let f: Vec<&str> = line.split('\t').collect();
        clusters
            .entry(f[0].to_string())
            .or_default()
            .insert(f[2].to_string());
    }
    (docs, clusters)
}

/// What a query of `text` finds: the matches' ids, the representatives among them, and every
/// document found either way (matches and their representatives' copies).
struct Found {
    matches: Vec<String>,
    reps: Vec<String>,
    all: BTreeSet<String>,
}

fn find(index: &Index, text: &str) -> Found {
    let ms = index.query(text).unwrap();
    let mut all: BTreeSet<String> = ms.iter().map(|m| m.id.clone()).collect();
    let mut reps = Vec::new();
    for m in ms.iter().filter(|m| m.copies > 0) {
        let copies = index.copies_of(&m.id).unwrap();
        assert_eq!(copies.len(), m.copies, "{}: copies listed vs counted", m.id);
        for c in &copies {
            assert!(
                c.containment_in_representative >= 0.8 && c.representative_in_copy >= 0.8,
                "{} filed under {} at {:.3} / {:.3}",
                c.id,
                m.id,
                c.containment_in_representative,
                c.representative_in_copy
            );
        }
        all.extend(copies.into_iter().map(|c| c.id));
        reps.push(m.id.clone());
    }
    Found {
        matches: ms.into_iter().map(|m| m.id).collect(),
        reps,
        all,
    }
}

/// Checks that querying each of `probes` finds every other live member of its cluster, and
/// only a bounded number of matches. Returns the representatives met.
fn check_recall(
    index: &Index,
    docs: &[(String, String)],
    members: &BTreeSet<String>,
    probes: &[usize],
    what: &str,
) -> BTreeSet<String> {
    let group_from = index.options().group_from;
    let live: BTreeSet<String> = members
        .iter()
        .filter(|id| index.get(id).unwrap().is_some())
        .cloned()
        .collect();
    let mut reps = BTreeSet::new();
    for &p in probes {
        let (id, text) = &docs[p];
        let found = find(index, text);
        let want: BTreeSet<&String> = live.iter().filter(|m| *m != id).collect();
        let missed: Vec<&&String> = want.iter().filter(|m| !found.all.contains(**m)).collect();
        assert!(
            missed.is_empty(),
            "{what}: {id} misses {} of the {} other copies ({:?}…)",
            missed.len(),
            want.len(),
            &missed[..missed.len().min(3)]
        );
        // The query verifies the copies filed before the group formed and its representative,
        // not the cluster: its matches do not grow with it.
        assert!(
            found.matches.len() <= 2 * group_from,
            "{what}: {id} has {} matches for {} copies",
            found.matches.len(),
            want.len()
        );
        assert!(!found.reps.is_empty(), "{what}: {id} meets no group");
        reps.extend(found.reps);
    }
    reps
}

#[test]
fn every_copy_of_a_story_copied_by_hundreds_is_found_and_stays_found() {
    let (docs, clusters) =
        cluster_corpus(&["--background", "200", "--sizes", "160", "--seed", "5"]);
    let members = &clusters["c0"];
    let at: HashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.0.as_str(), i))
        .collect();
    let probes: Vec<usize> = members.iter().step_by(23).map(|m| at[m.as_str()]).collect();
    let dir = tempfile::tempdir().unwrap();
    {
        let index = Index::open(dir.path(), IndexOptions::default()).unwrap();
        for (i, (id, text)) in docs.iter().enumerate() {
            index
                .check_and_insert(id, text, &Meta::at(1_000 + i as u64))
                .unwrap();
        }
        let s = index.stats();
        assert!(
            s.groups >= 1 && s.copies + 2 * index.options().group_from >= members.len(),
            "{} groups, {} copies",
            s.groups,
            s.copies
        );
        check_recall(&index, &docs, members, &probes, "as built");
        index.save().unwrap();
    }
    // Reopened: the copy records bring the groups back.
    let index = Index::open(dir.path(), IndexOptions::default()).unwrap();
    let reps = check_recall(&index, &docs, members, &probes, "reopened");
    // The representatives leave: their oldest copies succeed them, and no copy is lost, then or
    // after a compaction drops their records and the index is reopened.
    for r in &reps {
        assert!(index.remove(r).unwrap());
    }
    let probes: Vec<usize> = probes
        .into_iter()
        .filter(|&p| !reps.contains(&docs[p].0))
        .collect();
    let successors = check_recall(&index, &docs, members, &probes, "representatives removed");
    assert!(successors.is_disjoint(&reps));
    index.compact().unwrap();
    drop(index);
    let index = Index::open(dir.path(), IndexOptions::default()).unwrap();
    check_recall(&index, &docs, members, &probes, "compacted and reopened");
}

#[test]
fn plain_inserts_group_copies_and_eviction_keeps_the_group() {
    let (docs, clusters) = cluster_corpus(&["--background", "0", "--sizes", "150", "--seed", "8"]);
    let members = &clusters["c0"];
    // `insert` queries only a page whose keys look crowded, and groups it the same way.
    let index = Index::new(IndexOptions::default()).unwrap();
    for (id, text) in &docs {
        index.insert(id, text, &Meta::at(0)).unwrap();
    }
    assert!(index.stats().copies >= members.len() - 2 * index.options().group_from);
    check_recall(&index, &docs, members, &[0, 70, 149], "inserted");
    // Oldest first out: the first representatives go, their successors take over.
    let options = IndexOptions {
        max_docs: Some(100),
        ..IndexOptions::default()
    };
    let index = Index::new(options).unwrap();
    for (i, (id, text)) in docs.iter().enumerate() {
        index
            .check_and_insert(id, text, &Meta::at(i as u64))
            .unwrap();
    }
    assert_eq!(index.len(), 100);
    assert!(index.stats().copies > 0);
    check_recall(&index, &docs, members, &[60, 100, 149], "evicted");
    // Without groups, the story's keys are too common once 100 sites hold them: the contrast
    // this mechanism exists for.
    let plain = Index::new(IndexOptions {
        group_from: 0,
        ..IndexOptions::default()
    })
    .unwrap();
    for (id, text) in &docs {
        plain.insert(id, text, &Meta::at(0)).unwrap();
    }
    assert_eq!(plain.stats().groups, 0);
    let found = plain.query(&docs[70].1).unwrap().len();
    assert!(found < 100, "{found} copies found without groups");
}

#[test]
fn the_command_reports_a_representatives_copies_and_lists_them() {
    let (docs, clusters) = cluster_corpus(&["--background", "30", "--sizes", "60", "--seed", "2"]);
    let members = &clusters["c0"];
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("pages.jsonl");
    let lines: Vec<String> = docs
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string())
        .collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let idx = dir.path().join("idx");
    let run = |args: &[&str]| -> (String, i32) {
        let out = Command::new(env!("CARGO_BIN_EXE_reprint"))
            .args(args)
            .output()
            .unwrap();
        (
            String::from_utf8(out.stdout).unwrap(),
            out.status.code().unwrap(),
        )
    };
    let (idx_s, input_s) = (idx.to_str().unwrap(), input.to_str().unwrap());
    // One thread: two pages inserted at the same moment may each start a group.
    assert_eq!(run(&["index", "add", idx_s, input_s, "-j", "1", "-q"]).1, 0);
    let (stats, _) = run(&["index", "stats", idx_s, "--json"]);
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["groups"], 1);
    // One copy queried: its pairs, and the copies of the representative among them.
    let probe = members.iter().next_back().unwrap();
    let one = dir.path().join("one.jsonl");
    let line = lines
        .iter()
        .find(|l| l.contains(&format!("\"{probe}\"")))
        .unwrap();
    std::fs::write(&one, format!("{line}\n")).unwrap();
    let (pairs, code) = run(&[
        "index",
        "query",
        idx_s,
        one.to_str().unwrap(),
        "--format",
        "jsonl",
        "-q",
    ]);
    assert_eq!(code, 0);
    let pairs: Vec<serde_json::Value> = pairs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let reps: Vec<&str> = pairs
        .iter()
        .filter(|p| p.get("b_copies").is_some())
        .map(|p| p["b"].as_str().unwrap())
        .collect();
    assert_eq!(reps.len(), 1, "{pairs:?}");
    let mut found: BTreeSet<String> = pairs
        .iter()
        .map(|p| p["b"].as_str().unwrap().to_string())
        .collect();
    let (copies, code) = run(&["index", "copies", idx_s, reps[0], "--format", "jsonl"]);
    assert_eq!(code, 0);
    let copies: Vec<serde_json::Value> = copies
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let b_copies = pairs.iter().find(|p| p["b"] == reps[0]).unwrap()["b_copies"].as_u64();
    assert_eq!(b_copies, Some(copies.len() as u64));
    for c in &copies {
        assert_eq!(c["representative"], reps[0]);
        found.insert(c["id"].as_str().unwrap().to_string());
    }
    found.remove(probe);
    let others: BTreeSet<String> = members.iter().filter(|m| *m != probe).cloned().collect();
    assert!(
        others.is_subset(&found),
        "missing {:?}",
        others.difference(&found).collect::<Vec<_>>()
    );
    // The CSV has the count as its last column; an unknown id is reported, exit code 3.
    let (csv, _) = run(&[
        "index",
        "query",
        idx_s,
        one.to_str().unwrap(),
        "--format",
        "csv",
        "-q",
    ]);
    assert!(csv.lines().next().unwrap().ends_with(",b_copies"));
    assert_eq!(run(&["index", "copies", idx_s, "no-such-page"]).1, 3);
}

#[test]
fn copies_inserted_and_representatives_removed_from_several_threads_stay_found() {
    let (docs, clusters) = cluster_corpus(&["--background", "40", "--sizes", "120", "--seed", "6"]);
    let members = &clusters["c0"];
    let index = Index::new(IndexOptions::default()).unwrap();
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..4 {
            let (index, docs, next) = (&index, &docs, &next);
            s.spawn(move || loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((id, text)) = docs.get(i) else { break };
                if t % 2 == 0 {
                    index
                        .check_and_insert(id, text, &Meta::at(i as u64))
                        .unwrap();
                } else {
                    index.insert(id, text, &Meta::at(i as u64)).unwrap();
                }
                // Now and then, a representative leaves while copies arrive.
                if i % 37 == 36 {
                    for m in index.query(text).unwrap() {
                        if m.copies > 0 {
                            index.remove(&m.id).unwrap();
                        }
                    }
                }
            });
        }
    });
    assert!(index.stats().copies > 0);
    let at: HashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.0.as_str(), i))
        .collect();
    let probes: Vec<usize> = members
        .iter()
        .filter(|m| index.get(m).unwrap().is_some())
        .step_by(29)
        .map(|m| at[m.as_str()])
        .collect();
    check_recall(&index, &docs, members, &probes, "four threads");
}

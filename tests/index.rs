//! The crawler's index (`reprint::index`): the same copies as `scan`, the same answers from 8
//! threads as from one, and files that survive crashes and damage.

use reprint::index::{Index, IndexOptions, Match, Meta};
use reprint::input::{load, Document};
use reprint::scan::{scan, ScanOptions};
use reprint::{Detector, Error};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn corpus() -> Vec<Document> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
    let loaded = load(&[root]);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded.documents
}

/// Scores of a match, for exact comparisons.
fn key(m: &Match) -> (String, u64, u64, u64, usize) {
    (
        m.id.clone(),
        m.comparison.resemblance.to_bits(),
        m.comparison.containment_a_in_b.to_bits(),
        m.comparison.containment_b_in_a.to_bits(),
        m.comparison.passages.len(),
    )
}

#[test]
fn index_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Index>();
}

/// Every pair `scan` reports on the corpus is found by querying one document against an index of
/// the others, with the same scores: the index loses no copy that scan finds. (Pairs scan finds
/// only through a third document, a whole copy of one of the two, are left out: the index
/// compares a page with each indexed document on its own.)
#[test]
fn finds_what_scan_finds_on_the_corpus() {
    let docs = corpus();
    let detector = Detector::default();
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let options = ScanOptions {
        bridge: false,
        ..ScanOptions::default()
    };
    let scanned = scan(&detector, &texts, &options, &());
    assert!(scanned.pairs.len() > 50, "the corpus has copies");

    let index = Index::new(IndexOptions::default()).unwrap();
    for d in &docs {
        index.insert(&d.id, &d.text, &Meta::at(0)).unwrap();
    }
    assert_eq!(index.len(), docs.len());
    let mut found = 0;
    let mut missed = Vec::new();
    for p in &scanned.pairs {
        let (a, b) = (&docs[p.a], &docs[p.b]);
        let matches = index.query(&a.text).unwrap();
        match matches.iter().find(|m| m.id == b.id) {
            Some(m) => {
                found += 1;
                assert_eq!(
                    m.comparison.resemblance, p.comparison.resemblance,
                    "{} / {}",
                    a.id, b.id
                );
                assert_eq!(
                    m.comparison.containment_a_in_b,
                    p.comparison.containment_a_in_b
                );
                assert_eq!(
                    m.comparison.containment_b_in_a,
                    p.comparison.containment_b_in_a
                );
                assert_eq!(m.comparison.passages, p.comparison.passages);
            }
            None => missed.push(format!("{} / {}", a.id, b.id)),
        }
    }
    assert!(missed.is_empty(), "{found} found, missed: {missed:#?}");
}

/// A page carrying 30% of an indexed article inside other text is found, with its containment.
/// A threshold above the default returns exactly the matches of the default query that reach
/// it: the profile bound that settles the others before alignment is exact.
#[test]
fn a_high_threshold_returns_the_default_matches_above_it() {
    let docs = corpus();
    let default = Index::new(IndexOptions::default()).unwrap();
    for d in &docs {
        default.insert(&d.id, &d.text, &Meta::at(0)).unwrap();
    }
    for t in [0.3, 0.8] {
        let high = Index::new(IndexOptions {
            min_score: t,
            ..IndexOptions::default()
        })
        .unwrap();
        for d in &docs {
            high.insert(&d.id, &d.text, &Meta::at(0)).unwrap();
        }
        let mut kept = 0;
        for d in &docs {
            let want: Vec<_> = default
                .query(&d.text)
                .unwrap()
                .iter()
                .filter(|m| m.comparison.reaches(t) && m.id != d.id)
                .map(key)
                .collect();
            let got: Vec<_> = high
                .query(&d.text)
                .unwrap()
                .iter()
                .filter(|m| m.id != d.id)
                .map(key)
                .collect();
            assert_eq!(got, want, "{} at {t}", d.id);
            kept += got.len();
        }
        assert!(kept > 0, "some pairs of the corpus reach {t}");
    }
}

#[test]
fn finds_a_partial_copy_with_its_containment() {
    let docs = corpus();
    let wire = docs
        .iter()
        .find(|d| d.id == "wire/fr-bridge-collapse.txt")
        .expect("the corpus has the bridge story");
    let others: Vec<&Document> = docs
        .iter()
        .filter(|d| d.id.starts_with("other/"))
        .take(3)
        .collect();
    // The first 30% of the wire story, in whole sentences, between unrelated articles.
    let cut = wire.text[..wire.text.len() * 3 / 10]
        .rfind(". ")
        .map_or(wire.text.len() * 3 / 10, |i| i + 1);
    let page = format!(
        "{}\n\n{}\n\n{}\n\n{}",
        others[0].text,
        &wire.text[..cut],
        others[1].text,
        others[2].text
    );
    let index = Index::new(IndexOptions::default()).unwrap();
    for d in &docs {
        if !d.id.starts_with("copies/") {
            index.insert(&d.id, &d.text, &Meta::default()).unwrap();
        }
    }
    let found = index.query(&page).unwrap();
    let m = found
        .iter()
        .find(|m| m.id == wire.id)
        .expect("the wire story is found");
    let direct = reprint::compare(&page, &wire.text);
    assert_eq!(m.comparison.containment_b_in_a, direct.containment_b_in_a);
    assert!(
        (0.2..0.4).contains(&m.comparison.containment_b_in_a),
        "about 30% of the wire story is in the page: {}",
        m.comparison.containment_b_in_a
    );
    assert!(m.comparison.containment_a_in_b < 0.3);
    // The passages point into the page and into the stored story.
    let stored = index.get(&wire.id).unwrap().unwrap();
    assert_eq!(stored.text, wire.text);
    for p in &m.comparison.passages {
        assert!(page[p.a.clone()].len() > 20);
        assert!(stored.text[p.b.clone()].len() > 20);
    }
}

#[test]
fn check_and_insert_replace_remove_and_get() {
    let docs = corpus();
    let wire = docs
        .iter()
        .find(|d| d.id == "wire/fr-bridge-collapse.txt")
        .unwrap();
    let index = Index::new(IndexOptions::default()).unwrap();
    assert!(index
        .check_and_insert("w", &wire.text, &Meta::at(10))
        .unwrap()
        .is_empty());
    // The same page again under its own id: replaced, not reported as a copy of itself.
    assert!(index
        .check_and_insert("w", &wire.text, &Meta::at(11))
        .unwrap()
        .is_empty());
    assert_eq!(index.len(), 1);
    assert_eq!(index.get("w").unwrap().unwrap().time, 11);
    let meta = Meta {
        time: Some(12),
        data: "https://example.org/a".into(),
    };
    let found = index.check_and_insert("copy", &wire.text, &meta).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].id.as_str(), found[0].time), ("w", 11));
    assert_eq!(found[0].comparison.containment_b_in_a, 1.0);
    assert_eq!(index.query(&wire.text).unwrap().len(), 2);
    assert_eq!(
        index.get("copy").unwrap().unwrap().data,
        "https://example.org/a"
    );
    assert!(index.remove("w").unwrap());
    assert!(!index.remove("w").unwrap());
    assert_eq!(index.get("w").unwrap(), None);
    let found = index.query(&wire.text).unwrap();
    assert_eq!(
        found.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        ["copy"]
    );
    assert_eq!(index.len(), 1);
    // Wordless and empty texts match nothing and can be stored.
    assert!(index
        .check_and_insert("empty", "", &Meta::default())
        .unwrap()
        .is_empty());
    assert!(index.query("  ... !!").unwrap().is_empty());
    assert_eq!(index.len(), 2);
    index.compact().unwrap();
    assert_eq!(index.query(&wire.text).unwrap().len(), 1);
}

#[test]
fn eviction_by_count_and_by_age() {
    let docs = corpus();
    let wire = docs
        .iter()
        .find(|d| d.id == "wire/fr-bridge-collapse.txt")
        .unwrap();
    let index = Index::new(IndexOptions {
        max_docs: Some(3),
        ..IndexOptions::default()
    })
    .unwrap();
    for i in 0..5u64 {
        index
            .insert(&format!("d{i}"), &wire.text, &Meta::at(i))
            .unwrap();
    }
    assert_eq!(index.len(), 3);
    let ids: BTreeSet<String> = index
        .query(&wire.text)
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, ["d2", "d3", "d4"].map(String::from).into());

    let index = Index::new(IndexOptions {
        max_age: Some(100),
        ..IndexOptions::default()
    })
    .unwrap();
    for (i, t) in [0u64, 50, 120, 160, 300].iter().enumerate() {
        index
            .insert(&format!("d{i}"), &wire.text, &Meta::at(*t))
            .unwrap();
    }
    // Newest is 300: everything older than 200 is gone.
    let ids: BTreeSet<String> = index
        .query(&wire.text)
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, ["d4"].map(String::from).into());
}

/// `n` documents: two thirds of random words drawn from the corpus's vocabulary, one third
/// copies of earlier ones (whole with a few words changed, or a run of words inside new text),
/// so that queries have a few true copies and few chance candidates.
fn synthetic(n: usize) -> Vec<(String, String)> {
    let docs = corpus();
    let mut vocab: Vec<&str> = docs
        .iter()
        .flat_map(|d| d.text.split_whitespace())
        .filter(|w| w.chars().all(char::is_alphabetic))
        .collect();
    vocab.sort_unstable();
    vocab.dedup();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |m: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as usize % m
    };
    let mut out: Vec<Vec<&str>> = Vec::with_capacity(n);
    for i in 0..n {
        let words = if i % 3 == 2 {
            let src = out[next(i)].clone();
            if next(2) == 0 {
                let mut w = src;
                for _ in 0..w.len() / 10 {
                    let at = next(w.len());
                    w[at] = vocab[next(vocab.len())];
                }
                w
            } else {
                let len = 20 + next(src.len() - 19);
                let at = next(src.len() - len + 1);
                let (before, after) = (20 + next(60), next(60));
                let mut w: Vec<&str> = (0..before).map(|_| vocab[next(vocab.len())]).collect();
                w.extend_from_slice(&src[at..at + len]);
                w.extend((0..after).map(|_| vocab[next(vocab.len())]));
                w
            }
        } else {
            let len = 40 + next(120);
            (0..len).map(|_| vocab[next(vocab.len())]).collect()
        };
        out.push(words);
    }
    out.into_iter()
        .enumerate()
        .map(|(i, w)| (format!("s{i:05}"), w.join(" ")))
        .collect()
}

type Results = BTreeMap<String, Vec<(String, u64, u64, u64, usize)>>;

fn query_all(index: &Index, docs: &[(String, String)], threads: usize) -> Results {
    let out = std::sync::Mutex::new(Results::new());
    std::thread::scope(|s| {
        for t in 0..threads {
            let out = &out;
            s.spawn(move || {
                for (id, text) in docs.iter().skip(t).step_by(threads) {
                    let r: Vec<_> = index.query(text).unwrap().iter().map(key).collect();
                    out.lock().unwrap().insert(id.clone(), r);
                }
            });
        }
    });
    out.into_inner().unwrap()
}

/// When more documents pass than a query verifies, which ones it verifies does not depend on the
/// order they were inserted in: ties go by id.
#[test]
fn the_candidates_kept_do_not_depend_on_insertion_order() {
    let text = &corpus()[0].text;
    let options = IndexOptions {
        max_candidates: 3,
        ..IndexOptions::default()
    };
    let ids: Vec<String> = (0..8).map(|i| format!("copy-{i}")).collect();
    let found = |order: &mut dyn Iterator<Item = &String>| {
        let index = Index::new(options.clone()).unwrap();
        for id in order {
            // The same text under every id: every copy shares every key with the query.
            index.insert(id, text, &Meta::at(0)).unwrap();
        }
        let mut got: Vec<String> = index
            .query(text)
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
        got.sort();
        got
    };
    let forward = found(&mut ids.iter());
    assert_eq!(forward.len(), 3, "{forward:?}");
    assert_eq!(forward, found(&mut ids.iter().rev()));
    assert_eq!(forward, found(&mut ids.iter().skip(4).chain(&ids[..4])));
}

/// 8 threads inserting and querying at once give exactly what one thread gives.
#[test]
fn eight_threads_equal_one() {
    let docs = synthetic(3000);
    // Every candidate verified: with the default cap, which 64 candidates a query verifies while
    // documents are still arriving depends on which have arrived.
    let options = IndexOptions {
        max_candidates: usize::MAX,
        ..IndexOptions::default()
    };
    let (first, second) = docs.split_at(1000);
    // One thread: an index of the first third, then of everything.
    let one = Index::new(options.clone()).unwrap();
    for (id, text) in first {
        one.insert(id, text, &Meta::at(0)).unwrap();
    }
    let expected_first = query_all(&one, first, 1);
    for (id, text) in second {
        one.insert(id, text, &Meta::at(0)).unwrap();
    }
    let expected = query_all(&one, &docs, 1);
    assert!(
        expected.values().filter(|r| r.len() > 1).count() > 1000,
        "the synthetic documents share passages"
    );

    let many = Index::new(options).unwrap();
    std::thread::scope(|s| {
        for t in 0..8 {
            let many = &many;
            s.spawn(move || {
                for (id, text) in first.iter().skip(t).step_by(8) {
                    many.insert(id, text, &Meta::at(0)).unwrap();
                }
            });
        }
    });
    assert_eq!(query_all(&many, first, 8), expected_first);
    // Inserts of the rest and queries of the first third at the same time: every answer lies
    // between what the first third alone and what everything gives.
    let during = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for t in 0..4 {
            let many = &many;
            s.spawn(move || {
                for (id, text) in second.iter().skip(t).step_by(4) {
                    many.insert(id, text, &Meta::at(0)).unwrap();
                }
            });
        }
        for t in 0..4 {
            let (many, during) = (&many, &during);
            s.spawn(move || {
                for (id, text) in first.iter().skip(t).step_by(4) {
                    let r: Vec<_> = many.query(text).unwrap().iter().map(key).collect();
                    during.lock().unwrap().push((id.clone(), r));
                }
            });
        }
    });
    for (id, got) in during.into_inner().unwrap() {
        for m in &expected_first[&id] {
            assert!(got.contains(m), "{id}: {m:?} missing while inserting");
        }
        for m in &got {
            assert!(
                expected[&id].contains(m),
                "{id}: {m:?} is not in the final answer"
            );
        }
    }
    assert_eq!(many.len(), docs.len());
    assert_eq!(query_all(&many, &docs, 8), expected);
}

fn small_docs() -> Vec<(String, String)> {
    synthetic(12)
        .into_iter()
        .map(|(id, t)| (id, t.chars().take(300).collect()))
        .collect()
}

fn ids_of(index: &Index, docs: &[(String, String)]) -> BTreeSet<String> {
    docs.iter()
        .filter(|(id, _)| index.get(id).unwrap().is_some())
        .map(|(id, _)| id.clone())
        .collect()
}

/// Saves, reopens, and gives the same answers; settings that change what is stored are refused.
#[test]
fn persists_across_reopen_and_compaction() {
    let dir = tempfile::tempdir().unwrap();
    let docs = synthetic(300);
    let expected;
    {
        let index = Index::open(dir.path(), IndexOptions::default()).unwrap();
        for (id, text) in &docs {
            index.insert(id, text, &Meta::at(7)).unwrap();
        }
        for (id, _) in docs.iter().step_by(3) {
            index.remove(id).unwrap();
        }
        index.insert("s00000", &docs[0].1, &Meta::at(8)).unwrap();
        expected = query_all(&index, &docs, 2);
        index.save().unwrap();
    }
    let index = Index::open(dir.path(), IndexOptions::default()).unwrap();
    assert_eq!(index.len(), 300 - 100 + 1);
    assert_eq!(index.get("s00000").unwrap().unwrap().time, 8);
    assert_eq!(query_all(&index, &docs, 2), expected);
    let before = index.stats();
    assert!(before.dead_disk_bytes > 0);
    index.compact().unwrap();
    let after = index.stats();
    assert_eq!(after.dead_disk_bytes, 0);
    assert!(after.disk_bytes < before.disk_bytes);
    assert_eq!(query_all(&index, &docs, 2), expected);
    index.insert("late", &docs[1].1, &Meta::at(9)).unwrap();
    index.save().unwrap();
    drop(index);
    let index = Index::open(dir.path(), IndexOptions::default()).unwrap();
    assert_eq!(index.len(), 300 - 100 + 2);
    let late = index.query(&docs[1].1).unwrap();
    assert!(late.iter().any(|m| m.id == "late"));
    drop(index);

    let other = IndexOptions {
        sample_rate: 8,
        ..IndexOptions::default()
    };
    let err = Index::open(dir.path(), other)
        .err()
        .expect("other settings are refused");
    assert!(matches!(err, Error::InvalidParameter { .. }), "{err}");
    // A directory that is not an index is refused, not overwritten.
    let junk = tempfile::tempdir().unwrap();
    std::fs::write(junk.path().join("notes.txt"), "mine").unwrap();
    let err = Index::open(junk.path(), IndexOptions::default())
        .err()
        .unwrap();
    assert!(err.to_string().contains("MANIFEST"), "{err}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// Builds an index with `saved` documents saved and `unsaved` appended after the save.
fn saved_index(dir: &Path) -> (Vec<(String, String)>, BTreeSet<String>) {
    let docs = small_docs();
    let index = Index::open(dir, IndexOptions::default()).unwrap();
    for (id, text) in &docs[..8] {
        index.insert(id, text, &Meta::at(1)).unwrap();
    }
    index.remove(&docs[0].0).unwrap();
    index.save().unwrap();
    let saved = ids_of(&index, &docs);
    for (id, text) in &docs[8..] {
        index.insert(id, text, &Meta::at(2)).unwrap();
    }
    (docs, saved)
}

/// Opening after damage: everything saved is there, or the error names the damaged file.
fn check_open(
    dir: &Path,
    damaged: &Path,
    docs: &[(String, String)],
    saved: &BTreeSet<String>,
    what: &str,
) {
    match Index::open(dir, IndexOptions::default()) {
        Ok(index) => {
            let have = ids_of(&index, docs);
            assert!(have.is_superset(saved), "{what}: lost saved documents");
            assert!(
                have.len() <= saved.len() + 4,
                "{what}: documents from nowhere"
            );
        }
        Err(e) => {
            let name = damaged.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                matches!(e, Error::CorruptIndex { .. }),
                "{what}: not a corruption error: {e}"
            );
            assert!(
                e.to_string().contains(&name),
                "{what}: {e} does not name {name}"
            );
        }
    }
}

/// A crash at any moment of a write is a file cut at any offset: the index opens with
/// everything saved, or fails with an error naming the file. So does any damaged byte.
#[test]
fn survives_truncation_and_damage_at_every_offset() {
    let base = tempfile::tempdir().unwrap();
    let clean = base.path().join("clean");
    let (docs, saved) = saved_index(&clean);
    assert_eq!(saved.len(), 7);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&clean)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    // The manifest and the two logs with the most data.
    let mut logs: Vec<_> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rpl"))
        .collect();
    logs.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).unwrap().len()));
    let targets = [clean.join("MANIFEST"), logs[0].clone(), logs[1].clone()];
    let mut opened = 0;
    for (n, target) in targets.iter().enumerate() {
        let bytes = std::fs::read(target).unwrap();
        let name = target.file_name().unwrap();
        let step = 1 + bytes.len() / 600; // keep the test quick on long files
        for cut in (0..bytes.len()).step_by(step) {
            for damage in [false, true] {
                let dir = base.path().join(format!("t{n}-{cut}-{damage}"));
                copy_dir(&clean, &dir);
                let mut b = bytes.clone();
                if damage {
                    b[cut] ^= 0x5A;
                } else {
                    b.truncate(cut);
                }
                std::fs::write(dir.join(name), &b).unwrap();
                check_open(
                    &dir,
                    &dir.join(name),
                    &docs,
                    &saved,
                    &format!("{name:?} cut={cut} damage={damage}"),
                );
                opened += 1;
                std::fs::remove_dir_all(&dir).unwrap();
            }
        }
    }
    assert!(opened > 500);
    // The undamaged copy opens with every document, the unsaved ones included.
    let index = Index::open(&clean, IndexOptions::default()).unwrap();
    assert_eq!(index.len(), 7 + 4);
}

#[test]
fn an_index_written_in_format_2_opens_and_takes_new_records() {
    // Written by reprint at 948f35b (`reprint index add` of corpus/docs/wire and seeds), before
    // copy records (format 3) existed.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/index-format-2");
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&fixture).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let options = Index::stored_options(dir.path())
        .unwrap()
        .expect("a stored index");
    let index = Index::open(dir.path(), options.clone()).unwrap();
    assert_eq!(index.len(), 17);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
    let mt = std::fs::read_to_string(root.join("seeds/syndicated-mt-albania-iran.txt")).unwrap();
    let found = index.query(&mt).unwrap();
    let afp = "corpus/docs/seeds/afp-2022-09-albania-iran.txt";
    let m = found
        .iter()
        .find(|m| m.id == afp)
        .expect("the AFP dispatch");
    assert_eq!(
        m.comparison,
        reprint::Detector::new(options.detector.clone())
            .unwrap()
            .compare(&mt, &index.get(afp).unwrap().unwrap().text)
    );
    index
        .check_and_insert("page", &format!("Accueil\n{mt}"), &Meta::at(5))
        .unwrap();
    index.save().unwrap();
    drop(index);
    let again = Index::open(dir.path(), options).unwrap();
    assert_eq!(again.len(), 18);
    assert!(again.get("page").unwrap().is_some());
}

//! `reprint dedup` and `reprint::dedup` (issue 25): clusters that do not chain, precision 1.0 and
//! recall against brute-force exact Jaccard on a generated corpus, determinism across thread
//! counts, the output formats, and bad input reported and skipped.

use reprint::dedup::{dedup, ClusterPolicy, DedupOptions, KeepOrder, Relation};
use reprint::shingle;
use reprint::sketch::{SketchOptions, Sketcher};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn reprint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reprint"))
        .args(args)
        .output()
        .expect("reprint runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

/// Exact word 5-gram sets, as dedup computes them.
fn sets(texts: &[String]) -> Vec<Vec<u64>> {
    let s = Sketcher::new(SketchOptions::default()).unwrap();
    let mut word = String::new();
    texts
        .iter()
        .map(|t| {
            let mut set = Vec::new();
            s.shingle_set_into(t, &mut word, &mut set);
            set
        })
        .collect()
}

fn exact(a: &[u64], b: &[u64]) -> f64 {
    shingle::jaccard(a, b).unwrap_or(0.0)
}

/// The wire stories of `corpus/docs/wire`, one after the other: real text, about 4,000 words.
fn wire_words() -> Vec<String> {
    let dir = root().join("corpus/docs/wire");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .flat_map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A ~ B and B ~ C but A ≁ C: three overlapping windows of real text.
fn chain() -> Vec<String> {
    let w = wire_words();
    assert!(w.len() > 400, "{} words", w.len());
    let window = |from: usize| w[from..from + 300].join(" ");
    vec![window(0), window(30), window(60)]
}

#[test]
fn a_chain_does_not_make_one_cluster() {
    let texts = chain();
    let s = sets(&texts);
    let t = 0.8;
    assert!(exact(&s[0], &s[1]) >= t, "{}", exact(&s[0], &s[1]));
    assert!(exact(&s[1], &s[2]) >= t, "{}", exact(&s[1], &s[2]));
    assert!(exact(&s[0], &s[2]) < t, "{}", exact(&s[0], &s[2]));

    let options = DedupOptions {
        keep: KeepOrder::First,
        ..DedupOptions::default()
    };
    let d = dedup(&texts, &options).unwrap();
    // A is kept, B joins it, C is not pulled in through B.
    assert!(d.keep(0));
    assert_eq!(d.members[1].representative, 0);
    assert_eq!(d.members[1].similarity, exact(&s[0], &s[1]));
    assert!(
        d.keep(2),
        "C is not a near-duplicate of A: {:?}",
        d.members[2]
    );
    assert_eq!(d.stats.below_threshold, 0);

    // Connected components chain it, and say so.
    let comp = dedup(
        &texts,
        &DedupOptions {
            clusters: ClusterPolicy::Components,
            ..options
        },
    )
    .unwrap();
    assert_eq!(comp.members[2].representative, 0);
    assert_eq!(comp.members[2].similarity, exact(&s[0], &s[2]));
    assert_eq!(comp.stats.below_threshold, 1);
}

#[test]
fn the_cli_does_not_chain_either() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in ["a.txt", "b.txt", "c.txt"].iter().zip(chain()) {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let path = dir.path().to_str().unwrap();
    let o = reprint(&["dedup", "--keep", "first", "-q", path]);
    assert_eq!(o.status.code(), Some(0));
    let records: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{}", stdout(&o));
    assert_eq!(records[0]["id"], "a.txt");
    assert_eq!(records[0]["keep"], true);
    assert_eq!(records[0]["similarity"], 1.0);
    assert_eq!(records[1]["id"], "b.txt");
    assert_eq!(records[1]["cluster"], "a.txt");
    assert_eq!(records[1]["keep"], false);
    assert!(records[1]["similarity"].as_f64().unwrap() >= 0.8);
    let o = reprint(&["dedup", "--keep", "first", "--format", "ids", "-q", path]);
    assert_eq!(stdout(&o), "a.txt\nc.txt\n");
    let o = reprint(&["dedup", "--keep", "first", "--clusters", "components", path]);
    assert_eq!(stdout(&o).lines().count(), 3);
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 members are below 0.8"));
}

/// A small instance of the peers' corpus (near-duplicates injected by `scripts/peers/gen.py`).
fn generated(dir: &Path) -> (PathBuf, Vec<String>) {
    let status = Command::new("python3")
        .arg(root().join("scripts/peers/gen.py"))
        .args(["--docs", "400", "--seed", "3", "--work"])
        .arg(dir)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs scripts/peers/gen.py");
    assert!(status.success());
    let path = dir.join("corpus-400-3.jsonl");
    let texts = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["text"].as_str().unwrap().to_owned()
        })
        .collect();
    (path, texts)
}

#[test]
fn precision_and_recall_against_brute_force() {
    let dir = tempfile::tempdir().unwrap();
    let (_, texts) = generated(dir.path());
    let s = sets(&texts);
    let t = 0.8;
    let mut truth = Vec::new();
    for a in 0..s.len() {
        for b in a + 1..s.len() {
            if exact(&s[a], &s[b]) >= t {
                truth.push((a, b));
            }
        }
    }
    assert!(truth.len() >= 40, "the generator injects near-duplicates");

    // Every near-duplicate pair is verified (components see every pair), none that is not.
    let comp = dedup(
        &texts,
        &DedupOptions {
            clusters: ClusterPolicy::Components,
            ..DedupOptions::default()
        },
    )
    .unwrap();
    let found = truth
        .iter()
        .filter(|&&(a, b)| comp.members[a].representative == comp.members[b].representative)
        .count();
    assert!(
        found as f64 >= 0.99 * truth.len() as f64,
        "{found} of {}",
        truth.len()
    );
    assert!(comp.stats.near_duplicates <= truth.len());
    assert!(comp.stats.near_duplicates as f64 >= 0.99 * truth.len() as f64);

    // Representatives: every drop is exact and at the threshold; hardly any two kept
    // documents are near-duplicates of each other (only through an LSH miss).
    let rep = dedup(&texts, &DedupOptions::default()).unwrap();
    let mut dropped = 0;
    for (i, m) in rep.members.iter().enumerate() {
        if m.representative != i {
            dropped += 1;
            assert!(rep.keep(m.representative));
            assert_eq!(m.relation, Relation::Jaccard);
            assert_eq!(m.similarity, exact(&s[i], &s[m.representative]));
            assert!(m.similarity >= t);
            // Longest first: the kept document has at least as many n-grams.
            assert!(s[m.representative].len() >= s[i].len());
        }
    }
    assert!(dropped > 0);
    let kept_pairs = truth
        .iter()
        .filter(|&&(a, b)| rep.keep(a) && rep.keep(b))
        .count();
    assert!(
        kept_pairs as f64 <= 0.01 * truth.len() as f64,
        "{kept_pairs}"
    );
}

#[test]
fn output_is_the_same_on_one_thread_and_two() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = generated(dir.path());
    let path = path.to_str().unwrap();
    for extra in [&[][..], &["--containment"], &["--format", "csv"]] {
        let run = |j: &str| {
            let mut args = vec!["dedup", "-q", "-j", j, path];
            args.extend_from_slice(extra);
            let o = reprint(&args);
            assert_eq!(o.status.code(), Some(0), "{extra:?}");
            stdout(&o)
        };
        let one = run("1");
        assert!(one.lines().count() > 40, "{extra:?}");
        assert_eq!(one, run("2"), "{extra:?}");
    }
}

#[test]
fn formats_agree_with_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let (path, texts) = generated(dir.path());
    let path = path.to_str().unwrap();
    let jsonl = stdout(&reprint(&["dedup", "-q", path]));
    let records: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let csv = stdout(&reprint(&["dedup", "-q", "--format", "csv", path]));
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("id,cluster,keep,similarity"));
    for (line, r) in lines.zip(&records) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f[0], r["id"]);
        assert_eq!(f[1], r["cluster"]);
        assert_eq!(f[2], r["keep"].to_string());
        // serde_json's reading of floats may be one ulp off: the text is what is compared.
        let json_sim = r["similarity"].as_f64().unwrap();
        assert!(
            (f[3].parse::<f64>().unwrap() - json_sim).abs() < 1e-12,
            "{line}"
        );
    }
    let ids = stdout(&reprint(&["dedup", "-q", "--format", "ids", path]));
    let dropped = records.iter().filter(|r| r["keep"] == false).count();
    assert_eq!(ids.lines().count(), texts.len() - dropped);
    for r in &records {
        let kept = ids.lines().any(|id| id == r["id"]);
        assert_eq!(kept, r["keep"] == true, "{r}");
        assert!(ids.lines().any(|id| id == r["cluster"]));
    }

    // --explain: the passages a dropped document shares with the kept one, quoted from it.
    let explained = stdout(&reprint(&["dedup", "-q", "--explain", path]));
    let by_id: std::collections::HashMap<String, String> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().into(),
                v["text"].as_str().unwrap().into(),
            )
        })
        .collect();
    for line in explained.lines() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        if r["keep"] == true {
            assert!(r.get("passages").is_none());
            continue;
        }
        let passages = r["passages"].as_array().unwrap();
        assert!(!passages.is_empty(), "{r}");
        let text = &by_id[r["id"].as_str().unwrap()];
        for p in passages {
            let (s, e) = (
                p["dropped"][0].as_u64().unwrap(),
                p["dropped"][1].as_u64().unwrap(),
            );
            assert_eq!(&text[s as usize..e as usize], p["text"].as_str().unwrap());
        }
    }
    let o = reprint(&["dedup", "--explain", "--format", "ids", path]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bad_files_are_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let texts = chain();
    std::fs::write(dir.path().join("a.txt"), &texts[0]).unwrap();
    std::fs::write(dir.path().join("b.txt"), &texts[1]).unwrap();
    std::fs::write(dir.path().join("binary.txt"), b"abc\0def").unwrap();
    let mut latin1 = texts[0].clone().into_bytes();
    latin1.extend_from_slice(b" caf\xe9");
    std::fs::write(dir.path().join("latin1.txt"), latin1).unwrap();
    std::fs::write(dir.path().join("docs.jsonl"), "{\"id\": 1}\nnot json\n").unwrap();
    let o = reprint(&[
        "dedup",
        "-q",
        "--keep",
        "first",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    for named in ["binary.txt", "latin1.txt", "docs.jsonl:1", "docs.jsonl:2"] {
        assert!(err.contains(named), "{named}: {err}");
    }
    // The lossily decoded file is still used: a near-duplicate of a.txt.
    let out = stdout(&o);
    assert!(
        out.contains("\"id\":\"latin1.txt\",\"cluster\":\"a.txt\""),
        "{out}"
    );
    assert!(
        out.contains("\"id\":\"b.txt\",\"cluster\":\"a.txt\""),
        "{out}"
    );
    assert!(!out.contains("binary.txt"));
}

#[test]
fn an_output_that_cannot_be_written_is_said_once_before_the_work() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("no-such-dir").join("kept.txt");
    let docs = root().join("corpus/docs");
    let o = reprint(&[
        "dedup",
        "-q",
        "--output",
        out.to_str().unwrap(),
        docs.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    // The file asked for, not the temporary one beside it, and its cause once.
    assert!(
        err.starts_with(&format!("reprint: error: {}: ", out.display())),
        "{err}"
    );
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    assert!(o.stdout.is_empty());
}

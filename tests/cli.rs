//! End-to-end tests of the `reprint` binary: real files in, printed output and exit codes checked.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn reprint() -> Command {
    Command::new(env!("CARGO_BIN_EXE_reprint"))
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn run(args: &[&str]) -> Output {
    reprint().args(args).output().expect("reprint runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("output is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn jsonl(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The canonical example: an AFP dispatch and a machine-translated syndication of the same wire
/// story share about a third of the AFP text in other words (issue 3).
#[test]
fn compare_finds_the_seed_passages() {
    let seeds = corpus().join("docs/seeds");
    let afp = seeds.join("afp-2022-09-albania-iran.txt");
    let mt = seeds.join("syndicated-mt-albania-iran.txt");
    let o = run(&[
        "compare",
        afp.to_str().unwrap(),
        mt.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    let c = v["containment_a_in_b"].as_f64().unwrap();
    assert!((0.25..=0.50).contains(&c), "containment_a_in_b = {c}");
    // A third of the dispatch, rendered again: a partial copy. The republishing page credits
    // "Avec Reuters et AFP", but a credit line alone does not name the source.
    assert_eq!(v["verdict"], "partial");
    assert_eq!(v["origin"], "unknown", "{}", v["origin_reason"]);
    assert_eq!(v["a_wire"]["cues"].as_array().unwrap().len(), 0);
    assert_eq!(
        v["b_wire"]["agencies"],
        serde_json::json!(["AFP", "Reuters"])
    );
    let cue = &v["b_wire"]["cues"][0];
    let mt_bytes = std::fs::read_to_string(&mt).unwrap();
    let (s, e) = (
        cue["start"].as_u64().unwrap() as usize,
        cue["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&mt_bytes[s..e], "Avec Reuters et AFP");
    let afp_text = std::fs::read_to_string(&afp).unwrap();
    let mt_text = std::fs::read_to_string(&mt).unwrap();
    let passages = v["passages"].as_array().unwrap();
    for needle in [
        "condamnent sévèrement",
        "crée un précédent inquiétant",
        "règles qui gouvernent le comportement d'un Etat responsable",
        "responsable des opérations de piratage",
    ] {
        let at = afp_text.find(needle).expect("needle is in the AFP text");
        let span = at..at + needle.len();
        let hit = passages.iter().any(|p| {
            let (s, e) = (
                p["a_start"].as_u64().unwrap() as usize,
                p["a_end"].as_u64().unwrap() as usize,
            );
            s < span.end && span.start < e
        });
        assert!(hit, "no passage overlaps {needle:?}: {passages:#?}");
    }
    for p in passages {
        let (s, e) = (
            p["a_start"].as_u64().unwrap() as usize,
            p["a_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            p["a_text"].as_str().unwrap(),
            &afp_text[s..e],
            "offsets point into A"
        );
        let (s, e) = (
            p["b_start"].as_u64().unwrap() as usize,
            p["b_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            p["b_text"].as_str().unwrap(),
            &mt_text[s..e],
            "offsets point into B"
        );
    }
}

#[test]
fn compare_human_view_shows_scores_and_columns() {
    let seeds = corpus().join("docs/seeds");
    let o = run(&[
        "compare",
        seeds.join("afp-2022-09-albania-iran.txt").to_str().unwrap(),
        seeds
            .join("syndicated-mt-albania-iran.txt")
            .to_str()
            .unwrap(),
        "--color",
        "never",
    ]);
    let out = stdout(&o);
    assert!(out.contains("containment of A in B"), "{out}");
    assert!(out.contains(" │ "), "side-by-side columns: {out}");
    assert!(
        !out.contains('\u{1b}'),
        "no escape codes with --color never"
    );
    let colored = run(&[
        "compare",
        seeds.join("afp-2022-09-albania-iran.txt").to_str().unwrap(),
        seeds
            .join("syndicated-mt-albania-iran.txt")
            .to_str()
            .unwrap(),
        "--color",
        "always",
    ]);
    assert!(
        stdout(&colored).contains('\u{1b}'),
        "matching words highlighted"
    );
}

#[test]
fn compare_of_a_missing_file_names_it_and_fails() {
    let o = run(&["compare", "no/such/file.txt", "Cargo.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no/such/file.txt"), "{}", stderr(&o));
}

fn scan_jsonl(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "scan",
        dir.to_str().unwrap(),
        "--format",
        "jsonl",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn scan_output_is_identical_whatever_the_thread_count() {
    let docs = corpus().join("docs");
    let one = scan_jsonl(&docs, &["-j", "1", "--passages", "--clusters"]);
    let two = scan_jsonl(&docs, &["-j", "2", "--passages", "--clusters"]);
    let four = scan_jsonl(&docs, &["-j", "4", "--passages", "--clusters"]);
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.stdout, four.stdout);
}

fn temp_corpus(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    dir
}

const WIRE: &str = "PARIS (AFP) - Le pont suspendu de Varenne-sur-Loire s'est effondré mardi soir \
vers 21 heures, faisant trois blessés légers, a indiqué la préfecture du Maine-et-Loire, qui a \
ouvert une enquête. « L'ouvrage avait été inspecté en mars et ne présentait aucun signe de \
faiblesse », a assuré le maire, Jeanne Lefort, lors d'un point presse mercredi matin. Les \
experts du Cerema doivent rendre un premier rapport d'ici la fin du mois, alors que la \
circulation est déviée par le pont de Saumur, à quinze kilomètres en aval.";

const OTHER: &str = "Le conseil municipal de Brest a voté jeudi un budget de 42 millions \
d'euros pour rénover les écoles primaires de la ville, dont la moitié date des années 1960. Les \
travaux commenceront à l'été et dureront trois ans, selon l'adjointe chargée de l'éducation, qui \
promet des classes mieux isolées et des cours d'école végétalisées.";

#[test]
fn scan_reports_bad_files_and_goes_on() {
    let page = format!("Accueil > Actualités\n\n{WIRE}\n\nPartager : Facebook, X, e-mail");
    let dir = temp_corpus(&[
        ("wire.txt", WIRE.as_bytes()),
        ("site/page.md", page.as_bytes()),
        ("other.txt", OTHER.as_bytes()),
        ("latin1.txt", b"Caf\xe9 cr\xe8me et autres d\xe9lices"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        ("notes.pdf", b"%PDF-1.4"),
    ]);
    let o = scan_jsonl(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(3), "skipped input gives exit code 3");
    let err = stderr(&o);
    assert!(
        err.contains("latin1.txt") && err.contains("not valid UTF-8"),
        "{err}"
    );
    assert!(err.contains("image.txt") && err.contains("binary"), "{err}");
    let pairs = jsonl(&o);
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0]["a"], "site/page.md");
    assert_eq!(pairs[0]["b"], "wire.txt");
    assert!(pairs[0]["containment_b_in_a"].as_f64().unwrap() >= 0.95);
    // Without --quiet a summary line closes the run.
    let o = run(&["scan", dir.path().to_str().unwrap()]);
    let err = stderr(&o);
    assert!(
        err.contains("4 documents") && err.contains("1 pair reported"),
        "{err}"
    );
    assert!(err.contains("1 file ignored by extension"), "{err}");
}

#[test]
fn scan_reads_jsonl_from_stdin_and_reports_bad_lines() {
    let line = |id: &str, text: &str, date: &str| {
        serde_json::json!({"id": id, "text": text, "date": date}).to_string()
    };
    let page = format!("Lire aussi : la météo. {WIRE} Tous droits réservés.");
    let input = format!(
        "{}\n{{broken\n{}\n{}\n",
        line("copy", &page, "2024-05-02"),
        line("wire", WIRE, "2024-05-01"),
        line("other", OTHER, "2024-05-01"),
    );
    let mut child = reprint()
        .args(["scan", "-", "--format", "jsonl", "--clusters", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("-:2:"),
        "line number of the bad line: {}",
        stderr(&o)
    );
    let v = jsonl(&o);
    assert_eq!(v.len(), 2, "one pair and one cluster: {v:?}");
    assert_eq!(
        (v[0]["a"].as_str(), v[0]["b"].as_str()),
        (Some("copy"), Some("wire"))
    );
    assert_eq!(v[0]["cluster"], 1);
    // The page carries all of the wire story: a copy, whose origin the dates give.
    assert_eq!(v[0]["verdict"], "copy");
    assert_eq!(v[0]["origin"], "b");
    assert_eq!(
        v[0]["origin_reason"],
        "earlier date (2024-05-01 before 2024-05-02)"
    );
    assert_eq!(v[0]["b_wire"]["cues"][0]["text"], "PARIS (AFP) -");
    assert_eq!(v[1]["origin"], "wire", "earliest date is the origin");
    assert!(v[1]["origin_reason"]
        .as_str()
        .unwrap()
        .contains("2024-05-01"));
}

#[test]
fn cluster_origin_rests_on_the_pairs_origins() {
    // The page wraps all of the wire story in text of its own: the pair names the wire as its
    // source, and so does the cluster.
    let page = format!("{OTHER}\n\n{WIRE}");
    let dir = temp_corpus(&[("wire.txt", WIRE.as_bytes()), ("page.txt", page.as_bytes())]);
    let d = dir.path().to_str().unwrap();
    let v = jsonl(&run(&["scan", d, "--clusters", "--format", "jsonl", "-q"]));
    assert_eq!(v.len(), 2, "{v:?}");
    let wire_side = if v[0]["a"].as_str().unwrap().ends_with("wire.txt") {
        "a"
    } else {
        "b"
    };
    assert_eq!(v[0]["origin"], wire_side, "{}", v[0]["origin_reason"]);
    assert!(
        v[1]["origin"].as_str().unwrap().ends_with("wire.txt"),
        "{:?}",
        v[1]
    );
    assert_eq!(
        v[1]["origin_reason"],
        "the likely source in 1 of the cluster's 1 pairs, the copy in none"
    );

    // Two copies of the same text: the pair cannot say which came first, nor can the cluster.
    let dir = temp_corpus(&[("one.txt", WIRE.as_bytes()), ("two.txt", WIRE.as_bytes())]);
    let d = dir.path().to_str().unwrap();
    let v = jsonl(&run(&["scan", d, "--clusters", "--format", "jsonl", "-q"]));
    assert_eq!(v[0]["origin"], "unknown");
    assert!(v[1]["origin"].is_null(), "{:?}", v[1]);
}

#[test]
fn scan_formats_table_and_csv() {
    let page = format!("{OTHER}\n\n{WIRE}");
    let dir = temp_corpus(&[("wire.txt", WIRE.as_bytes()), ("page.txt", page.as_bytes())]);
    let d = dir.path().to_str().unwrap();
    let csv = stdout(&run(&[
        "scan",
        d,
        "--format",
        "csv",
        "--quiet",
        "--clusters",
    ]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("a,b,resemblance,containment_a_in_b,containment_b_in_a,cluster,origin,origin_reason,verdict,pair_origin,pair_origin_reason,a_agencies,b_agencies,via")
    );
    let row = lines.next().unwrap();
    assert!(row.starts_with("page.txt,wire.txt,"), "{row}");
    assert!(row.contains(",1,wire.txt,"), "origin by containment: {row}");
    // Both carry the dateline; the page wraps all of the story in text of its own.
    assert!(
        row.contains(",copy,b,\"all of B is in A (1.00), which adds text of its own"),
        "{row}"
    );
    assert!(
        row.ends_with(",AFP,AFP,"),
        "found directly, through no copy: {row}"
    );
    let table = stdout(&run(&["scan", d, "--quiet"]));
    assert!(table.lines().next().unwrap().contains("a_in_b"), "{table}");
    assert!(table.contains("page.txt → wire.txt"), "{table}");
    assert!(table.lines().next().unwrap().contains("verdict"), "{table}");
    assert!(
        table.contains("copy        b        page.txt → wire.txt  [wire: A AFP; B AFP]"),
        "{table}"
    );
}

#[test]
fn closed_pipe_ends_quietly() {
    // 40 pages carrying the same story: 780 pairs with passages, far more than a pipe buffers.
    let pages: Vec<(String, Vec<u8>)> = (0..40)
        .map(|i| {
            (
                format!("p{i:02}.txt"),
                format!("Page {i}.\n{WIRE}\nFin {i}.").into_bytes(),
            )
        })
        .collect();
    let files: Vec<(&str, &[u8])> = pages
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let dir = temp_corpus(&files);
    let mut child = reprint()
        .args([
            "scan",
            dir.path().to_str().unwrap(),
            "--format",
            "jsonl",
            "--passages",
            "--quiet",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then hang up like `| head -c 1`.
    let mut out = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    std::io::Read::read_exact(&mut out, &mut byte).unwrap();
    drop(out);
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        stderr(&o)
    );
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn bad_flags_name_the_flag() {
    let o = run(&["scan", "corpus", "--min-score", "2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--min-score"), "{}", stderr(&o));
}

/// `index add` then `index query` report the same pairs, with the same scores, as `scan` of the
/// queried pages together with the indexed ones; `index stats` and a damaged index are reported.
#[test]
fn index_add_query_stats() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    let idx_s = idx.to_str().unwrap();
    let docs = corpus().join("docs");
    let wire = docs.join("wire");
    let copies = docs.join("copies");
    let o = run(&["index", "add", idx_s, wire.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("15 documents added"), "{}", stderr(&o));

    let o = run(&[
        "index",
        "query",
        idx_s,
        copies.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let found: Vec<(String, String, f64, f64)> = jsonl(&o)
        .iter()
        .map(|v| {
            (
                v["a"].as_str().unwrap().to_string(),
                v["b"].as_str().unwrap().to_string(),
                v["containment_a_in_b"].as_f64().unwrap(),
                v["containment_b_in_a"].as_f64().unwrap(),
            )
        })
        .collect();
    // Every copy page of the corpus carries (part of) one wire story; all but the short
    // excerpts (one paragraph, often under the reporting threshold) carry enough to be reported.
    let pages: std::collections::BTreeSet<&str> = found.iter().map(|f| f.0.as_str()).collect();
    for entry in std::fs::read_dir(&copies).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            pages.contains(name.as_str()) || name.starts_with("excerpt-"),
            "{name} not found: {pages:?}"
        );
    }
    for (a, b, a_in_b, b_in_a) in &found {
        let story = b.trim_end_matches(".txt");
        if a.contains(story) {
            let direct = json(&run(&[
                "compare",
                copies.join(a).to_str().unwrap(),
                wire.join(b).to_str().unwrap(),
                "--json",
            ]));
            assert_eq!(
                direct["containment_a_in_b"].as_f64().unwrap(),
                *a_in_b,
                "{a} / {b}"
            );
            assert_eq!(
                direct["containment_b_in_a"].as_f64().unwrap(),
                *b_in_a,
                "{a} / {b}"
            );
        }
    }
    // Verdicts and wire cues come with the index's pairs too; the indexed side's cues are read
    // from its stored text.
    let records = jsonl(&o);
    let bridge = records
        .iter()
        .find(|v| v["a"] == "verbatim-fr-bridge-collapse.txt" && v["b"] == "fr-bridge-collapse.txt")
        .expect("the verbatim copy finds its story");
    assert_eq!(bridge["verdict"], "copy");
    assert_eq!(
        bridge["b_wire"]["cues"][0]["text"],
        "SAINT-AUBIN-SUR-LORNE (AFP) -"
    );
    assert!(records
        .iter()
        .all(|v| ["copy", "partial", "independent"].contains(&v["verdict"].as_str().unwrap())));
    assert!(found
        .iter()
        .any(|(a, b, _, b_in_a)| a.starts_with("verbatim-fr-bridge")
            && b == "fr-bridge-collapse.txt"
            && *b_in_a > 0.99));

    let o = run(&["index", "stats", idx_s, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["documents"], 15);

    // Other matching settings than the index's are refused, naming the setting.
    let o = run(&[
        "index",
        "query",
        idx_s,
        copies.to_str().unwrap(),
        "--prefix",
        "4",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("terms.prefix: index 5, given 4"),
        "{}",
        stderr(&o)
    );
    // A damaged manifest is named.
    let manifest = idx.join("MANIFEST");
    let mut m = std::fs::read(&manifest).unwrap();
    m[30] ^= 1;
    std::fs::write(&manifest, m).unwrap();
    let o = run(&["index", "stats", idx_s]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("MANIFEST") && stderr(&o).contains("checksum"),
        "{}",
        stderr(&o)
    );
    // No index at all.
    let o = run(&[
        "index",
        "query",
        dir.path().join("none").to_str().unwrap(),
        wire.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no index there"), "{}", stderr(&o));
}

/// `sketch` writes the library's signatures, one row per document in both formats, the same
/// whatever the thread count.
#[test]
fn sketch_writes_the_library_signatures() {
    let docs = corpus().join("docs/wire");
    let o = run(&["sketch", "-q", "-j", "2", docs.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = jsonl(&o);
    assert!(rows.len() > 5);
    let loaded = reprint::input::load(std::slice::from_ref(&docs));
    let s = reprint::sketch::Sketcher::new(Default::default()).unwrap();
    let texts: Vec<&str> = loaded.documents.iter().map(|d| d.text.as_str()).collect();
    let expect = s.signatures(&texts);
    for ((row, doc), sig) in rows
        .iter()
        .zip(&loaded.documents)
        .zip(expect.chunks_exact(128))
    {
        assert_eq!(row["id"], doc.id.as_str());
        let got: Vec<u32> = row["signature"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        assert_eq!(got, sig);
    }
    let bin = run(&[
        "sketch",
        "-q",
        "-j",
        "1",
        "--format",
        "bin",
        docs.to_str().unwrap(),
    ]);
    assert!(bin.status.success());
    let values: Vec<u32> = bin
        .stdout
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    assert_eq!(values, expect);
    let bad = run(&["sketch", "--ngram", "0", docs.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
}

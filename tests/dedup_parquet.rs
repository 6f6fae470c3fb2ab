//! `reprint dedup` on Parquet (issue 25): files written by pyarrow (scripts/parquet_fixtures.py)
//! give the clusters of the same documents as JSONL, `--format parquet` holds the records of
//! `--format jsonl`, and a file that cannot be used is reported while the others are read.
#![cfg(feature = "parquet")]

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::RowAccessor;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/parquet")
        .join(name)
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

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn dedup(args: &[&str]) -> String {
    let o = reprint(&[&["dedup", "-q"], args].concat());
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn parquet_gives_the_clusters_of_the_same_documents_as_jsonl() {
    let (jsonl, parquet) = (fixture("docs.jsonl"), fixture("docs.parquet"));
    for flags in [
        &[][..],
        &["--keep", "first"],
        &["--containment"],
        &["-j", "1"],
    ] {
        let want = dedup(&[flags, &[path(&jsonl)]].concat());
        // The fixture's exact and near copies, and a wire story's verbatim copy.
        assert!(want.lines().count() >= 10, "{want}");
        assert_eq!(
            dedup(&[flags, &[path(&parquet)]].concat()),
            want,
            "{flags:?}"
        );
    }
}

#[test]
fn integer_ids_are_written_in_decimal() {
    // int_ids.parquet holds the texts of docs.jsonl, each with its row number as an int64 id.
    let ids: Vec<String> = std::fs::read_to_string(fixture("docs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
        .collect();
    let mut got = dedup(&[path(&fixture("int_ids.parquet"))]);
    // Longest first so that "1" is not replaced inside "12".
    for (row, id) in ids.iter().enumerate().rev() {
        got = got.replace(&format!("\"{row}\""), id);
    }
    assert_eq!(got, dedup(&[path(&fixture("docs.jsonl"))]));
}

/// The records of a `--format parquet` file, written as `--format jsonl` writes them (its
/// fields in its order, its numbers as serde_json prints them), to compare the bytes.
fn read_back(file: &Path) -> String {
    let reader = SerializedFileReader::new(std::fs::File::open(file).unwrap()).unwrap();
    let json = |s: &String| serde_json::to_string(s).unwrap();
    let mut out = String::new();
    for row in reader.get_row_iter(None).unwrap() {
        let row = row.unwrap();
        out.push_str(&format!(
            "{{\"id\":{},\"cluster\":{},\"keep\":{},\"similarity\":{}",
            json(row.get_string(0).unwrap()),
            json(row.get_string(1).unwrap()),
            row.get_bool(2).unwrap(),
            serde_json::to_string(&row.get_double(3).unwrap()).unwrap(),
        ));
        if row.len() > 4 {
            out.push_str(&format!(
                ",\"relation\":{}",
                json(row.get_string(4).unwrap())
            ));
        }
        out.push_str("}\n");
    }
    out
}

#[test]
fn parquet_output_holds_the_jsonl_records() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clusters.parquet");
    let input = fixture("docs.parquet");
    for flags in [&[][..], &["--containment"]] {
        // An older file there is replaced whole.
        std::fs::write(&out, "an older file").unwrap();
        let jsonl = dedup(&[flags, &[path(&input)]].concat());
        let o = reprint(
            &[
                &["dedup", "-q", "--format", "parquet", "--output", path(&out)],
                flags,
                &[path(&input)],
            ]
            .concat(),
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(o.stdout.is_empty());
        assert_eq!(read_back(&out), jsonl, "{flags:?}");
        // Nothing left beside it: the temporary file was renamed.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
    // --output takes the other formats too, the same bytes as on standard output.
    let csv = dir.path().join("clusters.csv");
    let o = reprint(&[
        "dedup",
        "-q",
        "--format",
        "csv",
        "-o",
        path(&csv),
        path(&input),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        dedup(&["--format", "csv", path(&input)])
    );
}

#[test]
fn parquet_output_needs_a_file() {
    let o = reprint(&[
        "dedup",
        "--format",
        "parquet",
        path(&fixture("docs.parquet")),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--format parquet needs --output"),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn a_null_text_is_reported_and_ids_are_made_without_an_id_column() {
    let o = reprint(&[
        "dedup",
        "-q",
        path(&fixture("docs.parquet")),
        path(&fixture("null_text.parquet")),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let err = stderr(&o);
    assert!(
        err.contains("null_text.parquet: row 1: text is null; skipped"),
        "{err}"
    );
    let out = stdout(&o);
    // Rows 0 and 3 are copies of docs.parquet's first two rows, row 2 of its last.
    let made = |row: u32| format!("{}#{row}", path(&fixture("null_text.parquet")));
    for row in [0, 2, 3] {
        assert!(out.contains(&format!("\"id\":\"{}\"", made(row))), "{out}");
    }
    assert!(!out.contains(&made(1)));
}

#[test]
fn files_that_cannot_be_used_are_reported_and_the_others_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    std::fs::copy(fixture("docs.parquet"), p("a-docs.parquet")).unwrap();
    std::fs::copy(fixture("no_text.parquet"), p("b-no-text.parquet")).unwrap();
    std::fs::write(p("c-not.parquet"), "id,text\n1,not Parquet but CSV\n").unwrap();
    // A JSONL file with a bad line, as dedup has always reported.
    std::fs::write(p("d.jsonl"), "not json\n").unwrap();
    let o = reprint(&["dedup", "-q", path(dir.path())]);
    assert_eq!(o.status.code(), Some(3));
    let err = stderr(&o);
    for expected in [
        "b-no-text.parquet: no column `text` (--text-column) among: id, body; skipped",
        "c-not.parquet: not a Parquet file",
        "d.jsonl:1:",
    ] {
        assert!(err.contains(expected), "{expected}: {err}");
    }
    assert_eq!(stdout(&o), dedup(&[path(&fixture("docs.jsonl"))]));

    // Named columns: b-no-text.parquet's texts are in `body`.
    let o = reprint(&[
        "dedup",
        "--format",
        "ids",
        "--text-column",
        "body",
        path(&p("b-no-text.parquet")),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 2);
}

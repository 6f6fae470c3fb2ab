//! Hostile and broken input through the CLI: every case is named on stderr with its file, the
//! rest of the run goes on, and the exit code says whether something was skipped (README, "What
//! reprint does with bad input").

use std::path::Path;
use std::process::{Command, Output};

fn reprint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reprint"))
        .args(args)
        .output()
        .expect("reprint runs")
}

fn scan(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["scan", dir.to_str().unwrap(), "--format", "jsonl"];
    args.extend_from_slice(extra);
    reprint(&args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn pairs(o: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const STORY: &str = "Le conseil municipal de Brest a voté jeudi un budget de 42 millions \
d'euros pour rénover les écoles primaires de la ville, dont la moitié date des années 1960. Les \
travaux commenceront à l'été et dureront trois ans, selon l'adjointe chargée de l'éducation, qui \
promet des classes mieux isolées et des cours d'école végétalisées.";

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

#[test]
fn degenerate_documents_are_read_and_match_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("empty.txt", ""),
        ("blank.txt", "  \n\t\n"),
        ("punct.txt", "!!! ... « » — ?"),
        ("one-word.txt", "Brest"),
        ("stop-words.txt", "de la, et les"),
        ("empty2.txt", ""),
        ("punct2.txt", "!!! ... « » — ?"),
    ] {
        write(dir.path(), name, text.as_bytes());
    }
    let o = scan(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        pairs(&o).is_empty(),
        "wordless documents are not copies of each other"
    );
    assert!(stderr(&o).contains("7 documents"), "{}", stderr(&o));
}

#[test]
fn mixed_scripts_and_invisible_marks_do_no_harm() {
    let dir = tempfile::tempdir().unwrap();
    let mixed = format!(
        "\u{200f}مرحبا بالعالم\u{200e} 東京で地震 🙂👍🏽 e\u{301}te\u{301} {STORY} \u{feff}Ⅻ ﬁn"
    );
    write(dir.path(), "mixed.txt", mixed.as_bytes());
    write(dir.path(), "story.txt", STORY.as_bytes());
    let o = scan(dir.path(), &["--passages"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let p = pairs(&o);
    assert_eq!(p.len(), 1);
    assert!(p[0]["containment_b_in_a"].as_f64().unwrap() > 0.95, "{p:?}");
    // Offsets still cut the original text at the passage.
    let pass = &p[0]["passages"][0];
    let (s, e) = (
        pass["a_start"].as_u64().unwrap() as usize,
        pass["a_end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&mixed[s..e], pass["a_text"].as_str().unwrap());
}

#[test]
fn utf16_with_bom_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(STORY.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    write(dir.path(), "utf16.txt", &utf16);
    write(dir.path(), "story.txt", STORY.as_bytes());
    let o = scan(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let p = pairs(&o);
    assert_eq!(p.len(), 1, "{}", stderr(&o));
    assert_eq!(p[0]["containment_a_in_b"].as_f64(), Some(1.0));
}

#[test]
fn oversized_files_and_lines_are_skipped_unread() {
    let dir = tempfile::tempdir().unwrap();
    // A 200 MB single-line file: sparse on disk, refused from its size without being read.
    let huge = std::fs::File::create(dir.path().join("huge.txt")).unwrap();
    huge.set_len(200 << 20).unwrap();
    write(dir.path(), "story.txt", STORY.as_bytes());
    write(
        dir.path(),
        "copy.txt",
        format!("À la une. {STORY}").as_bytes(),
    );
    let line = |id: &str, text: &str| serde_json::json!({"id": id, "text": text}).to_string();
    let jsonl = format!(
        "{}\n{}\n",
        line("long", &"mot ".repeat(2000)),
        line("short", STORY)
    );
    write(dir.path(), "feed.jsonl", jsonl.as_bytes());
    let o = scan(dir.path(), &["--max-doc-bytes", "4K"]);
    assert_eq!(o.status.code(), Some(3));
    let err = stderr(&o);
    assert!(
        err.contains("huge.txt: 209715200 bytes is over the limit of 4096 bytes"),
        "{err}"
    );
    assert!(err.contains("feed.jsonl:1: line of"), "{err}");
    // Everything else was scanned: the story, its copy, and the short JSONL line.
    assert_eq!(pairs(&o).len(), 3, "{err}");
    // The default limit (16 MiB) also refuses the 200 MB file.
    let o = scan(dir.path(), &[]);
    assert!(
        stderr(&o).contains("huge.txt: 209715200 bytes"),
        "{}",
        stderr(&o)
    );
}

#[cfg(unix)]
#[test]
fn links_that_go_nowhere_or_in_circles() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "story.txt", STORY.as_bytes());
    write(d, "sub/copy.txt", format!("Brève. {STORY}").as_bytes());
    symlink(d.join("missing.txt"), d.join("broken.txt")).unwrap();
    symlink(d.join("loop-b.txt"), d.join("loop-a.txt")).unwrap();
    symlink(d.join("loop-a.txt"), d.join("loop-b.txt")).unwrap();
    // A directory link back to the top: followed, it would never end.
    symlink(d, d.join("sub/up")).unwrap();
    let o = scan(d, &[]);
    assert_eq!(o.status.code(), Some(3));
    let err = stderr(&o);
    assert!(err.contains("broken.txt"), "{err}");
    assert!(
        err.contains("loop-a.txt") && err.contains("loop-b.txt"),
        "{err}"
    );
    assert_eq!(pairs(&o).len(), 1, "{err}");
    assert!(err.contains("2 documents"), "{err}");
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "story.txt", STORY.as_bytes());
    write(dir.path(), "secret.txt", STORY.as_bytes());
    let secret = dir.path().join("secret.txt");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let o = if std::fs::read(&secret).is_ok() {
        // Running as root, whom permissions do not stop: run reprint as `nobody` instead, so the
        // case is exercised in CI too.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let as_nobody = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_reprint"))
            .args(["scan", dir.path().to_str().unwrap(), "--format", "jsonl"])
            .output();
        match as_nobody {
            Ok(o) if !stderr(&o).contains("setpriv:") => o,
            _ => {
                eprintln!("skipped: running as root and cannot drop privileges with setpriv");
                return;
            }
        }
    } else {
        scan(dir.path(), &[])
    };
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("secret.txt: Permission denied"),
        "{}",
        stderr(&o)
    );
    // The readable file was still scanned.
    assert!(stderr(&o).contains("1 document"), "{}", stderr(&o));
}

#[test]
fn a_hundred_thousand_tiny_files() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..100_000u32 {
        let sub = dir.path().join(format!("{:03}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir(&sub).unwrap();
        }
        std::fs::write(sub.join(format!("{i}.txt")), format!("note {i}")).unwrap();
    }
    write(dir.path(), "x/story.txt", STORY.as_bytes());
    write(
        dir.path(),
        "x/copy.txt",
        format!("Brève. {STORY}").as_bytes(),
    );
    let o = scan(dir.path(), &["-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let p = pairs(&o);
    assert_eq!(p.len(), 1);
    assert_eq!(
        (p[0]["a"].as_str(), p[0]["b"].as_str()),
        (Some("x/copy.txt"), Some("x/story.txt"))
    );
}

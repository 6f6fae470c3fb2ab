//! Reading inputs: directories of text files, JSONL files, and JSONL on standard input.
//!
//! - A **directory** is walked recursively in name order. Files ending in `.txt` or `.md` are
//!   documents whose id is their path relative to the directory; `.jsonl` files are read as JSONL;
//!   everything else is counted as skipped. Hidden entries (names starting with `.`) are skipped, and
//!   symbolic links to directories are not followed (no loops).
//! - A **file** is a document (or JSONL, by its `.jsonl` extension) whatever its extension.
//! - `-` is JSONL on standard input.
//!
//! JSONL lines are objects `{"id": ..., "text": ..., "date": ..., "url": ...}`; `id` (string or
//! integer) and `text` are required. Blank lines are ignored.
//!
//! Nothing here aborts a run because of one bad input: a file that cannot be read, a binary file, a
//! malformed JSONL line or a repeated id is recorded in [`Loaded::problems`] with its path (and line)
//! and skipped; a file that is not valid UTF-8 is decoded with replacement characters, used, and
//! recorded too. Only valid UTF-8 keeps byte offsets exact, which is why it is never rewritten.
//!
//! # Invariants
//! - Documents come out in a deterministic order: inputs in the order given, directory entries
//!   sorted by name, JSONL lines in file order.
//! - Ids are unique: the first document with an id wins.

use crate::error::Error;
use std::collections::HashSet;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

/// One input document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// Unique id: relative path for directory input, the `id` field for JSONL.
    pub id: String,
    /// The full text.
    pub text: String,
    /// Publication date as given in JSONL (ISO 8601 sorts correctly as text).
    pub date: Option<String>,
    /// Source URL as given in JSONL.
    pub url: Option<String>,
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The documents, in input order.
    pub documents: Vec<Document>,
    /// Problems met, each naming its input. See [`Error::is_warning_only`].
    pub problems: Vec<Error>,
    /// Files in directories that were not read because of their extension or a leading dot.
    pub skipped_files: usize,
}

/// Reads every input. See the module docs for what each kind of path means.
pub fn load(paths: &[PathBuf]) -> Loaded {
    let mut loaded = Loaded::default();
    let mut seen = HashSet::new();
    let prefix_ids = paths.len() > 1;
    for path in paths {
        if path.as_os_str() == "-" {
            let stdin = std::io::stdin();
            read_jsonl(Path::new("-"), stdin.lock(), &mut loaded, &mut seen);
            continue;
        }
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                let base = if prefix_ids {
                    Some(path.as_path())
                } else {
                    None
                };
                walk(path, path, base, &mut loaded, &mut seen);
            }
            Ok(_) => read_file(path, display_id(path), &mut loaded, &mut seen),
            Err(source) => loaded.problems.push(Error::Io {
                path: path.clone(),
                source,
            }),
        }
    }
    loaded
}

fn display_id(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

fn walk(
    root: &Path,
    dir: &Path,
    prefix: Option<&Path>,
    loaded: &mut Loaded,
    seen: &mut HashSet<String>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(source) => {
            loaded.problems.push(Error::Io {
                path: dir.to_path_buf(),
                source,
            });
            return;
        }
    };
    let mut entries: Vec<_> = entries
        .filter_map(|e| match e {
            Ok(e) => Some(e),
            Err(source) => {
                loaded.problems.push(Error::Io {
                    path: dir.to_path_buf(),
                    source,
                });
                None
            }
        })
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            loaded.skipped_files += 1;
            continue;
        }
        let file_type = match entry.file_type() {
            Ok(t) => t,
            Err(source) => {
                loaded.problems.push(Error::Io { path, source });
                continue;
            }
        };
        if file_type.is_dir() {
            walk(root, &path, prefix, loaded, seen);
            continue;
        }
        if file_type.is_symlink() {
            match std::fs::metadata(&path) {
                Ok(m) if m.is_dir() => {
                    loaded.skipped_files += 1;
                    continue;
                }
                Ok(_) => {}
                Err(source) => {
                    loaded.problems.push(Error::Io { path, source });
                    continue;
                }
            }
        }
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("txt") | Some("md") | Some("jsonl") => {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let id = match prefix {
                    Some(p) => display_id(&p.join(rel)),
                    None => display_id(rel),
                };
                read_file(&path, id, loaded, seen);
            }
            _ => loaded.skipped_files += 1,
        }
    }
}

fn read_file(path: &Path, id: String, loaded: &mut Loaded, seen: &mut HashSet<String>) {
    let is_jsonl = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(source) => {
            loaded.problems.push(Error::Io {
                path: path.to_path_buf(),
                source,
            });
            return;
        }
    };
    if is_jsonl {
        read_jsonl(
            path,
            std::io::BufReader::with_capacity(1 << 16, file),
            loaded,
            seen,
        );
        return;
    }
    let Some(text) = read_open_file(path, file, &mut loaded.problems) else {
        return;
    };
    push(
        loaded,
        seen,
        Document {
            id,
            text,
            date: None,
            url: None,
        },
        path,
        None,
    );
}

/// Reads one text file with the decoding rules of this module. Returns `None`, with the reason in
/// `problems`, when the file is skipped; lossy decoding is recorded in `problems` too.
pub fn read_text(path: &Path, problems: &mut Vec<Error>) -> Option<String> {
    match std::fs::File::open(path) {
        Ok(file) => read_open_file(path, file, problems),
        Err(source) => {
            problems.push(Error::Io {
                path: path.to_path_buf(),
                source,
            });
            None
        }
    }
}

fn read_open_file(path: &Path, file: std::fs::File, problems: &mut Vec<Error>) -> Option<String> {
    let mut bytes = Vec::new();
    if let Err(source) = std::io::BufReader::new(file).read_to_end(&mut bytes) {
        problems.push(Error::Io {
            path: path.to_path_buf(),
            source,
        });
        return None;
    }
    decode(path, bytes, problems)
}

/// Turns file bytes into text: UTF-16 with a byte-order mark is decoded, NUL bytes mark a binary
/// file (skipped), invalid UTF-8 is decoded lossily with a warning.
fn decode(path: &Path, bytes: Vec<u8>, problems: &mut Vec<Error>) -> Option<String> {
    let utf16 = |be: bool| -> String {
        let units = bytes[2..].chunks_exact(2).map(|c| {
            if be {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                u16::from_le_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    };
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return Some(utf16(false));
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return Some(utf16(true));
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        problems.push(Error::Binary {
            path: path.to_path_buf(),
            offset,
        });
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(s) => Some(s),
        Err(e) => {
            problems.push(Error::NotUtf8 {
                path: path.to_path_buf(),
                offset: e.utf8_error().valid_up_to(),
            });
            Some(String::from_utf8_lossy(e.as_bytes()).into_owned())
        }
    }
}

fn push(
    loaded: &mut Loaded,
    seen: &mut HashSet<String>,
    doc: Document,
    path: &Path,
    line: Option<u64>,
) {
    if seen.insert(doc.id.clone()) {
        loaded.documents.push(doc);
    } else {
        loaded.problems.push(Error::DuplicateId {
            path: path.to_path_buf(),
            line,
            id: doc.id,
        });
    }
}

#[derive(serde::Deserialize)]
struct JsonDoc {
    id: JsonId,
    text: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum JsonId {
    Text(String),
    Number(serde_json::Number),
}

/// Reads JSONL from `reader`, naming `path` in problems.
pub fn read_jsonl(
    path: &Path,
    mut reader: impl BufRead,
    loaded: &mut Loaded,
    seen: &mut HashSet<String>,
) {
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(source) => {
                loaded.problems.push(Error::Io {
                    path: path.to_path_buf(),
                    source,
                });
                break;
            }
        }
        line_no += 1;
        let bad = |reason: String| Error::BadJsonLine {
            path: path.to_path_buf(),
            line: line_no,
            reason,
        };
        let line = match std::str::from_utf8(&buf) {
            Ok(s) => s,
            Err(e) => {
                loaded.problems.push(bad(format!(
                    "not valid UTF-8 at byte {} of the line",
                    e.valid_up_to()
                )));
                continue;
            }
        };
        let line = line.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<JsonDoc>(line) {
            Ok(d) => {
                let id = match d.id {
                    JsonId::Text(s) => s,
                    JsonId::Number(n) => n.to_string(),
                };
                let doc = Document {
                    id,
                    text: d.text,
                    date: d.date,
                    url: d.url,
                };
                push(loaded, seen, doc, path, Some(line_no));
            }
            Err(e) => loaded.problems.push(bad(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jsonl(input: &str) -> Loaded {
        let mut loaded = Loaded::default();
        read_jsonl(
            Path::new("in.jsonl"),
            input.as_bytes(),
            &mut loaded,
            &mut HashSet::new(),
        );
        loaded
    }

    #[test]
    fn jsonl_reports_bad_lines_and_keeps_the_rest() {
        let l = jsonl(
            "{\"id\": \"a\", \"text\": \"un\", \"date\": \"2022-09-07\"}\n\nnot json\n{\"id\": 7, \"text\": \"deux\"}\n{\"text\": \"no id\"}\n{\"id\": \"a\", \"text\": \"dup\"}\n",
        );
        let ids: Vec<&str> = l.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "7"]);
        assert_eq!(l.documents[0].date.as_deref(), Some("2022-09-07"));
        let msgs: Vec<String> = l.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].starts_with("in.jsonl:3: "), "{}", msgs[0]);
        assert!(
            msgs[1].starts_with("in.jsonl:5: ") && msgs[1].contains("id"),
            "{}",
            msgs[1]
        );
        assert!(
            msgs[2].contains("in.jsonl:6") && msgs[2].contains("duplicate"),
            "{}",
            msgs[2]
        );
    }

    #[test]
    fn decoding_rules() {
        let mut p = Vec::new();
        let path = Path::new("f");
        assert_eq!(
            decode(path, b"caf\xc3\xa9".to_vec(), &mut p).as_deref(),
            Some("café")
        );
        assert!(p.is_empty());
        let lossy = decode(path, b"caf\xe9 noir".to_vec(), &mut p).unwrap();
        assert_eq!(lossy, "caf\u{fffd} noir");
        assert!(matches!(p[0], Error::NotUtf8 { offset: 3, .. }));
        assert!(decode(path, b"ab\0cd".to_vec(), &mut p).is_none());
        assert!(matches!(p[1], Error::Binary { offset: 2, .. }));
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("été".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(path, le, &mut p).as_deref(), Some("été"));
    }
}

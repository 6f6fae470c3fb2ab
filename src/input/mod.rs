//! Reading inputs: directories of text files, JSONL and Parquet files, and JSONL on standard
//! input.
//!
//! - A **directory** is walked recursively in name order. Files ending in `.txt` or `.md` are
//!   documents whose id is their path relative to the directory; `.jsonl` files are read as JSONL,
//!   `.parquet` files as Parquet (with the `parquet` feature; see [Parquet](#parquet) below);
//!   everything else is counted as skipped. Hidden entries (names starting with `.`) are skipped, and
//!   symbolic links to directories are not followed (no loops).
//! - A **file** is a document (or JSONL or Parquet, by its `.jsonl` or `.parquet` extension)
//!   whatever its extension.
//! - `-` is JSONL on standard input.
//!
//! [`load`] holds every text in memory; [`catalog`] reads the same inputs but leaves each text in
//! its file ([`Catalog`]), to be read again when needed, so that a scan need not hold the corpus.
//!
//! JSONL lines are objects `{"id": ..., "text": ..., "date": ..., "url": ...}`; `id` (string or
//! integer) and `text` are required. Blank lines are ignored.
//!
//! # Parquet
//! A Parquet file is a document per row: its text from the string column
//! [`LoadOptions::text_column`], its id from [`LoadOptions::id_column`] (strings or integers), or,
//! without that column, the file's id, `#` and the row counted from 0 (`train.parquet#41`).
//! Rows are read a thousand at a time, and a [`Catalog`] reads a text again from its file, so a
//! file need not fit in memory. Without the `parquet` feature a `.parquet` file given is
//! reported and skipped, and one in a directory is counted as skipped.
//!
//! Nothing here aborts a run because of one bad input: a file that cannot be read, a binary file, a
//! file or JSONL line over [`LoadOptions::max_doc_bytes`], a malformed JSONL line or a repeated id
//! is recorded in [`Loaded::problems`] with its path (and line) and skipped; a file that is not
//! valid UTF-8 is decoded with replacement characters, used, and recorded too. Only valid UTF-8
//! keeps byte offsets exact, which is why it is never rewritten.
//!
//! # Invariants
//! - Documents come out in a deterministic order: inputs in the order given, directory entries
//!   sorted by name, JSONL lines in file order.
//! - Ids are unique: the first document with an id wins.
//! - No document holds more than `max_doc_bytes` bytes of input, and no more than that is read
//!   into memory for a skipped one.

mod catalog;
#[cfg(feature = "parquet")]
mod parquet;

pub use catalog::{catalog, Catalog, Entry};

use crate::error::Error;
use catalog::{Origin, Place};
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

/// The default limit on one document's size: 16 MiB, a hundred times a long report. A larger
/// input is a log, a dump or an attack, and reading it whole would cost memory for nothing.
pub const DEFAULT_MAX_DOC_BYTES: u64 = 16 << 20;

/// How inputs are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    /// Files, JSONL lines and Parquet texts larger than this many bytes are skipped, and
    /// reported, unread (a Parquet row's text is decoded with its page first).
    pub max_doc_bytes: u64,
    /// The column of Parquet files that holds the texts (default `text`).
    pub text_column: String,
    /// The column of Parquet files that holds the ids (default `id`); a file without it has its
    /// ids made from its own and the row's (see the module docs).
    pub id_column: String,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
            text_column: "text".to_owned(),
            id_column: "id".to_owned(),
        }
    }
}

/// Reads every input with the default options. See the module docs for what each path means.
pub fn load(paths: &[PathBuf]) -> Loaded {
    load_with(paths, &LoadOptions::default())
}

/// Reads every input.
pub fn load_with(paths: &[PathBuf], options: &LoadOptions) -> Loaded {
    let mut loader = Loader::new(options, None);
    loader.read_all(paths);
    loader.loaded
}

/// Reads JSONL documents from any reader, naming them `label` in problems (as `-` names standard
/// input). The same rules as for JSONL files apply.
pub fn read_jsonl(label: &Path, reader: impl BufRead, options: &LoadOptions) -> Loaded {
    let mut loader = Loader::new(options, None);
    loader.read_jsonl(label, reader, None);
    loader.loaded
}

/// Turns the bytes of one file into text with the decoding rules of this module: UTF-16 with a
/// byte-order mark is decoded, NUL bytes mark a binary file (`None`), invalid UTF-8 is decoded
/// lossily. Problems are recorded under `label`.
pub fn decode_bytes(label: &Path, bytes: Vec<u8>, problems: &mut Vec<Error>) -> Option<String> {
    decode(label, bytes, problems)
}

/// Reads one text file with the decoding rules of this module. Returns `None`, with the reason in
/// `problems`, when the file is skipped; lossy decoding is recorded in `problems` too.
pub fn read_text(path: &Path, options: &LoadOptions, problems: &mut Vec<Error>) -> Option<String> {
    match std::fs::File::open(path) {
        Ok(file) => read_open_file(path, file, options.max_doc_bytes, problems)
            .and_then(|bytes| decode(path, bytes, problems)),
        Err(source) => {
            problems.push(Error::Io {
                path: path.to_path_buf(),
                source,
            });
            None
        }
    }
}

fn display_id(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// The state of one [`load_with`] or [`catalog`] run.
struct Loader {
    options: LoadOptions,
    /// The documents read (when texts are held), problems, files skipped.
    loaded: Loaded,
    seen: HashSet<String>,
    /// For a catalog: the entries, and the files their texts are in.
    located: Option<Place>,
}

impl Loader {
    /// A loader that holds the texts (`located` is `None`), or files where they are.
    fn new(options: &LoadOptions, located: Option<Place>) -> Loader {
        Loader {
            options: options.clone(),
            loaded: Loaded::default(),
            seen: HashSet::new(),
            located,
        }
    }

    /// Reads every input; see the module docs for what each path means.
    fn read_all(&mut self, paths: &[PathBuf]) {
        let prefix_ids = paths.len() > 1;
        for path in paths {
            if path.as_os_str() == "-" {
                let stdin = std::io::stdin();
                self.read_jsonl(Path::new("-"), stdin.lock(), None);
                continue;
            }
            match std::fs::metadata(path) {
                Ok(m) if m.is_dir() => {
                    let prefix = prefix_ids.then_some(path.as_path());
                    self.walk(path, path, prefix);
                }
                Ok(_) => self.read_file(path, display_id(path)),
                Err(source) => self.problem(Error::Io {
                    path: path.clone(),
                    source,
                }),
            }
        }
    }

    fn problem(&mut self, e: Error) {
        self.loaded.problems.push(e);
    }

    fn walk(&mut self, root: &Path, dir: &Path, prefix: Option<&Path>) {
        let entries = match std::fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(source) => {
                return self.problem(Error::Io {
                    path: dir.to_path_buf(),
                    source,
                })
            }
        };
        let mut list = Vec::new();
        for e in entries {
            match e {
                Ok(e) => list.push(e),
                Err(source) => self.problem(Error::Io {
                    path: dir.to_path_buf(),
                    source,
                }),
            }
        }
        list.sort_by_key(|e| e.file_name());
        for entry in list {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                self.loaded.skipped_files += 1;
                continue;
            }
            // `file_type` does not follow symbolic links: a link to a directory is never walked,
            // so a link loop cannot trap the walk.
            let file_type = match entry.file_type() {
                Ok(t) => t,
                Err(source) => {
                    self.problem(Error::Io { path, source });
                    continue;
                }
            };
            if file_type.is_dir() {
                self.walk(root, &path, prefix);
                continue;
            }
            if file_type.is_symlink() {
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_dir() => {
                        self.loaded.skipped_files += 1;
                        continue;
                    }
                    Ok(_) => {}
                    Err(source) => {
                        // A broken link, or one that loops back on itself.
                        self.problem(Error::Io { path, source });
                        continue;
                    }
                }
            }
            let ext = path
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase());
            match ext.as_deref() {
                Some("txt") | Some("md") | Some("jsonl") => {}
                #[cfg(feature = "parquet")]
                Some("parquet") => {}
                _ => {
                    self.loaded.skipped_files += 1;
                    continue;
                }
            }
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let id = match prefix {
                Some(p) => display_id(&p.join(rel)),
                None => display_id(rel),
            };
            self.read_file(&path, id);
        }
    }

    fn read_file(&mut self, path: &Path, id: String) {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(source) => {
                return self.problem(Error::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let extension = |x: &str| path.extension().is_some_and(|e| e.eq_ignore_ascii_case(x));
        if extension("parquet") {
            #[cfg(feature = "parquet")]
            return self.read_parquet(path, file, &id);
            #[cfg(not(feature = "parquet"))]
            return self.problem(Error::BadParquet {
                path: path.to_path_buf(),
                row: None,
                reason: "reprint was built without its `parquet` feature; skipped".into(),
            });
        }
        let jsonl = extension("jsonl");
        // A catalog keeps a JSONL file open, to read its lines again by position.
        let file_no = match &mut self.located {
            Some(place) => match place.add_file(path, &file, jsonl) {
                Ok(n) => Some(n),
                Err(source) => {
                    return self.problem(Error::Io {
                        path: path.to_path_buf(),
                        source,
                    })
                }
            },
            None => None,
        };
        if jsonl {
            let reader = std::io::BufReader::with_capacity(1 << 16, file);
            return self.read_jsonl(path, reader, file_no);
        }
        let limit = self.options.max_doc_bytes;
        let Some(bytes) = read_open_file(path, file, limit, &mut self.loaded.problems) else {
            return;
        };
        let hash = catalog::digest(&bytes);
        let Some(text) = decode(path, bytes, &mut self.loaded.problems) else {
            return;
        };
        let origin = match file_no {
            Some(file) => Origin::File { file, hash },
            None => Origin::Held(text),
        };
        self.push(id, None, None, origin, path, None);
    }

    /// Files a document, unless its id was seen before.
    fn push(
        &mut self,
        id: String,
        date: Option<String>,
        url: Option<String>,
        origin: Origin,
        path: &Path,
        line: Option<u64>,
    ) {
        if self.seen.contains(&id) {
            return self.problem(Error::DuplicateId {
                path: path.to_path_buf(),
                line,
                id,
            });
        }
        self.seen.insert(id.clone());
        match (&mut self.located, origin) {
            (Some(place), origin) => place.entries.push(Entry {
                id,
                date,
                url,
                origin,
            }),
            (None, Origin::Held(text)) => self.loaded.documents.push(Document {
                id,
                text,
                date,
                url,
            }),
            (None, _) => unreachable!("texts are located only for a catalog"),
        }
    }

    /// Reads JSONL from `reader`, naming `path` in problems; `file_no` is the catalog's number
    /// for the file, when its lines are located rather than held.
    ///
    /// Lines are read in order into batches, each batch's lines checked and parsed in parallel
    /// (the UTF-8 check, the JSON and the digest are most of a listing's time), then filed in
    /// order: documents and problems come out as a line-by-line reading gives them.
    fn read_jsonl(&mut self, path: &Path, mut reader: impl BufRead, file_no: Option<u32>) {
        let mut batch = Batch::default();
        let mut line_no = 0u64;
        let mut offset = 0u64;
        loop {
            let at = offset;
            let start = batch.bytes.len();
            let limit = self.options.max_doc_bytes;
            let read = match read_line_limited(&mut reader, &mut batch.bytes, limit) {
                Ok(r) => r,
                Err(source) => {
                    self.file_batch(path, &mut batch, file_no);
                    return self.problem(Error::Io {
                        path: path.to_path_buf(),
                        source,
                    });
                }
            };
            line_no += 1;
            let (read, consumed) = read;
            offset += consumed;
            let bytes = match read {
                LineRead::Eof => break,
                LineRead::TooLong(len) => Err(len),
                LineRead::Line => Ok(start..batch.bytes.len()),
            };
            batch.lines.push(PendingLine {
                line: line_no,
                offset: at,
                bytes,
            });
            if batch.lines.len() >= BATCH_LINES || batch.bytes.len() >= BATCH_BYTES {
                self.file_batch(path, &mut batch, file_no);
            }
        }
        self.file_batch(path, &mut batch, file_no);
    }

    /// Parses the lines of `batch` in parallel, files them in order, and empties it.
    fn file_batch(&mut self, path: &Path, batch: &mut Batch, file_no: Option<u32>) {
        use rayon::prelude::*;
        let limit = self.options.max_doc_bytes;
        let parsed: Vec<Option<Result<Parsed, String>>> = batch
            .lines
            .par_iter()
            .map(|p| match &p.bytes {
                Err(len) => Some(Err(format!(
                    "line of {len} bytes is over the limit of {limit} bytes (--max-doc-bytes); skipped"
                ))),
                Ok(range) => parse_line(&batch.bytes[range.clone()], p, file_no),
            })
            .collect();
        for (p, parsed) in batch.lines.iter().zip(parsed) {
            match parsed {
                None => {}
                Some(Ok((id, date, url, origin))) => {
                    let id = match id {
                        JsonId::Text(s) => s,
                        JsonId::Number(n) => n.to_string(),
                    };
                    self.push(id, date, url, origin, path, Some(p.line));
                }
                Some(Err(reason)) => self.problem(Error::BadJsonLine {
                    path: path.to_path_buf(),
                    line: p.line,
                    reason,
                }),
            }
        }
        batch.lines.clear();
        batch.bytes.clear();
    }
}

/// Lines read and not yet parsed: at most this many, and (but for one longer line) this many
/// bytes.
const BATCH_LINES: usize = 4096;
const BATCH_BYTES: usize = 16 << 20;

/// JSONL lines read in order, their bytes end to end.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    lines: Vec<PendingLine>,
}

/// A line of a [`Batch`].
struct PendingLine {
    /// Its number in its file, from 1.
    line: u64,
    /// Where it starts in its file.
    offset: u64,
    /// Where its bytes (newline included) are in the batch, or its length when it was over
    /// the limit and not kept.
    bytes: Result<std::ops::Range<usize>, u64>,
}

/// A JSONL line's document: its id, date, url and where its text is (or the text).
type Parsed = (JsonId, Option<String>, Option<String>, Origin);

/// The document on the JSONL line `buf` (`p`), `None` for a blank line, or what is wrong with
/// it. With `file_no` the text is checked and left in the file, otherwise held.
fn parse_line(buf: &[u8], p: &PendingLine, file_no: Option<u32>) -> Option<Result<Parsed, String>> {
    let line = match std::str::from_utf8(buf) {
        Ok(s) => s,
        Err(e) => {
            return Some(Err(format!(
                "not valid UTF-8 at byte {} of the line",
                e.valid_up_to()
            )))
        }
    };
    let line = line.trim_start_matches('\u{feff}');
    if line.trim().is_empty() {
        return None;
    }
    let parsed = match file_no {
        // Located: the text is checked and left where it is.
        Some(file) => serde_json::from_str::<JsonDoc<catalog::CheckedText>>(line).map(|d| {
            let origin = Origin::Line {
                file,
                line: p.line,
                offset: p.offset,
                len: buf.len() as u64,
                hash: catalog::digest(buf),
            };
            (d.id, d.date, d.url, origin)
        }),
        None => serde_json::from_str::<JsonDoc<String>>(line)
            .map(|d| (d.id, d.date, d.url, Origin::Held(d.text))),
    };
    Some(parsed.map_err(|e| e.to_string()))
}

enum LineRead {
    Eof,
    /// The line is at the end of the buffer, its newline included.
    Line,
    /// The line was longer than the limit; its bytes were consumed, not kept.
    TooLong(u64),
}

/// Reads one line onto the end of `buf`, keeping at most `limit` bytes of it in memory; says
/// how many bytes were consumed, newline included. Unless it read a [`LineRead::Line`], `buf`
/// is left as it was.
fn read_line_limited(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    limit: u64,
) -> std::io::Result<(LineRead, u64)> {
    let start = buf.len();
    let read = read_line_onto(reader, buf, start, limit);
    if !matches!(read, Ok((LineRead::Line, _))) {
        buf.truncate(start);
    }
    read
}

/// [`read_line_limited`], appending from `start`.
fn read_line_onto(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    start: usize,
    limit: u64,
) -> std::io::Result<(LineRead, u64)> {
    let mut total = 0u64;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            let read = match total {
                0 => LineRead::Eof,
                n if n > limit => LineRead::TooLong(n),
                _ => LineRead::Line,
            };
            return Ok((read, total));
        }
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        total += take as u64;
        if total <= limit + 1 {
            buf.extend_from_slice(&chunk[..take]);
        } else {
            buf.truncate(start);
        }
        reader.consume(take);
        if done {
            // The newline itself does not count against the limit.
            let read = if total - 1 > limit {
                LineRead::TooLong(total - 1)
            } else {
                LineRead::Line
            };
            return Ok((read, total));
        }
    }
}

/// The bytes of an open file, at most `limit` of them (a larger file is a problem).
fn read_open_file(
    path: &Path,
    file: std::fs::File,
    limit: u64,
    problems: &mut Vec<Error>,
) -> Option<Vec<u8>> {
    let too_large = |size: u64| Error::TooLarge {
        path: path.to_path_buf(),
        size,
        limit,
    };
    // Metadata first, so a huge file is refused without reading it; the read itself is capped
    // too, for files that grow or lie about their size (pipes, /proc).
    if let Ok(m) = file.metadata() {
        if m.is_file() && m.len() > limit {
            problems.push(too_large(m.len()));
            return None;
        }
    }
    let mut bytes = Vec::new();
    if let Err(source) = std::io::BufReader::new(file)
        .take(limit + 1)
        .read_to_end(&mut bytes)
    {
        problems.push(Error::Io {
            path: path.to_path_buf(),
            source,
        });
        return None;
    }
    if bytes.len() as u64 > limit {
        problems.push(too_large(bytes.len() as u64));
        return None;
    }
    Some(bytes)
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

/// A JSONL line; `T` is the text, or a check that it is one.
#[derive(serde::Deserialize)]
struct JsonDoc<T> {
    id: JsonId,
    text: T,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn jsonl_limited(input: &str, max_doc_bytes: u64) -> Loaded {
        read_jsonl(
            Path::new("in.jsonl"),
            input.as_bytes(),
            &LoadOptions {
                max_doc_bytes,
                ..LoadOptions::default()
            },
        )
    }

    fn jsonl(input: &str) -> Loaded {
        jsonl_limited(input, DEFAULT_MAX_DOC_BYTES)
    }

    #[test]
    fn long_lines_are_skipped_without_losing_the_next() {
        let long = format!("{{\"id\": \"big\", \"text\": \"{}\"}}", "x".repeat(5000));
        let small = "{\"id\": \"ok\", \"text\": \"court\"}";
        // With a 64-byte reader buffer the long line spans many reads.
        let input = format!("{long}\n{small}\n{long}");
        let l = read_jsonl(
            Path::new("in.jsonl"),
            std::io::BufReader::with_capacity(64, input.as_bytes()),
            &LoadOptions {
                max_doc_bytes: 100,
                ..LoadOptions::default()
            },
        );
        assert_eq!(l.documents.len(), 1);
        assert_eq!(l.documents[0].id, "ok");
        let msgs: Vec<String> = l.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs[0].starts_with("in.jsonl:1: line of 5025 bytes"),
            "{}",
            msgs[0]
        );
        assert!(msgs[1].starts_with("in.jsonl:3: "), "{}", msgs[1]);
        // Exactly at the limit is fine.
        let at = jsonl_limited(small, small.len() as u64);
        assert_eq!(at.documents.len(), 1);
    }

    #[test]
    fn lines_parsed_in_batches_come_out_in_order() {
        // Bad, blank and repeated lines on both sides of batch boundaries: documents and
        // problems come out as a line-by-line reading gives them, and a catalog reads every
        // text back from its place.
        let n = 2 * BATCH_LINES + 100;
        let bad = [1, BATCH_LINES, BATCH_LINES + 1, 2 * BATCH_LINES + 7];
        let mut input = String::new();
        let mut want = Vec::new();
        for line in 1..=n {
            if bad.contains(&line) {
                input.push_str("{\"id\": \"broken\n");
            } else if line == BATCH_LINES + 2 {
                input.push('\n');
            } else if line == BATCH_LINES + 3 {
                input.push_str("{\"id\": \"d2\", \"text\": \"répété\"}\n");
            } else {
                input.push_str(&format!(
                    "{{\"id\": \"d{line}\", \"text\": \"texte « {line} »\"}}\n"
                ));
                want.push((format!("d{line}"), format!("texte « {line} »")));
            }
        }
        let l = jsonl(&input);
        let got: Vec<(String, String)> = l
            .documents
            .iter()
            .map(|d| (d.id.clone(), d.text.clone()))
            .collect();
        assert_eq!(got, want);
        let lines: Vec<Option<u64>> = l
            .problems
            .iter()
            .map(|p| match p {
                Error::BadJsonLine { line, .. } => Some(*line),
                Error::DuplicateId { line, .. } => *line,
                _ => None,
            })
            .collect();
        let expected = [
            1,
            BATCH_LINES,
            BATCH_LINES + 1,
            BATCH_LINES + 3,
            2 * BATCH_LINES + 7,
        ];
        let expected: Vec<Option<u64>> = expected.iter().map(|&x| Some(x as u64)).collect();
        assert_eq!(lines, expected);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("many.jsonl");
        std::fs::write(&path, &input).unwrap();
        let c = catalog(&[path], &LoadOptions::default());
        assert_eq!(c.problems.len(), expected.len());
        let mut buf = String::new();
        let back: Vec<(String, String)> = (0..c.entries.len())
            .map(|i| {
                (
                    c.entries[i].id.clone(),
                    c.read(i, &mut buf).unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(back, want);
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

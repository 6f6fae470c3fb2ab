//! A corpus whose texts stay in their files: each document's id, date and URL, and where its
//! text is, read again whenever it is needed.
//!
//! `reprint scan` reads a text once to key it and again for each candidate pair it verifies.
//! Holding every text between the two costs as much memory as the corpus (153 MB for the
//! 60,000-document peer corpus, half of scan's peak; 2.5 GB at a million documents), and a
//! text's second reading from the page cache costs little next to its analysis. So a
//! [`Catalog`] keeps, per document, the file, the byte range of its JSONL line and a digest of
//! the bytes, and implements [`Texts`] by reading them again.
//!
//! # Invariants
//! - A catalog lists the same documents, in the same order, with the same ids, dates, URLs and
//!   problems as [`super::load_with`] on the same inputs, and each text it reads is the text
//!   `load_with` gives.
//! - A text is given only if the bytes read again have the digest of the first reading: a file
//!   changed (or truncated, or replaced) in the meantime gives [`Error::Changed`], never another
//!   text under the same id.
//! - Lines appended to a JSONL file after it was listed (a crawler writing as the scan reads)
//!   are not read, and the listed ones still are: they keep their offsets and bytes.
//! - JSONL from standard input cannot be read twice: its texts are held.

use super::{decode, read_open_file, LoadOptions, Loader};
use crate::error::Error;
use crate::scan::Texts;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One document of a [`Catalog`]: its id, date and URL, and where its text is.
#[derive(Debug)]
pub struct Entry {
    /// Unique id: relative path for directory input, the `id` field for JSONL.
    pub id: String,
    /// Publication date as given in JSONL.
    pub date: Option<String>,
    /// Source URL as given in JSONL.
    pub url: Option<String>,
    pub(super) origin: Origin,
}

/// Where a document's text is.
#[derive(Debug)]
pub(super) enum Origin {
    /// The whole of text file `file`.
    File { file: u32, hash: u64 },
    /// Line `line` of JSONL file `file`: `len` bytes from `offset`, newline included.
    Line {
        file: u32,
        line: u64,
        offset: u64,
        len: u64,
        hash: u64,
    },
    /// Row `row` of block `block` of a catalog's Parquet files ([`super::parquet`]).
    #[cfg(feature = "parquet")]
    Row { block: u32, row: u32, hash: u64 },
    /// In memory (standard input; and every text of [`super::load_with`]).
    Held(String),
}

/// The files a catalog reads and its entries, while inputs are read.
#[derive(Default)]
pub(super) struct Place {
    pub(super) entries: Vec<Entry>,
    files: Vec<(PathBuf, Option<File>)>,
    open_files: usize,
    #[cfg(feature = "parquet")]
    pub(super) tables: super::parquet::Tables,
}

/// JSONL and Parquet files kept open, at most: a directory of thousands of them must not exhaust
/// the process's file descriptors (often 1,024). Texts of the others are read by opening the file.
const MAX_OPEN_FILES: usize = 64;

impl Place {
    /// Numbers a file; the first [`MAX_OPEN_FILES`] JSONL files are kept open (their lines are
    /// read again by position).
    pub(super) fn add_file(
        &mut self,
        path: &Path,
        file: &File,
        jsonl: bool,
    ) -> std::io::Result<u32> {
        let open = if jsonl && self.keep_open() {
            Some(file.try_clone()?)
        } else {
            None
        };
        self.files.push((path.to_path_buf(), open));
        Ok(self.files.len() as u32 - 1)
    }

    /// Whether one more file (JSONL or Parquet) may be kept open; it is counted if so.
    pub(super) fn keep_open(&mut self) -> bool {
        let keep = self.open_files < MAX_OPEN_FILES;
        self.open_files += usize::from(keep);
        keep
    }
}

/// Documents read from files, their texts left there. See the module docs.
pub struct Catalog {
    /// The documents, in input order.
    pub entries: Vec<Entry>,
    /// Problems met reading the inputs the first time, each naming its input.
    pub problems: Vec<Error>,
    /// Files in directories that were not read because of their extension or a leading dot.
    pub skipped_files: usize,
    files: Vec<(PathBuf, Option<File>)>,
    max_doc_bytes: u64,
    #[cfg(feature = "parquet")]
    tables: super::parquet::Tables,
    /// Texts that could not be read again, by document (see [`Catalog::reread_problems`]).
    failed: Mutex<Vec<(usize, Error)>>,
}

/// Reads every input as [`super::load_with`] does, keeping where each text is rather than the
/// text.
pub fn catalog(paths: &[PathBuf], options: &LoadOptions) -> Catalog {
    let mut loader = Loader::new(options, Some(Place::default()));
    loader.read_all(paths);
    let place = loader.located.take().unwrap_or_default();
    Catalog {
        entries: place.entries,
        problems: loader.loaded.problems,
        skipped_files: loader.loaded.skipped_files,
        files: place.files,
        max_doc_bytes: options.max_doc_bytes,
        #[cfg(feature = "parquet")]
        tables: place.tables,
        failed: Mutex::new(Vec::new()),
    }
}

/// The digest that tells a text's bytes read again from the bytes first read.
pub(super) fn digest(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

impl Catalog {
    /// How many documents there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Document `i`'s text, read again (into `buf`) unless it is held.
    pub fn read<'a>(&'a self, i: usize, buf: &'a mut String) -> Result<&'a str, Error> {
        if let Origin::Held(text) = &self.entries[i].origin {
            return Ok(text);
        }
        *buf = self.reread(&self.entries[i].origin)?;
        Ok(buf)
    }

    /// The text at `origin`, from its file.
    fn reread(&self, origin: &Origin) -> Result<String, Error> {
        let (file, line, hash, bytes) = match *origin {
            Origin::Held(ref text) => return Ok(text.clone()),
            #[cfg(feature = "parquet")]
            Origin::Row { block, row, hash } => return self.tables.read(block, row, hash),
            Origin::File { file, hash } => {
                let path = &self.files[file as usize].0;
                let opened = File::open(path).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
                let mut problems = Vec::new();
                let bytes = read_open_file(path, opened, self.max_doc_bytes, &mut problems);
                match (bytes, problems.pop()) {
                    (Some(bytes), _) => (file, None, hash, bytes),
                    (None, Some(e)) => return Err(e),
                    (None, None) => return Err(self.changed(file, None)),
                }
            }
            Origin::Line {
                file,
                line,
                offset,
                len,
                hash,
            } => {
                let (path, open) = &self.files[file as usize];
                let mut bytes = vec![0; len as usize];
                let read = match open {
                    Some(f) => read_exact_at(f, path, &mut bytes, offset),
                    None => {
                        File::open(path).and_then(|f| read_exact_at(&f, path, &mut bytes, offset))
                    }
                };
                read.map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
                (file, Some(line), hash, bytes)
            }
        };
        if digest(&bytes) != hash {
            return Err(self.changed(file, line));
        }
        let path = &self.files[file as usize].0;
        let text = match line {
            None => decode(path, bytes, &mut Vec::new()),
            // The digest says these are the bytes first read: valid UTF-8 and a document.
            Some(_) => String::from_utf8(bytes).ok().and_then(|l| {
                let l = l.trim_start_matches('\u{feff}');
                serde_json::from_str::<JsonText>(l).ok().map(|d| d.text)
            }),
        };
        text.ok_or_else(|| self.changed(file, line))
    }

    fn changed(&self, file: u32, line: Option<u64>) -> Error {
        Error::Changed {
            path: self.files[file as usize].0.clone(),
            line,
        }
    }

    /// The texts that [`Texts::text`] could not read again (each given as empty), in document
    /// order, once each; taken, so a second call gives only what failed since.
    pub fn reread_problems(&self) -> Vec<(usize, Error)> {
        let mut failed =
            std::mem::take(&mut *self.failed.lock().unwrap_or_else(|e| e.into_inner()));
        failed.sort_by_key(|f| f.0);
        failed.dedup_by_key(|f| f.0);
        failed
    }
}

/// A document whose text cannot be read again is empty to scan (it pairs with nothing); the
/// reason is kept for [`Catalog::reread_problems`].
impl Texts for Catalog {
    fn len(&self) -> usize {
        Catalog::len(self)
    }

    fn text<'a>(&'a self, i: usize, buf: &'a mut String) -> &'a str {
        match self.read(i, buf) {
            Ok(text) => text,
            Err(e) => {
                self.failed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((i, e));
                ""
            }
        }
    }
}

/// The text of a JSONL line, nothing else.
#[derive(serde::Deserialize)]
struct JsonText {
    text: String,
}

/// The `text` of a JSONL line, checked to be a string and dropped.
pub(super) struct CheckedText;

impl<'de> serde::Deserialize<'de> for CheckedText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = CheckedText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<CheckedText, E> {
                Ok(CheckedText)
            }
        }
        d.deserialize_str(Visitor)
    }
}

/// Reads `buf.len()` bytes at `offset` of `file` (open at `path`), from any thread.
#[cfg(unix)]
pub(super) fn read_exact_at(
    file: &File,
    _: &Path,
    buf: &mut [u8],
    offset: u64,
) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
pub(super) fn read_exact_at(
    file: &File,
    _: &Path,
    mut buf: &mut [u8],
    mut offset: u64,
) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
pub(super) fn read_exact_at(
    _: &File,
    path: &Path,
    buf: &mut [u8],
    offset: u64,
) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    // A cursor shared between threads would race: a handle of its own.
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    f.read_exact(buf)
}

#[cfg(test)]
mod tests {
    use super::super::load_with;
    use super::*;
    use std::io::Write;

    /// The documents and problems of a catalog, its texts read again, as `load_with` gives them.
    fn same_as_loaded(paths: &[PathBuf], options: &LoadOptions) -> Catalog {
        let loaded = load_with(paths, options);
        let c = catalog(paths, options);
        let msgs = |ps: &[Error]| ps.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        assert_eq!(msgs(&c.problems), msgs(&loaded.problems));
        assert_eq!(c.skipped_files, loaded.skipped_files);
        assert_eq!(c.len(), loaded.documents.len());
        let mut buf = String::new();
        for (i, (e, d)) in c.entries.iter().zip(&loaded.documents).enumerate() {
            assert_eq!((&e.id, &e.date, &e.url), (&d.id, &d.date, &d.url));
            assert_eq!(c.read(i, &mut buf).unwrap(), d.text, "{}", e.id);
            assert_eq!(c.text(i, &mut buf), d.text);
        }
        assert!(c.reread_problems().is_empty());
        c
    }

    #[test]
    fn reads_the_shipped_corpus_as_load_does() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
        let c = same_as_loaded(&[root], &LoadOptions::default());
        assert!(c.len() > 50);
        // Text files are read again by path: none is held open.
        assert!(c.files.iter().all(|(_, open)| open.is_none()));
    }

    #[test]
    fn reads_awkward_inputs_as_load_does() {
        let dir = tempfile::tempdir().unwrap();
        let p = |name: &str| dir.path().join(name);
        let long = "x".repeat(300);
        let jsonl = format!(
            "\u{feff}{{\"id\": \"a\", \"text\": \"caf\\u00e9 « noir »\\n\", \"date\": \"2022-09-07\"}}\n\
             \n\
             not json\n\
             {{\"id\": 7, \"text\": \"deux\", \"url\": \"https://example.org/7\"}}\r\n\
             {{\"id\": \"long\", \"text\": \"{long}\"}}\n\
             {{\"id\": \"n\", \"text\": 3}}\n\
             {{\"id\": \"a\", \"text\": \"dup\"}}\n\
             {{\"id\": \"last\", \"text\": \"sans fin de ligne\"}}"
        );
        std::fs::write(p("b.jsonl"), jsonl).unwrap();
        std::fs::write(p("a.txt"), b"caf\xe9 noir").unwrap();
        std::fs::write(p("c.txt"), [0xFF, 0xFE, b'o', 0, b'k', 0]).unwrap();
        std::fs::write(p("d.txt"), b"bin\0ary").unwrap();
        std::fs::write(p("e.md"), "# Titre\n\nTexte.").unwrap();
        std::fs::write(p("skip.bin"), "x").unwrap();
        let options = LoadOptions {
            max_doc_bytes: 200,
            ..LoadOptions::default()
        };
        let c = same_as_loaded(&[dir.path().to_path_buf(), p("e.md")], &options);
        let ids: Vec<&str> = c.entries.iter().map(|e| e.id.as_str()).collect();
        assert!(ids.contains(&"7") && ids.contains(&"last"), "{ids:?}");
        assert_eq!(c.problems.len(), 7, "{:?}", c.problems);
    }

    #[test]
    fn many_jsonl_files_are_not_all_kept_open() {
        let dir = tempfile::tempdir().unwrap();
        let n = MAX_OPEN_FILES + 6;
        for f in 0..n {
            let lines: String = (0..3)
                .map(|l| format!("{{\"id\": \"{f}-{l}\", \"text\": \"fichier {f} ligne {l}\"}}\n"))
                .collect();
            std::fs::write(dir.path().join(format!("{f:03}.jsonl")), lines).unwrap();
        }
        let c = same_as_loaded(&[dir.path().to_path_buf()], &LoadOptions::default());
        assert_eq!(c.len(), 3 * n);
        let open = c.files.iter().filter(|f| f.1.is_some()).count();
        assert_eq!(open, MAX_OPEN_FILES);
        // A file read by path is checked as one held open.
        let last = dir.path().join(format!("{:03}.jsonl", n - 1));
        let mut bytes = std::fs::read(&last).unwrap();
        bytes[30] = b'X';
        std::fs::write(&last, bytes).unwrap();
        let err = c
            .read(3 * n - 3, &mut String::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("changed"), "{err}");
    }

    #[test]
    fn standard_input_is_held() {
        // What `catalog` does for `-`: JSONL with no file to read again.
        let mut loader = Loader::new(&LoadOptions::default(), Some(Place::default()));
        loader.read_jsonl(
            Path::new("-"),
            &b"{\"id\": 1, \"text\": \"un\"}\n"[..],
            None,
        );
        let entries = loader.located.unwrap().entries;
        assert!(matches!(&entries[0].origin, Origin::Held(t) if t == "un"));
    }

    #[test]
    fn a_changed_file_gives_an_error_never_another_text() {
        let dir = tempfile::tempdir().unwrap();
        let (txt, jsonl) = (dir.path().join("a.txt"), dir.path().join("b.jsonl"));
        std::fs::write(&txt, "Le conseil a voté le budget.").unwrap();
        let lines =
            "{\"id\": \"x\", \"text\": \"premier\"}\n{\"id\": \"y\", \"text\": \"second\"}\n";
        std::fs::write(&jsonl, lines).unwrap();
        let c = catalog(&[dir.path().to_path_buf()], &LoadOptions::default());
        assert_eq!(c.len(), 3);
        let mut buf = String::new();
        assert_eq!(c.read(2, &mut buf).unwrap(), "second");

        // Same length, other words: only the digest tells.
        std::fs::write(&txt, "Le conseil a voté le budjet.").unwrap();
        // One line rewritten in place (the open handle sees it), the other untouched.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&jsonl)
            .unwrap();
        f.write_all(b"{\"id\": \"x\", \"text\": \"PREMIER\"}")
            .unwrap();
        drop(f);
        let err = c.read(0, &mut buf).unwrap_err().to_string();
        assert!(err.contains("a.txt") && err.contains("changed"), "{err}");
        let err = c.read(1, &mut buf).unwrap_err().to_string();
        assert!(
            err.contains("b.jsonl:1") && err.contains("changed"),
            "{err}"
        );
        assert_eq!(c.read(2, &mut buf).unwrap(), "second");

        // Truncated: the line is past the end.
        std::fs::OpenOptions::new()
            .write(true)
            .open(&jsonl)
            .unwrap()
            .set_len(40)
            .unwrap();
        assert!(matches!(c.read(2, &mut buf), Err(Error::Io { .. })));
        // Gone.
        std::fs::remove_file(&txt).unwrap();
        assert!(matches!(c.read(0, &mut buf), Err(Error::Io { .. })));

        // Scan's view: empty texts, and each document's problem once, in order.
        for i in [2, 0, 1, 0, 2] {
            assert_eq!(c.text(i, &mut buf), "");
        }
        let failed: Vec<usize> = c.reread_problems().iter().map(|f| f.0).collect();
        assert_eq!(failed, [0, 1, 2]);
        assert!(c.reread_problems().is_empty());
    }

    #[test]
    fn lines_appended_to_a_jsonl_file_leave_the_listed_ones_readable() {
        // A crawler appends to the file it writes while a scan reads it: the listed lines keep
        // their offsets and bytes.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pages.jsonl");
        std::fs::write(&path, "{\"id\": \"a\", \"text\": \"premier\"}\n").unwrap();
        let c = catalog(std::slice::from_ref(&path), &LoadOptions::default());
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"id\": \"b\", \"text\": \"second\"}\n")
            .unwrap();
        drop(f);
        assert_eq!(c.len(), 1);
        assert_eq!(c.read(0, &mut String::new()).unwrap(), "premier");
    }

    #[test]
    fn scan_of_a_catalog_is_scan_of_the_texts() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
        let loaded = load_with(std::slice::from_ref(&root), &LoadOptions::default());
        let texts: Vec<&str> = loaded.documents.iter().map(|d| d.text.as_str()).collect();
        let c = catalog(&[root], &LoadOptions::default());
        let d = crate::Detector::default();
        let options = crate::scan::ScanOptions::default();
        let held = crate::scan::scan(&d, &texts, &options, &());
        let read = crate::scan::scan_texts(&d, &c, &options, &());
        assert_eq!(held.stats, read.stats);
        assert_eq!(held.pairs, read.pairs);
        assert!(held.stats.reported > 50);
    }
}

//! The library's error type.
use std::path::PathBuf;

/// Everything that can go wrong in the library. Variants that concern a file carry its path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter is out of its valid range.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter's name as the user knows it.
        name: &'static str,
        /// What is wrong with the value.
        reason: String,
    },
    /// A file or directory could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A line of a JSONL input is not a valid document object.
    #[error("{}:{line}: {reason}", path.display())]
    BadJsonLine {
        /// The JSONL file (`-` for standard input).
        path: PathBuf,
        /// The 1-based line number.
        line: u64,
        /// What is wrong with the line.
        reason: String,
    },
    /// A bilingual lexicon (`--lexicon`) cannot be used.
    #[error("{}:{line}: {reason}", path.display())]
    BadLexicon {
        /// The lexicon file.
        path: PathBuf,
        /// The 1-based line number (0: the file as a whole).
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// A line of a labels file is malformed.
    #[error("{}:{line}: {reason}", path.display())]
    BadLabel {
        /// The labels file.
        path: PathBuf,
        /// The 1-based line number.
        line: u64,
        /// What is wrong with the line.
        reason: String,
    },
    /// A file is larger than the document size limit and was skipped unread.
    #[error("{}: {size} bytes is over the limit of {limit} bytes (--max-doc-bytes); skipped", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes (at least; reading stops past the limit).
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// A file is not valid UTF-8. It was decoded with U+FFFD replacement characters and still used.
    #[error("{}: not valid UTF-8 (first bad byte at offset {offset}); decoded with replacement characters", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// A file looks binary (it contains NUL bytes) and was skipped.
    #[error("{}: binary file (NUL byte at offset {offset}); skipped", path.display())]
    Binary {
        /// The file.
        path: PathBuf,
        /// Byte offset of the first NUL byte.
        offset: usize,
    },
    /// Two documents have the same id; the later one was skipped.
    #[error("{}{}: duplicate document id {id:?}; this copy skipped", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    DuplicateId {
        /// Where the second document came from.
        path: PathBuf,
        /// Its line, for JSONL input.
        line: Option<u64>,
        /// The repeated id.
        id: String,
    },
    /// A document's file changed between two readings of its text (a corpus read again from
    /// its files: [`crate::input::Catalog`]). Nothing else was read in its place.
    #[error("{}{}: changed since it was first read; its text was not read again", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Changed {
        /// The file.
        path: PathBuf,
        /// The document's line, for JSONL input.
        line: Option<u64>,
    },
    /// A Parquet input could not be used (not Parquet, no text column, a column of the wrong
    /// type; `row` is `None`, and the file was skipped), or one of its rows was skipped (its
    /// text null, say; `row` counts from 0, as pyarrow and pandas do).
    #[error("{}{}: {reason}", path.display(), row.map(|r| format!(": row {r}")).unwrap_or_default())]
    BadParquet {
        /// The file.
        path: PathBuf,
        /// The row, counted from 0 in the file; `None` when the problem is the file's.
        row: Option<u64>,
        /// What is wrong.
        reason: String,
    },
    /// A file of a persisted [`Index`](crate::index::Index) is damaged, truncated, of another
    /// format version, or not an index file at all. Nothing was loaded from it.
    #[error("{}: {reason}", path.display())]
    CorruptIndex {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the byte offset when there is one.
        reason: String,
    },
}

impl Error {
    /// True for problems after which the input was still used (lossy decoding), false when the
    /// input, or part of it, was skipped.
    pub fn is_warning_only(&self) -> bool {
        matches!(self, Error::NotUtf8 { .. })
    }
}

/// What turns an I/O error on `path` into the library's [`Error::Io`], for `map_err`.
pub(crate) fn io_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Shorthand for results with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

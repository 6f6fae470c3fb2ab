//! Parquet input (feature `parquet`): one document per row, its text from a string column
//! ([`LoadOptions::text_column`], default `text`) and its id from another
//! ([`LoadOptions::id_column`], default `id`: strings, or integers written in decimal).
//!
//! - Without an id column, a row's id is the file's id (as a text file at that place would have
//!   it) followed by `#` and the row, counted from 0 in the file as pyarrow and pandas count:
//!   `train.parquet#41`.
//! - A file that is not Parquet, has no such text column, or whose columns are not strings (or
//!   integers, for ids) is reported and skipped; a row whose text or id is null or not UTF-8, or
//!   whose text is over [`LoadOptions::max_doc_bytes`], is reported with its row and skipped.
//! - Only top-level columns are read (not a field of a struct or a list), with the `parquet`
//!   crate's column readers: a thousand rows at a time, so that a file many times the memory
//!   can be read.
//!
//! A [`super::Catalog`] does not hold the texts: it records, per document, a block of rows
//! (about [`BLOCK_BYTES`] of text, within one row group) and the row's place and digest in it.
//! A text read again decodes its block's text column, skipping the pages before it unread; the
//! last few blocks decoded are kept ([`Tables`]), because a scan reads its texts in runs of
//! neighbours, and a page is compressed whole: decoding a block per text would decompress the
//! same pages once for every row on them.

use super::catalog::{digest, read_exact_at, Origin};
use super::{LoadOptions, Loader};
use crate::error::Error;
use parquet::basic::{LogicalType, Type as PhysicalType};
use parquet::column::reader::ColumnReaderImpl;
use parquet::data_type::{ByteArray, ByteArrayType, DataType, Int32Type, Int64Type};
use parquet::file::reader::{
    ChunkReader, FileReader, Length, RowGroupReader, SerializedFileReader,
};
use parquet::schema::types::SchemaDescriptor;
use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Rows read at a time in the first reading.
const BATCH: usize = 1024;

/// The text a block of rows holds, about: a pyarrow data page's size, so that decoding a block
/// decompresses about one page more than the block itself.
const BLOCK_BYTES: u64 = 1 << 20;

/// The rows of a block, at most: rows of empty or null texts add no bytes, and a block of
/// millions of them would still cost memory to decode.
const BLOCK_ROWS: u64 = 1 << 16;

/// Decoded blocks kept for texts read again: a few per thread, since each thread reads a run of
/// neighbouring documents. At [`BLOCK_BYTES`] each, a few MiB.
fn cached_blocks() -> usize {
    2 * rayon::current_num_threads() + 2
}

type Reader = SerializedFileReader<Positioned>;

/// A file read by position: the `parquet` crate's reader for [`File`] seeks a handle shared by
/// every reader of the file (`try_clone`), so that two threads reading texts of one file again
/// would read at each other's offsets.
struct Positioned {
    file: Arc<File>,
    path: Arc<Path>,
    len: u64,
}

impl Positioned {
    fn new(file: File, path: &Path) -> std::io::Result<Positioned> {
        let len = file.metadata()?.len();
        Ok(Positioned {
            file: Arc::new(file),
            path: path.into(),
            len,
        })
    }
}

impl Length for Positioned {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for Positioned {
    type T = std::io::BufReader<ReadAt>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(std::io::BufReader::new(ReadAt {
            file: self.file.clone(),
            path: self.path.clone(),
            offset: start,
        }))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let mut buf = vec![0; length];
        read_exact_at(&self.file, &self.path, &mut buf, start)?;
        Ok(buf.into())
    }
}

/// Reads a file from an offset of its own.
struct ReadAt {
    file: Arc<File>,
    path: Arc<Path>,
    offset: u64,
}

impl std::io::Read for ReadAt {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = read_at(&self.file, &self.path, buf, self.offset)?;
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn read_at(file: &File, _: &Path, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, _: &Path, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

#[cfg(not(any(unix, windows)))]
fn read_at(_: &File, path: &Path, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    f.read(buf)
}

/// A Parquet file of a catalog.
struct Source {
    path: PathBuf,
    /// Kept open for the first files (as JSONL files are); the others are opened again.
    reader: Option<Arc<Reader>>,
    text_column: usize,
    /// 0 when the text column is `required` (no nulls).
    max_def: i16,
}

/// Rows `first..first + rows` of row group `group` of a source.
struct Block {
    source: u32,
    group: u32,
    /// The row group's first row, in the file (for messages).
    group_start: u64,
    first: u64,
    rows: u32,
}

/// A block's texts, by row in the block; `None` for a null.
type Decoded = Result<Vec<Option<ByteArray>>, String>;

/// The Parquet files of a catalog, their blocks, and the blocks last decoded.
#[derive(Default)]
pub(super) struct Tables {
    sources: Vec<Source>,
    blocks: Vec<Block>,
    /// The block being filled while a file is listed: its number and its text bytes so far.
    filling: Option<(u32, u64)>,
    /// Most recently used first.
    cache: Mutex<VecDeque<(u32, Arc<OnceLock<Decoded>>)>>,
}

impl std::fmt::Debug for Tables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tables")
            .field("files", &self.sources.len())
            .field("blocks", &self.blocks.len())
            .finish()
    }
}

impl Tables {
    /// The place of a row of row group `group` of source `source` (`(group_start, row)`:
    /// the group's first row in the file, the row in the group), whose text has `len` bytes:
    /// in the block being filled, or a new one.
    fn place(
        &mut self,
        source: u32,
        group: u32,
        (group_start, row): (u64, u64),
        len: u64,
    ) -> (u32, u32) {
        if let Some((b, bytes)) = &mut self.filling {
            let block = &mut self.blocks[*b as usize];
            if block.source == source
                && block.group == group
                && *bytes < BLOCK_BYTES
                && row - block.first < BLOCK_ROWS
            {
                // Rows skipped in between (nulls, say) are part of the block, unused.
                block.rows = (row - block.first + 1) as u32;
                *bytes += len;
                return (*b, (row - block.first) as u32);
            }
        }
        self.blocks.push(Block {
            source,
            group,
            group_start,
            first: row,
            rows: 1,
        });
        let b = self.blocks.len() as u32 - 1;
        self.filling = Some((b, len));
        (b, 0)
    }

    /// The text of row `row` of block `block`, read again and checked against its digest.
    pub(super) fn read(&self, block: u32, row: u32, hash: u64) -> Result<String, Error> {
        let b = &self.blocks[block as usize];
        let source = &self.sources[b.source as usize];
        let cell = self.cell(block);
        let decoded = cell.get_or_init(|| decode(source, b));
        let texts = decoded.as_ref().map_err(|reason| Error::BadParquet {
            path: source.path.clone(),
            row: Some(b.group_start + b.first + row as u64),
            reason: format!("cannot be read again: {reason}"),
        })?;
        let changed = || Error::Changed {
            path: source.path.clone(),
            line: None,
        };
        let bytes = texts
            .get(row as usize)
            .and_then(|t| t.as_ref())
            .ok_or_else(changed)?;
        if digest(bytes.data()) != hash {
            return Err(changed());
        }
        // The digest says these are the bytes first read, which were UTF-8.
        std::str::from_utf8(bytes.data())
            .map(str::to_owned)
            .map_err(|_| changed())
    }

    /// The cache's cell for a block: found, or made (and then decoded by its first reader while
    /// the others that want it wait, instead of decoding it again).
    fn cell(&self, block: u32) -> Arc<OnceLock<Decoded>> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = cache.iter().position(|(b, _)| *b == block) {
            let hit = cache.remove(at).expect("found above");
            cache.push_front((block, hit.1.clone()));
            return hit.1;
        }
        let cell = Arc::new(OnceLock::new());
        cache.push_front((block, cell.clone()));
        cache.truncate(cached_blocks());
        cell
    }
}

fn open(path: &Path) -> Result<Reader, String> {
    let file = File::open(path).and_then(|f| Positioned::new(f, path));
    SerializedFileReader::new(file.map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

/// A block's texts, decoded from its file.
fn decode(source: &Source, b: &Block) -> Decoded {
    let reader = match &source.reader {
        Some(r) => r.clone(),
        None => Arc::new(open(&source.path)?),
    };
    let err = |e: parquet::errors::ParquetError| e.to_string();
    if b.group as usize >= reader.num_row_groups() {
        return Err("the file has fewer row groups than when it was first read".into());
    }
    let group = reader.get_row_group(b.group as usize).map_err(err)?;
    let mut column = typed::<ByteArrayType>(&*group, source.text_column)?;
    // Whole pages before the block are skipped by their headers, not decompressed.
    if column.skip_records(b.first as usize).map_err(err)? != b.first as usize {
        return Err("the row group is shorter than when it was first read".into());
    }
    let mut texts = Vec::with_capacity(b.rows as usize);
    let (mut defs, mut values) = (Vec::new(), Vec::new());
    while texts.len() < b.rows as usize {
        let want = b.rows as usize - texts.len();
        let rows = read_batch(&mut column, want, source.max_def, &mut defs, &mut values)?;
        if rows == 0 {
            return Err("the row group is shorter than when it was first read".into());
        }
        texts.extend(present(rows, source.max_def, &defs, values.drain(..)));
    }
    Ok(texts)
}

/// Column `i` of a row group, read as `T` (whose physical type was checked).
fn typed<T: DataType>(group: &dyn RowGroupReader, i: usize) -> Result<ColumnReaderImpl<T>, String> {
    let reader = group.get_column_reader(i).map_err(|e| e.to_string())?;
    T::get_column_reader(reader).ok_or_else(|| "a column changed type".to_owned())
}

/// Reads up to `max` rows into `defs` and `values` (cleared first); how many were read.
fn read_batch<T: DataType>(
    column: &mut ColumnReaderImpl<T>,
    max: usize,
    max_def: i16,
    defs: &mut Vec<i16>,
    values: &mut Vec<T::T>,
) -> Result<usize, String> {
    defs.clear();
    values.clear();
    let defs = (max_def > 0).then_some(defs);
    let (rows, _, _) = column
        .read_records(max, defs, None, values)
        .map_err(|e| e.to_string())?;
    Ok(rows)
}

/// The `rows` values of a batch, `None` where the definition level says null.
fn present<'a, V: 'a>(
    rows: usize,
    max_def: i16,
    defs: &'a [i16],
    mut values: impl Iterator<Item = V> + 'a,
) -> impl Iterator<Item = Option<V>> + 'a {
    (0..rows).map(move |r| {
        if max_def == 0 || defs[r] == max_def {
            values.next()
        } else {
            None
        }
    })
}

/// How a file's ids are read.
enum Ids {
    /// None: made from the file's id and the row.
    Made,
    Text {
        column: usize,
        max_def: i16,
    },
    Int32 {
        column: usize,
        max_def: i16,
        unsigned: bool,
    },
    Int64 {
        column: usize,
        max_def: i16,
        unsigned: bool,
    },
}

/// The columns of a file: the text's, its `max_def`, and how ids are read; or why the file
/// cannot be used.
fn columns(schema: &SchemaDescriptor, options: &LoadOptions) -> Result<(usize, i16, Ids), String> {
    let find = |name: &str| -> Result<Option<usize>, String> {
        let found = schema
            .columns()
            .iter()
            .position(|c| c.path().parts() == [name]);
        match found {
            Some(i) if schema.column(i).max_rep_level() > 0 => {
                Err(format!("column `{name}` is a list, not one value per row"))
            }
            Some(i) => Ok(Some(i)),
            None if schema
                .root_schema()
                .get_fields()
                .iter()
                .any(|f| f.name() == name) =>
            {
                Err(format!(
                    "column `{name}` is nested (a struct or a list), not a flat column"
                ))
            }
            None => Ok(None),
        }
    };
    let names = || {
        let all: Vec<&str> = schema
            .root_schema()
            .get_fields()
            .iter()
            .map(|f| f.name())
            .collect();
        all.join(", ")
    };
    let kind = |i: usize| format!("{}", schema.column(i).physical_type());
    let text = find(&options.text_column)?.ok_or_else(|| {
        format!(
            "no column `{}` (--text-column) among: {}",
            options.text_column,
            names()
        )
    })?;
    if schema.column(text).physical_type() != PhysicalType::BYTE_ARRAY {
        return Err(format!(
            "column `{}` holds {}, not strings",
            options.text_column,
            kind(text)
        ));
    }
    let ids = match find(&options.id_column)? {
        None => Ids::Made,
        Some(column) => {
            let c = schema.column(column);
            let max_def = c.max_def_level();
            let unsigned = matches!(
                c.logical_type_ref(),
                Some(LogicalType::Integer(t)) if !t.is_signed
            ) || matches!(
                c.converted_type(),
                parquet::basic::ConvertedType::UINT_8
                    | parquet::basic::ConvertedType::UINT_16
                    | parquet::basic::ConvertedType::UINT_32
                    | parquet::basic::ConvertedType::UINT_64
            );
            match c.physical_type() {
                PhysicalType::BYTE_ARRAY => Ids::Text { column, max_def },
                PhysicalType::INT32 => Ids::Int32 {
                    column,
                    max_def,
                    unsigned,
                },
                PhysicalType::INT64 => Ids::Int64 {
                    column,
                    max_def,
                    unsigned,
                },
                _ => {
                    return Err(format!(
                        "column `{}` (--id-column) holds {}, not strings or integers",
                        options.id_column,
                        kind(column)
                    ))
                }
            }
        }
    };
    Ok((text, schema.column(text).max_def_level(), ids))
}

/// A row group's id column, being read alongside its text column.
enum IdReader {
    Made,
    Text(ColumnReaderImpl<ByteArrayType>, i16),
    Int32(ColumnReaderImpl<Int32Type>, i16, bool),
    Int64(ColumnReaderImpl<Int64Type>, i16, bool),
}

impl IdReader {
    fn new(group: &dyn RowGroupReader, ids: &Ids) -> Result<IdReader, String> {
        Ok(match *ids {
            Ids::Made => IdReader::Made,
            Ids::Text { column, max_def } => IdReader::Text(typed(group, column)?, max_def),
            Ids::Int32 {
                column,
                max_def,
                unsigned,
            } => IdReader::Int32(typed(group, column)?, max_def, unsigned),
            Ids::Int64 {
                column,
                max_def,
                unsigned,
            } => IdReader::Int64(typed(group, column)?, max_def, unsigned),
        })
    }

    /// The ids of the next `rows` rows (`Err` says why a row has none), or `None` when they
    /// are made from the row.
    fn read(&mut self, rows: usize) -> Result<Option<Vec<Result<String, &'static str>>>, String> {
        fn batch<T: DataType, F: Fn(T::T) -> Result<String, &'static str>>(
            column: &mut ColumnReaderImpl<T>,
            rows: usize,
            max_def: i16,
            show: F,
        ) -> Result<Vec<Result<String, &'static str>>, String> {
            let (mut defs, mut values) = (Vec::new(), Vec::new());
            let got = read_batch(column, rows, max_def, &mut defs, &mut values)?;
            if got != rows {
                return Err(format!(
                    "the id column has {got} rows where the text column has {rows}"
                ));
            }
            Ok(present(rows, max_def, &defs, values.into_iter())
                .map(|v| v.ok_or("id is null").and_then(&show))
                .collect())
        }
        let ids = match self {
            IdReader::Made => return Ok(None),
            IdReader::Text(c, max_def) => batch(c, rows, *max_def, |v: ByteArray| {
                std::str::from_utf8(v.data())
                    .map(str::to_owned)
                    .map_err(|_| "id is not valid UTF-8")
            })?,
            IdReader::Int32(c, max_def, unsigned) => {
                let unsigned = *unsigned;
                batch(c, rows, *max_def, move |v: i32| {
                    Ok(if unsigned {
                        (v as u32).to_string()
                    } else {
                        v.to_string()
                    })
                })?
            }
            IdReader::Int64(c, max_def, unsigned) => {
                let unsigned = *unsigned;
                batch(c, rows, *max_def, move |v: i64| {
                    Ok(if unsigned {
                        (v as u64).to_string()
                    } else {
                        v.to_string()
                    })
                })?
            }
        };
        Ok(Some(ids))
    }
}

impl Loader {
    /// Reads the rows of Parquet file `path` (open as `file`), whose documents are named after
    /// `file_id` when it has no id column.
    pub(super) fn read_parquet(&mut self, path: &Path, file: File, file_id: &str) {
        let bad = |row: Option<u64>, reason: String| Error::BadParquet {
            path: path.to_path_buf(),
            row,
            reason,
        };
        let file = match Positioned::new(file, path) {
            Ok(f) => f,
            Err(source) => {
                return self.problem(Error::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let reader = match SerializedFileReader::new(file) {
            Ok(r) => Arc::new(r),
            Err(e) => return self.problem(bad(None, format!("not a Parquet file ({e}); skipped"))),
        };
        let schema = reader.metadata().file_metadata().schema_descr();
        let (text_column, max_def, ids) = match columns(schema, &self.options) {
            Ok(c) => c,
            Err(reason) => return self.problem(bad(None, format!("{reason}; skipped"))),
        };
        let source = self.located.as_mut().map(|place| {
            let keep_open = place.keep_open();
            let tables = &mut place.tables;
            tables.sources.push(Source {
                path: path.to_path_buf(),
                reader: keep_open.then(|| reader.clone()),
                text_column,
                max_def,
            });
            tables.filling = None;
            tables.sources.len() as u32 - 1
        });
        let file = FileRows {
            path,
            file_id,
            source,
            text_column,
            max_def,
            ids,
        };
        let mut row = 0u64;
        for g in 0..reader.num_row_groups() {
            if let Err(reason) = self.read_group(&file, &reader, g, &mut row) {
                let reason = format!("{reason}; the rest of the file skipped");
                return self.problem(bad(Some(row), reason));
            }
        }
    }

    /// Reads row group `g`; `row` is the number in the file of its next row.
    fn read_group(
        &mut self,
        file: &FileRows,
        reader: &Reader,
        g: usize,
        row: &mut u64,
    ) -> Result<(), String> {
        let group = reader.get_row_group(g).map_err(|e| e.to_string())?;
        let mut texts = typed::<ByteArrayType>(&*group, file.text_column)?;
        let mut id_reader = IdReader::new(&*group, &file.ids)?;
        let (mut defs, mut values) = (Vec::new(), Vec::new());
        let mut in_group = 0u64;
        loop {
            let rows = read_batch(&mut texts, BATCH, file.max_def, &mut defs, &mut values)?;
            if rows == 0 {
                return Ok(());
            }
            let ids = id_reader.read(rows)?;
            let batch: Vec<Option<ByteArray>> =
                present(rows, file.max_def, &defs, values.drain(..)).collect();
            for (k, text) in batch.into_iter().enumerate() {
                let at = *row + k as u64;
                let id = match &ids {
                    None => Ok(format!("{}#{at}", file.file_id)),
                    Some(ids) => ids[k].clone(),
                };
                let (id, bytes) = match self.check(id, text) {
                    Ok(c) => c,
                    Err(reason) => {
                        self.problem(Error::BadParquet {
                            path: file.path.to_path_buf(),
                            row: Some(at),
                            reason,
                        });
                        continue;
                    }
                };
                let origin = match (file.source, &mut self.located) {
                    (Some(source), Some(place)) => {
                        let len = bytes.len() as u64;
                        let first = (*row - in_group, in_group + k as u64);
                        let (block, row) = place.tables.place(source, g as u32, first, len);
                        Origin::Row {
                            block,
                            row,
                            hash: digest(bytes.data()),
                        }
                    }
                    // Checked to be UTF-8 above.
                    _ => Origin::Held(String::from_utf8_lossy(bytes.data()).into_owned()),
                };
                self.push(id, None, None, origin, file.path, None);
            }
            *row += rows as u64;
            in_group += rows as u64;
        }
    }

    /// A row's id and text bytes, or why the row is skipped.
    fn check(
        &self,
        id: Result<String, &'static str>,
        text: Option<ByteArray>,
    ) -> Result<(String, ByteArray), String> {
        let id = id.map_err(|why| format!("{why}; skipped"))?;
        let text = text.ok_or_else(|| "text is null; skipped".to_owned())?;
        let limit = self.options.max_doc_bytes;
        if text.len() as u64 > limit {
            return Err(format!(
                "text of {} bytes is over the limit of {limit} bytes (--max-doc-bytes); skipped",
                text.len()
            ));
        }
        if let Err(e) = std::str::from_utf8(text.data()) {
            return Err(format!(
                "text is not valid UTF-8 (first bad byte at offset {}); skipped",
                e.valid_up_to()
            ));
        }
        Ok((id, text))
    }
}

/// What [`Loader::read_group`] needs to know of the file.
struct FileRows<'a> {
    path: &'a Path,
    file_id: &'a str,
    /// The file's number among a catalog's Parquet sources.
    source: Option<u32>,
    text_column: usize,
    max_def: i16,
    ids: Ids,
}

#[cfg(test)]
mod tests {
    use super::super::{catalog, load_with, LoadOptions};
    use crate::error::Error;
    use crate::scan::Texts;
    use rayon::prelude::*;
    use std::path::{Path, PathBuf};

    /// The fixtures scripts/parquet_fixtures.py writes with pyarrow.
    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/parquet")
            .join(name)
    }

    #[test]
    fn a_catalog_reads_parquet_as_load_does_from_any_thread() {
        let paths = [fixture("docs.parquet"), fixture("null_text.parquet")];
        let options = LoadOptions::default();
        let loaded = load_with(&paths, &options);
        let c = catalog(&paths, &options);
        let msgs = |ps: &[Error]| ps.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        assert_eq!(msgs(&c.problems), msgs(&loaded.problems));
        assert_eq!(c.len(), loaded.documents.len());
        assert_eq!(c.len(), 31 + 3);
        for (e, d) in c.entries.iter().zip(&loaded.documents) {
            assert_eq!(e.id, d.id);
        }
        // docs.parquet has row groups of 7 rows and 4 KiB pages: texts are read again across
        // groups and skipped pages, by threads that share the open file, in an order that is
        // not the file's.
        let order: Vec<usize> = (0..5).flat_map(|_| (0..c.len()).rev()).collect();
        rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap()
            .install(|| {
                order.par_iter().for_each_init(String::new, |buf, &i| {
                    assert_eq!(c.text(i, buf), loaded.documents[i].text, "{i}");
                })
            });
        assert!(c.reread_problems().is_empty());
    }

    #[test]
    fn ids_from_integers_or_made_from_the_row() {
        let options = LoadOptions::default();
        let ints = load_with(&[fixture("int_ids.parquet")], &options);
        let ids: Vec<&str> = ints.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids[..3], ["0", "1", "2"]);
        let made = load_with(&[fixture("null_text.parquet")], &options);
        let ids: Vec<String> = made.documents.iter().map(|d| d.id.clone()).collect();
        let name = fixture("null_text.parquet").display().to_string();
        let want: Vec<String> = [0, 2, 3].iter().map(|r| format!("{name}#{r}")).collect();
        assert_eq!(ids, want);
        let msgs: Vec<String> = made.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(msgs, [format!("{name}: row 1: text is null; skipped")]);
    }

    #[test]
    fn a_file_that_cannot_be_used_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.parquet");
        std::fs::write(&junk, "not parquet at all").unwrap();
        let options = LoadOptions::default();
        let one = |path: &Path, options: &LoadOptions| {
            let l = load_with(&[path.to_path_buf()], options);
            assert!(l.documents.is_empty());
            assert_eq!(l.problems.len(), 1);
            l.problems[0].to_string()
        };
        let msg = one(&junk, &options);
        assert!(msg.contains("junk.parquet: not a Parquet file"), "{msg}");
        let msg = one(&fixture("no_text.parquet"), &options);
        assert!(
            msg.contains("no column `text`") && msg.contains("id, body"),
            "{msg}"
        );
        let by_body = LoadOptions {
            text_column: "body".into(),
            ..LoadOptions::default()
        };
        assert_eq!(
            load_with(&[fixture("no_text.parquet")], &by_body)
                .documents
                .len(),
            2
        );
        let id_is_text = LoadOptions {
            id_column: "text".into(),
            text_column: "id".into(),
            ..LoadOptions::default()
        };
        // Integer ids are fine; an integer text is not.
        let msg = one(&fixture("int_ids.parquet"), &id_is_text);
        assert!(
            msg.contains("column `id` holds INT64, not strings"),
            "{msg}"
        );
    }

    #[test]
    fn a_replaced_file_gives_an_error_never_another_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("docs.parquet");
        std::fs::copy(fixture("docs.parquet"), &path).unwrap();
        let c = catalog(std::slice::from_ref(&path), &LoadOptions::default());
        // Rewritten in place (same inode, so the handle the catalog keeps open sees it), with
        // other rows at other offsets.
        let other = std::fs::read(fixture("int_ids.parquet")).unwrap();
        std::fs::write(&path, other).unwrap();
        let mut buf = String::new();
        for i in 0..c.len() {
            match c.read(i, &mut buf) {
                Ok(_) => panic!("row {i} read from a rewritten file"),
                Err(Error::Changed { .. } | Error::BadParquet { .. }) => {}
                Err(e) => panic!("{e}"),
            }
        }
    }
}

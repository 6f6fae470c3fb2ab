//! The crawler's index: check every new page against everything seen so far, from many threads,
//! and keep it across restarts.
//!
//! ```
//! use reprint::index::{Index, IndexOptions, Meta};
//! let index = Index::new(IndexOptions::default())?; // or Index::open(dir, options) to persist
//! let wire = "PARIS (AFP) - Le pont de Varenne s'est effondré mardi soir, faisant trois blessés \
//!             selon la préfecture, qui a ouvert une enquête sur les causes de l'accident.";
//! index.insert("afp-1", wire, &Meta::at(1_700_000_000))?;
//! let page = format!("Accueil > Faits divers\n{wire}\nLire aussi : la météo du week-end.");
//! let found = index.check_and_insert("site-9", &page, &Meta::at(1_700_000_600))?;
//! assert_eq!(found[0].id, "afp-1");
//! assert!(found[0].containment_doc_in_query > 0.95); // all of the wire story is in the page
//! # Ok::<(), reprint::Error>(())
//! ```
//!
//! # How a page is matched
//! A page's terms and term-pair shingles are computed as everywhere in reprint. Its *keys* are the
//! shingles whose hash falls in the lowest `1 / sample_rate` of the hash range (a fixed-rate
//! sample, as in FracMinHash: Irber et al., 2022). Because the sample is decided by the hash
//! alone, a passage shared by two documents contributes the same keys to both, whatever else
//! each contains: partial copies share keys in proportion to what they share, which whole-document
//! MinHash cannot promise. The inverted lists (`postings`) map each key to the documents holding
//! it. A query counts, per indexed document, the keys it shares with the page; the share of keys in
//! common (over the keys of the smaller of the two) estimates how much of one is in the other.
//! Documents whose share reaches `min_key_share`, and whose shared keys weigh at least one rare
//! key's (as in scan), are verified, the `max_candidates` with the
//! largest share first (ties broken by id hash, so the choice does not depend on insertion
//! order), with the same alignment as `reprint scan`; those whose best score reaches `min_score`
//! are returned.
//!
//! # Memory and disk
//! In memory, an indexed document costs 6 bytes per key (about one shingle in `sample_rate`, i.e.
//! 70 keys for a 2,500-character article at the default rate 4) plus its entries in the document
//! table and the id map (100 to 150 bytes, with the hash tables' slack); [`Index::stats`] measures it. Texts are not kept in memory by a persistent index:
//! they live in its log files and are read back (one positional read) only to verify a candidate.
//! An in-memory index ([`Index::new`]) keeps them in memory.
//!
//! # Concurrency
//! Every method takes `&self`; the index is `Send + Sync`. Inverted lists, documents, ids and log
//! files are each cut into shards with their own locks, and no operation on the hot path
//! (`insert`, `query`, `check_and_insert`, `remove`) holds a lock on the whole index. Two pages
//! inserted at the same moment may not see each other; the order of operations is that of their
//! sequence numbers, which replay after a restart follows too.
//!
//! # Eviction
//! With `max_docs`, the oldest documents (in insertion order) are evicted beyond that many. With
//! `max_age`, documents are evicted, oldest first, once they are more than `max_age` seconds older
//! than the newest document's time. Eviction follows insertion order: a document inserted out of
//! time order leaves when the documents inserted before it have left.
//!
//! # Persistence
//! See [`store`] for the file format. In short: every insert and removal is appended to a log;
//! [`Index::save`] makes everything so far durable (fsync, then an atomic manifest update);
//! [`Index::open`] replays the logs, checking every record. After a crash the index holds
//! everything up to the last completed save, and usually more (every intact record written after
//! it), never a damaged record.

mod keycounts;
pub(crate) mod postings;
pub mod store;

use crate::bounds::{self as profile, Profile};
use crate::detector::{Analysis, Config, Detector};
use crate::error::{Error, Result};
use crate::score::Passage;
use keycounts::KeyCounts;
use postings::Postings;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use xxhash_rust::xxh3::xxh3_64;

/// Shards of the document table and of the id map.
const DOC_SHARDS: usize = 64;
/// Keys held by this many documents or fewer weigh fully: a story and its copies hold the same
/// rare keys, and a popular story must not weigh less for being copied often.
const RARE_KEY_DOCS: usize = 32;
/// Keys held by this many documents or fewer are never skipped as common.
const COMMON_KEY_FLOOR: usize = 100;
/// Candidates left to align (after their profiles) from which a query aligns them in parallel.
const PARALLEL_VERIFY: usize = 4;
/// Calls after the last one that found every core busy with calls before a query goes parallel
/// again (see `Index::cores_to_spare`).
const CROWDED_CALLS: u64 = 4096;
/// Log files written in parallel by a persistent index.
const WRITERS: usize = 8;

/// Settings of an [`Index`].
///
/// `detector` and `sample_rate` decide what is stored and are saved with a persistent index: they
/// must be the same when it is opened again. The others can change from one run to the next.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexOptions {
    /// The matching pipeline: terms, shingles, alignment (the same as `scan`'s).
    pub detector: Config,
    /// One shingle in `sample_rate` (by hash) becomes a key. Lower finds shorter and looser
    /// copies and costs more memory. Measured on the development set (`reprint eval
    /// --via-index`, `min_key_share` 0), 4 finds 95.2% of partial copies from another rendering
    /// (`scan`: 97.0%) and 38% of short excerpts from another rendering (`scan`: 36%), 90.8% of
    /// all copies (`scan`: 90.9%); 2 finds 97.6%, 38% and 91.3% for twice the memory.
    pub sample_rate: u32,
    /// Matches whose containment either way, or resemblance, reach this are returned.
    pub min_score: f64,
    /// Documents verified per query, those sharing the largest share of their keys with it first.
    /// On the development set, where one article has dozens of renderings and copies, 64 loses
    /// 3% of the copies that 256 finds; 256 loses none that 1,000 finds.
    pub max_candidates: usize,
    /// Documents sharing a smaller share of keys with a query (over the keys of the smaller of
    /// the two, keys weighted by rarity) are not verified. A copy keeps about a third of its term pairs through machine
    /// translation, so 0.03 keeps partial translated copies of a tenth of a text; on the
    /// development set it loses 0.2% of the copies and saves a quarter of the time, more on
    /// text with frequent term pairs. Above 0, a document must also share keys weighing at
    /// least one key held by 32 documents or fewer, as in `scan`
    /// ([`MIN_SHARED_KEY_WEIGHT`](crate::scan::MIN_SHARED_KEY_WEIGHT)). 0 verifies every
    /// document sharing a key.
    pub min_key_share: f64,
    /// At query time, keys held by more than this share of the indexed documents (and by more
    /// than 100) are skipped: a term pair that common is a phrase of the language or of the
    /// news cycle, not evidence that one page copies another, and every document holding it
    /// would need verifying.
    pub common_key_share: f64,
    /// A key held by this many documents is no longer extended and is ignored by queries: a term
    /// pair that common tells nothing about who copied whom.
    pub max_postings_per_key: usize,
    /// Inverted-list entries a query reads at most, from its rarest keys up: the keys past the
    /// budget are the most common ones, the weakest evidence, and without a budget a query's
    /// time would grow with the index. A copy shares its source's rare keys.
    pub max_postings_per_query: usize,
    /// Evict the oldest documents beyond this many.
    pub max_docs: Option<usize>,
    /// Evict documents more than this many seconds older than the newest one.
    pub max_age: Option<u64>,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            detector: Config::default(),
            sample_rate: 4,
            min_score: crate::scan::DEFAULT_MIN_SCORE,
            max_candidates: 256,
            min_key_share: 0.03,
            common_key_share: 0.005,
            max_postings_per_key: 10_000,
            max_postings_per_query: 4096,
            max_docs: None,
            max_age: None,
        }
    }
}

/// What a caller attaches to a document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    /// When the page was published or fetched, in Unix seconds; `None` means now. Age eviction
    /// compares these times.
    pub time: Option<u64>,
    /// Anything to get back with a match (a URL, a JSON object…). Stored as is.
    pub data: String,
}

impl Meta {
    /// Metadata with a time and no data.
    pub fn at(time: u64) -> Meta {
        Meta {
            time: Some(time),
            data: String::new(),
        }
    }
}

/// An indexed document that a query text copies from, or that copies from it.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// The indexed document's id.
    pub id: String,
    /// Its time (Unix seconds).
    pub time: u64,
    /// Its [`Meta::data`].
    pub data: String,
    /// Jaccard similarity of the two shingle sets.
    pub resemblance: f64,
    /// Fraction of the query's text found in the indexed document.
    pub containment_query_in_doc: f64,
    /// Fraction of the indexed document's text found in the query: near 1 when the query page
    /// carries all of that document.
    pub containment_doc_in_query: f64,
    /// The shared passages: `a` is a byte range of the query text, `b` of the indexed document's
    /// text (see [`Index::get`]).
    pub passages: Vec<Passage>,
}

impl Match {
    /// The largest of the three scores.
    pub fn max_score(&self) -> f64 {
        self.resemblance
            .max(self.containment_query_in_doc)
            .max(self.containment_doc_in_query)
    }
}

/// A document as stored in the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDoc {
    /// Its id.
    pub id: String,
    /// Its time (Unix seconds).
    pub time: u64,
    /// Its [`Meta::data`].
    pub data: String,
    /// Its text.
    pub text: String,
}

/// Counts and sizes of an index, for monitoring.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct IndexStats {
    /// Documents in the index.
    pub documents: usize,
    /// Entries of the inverted lists, including some of removed documents not yet purged.
    pub postings: usize,
    /// Bytes of memory held by the inverted lists.
    pub postings_bytes: usize,
    /// Bytes of memory held by the document table and the id map (estimated from their sizes).
    pub table_bytes: usize,
    /// Bytes of texts held in memory (an in-memory index only).
    pub text_bytes: usize,
    /// Everything above, per document.
    pub bytes_per_document: f64,
    /// Bytes of the log files on disk (a persistent index only).
    pub disk_bytes: u64,
    /// Of which, bytes of removed or evicted documents that [`Index::compact`] would reclaim.
    pub dead_disk_bytes: u64,
    /// Queries answered since the index was opened (`check_and_insert` included).
    pub queries: u64,
    /// Inverted-list entries those queries read.
    pub postings_read: u64,
    /// Candidates they considered: documents sharing enough keys.
    pub candidates: u64,
    /// Of which, documents they verified by alignment (the others were ruled out by their
    /// stored profiles).
    pub verified: u64,
    /// Matches they returned.
    pub matches: u64,
}

/// Counts a call in [`Index::in_flight`] while it lives.
struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    /// Counts a call in `n`; also returns how many are under way, this one included.
    fn enter(n: &'a AtomicUsize) -> (InFlight<'a>, usize) {
        let under_way = n.fetch_add(1, Ordering::Relaxed) + 1;
        (InFlight(n), under_way)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// What queries did, for [`IndexStats`]. Relaxed counters: monitoring, not synchronization.
#[derive(Default)]
struct Counters {
    queries: AtomicU64,
    postings_read: AtomicU64,
    candidates: AtomicU64,
    verified: AtomicU64,
    matches: AtomicU64,
}

/// Where a document's body (time, id, data, text) is.
enum Loc {
    Mem(Arc<[u8]>),
    Disk { file: Arc<File>, pos: u64, len: u32 },
}

/// Which bytes of a stored body to read.
#[derive(Clone, Copy)]
enum Part {
    Whole,
    /// Everything before the text: time, id, data, profile.
    Head,
    Text,
}

/// Where a part of a live document's body is.
enum Located {
    /// In an in-memory index's shared bytes.
    Mem(Arc<[u8]>, std::ops::Range<usize>),
    /// In a log, at these byte offsets.
    Disk(Arc<File>, std::ops::Range<u64>),
}

/// Bytes of a stored body: shared with an in-memory index, or read from a log.
enum Bytes {
    Shared(Arc<[u8]>, std::ops::Range<usize>),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Shared(b, r) => &b[r.clone()],
            Bytes::Owned(v) => v,
        }
    }
}

struct Doc {
    id_hash: u64,
    time: u64,
    /// Keys in its log record.
    nkeys: u32,
    /// Offset of the text in its body: what comes before (time, id, data, profile) is all the
    /// pre-alignment filter reads, and most candidates go no further.
    text_at: u32,
    loc: Loc,
}

impl Doc {
    /// Bytes of its log record.
    fn record_len(&self) -> u64 {
        match &self.loc {
            Loc::Mem(b) => b.len() as u64,
            Loc::Disk { len, .. } => {
                store::FRAME + store::INSERT_PREFIX + 4 * u64::from(self.nkeys) + u64::from(*len)
            }
        }
    }
}

/// Bytes of a document's body.
fn doc_body_len(doc: &Doc) -> u64 {
    match &doc.loc {
        Loc::Mem(b) => b.len() as u64,
        Loc::Disk { len, .. } => u64::from(*len),
    }
}

/// A slot of the document table. A serial is reserved (`Pending`) before an operation does its
/// work, so eviction can tell an operation in flight from a document already gone.
enum Slot {
    Pending,
    Live(Doc),
}

struct Writer {
    file: Arc<File>,
    len: u64,
}

struct Disk {
    dir: PathBuf,
    writers: Box<[Mutex<Writer>]>,
    /// The generation of the logs and the manifest; held while saving or compacting.
    state: Mutex<u64>,
    dead_bytes: AtomicU64,
}

/// The crawler's index. See the [module docs](self).
pub struct Index {
    options: IndexOptions,
    detector: Detector,
    postings: Postings,
    key_counts: KeyCounts,
    docs: Box<[RwLock<HashMap<u32, Slot>>]>,
    ids: Box<[RwLock<HashMap<u64, u32>>]>,
    next_serial: AtomicU32,
    /// Serials below this were evicted in order.
    min_live: AtomicU32,
    /// `seq = seq_base + serial`: the log's order of operations, continued across restarts.
    seq_base: u64,
    live: AtomicUsize,
    newest_time: AtomicU64,
    evicting: Mutex<()>,
    disk: Option<Disk>,
    counters: Counters,
    /// Calls under way (insert, query, check_and_insert), on any thread, from their start: a
    /// query aligns its candidates on the thread pool only when there are cores to spare.
    in_flight: AtomicUsize,
    /// Calls started so far, and the count at the last one that started with every core busy
    /// with calls (see [`Index::cores_to_spare`]).
    calls: AtomicU64,
    crowded_at: AtomicU64,
}

fn hash_id(id: &str) -> u64 {
    xxh3_64(id.as_bytes())
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

// The index's locks, shared by its shards. A panic while one is held cannot leave what it guards
// inconsistent (every mutation under them is a single push, insert, remove or swap), so a
// poisoned lock is used as is.
fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

fn lock<T>(l: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    l.lock().unwrap_or_else(|e| e.into_inner())
}

/// The leaves where two JSON values differ, as `path: stored X, given Y`.
fn differences(
    path: &str,
    stored: &serde_json::Value,
    given: &serde_json::Value,
    out: &mut Vec<String>,
) {
    match (stored, given) {
        (serde_json::Value::Object(a), serde_json::Value::Object(b)) => {
            for (k, v) in a {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                differences(&p, v, b.get(k).unwrap_or(&serde_json::Value::Null), out);
            }
            for (k, v) in b {
                if !a.contains_key(k) {
                    differences(&format!("{path}.{k}"), &serde_json::Value::Null, v, out);
                }
            }
        }
        (a, b) if a != b => out.push(format!("{path}: index {a}, given {b}")),
        _ => {}
    }
}

/// What a persistent index stores of its options.
fn persisted(options: &IndexOptions) -> serde_json::Value {
    serde_json::json!({ "detector": options.detector, "sample_rate": options.sample_rate })
}

/// The stored part of the options, as a manifest holds it.
#[derive(serde::Deserialize)]
struct Stored {
    detector: Config,
    sample_rate: u32,
}

/// Stored settings as this version reads them: a setting added since the index was written takes
/// its default, so that an index written before it was added still opens (and is still compared
/// field by field with the options given). Settings that do not parse are left as they are.
fn as_read_now(stored: &serde_json::Value) -> serde_json::Value {
    match serde_json::from_value::<Stored>(stored.clone()) {
        Ok(s) => serde_json::json!({ "detector": s.detector, "sample_rate": s.sample_rate }),
        Err(_) => stored.clone(),
    }
}

impl Index {
    /// An empty index in memory (texts included), lost when dropped.
    pub fn new(options: IndexOptions) -> Result<Index> {
        Index::build(options, None, 0)
    }

    fn build(options: IndexOptions, disk: Option<Disk>, seq_base: u64) -> Result<Index> {
        if options.sample_rate == 0 {
            return Err(Error::InvalidParameter {
                name: "sample_rate",
                reason: "must be at least 1".into(),
            });
        }
        if !(0.0..=1.0).contains(&options.min_score) {
            return Err(Error::InvalidParameter {
                name: "min_score",
                reason: format!("must be in [0, 1], got {}", options.min_score),
            });
        }
        Ok(Index {
            detector: Detector::new(options.detector.clone())?,
            options,
            postings: Postings::new(),
            key_counts: KeyCounts::new(),
            docs: (0..DOC_SHARDS).map(|_| RwLock::default()).collect(),
            ids: (0..DOC_SHARDS).map(|_| RwLock::default()).collect(),
            next_serial: AtomicU32::new(0),
            min_live: AtomicU32::new(0),
            seq_base,
            live: AtomicUsize::new(0),
            newest_time: AtomicU64::new(0),
            evicting: Mutex::new(()),
            disk,
            counters: Counters::default(),
            in_flight: AtomicUsize::new(0),
            calls: AtomicU64::new(0),
            crowded_at: AtomicU64::new(0),
        })
    }

    /// Opens the index in directory `dir`, creating it (and the directory) when there is none.
    ///
    /// An existing index is replayed from its logs and checked: a damaged or truncated file gives
    /// [`Error::CorruptIndex`] naming it, and an index built with other matching settings
    /// (`detector`, `sample_rate`) gives [`Error::InvalidParameter`]. A log torn after the last
    /// save (a crash in the middle of a write) is cut back to its last intact record.
    pub fn open(dir: impl AsRef<Path>, options: IndexOptions) -> Result<Index> {
        let dir = dir.as_ref();
        let io = |source| Error::Io {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let manifest = match store::read_manifest(dir)? {
            Some(m) => m,
            None => {
                if std::fs::read_dir(dir).map_err(io)?.next().is_some() {
                    return Err(Error::CorruptIndex {
                        path: store::manifest_path(dir),
                        reason: "missing: the directory holds files but is not a reprint index"
                            .into(),
                    });
                }
                let m = store::Manifest {
                    format: store::FORMAT_VERSION,
                    generation: 1,
                    committed: vec![store::LOG_HEADER; WRITERS],
                    config: persisted(&options),
                };
                for w in 0..WRITERS {
                    let path = store::log_path(dir, 1, w);
                    store::create_log(&path, w)?
                        .sync_all()
                        .map_err(|source| Error::Io { path, source })?;
                }
                store::write_manifest(dir, &m)?;
                m
            }
        };
        let given = persisted(&options);
        let stored = as_read_now(&manifest.config);
        if stored != given {
            let mut diffs = Vec::new();
            differences("", &stored, &given, &mut diffs);
            return Err(Error::InvalidParameter {
                name: "options",
                reason: format!(
                    "the index in {} was built with other matching settings: {}",
                    dir.display(),
                    diffs.join(", ")
                ),
            });
        }
        Index::replay(dir, manifest, options)
    }

    /// The options an existing index in `dir` was built with (its matching settings, and the
    /// defaults for the rest), to open it without knowing them. `Ok(None)` when `dir` holds no
    /// index.
    pub fn stored_options(dir: impl AsRef<Path>) -> Result<Option<IndexOptions>> {
        let dir = dir.as_ref();
        let Some(m) = store::read_manifest(dir)? else {
            return Ok(None);
        };
        let s: Stored = serde_json::from_value(m.config).map_err(|e| Error::CorruptIndex {
            path: store::manifest_path(dir),
            reason: format!("settings do not parse: {e}"),
        })?;
        Ok(Some(IndexOptions {
            detector: s.detector,
            sample_rate: s.sample_rate,
            ..IndexOptions::default()
        }))
    }

    fn replay(dir: &Path, manifest: store::Manifest, options: IndexOptions) -> Result<Index> {
        let gen = manifest.generation;
        let paths: Vec<PathBuf> = (0..manifest.committed.len())
            .map(|w| store::log_path(dir, gen, w))
            .collect();
        // Files of an interrupted compaction, or of a generation it replaced.
        for p in store::stray_files(dir, &paths)? {
            let _ = std::fs::remove_file(p);
        }
        struct Op {
            seq: u64,
            writer: u32,
            /// Insert: body position and length, keys range in `keys`; remove: `len == u32::MAX`.
            pos: u64,
            len: u32,
            text_at: u32,
            time: u64,
            id_hash: u64,
            keys: std::ops::Range<usize>,
        }
        let mut ops: Vec<Op> = Vec::new();
        let mut keys: Vec<u32> = Vec::new();
        let mut files = Vec::new();
        let mut lens = Vec::new();
        for (w, path) in paths.iter().enumerate() {
            let len = store::replay_log(path, w, manifest.committed[w], true, |rec| {
                match rec {
                    store::Record::Insert {
                        seq,
                        keys: k,
                        body_pos,
                        body,
                        body_len,
                    } => {
                        let start = keys.len();
                        keys.extend_from_slice(&k);
                        ops.push(Op {
                            seq,
                            writer: w as u32,
                            pos: body_pos,
                            len: body_len,
                            text_at: body_len - body.text.len() as u32,
                            time: body.time,
                            id_hash: hash_id(body.id),
                            keys: start..keys.len(),
                        });
                    }
                    store::Record::Remove { seq, id } => ops.push(Op {
                        seq,
                        writer: w as u32,
                        pos: 0,
                        len: u32::MAX,
                        text_at: 0,
                        time: 0,
                        id_hash: hash_id(id),
                        keys: 0..0,
                    }),
                }
                Ok(())
            })?;
            files.push(Arc::new(store::open_log(path)?));
            lens.push(len);
        }
        ops.sort_unstable_by_key(|o| o.seq);
        if let Some(w) = ops.windows(2).find(|w| w[0].seq == w[1].seq) {
            return Err(Error::CorruptIndex {
                path: dir.to_path_buf(),
                reason: format!("two records have sequence number {}", w[0].seq),
            });
        }
        let n = ops.len() as u64;
        let seq_base = ops.last().map_or(0, |o| o.seq + 1) - n;
        let disk = Disk {
            dir: dir.to_path_buf(),
            writers: files
                .iter()
                .zip(&lens)
                .map(|(f, &len)| {
                    Mutex::new(Writer {
                        file: f.clone(),
                        len,
                    })
                })
                .collect(),
            state: Mutex::new(gen),
            dead_bytes: AtomicU64::new(0),
        };
        let index = Index::build(options, Some(disk), seq_base)?;
        let mut dead = lens.iter().map(|l| l - store::LOG_HEADER).sum::<u64>();
        for op in &ops {
            let serial = index.reserve()?;
            if op.len == u32::MAX {
                index.finish_remove(serial, op.id_hash);
                continue;
            }
            let doc = Doc {
                id_hash: op.id_hash,
                time: op.time,
                nkeys: op.keys.len() as u32,
                text_at: op.text_at,
                loc: Loc::Disk {
                    file: files[op.writer as usize].clone(),
                    pos: op.pos,
                    len: op.len,
                },
            };
            index.finish_insert(serial, doc, &keys[op.keys.clone()], None);
        }
        index.evict();
        // Dead bytes: everything but the live documents' records.
        for shard in index.docs.iter() {
            for slot in read(shard).values() {
                if let Slot::Live(d) = slot {
                    dead = dead.saturating_sub(d.record_len());
                }
            }
        }
        if let Some(d) = &index.disk {
            d.dead_bytes.store(dead, Ordering::Relaxed);
        }
        Ok(index)
    }

    /// The options in force.
    pub fn options(&self) -> &IndexOptions {
        &self.options
    }

    /// Number of documents in the index.
    pub fn len(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }

    /// True when the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Counts a call in progress until the guard is dropped.
    fn enter(&self) -> InFlight<'_> {
        let call = self.calls.fetch_add(1, Ordering::Relaxed) + 1;
        let (guard, under_way) = InFlight::enter(&self.in_flight);
        if under_way >= rayon::current_num_threads() {
            self.crowded_at.fetch_max(call, Ordering::Relaxed);
        }
        guard
    }

    /// Whether a query may hand work to the thread pool: only when fewer calls are under way
    /// than the pool has threads, and none of the last [`CROWDED_CALLS`] calls started with as
    /// many under way. Calls under way undercount a crawler's threads: from 8 threads on 2
    /// cores, most threads are at any moment waiting for a core *between* calls, so the count
    /// often drops below 2 while every core is taken, and a query that went parallel woke the
    /// pool's threads to compete for those cores (about 700 preemptions of theirs in 100,000
    /// calls). A caller seen making as many calls at once as there are cores is taken to keep
    /// them busy.
    fn cores_to_spare(&self) -> bool {
        let call = self.calls.load(Ordering::Relaxed);
        self.in_flight.load(Ordering::Relaxed) < rayon::current_num_threads()
            && call.saturating_sub(self.crowded_at.load(Ordering::Relaxed)) > CROWDED_CALLS
    }

    /// The analysis of `text` (into `scratch`), its keys (sorted, distinct) and its profile.
    fn analyze(&self, text: &str, scratch: &mut Scratch) -> (Vec<u32>, Profile) {
        let a = scratch.analyze(&self.detector, text);
        let limit = u64::MAX / u64::from(self.options.sample_rate);
        // The sample is chosen by the hash's magnitude; the key is its low half, independent of
        // that choice.
        let mut keys: Vec<u32> = a
            .shingles
            .iter()
            .filter(|&&h| h <= limit)
            .map(|&h| h as u32)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let profile = Profile::of(a, self.detector.config());
        (keys, profile)
    }

    /// Adds a document, replacing any document with the same id. Returns whether one was
    /// replaced. With a persistent index, the document is appended to its log (durable at the
    /// next [`save`](Index::save)).
    pub fn insert(&self, id: &str, text: &str, meta: &Meta) -> Result<bool> {
        let _in_flight = self.enter();
        let (keys, profile) = Scratch::with(&PAGE, |s| self.analyze(text, s));
        self.insert_keys(id, text, meta, &keys, &profile, None)
    }

    /// The indexed documents that `text` copies from or that copy from it, best first (by best
    /// score, then id).
    pub fn query(&self, text: &str) -> Result<Vec<Match>> {
        let _in_flight = self.enter();
        Scratch::with(&PAGE, |s| {
            let (keys, profile) = self.analyze(text, s);
            Ok(self.query_analyzed(&s.analysis, &keys, &profile, None)?.0)
        })
    }

    /// [`query`](Index::query) then [`insert`](Index::insert), analyzing the text once: the
    /// crawler's hot path. A document with the same id is not reported as a match of itself.
    pub fn check_and_insert(&self, id: &str, text: &str, meta: &Meta) -> Result<Vec<Match>> {
        let _in_flight = self.enter();
        let (keys, profile, found, held) = Scratch::with(&PAGE, |s| {
            let (keys, profile) = self.analyze(text, s);
            let (found, held) = self.query_analyzed(&s.analysis, &keys, &profile, Some(id))?;
            Ok::<_, Error>((keys, profile, found, held))
        })?;
        self.insert_keys(id, text, meta, &keys, &profile, Some(&held))?;
        Ok(found)
    }

    /// Removes the document with this id. Returns whether there was one.
    pub fn remove(&self, id: &str) -> Result<bool> {
        let h = hash_id(id);
        if !read(&self.ids[h as usize % DOC_SHARDS]).contains_key(&h) {
            return Ok(false);
        }
        let serial = self.reserve()?;
        if let Some(d) = &self.disk {
            let payload = store::remove_payload(self.seq_base + u64::from(serial), id);
            if let Err(e) = d.append(serial, &payload) {
                self.unreserve(serial);
                return Err(e);
            }
        }
        Ok(self.finish_remove(serial, h))
    }

    /// The stored document with this id.
    pub fn get(&self, id: &str) -> Result<Option<StoredDoc>> {
        let h = hash_id(id);
        let Some(serial) = read(&self.ids[h as usize % DOC_SHARDS]).get(&h).copied() else {
            return Ok(None);
        };
        let Some(body) = self.body(serial, Part::Whole)? else {
            return Ok(None);
        };
        let b = self.decode(&body)?;
        Ok(Some(StoredDoc {
            id: b.id.to_string(),
            time: b.time,
            data: b.data.to_string(),
            text: b.text.to_string(),
        }))
    }

    /// Reserves the next serial (and so the next sequence number).
    fn reserve(&self) -> Result<u32> {
        let serial = self.next_serial.fetch_add(1, Ordering::Relaxed);
        if serial == u32::MAX {
            self.next_serial.store(u32::MAX, Ordering::Relaxed);
            return Err(Error::InvalidParameter {
                name: "index",
                reason: "4 billion operations since the index was opened: reopen it to renumber"
                    .into(),
            });
        }
        write(&self.docs[serial as usize % DOC_SHARDS]).insert(serial, Slot::Pending);
        Ok(serial)
    }

    fn unreserve(&self, serial: u32) {
        write(&self.docs[serial as usize % DOC_SHARDS]).remove(&serial);
    }

    fn insert_keys(
        &self,
        id: &str,
        text: &str,
        meta: &Meta,
        keys: &[u32],
        profile: &Profile,
        held: Option<&[u32]>,
    ) -> Result<bool> {
        let time = meta.time.unwrap_or_else(now);
        let body = store::encode_body(time, id, &meta.data, profile, text);
        let body_len = body.len();
        let serial = self.reserve()?;
        let loc = match &self.disk {
            None => Loc::Mem(body.into()),
            Some(d) => {
                let seq = self.seq_base + u64::from(serial);
                let (payload, body_at) = store::insert_payload(seq, keys, &body);
                match d.append(serial, &payload) {
                    Ok((file, pos)) => Loc::Disk {
                        file,
                        pos: pos + store::FRAME + body_at as u64,
                        len: body.len() as u32,
                    },
                    Err(e) => {
                        self.unreserve(serial);
                        return Err(e);
                    }
                }
            }
        };
        let doc = Doc {
            id_hash: hash_id(id),
            time,
            nkeys: keys.len() as u32,
            text_at: (body_len - text.len()) as u32,
            loc,
        };
        let replaced = self.finish_insert(serial, doc, keys, held);
        self.evict();
        Ok(replaced)
    }

    /// Puts a reserved document in place. Returns whether it replaced one with the same id.
    /// `held` is what [`Postings::lookup`](postings::Postings::lookup) found each key holds, if
    /// the caller just looked them up.
    fn finish_insert(&self, serial: u32, doc: Doc, keys: &[u32], held: Option<&[u32]>) -> bool {
        let (h, time) = (doc.id_hash, doc.time);
        // Before the postings, so that a query finding the document there finds its count.
        self.key_counts.set(serial, keys.len());
        self.postings.insert(
            keys,
            serial,
            self.options.max_postings_per_key,
            self.min_live.load(Ordering::Relaxed),
            held,
        );
        write(&self.docs[serial as usize % DOC_SHARDS]).insert(serial, Slot::Live(doc));
        self.live.fetch_add(1, Ordering::Relaxed);
        self.newest_time.fetch_max(time, Ordering::Relaxed);
        // The later operation on an id wins, as in replay.
        let (loser, replaced) = {
            let mut ids = write(&self.ids[h as usize % DOC_SHARDS]);
            match ids.get(&h).copied() {
                Some(other) if other > serial => (Some(serial), true),
                Some(other) => {
                    ids.insert(h, serial);
                    (Some(other), true)
                }
                None => {
                    ids.insert(h, serial);
                    (None, false)
                }
            }
        };
        if let Some(l) = loser {
            self.kill(l);
        }
        if serial < self.min_live.load(Ordering::Relaxed) {
            // Evicted while it was being inserted.
            self.kill(serial);
        }
        replaced
    }

    /// Completes a reserved removal of the document with id hash `h`.
    fn finish_remove(&self, serial: u32, h: u64) -> bool {
        let victim = {
            let mut ids = write(&self.ids[h as usize % DOC_SHARDS]);
            match ids.get(&h).copied() {
                Some(other) if other < serial => {
                    ids.remove(&h);
                    Some(other)
                }
                _ => None,
            }
        };
        self.unreserve(serial);
        victim.is_some_and(|v| self.kill(v))
    }

    /// Drops a document from the table (its postings are purged later). Returns whether it was
    /// there.
    fn kill(&self, serial: u32) -> bool {
        let slot = {
            let mut docs = write(&self.docs[serial as usize % DOC_SHARDS]);
            match docs.get(&serial) {
                Some(Slot::Live(_)) => docs.remove(&serial),
                _ => None,
            }
        };
        let Some(Slot::Live(doc)) = slot else {
            return false;
        };
        self.key_counts.set(serial, 0);
        self.live.fetch_sub(1, Ordering::Relaxed);
        // Forget the id only if it still points here.
        let mut ids = write(&self.ids[doc.id_hash as usize % DOC_SHARDS]);
        if ids.get(&doc.id_hash) == Some(&serial) {
            ids.remove(&doc.id_hash);
        }
        if let Some(d) = &self.disk {
            d.dead_bytes.fetch_add(doc.record_len(), Ordering::Relaxed);
        }
        true
    }

    /// Evicts from the oldest serial while the index is over `max_docs` or the oldest document is
    /// over `max_age`. One thread at a time; the others go on.
    fn evict(&self) {
        if self.options.max_docs.is_none() && self.options.max_age.is_none() {
            return;
        }
        let Ok(_guard) = self.evicting.try_lock() else {
            return;
        };
        loop {
            let s = self.min_live.load(Ordering::Relaxed);
            if s >= self.next_serial.load(Ordering::Relaxed) {
                return;
            }
            let over = self.options.max_docs.is_some_and(|m| self.len() > m);
            let expired = {
                let docs = read(&self.docs[s as usize % DOC_SHARDS]);
                match docs.get(&s) {
                    // Gone already (removed or replaced): step over it.
                    None => true,
                    // In flight: it is the newest thing there is; stop here.
                    Some(Slot::Pending) => return,
                    Some(Slot::Live(d)) => self.options.max_age.is_some_and(|age| {
                        d.time.saturating_add(age) < self.newest_time.load(Ordering::Relaxed)
                    }),
                }
            };
            if !over && !expired {
                return;
            }
            self.min_live.store(s + 1, Ordering::Relaxed);
            self.kill(s);
            self.key_counts.trim_through(s);
        }
    }

    /// Where `part` of a document's body is, or `None` when it is no longer live.
    fn locate(&self, serial: u32, part: Part) -> Option<Located> {
        let docs = read(&self.docs[serial as usize % DOC_SHARDS]);
        let Some(Slot::Live(d)) = docs.get(&serial) else {
            return None;
        };
        let (at, whole) = (u64::from(d.text_at), doc_body_len(d));
        let range = match part {
            Part::Whole => 0..whole,
            Part::Head => 0..at,
            Part::Text => at..whole,
        };
        Some(match &d.loc {
            Loc::Mem(b) => Located::Mem(b.clone(), range.start as usize..range.end as usize),
            Loc::Disk { file, pos, .. } => {
                Located::Disk(file.clone(), pos + range.start..pos + range.end)
            }
        })
    }

    /// Fills `buf` from a log at `pos`.
    fn read_log(&self, file: &File, pos: u64, buf: &mut [u8]) -> Result<()> {
        store::read_at(file, pos, buf).map_err(|source| Error::Io {
            path: self.dir(),
            source,
        })
    }

    /// The bytes of a document's body in `part`, or `None` when it is no longer live. One
    /// positional read for an on-disk index.
    fn body(&self, serial: u32, part: Part) -> Result<Option<Bytes>> {
        Ok(match self.locate(serial, part) {
            None => None,
            Some(Located::Mem(b, range)) => Some(Bytes::Shared(b, range)),
            Some(Located::Disk(file, range)) => {
                let mut buf = vec![0u8; (range.end - range.start) as usize];
                self.read_log(&file, range.start, &mut buf)?;
                Some(Bytes::Owned(buf))
            }
        })
    }

    /// Appends a document's head (what precedes its text: its profile, id and data) to `out`,
    /// and returns where it is there, or `None` when the document is no longer live: [`body`]
    /// into a buffer the query reuses for all its candidates.
    ///
    /// [`body`]: Index::body
    fn head_into(&self, serial: u32, out: &mut Vec<u8>) -> Result<Option<std::ops::Range<usize>>> {
        let from = out.len();
        match self.locate(serial, Part::Head) {
            None => return Ok(None),
            Some(Located::Mem(b, range)) => out.extend_from_slice(&b[range]),
            Some(Located::Disk(file, range)) => {
                out.resize(from + (range.end - range.start) as usize, 0);
                self.read_log(&file, range.start, &mut out[from..])?;
            }
        }
        Ok(Some(from..out.len()))
    }

    /// The index's directory, to name in errors (empty for an in-memory index).
    fn dir(&self) -> PathBuf {
        self.disk
            .as_ref()
            .map(|d| d.dir.clone())
            .unwrap_or_default()
    }

    fn corrupt(&self) -> Error {
        Error::CorruptIndex {
            path: self.dir(),
            reason: "a stored document does not decode: a log file was changed while in use".into(),
        }
    }

    fn decode<'b>(&self, body: &'b [u8]) -> Result<store::Body<'b>> {
        store::decode_body(body).ok_or_else(|| self.corrupt())
    }

    /// The serials of the `max_candidates` most likely copies among `passing` (estimate,
    /// serial), highest estimate first; ties go by id hash, not insertion order, so that the
    /// same documents are chosen whichever thread inserted them first. Only the ties at the
    /// cut need their id hashes, so the document table is read for those alone, not for each
    /// of the hundreds of chance candidates a short page can meet (a lock and a hash-table
    /// lookup each). Whether a candidate is still live is left to the read of its head.
    fn best_candidates(&self, mut passing: Vec<(f32, u32)>) -> Vec<u32> {
        let max = self.options.max_candidates;
        passing.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        if passing.len() <= max {
            return passing.into_iter().map(|(_, s)| s).collect();
        }
        if max == 0 {
            return Vec::new();
        }
        let cut = passing[max - 1].0;
        let above = passing.partition_point(|x| x.0 > cut);
        let tied_end = passing.partition_point(|x| x.0 >= cut);
        let mut tied: Vec<(u64, u32)> = passing[above..tied_end]
            .iter()
            .filter_map(
                |&(_, s)| match read(&self.docs[s as usize % DOC_SHARDS]).get(&s) {
                    Some(Slot::Live(d)) => Some((d.id_hash, s)),
                    _ => None,
                },
            )
            .collect();
        tied.sort_unstable();
        tied.truncate(max - above);
        let mut out: Vec<u32> = passing[..above].iter().map(|&(_, s)| s).collect();
        out.extend(tied.into_iter().map(|(_, s)| s));
        out
    }

    fn query_analyzed(
        &self,
        a: &Analysis,
        keys: &[u32],
        profile: &Profile,
        exclude: Option<&str>,
    ) -> Result<(Vec<Match>, Vec<u32>)> {
        let min_live = self.min_live.load(Ordering::Relaxed);
        let mut serials = Vec::new();
        // A key that many documents hold is a common phrase, no evidence of copying, and the
        // documents holding it would all become candidates.
        let common = (self.options.common_key_share * self.len() as f64) as usize;
        let cap = self
            .options
            .max_postings_per_key
            .min(common.max(COMMON_KEY_FLOOR));
        // Keys held by more than RARE_KEY_DOCS documents weigh less, in proportion to
        // ln(1 + N / n) for a key n of the N documents hold: a copy shares the rare term pairs of
        // its source, a page on the same topic shares the common ones.
        let big_n = (self.len() + 1) as f32;
        let looked = self.postings.lookup(
            keys,
            cap,
            self.options.max_postings_per_query,
            min_live,
            |n| {
                if n <= RARE_KEY_DOCS {
                    1.0
                } else {
                    (1.0 + big_n / n as f32).ln() / (1.0 + big_n / RARE_KEY_DOCS as f32).ln()
                }
            },
            &mut serials,
        );
        let wq = looked.total_weight;
        // Each live candidate with the (weighted) share of keys it has in common with the query,
        // over the keys of the smaller of the two: an estimate of the containment of one in the
        // other (the keys are a fixed-rate sample of the shingles). The candidate's own keys
        // are counted at the query's mean weight. The most likely copies are verified first,
        // whatever their length; ties go by id hash, not insertion order.
        let nq = keys.len().max(1) as f32;
        let mean_w = wq / nq;
        let mut passing: Vec<(f32, u32)> = Vec::new();
        // What the estimate divides by for a document of SMALL_KEYS keys or more, at least: most
        // documents met share one key by chance, and this settles them without reading their
        // key count (a cache miss each, a tenth of a query's time at a million documents).
        let floor = wq
            .min(keycounts::SMALL_KEYS as f32 * mean_w)
            .max(f32::MIN_POSITIVE);
        // As in scan, a document must share one rare key's weight or several commoner ones': a
        // short page holds 3% of its keys in one key, and a key that hundreds of documents hold
        // is shared with all of them by chance.
        let min_shared = if self.options.min_key_share > 0.0 {
            crate::scan::MIN_SHARED_KEY_WEIGHT as f32
        } else {
            0.0
        };
        // That floor first, before taking the key counts' read locks: while a query holds them,
        // inserting threads wait for it, and readers queue behind a waiting writer. Holding
        // them over all the documents met (thousands at a million documents) put threads to
        // sleep on them, and from 8 threads on 2 cores a sleeping thread waits milliseconds
        // for a core again.
        let met: Vec<(u32, f32)> = with_local(&MET, Met::worth_keeping, |tally| {
            for &x in &serials {
                let (serial, w) = postings::unpack_hit(x);
                tally.0.add(serial, w);
            }
            let mut met = Vec::new();
            tally.0.drain(|serial, shared| {
                if shared >= min_shared {
                    met.push((serial, shared));
                }
            });
            met
        });
        let key_counts = self.key_counts.reader();
        for &(s, shared) in &met {
            if f64::from(shared / floor) < self.options.min_key_share && !key_counts.small(s) {
                continue;
            }
            let nd = key_counts.get(s);
            if nd == 0 {
                continue;
            }
            let estimate = shared / wq.min(nd as f32 * mean_w).max(f32::MIN_POSITIVE);
            if f64::from(estimate) >= self.options.min_key_share {
                passing.push((estimate, s));
            }
        }
        drop(key_counts);
        let cands = self.best_candidates(passing);
        // One positional read of each candidate's head (its profile), which settles most
        // candidates in a microsecond each, here on the calling thread. The text is read,
        // analyzed and aligned only for a candidate the profile does not settle, in parallel
        // when there are several: a page syndicated many times has many true copies to verify,
        // and that is a query's slowest case. Handing every query's candidates to the thread
        // pool instead cost more in wake-ups than the checks themselves.
        let mut heads = Vec::with_capacity(cands.len());
        let mut head_bytes = Vec::new();
        for serial in cands {
            if let Some(at) = self.head_into(serial, &mut head_bytes)? {
                heads.push((serial, at));
            }
        }
        let bar = profile::Bar::new(&self.detector.config().align, self.options.min_score);
        let mut open = Vec::new();
        // Three 16 KB bitmaps of the query's lists: they pay from a few candidates on.
        let sets = (heads.len() >= 8).then(|| profile::QuerySets::of(profile));
        for (serial, at) in &heads {
            let h = store::decode_head(&head_bytes[at.clone()]).ok_or_else(|| self.corrupt())?;
            if exclude == Some(h.id) {
                continue;
            }
            // Kept for the alignment, which skips looking for runs the fingerprints rule out.
            if let Some(run) = profile::check_stored(profile, sets.as_ref(), h.profile, &bar) {
                open.push((*serial, h, run));
            }
        }
        let verify = |(serial, h, run): &(u32, store::Head<'_>, bool)| -> Result<Option<Match>> {
            // Removed since its head was read: as if it had not been found.
            let Some(text) = self.body(*serial, Part::Text)? else {
                return Ok(None);
            };
            let text = std::str::from_utf8(&text).map_err(|_| self.corrupt())?;
            self.counters.verified.fetch_add(1, Ordering::Relaxed);
            let c = Scratch::with(&CANDIDATE, |s| {
                self.detector
                    .compare_known(a, s.analyze(&self.detector, text), *run)
            });
            if c.max_score() < self.options.min_score || c.max_score() == 0.0 {
                return Ok(None);
            }
            Ok(Some(Match {
                id: h.id.to_string(),
                time: h.time,
                data: h.data.to_string(),
                resemblance: c.resemblance,
                containment_query_in_doc: c.containment_a_in_b,
                containment_doc_in_query: c.containment_b_in_a,
                passages: c.passages,
            }))
        };
        // Only with a core to spare: when every core runs a call already (a crawler's threads
        // at full load), the pool's threads would take cores from those calls, and this one
        // would sleep until the pool's share is done and then wait for a core again. Calls
        // count from their start, analysis and insertion included: counting only the queries
        // at this point let a query go parallel while other threads were analyzing.
        let spare = self.cores_to_spare();
        let verified: Vec<Option<Match>> = if open.len() >= PARALLEL_VERIFY && spare {
            // One share per thread of the pool; the calling thread verifies the first share
            // while the pool's threads wake up and take the others, instead of sleeping until
            // they are done (a crawler's thread is not one of the pool's).
            let mut results: Vec<Result<Option<Match>>> = open.iter().map(|_| Ok(None)).collect();
            let share = open.len().div_ceil(rayon::current_num_threads().max(1));
            let verify = &verify;
            let verify_share = move |out: &mut [Result<Option<Match>>], items: &[_]| {
                for (o, item) in out.iter_mut().zip(items) {
                    *o = verify(item);
                }
            };
            rayon::in_place_scope(|scope| {
                let mut parts = results.chunks_mut(share).zip(open.chunks(share));
                let mine = parts.next();
                for (out, items) in parts {
                    scope.spawn(move |_| verify_share(out, items));
                }
                if let Some((out, items)) = mine {
                    verify_share(out, items);
                }
            });
            results.into_iter().collect::<Result<_>>()?
        } else {
            open.iter().map(verify).collect::<Result<_>>()?
        };
        let c = &self.counters;
        c.queries.fetch_add(1, Ordering::Relaxed);
        c.postings_read
            .fetch_add(looked.entries_read as u64, Ordering::Relaxed);
        c.candidates
            .fetch_add(heads.len() as u64, Ordering::Relaxed);
        let mut out: Vec<Match> = verified.into_iter().flatten().collect();
        c.matches.fetch_add(out.len() as u64, Ordering::Relaxed);
        out.sort_by(|x, y| {
            y.max_score()
                .total_cmp(&x.max_score())
                .then_with(|| x.id.cmp(&y.id))
        });
        Ok((out, looked.held))
    }

    /// Makes every operation so far durable: the logs are fsynced, then the manifest is replaced
    /// atomically. When removed and evicted documents make up more than half of the logs, they
    /// are compacted first. An in-memory index cannot be saved.
    pub fn save(&self) -> Result<()> {
        let d = self.disk_or_err()?;
        let total: u64 = d.writers.iter().map(|w| lock(w).len).sum();
        if d.dead_bytes.load(Ordering::Relaxed) * 2 > total && total > 1 << 20 {
            return self.compact();
        }
        let gen = lock(&d.state);
        let mut committed = Vec::with_capacity(d.writers.len());
        for (i, w) in d.writers.iter().enumerate() {
            let w = lock(w);
            w.file.sync_data().map_err(|source| Error::Io {
                path: store::log_path(&d.dir, *gen, i),
                source,
            })?;
            committed.push(w.len);
        }
        store::write_manifest(
            &d.dir,
            &store::Manifest {
                format: store::FORMAT_VERSION,
                generation: *gen,
                committed,
                config: persisted(&self.options),
            },
        )
    }

    /// Rewrites the logs with only the live documents, then saves, and purges the inverted lists
    /// of removed documents. Inserts wait while it runs; queries do not. An in-memory index only
    /// purges its inverted lists.
    pub fn compact(&self) -> Result<()> {
        self.postings.retain(|s| {
            matches!(
                read(&self.docs[s as usize % DOC_SHARDS]).get(&s),
                Some(Slot::Live(_))
            )
        });
        let Some(d) = &self.disk else {
            return Ok(());
        };
        let mut gen = lock(&d.state);
        let mut writers: Vec<_> = d.writers.iter().map(lock).collect();
        let next = *gen + 1;
        let paths: Vec<PathBuf> = (0..writers.len())
            .map(|w| store::log_path(&d.dir, next, w))
            .collect();
        for p in &paths {
            let _ = std::fs::remove_file(p); // left by an interrupted compaction
        }
        let mut files = Vec::new();
        for (w, p) in paths.iter().enumerate() {
            files.push(Arc::new(store::create_log(p, w)?));
        }
        let mut lens = vec![store::LOG_HEADER; files.len()];
        // Live documents in serial order, each record copied as is.
        let mut live: Vec<(u32, Arc<File>, u64, u64)> = Vec::new();
        for shard in self.docs.iter() {
            for (&s, slot) in read(shard).iter() {
                if let Slot::Live(doc) = slot {
                    if let Loc::Disk { file, pos, .. } = &doc.loc {
                        let body_off = doc.record_len() - doc_body_len(doc);
                        live.push((s, file.clone(), pos - body_off, doc.record_len()));
                    }
                }
            }
        }
        live.sort_unstable_by_key(|x| x.0);
        let mut moved = Vec::with_capacity(live.len());
        let mut buf = Vec::new();
        for (s, file, start, rec) in live {
            buf.resize(rec as usize, 0);
            self.read_log(&file, start, &mut buf)?;
            let w = s as usize % files.len();
            store::write_at(&files[w], lens[w], &buf).map_err(|source| Error::Io {
                path: paths[w].clone(),
                source,
            })?;
            moved.push((s, w, lens[w]));
            lens[w] += rec;
        }
        for (f, p) in files.iter().zip(&paths) {
            f.sync_all().map_err(|source| Error::Io {
                path: p.clone(),
                source,
            })?;
        }
        store::write_manifest(
            &d.dir,
            &store::Manifest {
                format: store::FORMAT_VERSION,
                generation: next,
                committed: lens.clone(),
                config: persisted(&self.options),
            },
        )?;
        // The new logs are durable and named by the manifest: point the documents at them.
        for (s, w, rec_start) in moved {
            let mut docs = write(&self.docs[s as usize % DOC_SHARDS]);
            if let Some(Slot::Live(doc)) = docs.get_mut(&s) {
                let body_off = doc.record_len() - doc_body_len(doc);
                if let Loc::Disk { file, pos, .. } = &mut doc.loc {
                    *file = files[w].clone();
                    *pos = rec_start + body_off;
                }
            }
        }
        for (w, writer) in writers.iter_mut().enumerate() {
            writer.file = files[w].clone();
            writer.len = lens[w];
        }
        let old = *gen;
        *gen = next;
        d.dead_bytes.store(0, Ordering::Relaxed);
        for w in 0..writers.len() {
            let _ = std::fs::remove_file(store::log_path(&d.dir, old, w));
        }
        Ok(())
    }

    fn disk_or_err(&self) -> Result<&Disk> {
        self.disk.as_ref().ok_or_else(|| Error::InvalidParameter {
            name: "index",
            reason: "an in-memory index has no files: use Index::open to persist one".into(),
        })
    }

    /// Counts and memory of the index.
    pub fn stats(&self) -> IndexStats {
        let (postings, postings_bytes) = self.postings.size();
        let (mut table_bytes, mut text_bytes) = (0usize, 0usize);
        for shard in self.docs.iter() {
            let docs = read(shard);
            // A hash table entry (key, value and control byte) over its load factor.
            table_bytes += docs.capacity() * (std::mem::size_of::<(u32, Slot)>() + 1);
            for slot in docs.values() {
                if let Slot::Live(Doc {
                    loc: Loc::Mem(b), ..
                }) = slot
                {
                    text_bytes += b.len();
                }
            }
        }
        for shard in self.ids.iter() {
            table_bytes += read(shard).capacity() * (std::mem::size_of::<(u64, u32)>() + 1);
        }
        table_bytes += self.key_counts.bytes();
        let (disk_bytes, dead_disk_bytes) = match &self.disk {
            Some(d) => (
                d.writers.iter().map(|w| lock(w).len).sum(),
                d.dead_bytes.load(Ordering::Relaxed),
            ),
            None => (0, 0),
        };
        let documents = self.len();
        IndexStats {
            documents,
            postings,
            postings_bytes,
            table_bytes,
            text_bytes,
            bytes_per_document: (postings_bytes + table_bytes + text_bytes) as f64
                / documents.max(1) as f64,
            disk_bytes,
            dead_disk_bytes,
            queries: self.counters.queries.load(Ordering::Relaxed),
            postings_read: self.counters.postings_read.load(Ordering::Relaxed),
            candidates: self.counters.candidates.load(Ordering::Relaxed),
            verified: self.counters.verified.load(Ordering::Relaxed),
            matches: self.counters.matches.load(Ordering::Relaxed),
        }
    }
}

/// Finds every pair of `texts` the way a crawler would: each text is inserted into an in-memory
/// index, then each is queried against the others. Pairs come as `scan` gives them (`a < b`,
/// sorted, the comparison of `a` with `b`), so the two can be measured against each other.
pub fn scan_via_index<S: AsRef<str> + Sync>(
    texts: &[S],
    options: IndexOptions,
) -> Result<Vec<crate::scan::ScoredPair>> {
    use rayon::prelude::*;
    let index = Index::new(options)?;
    texts.par_iter().enumerate().try_for_each(|(i, t)| {
        index
            .insert(&i.to_string(), t.as_ref(), &Meta::at(0))
            .map(|_| ())
    })?;
    let per_doc: Vec<Vec<crate::scan::ScoredPair>> = texts
        .par_iter()
        .enumerate()
        .map(|(a, t)| {
            let found = index.query(t.as_ref())?;
            Ok(found
                .into_iter()
                .filter_map(|m| {
                    let b: usize = m.id.parse().ok()?;
                    (b > a).then_some(crate::scan::ScoredPair {
                        a,
                        b,
                        comparison: crate::score::Comparison {
                            resemblance: m.resemblance,
                            containment_a_in_b: m.containment_query_in_doc,
                            containment_b_in_a: m.containment_doc_in_query,
                            passages: m.passages,
                        },
                        via: None,
                    })
                })
                .collect())
        })
        .collect::<Result<_>>()?;
    let mut pairs: Vec<_> = per_doc.into_iter().flatten().collect();
    pairs.sort_by_key(|p| (p.a, p.b));
    Ok(pairs)
}

impl Disk {
    /// Appends a record payload to a log: the first free one from `serial`'s on. Returns the
    /// file and the record's position. Replay orders records by their sequence numbers, not by
    /// log, so any log will do; waiting for a busy one put a thread to sleep once every 700
    /// calls from 8 threads on 2 cores (a writer preempted in its `pwrite` holds its log), and a
    /// thread that sleeps there waits milliseconds for a core again.
    fn append(&self, serial: u32, payload: &[u8]) -> Result<(Arc<File>, u64)> {
        let rec = store::frame(payload);
        let n = self.writers.len();
        let first = serial as usize % n;
        let free = (0..n).find_map(|k| match self.writers[(first + k) % n].try_lock() {
            Ok(w) => Some(w),
            Err(std::sync::TryLockError::Poisoned(e)) => Some(e.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        });
        let mut w = free.unwrap_or_else(|| lock(&self.writers[first]));
        let pos = w.len;
        store::write_at(&w.file, pos, &rec).map_err(|source| Error::Io {
            path: self.dir.clone(),
            source,
        })?;
        w.len += rec.len() as u64;
        Ok((w.file.clone(), pos))
    }
}

/// A thread's buffers for analyzing a text, kept between calls: a page's analysis grows a
/// dozen vectors (words, normalized characters, terms, shingles), and growing them afresh for
/// each page and each candidate verified made the allocator a tenth of a call's time, and from
/// several threads a lock they waited on.
struct Scratch {
    analysis: Analysis,
    hashes: Vec<u64>,
}

/// Buffers above this size (a page of some hundred kilobytes) are not kept: one outsized page
/// must not hold its memory in every thread that saw one.
const SCRATCH_KEEP: usize = 4 << 20;

thread_local! {
    /// For the page a call analyzes.
    static PAGE: std::cell::Cell<Option<Scratch>> = const { std::cell::Cell::new(None) };
    /// For a candidate it verifies (on the calling thread or one of the pool's).
    static CANDIDATE: std::cell::Cell<Option<Scratch>> = const { std::cell::Cell::new(None) };
    /// For the documents a query meets.
    static MET: std::cell::Cell<Option<Met>> = const { std::cell::Cell::new(None) };
}

impl Scratch {
    /// `detector`'s analysis of `text` (no signatures), in these buffers.
    fn analyze(&mut self, detector: &Detector, text: &str) -> &Analysis {
        detector.analyze_unsketched_into(text, &mut self.hashes, &mut self.analysis);
        &self.analysis
    }

    /// Runs `f` with this thread's buffers from `slot` (see [`with_local`]).
    fn with<R>(
        slot: &'static std::thread::LocalKey<std::cell::Cell<Option<Scratch>>>,
        f: impl FnOnce(&mut Scratch) -> R,
    ) -> R {
        with_local(
            slot,
            |s: &Scratch| s.analysis.capacity_bytes() + s.hashes.capacity() * 8 <= SCRATCH_KEEP,
            f,
        )
    }
}

impl Default for Scratch {
    fn default() -> Scratch {
        Scratch {
            analysis: Analysis::empty(),
            hashes: Vec::new(),
        }
    }
}

/// Runs `f` with this thread's value in `slot`, taken out for the call so that a nested use (a
/// pool thread running another call's work) starts with a value of its own, and put back after
/// it if `keep` says it is worth keeping.
fn with_local<T: Default, R>(
    slot: &'static std::thread::LocalKey<std::cell::Cell<Option<T>>>,
    keep: impl FnOnce(&T) -> bool,
    f: impl FnOnce(&mut T) -> R,
) -> R {
    let mut value = slot.with(|c| c.take()).unwrap_or_default();
    let r = f(&mut value);
    if keep(&value) {
        slot.with(|c| c.set(Some(value)));
    }
    r
}

/// The documents a query meets through its keys, each with the weight of the keys it shares
/// ([`crate::tally`]). At a million documents a query meets about 2,300 entries; sorting them to
/// bring each document's together took a tenth of the call.
struct Met(crate::tally::Table<f32>);

impl Default for Met {
    fn default() -> Met {
        Met(crate::tally::Table::with_slots(4096))
    }
}

impl Met {
    /// Whether a thread keeps it for its next query: not once a query met a million
    /// documents.
    fn worth_keeping(&self) -> bool {
        self.0.slots() <= 1 << 21
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_added_since_an_index_was_written_take_their_defaults() {
        let given = persisted(&IndexOptions::default());
        // As an index written before `min_firm_pair_bigrams` existed stores its settings.
        let mut old = given.clone();
        old["detector"]["align"]
            .as_object_mut()
            .unwrap()
            .remove("min_firm_pair_bigrams");
        assert_ne!(old, given);
        assert_eq!(as_read_now(&old), given);
        // A setting that matters still tells: a different sample rate is a difference.
        let mut other = old.clone();
        other["sample_rate"] = serde_json::json!(2);
        let mut diffs = Vec::new();
        differences("", &as_read_now(&other), &given, &mut diffs);
        assert_eq!(diffs, ["sample_rate: index 2, given 4"]);
    }
}

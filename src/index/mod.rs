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
//! assert!(found[0].comparison.containment_b_in_a > 0.95); // all of the wire story is in the page
//! # Ok::<(), reprint::Error>(())
//! ```
//!
//! A page's *keys* are a fixed-rate sample of its term-pair shingles, as in `scan`: a passage two
//! documents share gives both the same keys, whatever else each contains. Inverted lists map
//! each key to the documents holding it; the documents sharing enough of a page's keys, rare
//! ones weighing more, are checked against exact bounds on what alignment could report, and
//! those left are aligned as `reprint scan` aligns them, so a match's scores are scan's.
//!
//! In memory, an indexed document costs 6 bytes per key (about 70 keys for a 2,500-character
//! article at the default rate) and 100 to 150 bytes in the document table ([`Index::stats`]
//! measures it); a persistent index keeps texts in its log files, not in memory.
//!
//! Every method takes `&self`; the index is `Send + Sync`, and no operation on the hot path
//! (`insert`, `query`, `check_and_insert`, `remove`) holds a lock on the whole index. Two pages
//! inserted at the same moment may not see each other.
//!
//! With [`IndexOptions::max_docs`] or [`IndexOptions::max_age`], the oldest documents, in
//! insertion order, are evicted. A persistent index ([`Index::open`]) appends every insert and
//! removal to a log; [`Index::save`] makes everything so far durable, and after a crash the index
//! holds everything up to the last save, and usually more, never a damaged record.

// Each file is one job; every one but `store` and `postings` is private.
mod eval; // `scan_via_index`: every pair of a set of texts, found the crawler's way
mod groups; // near-duplicate groups: a story copied by many sites, its keys filed once
mod keycounts; // each document's number of keys, in dense atomic arrays
mod locks; // the locks' poisoning policy, shared by every shard
mod options; // the public settings and values: options, metadata, matches, stored documents
mod parallel; // whether a query may align its candidates on the thread pool
mod persist; // open, replay, save and compact a persistent index
pub(crate) mod postings; // the sharded inverted lists (6 bytes per entry)
mod query; // a page's keys, its candidates, their bounds and alignment
mod scratch; // per-thread buffers kept between calls
mod stats; // what `Index::stats` reports, and the counters queries keep
pub mod store; // the log and manifest format
mod table; // the document table: insert, remove, get, evict, read bodies
mod xling; // copies across languages: their keys' lists, their candidates and comparison

pub use eval::scan_via_index;
pub use options::{Copy, IndexOptions, Match, Meta, StoredDoc};
pub use stats::IndexStats;

use crate::detector::Detector;
use groups::Groups;
use keycounts::KeyCounts;
use persist::Disk;
use postings::Postings;
use stats::Counters;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize};
use std::sync::{Mutex, RwLock};
use table::Slot;

/// The crawler's index. See the [module docs](self).
pub struct Index {
    options: IndexOptions,
    detector: Detector,
    postings: Postings,
    key_counts: KeyCounts,
    groups: Groups,
    /// Copies across languages, when [`IndexOptions::cross_lingual`] is set.
    across: Option<xling::Across>,
    /// The document table, in shards by serial (see `table`).
    docs: Box<[RwLock<HashMap<u32, Slot>>]>,
    /// Id hash → serial of the document with that id, in shards by id hash.
    ids: Box<[RwLock<HashMap<u64, u32>>]>,
    next_serial: AtomicU32,
    /// Serials below this were evicted in order.
    min_live: AtomicU32,
    /// `seq = seq_base + serial`: the log's order of operations, continued across restarts.
    seq_base: u64,
    live: AtomicUsize,
    newest_time: AtomicU64,
    evicting: Mutex<()>,
    /// The logs of a persistent index; `None` in memory.
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

//! What [`Index::stats`] reports: counts and sizes of an index, for monitoring.
//!
//! # Invariants
//! - The counters are relaxed atomics that queries add to as they go: monitoring, never
//!   synchronization. A snapshot taken while calls are under way may count a query's candidates
//!   and not yet its matches.
//! - Memory is estimated from the tables' capacities and entry sizes, not measured from the
//!   allocator.

use super::locks::{lock, read};
use super::table::{Doc, Loc, Slot};
use super::Index;
use std::sync::atomic::{AtomicU64, Ordering};

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
    /// Candidates they considered: documents sharing enough keys (and, comparing across
    /// languages, documents of other languages sharing enough cross-lingual keys).
    pub candidates: u64,
    /// Of which, documents they verified by alignment (the others were ruled out by their
    /// stored profiles).
    pub verified: u64,
    /// Matches they returned.
    pub matches: u64,
    /// Near-duplicate groups: stories copied so often that their copies are filed under one
    /// representative (see [`Match::copies`](super::Match::copies)).
    pub groups: usize,
    /// Documents filed as copies in those groups.
    pub copies: usize,
}

/// What queries did, for [`IndexStats`]. Relaxed counters: monitoring, not synchronization.
#[derive(Default)]
pub(super) struct Counters {
    pub(super) queries: AtomicU64,
    pub(super) postings_read: AtomicU64,
    pub(super) candidates: AtomicU64,
    pub(super) verified: AtomicU64,
    pub(super) matches: AtomicU64,
}

impl Index {
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
        let (groups, copies, group_bytes) = self.groups.counts();
        table_bytes += group_bytes;
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
            groups,
            copies,
        }
    }
}

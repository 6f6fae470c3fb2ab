//! Each document's number of keys, by serial, in dense arrays: what ranking a candidate needs.
//!
//! A query meets hundreds of documents in the inverted lists, most of them sharing one key by
//! chance, and must know each one's number of keys to estimate how much of it the query holds.
//! A hash-table lookup per document costs two cache misses; here it is one read in a dense array
//! of `u16`. Serials are handed out in order, so the arrays only grow at their end and lose their
//! front as the oldest documents are evicted: two bytes per operation since the index was opened
//! or last compacted, whichever is later, less the evicted ones.
//!
//! # Invariants
//! - `reader().get(s)` is the key count `set` last gave serial `s` (capped at `u16::MAX`), or 0 when it
//!   was never set, was set to 0 (not live), or was trimmed. Serial `s` lives in shard
//!   `s % SHARDS`, at position `s / SHARDS − first`.
//! - This is a pre-filter: the document table stays the authority on which documents are live.

use super::{read, write};
use std::collections::VecDeque;
use std::sync::RwLock;

/// Shards, so that threads inserting consecutive serials take different locks.
const SHARDS: usize = 64;

#[derive(Default)]
struct Ring {
    /// `s / SHARDS` of the serial at the front.
    first: u32,
    counts: VecDeque<u16>,
}

/// See the module docs.
pub(crate) struct KeyCounts {
    shards: Box<[RwLock<Ring>]>,
}

impl KeyCounts {
    pub(crate) fn new() -> KeyCounts {
        KeyCounts {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
        }
    }

    /// Records serial `s`'s key count (0: not live).
    pub(crate) fn set(&self, s: u32, keys: usize) {
        let mut r = write(&self.shards[s as usize % SHARDS]);
        let Some(pos) = (s / SHARDS as u32).checked_sub(r.first) else {
            return; // trimmed already
        };
        let pos = pos as usize;
        if pos >= r.counts.len() {
            r.counts.resize(pos + 1, 0);
        }
        r.counts[pos] = keys.min(usize::from(u16::MAX)) as u16;
    }

    /// A view of every shard under one read lock each, for a query that looks up hundreds of
    /// serials: a lock per lookup is an atomic operation per serial, and those serialize the
    /// lookups' cache misses, which otherwise overlap.
    pub(crate) fn reader(&self) -> Reader<'_> {
        Reader {
            shards: self.shards.iter().map(|s| read(s)).collect(),
        }
    }

    /// Forgets serial `s` and every serial of its shard before it: the oldest are evicted first.
    pub(crate) fn trim_through(&self, s: u32) {
        let mut r = write(&self.shards[s as usize % SHARDS]);
        while r.first <= s / SHARDS as u32 {
            if r.counts.pop_front().is_none() {
                r.first = s / SHARDS as u32 + 1;
                break;
            }
            r.first += 1;
        }
    }

    /// Bytes of memory held.
    pub(crate) fn bytes(&self) -> usize {
        self.shards
            .iter()
            .map(|s| read(s).counts.capacity() * 2 + std::mem::size_of::<RwLock<Ring>>())
            .sum()
    }
}

/// See [`KeyCounts::reader`]. Writers wait while it lives: drop it soon.
pub(crate) struct Reader<'a> {
    shards: Vec<std::sync::RwLockReadGuard<'a, Ring>>,
}

impl Reader<'_> {
    /// Serial `s`'s key count, 0 when unknown or not live.
    pub(crate) fn get(&self, s: u32) -> usize {
        let r = &self.shards[s as usize % SHARDS];
        (s / SHARDS as u32)
            .checked_sub(r.first)
            .and_then(|pos| r.counts.get(pos as usize))
            .map_or(0, |&n| usize::from(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_trim() {
        let c = KeyCounts::new();
        // Out of order, as threads finish inserts.
        for s in [130u32, 2, 66, 0, 1, 70_000] {
            c.set(s, s as usize % 1000 + 1);
        }
        assert_eq!(c.reader().get(130), 131);
        assert_eq!(c.reader().get(2), 3);
        assert_eq!(c.reader().get(66), 67);
        assert_eq!(c.reader().get(3), 0);
        assert_eq!(c.reader().get(u32::MAX), 0);
        c.set(66, 0);
        assert_eq!(c.reader().get(66), 0);
        c.set(5, 1 << 20);
        assert_eq!(c.reader().get(5), usize::from(u16::MAX));
        c.trim_through(66);
        assert_eq!((c.reader().get(2), c.reader().get(130)), (0, 131));
        c.set(2, 9); // trimmed: ignored
        assert_eq!(c.reader().get(2), 0);
        assert_eq!(c.reader().get(1), 2);
        c.trim_through(1 + 64 * 5000); // past the end of the shard
        assert_eq!(c.reader().get(1), 0);
        c.set(1 + 64 * 5001, 4);
        assert_eq!(c.reader().get(1 + 64 * 5001), 4);
    }
}

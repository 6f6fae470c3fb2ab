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

/// Documents with fewer keys than this are marked small (see [`Reader::small`]).
pub(crate) const SMALL_KEYS: usize = 64;

#[derive(Default)]
struct Ring {
    /// `s / SHARDS` of the serial at the front.
    first: u32,
    counts: VecDeque<u16>,
    /// One bit per position, set for a live document of fewer than [`SMALL_KEYS`] keys: bit
    /// `p % 64` of word `p / 64 − small_first`. A sixteenth of `counts`, small enough to stay in
    /// a core's cache where `counts` does not.
    small: VecDeque<u64>,
    small_first: u32,
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
        let at = s / SHARDS as u32;
        let Some(word) = (at / 64).checked_sub(r.small_first) else {
            return;
        };
        let word = word as usize;
        if word >= r.small.len() {
            r.small.resize(word + 1, 0);
        }
        let bit = 1u64 << (at % 64);
        if keys > 0 && keys < SMALL_KEYS {
            r.small[word] |= bit;
        } else {
            r.small[word] &= !bit;
        }
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
        // Words whose every position is now before `first`.
        while r.small_first < r.first / 64 {
            if r.small.pop_front().is_none() {
                r.small_first = r.first / 64;
                break;
            }
            r.small_first += 1;
        }
    }

    /// Bytes of memory held.
    pub(crate) fn bytes(&self) -> usize {
        self.shards
            .iter()
            .map(|s| {
                let r = read(s);
                r.counts.capacity() * 2
                    + r.small.capacity() * 8
                    + std::mem::size_of::<RwLock<Ring>>()
            })
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

    /// Whether serial `s` is a live document of fewer than [`SMALL_KEYS`] keys, from one bit:
    /// when it is not, its key count is at least that (or it is not live), which bounds the
    /// share of its keys a query can hold without reading the count.
    pub(crate) fn small(&self, s: u32) -> bool {
        let r = &self.shards[s as usize % SHARDS];
        let at = s / SHARDS as u32;
        if at < r.first {
            return false; // trimmed, though its word may still hold later positions
        }
        (at / 64)
            .checked_sub(r.small_first)
            .and_then(|w| r.small.get(w as usize))
            .is_some_and(|&w| w & (1 << (at % 64)) != 0)
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

    #[test]
    fn small_marks_agree_with_the_counts() {
        let c = KeyCounts::new();
        let mut x = 0x9E37_79B9u32;
        let mut model = std::collections::HashMap::new();
        for s in 0..20_000u32 {
            crate::testing::xorshift32(&mut x);
            let keys = (x % 150) as usize;
            c.set(s, keys);
            model.insert(s, keys);
        }
        for trim in [0u32, 5_000, 12_345, 19_999] {
            if trim > 0 {
                c.trim_through(trim);
                model.retain(|&s, _| s % SHARDS as u32 != trim % SHARDS as u32 || s > trim);
            }
            let r = c.reader();
            for s in 0..20_000u32 {
                let n = r.get(s);
                assert_eq!(r.small(s), n > 0 && n < SMALL_KEYS, "serial {s}");
                if n > 0 {
                    assert_eq!(Some(&n), model.get(&s));
                }
            }
        }
        // A document removed (count 0) is no longer small.
        c.set(19_998, 3);
        assert!(c.reader().small(19_998));
        c.set(19_998, 0);
        assert!(!c.reader().small(19_998));
    }
}

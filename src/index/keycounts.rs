//! Each document's number of keys, by serial, in dense arrays: what ranking a candidate needs.
//!
//! A query meets hundreds of documents in the inverted lists, most of them sharing one key by
//! chance, and must know each one's number of keys to estimate how much of it the query holds.
//! A hash-table lookup per document costs two cache misses; here it is one read in a dense array
//! of `u16`. Serials are handed out in order, so the array only grows at its end and loses its
//! front as the oldest documents are evicted: it is cut into segments of [`SEGMENT`] serials,
//! made as serials reach them and dropped once every serial in them is evicted. Two bytes per
//! operation since the index was opened or last compacted, less the evicted ones.
//!
//! Counts and marks are atomics, read and written under a shared lock on the list of segments,
//! which only the making and dropping of a segment (once per 65,536 inserts) takes exclusively.
//! With a lock per shard taken for writing by every insert and for reading by every query over
//! all the documents it met, queries and inserts from 8 threads on 2 cores put each other to
//! sleep about once every 160 calls (`perf record -e sched:sched_switch`, 100,000 documents),
//! and a thread that sleeps there waits milliseconds for a core again.
//!
//! # Invariants
//! - `reader().get(s)` is the key count `set` last gave serial `s` (capped at `u16::MAX`), or 0
//!   when it was never set, was set to 0 (not live), or is at or below the last
//!   `trim_through`.
//! - This is a pre-filter: the document table stays the authority on which documents are live.

use super::locks::{read, write};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, Ordering};
use std::sync::RwLock;

/// Serials per segment.
const SEGMENT: usize = 1 << 16;

/// Documents with fewer keys than this are marked small (see [`Reader::small`]).
pub(crate) const SMALL_KEYS: usize = 64;

/// The counts of [`SEGMENT`] consecutive serials.
struct Segment {
    counts: Box<[AtomicU16]>,
    /// One bit per serial, set for a live document of fewer than [`SMALL_KEYS`] keys. A
    /// sixteenth of `counts`, small enough to stay in a core's cache where `counts` does not.
    small: Box<[AtomicU64]>,
}

impl Segment {
    fn new() -> Box<Segment> {
        Box::new(Segment {
            counts: (0..SEGMENT).map(|_| AtomicU16::new(0)).collect(),
            small: (0..SEGMENT / 64).map(|_| AtomicU64::new(0)).collect(),
        })
    }
}

#[derive(Default)]
struct Segments {
    /// Number of the segment at the front.
    first: u32,
    list: VecDeque<Box<Segment>>,
}

impl Segments {
    /// Serial `s`'s segment and its place there, if the segment exists.
    fn at(&self, s: u32) -> Option<(&Segment, usize)> {
        let k = (s as usize / SEGMENT).checked_sub(self.first as usize)?;
        self.list.get(k).map(|g| (&**g, s as usize % SEGMENT))
    }
}

/// See the module docs.
pub(crate) struct KeyCounts {
    segments: RwLock<Segments>,
    /// Serials below this are forgotten.
    floor: AtomicU32,
}

impl KeyCounts {
    pub(crate) fn new() -> KeyCounts {
        KeyCounts {
            segments: RwLock::default(),
            floor: AtomicU32::new(0),
        }
    }

    /// Records serial `s`'s key count (0: not live).
    pub(crate) fn set(&self, s: u32, keys: usize) {
        if s < self.floor.load(Ordering::Relaxed) {
            return; // trimmed already
        }
        {
            let segments = read(&self.segments);
            if let Some((g, i)) = segments.at(s) {
                return store(g, i, keys);
            }
            if (s as usize / SEGMENT) < segments.first as usize {
                return; // dropped already
            }
        }
        let mut segments = write(&self.segments);
        while (segments.first as usize + segments.list.len()) * SEGMENT <= s as usize {
            segments.list.push_back(Segment::new());
        }
        if let Some((g, i)) = segments.at(s) {
            store(g, i, keys);
        }
    }

    /// A view of the counts for a query that looks up hundreds of serials: one shared lock for
    /// all of them, not an atomic operation each, which would serialize the lookups' cache
    /// misses, which otherwise overlap.
    pub(crate) fn reader(&self) -> Reader<'_> {
        Reader {
            segments: read(&self.segments),
            floor: self.floor.load(Ordering::Relaxed),
        }
    }

    /// Forgets serial `s` and every serial before it: the oldest are evicted first.
    pub(crate) fn trim_through(&self, s: u32) {
        let floor = s.saturating_add(1);
        self.floor.fetch_max(floor, Ordering::Relaxed);
        let whole = floor as usize / SEGMENT; // segments wholly below the floor
        if read(&self.segments).first as usize >= whole {
            return;
        }
        let mut segments = write(&self.segments);
        while (segments.first as usize) < whole {
            segments.list.pop_front();
            segments.first += 1;
        }
    }

    /// Bytes of memory held.
    pub(crate) fn bytes(&self) -> usize {
        let segments = read(&self.segments);
        segments.list.len() * (SEGMENT * 2 + SEGMENT / 8 + std::mem::size_of::<Segment>())
            + segments.list.capacity() * std::mem::size_of::<Box<Segment>>()
            + std::mem::size_of::<Self>()
    }
}

fn store(g: &Segment, i: usize, keys: usize) {
    g.counts[i].store(keys.min(usize::from(u16::MAX)) as u16, Ordering::Relaxed);
    let bit = 1u64 << (i % 64);
    if keys > 0 && keys < SMALL_KEYS {
        g.small[i / 64].fetch_or(bit, Ordering::Relaxed);
    } else {
        g.small[i / 64].fetch_and(!bit, Ordering::Relaxed);
    }
}

/// See [`KeyCounts::reader`]. Making or dropping a segment waits while it lives: drop it soon.
pub(crate) struct Reader<'a> {
    segments: std::sync::RwLockReadGuard<'a, Segments>,
    floor: u32,
}

impl Reader<'_> {
    /// Serial `s`'s key count, 0 when unknown or not live.
    pub(crate) fn get(&self, s: u32) -> usize {
        if s < self.floor {
            return 0;
        }
        self.segments
            .at(s)
            .map_or(0, |(g, i)| usize::from(g.counts[i].load(Ordering::Relaxed)))
    }

    /// Whether serial `s` is a live document of fewer than [`SMALL_KEYS`] keys, from one bit:
    /// when it is not, its key count is at least that (or it is not live), which bounds the
    /// share of its keys a query can hold without reading the count.
    pub(crate) fn small(&self, s: u32) -> bool {
        if s < self.floor {
            return false;
        }
        self.segments
            .at(s)
            .is_some_and(|(g, i)| g.small[i / 64].load(Ordering::Relaxed) & (1 << (i % 64)) != 0)
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
        assert_eq!(c.reader().get(1), 0); // every serial up to 66 is forgotten
        c.trim_through(1 + 64 * 5000); // past the end of what was set, beyond a segment
        assert_eq!(c.reader().get(1), 0);
        assert_eq!(c.reader().get(70_000), 0);
        c.set(1 + 64 * 5001, 4);
        assert_eq!(c.reader().get(1 + 64 * 5001), 4);
        c.set(6 * SEGMENT as u32 + 7, 12); // a segment not made yet, beyond a gap
        assert_eq!(c.reader().get(6 * SEGMENT as u32 + 7), 12);
        assert!(c.reader().small(6 * SEGMENT as u32 + 7));
        assert_eq!(c.reader().get(5 * SEGMENT as u32 + 7), 0);
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
                model.retain(|&s, _| s > trim);
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
        c.set(20_005, 3);
        assert!(c.reader().small(20_005));
        c.set(20_005, 0);
        assert!(!c.reader().small(20_005));
    }
}

//! The index's inverted lists: sampled shingle key → the documents holding it.
//!
//! The table is cut into [`SHARDS`] shards by the key's low 12 bits, each behind its own lock, so
//! threads inserting and querying different keys never wait for each other. An entry is packed
//! into three `u16`: the next 16 bits of the key, then the document's serial (high half, low
//! half), so sorting entries sorts them by key, then by document. Within a shard, entries live in
//! a large sorted array and a small sorted buffer that new entries go into; when the buffer is
//! full it is merged into the array in one linear pass. That costs 6 bytes per entry (no per-key
//! allocation, no hash-table slack) and keeps every lookup a binary search.
//!
//! A key is thus known by 28 of its 32 bits: keys equal in those bits share a list. At a million
//! documents of 70 keys, a query key meets about one unrelated entry that way, a chance
//! candidate that shares one key with the query and is never verified (see
//! `IndexOptions::min_key_share`).
//!
//! # Invariants
//! - `main` and `buf` are sorted; no entry has a serial below the caller's `min_live` after a
//!   merge (entries of documents evicted in order are dropped there).
//! - A key holds at most `cap` entries: a shingle that common says nothing about who copied whom,
//!   and queries skip it (see [`Postings::lookup`]).

use super::{read, write};
use std::sync::RwLock;

/// Number of shards, a power of two well above the thread count, so contention is rare: the
/// low `log2(SHARDS)` bits of a key choose its shard.
pub(crate) const SHARDS: usize = 4096;
const SHARD_BITS: u32 = SHARDS.trailing_zeros();

/// Entries a shard buffers before merging them into its sorted array.
const BUFFER: usize = 256;

/// Key bits (above the shard's), serial high half, serial low half.
type Entry = [u16; 3];

#[derive(Default)]
struct Shard {
    main: Vec<Entry>,
    /// Where each value of the top 8 bits of the key part starts in `main` (257 offsets), once
    /// `main` is long enough for a binary search over all of it to cost several cache misses;
    /// empty before.
    dir: Vec<u32>,
    buf: Vec<Entry>,
}

/// Length of `main` from which a shard keeps a directory: 4096 shards × 1 KB is 4 MB, paid
/// from about 2 million entries (30,000 documents) on, where it saves half a query's time.
const DIR_FROM: usize = 512;

/// Keys holding at most this many entries have their serials copied while they are counted.
const COPY_ON_COUNT: usize = 64;

/// A serial and a weight as [`Postings::lookup`] hands them out: the serial in the high half,
/// so that sorting sorts by serial, and the weight's bits (a positive `f32`) in the low half.
pub(crate) fn unpack_hit(hit: u64) -> (u32, f32) {
    ((hit >> 32) as u32, f32::from_bits(hit as u32))
}

/// The part of a key an entry stores.
fn key_part(key: u32) -> u16 {
    (key >> SHARD_BITS) as u16
}

fn pack(key: u32, serial: u32) -> Entry {
    [key_part(key), (serial >> 16) as u16, serial as u16]
}

fn serial_of(e: Entry) -> u32 {
    (u32::from(e[1]) << 16) | u32::from(e[2])
}

/// The range of `v` (sorted) holding `key`.
fn key_range(v: &[Entry], key: u32) -> std::ops::Range<usize> {
    let k = key_part(key);
    let lo = v.partition_point(|e| e[0] < k);
    let hi = lo + v[lo..].partition_point(|e| e[0] <= k);
    lo..hi
}

impl Shard {
    /// The range of `main` holding `key`.
    fn main_range(&self, key: u32) -> std::ops::Range<usize> {
        if self.dir.is_empty() {
            return key_range(&self.main, key);
        }
        let b = usize::from(key_part(key) >> 8);
        let (lo, hi) = (self.dir[b] as usize, self.dir[b + 1] as usize);
        let r = key_range(&self.main[lo..hi], key);
        lo + r.start..lo + r.end
    }

    fn count(&self, key: u32) -> usize {
        self.held(key).0
    }

    /// How many entries `key` holds, and their serials (those in `main`, then those in `buf`),
    /// from one search of each.
    fn held(&self, key: u32) -> (usize, impl Iterator<Item = u32> + '_) {
        let (in_main, in_buf) = (self.main_range(key), key_range(&self.buf, key));
        let n = in_main.len() + in_buf.len();
        let serials = self.main[in_main]
            .iter()
            .chain(&self.buf[in_buf])
            .map(|&e| serial_of(e));
        (n, serials)
    }

    /// Rebuilds the directory after `main` changed.
    fn index(&mut self) {
        self.dir.clear();
        if self.main.len() < DIR_FROM {
            self.dir.shrink_to_fit();
            return;
        }
        self.dir.reserve_exact(257);
        let mut at = 0;
        for b in 0..=256usize {
            while at < self.main.len() && usize::from(self.main[at][0] >> 8) < b {
                at += 1;
            }
            self.dir.push(at as u32);
        }
    }

    fn merge(&mut self, min_live: u32) {
        let mut out = Vec::with_capacity(self.main.len() + self.buf.len());
        let (mut i, mut j) = (0, 0);
        let (a, b) = (&self.main, &self.buf);
        while i < a.len() || j < b.len() {
            let e = if j == b.len() || (i < a.len() && a[i] <= b[j]) {
                i += 1;
                a[i - 1]
            } else {
                j += 1;
                b[j - 1]
            };
            if serial_of(e) >= min_live {
                out.push(e);
            }
        }
        out.shrink_to_fit();
        self.main = out;
        self.buf.clear();
        self.index();
    }
}

/// Sharded inverted lists. See the module docs.
pub(crate) struct Postings {
    shards: Box<[RwLock<Shard>]>,
}

fn shard_of(key: u32) -> usize {
    key as usize & (SHARDS - 1)
}

impl Postings {
    pub(crate) fn new() -> Postings {
        Postings {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
        }
    }

    /// Adds `serial` under each of `keys` (sorted, distinct) that holds fewer than `cap` entries.
    /// Returns how many entries were added.
    pub(crate) fn insert(&self, keys: &[u32], serial: u32, cap: usize, min_live: u32) -> usize {
        let mut added = 0;
        for &key in keys {
            let mut s = write(&self.shards[shard_of(key)]);
            if s.count(key) >= cap {
                continue;
            }
            let e = pack(key, serial);
            let at = s.buf.partition_point(|x| *x < e);
            s.buf.insert(at, e);
            added += 1;
            if s.buf.len() >= BUFFER {
                s.merge(min_live);
            }
        }
        added
    }

    /// Appends to `out` the serials (at least `min_live`) filed under `keys`, each with the weight
    /// `weight(n)` of its key, `n` being the number of entries the key holds, packed as
    /// [`unpack_hit`] reads them, so that sorting `out` sorts by serial.
    ///
    /// Keys are read rarest first, and a key is skipped when it holds `cap` entries or more, or
    /// when reading it would take the entries read past `budget`: the rare keys are the evidence
    /// of copying, and a query's cost must not grow with the size of the index through the
    /// common ones. Returns the sum of the weights of all `keys` (skipped ones included) and the
    /// number of entries read.
    pub(crate) fn lookup(
        &self,
        keys: &[u32],
        cap: usize,
        budget: usize,
        min_live: u32,
        weight: impl Fn(usize) -> f32,
        out: &mut Vec<u64>,
    ) -> (f32, usize) {
        // One visit per key: its count, and its serials when it holds few (most keys are rare,
        // and rare keys are read first, so those are almost always read). A common key is
        // visited again if the budget reaches it.
        // (entries, key, where its serials are in `copied` if they were copied)
        type Counted = (usize, u32, Option<(u32, u32)>);
        let mut counted: Vec<Counted> = Vec::with_capacity(keys.len());
        let mut copied: Vec<u32> = Vec::new();
        for &key in keys {
            let s = read(&self.shards[shard_of(key)]);
            let (n, serials) = s.held(key);
            let copy = (n <= COPY_ON_COUNT && n < cap).then(|| {
                let from = copied.len();
                copied.extend(serials);
                (from as u32, copied.len() as u32)
            });
            counted.push((n, key, copy));
        }
        counted.sort_unstable_by_key(|&(n, key, _)| (n, key));
        let mut total = 0.0;
        let mut read_entries = 0;
        let mut keep = |serials: &mut dyn Iterator<Item = u32>, w: f32| {
            let bits = u64::from(w.to_bits());
            out.extend(
                serials
                    .filter(|&x| x >= min_live)
                    .map(|x| (u64::from(x) << 32) | bits),
            );
        };
        for &(n, key, copy) in &counted {
            let w = weight(n);
            total += w;
            if n >= cap || read_entries + n > budget {
                continue;
            }
            read_entries += n;
            match copy {
                Some((from, to)) => {
                    keep(&mut copied[from as usize..to as usize].iter().copied(), w);
                }
                None => {
                    let s = read(&self.shards[shard_of(key)]);
                    keep(&mut s.held(key).1, w);
                }
            }
        }
        (total, read_entries)
    }

    /// Keeps only the entries whose serial satisfies `live`, shard by shard. Returns how many were
    /// dropped.
    pub(crate) fn retain(&self, live: impl Fn(u32) -> bool) -> usize {
        let mut dropped = 0;
        for shard in self.shards.iter() {
            let mut s = write(shard);
            let before = s.main.len() + s.buf.len();
            s.main.retain(|&e| live(serial_of(e)));
            s.buf.retain(|&e| live(serial_of(e)));
            s.main.shrink_to_fit();
            s.index();
            dropped += before - s.main.len() - s.buf.len();
        }
        dropped
    }

    /// Number of entries, and bytes of memory they hold (capacity included).
    pub(crate) fn size(&self) -> (usize, usize) {
        let (mut n, mut bytes) = (0, 0);
        for shard in self.shards.iter() {
            let s = read(shard);
            n += s.main.len() + s.buf.len();
            bytes += (s.main.capacity() + s.buf.capacity()) * std::mem::size_of::<Entry>()
                + s.dir.capacity() * 4;
        }
        (n, bytes + SHARDS * std::mem::size_of::<RwLock<Shard>>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_lookup_merge_and_cap() {
        let p = Postings::new();
        // Enough entries under one shard to force several merges.
        let keys: Vec<u32> = (0..3000u32).map(|i| i * SHARDS as u32).collect();
        for (serial, k) in keys.iter().enumerate() {
            assert_eq!(
                p.insert(&[*k, 7], serial as u32, 2000, 0),
                if serial < 2000 { 2 } else { 1 }
            );
        }
        let lookup = |keys: &[u32], cap: usize, min_live: u32| -> (Vec<u32>, f32) {
            let mut out = Vec::new();
            let (total, _) = p.lookup(keys, cap, usize::MAX, min_live, |n| n as f32, &mut out);
            let out: Vec<(u32, f32)> = out.into_iter().map(unpack_hit).collect();
            assert!(out.iter().all(|&(_, w)| w >= 1.0));
            (out.into_iter().map(|x| x.0).collect(), total)
        };
        assert_eq!(
            lookup(&[keys[5], keys[2999]], 2000, 0),
            (vec![5, 2999], 2.0)
        );
        // Key 7 reached the cap: it is skipped, but counts in the total.
        assert_eq!(lookup(&[7], 2000, 0), (vec![], 2000.0));
        assert_eq!(lookup(&[7], usize::MAX, 0).0.len(), 2000);
        // Within a budget of entries, the rarest keys are read and the others skipped.
        let mut out = Vec::new();
        let (total, n) = p.lookup(&[7, keys[5]], usize::MAX, 1500, 0, |_| 1.0, &mut out);
        let out: Vec<(u32, f32)> = out.into_iter().map(unpack_hit).collect();
        assert_eq!((total, n, out), (2.0, 1, vec![(5, 1.0)]));
        // Serials below min_live are not returned.
        assert_eq!(lookup(&[keys[5], keys[2999]], 2000, 6).0, vec![2999]);
        assert_eq!(p.retain(|s| s % 2 == 0), 1500 + 1000);
        assert_eq!(p.size().0, 1500 + 1000);
    }

    #[test]
    fn lookups_agree_with_a_model_across_merges_and_the_directory() {
        // Keys in 3 shards only, so that shards grow past DIR_FROM and merge many times.
        let p = Postings::new();
        let mut model: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
        let mut x = 0x2545_f491_u32;
        for serial in 0..4000u32 {
            let mut keys: Vec<u32> = (0..5)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    // Few distinct key parts, so lists hold several serials.
                    ((x >> 20) << SHARD_BITS) | (x % 3)
                })
                .collect();
            keys.sort_unstable();
            keys.dedup();
            p.insert(&keys, serial, usize::MAX, 0);
            for k in keys {
                model.entry(k).or_default().push(serial);
            }
        }
        assert!(read(&p.shards[0]).dir.len() == 257);
        for (&k, serials) in &model {
            let mut out = Vec::new();
            p.lookup(&[k], usize::MAX, usize::MAX, 0, |_| 1.0, &mut out);
            let mut got: Vec<u32> = out.into_iter().map(|x| unpack_hit(x).0).collect();
            got.sort_unstable();
            assert_eq!(&got, serials, "key {k:#x}");
        }
        // A key part never inserted finds nothing.
        let mut out = Vec::new();
        p.lookup(
            &[5 << SHARD_BITS],
            usize::MAX,
            usize::MAX,
            0,
            |_| 1.0,
            &mut out,
        );
        assert!(out.is_empty() || model.contains_key(&(5 << SHARD_BITS)));
    }
}

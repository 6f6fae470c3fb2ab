//! The index's inverted lists: sampled shingle key → the documents holding it.
//!
//! The table is cut into [`SHARDS`] shards by the key's low 12 bits, each behind its own lock, so
//! threads inserting and querying different keys never wait for each other. An entry is packed
//! into three `u16`: the next 16 bits of the key, then the document's serial (high half, low
//! half), so sorting entries sorts them by key, then by document. Within a shard, entries live in
//! a large sorted array and a small buffer that new entries are appended to; when the buffer is
//! full it is sorted and merged into the array in one pass. That costs 6 bytes per entry (no
//! per-key allocation, no hash-table slack) and keeps every lookup a binary search. The buffer
//! is read only for keys whose bit is set in a small bitmap of what it holds: most keys are
//! not in it, and an insertion touches one line of it, where keeping it sorted would touch several
//! (each a cache miss at a million documents).
//!
//! A key is thus known by 28 of its 32 bits: keys equal in those bits share a list. At a million
//! documents of 70 keys, a query key meets about one unrelated entry that way, a chance
//! candidate that shares one key with the query and is never verified (see
//! `IndexOptions::min_key_share`).
//!
//! # Invariants
//! - `main` is sorted; after a merge, `main` holds no serial below the `min_live`
//!   it was given (entries of documents evicted in order are dropped there), except an entry
//!   of a document evicted while it was being inserted, which stays until `min_live` rises
//!   again. Lookups never return a serial below their own `min_live`.
//! - Every entry of `buf` has its bit set in the shard's `seen`.
//! - A key holds at most `cap` entries (from one thread; from several, up to one more per
//!   concurrent insertion: see [`Postings::insert`]): a shingle that common says nothing about
//!   who copied whom, and queries skip it (see [`Postings::lookup`]).

use super::locks::{read, write};
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
    /// A bit per value of a key part's low [`SEEN_BITS`] bits, set for every entry of `buf`
    /// (and possibly more): a lookup skips `buf` for a key whose bit is clear.
    seen: [u64; SEEN_WORDS],
    /// `min_live` when `main` was last filtered: entries below it are gone from `main`.
    floor: u32,
}

/// Bits of [`Shard::seen`]: a full buffer of 256 entries sets about a fifth of 1,024.
const SEEN_BITS: u32 = 10;
const SEEN_WORDS: usize = (1 << SEEN_BITS) / 64;

fn seen_bit(key: u32) -> (usize, u64) {
    let b = usize::from(key_part(key)) & ((1 << SEEN_BITS) - 1);
    (b / 64, 1 << (b % 64))
}

/// Length of `main` from which a shard keeps a directory: 4096 shards × 1 KB is 4 MB, paid
/// from about 2 million entries (30,000 documents) on, where it saves half a query's time.
const DIR_FROM: usize = 512;

/// Keys holding at most this many entries have their serials copied while they are counted.
const COPY_ON_COUNT: usize = 64;

/// A serial and a weight as [`Postings::lookup`] hands them out: the serial in the high half,
/// the weight's bits (a positive `f32`) in the low half, one word per hit.
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

/// An entry as one integer, in the same order: comparing arrays goes element by element.
fn ord(e: Entry) -> u64 {
    (u64::from(e[0]) << 32) | (u64::from(e[1]) << 16) | u64::from(e[2])
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
    /// from one search of `main` and, when `seen` says the buffer may hold the key, a scan of
    /// the buffer.
    fn held(&self, key: u32) -> (usize, impl Iterator<Item = u32> + '_) {
        let k = key_part(key);
        let (w, bit) = seen_bit(key);
        let buf: &[Entry] = if self.seen[w] & bit != 0 {
            &self.buf
        } else {
            &[]
        };
        let in_buf = move || buf.iter().filter(move |e| e[0] == k);
        let in_main = self.main_range(key);
        let n = in_main.len() + in_buf().count();
        let serials = self.main[in_main]
            .iter()
            .chain(in_buf())
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

    /// Moves `buf` into `main`. The buffer is small and `main` large (tens of thousands of
    /// entries at a million documents), so `main` is copied in blocks between the buffer's
    /// insertion points rather than compared entry by entry; entries below `min_live` are
    /// dropped only when it rose since the last merge.
    fn merge(&mut self, min_live: u32) {
        self.buf.sort_unstable_by_key(|&e| ord(e));
        let mut out = Vec::with_capacity(self.main.len() + self.buf.len());
        let mut from = 0;
        for &e in &self.buf {
            let at = from + gallop(&self.main[from..], e);
            out.extend_from_slice(&self.main[from..at]);
            out.push(e);
            from = at;
        }
        out.extend_from_slice(&self.main[from..]);
        if min_live > self.floor {
            out.retain(|&e| serial_of(e) >= min_live);
            self.floor = min_live;
        }
        out.shrink_to_fit();
        self.main = out;
        self.buf.clear();
        self.seen = [0; SEEN_WORDS];
        self.index();
    }
}

/// How many entries at the start of `v` (sorted) are at most `e`, searched from the start with
/// growing steps: a buffered entry lands a few dozen entries past the previous one, and a
/// binary search of all of `v` would jump across memory the merge is about to copy anyway.
fn gallop(v: &[Entry], e: Entry) -> usize {
    let e = ord(e);
    let mut step = 1;
    let mut lo = 0;
    while lo + step <= v.len() && ord(v[lo + step - 1]) <= e {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step).min(v.len());
    lo + v[lo..hi].partition_point(|&x| ord(x) <= e)
}

/// What [`Postings::lookup`] found besides the serials.
pub(crate) struct Lookup {
    /// The sum of the weights of all the keys looked up, skipped ones included.
    pub(crate) total_weight: f32,
    /// Entries read.
    pub(crate) entries_read: usize,
    /// How many entries each key held, in the order of the keys.
    pub(crate) held: Vec<u32>,
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
    /// Returns how many were added. `held`, when given, is what each key held when the caller
    /// looked it up ([`Lookup::held`]): the crawler's `check_and_insert` has just counted every
    /// key, and counting again costs a search of the list per key (a third of the time
    /// inserting takes at a million documents). From one thread the result is the same as
    /// counting; other threads may have added entries since the lookup, so a key can then end
    /// up over `cap` by one entry per insertion under way at once.
    pub(crate) fn insert(
        &self,
        keys: &[u32],
        serial: u32,
        cap: usize,
        min_live: u32,
        held: Option<&[u32]>,
    ) -> usize {
        let mut added = 0;
        // Shards merged by this call: a merge drops the entries of evicted documents, so their
        // keys' counts from before it are stale, and they are counted again.
        let mut merged: Vec<usize> = Vec::new();
        for (i, &key) in keys.iter().enumerate() {
            let shard = shard_of(key);
            let mut s = write(&self.shards[shard]);
            let n = match held {
                Some(h) if !merged.contains(&shard) => h[i] as usize,
                _ => s.count(key),
            };
            if n >= cap {
                continue;
            }
            let e = pack(key, serial);
            s.buf.push(e);
            let (w, bit) = seen_bit(key);
            s.seen[w] |= bit;
            added += 1;
            if s.buf.len() >= BUFFER {
                s.merge(min_live);
                merged.push(shard);
            }
        }
        added
    }

    /// How many entries each of `keys` holds (live or not), in their order: what
    /// [`insert`](Postings::insert) takes as `held`.
    pub(crate) fn counts(&self, keys: &[u32]) -> Vec<u32> {
        keys.iter()
            .map(|&k| read(&self.shards[shard_of(k)]).count(k) as u32)
            .collect()
    }

    /// Whether `key` holds an entry whose serial satisfies `pred`.
    pub(crate) fn any_holder(&self, key: u32, pred: impl Fn(u32) -> bool) -> bool {
        let shard = read(&self.shards[shard_of(key)]);
        let (_, mut serials) = shard.held(key);
        serials.any(pred)
    }

    /// Appends to `out` the serials (at least `min_live`) filed under `keys`, each with the weight
    /// `weight(n)` of its key, `n` being the number of entries the key holds, packed as
    /// [`unpack_hit`] reads them, key by key in the order read.
    ///
    /// Keys are read rarest first, and a key is skipped when it holds `cap` entries or more, or
    /// when reading it would take the entries read past `budget`: the rare keys are the evidence
    /// of copying, and a query's cost must not grow with the size of the index through the
    /// common ones.
    pub(crate) fn lookup(
        &self,
        keys: &[u32],
        cap: usize,
        budget: usize,
        min_live: u32,
        weight: impl Fn(usize) -> f32,
        out: &mut Vec<u64>,
    ) -> Lookup {
        // One visit per key: its count, and its serials when it holds few (most keys are rare,
        // and rare keys are read first, so those are almost always read). A common key is
        // visited again if the budget reaches it.
        // (entries, key, where its serials are in `copied` if they were copied)
        type Counted = (usize, u32, Option<(u32, u32)>);
        let mut counted: Vec<Counted> = Vec::with_capacity(keys.len());
        let mut copied: Vec<u32> = Vec::new();
        let mut held = Vec::with_capacity(keys.len());
        for &key in keys {
            let s = read(&self.shards[shard_of(key)]);
            let (n, serials) = s.held(key);
            held.push(n.min(u32::MAX as usize) as u32);
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
        Lookup {
            total_weight: total,
            entries_read: read_entries,
            held,
        }
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

    /// `n` keys (sorted, distinct) from a xorshift generator: key parts of `part_bits` bits in
    /// the first `shards` shards.
    fn random_keys(x: &mut u32, n: usize, part_bits: u32, shards: u32) -> Vec<u32> {
        let mut keys: Vec<u32> = (0..n)
            .map(|_| {
                crate::testing::xorshift32(x);
                ((*x >> (32 - part_bits)) << SHARD_BITS) | (*x % shards)
            })
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    #[test]
    fn insert_lookup_merge_and_cap() {
        let p = Postings::new();
        // Enough entries under one shard to force several merges.
        let keys: Vec<u32> = (0..3000u32).map(|i| i * SHARDS as u32).collect();
        for (serial, k) in keys.iter().enumerate() {
            assert_eq!(
                p.insert(&[*k, 7], serial as u32, 2000, 0, None),
                if serial < 2000 { 2 } else { 1 }
            );
        }
        let lookup = |keys: &[u32], cap: usize, min_live: u32| -> (Vec<u32>, f32) {
            let mut out = Vec::new();
            let total = p
                .lookup(keys, cap, usize::MAX, min_live, |n| n as f32, &mut out)
                .total_weight;
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
        let l = p.lookup(&[7, keys[5]], usize::MAX, 1500, 0, |_| 1.0, &mut out);
        let out: Vec<(u32, f32)> = out.into_iter().map(unpack_hit).collect();
        assert_eq!(
            (l.total_weight, l.entries_read, out),
            (2.0, 1, vec![(5, 1.0)])
        );
        // Each key's count comes back in the order of the keys, skipped ones too.
        assert_eq!(l.held, vec![2000, 1]);
        // Serials below min_live are not returned.
        assert_eq!(lookup(&[keys[5], keys[2999]], 2000, 6).0, vec![2999]);
        assert_eq!(p.retain(|s| s % 2 == 0), 1500 + 1000);
        assert_eq!(p.size().0, 1500 + 1000);
    }

    #[test]
    fn lookups_agree_with_a_model_across_merges_and_the_directory() {
        // Keys in 3 shards only, so that shards grow past DIR_FROM and merge many times; the
        // oldest documents are evicted as they go (min_live rises from the 2,500th on).
        let p = Postings::new();
        let mut model: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
        let mut x = 0x2545_f491_u32;
        for serial in 0..4000u32 {
            // Few distinct key parts, so lists hold several serials.
            let keys = random_keys(&mut x, 5, 12, 3);
            p.insert(&keys, serial, usize::MAX, serial.saturating_sub(2500), None);
            for k in keys {
                model.entry(k).or_default().push(serial);
            }
        }
        let min_live = 3999 - 2500;
        for s in &p.shards[..3] {
            let s = read(s);
            assert!(s.dir.len() == 257);
            // Merged with a rising min_live: the oldest are gone, and nothing below the last.
            assert!(s.floor > 1000 && s.main.iter().all(|&e| serial_of(e) >= s.floor));
        }
        let (mut live, mut all) = (0, 0);
        for (&k, serials) in &model {
            let mut out = Vec::new();
            p.lookup(&[k], usize::MAX, usize::MAX, min_live, |_| 1.0, &mut out);
            let mut got: Vec<u32> = out.into_iter().map(|x| unpack_hit(x).0).collect();
            got.sort_unstable();
            let want: Vec<u32> = serials.iter().copied().filter(|&s| s >= min_live).collect();
            assert_eq!(got, want, "key {k:#x}");
            live += want.len();
            all += serials.len();
        }
        let held = p.size().0;
        assert!(held >= live && held < all, "{live} ≤ {held} < {all}");
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

    #[test]
    fn inserting_with_the_counts_of_a_lookup_is_inserting_without_them() {
        // Two tables fed the same documents, one counting each key as it inserts, the other
        // told the counts a lookup just made (as check_and_insert does): the same entries, the
        // same cap, the same answers.
        let (counting, told) = (Postings::new(), Postings::new());
        let mut x = 0x9e37_79b9_u32;
        for serial in 0..3000u32 {
            // Few key parts in 4 shards: lists reach the cap of 16 and merge often.
            let keys = random_keys(&mut x, 6, 6, 4);
            let mut out = Vec::new();
            let l = told.lookup(&keys, usize::MAX, usize::MAX, 0, |_| 1.0, &mut out);
            let min_live = serial.saturating_sub(1000);
            assert_eq!(
                counting.insert(&keys, serial, 16, min_live, None),
                told.insert(&keys, serial, 16, min_live, Some(&l.held)),
            );
        }
        let mut capped = 0;
        for part in 0..64u32 {
            for shard in 0..4u32 {
                let key = (part << SHARD_BITS) | shard;
                let (mut a, mut b) = (Vec::new(), Vec::new());
                let la = counting.lookup(&[key], usize::MAX, usize::MAX, 0, |_| 1.0, &mut a);
                let lb = told.lookup(&[key], usize::MAX, usize::MAX, 0, |_| 1.0, &mut b);
                assert_eq!((la.held, a), (lb.held.clone(), b), "key {key:#x}");
                assert!(lb.held[0] <= 16);
                capped += usize::from(lb.held[0] == 16);
            }
        }
        assert!(capped > 50, "{capped} keys at the cap");
    }
}

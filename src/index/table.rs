//! The document table: for each live document its id hash, time, key count and where its stored
//! body is; the id map; and what changes or reads them: creating an index, inserting, removing,
//! reading back, evicting.
//!
//! A document is known by its *serial*, handed out in the order of operations (a removal takes
//! one too). The table and the id map are each cut into [`DOC_SHARDS`] shards with their own
//! locks, by serial and by id hash, so that no operation locks the whole table. A document costs
//! its entries here and in the id map (100 to 150 bytes with the hash tables' slack) besides its
//! keys in the inverted lists. Its body (time, id, data, pre-alignment profile, text) stays in
//! memory in an in-memory index; a persistent one reads it back from its log (one positional
//! read), and only to verify a candidate.
//!
//! # Eviction
//! With `max_docs`, the oldest documents (in insertion order) are evicted beyond that many. With
//! `max_age`, documents are evicted, oldest first, once they are more than `max_age` seconds older
//! than the newest document's time. Eviction follows insertion order: a document inserted out of
//! time order leaves when the documents inserted before it have left.
//!
//! # Invariants
//! - A serial is reserved (`Slot::Pending`) before its operation does any work, and is the
//!   operation's place in the log's order (`seq = seq_base + serial`), which replay follows too.
//! - Of two operations on one id, the one with the later serial wins, whichever finishes first,
//!   as in replay.
//! - Serials below `min_live` are evicted; eviction walks serials in order and stops at one still
//!   pending. A document's postings outlive it (merges and compaction purge them), so whoever
//!   finds a serial there learns whether it is still live when reading its body.
//! - `live` counts the `Slot::Live` entries; a persistent index counts each dead document's log
//!   record in `dead_bytes`.

use super::groups::{Join, Member};
use super::locks::{read, write};
use super::options::{IndexOptions, Meta, StoredDoc};
use super::scratch::{Scratch, PAGE};
use super::{keycounts::KeyCounts, persist::Disk, postings::Postings, stats::Counters};
use super::{store, Index};
use crate::bounds::Profile;
use crate::detector::Detector;
use crate::error::{Error, Result};
use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use xxhash_rust::xxh3::xxh3_64;

/// Shards of the document table and of the id map.
pub(super) const DOC_SHARDS: usize = 64;

/// Where a document's body (time, id, data, text) is.
pub(super) enum Loc {
    Mem(Arc<[u8]>),
    Disk { file: Arc<File>, pos: u64, len: u32 },
}

/// Which bytes of a stored body to read.
#[derive(Clone, Copy)]
pub(super) enum Part {
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
pub(super) enum Bytes {
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

/// A live document's entry in the table.
pub(super) struct Doc {
    pub(super) id_hash: u64,
    pub(super) time: u64,
    /// Keys in its log record.
    pub(super) nkeys: u32,
    /// Whether its record is a copy record (kind 3): a near-duplicate filed under a group's
    /// representative, with only its own keys.
    pub(super) copy: bool,
    /// Offset of the text in its body: what comes before (time, id, data, profile) is all the
    /// pre-alignment filter reads, and most candidates go no further.
    pub(super) text_at: u32,
    pub(super) loc: Loc,
}

impl Doc {
    /// Bytes of its log record.
    pub(super) fn record_len(&self) -> u64 {
        match &self.loc {
            Loc::Mem(b) => b.len() as u64,
            Loc::Disk { len, .. } => {
                let extra = if self.copy { store::COPY_EXTRA } else { 0 };
                store::FRAME
                    + store::INSERT_PREFIX
                    + extra
                    + 4 * u64::from(self.nkeys)
                    + u64::from(*len)
            }
        }
    }
}

/// Bytes of a document's body.
pub(super) fn doc_body_len(doc: &Doc) -> u64 {
    match &doc.loc {
        Loc::Mem(b) => b.len() as u64,
        Loc::Disk { len, .. } => u64::from(*len),
    }
}

/// A slot of the document table. A serial is reserved (`Pending`) before an operation does its
/// work, so eviction can tell an operation in flight from a document already gone.
pub(super) enum Slot {
    Pending,
    Live(Doc),
}

/// What an insert files of an analyzed page.
pub(super) struct Page<'p> {
    /// Its keys (sorted, distinct).
    pub(super) keys: &'p [u32],
    pub(super) profile: &'p Profile,
    /// Its language and cross-lingual keys, when the index compares across languages.
    pub(super) across: Option<&'p super::xling::PageKeys>,
}

/// The hash an id is known by in the id map and in the log's records.
pub(super) fn hash_id(id: &str) -> u64 {
    xxh3_64(id.as_bytes())
}

/// The time now, in Unix seconds.
fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Index {
    /// An empty index in memory (texts included), lost when dropped.
    pub fn new(options: IndexOptions) -> Result<Index> {
        Index::build(options, None, 0)
    }

    /// An empty index with these options, after checking them: in memory without `disk`, or
    /// over a persistent index's logs, its sequence numbers continuing from `seq_base`.
    pub(super) fn build(options: IndexOptions, disk: Option<Disk>, seq_base: u64) -> Result<Index> {
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
        let across = options.cross_lingual.clone().map(super::xling::Across::new);
        Ok(Index {
            detector: Detector::new(options.detector.clone())?,
            options,
            postings: Postings::new(),
            key_counts: KeyCounts::new(),
            groups: Default::default(),
            across,
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

    /// Adds a document, replacing any document with the same id. Returns whether one was
    /// replaced. With a persistent index, the document is appended to its log (durable at the
    /// next [`save`](Index::save)).
    pub fn insert(&self, id: &str, text: &str, meta: &Meta) -> Result<bool> {
        let _in_flight = self.enter();
        // A page whose keys most documents of a large cluster hold may be its next copy: it is
        // queried, as `check_and_insert` does, to find the group it joins.
        let across = self.across_keys(text);
        let (keys, profile, held, join) = Scratch::with(&PAGE, |s| {
            let (keys, profile) = self.analyze(text, s);
            let held = self.postings.counts(&keys);
            if !self.crowded(&held) {
                return Ok::<_, Error>((keys, profile, held, None));
            }
            // The representatives first: a copy of a story already grouped needs no other
            // alignment.
            let a = &s.analysis;
            let (found, held) = self.query_analyzed(a, &keys, &profile, Some(id), true)?;
            let join = match self.group_to_join(&found) {
                Some(j) => Some(j),
                None => {
                    let found = self.query_analyzed(a, &keys, &profile, Some(id), false)?.0;
                    self.group_to_join(&found)
                }
            };
            Ok((keys, profile, held, join))
        })?;
        let page = Page {
            keys: &keys,
            profile: &profile,
            across: across.as_ref(),
        };
        self.insert_keys(id, text, meta, &page, Some(&held), join)
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
    pub(super) fn reserve(&self) -> Result<u32> {
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

    /// Releases a serial whose operation failed before taking effect.
    pub(super) fn unreserve(&self, serial: u32) {
        write(&self.docs[serial as usize % DOC_SHARDS]).remove(&serial);
    }

    /// Inserts an analyzed document (`page`): appended to the log of a persistent index, then
    /// put in place, then the oldest evicted if need be. `held` as in
    /// [`finish_insert`](Index::finish_insert); `join`, the group it joins as a near-duplicate
    /// of its representative (see [`groups`](super::groups)).
    pub(super) fn insert_keys(
        &self,
        id: &str,
        text: &str,
        meta: &Meta,
        page: &Page<'_>,
        held: Option<&[u32]>,
        join: Option<Join>,
    ) -> Result<bool> {
        let (keys, profile) = (page.keys, page.profile);
        let time = meta.time.unwrap_or_else(now);
        let body = store::encode_body(time, id, &meta.data, profile, text);
        let body_len = body.len();
        // A copy files only the keys its representative does not hold.
        let copy = match join {
            Some(j) => self.filing_under(&j, keys, held)?,
            None => None,
        };
        let (filed, filed_held) = match &copy {
            Some(c) => (&c.member.residual[..], c.held.as_deref()),
            None => (keys, held),
        };
        let joined = copy.as_ref().map(|c| store::Joined {
            rep: c.rep_id_hash,
            in_rep: c.member.in_rep,
            rep_in: c.member.rep_in,
            all_keys: keys.len() as u32,
        });
        let serial = self.reserve()?;
        let loc = match &self.disk {
            None => Loc::Mem(body.into()),
            Some(d) => {
                let seq = self.seq_base + u64::from(serial);
                let (payload, body_at) = store::insert_payload(seq, joined.as_ref(), filed, &body);
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
            nkeys: filed.len() as u32,
            copy: copy.is_some(),
            text_at: (body_len - text.len()) as u32,
            loc,
        };
        // A copy's membership goes to the group table; its residual keys are a few.
        let join = copy.as_ref().map(|c| (c.rep, c.member.clone()));
        let replaced = self.finish_insert(serial, doc, filed, keys.len(), filed_held, join);
        self.file_across(serial, page.across);
        self.evict();
        Ok(replaced)
    }

    /// Puts a reserved document in place. Returns whether it replaced one with the same id.
    /// `held` is what [`Postings::lookup`](super::postings::Postings::lookup) found each key
    /// holds, if the caller just looked them up.
    /// `keys` are the keys it files (a member's residual ones), of `all_keys`; `join`, the
    /// group it joins as a member (if its representative is still there; else it files all
    /// its keys).
    pub(super) fn finish_insert(
        &self,
        serial: u32,
        doc: Doc,
        keys: &[u32],
        all_keys: usize,
        held: Option<&[u32]>,
        join: Option<(u32, Member)>,
    ) -> bool {
        let (h, time) = (doc.id_hash, doc.time);
        // Before the postings, so that a query finding the document there finds its count.
        self.key_counts.set(serial, all_keys);
        self.postings.insert(
            keys,
            serial,
            self.options.max_postings_per_key,
            self.min_live.load(Ordering::Relaxed),
            held,
        );
        write(&self.docs[serial as usize % DOC_SHARDS]).insert(serial, Slot::Live(doc));
        self.live.fetch_add(1, Ordering::Relaxed);
        if let Some((rep, member)) = join {
            let live = |r: u32| self.id_hash_of(r).is_some();
            if let Err(m) = self.groups.join(serial, rep, member, live) {
                // The representative left meanwhile: a document of its own, with all its keys.
                // Failing to read its text back leaves it findable by its own keys only.
                let _ = self.file_rest(serial, &m.residual);
            }
        }
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
    pub(super) fn finish_remove(&self, serial: u32, h: u64) -> bool {
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
        if let Some(next) = self.groups.leave(serial) {
            // A representative left: its oldest member files the story's keys in its place.
            // Failing to read its text back leaves the group findable by its members' own
            // keys only, not broken.
            let _ = self.file_rest(next.serial, &next.residual);
        }
        true
    }

    /// Evicts from the oldest serial while the index is over `max_docs` or the oldest document is
    /// over `max_age`. One thread at a time; the others go on.
    pub(super) fn evict(&self) {
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
    pub(super) fn read_log(&self, file: &File, pos: u64, buf: &mut [u8]) -> Result<()> {
        store::read_at(file, pos, buf).map_err(|source| Error::Io {
            path: self.dir(),
            source,
        })
    }

    /// The bytes of a document's body in `part`, or `None` when it is no longer live. One
    /// positional read for an on-disk index.
    pub(super) fn body(&self, serial: u32, part: Part) -> Result<Option<Bytes>> {
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
    pub(super) fn head_into(
        &self,
        serial: u32,
        out: &mut Vec<u8>,
    ) -> Result<Option<std::ops::Range<usize>>> {
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

    /// The error for a stored body that does not decode.
    pub(super) fn corrupt(&self) -> Error {
        Error::CorruptIndex {
            path: self.dir(),
            reason: "a stored document does not decode: a log file was changed while in use".into(),
        }
    }

    /// A stored body's fields.
    fn decode<'b>(&self, body: &'b [u8]) -> Result<store::Body<'b>> {
        store::decode_body(body).ok_or_else(|| self.corrupt())
    }
}

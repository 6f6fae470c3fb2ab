//! A persistent index: creating or replaying its directory ([`Index::open`]), making it durable
//! ([`Index::save`]), compacting it, and appending each operation to a log. The file format is
//! [`store`]'s.
//!
//! Every insert and removal is appended to one of [`WRITERS`] logs as it happens;
//! [`Index::save`] makes everything so far durable (fsync, then an atomic manifest update);
//! [`Index::open`] replays the logs, checking every record. After a crash the index holds
//! everything up to the last completed save, and usually more (every intact record written after
//! it), never a damaged record.
//!
//! # Invariants
//! - An operation is in a log before it takes effect in memory: when the write fails, its serial
//!   is released and the operation has not happened.
//! - Replay applies records in the order of their sequence numbers, whichever log holds them:
//!   the order in which the operations took their serials.
//! - The manifest names the logs' generation and each log's committed length, and is replaced
//!   (atomically) only once what it names is on disk.
//! - Only `detector` and `sample_rate` are stored, and an index opens only with the same ones; a
//!   setting added since an index was written takes its default.
//! - Compaction copies live records unchanged, in serial order, into the next generation's logs;
//!   documents point at the new logs only once the manifest naming them is durable.

use super::groups::Member;
use super::locks::{lock, read, write};
use super::table::{doc_body_len, hash_id, Doc, Loc, Slot, DOC_SHARDS};
use super::{store, Index, IndexOptions};
use crate::detector::Config;
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Log files written in parallel by a persistent index.
const WRITERS: usize = 8;

/// One log, open for appending.
pub(super) struct Writer {
    file: Arc<File>,
    /// Bytes written to it: where the next record goes.
    pub(super) len: u64,
}

/// A persistent index's directory and logs.
pub(super) struct Disk {
    pub(super) dir: PathBuf,
    pub(super) writers: Box<[Mutex<Writer>]>,
    /// The generation of the logs and the manifest; held while saving or compacting.
    state: Mutex<u64>,
    /// Bytes of the logs held by removed, replaced or evicted documents.
    pub(super) dead_bytes: AtomicU64,
}

impl Disk {
    /// Appends a record payload to a log: the first free one from `serial`'s on. Returns the
    /// file and the record's position. Replay orders records by their sequence numbers, not by
    /// log, so any log will do; waiting for a busy one puts a thread to sleep about once every
    /// 700 calls from 8 threads on 2 cores (a writer preempted in its `pwrite` holds its log),
    /// and a thread that sleeps there waits milliseconds for a core again.
    pub(super) fn append(&self, serial: u32, payload: &[u8]) -> Result<(Arc<File>, u64)> {
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
            joined: Option<store::Joined>,
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
                        joined,
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
                            joined,
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
                        joined: None,
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
        // Copies whose representative's record is gone (removed, or dropped by a compaction
        // after it was evicted): the first of them takes its place, as it did when it left.
        let mut successors: HashMap<u64, u32> = HashMap::new();
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
                copy: op.joined.is_some(),
                text_at: op.text_at,
                loc: Loc::Disk {
                    file: files[op.writer as usize].clone(),
                    pos: op.pos,
                    len: op.len,
                },
            };
            let filed = &keys[op.keys.clone()];
            let Some(j) = op.joined else {
                index.finish_insert(serial, doc, filed, filed.len(), None, None);
                continue;
            };
            let member = Member {
                in_rep: j.in_rep,
                rep_in: j.rep_in,
                residual: filed.into(),
            };
            let all = j.all_keys as usize;
            match index.replayed_rep(j.rep, &successors) {
                Some(rep) => {
                    index.finish_insert(serial, doc, filed, all, None, Some((rep, member)));
                }
                None => {
                    successors.insert(j.rep, serial);
                    index.finish_insert(serial, doc, filed, all, None, None);
                    index.file_rest(serial, filed)?;
                }
            }
        }
        index.evict();
        index.file_across_all()?;
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

    /// The serial of the representative a copy record names by id hash, as replay has it so
    /// far: that document, or its group's representative if it is a member itself, or the
    /// copy that took its place (`successors`) if its record is gone.
    fn replayed_rep(&self, rep: u64, successors: &HashMap<u64, u32>) -> Option<u32> {
        let live = |s: u32| {
            matches!(
                read(&self.docs[s as usize % DOC_SHARDS]).get(&s),
                Some(Slot::Live(_))
            )
        };
        let named = read(&self.ids[rep as usize % DOC_SHARDS])
            .get(&rep)
            .copied();
        let s = named
            .filter(|&s| live(s))
            .or_else(|| successors.get(&rep).copied().filter(|&s| live(s)))?;
        Some(self.groups.rep_of(s).unwrap_or(s))
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
        let live = |s: u32| {
            matches!(
                read(&self.docs[s as usize % DOC_SHARDS]).get(&s),
                Some(Slot::Live(_))
            )
        };
        self.postings.retain(live);
        if let Some(x) = &self.across {
            x.retain(live);
        }
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

    /// The logs, or the error for an in-memory index asked to save.
    fn disk_or_err(&self) -> Result<&Disk> {
        self.disk.as_ref().ok_or_else(|| Error::InvalidParameter {
            name: "index",
            reason: "an in-memory index has no files: use Index::open to persist one".into(),
        })
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

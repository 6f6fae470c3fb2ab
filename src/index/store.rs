//! The index's files: append-only logs of inserts and removals, and a manifest that says how much
//! of each log a completed [`save`](super::Index::save) made durable.
//!
//! # Why a log
//! A crawler inserts continuously and cannot rewrite a multi-gigabyte snapshot every few minutes.
//! Every insert appends one record to a log (a single positional write, no rewrite), and a save
//! only has to `fsync` the logs and replace the small manifest. Removed and evicted documents
//! leave dead records behind; [`compact`](super::Index::compact) copies the live ones into a new
//! generation of logs when they make up too little of the files.
//!
//! # Layout of an index directory
//! - `MANIFEST` — three lines: `reprint-index 1`, one JSON object (format version, generation,
//!   the committed length of every log, the matching configuration), and `xxh3:` followed by the
//!   hash of the JSON line. Replaced atomically: written to `MANIFEST.tmp`, fsynced, renamed over
//!   the old one, and the directory fsynced.
//! - `log-<generation>-<writer>.rpl` — a 16-byte header (`RPRTLOG` + NUL, format version, writer
//!   number), then records: payload length (u32), xxh3 of the payload (u64), payload. All
//!   integers little-endian.
//!
//! A payload is a kind byte and a sequence number (u64, the global order of operations), then
//! - insert (kind 1): number of keys (u32), the keys (u32 each), then the *body*: time (u64, Unix
//!   seconds), id length (u32), id, data length (u32), data, the document's profile (see
//!   `crate::bounds`: what lets a query skip a candidate without re-reading its text), text (the
//!   rest);
//! - remove (kind 2): the id (the rest);
//! - insert as a copy (kind 3, from format 3 on): the id hash (u64) of the representative of
//!   the near-duplicate group the document joined, its containment in the representative and the
//!   representative's in it (f32 each), its number of keys (u32), then as an insert; the keys
//!   listed are only those the representative did not hold (see `super::groups`).
//!
//! # What opening checks
//! The manifest must parse and match its hash. Every log must start with a valid header and hold
//! at least its committed length of valid records: anything short of that is reported as
//! corruption, naming the file and the offset. Records after the committed length were written
//! after the last save; those that are complete and intact are kept, and the log is cut at the
//! first torn one (what a crash in the middle of a write leaves).

use crate::atomic::AtomicFile;
use crate::bounds::{Profile, StoredProfile};
use crate::error::{io_err, Error, Result};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::xxh3_64;

/// Version of the on-disk format this reprint writes; it reads this one and
/// [`OLDEST_FORMAT`], and refuses the others with a clear error.
pub(crate) const FORMAT_VERSION: u32 = 3;
/// The oldest format read: version 2 is version 3 without copy records (kind 3).
const OLDEST_FORMAT: u32 = 2;
const LOG_MAGIC: &[u8; 8] = b"RPRTLOG\0";
pub(crate) const LOG_HEADER: u64 = 16;
/// Record framing: payload length and checksum.
pub(crate) const FRAME: u64 = 12;
const MANIFEST: &str = "MANIFEST";
const MANIFEST_TMP: &str = "MANIFEST.tmp";
const MANIFEST_FIRST_LINE: &str = "reprint-index 1";

pub(crate) const KIND_INSERT: u8 = 1;
pub(crate) const KIND_REMOVE: u8 = 2;
pub(crate) const KIND_COPY: u8 = 3;
/// Bytes a copy record has before its key count that an insert record has not: the
/// representative's id hash, the two containments and the document's own key count.
pub(crate) const COPY_EXTRA: u64 = 8 + 4 + 4 + 4;
/// Bytes of an insert payload before its keys: kind, sequence number, key count.
pub(crate) const INSERT_PREFIX: u64 = 1 + 8 + 4;

/// What the manifest records.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Manifest {
    pub format: u32,
    pub generation: u64,
    /// Bytes of each log (by writer number) made durable by the last save.
    pub committed: Vec<u64>,
    /// The configuration the index was built with, as JSON.
    pub config: serde_json::Value,
}

pub(crate) fn manifest_path(dir: &Path) -> PathBuf {
    dir.join(MANIFEST)
}

pub(crate) fn log_path(dir: &Path, generation: u64, writer: usize) -> PathBuf {
    dir.join(format!("log-{generation:06}-{writer}.rpl"))
}

fn corrupt(path: &Path, reason: impl Into<String>) -> Error {
    Error::CorruptIndex {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Reads and checks the manifest. `Ok(None)` when there is none.
pub(crate) fn read_manifest(dir: &Path) -> Result<Option<Manifest>> {
    let path = manifest_path(dir);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(&path)(e)),
    };
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| corrupt(&path, "not a reprint index manifest (not UTF-8)"))?;
    let mut lines = text.split('\n');
    if lines.next() != Some(MANIFEST_FIRST_LINE) {
        return Err(corrupt(
            &path,
            format!("not a reprint index manifest (first line is not {MANIFEST_FIRST_LINE:?})"),
        ));
    }
    let (json, sum) = match (lines.next(), lines.next(), lines.next(), lines.next()) {
        (Some(j), Some(s), Some(""), None) => (j, s),
        _ => return Err(corrupt(&path, "truncated or malformed manifest")),
    };
    let expected = format!("xxh3:{:016x}", xxh3_64(json.as_bytes()));
    if sum != expected {
        return Err(corrupt(
            &path,
            "manifest checksum mismatch: the file is damaged",
        ));
    }
    let m: Manifest = serde_json::from_str(json)
        .map_err(|e| corrupt(&path, format!("manifest does not parse: {e}")))?;
    if !(OLDEST_FORMAT..=FORMAT_VERSION).contains(&m.format) {
        return Err(corrupt(
            &path,
            format!(
                "index format version {} (this reprint reads versions {OLDEST_FORMAT} to \
                 {FORMAT_VERSION})",
                m.format
            ),
        ));
    }
    Ok(Some(m))
}

/// Replaces the manifest atomically ([`crate::atomic`]), through [`MANIFEST_TMP`], a name
/// [`stray_files`] knows.
pub(crate) fn write_manifest(dir: &Path, m: &Manifest) -> Result<()> {
    let json = serde_json::to_string(m).expect("the manifest serializes");
    let text = format!(
        "{MANIFEST_FIRST_LINE}\n{json}\nxxh3:{:016x}\n",
        xxh3_64(json.as_bytes())
    );
    let tmp = dir.join(MANIFEST_TMP);
    let mut f = AtomicFile::with_temp(&manifest_path(dir), &tmp)?;
    f.write_all(text.as_bytes()).map_err(io_err(&tmp))?;
    f.commit()
}

/// Creates a new, empty log with its header.
pub(crate) fn create_log(path: &Path, writer: usize) -> Result<File> {
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io_err(path))?;
    let mut h = Vec::with_capacity(LOG_HEADER as usize);
    h.extend_from_slice(LOG_MAGIC);
    h.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    h.extend_from_slice(&(writer as u32).to_le_bytes());
    f.write_all(&h).map_err(io_err(path))?;
    Ok(f)
}

/// Frames `payload` as a record.
pub(crate) fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(FRAME as usize + payload.len());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&xxh3_64(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// How a document joined a near-duplicate group, as its copy record keeps it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Joined {
    /// The id hash of the group's representative when the document joined it.
    pub rep: u64,
    /// The document's containment in the representative.
    pub in_rep: f32,
    /// The representative's containment in the document.
    pub rep_in: f32,
    /// The document's keys, those filed and those its representative held.
    pub all_keys: u32,
}

/// The payload of an insert record (a copy record with `joined`). Returns it and the offset of
/// the body inside it.
pub(crate) fn insert_payload(
    seq: u64,
    joined: Option<&Joined>,
    keys: &[u32],
    body: &[u8],
) -> (Vec<u8>, usize) {
    let mut p =
        Vec::with_capacity((INSERT_PREFIX + COPY_EXTRA) as usize + 4 * keys.len() + body.len());
    p.push(if joined.is_some() {
        KIND_COPY
    } else {
        KIND_INSERT
    });
    p.extend_from_slice(&seq.to_le_bytes());
    if let Some(j) = joined {
        p.extend_from_slice(&j.rep.to_le_bytes());
        p.extend_from_slice(&j.in_rep.to_le_bytes());
        p.extend_from_slice(&j.rep_in.to_le_bytes());
        p.extend_from_slice(&j.all_keys.to_le_bytes());
    }
    p.extend_from_slice(&(keys.len() as u32).to_le_bytes());
    for k in keys {
        p.extend_from_slice(&k.to_le_bytes());
    }
    let at = p.len();
    p.extend_from_slice(body);
    (p, at)
}

/// The payload of a remove record.
pub(crate) fn remove_payload(seq: u64, id: &str) -> Vec<u8> {
    let mut p = Vec::with_capacity(9 + id.len());
    p.push(KIND_REMOVE);
    p.extend_from_slice(&seq.to_le_bytes());
    p.extend_from_slice(id.as_bytes());
    p
}

/// Encodes a document body: time, id, data, profile, text.
pub(crate) fn encode_body(
    time: u64,
    id: &str,
    data: &str,
    profile: &Profile,
    text: &str,
) -> Vec<u8> {
    let mut b = Vec::with_capacity(16 + id.len() + data.len() + profile.encoded_len() + text.len());
    b.extend_from_slice(&time.to_le_bytes());
    b.extend_from_slice(&(id.len() as u32).to_le_bytes());
    b.extend_from_slice(id.as_bytes());
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(data.as_bytes());
    profile.encode(&mut b);
    b.extend_from_slice(text.as_bytes());
    b
}

/// A decoded document body.
pub(crate) struct Body<'a> {
    pub time: u64,
    pub id: &'a str,
    pub data: &'a str,
    pub text: &'a str,
}

fn take<'a>(b: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if b.len() < n {
        return None;
    }
    let (h, t) = b.split_at(n);
    *b = t;
    Some(h)
}

fn take_u32(b: &mut &[u8]) -> Option<u32> {
    take(b, 4).map(|x| u32::from_le_bytes(x.try_into().expect("4 bytes")))
}

fn take_u64(b: &mut &[u8]) -> Option<u64> {
    take(b, 8).map(|x| u64::from_le_bytes(x.try_into().expect("8 bytes")))
}

/// Decodes a body; `None` when it is malformed.
pub(crate) fn decode_body(b: &[u8]) -> Option<Body<'_>> {
    let (head, at) = decode_head_at(b)?;
    let text = std::str::from_utf8(&b[at..]).ok()?;
    Some(Body {
        time: head.time,
        id: head.id,
        data: head.data,
        text,
    })
}

/// What comes before the text in a body.
pub(crate) struct Head<'a> {
    pub time: u64,
    pub id: &'a str,
    pub data: &'a str,
    pub profile: StoredProfile<'a>,
}

/// Decodes the head of a body, from the whole body or from its head alone.
pub(crate) fn decode_head(b: &[u8]) -> Option<Head<'_>> {
    decode_head_at(b).map(|(h, _)| h)
}

/// The head and the offset of the text that follows it.
fn decode_head_at(all: &[u8]) -> Option<(Head<'_>, usize)> {
    let mut b = all;
    let time = take_u64(&mut b)?;
    let n = take_u32(&mut b)? as usize;
    let id = std::str::from_utf8(take(&mut b, n)?).ok()?;
    let n = take_u32(&mut b)? as usize;
    let data = std::str::from_utf8(take(&mut b, n)?).ok()?;
    let profile = crate::bounds::decode(&mut b)?;
    Some((
        Head {
            time,
            id,
            data,
            profile,
        },
        all.len() - b.len(),
    ))
}

/// One record of a log, as replay sees it.
pub(crate) enum Record<'a> {
    Insert {
        seq: u64,
        /// For a copy record, the group it joined.
        joined: Option<Joined>,
        keys: Vec<u32>,
        /// Offset of the body in the file.
        body_pos: u64,
        body: Body<'a>,
        body_len: u32,
    },
    Remove {
        seq: u64,
        id: &'a str,
    },
}

fn parse_payload(p: &[u8], payload_pos: u64) -> Option<Record<'_>> {
    let mut b = p;
    let kind = *take(&mut b, 1)?.first()?;
    let seq = take_u64(&mut b)?;
    match kind {
        KIND_INSERT | KIND_COPY => {
            let joined = if kind == KIND_COPY {
                let rep = take_u64(&mut b)?;
                let in_rep = f32::from_bits(take_u32(&mut b)?);
                let rep_in = f32::from_bits(take_u32(&mut b)?);
                let all_keys = take_u32(&mut b)?;
                Some(Joined {
                    rep,
                    in_rep,
                    rep_in,
                    all_keys,
                })
            } else {
                None
            };
            let n = take_u32(&mut b)? as usize;
            let raw = take(&mut b, n.checked_mul(4)?)?;
            let keys = raw
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
                .collect();
            let extra = if joined.is_some() { COPY_EXTRA } else { 0 };
            let body_pos = payload_pos + INSERT_PREFIX + extra + 4 * n as u64;
            let body_len = u32::try_from(b.len()).ok()?;
            Some(Record::Insert {
                seq,
                joined,
                keys,
                body_pos,
                body: decode_body(b)?,
                body_len,
            })
        }
        KIND_REMOVE => Some(Record::Remove {
            seq,
            id: std::str::from_utf8(b).ok()?,
        }),
        _ => None,
    }
}

/// Reads the log at `path`, calling `f` on each record in file order. Records within the first
/// `committed` bytes must all be intact; after them, the log is cut at the first torn or damaged
/// record (the file is truncated there when `repair` is set). Returns the length of the valid
/// part.
pub(crate) fn replay_log(
    path: &Path,
    writer: usize,
    committed: u64,
    repair: bool,
    mut f: impl FnMut(Record<'_>) -> Result<()>,
) -> Result<u64> {
    let file = File::open(path).map_err(io_err(path))?;
    let size = file.metadata().map_err(io_err(path))?.len();
    if size < committed {
        return Err(corrupt(
            path,
            format!("truncated: {size} bytes, but the last save wrote {committed}"),
        ));
    }
    let mut r = std::io::BufReader::with_capacity(1 << 20, file);
    let mut header = [0u8; LOG_HEADER as usize];
    if size < LOG_HEADER || r.read_exact(&mut header).is_err() {
        return Err(corrupt(path, "truncated log header"));
    }
    if &header[..8] != LOG_MAGIC {
        return Err(corrupt(path, "not a reprint index log (bad magic number)"));
    }
    let version = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
    if !(OLDEST_FORMAT..=FORMAT_VERSION).contains(&version) {
        return Err(corrupt(
            path,
            format!(
                "log format version {version} (this reprint reads versions {OLDEST_FORMAT} to \
                 {FORMAT_VERSION})"
            ),
        ));
    }
    let w = u32::from_le_bytes(header[12..16].try_into().expect("4 bytes"));
    if w as usize != writer {
        return Err(corrupt(
            path,
            format!("log of writer {w}, expected {writer}"),
        ));
    }
    let mut pos = LOG_HEADER;
    let mut payload = Vec::new();
    loop {
        if pos == size {
            return Ok(pos);
        }
        let bad = |reason: String| -> Result<u64> {
            if pos < committed {
                Err(corrupt(path, format!("at byte {pos}: {reason}")))
            } else {
                if repair {
                    // A torn write after the last save: keep what precedes it.
                    let f = OpenOptions::new()
                        .write(true)
                        .open(path)
                        .map_err(io_err(path))?;
                    f.set_len(pos).map_err(io_err(path))?;
                    f.sync_all().map_err(io_err(path))?;
                }
                Ok(pos)
            }
        };
        let mut frame_bytes = [0u8; FRAME as usize];
        if size - pos < FRAME || r.read_exact(&mut frame_bytes).is_err() {
            return bad("record header cut short".into());
        }
        let len = u64::from(u32::from_le_bytes(frame_bytes[..4].try_into().expect("4")));
        let sum = u64::from_le_bytes(frame_bytes[4..].try_into().expect("8"));
        if len > size - pos - FRAME {
            return bad(format!(
                "record of {len} bytes runs past the end of the file"
            ));
        }
        payload.resize(len as usize, 0);
        if r.read_exact(&mut payload).is_err() {
            return bad("record cut short".into());
        }
        if xxh3_64(&payload) != sum {
            return bad("record checksum mismatch".into());
        }
        let Some(rec) = parse_payload(&payload, pos + FRAME) else {
            return bad("malformed record".into());
        };
        let end = pos + FRAME + len;
        if end > committed && pos < committed {
            return Err(corrupt(
                path,
                format!("a record straddles the committed length {committed} at byte {pos}"),
            ));
        }
        f(rec)?;
        pos = end;
    }
}

/// Reads `buf.len()` bytes at `pos` of `file`.
pub(crate) fn read_at(file: &File, pos: u64, buf: &mut [u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, pos)
    }
    #[cfg(windows)]
    {
        let mut done = 0;
        while done < buf.len() {
            let n = std::os::windows::fs::FileExt::seek_read(
                file,
                &mut buf[done..],
                pos + done as u64,
            )?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            done += n;
        }
        Ok(())
    }
}

/// Writes all of `buf` at `pos` of `file`.
pub(crate) fn write_at(file: &File, pos: u64, buf: &[u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::write_all_at(file, buf, pos)
    }
    #[cfg(windows)]
    {
        let mut done = 0;
        while done < buf.len() {
            let n =
                std::os::windows::fs::FileExt::seek_write(file, &buf[done..], pos + done as u64)?;
            if n == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            done += n;
        }
        Ok(())
    }
}

/// Opens an existing log for reading and appending.
pub(crate) fn open_log(path: &Path) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(io_err(path))
}

/// Lists the files of `dir` that belong to no live generation or are leftovers of an interrupted
/// save or compaction, for removal.
pub(crate) fn stray_files(dir: &Path, keep: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io_err(dir))? {
        let e = e.map_err(io_err(dir))?;
        let p = e.path();
        let name = e.file_name();
        let name = name.to_string_lossy();
        let ours = (name.starts_with("log-") && name.ends_with(".rpl")) || name == MANIFEST_TMP;
        if ours && !keep.contains(&p) {
            out.push(p);
        }
    }
    Ok(out)
}

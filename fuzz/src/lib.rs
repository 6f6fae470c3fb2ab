//! The checks behind reprint's fuzz targets, one function per target.
//!
//! Each `check_*` function takes the raw bytes AFL gives and panics when an invariant documented
//! by the library does not hold; the binaries in `src/bin/` only hand AFL's input to them (the
//! `afl::fuzz!` macro turns a panic into an abort, which AFL records as a crash). Keeping the
//! checks here lets `cargo test --lib` in this folder replay the kept corpus and the regressions
//! without AFL.

use reprint::index::{Index, IndexOptions, Meta};
use reprint::input::{decode_bytes, read_jsonl, LoadOptions};
use reprint::normalize::{tokenize, tokenize_into, Tokens};
use reprint::Detector;
use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;
use unicode_normalization::char::is_combining_mark;

/// Inputs longer than this are ignored by the targets that compare or parse: AFL gains nothing
/// from huge inputs, and a slow one would be reported as a hang rather than teach anything.
pub const MAX_INPUT: usize = 64 << 10;

/// The JSONL target's document size limit, small so that the fuzzer reaches it.
pub const JSONL_MAX_DOC_BYTES: u64 = 4096;

/// The normalized words of `t`, in order.
fn norms(t: &Tokens) -> Vec<&str> {
    (0..t.len()).map(|i| t.norm(i)).collect()
}

/// `tokenize`: the invariants of `reprint::normalize`.
pub fn check_tokenize(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    let toks = tokenize(text);
    let mut prev_end = 0usize;
    for (i, tok) in toks.as_slice().iter().enumerate() {
        assert!(tok.start < tok.end, "token {i}: empty range {tok:?}");
        assert!(
            tok.start >= prev_end,
            "token {i} starts at {} before the previous one ends at {prev_end}",
            tok.start
        );
        assert!(
            tok.end <= text.len(),
            "token {i} ends past the text: {tok:?}"
        );
        assert!(
            text.is_char_boundary(tok.start) && text.is_char_boundary(tok.end),
            "token {i} not on char boundaries: {tok:?}"
        );
        let word = &text[tok.start..tok.end];
        assert_eq!(
            word.chars().count() as u64,
            u64::from(tok.chars),
            "token {i} ({word:?}): char count"
        );
        let first = word.chars().next().unwrap();
        assert_eq!(
            tok.capitalized,
            first.is_uppercase(),
            "token {i} ({word:?}): capitalized"
        );
        if i == 0 {
            assert!(tok.sentence_start, "the first word starts a sentence");
        }
        let norm = toks.norm(i);
        assert!(
            !norm.is_empty(),
            "token {i} ({word:?}): empty normalized form"
        );
        assert!(
            norm.chars()
                .all(|c| c.to_lowercase().eq(std::iter::once(c))),
            "token {i} ({word:?}): normalized form {norm:?} is not lowercase"
        );
        assert!(
            !norm.chars().any(is_combining_mark),
            "token {i} ({word:?}): normalized form {norm:?} holds a combining mark"
        );
        // The word as written normalizes, alone, to the same one word.
        let alone = tokenize(word);
        assert_eq!(
            norms(&alone),
            [norm],
            "token {i} ({word:?}) tokenized alone"
        );
        prev_end = tok.end;
    }
    assert_eq!(
        toks.total_chars(),
        toks.as_slice()
            .iter()
            .map(|t| u64::from(t.chars))
            .sum::<u64>()
    );

    // Idempotence: normalizing the joined normalized words gives the same words.
    let once = norms(&toks);
    let joined = once.join(" ");
    let twice_toks = tokenize(&joined);
    let twice = norms(&twice_toks);
    assert_eq!(
        once, twice,
        "normalizing twice changed the words of {joined:?}"
    );

    // Reusing a `Tokens` that held other words gives the same result as a fresh one.
    let mut reused = tokenize("Texte précédent, 東京 ﬁn");
    tokenize_into(text, &mut reused);
    assert_eq!(
        reused.as_slice(),
        toks.as_slice(),
        "tokenize_into reuse: tokens"
    );
    assert_eq!(norms(&reused), once, "tokenize_into reuse: words");
}

/// Splits the input at its first 0xFF byte into two texts (lossy UTF-8; no 0xFF: B is empty).
pub fn split_pair(data: &[u8]) -> (String, String) {
    let (a, b) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[data.len()..]),
    };
    (
        String::from_utf8_lossy(a).into_owned(),
        String::from_utf8_lossy(b).into_owned(),
    )
}

/// `compare`: the invariants of `reprint::score` and `reprint::align` for one pair.
pub fn check_compare(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let (a, b) = split_pair(data);
    // `reprint::compare(a, b)` is `Detector::default().compare(a, b)`; building the default
    // detector takes about a millisecond, ten times a small comparison, so it is built once.
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    let d = DETECTOR.get_or_init(Detector::default);
    let c = d.compare(&a, &b);
    for (name, s) in [
        ("resemblance", c.resemblance),
        ("containment_a_in_b", c.containment_a_in_b),
        ("containment_b_in_a", c.containment_b_in_a),
    ] {
        assert!((0.0..=1.0).contains(&s), "{name} = {s} is not in [0, 1]");
    }
    let mut prev: Option<&reprint::Passage> = None;
    for (i, p) in c.passages.iter().enumerate() {
        for (side, r, text) in [("A", &p.a, &a), ("B", &p.b, &b)] {
            assert!(
                r.start < r.end && r.end <= text.len(),
                "passage {i}: range {r:?} in {side} of {} bytes",
                text.len()
            );
            assert!(
                text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
                "passage {i}: range {r:?} not on char boundaries of {side}"
            );
        }
        if let Some(q) = prev {
            assert!(
                q.a.start <= p.a.start,
                "passages not sorted by start in A: {q:?} then {p:?}"
            );
            assert!(
                q.a.end <= p.a.start,
                "passages overlap in A: {q:?} then {p:?}"
            );
        }
        prev = Some(p);
    }
    // Passages do not overlap in B either.
    let mut in_b: Vec<_> = c.passages.iter().map(|p| p.b.clone()).collect();
    in_b.sort_by_key(|r| r.start);
    for w in in_b.windows(2) {
        assert!(
            w[0].end <= w[1].start,
            "passages overlap in B: {:?} and {:?}",
            w[0],
            w[1]
        );
    }
    // A text without words scores 0 against anything.
    if tokenize(&a).is_empty() || tokenize(&b).is_empty() {
        assert_eq!(
            (c.resemblance, c.containment_a_in_b, c.containment_b_in_a),
            (0.0, 0.0, 0.0),
            "a wordless text scored"
        );
        assert!(c.passages.is_empty(), "a wordless text has passages");
    }
    // Resemblance (Jaccard) is symmetric.
    let r = d.compare(&b, &a);
    assert_eq!(
        c.resemblance.to_bits(),
        r.resemblance.to_bits(),
        "resemblance is not symmetric"
    );
}

/// `jsonl`: `read_jsonl` over arbitrary bytes, with a 4096-byte document limit.
pub fn check_jsonl(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let loaded = read_jsonl(
        Path::new("fuzz.jsonl"),
        data,
        &LoadOptions {
            max_doc_bytes: JSONL_MAX_DOC_BYTES,
            ..LoadOptions::default()
        },
    );
    let mut ids = HashSet::new();
    for d in &loaded.documents {
        assert!(
            d.text.len() as u64 <= JSONL_MAX_DOC_BYTES,
            "document {:?} holds {} bytes, over the limit",
            d.id,
            d.text.len()
        );
        assert!(ids.insert(d.id.as_str()), "id {:?} appears twice", d.id);
    }
    for p in &loaded.problems {
        let msg = p.to_string();
        assert!(
            msg.starts_with("fuzz.jsonl"),
            "problem not labelled: {msg:?}"
        );
    }
    // Reading through a tiny buffer (lines split across reads) gives the same result.
    let small = read_jsonl(
        Path::new("fuzz.jsonl"),
        std::io::BufReader::with_capacity(7, data),
        &LoadOptions {
            max_doc_bytes: JSONL_MAX_DOC_BYTES,
            ..LoadOptions::default()
        },
    );
    assert_eq!(
        small.documents, loaded.documents,
        "buffer size changed the documents"
    );
    let msgs = |l: &reprint::input::Loaded| -> Vec<String> {
        l.problems.iter().map(|p| p.to_string()).collect()
    };
    assert_eq!(
        msgs(&small),
        msgs(&loaded),
        "buffer size changed the problems"
    );
}

/// `decode`: `decode_bytes` never panics; UTF-16 with a byte-order mark always decodes, and text
/// without NUL bytes is always used.
pub fn check_decode(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let mut problems = Vec::new();
    let out = decode_bytes(Path::new("f"), data.to_vec(), &mut problems);
    let bom = data.starts_with(&[0xFF, 0xFE]) || data.starts_with(&[0xFE, 0xFF]);
    if bom {
        let s = out
            .as_deref()
            .expect("UTF-16 with a byte-order mark must decode");
        // One char per code unit at most.
        assert!(s.chars().count() <= (data.len() - 2) / 2);
    } else if !data.contains(&0) {
        let s = out.as_deref().expect("text without NUL bytes must be used");
        match std::str::from_utf8(data) {
            Ok(valid) => {
                assert_eq!(s, valid, "valid UTF-8 must come out unchanged");
                assert!(problems.is_empty(), "valid UTF-8 reported: {problems:?}");
            }
            Err(_) => {
                assert_eq!(s, String::from_utf8_lossy(data), "lossy decoding differs");
                assert!(
                    problems.iter().all(|p| p.is_warning_only()),
                    "lossy decoding must only warn: {problems:?}"
                );
                assert_eq!(problems.len(), 1, "one warning for invalid UTF-8");
            }
        }
    } else {
        assert!(out.is_none(), "a NUL byte marks a binary file");
        assert_eq!(problems.len(), 1, "one problem for a binary file");
    }
    for p in &problems {
        let msg = p.to_string();
        assert!(msg.starts_with("f: "), "problem not labelled: {msg:?}");
    }
}

/// Where the `index` target writes its directories: `$REPRINT_FUZZ_TMP` when set (scripts/fuzz.sh
/// sets it, and removes it after the run: afl-fuzz kills targets mid-call, which leaves their
/// directories behind), else `reprint-fuzz` in the system's temporary directory.
fn work_dir(name: &str) -> std::path::PathBuf {
    let root = std::env::var_os("REPRINT_FUZZ_TMP")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("reprint-fuzz"));
    let _ = std::fs::create_dir_all(&root);
    root.join(name)
}

/// The files of a small saved index: three documents, one of them removed, one added after the
/// save; what `check_index` damages.
fn index_template() -> &'static [(String, Vec<u8>)] {
    static T: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    T.get_or_init(|| {
        let dir = work_dir(&format!("template-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let index = Index::open(&dir, IndexOptions::default()).expect("a new index");
        for (id, text) in INDEX_DOCS {
            index.insert(id, text, &Meta::at(1)).expect("insert");
        }
        index.remove("c").expect("remove");
        index.save().expect("save");
        index
            .insert("d", INDEX_DOCS[0].1, &Meta::at(2))
            .expect("insert");
        drop(index);
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .expect("the index directory")
            .map(|e| {
                let e = e.expect("an entry");
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).expect("a file"),
                )
            })
            .collect();
        files.sort();
        let _ = std::fs::remove_dir_all(&dir);
        files
    })
}

const INDEX_DOCS: [(&str, &str); 3] = [
    (
        "a",
        "Le pont de Varenne s'est effondré mardi soir, faisant trois blessés selon la préfecture.",
    ),
    (
        "b",
        "Accueil. Le pont de Varenne s'est effondré mardi soir, faisant trois blessés. Météo.",
    ),
    (
        "c",
        "La banque centrale a relevé ses taux d'un quart de point jeudi, pour la troisième fois.",
    ),
];

/// `index`: `Index::open` on an index directory one file of which is replaced by the input (its
/// first byte chooses the file, the rest is the content). Opening either fails with an error
/// naming a file of the directory, or gives an index that answers queries sensibly.
pub fn check_index(data: &[u8]) {
    if data.is_empty() || data.len() > MAX_INPUT {
        return;
    }
    let files = index_template();
    // One directory per call: the replay tests run targets on several threads at once.
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = work_dir(&format!("index-{}-{call}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a work directory");
    let target = data[0] as usize % files.len();
    for (i, (name, bytes)) in files.iter().enumerate() {
        let content = if i == target { &data[1..] } else { &bytes[..] };
        std::fs::write(dir.join(name), content).expect("write");
    }
    match Index::open(&dir, IndexOptions::default()) {
        Ok(index) => {
            assert!(index.len() <= 4, "{} documents from 4 inserts", index.len());
            let text = INDEX_DOCS[0].1;
            for m in index.query(text).expect("query of an opened index") {
                assert!((0.0..=1.0).contains(&m.max_score()));
                let stored = index.get(&m.id).expect("get").expect("a match is stored");
                for p in &m.comparison.passages {
                    assert!(text.get(p.a.clone()).is_some(), "passage outside the query");
                    assert!(
                        stored.text.get(p.b.clone()).is_some(),
                        "passage outside the stored text"
                    );
                }
            }
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(
                matches!(
                    e,
                    reprint::Error::CorruptIndex { .. } | reprint::Error::Io { .. }
                ) && msg.contains(dir.to_str().expect("UTF-8 temp dir")),
                "error not naming the index's file: {msg}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A target's check: panics when an invariant does not hold for the input.
pub type Check = fn(&[u8]);

/// Every check by target name, for replaying saved inputs.
pub const TARGETS: &[(&str, Check)] = &[
    ("tokenize", check_tokenize),
    ("compare", check_compare),
    ("jsonl", check_jsonl),
    ("decode", check_decode),
    ("index", check_index),
];

/// An input that failed its target's checks: the file and the panic message.
#[derive(Debug)]
pub struct Failure {
    /// The input file.
    pub path: std::path::PathBuf,
    /// What the check said when it panicked.
    pub message: String,
}

/// Runs `check` on every file of `dir` (but README.md), returning how many ran and, for each that
/// panicked, its path and message. A missing directory replays nothing.
pub fn replay_dir(dir: &Path, check: fn(&[u8])) -> (usize, Vec<Failure>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (0, Vec::new());
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut failed = Vec::new();
    let mut n = 0;
    for path in paths {
        if !path.is_file() || path.file_name().is_some_and(|f| f == "README.md") {
            continue;
        }
        let data = match std::fs::read(&path) {
            Ok(d) => d,
            Err(e) => {
                failed.push(Failure {
                    path,
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        n += 1;
        if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic without a message".into());
            failed.push(Failure { path, message });
        }
    }
    (n, failed)
}

#[cfg(test)]
mod tests {
    use super::{replay_dir, TARGETS};
    use std::path::Path;

    /// Replays `<kind>/<target>/*` for every target; fails listing each failing file with its
    /// message. Returns how many inputs ran.
    fn replay(kind: &str) -> usize {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        // The checks' panics are collected and reported below; the default hook would print
        // each one's backtrace hint in the middle of the test output.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let mut total = 0;
        let mut report = String::new();
        for (name, check) in TARGETS {
            let (n, failed) = replay_dir(&root.join(kind).join(name), *check);
            total += n;
            for f in failed {
                let rel = f.path.strip_prefix(root).unwrap_or(&f.path);
                report += &format!("\n  {} ({name}): {}", rel.display(), f.message);
            }
        }
        std::panic::set_hook(hook);
        assert!(
            report.is_empty(),
            "{kind}: inputs that fail their checks:{report}"
        );
        total
    }

    /// The hand-made seeds pass every check, without AFL: `cargo test --release` in `fuzz/`.
    #[test]
    fn seeds_pass() {
        assert!(replay("seeds") > 0, "no seed found");
    }

    /// The kept (minimized) corpus of past runs passes every check.
    #[test]
    fn kept_corpus_passes() {
        replay("corpus");
    }

    /// Writes the `index` target's seeds: each file of the template index, undamaged, prefixed
    /// with the byte that selects it. `cargo test --release -- --ignored write_index_seeds`.
    #[test]
    #[ignore]
    fn write_index_seeds() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/index");
        std::fs::create_dir_all(&dir).unwrap();
        for (i, (name, bytes)) in super::index_template().iter().enumerate() {
            let mut data = vec![i as u8];
            data.extend_from_slice(bytes);
            std::fs::write(dir.join(format!("intact-{name}")), data).unwrap();
        }
    }

    /// Crashes found by fuzzing, kept in `regressions/<target>/`, pass once the library is fixed.
    #[test]
    fn regressions_pass() {
        assert!(replay("regressions") > 0, "no regression input found");
    }
}

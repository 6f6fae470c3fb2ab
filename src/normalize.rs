//! Normalization and tokenization: text in, words out, each word pointing back at the original.
//!
//! A syndicated copy rarely has the same bytes as its source: accents are dropped or added
//! (`Etats` / `États`), quotes change (`"` / `« »`), apostrophes curl (`'` / `’`), spaces become
//! non-breaking, letters become full-width. This module erases those differences and nothing else.
//!
//! For every character of the input, [`tokenize`]:
//! - applies Unicode compatibility decomposition (NFKD: `ﬁ` → `fi`, `Ａ` → `a`, `²` → `2`), then drops
//!   combining marks, so diacritics fold away (`É` → `e`). This gives the same letters as NFKC followed
//!   by diacritic folding, without building an intermediate string;
//! - folds case (`to_lowercase`) and the few letters that have no decomposition (`œ` → `oe`, `ß` → `ss`,
//!   `ø` → `o`, …);
//! - treats every character that is not a letter or a digit as a separator. Typographic variants of
//!   quotes, apostrophes, dashes and spaces therefore all read the same: they separate words and never
//!   enter one. `l’Iran` and `l'Iran` both give `l`, `iran`;
//! - makes each Han or kana character a word of its own, since those scripts do not separate words
//!   with spaces (kana keep their voicing marks: `で` is not `て`).
//!
//! # Invariants
//! - Every [`Token`] has `start < end`, both on char boundaries of the original text, and
//!   `&text[start..end]` is the word as written. Tokens are in text order and do not overlap.
//! - [`Tokens::norm`] is non-empty, lowercase, free of combining marks, and equal for two spellings that
//!   differ only by case, diacritics or compatibility form.
//! - Normalizing the concatenation of the normalized words gives the same words (idempotence).
//!
//! ```
//! let toks = reprint::normalize::tokenize("Les États-Unis « condamnent »");
//! let words: Vec<&str> = (0..toks.len()).map(|i| toks.norm(i)).collect();
//! assert_eq!(words, ["les", "etats", "unis", "condamnent"]);
//! assert_eq!(&"Les États-Unis « condamnent »"[toks.get(1).start..toks.get(1).end], "États");
//! ```

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use xxhash_rust::xxh3::xxh3_64;

/// One word of the original text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the word's first byte in the original text.
    pub start: usize,
    /// Byte offset one past the word's last byte in the original text.
    pub end: usize,
    /// Number of characters of the word as written.
    pub chars: u32,
    /// The word begins a sentence or a line: it follows `.`, `!`, `?`, `…`, a line break, or starts
    /// the text. A full stop before a word in lower case, inside a figure (`14.680`) or after
    /// an initial (`U.S.`) ends no sentence.
    pub sentence_start: bool,
    /// The word as written begins with an uppercase letter.
    pub capitalized: bool,
    norm_start: u32,
    norm_end: u32,
}

/// The words of one text, with their normalized forms stored in one shared buffer.
///
/// Reuse one `Tokens` with [`tokenize_into`] in loops: it keeps its allocations.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    buf: String,
    tokens: Vec<Token>,
    /// xxh3 of each normalized word. Verbatim runs and their fingerprints compare words by
    /// these; hashed once here, they no longer cost a hash per word each time a text's
    /// fingerprints are taken or it is aligned with another (three to five times per text in
    /// a scan).
    hashes: Vec<u64>,
}

impl Tokens {
    /// An empty token list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// True when the text had no word at all.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The `i`-th word. Panics if `i >= len()`, like slice indexing.
    pub fn get(&self, i: usize) -> &Token {
        &self.tokens[i]
    }

    /// All words, in text order.
    pub fn as_slice(&self) -> &[Token] {
        &self.tokens
    }

    /// The normalized form of the `i`-th word.
    pub fn norm(&self, i: usize) -> &str {
        let t = &self.tokens[i];
        &self.buf[t.norm_start as usize..t.norm_end as usize]
    }

    /// The xxh3 hash (seed 0) of each normalized word, in text order: equal words have equal
    /// hashes.
    pub fn word_hashes(&self) -> &[u64] {
        &self.hashes
    }

    /// Total characters of all words as written.
    pub fn total_chars(&self) -> u64 {
        self.tokens.iter().map(|t| u64::from(t.chars)).sum()
    }

    /// Bytes its buffers hold, capacity included.
    pub(crate) fn capacity_bytes(&self) -> usize {
        self.buf.capacity()
            + self.tokens.capacity() * std::mem::size_of::<Token>()
            + self.hashes.capacity() * 8
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.tokens.clear();
        self.hashes.clear();
    }
}

/// Tokenizes and normalizes `text`. See the module docs for the rules.
pub fn tokenize(text: &str) -> Tokens {
    let mut out = Tokens::new();
    tokenize_into(text, &mut out);
    out
}

/// Like [`tokenize`], reusing `out`'s buffers.
pub fn tokenize_into(text: &str, out: &mut Tokens) {
    out.clear();
    let Tokens {
        buf,
        tokens,
        hashes,
    } = out;
    for_each_word(text, buf, |buf, w| {
        hashes.push(xxh3_64(&buf.as_bytes()[w.norm_start..]));
        tokens.push(w.token(buf.len()))
    });
    debug_assert!(out.tokens.windows(2).all(|w| w[0].end <= w[1].start));
}

/// One word as [`for_each_word`] reports it: a [`Token`] whose normalized form is
/// `buf[norm_start..]` of the buffer passed along with it.
pub(crate) struct Word {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) chars: u32,
    pub(crate) sentence_start: bool,
    pub(crate) capitalized: bool,
    pub(crate) norm_start: usize,
}

impl Word {
    /// The token of this word, whose normalized form ends at `norm_end` in the buffer.
    fn token(&self, norm_end: usize) -> Token {
        Token {
            start: self.start,
            end: self.end,
            chars: self.chars,
            sentence_start: self.sentence_start,
            capitalized: self.capitalized,
            norm_start: self.norm_start as u32,
            norm_end: norm_end as u32,
        }
    }
}

/// The tokenizer itself, shared by [`tokenize_into`] and the signature fast path
/// ([`crate::sketch`]), so that both read exactly the same words. Normalized characters are
/// appended to `buf`; at the end of each word `on_word` gets `buf` (whose tail from
/// `Word::norm_start` is the word) and may keep or truncate it. Nothing is allocated beyond
/// `buf`'s growth.
///
/// The loop walks bytes, not chars: ASCII (most of European news text) never goes through UTF-8
/// decoding or Unicode tables, and the Latin, Greek, Cyrillic and typographic-punctuation
/// characters that follow in frequency are looked up in a table precomputed with the very
/// functions of the general path ([`fast_entry`]).
#[inline]
pub(crate) fn for_each_word<F: FnMut(&mut String, &Word)>(
    text: &str,
    buf: &mut String,
    on_word: F,
) {
    words_impl::<true, false, _>(text, buf, Each(on_word))
}

/// Receives the words of the tokenizer.
pub(crate) trait WordSink {
    /// A word, whose normalized form is `buf[w.norm_start..]`; the sink may keep or truncate
    /// `buf`.
    fn word(&mut self, buf: &mut String, w: &Word);
    /// From [`for_each_norm_word`] only: a word's normalized form, when the word is 1 to 15
    /// ASCII letters and digits with ASCII (or nothing) on both sides. Its offsets and flags
    /// are not worked out.
    fn ascii_word(&mut self, lower: &[u8]);
}

/// A closure as a [`WordSink`] of [`for_each_word`], which never hands out bare ASCII words.
struct Each<F>(F);

impl<F: FnMut(&mut String, &Word)> WordSink for Each<F> {
    #[inline(always)]
    fn word(&mut self, buf: &mut String, w: &Word) {
        (self.0)(buf, w)
    }
    fn ascii_word(&mut self, _: &[u8]) {
        unreachable!("for_each_word hands out every word through `word`")
    }
}

/// The words [`for_each_word`] reads, for callers that need only their normalized forms (the
/// signature path, [`crate::sketch`]): an ASCII word of fewer than 16 bytes between ASCII
/// separators (nearly every word of English or French text) is found, lowercased and handed
/// to [`WordSink::ascii_word`] eight bytes at a time, without the byte-by-byte loop, the
/// buffer or the offsets; every other word goes to [`WordSink::word`] as in
/// [`for_each_word`].
#[inline]
pub(crate) fn for_each_norm_word<S: WordSink>(text: &str, buf: &mut String, sink: S) {
    words_impl::<true, true, S>(text, buf, sink)
}

/// Eight bytes with the same value.
const fn lanes(b: u8) -> u64 {
    u64::from_le_bytes([b; 8])
}

/// Bit 7 of each byte of `x` set where the byte is an ASCII letter or digit (SWAR: Lamport,
/// "Multiple byte processing with full-word instructions", CACM 1975; the range test adds
/// `0x80 - lo` to 7-bit bytes, whose sum cannot carry into the next byte).
#[inline(always)]
fn ascii_alnum_lanes(x: u64) -> u64 {
    const HIGH: u64 = lanes(0x80);
    let y = x & !HIGH;
    let within = |v: u64, lo: u8, hi: u8| {
        (v.wrapping_add(lanes(0x80 - lo)) & !v.wrapping_add(lanes(0x7F - hi))) & HIGH
    };
    let digit = within(y, b'0', b'9');
    let letter = within(y | lanes(0x20), b'a', b'z');
    (digit | letter) & !(x & HIGH)
}

/// The word of ASCII letters and digits starting at `i` (whose byte is one), lowercased, when
/// it is shorter than 16 bytes and followed by an ASCII byte within the text; its length.
#[inline(always)]
fn ascii_word_at(bytes: &[u8], i: usize) -> Option<(usize, [u8; 16])> {
    let block = bytes.get(i..i + 16)?;
    let (lo, hi) = block.split_at(8);
    let x0 = u64::from_le_bytes(lo.try_into().ok()?);
    let x1 = u64::from_le_bytes(hi.try_into().ok()?);
    let (a0, a1) = (ascii_alnum_lanes(x0), ascii_alnum_lanes(x1));
    // Bytes up to the first that is not a letter or digit.
    let n0 = ((!a0 & lanes(0x80)).trailing_zeros() / 8) as usize;
    let n = if n0 < 8 {
        n0
    } else {
        8 + ((!a1 & lanes(0x80)).trailing_zeros() / 8) as usize
    };
    if n >= 16 || block[n] >= 0x80 {
        // Too long, or a letter such as `é` may continue the word: the general path decides.
        return None;
    }
    // Setting bit 5 lowercases a letter and leaves a digit as it is (see `words_impl`).
    let l0 = (x0 | (a0 >> 2)).to_le_bytes();
    let l1 = (x1 | (a1 >> 2)).to_le_bytes();
    let mut lower = [0u8; 16];
    lower[..8].copy_from_slice(&l0);
    lower[8..].copy_from_slice(&l1);
    Some((n, lower))
}

/// With `FAST` false, every character takes the general path one at a time: the plain
/// definition, kept for the tests that check the fast paths against it. With `LEAN`, ASCII
/// words go to [`WordSink::ascii_word`] ([`for_each_norm_word`]).
#[inline]
fn words_impl<const FAST: bool, const LEAN: bool, S: WordSink>(
    text: &str,
    buf: &mut String,
    sink: S,
) {
    let mut b = Builder {
        text,
        buf,
        sink,
        open: None,
        open_chars: 0,
        open_upper: false,
        boundary: TEXT_START,
    };
    let bytes = text.as_bytes();
    let table = if FAST { fast_table() } else { &EMPTY_TABLE };
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if FAST && byte.is_ascii() {
            if byte.is_ascii_alphanumeric() {
                if LEAN && b.open.is_none() {
                    if let Some((n, lower)) = ascii_word_at(bytes, i) {
                        b.boundary = NO_END;
                        b.sink.ascii_word(&lower[..n]);
                        i += n;
                        continue;
                    }
                }
                // A run of ASCII letters and digits is lowercased as it is copied, in one loop:
                // setting bit 5 lowercases a letter and leaves a digit as it is. (Finding the
                // run's end first, then copying and lowercasing it, cost three passes over
                // words of a few bytes, each with its own set-up.)
                b.open_at(i, byte.is_ascii_uppercase());
                let mut run = 0;
                for &x in bytes[i..].iter().take_while(|x| x.is_ascii_alphanumeric()) {
                    b.buf.push(char::from(x | 0x20));
                    run += 1;
                }
                b.open_chars += run as u32 - 1;
                i += run;
                continue;
            } else {
                b.close(i);
                if ends_sentence_ascii(byte) {
                    b.boundary |= SENTENCE_END;
                }
            }
            i += 1;
            continue;
        }
        // `i` is always on a char boundary: it advances by whole characters.
        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        let entry = if FAST { fast_entry(table, c) } else { None };
        match entry {
            Some(e) => {
                if e.alnum || (b.open.is_some() && e.combining) {
                    b.open_at(i, e.upper);
                    b.buf.push_str(e.folded);
                } else {
                    b.close(i);
                    if e.boundary {
                        b.boundary |= SENTENCE_END;
                    }
                }
            }
            None => b.general(i, c),
        }
        i += c.len_utf8();
    }
    b.close(text.len());
}

struct Builder<'a, S> {
    text: &'a str,
    buf: &'a mut String,
    sink: S,
    /// Byte offset (original) and buffer offset where the open word began.
    open: Option<(usize, usize)>,
    /// Characters of the original text in the open word.
    open_chars: u32,
    /// The open word's first character is uppercase.
    open_upper: bool,
    /// What came since the last word: nothing that ends a sentence ([`NO_END`]), a sentence
    /// end (the next word may start a sentence: [`ends_no_sentence`] says), or nothing at all
    /// ([`TEXT_START`]: the next word is the text's first and starts a sentence).
    boundary: u8,
}

impl<S: WordSink> Builder<'_, S> {
    #[inline]
    fn open_at(&mut self, i: usize, upper: bool) {
        if self.open.is_none() {
            self.open = Some((i, self.buf.len()));
            self.open_chars = 0;
            self.open_upper = upper;
        }
        self.open_chars += 1;
    }

    // Always inlined: in the signature path this is where each word's hashing happens, and
    // as a call it cost about 3% of the signature time (interleaved runs).
    #[inline(always)]
    fn close(&mut self, end: usize) {
        let Some((start, norm_start)) = self.open.take() else {
            return;
        };
        if self.buf.len() == norm_start {
            // Only characters that fold to nothing: not a word.
            return;
        }
        let word = Word {
            start,
            end,
            chars: self.open_chars,
            sentence_start: match std::mem::replace(&mut self.boundary, NO_END) {
                NO_END => false,
                SENTENCE_END => !ends_no_sentence(self.text, start),
                _ => true,
            },
            capitalized: self.open_upper,
            norm_start,
        };
        self.sink.word(self.buf, &word);
    }

    /// Any character: the definition the fast paths must agree with.
    fn general(&mut self, i: usize, c: char) {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                self.open_at(i, c.is_ascii_uppercase());
                self.buf.push(c.to_ascii_lowercase());
            } else {
                self.close(i);
                if ends_sentence_ascii(c as u8) {
                    self.boundary |= SENTENCE_END;
                }
            }
        } else if is_ideograph(c) || compat_ideograph(c) {
            self.close(i);
            self.open_at(i, false);
            // Composed, not decomposed: kana voicing marks (で = て + ◌゙) change the word.
            // One character in, one word out: the rare kana ligatures (`ゟ` → `より`) keep
            // their first letter, so a word never splits when normalized again. A voicing mark
            // standing alone (`゙`, half-width `ﾟ`) is no letter and makes no word.
            self.buf.extend(
                std::iter::once(c)
                    .nfkc()
                    .filter(|&d| d.is_alphanumeric())
                    .take(1),
            );
            self.close(i + c.len_utf8());
        } else if c.is_alphanumeric() || (self.open.is_some() && is_combining_mark(c)) {
            self.open_at(i, c.is_uppercase());
            fold_char(c, self.buf);
        } else {
            self.close(i);
            if is_sentence_end(c) {
                self.boundary |= SENTENCE_END;
            }
        }
    }
}

/// Values of [`Builder::boundary`], flags: a sentence end met before the first word leaves
/// it the text's first.
const NO_END: u8 = 0;
const SENTENCE_END: u8 = 1;
const TEXT_START: u8 = 2;

/// Whether the word starting at `word` in `text`, after a sentence end, goes on with the
/// sentence: the ends between it and the word before are full stops that end none. A stop
/// ends no sentence before a word in lower case (`vom 2. bis`, `z. B. die`), as sentences
/// begin with a capital; inside a figure (`14.680`, `3.5`: digits on both sides, no space);
/// after an initial, a single letter (`U.S.`, `J. Smith`). A stop
/// followed at once by a capital after a longer word (`la crise.Le gouvernement`: a page's
/// lost line break) still ends a sentence, as do `!`, `?`, `…` and line breaks.
// Out of line: it runs once a sentence, and inlined into the word loop it slowed every word.
#[cold]
#[inline(never)]
fn ends_no_sentence(text: &str, word: usize) -> bool {
    let gap_start = text[..word]
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_alphanumeric())
        .map_or(0, |(i, c)| i + c.len_utf8());
    if gap_start == 0 {
        return false; // nothing before but sentence ends
    }
    let gap = &text[gap_start..word];
    let ends = |c: char| (c.is_ascii() && ends_sentence_ascii(c as u8)) || is_sentence_end(c);
    // The end met may lie before the last letter, when that letter made no word (a lone
    // vowel sign): only a gap of full stops is looked at.
    if !gap.contains('.') || gap.chars().any(|c| ends(c) && c != '.') {
        return false;
    }
    let next = text[word..].chars().next();
    if next.is_some_and(char::is_lowercase) {
        return true;
    }
    let mut before = text[..gap_start].chars().rev();
    let last = before.next();
    let initial =
        last.is_some_and(char::is_alphabetic) && !before.next().is_some_and(char::is_alphanumeric);
    let figure = gap == "."
        && last.is_some_and(|c| c.is_ascii_digit())
        && next.is_some_and(|c| c.is_ascii_digit());
    initial || figure
}

/// ASCII characters that end a sentence or a line.
#[inline(always)]
const fn ends_sentence_ascii(byte: u8) -> bool {
    matches!(byte, b'.' | b'!' | b'?' | b'\n' | b'\r')
}

/// Non-ASCII characters that end a sentence or a line.
#[inline]
fn is_sentence_end(c: char) -> bool {
    matches!(
        c,
        '…' | '。' | '！' | '？' | '\u{2028}' | '\u{2029}' | '\u{85}'
    )
}

/// What [`Builder::general`] does with one character that is not an ideograph, precomputed.
#[derive(Clone, Copy, Default)]
struct FastEntry {
    alnum: bool,
    combining: bool,
    upper: bool,
    boundary: bool,
    /// The folded form, a slice of the table's one string of all of them.
    folded: &'static str,
}

/// Longest folded form kept in the table; longer ones (a few ligatures and squared words) take
/// the general path.
const FOLD_MAX: usize = 7;

/// Two-byte UTF-8 characters (Latin-1 to Arabic) and the General Punctuation block (typographic
/// quotes, dashes, spaces, `…`).
const TABLE_2BYTE: std::ops::Range<u32> = 0x80..0x800;
const TABLE_PUNCT: std::ops::Range<u32> = 0x2000..0x2070;

/// Entries for [`TABLE_2BYTE`] then [`TABLE_PUNCT`]; `None` where the general path must run.
type FastTable = Vec<Option<FastEntry>>;

static EMPTY_TABLE: FastTable = Vec::new();

fn fast_table() -> &'static FastTable {
    static TABLE: std::sync::OnceLock<FastTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let computed: Vec<Option<(FastEntry, String)>> = TABLE_2BYTE
            .chain(TABLE_PUNCT)
            .map(|u| char::from_u32(u).and_then(compute_entry))
            .collect();
        // Every folded form in one string that lives as long as the table (the process), so
        // that an entry hands out its form as a `&str` without checking it again per use.
        let all: &'static str = Box::leak(
            computed
                .iter()
                .flatten()
                .map(|(_, f)| f.as_str())
                .collect::<String>()
                .into_boxed_str(),
        );
        let mut at = 0;
        computed
            .into_iter()
            .map(|x| {
                x.map(|(e, f)| {
                    let folded = &all[at..at + f.len()];
                    at += f.len();
                    FastEntry { folded, ..e }
                })
            })
            .collect()
    })
}

/// The table entry of `c` and its folded form, computed with the general path's own functions.
fn compute_entry(c: char) -> Option<(FastEntry, String)> {
    if is_ideograph(c) || compat_ideograph(c) {
        return None;
    }
    let mut folded = String::new();
    fold_char(c, &mut folded);
    if folded.len() > FOLD_MAX {
        return None;
    }
    let e = FastEntry {
        alnum: c.is_alphanumeric(),
        combining: is_combining_mark(c),
        upper: c.is_uppercase(),
        boundary: is_sentence_end(c),
        folded: "",
    };
    Some((e, folded))
}

#[inline]
fn fast_entry(table: &FastTable, c: char) -> Option<&FastEntry> {
    let u = c as u32;
    let idx = if TABLE_2BYTE.contains(&u) {
        (u - TABLE_2BYTE.start) as usize
    } else if TABLE_PUNCT.contains(&u) {
        (u - TABLE_PUNCT.start) as usize + TABLE_2BYTE.len()
    } else {
        return None;
    };
    table.get(idx).and_then(Option::as_ref)
}

/// Appends the normalized form of one letter or digit to `buf`.
#[inline]
fn fold_char(c: char, buf: &mut String) {
    if let Some(s) = special_fold(c) {
        buf.push_str(s);
        return;
    }
    for d in std::iter::once(c).nfkd() {
        if is_combining_mark(d) {
            continue;
        }
        if let Some(s) = special_fold(d) {
            buf.push_str(s);
        } else if d.is_alphanumeric() {
            buf.extend(d.to_lowercase());
        }
    }
}

/// Letters that NFKD does not decompose but that readers treat as variants of plain letters.
#[inline]
fn special_fold(c: char) -> Option<&'static str> {
    Some(match c {
        'œ' | 'Œ' => "oe",
        'æ' | 'Æ' => "ae",
        'ß' | 'ẞ' => "ss",
        'ø' | 'Ø' => "o",
        'ł' | 'Ł' => "l",
        'đ' | 'Đ' => "d",
        'ð' | 'Ð' => "d",
        'þ' | 'Þ' => "th",
        'ı' => "i",
        'ς' => "σ",
        _ => return None,
    })
}

/// A character whose compatibility form holds an ideograph (`㆒` → `一`, `⼈` → `人`, `㈧` →
/// `(八)`): it must be a word of its own too, or normalizing twice would split what once was one
/// word.
#[inline]
fn compat_ideograph(c: char) -> bool {
    c.is_alphanumeric() && std::iter::once(c).nfkd().any(is_ideograph)
}

/// Han ideographs, kana and other scripts written without spaces between words, where each
/// character is taken as a word.
#[inline]
fn is_ideograph(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0xFF65..=0xFF9F    // Halfwidth Katakana (NFKC makes them full-width kana)
        | 0x20000..=0x2FA1F) // CJK Extensions B–F, Compatibility Supplement
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let t = tokenize(text);
        (0..t.len()).map(|i| t.norm(i).to_string()).collect()
    }

    #[test]
    fn typographic_variants_read_the_same() {
        let a = "\"Les Etats-Unis condamnent l'Iran\" - a dit l'OTAN";
        let b = "« Les États‑Unis condamnent l’Iran » — a dit l’Otan";
        assert_eq!(words(a), words(b));
        assert_eq!(
            words("ŒUVRE Straße ﬁn Ａ²"),
            ["oeuvre", "strasse", "fin", "a2"]
        );
    }

    #[test]
    fn decomposed_and_precomposed_accents_fold_alike() {
        assert_eq!(words("e\u{301}te\u{301}"), words("été"));
        assert_eq!(words("été"), ["ete"]);
    }

    #[test]
    fn offsets_point_at_the_original_words() {
        let text = "  L’Albanie\u{a0}a rompu… «\u{202f}Enfin\u{202f}»  é\u{301}t";
        let t = tokenize(text);
        let orig: Vec<&str> = t.as_slice().iter().map(|k| &text[k.start..k.end]).collect();
        assert_eq!(orig, ["L", "Albanie", "a", "rompu", "Enfin", "é\u{301}t"]);
        let chars: Vec<u32> = t.as_slice().iter().map(|k| k.chars).collect();
        assert_eq!(chars, [1, 7, 1, 5, 5, 3]);
        let starts: Vec<bool> = t.as_slice().iter().map(|k| k.sentence_start).collect();
        assert_eq!(starts, [true, false, false, false, true, false]);
    }

    #[test]
    fn ideographs_are_one_word_each() {
        let t = tokenize("東京で地震 Tokyo");
        let w: Vec<&str> = (0..t.len()).map(|i| t.norm(i)).collect();
        assert_eq!(w, ["東", "京", "で", "地", "震", "tokyo"]);
        // A symbol holding an ideograph (`㈧` is `(八)`) stands alone too, so that normalizing
        // twice gives the same words (found by fuzzing: fuzz/regressions/tokenize).
        let t = tokenize("a㈧tttt");
        let w: Vec<&str> = (0..t.len()).map(|i| t.norm(i)).collect();
        assert_eq!(w, ["a", "八", "tttt"]);
    }

    #[test]
    fn a_stop_in_a_figure_after_an_initial_or_before_a_small_letter_ends_no_sentence() {
        let starts = |text: &str| -> Vec<String> {
            let t = tokenize(text);
            (0..t.len())
                .filter(|&i| t.get(i).sentence_start)
                .map(|i| t.norm(i).to_string())
                .collect()
        };
        // Before a capital it does (`8. Dezember`: the tokenizer knows no language; the German
        // date is the cross-lingual aligner's rule).
        assert_eq!(
            starts("Es waren 14.680 Fälle. Vom 2. bis 8. Dezember sank die Zahl. Dann stieg sie."),
            ["es", "vom", "dezember", "dann"]
        );
        assert_eq!(
            starts(
                "The U.S. economy grew 3.5 percent, J. Smith said.\nexports fell. By 2. Then 3."
            ),
            ["the", "exports", "by", "then"]
        );
        // A lost line break between two sentences (`crise.Le`) is still one, as are `!`, `?`.
        assert_eq!(
            starts("Pendant la crise.Le gouvernement a agi! mais peu? oui."),
            ["pendant", "le", "mais", "oui"]
        );
        // A lone vowel sign is a letter that makes no word: the end before it still counts,
        // and a text's first word starts a sentence whatever comes before it.
        assert_eq!(starts("Fin! \u{730} suite"), ["fin", "suite"]);
        assert_eq!(starts("\u{fffd}\u{730}. suite. Fin"), ["suite", "fin"]);
    }

    #[test]
    fn nothing_to_read_gives_no_words() {
        // The last two are lone kana voicing marks, found by fuzzing (fuzz/regressions/tokenize).
        for text in [
            "",
            "   \n\t",
            "!!! — « » …",
            "\u{301}\u{301}",
            "🙂🙂 ‏‎",
            "\u{3099}",
            "\u{ff9f}",
        ] {
            assert!(tokenize(text).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn normalizing_twice_changes_nothing() {
        let text = "Ｌ’ÉTÉ ŒUVRE ﬁn Ⅻ ½ Ǆ İstanbul ς";
        let once = words(text).join(" ");
        assert_eq!(words(&once).join(" "), once);
    }

    /// Words and tokens by the plain one-character-at-a-time definition.
    fn reference(text: &str) -> (String, Vec<Token>) {
        let mut buf = String::new();
        let mut tokens = Vec::new();
        words_impl::<false, false, _>(
            text,
            &mut buf,
            Each(|buf: &mut String, w: &Word| tokens.push(w.token(buf.len()))),
        );
        (buf, tokens)
    }

    fn check_fast_equals_reference(text: &str) {
        let fast = tokenize(text);
        let (buf, tokens) = reference(text);
        assert_eq!(fast.tokens, tokens, "{text:?}");
        assert_eq!(fast.buf, buf, "{text:?}");
    }

    #[test]
    fn fast_table_agrees_with_the_general_path_on_every_entry() {
        let mut tabled = 0;
        for u in TABLE_2BYTE.chain(TABLE_PUNCT) {
            let Some(c) = char::from_u32(u) else { continue };
            tabled += usize::from(fast_entry(fast_table(), c).is_some());
            // Alone, inside a word, opening and closing one, after a sentence end, uppercase
            // neighbours: every flag of the entry gets a chance to matter.
            for text in [
                format!("{c}"),
                format!("ab{c}cd"),
                format!("{c}Ab"),
                format!("Ab{c}"),
                format!("x. {c}{c} Yz"),
                format!("é{c}ß"),
            ] {
                check_fast_equals_reference(&text);
            }
        }
        assert!(tabled > 1500, "most entries take the fast path: {tabled}");
    }

    /// The normalized words [`for_each_norm_word`] hands out, in order.
    fn lean_words(text: &str) -> Vec<String> {
        struct Collect(Vec<String>);
        impl WordSink for &mut Collect {
            fn word(&mut self, buf: &mut String, w: &Word) {
                self.0.push(buf[w.norm_start..].to_string());
            }
            fn ascii_word(&mut self, lower: &[u8]) {
                self.0.push(String::from_utf8(lower.to_vec()).unwrap());
            }
        }
        let mut c = Collect(Vec::new());
        for_each_norm_word(text, &mut String::new(), &mut c);
        c.0
    }

    #[test]
    fn lean_words_at_the_edges_of_the_ascii_path() {
        // Words of every length around the 8- and 16-byte blocks, next to the bytes that
        // bound the letter and digit ranges, to letters and marks that continue a word, and
        // at the end of the text.
        let word = "AbcdefghIjklmnoPqrstuvWxyz0123456789";
        let edges = [
            " ", "@", "[", "`", "{", "/", ":", "é", "\u{301}", "’", "ß", "中", "\n", ".",
        ];
        for n in 1..=20 {
            for (x, y) in edges.iter().flat_map(|x| edges.iter().map(move |y| (x, y))) {
                let text = format!("{x}{}{y}{}{x}", &word[..n], &word[n..]);
                assert_eq!(lean_words(&text), words(&text), "{text:?}");
                let text = format!("{}{y}", &word[..n]);
                assert_eq!(lean_words(&text), words(&text), "{text:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_paths_equal_the_definition(text in "\\PC{0,80}", ascii in "[ -~\n]{0,80}") {
            check_fast_equals_reference(&text);
            check_fast_equals_reference(&ascii);
            check_fast_equals_reference(&format!("{ascii}{text}{ascii}"));
        }

        #[test]
        fn lean_words_are_the_words(
            text in "\\PC{0,80}",
            mixed in "([A-Za-z0-9]{1,20}[ -/:-@\\[-`{-~éÉß’\u{301}中\n]{1,2}){0,12}",
        ) {
            for t in [text.clone(), mixed.clone(), format!("{mixed}{text}{mixed}")] {
                proptest::prop_assert_eq!(lean_words(&t), words(&t));
            }
        }
    }

    #[test]
    fn reuse_clears_previous_words() {
        let mut t = tokenize("un deux trois");
        tokenize_into("quatre", &mut t);
        assert_eq!(t.len(), 1);
        assert_eq!(t.norm(0), "quatre");
    }
}

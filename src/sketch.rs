//! Batch MinHash signatures of plain word n-grams: the job every dedup tool does, done fast.
//!
//! This is the entry point for callers that only want signatures (dataset deduplication, a
//! Python or Spark pipeline, a comparison with other MinHash tools): no terms, no stop words, no
//! passages. Words are reprint's normalized words ([`crate::normalize`]: case and accents
//! folded, every non-alphanumeric character a separator), shingles are overlapping n-grams of
//! words, and the signature is [`crate::minhash`]'s one-permutation hashing with optimal
//! densification.
//!
//! # Definition and fast path
//! The signature is defined stage by stage: [`crate::normalize::tokenize`], xxh3 of each
//! normalized word with the seed, [`shingle_hash`] of each window of `n` consecutive word hashes
//! (one shingle over all the words when there are fewer than `n`), [`crate::minhash::MinHasher`].
//! [`Sketcher`] computes exactly that in one pass, without the stages' intermediate lists: the
//! tokenizer hands over each word's normalized form (an ASCII word between ASCII separators
//! found and lowercased eight bytes at a time, straight from the text; any other word from a
//! reused buffer), the word is hashed, the shingle ending there is rolled forward from the
//! previous one, and it goes straight into the MinHash bins. Nothing is allocated per word or
//! shingle. `tests/properties.rs` checks
//! bit-identity with the stage-by-stage definition on arbitrary Unicode text and on `corpus/`.
//!
//! These signatures are for comparing documents with each other, not with the detector's own
//! shingles ([`crate::shingle`], which hashes the `8·n` bytes of a window with xxh3): the
//! detector's shingle hashes are stored in indexes and sampled as keys, while here a shingle
//! lives only until it is binned, so a cheaper combination that is exact about distinctness
//! is enough: rolling it, and reading ASCII words eight bytes at a time
//! (`normalize::for_each_norm_word`), is what makes signatures fast (`cargo bench --bench
//! pipeline`; docs/performance.md).
//!
//! # Invariants
//! - The signature of a text depends only on the text and the [`SketchOptions`]: not on the batch
//!   it came in, its position there, or the number of threads.
//! - A text with no word gets `k` values of [`EMPTY`]; such a row matches nothing.
//! - A text with fewer words than `ngram` gets one shingle over all its words (as in
//!   [`crate::shingle`]).
//!
//! ```
//! use reprint::sketch::{Sketcher, SketchOptions};
//! let s = Sketcher::new(SketchOptions::default()).unwrap();
//! let rows = s.signatures(&["The cat sat on the mat today.", "the CAT sat on the mat, today"]);
//! let k = s.k();
//! assert_eq!(rows.len(), 2 * k);
//! assert_eq!(rows[..k], rows[k..]); // same words once normalized
//! ```

use crate::error::Result;
use crate::minhash::{MinHasher, DEFAULT_K, DEFAULT_SEED};
use crate::normalize::{for_each_norm_word, Word, WordSink};
use crate::shingle;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The value of every position of an empty text's signature.
pub const EMPTY: u32 = u32::MAX;

/// What a signature is made of.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SketchOptions {
    /// Values per signature (1..=4096).
    pub k: usize,
    /// Words per shingle (1..=16).
    pub ngram: usize,
    /// Seed of word hashing and MinHash.
    pub seed: u64,
}

impl Default for SketchOptions {
    fn default() -> Self {
        SketchOptions {
            k: DEFAULT_K,
            ngram: 5,
            seed: DEFAULT_SEED,
        }
    }
}

/// Rotation between the word hashes of consecutive positions in [`shingle_hash`]: odd, so the
/// rotations of positions 0 to 15 are distinct.
const ROTATION: u32 = 9;

/// The hash of one shingle from the hashes of its words, `⊕ᵢ rotl(words[i], 9·i)`: position
/// matters (a rotation per position), and a window sliding one word along the text costs one
/// rotation and two exclusive ors instead of a hash of `8·n` bytes. [`MinHasher`] mixes every
/// shingle again before binning it, so the shingle needs to be distinct, not well spread: two
/// different word sequences collide only if their hashes are linearly dependent once rotated,
/// a chance of about 2⁻⁶⁴ for independent word hashes.
pub fn shingle_hash(words: &[u64]) -> u64 {
    words
        .iter()
        .enumerate()
        .fold(0, |acc, (i, &h)| acc ^ h.rotate_left(ROTATION * i as u32))
}

/// Where rolled shingles go: the MinHash bins of a signature, or a list for exact sets.
trait ShingleSink {
    fn shingle(&mut self, h: u64);
}

/// The MinHash bins of one signature being built.
struct Bins<'a> {
    hasher: &'a MinHasher,
    bins: &'a mut Vec<u32>,
}

impl ShingleSink for Bins<'_> {
    #[inline(always)]
    fn shingle(&mut self, h: u64) {
        self.hasher.add(self.bins, h);
    }
}

impl ShingleSink for &mut Vec<u64> {
    #[inline(always)]
    fn shingle(&mut self, h: u64) {
        self.push(h);
    }
}

/// The shingles of one text rolled along it, each going straight into `sink`.
struct Roll<K> {
    seed: u64,
    n: usize,
    /// Rotation of the newest word of a full window.
    newest: u32,
    sink: K,
    /// The last `n` word hashes (word `i` in slot `i mod n`).
    last: [u64; shingle::MAX_N],
    slot: usize,
    count: usize,
    /// The shingle of the last `n` words (of all of them while there are fewer).
    acc: u64,
}

impl<K: ShingleSink> Roll<K> {
    fn new(options: &SketchOptions, sink: K) -> Self {
        Roll {
            seed: options.seed,
            n: options.ngram,
            newest: ROTATION * (options.ngram as u32 - 1),
            sink,
            last: [0u64; shingle::MAX_N],
            slot: 0,
            count: 0,
            acc: 0,
        }
    }

    /// Feeds the one shingle of a text with fewer words than `n` (see `shingle`); returns
    /// whether the text had any word.
    fn finish(&mut self) -> bool {
        if self.count > 0 && self.count < self.n {
            self.sink.shingle(self.acc);
        }
        self.count > 0
    }

    #[inline(always)]
    fn push(&mut self, word: &[u8]) {
        let h = xxh3_64_with_seed(word, self.seed);
        if self.count < self.n {
            self.acc ^= h.rotate_left(ROTATION * self.count as u32);
        } else {
            // Drop the oldest word, move the others one position down, add the newest.
            self.acc = (self.acc ^ self.last[self.slot]).rotate_right(ROTATION)
                ^ h.rotate_left(self.newest);
        }
        self.last[self.slot] = h;
        self.slot += 1;
        if self.slot == self.n {
            self.slot = 0;
        }
        self.count += 1;
        if self.count >= self.n {
            self.sink.shingle(self.acc);
        }
    }
}

impl<K: ShingleSink> WordSink for &mut Roll<K> {
    #[inline(always)]
    fn word(&mut self, buf: &mut String, w: &Word) {
        self.push(&buf.as_bytes()[w.norm_start..]);
        buf.clear();
    }

    #[inline(always)]
    fn ascii_word(&mut self, lower: &[u8]) {
        self.push(lower);
    }
}

/// Computes word n-gram signatures. `Send + Sync`; share one across threads.
#[derive(Clone, Debug)]
pub struct Sketcher {
    options: SketchOptions,
    hasher: MinHasher,
}

/// Per-thread buffers, so that signing a text allocates nothing once they have grown (see
/// [`Sketcher::sketch_reusing`]).
#[derive(Default)]
pub struct Scratch {
    /// The normalized form of the word being read.
    word: String,
    bins: Vec<u32>,
}
impl Sketcher {
    /// Validates `options`.
    pub fn new(options: SketchOptions) -> Result<Sketcher> {
        shingle::check_n(options.ngram)?;
        let hasher = MinHasher::new(options.k, options.seed)?;
        Ok(Sketcher { options, hasher })
    }

    /// The options.
    pub fn options(&self) -> &SketchOptions {
        &self.options
    }

    /// Values per signature.
    pub fn k(&self) -> usize {
        self.options.k
    }

    /// The signature of one text, written to `out` (`out.len()` must be `k`).
    ///
    /// # Panics
    /// If `out.len() != k`: that is a caller's bug, not bad input.
    pub fn sketch_into(&self, text: &str, out: &mut [u32]) {
        let mut scratch = Scratch::default();
        self.sketch_with(text, out, &mut scratch);
    }

    /// [`Sketcher::sketch_into`] with buffers kept from one text to the next: for callers that
    /// sign texts one at a time (read on demand) on many threads, one `Scratch` each.
    ///
    /// # Panics
    /// If `out.len() != k`.
    pub fn sketch_reusing(&self, text: &str, out: &mut [u32], scratch: &mut Scratch) {
        self.sketch_with(text, out, scratch);
    }

    /// One pass over the text: each word is hashed as soon as it ends, the shingle it ends is
    /// updated from the previous one in a few instructions ([`shingle_hash`] rolled along the
    /// text), and each shingle goes straight into the MinHash bins. No token list, no shingle
    /// list: per word, one xxh3 of the word, a rotation and two exclusive ors, and one bin
    /// update.
    fn sketch_with(&self, text: &str, out: &mut [u32], s: &mut Scratch) {
        assert_eq!(out.len(), self.options.k, "output row must hold k values");
        let Scratch { word, bins } = s;
        word.clear();
        self.hasher.begin(bins);
        let mut roll = Roll::new(
            &self.options,
            Bins {
                hasher: &self.hasher,
                bins,
            },
        );
        for_each_norm_word(text, word, &mut roll);
        if !roll.finish() {
            out.fill(EMPTY);
            return;
        }
        self.hasher.finish(bins);
        out.copy_from_slice(bins);
    }

    /// The set of shingles a signature of `text` is made of, sorted and deduplicated, into
    /// `out` (cleared first; `word` is a reusable buffer): what exact Jaccard and containment
    /// between texts are computed on, consistent with their signatures. Empty for a text
    /// without words.
    pub fn shingle_set_into(&self, text: &str, word: &mut String, out: &mut Vec<u64>) {
        out.clear();
        word.clear();
        let mut roll = Roll::new(&self.options, &mut *out);
        for_each_norm_word(text, word, &mut roll);
        roll.finish();
        shingle::into_set(out);
    }

    /// Signatures of many texts, in parallel on the current rayon pool: row `i` of the result
    /// (`k` values starting at `i·k`) is the signature of `texts[i]`.
    pub fn signatures<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<u32> {
        let k = self.options.k;
        let mut out = vec![0u32; texts.len() * k];
        if k == 0 {
            return out;
        }
        out.par_chunks_mut(k)
            .zip(texts.par_iter())
            .for_each_init(Scratch::default, |scratch, (row, text)| {
                self.sketch_with(text.as_ref(), row, scratch)
            });
        out
    }
}

/// Estimated Jaccard similarity of two signature rows: the fraction of equal positions; `None`
/// when either row is empty ([`EMPTY`] everywhere) or their lengths differ.
pub fn jaccard(a: &[u32], b: &[u32]) -> Option<f64> {
    let blank = |row: &[u32]| row.iter().all(|&v| v == EMPTY);
    if a.is_empty() || a.len() != b.len() || blank(a) || blank(b) {
        return None;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    Some(equal as f64 / a.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_equals_one_by_one_and_empty_rows() {
        let s = Sketcher::new(SketchOptions::default()).unwrap();
        let texts = [
            "A wire story about the summit in Geneva, told in many words here.",
            "",
            "   ...  ",
            "Two words",
            "Une dépêche sur le sommet de Genève, racontée en beaucoup de mots ici.",
        ];
        let rows = s.signatures(&texts);
        let k = s.k();
        for (i, t) in texts.iter().enumerate() {
            let mut one = vec![0; k];
            s.sketch_into(t, &mut one);
            assert_eq!(&rows[i * k..(i + 1) * k], &one[..], "text {i}");
        }
        assert!(rows[k..2 * k].iter().all(|&v| v == EMPTY));
        assert!(rows[2 * k..3 * k].iter().all(|&v| v == EMPTY));
        assert!(rows[3 * k..4 * k].iter().any(|&v| v != EMPTY));
        assert_eq!(jaccard(&rows[k..2 * k], &rows[k..2 * k]), None);
    }

    #[test]
    fn shingle_sets_are_what_signatures_are_made_of() {
        let s = Sketcher::new(SketchOptions::default()).unwrap();
        let hasher = MinHasher::new(s.k(), s.options().seed).unwrap();
        let texts = [
            "Le pont de Varenne s'est effondré mardi soir, faisant trois blessés.",
            "Two words",
            "",
            "the the the the the the the the",
        ];
        let rows = s.signatures(&texts);
        let (mut word, mut set) = (String::new(), Vec::new());
        for (i, t) in texts.iter().enumerate() {
            s.shingle_set_into(t, &mut word, &mut set);
            assert!(set.windows(2).all(|w| w[0] < w[1]), "a sorted set");
            let row = &rows[i * s.k()..(i + 1) * s.k()];
            if set.is_empty() {
                assert!(row.iter().all(|&v| v == EMPTY));
            } else {
                assert_eq!(hasher.sketch(&set).values(), row, "text {i}");
            }
        }
        s.shingle_set_into(texts[3], &mut word, &mut set);
        assert_eq!(set.len(), 1, "repeated 5-grams count once");
    }

    #[test]
    fn estimates_word_ngram_jaccard() {
        let s = Sketcher::new(SketchOptions {
            k: 256,
            ..SketchOptions::default()
        })
        .unwrap();
        let words: Vec<String> = (0..400).map(|i| format!("w{i}")).collect();
        let a = words[..300].join(" ");
        let b = words[100..].join(" ");
        // 5-grams: a has 296, b has 296, shared 196 → J = 196 / 396.
        let rows = s.signatures(&[a, b]);
        let est = jaccard(&rows[..256], &rows[256..]).unwrap();
        assert!((est - 196.0 / 396.0).abs() < 0.1, "{est}");
    }
}

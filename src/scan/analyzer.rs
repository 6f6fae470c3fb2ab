//! The analysis scan repeats for every document and every candidate pair, made cheaper by
//! remembering words.
//!
//! [`Detector::analyze_unsketched`] decides for every word whether it is a stop word, hashes its
//! prefix and checks whether it is a figure or a quantity word: a binary search in two word
//! lists and a hash, per word, for every text. Scan analyzes each text once for its keys and again
//! for each candidate pair it is in, and a corpus's words recur: an [`Analyzer`] (one per worker
//! thread) makes those three decisions once per distinct normalized word, through
//! [`crate::terms::extract`] itself, and looks them up afterwards. It also reuses its buffers.
//!
//! # Invariants
//! - `analyze_into(text, out)` leaves in `out` the tokens, terms and shingles that
//!   `Detector::analyze_unsketched(text)` gives (no signatures): all three decisions depend on
//!   the normalized word alone, and each is taken from `extract` applied to that word. A word
//!   that does not tokenize back to itself (which normalization's idempotence rules out) sends
//!   the whole text through `analyze_unsketched`.
//! - Memory is bounded: the memo is emptied when it reaches `MAX_WORDS` words.

use crate::detector::{Analysis, Detector};
use crate::minhash::Signature;
use crate::normalize::{tokenize_into, Tokens};
use crate::shingle;
use crate::terms::{extract_into, Term};
use std::collections::HashMap;

/// Distinct words remembered per analyzer (about 40 bytes each, with the table's slack).
const MAX_WORDS: usize = 1 << 20;

/// What a normalized word becomes: `None` for a stop word, else its term hash and whether it is
/// a figure or a quantity word.
type Fate = Option<(u64, bool)>;

/// See the module docs. Not `Sync`: one per thread.
pub(crate) struct Analyzer<'d> {
    detector: &'d Detector,
    memo: HashMap<Box<str>, Fate, ahash::RandomState>,
    probe: Tokens,
    probe_terms: Vec<Term>,
    hashes: Vec<u64>,
}

/// An analysis with nothing in it, to be filled by [`Analyzer::analyze_into`].
pub(crate) fn empty() -> Analysis {
    Analysis {
        tokens: Tokens::new(),
        terms: Vec::new(),
        shingles: Vec::new(),
        signature: Signature::default(),
        windows: Vec::new(),
    }
}

impl<'d> Analyzer<'d> {
    pub(crate) fn new(detector: &'d Detector) -> Analyzer<'d> {
        Analyzer {
            detector,
            // Fixed seeds: the table's layout never shows in results, but fixed is simpler to
            // reason about than random.
            memo: HashMap::with_hasher(ahash::RandomState::with_seeds(7, 11, 13, 17)),
            probe: Tokens::new(),
            probe_terms: Vec::new(),
            hashes: Vec::new(),
        }
    }

    /// Fills `out` as `Detector::analyze_unsketched(text)` would, reusing its buffers.
    pub(crate) fn analyze_into(&mut self, text: &str, out: &mut Analysis) {
        out.signature = Signature::default();
        out.windows.clear();
        tokenize_into(text, &mut out.tokens);
        out.terms.clear();
        for i in 0..out.tokens.len() {
            let word = out.tokens.norm(i);
            let fate = match self.memo.get(word) {
                Some(&f) => f,
                None => match self.learn(word) {
                    Some(f) => f,
                    None => {
                        *out = self.detector.analyze_unsketched(text);
                        return;
                    }
                },
            };
            if let Some((hash, figure)) = fate {
                let tok = out.tokens.get(i);
                out.terms.push(Term {
                    token: i as u32,
                    hash,
                    // As `extract` decides: a name inside a sentence, or a figure.
                    entity: (tok.capitalized && !tok.sentence_start) || figure,
                });
            }
        }
        let config = self.detector.config();
        self.hashes.clear();
        self.hashes.extend(out.terms.iter().map(|t| t.hash));
        shingle::shingles_into(&self.hashes, config.shingle, config.seed, &mut out.shingles);
        shingle::into_set(&mut out.shingles);
    }

    /// Decides `word`'s fate with `extract` on the word alone and remembers it; `None` when the
    /// word does not tokenize back to itself.
    fn learn(&mut self, word: &str) -> Option<Fate> {
        tokenize_into(word, &mut self.probe);
        if self.probe.len() != 1 || self.probe.norm(0) != word {
            return None;
        }
        extract_into(
            &self.probe,
            &self.detector.config().terms,
            &mut self.probe_terms,
        );
        // Alone, the word starts its text, so `entity` is the figure test alone.
        let fate = self.probe_terms.first().map(|t| (t.hash, t.entity));
        if self.memo.len() >= MAX_WORDS {
            self.memo.clear();
        }
        self.memo.insert(word.into(), fate);
        Some(fate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &Analysis, b: &Analysis) {
        assert_eq!(a.terms, b.terms);
        assert_eq!(a.shingles, b.shingles);
        assert_eq!(a.tokens.len(), b.tokens.len());
        for i in 0..a.tokens.len() {
            assert_eq!(a.tokens.get(i), b.tokens.get(i));
            assert_eq!(a.tokens.norm(i), b.tokens.norm(i));
        }
    }

    #[test]
    fn gives_exactly_the_detectors_analysis() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
        let docs = crate::corpus::load(&[root]).documents;
        let mut texts: Vec<String> = docs.iter().map(|d| d.text.clone()).collect();
        texts.extend(
            [
                "",
                "Le 3 MARS, trois millions d'euros : 12,5 % de plus qu'en 2023.",
                "L’Iran et les États-Unis — «négociations» à Genève; it's 9 o'clock. Ça va?",
                "ÉCOLE école Ecole 1er 2e XIV ½ ﬁn œuvre Straße İstanbul ǅemal",
            ]
            .map(String::from),
        );
        for config in [
            crate::Config::default(),
            crate::Config {
                terms: crate::terms::TermConfig {
                    drop_stop_words: false,
                    prefix: 0,
                    ..Default::default()
                },
                shingle: 3,
                ..Default::default()
            },
        ] {
            let d = Detector::new(config).unwrap();
            let mut an = Analyzer::new(&d);
            let mut out = empty();
            // Twice: the second pass reads everything from the memo.
            for _ in 0..2 {
                for t in &texts {
                    an.analyze_into(t, &mut out);
                    same(&out, &d.analyze_unsketched(t));
                }
            }
        }
    }
}

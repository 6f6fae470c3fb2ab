//! The analysis scan repeats for every document and every candidate pair, into reused buffers.
//!
//! Scan analyzes each text once for its keys and again for each candidate pair it is in (a
//! 60,000-document corpus means some 250,000 analyses), so an [`Analyzer`] (one per worker
//! thread) keeps the buffer a text is read into from its file, and fills an [`Analysis`] whose
//! own buffers the caller reuses.
//!
//! Term extraction is one probe of a packed lexicon and a hash of a five-byte prefix, cheaper
//! than remembering each distinct word's fate in a hash table (hashing the word for the table
//! and comparing it with a key stored behind a pointer took more than extracting it again), so
//! nothing is remembered between texts but the buffers.
//!
//! # Invariants
//! - `analyze_into(text, out)` leaves in `out` the tokens, terms and shingles that
//!   `Detector::analyze_unsketched(text)` gives (no signatures).

use super::Texts;
use crate::detector::{Analysis, Detector};

/// See the module docs. Not `Sync`: one per thread.
pub(crate) struct Analyzer<'d> {
    detector: &'d Detector,
    /// Where a text read from a file goes.
    text: String,
}

/// An analysis with nothing in it, to be filled by [`Analyzer::analyze_into`].
pub(crate) fn empty() -> Analysis {
    Analysis::empty()
}

impl<'d> Analyzer<'d> {
    pub(crate) fn new(detector: &'d Detector) -> Analyzer<'d> {
        Analyzer {
            detector,
            text: String::new(),
        }
    }

    /// Fills `out` with the analysis of document `i` of `texts`.
    pub(crate) fn analyze_doc(
        &mut self,
        texts: &(impl Texts + ?Sized),
        i: usize,
        out: &mut Analysis,
    ) {
        let mut buf = std::mem::take(&mut self.text);
        self.analyze_into(texts.text(i, &mut buf), out);
        self.text = buf;
    }

    /// Fills `out` as `Detector::analyze_unsketched(text)` would, reusing its buffers.
    pub(crate) fn analyze_into(&mut self, text: &str, out: &mut Analysis) {
        self.detector.analyze_unsketched_into(text, out);
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
        let docs = crate::input::load(&[root]).documents;
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
            // Twice: buffers reused from a longer or shorter text leave nothing behind.
            for _ in 0..2 {
                for t in &texts {
                    an.analyze_into(t, &mut out);
                    same(&out, &d.analyze_unsketched(t));
                }
            }
        }
    }
}

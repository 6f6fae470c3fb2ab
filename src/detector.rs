//! The pipeline in one place: configuration, per-document analysis, and pairwise comparison.
//!
//! A [`Detector`] holds a validated [`Config`]. [`Detector::analyze`] runs
//! normalize → terms → shingles → MinHash once per document and keeps what later stages need;
//! [`Detector::compare_analyzed`] verifies a pair by exact Jaccard and alignment. Analyses are
//! independent of each other, so callers analyze in parallel and compare in parallel.
//!
//! ```
//! let d = reprint::Detector::default();
//! let wire = "Le pont de Varenne s'est effondré mardi soir, faisant trois blessés selon la préfecture.";
//! let page = format!("Accueil > Actualités\n{wire}\nPartagez cet article.");
//! let c = d.compare(wire, &page);
//! assert!(c.containment_a_in_b > 0.95);
//! assert!(c.containment_b_in_a < 0.9);
//! ```

use crate::align::{align_known, AlignConfig, Side};
use crate::error::{Error, Result};
use crate::minhash::{MinHasher, Signature};
use crate::normalize::{tokenize, tokenize_into, Tokens};
use crate::score::Comparison;
use crate::shingle;
use crate::terms::{extract, extract_into, Term, TermConfig};

/// Every parameter of the pipeline. `Config::default()` is what the CLI uses.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Config {
    /// How words become terms (stop words, prefix length, hash seed).
    pub terms: TermConfig,
    /// Shingle length `n`, in terms (1..=16). Short shingles survive rewording; long ones are more
    /// specific. The default 2 is measured in docs/evaluation.md.
    pub shingle: usize,
    /// Number of MinHash values per document signature (1..=4096). The standard error of a Jaccard
    /// estimate is about `sqrt(J(1−J)/k)`: 0.044 at J = 0.5 for k = 128.
    pub k: usize,
    /// Seed of shingle hashing and MinHash: the same seed gives the same signatures.
    pub seed: u64,
    /// Alignment parameters.
    pub align: AlignConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            terms: TermConfig::default(),
            shingle: 2,
            k: crate::minhash::DEFAULT_K,
            seed: crate::minhash::DEFAULT_SEED,
            align: AlignConfig::default(),
        }
    }
}

/// What the pipeline keeps of one document: enough to find candidates and to verify them. The text
/// itself is not kept; offsets in [`Comparison`] point into the caller's text.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The document's words.
    pub tokens: Tokens,
    /// Its content terms.
    pub terms: Vec<Term>,
    /// Its shingle set (sorted, deduplicated).
    pub shingles: Vec<u64>,
    /// MinHash signature of the whole document.
    pub signature: Signature,
    /// Scratch space of [`Detector::analyze_unsketched_into`] (the term hashes shingled), kept
    /// with the buffers it serves so that whoever reuses an analysis reuses it too.
    term_hashes: Vec<u64>,
}

impl Analysis {
    /// An analysis with nothing in it, to be filled by
    /// [`Detector::analyze_unsketched_into`].
    pub(crate) fn empty() -> Analysis {
        Analysis {
            tokens: Tokens::new(),
            terms: Vec::new(),
            shingles: Vec::new(),
            signature: Signature::default(),
            term_hashes: Vec::new(),
        }
    }

    /// Bytes its buffers hold, capacity included (the signatures aside).
    pub(crate) fn capacity_bytes(&self) -> usize {
        self.tokens.capacity_bytes()
            + self.terms.capacity() * std::mem::size_of::<Term>()
            + (self.shingles.capacity() + self.term_hashes.capacity()) * 8
    }
}

/// The configured pipeline. Cheap to share: `Send + Sync`, no interior mutability.
#[derive(Clone, Debug)]
pub struct Detector {
    config: Config,
    doc_hasher: MinHasher,
}

impl Default for Detector {
    fn default() -> Self {
        Detector::new(Config::default()).expect("default config is valid")
    }
}

impl Detector {
    /// Validates `config` and builds the pipeline.
    pub fn new(config: Config) -> Result<Detector> {
        shingle::check_n(config.shingle)?;
        if config.align.min_matches == 0 {
            return Err(Error::InvalidParameter {
                name: "min_matches",
                reason: "a passage needs at least one matched term".into(),
            });
        }
        let doc_hasher = MinHasher::new(config.k, config.seed)?;
        Ok(Detector { config, doc_hasher })
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Runs normalize → terms → shingles → signatures on one text.
    pub fn analyze(&self, text: &str) -> Analysis {
        let tokens = tokenize(text);
        let terms = extract(&tokens, &self.config.terms);
        let hashes: Vec<u64> = terms.iter().map(|t| t.hash).collect();
        let mut seq = shingle::shingles(&hashes, self.config.shingle, self.config.seed);
        shingle::into_set(&mut seq);
        let signature = self.doc_hasher.sketch(&seq);
        Analysis {
            tokens,
            terms,
            shingles: seq,
            signature,
            term_hashes: Vec::new(),
        }
    }

    /// Like [`analyze`](Detector::analyze) without the MinHash signatures (left empty): what
    /// verifying a pair with [`compare_analyzed`](Detector::compare_analyzed) needs, at a fraction
    /// of the cost.
    pub fn analyze_unsketched(&self, text: &str) -> Analysis {
        let mut out = Analysis::empty();
        self.analyze_unsketched_into(text, &mut out);
        // A one-off analysis keeps no scratch space.
        out.term_hashes = Vec::new();
        out
    }

    /// [`Detector::analyze_unsketched`] into `out`, reusing its buffers: scan analyzes each text
    /// once or more, and the crawler's index every page and every candidate it verifies, and
    /// growing fresh vectors each time was a tenth of a call's time in the allocator (and, from
    /// several threads, waits on its locks).
    pub(crate) fn analyze_unsketched_into(&self, text: &str, out: &mut Analysis) {
        out.signature = Signature::default();
        tokenize_into(text, &mut out.tokens);
        extract_into(&out.tokens, &self.config.terms, &mut out.terms);
        let mut hashes = std::mem::take(&mut out.term_hashes);
        hashes.clear();
        hashes.extend(out.terms.iter().map(|t| t.hash));
        shingle::shingles_into(
            &hashes,
            self.config.shingle,
            self.config.seed,
            &mut out.shingles,
        );
        shingle::into_set(&mut out.shingles);
        out.term_hashes = hashes;
    }

    /// Scores two analyzed documents: exact Jaccard of their shingles and the aligned passages.
    pub fn compare_analyzed(&self, a: &Analysis, b: &Analysis) -> Comparison {
        self.compare_known(a, b, true)
    }

    /// [`compare_analyzed`](Detector::compare_analyzed), told whether the two may share a
    /// verbatim run (false only when their fingerprints show they do not:
    /// [`crate::align::align_known`]).
    pub(crate) fn compare_known(
        &self,
        a: &Analysis,
        b: &Analysis,
        may_share_run: bool,
    ) -> Comparison {
        let resemblance = shingle::jaccard(&a.shingles, &b.shingles).unwrap_or(0.0);
        let alignment = align_known(
            Side {
                tokens: &a.tokens,
                terms: &a.terms,
            },
            Side {
                tokens: &b.tokens,
                terms: &b.terms,
            },
            &self.config.align,
            may_share_run,
        );
        Comparison::from_alignment(resemblance, &a.tokens, &b.tokens, &alignment)
    }

    /// Analyzes and compares two texts. Signatures are for finding candidates, not for
    /// comparing them, so none are made.
    pub fn compare(&self, a: &str, b: &str) -> Comparison {
        self.compare_analyzed(&self.analyze_unsketched(a), &self.analyze_unsketched(b))
    }
}

/// Compares two texts with the default configuration. See [`Detector::compare`].
pub fn compare(a: &str, b: &str) -> Comparison {
    Detector::default().compare(a, b)
}

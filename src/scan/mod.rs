//! Scanning a set of documents for every pair where one copies the other.
//!
//! 1. **Keys.** Every document is analyzed in parallel ([`Detector::analyze_unsketched`]) and
//!    reduced to its keys ([`candidate_keys`]): the term-pair shingles whose hash falls in the
//!    lowest `1 / SAMPLE_RATE` of the range (a fixed-rate sample, as in FracMinHash: Irber et al.,
//!    2022, and as the crawler's [`crate::index`] does), and the winnowed fingerprints of its
//!    verbatim runs ([`crate::verbatim::fingerprints`]), and its pre-alignment profile is kept
//!    narrowed (`bounds::Narrow`); above the default threshold, also its words and
//!    terms cut to 16 bits (`cover`). The analysis is dropped: a document costs its
//!    keys and narrowed profile (about 2.5 KB), not its tokens, terms and signatures.
//! 2. **Groups.** Near-duplicates of one text, at least [`MIN_GROUP`] of them (a story many
//!    sites republish), are collapsed to a representative, each aligned with it once
//!    (`groups`): a group holds each of its keys once.
//! 3. **Buckets.** All `(key, document)` pairs are grouped by key, in parallel passes and
//!    deterministically. A key held by more than [`ScanOptions::max_bucket`] documents or groups
//!    (a fingerprint: more than [`MAX_RUN_BUCKET`]) is shared boilerplate or a phrase of the
//!    language, not evidence of copying: it is skipped.
//! 4. **Candidates.** For each document, in parallel, the documents after it sharing one of its
//!    keys are counted. Because the sample is decided by the hash alone, a passage two documents
//!    share gives both the same keys whatever surrounds it, in proportion to its length: the
//!    *share* of keys in common, over the keys of the smaller document, estimates the containment
//!    of one in the other, for whole copies and fragments alike. Keys held by more than
//!    [`RARE_KEY_DOCS`] documents weigh less ([`key_weight`]): a copy shares its source's rare
//!    term pairs, a page on the same topic the common ones. A pair is a candidate when its
//!    weighted share reaches [`MIN_KEY_SHARE`] and the keys in common weigh at least
//!    [`MIN_SHARED_KEY_WEIGHT`], or when it shares a verbatim-run fingerprint (a
//!    sentence pasted word for word can be too short to share sampled term pairs).
//! 5. **Verification.** Exact bounds on what alignment could report settle most candidates
//!    before any text is analyzed again: `bounds` (content bigrams, shingles,
//!    fingerprints in common, and the words shared runs could cover) from the narrowed
//!    profiles, and above the default threshold `cover` (the share of each text that
//!    passages could cover at all). The rest are visited cluster by cluster; their texts are
//!    re-analyzed, the bounds checked on the full texts, and the pairs aligned with
//!    [`Detector::compare_analyzed`], so scores are exactly `reprint compare`'s. A pair is
//!    reported when its best score is positive and reaches [`ScanOptions::min_score`].
//! 6. **Bridges.** With [`ScanOptions::bridge`], pairs that did not align are derived through a
//!    third document that is a whole copy of one of the two and shares firm passages with the
//!    other ([`crate::bridge`]): a page quoting one rendering of a story is paired with the
//!    story's other renderings, with `via` naming the rendering. They are reported on the same
//!    terms.
//! 7. **Groups' pairs.** The pairs of a group's members, among themselves and with the
//!    documents paired with its representative, are derived through the representative
//!    (`derive`, [`ScanResult::derived`]).
//!
//! Texts are read by position ([`Texts`]) as often as needed: once for the keys, then for the
//! groups, the pairs to verify and to derive. [`scan`] takes them in memory; [`scan_texts`]
//! takes any [`Texts`], such as a [`crate::input::Catalog`], which reads them again from their
//! files, so that memory holds each document's keys and narrowed profile rather than its text.
//!
//! Per document, the work of step 4 is bounded by its keys times `max_bucket`, and what is held
//! between steps is its keys and profile; per reported pair, its alignment, or 20 bytes for a
//! derived one. The candidates themselves grow with the pairs of documents sharing a key: on
//! text where every passage recurs in many documents, faster than the documents
//! (`docs/scale-clusters.md`).
//!
//! # Invariants
//! - The result depends only on the texts (in order), the detector and the options, never on the
//!   number of threads: parallel stages collect in input order, and each pair's weighted count
//!   is summed in the order of the first document's keys.
//! - Pairs are reported once, as `(a, b)` with `a < b` (input order), sorted by `(a, b)`, in
//!   [`ScanResult::pairs`] or [`ScanResult::derived`].
//! - Every pair reported directly (`via` empty) scores what `Detector::compare` gives the two
//!   texts.

mod analyzer;
mod buckets;
mod derive;
mod groups;
mod verify;

use crate::bounds::{Narrow, Profile};
use crate::detector::{Analysis, Detector};
// The rare-key weight, written once in `crate::keys` for scan and the index alike.
pub use crate::keys::{key_weight, RARE_KEY_DOCS};
use crate::normalize::{tokenize_into, Tokens};
use crate::score::Comparison;
use analyzer::Analyzer;
use buckets::{Buckets, KeyChunk};
pub use derive::DerivedPair;
pub use groups::{
    group_bands, is_near_duplicate, MIN_GROUP, MIN_MEMBER_CONTAINMENT, MIN_MEMBER_KEY_SHARE,
};
use rayon::prelude::*;

/// What to report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScanOptions {
    /// Report a pair when `max(resemblance, containment_a_in_b, containment_b_in_a)` reaches this
    /// (and is positive).
    pub min_score: f64,
    /// Keys held by more documents than this are ignored.
    pub max_bucket: usize,
    /// Also report the pairs found through a whole copy of one of the two texts
    /// ([`crate::bridge`]): a page quoting one rendering of a story quotes the story. They are
    /// derived from the pairs reported directly: a pair under `min_score` neither carries one
    /// nor keeps one from being derived.
    pub bridge: bool,
    /// Collapse near-duplicate groups of at least [`MIN_GROUP`] documents to a representative
    /// before pairing, and derive the pairs of their members through it (see the module docs).
    /// Off, every candidate pair is aligned, and a story copied more than `max_bucket` times
    /// loses its keys to the boilerplate rule.
    pub group: bool,
}

impl ScanOptions {
    /// Whether a pair scoring `c` is reported: its best score is positive and reaches
    /// `min_score`.
    pub(crate) fn reports(&self, c: &Comparison) -> bool {
        c.reaches(self.min_score)
    }

    /// Whether scan bounds what alignment could cover (`crate::cover`): above the default
    /// threshold only, where it settles pairs the profiles do not.
    pub(crate) fn bounds_coverage(&self) -> bool {
        self.min_score > DEFAULT_MIN_SCORE
    }
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            min_score: DEFAULT_MIN_SCORE,
            max_bucket: 200,
            bridge: true,
            group: true,
        }
    }
}

/// The default reporting threshold. Independently written articles on one story share names,
/// figures and the odd phrase: on `corpus/` they score at most 0.064, and no negative pair of the
/// development evaluation set scores even 0.05. A tenth of an article found elsewhere is a copy
/// worth reporting; lowering the threshold finds more short excerpts (see docs/evaluation.md).
pub const DEFAULT_MIN_SCORE: f64 = 0.10;

/// One term-pair shingle in this many (by hash) becomes a key: about 200 keys for a
/// 2,500-character article. Measured on the development set, 2 finds 97.6% of partial copies from
/// another rendering at the default threshold (4, the crawler index's rate: 95.8%; the passage
/// windows this replaced: 97.0%), and every copy of every other kind those found.
pub const SAMPLE_RATE: u64 = 2;

/// A pair sharing at least this (weighted) share of the keys of the smaller document is a
/// candidate. A copy keeps about a third of its term pairs through machine translation, so
/// 0.03 keeps translated copies of a tenth of a text.
pub const MIN_KEY_SHARE: f64 = 0.03;

/// Verbatim-run fingerprints held by more documents than this (or than
/// [`ScanOptions::max_bucket`]) are ignored: ten words in a row found in that many documents are
/// a stock phrase or boilerplate, and pairing every document holding one costs more than
/// everything else. Copies of a text shared that widely still share its sampled shingle keys.
/// On the 60,000-document peer corpus, 50 instead of 200 finds every injected copy, aligns
/// 65,000 pairs instead of 169,000, and reports 292 fewer pairs of documents sharing only a stock
/// sentence; nothing changes on the development set.
pub const MAX_RUN_BUCKET: usize = 50;

/// Least weight of the keys a pair shares for it to be a candidate by shared keys, however short
/// its documents: one key held by at most [`RARE_KEY_DOCS`] documents, or several commoner ones.
/// For a short document 3% of its keys is less than one key, and one key that dozens of
/// documents hold is shared by chance with all of them: such pairs grow as the square of the
/// corpus (on the 100,000-document peer corpus, a third of the 684,000 candidates shared no more
/// than that). With this floor they go, and nothing else: the same reported pairs on the
/// development set and on `corpus/`, and on the peer corpus 6 fewer reported pairs, none of them
/// an injected copy.
pub const MIN_SHARED_KEY_WEIGHT: f64 = 1.0;

/// Set on fingerprint keys of [`candidate_keys`], clear on shingle keys: the two kinds never
/// meet.
pub const FINGERPRINT_KEY_BIT: u64 = 1 << 31;
const FINGERPRINT_TAG: u32 = FINGERPRINT_KEY_BIT as u32;

/// Stages reported to a [`Progress`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Normalizing, shingling and keying documents.
    Analyze,
    /// Verifying and aligning candidate pairs.
    Verify,
}

/// Receives progress from [`scan`]. Called from worker threads.
pub trait Progress: Sync {
    /// A stage begins, with this many items to do.
    fn start(&self, _stage: Stage, _total: u64) {}
    /// `n` more items of the current stage are done.
    fn advance(&self, _n: u64) {}
}

/// No progress reporting.
impl Progress for () {}

pub use crate::score::ScoredPair;

/// Counts that say how much work a scan did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ScanStats {
    /// Documents scanned.
    pub documents: usize,
    /// `(key, document)` entries, shingle keys and fingerprints together.
    pub keys: usize,
    /// Keys skipped because more than `max_bucket` documents hold them.
    pub oversized_buckets: usize,
    /// Candidate pairs whose weighted share of keys reaches [`MIN_KEY_SHARE`] (and
    /// [`MIN_SHARED_KEY_WEIGHT`]).
    pub shared_key_candidates: usize,
    /// Candidate pairs sharing a fingerprint of a verbatim run ([`crate::verbatim`]).
    pub verbatim_candidates: usize,
    /// Distinct candidate pairs (either reason).
    pub candidates: usize,
    /// Candidates settled before their texts were analyzed again: the exact pre-alignment
    /// bounds on what the first analysis left (narrowed profiles; above the default threshold,
    /// words and terms cut to 16 bits) show that alignment could not report them.
    pub settled_by_profiles: usize,
    /// Candidates aligned: those the exact pre-alignment bound could not settle.
    pub verified: usize,
    /// Pairs found through a whole copy of one of the two ([`crate::bridge`]), reported or
    /// not.
    pub bridged: usize,
    /// Near-duplicate groups formed.
    pub groups: usize,
    /// Documents in them other than their representatives.
    pub grouped: usize,
    /// Pairs derived through a group's representative and reported ([`ScanResult::derived`]).
    pub derived: usize,
    /// Pairs reported, in [`ScanResult::pairs`].
    pub reported: usize,
}

/// A near-duplicate group: documents that are copies of one representative.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The document the others were aligned with.
    pub representative: usize,
    /// The other documents, ascending.
    pub members: Vec<GroupMember>,
}

/// A member of a [`Group`] and its scores with the representative.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GroupMember {
    /// The document.
    pub doc: usize,
    /// Share of its words in passages found in the representative.
    pub containment_in_representative: f64,
    /// Share of the representative's words in passages found in it.
    pub representative_in_member: f64,
}

/// The result of a scan.
#[derive(Clone, Debug, Default)]
pub struct ScanResult {
    /// Pairs compared directly (or bridged, with `via`), sorted by `(a, b)`: every reported
    /// pair but those in [`ScanResult::derived`]. A member of a group appears here with its
    /// representative, and with documents it shares text of its own with (its site's chrome).
    pub pairs: Vec<ScoredPair>,
    /// Pairs derived through a group's representative (see the module docs), sorted by
    /// `(a, b)`; none is also in `pairs`. [`ScanResult::derived_comparison`] gives their
    /// passages.
    pub derived: Vec<DerivedPair>,
    /// Near-duplicate groups, by representative.
    pub groups: Vec<Group>,
    /// Work counters.
    pub stats: ScanStats,
    expansion: derive::Expansion,
}

impl ScanResult {
    /// The comparison of a derived pair, with its passages as byte ranges of the two texts
    /// whose words are `ta` and `tb` ([`crate::normalize::tokenize`]); resemblance is not
    /// measured (0).
    pub fn derived_comparison(&self, p: &DerivedPair, ta: &Tokens, tb: &Tokens) -> Comparison {
        self.expansion.comparison(p, ta, tb)
    }

    /// A derived pair as a [`ScoredPair`] (`via` its representative): with its passages when
    /// the two texts are given, else with its scores alone.
    pub fn derived_pair(&self, d: &DerivedPair, texts: Option<(&str, &str)>) -> ScoredPair {
        let comparison = match texts {
            Some((a, b)) => self.derived_comparison(
                d,
                &crate::normalize::tokenize(a),
                &crate::normalize::tokenize(b),
            ),
            None => Comparison {
                resemblance: 0.0,
                containment_a_in_b: f64::from(d.containment_a_in_b),
                containment_b_in_a: f64::from(d.containment_b_in_a),
                passages: Vec::new(),
            },
        };
        ScoredPair {
            a: d.a as usize,
            b: d.b as usize,
            comparison,
            via: Some(d.via as usize),
        }
    }

    /// Every reported pair, direct and derived, in `(a, b)` order: `Ok` for a pair of
    /// [`ScanResult::pairs`], `Err` for a derived one.
    pub fn all_pairs(&self) -> impl Iterator<Item = Result<&ScoredPair, &DerivedPair>> + '_ {
        let (mut d, mut x) = (self.pairs.iter().peekable(), self.derived.iter().peekable());
        std::iter::from_fn(move || match (d.peek(), x.peek()) {
            (Some(p), Some(q)) if (p.a, p.b) > (q.a as usize, q.b as usize) => x.next().map(Err),
            (Some(_), _) => d.next().map(Ok),
            (None, _) => x.next().map(Err),
        })
    }

    /// Number of reported pairs, direct and derived.
    pub fn len(&self) -> usize {
        self.pairs.len() + self.derived.len()
    }

    /// Whether no pair is reported.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Analyzes `texts` and reports every pair that reaches `options.min_score`.
///
/// Only the keys and narrowed profile of each text are held between stages; a text is analyzed
/// again for the candidate pairs the profiles do not settle.
pub fn scan<S: AsRef<str> + Sync>(
    detector: &Detector,
    texts: &[S],
    options: &ScanOptions,
    progress: &dyn Progress,
) -> ScanResult {
    scan_texts(detector, texts, options, progress)
}

/// Documents that scan reads by position, as often as it needs them.
///
/// Scan reads each text once to key it, and again for each candidate pair it verifies and for
/// each pair it derives through a whole copy, so the texts need not all be in memory at once:
/// [`crate::input::Catalog`] reads them again from their files. Every read of document `i`
/// must give the same text.
pub trait Texts: Sync {
    /// How many documents there are.
    fn len(&self) -> usize;

    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Document `i`'s text: borrowed from `self`, or read into `buf` and borrowed from there.
    fn text<'a>(&'a self, i: usize, buf: &'a mut String) -> &'a str;
}

impl<S: AsRef<str> + Sync> Texts for [S] {
    fn len(&self) -> usize {
        <[S]>::len(self)
    }

    fn text<'a>(&'a self, i: usize, _: &'a mut String) -> &'a str {
        self[i].as_ref()
    }
}

/// Like [`scan`], for texts read on demand.
pub fn scan_texts(
    detector: &Detector,
    texts: &(impl Texts + ?Sized),
    options: &ScanOptions,
    progress: &dyn Progress,
) -> ScanResult {
    let n = texts.len();
    progress.start(Stage::Analyze, n as u64);
    let chunks: Vec<Chunk> = (0..n.div_ceil(KEY_CHUNK))
        .into_par_iter()
        .map_init(
            || (Analyzer::new(detector), analyzer::empty(), Vec::new()),
            |(an, a, buf), c| {
                let mut chunk = Chunk::new(options);
                for i in c * KEY_CHUNK..n.min((c + 1) * KEY_CHUNK) {
                    an.analyze_doc(texts, i, a);
                    chunk.push(detector, a, buf);
                    progress.advance(1);
                }
                chunk.shrink_to_fit();
                chunk
            },
        )
        .collect();
    let fill = |i: usize, an: &mut Analyzer, out: &mut Analysis| an.analyze_doc(texts, i, out);
    let words = |i: usize, out: &mut Tokens| {
        let mut buf = String::new();
        tokenize_into(texts.text(i, &mut buf), out)
    };
    run(detector, chunks, &fill, &words, options, progress)
}

/// What the first analysis leaves of [`KEY_CHUNK`] consecutive documents: their keys and their
/// narrowed profiles.
#[derive(Default)]
struct Chunk {
    keys: KeyChunk,
    profiles: Narrow,
    /// What the sieve's bound on coverage needs, kept only above the default threshold
    /// (`cover`).
    cover: Option<crate::cover::Compact>,
}

impl Chunk {
    /// An empty chunk, ready to keep what `options` ask of it.
    fn new(options: &ScanOptions) -> Chunk {
        Chunk {
            cover: options
                .bounds_coverage()
                .then(crate::cover::Compact::default),
            ..Chunk::default()
        }
    }

    /// Files one analyzed document (`buf` is the caller's buffer).
    fn push(&mut self, detector: &Detector, analysis: &Analysis, buf: &mut Vec<u32>) {
        let profile = Profile::of(analysis, detector.config());
        keys_of(analysis, profile.verbatim(), buf);
        self.keys.keys.extend_from_slice(buf);
        self.keys.ends.push(self.keys.keys.len() as u32);
        self.profiles.push(&profile);
        if let Some(c) = &mut self.cover {
            c.push(analysis, &detector.config().align);
        }
    }

    /// Gives back spare capacity (the chunk is complete).
    fn shrink_to_fit(&mut self) {
        self.keys.keys.shrink_to_fit();
        self.profiles.shrink_to_fit();
        if let Some(c) = &mut self.cover {
            c.shrink_to_fit();
        }
    }
}

/// Like [`scan`], for documents already analyzed by the same detector (signatures unused).
pub fn scan_analyzed(
    detector: &Detector,
    analyses: &[Analysis],
    options: &ScanOptions,
    progress: &dyn Progress,
) -> ScanResult {
    let chunks: Vec<Chunk> = analyses
        .par_chunks(KEY_CHUNK)
        .map_init(Vec::new, |buf, analyses| {
            let mut chunk = Chunk::new(options);
            for a in analyses {
                chunk.push(detector, a, buf);
            }
            chunk
        })
        .collect();
    let fill = |i: usize, _: &mut Analyzer, out: &mut Analysis| out.clone_from(&analyses[i]);
    let words = |i: usize, out: &mut Tokens| out.clone_from(&analyses[i].tokens);
    run(detector, chunks, &fill, &words, options, progress)
}

/// Documents keyed per parallel task: a chunk's keys are one allocation, so that the many
/// documents of a large corpus do not each hold (and fragment the heap with) a small vector.
const KEY_CHUNK: usize = 1024;

/// Puts document `i`'s analysis into the buffer given, with the worker's analyzer.
type Fill<'f> = dyn Fn(usize, &mut Analyzer, &mut Analysis) + Sync + 'f;

/// Puts document `i`'s words into the buffer given: all that bridging needs of a text.
type Words<'f> = dyn Fn(usize, &mut Tokens) + Sync + 'f;

/// Steps 2 to 5, from each document's keys and narrowed profile.
fn run(
    detector: &Detector,
    chunks: Vec<Chunk>,
    fill: &Fill<'_>,
    words: &Words<'_>,
    options: &ScanOptions,
    progress: &dyn Progress,
) -> ScanResult {
    let n_docs = chunks.iter().map(|c| c.keys.ends.len()).sum();
    // The keys go to the buckets, which drop them once grouped; the profiles wait for the sieve.
    let mut covers = Vec::new();
    let (keys, profiles): (Vec<KeyChunk>, Vec<Narrow>) = chunks
        .into_iter()
        .map(|c| {
            covers.extend(c.cover);
            (c.keys, c.profiles)
        })
        .unzip();
    let mut stats = ScanStats {
        documents: n_docs,
        ..ScanStats::default()
    };
    let grouping = if options.group {
        groups::find_groups(detector, &keys, KEY_CHUNK, n_docs, fill)
    } else {
        groups::Grouping::none(n_docs)
    };
    stats.groups = grouping.groups.len();
    stats.grouped = grouping.members();
    let mut buckets = Buckets::new(keys, &grouping.rep_of, options.max_bucket, &mut stats);
    let candidates = buckets.candidates(&mut stats);
    let stock = std::mem::take(&mut buckets.stock);
    drop(buckets);
    stats.candidates = candidates.pairs.len();
    let candidates = verify::sieve(
        detector, &profiles, &covers, KEY_CHUNK, &stock, candidates, options,
    );
    drop(profiles);
    drop(covers);
    stats.settled_by_profiles = stats.candidates - candidates.len();
    progress.start(Stage::Verify, candidates.len() as u64);
    let (mut pairs, verified) = verify::verify(
        detector,
        stats.documents,
        &candidates,
        fill,
        options,
        progress,
    );
    stats.verified = verified;
    // Each member with its representative: compared when the group was formed.
    let mut member_pairs: Vec<ScoredPair> = grouping
        .groups
        .iter()
        .flat_map(|g| g.members.iter().map(|m| m.pair.clone()))
        .filter(|p| options.reports(&p.comparison))
        .collect();
    member_pairs.sort_unstable_by_key(|p| (p.a, p.b));
    if options.bridge {
        // Bridged through the pairs compared directly; a group's members are carried to the
        // pairs of their representative by `derive`, not here.
        let derived = crate::bridge::derive(
            &pairs,
            n_docs,
            &crate::verdict::VerdictThresholds::default(),
            words,
        );
        stats.bridged = derived.len();
        // A derived pair replaces the direct comparison of the same two texts, which found no
        // passage (only shingles in common, if anything).
        let replaced: std::collections::HashSet<(usize, usize)> =
            derived.iter().map(|p| (p.a, p.b)).collect();
        pairs.retain(|p| !replaced.contains(&(p.a, p.b)));
        let is_member_pair = |p: &ScoredPair| {
            member_pairs
                .binary_search_by_key(&(p.a, p.b), |m| (m.a, m.b))
                .is_ok()
        };
        pairs.extend(
            derived
                .into_iter()
                .filter(|p| options.reports(&p.comparison) && !is_member_pair(p)),
        );
    }
    pairs.extend(member_pairs);
    pairs.sort_unstable_by_key(|p| (p.a, p.b));
    let (derived, expansion) = derive::derive(&grouping, &pairs, words, options);
    stats.derived = derived.len();
    stats.reported = pairs.len();
    let groups = grouping
        .groups
        .iter()
        .map(|g| Group {
            representative: g.representative as usize,
            members: g
                .members
                .iter()
                .map(|m| {
                    let c = &m.pair.comparison;
                    let (mine, theirs) = if m.pair.a == m.doc as usize {
                        (c.containment_a_in_b, c.containment_b_in_a)
                    } else {
                        (c.containment_b_in_a, c.containment_a_in_b)
                    };
                    GroupMember {
                        doc: m.doc as usize,
                        containment_in_representative: mine,
                        representative_in_member: theirs,
                    }
                })
                .collect(),
        })
        .collect();
    ScanResult {
        pairs,
        derived,
        groups,
        stats,
        expansion,
    }
}

/// Writes into `out` (cleared first) the keys under which scan files `analysis`, sorted and
/// distinct: its sampled shingles and its verbatim-run fingerprints, these tagged with bit 31
/// so that the two kinds never meet.
///
/// This is scan's candidate generation taken apart for engines that shuffle by key (Spark, a
/// database). Of two documents `a` and `b`, scan makes a candidate of the pair when, counting
/// only keys that at most [`ScanOptions::max_bucket`] documents hold,
/// - they share a fingerprint key (bit 31 set) that at most [`MAX_RUN_BUCKET`] documents hold,
///   or
/// - the keys they share, each weighted by `key_weight(n, N)` (`n` documents of `N` hold it),
///   sum to at least [`MIN_SHARED_KEY_WEIGHT`] and at least [`MIN_KEY_SHARE`] times the smaller
///   of their total weights, a document's
///   total weight being the sum of the weights of all its shingle keys (bit 31 clear), including
///   those held by one document or by more than `max_bucket`.
pub fn candidate_keys(detector: &Detector, analysis: &Analysis, out: &mut Vec<u64>) {
    let mut keys = Vec::new();
    doc_keys(detector, analysis, &mut keys);
    out.clear();
    out.extend(keys.iter().map(|&k| u64::from(k)));
}

/// Whether a key of [`candidate_keys`] is a verbatim-run fingerprint.
pub fn is_fingerprint_key(key: u64) -> bool {
    key & FINGERPRINT_KEY_BIT != 0
}

/// The keys of one analyzed document into `out`; see [`candidate_keys`].
fn doc_keys(detector: &Detector, analysis: &Analysis, out: &mut Vec<u32>) {
    let fingerprints =
        crate::verbatim::fingerprints(&analysis.tokens, detector.config().align.min_verbatim_words);
    keys_of(analysis, &fingerprints, out);
}

/// The keys of a document whose verbatim-run fingerprints (sorted, distinct) are known, into
/// `out`, sorted and distinct.
///
/// A sampled shingle's key is bits 62 to 32 of its hash (the sample takes hashes whose bit 63
/// is clear), a fingerprint's its top 31 bits tagged with bit 31: both follow the order of the
/// sorted values they come from, and fingerprints follow shingles. Sorting each document's
/// keys again was a twentieth of its first analysis.
fn keys_of(analysis: &Analysis, fingerprints: &[u32], out: &mut Vec<u32>) {
    out.clear();
    let limit = u64::MAX / SAMPLE_RATE;
    debug_assert!(analysis.shingles.is_sorted() && limit >> 32 < u64::from(FINGERPRINT_TAG));
    out.extend(
        analysis
            .shingles
            .iter()
            .take_while(|&&h| h <= limit)
            .map(|&h| (h >> 32) as u32),
    );
    debug_assert!(fingerprints.is_sorted());
    out.extend(fingerprints.iter().map(|&f| f >> 1 | FINGERPRINT_TAG));
    // Two values may agree in the bits kept.
    out.dedup();
    debug_assert!(out.is_sorted());
}

//! Scanning a set of documents for every pair where one copies the other.
//!
//! 1. **Keys.** Every document is analyzed in parallel ([`Detector::analyze_unsketched`]) and
//!    reduced to its keys ([`candidate_keys`]): the term-pair shingles whose hash falls in the
//!    lowest `1 / SAMPLE_RATE` of the range (a fixed-rate sample, as in FracMinHash: Irber et al.,
//!    2022, and as the crawler's [`crate::index`] does), and the winnowed fingerprints of its
//!    verbatim runs ([`crate::verbatim::fingerprints`]). The analysis is dropped: a document
//!    costs its keys (a few hundred bytes), not its tokens, terms and signatures.
//! 2. **Buckets.** All `(key, document)` pairs are sorted (in parallel, deterministically) and
//!    grouped by key. A key held by more than [`ScanOptions::max_bucket`] documents is shared
//!    boilerplate or a phrase of the language, not evidence of copying: it is skipped.
//! 3. **Candidates.** For each document, in parallel, the documents after it sharing one of its
//!    keys are counted. Because the sample is decided by the hash alone, a passage two documents
//!    share gives both the same keys whatever surrounds it, in proportion to its length: the
//!    *share* of keys in common, over the keys of the smaller document, estimates the containment
//!    of one in the other, for whole copies and fragments alike. Keys held by more than
//!    `RARE_KEY_DOCS` documents weigh less (by `ln(1 + N/n)`): a copy shares its source's rare
//!    term pairs, a page on the same topic the common ones. A pair is a candidate when its
//!    weighted share reaches [`MIN_KEY_SHARE`], or when it shares a verbatim-run fingerprint (a
//!    sentence pasted word for word can be too short to share sampled term pairs).
//! 4. **Verification.** Candidates are grouped by their first document; each group re-analyzes
//!    its texts, settles most pairs with an exact bound on what alignment could report
//!    ([`crate::index::profile`]: content bigrams, shingles, fingerprints in common), and aligns
//!    the rest with [`Detector::compare_analyzed`], so scores are exactly `reprint compare`'s. A
//!    pair is reported when its best score is positive and reaches [`ScanOptions::min_score`].
//!
//! Time and memory grow linearly with the number of documents: per document, the work of step 3
//! is bounded by its keys times `max_bucket`, and what is held between steps is the keys.
//!
//! # Invariants
//! - The result depends only on the texts (in order), the detector and the options, never on the
//!   number of threads: parallel stages collect in input order, and each pair's weighted count
//!   is summed in the order of the first document's keys.
//! - Pairs are reported once, as `(a, b)` with `a < b` (input order), sorted by `(a, b)`.
//! - Every pair reported scores what `Detector::compare` gives the two texts.

use crate::detector::{Analysis, Detector};
use crate::index::profile::{may_report_pair, Profile};
use crate::score::Comparison;
use rayon::prelude::*;
use std::borrow::Cow;

/// What to report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScanOptions {
    /// Report a pair when `max(resemblance, containment_a_in_b, containment_b_in_a)` reaches this
    /// (and is positive).
    pub min_score: f64,
    /// Keys held by more documents than this are ignored.
    pub max_bucket: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            min_score: DEFAULT_MIN_SCORE,
            max_bucket: 200,
        }
    }
}

/// The default reporting threshold. Independently written articles on one story share names,
/// figures and the odd phrase: on `corpus/` they score at most 0.064, and no negative pair of the
/// development evaluation set scores even 0.05. A tenth of an article found elsewhere is a copy
/// worth reporting; lowering the threshold finds more short excerpts (see README).
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

/// Keys held by this many documents or fewer weigh fully.
pub const RARE_KEY_DOCS: usize = 32;

/// Set on fingerprint keys, clear on shingle keys: the two kinds never meet.
const FINGERPRINT_TAG: u32 = 1 << 31;

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

/// A reported pair.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredPair {
    /// Index of the first document (the smaller index).
    pub a: usize,
    /// Index of the second document.
    pub b: usize,
    /// Its scores and passages.
    pub comparison: Comparison,
}

/// Counts that say how much work a scan did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ScanStats {
    /// Documents scanned.
    pub documents: usize,
    /// `(key, document)` entries, shingle keys and fingerprints together.
    pub keys: usize,
    /// Keys skipped because more than `max_bucket` documents hold them.
    pub oversized_buckets: usize,
    /// Candidate pairs whose weighted share of keys reaches [`MIN_KEY_SHARE`].
    pub shared_key_candidates: usize,
    /// Candidate pairs sharing a fingerprint of a verbatim run ([`crate::verbatim`]).
    pub verbatim_candidates: usize,
    /// Distinct candidate pairs (either reason).
    pub candidates: usize,
    /// Candidates aligned: those the exact pre-alignment bound could not settle.
    pub verified: usize,
    /// Pairs reported.
    pub reported: usize,
}

/// The result of a scan.
#[derive(Clone, Debug, Default)]
pub struct ScanResult {
    /// Reported pairs, sorted by `(a, b)`.
    pub pairs: Vec<ScoredPair>,
    /// Work counters.
    pub stats: ScanStats,
}

/// Analyzes `texts` and reports every pair that reaches `options.min_score`.
///
/// Only the keys of each text are held between stages; a text is analyzed again for each
/// candidate pair it is in.
pub fn scan<S: AsRef<str> + Sync>(
    detector: &Detector,
    texts: &[S],
    options: &ScanOptions,
    progress: &dyn Progress,
) -> ScanResult {
    progress.start(Stage::Analyze, texts.len() as u64);
    let keys: Vec<Vec<u32>> = texts
        .par_iter()
        .map_init(Vec::new, |buf, t| {
            let a = detector.analyze_unsketched(t.as_ref());
            doc_keys(detector, &a, buf);
            progress.advance(1);
            buf.clone()
        })
        .collect();
    let analyze = |i: usize| Cow::Owned(detector.analyze_unsketched(texts[i].as_ref()));
    run(detector, keys, analyze, options, progress)
}

/// Like [`scan`], for documents already analyzed by the same detector (signatures unused).
pub fn scan_analyzed(
    detector: &Detector,
    analyses: &[Analysis],
    options: &ScanOptions,
    progress: &dyn Progress,
) -> ScanResult {
    let keys: Vec<Vec<u32>> = analyses
        .par_iter()
        .map_init(Vec::new, |buf, a| {
            doc_keys(detector, a, buf);
            buf.clone()
        })
        .collect();
    run(
        detector,
        keys,
        |i| Cow::Borrowed(&analyses[i]),
        options,
        progress,
    )
}

/// Steps 2 to 4, from each document's keys; `analysis(i)` gives document `i`'s analysis.
fn run<'a>(
    detector: &Detector,
    keys: Vec<Vec<u32>>,
    analysis: impl Fn(usize) -> Cow<'a, Analysis> + Sync,
    options: &ScanOptions,
    progress: &dyn Progress,
) -> ScanResult {
    let mut stats = ScanStats {
        documents: keys.len(),
        ..ScanStats::default()
    };
    let buckets = Buckets::new(keys, options.max_bucket, &mut stats);
    let candidates = buckets.candidates(&mut stats);
    drop(buckets);
    stats.candidates = candidates.len();
    progress.start(Stage::Verify, candidates.len() as u64);
    let (pairs, verified) = verify(detector, &candidates, analysis, options, progress);
    stats.verified = verified;
    stats.reported = pairs.len();
    ScanResult { pairs, stats }
}

/// Writes into `out` (cleared first) the keys under which scan files `analysis`, sorted and
/// distinct: its sampled shingles (low 31 bits of the shingle hash) and its verbatim-run
/// fingerprints (tagged with bit 31 so that the two kinds never meet).
///
/// This is scan's candidate generation taken apart for engines that shuffle by key (Spark, a
/// database). Of two documents `a` and `b`, scan makes a candidate of the pair when, counting
/// only keys that at most [`ScanOptions::max_bucket`] documents hold,
/// - they share a fingerprint key (bit 31 set), or
/// - the keys they share, each weighted by `key_weight(n, N)` (`n` documents of `N` hold it),
///   sum to at least [`MIN_KEY_SHARE`] times the smaller of their total weights, a document's
///   total weight being the sum of the weights of all its shingle keys (bit 31 clear), including
///   those held by one document or by more than `max_bucket`.
pub fn candidate_keys(detector: &Detector, analysis: &Analysis, out: &mut Vec<u64>) {
    let mut keys = Vec::new();
    doc_keys(detector, analysis, &mut keys);
    out.clear();
    out.extend(keys.iter().map(|&k| u64::from(k)));
}

/// Like [`candidate_keys`], each key with how many of the document's items carry it: always 1
/// now that a document is one item (the count is kept for engines written against the earlier
/// passage-window keys, where a document held a key once per window).
pub fn candidate_key_counts(detector: &Detector, analysis: &Analysis, out: &mut Vec<(u64, u32)>) {
    let mut keys = Vec::new();
    doc_keys(detector, analysis, &mut keys);
    out.clear();
    out.extend(keys.iter().map(|&k| (u64::from(k), 1)));
}

/// Whether a key of [`candidate_keys`] is a verbatim-run fingerprint.
pub fn is_fingerprint_key(key: u64) -> bool {
    key & u64::from(FINGERPRINT_TAG) != 0
}

/// The weight of a shingle key that `n` of `total` documents hold: 1 up to [`RARE_KEY_DOCS`]
/// documents, then decreasing as `ln(1 + total / n)`, normalized to 1 at `RARE_KEY_DOCS`.
pub fn key_weight(n: usize, total: usize) -> f32 {
    if n <= RARE_KEY_DOCS {
        1.0
    } else {
        let big_n = total as f32 + 1.0;
        (1.0 + big_n / n as f32).ln() / (1.0 + big_n / RARE_KEY_DOCS as f32).ln()
    }
}

/// The keys of one analyzed document into `out`; see [`candidate_keys`].
fn doc_keys(detector: &Detector, analysis: &Analysis, out: &mut Vec<u32>) {
    out.clear();
    let limit = u64::MAX / SAMPLE_RATE;
    out.extend(
        analysis
            .shingles
            .iter()
            .filter(|&&h| h <= limit)
            .map(|&h| h as u32 & !FINGERPRINT_TAG),
    );
    let fingerprints =
        crate::verbatim::fingerprints(&analysis.tokens, detector.config().align.min_verbatim_words);
    out.extend(fingerprints.iter().map(|&f| f | FINGERPRINT_TAG));
    out.sort_unstable();
    out.dedup();
}

/// The documents holding each kept key, and each document's kept keys, as flat arrays.
struct Buckets {
    /// Bucket `g` holds `docs[start[g]..start[g + 1]]`, ascending.
    start: Vec<u32>,
    docs: Vec<u32>,
    /// Weight of a shingle bucket; infinite for a fingerprint bucket.
    weight: Vec<f32>,
    /// Document `d`'s buckets are `of_doc[doc_start[d]..doc_start[d + 1]]`, ascending.
    doc_start: Vec<u32>,
    of_doc: Vec<u32>,
    /// Total weight of each document's shingle keys.
    doc_weight: Vec<f32>,
}

impl Buckets {
    /// Groups the documents by key, keeping keys held by 2 to `max_bucket` documents.
    fn new(keys: Vec<Vec<u32>>, max_bucket: usize, stats: &mut ScanStats) -> Buckets {
        let n_docs = keys.len();
        let total: usize = keys.iter().map(Vec::len).sum();
        stats.keys = total;
        let mut filed: Vec<(u32, u32)> = Vec::with_capacity(total);
        for (d, k) in keys.into_iter().enumerate() {
            filed.extend(k.into_iter().map(|k| (k, d as u32)));
        }
        filed.par_sort_unstable();

        let mut b = Buckets {
            start: Vec::new(),
            docs: Vec::new(),
            weight: Vec::new(),
            doc_start: Vec::new(),
            of_doc: Vec::new(),
            doc_weight: vec![0.0; n_docs],
        };
        let mut per_doc = vec![0u32; n_docs];
        for run in filed.chunk_by(|x, y| x.0 == y.0) {
            let fingerprint = run[0].0 & FINGERPRINT_TAG != 0;
            let w = if fingerprint {
                f32::INFINITY
            } else {
                let w = key_weight(run.len(), n_docs);
                for &(_, d) in run {
                    b.doc_weight[d as usize] += w;
                }
                w
            };
            if run.len() < 2 {
                continue;
            }
            if run.len() > max_bucket {
                stats.oversized_buckets += 1;
                continue;
            }
            b.start.push(b.docs.len() as u32);
            b.weight.push(w);
            for &(_, d) in run {
                b.docs.push(d);
                per_doc[d as usize] += 1;
            }
        }
        b.start.push(b.docs.len() as u32);
        drop(filed);

        b.doc_start = Vec::with_capacity(n_docs + 1);
        let mut at = 0u32;
        for &n in &per_doc {
            b.doc_start.push(at);
            at += n;
        }
        b.doc_start.push(at);
        b.of_doc = vec![0; at as usize];
        let mut fill: Vec<u32> = b.doc_start[..n_docs].to_vec();
        for g in 0..b.start.len() - 1 {
            for &d in &b.docs[b.start[g] as usize..b.start[g + 1] as usize] {
                b.of_doc[fill[d as usize] as usize] = g as u32;
                fill[d as usize] += 1;
            }
        }
        b.docs.shrink_to_fit();
        b
    }

    /// Candidate pairs `(a, b)`, `a < b`, sorted.
    fn candidates(&self, stats: &mut ScanStats) -> Vec<(u32, u32)> {
        let n_docs = self.doc_weight.len();
        let min_share = MIN_KEY_SHARE as f32;
        // Per worker: a weighted count per document and the documents touched, reset after use.
        let per_doc: Vec<(Vec<u32>, u32, u32)> = (0..n_docs)
            .into_par_iter()
            .map_init(
                || (vec![0f32; n_docs], Vec::new()),
                |(count, touched), a| {
                    let groups =
                        &self.of_doc[self.doc_start[a] as usize..self.doc_start[a + 1] as usize];
                    for &g in groups {
                        let g = g as usize;
                        let docs = &self.docs[self.start[g] as usize..self.start[g + 1] as usize];
                        let after = docs.partition_point(|&d| d as usize <= a);
                        for &d in &docs[after..] {
                            let c = &mut count[d as usize];
                            if *c == 0.0 {
                                touched.push(d);
                            }
                            *c += self.weight[g];
                        }
                    }
                    touched.sort_unstable();
                    let (mut by_keys, mut by_runs) = (0, 0);
                    let mut out = Vec::new();
                    for &d in touched.iter() {
                        let c = std::mem::take(&mut count[d as usize]);
                        let smaller = self.doc_weight[a].min(self.doc_weight[d as usize]);
                        if c.is_infinite() {
                            by_runs += 1;
                            out.push(d);
                        } else if c >= min_share * smaller {
                            by_keys += 1;
                            out.push(d);
                        }
                    }
                    touched.clear();
                    (out, by_keys, by_runs)
                },
            )
            .collect();
        let mut pairs = Vec::with_capacity(per_doc.iter().map(|x| x.0.len()).sum());
        for (a, (bs, by_keys, by_runs)) in per_doc.into_iter().enumerate() {
            stats.shared_key_candidates += by_keys as usize;
            stats.verbatim_candidates += by_runs as usize;
            pairs.extend(bs.into_iter().map(|b| (a as u32, b)));
        }
        pairs
    }
}

/// Verifies `candidates` (sorted by first document), in parallel, one first document at a time;
/// returns the reported pairs in order and how many candidates were aligned.
fn verify<'a>(
    detector: &Detector,
    candidates: &[(u32, u32)],
    analysis: impl Fn(usize) -> Cow<'a, Analysis> + Sync,
    options: &ScanOptions,
    progress: &dyn Progress,
) -> (Vec<ScoredPair>, usize) {
    let groups: Vec<&[(u32, u32)]> = candidates.chunk_by(|x, y| x.0 == y.0).collect();
    let config = detector.config();
    let min_pair = config.align.min_pair_bigrams;
    let per_group: Vec<(Vec<ScoredPair>, usize)> = groups
        .par_iter()
        .map(|group| {
            let a = group[0].0 as usize;
            let doc_a = analysis(a);
            let prof_a = Profile::of(&doc_a, config);
            let mut found = Vec::new();
            let mut aligned = 0;
            for &(_, b) in group.iter() {
                let b = b as usize;
                let doc_b = analysis(b);
                if !may_report_pair(
                    &prof_a,
                    &Profile::of(&doc_b, config),
                    options.min_score,
                    min_pair,
                ) {
                    continue;
                }
                aligned += 1;
                let comparison = detector.compare_analyzed(&doc_a, &doc_b);
                let score = comparison.max_score();
                if score >= options.min_score && score > 0.0 {
                    found.push(ScoredPair { a, b, comparison });
                }
            }
            progress.advance(group.len() as u64);
            (found, aligned)
        })
        .collect();
    let aligned = per_group.iter().map(|x| x.1).sum();
    (per_group.into_iter().flat_map(|x| x.0).collect(), aligned)
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::ScoredPair;
    use crate::score::Comparison;

    /// A reported pair with only containments set, for tests of what consumes scan results.
    pub(crate) fn pair(a: usize, b: usize, a_in_b: f64, b_in_a: f64) -> ScoredPair {
        ScoredPair {
            a,
            b,
            comparison: Comparison {
                resemblance: 0.0,
                containment_a_in_b: a_in_b,
                containment_b_in_a: b_in_a,
                passages: vec![],
            },
        }
    }
}

//! Scanning a set of documents for every pair where one copies the other.
//!
//! 1. Every document is analyzed in parallel ([`Detector::analyze`]).
//! 2. Candidates come from two LSH banding passes: whole-document signatures find near-duplicates
//!    and whole copies; passage-window signatures find a fragment copied into unrelated text, whose
//!    whole-document Jaccard is low. A third pass pairs documents sharing a fingerprint of a
//!    verbatim run ([`crate::verbatim`]): a sentence pasted word for word is shorter than a
//!    window. Buckets larger than [`ScanOptions::max_bucket`] are skipped: such a bucket is
//!    shared boilerplate, not a copy.
//! 3. Every candidate is verified in parallel by exact Jaccard and alignment
//!    ([`Detector::compare_analyzed`]); a pair is reported when its best score reaches
//!    [`ScanOptions::min_score`].
//!
//! # Invariants
//! - The result depends only on the texts (in order), the detector and the options, never on the
//!   number of threads: parallel stages collect in input order.
//! - Pairs are reported once, as `(a, b)` with `a < b` (input order), sorted by `(a, b)`.

use crate::detector::{Analysis, Detector};
use crate::lsh::{band_keys, candidate_pairs};
use crate::score::Comparison;
use rayon::prelude::*;

/// What to report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScanOptions {
    /// Report a pair when `max(resemblance, containment_a_in_b, containment_b_in_a)` reaches this.
    pub min_score: f64,
    /// LSH buckets with more documents (or windows) than this are ignored.
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

/// Stages reported to a [`Progress`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Normalizing, shingling and sketching documents.
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
    /// Candidate pairs from whole-document LSH.
    pub document_candidates: usize,
    /// Candidate pairs from passage-window LSH.
    pub passage_candidates: usize,
    /// Candidate pairs sharing a fingerprint of a verbatim run ([`crate::verbatim`]).
    pub verbatim_candidates: usize,
    /// Distinct candidate pairs verified.
    pub verified: usize,
    /// LSH buckets skipped as oversized.
    pub oversized_buckets: usize,
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
pub fn scan<S: AsRef<str> + Sync>(
    detector: &Detector,
    texts: &[S],
    options: &ScanOptions,
    progress: &dyn Progress,
) -> ScanResult {
    progress.start(Stage::Analyze, texts.len() as u64);
    let analyses: Vec<Analysis> = texts
        .par_iter()
        .map(|t| {
            let a = detector.analyze(t.as_ref());
            progress.advance(1);
            a
        })
        .collect();
    scan_analyzed(detector, &analyses, options, progress)
}

/// Like [`scan`], for documents already analyzed by the same detector.
pub fn scan_analyzed(
    detector: &Detector,
    analyses: &[Analysis],
    options: &ScanOptions,
    progress: &dyn Progress,
) -> ScanResult {
    let mut stats = ScanStats {
        documents: analyses.len(),
        ..ScanStats::default()
    };
    let candidates = candidates(detector, analyses, options.max_bucket, &mut stats);
    stats.verified = candidates.len();
    progress.start(Stage::Verify, candidates.len() as u64);
    let pairs: Vec<ScoredPair> = candidates
        .par_iter()
        .filter_map(|&(a, b)| {
            let (a, b) = (a as usize, b as usize);
            let comparison = detector.compare_analyzed(&analyses[a], &analyses[b]);
            progress.advance(1);
            (comparison.max_score() >= options.min_score).then_some(ScoredPair { a, b, comparison })
        })
        .collect();
    stats.reported = pairs.len();
    ScanResult { pairs, stats }
}

/// Writes into `out` (cleared first) the keys under which scan files `analysis`: one per band of
/// its document signature, one per band of each passage window and one per verbatim-run
/// fingerprint, deduplicated and sorted.
///
/// This is scan's candidate generation taken apart for engines that shuffle by key (Spark, a
/// database): two documents are scan candidates exactly when they share a key, except that scan
/// skips buckets of more than [`ScanOptions::max_bucket`] documents or windows. Window and
/// fingerprint keys are tagged so that they never meet document keys or each other.
pub fn candidate_keys(detector: &Detector, analysis: &Analysis, out: &mut Vec<u64>) {
    out.clear();
    let mut keys = Vec::new();
    band_keys(&analysis.signature, &detector.doc_lsh(), &mut keys)
        .expect("signature length matches k");
    out.extend_from_slice(&keys);
    let win_params = detector.window_lsh();
    for w in &analysis.windows {
        band_keys(w, &win_params, &mut keys).expect("window signature length matches");
        out.extend(keys.iter().map(|k| k ^ WINDOW_TAG));
    }
    out.extend(fingerprint_keys(detector, analysis));
    out.sort_unstable();
    out.dedup();
}

/// Marks window keys (XOR) so that they never meet document keys.
const WINDOW_TAG: u64 = 0x7769_6e64_6f77_0000;

/// Like [`candidate_keys`], with how many of `analysis`'s items carry each key: 1 for a document
/// key, the number of its passage windows for a window key, the number of times a verbatim-run
/// fingerprint was listed for a fingerprint key. Written into `out` (cleared first),
/// sorted by key.
///
/// Scan's size cap counts items, not documents: a window bucket holding 150 windows of 2
/// documents is skipped at `max_bucket` 100. An engine that groups documents by key reproduces
/// that cap exactly by summing these counts over a key's documents and dropping the key when the
/// sum exceeds [`ScanOptions::max_bucket`].
pub fn candidate_key_counts(detector: &Detector, analysis: &Analysis, out: &mut Vec<(u64, u32)>) {
    let mut all = Vec::new();
    let mut keys = Vec::new();
    band_keys(&analysis.signature, &detector.doc_lsh(), &mut keys)
        .expect("signature length matches k");
    all.extend_from_slice(&keys);
    let win_params = detector.window_lsh();
    for w in &analysis.windows {
        band_keys(w, &win_params, &mut keys).expect("window signature length matches");
        all.extend(keys.iter().map(|k| k ^ WINDOW_TAG));
    }
    all.extend(fingerprint_keys(detector, analysis));
    all.sort_unstable();
    out.clear();
    out.extend(
        all.chunk_by(|x, y| x == y)
            .map(|run| (run[0], run.len() as u32)),
    );
}

/// Candidate pairs `(a, b)`, `a < b`, sorted and deduplicated, from both LSH passes.
fn candidates(
    detector: &Detector,
    analyses: &[Analysis],
    max_bucket: usize,
    stats: &mut ScanStats,
) -> Vec<(u32, u32)> {
    let doc_params = detector.doc_lsh();
    let doc_keys: Vec<Vec<u64>> = analyses
        .par_iter()
        .map(|a| {
            let mut keys = Vec::new();
            band_keys(&a.signature, &doc_params, &mut keys).expect("signature length matches k");
            keys
        })
        .collect();
    let (mut pairs, doc_stats) = candidate_pairs(&doc_keys, max_bucket);
    stats.document_candidates = pairs.len();
    stats.oversized_buckets += doc_stats.oversized_buckets;

    // Windows are items of their own; `owner` maps each back to its document.
    let win_params = detector.window_lsh();
    let mut owner: Vec<u32> = Vec::new();
    let mut win_keys: Vec<Vec<u64>> = Vec::new();
    let per_doc: Vec<Vec<Vec<u64>>> = analyses
        .par_iter()
        .map(|a| {
            a.windows
                .iter()
                .map(|w| {
                    let mut keys = Vec::new();
                    band_keys(w, &win_params, &mut keys).expect("window signature length matches");
                    keys
                })
                .collect()
        })
        .collect();
    for (doc, windows) in per_doc.into_iter().enumerate() {
        for keys in windows {
            if !keys.is_empty() {
                owner.push(doc as u32);
                win_keys.push(keys);
            }
        }
    }
    let (win_pairs, win_stats) = candidate_pairs(&win_keys, max_bucket);
    stats.oversized_buckets += win_stats.oversized_buckets;
    let mut from_windows: Vec<(u32, u32)> = win_pairs
        .into_iter()
        .filter_map(|(x, y)| {
            let (a, b) = (owner[x as usize], owner[y as usize]);
            (a != b).then(|| (a.min(b), a.max(b)))
        })
        .collect();
    from_windows.sort_unstable();
    from_windows.dedup();
    stats.passage_candidates = from_windows.len();
    pairs.extend(from_windows);

    let fingerprints: Vec<Vec<u64>> = analyses
        .par_iter()
        .map(|a| fingerprint_keys(detector, a).collect())
        .collect();
    let (from_runs, oversized) = pairs_sharing_a_key(&fingerprints, max_bucket);
    stats.verbatim_candidates = from_runs.len();
    stats.oversized_buckets += oversized;
    pairs.extend(from_runs);
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// The verbatim-run fingerprints of a document, as tagged keys.
fn fingerprint_keys<'a>(
    detector: &Detector,
    analysis: &'a Analysis,
) -> impl Iterator<Item = u64> + 'a {
    const VERBATIM_TAG: u64 = 0x7665_7262_0000_0000;
    crate::verbatim::fingerprints(&analysis.tokens, detector.config().align.min_verbatim_words)
        .into_iter()
        .map(|f| u64::from(f) | VERBATIM_TAG)
}

/// Every pair of items sharing a key (`keys[i]`: item `i`'s keys, distinct), sorted and
/// distinct, skipping keys held by more than `max_bucket` items; and how many were skipped.
fn pairs_sharing_a_key(keys: &[Vec<u64>], max_bucket: usize) -> (Vec<(u32, u32)>, usize) {
    let mut filed: Vec<(u64, u32)> = keys
        .iter()
        .enumerate()
        .flat_map(|(i, k)| k.iter().map(move |&k| (k, i as u32)))
        .collect();
    filed.par_sort_unstable();
    let mut pairs = Vec::new();
    let mut oversized = 0;
    for bucket in filed.chunk_by(|x, y| x.0 == y.0) {
        if bucket.len() > max_bucket {
            oversized += 1;
            continue;
        }
        for (n, x) in bucket.iter().enumerate() {
            for y in &bucket[n + 1..] {
                if x.1 != y.1 {
                    pairs.push((x.1.min(y.1), x.1.max(y.1)));
                }
            }
        }
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    (pairs, oversized)
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

//! Dataset deduplication: which documents are near-duplicates of a kept one, in clusters that
//! do not chain.
//!
//! This is the job of dataset builders (text-dedup, datatrove, NeMo Curator), with their
//! definition of a near-duplicate: two documents whose sets of word n-grams have a Jaccard
//! similarity of at least `threshold`. Words are reprint's normalized words
//! ([`crate::normalize`]) and shingles the word n-grams of [`crate::sketch`], so the signatures
//! are [`Sketcher`]'s. It answers another question than [`crate::scan`] (how much of A is in
//! B, and where): here each document gets a cluster and a keep/drop decision.
//!
//! # Pipeline
//! 1. Signatures of every text in parallel ([`Sketcher::signatures`]).
//! 2. LSH banding with the bands × rows that keep a pair at exactly the threshold a candidate
//!    with probability ≥ [`DedupOptions::recall`] ([`LshParams::for_recall`]); documents in no
//!    shared bucket are singletons and are not looked at again.
//! 3. The exact shingle sets of the documents left, in parallel
//!    ([`Sketcher::shingle_set_into`]).
//! 4. Documents in keep order ([`KeepOrder`]): a document's candidates are the documents
//!    before it that share a band bucket with it, and each is screened by the two signatures
//!    (too few equal values for a pair at the threshold: set aside) and verified with the exact
//!    Jaccard of the two shingle sets. Batches of documents are verified in parallel against
//!    what precedes the batch, then in order within it, which gives the sequential result. Under [`ClusterPolicy::Representative`] (the default)
//!    only representatives are candidates and the document joins the one it resembles most,
//!    or becomes a representative itself; under [`ClusterPolicy::Components`] every verified
//!    pair joins two clusters (connected components, what most tools do), for measurement.
//!
//! With [`DedupOptions::containment`], a document whose shingles lie at least `threshold`
//! inside a representative's (`|A ∩ R| / |A|`) is dropped too. LSH over Jaccard does not find a
//! short text inside a long one (their Jaccard is small), so containment has candidates of its
//! own: each document's [`CONTAINMENT_KEYS`] shingles of smallest hash (a uniform sample of its
//! set) are looked up among the representatives' shingles, and a representative holding enough
//! of them to reach the threshold with probability ≥ `recall` is verified exactly.
//!
//! # Invariants
//! - Precision 1.0: every dropped document's [`Member::similarity`] to its representative is
//!   exact (not estimated) and, under `Representative`, at least the threshold. Chains cannot
//!   form: A~B and B~C never put C with A unless C~A. Under `Components` a member may sit below
//!   the threshold from its representative; [`DedupStats::below_threshold`] counts them.
//! - A pair at the threshold is found with probability ≥ `recall` (LSH banding, and a screen
//!   of candidates by their signatures that drops such a pair with probability below 10⁻⁶,
//!   are the only sources of misses); a pair above it, more often.
//! - The result depends only on the texts, their dates and the options: not on the number of
//!   threads (every parallel step is a map whose results are put back in input order, and the
//!   clustering decides in keep order, ties going to the earlier document).
//! - A text without words is a singleton: empty documents are not duplicates of each other.
//!
//! ```
//! use reprint::dedup::{dedup, DedupOptions};
//! let story = "The council voted on Tuesday to close the old bridge over the river for \
//!              repairs that will take two years and cost four million euros, the mayor said.";
//! let copy = format!("{story} Read also: our weather page.");
//! let other = "A small earthquake shook the valley overnight without causing any damage, \
//!              the regional seismology office reported on Wednesday morning.";
//! let d = dedup(&[story, copy.as_str(), other], &DedupOptions::default()).unwrap();
//! assert_eq!(d.members[1].representative, 1); // the longest of the two is kept
//! assert_eq!(d.members[0].representative, 1);
//! assert!(d.members[0].similarity >= 0.8);
//! assert!(d.keep(2) && !d.keep(0));
//! ```

use crate::cluster::{find, union};
use crate::error::{Error, Result};
use crate::lsh::{band_key, LshParams};
use crate::minhash::{mix64, DEFAULT_K, DEFAULT_SEED};
use crate::scan::{Progress, Stage, Texts};
use crate::shingle::{intersection_len, intersection_len_at_least};
use crate::sketch::{Scratch, SketchOptions, Sketcher, EMPTY};
use rayon::prelude::*;
use std::collections::HashMap;

/// Documents between two progress reports.
const PROGRESS_STEP: usize = 4096;

/// Largest chance that a pair exactly at the threshold is screened out by its signatures before
/// exact verification. A copy cluster whose members are all just under the threshold of each
/// other (a story republished with small edits and each site's chrome) makes every pair a
/// candidate that fails verification; comparing 128 signature values is several times cheaper
/// than intersecting two sets of hundreds of n-grams, so such pairs are set aside by their
/// signatures first. Pairs above the threshold are screened out less often still.
const SCREEN_MISS: f64 = 1e-6;

/// Shingles per document sampled to find containment candidates.
pub const CONTAINMENT_KEYS: usize = 8;

/// Which document of a cluster is kept: the clusters are built in this order, so the first of
/// a cluster in it is its representative.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeepOrder {
    /// The most distinct word n-grams first (ties: input order). The default: of two versions
    /// of a story, the complete one is kept and the truncated or trimmed one dropped, and with
    /// `containment` a text always meets the longer texts that may contain it before it.
    #[default]
    Longest,
    /// The earliest date first (dates compared as text, so ISO 8601 sorts right; undated
    /// documents after dated ones; ties: input order): the original rather than its reprints.
    Earliest,
    /// Input order: the first seen is kept, as a streaming deduplicator would.
    First,
}

/// How verified pairs make clusters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClusterPolicy {
    /// A document joins the representative it resembles most among those it is verified a
    /// near-duplicate of, or becomes a representative: every member is within the threshold of
    /// its representative, whatever chains of neighbours exist.
    #[default]
    Representative,
    /// Connected components of the verified pairs, represented by their first document in keep
    /// order. Chains A~B~C put A and C together even when A≁C.
    Components,
}

/// What deduplication is asked to do.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DedupOptions {
    /// Least word n-gram Jaccard (or containment) of a near-duplicate, in (0, 1].
    pub threshold: f64,
    /// Words per shingle (1..=16).
    pub ngram: usize,
    /// MinHash values per signature (1..=4096); more give LSH a sharper threshold.
    pub permutations: usize,
    /// Seed of word hashing and MinHash.
    pub seed: u64,
    /// Which document of a cluster is kept.
    pub keep: KeepOrder,
    /// How verified pairs make clusters.
    pub clusters: ClusterPolicy,
    /// Also drop a document contained at least `threshold` in a representative.
    pub containment: bool,
    /// Least probability that a pair at exactly the threshold becomes a candidate, in (0, 1).
    pub recall: f64,
}

impl Default for DedupOptions {
    fn default() -> Self {
        DedupOptions {
            threshold: 0.8,
            ngram: 5,
            permutations: DEFAULT_K,
            seed: DEFAULT_SEED,
            keep: KeepOrder::Longest,
            clusters: ClusterPolicy::Representative,
            containment: false,
            recall: 0.99,
        }
    }
}

/// How a document relates to its cluster's representative.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// It is the representative (of a singleton too): kept.
    Representative,
    /// Dropped: word n-gram Jaccard with the representative.
    Jaccard,
    /// Dropped: containment of its shingles in the representative's.
    Containment,
}

/// One document's place in the result.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Member {
    /// Index (in the input) of its cluster's representative; its own index when kept.
    pub representative: usize,
    /// Exact Jaccard (or containment, per `relation`) with the representative; 1.0 for a
    /// representative.
    pub similarity: f64,
    /// How it relates to the representative.
    pub relation: Relation,
}

/// What the run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DedupStats {
    /// Documents sharing at least one band bucket with another (the rest are singletons).
    pub candidate_docs: usize,
    /// Candidate pairs verified with the exact Jaccard (or containment).
    pub verified: usize,
    /// Verified pairs at or above the threshold.
    pub near_duplicates: usize,
    /// Candidate pairs not verified because their signatures agree on too few values for a
    /// pair at the threshold (a chance below one in a million for such a pair).
    pub screened: usize,
    /// Members whose similarity to their representative is below the threshold: always 0 under
    /// [`ClusterPolicy::Representative`], the chained members under `Components`.
    pub below_threshold: usize,
}

/// The clusters of a set of documents.
#[derive(Clone, Debug, PartialEq)]
pub struct Dedup {
    /// One per input document, in input order.
    pub members: Vec<Member>,
    /// The banding used.
    pub params: LshParams,
    /// What the run did.
    pub stats: DedupStats,
}

impl Dedup {
    /// Whether document `i` is kept (it represents its cluster).
    pub fn keep(&self, i: usize) -> bool {
        self.members[i].representative == i
    }

    /// Documents per cluster, indexed by document: the size of the cluster `i` belongs to.
    pub fn cluster_sizes(&self) -> Vec<usize> {
        let mut per_rep = vec![0usize; self.members.len()];
        for m in &self.members {
            per_rep[m.representative] += 1;
        }
        self.members
            .iter()
            .map(|m| per_rep[m.representative])
            .collect()
    }
}

/// Deduplicates texts with checked options. `Send + Sync`; run it on as many batches as needed.
#[derive(Clone, Debug)]
pub struct Deduplicator {
    options: DedupOptions,
    sketcher: Sketcher,
    params: LshParams,
    /// Least number of a document's containment keys a representative must hold.
    containment_hits: usize,
}

/// Deduplicates `texts` (no dates: [`KeepOrder::Earliest`] is then input order).
pub fn dedup<S: AsRef<str> + Sync>(texts: &[S], options: &DedupOptions) -> Result<Dedup> {
    Deduplicator::new(options.clone())?.run(texts, None)
}

impl Deduplicator {
    /// Checks the options and chooses the banding.
    pub fn new(options: DedupOptions) -> Result<Deduplicator> {
        if !(options.threshold > 0.0 && options.threshold <= 1.0) {
            return Err(Error::InvalidParameter {
                name: "threshold",
                reason: format!("must be in (0, 1], got {}", options.threshold),
            });
        }
        let sketcher = Sketcher::new(SketchOptions {
            k: options.permutations,
            ngram: options.ngram,
            seed: options.seed,
        })?;
        let params =
            LshParams::for_recall(options.permutations, options.threshold, options.recall)?;
        let containment_hits =
            least_hits(CONTAINMENT_KEYS, options.threshold, options.recall).max(1);
        Ok(Deduplicator {
            options,
            sketcher,
            params,
            containment_hits,
        })
    }

    /// The options.
    pub fn options(&self) -> &DedupOptions {
        &self.options
    }

    /// The banding scheme chosen for the threshold and recall.
    pub fn params(&self) -> LshParams {
        self.params
    }

    /// The LSH band keys of `text` into `out` (cleared first; none for a text without words):
    /// two texts are candidates exactly when they share a key. For engines that group texts by
    /// key themselves (the Spark job) and then run [`Deduplicator::run`] on each connected
    /// group of candidates, which gives the clusters of one run on all texts: a text's
    /// candidates all lie in its group.
    pub fn band_keys(&self, text: &str, out: &mut Vec<u64>) {
        out.clear();
        let mut row = vec![0u32; self.options.permutations];
        self.sketcher.sketch_into(text, &mut row);
        if row[0] == EMPTY {
            return;
        }
        let LshParams { bands, rows: r } = self.params;
        out.extend((0..bands).map(|band| band_key(band, &row[band * r..(band + 1) * r])));
    }

    /// Clusters `texts`. `dates[i]`, when given, is document `i`'s date for
    /// [`KeepOrder::Earliest`]; it must have one entry per text.
    pub fn run<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        dates: Option<&[Option<String>]>,
    ) -> Result<Dedup> {
        self.run_with_progress(texts, dates, &())
    }

    /// [`Deduplicator::run`], telling `progress` how far it is: [`Stage::Analyze`] counts
    /// signed texts, [`Stage::Verify`] the candidate documents clustered.
    pub fn run_with_progress<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        dates: Option<&[Option<String>]>,
        progress: &dyn Progress,
    ) -> Result<Dedup> {
        self.run_texts(texts, dates, progress)
    }

    /// [`Deduplicator::run_with_progress`] on texts read on demand (a
    /// [`crate::input::Catalog`] leaves them in their files): each text is read once for its
    /// signature, and the candidates' once more for their shingle sets, so the corpus need not
    /// be held in memory.
    pub fn run_texts(
        &self,
        texts: &(impl Texts + ?Sized),
        dates: Option<&[Option<String>]>,
        progress: &dyn Progress,
    ) -> Result<Dedup> {
        if let Some(d) = dates {
            if d.len() != texts.len() {
                return Err(Error::InvalidParameter {
                    name: "dates",
                    reason: format!("{} dates for {} texts", d.len(), texts.len()),
                });
            }
        }
        if texts.len() > u32::MAX as usize {
            return Err(Error::InvalidParameter {
                name: "texts",
                reason: format!("at most {} documents at once", u32::MAX),
            });
        }
        let k = self.options.permutations;
        progress.start(Stage::Analyze, texts.len() as u64);
        let mut rows = vec![0u32; texts.len() * k];
        for (c, chunk) in rows.chunks_mut(PROGRESS_STEP * k).enumerate() {
            let first = c * PROGRESS_STEP;
            chunk.par_chunks_mut(k).enumerate().for_each_init(
                || (String::new(), Scratch::default()),
                |(buf, scratch), (j, row)| {
                    let text = texts.text(first + j, buf);
                    self.sketcher.sketch_reusing(text, row, scratch);
                },
            );
            progress.advance((chunk.len() / k) as u64);
        }
        let nonempty: Vec<bool> = rows.chunks_exact(k).map(|r| r[0] != EMPTY).collect();
        let candidate = if self.options.containment {
            nonempty
        } else {
            self.in_shared_bucket(&rows, &nonempty)
        };
        let sets: Vec<Vec<u64>> = candidate
            .par_iter()
            .enumerate()
            .map_init(
                || (String::new(), String::new()),
                |(buf, word), (i, &c)| {
                    let mut set = Vec::new();
                    if c {
                        let text = texts.text(i, buf);
                        self.sketcher.shingle_set_into(text, word, &mut set);
                    }
                    set
                },
            )
            .collect();
        let order = self.keep_order(&candidate, &sets, dates);
        let mut stats = DedupStats {
            candidate_docs: order.len(),
            ..DedupStats::default()
        };
        progress.start(Stage::Verify, order.len() as u64);
        let members = Clustering::new(self, &rows, &sets, &order).run(&mut stats, progress);
        Ok(Dedup {
            members,
            params: self.params,
            stats,
        })
    }

    /// Whether each document shares a band bucket with another: the only ones that can have a
    /// near-duplicate found.
    fn in_shared_bucket(&self, rows: &[u32], nonempty: &[bool]) -> Vec<bool> {
        let LshParams { bands, rows: r } = self.params;
        let k = self.options.permutations;
        let per_band: Vec<Vec<u32>> = (0..bands)
            .into_par_iter()
            .map(|band| {
                let mut entries: Vec<(u64, u32)> = nonempty
                    .iter()
                    .enumerate()
                    .filter(|(_, &ne)| ne)
                    .map(|(i, _)| {
                        let start = i * k + band * r;
                        (band_key(band, &rows[start..start + r]), i as u32)
                    })
                    .collect();
                entries.sort_unstable();
                entries
                    .chunk_by(|x, y| x.0 == y.0)
                    .filter(|bucket| bucket.len() > 1)
                    .flatten()
                    .map(|&(_, i)| i)
                    .collect()
            })
            .collect();
        let mut shared = vec![false; nonempty.len()];
        for i in per_band.into_iter().flatten() {
            shared[i as usize] = true;
        }
        shared
    }

    /// The candidate documents in the order clusters are built.
    fn keep_order(
        &self,
        candidate: &[bool],
        sets: &[Vec<u64>],
        dates: Option<&[Option<String>]>,
    ) -> Vec<u32> {
        let mut order: Vec<u32> = (0..candidate.len() as u32)
            .filter(|&i| candidate[i as usize])
            .collect();
        match (self.options.keep, dates) {
            (KeepOrder::First, _) | (KeepOrder::Earliest, None) => {}
            (KeepOrder::Longest, _) => {
                order.sort_by_key(|&i| std::cmp::Reverse(sets[i as usize].len()));
            }
            (KeepOrder::Earliest, Some(dates)) => {
                // Dated first (`None` sorts before `Some`, hence the flag), then by date.
                order.sort_by(|&a, &b| {
                    let key = |i: u32| {
                        let d = &dates[i as usize];
                        (d.is_none(), d.as_deref())
                    };
                    key(a).cmp(&key(b))
                });
            }
        }
        // Stable sorts: ties stay in input order.
        order
    }
}

/// The largest `x` with `P(X ≥ x) ≥ recall` for `X ~ Binomial(m, t)`: how many of its `m`
/// sampled shingles a document contained exactly `t` in another surely shares with it, or how
/// many of `m` signature values a pair at Jaccard `t` surely agrees on. 0 when the binomial
/// cannot be computed in floating point (`m` in the thousands): then nothing is screened.
fn least_hits(m: usize, t: f64, recall: f64) -> usize {
    // P(X ≥ x) for X ~ Binomial(m, t), from the top down.
    let pmf = |x: usize| -> f64 {
        let mut c = 1.0;
        for i in 0..x {
            c = c * (m - i) as f64 / (i + 1) as f64;
        }
        c * t.powi(x as i32) * (1.0 - t).powi((m - x) as i32)
    };
    let mut tail = 0.0;
    for x in (0..=m).rev() {
        tail += pmf(x);
        if tail >= recall {
            return x;
        }
    }
    0
}

/// What the parallel half of a batch found for one document: its band keys, its best
/// near-duplicate so far, every near-duplicate (under `Components`), and the counts.
type Examined = (Vec<u64>, Option<(f64, u32)>, Vec<u32>, DedupStats);

/// The sequential clustering over documents in keep order (step 4 of the module docs).
struct Clustering<'a> {
    dedup: &'a Deduplicator,
    rows: &'a [u32],
    sets: &'a [Vec<u64>],
    order: &'a [u32],
    /// Band key → documents indexed under it (representatives, or every document seen).
    buckets: HashMap<u64, Vec<u32>, ahash::RandomState>,
    /// Shingle → representatives holding it, for the shingles that are some document's
    /// containment key (the sorted `containment_keys`).
    holders: HashMap<u64, Vec<u32>, ahash::RandomState>,
    containment_keys: Vec<u64>,
    /// Least number of equal signature values of a pair worth verifying (see `SCREEN_MISS`).
    min_equal: usize,
}

/// A document's sampled shingles: the `CONTAINMENT_KEYS` of smallest mixed hash.
fn sample(set: &[u64], seed: u64, out: &mut Vec<u64>) {
    out.clear();
    out.extend_from_slice(set);
    if out.len() > CONTAINMENT_KEYS {
        out.select_nth_unstable_by_key(CONTAINMENT_KEYS - 1, |&h| mix64(h ^ seed));
        out.truncate(CONTAINMENT_KEYS);
    }
}

impl<'a> Clustering<'a> {
    fn new(
        dedup: &'a Deduplicator,
        rows: &'a [u32],
        sets: &'a [Vec<u64>],
        order: &'a [u32],
    ) -> Self {
        let fixed = || ahash::RandomState::with_seeds(1, 2, 3, 4);
        let mut containment_keys = Vec::new();
        if dedup.options.containment {
            containment_keys = order
                .par_iter()
                .map_init(Vec::new, |buf, &d| {
                    sample(&sets[d as usize], dedup.options.seed, buf);
                    buf.clone()
                })
                .flatten()
                .collect();
            containment_keys.par_sort_unstable();
            containment_keys.dedup();
        }
        let o = &dedup.options;
        Clustering {
            min_equal: least_hits(o.permutations, o.threshold, 1.0 - SCREEN_MISS),
            dedup,
            rows,
            sets,
            order,
            buckets: HashMap::with_hasher(fixed()),
            holders: HashMap::with_hasher(fixed()),
            containment_keys,
        }
    }

    /// The band keys of document `di`.
    fn keys_of(&self, di: usize, out: &mut Vec<u64>) {
        let LshParams { bands, rows: r } = self.dedup.params;
        let k = self.dedup.options.permutations;
        out.clear();
        out.extend((0..bands).map(|band| {
            let start = di * k + band * r;
            band_key(band, &self.rows[start..start + r])
        }));
    }

    /// Documents indexed under `keys` whose keep position is in `positions`, in keep order (so
    /// that ties go to the earlier document), each once.
    fn candidates(
        &self,
        keys: &[u64],
        position: &[u32],
        positions: std::ops::Range<u32>,
        out: &mut Vec<u32>,
    ) {
        out.clear();
        for key in keys {
            if let Some(ids) = self.buckets.get(key) {
                out.extend(
                    ids.iter()
                        .filter(|&&c| positions.contains(&position[c as usize])),
                );
            }
        }
        out.sort_unstable_by_key(|&c| position[c as usize]);
        out.dedup();
    }

    /// The exact Jaccard of documents `di` and `c` when it reaches the threshold.
    fn verify(&self, di: usize, c: u32, counts: &mut DedupStats) -> Option<f64> {
        let t = self.dedup.options.threshold;
        let k = self.dedup.options.permutations;
        let (set, other) = (&self.sets[di], &self.sets[c as usize]);
        // Jaccard is at most the ratio of the sizes: most spurious candidates stop here.
        let (lo, hi) = (set.len().min(other.len()), set.len().max(other.len()));
        if (lo as f64) < t * hi as f64 {
            return None;
        }
        let ci = c as usize;
        let equal = self.rows[di * k..(di + 1) * k]
            .iter()
            .zip(&self.rows[ci * k..(ci + 1) * k])
            .filter(|(x, y)| x == y)
            .count();
        if equal < self.min_equal {
            counts.screened += 1;
            return None;
        }
        counts.verified += 1;
        // J ≥ t needs |A ∩ B| ≥ t·(|A| + |B|)/(1 + t); the floor is a safe lower bound, the
        // exact test follows.
        let need = (t * (set.len() + other.len()) as f64 / (1.0 + t)).floor() as usize;
        let inter = intersection_len_at_least(set, other, need)?;
        let j = inter as f64 / (set.len() + other.len() - inter) as f64;
        (j >= t).then(|| {
            counts.near_duplicates += 1;
            j
        })
    }

    /// Verifies `candidates` (in keep order) for document `di`: the best near-duplicate
    /// (highest Jaccard, the earliest of equals) joined with `best`, and every near-duplicate
    /// into `near` under `Components`.
    fn best_of(
        &self,
        di: usize,
        candidates: &[u32],
        best: &mut Option<(f64, u32)>,
        near: &mut Vec<u32>,
        counts: &mut DedupStats,
    ) {
        let components = self.dedup.options.clusters == ClusterPolicy::Components;
        for &c in candidates {
            if let Some(j) = self.verify(di, c, counts) {
                if components {
                    near.push(c);
                }
                if best.is_none_or(|(b, _)| j > b) {
                    *best = Some((j, c));
                }
            }
        }
    }

    /// Documents are taken in keep order in batches of `BATCH`: each document of a batch is
    /// verified in parallel against the documents indexed before the batch, then, in order,
    /// against those its batch added before it. That is the sequential order's result (the
    /// candidates before the batch all precede those in it, and ties go to the earlier), with
    /// most of the verification on every thread: a copy cluster whose members all fall just
    /// short of the threshold makes each document a candidate of every earlier one.
    fn run(mut self, stats: &mut DedupStats, progress: &dyn Progress) -> Vec<Member> {
        const BATCH: usize = 256;
        let n = self.sets.len();
        let options = &self.dedup.options;
        let components = options.clusters == ClusterPolicy::Components;
        // Position of each document in keep order (u32::MAX: not a candidate).
        let mut position = vec![u32::MAX; n];
        for (p, &d) in self.order.iter().enumerate() {
            position[d as usize] = p as u32;
        }
        let mut members: Vec<Member> = (0..n)
            .map(|i| Member {
                representative: i,
                similarity: 1.0,
                relation: Relation::Representative,
            })
            .collect();
        // Union-find over keep positions: a component's root is its first document.
        let mut parent: Vec<usize> = (0..self.order.len()).collect();
        let (mut candidates, mut sampled) = (Vec::new(), Vec::new());
        let mut tally: HashMap<u32, usize, ahash::RandomState> =
            HashMap::with_hasher(ahash::RandomState::with_seeds(5, 6, 7, 8));
        let order = self.order;
        for (b, batch) in order.chunks(BATCH).enumerate() {
            let first = (b * BATCH) as u32;
            // Against the documents indexed before the batch, in parallel.
            let this = &self;
            let found: Vec<Examined> = batch
                .par_iter()
                .map_init(Vec::new, |cands, &d| {
                    let (mut keys, mut near) = (Vec::new(), Vec::new());
                    let (mut best, mut counts) = (None, DedupStats::default());
                    this.keys_of(d as usize, &mut keys);
                    this.candidates(&keys, &position, 0..first, cands);
                    this.best_of(d as usize, cands, &mut best, &mut near, &mut counts);
                    (keys, best, near, counts)
                })
                .collect();
            // Then in order, against those the batch added before each.
            for (&d, (keys, mut best, mut near, counts)) in batch.iter().zip(found) {
                let di = d as usize;
                stats.screened += counts.screened;
                stats.verified += counts.verified;
                stats.near_duplicates += counts.near_duplicates;
                self.candidates(&keys, &position, first..position[di], &mut candidates);
                self.best_of(di, &candidates, &mut best, &mut near, stats);
                for &c in &near {
                    union(
                        &mut parent,
                        position[di] as usize,
                        position[c as usize] as usize,
                    );
                }
                let mut relation = Relation::Jaccard;
                if best.is_none() && options.containment {
                    let set = &self.sets[di];
                    best = self.contained_in(set, &position, &mut sampled, &mut tally, stats);
                    relation = Relation::Containment;
                    if let (true, Some((_, c))) = (components, best) {
                        union(
                            &mut parent,
                            position[di] as usize,
                            position[c as usize] as usize,
                        );
                    }
                }
                match best {
                    Some((similarity, rep)) if !components => {
                        members[di] = Member {
                            representative: rep as usize,
                            similarity,
                            relation,
                        };
                    }
                    _ => {
                        for key in &keys {
                            self.buckets.entry(*key).or_default().push(d);
                        }
                        if options.containment {
                            for h in &self.sets[di] {
                                if self.containment_keys.binary_search(h).is_ok() {
                                    self.holders.entry(*h).or_default().push(d);
                                }
                            }
                        }
                    }
                }
            }
            progress.advance(batch.len() as u64);
        }
        if components {
            self.assign_components(&mut parent, &mut members, stats);
        }
        members
    }

    /// The representative `set` is contained in most, at least the threshold.
    fn contained_in(
        &self,
        set: &[u64],
        position: &[u32],
        sampled: &mut Vec<u64>,
        tally: &mut HashMap<u32, usize, ahash::RandomState>,
        stats: &mut DedupStats,
    ) -> Option<(f64, u32)> {
        let options = &self.dedup.options;
        sample(set, options.seed, sampled);
        tally.clear();
        for h in sampled.iter() {
            for &rep in self.holders.get(h).map(Vec::as_slice).unwrap_or(&[]) {
                *tally.entry(rep).or_default() += 1;
            }
        }
        let need = self.dedup.containment_hits.min(sampled.len());
        let mut hits: Vec<u32> = tally
            .iter()
            .filter(|(_, &count)| count >= need)
            .map(|(&rep, _)| rep)
            .collect();
        hits.sort_unstable_by_key(|&c| position[c as usize]);
        let mut best: Option<(f64, u32)> = None;
        for c in hits {
            stats.verified += 1;
            let inter = intersection_len(set, &self.sets[c as usize]);
            let contained = inter as f64 / set.len() as f64;
            if contained >= options.threshold {
                stats.near_duplicates += 1;
                if best.is_none_or(|(b, _)| contained > b) {
                    best = Some((contained, c));
                }
            }
        }
        best
    }

    /// Each component's first document in keep order represents it; members get their exact
    /// Jaccard with it, which chaining may have put below the threshold.
    fn assign_components(
        &self,
        parent: &mut [usize],
        members: &mut [Member],
        stats: &mut DedupStats,
    ) {
        let t = self.dedup.options.threshold;
        for (p, &d) in self.order.iter().enumerate() {
            let root = find(parent, p);
            if root == p {
                continue;
            }
            let rep = self.order[root] as usize;
            let (a, b) = (&self.sets[d as usize], &self.sets[rep]);
            let inter = intersection_len(a, b);
            let j = inter as f64 / (a.len() + b.len() - inter) as f64;
            let contained = inter as f64 / a.len() as f64;
            let (similarity, relation) = if self.dedup.options.containment && contained > j {
                (contained, Relation::Containment)
            } else {
                (j, Relation::Jaccard)
            };
            if similarity < t {
                stats.below_threshold += 1;
            }
            members[d as usize] = Member {
                representative: rep,
                similarity,
                relation,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(range: std::ops::Range<usize>) -> String {
        range.map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn recall_at_the_threshold_is_met_by_the_chosen_banding() {
        for (k, t) in [(128, 0.8), (128, 0.5), (256, 0.9), (64, 0.7)] {
            let d = Deduplicator::new(DedupOptions {
                permutations: k,
                threshold: t,
                ..DedupOptions::default()
            })
            .unwrap();
            let p = d.params();
            assert!(p.signature_len() <= k);
            assert!(p.collision_probability(t) >= 0.99, "{k} {t} {p:?}");
        }
    }

    #[test]
    fn least_hits_is_the_binomial_quantile() {
        // Binomial(8, 0.8): P(X ≥ 4) = 0.9896, P(X ≥ 3) = 0.9988.
        assert_eq!(least_hits(8, 0.8, 0.99), 3);
        assert_eq!(least_hits(8, 0.8, 0.98), 4);
        assert_eq!(least_hits(8, 1.0, 0.99), 8);
    }

    #[test]
    fn bad_options_are_refused() {
        for o in [
            DedupOptions {
                threshold: 0.0,
                ..DedupOptions::default()
            },
            DedupOptions {
                threshold: 1.5,
                ..DedupOptions::default()
            },
            DedupOptions {
                ngram: 0,
                ..DedupOptions::default()
            },
            DedupOptions {
                permutations: 0,
                ..DedupOptions::default()
            },
            DedupOptions {
                recall: 1.0,
                ..DedupOptions::default()
            },
        ] {
            assert!(Deduplicator::new(o).is_err());
        }
        let d = Deduplicator::new(DedupOptions::default()).unwrap();
        assert!(d.run(&["a b c"], Some(&[])).is_err());
    }

    #[test]
    fn empty_texts_are_singletons_and_identical_texts_cluster() {
        let texts = ["", "  ..  ", &words(0..50), &words(0..50)];
        let d = dedup(&texts, &DedupOptions::default()).unwrap();
        assert!(d.keep(0) && d.keep(1));
        assert_eq!(d.members[0].relation, Relation::Representative);
        // Same length: the first in input order is kept.
        assert_eq!(d.members[3].representative, 2);
        assert_eq!(d.members[3].similarity, 1.0);
        assert_eq!(d.cluster_sizes(), vec![1, 1, 2, 2]);
    }

    #[test]
    fn containment_drops_a_short_text_inside_a_long_one() {
        let long = words(0..1000);
        let short = words(400..500);
        let texts = [short.as_str(), long.as_str()];
        let plain = dedup(&texts, &DedupOptions::default()).unwrap();
        assert!(plain.keep(0) && plain.keep(1), "Jaccard is about 0.1");
        let with = dedup(
            &texts,
            &DedupOptions {
                containment: true,
                ..DedupOptions::default()
            },
        )
        .unwrap();
        assert_eq!(with.members[0].representative, 1);
        assert_eq!(with.members[0].relation, Relation::Containment);
        assert_eq!(with.members[0].similarity, 1.0);
    }

    #[test]
    fn band_keys_are_the_ones_clustering_uses() {
        let d = Deduplicator::new(DedupOptions::default()).unwrap();
        let (a, b, c) = (words(0..100), words(0..105), words(500..600));
        let mut keys = [Vec::new(), Vec::new(), Vec::new()];
        for (text, out) in [&a, &b, &c].into_iter().zip(&mut keys) {
            d.band_keys(text, out);
            assert_eq!(out.len(), d.params().bands);
        }
        let shares = |x: &[u64], y: &[u64]| x.iter().zip(y).any(|(p, q)| p == q);
        assert!(shares(&keys[0], &keys[1]));
        assert!(!shares(&keys[0], &keys[2]));
        let run = d.run(&[&a, &b, &c], None).unwrap();
        assert_eq!(run.members[0].representative, 1);
        assert_eq!(run.stats.candidate_docs, 2, "only the texts sharing a key");
        d.band_keys("", &mut keys[0]);
        assert!(keys[0].is_empty());
    }

    #[test]
    fn keep_orders() {
        let long = words(0..105);
        let short = words(0..100);
        let texts = [short.clone(), long.clone()];
        let run = |keep, dates: Option<&[Option<String>]>| {
            Deduplicator::new(DedupOptions {
                keep,
                ..DedupOptions::default()
            })
            .unwrap()
            .run(&texts, dates)
            .unwrap()
        };
        assert!(run(KeepOrder::Longest, None).keep(1));
        assert!(run(KeepOrder::First, None).keep(0));
        let dates = [None, Some("2024-01-02".to_string())];
        assert!(run(KeepOrder::Earliest, Some(&dates)).keep(1));
        let dates = [
            Some("2024-01-01".to_string()),
            Some("2024-01-02".to_string()),
        ];
        assert!(run(KeepOrder::Earliest, Some(&dates)).keep(0));
    }
}

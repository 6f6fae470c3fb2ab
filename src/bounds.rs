//! What a query needs of a stored document to know, without re-reading and re-analyzing its
//! text, that verification could not report it.
//!
//! Candidates come from sampled keys, and in a large index most of them share a key or two with
//! the query by chance. Verifying one means analyzing its text again (tokens, terms) and aligning:
//! far more than the query's own work. A profile, stored with each document, settles most of them
//! in a microsecond from two exact bounds:
//!
//! - **Passages.** The aligner keeps no passage for a pair whose chains hold fewer than
//!   `min_pair_bigrams` content bigrams, or a passage of whole sentences with fewer than
//!   `min_sentence_bigrams` (content bigrams: two consecutive terms, neither a name nor a figure, equal
//!   on both sides), or fewer than the shorter text holds ([`crate::align`]). Chains never share a
//!   position on either side, so their bigrams are a matching between equal content bigrams of A
//!   and of B: there are at most `Σ min(count in A, count in B)` of them over the distinct
//!   bigrams. A profile holds each document's content bigrams as a sorted multiset.
//! - **Resemblance** is the Jaccard similarity of the two shingle sets; a profile holds the set.
//! - **Verbatim runs** ([`crate::verbatim`]) are passages too; two texts sharing one share a
//!   winnowed fingerprint, and a profile holds those. When the bigrams rule out every other
//!   passage, the runs are all a pair can show, and they cover at most
//!   `span_per_selected` words per fingerprint position in common
//!   ([`crate::verbatim`]'s `selected`): a pair of long articles sharing one stock sentence
//!   cannot reach a tenth of either. Scan's profiles hold those positions (the crawler's
//!   stored ones do not, and count any shared fingerprint as a possible report).
//!
//! Both are kept as the low 32 bits of their hashes, one value per distinct hash, so a list's
//! length is exact and the size of the intersection of two lists as multisets can only exceed
//! the true one (values that agree in their low bits merge into larger counts, and
//! `min(a₁ + a₂, b₁ + b₂) ≥ min(a₁, b₁) + min(a₂, b₂)`): the filter may verify a pair it need
//! not, never skip one it should verify. `tests/index.rs` checks this on every pair of the
//! shipped corpus.
//!
//! Scan holds every document's profile at once between finding candidates and verifying them,
//! its values cut to 16 or 24 bits and its fingerprints left to scan's own keys ([`Narrow`],
//! about 1.5 KB for a 2,500-character article): by the same argument, a narrowed bound can only
//! let more pairs through, and it settles most candidates before any text is analyzed again.
//!
//! # Invariants
//! - `check_stored(q, sets, d, bar)` is `None`, and `may_report_pair(q, d, run, bar)` false,
//!   only if `compare_analyzed` of the two documents scores 0 or below `bar`'s `min_score`: a
//!   pair the index (or scan) would not report anyway. With or without `sets`, `check_stored`
//!   gives the same answer.
//! - [`Narrow::may_report`] is false only if `may_report_pair` of the full profiles is.
//! - Encoded, a profile is `c, n, n × u32, m, m × u32, f, f × u32` (little-endian: content pairs,
//!   shingles, bigrams, fingerprints), every list sorted.

use crate::align::AlignConfig;
use crate::detector::{Analysis, Config};
use crate::terms::Term;

/// A document's content bigrams and shingles, as 32-bit hashes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Profile {
    /// One value per distinct shingle, sorted; two shingles whose low halves agree appear twice.
    shingles: Vec<u32>,
    /// Content bigrams (sorted, repeated as often as they occur).
    bigrams: Vec<u32>,
    /// Winnowed fingerprints of verbatim runs (sorted, distinct).
    verbatim: Vec<u32>,
    /// The same, once per position winnowing selects (sorted): see [`crate::verbatim`]'s
    /// `selected`.
    selected: Vec<u32>,
    /// Words of the text: what its containment divides by.
    words: u32,
    /// Content bigrams in the sense of the aligner's "the shorter text holds": pairs of which
    /// neither term is an entity.
    content_pairs: u32,
}

/// A stored profile, borrowed from a document's body.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StoredProfile<'a> {
    shingles: &'a [u8],
    bigrams: &'a [u8],
    verbatim: &'a [u8],
    content_pairs: u32,
}

fn is_content_pair(w: &[Term], entities_count: bool) -> bool {
    entities_count || (!w[0].entity && !w[1].entity)
}

fn pair_hash(w: &[Term]) -> u32 {
    // Any fixed mix of the two term hashes: only equality matters.
    (w[0].hash.rotate_left(17) ^ w[1].hash.wrapping_mul(0x9E37_79B9_7F4A_7C15)) as u32
}

impl Profile {
    /// The profile of an analyzed document.
    pub(crate) fn of(analysis: &Analysis, config: &Config) -> Profile {
        // With entities weighing as much as other terms, the aligner counts their bigrams too.
        let entities_count = config.align.entity_weight >= 1.0;
        let mut bigrams: Vec<u32> = analysis
            .terms
            .windows(2)
            .filter(|w| is_content_pair(w, entities_count))
            .map(pair_hash)
            .collect();
        bigrams.sort_unstable();
        let content_pairs = analysis
            .terms
            .windows(2)
            .filter(|w| is_content_pair(w, false))
            .count() as u32;
        let mut shingles: Vec<u32> = analysis.shingles.iter().map(|&h| h as u32).collect();
        shingles.sort_unstable();
        let selected = crate::verbatim::selected(&analysis.tokens, config.align.min_verbatim_words);
        let mut verbatim = selected.clone();
        verbatim.dedup();
        Profile {
            shingles,
            bigrams,
            verbatim,
            selected,
            words: analysis.tokens.len() as u32,
            content_pairs,
        }
    }

    /// Winnowed fingerprints of the document's verbatim runs ([`crate::verbatim::fingerprints`]).
    pub(crate) fn verbatim(&self) -> &[u32] {
        &self.verbatim
    }

    /// Appends the encoded profile to `out`.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.content_pairs.to_le_bytes());
        for list in [&self.shingles, &self.bigrams, &self.verbatim] {
            out.extend_from_slice(&(list.len() as u32).to_le_bytes());
            for v in list.iter() {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }

    /// Encoded size in bytes.
    pub(crate) fn encoded_len(&self) -> usize {
        16 + 4 * (self.shingles.len() + self.bigrams.len() + self.verbatim.len())
    }
}

/// Reads a profile from the front of `b`, advancing it; `None` when `b` is too short.
pub(crate) fn decode<'a>(b: &mut &'a [u8]) -> Option<StoredProfile<'a>> {
    fn take<'a>(b: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        if b.len() < n {
            return None;
        }
        let (h, t) = b.split_at(n);
        *b = t;
        Some(h)
    }
    let word = |b: &mut &'a [u8]| -> Option<u32> {
        take(b, 4).map(|x| u32::from_le_bytes(x.try_into().expect("4 bytes")))
    };
    let content_pairs = word(b)?;
    let n = word(b)? as usize;
    let shingles = take(b, n.checked_mul(4)?)?;
    let m = word(b)? as usize;
    let bigrams = take(b, m.checked_mul(4)?)?;
    let f = word(b)? as usize;
    let verbatim = take(b, f.checked_mul(4)?)?;
    Some(StoredProfile {
        shingles,
        bigrams,
        verbatim,
        content_pairs,
    })
}

/// Size of the intersection of two sorted lists; with repeated values, of the multisets.
///
/// A merge without a branch on the comparison: which list advances is data, and a branch on it
/// is mispredicted about every other step. A query checks the profiles of dozens of candidates,
/// most of them chance ones that only these merges rule out, so this is the query's inner loop.
fn common<V: Values>(a: V, b: V) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a.at(i), b.at(j));
        n += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    n
}

/// [`common`] of two lists in memory: how many values two sorted lists hold in common.
pub(crate) fn common_u32(a: &[u32], b: &[u32]) -> usize {
    common(a, b)
}

/// Whether sorted `a` and `b` hold at least `need` values in common as multisets, that is
/// `common(a, b) >= need`, stopping as soon as the answer is known: scan's sieve checks
/// hundreds of thousands of pairs, most of which share next to nothing, and a pair that passes
/// usually passes early.
fn common_reaches<V: Values>(a: V, b: V, need: usize) -> bool {
    let (mut i, mut j, mut n) = (0, 0, 0);
    loop {
        if n >= need {
            return true;
        }
        let left = (a.len() - i).min(b.len() - j);
        if n + left < need {
            return false;
        }
        // Each step moves at least one side on: `left` steps stay inside both lists. The
        // answer is checked between blocks, so that the steps stay free of branches.
        for _ in 0..left.min(32) {
            let (x, y) = (a.at(i), b.at(j));
            n += usize::from(x == y);
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
    }
}

/// What verification asks of a pair, as the bounds need it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bar {
    /// The score a pair must reach to be reported.
    min_score: f64,
    /// The aligner's [`AlignConfig::min_bigrams_for_a_passage`].
    min_bigrams: usize,
    /// Words that shared runs can cover per fingerprint position in common
    /// ([`crate::verbatim`]'s `span_per_selected`).
    run_span: usize,
}

impl Bar {
    /// The bar for reporting at `min_score` with the aligner configured by `config`.
    pub(crate) fn new(config: &AlignConfig, min_score: f64) -> Bar {
        Bar {
            min_score,
            min_bigrams: config.min_bigrams_for_a_passage(),
            run_span: crate::verbatim::span_per_selected(config.min_verbatim_words),
        }
    }

    /// Whether a pair's best score could be `score`'s and be reported.
    fn reaches(&self, score: f64) -> bool {
        crate::score::reaches(score, self.min_score)
    }

    /// Content bigrams two documents holding `x` and `y` content pairs must share for the
    /// aligner to keep a passage other than a verbatim run (no more than the shorter holds).
    fn bigrams_needed(&self, x: u32, y: u32) -> usize {
        (x.min(y) as usize).min(self.min_bigrams)
    }

    /// Whether `shared` shingles in common between sets of `a` and `b` make a resemblance
    /// |A ∩ B| / (|A| + |B| − |A ∩ B|) that reaches the bar. It grows with `shared`: given an
    /// upper bound of the intersection, it is an upper bound too.
    fn resembles(&self, shared: usize, a: usize, b: usize) -> bool {
        shared > 0 && self.reaches(shared as f64 / (a + b - shared) as f64)
    }

    /// The fewest shingles in common with which sets of `a` and `b` [resemble](Bar::resembles)
    /// enough, if any number can.
    fn shared_needed(&self, a: usize, b: usize) -> Option<usize> {
        // From the estimate just below the exact root, up: the first count that passes.
        let guess = self.min_score * (a + b) as f64 / (1.0 + self.min_score);
        let from = (guess.floor() as usize).saturating_sub(1).max(1);
        (from..=a.min(b)).find(|&s| self.resembles(s, a, b))
    }
}

/// A query's lists as bitmaps, so that checking a stored profile reads each of its values
/// once, in order, with one load: an upper bound on the values in common that settles a
/// chance candidate without a merge (see [`check_stored`]).
pub(crate) struct QuerySets {
    shingles: ValueSet,
    bigrams: ValueSet,
    verbatim: ValueSet,
}

impl QuerySets {
    /// The sets of a query's profile.
    pub(crate) fn of(q: &Profile) -> QuerySets {
        QuerySets {
            shingles: ValueSet::of(&q.shingles),
            bigrams: ValueSet::of(&q.bigrams),
            verbatim: ValueSet::of(&q.verbatim),
        }
    }
}

/// A set of `u32` hashes as a bitmap of [`SET_BITS`] bits indexed by the hash's low bits:
/// membership can be wrong only by saying yes (two values sharing their low bits), so counting
/// the stored values it holds bounds the values in common from above, with one load and no
/// branch per value.
struct ValueSet {
    bits: Vec<u64>,
}

/// Bits of a [`ValueSet`]: a few hundred values leave a chance agreement for one in a few
/// hundred stored values, and the three sets of a query (48 KB) stay in the core's cache.
const SET_BITS: u32 = 17;

impl ValueSet {
    fn of(values: &[u32]) -> ValueSet {
        let mut bits = vec![0u64; (1 << SET_BITS) / 64];
        for &v in values {
            let i = (v & ((1 << SET_BITS) - 1)) as usize;
            bits[i / 64] |= 1 << (i % 64);
        }
        ValueSet { bits }
    }

    fn contains(&self, v: u32) -> bool {
        let i = (v & ((1 << SET_BITS) - 1)) as usize;
        self.bits[i / 64] >> (i % 64) & 1 != 0
    }

    /// How many of the stored (little-endian) values `b` holds may be in the set, counting
    /// repeats, up to `enough`: at least the size of the intersection of the two lists as
    /// multisets.
    fn count_in(&self, b: &[u8], enough: usize) -> usize {
        let mut n = 0;
        for w in b.chunks_exact(4) {
            n += usize::from(self.contains(u32::from_le_bytes(w.try_into().expect("4 bytes"))));
            if n >= enough {
                break;
            }
        }
        n
    }
}

/// A query's check of a stored profile: `None` when verification could not report the pair
/// (neither a passage nor the resemblance can reach `bar`), else whether the two may share a
/// verbatim run, which the alignment is told ([`crate::align::align_known`]). `sets` are the
/// query's [`QuerySets`], worth making when it has more than a few candidates.
///
/// A query checks the profiles of up to hundreds of candidates, most of them sharing a key by
/// chance, and at a million documents that is the slowest queries' time. So each stored list
/// is read once against the query's sets, which bounds the values in common from above and
/// settles a chance candidate; only a pair the bound lets through is merged for the exact count.
/// The answer is the exact bound's either way.
pub(crate) fn check_stored(
    q: &Profile,
    sets: Option<&QuerySets>,
    d: StoredProfile<'_>,
    bar: &Bar,
) -> Option<bool> {
    // Whether the lists have at least `need` values in common, by the bound first if there
    // are sets.
    let at_least = |set: fn(&QuerySets) -> &ValueSet, q: &[u32], stored: &[u8], need: usize| {
        sets.is_none_or(|s| set(s).count_in(stored, need) >= need)
            && common_stored(q, stored, need) >= need
    };
    let run = at_least(|s| &s.verbatim, &q.verbatim, d.verbatim, 1);
    // A stored profile has no fingerprint positions: a shared fingerprint may be a run
    // covering the whole of either text.
    if run && bar.reaches(1.0) {
        return Some(true);
    }
    let possible = bar.bigrams_needed(q.content_pairs, d.content_pairs);
    if at_least(|s| &s.bigrams, &q.bigrams, d.bigrams, possible) {
        return Some(run);
    }
    let (a, b) = (q.shingles.len(), d.shingles.len() / 4);
    let resembles = |shared: usize| bar.resembles(shared, a, b);
    // The shingles in common bounded from above first.
    (sets.is_none_or(|s| resembles(s.shingles.count_in(d.shingles, usize::MAX)))
        && resembles(common_stored(&q.shingles, d.shingles, usize::MAX)))
    .then_some(run)
}

/// [`common`] of a list in memory and a stored one (little-endian `u32`s), stopping once
/// `enough` values are found in common: the exact count where [`ValueSet::count_in`] bounds it.
fn common_stored(a: &[u32], b: &[u8], enough: usize) -> usize {
    let at = |j: usize| -> u32 {
        let w: [u8; 4] = b[4 * j..4 * j + 4].try_into().expect("4 bytes");
        u32::from_le_bytes(w)
    };
    let nb = b.len() / 4;
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < nb && n < enough {
        let (x, y) = (a[i], at(j));
        n += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    n
}

/// [`may_share_run`] for two profiles in memory.
pub(crate) fn may_share_run_pair(a: &Profile, b: &Profile) -> bool {
    common(&a.verbatim[..], &b.verbatim[..]) > 0
}

/// [`may_report`] for two profiles in memory (what `scan` holds while verifying), with the
/// bound on what shared runs can cover.
pub(crate) fn may_report_pair(a: &Profile, b: &Profile, shares_run: bool, bar: &Bar) -> bool {
    bound(a.lists(), b.lists(), shares_run, bar)
}

/// A sorted list of hashes, however it is held: whole (`u32`, a profile in memory) or cut to
/// their high 16 or 24 bits ([`Packed`], a narrowed profile).
trait Values: Copy {
    fn len(self) -> usize;
    /// Value `i` (`i < len`).
    fn at(self, i: usize) -> u32;
}

impl Values for &[u32] {
    #[inline]
    fn len(self) -> usize {
        <[u32]>::len(self)
    }
    #[inline]
    fn at(self, i: usize) -> u32 {
        self[i]
    }
}

/// Values of `W` bytes each, most significant first (so that sorting the integers sorts these),
/// in a run of bytes.
#[derive(Clone, Copy)]
struct Packed<'a, const W: usize>(&'a [u8]);

impl<const W: usize> Values for Packed<'_, W> {
    #[inline]
    fn len(self) -> usize {
        self.0.len() / W
    }
    #[inline]
    fn at(self, i: usize) -> u32 {
        self.0[i * W..(i + 1) * W]
            .iter()
            .fold(0, |x, &b| x << 8 | u32::from(b))
    }
}

/// One side of a pair, however it is held: its shingles' hashes as `S`, its bigrams' as `B`,
/// its selected fingerprint positions' as `R` (unknown for a stored profile).
struct Lists<S, B, R> {
    shingles: S,
    bigrams: B,
    selected: Option<R>,
    words: u32,
    content_pairs: u32,
}

impl Profile {
    fn lists(&self) -> Lists<&[u32], &[u32], &[u32]> {
        Lists {
            shingles: &self.shingles,
            bigrams: &self.bigrams,
            selected: Some(&self.selected),
            words: self.words,
            content_pairs: self.content_pairs,
        }
    }
}

/// The bound, given whether the two documents share a verbatim-run fingerprint.
fn bound<S: Values, B: Values, R: Values>(
    q: Lists<S, B, R>,
    d: Lists<S, B, R>,
    shares_run: bool,
    bar: &Bar,
) -> bool {
    bound_by(
        &q,
        &d,
        shares_run,
        bar,
        |need| common_reaches(q.bigrams, d.bigrams, need),
        || q.selected.zip(d.selected).map(|(x, y)| common(x, y)),
        |need| common_reaches(q.shingles, d.shingles, need),
    )
}

/// [`bound`] with the values the two sides' lists hold in common counted by the callers:
/// `bigrams(need)` and `shingles(need)` say whether there are at least `need`, `selected()`
/// how many selected fingerprint positions (`None`: unknown). Counts that can only exceed the
/// true ones give a bound that can only let more pairs through.
fn bound_by<S: Values, B, R>(
    q: &Lists<S, B, R>,
    d: &Lists<S, B, R>,
    shares_run: bool,
    bar: &Bar,
    bigrams: impl FnOnce(usize) -> bool,
    selected: impl FnOnce() -> Option<usize>,
    shingles: impl FnOnce(usize) -> bool,
) -> bool {
    if bigrams(bar.bigrams_needed(q.content_pairs, d.content_pairs)) {
        return true;
    }
    // No passage but verbatim runs, which cover the same number of words on both sides: at
    // most `run_span` per selected position in common.
    if shares_run {
        let runs = match selected() {
            Some(n) => match q.words.min(d.words) {
                0 => 0.0,
                shorter => (bar.run_span * n) as f64 / f64::from(shorter),
            },
            None => 1.0,
        };
        if bar.reaches(runs.min(1.0)) {
            return true;
        }
    }
    // The shingles in common, an upper bound once their values are cut.
    bar.shared_needed(q.shingles.len(), d.shingles.len())
        .is_some_and(shingles)
}

/// The profiles of consecutive documents, narrowed and flat, without their distinct
/// fingerprints: what scan holds for each document from its analysis to its verification (scan
/// knows from its keys which pairs share a fingerprint). Each list keeps the high bits of its
/// values, which stay sorted. Shingles keep 16: resemblance needs dozens in common, and chance
/// agreements add about one. Bigrams keep 24: two in common make a possible passage, and at 16
/// bits chance agreements would let many more candidates through. Cutting merges values, so
/// intersections can only grow and [`Narrow::may_report`] lets through every pair
/// [`may_report_pair`] would (and, by chance, a few more). The selected fingerprint positions
/// keep 16 bits too: only what shared runs can cover is read from them, and a chance agreement
/// adds `run_span` words (12). About 1.5 KB for a 2,500-character article (the positions add
/// 0.5 KB, and settle half the candidates left on the peer corpus).
#[derive(Default)]
pub(crate) struct Narrow {
    /// Each document's profile in one run of bytes, so that checking a pair reads one place in
    /// memory for each side rather than six: its words, its content pairs and the lengths of
    /// its shingle and bigram lists (`u32`, little-endian), then its shingles (2 bytes each),
    /// bigrams (3 bytes) and selected positions (2 bytes), most significant byte first.
    bytes: Vec<u8>,
    /// Where each document's bytes start.
    starts: Vec<usize>,
}

/// Bytes of a document's head in [`Narrow`].
const HEAD: usize = 16;

impl Narrow {
    /// Appends a document's profile.
    pub(crate) fn push(&mut self, p: &Profile) {
        self.starts.push(self.bytes.len());
        for n in [
            p.words,
            p.content_pairs,
            p.shingles.len() as u32,
            p.bigrams.len() as u32,
        ] {
            self.bytes.extend_from_slice(&n.to_le_bytes());
        }
        // The high bits of sorted values are sorted: no list needs sorting again (cutting the
        // low bits took a fifth of scan's first analysis of each document).
        for &v in &p.shingles {
            self.bytes.extend_from_slice(&v.to_be_bytes()[..2]);
        }
        for &v in &p.bigrams {
            self.bytes.extend_from_slice(&v.to_be_bytes()[..3]);
        }
        for &v in &p.selected {
            self.bytes.extend_from_slice(&v.to_be_bytes()[..2]);
        }
    }

    /// Gives back spare capacity (the chunk is complete).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.starts.shrink_to_fit();
    }

    /// Documents held.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.starts.len()
    }

    fn lists(&self, i: usize) -> Lists<Packed<'_, 2>, Packed<'_, 3>, Packed<'_, 2>> {
        let end = self.starts.get(i + 1).copied().unwrap_or(self.bytes.len());
        let (head, rest) = self.bytes[self.starts[i]..end].split_at(HEAD);
        let field = |k: usize| u32::from_le_bytes([0, 1, 2, 3].map(|b| head[4 * k + b]));
        let (shingles, rest) = rest.split_at(2 * field(2) as usize);
        let (bigrams, selected) = rest.split_at(3 * field(3) as usize);
        Lists {
            shingles: Packed(shingles),
            bigrams: Packed(bigrams),
            selected: Some(Packed(selected)),
            words: field(0),
            content_pairs: field(1),
        }
    }

    /// Whether document `i` of `self` and document `j` of `other` may reach `bar` (see
    /// [`may_report`]), given whether they may share a fingerprint.
    pub(crate) fn may_report(
        &self,
        i: usize,
        other: &Narrow,
        j: usize,
        may_share_run: bool,
        bar: &Bar,
    ) -> bool {
        bound(self.lists(i), other.lists(j), may_share_run, bar)
    }

    /// Whether the shingle sets of document `i` of `self` and document `j` of `other` may
    /// resemble each other enough to reach `bar` (an upper bound of their Jaccard similarity).
    pub(crate) fn may_resemble(&self, i: usize, other: &Narrow, j: usize, bar: &Bar) -> bool {
        let (q, d) = (self.lists(i), other.lists(j));
        bar.shared_needed(q.shingles.len(), d.shingles.len())
            .is_some_and(|need| common_reaches(q.shingles, d.shingles, need))
    }

    /// [`Narrow::may_report`] of the document whose lists `sets` holds (document `i` of
    /// `self`) and document `j` of `other`: the same answer, settled when it can be from the
    /// values of `j`'s lists that `sets` holds, an upper bound on the values in common.
    pub(crate) fn may_report_from(
        &self,
        i: usize,
        sets: &NarrowSets,
        other: &Narrow,
        j: usize,
        may_share_run: bool,
        bar: &Bar,
    ) -> bool {
        let (q, d) = (self.lists(i), other.lists(j));
        // Counting `j`'s values that the sets hold bounds the values in common from above.
        let possible = bound_by(
            &q,
            &d,
            may_share_run,
            bar,
            |need| sets.bigrams.count_in(d.bigrams, need) >= need,
            || d.selected.map(|y| sets.selected.count_in(y, usize::MAX)),
            |need| sets.shingles.count_in(d.shingles, need) >= need,
        );
        possible && bound(q, d, may_share_run, bar)
    }
}

/// The lists of one document of a [`Narrow`] as bitmaps, so that checking it against many
/// others reads each of their values once, in order, with one load, rather than merging two
/// lists per pair: scan's sieve checks each document against all its candidates at once, a
/// dozen of them at a million documents, most of which share next to nothing with it. Made
/// once per worker, loaded with one document after another ([`NarrowSets::load`]).
pub(crate) struct NarrowSets {
    shingles: Bitmap16,
    bigrams: Bitmap16,
    selected: Bitmap16,
}

/// A set of 16-bit values as 65,536 bits (8 KB): exact for the 16-bit narrowed shingles and
/// fingerprint positions, an upper bound for the 24-bit bigrams, kept by their low 16 bits.
struct Bitmap16 {
    bits: Vec<u64>,
}

impl Bitmap16 {
    fn new() -> Bitmap16 {
        Bitmap16 {
            bits: vec![0; (1 << 16) / 64],
        }
    }

    fn insert<V: Values>(&mut self, values: V) {
        for k in 0..values.len() {
            let v = values.at(k) as u16 as usize;
            self.bits[v / 64] |= 1 << (v % 64);
        }
    }

    /// Empties a set that holds only `values`, clearing the words they are in rather than all
    /// 8 KB.
    fn clear<V: Values>(&mut self, values: V) {
        for k in 0..values.len() {
            self.bits[values.at(k) as u16 as usize / 64] = 0;
        }
    }

    /// How many of `values` (counting repeats) may be in the set, up to `enough`: at least the
    /// size of the intersection of the set's list and `values` as multisets.
    fn count_in<V: Values>(&self, values: V, enough: usize) -> usize {
        let mut n = 0;
        for k in 0..values.len() {
            let v = values.at(k) as u16 as usize;
            n += (self.bits[v / 64] >> (v % 64) & 1) as usize;
            if n >= enough {
                break;
            }
        }
        n
    }
}

impl NarrowSets {
    /// Empty sets.
    pub(crate) fn new() -> NarrowSets {
        NarrowSets {
            shingles: Bitmap16::new(),
            bigrams: Bitmap16::new(),
            selected: Bitmap16::new(),
        }
    }

    /// Holds document `i` of `narrow` from now on, `previous` (document `p` of its `Narrow`)
    /// until now.
    pub(crate) fn load(&mut self, previous: Option<(&Narrow, usize)>, narrow: &Narrow, i: usize) {
        if let Some((n, p)) = previous {
            let l = n.lists(p);
            self.shingles.clear(l.shingles);
            self.bigrams.clear(l.bigrams);
            self.selected.clear(l.selected.expect("narrowed"));
        }
        let l = narrow.lists(i);
        self.shingles.insert(l.shingles);
        self.bigrams.insert(l.bigrams);
        self.selected.insert(l.selected.expect("narrowed"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Detector;

    fn words(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
        b.chunks_exact(4)
            .map(|x| u32::from_le_bytes(x.try_into().expect("4 bytes")))
    }

    proptest::proptest! {
        /// A set holds every value it was made of (and others only if their low bits agree with
        /// one's), and counts the stored values it holds, repeats too.
        #[test]
        fn value_sets_hold_exactly_their_values(
            values in proptest::collection::vec(proptest::prop_oneof![0u32..64, proptest::num::u32::ANY], 0..300),
            probes in proptest::collection::vec(proptest::prop_oneof![0u32..64, proptest::num::u32::ANY], 0..300),
        ) {
            let set = ValueSet::of(&values);
            let mut stored = Vec::new();
            let low = |v: u32| v & ((1 << SET_BITS) - 1);
            let held = |v: &u32| values.iter().any(|&x| low(x) == low(*v));
            for &v in &probes {
                proptest::prop_assert_eq!(set.contains(v), held(&v));
                proptest::prop_assert!(!values.contains(&v) || set.contains(v));
                stored.extend_from_slice(&v.to_le_bytes());
            }
            let n = probes.iter().filter(|v| held(v)).count();
            proptest::prop_assert_eq!(set.count_in(&stored, usize::MAX), n);
            proptest::prop_assert_eq!(set.count_in(&stored, 2), n.min(2));
        }
    }

    #[test]
    fn encoding_round_trips_and_multisets_intersect() {
        assert_eq!(common(&[1u32, 2, 2, 2, 5][..], &[2, 2, 5, 6][..]), 3);
        // Stopping early gives the same answers as counting everything.
        let mut x = 7u64;
        let mut next = move |m: u64| (crate::testing::xorshift64(&mut x) % m) as u32;
        for _ in 0..500 {
            let (m, la, lb) = (1 + u64::from(next(400)), next(150), next(150));
            let mut a: Vec<u32> = (0..la).map(|_| next(m)).collect();
            let mut b: Vec<u32> = (0..lb).map(|_| next(m)).collect();
            a.sort_unstable();
            b.sort_unstable();
            let n = common(&a[..], &b[..]);
            for need in [0, 1, 2, n.saturating_sub(1), n, n + 1, n + 40] {
                assert_eq!(
                    common_reaches(&a[..], &b[..], need),
                    n >= need,
                    "{a:?} {b:?} {need}"
                );
            }
        }
        // The fewest shingles in common that resemble is the least count that does.
        for min_score in [0.0, 0.01, 0.1, 0.3, 0.8, 1.0] {
            let bar = Bar {
                min_score,
                min_bigrams: 2,
                run_span: 12,
            };
            for (a, b) in [
                (0, 0),
                (0, 5),
                (1, 1),
                (3, 300),
                (300, 310),
                (1000, 7),
                (57, 57),
            ] {
                let least = (0..=a.min(b)).find(|&s| bar.resembles(s, a, b));
                assert_eq!(bar.shared_needed(a, b), least, "{min_score} {a} {b}");
            }
        }
        // Three bytes compare as the integers they cut.
        let three = |v: &[u32]| -> Vec<u8> {
            v.iter()
                .flat_map(|x| x.to_be_bytes()[1..].to_vec())
                .collect()
        };
        let (a, b) = (
            three(&[0x01_00FF, 0x02_0000, 0xFF_0001]),
            three(&[0x02_0000, 0xFF_0001]),
        );
        let (a, b) = (Packed::<3>(&a), Packed::<3>(&b));
        assert_eq!(common(a, b), 2);
        assert!((1..a.len()).all(|i| a.at(i - 1) < a.at(i)));
        assert_eq!(common(&[2u32, 2, 5, 6][..], &[1, 2, 2, 2, 5][..]), 3);
        assert_eq!(common::<&[u32]>(&[], &[1]), 0);
        let two = |v: &[u16]| -> Vec<u8> { v.iter().flat_map(|x| x.to_be_bytes()).collect() };
        let (a, b) = (two(&[7, 9]), two(&[1, 3, 7, 8, 9, 10]));
        assert_eq!(common(Packed::<2>(&a), Packed::<2>(&b)), 2);
        let d = Detector::default();
        let a = d.analyze_unsketched(
            "Le conseil municipal a voté jeudi un budget pour rénover les écoles de la ville.",
        );
        let p = Profile::of(&a, d.config());
        let mut buf = Vec::new();
        p.encode(&mut buf);
        assert_eq!(buf.len(), p.encoded_len());
        buf.push(7);
        let mut rest = &buf[..];
        let s = decode(&mut rest).unwrap();
        assert_eq!(rest, &[7]);
        assert_eq!(words(s.shingles).collect::<Vec<_>>(), p.shingles);
        assert_eq!(words(s.bigrams).collect::<Vec<_>>(), p.bigrams);
        assert_eq!(words(s.verbatim).collect::<Vec<_>>(), p.verbatim);
        let bar = Bar::new(&d.config().align, 0.1);
        let sets = QuerySets::of(&p);
        assert_eq!(
            check_stored(&p, Some(&sets), s, &bar),
            Some(true),
            "a text shares runs with itself"
        );
        assert_eq!(
            sets.shingles.count_in(s.shingles, usize::MAX),
            p.shingles.len()
        );
        assert_eq!(sets.verbatim.count_in(&[0, 0, 0, 0, 7, 0, 0, 0], 9), 0);
        assert_eq!(
            common_stored(&p.bigrams, s.bigrams, usize::MAX),
            p.bigrams.len()
        );
        assert_eq!(common_stored(&p.bigrams, s.bigrams, 2), 2);
        assert!(decode(&mut &buf[..buf.len() - 5]).is_none());
    }

    /// A sentence a site puts under every article: pages sharing it share a verbatim run and
    /// nothing else.
    const STOCK: &str = "Publié le 12 mars 2024 à 18 h 30, mis à jour à 19 h.";

    #[test]
    fn a_narrowed_profile_holds_the_high_bits_of_each_list() {
        let d = Detector::default();
        let mut narrow = Narrow::default();
        let profiles: Vec<Profile> = ["", "Le conseil municipal a voté le budget des écoles."]
            .iter()
            .chain(std::iter::repeat_n(&STOCK, 2))
            .map(|t| Profile::of(&d.analyze_unsketched(t), d.config()))
            .collect();
        for p in &profiles {
            narrow.push(p);
        }
        let values = |v: Packed<'_, 2>| (0..v.len()).map(|i| v.at(i)).collect::<Vec<u32>>();
        for (i, p) in profiles.iter().enumerate() {
            let l = narrow.lists(i);
            assert_eq!((l.words, l.content_pairs), (p.words, p.content_pairs));
            let cut = |list: &[u32], bits: u32| -> Vec<u32> {
                list.iter().map(|&v| v >> (32 - bits)).collect()
            };
            assert_eq!(values(l.shingles), cut(&p.shingles, 16));
            let bigrams: Vec<u32> = (0..l.bigrams.len()).map(|k| l.bigrams.at(k)).collect();
            assert_eq!(bigrams, cut(&p.bigrams, 24));
            assert_eq!(values(l.selected.unwrap()), cut(&p.selected, 16));
            assert!(values(l.shingles).is_sorted() && bigrams.is_sorted());
        }
        assert!(!profiles[1].bigrams.is_empty() && !profiles[2].selected.is_empty());
    }

    #[test]
    fn skips_only_pairs_verification_would_not_report() {
        // Every pair of the shipped corpus, plus every document against a copy of itself
        // rewritten with its sentences in reverse order (passages, no shared resemblance), and
        // pages of one site under a stock line (a verbatim run with one content bigram): three
        // documents long, or one sentence short.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
        let docs = crate::input::load(&[root]).documents;
        let mut texts: Vec<String> = docs.iter().map(|d| d.text.clone()).collect();
        for d in &docs {
            let mut parts: Vec<&str> = d.text.split(". ").collect();
            parts.reverse();
            texts.push(parts.join(". "));
        }
        let first_page = texts.len();
        for (n, group) in docs.chunks(3).enumerate() {
            let body = if n % 2 == 0 {
                group
                    .iter()
                    .map(|d| d.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n\n")
            } else {
                group[0].text.split(". ").next().unwrap_or("").to_string()
            };
            texts.push(format!("{body}\n\n{STOCK}"));
        }
        let d = Detector::default();
        let analyses: Vec<Analysis> = texts.iter().map(|t| d.analyze_unsketched(t)).collect();
        let profiles: Vec<(Profile, Vec<u8>)> = analyses
            .iter()
            .map(|a| {
                let p = Profile::of(a, d.config());
                let mut b = Vec::new();
                p.encode(&mut b);
                (p, b)
            })
            .collect();
        let mut narrow = Narrow::default();
        for (p, _) in &profiles {
            narrow.push(p);
        }
        assert_eq!(narrow.len(), texts.len());
        let (mut pairs, mut skipped, mut narrow_skipped, mut skipped_runs) = (0, 0, 0, 0);
        // Pairs sharing a run that the bound on what runs cover settles, and those it leaves.
        let (mut runs_settled, mut runs_left, mut long_pairs) = (0, 0, 0);
        let sets: Vec<QuerySets> = profiles.iter().map(|(p, _)| QuerySets::of(p)).collect();
        // One document's narrowed lists as bitmaps at a time, as scan's sieve holds them.
        let mut narrow_sets = NarrowSets::new();
        for i in 0..texts.len() {
            narrow_sets.load(i.checked_sub(1).map(|p| (&narrow, p)), &narrow, i);
            for j in 0..texts.len() {
                if i == j {
                    continue;
                }
                let full = d.compare_analyzed(&analyses[i], &analyses[j]);
                let score = full.max_score();
                // Texts whose fingerprints do not meet share no verbatim run: aligning them
                // without looking for runs gives the same comparison.
                let stored = decode(&mut &profiles[j].1[..]).unwrap();
                let run = may_share_run_pair(&profiles[i].0, &profiles[j].0);
                skipped_runs += usize::from(!run);
                if !run {
                    assert_eq!(d.compare_known(&analyses[i], &analyses[j], false), full);
                }
                for min_score in [0.01, 0.1, 0.3] {
                    pairs += 1;
                    let bar = Bar::new(&d.config().align, min_score);
                    // The stored profile has no fingerprint positions: it counts a shared
                    // fingerprint as a possible report.
                    let checked = check_stored(&profiles[i].0, Some(&sets[i]), stored, &bar);
                    assert_eq!(checked, check_stored(&profiles[i].0, None, stored, &bar));
                    let stored_bound = checked.is_some();
                    assert!(checked.is_none_or(|r| r == run));
                    let (x, y) = (&profiles[i].0, &profiles[j].0);
                    let without_positions = Lists {
                        selected: None,
                        ..y.lists()
                    };
                    assert_eq!(stored_bound, bound(x.lists(), without_positions, run, &bar));
                    let full = may_report_pair(&profiles[i].0, &profiles[j].0, run, &bar);
                    assert!(stored_bound || !full, "pair {i}, {j} at {min_score}");
                    let no_term_passage = common(&x.bigrams[..], &y.bigrams[..])
                        < bar.bigrams_needed(x.content_pairs, y.content_pairs);
                    if min_score == 0.1 && run && no_term_passage && score < min_score {
                        if full {
                            runs_left += 1;
                        } else {
                            runs_settled += 1;
                        }
                        // Pages of 700 words or more sharing only the stock line (15 words):
                        // the bound on what runs cover shows it is far from a tenth of either.
                        let long = |k: usize, p: &Profile| k >= first_page && p.words >= 700;
                        if long(i, x) && long(j, y) {
                            assert!(!full, "pages {i}, {j}");
                            long_pairs += 1;
                        }
                    }
                    let n = narrow.may_report(i, &narrow, j, run, &bar);
                    assert_eq!(
                        narrow.may_report_from(i, &narrow_sets, &narrow, j, run, &bar),
                        n,
                        "pair {i}, {j} at {min_score}: the bitmaps change the answer"
                    );
                    narrow_skipped += usize::from(!n);
                    assert!(n || !full, "pair {i}, {j} at {min_score}: narrow skips it");
                    if !stored_bound {
                        assert!(!full);
                    }
                    if !full {
                        skipped += 1;
                        assert!(
                            score < min_score || score == 0.0,
                            "pair {i}, {j} scores {score} at {min_score}"
                        );
                    }
                }
            }
        }
        // And it is worth having: most pairs of different stories are settled without aligning.
        assert!(skipped * 10 > pairs * 7, "{skipped} of {pairs} skipped");
        // Most pairs share no run: the reverse-order copies and the same story told twice do.
        assert!(
            skipped_runs * 10 > texts.len() * (texts.len() - 1) * 8,
            "{skipped_runs}"
        );
        assert!(skipped_runs < texts.len() * (texts.len() - 1));
        // Of the pairs sharing a run and no term passage that are not reported at the default
        // threshold, the bound on what runs cover settles those of long pages, not all: a short
        // page's share of the stock line can reach a tenth.
        assert!(long_pairs >= 20, "{long_pairs}");
        assert!(runs_settled > long_pairs && runs_left > 0);
        // Cut to 16 bits, it settles nearly as many.
        assert!(
            narrow_skipped * 100 > skipped * 98,
            "{narrow_skipped} against {skipped}"
        );
    }
}

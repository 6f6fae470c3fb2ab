//! An exact upper bound on the containment alignment can find, from where A's words and terms
//! occur in B at all: what lets a high `--min-score` skip the alignment of a pair that cannot
//! reach it.
//!
//! The aligner ([`crate::align`]) covers A's words with passages built in steps, and each step
//! only ever covers words that a weaker, order-free condition allows:
//!
//! 1. A chain's points are terms of A equal to terms of B, each weighing at most its own weight
//!    in A (1, or [`AlignConfig::entity_weight`] for a name or figure), and consecutive points
//!    skip at most [`AlignConfig::max_gap`] terms, on both sides. So where one point weighs less
//!    than a passage needs, a point is a *linked* term of A: one of the terms at most `max_gap`
//!    before or after it in A comes, in the same order, at most `max_gap` terms from it in B.
//!    A chain lies inside a stretch of A where no more than `max_gap` terms in a row are not
//!    linked, and the part kept of it spans terms whose *marked* weight (the weight of A's
//!    linked terms) reaches [`AlignConfig::min_density`] of their weight and the least weight of
//!    matches asked of a passage. Here every such span is taken, whatever else B's order says.
//!    (Links are what keeps the bound low for two texts on one topic: their common words are
//!    each in the other, but rarely two of them in the same order and close.)
//! 2. Passages closer than [`AlignConfig::merge_gap`] terms merge: the gaps between spans that
//!    close are taken too.
//! 3. A passage runs from the word of its first term to the word of its last, and extends over
//!    neighbouring words equal on both sides: here over any neighbouring word that B holds.
//! 4. A verbatim run is at least [`AlignConfig::min_verbatim_words`] words in a row, each equal to
//!    B's: here any that many words in a row that B holds.
//!
//! Rules that only drop passages (too few bigrams, sentences not covered, one-to-one overlaps)
//! are left out. So the share of A's words covered here is at least the containment of A in B
//! that [`crate::Detector::compare`] reports; the tests below check it on every pair of the
//! shipped corpus and on reordered copies. It costs a few passes over A's words and terms with
//! a lookup or a few each, a tenth of an alignment, and it is low for two texts that share a
//! sentence or two among unrelated ones: their words met elsewhere in B are scattered, too
//! sparse to be a passage, and rarely linked.
//!
//! The walk goes left to right, and settles A's words as it goes: those before the next place
//! a passage could start (less the words B holds just before it, which that passage would
//! extend over) can no longer change. A caller that only asks whether a pair can reach a
//! score gives it as a floor, and the walk stops once the words it left uncovered are more
//! than the floor allows: a pair far below it costs the part of A that shows it (on pages that
//! share a sentence or two, about a third of A's terms).
//!
//! # Invariants
//! - `max_containment(a, &Reach::of(b), ..) >= compare(a, b).containment_a_in_b` for every pair
//!   of texts and every configuration.
//! - With a floor, the result is the same where it reaches the floor, and below it otherwise
//!   (still at least the bound without one).

use crate::align::AlignConfig;
use crate::detector::Analysis;

/// What the bound needs of B: the distinct hashes of its words, of its terms, and of its
/// ordered pairs of terms close enough to be consecutive points of a chain, sorted.
#[derive(Clone, Debug, Default)]
pub(crate) struct Reach {
    words: Vec<u64>,
    terms: Vec<u64>,
    links: Vec<u64>,
    /// Total weight of its terms (as the aligner weighs them).
    weight: f32,
}

impl Reach {
    /// The reach of an analyzed text.
    pub(crate) fn of(b: &Analysis, config: &AlignConfig) -> Reach {
        let mut words = b.tokens.word_hashes().to_vec();
        words.sort_unstable();
        words.dedup();
        let mut terms: Vec<u64> = b.terms.iter().map(|t| t.hash).collect();
        terms.sort_unstable();
        terms.dedup();
        let mut links = Vec::with_capacity(b.terms.len() * (config.max_gap + 1));
        for (j, t) in b.terms.iter().enumerate() {
            for p in &b.terms[before(j, config)] {
                links.push(link(p.hash, t.hash));
            }
        }
        links.sort_unstable();
        links.dedup();
        Reach {
            words,
            terms,
            links,
            weight: total_weight(b.terms.iter().map(|t| t.entity), config),
        }
    }
}

/// The terms before term `j` that a chain can step from to `j`: at most `max_gap` skipped.
fn before(j: usize, config: &AlignConfig) -> std::ops::Range<usize> {
    j.saturating_sub(config.max_gap + 1)..j
}

/// One value for the ordered pair of term hashes `(p, t)`.
fn link(p: u64, t: u64) -> u64 {
    p.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29) ^ t
}

fn term_weight(entity: bool, config: &AlignConfig) -> f32 {
    if entity {
        config.entity_weight as f32
    } else {
        1.0
    }
}

/// The total weight of terms whose entity flags are given, summed in order, as the aligner's
/// prefix sums are.
fn total_weight(entities: impl Iterator<Item = bool>, config: &AlignConfig) -> f32 {
    entities.fold(0.0f32, |acc, e| acc + term_weight(e, config))
}

/// Buffers the bound reuses from one pair to the next: it runs on hundreds of thousands of
/// pairs in a scan's sieve, each a few microseconds.
#[derive(Default)]
pub(crate) struct Scratch {
    marks: Vec<Mark>,
    covered: Vec<bool>,
    got: Vec<f32>,
    slack: Vec<f32>,
    best: Vec<f32>,
    spans: Vec<(usize, usize)>,
}

/// A term of A as the bound reads it.
#[derive(Clone, Copy, Debug)]
struct Mark {
    /// Its word.
    token: u32,
    /// Its weight in A.
    weight: f32,
    /// Its hash (as far as the caller keeps it).
    hash: u64,
    /// B holds a term with its hash.
    held: bool,
    /// It can be a point of a chain of two points or more: one of the held terms at most
    /// `max_gap` terms before or after it in A comes in the same order, at most `max_gap`
    /// terms apart, in B.
    linked: bool,
}

impl Mark {
    /// Whether it counts as a point of a chain: linked, or with `links` off, held.
    fn point(&self, links: bool) -> bool {
        if links {
            self.linked
        } else {
            self.held
        }
    }
}

/// Sets [`Mark::linked`] on `marks` from their links to the terms `to` (and from them),
/// `links(p, t)` telling whether B holds term `t` at most `max_gap` terms after a term `p`.
fn link_marks(
    marks: &mut [Mark],
    to: std::ops::Range<usize>,
    config: &AlignConfig,
    links: impl Fn(u64, u64) -> bool,
) {
    for i in to {
        if !marks[i].held {
            continue;
        }
        for k in before(i, config) {
            // A link only marks: once both ends are, it is not looked up.
            if marks[k].held
                && !(marks[k].linked && marks[i].linked)
                && links(marks[k].hash, marks[i].hash)
            {
                marks[k].linked = true;
                marks[i].linked = true;
            }
        }
    }
}

/// At least the containment of `a` in the text `b` that the aligner can find (see the module
/// docs), `may_share_run` false only when the two share no verbatim run. Where that bound is
/// below `floor`, the walk may stop short and give a share between it and `floor`: a caller
/// asking whether a pair can reach `floor` learns it sooner.
pub(crate) fn max_containment(
    a: &Analysis,
    b: &Reach,
    config: &AlignConfig,
    may_share_run: bool,
    floor: f64,
    scratch: &mut Scratch,
) -> f64 {
    let words = a.tokens.word_hashes();
    let own = Own {
        words: words.len(),
        terms: a.terms.len(),
        weight: total_weight(a.terms.iter().map(|t| t.entity), config),
        mark: |k: usize| {
            let t = &a.terms[k];
            Mark {
                token: t.token,
                weight: term_weight(t.entity, config),
                hash: t.hash,
                held: b.terms.binary_search(&t.hash).is_ok(),
                linked: false,
            }
        },
    };
    let other = Other {
        weight: b.weight,
        holds_word: |i: usize| b.words.binary_search(&words[i]).is_ok(),
        holds_link: |p, t| b.links.binary_search(&link(p, t)).is_ok(),
    };
    bound(&own, &other, config, may_share_run, floor, scratch)
}

/// What the bound reads of A, however A is kept.
struct Own<M> {
    /// How many words it has.
    words: usize,
    /// How many terms.
    terms: usize,
    /// The total weight of its terms, as [`total_weight`] sums it.
    weight: f32,
    /// Term `k` as the bound reads it, `held` looked up in B: made only as far as the walk
    /// goes.
    mark: M,
}

/// What the bound asks of B, however B is kept.
struct Other<W, L> {
    /// The total weight of its terms.
    weight: f32,
    /// Whether it holds A's word `i`.
    holds_word: W,
    /// Whether it holds a term `t` at most `max_gap` terms after a term `p` (hashes as A's
    /// marks have them).
    holds_link: L,
}

/// The share of A's words that passages with B (`other`) could cover, from A's terms
/// (`own`); or, once that share is sure to fall below `floor`, a share below `floor` that is
/// still at least it. The words are settled left to right as the chains are found, so a pair
/// far from the floor costs a walk over the part of A that shows it.
fn bound<M: Fn(usize) -> Mark, W: Fn(usize) -> bool, L: Fn(u64, u64) -> bool>(
    own: &Own<M>,
    other: &Other<W, L>,
    config: &AlignConfig,
    may_share_run: bool,
    floor: f64,
    buf: &mut Scratch,
) -> f64 {
    let n = own.words;
    if n == 0 {
        return 0.0;
    }
    let mut covered = std::mem::take(&mut buf.covered);
    covered.clear();
    covered.resize(n, false);
    let mut sweep = Sweep {
        covered: &mut covered,
        done: 0,
        scanned: 0,
        run_start: 0,
        runs_to: 0,
        run_len: 0,
        spanned_to: 0,
        uncovered: 0,
        floor,
        min_run: if may_share_run {
            config.min_verbatim_words
        } else {
            0
        },
    };
    let mut marks = std::mem::take(&mut buf.marks);
    marks.clear();
    chain_cover(own, &mut marks, other, config, &mut sweep, buf);
    let share = sweep.share();
    buf.covered = covered;
    buf.marks = marks;
    share
}

/// A's words as the walk settles them, left to right: the coverage of the words before `done`
/// is final, and those left uncovered are counted.
struct Sweep<'c> {
    covered: &'c mut [bool],
    done: usize,
    /// The words before it have been looked at for `run_start`.
    scanned: usize,
    /// Where the run of words B holds that ends at `scanned` starts.
    run_start: usize,
    /// The words before it have been searched for verbatim runs...
    runs_to: usize,
    /// ...and this many words before it are held by B, in a row (0: not known to be any).
    run_len: usize,
    /// The end of the last words spanned by a passage.
    spanned_to: usize,
    uncovered: usize,
    floor: f64,
    /// Fewest words B holds in a row that are a verbatim run, 0 for none.
    min_run: usize,
}

impl Sweep<'_> {
    /// The share of words covered, counting those not settled yet as covered.
    fn share(&self) -> f64 {
        let n = self.covered.len();
        (n - self.uncovered) as f64 / n as f64
    }

    /// Marks A's words `from..to` as spanned by a passage (none of them settled yet).
    fn span(&mut self, from: usize, to: usize) {
        debug_assert!(from >= self.done);
        let to = to.min(self.covered.len());
        self.covered[from..to].iter_mut().for_each(|c| *c = true);
        self.spanned_to = self.spanned_to.max(to);
    }

    /// Settles the words before `frontier`, where the next passage may start, but for the run
    /// of words B holds that ends there (that passage would extend over it): passages extend
    /// over the neighbouring words B holds (step 3 of the module docs) and verbatim runs are
    /// taken (step 4). Whether the share can still reach the floor.
    fn settle(&mut self, frontier: usize, held: &impl Fn(usize) -> bool) -> bool {
        let n = self.covered.len();
        let frontier = frontier.min(n);
        if frontier > self.scanned {
            if self.min_run > 0 {
                self.find_runs(frontier, held);
            }
            // Back from the frontier to the first word B does not hold, if any since the last
            // time: a few words, mostly.
            let mut s = frontier;
            while s > self.scanned && held(s - 1) {
                s -= 1;
            }
            if s > self.scanned {
                self.run_start = s;
            }
            self.scanned = frontier;
        }
        // Settled words end where a word B does not hold does (or at the end of A): no
        // extension nor run crosses into or out of them.
        let end = if frontier == n { n } else { self.run_start };
        if end <= self.done {
            return true;
        }
        let (lo, c) = (self.done, &mut *self.covered);
        // Passages extend over the words B holds next to them, where a passage is near.
        if self.spanned_to >= lo {
            for i in lo..end {
                if !c[i] && i > 0 && c[i - 1] && held(i) {
                    c[i] = true;
                }
            }
            for i in (lo..end).rev() {
                if !c[i] && i + 1 < end && c[i + 1] && held(i) {
                    c[i] = true;
                }
            }
        }
        self.uncovered += c[lo..end].iter().filter(|&&c| !c).count();
        self.done = end;
        self.share() >= self.floor
    }

    /// Marks the verbatim runs (at least `min_run` words B holds in a row) among the words
    /// before `frontier`, as far as they are known there. Outside a run, only every
    /// `min_run`-th word is looked up: a run that long holds one of them.
    fn find_runs(&mut self, frontier: usize, held: &impl Fn(usize) -> bool) {
        let min = self.min_run;
        while self.runs_to < frontier {
            let at = self.runs_to;
            if self.run_len > 0 {
                if held(at) {
                    self.run_len += 1;
                    if self.run_len == min {
                        self.covered[at + 1 - min..=at]
                            .iter_mut()
                            .for_each(|c| *c = true);
                    } else if self.run_len > min {
                        self.covered[at] = true;
                    }
                } else {
                    self.run_len = 0;
                }
                self.runs_to += 1;
                continue;
            }
            // The word before `at` is not held: a run from `at` on holds word `at + min - 1`.
            // One that would end past the frontier is found later, and until then no word of
            // it settles (it runs into the frontier's own run of held words).
            let probe = at + min - 1;
            if probe >= frontier {
                break;
            }
            if !held(probe) {
                self.runs_to = probe + 1;
                continue;
            }
            let mut s = probe;
            while s > at && held(s - 1) {
                s -= 1;
            }
            self.run_len = probe + 1 - s;
            if self.run_len >= min {
                self.covered[s..=probe].iter_mut().for_each(|c| *c = true);
            }
            self.runs_to = probe + 1;
        }
    }
}

/// Marks the words of A that chains with B, merged, can span (steps 1 and 2 of the module
/// docs), settling them in `sweep` as it goes; stops once the share cannot reach its floor.
fn chain_cover<M: Fn(usize) -> Mark, W: Fn(usize) -> bool, L: Fn(u64, u64) -> bool>(
    own: &Own<M>,
    marks: &mut Vec<Mark>,
    other: &Other<W, L>,
    config: &AlignConfig,
    sweep: &mut Sweep<'_>,
    buf: &mut Scratch,
) {
    let n = sweep.covered.len();
    let held = &other.holds_word;
    let m = own.terms;
    if m == 0 || other.weight <= 0.0 {
        sweep.settle(n, held);
        return;
    }
    let entity = config.entity_weight as f32;
    let a_weight = own.weight;
    // The least weighted matches the aligner asks of a passage, as it computes it, less a
    // margin for the rounding of sums taken in another order.
    let need = (config.min_matches as f32)
        .min(a_weight)
        .min(other.weight)
        .max(entity.min(1.0))
        - 1e-3;
    let density = config.min_density as f32;
    // A chain of one point weighs at most the weight of a name or figure: where that is less
    // than a passage needs, only terms that can chain with another are points.
    let links = need > entity.max(1.0);
    // Terms before it have their links looked up; a term's links are all known once the terms
    // up to `max_gap + 1` after it are.
    let mut linked = 0;
    let mut spans = std::mem::take(&mut buf.spans);
    // The last passage found, while one found later may still merge with it.
    let mut open: Option<(usize, usize)> = None;
    let word = |marks: &[Mark], t: usize| marks[t].token as usize;
    let mut seg = 0;
    while seg < m {
        // A stretch where no more than `max_gap` terms in a row are missing from B.
        let mut end = seg;
        let mut gap = 0;
        let mut last_held = None;
        // The weight of its points (halves and ones: summed exactly).
        let mut weight = 0.0f32;
        while end < m {
            let known = (end + config.max_gap + 2).min(m);
            while marks.len() < known {
                marks.push((own.mark)(marks.len()));
            }
            if links && linked < known {
                link_marks(marks, linked..known, config, &other.holds_link);
                linked = known;
            }
            if marks[end].point(links) {
                gap = 0;
                last_held = Some(end);
                weight += marks[end].weight;
            } else {
                gap += 1;
                if gap > config.max_gap {
                    break;
                }
            }
            end += 1;
        }
        let stop = last_held.map_or(seg, |l| l + 1);
        spans.clear();
        // A passage needs `need` of its weight in points: a stretch with less holds none.
        if weight >= need {
            dense_spans(
                &marks[seg..stop],
                seg,
                density,
                need,
                links,
                &mut spans,
                buf,
            );
        }
        // Passages closer than `merge_gap` terms merge. Spans come by start.
        for &(s, e) in &spans {
            match &mut open {
                Some(last) if s <= last.1 + config.merge_gap => last.1 = last.1.max(e),
                _ => {
                    if let Some((s, e)) = open.take() {
                        sweep.span(word(marks, s), word(marks, e - 1) + 1);
                    }
                    open = Some((s, e));
                }
            }
        }
        seg = end.max(seg + 1);
        // Whatever is found from here on starts at the next stretch, or merges with the open
        // passage: the words before either settle.
        let next = if seg < m { word(marks, seg) } else { n };
        let frontier = open.map_or(next, |(s, _)| word(marks, s).min(next));
        if !sweep.settle(frontier, held) {
            buf.spans = spans;
            return;
        }
    }
    if let Some((s, e)) = open {
        sweep.span(word(marks, s), word(marks, e - 1) + 1);
    }
    sweep.settle(n, held);
    buf.spans = spans;
}

/// Pushes onto `out`, for each held term `i` of `marks` (the stretch starting at term
/// `offset`), the longest span from `i` whose held weight reaches `need` and `density` of its
/// weight, if any: together they cover every such span. With `links`, a term counts as held
/// only if it is [linked](Mark::linked).
fn dense_spans(
    marks: &[Mark],
    offset: usize,
    density: f32,
    need: f32,
    links: bool,
    out: &mut Vec<(usize, usize)>,
    buf: &mut Scratch,
) {
    let len = marks.len();
    if len == 0 {
        return;
    }
    // Prefix sums over the stretch: held weight, and held weight less `density` of all weight
    // (a span is dense enough where the second does not fall).
    let (got, slack, best_after) = (&mut buf.got, &mut buf.slack, &mut buf.best);
    got.clear();
    slack.clear();
    got.push(0.0);
    slack.push(0.0);
    for x in marks {
        let g = if x.point(links) { x.weight } else { 0.0 };
        got.push(got[got.len() - 1] + g);
        slack.push(slack[slack.len() - 1] + g - density * x.weight);
    }
    // The largest slack from each end on: the farthest end a span from `i` can reach is the last
    // `k` where it is at least the slack at `i`.
    best_after.clear();
    best_after.extend_from_slice(slack);
    for k in (0..len).rev() {
        best_after[k] = best_after[k].max(best_after[k + 1]);
    }
    for i in 0..len {
        if !marks[i].point(links) {
            continue;
        }
        // The nearest end with enough held weight.
        let first = got.partition_point(|&x| x - got[i] < need);
        if first > len {
            continue;
        }
        let floor = slack[i] - 1e-3;
        if best_after[first] < floor {
            continue;
        }
        // `best_after` does not rise: the last end where it still reaches the floor.
        let k = first + best_after[first..].partition_point(|&x| x >= floor) - 1;
        out.push((offset + i, offset + k));
    }
}

/// What the bound needs of consecutive documents, compact and flat, for scan's sieve to settle
/// a pair before analyzing its texts again: each word's hash cut to 16 bits, each term's to 15
/// with its word and whether it is an entity. Cutting merges values, so a word or term of A
/// can only be found in B more often: the bound can only rise. About 2 bytes per word and 4
/// per term; a text of more than 65,535 words keeps nothing and is never settled this way.
#[derive(Default)]
pub(crate) struct Compact {
    /// Per document: words (u32), terms (u32), total term weight (f32 bits), then the words
    /// (u16) and terms (u32: word << 16 | entity << 15 | hash), little-endian.
    bytes: Vec<u8>,
    starts: Vec<usize>,
}

/// Words a [`Compact`] text holds at most.
const COMPACT_WORDS: usize = u16::MAX as usize;

impl Compact {
    /// Appends an analyzed document.
    pub(crate) fn push(&mut self, a: &Analysis, config: &AlignConfig) {
        self.starts.push(self.bytes.len());
        let words = a.tokens.word_hashes();
        if words.len() > COMPACT_WORDS {
            self.bytes.extend_from_slice(&[0xFF; 4]);
            return;
        }
        let weight = total_weight(a.terms.iter().map(|t| t.entity), config);
        for x in [words.len() as u32, a.terms.len() as u32, weight.to_bits()] {
            self.bytes.extend_from_slice(&x.to_le_bytes());
        }
        for &w in words {
            self.bytes.extend_from_slice(&(w as u16).to_le_bytes());
        }
        for t in &a.terms {
            let x = t.token << 16 | u32::from(t.entity) << 15 | (t.hash as u32 & 0x7FFF);
            self.bytes.extend_from_slice(&x.to_le_bytes());
        }
    }

    /// Gives back spare capacity.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.starts.shrink_to_fit();
    }

    /// Document `i`: its words, terms and total weight, `None` if it was too long to keep.
    fn get(&self, i: usize) -> Option<(&[u8], &[u8], f32)> {
        let end = self.starts.get(i + 1).copied().unwrap_or(self.bytes.len());
        let b = &self.bytes[self.starts[i]..end];
        let word = |k: usize| u32_at(b, k);
        if word(0) == u32::MAX {
            return None;
        }
        let (n, m) = (word(0) as usize, word(1) as usize);
        let rest = &b[12..];
        Some((
            &rest[..2 * n],
            &rest[2 * n..2 * n + 4 * m],
            f32::from_bits(word(2)),
        ))
    }
}

/// One compact document's words and terms as two sets of 16-bit values, to check others against.
pub(crate) struct CompactSets {
    words: Vec<u64>,
    terms: Vec<u64>,
    /// Its ordered pairs of terms at most `max_gap` apart, each as [`link16`] of the two.
    links: Vec<u64>,
    weight: f32,
    /// The document loaded, if any (one too long to keep never is), to clear only the words of
    /// the sets it filled: its words, terms and links.
    loaded: Option<(Vec<u16>, Vec<u16>, Vec<u16>)>,
}

/// One 16-bit value for the ordered pair of 15-bit term hashes `(p, t)`.
fn link16(p: u64, t: u64) -> u16 {
    ((p as u32).wrapping_mul(0x9E37_79B1) ^ (t as u32).wrapping_mul(0x85EB_CA77)).rotate_right(16)
        as u16
}

/// The `k`-th little-endian `u16` of `b`: a compact word.
fn u16_at(b: &[u8], k: usize) -> u16 {
    u16::from_le_bytes([b[2 * k], b[2 * k + 1]])
}

/// The `k`-th little-endian `u32` of `b`: a compact term, or a header field.
fn u32_at(b: &[u8], k: usize) -> u32 {
    u32::from_le_bytes([b[4 * k], b[4 * k + 1], b[4 * k + 2], b[4 * k + 3]])
}

/// A compact term's hash, cut to 15 bits.
fn term_hash(t: u32) -> u16 {
    (t & 0x7FFF) as u16
}

fn words16(b: &[u8]) -> impl Iterator<Item = u16> + '_ {
    (0..b.len() / 2).map(|k| u16_at(b, k))
}

fn terms32(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    (0..b.len() / 4).map(|k| u32_at(b, k))
}

fn has(set: &[u64], v: u16) -> bool {
    set[usize::from(v) / 64] >> (v % 64) & 1 != 0
}

fn put(set: &mut [u64], v: u16) {
    set[usize::from(v) / 64] |= 1 << (v % 64);
}

impl CompactSets {
    /// Empty sets.
    pub(crate) fn new() -> CompactSets {
        CompactSets {
            words: vec![0; 1 << 10],
            terms: vec![0; 1 << 10],
            links: vec![0; 1 << 10],
            weight: 0.0,
            loaded: None,
        }
    }

    /// Holds document `i` of `c` from now on (and nothing else); `config` says how far apart
    /// two terms may be and still be linked.
    pub(crate) fn load(&mut self, c: &Compact, i: usize, config: &AlignConfig) {
        let (mut ws, mut ts, mut ls) = match self.loaded.take() {
            Some((ws, ts, ls)) => {
                ws.iter().for_each(|&w| self.words[usize::from(w) / 64] = 0);
                ts.iter().for_each(|&t| self.terms[usize::from(t) / 64] = 0);
                ls.iter().for_each(|&l| self.links[usize::from(l) / 64] = 0);
                (ws, ts, ls)
            }
            None => (Vec::new(), Vec::new(), Vec::new()),
        };
        let Some((words, terms, weight)) = c.get(i) else {
            return;
        };
        ws.clear();
        ts.clear();
        ls.clear();
        ws.extend(words16(words));
        ts.extend(terms32(terms).map(term_hash));
        for j in 0..ts.len() {
            for &p in &ts[before(j, config)] {
                ls.push(link16(p.into(), ts[j].into()));
            }
        }
        ws.iter().for_each(|&w| put(&mut self.words, w));
        ts.iter().for_each(|&t| put(&mut self.terms, t));
        ls.iter().for_each(|&l| put(&mut self.links, l));
        self.weight = weight;
        self.loaded = Some((ws, ts, ls));
    }

    /// [`max_containment`] of document `i` of `c` in the document these sets hold: at least
    /// what the full texts' bound gives (1 when either was too long to keep), or some share
    /// below `floor` when that is.
    pub(crate) fn max_containment_of(
        &self,
        c: &Compact,
        i: usize,
        config: &AlignConfig,
        may_share_run: bool,
        floor: f64,
        scratch: &mut Scratch,
    ) -> f64 {
        let Some((words, terms, weight)) = c.get(i).filter(|_| self.loaded.is_some()) else {
            return 1.0;
        };
        let own = Own {
            words: words.len() / 2,
            terms: terms.len() / 4,
            weight,
            mark: |k: usize| {
                let t = u32_at(terms, k);
                Mark {
                    token: t >> 16,
                    weight: term_weight(t >> 15 & 1 != 0, config),
                    hash: u64::from(term_hash(t)),
                    held: has(&self.terms, term_hash(t)),
                    linked: false,
                }
            },
        };
        let other = Other {
            weight: self.weight,
            holds_word: |k: usize| has(&self.words, u16_at(words, k)),
            holds_link: |p, t| has(&self.links, link16(p, t)),
        };
        bound(&own, &other, config, may_share_run, floor, scratch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Detector;

    fn bound(d: &Detector, a: &str, b: &str) -> f64 {
        let (x, y) = (d.analyze_unsketched(a), d.analyze_unsketched(b));
        let align = &d.config().align;
        max_containment(
            &x,
            &Reach::of(&y, align),
            align,
            true,
            0.0,
            &mut Scratch::default(),
        )
    }

    /// The default configuration, one that lets passages be sparser, skip less and merge
    /// further, with names and figures weighing as other words, and that one again asking no
    /// content bigram of a passage (so chains of terms far apart are passages).
    fn configs() -> [crate::Config; 3] {
        let lax = AlignConfig {
            min_density: 0.25,
            max_gap: 3,
            merge_gap: 12,
            entity_weight: 1.0,
            ..AlignConfig::default()
        };
        let no_bigrams = AlignConfig {
            min_bigrams: 0,
            min_pair_bigrams: 0,
            min_sentence_bigrams: 0,
            min_firm_pair_bigrams: 0,
            ..lax
        };
        [AlignConfig::default(), lax, no_bigrams].map(|align| crate::Config {
            align,
            ..crate::Config::default()
        })
    }

    #[test]
    fn the_bound_holds_on_every_pair_of_the_corpus() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
        let docs = crate::input::load(&[root]).documents;
        for config in configs() {
            let d = Detector::new(config).unwrap();
            let align = &d.config().align;
            let analyses: Vec<Analysis> =
                docs.iter().map(|x| d.analyze_unsketched(&x.text)).collect();
            let reach: Vec<Reach> = analyses.iter().map(|x| Reach::of(x, align)).collect();
            let mut compact = Compact::default();
            analyses.iter().for_each(|x| compact.push(x, align));
            let (mut sets, mut marks) = (CompactSets::new(), Scratch::default());
            let (mut pairs, mut tight) = (0, 0);
            for (i, x) in analyses.iter().enumerate() {
                for (j, y) in analyses.iter().enumerate().skip(i + 1) {
                    let c = d.compare_analyzed(x, y);
                    let (ab, ba) = (
                        max_containment(x, &reach[j], align, true, 0.0, &mut marks),
                        max_containment(y, &reach[i], align, true, 0.0, &mut marks),
                    );
                    assert!(
                        ab >= c.containment_a_in_b && ba >= c.containment_b_in_a,
                        "{} / {}: bound {ab} {ba}, found {} {}",
                        docs[i].id,
                        docs[j].id,
                        c.containment_a_in_b,
                        c.containment_b_in_a
                    );
                    // Cut to 16 bits, the bound can only rise.
                    sets.load(&compact, j, align);
                    let cut_ab = sets.max_containment_of(&compact, i, align, true, 0.0, &mut marks);
                    sets.load(&compact, i, align);
                    let cut_ba = sets.max_containment_of(&compact, j, align, true, 0.0, &mut marks);
                    assert!(cut_ab >= ab && cut_ba >= ba, "{cut_ab} {ab} {cut_ba} {ba}");
                    // A floor stops the walk only where the bound is below it, and what it
                    // gives then is still at least the bound: below the floor too.
                    for floor in [0.3, 0.5, 0.8] {
                        let early = max_containment(x, &reach[j], align, true, floor, &mut marks);
                        assert!(
                            early == ab || (early >= ab && early < floor),
                            "{early} {ab}"
                        );
                        let early =
                            sets.max_containment_of(&compact, j, align, true, floor, &mut marks);
                        assert!(
                            early == cut_ba || (early >= cut_ba && early < floor),
                            "{early} {cut_ba}"
                        );
                    }
                    pairs += 1;
                    tight += usize::from(cut_ab.max(cut_ba) < 0.5);
                }
            }
            // Most pairs of the corpus share little: the bound says so.
            assert!(
                tight * 10 > pairs * 8,
                "{tight} of {pairs} pairs bounded below 0.5"
            );
        }
    }

    #[test]
    fn the_bound_holds_on_reordered_copies() {
        // Chains need their terms in the same order on both sides, within `max_gap`: the bound
        // relies on it, so it is checked where the order is disturbed — words swapped,
        // sentences reversed, every other sentence dropped — or its terms spread apart, in both
        // directions.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs/wire");
        let docs = crate::input::load(&[root]).documents;
        assert!(docs.len() >= 5);
        let variants = |text: &str| -> Vec<String> {
            let mut words: Vec<&str> = text.split_whitespace().collect();
            for k in (0..words.len().saturating_sub(1)).step_by(3) {
                words.swap(k, k + 1);
            }
            let sentences: Vec<&str> = text.split_inclusive(". ").collect();
            let reversed: Vec<&str> = sentences.iter().rev().copied().collect();
            let halved: Vec<&str> = sentences.iter().step_by(2).copied().collect();
            let mut far: Vec<&str> = text.split_whitespace().collect();
            for k in (0..far.len().saturating_sub(12)).step_by(12) {
                far.swap(k, k + 11);
            }
            // Three other words after each word: A's terms four apart in B, as far as the
            // second and third configurations let a chain skip.
            let filler = ["xylophone", "quartzite", "zeppelin"].join(" ");
            let spread: Vec<String> = text
                .split_whitespace()
                .map(|w| format!("{w} {filler}"))
                .collect();
            vec![
                words.join(" "),
                reversed.concat(),
                halved.concat(),
                far.join(" "),
                spread.join(" "),
            ]
        };
        for config in configs() {
            let d = Detector::new(config).unwrap();
            let align = &d.config().align;
            let mut scratch = Scratch::default();
            for doc in &docs {
                let x = d.analyze_unsketched(&doc.text);
                for v in variants(&doc.text) {
                    let y = d.analyze_unsketched(&v);
                    let c = d.compare_analyzed(&x, &y);
                    let ab =
                        max_containment(&x, &Reach::of(&y, align), align, true, 0.0, &mut scratch);
                    let ba =
                        max_containment(&y, &Reach::of(&x, align), align, true, 0.0, &mut scratch);
                    assert!(
                        ab >= c.containment_a_in_b && ba >= c.containment_b_in_a,
                        "{}: {ab} {ba} {c:?}",
                        doc.id
                    );
                }
            }
        }
    }

    #[test]
    fn a_shared_sentence_among_unrelated_ones_bounds_low() {
        let d = Detector::default();
        let shared = "Le conseil municipal a voté mardi soir la rénovation complète de la \
                      piscine olympique, fermée depuis trois ans pour des raisons de sécurité.";
        let a = format!(
            "Les vendanges ont commencé avec dix jours d'avance dans le Bordelais, où les \
             viticulteurs redoutent une récolte réduite par la sécheresse. {shared} Le \
             festival de jazz accueillera cette année quarante concerts gratuits sur les quais."
        );
        let b = format!(
            "La grève des contrôleurs aériens a perturbé des centaines de vols au départ de \
             Marseille. {shared} Une exposition consacrée aux peintres provençaux ouvre samedi \
             au musée des beaux-arts."
        );
        let c = d.compare(&a, &b);
        let x = bound(&d, &a, &b);
        assert!(x >= c.containment_a_in_b, "{x} < {}", c.containment_a_in_b);
        assert!(x < 0.6, "bound {x} for a third of A");
        // A whole copy can be covered whole.
        assert!(bound(&d, &a, &format!("Accueil. {a} Partager.")) > 0.99);
    }

    #[test]
    fn words_all_present_but_in_another_order_bound_low() {
        // Every word of A is in B, but no two of A's terms come in B in A's order: no chain of
        // two points, so no passage (the two share no verbatim run either).
        let d = Detector::default();
        let a = "Le conseil municipal a voté mardi soir la rénovation complète de la piscine \
                 olympique, fermée depuis trois ans pour des raisons de sécurité, et la \
                 construction d'une médiathèque dans le quartier nord de la ville.";
        let b: Vec<&str> = a.split_whitespace().rev().collect();
        let b = b.join(" ");
        let (x, y) = (d.analyze_unsketched(a), d.analyze_unsketched(&b));
        let align = &d.config().align;
        let mut scratch = Scratch::default();
        let cut = max_containment(&x, &Reach::of(&y, align), align, false, 0.0, &mut scratch);
        assert!(cut >= d.compare(a, &b).containment_a_in_b);
        assert!(cut < 0.1, "bound {cut}");
        let mut compact = Compact::default();
        compact.push(&x, align);
        compact.push(&y, align);
        let mut sets = CompactSets::new();
        sets.load(&compact, 1, align);
        let cut16 = sets.max_containment_of(&compact, 0, align, false, 0.0, &mut scratch);
        assert!(cut16 >= cut && cut16 < 0.1, "bound cut to 16 bits {cut16}");
        // In A's order the same words are a passage.
        assert!(max_containment(&x, &Reach::of(&x, align), align, false, 0.0, &mut scratch) > 0.99);
    }
}

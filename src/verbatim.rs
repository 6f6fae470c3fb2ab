//! Verbatim runs: long runs of identical words two texts share, stop words included.
//!
//! The aligner works on content terms and asks a pair for several shared content bigrams, which is
//! what keeps independent reports of one event apart. A sentence or two pasted into another page
//! can hold too few content words for that (`Le chèque énergie n'est pas encaissable auprès de
//! votre banque.` has four), yet ten words in a row, word for word, are not something two
//! authors write independently. Measured on the development set (docs/evaluation.md), a shared run of
//! 10 normalized words occurs in 84 of 85 short excerpts, in 23 of 42 short excerpts cut from
//! another rendering (machine translation systems often agree on a sentence), and in none of the
//! 2,469 negative pairs; at 8 words, in 3 negatives.
//!
//! Runs are found with a hash of every `k`-word window of each text, both sorted and merged, and
//! each pair of equal hashes checked word by word and extended to a maximal run:
//! O(|A| log |A| + |B| log |B|) and the runs' length, with one allocation per text.
//!
//! # Invariants
//! - A run has at least `min_words` words, and the words are equal (normalized) pairwise.
//! - [`fingerprints`] of two texts share a value whenever the texts share a run of `min_words`
//!   words (winnowing, Schleimer, Wilkerson & Aiken, SIGMOD 2003): any such run holds a full
//!   window of `WINDOW` consecutive `K`-word hashes, whose minimum both texts select.

use crate::normalize::Tokens;
use std::ops::Range;

/// Words per hashed window of the fingerprints.
const K: usize = 8;

/// A run of words two texts share: token ranges in A and in B, of equal length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// Tokens of A.
    pub a: Range<usize>,
    /// Tokens of B.
    pub b: Range<usize>,
}

/// The low half of a `u64`.
const LOW: u64 = 0xFFFF_FFFF;

/// Hashes of every `k`-word window of `words` (a polynomial rolling hash).
fn window_hashes(words: &[u64], k: usize) -> Vec<u64> {
    if words.len() < k || k == 0 {
        return Vec::new();
    }
    const P: u64 = 0x0000_0100_0000_01B3;
    let top = (1..k).fold(1u64, |acc, _| acc.wrapping_mul(P));
    let mut h = words[..k]
        .iter()
        .fold(0u64, |acc, &w| acc.wrapping_mul(P).wrapping_add(w));
    let mut out = Vec::with_capacity(words.len() - k + 1);
    out.push(h);
    for i in k..words.len() {
        h = h
            .wrapping_sub(words[i - k].wrapping_mul(top))
            .wrapping_mul(P)
            .wrapping_add(words[i]);
        out.push(h);
    }
    out
}

/// Maximal runs of at least `min_words` equal words shared by `a` and `b`, longest first (ties by
/// position). Runs may overlap one another where a phrase repeats; 0 finds none.
pub fn runs(a: &Tokens, b: &Tokens, min_words: usize) -> Vec<Run> {
    if min_words == 0 || a.len() < min_words || b.len() < min_words {
        return Vec::new();
    }
    let (wa, wb) = (a.word_hashes(), b.word_hashes());
    // Each window as one integer, the high half of its hash above its position, sorted: both
    // texts' windows in order of hash, so one merge meets every pair of equal windows (a
    // binary search of A's windows for each of B's was half of this function's time on a
    // pair of near-duplicates). Windows agreeing in the high half alone fail the word-by-word
    // check below.
    let sorted = |words: &[u64]| {
        let mut v: Vec<u64> = window_hashes(words, min_words)
            .iter()
            .enumerate()
            .map(|(i, &h)| (h & !LOW) | i as u64)
            .collect();
        v.sort_unstable();
        v
    };
    let (ha, hb) = (sorted(wa), sorted(wb));
    let group_end = |v: &[u64], from: usize| {
        let key = v[from] >> 32;
        from + v[from..].iter().take_while(|&&x| x >> 32 == key).count()
    };
    let mut out: Vec<Run> = Vec::new();
    let (mut x, mut y) = (0, 0);
    while x < ha.len() && y < hb.len() {
        let (ka, kb) = (ha[x] >> 32, hb[y] >> 32);
        if ka != kb {
            x += usize::from(ka < kb);
            y += usize::from(kb < ka);
            continue;
        }
        let (x_end, y_end) = (group_end(&ha, x), group_end(&hb, y));
        for &vb in &hb[y..y_end] {
            let j = (vb & LOW) as usize;
            for &va in &ha[x..x_end] {
                let i = (va & LOW) as usize;
                // Only from the run's first shared window, so each run is reported once.
                if i > 0 && j > 0 && wa[i - 1] == wb[j - 1] && a.norm(i - 1) == b.norm(j - 1) {
                    continue;
                }
                let mut n = 0;
                while i + n < wa.len()
                    && j + n < wb.len()
                    && wa[i + n] == wb[j + n]
                    && a.norm(i + n) == b.norm(j + n)
                {
                    n += 1;
                }
                if n >= min_words {
                    out.push(Run {
                        a: i..i + n,
                        b: j..j + n,
                    });
                }
            }
        }
        (x, y) = (x_end, y_end);
    }
    out.sort_by(|x, y| (y.a.len(), x.a.start, x.b.start).cmp(&(x.a.len(), y.a.start, y.b.start)));
    out
}

/// Winnowed fingerprints of `t` (sorted, distinct, low 32 bits): two texts sharing a run of
/// `min_words` words share one of them. Empty when `min_words` is 0. For `min_words` below
/// the hashed window of 8 words, every window of `min_words` is kept.
pub fn fingerprints(t: &Tokens, min_words: usize) -> Vec<u32> {
    let mut out = selected(t, min_words);
    out.dedup();
    out
}

/// The winnowed fingerprints of `t` as a multiset: the low 32 bits of the hash at each
/// position winnowing selects (the leftmost least hash of each window), once per position,
/// sorted. Deduplicated, it is [`fingerprints`].
///
/// Counting positions, not values, bounds how much text two documents' runs can cover: in a
/// run of `L` words shared by A and B, the `L - min_words + 1` windows lying wholly inside it
/// hold the same hashes on both sides and so select the same positions, at least
/// `⌈(L - min_words + 1) / w⌉` of them (a position serves at most `w` windows, `w` hashes a
/// window). Runs the aligner keeps do not overlap, so the multisets of A and B have at least
/// `Σ ⌈(L - min_words + 1) / w⌉` values in common, and the runs cover at most
/// [`span_per_selected`]` × (values in common)` words. Values cut to fewer bits only merge,
/// which can only raise the count in common: the bound still holds.
pub(crate) fn selected(t: &Tokens, min_words: usize) -> Vec<u32> {
    if min_words == 0 {
        return Vec::new();
    }
    let k = K.min(min_words);
    let window = min_words - k + 1;
    let h = window_hashes(t.word_hashes(), k);
    if h.is_empty() {
        return Vec::new();
    }
    // The whole text is one window when it is shorter than one (or one run): its minimum.
    let window = window.min(h.len());
    let mut out = Vec::with_capacity(2 * h.len() / (window + 1) + 1);
    let mut last = usize::MAX;
    for start in 0..=h.len() - window {
        let w = &h[start..start + window];
        // Leftmost least: a rule that depends only on the window's hashes, so two texts pick
        // the same positions inside a run they share.
        let mut at = 0;
        for (i, &v) in w.iter().enumerate().skip(1) {
            if v < w[at] {
                at = i;
            }
        }
        // A position a window selects is selected by every window between: consecutive
        // repeats are the only repeats.
        if start + at != last {
            last = start + at;
            out.push(h[last] as u32);
        }
    }
    out.sort_unstable();
    out
}

/// Most words the runs two texts share can cover per value their [`selected`] multisets have
/// in common (see there): a run of `L` words accounts for at least one value, and for one
/// more every `w` words beyond `min_words - 1`, so `L ≤ (w + min_words - 1) × values`.
pub(crate) fn span_per_selected(min_words: usize) -> usize {
    let k = K.min(min_words);
    let w = min_words.saturating_sub(k) + 1;
    w + min_words.saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tokenize;
    use crate::testing::xorshift32;

    #[test]
    fn finds_maximal_runs_and_shares_fingerprints() {
        let a = tokenize(
            "Préambule sans rapport. Le chèque énergie n'est pas encaissable auprès de votre \
             banque, rappelle le ministère. Fin.",
        );
        let b = tokenize(
            "Autre texte ici. LE CHÈQUE ÉNERGIE n’est pas encaissable auprès de votre banque — \
             rappelle le ministère ! Suite différente.",
        );
        let r = runs(&a, &b, 10);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].a.len(), 14);
        assert_eq!(a.norm(r[0].a.start), "le");
        assert_eq!(b.norm(r[0].b.end - 1), "ministere");
        assert!(runs(&a, &b, 15).is_empty());
        let (fa, fb) = (fingerprints(&a, 10), fingerprints(&b, 10));
        assert!(fa.iter().any(|x| fb.binary_search(x).is_ok()));
        let c = tokenize("Le chèque énergie n'est pas encaissable dans une banque, hélas.");
        assert!(runs(&a, &c, 10).is_empty());
    }

    #[test]
    fn fingerprints_meet_on_every_shared_run() {
        // Random texts over a small vocabulary, with one shared run of exactly 10 words planted
        // at random places: the fingerprints must always meet.
        let vocab = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let mut x = 0x9E37_79B9_u32;
        let mut next = || xorshift32(&mut x);
        for _ in 0..300 {
            let mut words = |n: usize| -> Vec<String> {
                (0..n)
                    .map(|_| vocab[next() as usize % 8].to_string() + "x")
                    .collect()
            };
            let run = words(10);
            let (mut a, mut b) = (words(30), words(25));
            let (ia, ib) = (next() as usize % a.len(), next() as usize % b.len());
            a.splice(ia..ia, run.iter().cloned());
            b.splice(ib..ib, run.iter().cloned());
            let (ta, tb) = (tokenize(&a.join(" ")), tokenize(&b.join(" ")));
            let (fa, fb) = (fingerprints(&ta, 10), fingerprints(&tb, 10));
            assert!(fa.iter().any(|v| fb.binary_search(v).is_ok()));
            assert!(!runs(&ta, &tb, 10).is_empty());
        }
    }

    #[test]
    fn runs_are_every_maximal_run_of_equal_words() {
        // Texts over three words, so windows repeat and many share a hash: the same runs as
        // trying every pair of positions.
        let mut x = 0x2545_F491_u32;
        let mut found = 0;
        for round in 0..200 {
            let mut words = |n: usize| -> String {
                (0..n)
                    .map(|_| ["un", "deux", "trois"][xorshift32(&mut x) as usize % 3])
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let (a, b) = (tokenize(&words(40)), tokenize(&words(30 + round % 20)));
            let min_words = 3 + round % 4;
            let mut want = Vec::new();
            for i in 0..a.len() {
                for j in 0..b.len() {
                    if i > 0 && j > 0 && a.norm(i - 1) == b.norm(j - 1) {
                        continue;
                    }
                    let mut n = 0;
                    while i + n < a.len() && j + n < b.len() && a.norm(i + n) == b.norm(j + n) {
                        n += 1;
                    }
                    if n >= min_words {
                        want.push(Run {
                            a: i..i + n,
                            b: j..j + n,
                        });
                    }
                }
            }
            want.sort_by(|x, y| {
                (y.a.len(), x.a.start, x.b.start).cmp(&(x.a.len(), y.a.start, y.b.start))
            });
            found += want.len();
            assert_eq!(runs(&a, &b, min_words), want, "round {round}");
        }
        assert!(found > 1000, "{found} runs");
    }

    #[test]
    fn a_pasted_sentence_with_few_content_words_is_a_passage() {
        let wire = "Le gouvernement a présenté mardi son plan pour l'hiver. Ce chèque n'est pas \
                    encaissable auprès de votre banque. La ministre l'a rappelé. Les \
                    fournisseurs devront l'accepter comme moyen de paiement dès janvier.";
        let page = "Notre club de lecture se réunit jeudi à la médiathèque pour parler des \
                    romans de la rentrée. Ce chèque n'est pas encaissable auprès de \
                    votre banque. Pensez à réserver votre place.";
        let d = crate::Detector::default();
        let c = d.compare(wire, page);
        assert_eq!(c.passages.len(), 1, "{c:?}");
        assert_eq!(
            &wire[c.passages[0].a.clone()],
            "Ce chèque n'est pas encaissable auprès de votre banque"
        );
        assert!(
            c.containment_a_in_b > 0.2 && c.containment_a_in_b < 0.4,
            "{c:?}"
        );
        let off = crate::Detector::new(crate::Config {
            align: crate::align::AlignConfig {
                min_verbatim_words: 0,
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
        assert!(off.compare(wire, page).passages.is_empty());
    }

    proptest::proptest! {
        /// The bound scan and the crawler rely on ([`selected`]): the runs the aligner keeps
        /// (longest first, none overlapping another on either side) cover no more words than
        /// `span_per_selected` per value the two multisets share. Few distinct words make
        /// repeated phrases, runs that touch, and values selected at several positions.
        #[test]
        fn kept_runs_cover_at_most_the_span_per_selected_value(
            a in proptest::collection::vec(0u8..6, 0..120),
            b in proptest::collection::vec(0u8..6, 0..120),
            planted in proptest::collection::vec((0usize..120, 0usize..120, 10usize..40), 0..4),
            min_words in 3usize..14,
        ) {
            let word = |w: &u8| format!("w{w}");
            let (mut a, mut b): (Vec<String>, Vec<String>) =
                (a.iter().map(word).collect(), b.iter().map(word).collect());
            for (n, &(ia, ib, len)) in planted.iter().enumerate() {
                let run: Vec<String> = (0..len).map(|i| format!("r{n}x{}", i % 7)).collect();
                let (ia, ib) = (ia.min(a.len()), ib.min(b.len()));
                a.splice(ia..ia, run.iter().cloned());
                b.splice(ib..ib, run.iter().cloned());
            }
            let (ta, tb) = (tokenize(&a.join(" ")), tokenize(&b.join(" ")));
            let mut kept: Vec<Run> = Vec::new();
            for r in runs(&ta, &tb, min_words) {
                let apart = |x: &Range<usize>, y: &Range<usize>| x.end <= y.start || y.end <= x.start;
                if kept.iter().all(|k| apart(&k.a, &r.a) && apart(&k.b, &r.b)) {
                    kept.push(r);
                }
            }
            let covered: usize = kept.iter().map(|r| r.a.len()).sum();
            let (sa, sb) = (selected(&ta, min_words), selected(&tb, min_words));
            let (mut i, mut j, mut common) = (0, 0, 0);
            while i < sa.len() && j < sb.len() {
                match sa[i].cmp(&sb[j]) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => (common, i, j) = (common + 1, i + 1, j + 1),
                }
            }
            proptest::prop_assert!(covered <= span_per_selected(min_words) * common,
                "{covered} words in {} runs, {common} values in common", kept.len());
            let mut distinct = sa.clone();
            distinct.dedup();
            proptest::prop_assert_eq!(distinct, fingerprints(&ta, min_words));
        }
    }
}

//! Every copy across languages in a set of documents, without comparing every pair of
//! languages.
//!
//! Two documents of different languages become candidates when the keys they share
//! ([`candidate_keys`]: figures and names, which pass through translation unchanged, and with
//! a lexicon the words one translates into the other's) carry enough evidence: each key
//! weighs `ln(N / holders)`, keys held by more than [`max_holders`] documents are skipped, and a
//! pair needs [`MIN_EVIDENCE`] in all. Each candidate is then compared sentence by sentence
//! ([`CrossLingual::compare`]). Pairs of one language are left to [`crate::scan`].
//!
//! Memory: the `(key, document)` entries (12 bytes each; a few hundred per document), and
//! the sentence views of the documents in some candidate pair, one per language it meets
//! (a few tens of KB each).

use super::{detect, is_content, stem, CrossLingual, Language};
use crate::normalize::{tokenize_into, Tokens};
use crate::scan::{Progress, ScoredPair, Stage, Texts};
use rayon::prelude::*;

/// Least evidence (sum of `ln(N / holders)` over shared keys) two documents share to be
/// compared. On the cross-lingual development split (682 documents, a key weighing up to 5.8),
/// every whole translation has more than 60 and every partial copy more than 14, while half
/// of the pairs of unrelated pages have less than 14; an excerpt of one sentence can have as
/// little as 3. A low bar costs comparisons (a few tens of microseconds each), not precision.
pub const MIN_EVIDENCE: f32 = 6.0;

/// What sharing a key held by `holders` of `documents` documents says of a pair:
/// `ln(documents / holders)`, never negative.
pub(crate) fn key_evidence(documents: f32, holders: usize) -> f32 {
    (documents / holders as f32).ln().max(0.0)
}

/// A figure or name held by more documents than this says little about any pair of them.
pub fn max_holders(documents: usize) -> usize {
    (documents / 50).max(64)
}

/// The keys a document in `lang` is found under by documents of other languages: its rare
/// figures and names as they are; its content words under their own stems, and under the stems
/// of their translations into each language a lexicon gives, both marked with that language.
/// Sorted and distinct. The index files and looks up the same keys (`index::xling`).
pub(crate) fn candidate_keys(
    xl: &CrossLingual,
    text: &str,
    lang: Language,
    tokens: &mut Tokens,
    keys: &mut Vec<u64>,
) {
    tokenize_into(text, tokens);
    let tag = |l: &str| xxhash_rust::xxh3::xxh3_64(l.as_bytes());
    let own = tag(lang.code());
    let lexicons: Vec<(&super::Lexicon, usize, u64)> = xl
        .lexicons
        .iter()
        .filter_map(|lex| {
            let (x, y) = lex.languages();
            let to = if x == lang.code() {
                y
            } else if y == lang.code() {
                x
            } else {
                return None;
            };
            lex.direction(lang.code(), to).map(|d| (lex, d, tag(to)))
        })
        .collect();
    let mut translated = Vec::new();
    for (k, tok) in tokens.as_slice().iter().enumerate() {
        let norm = tokens.norm(k);
        if !is_content(norm) {
            continue;
        }
        let key = stem(norm);
        let figure = norm.bytes().any(|b| b.is_ascii_digit());
        let name = tok.capitalized && !tok.sentence_start;
        if figure || name {
            keys.push(key);
        }
        if lexicons.is_empty() {
            continue;
        }
        keys.push(key ^ own);
        for &(lex, dir, to) in &lexicons {
            translated.clear();
            lex.translate(dir, norm, &mut translated);
            keys.extend(translated.iter().map(|&t| t ^ to));
        }
    }
    keys.sort_unstable();
    keys.dedup();
}

/// What [`scan_across`] found.
#[derive(Clone, Debug, Default)]
pub struct XlingScan {
    /// Pairs of documents of different languages reaching the threshold, sorted by `(a, b)`.
    pub pairs: Vec<ScoredPair>,
    /// Each document's detected language (`None`: not reliably detected; never compared
    /// across languages).
    pub languages: Vec<Option<Language>>,
    /// Pairs compared.
    pub candidates: usize,
}

/// Compares every pair of documents of different languages that share rare figures and names,
/// and reports those whose containment either way reaches `min_score` (and is positive).
pub fn scan_across(
    texts: &(impl Texts + ?Sized),
    xl: &CrossLingual,
    min_score: f64,
    progress: &dyn Progress,
) -> XlingScan {
    let n = texts.len();
    let analyzed: Vec<(Option<Language>, Vec<u64>)> = (0..n)
        .into_par_iter()
        .map_init(
            || (String::new(), Tokens::new()),
            |(buf, tokens), i| {
                let text = texts.text(i, buf);
                let lang = detect(text);
                let mut keys = Vec::new();
                if let Some(l) = lang {
                    candidate_keys(xl, text, l, tokens, &mut keys);
                }
                (lang, keys)
            },
        )
        .collect();
    let languages: Vec<Option<Language>> = analyzed.iter().map(|x| x.0).collect();
    let mut entries: Vec<(u64, u32)> = analyzed
        .iter()
        .enumerate()
        .flat_map(|(i, (_, keys))| keys.iter().map(move |&k| (k, i as u32)))
        .collect();
    drop(analyzed);
    entries.par_sort_unstable();
    let rarity = super::text::Rarity::new(
        n,
        entries
            .chunk_by(|x, y| x.0 == y.0)
            .map(|run| (run[0].0, run.len())),
    );
    // Postings of the keys worth following: held by 2..=max_holders documents of at least two
    // languages.
    let cap = max_holders(n);
    let mut lists: Vec<std::ops::Range<usize>> = Vec::new();
    let mut of_doc: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut start = 0;
    for docs in entries.chunk_by(|x, y| x.0 == y.0) {
        let first = languages[docs[0].1 as usize];
        let mixed = docs.iter().any(|d| languages[d.1 as usize] != first);
        if docs.len() >= 2 && docs.len() <= cap && mixed {
            let id = lists.len() as u32;
            lists.push(start..start + docs.len());
            for d in docs {
                of_doc[d.1 as usize].push(id);
            }
        }
        start += docs.len();
    }
    let pairs_of = |a: usize, counts: &mut Vec<f32>, met: &mut Vec<u32>| -> Vec<(u32, u32)> {
        let la = languages[a];
        for &id in &of_doc[a] {
            let list = &entries[lists[id as usize].clone()];
            let w = key_evidence(n as f32, list.len());
            for &(_, b) in list {
                let bu = b as usize;
                if bu > a && languages[bu] != la {
                    if counts[bu] == 0.0 {
                        met.push(b);
                    }
                    counts[bu] += w;
                }
            }
        }
        met.sort_unstable();
        let out = met
            .iter()
            .filter(|&&b| counts[b as usize] >= MIN_EVIDENCE)
            .map(|&b| (a as u32, b))
            .collect();
        for &b in met.iter() {
            counts[b as usize] = 0.0;
        }
        met.clear();
        out
    };
    let candidates: Vec<(u32, u32)> = (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0f32; n], Vec::new()),
            |(c, m), a| pairs_of(a, c, m),
        )
        .flatten_iter()
        .collect();
    progress.start(Stage::Verify, candidates.len() as u64);
    // Each document is analyzed once for each language it is compared with, not once a pair.
    let mut views: Vec<(u32, Language)> = candidates
        .iter()
        .flat_map(|&(a, b)| {
            let (la, lb) = (languages[a as usize], languages[b as usize]);
            [(a, lb), (b, la)]
        })
        .filter_map(|(d, l)| Some((d, l?)))
        .collect();
    views.par_sort_unstable();
    views.dedup();
    let texts_of: Vec<super::text::Text> = views
        .par_iter()
        .map_init(String::new, |buf, &(d, partner)| {
            let lang = languages[d as usize].expect("only detected documents are candidates");
            xl.text(texts.text(d as usize, buf), lang, partner, &rarity)
        })
        .collect();
    let view = |d: u32, partner: Option<Language>| {
        let at = views
            .binary_search(&(d, partner.expect("detected")))
            .expect("every candidate's views were made");
        &texts_of[at]
    };
    let pairs: Vec<ScoredPair> = candidates
        .par_iter()
        .filter_map(|&(a, b)| {
            let (la, lb) = (languages[a as usize], languages[b as usize]);
            let comparison = super::align::compare(view(a, lb), view(b, la));
            progress.advance(1);
            comparison.reaches(min_score).then_some(ScoredPair {
                a: a as usize,
                b: b as usize,
                comparison,
                via: None,
            })
        })
        .collect();
    XlingScan {
        candidates: candidates.len(),
        pairs,
        languages,
    }
}

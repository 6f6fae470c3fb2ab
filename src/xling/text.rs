//! One text as cross-lingual comparison sees it: sentences, and in each the anchors — content
//! words with the keys they may be found under in the other language.

use super::{is_content, stem, Language, Lexicon};
use crate::normalize::{tokenize_into, Tokens};
use ahash::AHashMap;
use std::ops::Range;

/// A sentence of the text.
pub(super) struct Sentence {
    /// Its bytes in the text, first word's start to last word's end.
    pub bytes: Range<usize>,
    /// Its words, function words included: what containment counts.
    pub words: u32,
    /// Its anchors in [`Text::anchors`].
    pub anchors: Range<usize>,
    /// Its long figures in [`Text::figures`], sorted and distinct.
    pub figures: Range<usize>,
}

/// Whether word `i` of `tokens` (of `text`, in a language that is German when `german`)
/// starts a sentence. Across languages a sentence is the unit matched with its translation,
/// and a full stop that ends none cuts it in two, neither half of the translation's length.
/// The tokenizer knows the stops that end no sentence in any language (in a figure, after an
/// initial, before a small letter: [`crate::normalize::Token::sentence_start`]); German also
/// writes a date's day as an ordinal, with a stop (`am 31. März 2020`).
pub(super) fn starts_sentence(text: &str, tokens: &Tokens, i: usize, german: bool) -> bool {
    let tok = tokens.get(i);
    if !(tok.sentence_start && german && i > 0) {
        return tok.sentence_start;
    }
    let prev = tokens.get(i - 1);
    let stop = text
        .get(prev.end..tok.start)
        .is_some_and(|gap| gap.trim() == "." && !gap.contains(['\n', '\r']));
    !(stop && german_date(tokens.norm(i - 1), tokens.norm(i)))
}

/// Whether `day` and `month`, normalized, are a German date's day and month.
fn german_date(day: &str, month: &str) -> bool {
    const MONTHS: [&str; 14] = [
        "april",
        "august",
        "dezember",
        "februar",
        "feber",
        "januar",
        "janner",
        "juli",
        "juni",
        "mai",
        "marz",
        "november",
        "oktober",
        "september",
    ];
    (1..=2).contains(&day.len())
        && day.bytes().all(|b| b.is_ascii_digit())
        && MONTHS.contains(&month)
}

/// A content word, the evidence it gives when found in the other text.
pub(super) struct Anchor {
    /// Its keys in [`Text::keys`]: its own stem, and its translations' stems.
    pub keys: Range<usize>,
    /// Figures and names weigh more than other words: they pass through translation unchanged
    /// and few sentences share them by chance.
    pub weight: f32,
}

/// Weight of a figure or a name.
const STRONG: f32 = 2.0;

/// How much a figure or name says, from how many documents of a corpus hold it: its weight is
/// scaled by `ln(N / holders) / ln(N)`, the share of the most a key can say. `1` in a page's
/// date and the name of the country a site covers are in thousands of pages and say little;
/// a figure or name of one story is rare. Without corpus figures (comparing two texts) every
/// one counts in full.
#[derive(Clone, Debug, Default)]
pub(crate) struct Rarity {
    /// Scale of each figure or name held by at least two documents (by its stem key).
    scale: AHashMap<u64, f32>,
}

impl Rarity {
    /// From the number of documents and each key's holders (keys held once are left out).
    pub(crate) fn new(documents: usize, holders: impl Iterator<Item = (u64, usize)>) -> Rarity {
        let n = documents.max(2) as f32;
        let scale = holders
            .filter(|&(_, h)| h >= 2)
            .map(|(k, h)| (k, ((n / h as f32).ln() / n.ln()).clamp(0.0, 1.0)))
            .collect();
        Rarity { scale }
    }

    fn of(&self, key: u64) -> f32 {
        self.scale.get(&key).copied().unwrap_or(1.0)
    }
}

pub(super) struct Text {
    pub sentences: Vec<Sentence>,
    pub anchors: Vec<Anchor>,
    pub keys: Vec<u64>,
    /// Total words.
    pub words: u32,
    /// Its anchors carry translations (a lexicon for the two languages was given).
    pub translated: bool,
    /// The stem of each of its own content words → the sentences holding it, ascending: where
    /// the other text's anchors are looked up.
    pub postings: AHashMap<u64, Vec<u32>>,
    /// The figures of three digits or more of each sentence (see [`long_figures`]).
    pub figures: Vec<u64>,
}

impl Text {
    /// `text` in `lang`; `lexicon` translates from `lang` into the language of the text it will
    /// be compared with.
    pub fn new(
        text: &str,
        lang: Language,
        lexicon: Option<(&Lexicon, usize)>,
        rarity: &Rarity,
    ) -> Text {
        let mut tokens = Tokens::new();
        tokenize_into(text, &mut tokens);
        let mut t = Text {
            sentences: Vec::new(),
            anchors: Vec::new(),
            keys: Vec::new(),
            words: tokens.len() as u32,
            translated: lexicon.is_some(),
            postings: AHashMap::new(),
            figures: Vec::new(),
        };
        let mut sentence_of = Vec::with_capacity(tokens.len());
        let german = lang.code() == "de";
        let mut owns = Vec::new();
        for i in 0..tokens.len() {
            let tok = tokens.get(i);
            let starts = starts_sentence(text, &tokens, i, german);
            if starts || t.sentences.is_empty() {
                let at = t.anchors.len();
                t.sentences.push(Sentence {
                    bytes: tok.start..tok.end,
                    words: 0,
                    anchors: at..at,
                    figures: 0..0,
                });
            }
            let s = t.sentences.len() - 1;
            sentence_of.push(s);
            let sentence = t.sentences.last_mut().expect("pushed above");
            sentence.bytes.end = tok.end;
            sentence.words += 1;
            let norm = tokens.norm(i);
            if !is_content(norm) {
                continue;
            }
            let own = stem(norm);
            let list = t.postings.entry(own).or_default();
            if list.last() != Some(&(s as u32)) {
                list.push(s as u32);
            }
            let start = t.keys.len();
            t.keys.push(own);
            if let Some((lex, dir)) = lexicon {
                lex.translate(dir, norm, &mut t.keys);
            }
            let translated = t.keys.len() > start + 1;
            let figure = norm.bytes().any(|b| b.is_ascii_digit());
            // German capitalizes every noun: there a capital marks a name only when the lexicon
            // does not know the word.
            let name = tok.capitalized && !starts && !(german && translated);
            if lexicon.is_none() && !(figure || name) {
                // Without a lexicon only figures and names can be found across languages;
                // other words would only dilute each sentence's share.
                t.keys.truncate(start);
                continue;
            }
            t.keys[start..].sort_unstable();
            let mut end = start + 1;
            for k in start + 1..t.keys.len() {
                if t.keys[k] != t.keys[end - 1] {
                    t.keys[end] = t.keys[k];
                    end += 1;
                }
            }
            t.keys.truncate(end);
            t.anchors.push(Anchor {
                keys: start..end,
                weight: if figure || name {
                    STRONG * rarity.of(own)
                } else {
                    1.0
                },
            });
            sentence.anchors.end = t.anchors.len();
            owns.push(own);
        }
        // A word the text repeats from sentence to sentence (its topic: `Corona`, the
        // minister's name) says less about which sentence carries which.
        for (anchor, own) in t.anchors.iter_mut().zip(&owns) {
            let spread = t.postings.get(own).map_or(1, |l| l.len()) as f32;
            anchor.weight /= spread.sqrt();
        }
        let mut figures = long_figures(text, &tokens, &sentence_of);
        figures.sort_unstable();
        figures.dedup();
        for run in figures.chunk_by(|x, y| x.0 == y.0) {
            let at = t.figures.len();
            t.figures.extend(run.iter().map(|x| x.1));
            t.sentences[run[0].0].figures = at..t.figures.len();
        }
        t
    }

    /// The long figures of a run of sentences, sorted and distinct.
    pub fn figures(&self, sentences: Range<usize>) -> Vec<u64> {
        let mut out: Vec<u64> = self.sentences[sentences]
            .iter()
            .flat_map(|s| self.figures[s.figures.clone()].iter().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The figures of three digits or more of a text (`750`, `2020`, `14 680`), as (sentence,
/// hash of the digits): figures that translation passes on unchanged, and that no writer
/// spells out in words, as they do small numbers (`fünf`, `cinquante`). A figure written in
/// groups of three (`14.680`, `14 680`, `14,680`: one separator between groups) is one figure,
/// as the language that writes it without separators (`14680`) has it.
fn long_figures(text: &str, tokens: &Tokens, sentence_of: &[usize]) -> Vec<(usize, u64)> {
    let digits = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    let mut out = Vec::new();
    // The figure being read: its digits, its sentence, the digits of its last group.
    let mut number = String::new();
    let (mut sentence, mut group) = (0, 0);
    let mut flush = |number: &mut String, sentence: usize| {
        if number.len() >= 3 {
            out.push((sentence, xxhash_rust::xxh3::xxh3_64(number.as_bytes())));
        }
        number.clear();
    };
    for (i, &of) in sentence_of.iter().enumerate() {
        let norm = tokens.norm(i);
        if !digits(norm) {
            flush(&mut number, sentence);
            continue;
        }
        // A figure read so far ends at word `i - 1`: every other word flushes it.
        let grouped = !number.is_empty()
            && of == sentence
            && norm.len() == 3
            && group <= 3
            && text
                .get(tokens.get(i - 1).end..tokens.get(i).start)
                .is_some_and(|gap| {
                    matches!(gap, "." | "," | " " | "\u{a0}" | "\u{202f}" | "'" | "’")
                });
        if !grouped {
            flush(&mut number, sentence);
            sentence = of;
        }
        number.push_str(norm);
        group = norm.len();
    }
    flush(&mut number, sentence);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sentences long enough for the detector to name their languages.
    const DE: &str =
        "Die Regierung hat am Dienstag ein Hilfspaket für die Unternehmen beschlossen.";
    const FR: &str =
        "Le gouvernement a annoncé mardi un plan de soutien aux entreprises touchées par la crise.";

    fn lang(sample: &str) -> Language {
        super::super::detect(sample).unwrap()
    }

    #[test]
    fn a_figure_held_by_many_documents_weighs_less_than_a_rare_one() {
        let rarity = Rarity::new(1000, [(1, 500), (2, 2), (3, 1)].into_iter());
        assert!(rarity.of(1) < 0.11, "in half the corpus: {}", rarity.of(1));
        assert!(rarity.of(2) > 0.89, "in two documents: {}", rarity.of(2));
        assert_eq!(rarity.of(3), 1.0, "held once, or unknown: full weight");
        assert_eq!(rarity.of(4), 1.0);
        let t = Text::new(
            "Il y a 35 ans, Riexinger est né à Bonn.",
            lang(FR),
            None,
            &rarity,
        );
        assert_eq!(t.sentences.len(), 1);
        assert_eq!(
            t.anchors.len(),
            3,
            "without a lexicon, only figures and names: 35, Riexinger, Bonn"
        );
    }

    /// The sentences of `text`, in the language of `sample`.
    fn sentences(text: &str, sample: &str) -> usize {
        Text::new(text, lang(sample), None, &Rarity::default())
            .sentences
            .len()
    }

    #[test]
    fn the_full_stop_of_a_german_date_ends_no_sentence() {
        // After `31.` a month follows: one sentence. After `2021.` a new one starts, even
        // before a month's name (`Juli war heiß`): a year is no day.
        let de =
            "Die Frist endet am 31. März 2020. Danach gilt das Gesetz. Es kam 2021. Juli war heiß.";
        assert_eq!(sentences(de, DE), 4);
        assert_eq!(
            sentences("Le 31. Mars était froid.", FR),
            2,
            "a German rule only"
        );
    }

    #[test]
    fn a_long_figure_is_one_however_its_groups_are_written() {
        let figures = |text: &str| {
            let t = Text::new(text, lang(FR), None, &Rarity::default());
            t.figures(0..t.sentences.len())
        };
        let one = figures("Il y avait 14680 cas.");
        assert_eq!(one.len(), 1);
        assert_eq!(figures("Il y avait 14 680 cas."), one);
        assert_eq!(figures("Il y avait 14.680 cas."), one);
        assert_eq!(figures("Il y avait 14,680 cas."), one);
        // Short figures are left out (writers spell them out); a decimal's parts are short.
        assert!(figures("Il y avait 1,5 cas et 12 morts.").is_empty());
        // Two years are two figures, and a year is no group of the figure before it.
        assert_eq!(figures("En 2019, 2020 et 2021.").len(), 3);
        assert_eq!(figures("Ils étaient 12 2020.").len(), 1);
    }
}

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
}

/// German writes the day of a date as an ordinal, with a full stop (`am 31. März 2020`): that
/// stop, between a day and a month, ends no sentence. `day` and `month` are two words in a row
/// of `text`, with their normalized forms.
fn german_date(
    text: &str,
    day: &crate::normalize::Token,
    day_norm: &str,
    month: &crate::normalize::Token,
    month_norm: &str,
) -> bool {
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
    (1..=2).contains(&day_norm.len())
        && day_norm.bytes().all(|b| b.is_ascii_digit())
        && MONTHS.contains(&month_norm)
        && text
            .get(day.end..month.start)
            .is_some_and(|gap| gap.trim() == ".")
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
        };
        let german = lang.code() == "de";
        let mut owns = Vec::new();
        for i in 0..tokens.len() {
            let tok = tokens.get(i);
            let starts = tok.sentence_start
                && !(german
                    && i > 0
                    && german_date(
                        text,
                        tokens.get(i - 1),
                        tokens.norm(i - 1),
                        tok,
                        tokens.norm(i),
                    ));
            if starts || t.sentences.is_empty() {
                let at = t.anchors.len();
                t.sentences.push(Sentence {
                    bytes: tok.start..tok.end,
                    words: 0,
                    anchors: at..at,
                });
            }
            let s = t.sentences.len() - 1;
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
            let name = tok.capitalized && !tok.sentence_start && !(german && translated);
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
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_held_by_many_documents_weighs_less_than_a_rare_one() {
        let rarity = Rarity::new(1000, [(1, 500), (2, 2), (3, 1)].into_iter());
        assert!(rarity.of(1) < 0.11, "in half the corpus: {}", rarity.of(1));
        assert!(rarity.of(2) > 0.89, "in two documents: {}", rarity.of(2));
        assert_eq!(rarity.of(3), 1.0, "held once, or unknown: full weight");
        assert_eq!(rarity.of(4), 1.0);
        let fr = super::super::detect("Le gouvernement a annoncé mardi un plan de soutien aux entreprises touchées par la crise.").unwrap();
        let t = Text::new("Il y a 35 ans, Riexinger est né à Bonn.", fr, None, &rarity);
        assert_eq!(t.sentences.len(), 1);
        assert_eq!(
            t.anchors.len(),
            3,
            "without a lexicon, only figures and names: 35, Riexinger, Bonn"
        );
    }

    #[test]
    fn the_full_stop_of_a_german_date_ends_no_sentence() {
        let de = super::super::detect(
            "Die Regierung hat am Dienstag ein Hilfspaket für die Unternehmen beschlossen.",
        )
        .unwrap();
        let t = Text::new(
            "Die Frist endet am 31. März 2020. Danach gilt das Gesetz. Es kam 2021. Juli war heiß.",
            de,
            None,
            &Rarity::default(),
        );
        // After `31.` a month follows: one sentence. After `2021.` a new one starts, even
        // before a month's name (`Juli war heiß`): a year is no day.
        assert_eq!(t.sentences.len(), 4);
        let fr = super::super::detect(
            "Le gouvernement a annoncé mardi un plan de soutien aux entreprises touchées par la crise.",
        )
        .unwrap();
        let t = Text::new("Le 31. Mars était froid.", fr, None, &Rarity::default());
        assert_eq!(t.sentences.len(), 2, "a German rule only");
    }
}

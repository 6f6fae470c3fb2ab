//! Matching terms: the words that carry a text's content, reduced to a form that survives rewording.
//!
//! Two translations of one sentence differ mostly in their function words (`de la` / `des`, `the` /
//! `a`) and in word endings (`condamne` / `condamnent`, `régissent` / `régit`). Shingles and
//! alignment therefore work on *terms*: a [`Tokens`] list with French and English function words
//! removed and every remaining word cut to its first [`TermConfig::prefix`] characters (a crude but
//! language-independent stemmer; the 5-letter prefix is the one measured best on `corpus/`, see
//! docs/evaluation.md). Each term is hashed to a `u64` with seeded xxh3.
//!
//! # Invariants
//! - Terms are in text order; `Term::token` indexes the [`Tokens`] they came from.
//! - The hash of a term depends only on its normalized prefix and the seed, never on position.

use crate::normalize::Tokens;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// How words become terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TermConfig {
    /// Keep only the first `prefix` characters of each normalized word (0 keeps whole words).
    pub prefix: usize,
    /// Drop French and English function words (articles, prepositions, pronouns, auxiliaries…).
    pub drop_stop_words: bool,
    /// Seed of the term hash.
    pub seed: u64,
}

impl Default for TermConfig {
    fn default() -> Self {
        TermConfig {
            prefix: 5,
            drop_stop_words: true,
            seed: 0x7265_7072_696e_7421, // "reprint!"
        }
    }
}

/// One content word of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    /// Index of the word in its [`Tokens`].
    pub token: u32,
    /// Seeded hash of the word's normalized prefix.
    pub hash: u64,
    /// The word is a number or a unit of one (`trois`, `million`, `ans`, `percent`), or
    /// capitalized inside a sentence (most likely a name). Independently
    /// written articles on one story share their names and figures; copies share the words
    /// around them. The aligner counts such terms as weaker evidence.
    pub entity: bool,
}

/// Extracts the terms of `tokens` into `out` (cleared first).
pub fn extract_into(tokens: &Tokens, config: &TermConfig, out: &mut Vec<Term>) {
    out.clear();
    let lexicon = lexicon();
    for i in 0..tokens.len() {
        let word = tokens.norm(i);
        // One probe of one table says whether the word is a function word and whether it is a
        // quantity (a sixth of term extraction went to the second probe).
        let class = lexicon.class(word);
        if config.drop_stop_words && (class & STOP != 0 || is_letter_or_empty(word)) {
            continue;
        }
        let tok = tokens.get(i);
        let entity = (tok.capitalized && !tok.sentence_start)
            || word.bytes().all(|b| b.is_ascii_digit())
            || class & QUANTITY != 0;
        out.push(Term {
            token: i as u32,
            hash: hash_term(word, config),
            entity,
        });
    }
}

/// Extracts the terms of `tokens`.
pub fn extract(tokens: &Tokens, config: &TermConfig) -> Vec<Term> {
    let mut out = Vec::new();
    extract_into(tokens, config, &mut out);
    out
}

/// The hash of one normalized word under `config`.
#[inline]
pub fn hash_term(word: &str, config: &TermConfig) -> u64 {
    let bytes = word.as_bytes();
    let cut = if config.prefix == 0 || bytes.len() <= config.prefix {
        // No longer in bytes than the prefix in characters: the whole word.
        word.len()
    } else if bytes[..config.prefix].is_ascii() {
        // That many ASCII bytes are that many characters, and a character starts after them.
        config.prefix
    } else {
        word.char_indices()
            .nth(config.prefix)
            .map_or(word.len(), |(i, _)| i)
    };
    xxh3_64_with_seed(&word.as_bytes()[..cut], config.seed)
}

/// True for French and English function words, and for single letters (elided articles and
/// pronouns such as the `l` of `l'Iran` or the `s` of `it's`). Expects a normalized word.
pub fn is_stop_word(word: &str) -> bool {
    is_letter_or_empty(word) || lexicon().class(word) & STOP != 0
}

/// No character, or a single letter.
fn is_letter_or_empty(word: &str) -> bool {
    let mut chars = word.chars();
    match (chars.next(), chars.next()) {
        (None, _) => true,
        (Some(c), None) => c.is_alphabetic(),
        _ => false,
    }
}

/// Class bit of [`STOP_WORDS`] in the lexicon.
const STOP: u8 = 1;
/// Class bit of [`QUANTITY_WORDS`] in the lexicon.
const QUANTITY: u8 = 2;

/// A set of short words with a few class bits each, each word packed into one integer and kept
/// in a small open-addressing table: a lookup is a multiplication and, almost always, one
/// comparison. Every word of every text is looked up; string comparisons were a sixth of the
/// crawler index's time per page, and a binary search over the packed words still 7% (perf,
/// both).
struct WordSet {
    /// Packed words, 0 where empty (no packed word is 0), at most a quarter full.
    slots: Vec<u128>,
    /// The class bits of the word in the same slot.
    classes: Vec<u8>,
    /// 64 − log2(slots.len()): the top bits of the product choose the slot.
    shift: u32,
}

impl WordSet {
    /// The words, zero-padded to 16 bytes: a normalized word holds no NUL byte, so padding
    /// never makes two words equal, and a non-empty word never packs to 0.
    fn pack(word: &str) -> Option<u128> {
        // Every word of every text is packed: a copy of its bytes into a zeroed buffer is a
        // call to memcpy with a variable length, half of the packing's time. Loading the
        // first and the last few bytes of the word instead, each shifted to its place, gives
        // the same integer (where the two overlap they put the same bytes in the same place).
        let b = word.as_bytes();
        let n = b.len();
        let at = |i: usize| u128::from(b[i]) << (8 * (15 - i));
        let k = match n {
            1..=3 => at(0) | at(n / 2) | at(n - 1),
            4..=7 => {
                let first = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
                let last = u32::from_be_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]);
                u128::from(first) << 96 | u128::from(last) << (8 * (16 - n))
            }
            8..=16 => {
                let first = u64::from_be_bytes(b[..8].try_into().expect("8 bytes"));
                let last = u64::from_be_bytes(b[n - 8..].try_into().expect("8 bytes"));
                u128::from(first) << 64 | u128::from(last) << (8 * (16 - n))
            }
            _ => return None,
        };
        Some(k)
    }

    fn home(&self, k: u128) -> usize {
        let x = (k as u64) ^ ((k >> 64) as u64).rotate_left(29);
        (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The words of every list, each with the bits of every list it is in.
    fn new(lists: &[(&[&str], u8)]) -> WordSet {
        let n: usize = lists.iter().map(|(l, _)| l.len()).sum();
        let size = (4 * n).next_power_of_two().max(16);
        let mut set = WordSet {
            slots: vec![0; size],
            classes: vec![0; size],
            shift: 64 - size.trailing_zeros(),
        };
        for &(words, bits) in lists {
            for w in words {
                let k = WordSet::pack(w).expect("listed words are 1 to 16 bytes");
                let mut i = set.home(k);
                while set.slots[i] != 0 && set.slots[i] != k {
                    i = (i + 1) & (size - 1);
                }
                set.slots[i] = k;
                set.classes[i] |= bits;
            }
        }
        set
    }

    /// The class bits of `word`, 0 when it is in no list.
    fn class(&self, word: &str) -> u8 {
        let Some(k) = WordSet::pack(word) else {
            return 0;
        };
        let mask = self.slots.len() - 1;
        let mut i = self.home(k);
        loop {
            match self.slots[i] {
                0 => return 0,
                v if v == k => return self.classes[i],
                _ => i = (i + 1) & mask,
            }
        }
    }
}

/// Function words ([`STOP`]) and quantities ([`QUANTITY`]) in one table.
fn lexicon() -> &'static WordSet {
    static SET: std::sync::OnceLock<WordSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| WordSet::new(&[(STOP_WORDS, STOP), (QUANTITY_WORDS, QUANTITY)]))
}

/// Number words and the units that go with figures, in French and English (normalized, sorted):
/// facts that independent reports of one event share without copying each other.
static QUANTITY_WORDS: &[&str] = &[
    "an",
    "annee",
    "annees",
    "ans",
    "billion",
    "billions",
    "cent",
    "cents",
    "cinq",
    "cinquante",
    "day",
    "days",
    "deux",
    "dix",
    "douze",
    "eight",
    "eighteen",
    "eighty",
    "eleven",
    "euro",
    "euros",
    "fifteen",
    "fifty",
    "five",
    "forty",
    "four",
    "fourteen",
    "heure",
    "heures",
    "hour",
    "hours",
    "huit",
    "hundred",
    "hundreds",
    "jour",
    "jours",
    "kilometers",
    "kilometre",
    "kilometres",
    "km",
    "mille",
    "milliard",
    "milliards",
    "million",
    "millions",
    "minute",
    "minutes",
    "mois",
    "month",
    "months",
    "neuf",
    "nine",
    "ninety",
    "one",
    "onze",
    "percent",
    "pounds",
    "quarante",
    "quatorze",
    "quatre",
    "quinze",
    "seize",
    "sept",
    "seven",
    "seventy",
    "six",
    "sixty",
    "soixante",
    "ten",
    "thirty",
    "thousand",
    "thousands",
    "three",
    "treize",
    "trente",
    "trois",
    "twelve",
    "twenty",
    "two",
    "un",
    "une",
    "vingt",
    "week",
    "weeks",
    "year",
    "years",
];

/// Normalized (lowercase, unaccented) function words of French and English, sorted for binary
/// search. Content-bearing words that happen to be frequent (`said`, `dit`) are kept out on
/// purpose: they are part of reported speech that copies share.
static STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "ai",
    "aie",
    "aient",
    "aies",
    "ait",
    "al",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "au",
    "aucun",
    "aucune",
    "aupres",
    "aussi",
    "autre",
    "autres",
    "aux",
    "avaient",
    "avais",
    "avait",
    "avant",
    "avec",
    "avez",
    "avions",
    "avoir",
    "avons",
    "ayant",
    "be",
    "been",
    "before",
    "being",
    "but",
    "by",
    "can",
    "ce",
    "ceci",
    "cela",
    "celle",
    "celles",
    "celui",
    "cependant",
    "ces",
    "cet",
    "cette",
    "ceux",
    "chaque",
    "chez",
    "comme",
    "could",
    "dans",
    "de",
    "des",
    "did",
    "do",
    "does",
    "doit",
    "donc",
    "dont",
    "du",
    "during",
    "each",
    "elle",
    "elles",
    "en",
    "encore",
    "entre",
    "est",
    "et",
    "etaient",
    "etais",
    "etait",
    "etant",
    "ete",
    "etes",
    "etre",
    "eu",
    "eux",
    "for",
    "from",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "i",
    "ici",
    "if",
    "il",
    "ils",
    "in",
    "into",
    "is",
    "it",
    "its",
    "je",
    "jusqu",
    "jusque",
    "la",
    "le",
    "les",
    "leur",
    "leurs",
    "lors",
    "lorsqu",
    "lorsque",
    "lui",
    "ma",
    "mais",
    "me",
    "meme",
    "memes",
    "mes",
    "moi",
    "mon",
    "more",
    "most",
    "my",
    "ne",
    "ni",
    "no",
    "nor",
    "nos",
    "not",
    "notre",
    "nous",
    "of",
    "on",
    "ont",
    "or",
    "ou",
    "our",
    "ours",
    "par",
    "parce",
    "pas",
    "pendant",
    "peu",
    "peut",
    "plus",
    "pour",
    "pourquoi",
    "qu",
    "quand",
    "que",
    "quel",
    "quelle",
    "quelles",
    "quels",
    "qui",
    "quoi",
    "sa",
    "sans",
    "se",
    "sera",
    "seraient",
    "serait",
    "ses",
    "she",
    "should",
    "si",
    "so",
    "soit",
    "sommes",
    "son",
    "sont",
    "sous",
    "such",
    "sur",
    "ta",
    "te",
    "tes",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "toi",
    "ton",
    "tous",
    "tout",
    "toute",
    "toutes",
    "tres",
    "tu",
    "un",
    "une",
    "unes",
    "uns",
    "very",
    "vos",
    "votre",
    "vous",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "y",
    "you",
    "your",
    "yours",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tokenize;

    impl WordSet {
        fn contains(&self, word: &str) -> bool {
            self.class(word) != 0
        }
    }

    #[test]
    fn a_prefix_is_cut_at_a_character_boundary() {
        let c = TermConfig::default();
        let same = |a: &str, b: &str| hash_term(a, &c) == hash_term(b, &c);
        assert!(same("condamnent", "condamne"));
        assert!(same("etats", "etatsunis"));
        assert!(same("e\u{301}tats", "e\u{301}tat")); // 5 characters, 6 bytes
        assert!(!same("e\u{301}tats", "e\u{301}ta"));
        assert!(same("数据中心建设", "数据中心建"));
        assert!(!same("abcd", "abcde"));
        let whole = TermConfig { prefix: 0, ..c };
        assert_ne!(
            hash_term("condamnent", &whole),
            hash_term("condamne", &whole)
        );
    }

    #[test]
    fn stop_words_are_sorted_and_normalized() {
        assert!(
            STOP_WORDS.windows(2).all(|w| w[0] < w[1]),
            "STOP_WORDS must stay sorted"
        );
        for w in STOP_WORDS {
            let t = tokenize(w);
            assert_eq!(t.len(), 1, "{w} must be one word");
            assert_eq!(t.norm(0), *w, "{w} must be in normalized form");
        }
    }

    #[test]
    fn quantity_words_are_sorted_and_normalized() {
        assert!(
            QUANTITY_WORDS.windows(2).all(|w| w[0] < w[1]),
            "QUANTITY_WORDS must stay sorted"
        );
        for w in QUANTITY_WORDS {
            assert_eq!(tokenize(w).norm(0), *w);
        }
    }

    #[test]
    fn a_packed_word_is_its_bytes_zero_padded() {
        let words = [
            "", "a", "de", "les", "etat", "etats", "europe", "fermeme", "fermemen",
        ]
        .into_iter()
        .map(String::from)
        .chain((1..=18).map(|n| (0..n).map(|i| char::from(b'a' + i as u8)).collect()))
        .chain(["é", "ça", "数据", "condamnés", "anticonstitutionn"].map(String::from));
        for w in words {
            let b = w.as_bytes();
            let expected = (1..=16).contains(&b.len()).then(|| {
                let mut buf = [0u8; 16];
                buf[..b.len()].copy_from_slice(b);
                u128::from_be_bytes(buf)
            });
            assert_eq!(WordSet::pack(&w), expected, "{w:?}");
        }
    }

    #[test]
    fn packed_word_sets_agree_with_the_lists() {
        let both = lexicon();
        for (list, bit) in [(STOP_WORDS, STOP), (QUANTITY_WORDS, QUANTITY)] {
            let set = WordSet::new(&[(list, 1)]);
            for w in list {
                assert!(set.contains(w), "{w}");
                assert!(both.class(w) & bit != 0, "{w}");
                let other = if bit == STOP {
                    QUANTITY_WORDS
                } else {
                    STOP_WORDS
                };
                assert_eq!(both.class(w) & !bit != 0, other.contains(w), "{w}");
                // A word one letter longer or shorter is another word.
                let longer = format!("{w}s");
                assert_eq!(
                    set.contains(&longer),
                    list.contains(&longer.as_str()),
                    "{longer}"
                );
                let shorter = &w[..w.char_indices().last().unwrap().0];
                assert_eq!(
                    set.contains(shorter),
                    list.contains(&shorter),
                    "{shorter:?}"
                );
            }
            assert!(!set.contains("anticonstitutionnellement"));
            assert!(!set.contains("cyberattaque"));
        }
    }

    #[test]
    fn function_words_and_elisions_are_dropped() {
        let toks = tokenize("L'Iran a fermement condamné la décision de l'Albanie");
        let terms = extract(&toks, &TermConfig::default());
        let words: Vec<&str> = terms.iter().map(|t| toks.norm(t.token as usize)).collect();
        assert_eq!(
            words,
            ["iran", "fermement", "condamne", "decision", "albanie"]
        );
    }

    #[test]
    fn names_and_numbers_are_entities() {
        let toks = tokenize("Selon Edi Rama, 3000 diplomates partent. Mercredi, il parle.");
        let terms = extract(&toks, &TermConfig::default());
        let got: Vec<(&str, bool)> = terms
            .iter()
            .map(|t| (toks.norm(t.token as usize), t.entity))
            .collect();
        assert_eq!(
            got,
            [
                ("selon", false), // capitalized, but at the start of a sentence
                ("edi", true),
                ("rama", true),
                ("3000", true),
                ("diplomates", false),
                ("partent", false),
                ("mercredi", false),
                ("parle", false),
            ]
        );
    }

    #[test]
    fn prefix_makes_inflections_meet() {
        let c = TermConfig::default();
        assert_eq!(hash_term("condamnent", &c), hash_term("condamne", &c));
        assert_ne!(hash_term("condamne", &c), hash_term("fermement", &c));
        let whole = TermConfig { prefix: 0, ..c };
        assert_ne!(
            hash_term("condamnent", &whole),
            hash_term("condamne", &whole)
        );
    }

    #[test]
    fn seed_changes_hashes() {
        let a = TermConfig::default();
        let b = TermConfig { seed: 1, ..a };
        assert_ne!(hash_term("iran", &a), hash_term("iran", &b));
    }
}

//! Copies across languages: a page in one language that carries a story written in another
//! (a French site publishing the machine translation of a German or English wire story).
//!
//! Translation replaces almost every word, so shingles and the word aligner see nothing. What
//! it keeps is the order of sentences and the words it cannot translate: figures, names,
//! acronyms, words spelt alike in both languages; a bilingual [`Lexicon`] adds the words it
//! can. A copy is therefore found sentence by sentence (`align`): each sentence of A is matched
//! with the one or two sentences of B that hold most of its *anchors* (its content words, each
//! with the keys it may appear under in B's language), the matched sentences are kept in the
//! order both texts give them, and A's share in B is the share of A's words in matched
//! sentences — the same scale as [`crate::compare`]'s containment.
//!
//! `scan_across` finds the pairs in a corpus without comparing every pair of languages:
//! documents of different languages become candidates when they share rare figures and
//! names, which pass through translation unchanged.
//!
//! # Invariants
//! - Only documents whose language is detected reliably, and differs, are compared here; two
//!   texts of one language keep the monolingual pipeline and its scores.
//! - Results depend only on the texts and the lexicons, never on thread count or order.

mod align;
pub mod lexicon;
mod scan;
mod text;

pub use lexicon::Lexicon;
pub(crate) use scan::{candidate_keys, key_evidence, max_holders, MIN_EVIDENCE};
pub use scan::{scan_across, XlingScan};

use crate::normalize::tokenize;
use crate::score::Comparison;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// A language as detected, by its ISO 639-1 code where it has one (`de`, `fr`, `en`), else its
/// ISO 639-3 code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Language(&'static str);

impl Language {
    /// The language's code (`de`, `fr`, `en`…).
    pub fn code(&self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// Bytes of a text's start that language detection reads: enough for a reliable guess, and
/// a page's language is the language of its start.
const DETECT_BYTES: usize = 4096;

/// The language of `text`, when the detector (whatlang: trigram profiles of 69 languages, no
/// model files, pure Rust) is confident of it.
pub fn detect(text: &str) -> Option<Language> {
    let mut end = text.len().min(DETECT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let info = whatlang::detect(&text[..end])?;
    if !info.is_reliable() {
        return None;
    }
    let code = info.lang().code();
    Some(Language(match code {
        "deu" => "de",
        "fra" => "fr",
        "eng" => "en",
        "spa" => "es",
        "ita" => "it",
        "por" => "pt",
        "nld" => "nl",
        "pol" => "pl",
        "rus" => "ru",
        other => other,
    }))
}

/// Characters of a normalized word kept in its key: endings differ between a word and its
/// translation's dictionary form (`gouvernements` / `gouvernement`), the start rarely does.
/// The same prefix as the monolingual terms (`terms::TermConfig::prefix`).
const STEM_CHARS: usize = 5;

/// The key of a normalized word: figures whole (`2020` must not match `2021`), other words by
/// their first [`STEM_CHARS`] characters.
pub(crate) fn stem(norm: &str) -> u64 {
    const SEED: u64 = 0x786c_696e_6721; // "xling!"
    if norm.bytes().any(|b| b.is_ascii_digit()) {
        return xxh3_64_with_seed(norm.as_bytes(), SEED);
    }
    let end = norm
        .char_indices()
        .nth(STEM_CHARS)
        .map_or(norm.len(), |(i, _)| i);
    xxh3_64_with_seed(&norm.as_bytes()[..end], SEED)
}

/// Whether a normalized word carries content: not a function word (French, English and German
/// ones, whatever the text's language: pages mix them), and a figure or at least three
/// characters long.
pub(crate) fn is_content(norm: &str) -> bool {
    let digits = norm.bytes().any(|b| b.is_ascii_digit());
    if digits {
        return true;
    }
    norm.chars().count() >= 3 && !crate::terms::is_stop_word(norm) && !is_german_stop_word(norm)
}

/// The stem keys of the content words of `text`.
pub(crate) fn content_stems(text: &str) -> Vec<u64> {
    let t = tokenize(text);
    (0..t.len())
        .map(|i| t.norm(i))
        .filter(|w| is_content(w))
        .map(stem)
        .collect()
}

/// German function words (normalized: `für` → `fur`), written for this project: articles,
/// pronouns, prepositions, conjunctions, auxiliaries and the commonest particles.
const GERMAN_STOP_WORDS: &[&str] = &[
    "aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an", "auch", "auf",
    "aus", "bei", "beim", "bin", "bis", "bist", "da", "damit", "dann", "das", "dass", "dem", "den",
    "denen", "denn", "der", "deren", "des", "dessen", "die", "dies", "diese", "diesem", "diesen",
    "dieser", "dieses", "doch", "dort", "du", "durch", "ein", "eine", "einem", "einen", "einer",
    "eines", "er", "es", "etwa", "euch", "fur", "gegen", "gewesen", "hab", "habe", "haben", "hat",
    "hatte", "hatten", "hier", "ich", "ihm", "ihn", "ihnen", "ihr", "ihre", "ihrem", "ihren",
    "ihrer", "ihres", "im", "immer", "in", "ins", "ist", "ja", "jede", "jedem", "jeden", "jeder",
    "jedes", "jetzt", "kann", "kein", "keine", "keinem", "keinen", "keiner", "konnen", "konnte",
    "man", "mehr", "mein", "meine", "mich", "mir", "mit", "muss", "mussen", "nach", "nicht",
    "nichts", "noch", "nun", "nur", "ob", "oder", "ohne", "schon", "sehr", "sei", "seien", "sein",
    "seine", "seinem", "seinen", "seiner", "seit", "sich", "sie", "sind", "so", "soll", "sollen",
    "sollte", "sondern", "sowie", "uber", "um", "und", "uns", "unser", "unter", "viel", "vom",
    "von", "vor", "wahrend", "war", "waren", "was", "weil", "wenn", "wer", "werde", "werden",
    "wie", "wieder", "will", "wir", "wird", "wo", "wurde", "wurden", "zu", "zum", "zur", "zwar",
    "zwischen",
];

fn is_german_stop_word(norm: &str) -> bool {
    GERMAN_STOP_WORDS.binary_search(&norm).is_ok()
}

/// What cross-lingual comparison knows: the lexicons it may use.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CrossLingual {
    pub(crate) lexicons: Vec<Lexicon>,
}

impl CrossLingual {
    /// Comparison through figures, names and words spelt alike only.
    pub fn new() -> CrossLingual {
        CrossLingual::default()
    }

    /// Also through the translations of `lexicon` (for its two languages; the first lexicon
    /// given for a pair of languages is the one used).
    pub fn with_lexicon(mut self, lexicon: Lexicon) -> CrossLingual {
        self.lexicons.push(lexicon);
        self
    }

    /// The lexicon translating `from` into `to`, and its direction.
    fn lexicon(&self, from: Language, to: Language) -> Option<(&Lexicon, usize)> {
        self.lexicons
            .iter()
            .find_map(|l| l.direction(from.code(), to.code()).map(|d| (l, d)))
    }

    /// Compares `a` (in `la`) with `b` (in `lb`): the share of each carried by the other, and
    /// the passages, sentence runs with byte offsets in both texts. Resemblance, a measure of
    /// shared wording, is 0 across languages.
    pub fn compare(&self, a: &str, la: Language, b: &str, lb: Language) -> Comparison {
        View::compare(&self.view(a, la, lb), &self.view(b, lb, la))
    }

    /// [`CrossLingual::compare`] of two texts whose languages are detected and differ; `None`
    /// for two texts of one language, or one whose language is not detected reliably: such a
    /// pair is the monolingual comparison's (`reprint compare --cross-lingual`, Python's
    /// `compare(cross_lingual=)`).
    pub fn compare_across(&self, a: &str, b: &str) -> Option<Comparison> {
        let (la, lb) = (detect(a)?, detect(b)?);
        (la != lb).then(|| self.compare(a, la, b, lb))
    }

    /// `text`, in `lang`, analyzed for comparison with texts in `partner`, as [`compare`]
    /// analyzes each side: a text compared with many (an index's query) is analyzed once.
    ///
    /// [`compare`]: CrossLingual::compare
    pub(crate) fn view(&self, text: &str, lang: Language, partner: Language) -> View {
        View(self.text(text, lang, partner, &text::Rarity::default()))
    }

    /// `text`, in `lang`, as compared with texts in `partner`.
    fn text(
        &self,
        text: &str,
        lang: Language,
        partner: Language,
        rarity: &text::Rarity,
    ) -> text::Text {
        text::Text::new(text, lang, self.lexicon(lang, partner), rarity)
    }
}

/// A text as [`CrossLingual::view`] analyzed it.
pub(crate) struct View(text::Text);

impl View {
    /// What [`CrossLingual::compare`] gives the two texts.
    pub(crate) fn compare(a: &View, b: &View) -> Comparison {
        align::compare(&a.0, &b.0)
    }
}

/// Adds the pairs [`scan_across`] found to a monolingual scan's `pairs` (both sorted by
/// `(a, b)`, and so is the result). A pair both report is a pair of two languages, which the
/// sentence alignment measures and the word aligner does not (it sees only the names they
/// share): the cross-lingual comparison replaces the other.
pub fn merge_pairs(pairs: &mut Vec<crate::scan::ScoredPair>, across: Vec<crate::scan::ScoredPair>) {
    if across.is_empty() {
        return;
    }
    let mut out = Vec::with_capacity(pairs.len() + across.len());
    let mut mono = std::mem::take(pairs).into_iter().peekable();
    for x in across {
        while let Some(p) = mono.next_if(|p| (p.a, p.b) < (x.a, x.b)) {
            out.push(p);
        }
        mono.next_if(|p| (p.a, p.b) == (x.a, x.b));
        out.push(x);
    }
    out.extend(mono);
    *pairs = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_stop_words_are_sorted_for_binary_search() {
        assert!(GERMAN_STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn detects_the_languages_of_whole_paragraphs() {
        let de = "Der Parteivorsitzende sieht seinen größten politischen Fehler in seiner \
                  Bemerkung auf der Konferenz, als er sagte, dass die Partei das nicht wolle.";
        let fr = "Le chef du parti voit sa plus grande erreur politique dans sa remarque lors \
                  de la conférence, lorsqu'il a déclaré que le parti ne le voulait pas.";
        assert_eq!(detect(de).map(|l| l.code()), Some("de"));
        assert_eq!(detect(fr).map(|l| l.code()), Some("fr"));
        assert_eq!(detect(""), None);
    }

    #[test]
    fn figures_keep_every_digit_words_their_start() {
        assert_ne!(stem("2020"), stem("2021"));
        assert_eq!(stem("gouvernement"), stem("gouvernements"));
        assert!(is_content("35") && !is_content("und") && !is_content("les"));
    }
}

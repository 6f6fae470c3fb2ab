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

pub(super) struct Text {
    pub sentences: Vec<Sentence>,
    pub anchors: Vec<Anchor>,
    pub keys: Vec<u64>,
    /// Total words.
    pub words: u32,
    /// The stem of each of its own content words → the sentences holding it, ascending: where
    /// the other text's anchors are looked up.
    pub postings: AHashMap<u64, Vec<u32>>,
}

impl Text {
    /// `text` in `lang`; `lexicon` translates from `lang` into the language of the text it will
    /// be compared with.
    pub fn new(text: &str, lang: Language, lexicon: Option<(&Lexicon, usize)>) -> Text {
        let mut tokens = Tokens::new();
        tokenize_into(text, &mut tokens);
        let mut t = Text {
            sentences: Vec::new(),
            anchors: Vec::new(),
            keys: Vec::new(),
            words: tokens.len() as u32,
            postings: AHashMap::new(),
        };
        let german = lang.code() == "de";
        let mut owns = Vec::new();
        for i in 0..tokens.len() {
            let tok = tokens.get(i);
            if tok.sentence_start || t.sentences.is_empty() {
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
            if !is_content(norm, lang.code()) {
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
                weight: if figure || name { STRONG } else { 1.0 },
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

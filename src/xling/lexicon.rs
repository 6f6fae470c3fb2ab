//! Bilingual lexicons, read at run time from a path.
//!
//! The dictionaries that cover German, French and English well (FreeDict, from Wiktionary) are
//! licensed CC-BY-SA or GPL, so reprint ships none: `scripts/xling/freedict_lexicon.py` turns
//! the installed Debian packages into this plain format, and any other source can be written
//! in it too:
//!
//! ```text
//! #reprint-lexicon<TAB>de<TAB>fr
//! Regierung<TAB>gouvernement
//! sagen<TAB>dire<TAB>répondre
//! ```
//!
//! A header names the two languages (ISO 639-1 codes, as [`super::Language::code`] gives them);
//! each further line is a word of the first language and its translations, tab-separated. Both
//! directions are used: a lexicon `de fr` also translates French into German.
//!
//! # Invariants
//! - Words are looked up in normalized form (`normalize`: case and diacritics folded), so
//!   `Größe` in a text finds `grösse` in the file.
//! - A translation is kept as the stem keys of its content words (first five letters, figures
//!   whole); a translation that is only function words (`haben` → `avoir`, `être`) carries no
//!   evidence and is dropped.

use crate::normalize::tokenize;
use crate::Error;
use ahash::AHashMap;
use std::path::{Path, PathBuf};

/// One pair of languages and the translations between their words, both ways.
#[derive(Clone, PartialEq)]
pub struct Lexicon {
    languages: [String; 2],
    /// Per direction (0: first language → second, 1: back), a normalized word → the stem keys
    /// of its translations, sorted and unique.
    maps: [AHashMap<String, Vec<u64>>; 2],
    path: PathBuf,
}

/// Its languages, path and size, not its words: a lexicon travels in
/// [`crate::index::IndexOptions`], whose `Debug` must stay readable.
impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon")
            .field("languages", &self.languages)
            .field("path", &self.path)
            .field("words", &self.len())
            .finish()
    }
}

impl Lexicon {
    /// Reads a lexicon file (format in the module docs).
    pub fn load(path: &Path) -> crate::Result<Lexicon> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        Lexicon::parse(&text, path)
    }

    /// Parses a lexicon's text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> crate::Result<Lexicon> {
        let bad = |line: u64, reason: String| Error::BadLexicon {
            path: path.to_owned(),
            line,
            reason,
        };
        let mut lines = text.lines();
        let header = lines.next().unwrap_or("");
        let fields: Vec<&str> = header.split('\t').collect();
        let languages =
            match fields.as_slice() {
                ["#reprint-lexicon", a, b] if valid_code(a) && valid_code(b) && a != b => {
                    [a.to_string(), b.to_string()]
                }
                _ => return Err(bad(
                    1,
                    "the first line must be `#reprint-lexicon<TAB>xx<TAB>yy` with two different \
                     language codes"
                        .into(),
                )),
            };
        let mut maps: [AHashMap<String, Vec<u64>>; 2] = Default::default();
        for (n, line) in lines.enumerate() {
            let line_no = n as u64 + 2;
            if line.trim().is_empty() {
                continue;
            }
            let mut parts = line.split('\t');
            let word = parts.next().unwrap_or("");
            let translations: Vec<&str> = parts.filter(|t| !t.trim().is_empty()).collect();
            if word.trim().is_empty() || translations.is_empty() {
                return Err(bad(
                    line_no,
                    "expected a word and at least one translation, tab-separated".into(),
                ));
            }
            let Some(source) = single_word(word) else {
                continue; // phrases are never looked up: texts are matched word by word
            };
            // What a translation of the first language back into it finds: the word's own
            // stems, the same for each of its translations.
            let back = super::content_stems(word);
            for t in translations {
                let keys = super::content_stems(t);
                if !keys.is_empty() {
                    maps[0].entry(source.clone()).or_default().extend(&keys);
                }
                if let Some(target) = single_word(t).filter(|_| !back.is_empty()) {
                    maps[1].entry(target).or_default().extend(&back);
                }
            }
        }
        for map in &mut maps {
            for keys in map.values_mut() {
                keys.sort_unstable();
                keys.dedup();
            }
        }
        if maps[0].is_empty() {
            return Err(bad(0, "no usable entry".into()));
        }
        Ok(Lexicon {
            languages,
            maps,
            path: path.to_owned(),
        })
    }

    /// The two languages, as the header gives them.
    pub fn languages(&self) -> (&str, &str) {
        (&self.languages[0], &self.languages[1])
    }

    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of words with translations, each way.
    pub fn len(&self) -> (usize, usize) {
        (self.maps[0].len(), self.maps[1].len())
    }

    /// Whether it translates from `from` into `to` (either direction of the file).
    pub(crate) fn direction(&self, from: &str, to: &str) -> Option<usize> {
        if self.languages[0] == from && self.languages[1] == to {
            Some(0)
        } else if self.languages[1] == from && self.languages[0] == to {
            Some(1)
        } else {
            None
        }
    }

    /// The stem keys of a normalized word's translations, in direction `dir`: the word itself,
    /// else the word less an inflectional ending, else — for compounds, which German writes as
    /// one word — the translations of its longest known head and of what precedes it.
    pub(crate) fn translate(&self, dir: usize, word: &str, out: &mut Vec<u64>) {
        let map = &self.maps[dir];
        if let Some(keys) = lookup_inflected(map, word) {
            out.extend_from_slice(keys);
            return;
        }
        // Compound: the shortest modifier whose rest is a known word (the longest head).
        let bounds: Vec<usize> = word.char_indices().map(|(i, _)| i).skip(3).collect();
        for &cut in &bounds {
            let (modifier, head) = word.split_at(cut);
            if head.chars().count() < 4 {
                break;
            }
            if let Some(keys) = lookup_inflected(map, head) {
                out.extend_from_slice(keys);
                let modifier = modifier
                    .strip_suffix('s')
                    .filter(|m| m.len() >= 3)
                    .unwrap_or(modifier);
                if let Some(keys) = lookup_inflected(map, modifier) {
                    out.extend_from_slice(keys);
                }
                return;
            }
        }
    }
}

/// Endings stripped, longest first, to find the dictionary form of an inflected word (German
/// and French plural, case and verb endings; English plural).
const ENDINGS: [&str; 9] = ["ern", "en", "er", "es", "em", "e", "n", "s", "t"];

fn lookup_inflected<'m>(map: &'m AHashMap<String, Vec<u64>>, word: &str) -> Option<&'m Vec<u64>> {
    if let Some(k) = map.get(word) {
        return Some(k);
    }
    for end in ENDINGS {
        if let Some(stem) = word.strip_suffix(end) {
            if stem.chars().count() >= 3 {
                if let Some(k) = map.get(stem) {
                    return Some(k);
                }
                // `Parteien` → `partei`; `größten` → `größt` → `groß` is too far: one ending only.
            }
        }
    }
    None
}

fn valid_code(c: &str) -> bool {
    (2..=3).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_lowercase())
}

/// The normalized form of `text` if it is one word.
fn single_word(text: &str) -> Option<String> {
    let t = tokenize(text);
    (t.len() == 1).then(|| t.norm(0).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon(text: &str) -> crate::Result<Lexicon> {
        Lexicon::parse(text, Path::new("test.tsv"))
    }

    #[test]
    fn translates_both_ways_with_inflection_and_compounds() {
        let l = lexicon(
            "#reprint-lexicon\tde\tfr\nRegierung\tgouvernement\nPartei\tparti\tpartie\n\
             Vorsitzende\tprésident\nhaben\tavoir\n",
        )
        .unwrap();
        let de_fr = l.direction("de", "fr").unwrap();
        let mut out = Vec::new();
        l.translate(de_fr, "regierungen", &mut out);
        assert_eq!(out, super::super::content_stems("gouvernements"));
        out.clear();
        l.translate(de_fr, "parteivorsitzende", &mut out);
        let mut want = super::super::content_stems("président parti partie");
        want.sort_unstable();
        want.dedup(); // `parti` and `partie` share their stem
        out.sort_unstable();
        assert_eq!(out, want);
        out.clear();
        l.translate(de_fr, "haben", &mut out);
        assert!(out.is_empty(), "a function word carries no evidence");
        let fr_de = l.direction("fr", "de").unwrap();
        out.clear();
        l.translate(fr_de, "gouvernement", &mut out);
        assert_eq!(out, super::super::content_stems("Regierung"));
    }

    #[test]
    fn bad_files_say_which_line_and_why() {
        let e = lexicon("de\tfr\n").unwrap_err().to_string();
        assert!(e.starts_with("test.tsv:1: the first line"), "{e}");
        let e = lexicon("#reprint-lexicon\tde\tfr\nRegierung\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("test.tsv:2: expected a word"), "{e}");
        let e = lexicon("#reprint-lexicon\tde\tde\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("two different"), "{e}");
        let e = lexicon("#reprint-lexicon\tde\tfr\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no usable entry"), "{e}");
    }
}

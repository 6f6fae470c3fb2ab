//! Copies across languages in the index ([`IndexOptions::cross_lingual`]): a French page queried
//! against an index holding the English wire story it translates finds it.
//!
//! Shingles see nothing across languages, so the monolingual keys cannot find these copies.
//! Each document whose language is detected files the keys `scan` pairs documents of different
//! languages by ([`crate::xling::candidate_keys`]: its figures and names, and with a lexicon its
//! content words under their own stems and their translations'), with its language, in inverted
//! lists of their own. A query looks its page's keys up; each indexed document of another
//! language gathers `ln(N / holders)` per key it shares (N at least [`MIN_RARITY_BASE`]; keys
//! held by more than [`max_holders`] documents skipped), and those reaching [`MIN_EVIDENCE`],
//! at most `max_candidates` of them with the most evidence, are compared with
//! [`CrossLingual::compare`]: a match's scores are what `reprint compare --cross-lingual` gives
//! the two texts (figures and names weigh in full: no corpus rarity, as for two texts alone).
//!
//! Analyzing a stored text for comparison costs ten times aligning it, and a wire story is a
//! candidate of every page that translates it: the last [`VIEWS_KEPT`] analyses are kept.
//!
//! The lexicons are not stored: a persistent index rebuilds these lists when it is opened, from
//! its stored texts and the lexicons given then, so that the lists always match the lexicons in
//! use. Copies and near-duplicate groups stay monolingual.
//!
//! # Invariants
//! - With the option off, nothing here exists or runs.
//! - As in the monolingual lists, a document's entries outlive it: entries below `min_live`
//!   (evicted in order) are skipped, and dropped when their list next grows; those of removed
//!   or replaced documents until [`Index::compact`]. A query reads a candidate's text once, and
//!   a document no longer live reads as nothing.
//! - A key holding `max_postings_per_key` entries is no longer extended and is skipped by
//!   queries, as in the monolingual lists.
//! - Candidates and scores do not depend on the order of insertion: evidence is summed in the
//!   order of the page's keys, and ties go by id hash ([`Index::best_candidates`]).

use super::locks::{lock, read, write};
use super::options::Match;
use super::query::Found;
use super::table::Part;
use super::{store, Index};
use crate::error::Result;
use crate::normalize::Tokens;
use crate::xling::{
    candidate_keys, detect, key_evidence, max_holders, CrossLingual, Language, View, MIN_EVIDENCE,
};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, RwLock};

/// Shards of the lists, by key: threads filing different keys rarely wait for each other.
const SHARDS: usize = 64;

/// Documents a key's rarity is measured against, at least. In a small index every key is rare
/// and the counts say little (in an index of one document no key would weigh anything, and a
/// crawler's index starts empty); comparing every candidate of a small index costs little.
/// `scan`'s bar was set on 682 documents.
const MIN_RARITY_BASE: usize = 256;

/// A document holding a key, and its language (see [`Across::languages`]).
#[derive(Clone, Copy)]
struct Entry {
    serial: u32,
    lang: u16,
}

/// Indexed documents' analyses kept for the next queries that meet them (see
/// [`Across::views`]); about 30 KB each for a news article.
const VIEWS_KEPT: usize = 512;

/// Keys of one shard → the documents holding each.
type Lists = HashMap<u64, Vec<Entry>>;

/// A page's language and its cross-lingual keys (sorted, distinct).
pub(super) type PageKeys = (Language, Vec<u64>);

/// The cross-lingual comparer and the lists of its keys.
pub(super) struct Across {
    xl: Arc<CrossLingual>,
    shards: Box<[RwLock<Lists>]>,
    /// The languages met so far, numbered in the order met: an entry holds the number (the
    /// detector knows 69 languages).
    languages: RwLock<Vec<Language>>,
    /// Indexed documents as analyzed for comparison with pages of a language, by serial and
    /// that language: analyzing a text (its words looked up in the lexicon, German compounds
    /// split) costs ten times aligning it, and a wire story is a candidate of every page that
    /// translates it. At most [`VIEWS_KEPT`], one dropped at random beyond. A serial is never
    /// reused, so a view is never stale.
    views: Mutex<HashMap<(u32, Language), Arc<View>>>,
}

impl Across {
    pub(super) fn new(xl: Arc<CrossLingual>) -> Across {
        Across {
            xl,
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
            languages: RwLock::default(),
            views: Mutex::default(),
        }
    }

    /// The language of `text` and its keys, or `None` when its language is not detected
    /// reliably (such a page is compared within its own language only).
    pub(super) fn keys(&self, text: &str) -> Option<PageKeys> {
        let lang = detect(text)?;
        let mut keys = Vec::new();
        candidate_keys(&self.xl, text, lang, &mut Tokens::new(), &mut keys);
        Some((lang, keys))
    }

    /// The number of `lang`, once known.
    fn number(&self, lang: Language) -> Option<u16> {
        let known = read(&self.languages);
        known.iter().position(|&l| l == lang).map(|i| i as u16)
    }

    /// The number of `lang`, numbering it if it is new.
    fn number_or_add(&self, lang: Language) -> u16 {
        if let Some(n) = self.number(lang) {
            return n;
        }
        let mut known = write(&self.languages);
        match known.iter().position(|&l| l == lang) {
            Some(i) => i as u16,
            None => {
                known.push(lang);
                (known.len() - 1) as u16
            }
        }
    }

    /// Files a document's keys. `cap` is `max_postings_per_key`; entries below `min_live` are
    /// dropped from the lists it extends.
    fn file(&self, serial: u32, (lang, keys): &PageKeys, cap: usize, min_live: u32) {
        let entry = Entry {
            serial,
            lang: self.number_or_add(*lang),
        };
        // Each shard's lock taken once, for all the document's keys it holds.
        let mut by_shard: Vec<(usize, u64)> = keys.iter().map(|&k| (shard(k), k)).collect();
        by_shard.sort_unstable();
        for run in by_shard.chunk_by(|x, y| x.0 == y.0) {
            let mut lists = write(&self.shards[run[0].0]);
            for &(_, k) in run {
                let list = lists.entry(k).or_default();
                if list.first().is_some_and(|e| e.serial < min_live) {
                    list.retain(|e| e.serial >= min_live);
                }
                if list.len() < cap {
                    list.push(entry);
                }
            }
        }
    }

    /// The documents of another language than the page's sharing enough evidence with it, each
    /// with its evidence and language. `documents` is the number of live documents.
    fn candidates(
        &self,
        (lang, keys): &PageKeys,
        documents: usize,
        cap: usize,
        min_live: u32,
    ) -> Vec<(f32, u32, Language)> {
        let own = self.number(*lang);
        let most = max_holders(documents);
        let n = documents.max(MIN_RARITY_BASE) as f32;
        let mut evidence: HashMap<u32, (f32, u16)> = HashMap::new();
        for &k in keys {
            let lists = read(&self.shards[shard(k)]);
            let Some(list) = lists.get(&k) else {
                continue;
            };
            if list.len() >= cap {
                continue;
            }
            let holders = list.iter().filter(|e| e.serial >= min_live).count();
            if holders == 0 || holders > most {
                continue;
            }
            // Removed documents not yet purged can make holders exceed the live count.
            let w = key_evidence(n, holders);
            for e in list {
                if e.serial >= min_live && Some(e.lang) != own {
                    evidence.entry(e.serial).or_insert((0.0, e.lang)).0 += w;
                }
            }
        }
        let known = read(&self.languages);
        evidence
            .into_iter()
            .filter(|(_, (w, _))| *w >= MIN_EVIDENCE)
            .map(|(s, (w, l))| (w, s, known[usize::from(l)]))
            .collect()
    }

    /// The indexed document `serial`, its text `text` in `lang`, analyzed for comparison with a
    /// page in `partner`.
    fn view(&self, serial: u32, text: &str, lang: Language, partner: Language) -> Arc<View> {
        if let Some(v) = lock(&self.views).get(&(serial, partner)) {
            return v.clone();
        }
        // Analyzed without the lock: two queries meeting the same document at once may both
        // analyze it.
        let v = Arc::new(self.xl.view(text, lang, partner));
        let mut views = lock(&self.views);
        if views.len() >= VIEWS_KEPT {
            if let Some(&k) = views.keys().next() {
                views.remove(&k);
            }
        }
        views.insert((serial, partner), v.clone());
        v
    }

    /// Drops the entries of documents `live` says are gone; returns how many.
    pub(super) fn retain(&self, live: impl Fn(u32) -> bool) -> usize {
        let mut dropped = 0;
        for shard in self.shards.iter() {
            let mut lists = write(shard);
            lists.retain(|_, list| {
                let before = list.len();
                list.retain(|e| live(e.serial));
                dropped += before - list.len();
                !list.is_empty()
            });
        }
        lock(&self.views).retain(|&(s, _), _| live(s));
        dropped
    }
}

fn shard(key: u64) -> usize {
    (key >> 58) as usize % SHARDS
}

impl Index {
    /// A page's language and cross-lingual keys, when the index compares across languages and
    /// the page's language is detected.
    pub(super) fn across_keys(&self, text: &str) -> Option<PageKeys> {
        self.across.as_ref()?.keys(text)
    }

    /// Files a document's cross-lingual keys under `serial`.
    pub(super) fn file_across(&self, serial: u32, page: Option<&PageKeys>) {
        if let (Some(x), Some(p)) = (&self.across, page) {
            x.file(
                serial,
                p,
                self.options.max_postings_per_key,
                self.min_live.load(Ordering::Relaxed),
            );
        }
    }

    /// Files the cross-lingual keys of every live document, from its stored text: what a
    /// persistent index does when opened, the lexicons not being stored.
    pub(super) fn file_across_all(&self) -> Result<()> {
        use rayon::prelude::*;
        if self.across.is_none() {
            return Ok(());
        }
        let mut serials: Vec<u32> = Vec::new();
        for shard in self.docs.iter() {
            serials.extend(read(shard).iter().filter_map(|(&s, slot)| match slot {
                super::table::Slot::Live(_) => Some(s),
                super::table::Slot::Pending => None,
            }));
        }
        serials.par_iter().try_for_each(|&s| {
            let Some(text) = self.body(s, Part::Text)? else {
                return Ok(());
            };
            let text = std::str::from_utf8(&text).map_err(|_| self.corrupt())?;
            self.file_across(s, self.across_keys(text).as_ref());
            Ok(())
        })
    }

    /// `found`, the monolingual matches of a page (`text`, with cross-lingual keys `page`),
    /// with its matches across languages: a document both find keeps the cross-lingual
    /// comparison (the word aligner sees only the names two languages share, as in
    /// [`crate::xling::merge_pairs`]). Best first, as [`Index::query_analyzed`] orders them. A
    /// document whose id is `exclude` is not a match.
    pub(super) fn with_across(
        &self,
        text: &str,
        page: Option<&PageKeys>,
        mut found: Vec<Found>,
        exclude: Option<&str>,
    ) -> Result<Vec<Found>> {
        let (Some(x), Some(page)) = (&self.across, page) else {
            return Ok(found);
        };
        let cands = x.candidates(
            page,
            self.len(),
            self.options.max_postings_per_key,
            self.min_live.load(Ordering::Relaxed),
        );
        if cands.is_empty() {
            return Ok(found);
        }
        let mut languages: Vec<(u32, Language)> = cands.iter().map(|c| (c.1, c.2)).collect();
        languages.sort_unstable_by_key(|c| c.0);
        let best = self.best_candidates(cands.iter().map(|c| (c.0, c.1)).collect());
        // The page analyzed once for each language it is compared with.
        let mut views: Vec<(Language, View)> = Vec::new();
        let mut added = false;
        for serial in best {
            let Some(body) = self.body(serial, Part::Whole)? else {
                continue;
            };
            let b = store::decode_body(&body).ok_or_else(|| self.corrupt())?;
            if exclude == Some(b.id) {
                continue;
            }
            let at = languages
                .binary_search_by_key(&serial, |c| c.0)
                .expect("every candidate has its language");
            let lb = languages[at].1;
            let mine = match views.iter().position(|v| v.0 == lb) {
                Some(i) => i,
                None => {
                    views.push((lb, x.xl.view(text, page.0, lb)));
                    views.len() - 1
                }
            };
            let c = View::compare(&views[mine].1, &x.view(serial, b.text, lb, page.0));
            // A candidate across languages has no profile to rule it out: each one is verified.
            self.counters.candidates.fetch_add(1, Ordering::Relaxed);
            self.counters.verified.fetch_add(1, Ordering::Relaxed);
            if !c.reaches(self.options.min_score) {
                continue;
            }
            let before = found.len();
            found.retain(|(s, _)| *s != serial);
            if found.len() == before {
                self.counters.matches.fetch_add(1, Ordering::Relaxed);
            }
            found.push((
                serial,
                Match {
                    id: b.id.to_string(),
                    time: b.time,
                    data: b.data.to_string(),
                    comparison: c,
                    copies: self.groups.copies(serial),
                },
            ));
            added = true;
        }
        if added {
            found.sort_by(|(_, x), (_, y)| {
                y.max_score()
                    .total_cmp(&x.max_score())
                    .then_with(|| x.id.cmp(&y.id))
            });
        }
        Ok(found)
    }
}

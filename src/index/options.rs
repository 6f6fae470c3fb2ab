//! The index's public settings and values: [`IndexOptions`], the [`Meta`] a caller attaches to a
//! document, the [`Match`] a query returns, the [`StoredDoc`] that
//! [`Index::get`](super::Index::get) reads back.
//!
//! # Invariants
//! - Of the options, only `detector` and `sample_rate` decide what is stored: a persistent index
//!   saves them and refuses to open with others (`persist`). Every other option may change from
//!   one run to the next.
//! - Where the index and `scan` share a rule, the default is `scan`'s constant (`min_score`,
//!   `min_key_share`), so that the two report pairs on the same terms.

use crate::detector::Config;
use crate::score::Comparison;

/// Settings of an [`Index`](super::Index).
///
/// `detector` and `sample_rate` decide what is stored and are saved with a persistent index: they
/// must be the same when it is opened again. The others can change from one run to the next.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexOptions {
    /// The matching pipeline: terms, shingles, alignment (the same as `scan`'s).
    pub detector: Config,
    /// One shingle in `sample_rate` (by hash) becomes a key. Lower finds shorter and looser
    /// copies and costs more memory. Measured on the development set (`reprint eval
    /// --via-index`, `min_key_share` 0), 4 finds 95.2% of partial copies from another rendering
    /// (`scan`: 97.0%) and 38% of short excerpts from another rendering (`scan`: 36%), 90.8% of
    /// all copies (`scan`: 90.9%); 2 finds 97.6%, 38% and 91.3% for twice the memory.
    pub sample_rate: u32,
    /// Matches whose containment either way, or resemblance, reach this are returned.
    pub min_score: f64,
    /// Documents verified per query, those sharing the largest share of their keys with it first.
    /// On the development set, where one article has dozens of renderings and copies, 64 loses
    /// 3% of the copies that 256 finds; 256 loses none that 1,000 finds.
    pub max_candidates: usize,
    /// Documents sharing a smaller share of keys with a query (over the keys of the smaller of
    /// the two, keys weighted by rarity) are not verified. A copy keeps about a third of its term
    /// pairs through machine translation, so 0.03 ([`MIN_KEY_SHARE`](crate::scan::MIN_KEY_SHARE),
    /// as in `scan`) keeps partial translated copies of a tenth of a text; on the development
    /// set it loses 0.2% of the copies and saves a quarter of the time, more on text with
    /// frequent term pairs. Above 0, a document must also share keys weighing at least one key
    /// held by [`RARE_KEY_DOCS`](crate::scan::RARE_KEY_DOCS) documents or fewer, as in `scan`
    /// ([`MIN_SHARED_KEY_WEIGHT`](crate::scan::MIN_SHARED_KEY_WEIGHT)). 0 verifies every
    /// document sharing a key.
    pub min_key_share: f64,
    /// At query time, keys held by more than this share of the indexed documents (and by more
    /// than 100) are skipped: a term pair that common is a phrase of the language or of the
    /// news cycle, not evidence that one page copies another, and every document holding it
    /// would need verifying.
    pub common_key_share: f64,
    /// A key held by this many documents is no longer extended and is ignored by queries: a term
    /// pair that common tells nothing about who copied whom.
    pub max_postings_per_key: usize,
    /// Inverted-list entries a query reads at most, from its rarest keys up: the keys past the
    /// budget are the most common ones, the weakest evidence, and without a budget a query's
    /// time would grow with the index. A copy shares its source's rare keys.
    pub max_postings_per_query: usize,
    /// A page joins a near-duplicate group when its query finds this many near-duplicates
    /// indexed, counting itself (see [`Match::copies`]); 0 never groups. Below it, every copy
    /// of a story files all its keys and is verified by every query that meets the story, at
    /// most `group_from - 1` of them; a larger cluster is held as a representative and copies
    /// filed under it. The default is `scan`'s [`MIN_GROUP`](crate::scan::MIN_GROUP).
    pub group_from: usize,
    /// Evict the oldest documents beyond this many.
    pub max_docs: Option<usize>,
    /// Evict documents more than this many seconds older than the newest one, oldest first.
    /// Eviction follows insertion order: a document inserted out of time order leaves when the
    /// documents inserted before it have left.
    pub max_age: Option<u64>,
    /// Also find copies across languages (a French page translating an English wire story),
    /// compared as [`CrossLingual::compare`](crate::xling::CrossLingual::compare) compares two
    /// texts; `None` (the default): one language only, and nothing of it runs. Not stored: a
    /// persistent index rebuilds what it needs from its texts when opened with it, and may be
    /// opened with other lexicons, or without, from one run to the next.
    pub cross_lingual: Option<std::sync::Arc<crate::xling::CrossLingual>>,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            detector: Config::default(),
            sample_rate: 4,
            min_score: crate::scan::DEFAULT_MIN_SCORE,
            max_candidates: 256,
            min_key_share: crate::scan::MIN_KEY_SHARE,
            common_key_share: 0.005,
            max_postings_per_key: 10_000,
            max_postings_per_query: 4096,
            group_from: crate::scan::MIN_GROUP,
            max_docs: None,
            max_age: None,
            cross_lingual: None,
        }
    }
}

/// What a caller attaches to a document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    /// When the page was published or fetched, in Unix seconds; `None` means now. Age eviction
    /// compares these times.
    pub time: Option<u64>,
    /// Anything to get back with a match (a URL, a JSON object…). Stored as is.
    pub data: String,
}

impl Meta {
    /// Metadata with a time and no data.
    pub fn at(time: u64) -> Meta {
        Meta {
            time: Some(time),
            data: String::new(),
        }
    }
}

/// An indexed document that a query text copies from, or that copies from it.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// The indexed document's id.
    pub id: String,
    /// Its time (Unix seconds).
    pub time: u64,
    /// Its [`Meta::data`].
    pub data: String,
    /// The query text (A) compared with the indexed document (B), as
    /// [`Detector::compare`](crate::Detector::compare) gives it: `containment_a_in_b` is the
    /// share of the query found in the document, `containment_b_in_a` the share of the document
    /// found in the query (near 1 when the page carries all of it), and each passage's `a` a byte
    /// range of the query text, `b` of the stored text (see [`Index::get`](super::Index::get)).
    pub comparison: Comparison,
    /// Indexed near-duplicates of the document filed as its copies (it represents their
    /// group; see [`IndexOptions::group_from`]): the query copies them much as it copies the
    /// document, and [`Index::copies_of`](super::Index::copies_of) lists them. 0 for most
    /// documents.
    pub copies: usize,
}

impl Match {
    /// The largest of the three scores.
    pub fn max_score(&self) -> f64 {
        self.comparison.max_score()
    }
}

/// An indexed document filed as a near-duplicate of a group's representative
/// ([`Index::copies_of`](super::Index::copies_of)).
#[derive(Clone, Debug, PartialEq)]
pub struct Copy {
    /// Its id.
    pub id: String,
    /// Its time (Unix seconds).
    pub time: u64,
    /// Its [`Meta::data`].
    pub data: String,
    /// Its containment in the representative it joined (the group's first representative
    /// unless that one left).
    pub containment_in_representative: f64,
    /// That representative's containment in it.
    pub representative_in_copy: f64,
}

/// A document as stored in the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDoc {
    /// Its id.
    pub id: String,
    /// Its time (Unix seconds).
    pub time: u64,
    /// Its [`Meta::data`].
    pub data: String,
    /// Its text.
    pub text: String,
}

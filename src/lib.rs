//! # reprint — does article B copy article A, how much, and which passages?
//!
//! reprint finds near-duplicates and syndicated copies of text: wire stories republished inside
//! other pages, rewritten, or machine-translated. It reports, for each pair, how much of A is in B
//! (containment, the headline score), how much of B is in A, their resemblance (Jaccard), and the
//! shared passages as byte ranges of the original texts.
//!
//! The pipeline, one module per stage:
//!
//! [`normalize`] → [`terms`] → [`shingle`] → sampled keys ([`scan::candidate_keys`]) →
//! candidates ([`scan`], or the crawler's [`index`]) → bounds → [`align`] → [`score`]
//!
//! with [`detector`] tying the stages together for one document or one pair, [`scan`] finding every
//! copy in a set of documents (a story copied by many sites collapsed to one representative),
//! [`index`] checking pages one at a time as a crawler fetches them, [`cluster`] grouping copies,
//! [`input`] reading inputs and [`report`] defining the output records; [`verdict`], [`origin`]
//! and [`wire`] grade a pair, name its likely source and find agency attributions, and [`html`]
//! writes the evidence report. [`minhash`], [`lsh`] and [`sketch`] make MinHash signatures for
//! callers who want them (`reprint sketch`); `scan` does not use them. ARCHITECTURE.md maps the
//! modules and the directions they may depend on each other in.
//!
//! ```
//! let wire = "PARIS (AFP) - Le pont de Varenne s'est effondré mardi soir, faisant trois blessés \
//!             selon la préfecture, qui a ouvert une enquête.";
//! let page = format!("Accueil > Faits divers\n{wire}\nLire aussi : la météo du week-end.");
//! let c = reprint::compare(wire, &page);
//! assert!(c.containment_a_in_b > 0.95); // all of the wire story is in the page
//! assert!(c.containment_b_in_a < 0.9); // not all of the page is in the wire story
//! // Passages run from the first shared word to the last one, in both texts.
//! assert_eq!(&page[c.passages[0].b.clone()], wire.trim_end_matches('.'));
//! ```
//!
//! Every public type is `Send + Sync`; nothing panics on any input text.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod align;
pub mod atomic;
pub(crate) mod bounds;
pub mod bridge;
pub mod cluster;
mod cover;
pub mod dedup;
pub mod detector;
pub mod error;
pub mod eval;
pub mod html;
pub mod index;
pub mod input;
mod keys;
pub mod lsh;
pub mod minhash;
pub mod normalize;
pub mod origin;
pub mod report;
pub mod scan;
pub mod score;
pub mod shingle;
pub mod sketch;
mod tally;
pub mod terms;
#[cfg(test)]
mod testing;
pub mod verbatim;
pub mod verdict;
pub mod wire;
pub mod xling;

pub use detector::{compare, Analysis, Config, Detector};
pub use error::{Error, Result};
pub use score::{Comparison, Passage};

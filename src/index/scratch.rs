//! Each thread's buffers, kept between the index's calls: for analyzing the page a call is given
//! (`PAGE`), for analyzing a candidate it verifies (`CANDIDATE`), and for tallying the documents a
//! query meets (`MET`).
//!
//! # Invariants
//! - A call takes its thread's value out of the slot for its duration ([`with_local`]), so a
//!   nested use on the same thread (a pool thread running another call's work while it waits)
//!   starts with a value of its own. Each use overwrites (or drains) what a buffer holds: only
//!   its capacity carries over from one call to the next.
//! - A value is put back only while it is small enough ([`SCRATCH_KEEP`],
//!   [`Met::worth_keeping`]): one outsized page must not hold its memory in every thread that
//!   saw one.

use crate::detector::{Analysis, Detector};
use std::cell::Cell;

/// A thread's buffers for analyzing a text, kept between calls: a page's analysis grows a
/// dozen vectors (words, normalized characters, terms, shingles), and growing them afresh for
/// each page and each candidate verified would make the allocator a tenth of a call's time, and
/// from several threads a lock they wait on.
pub(super) struct Scratch {
    pub(super) analysis: Analysis,
}

/// Buffers above this size (a page of some hundred kilobytes) are not kept: one outsized page
/// must not hold its memory in every thread that saw one.
const SCRATCH_KEEP: usize = 4 << 20;

thread_local! {
    /// For the page a call analyzes.
    pub(super) static PAGE: Cell<Option<Scratch>> = const { Cell::new(None) };
    /// For a candidate it verifies (on the calling thread or one of the pool's).
    pub(super) static CANDIDATE: Cell<Option<Scratch>> = const { Cell::new(None) };
    /// For the documents a query meets.
    pub(super) static MET: Cell<Option<Met>> = const { Cell::new(None) };
}

impl Scratch {
    /// `detector`'s analysis of `text` (no signatures), in these buffers.
    pub(super) fn analyze(&mut self, detector: &Detector, text: &str) -> &Analysis {
        detector.analyze_unsketched_into(text, &mut self.analysis);
        &self.analysis
    }

    /// Runs `f` with this thread's buffers from `slot` (see [`with_local`]).
    pub(super) fn with<R>(
        slot: &'static std::thread::LocalKey<Cell<Option<Scratch>>>,
        f: impl FnOnce(&mut Scratch) -> R,
    ) -> R {
        with_local(
            slot,
            |s: &Scratch| s.analysis.capacity_bytes() <= SCRATCH_KEEP,
            f,
        )
    }
}

impl Default for Scratch {
    fn default() -> Scratch {
        Scratch {
            analysis: Analysis::empty(),
        }
    }
}

/// Runs `f` with this thread's value in `slot`, taken out for the call so that a nested use (a
/// pool thread running another call's work) starts with a value of its own, and put back after
/// it if `keep` says it is worth keeping.
pub(super) fn with_local<T: Default, R>(
    slot: &'static std::thread::LocalKey<Cell<Option<T>>>,
    keep: impl FnOnce(&T) -> bool,
    f: impl FnOnce(&mut T) -> R,
) -> R {
    let mut value = slot.with(|c| c.take()).unwrap_or_default();
    let r = f(&mut value);
    if keep(&value) {
        slot.with(|c| c.set(Some(value)));
    }
    r
}

/// The documents a query meets through its keys, each with the weight of the keys it shares
/// ([`crate::tally`]). At a million documents a query meets about 2,300 entries; sorting them to
/// bring each document's together would take a tenth of the call.
pub(super) struct Met(pub(super) crate::tally::Table<f32>);

impl Default for Met {
    fn default() -> Met {
        Met(crate::tally::Table::with_slots(4096))
    }
}

impl Met {
    /// Whether a thread keeps it for its next query: not once a query met a million
    /// documents.
    pub(super) fn worth_keeping(&self) -> bool {
        self.0.slots() <= 1 << 21
    }
}

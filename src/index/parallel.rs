//! Whether a query may align its candidates on the thread pool ([`Index::cores_to_spare`]).
//!
//! A query with several candidates to align aligns them in parallel only with a core to spare:
//! when every core already runs a call (a crawler's threads at full load), the pool's threads
//! would take cores from those calls, and the query would sleep until the pool's share is done
//! and then wait for a core again.
//!
//! # Invariants
//! - `insert`, `query` and `check_and_insert` are counted in `in_flight` from their start to
//!   their end, analysis and insertion included ([`Index::enter`]): counting only the queries
//!   about to verify would let a query go parallel while other threads are analyzing.
//! - `crowded_at` only grows: it is the number of the last call that started with at least as
//!   many calls under way as the pool has threads.

use super::Index;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Calls after the last one that found every core busy with calls before a query goes parallel
/// again (see `Index::cores_to_spare`).
const CROWDED_CALLS: u64 = 4096;

/// Counts a call in `Index::in_flight` while it lives.
pub(super) struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    /// Counts a call in `n`; also returns how many are under way, this one included.
    fn enter(n: &'a AtomicUsize) -> (InFlight<'a>, usize) {
        let under_way = n.fetch_add(1, Ordering::Relaxed) + 1;
        (InFlight(n), under_way)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Index {
    /// Counts a call in progress until the guard is dropped.
    pub(super) fn enter(&self) -> InFlight<'_> {
        let call = self.calls.fetch_add(1, Ordering::Relaxed) + 1;
        let (guard, under_way) = InFlight::enter(&self.in_flight);
        if under_way >= rayon::current_num_threads() {
            self.crowded_at.fetch_max(call, Ordering::Relaxed);
        }
        guard
    }

    /// Whether a query may hand work to the thread pool: only when fewer calls are under way
    /// than the pool has threads, and none of the last [`CROWDED_CALLS`] calls started with as
    /// many under way. Calls under way undercount a crawler's threads: from 8 threads on 2
    /// cores, most threads are at any moment waiting for a core *between* calls, so the count
    /// often drops below 2 while every core is taken, and a query going parallel then wakes the
    /// pool's threads to compete for those cores (about 700 preemptions of theirs in 100,000
    /// calls, measured so). A caller seen making as many calls at once as there are cores is
    /// taken to keep them busy.
    pub(super) fn cores_to_spare(&self) -> bool {
        let call = self.calls.load(Ordering::Relaxed);
        self.in_flight.load(Ordering::Relaxed) < rayon::current_num_threads()
            && call.saturating_sub(self.crowded_at.load(Ordering::Relaxed)) > CROWDED_CALLS
    }
}

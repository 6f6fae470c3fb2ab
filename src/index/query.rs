//! A query: a page's keys, the documents sharing enough of them (its candidates), the bounds that
//! settle most of those from their stored profiles, and the alignment of the rest.
//!
//! A page's terms and term-pair shingles are computed as everywhere in reprint. Its *keys* are the
//! shingles whose hash falls in the lowest `1 / sample_rate` of the hash range (the sampling rule
//! of [`crate::keys`]). The inverted lists (`postings`) map each key to the documents holding
//! it. A query counts, per indexed document, the weight of the keys it shares with the page (a key
//! weighs less the more documents hold it, [`key_weight_f32`]); that weight over the weight of the
//! keys of the smaller of the two estimates how much of one is in the other. Documents whose
//! share reaches `min_key_share`, and whose shared keys weigh at least one rare key's (as in
//! scan), are candidates; the `max_candidates` with the largest share are verified, with the
//! same bounds and alignment as `reprint scan`, and those whose best score reaches `min_score`
//! are returned.
//!
//! # Invariants
//! - The candidates chosen do not depend on which thread inserted what first: ties in the share
//!   go by id hash, not serial.
//! - A match's scores are what `Detector::compare` gives the two texts; matches come best score
//!   first, then by id.
//! - A document removed or evicted while a query runs is either verified as it was or not found:
//!   its body is read once, and a serial no longer live reads as nothing.

use super::options::{Match, Meta};
use super::scratch::{with_local, Met, Scratch, CANDIDATE, MET, PAGE};
use super::table::{Page, Part, Slot, DOC_SHARDS};
use super::{keycounts, locks::read, postings, store, Index};
use crate::bounds::{self as profile, Profile};
use crate::detector::Analysis;
use crate::error::{Error, Result};
use crate::keys::key_weight_f32;
use std::sync::atomic::Ordering;

/// Keys held by this many documents or fewer are never skipped as common.
const COMMON_KEY_FLOOR: usize = 100;
/// Candidates left to align (after their profiles) from which a query aligns them in parallel.
const PARALLEL_VERIFY: usize = 4;

/// A candidate its stored profile does not settle: its serial, its head, and whether alignment
/// must look for verbatim runs (the fingerprints rule them out otherwise).
type Open<'h> = (u32, store::Head<'h>, bool);

/// A match and the serial of the indexed document it is.
pub(super) type Found = (u32, Match);

impl Index {
    /// The indexed documents that `text` copies from or that copy from it, best first (by best
    /// score, then id).
    pub fn query(&self, text: &str) -> Result<Vec<Match>> {
        let _in_flight = self.enter();
        let found = Scratch::with(&PAGE, |s| {
            let (keys, profile) = self.analyze(text, s);
            self.query_analyzed(&s.analysis, &keys, &profile, None, false)
        })?
        .0;
        let found = self.with_across(text, self.across_keys(text).as_ref(), found, None)?;
        Ok(found.into_iter().map(|(_, m)| m).collect())
    }

    /// [`query`](Index::query) then [`insert`](Index::insert), analyzing the text once: the
    /// crawler's hot path. A document with the same id is not reported as a match of itself.
    pub fn check_and_insert(&self, id: &str, text: &str, meta: &Meta) -> Result<Vec<Match>> {
        let _in_flight = self.enter();
        let (keys, profile, found, held) = Scratch::with(&PAGE, |s| {
            let (keys, profile) = self.analyze(text, s);
            let (found, held) =
                self.query_analyzed(&s.analysis, &keys, &profile, Some(id), false)?;
            Ok::<_, Error>((keys, profile, found, held))
        })?;
        // Groups stay monolingual: a translation is no near-duplicate whose keys its
        // representative holds.
        let join = self.group_to_join(&found);
        let across = self.across_keys(text);
        let found = self.with_across(text, across.as_ref(), found, Some(id))?;
        let page = Page {
            keys: &keys,
            profile: &profile,
            across: across.as_ref(),
        };
        self.insert_keys(id, text, meta, &page, Some(&held), join)?;
        Ok(found.into_iter().map(|(_, m)| m).collect())
    }

    /// The analysis of `text` (into `scratch`), its keys (sorted, distinct) and its profile.
    pub(super) fn analyze(&self, text: &str, scratch: &mut Scratch) -> (Vec<u32>, Profile) {
        let a = scratch.analyze(&self.detector, text);
        let limit = u64::MAX / u64::from(self.options.sample_rate);
        // The sample is chosen by the hash's magnitude; the key is its low half, independent of
        // that choice.
        let mut keys: Vec<u32> = a
            .shingles
            .iter()
            .filter(|&&h| h <= limit)
            .map(|&h| h as u32)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let profile = Profile::of(a, self.detector.config());
        (keys, profile)
    }

    /// The matches of a page analyzed as `a`, each with its serial, with these keys and profile
    /// (see the module docs), and how many entries each key held in the inverted lists. A
    /// document whose id is `exclude` is not a match. With `reps_only`, only the candidates that
    /// represent a group are verified: all an insert needs to find the group it joins.
    pub(super) fn query_analyzed(
        &self,
        a: &Analysis,
        keys: &[u32],
        profile: &Profile,
        exclude: Option<&str>,
        reps_only: bool,
    ) -> Result<(Vec<Found>, Vec<u32>)> {
        let (mut cands, looked) = self.candidates(keys);
        if reps_only {
            cands.retain(|&s| self.groups.copies(s) > 0);
        }
        // One positional read of each candidate's head (its profile), which settles most
        // candidates in a microsecond each, here on the calling thread. The text is read,
        // analyzed and aligned only for a candidate the profile does not settle.
        let mut heads = Vec::with_capacity(cands.len());
        let mut head_bytes = Vec::new();
        for serial in cands {
            if let Some(at) = self.head_into(serial, &mut head_bytes)? {
                heads.push((serial, at));
            }
        }
        let bar = profile::Bar::new(&self.detector.config().align, self.options.min_score);
        let mut open: Vec<Open<'_>> = Vec::new();
        // Three 16 KB bitmaps of the query's lists: they pay from a few candidates on.
        let sets = (heads.len() >= 8).then(|| profile::QuerySets::of(profile));
        for (serial, at) in &heads {
            let h = store::decode_head(&head_bytes[at.clone()]).ok_or_else(|| self.corrupt())?;
            if exclude == Some(h.id) {
                continue;
            }
            // Kept for the alignment, which skips looking for runs the fingerprints rule out.
            if let Some(run) = profile::check_stored(profile, sets.as_ref(), h.profile, &bar) {
                open.push((*serial, h, run));
            }
        }
        let verified = self.verify_all(a, &open)?;
        let c = &self.counters;
        c.queries.fetch_add(1, Ordering::Relaxed);
        c.postings_read
            .fetch_add(looked.entries_read as u64, Ordering::Relaxed);
        c.candidates
            .fetch_add(heads.len() as u64, Ordering::Relaxed);
        let mut out: Vec<Found> = open
            .iter()
            .zip(verified)
            .filter_map(|((serial, ..), m)| {
                m.map(|mut m| {
                    m.copies = self.groups.copies(*serial);
                    (*serial, m)
                })
            })
            .collect();
        c.matches.fetch_add(out.len() as u64, Ordering::Relaxed);
        out.sort_by(|(_, x), (_, y)| {
            y.max_score()
                .total_cmp(&x.max_score())
                .then_with(|| x.id.cmp(&y.id))
        });
        Ok((out, looked.held))
    }

    /// The candidates of a page with these keys (sorted, distinct), most likely copies first,
    /// at most `max_candidates` of them, and what the lookup of the keys found.
    fn candidates(&self, keys: &[u32]) -> (Vec<u32>, postings::Lookup) {
        let min_live = self.min_live.load(Ordering::Relaxed);
        let total = self.len();
        let mut serials = Vec::new();
        // A key that many documents hold is a common phrase, no evidence of copying, and the
        // documents holding it would all become candidates.
        let common = (self.options.common_key_share * total as f64) as usize;
        let cap = self
            .options
            .max_postings_per_key
            .min(common.max(COMMON_KEY_FLOOR));
        // Keys held by more than RARE_KEY_DOCS documents weigh less: a copy shares the rare term
        // pairs of its source, a page on the same topic shares the common ones.
        let looked = self.postings.lookup(
            keys,
            cap,
            self.options.max_postings_per_query,
            min_live,
            |n| key_weight_f32(n, total),
            &mut serials,
        );
        let wq = looked.total_weight;
        // Each live candidate with the (weighted) share of keys it has in common with the query,
        // over the keys of the smaller of the two: an estimate of the containment of one in the
        // other (the keys are a fixed-rate sample of the shingles). The candidate's own keys
        // are counted at the query's mean weight. The most likely copies are verified first,
        // whatever their length; ties go by id hash, not insertion order.
        let nq = keys.len().max(1) as f32;
        let mean_w = wq / nq;
        let mut passing: Vec<(f32, u32)> = Vec::new();
        // What the estimate divides by for a document of SMALL_KEYS keys or more, at least: most
        // documents met share one key by chance, and this settles them without reading their
        // key count (a cache miss each, a tenth of a query's time at a million documents).
        let floor = wq
            .min(keycounts::SMALL_KEYS as f32 * mean_w)
            .max(f32::MIN_POSITIVE);
        // As in scan, a document must share one rare key's weight or several commoner ones': a
        // short page holds 3% of its keys in one key, and a key that hundreds of documents hold
        // is shared with all of them by chance.
        let min_shared = if self.options.min_key_share > 0.0 {
            crate::scan::MIN_SHARED_KEY_WEIGHT as f32
        } else {
            0.0
        };
        // That floor first, before taking the key counts' read locks: while a query holds them,
        // inserting threads wait for it, and readers queue behind a waiting writer. Holding
        // them over all the documents met (thousands at a million documents) puts threads to
        // sleep on them, and from 8 threads on 2 cores a sleeping thread waits milliseconds
        // for a core again.
        let met: Vec<(u32, f32)> = with_local(&MET, Met::worth_keeping, |tally| {
            for &x in &serials {
                let (serial, w) = postings::unpack_hit(x);
                tally.0.add(serial, w);
            }
            let mut met = Vec::new();
            tally.0.drain(|serial, shared| {
                if shared >= min_shared {
                    met.push((serial, shared));
                }
            });
            met
        });
        let key_counts = self.key_counts.reader();
        for &(s, shared) in &met {
            if f64::from(shared / floor) < self.options.min_key_share && !key_counts.small(s) {
                continue;
            }
            let nd = key_counts.get(s);
            if nd == 0 {
                continue;
            }
            let estimate = shared / wq.min(nd as f32 * mean_w).max(f32::MIN_POSITIVE);
            if f64::from(estimate) >= self.options.min_key_share {
                passing.push((estimate, s));
            }
        }
        drop(key_counts);
        (self.best_candidates(passing), looked)
    }

    /// The serials of the `max_candidates` most likely copies among `passing` (estimate,
    /// serial), highest estimate first; ties go by id hash, not insertion order, so that the
    /// same documents are chosen whichever thread inserted them first. Only the ties at the
    /// cut need their id hashes, so the document table is read for those alone, not for each
    /// of the hundreds of chance candidates a short page can meet (a lock and a hash-table
    /// lookup each). Whether a candidate is still live is left to the read of its head.
    pub(super) fn best_candidates(&self, mut passing: Vec<(f32, u32)>) -> Vec<u32> {
        let max = self.options.max_candidates;
        passing.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        if passing.len() <= max {
            return passing.into_iter().map(|(_, s)| s).collect();
        }
        if max == 0 {
            return Vec::new();
        }
        let cut = passing[max - 1].0;
        let above = passing.partition_point(|x| x.0 > cut);
        let tied_end = passing.partition_point(|x| x.0 >= cut);
        let mut tied: Vec<(u64, u32)> = passing[above..tied_end]
            .iter()
            .filter_map(
                |&(_, s)| match read(&self.docs[s as usize % DOC_SHARDS]).get(&s) {
                    Some(Slot::Live(d)) => Some((d.id_hash, s)),
                    _ => None,
                },
            )
            .collect();
        tied.sort_unstable();
        tied.truncate(max - above);
        let mut out: Vec<u32> = passing[..above].iter().map(|&(_, s)| s).collect();
        out.extend(tied.into_iter().map(|(_, s)| s));
        out
    }

    /// The matches among the candidates left `open`, in their order (`None` for a candidate that
    /// does not reach `min_score` or is gone). Several are aligned in parallel, when there are
    /// cores to spare ([`Index::cores_to_spare`]): a page syndicated many times has many true
    /// copies to verify, and that is a query's slowest case. Handing every query's candidates
    /// to the thread pool would cost more in wake-ups than the checks themselves.
    fn verify_all(&self, a: &Analysis, open: &[Open<'_>]) -> Result<Vec<Option<Match>>> {
        let verify = |item: &Open<'_>| self.verify(a, item);
        let spare = self.cores_to_spare();
        Ok(if open.len() >= PARALLEL_VERIFY && spare {
            // One share per thread of the pool; the calling thread verifies the first share
            // while the pool's threads wake up and take the others, instead of sleeping until
            // they are done (a crawler's thread is not one of the pool's).
            let mut results: Vec<Result<Option<Match>>> = open.iter().map(|_| Ok(None)).collect();
            let share = open.len().div_ceil(rayon::current_num_threads().max(1));
            let verify = &verify;
            let verify_share = move |out: &mut [Result<Option<Match>>], items: &[_]| {
                for (o, item) in out.iter_mut().zip(items) {
                    *o = verify(item);
                }
            };
            rayon::in_place_scope(|scope| {
                let mut parts = results.chunks_mut(share).zip(open.chunks(share));
                let mine = parts.next();
                for (out, items) in parts {
                    scope.spawn(move |_| verify_share(out, items));
                }
                if let Some((out, items)) = mine {
                    verify_share(out, items);
                }
            });
            results.into_iter().collect::<Result<_>>()?
        } else {
            open.iter().map(verify).collect::<Result<_>>()?
        })
    }

    /// A candidate aligned with the query analyzed as `a`: its match, or `None` when its best
    /// score is below `min_score` (or 0) or it was removed since its head was read.
    fn verify(&self, a: &Analysis, (serial, h, run): &Open<'_>) -> Result<Option<Match>> {
        // Removed since its head was read: as if it had not been found.
        let Some(text) = self.body(*serial, Part::Text)? else {
            return Ok(None);
        };
        let text = std::str::from_utf8(&text).map_err(|_| self.corrupt())?;
        self.counters.verified.fetch_add(1, Ordering::Relaxed);
        let c = Scratch::with(&CANDIDATE, |s| {
            self.detector
                .compare_known(a, s.analyze(&self.detector, text), *run)
        });
        if !c.reaches(self.options.min_score) {
            return Ok(None);
        }
        Ok(Some(Match {
            id: h.id.to_string(),
            time: h.time,
            data: h.data.to_string(),
            comparison: c,
            copies: 0,
        }))
    }
}

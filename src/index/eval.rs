//! [`scan_via_index`]: every pair of a set of texts found the way the crawler finds them, for
//! measuring the index against `scan` (what `reprint eval --via-index` runs).
//!
//! # Invariants
//! - Pairs come as `scan` gives them: `a < b` in input order, sorted by `(a, b)`, each with the
//!   comparison of `a` (the query) with `b` (the indexed document), so the two engines' results
//!   can be compared pair by pair.
//! - Every text is inserted before any is queried: each query meets all the other texts.

use super::{Index, IndexOptions, Meta};
use crate::error::Result;
use crate::score::ScoredPair;

/// Finds every pair of `texts` the way a crawler would: each text is inserted into an in-memory
/// index, then each is queried against the others. Pairs come as `scan` gives them (`a < b`,
/// sorted, the comparison of `a` with `b`), so the two can be measured against each other.
pub fn scan_via_index<S: AsRef<str> + Sync>(
    texts: &[S],
    options: IndexOptions,
) -> Result<Vec<ScoredPair>> {
    use rayon::prelude::*;
    let index = Index::new(options)?;
    texts.par_iter().enumerate().try_for_each(|(i, t)| {
        index
            .insert(&i.to_string(), t.as_ref(), &Meta::at(0))
            .map(|_| ())
    })?;
    let per_doc: Vec<Vec<ScoredPair>> = texts
        .par_iter()
        .enumerate()
        .map(|(a, t)| {
            let found = index.query(t.as_ref())?;
            Ok(found
                .into_iter()
                .filter_map(|m| {
                    let b: usize = m.id.parse().ok()?;
                    (b > a).then_some(ScoredPair {
                        a,
                        b,
                        comparison: m.comparison,
                        via: None,
                    })
                })
                .collect())
        })
        .collect::<Result<_>>()?;
    let mut pairs: Vec<_> = per_doc.into_iter().flatten().collect();
    pairs.sort_by_key(|p| (p.a, p.b));
    Ok(pairs)
}

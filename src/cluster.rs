//! Groups of documents connected by copy relations, and the likely origin of each group.
//!
//! Reported pairs are edges; clusters are the connected components (union–find with path halving).
//! The origin of a cluster is its member with the earliest `date` when any member has one (dates
//! compare as text, which orders ISO 8601 correctly). Otherwise it rests on the pairs' own
//! origins ([`crate::origin`]): the member named the likely source of the most pairs of the
//! cluster and the copy in none of them, if one member alone is. Otherwise the origin is
//! unknown: containment
//! alone does not say who copied whom (a rewrite that cuts sentences looks like a source that
//! adds some), and a cluster's origin claims no more than its pairs do.
//!
//! # Invariants
//! - Every document of a reported pair is in exactly one cluster; other documents are in none.
//! - Members are sorted by index; clusters are sorted by their first member.
//! - An origin is a member; without dates, it is the named source of at least one pair of its
//!   cluster and the named copy of none.

use crate::score::ScoredPair;

/// The root of `x`'s component in a union–find forest (path halving).
pub(crate) fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Joins the components of `a` and `b`; the smaller root stays the root.
pub(crate) fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    parent[ra.max(rb)] = ra.min(rb);
}

/// Why a member was chosen as a cluster's origin, or why none was.
#[derive(Clone, Debug, PartialEq)]
pub enum OriginReason {
    /// It has the earliest date of the cluster.
    EarliestDate(String),
    /// No member has a date; it is the likely source of this many of the cluster's pairs, and
    /// the copy in none.
    SourceOfPairs {
        /// Pairs naming it the source.
        named: usize,
        /// Pairs in the cluster.
        pairs: usize,
    },
    /// No date, and no single member is the source of the most pairs without being the copy in
    /// another.
    Unknown,
}

impl std::fmt::Display for OriginReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OriginReason::EarliestDate(d) => write!(f, "earliest date ({d})"),
            OriginReason::SourceOfPairs { named, pairs } => write!(
                f,
                "the likely source in {named} of the cluster's {pairs} pairs, the copy in none"
            ),
            OriginReason::Unknown => write!(
                f,
                "no dates, and no single member is the likely source of the most pairs without \
                 being the copy in another"
            ),
        }
    }
}

/// One group of documents linked by copy relations.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// Document indices, sorted.
    pub members: Vec<usize>,
    /// The likely origin (an element of `members`), when the evidence names one.
    pub origin: Option<usize>,
    /// Why it is the likely origin, or why there is none.
    pub reason: OriginReason,
}

/// Builds the clusters of `pairs` over `dates.len()` documents. `sources[i]` is the document
/// that pair `i`'s own origin names as the likely source, if any (see [`crate::origin`]).
///
/// # Panics
/// If `sources` and `pairs` differ in length, or a pair or source names a document past
/// `dates.len()`.
pub fn clusters(
    pairs: &[ScoredPair],
    dates: &[Option<&str>],
    sources: &[Option<usize>],
) -> Vec<Cluster> {
    assert_eq!(pairs.len(), sources.len(), "one source per pair");
    let n = dates.len();
    let mut parent: Vec<usize> = (0..n).collect();
    let mut in_pair = vec![false; n];
    for p in pairs {
        union(&mut parent, p.a, p.b);
        in_pair[p.a] = true;
        in_pair[p.b] = true;
    }
    // Per document: pairs naming it the source, and pairs naming the other side.
    let mut named = vec![0usize; n];
    let mut copied = vec![0usize; n];
    let mut pairs_of = vec![0usize; n];
    for (p, source) in pairs.iter().zip(sources) {
        pairs_of[find(&mut parent, p.a)] += 1;
        if let Some(s) = *source {
            let copy = if s == p.a { p.b } else { p.a };
            named[s] += 1;
            copied[copy] += 1;
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for x in (0..n).filter(|&x| in_pair[x]) {
        let r = find(&mut parent, x);
        groups.entry(r).or_default().push(x);
    }
    let mut out: Vec<Cluster> = groups
        .into_iter()
        .map(|(root, members)| {
            let dated = members
                .iter()
                .filter_map(|&m| dates[m].map(|d| (d, m)))
                .min();
            let (origin, reason) = match dated {
                Some((d, m)) => (Some(m), OriginReason::EarliestDate(d.to_string())),
                None => {
                    // The most pairs; a tie names nobody (two renderings of one story, each
                    // found inside the same page, are both sources of it).
                    let mut ranked: Vec<usize> = members
                        .iter()
                        .copied()
                        .filter(|&m| named[m] > 0 && copied[m] == 0)
                        .collect();
                    ranked.sort_by(|&x, &y| named[y].cmp(&named[x]));
                    let best = match ranked[..] {
                        [m] => Some(m),
                        [m, n, ..] if named[m] > named[n] => Some(m),
                        _ => None,
                    };
                    match best {
                        Some(m) => (
                            Some(m),
                            OriginReason::SourceOfPairs {
                                named: named[m],
                                pairs: pairs_of[root],
                            },
                        ),
                        None => (None, OriginReason::Unknown),
                    }
                }
            };
            Cluster {
                members,
                origin,
                reason,
            }
        })
        .collect();
    out.sort_by_key(|c| c.members[0]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pair;

    #[test]
    fn components_and_origin_from_the_pairs_origins() {
        // 1 is a wire story inside pages 0 and 3, which the pairs' origins name as the source;
        // 2 and 4 are unrelated to it.
        let pairs = [pair(0, 1, 0.4, 1.0), pair(1, 3, 0.98, 0.5)];
        let c = clusters(&pairs, &[None; 5], &[Some(1), Some(1)]);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].members, [0, 1, 3]);
        assert_eq!(c[0].origin, Some(1));
        assert_eq!(
            c[0].reason,
            OriginReason::SourceOfPairs { named: 2, pairs: 2 }
        );
        // The same cluster with one pair undecided: still 1, from the other pair.
        let c = clusters(&pairs, &[None; 5], &[None, Some(1)]);
        assert_eq!(c[0].origin, Some(1));
        // Containment alone names nobody.
        let c = clusters(&pairs, &[None; 5], &[None, None]);
        assert_eq!((c[0].origin, &c[0].reason), (None, &OriginReason::Unknown));
    }

    #[test]
    fn a_member_copied_in_one_pair_is_not_the_origin() {
        // 0 -> 1 -> 2: 1 is the source of 2 but a copy of 0; 0 is the origin.
        let pairs = [pair(0, 1, 0.9, 0.5), pair(1, 2, 0.9, 0.6)];
        let c = clusters(&pairs, &[None; 3], &[Some(0), Some(1)]);
        assert_eq!(c[0].origin, Some(0));
        // Contradicting pairs (0 -> 1 and 1 -> 0 through another link) leave it unknown.
        let pairs = [
            pair(0, 1, 0.9, 0.5),
            pair(0, 2, 0.9, 0.6),
            pair(1, 2, 0.9, 0.6),
        ];
        let c = clusters(&pairs, &[None; 3], &[Some(0), Some(2), Some(1)]);
        assert_eq!(c[0].origin, None);
        // A page (2) found to copy two renderings (0, 1) of one story, whose own pair says
        // nothing: both are sources, neither is the origin.
        let c = clusters(&pairs, &[None; 3], &[None, Some(0), Some(1)]);
        assert_eq!((c[0].origin, &c[0].reason), (None, &OriginReason::Unknown));
    }

    #[test]
    fn dates_win_over_the_pairs_origins() {
        let pairs = [pair(0, 1, 0.4, 1.0), pair(2, 3, 0.9, 0.9)];
        let dates = [Some("2022-09-08"), Some("2022-09-09"), None, None];
        let c = clusters(&pairs, &dates, &[Some(1), Some(3)]);
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].origin, &c[0].reason),
            (Some(0), &OriginReason::EarliestDate("2022-09-08".into()))
        );
        assert_eq!(c[1].origin, Some(3));
    }
}

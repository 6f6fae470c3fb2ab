//! Groups of documents connected by copy relations, and the likely origin of each group.
//!
//! Reported pairs are edges; clusters are the connected components (union–find with path halving).
//! The origin of a cluster is its member with the earliest `date` when any member has one (dates
//! compare as text, which orders ISO 8601 correctly); otherwise the member whose text is most
//! contained in another member: a wire story is contained in the pages that republish it, not the
//! other way round.
//!
//! # Invariants
//! - Every document of a reported pair is in exactly one cluster; other documents are in none.
//! - Members are sorted by index; clusters are sorted by their first member.

use crate::scan::ScoredPair;

/// Why a member was chosen as a cluster's origin.
#[derive(Clone, Debug, PartialEq)]
pub enum OriginReason {
    /// It has the earliest date of the cluster.
    EarliestDate(String),
    /// No member has a date; its text is the most contained in another member (the score).
    MostContained(f64),
}

impl std::fmt::Display for OriginReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OriginReason::EarliestDate(d) => write!(f, "earliest date ({d})"),
            OriginReason::MostContained(c) => {
                write!(f, "most contained in another member ({c:.2})")
            }
        }
    }
}

/// One group of documents linked by copy relations.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// Document indices, sorted.
    pub members: Vec<usize>,
    /// The likely origin (an element of `members`).
    pub origin: usize,
    /// Why it is the likely origin.
    pub reason: OriginReason,
}

/// Builds the clusters of `pairs` over `dates.len()` documents.
pub fn clusters(pairs: &[ScoredPair], dates: &[Option<&str>]) -> Vec<Cluster> {
    let n = dates.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    // How much of each document is found in some other document.
    let mut contained = vec![f64::NEG_INFINITY; n];
    for p in pairs {
        let (ra, rb) = (find(&mut parent, p.a), find(&mut parent, p.b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
        contained[p.a] = contained[p.a].max(p.comparison.containment_a_in_b);
        contained[p.b] = contained[p.b].max(p.comparison.containment_b_in_a);
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (x, c) in contained.iter().enumerate() {
        if *c > f64::NEG_INFINITY {
            let r = find(&mut parent, x);
            groups.entry(r).or_default().push(x);
        }
    }
    let mut out: Vec<Cluster> = groups
        .into_values()
        .map(|members| {
            let dated = members
                .iter()
                .filter_map(|&m| dates[m].map(|d| (d, m)))
                .min();
            let (origin, reason) = match dated {
                Some((d, m)) => (m, OriginReason::EarliestDate(d.to_string())),
                None => {
                    let m = *members
                        .iter()
                        .max_by(|&&x, &&y| contained[x].total_cmp(&contained[y]).then(y.cmp(&x)))
                        .expect("clusters are non-empty");
                    (m, OriginReason::MostContained(contained[m]))
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
    use crate::scan::test_support::pair;

    #[test]
    fn components_and_origin_by_containment() {
        // 1 is a wire story inside pages 0 and 3; 2 and 4 are unrelated to it.
        let pairs = [pair(0, 1, 0.4, 1.0), pair(1, 3, 0.98, 0.5)];
        let c = clusters(&pairs, &[None; 5]);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].members, [0, 1, 3]);
        assert_eq!(c[0].origin, 1);
        assert_eq!(c[0].reason, OriginReason::MostContained(1.0));
    }

    #[test]
    fn dates_win_over_containment() {
        let pairs = [pair(0, 1, 0.4, 1.0), pair(2, 3, 0.9, 0.9)];
        let dates = [Some("2022-09-08"), Some("2022-09-09"), None, None];
        let c = clusters(&pairs, &dates);
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].origin, &c[0].reason),
            (0, &OriginReason::EarliestDate("2022-09-08".into()))
        );
        assert_eq!(c[1].origin, 2, "ties go to the first member");
    }
}

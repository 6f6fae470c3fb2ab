//! Near-duplicate groups: a story that many sites republish, its keys filed once.
//!
//! Without groups, every copy of a wire story files the story's keys, and a story copied by
//! hundreds of sites has keys held by hundreds of documents: queries skip them as common phrases
//! (`IndexOptions::common_key_share`), and a copy finds none of the others. So once a story has
//! [`IndexOptions::group_from`](super::IndexOptions::group_from) near-duplicates in the index
//! (each nearly all in the other both ways, as `scan`'s groups require:
//! [`crate::scan::is_near_duplicate`]), a new one *joins a group*: it is filed as a copy of one
//! of them, the group's *representative*, and only its keys the representative does not hold (its
//! site's header and footer, its edits) go into the inverted lists. A story's keys thus keep about
//! `group_from` holders however many sites copy it; a query meets the representative, verifies it
//! once, and learns how many copies it has ([`Match::copies`](super::Match::copies)), which
//! [`Index::copies_of`](super::Index::copies_of) lists with each one's containments.
//!
//! # Invariants
//! - A member's group has a live representative that is not itself a member, except for the
//!   moment between a representative leaving and its successor's keys being filed.
//! - The inverted lists hold all the keys of every document but a member, and of a member the
//!   keys neither its representative nor another member of its group held when it joined
//!   (`residual`): a group holds each key once, as in `scan`.
//! - When a representative leaves (removed, replaced or evicted), its oldest member takes its
//!   place: that member's other keys are filed, and the group keeps its members. Members keep the
//!   containments they were verified with, against the representative they joined.
//! - A group is known by a number that does not change when its representative does, so a
//!   succession costs `O(log k)`, not a pass over the `k` members.

use super::locks::{lock, read};
use super::options::{Copy, Match};
use super::query::Found;
use super::scratch::{Scratch, CANDIDATE};
use super::table::{hash_id, Part, Slot, DOC_SHARDS};
use super::{store, Index};
use crate::error::Result;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// How a member joined its group.
#[derive(Clone, Debug)]
pub(super) struct Member {
    /// Its containment in the representative it joined, and that representative's in it.
    pub(super) in_rep: f32,
    pub(super) rep_in: f32,
    /// Its keys that representative did not hold: all it filed (sorted).
    pub(super) residual: Box<[u32]>,
}

#[derive(Default)]
struct Group {
    rep: u32,
    /// Serials of the members, oldest first.
    members: BTreeSet<u32>,
    /// The representative's keys, once a member needed them: every copy joining the group
    /// files what they lack, and reading and analyzing the representative's text again for
    /// each would cost as much as the copy's own analysis.
    rep_keys: Option<Arc<[u32]>>,
}

#[derive(Default)]
struct Table {
    groups: HashMap<u32, Group>,
    /// Representative's serial → its group.
    led: HashMap<u32, u32>,
    /// Member's serial → its group and how it joined.
    of: HashMap<u32, (u32, Member)>,
    next: u32,
}

/// A representative's successor, whose keys other than `residual` must now be filed.
pub(super) struct Successor {
    pub(super) serial: u32,
    pub(super) residual: Box<[u32]>,
}

/// The index's groups, behind one lock: joining, leaving and reading a group's size are a few
/// hash-table operations each, and only pages of large clusters join.
#[derive(Default)]
pub(super) struct Groups {
    table: Mutex<Table>,
}

impl Groups {
    /// Files `serial` as a member of `rep`'s group (made if `rep` leads none), if `rep` is still
    /// `live` and not a member itself; otherwise gives `member` back.
    pub(super) fn join(
        &self,
        serial: u32,
        rep: u32,
        member: Member,
        live: impl FnOnce(u32) -> bool,
    ) -> Result<(), Member> {
        let mut t = lock(&self.table);
        if t.of.contains_key(&rep) || !live(rep) {
            return Err(member);
        }
        let g = match t.led.get(&rep) {
            Some(&g) => g,
            None => {
                let g = t.next;
                t.next = t.next.wrapping_add(1);
                t.led.insert(rep, g);
                t.groups.insert(
                    g,
                    Group {
                        rep,
                        members: BTreeSet::new(),
                        rep_keys: None,
                    },
                );
                g
            }
        };
        t.groups
            .get_mut(&g)
            .expect("a led group")
            .members
            .insert(serial);
        t.of.insert(serial, (g, member));
        Ok(())
    }

    /// Takes `serial` out of its group, as a member or as a representative. Returns the
    /// successor whose keys must be filed when it was a representative with members.
    pub(super) fn leave(&self, serial: u32) -> Option<Successor> {
        let mut t = lock(&self.table);
        if let Some((g, _)) = t.of.remove(&serial) {
            let group = t.groups.get_mut(&g).expect("a member's group");
            group.members.remove(&serial);
            return None;
        }
        let g = t.led.remove(&serial)?;
        let group = t.groups.get_mut(&g).expect("a led group");
        let Some(next) = group.members.pop_first() else {
            t.groups.remove(&g);
            return None;
        };
        group.rep = next;
        group.rep_keys = None;
        let empty = group.members.is_empty();
        let (_, m) = t.of.remove(&next).expect("a member's record");
        if empty {
            t.groups.remove(&g);
        } else {
            t.led.insert(next, g);
        }
        Some(Successor {
            serial: next,
            residual: m.residual,
        })
    }

    /// The keys of `rep` remembered for the group it leads, if any.
    fn rep_keys(&self, rep: u32) -> Option<Arc<[u32]>> {
        let t = lock(&self.table);
        let g = t.led.get(&rep)?;
        t.groups[g].rep_keys.clone()
    }

    /// Remembers `keys` as those of `rep`, if it leads a group.
    fn remember_rep_keys(&self, rep: u32, keys: &Arc<[u32]>) {
        let mut t = lock(&self.table);
        if let Some(&g) = t.led.get(&rep) {
            t.groups.get_mut(&g).expect("a led group").rep_keys = Some(keys.clone());
        }
    }

    /// The representative of `serial`'s group if it is a member.
    pub(super) fn rep_of(&self, serial: u32) -> Option<u32> {
        let t = lock(&self.table);
        let &(g, _) = t.of.get(&serial)?;
        Some(t.groups[&g].rep)
    }

    /// How many members the group `serial` represents has (0 if it represents none).
    pub(super) fn copies(&self, serial: u32) -> usize {
        let t = lock(&self.table);
        t.led.get(&serial).map_or(0, |g| t.groups[g].members.len())
    }

    /// The members of the group `serial` represents, oldest first, with their containments in
    /// the representative they joined and its in them.
    pub(super) fn members(&self, serial: u32) -> Vec<(u32, f32, f32)> {
        let t = lock(&self.table);
        let Some(g) = t.led.get(&serial) else {
            return Vec::new();
        };
        t.groups[g]
            .members
            .iter()
            .map(|s| {
                let m = &t.of[s].1;
                (*s, m.in_rep, m.rep_in)
            })
            .collect()
    }

    /// Groups, documents filed as members, and the bytes the table holds (estimated: hash
    /// entries over their load factor, tree nodes, residual and representatives' keys).
    pub(super) fn counts(&self) -> (usize, usize, usize) {
        let t = lock(&self.table);
        let entry = |size: usize, cap: usize| cap * (size + 1);
        let residual: usize =
            t.of.values()
                .map(|(_, m)| 4 * m.residual.len())
                .sum::<usize>()
                + t.groups
                    .values()
                    .map(|g| g.rep_keys.as_ref().map_or(0, |k| 4 * k.len()))
                    .sum::<usize>();
        let bytes = entry(std::mem::size_of::<(u32, Group)>(), t.groups.capacity())
            + entry(std::mem::size_of::<(u32, u32)>(), t.led.capacity())
            + entry(std::mem::size_of::<(u32, (u32, Member))>(), t.of.capacity())
            // A B-tree's nodes hold 11 keys, mostly two thirds full.
            + t.of.len() * 4 * 3 / 2
            + residual;
        (t.groups.len(), t.of.len(), bytes)
    }
}

/// The group a page joins: its representative's serial, and the page's containment in it and
/// the representative's in the page.
#[derive(Clone, Copy, Debug)]
pub(super) struct Join {
    pub(super) rep: u32,
    pub(super) in_rep: f32,
    pub(super) rep_in: f32,
}

/// What a page joining a group files, and the membership it records.
pub(super) struct Filing {
    pub(super) rep: u32,
    pub(super) rep_id_hash: u64,
    pub(super) member: Member,
    /// Entries each residual key held, when the caller counted them.
    pub(super) held: Option<Vec<u32>>,
}

impl Index {
    /// Whether a page whose keys hold these many entries each may be the next copy of a cluster
    /// large enough to be grouped: most of its keys are held by `group_from - 1` documents or
    /// more. Such a page is queried before it is inserted.
    pub(super) fn crowded(&self, held: &[u32]) -> bool {
        let g = self.options.group_from;
        g > 1 && {
            let many = held.iter().filter(|&&n| n as usize + 1 >= g).count();
            2 * many >= held.len().max(1)
        }
    }

    /// The group a page joins, from what its query `found` (serial, match): the group of a
    /// representative it is a near-duplicate of; else, when at least `group_from - 1` indexed
    /// documents are its near-duplicates, a new group under the best of them that is not a
    /// member. The best by containment both ways, then id.
    pub(super) fn group_to_join(&self, found: &[Found]) -> Option<Join> {
        let g = self.options.group_from;
        if g == 0 {
            return None;
        }
        let near: Vec<&Found> = found
            .iter()
            .filter(|(_, m)| {
                crate::scan::is_near_duplicate(
                    m.comparison.containment_a_in_b,
                    m.comparison.containment_b_in_a,
                )
            })
            .collect();
        let grouped = near.iter().any(|(_, m)| m.copies > 0);
        if !grouped && near.len() + 1 < g {
            return None;
        }
        near.into_iter()
            .filter(|(s, m)| (m.copies > 0 || !grouped) && self.groups.rep_of(*s).is_none())
            .max_by(|(_, x), (_, y)| {
                let both = |m: &Match| {
                    let c = &m.comparison;
                    c.containment_a_in_b.min(c.containment_b_in_a)
                };
                both(x).total_cmp(&both(y)).then_with(|| y.id.cmp(&x.id))
            })
            .map(|(s, m)| Join {
                rep: *s,
                in_rep: m.comparison.containment_a_in_b as f32,
                rep_in: m.comparison.containment_b_in_a as f32,
            })
    }

    /// What a page joining `j`'s group files: its keys that the representative does not hold,
    /// with their entries in `held`. `None` when the representative is gone.
    pub(super) fn filing_under(
        &self,
        j: &Join,
        keys: &[u32],
        held: Option<&[u32]>,
    ) -> Result<Option<Filing>> {
        let Some(rep_id_hash) = self.id_hash_of(j.rep) else {
            return Ok(None);
        };
        let rep_keys = match self.groups.rep_keys(j.rep) {
            Some(k) => k,
            None => {
                let Some(k) = self.keys_of(j.rep)? else {
                    return Ok(None);
                };
                let k: Arc<[u32]> = k.into();
                self.groups.remember_rep_keys(j.rep, &k);
                k
            }
        };
        let mut residual = Vec::new();
        let mut residual_held = Vec::new();
        // A key the representative lacks but another member of the group filed is the group's
        // already (a word the representative changed, in the story every copy carries): filed
        // by every member, it would make every member a candidate of every copy's query.
        let filed_in_group = |k: u32| {
            self.postings
                .any_holder(k, |s| self.groups.rep_of(s) == Some(j.rep))
        };
        for (i, &k) in keys.iter().enumerate() {
            if rep_keys.binary_search(&k).is_err() && !filed_in_group(k) {
                residual.push(k);
                residual_held.push(held.map_or(0, |h| h[i]));
            }
        }
        Ok(Some(Filing {
            rep: j.rep,
            rep_id_hash,
            member: Member {
                in_rep: j.in_rep,
                rep_in: j.rep_in,
                residual: residual.into(),
            },
            held: held.map(|_| residual_held),
        }))
    }

    /// A live document's id hash.
    pub(super) fn id_hash_of(&self, serial: u32) -> Option<u64> {
        match read(&self.docs[serial as usize % DOC_SHARDS]).get(&serial) {
            Some(Slot::Live(d)) => Some(d.id_hash),
            _ => None,
        }
    }

    /// A live document's keys, from its text, or `None` when it is gone.
    pub(super) fn keys_of(&self, serial: u32) -> Result<Option<Vec<u32>>> {
        let Some(text) = self.body(serial, Part::Text)? else {
            return Ok(None);
        };
        let text = std::str::from_utf8(&text).map_err(|_| self.corrupt())?;
        Ok(Some(Scratch::with(&CANDIDATE, |s| self.analyze(text, s).0)))
    }

    /// Files the keys of a document other than `filed`, the keys it filed as a member: when the
    /// group it was to join is gone, or when it succeeds its representative. A document gone
    /// meanwhile files nothing.
    pub(super) fn file_rest(&self, serial: u32, filed: &[u32]) -> Result<()> {
        let Some(keys) = self.keys_of(serial)? else {
            return Ok(());
        };
        let rest: Vec<u32> = keys
            .into_iter()
            .filter(|k| filed.binary_search(k).is_err())
            .collect();
        self.postings.insert(
            &rest,
            serial,
            self.options.max_postings_per_key,
            self.min_live.load(Ordering::Relaxed),
            None,
        );
        Ok(())
    }

    /// The documents filed as near-duplicates of the document with this id, when it represents
    /// a group (see [`IndexOptions::group_from`](super::IndexOptions::group_from)), oldest
    /// first; empty otherwise.
    pub fn copies_of(&self, id: &str) -> Result<Vec<Copy>> {
        let h = hash_id(id);
        let Some(serial) = read(&self.ids[h as usize % DOC_SHARDS]).get(&h).copied() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let mut head = Vec::new();
        for (s, in_rep, rep_in) in self.groups.members(serial) {
            head.clear();
            let Some(at) = self.head_into(s, &mut head)? else {
                continue;
            };
            let h = store::decode_head(&head[at]).ok_or_else(|| self.corrupt())?;
            out.push(Copy {
                id: h.id.to_string(),
                time: h.time,
                data: h.data.to_string(),
                containment_in_representative: f64::from(in_rep),
                representative_in_copy: f64::from(rep_in),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(residual: &[u32]) -> Member {
        Member {
            in_rep: 0.9,
            rep_in: 0.9,
            residual: residual.into(),
        }
    }

    #[test]
    fn the_oldest_member_succeeds_a_representative_and_keeps_the_others() {
        let g = Groups::default();
        for s in [5, 3, 9] {
            assert!(g.join(s, 1, member(&[s]), |_| true).is_ok());
        }
        assert_eq!(g.copies(1), 3);
        assert_eq!(g.rep_of(9), Some(1));
        // A member cannot lead, and a gone representative takes no member.
        assert!(g.join(10, 3, member(&[]), |_| true).is_err());
        assert!(g.join(10, 2, member(&[]), |_| false).is_err());
        let next = g.leave(1).expect("a successor");
        assert_eq!((next.serial, &*next.residual), (3, &[3][..]));
        assert_eq!(g.copies(3), 2);
        assert_eq!(g.rep_of(9), Some(3));
        assert_eq!(g.members(3).iter().map(|m| m.0).collect::<Vec<_>>(), [5, 9]);
        assert!(g.leave(5).is_none());
        let last = g.leave(3).expect("a successor");
        assert_eq!(last.serial, 9);
        // A group of one is no group.
        assert_eq!((g.copies(9), g.rep_of(9), g.counts().0), (0, None, 0));
        assert!(g.leave(9).is_none());
    }
}

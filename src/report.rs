//! Output records: what `reprint` prints, as serde types with documented fields in a stable order.
//!
//! Scores are rounded to 4 decimals so that output is readable and stable across platforms; byte
//! offsets are exact and point into the original inputs (for JSONL input, into the `text` field as
//! UTF-8).

use crate::cluster::Cluster;
use crate::origin::{origin, DocEvidence, Side};
use crate::score::Comparison;
use crate::verdict::{Verdict, VerdictThresholds};
use crate::wire::WireCues;
use serde::Serialize;

/// One shared passage, as byte ranges of both original texts and the text of each side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PassageReport {
    /// Byte offset where the passage starts in A.
    pub a_start: usize,
    /// Byte offset one past the passage's end in A.
    pub a_end: usize,
    /// Byte offset where the passage starts in B.
    pub b_start: usize,
    /// Byte offset one past the passage's end in B.
    pub b_end: usize,
    /// The passage as written in A.
    pub a_text: String,
    /// The passage as written in B.
    pub b_text: String,
}

/// One compared pair: the record `compare --json` prints and `scan` prints per line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairReport {
    /// Id of the first document (a path, or a JSONL `id`).
    pub a: String,
    /// Id of the second document.
    pub b: String,
    /// Jaccard similarity of the two shingle sets.
    pub resemblance: f64,
    /// Fraction of A's text (characters of its words) found in B.
    pub containment_a_in_b: f64,
    /// Fraction of B's text found in A.
    pub containment_b_in_a: f64,
    /// `copy`, `partial` or `independent`, from the containments (see [`crate::verdict`]).
    pub verdict: Verdict,
    /// The likely source: `a`, `b` or `unknown` (see [`crate::origin`]).
    pub origin: Side,
    /// The evidence for `origin`, in words.
    pub origin_reason: String,
    /// A's wire cues (agencies and attributions found in its text), when its text was at hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a_wire: Option<WireCues>,
    /// B's wire cues.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b_wire: Option<WireCues>,
    /// The document through which the pair was found, when the two texts do not align directly
    /// but one aligns with a whole copy of the other (see [`crate::bridge`]); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Cluster number (see [`ClusterReport`]), with `--clusters`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<usize>,
    /// `index query`: how many indexed near-duplicates of B are filed as its copies (B
    /// represents their group: [`crate::index::Match::copies`]); absent when none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b_copies: Option<usize>,
    /// The shared passages in A order, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passages: Option<Vec<PassageReport>>,
}

/// Rounds a score to 4 decimals.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// One side of a pair as its record needs it.
#[derive(Clone, Copy, Debug, Default)]
pub struct DocRef<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its text, to quote the passages from (may be empty when they are not asked for).
    pub text: &'a str,
    /// Its date, if known (ISO 8601 compares as text).
    pub date: Option<&'a str>,
    /// Its wire cues, if found ([`crate::wire::find`]).
    pub wire: Option<&'a WireCues>,
}

impl PairReport {
    /// The record every front end prints for a pair (the CLI's `compare`, `scan` and
    /// `index query`, and the Python bindings): scores, passages if asked for, the verdict
    /// under the default thresholds, the origin from the dates, passages and wire cues of the
    /// two documents, and the document it was found through, if any.
    pub fn of(
        a: &DocRef<'_>,
        b: &DocRef<'_>,
        c: &Comparison,
        with_passages: bool,
        via: Option<&str>,
    ) -> PairReport {
        fn evidence<'d>(d: &DocRef<'d>) -> DocEvidence<'d> {
            DocEvidence {
                date: d.date,
                wire: d.wire,
            }
        }
        let mut r = PairReport::new(a.id, a.text, b.id, b.text, c, with_passages).with_evidence(
            c,
            &evidence(a),
            &evidence(b),
            &VerdictThresholds::default(),
        );
        r.via = via.map(str::to_string);
        r
    }

    /// Builds the record of a comparison of `a_text` (id `a`) with `b_text` (id `b`), with the
    /// default verdict thresholds and an origin from the containments alone; see
    /// [`PairReport::with_evidence`] for dates and wire cues.
    pub fn new(
        a: &str,
        a_text: &str,
        b: &str,
        b_text: &str,
        c: &Comparison,
        with_passages: bool,
    ) -> PairReport {
        PairReport {
            a: a.to_string(),
            b: b.to_string(),
            resemblance: round4(c.resemblance),
            containment_a_in_b: round4(c.containment_a_in_b),
            containment_b_in_a: round4(c.containment_b_in_a),
            verdict: Verdict::Independent,
            origin: Side::Unknown,
            origin_reason: String::new(),
            a_wire: None,
            b_wire: None,
            via: None,
            cluster: None,
            b_copies: None,
            passages: with_passages.then(|| {
                c.passages
                    .iter()
                    .map(|p| PassageReport {
                        a_start: p.a.start,
                        a_end: p.a.end,
                        b_start: p.b.start,
                        b_end: p.b.end,
                        a_text: a_text[p.a.clone()].to_string(),
                        b_text: b_text[p.b.clone()].to_string(),
                    })
                    .collect()
            }),
        }
        .with_evidence(
            c,
            &DocEvidence::default(),
            &DocEvidence::default(),
            &VerdictThresholds::default(),
        )
    }

    /// Sets the verdict under `thresholds`, and the origin from the passages of `c` (the
    /// comparison this record was built from) and the dates and wire cues of the two documents;
    /// the wire cues given are also reported.
    pub fn with_evidence(
        mut self,
        c: &Comparison,
        a: &DocEvidence,
        b: &DocEvidence,
        thresholds: &VerdictThresholds,
    ) -> PairReport {
        // The rounded scores decide, so that a reader can check a verdict against the printed
        // numbers.
        let (ab, ba) = (self.containment_a_in_b, self.containment_b_in_a);
        self.verdict = thresholds.verdict(ab, ba);
        let o = origin(self.verdict, ab, ba, &c.passages, a, b, thresholds);
        self.origin = o.side;
        self.origin_reason = o.reason;
        self.a_wire = a.wire.cloned();
        self.b_wire = b.wire.cloned();
        self
    }
}

/// A group of documents linked by copy relations.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClusterReport {
    /// Cluster number, from 1, in order of the clusters' first members.
    pub cluster: usize,
    /// Id of the likely origin, when the evidence names one (`null` in JSON otherwise).
    pub origin: Option<String>,
    /// Why it is the likely origin, or why none is named.
    pub origin_reason: String,
    /// Ids of all members, the origin included, in input order.
    pub members: Vec<String>,
    /// The representative of the cluster's largest near-duplicate group
    /// ([`crate::scan::Group`]), else its likely origin (`null` in JSON when there is neither).
    pub representative: Option<String>,
    /// Each member's scores with a representative, in input order: a member of a
    /// near-duplicate group with its group's representative, another member with the
    /// cluster's representative if the two were compared; members compared with neither are
    /// left out.
    pub scores: Vec<MemberScore>,
}

/// A member's scores with a representative.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemberScore {
    /// The member's id.
    pub id: String,
    /// The representative's id.
    pub representative: String,
    /// Share of the member's words in passages found in the representative.
    pub containment_in_representative: f64,
    /// Share of the representative's words in passages found in the member.
    pub representative_in_member: f64,
}

impl ClusterReport {
    /// Builds the record of cluster number `number` of `scan`'s result, naming documents by
    /// `ids`.
    pub fn new(
        number: usize,
        c: &Cluster,
        ids: &[&str],
        scan: &crate::scan::ScanResult,
    ) -> ClusterReport {
        let in_cluster = |d: usize| c.members.binary_search(&d).is_ok();
        let groups: Vec<&crate::scan::Group> = scan
            .groups
            .iter()
            .filter(|g| in_cluster(g.representative))
            .collect();
        let largest = groups
            .iter()
            .max_by_key(|g| (g.members.len(), std::cmp::Reverse(g.representative)));
        let representative = largest.map(|g| g.representative).or(c.origin);
        let mut scores = Vec::new();
        for &m in &c.members {
            let member = groups.iter().find_map(|g| {
                let i = g.members.binary_search_by_key(&m, |x| x.doc).ok()?;
                let x = g.members[i];
                Some((
                    g.representative,
                    x.containment_in_representative,
                    x.representative_in_member,
                ))
            });
            let paired = || {
                let r = representative.filter(|&r| r != m)?;
                let i = scan
                    .pairs
                    .binary_search_by_key(&(m.min(r), m.max(r)), |p| (p.a, p.b))
                    .ok()?;
                let p = &scan.pairs[i].comparison;
                Some(if m < r {
                    (r, p.containment_a_in_b, p.containment_b_in_a)
                } else {
                    (r, p.containment_b_in_a, p.containment_a_in_b)
                })
            };
            if let Some((r, mine, theirs)) = member.or_else(paired) {
                scores.push(MemberScore {
                    id: ids[m].to_string(),
                    representative: ids[r].to_string(),
                    containment_in_representative: round4(mine),
                    representative_in_member: round4(theirs),
                });
            }
        }
        ClusterReport {
            cluster: number,
            origin: c.origin.map(|o| ids[o].to_string()),
            origin_reason: c.reason.to_string(),
            members: c.members.iter().map(|&m| ids[m].to_string()).collect(),
            representative: representative.map(|r| ids[r].to_string()),
            scores,
        }
    }
}

/// The wire cues of every document of `texts` in a pair `result` reports, direct or derived
/// (`None` for the others), found in parallel.
pub fn wire_cues_of_pairs(
    result: &crate::scan::ScanResult,
    texts: &(impl crate::scan::Texts + ?Sized),
) -> Vec<Option<WireCues>> {
    use rayon::prelude::*;
    let mut used = vec![false; texts.len()];
    for p in result.all_pairs() {
        let (a, b) = match p {
            Ok(p) => (p.a, p.b),
            Err(d) => (d.a as usize, d.b as usize),
        };
        used[a] = true;
        used[b] = true;
    }
    used.par_iter()
        .enumerate()
        .map_init(String::new, |buf, (i, &u)| {
            u.then(|| crate::wire::find(texts.text(i, buf)))
        })
        .collect()
}

/// The clusters of a scan's result (see [`crate::cluster`]), each with its representative and
/// members' scores ([`ClusterReport::new`]): the connected components of the pairs compared
/// directly, their origins resting on the pairs' own origins from `dates` and `wires` (one per
/// document, as [`wire_cues_of_pairs`] gives them).
pub fn scan_clusters(
    result: &crate::scan::ScanResult,
    ids: &[&str],
    dates: &[Option<&str>],
    wires: &[Option<WireCues>],
) -> Vec<ClusterReport> {
    let doc = |i: usize| DocRef {
        id: ids[i],
        text: "",
        date: dates[i],
        wire: wires[i].as_ref(),
    };
    let sources: Vec<Option<usize>> = result
        .pairs
        .iter()
        .map(
            |p| match PairReport::of(&doc(p.a), &doc(p.b), &p.comparison, false, None).origin {
                Side::A => Some(p.a),
                Side::B => Some(p.b),
                Side::Unknown => None,
            },
        )
        .collect();
    crate::cluster::clusters(&result.pairs, dates, &sources)
        .iter()
        .enumerate()
        .map(|(n, c)| ClusterReport::new(n + 1, c, ids, result))
        .collect()
}

/// The one-line summary at the end of a scan, also available as JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ScanSummary {
    /// Documents read and scanned.
    pub documents: usize,
    /// Inputs (files, JSONL lines) skipped because of a problem.
    pub skipped_inputs: usize,
    /// Inputs used after lossy decoding.
    pub lossy_inputs: usize,
    /// Files not read because of their extension.
    pub skipped_files: usize,
    /// Candidate pairs aligned: those the exact pre-alignment bound did not rule out.
    pub verified: usize,
    /// Pairs reported.
    pub reported: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Passage;

    #[test]
    fn pair_json_has_documented_fields_in_order() {
        let a = "Le pont s'est effondré.";
        let b = "Hier, le pont s'est effondré.";
        let c = Comparison {
            resemblance: 0.123456,
            containment_a_in_b: 1.0,
            containment_b_in_a: 2.0 / 3.0,
            passages: vec![Passage {
                a: 0..23,
                b: 6..29,
                matches: 3,
                firm: true,
            }],
        };
        let json =
            serde_json::to_string(&PairReport::new("a.txt", a, "b.txt", b, &c, true)).unwrap();
        assert_eq!(
            json,
            r#"{"a":"a.txt","b":"b.txt","resemblance":0.1235,"containment_a_in_b":1.0,"containment_b_in_a":0.6667,"verdict":"copy","origin":"unknown","origin_reason":"no differing dates, and neither containment nor wire cues single out a source","passages":[{"a_start":0,"a_end":23,"b_start":6,"b_end":29,"a_text":"Le pont s'est effondré","b_text":"le pont s'est effondré"}]}"#
        );
        let without = PairReport::new("a.txt", a, "b.txt", b, &c, false);
        assert!(!serde_json::to_string(&without)
            .unwrap()
            .contains("passages"));
        // With wire cues and dates: the cues are reported and the earlier date is the origin.
        let (wa, wb) = (crate::wire::find(a), crate::wire::find("Avec AFP"));
        let ea = DocEvidence {
            date: Some("2022-09-08"),
            wire: Some(&wa),
        };
        let eb = DocEvidence {
            date: Some("2022-09-09"),
            wire: Some(&wb),
        };
        let with = without.with_evidence(&c, &ea, &eb, &VerdictThresholds::default());
        assert_eq!((with.verdict, with.origin), (Verdict::Copy, Side::A));
        let json = serde_json::to_string(&with).unwrap();
        assert!(
            json.contains(r#""origin":"a","origin_reason":"earlier date (2022-09-08 before 2022-09-09)","a_wire":{"agencies":[],"cues":[]},"b_wire":{"agencies":["AFP"],"cues":[{"kind":"credit","agencies":["AFP"],"start":0,"end":8,"text":"Avec AFP"}]}"#),
            "{json}"
        );
    }
}

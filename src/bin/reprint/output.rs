//! Writers for scan results (table, JSONL, CSV) and the side-by-side view of `compare`.

use console::{measure_text_width, Style};
use reprint::report::{ClusterReport, PairReport};
use std::collections::HashSet;
use std::io::Write;

/// Writes scan results in one of the formats. One trait so `scan` does not care which.
pub trait Exporter {
    fn pair(&mut self, out: &mut dyn Write, pair: &PairReport) -> anyhow::Result<()>;
    fn clusters(&mut self, out: &mut dyn Write, clusters: &[ClusterReport]) -> anyhow::Result<()>;
}

pub struct Jsonl;

impl Exporter for Jsonl {
    fn pair(&mut self, out: &mut dyn Write, pair: &PairReport) -> anyhow::Result<()> {
        serde_json::to_writer(&mut *out, pair)?;
        out.write_all(b"\n")?;
        Ok(())
    }

    fn clusters(&mut self, out: &mut dyn Write, clusters: &[ClusterReport]) -> anyhow::Result<()> {
        for c in clusters {
            serde_json::to_writer(&mut *out, c)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// CSV: one row per pair. With clusters, each row also names its cluster and the cluster's origin;
/// with passages, a `passages` column holds them as a JSON array. The verdict, the pair's origin
/// (`pair_origin`, `pair_origin_reason`: `origin` is the cluster's) and the agencies each side's
/// wire cues name (`;`-separated) come last, so that the earlier columns keep their positions.
pub struct Csv {
    pub passages: bool,
    pub clusters: Option<Vec<ClusterReport>>,
    copies: bool,
    header_done: bool,
}

impl Csv {
    pub fn new(passages: bool, clusters: Option<Vec<ClusterReport>>) -> Csv {
        Csv {
            passages,
            clusters,
            copies: false,
            header_done: false,
        }
    }

    /// With a last column `b_copies` (`index query`).
    pub fn with_copies(mut self) -> Csv {
        self.copies = true;
        self
    }
}

impl Exporter for Csv {
    fn pair(&mut self, out: &mut dyn Write, p: &PairReport) -> anyhow::Result<()> {
        let mut w = csv::WriterBuilder::new().from_writer(&mut *out);
        if !self.header_done {
            let mut header = vec![
                "a",
                "b",
                "resemblance",
                "containment_a_in_b",
                "containment_b_in_a",
            ];
            if self.clusters.is_some() {
                header.extend(["cluster", "origin", "origin_reason"]);
            }
            if self.passages {
                header.push("passages");
            }
            header.extend([
                "verdict",
                "pair_origin",
                "pair_origin_reason",
                "a_agencies",
                "b_agencies",
                "via",
            ]);
            if self.copies {
                header.push("b_copies");
            }
            w.write_record(&header)?;
            self.header_done = true;
        }
        let mut row = vec![
            p.a.clone(),
            p.b.clone(),
            p.resemblance.to_string(),
            p.containment_a_in_b.to_string(),
            p.containment_b_in_a.to_string(),
        ];
        if let (Some(clusters), Some(n)) = (&self.clusters, p.cluster) {
            let c = &clusters[n - 1];
            row.extend([
                n.to_string(),
                c.origin.clone().unwrap_or_default(),
                c.origin_reason.clone(),
            ]);
        }
        if self.passages {
            row.push(serde_json::to_string(p.passages.as_deref().unwrap_or(&[]))?);
        }
        let agencies = |w: &Option<reprint::wire::WireCues>| {
            w.as_ref().map_or(String::new(), |w| w.agencies.join(";"))
        };
        row.extend([
            p.verdict.to_string(),
            p.origin.as_str().to_string(),
            p.origin_reason.clone(),
            agencies(&p.a_wire),
            agencies(&p.b_wire),
            p.via.clone().unwrap_or_default(),
        ]);
        if self.copies {
            row.push(p.b_copies.unwrap_or(0).to_string());
        }
        w.write_record(&row)?;
        w.flush()?;
        Ok(())
    }

    fn clusters(&mut self, _: &mut dyn Write, _: &[ClusterReport]) -> anyhow::Result<()> {
        Ok(()) // already in the rows
    }
}

/// Aligned columns for people: the largest containment first, then the ids.
pub struct Table {
    header_done: bool,
}

impl Table {
    pub fn new() -> Table {
        Table { header_done: false }
    }
}

impl Exporter for Table {
    fn pair(&mut self, out: &mut dyn Write, p: &PairReport) -> anyhow::Result<()> {
        if !self.header_done {
            writeln!(
                out,
                "{:>6} {:>6} {:>6}  {:<11} {:<7}  a → b",
                "a_in_b", "b_in_a", "jacc", "verdict", "origin"
            )?;
            self.header_done = true;
        }
        writeln!(
            out,
            "{:>6.2} {:>6.2} {:>6.2}  {:<11} {:<7}  {} → {}{}",
            p.containment_a_in_b,
            p.containment_b_in_a,
            p.resemblance,
            p.verdict.as_str(),
            p.origin.as_str(),
            p.a,
            p.b,
            wire_note(p)
        )?;
        if let Some(via) = &p.via {
            writeln!(
                out,
                "{:22}found through {via}, a whole copy of one of them",
                ""
            )?;
        }
        if let Some(n) = p.b_copies {
            writeln!(
                out,
                "{:22}and {n} near-duplicates of {} (reprint index copies)",
                "", p.b
            )?;
        }
        if let Some(passages) = &p.passages {
            for ps in passages {
                writeln!(out, "{:22}A {:?}", "", one_line(&ps.a_text, 90))?;
                writeln!(out, "{:22}B {:?}", "", one_line(&ps.b_text, 90))?;
            }
        }
        Ok(())
    }

    fn clusters(&mut self, out: &mut dyn Write, clusters: &[ClusterReport]) -> anyhow::Result<()> {
        for c in clusters {
            writeln!(
                out,
                "\ncluster {} ({} documents), likely origin {} — {}",
                c.cluster,
                c.members.len(),
                c.origin.as_deref().unwrap_or("unknown"),
                c.origin_reason
            )?;
            if let Some(r) = &c.representative {
                writeln!(
                    out,
                    "  representative {r}; each member: in it, it in the member"
                )?;
            }
            let scores: std::collections::HashMap<&str, &reprint::report::MemberScore> =
                c.scores.iter().map(|s| (s.id.as_str(), s)).collect();
            for m in &c.members {
                match scores.get(m.as_str()) {
                    Some(s) => writeln!(
                        out,
                        "  {m}  {:.2} {:.2}{}",
                        s.containment_in_representative,
                        s.representative_in_member,
                        if Some(&s.representative) == c.representative.as_ref() {
                            String::new()
                        } else {
                            format!(" ({})", s.representative)
                        }
                    )?,
                    None => writeln!(out, "  {m}")?,
                }
            }
        }
        Ok(())
    }
}

/// `  [wire: A AFP; B AFP, Reuters]` when either side names an agency.
fn wire_note(p: &PairReport) -> String {
    let names = |w: &Option<reprint::wire::WireCues>| {
        w.as_ref()
            .filter(|w| !w.agencies.is_empty())
            .map(|w| w.agencies.join(", "))
    };
    match (names(&p.a_wire), names(&p.b_wire)) {
        (None, None) => String::new(),
        (a, b) => format!(
            "  [wire: A {}; B {}]",
            a.as_deref().unwrap_or("-"),
            b.as_deref().unwrap_or("-")
        ),
    }
}

fn one_line(s: &str, max_chars: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max_chars {
        flat
    } else {
        let cut: String = flat.chars().take(max_chars - 1).collect();
        format!("{cut}…")
    }
}

/// The human view of `compare`: scores, then each passage in two columns, the words found on the
/// other side highlighted.
pub fn compare_view(
    out: &mut dyn Write,
    report: &PairReport,
    width: usize,
    color: bool,
) -> anyhow::Result<()> {
    let bold = Style::new().bold().force_styling(color);
    let hit = Style::new().green().bold().force_styling(color);
    let dim = Style::new().dim().force_styling(color);
    writeln!(out, "{} {}", bold.apply_to("A"), report.a)?;
    writeln!(out, "{} {}", bold.apply_to("B"), report.b)?;
    writeln!(out)?;
    for (label, v) in [
        ("containment of A in B", report.containment_a_in_b),
        ("containment of B in A", report.containment_b_in_a),
        ("resemblance (Jaccard)", report.resemblance),
    ] {
        let bar = "█".repeat((v * 20.0).round() as usize);
        writeln!(out, "{label}  {:.2}  {}", v, hit.apply_to(bar))?;
    }
    writeln!(
        out,
        "verdict                {}",
        bold.apply_to(report.verdict)
    )?;
    let origin = match report.origin {
        reprint::origin::Side::A => "A",
        reprint::origin::Side::B => "B",
        reprint::origin::Side::Unknown => "unknown",
    };
    writeln!(
        out,
        "likely origin          {origin} — {}",
        report.origin_reason
    )?;
    for (side, w) in [("A", &report.a_wire), ("B", &report.b_wire)] {
        if let Some(w) = w.as_ref().filter(|w| !w.cues.is_empty()) {
            let cues: Vec<String> = w.cues.iter().map(|c| format!("{:?}", c.text)).collect();
            writeln!(out, "wire cues of {side}         {}", cues.join(", "))?;
        }
    }
    let passages = report.passages.as_deref().unwrap_or(&[]);
    writeln!(out, "\n{} shared passage(s)", passages.len())?;
    let col = (width.saturating_sub(3) / 2).max(20);
    for (n, p) in passages.iter().enumerate() {
        writeln!(
            out,
            "\n{}",
            bold.apply_to(format!(
                "passage {}  A[{}..{}]  B[{}..{}]",
                n + 1,
                p.a_start,
                p.a_end,
                p.b_start,
                p.b_end
            ))
        )?;
        let left = wrap(&p.a_text, &norms(&p.b_text), col);
        let right = wrap(&p.b_text, &norms(&p.a_text), col);
        for k in 0..left.len().max(right.len()) {
            let l = left.get(k).map_or(&[][..], |v| v.as_slice());
            let r = right.get(k).map_or(&[][..], |v| v.as_slice());
            let lw = render(out, l, &hit)?;
            write!(out, "{:pad$} {} ", "", dim.apply_to("│"), pad = col - lw)?;
            render(out, r, &hit)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

fn norms(text: &str) -> HashSet<String> {
    let t = reprint::normalize::tokenize(text);
    (0..t.len()).map(|i| t.norm(i).to_string()).collect()
}

/// A word of a wrapped line and whether it is found on the other side.
type Line = Vec<(String, bool)>;

fn wrap(text: &str, other: &HashSet<String>, width: usize) -> Vec<Line> {
    let mut lines: Vec<Line> = vec![Vec::new()];
    let mut used = 0usize;
    for word in text.split_whitespace() {
        let t = reprint::normalize::tokenize(word);
        let found = !t.is_empty() && (0..t.len()).all(|i| other.contains(t.norm(i)));
        // Words wider than a column are cut so that columns stay aligned.
        let mut rest = word.to_string();
        loop {
            let w = measure_text_width(&rest);
            let need = if used == 0 { w } else { w + 1 };
            if used + need <= width {
                lines.last_mut().expect("one line").push((rest, found));
                used += need;
                break;
            }
            if used > 0 {
                lines.push(Vec::new());
                used = 0;
                continue;
            }
            let head: String = rest.chars().take(width.max(1)).collect();
            let tail: String = rest.chars().skip(width.max(1)).collect();
            lines.last_mut().expect("one line").push((head, found));
            lines.push(Vec::new());
            rest = tail;
            if rest.is_empty() {
                break;
            }
        }
    }
    lines
}

fn render(out: &mut dyn Write, line: &[(String, bool)], hit: &Style) -> anyhow::Result<usize> {
    let mut w = 0;
    for (k, (word, found)) in line.iter().enumerate() {
        if k > 0 {
            write!(out, " ")?;
            w += 1;
        }
        if *found {
            write!(out, "{}", hit.apply_to(word))?;
        } else {
            write!(out, "{word}")?;
        }
        w += measure_text_width(word);
    }
    Ok(w)
}

/// The metrics of `reprint eval` as a table, one row per relation kind and one overall.
pub fn eval_table(out: &mut dyn Write, e: &reprint::eval::Evaluation) -> anyhow::Result<()> {
    writeln!(
        out,
        "{:<36} {:>5} {:>5} {:>6} {:>5} {:>6} {:>6} {:>13} {:>6}",
        "kind", "pairs", "pos", "recall", "fp", "prec", "AP", "best F1 @ t", "MAE"
    )?;
    let row = |out: &mut dyn Write, name: &str, m: &reprint::eval::Metrics| -> anyhow::Result<()> {
        let ap = m
            .average_precision
            .map_or("-".to_string(), |x| format!("{x:.3}"));
        let f1 = m
            .best_f1
            .map_or("-".to_string(), |(f, t)| format!("{f:.3} @ {t:.2}"));
        writeln!(
            out,
            "{:<36} {:>5} {:>5} {:>6.3} {:>5} {:>6.3} {:>6} {:>13} {:>6.3}",
            name,
            m.pairs,
            m.positives,
            m.recall,
            m.false_positives,
            m.precision,
            ap,
            f1,
            m.containment_mae
        )?;
        Ok(())
    };
    for (kind, m) in &e.by_kind {
        row(out, kind, m)?;
    }
    row(out, "overall", &e.overall)?;
    if let Some(ari) = e.adjusted_rand_index {
        writeln!(
            out,
            "\nclusters of reported pairs against clusters of labeled copies: ARI {ari:.3}"
        )?;
    }
    let missing = e.overall.missing_documents;
    if missing > 0 {
        writeln!(
            out,
            "\n{missing} labeled pairs name documents not found in the input"
        )?;
    }
    writeln!(
        out,
        "\nreported = containment of A in B >= {:.2}",
        e.threshold
    )?;
    Ok(())
}

/// The verdicts' confusion matrix and precision, the origin claims, and the calibration.
pub fn verdict_table(
    out: &mut dyn Write,
    v: &reprint::eval::VerdictEvaluation,
    calibration: Option<&reprint::eval::Calibration>,
) -> anyhow::Result<()> {
    use reprint::verdict::Verdict;
    let t = &v.thresholds;
    writeln!(
        out,
        "\nverdicts (copy: larger containment >= {:.2} or smaller >= {:.2}; partial: larger >= {:.2})",
        t.whole, t.mutual, t.partial
    )?;
    writeln!(
        out,
        "{:<22} {:>8} {:>8} {:>12} {:>7}",
        "expected \\ predicted", "copy", "partial", "independent", "recall"
    )?;
    let fmt = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.3}"));
    for (e, row) in v.confusion.iter().enumerate() {
        writeln!(
            out,
            "{:<22} {:>8} {:>8} {:>12} {:>7}",
            Verdict::ALL[e].as_str(),
            row[0],
            row[1],
            row[2],
            fmt(v.recall[e])
        )?;
    }
    writeln!(
        out,
        "{:<22} {:>8} {:>8} {:>12}",
        "precision",
        fmt(v.precision[0]),
        fmt(v.precision[1]),
        fmt(v.precision[2])
    )?;
    writeln!(out, "{} wrong verdicts", v.errors)?;
    if !v.origin.is_empty() {
        writeln!(
            out,
            "\norigin of labeled copies (in a label, B copies A)\n{:<36} {:>6} {:>6} {:>8}",
            "kind", "A", "B", "unknown"
        )?;
        for (kind, c) in &v.origin {
            writeln!(out, "{:<36} {:>6} {:>6} {:>8}", kind, c.a, c.b, c.unknown)?;
        }
    }
    if let Some(c) = calibration {
        writeln!(
            out,
            "\ncalibration: fewest wrong verdicts {} (at the default thresholds: {}), reached with\n  \
             whole in {:.2}–{:.2}, mutual in {:.2}–{:.2}, partial in {:.2}–{:.2}",
            c.errors,
            c.errors_at_defaults,
            c.whole.0,
            c.whole.1,
            c.mutual.0,
            c.mutual.1,
            c.partial.0,
            c.partial.1
        )?;
    }
    Ok(())
}

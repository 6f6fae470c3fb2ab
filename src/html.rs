//! The evidence report: one self-contained HTML page showing, for each pair, its scores, verdict,
//! origin and wire cues, and the shared passages side by side with the words found on the other
//! side highlighted.
//!
//! The page loads nothing: CSS and the few lines of script (a verdict filter for the table) are
//! inline, and a Content-Security-Policy forbids every fetch, so it can be mailed or archived as
//! one file. Document text is hostile input: every piece of it, ids included, is HTML-escaped, and
//! nothing from a document ever lands in a script, a style or an attribute other than an escaped
//! `title`.
//!
//! Layout: a summary table of all pairs (strongest first, as given), each row linking to the
//! pair's section below (`#pair-N`); each section links back to the table (`#pairs`) and lists
//! its passages (`#pair-N-pM`). Large reports stay usable: details are written for the first
//! [`HtmlLimits::max_detailed_pairs`] pairs only, and each side of a passage is cut after
//! [`HtmlLimits::max_passage_chars`] characters; the page says when either happened.
//!
//! # Invariants
//! - Every `href="#…"` in the page names an element id of the page.
//! - Highlighted words (`<mark>`) lie inside passages, and are words whose normalized form (cut
//!   to its first five letters, as reprint matches them) occurs in the other side's passage.

use crate::normalize::tokenize;
use crate::report::PairReport;
use crate::verdict::VerdictThresholds;
use crate::wire::WireCues;
use std::collections::HashSet;
use std::fmt::Write;

/// How much of a large report is written in detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HtmlLimits {
    /// Pairs given a detail section (the table lists all of them).
    pub max_detailed_pairs: usize,
    /// Characters shown of each side of a passage.
    pub max_passage_chars: usize,
}

impl Default for HtmlLimits {
    fn default() -> Self {
        HtmlLimits {
            max_detailed_pairs: 300,
            max_passage_chars: 4_000,
        }
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1200px;padding:1em 1.5em;color:#1b1b1b;background:#fff}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2.2em;border-top:2px solid #ddd;padding-top:.8em}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25em .5em;border-bottom:1px solid #e4e4e4;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.v-copy{color:#a40000;font-weight:600}.v-partial{color:#9a5b00;font-weight:600}.v-independent{color:#555}
.passage{display:grid;grid-template-columns:1fr 1fr;gap:1em;margin:.6em 0 1.2em}
.side{white-space:pre-wrap;overflow-wrap:anywhere;background:#fafafa;border:1px solid #e4e4e4;padding:.6em;border-radius:4px}
mark{background:#c9f2c2;color:inherit;padding:0 .05em}.note{color:#666;font-size:.9em}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{font-weight:600}dd{margin:0}
code{background:#f0f0f0;padding:0 .25em;border-radius:3px}
";

/// Filters the table by verdict; touches nothing but the table rows.
const SCRIPT: &str = "
(function(){var s=document.getElementById('verdict-filter');if(!s)return;
s.addEventListener('change',function(){var v=s.value;
document.querySelectorAll('#pairs tbody tr').forEach(function(r){r.hidden=!(v==='all'||r.dataset.verdict===v);});});
document.body.dataset.ready='1';})();
";

/// One pair of the report: its record (with passages) and the two texts it points into.
pub struct HtmlPair<'a> {
    /// The record; its `passages` give the byte ranges shown.
    pub report: &'a PairReport,
    /// A's full text.
    pub a_text: &'a str,
    /// B's full text.
    pub b_text: &'a str,
}

/// The evidence report of `pairs` (in the order to list them) as every front end writes it:
/// titled, with a note naming the `command` that found them, reprint's version and the verdict
/// thresholds, and the default limits.
pub fn evidence_report(command: &str, pairs: &[HtmlPair]) -> String {
    let t = VerdictThresholds::default();
    let note = format!(
        "{command} — reprint {}; verdict thresholds: copy when one side is at least {:.2} in the \
         other or each at least {:.2} in the other, partial from {:.2}.",
        env!("CARGO_PKG_VERSION"),
        t.whole,
        t.mutual,
        t.partial,
    );
    report_page(
        "reprint: evidence report",
        &note,
        pairs,
        &HtmlLimits::default(),
    )
}

/// Writes the report page for `pairs` (in the order to list them), titled `title`, with `note`
/// (a line saying how the pairs were found) under the title.
pub fn report_page(title: &str, note: &str, pairs: &[HtmlPair], limits: &HtmlLimits) -> String {
    let mut h = String::new();
    // `write!` to a String cannot fail; the results are ignored for that reason.
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n<h1 id=\"top\">{}</h1>\n<p class=\"note\">{}</p>\n",
        escape(title),
        escape(title),
        escape(note)
    );
    let detailed = pairs.len().min(limits.max_detailed_pairs);
    let _ = writeln!(
        h,
        "<p><label>Show <select id=\"verdict-filter\"><option value=\"all\">all verdicts</option>\
         <option value=\"copy\">copy</option><option value=\"partial\">partial</option>\
         <option value=\"independent\">independent</option></select></label> \
         — {} pair(s){}</p>",
        pairs.len(),
        if detailed < pairs.len() {
            format!(
                "; details below for the first {detailed} only (the report is capped so that it stays usable)"
            )
        } else {
            String::new()
        }
    );
    h.push_str(
        "<table id=\"pairs\"><thead><tr><th>#</th><th>A</th><th>B</th><th>A in B</th><th>B in A</th>\
         <th>resemblance</th><th>verdict</th><th>origin</th></tr></thead><tbody>\n",
    );
    for (n, p) in pairs.iter().enumerate() {
        let r = p.report;
        let num = if n < detailed {
            format!("<a href=\"#pair-{}\">{}</a>", n + 1, n + 1)
        } else {
            (n + 1).to_string()
        };
        let _ = writeln!(
            h,
            "<tr data-verdict=\"{v}\"><td>{num}</td><td>{}</td><td>{}</td><td class=\"num\">{:.2}</td>\
             <td class=\"num\">{:.2}</td><td class=\"num\">{:.2}</td><td class=\"v-{v}\">{v}</td><td>{}</td></tr>",
            escape(&r.a),
            escape(&r.b),
            r.containment_a_in_b,
            r.containment_b_in_a,
            r.resemblance,
            origin_cell(r),
            v = r.verdict.as_str(),
        );
    }
    h.push_str("</tbody></table>\n");
    for (n, p) in pairs.iter().take(detailed).enumerate() {
        pair_section(&mut h, n + 1, p, limits);
    }
    let _ = write!(h, "<script>{SCRIPT}</script>\n</body></html>\n");
    h
}

fn origin_cell(r: &PairReport) -> String {
    let who = match r.origin {
        crate::origin::Side::A => "A",
        crate::origin::Side::B => "B",
        crate::origin::Side::Unknown => "unknown",
    };
    format!("<span title=\"{}\">{who}</span>", escape(&r.origin_reason))
}

fn wire_line(w: Option<&WireCues>) -> String {
    match w {
        None => "not examined".to_string(),
        Some(w) if w.cues.is_empty() => "none".to_string(),
        Some(w) => w
            .cues
            .iter()
            .map(|c| {
                format!(
                    "<code>{}</code> ({}, {}, bytes {}–{})",
                    escape(&c.text),
                    serde_json::to_value(c.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    escape(&c.agencies.join(", ")),
                    c.start,
                    c.end
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn pair_section(h: &mut String, n: usize, p: &HtmlPair, limits: &HtmlLimits) {
    let r = p.report;
    let passages = r.passages.as_deref().unwrap_or(&[]);
    let _ = write!(
        h,
        "<section id=\"pair-{n}\"><h2>{n}. {} → {}</h2>\n<p><a href=\"#pairs\">back to the table</a></p>\n<dl>\
         <dt>A</dt><dd>{}</dd><dt>B</dt><dd>{}</dd>\
         <dt>containment of A in B</dt><dd>{:.4}</dd><dt>containment of B in A</dt><dd>{:.4}</dd>\
         <dt>resemblance</dt><dd>{:.4}</dd><dt>verdict</dt><dd class=\"v-{v}\">{v}</dd>\
         <dt>origin</dt><dd>{} — {}</dd><dt>wire cues of A</dt><dd>{}</dd><dt>wire cues of B</dt><dd>{}</dd>\
         <dt>passages</dt><dd>{}</dd>{}</dl>\n",
        escape(&r.a),
        escape(&r.b),
        escape(&r.a),
        escape(&r.b),
        r.containment_a_in_b,
        r.containment_b_in_a,
        r.resemblance,
        r.origin.as_str(),
        escape(&r.origin_reason),
        wire_line(r.a_wire.as_ref()),
        wire_line(r.b_wire.as_ref()),
        if passages.is_empty() {
            "none".to_string()
        } else {
            (1..=passages.len())
                .map(|m| format!("<a href=\"#pair-{n}-p{m}\">{m}</a>"))
                .collect::<Vec<_>>()
                .join(" ")
        },
        r.via.as_ref().map_or(String::new(), |via| format!(
            "<dt>found through</dt><dd>{} — a whole copy of one of the two, with which the other \
             shares these passages; they are carried over from it</dd>",
            escape(via)
        )),
        v = r.verdict.as_str(),
    );
    for (m, ps) in passages.iter().enumerate() {
        // Passages come with their text; fall back to it if the ranges do not fit the texts given.
        let a = p.a_text.get(ps.a_start..ps.a_end).unwrap_or(&ps.a_text);
        let b = p.b_text.get(ps.b_start..ps.b_end).unwrap_or(&ps.b_text);
        let _ = write!(
            h,
            "<h3 id=\"pair-{n}-p{}\">passage {}: A[{}..{}] ↔ B[{}..{}]</h3>\n<div class=\"passage\">\
             <div class=\"side side-a\">{}</div><div class=\"side side-b\">{}</div></div>\n",
            m + 1,
            m + 1,
            ps.a_start,
            ps.a_end,
            ps.b_start,
            ps.b_end,
            highlight(a, &keys(b), limits.max_passage_chars),
            highlight(b, &keys(a), limits.max_passage_chars),
        );
    }
    h.push_str("</section>\n");
}

/// The matching key of a normalized word: its first five characters, as reprint's terms.
fn key(norm: &str) -> String {
    norm.chars().take(5).collect()
}

fn keys(text: &str) -> HashSet<String> {
    let t = tokenize(text);
    (0..t.len()).map(|i| key(t.norm(i))).collect()
}

/// `text` escaped, its words found in `other` wrapped in `<mark>`, cut after `max_chars`
/// characters (at a word boundary when one is near) with a note saying so.
fn highlight(text: &str, other: &HashSet<String>, max_chars: usize) -> String {
    let cut = text
        .char_indices()
        .nth(max_chars)
        .map_or(text.len(), |(i, _)| i);
    let shown = &text[..cut];
    let t = tokenize(shown);
    let mut out = String::with_capacity(shown.len() * 2);
    let mut pos = 0;
    for i in 0..t.len() {
        let w = t.get(i);
        out.push_str(&escape(&shown[pos..w.start]));
        let word = escape(&shown[w.start..w.end]);
        if other.contains(&key(t.norm(i))) {
            let _ = write!(out, "<mark>{word}</mark>");
        } else {
            out.push_str(&word);
        }
        pos = w.end;
    }
    out.push_str(&escape(&shown[pos..]));
    if cut < text.len() {
        let _ = write!(
            out,
            "<span class=\"note\"> … [cut: {} more characters]</span>",
            text[cut..].chars().count()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::PairReport;

    #[test]
    fn escapes_everything_from_documents() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        let story = "Le pont de Varenne s'est effondré mardi soir, faisant trois blessés selon la \
                     préfecture, qui a ouvert une enquête. Les pompiers ont fouillé la rivière \
                     toute la nuit avec des plongeurs venus de Rouen.";
        let a = format!("<script>alert(1)</script> {story}");
        let b = format!("<img src=x onerror=alert(2)> Hier : {story}");
        let (a, b) = (a.as_str(), b.as_str());
        let c = crate::compare(a, b);
        assert!(c.containment_a_in_b > 0.5);
        let mut r = PairReport::new("<b>a</b>.txt", a, "b\".txt", b, &c, true);
        r.via = Some("<u>x</u>.txt".into());
        let page = report_page(
            "t<i>",
            "n",
            &[HtmlPair {
                report: &r,
                a_text: a,
                b_text: b,
            }],
            &HtmlLimits::default(),
        );
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        assert!(!page.contains("<b>a</b>"));
        assert!(page.contains("&lt;b&gt;a&lt;/b&gt;.txt"));
        assert!(page.contains("<dt>found through</dt><dd>&lt;u&gt;x&lt;/u&gt;.txt — "));
        assert!(page.contains("<mark>effondré</mark>"), "{page}");
        // Exactly one script element: the page's own.
        assert_eq!(page.matches("<script>").count(), 1);
    }

    #[test]
    fn highlights_words_found_on_the_other_side_and_cuts_long_text() {
        let other = keys("Les États-Unis condamnent");
        let h = highlight("Les Etats-Unis condamnaient <fermement>", &other, 1000);
        assert_eq!(
            h,
            "<mark>Les</mark> <mark>Etats</mark>-<mark>Unis</mark> <mark>condamnaient</mark> &lt;fermement&gt;"
        );
        let h = highlight("un deux trois quatre", &other, 7);
        assert_eq!(
            h,
            "un deux<span class=\"note\"> … [cut: 13 more characters]</span>"
        );
    }

    proptest::proptest! {
        /// Whatever the text, the only markup in a highlighted passage is reprint's own.
        #[test]
        fn highlighted_text_carries_no_markup_of_its_own(
            text in "[<>&\"'a-zé \n]{0,60}",
            other in "[<>a-zé ]{0,30}",
            max in 0usize..80,
        ) {
            let h = highlight(&text, &keys(&other), max);
            let own = h.replace("<mark>", "").replace("</mark>", "");
            let own = match own.find("<span class=\"note\">") {
                Some(i) => own[..i].to_string(),
                None => own,
            };
            proptest::prop_assert!(!own.contains(['<', '>', '"']), "{}", h);
        }
    }

    #[test]
    fn every_link_has_a_target_and_caps_are_announced() {
        let a = "Le pont de Varenne s'est effondré mardi soir, faisant trois blessés selon la préfecture.";
        let b = format!("Accueil. {a} Lire aussi.");
        let c = crate::compare(a, &b);
        let r = PairReport::new("a", a, "b", &b, &c, true);
        let pairs: Vec<HtmlPair> = (0..3)
            .map(|_| HtmlPair {
                report: &r,
                a_text: a,
                b_text: &b,
            })
            .collect();
        let limits = HtmlLimits {
            max_detailed_pairs: 2,
            ..HtmlLimits::default()
        };
        let page = report_page("t", "n", &pairs, &limits);
        let ids: HashSet<&str> = page
            .split("id=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        let hrefs: Vec<&str> = page
            .split("href=\"#")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        assert!(!hrefs.is_empty());
        for h in &hrefs {
            assert!(ids.contains(h), "#{h} has no target");
        }
        assert!(ids.contains("pair-2") && !ids.contains("pair-3"));
        assert!(page.contains("details below for the first 2 only"));
    }
}

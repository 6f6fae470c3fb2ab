//! The `reprint` command: a thin layer over the library. Arguments are parsed and checked in
//! `args`, results written by `output`; the work itself is all in the `reprint` crate.

mod args;
mod dedup;
mod output;
mod sketch;

use anyhow::Context;
use args::{
    Cli, Color, Command, CompareArgs, EvalArgs, Format, IndexAddArgs, IndexCommand,
    IndexCopiesArgs, IndexQueryArgs, IndexStatsArgs, ScanArgs,
};
use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use output::Exporter;
use reprint::html::{HtmlLimits, HtmlPair};
use reprint::origin::DocEvidence;
use reprint::report::{ClusterReport, DocRef, PairReport, ScanSummary};
use reprint::scan::{Progress, ScanOptions, ScoredPair, Stage};
use reprint::wire::WireCues;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

/// Exit codes. 2 is clap's for usage errors.
const EXIT_OK: u8 = 0;
const EXIT_ERROR: u8 = 1;
const EXIT_SKIPPED: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Compare(a) => compare(a),
        Command::Scan(a) => scan(a),
        Command::Eval(a) => eval(a),
        Command::Sketch(a) => sketch::run(a),
        Command::Dedup(a) => dedup::run(a),
        Command::Index(IndexCommand::Add(a)) => index_add(a),
        Command::Index(IndexCommand::Query(a)) => index_query(a),
        Command::Index(IndexCommand::Stats(a)) => index_stats(a),
        Command::Index(IndexCommand::Copies(a)) => index_copies(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("reprint: error: {}", message(&e));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The error and its causes, `: `-separated, each said once: the library's errors name their
/// cause in their own message (`FILE: No such file or directory`) and give it as their source
/// too.
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// A reader that went away (`reprint scan | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|je| je.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
            || c.downcast_ref::<csv::Error>().is_some_and(|ce| {
                matches!(ce.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            })
    })
}

/// 0 when every input was read cleanly, 3 when something was skipped or decoded lossily.
fn exit_code<'e>(problems: impl IntoIterator<Item = &'e reprint::Error>) -> u8 {
    if problems.into_iter().next().is_none() {
        EXIT_OK
    } else {
        EXIT_SKIPPED
    }
}

fn warn(problem: &reprint::Error) {
    eprintln!("reprint: warning: {problem}");
}

fn compare(args: CompareArgs) -> anyhow::Result<u8> {
    let detector = reprint::Detector::new(args.engine.config()).context("invalid configuration")?;
    let mut problems = Vec::new();
    let options = args.engine.load_options();
    let a = reprint::input::read_text(&args.a, &options, &mut problems);
    let b = reprint::input::read_text(&args.b, &options, &mut problems);
    problems.iter().for_each(warn);
    let (Some(a), Some(b)) = (a, b) else {
        anyhow::bail!("cannot compare: an input could not be read");
    };
    let xl = args.xling.load()?;
    let c = xl
        .and_then(|xl| xl.compare_across(&a, &b))
        .unwrap_or_else(|| detector.compare(&a, &b));
    let (a_id, b_id) = (args.a.display().to_string(), args.b.display().to_string());
    let (wa, wb) = (reprint::wire::find(&a), reprint::wire::find(&b));
    let side = |id, text, wire| DocRef {
        id,
        text,
        date: None,
        wire: Some(wire),
    };
    let report = PairReport::of(&side(&a_id, &a, &wa), &side(&b_id, &b, &wb), &c, true, None);
    if let Some(path) = &args.html {
        let pair = HtmlPair {
            report: &report,
            a_text: &a,
            b_text: &b,
        };
        write_html(path, &format!("reprint compare {a_id} {b_id}"), &[pair])?;
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        let color = match args.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        let width = console::Term::stdout()
            .size_checked()
            .map_or(100, |(_, w)| w as usize);
        output::compare_view(&mut out, &report, width, color)?;
    }
    out.flush()?;
    Ok(exit_code(&problems))
}

/// Writes the evidence report of `pairs` to `path`.
fn write_html(path: &std::path::Path, command: &str, pairs: &[HtmlPair]) -> anyhow::Result<()> {
    std::fs::write(path, reprint::html::evidence_report(command, pairs))
        .with_context(|| format!("cannot write the HTML report {}", path.display()))
}

/// The verdict metrics and, with `--calibrate`, the threshold search, after the usual metrics.
#[derive(serde::Serialize)]
struct EvalOutput<'a> {
    #[serde(flatten)]
    evaluation: &'a reprint::eval::Evaluation,
    verdicts: &'a reprint::eval::VerdictEvaluation,
    #[serde(skip_serializing_if = "Option::is_none")]
    calibration: Option<&'a reprint::eval::Calibration>,
}

/// Progress on stderr through indicatif; hidden when stderr is not a terminal or with `--quiet`.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, stage: Stage, total: u64) {
        self.0.set_message(match stage {
            Stage::Analyze => "analyzing",
            Stage::Verify => "verifying",
        });
        self.0.set_position(0);
        self.0.set_length(total);
        self.0.reset_eta();
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
}

/// The progress bar of `scan` and `dedup` on stderr; hidden when stderr is not a terminal or
/// with `--quiet`.
fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    b.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    b
}

fn start_threads(n: usize) -> anyhow::Result<()> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global()
        .context("cannot start the worker threads")
}

fn eval(args: EvalArgs) -> anyhow::Result<u8> {
    start_threads(args.threads)?;
    let detector = reprint::Detector::new(args.engine.config()).context("invalid configuration")?;
    let labels = reprint::eval::read_labels(&args.pairs)?;
    let loaded = reprint::input::load_with(&args.paths, &args.engine.load_options());
    loaded.problems.iter().for_each(warn);
    let texts: Vec<&str> = loaded.documents.iter().map(|d| d.text.as_str()).collect();
    // Scan with a zero floor so every verified candidate gets its score; the threshold applies
    // in the metrics, and average precision sees the full ranking.
    let options = ScanOptions {
        min_score: 0.0,
        bridge: !args.no_bridge,
        ..ScanOptions::default()
    };
    let xl = args.xling.load()?;
    let pairs = if args.via_index {
        // The index finds and scores the pairs across languages itself.
        let options = reprint::index::IndexOptions {
            detector: args.engine.config(),
            min_score: 0.0,
            cross_lingual: xl.map(std::sync::Arc::new),
            ..Default::default()
        };
        reprint::index::scan_via_index(&texts, options)?
    } else {
        let mut pairs = reprint::scan::scan(&detector, &texts, &options, &()).pairs;
        if let Some(xl) = &xl {
            let across = reprint::xling::scan_across(&texts[..], xl, 0.0, &());
            reprint::xling::merge_pairs(&mut pairs, across.pairs);
        }
        pairs
    };
    let ids: Vec<&str> = loaded.documents.iter().map(|d| d.id.as_str()).collect();
    let e = reprint::eval::evaluate(&labels, &ids, &pairs, args.min_score);
    let thresholds = args.thresholds();
    let docs = &loaded.documents;
    let wires: Vec<WireCues> = {
        use rayon::prelude::*;
        docs.par_iter()
            .map(|d| reprint::wire::find(&d.text))
            .collect()
    };
    let evidence = |i: usize| DocEvidence {
        date: docs[i].date.as_deref(),
        wire: Some(&wires[i]),
    };
    let origin_of = |p: &reprint::scan::ScoredPair, v: reprint::verdict::Verdict| {
        let c = &p.comparison;
        reprint::origin::origin(
            v,
            c.containment_a_in_b,
            c.containment_b_in_a,
            &c.passages,
            &evidence(p.a),
            &evidence(p.b),
            &thresholds,
        )
        .side
    };
    let verdicts = reprint::eval::evaluate_verdicts(
        &labels,
        &ids,
        &pairs,
        args.min_score,
        &thresholds,
        &origin_of,
    );
    let calibration = args
        .calibrate
        .then(|| reprint::eval::calibrate(&labels, &ids, &pairs, args.min_score));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        let o = EvalOutput {
            evaluation: &e,
            verdicts: &verdicts,
            calibration: calibration.as_ref(),
        };
        serde_json::to_writer_pretty(&mut out, &o)?;
        writeln!(out)?;
    } else {
        output::eval_table(&mut out, &e)?;
        output::verdict_table(&mut out, &verdicts, calibration.as_ref())?;
    }
    out.flush()?;
    Ok(exit_code(&loaded.problems))
}

/// The writer of pair records in `format`, for `scan` and `index query`.
fn exporter(
    format: Format,
    passages: bool,
    clusters: Option<Vec<ClusterReport>>,
) -> Box<dyn Exporter> {
    match format {
        Format::Table => Box::new(output::Table::new()),
        Format::Jsonl => Box::new(output::Jsonl),
        Format::Csv => Box::new(output::Csv::new(passages, clusters)),
    }
}

/// A JSONL `date` as Unix seconds (see [`reprint::origin::parse_date`]).
fn parse_time(date: &str) -> Option<u64> {
    reprint::origin::parse_date(date)
}

/// Opens (or creates) the index at `dir` with the matching settings of `engine`, comparing
/// across languages with `cross_lingual`.
fn open_index(
    dir: &std::path::Path,
    engine: &args::EngineArgs,
    min_score: f64,
    (max_docs, max_age): (Option<usize>, Option<u64>),
    cross_lingual: Option<reprint::xling::CrossLingual>,
) -> anyhow::Result<reprint::index::Index> {
    let options = reprint::index::IndexOptions {
        detector: engine.config(),
        min_score,
        max_docs,
        max_age,
        cross_lingual: cross_lingual.map(std::sync::Arc::new),
        ..Default::default()
    };
    reprint::index::Index::open(dir, options)
        .with_context(|| format!("cannot open the index {}", dir.display()))
}

/// An index that must exist, opened with the settings it was built with.
fn open_existing_index(dir: &std::path::Path) -> anyhow::Result<reprint::index::Index> {
    let Some(options) = reprint::index::Index::stored_options(dir)? else {
        anyhow::bail!(
            "{}: no index there (create one with `reprint index add`)",
            dir.display()
        );
    };
    reprint::index::Index::open(dir, options)
        .with_context(|| format!("cannot open the index {}", dir.display()))
}

fn index_add(args: IndexAddArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    start_threads(args.threads)?;
    // Only checked: the index stores no lexicon, and adding compares nothing across
    // languages; `index query` files the texts' cross-lingual keys when it opens the index.
    args.xling.load()?;
    let index = open_index(
        &args.index,
        &args.engine,
        reprint::scan::DEFAULT_MIN_SCORE,
        (args.max_docs, args.max_age),
        None,
    )?;
    // Texts stay in their files, each read when it is added: a corpus larger than memory can be
    // indexed.
    let docs = reprint::input::catalog(&args.paths, &args.engine.load_options());
    docs.problems.iter().for_each(warn);
    // Whether the document replaced one of the same id; a text that cannot be read again (its
    // file changed since it was listed) is skipped with its reason.
    let add = |i: usize, buf: &mut String| -> anyhow::Result<Result<bool, reprint::Error>> {
        let d = &docs.entries[i];
        let text = match docs.read(i, buf) {
            Ok(t) => t,
            Err(e) => return Ok(Err(e)),
        };
        let meta = reprint::index::Meta {
            time: d.date.as_deref().and_then(parse_time),
            data: d.url.clone().unwrap_or_default(),
        };
        index
            .insert(&d.id, text, &meta)
            .map(Ok)
            .with_context(|| format!("cannot add {} to {}", d.id, args.index.display()))
    };
    let added: Vec<Result<bool, reprint::Error>> =
        if args.max_docs.is_some() || args.max_age.is_some() {
            // Eviction follows insertion order: keep the input's.
            let mut buf = String::new();
            (0..docs.len())
                .map(|i| add(i, &mut buf))
                .collect::<anyhow::Result<_>>()?
        } else {
            use rayon::prelude::*;
            (0..docs.len())
                .into_par_iter()
                .map_init(String::new, |buf, i| add(i, buf))
                .collect::<anyhow::Result<_>>()?
        };
    let mut unread = Vec::new();
    let mut replaced = Vec::with_capacity(added.len());
    for a in added {
        match a {
            Ok(r) => replaced.push(r),
            Err(e) => unread.push(e),
        }
    }
    unread.iter().for_each(warn);
    index
        .save()
        .with_context(|| format!("cannot save the index {}", args.index.display()))?;
    if !args.quiet {
        let s = index.stats();
        eprintln!(
            "reprint: {} added ({} replaced) in {:.2} s; {} holds {}, {:.1} MB on disk",
            counted(replaced.len(), "document"),
            replaced.iter().filter(|&&r| r).count(),
            started.elapsed().as_secs_f64(),
            args.index.display(),
            counted(s.documents, "document"),
            s.disk_bytes as f64 / 1e6
        );
    }
    Ok(exit_code(docs.problems.iter().chain(&unread)))
}

fn index_query(args: IndexQueryArgs) -> anyhow::Result<u8> {
    use rayon::prelude::*;
    let started = Instant::now();
    start_threads(args.threads)?;
    if reprint::index::Index::stored_options(&args.index)?.is_none() {
        anyhow::bail!(
            "{}: no index there (create one with `reprint index add`)",
            args.index.display()
        );
    }
    let xl = args.xling.load()?;
    let index = open_index(&args.index, &args.engine, args.min_score, (None, None), xl)?;
    // As for `scan`: texts stay in their files, read when queried and again when printed.
    let docs = reprint::input::catalog(&args.paths, &args.engine.load_options());
    docs.problems.iter().for_each(warn);
    let mut unread = Vec::new();
    let found: Vec<Result<Vec<reprint::index::Match>, reprint::Error>> = (0..docs.len())
        .into_par_iter()
        .map_init(String::new, |buf, i| {
            let d = &docs.entries[i];
            let text = match docs.read(i, buf) {
                Ok(t) => t,
                Err(e) => return Ok(Err(e)),
            };
            let mut m = index.query(text).with_context(|| {
                format!("cannot query {} against {}", d.id, args.index.display())
            })?;
            // A document already in the index is not a copy of itself; but when it represents
            // a group, its row says how many copies it has.
            m.retain(|m| m.id != d.id || m.copies > 0);
            Ok(Ok(m))
        })
        .collect::<anyhow::Result<_>>()?;
    let found: Vec<Vec<reprint::index::Match>> = found
        .into_iter()
        .map(|f| {
            f.unwrap_or_else(|e| {
                unread.push(e);
                Vec::new()
            })
        })
        .collect();
    let mut rows: Vec<(usize, &reprint::index::Match)> = found
        .iter()
        .enumerate()
        .flat_map(|(i, ms)| ms.iter().map(move |m| (i, m)))
        .collect();
    if args.format == Format::Table {
        rows.sort_by(|x, y| y.1.max_score().total_cmp(&x.1.max_score()));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut exporter: Box<dyn Exporter> = match args.format {
        Format::Csv => Box::new(output::Csv::new(args.passages, None).with_copies()),
        f => exporter(f, args.passages, None),
    };
    let mut text = String::new();
    for &(i, m) in &rows {
        let query = match docs.read(i, &mut text) {
            Ok(t) => t,
            Err(e) => {
                unread.push(e);
                continue;
            }
        };
        // The stored text gives the indexed document's wire cues (and the passages' text).
        // Index times are not used as dates: without a `date` they are insertion times.
        let stored = index.get(&m.id)?.map(|s| s.text).unwrap_or_default();
        let (wa, wb) = (reprint::wire::find(query), reprint::wire::find(&stored));
        let side = |id, text, wire| DocRef {
            id,
            text,
            date: None,
            wire: Some(wire),
        };
        let mut report = PairReport::of(
            &side(&docs.entries[i].id, query, &wa),
            &side(&m.id, &stored, &wb),
            &m.comparison,
            args.passages,
            None,
        );
        report.b_copies = (m.copies > 0).then_some(m.copies);
        exporter.pair(&mut out, &report)?;
    }
    out.flush()?;
    unread.iter().for_each(warn);
    if !args.quiet {
        eprintln!(
            "reprint: {} queried against {} indexed, {} reported in {:.2} s",
            counted(docs.len(), "document"),
            index.len(),
            counted(rows.len(), "pair"),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(exit_code(docs.problems.iter().chain(&unread)))
}

fn index_copies(args: IndexCopiesArgs) -> anyhow::Result<u8> {
    let index = open_existing_index(&args.index)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut csv = (args.format == Format::Csv).then(|| csv::Writer::from_writer(Vec::new()));
    if let Some(w) = &mut csv {
        w.write_record([
            "representative",
            "id",
            "containment_in_representative",
            "representative_in_copy",
        ])?;
    }
    let mut missing = Vec::new();
    for id in &args.ids {
        if index.get(id)?.is_none() {
            missing.push(id);
            continue;
        }
        let copies = index.copies_of(id)?;
        if args.format == Format::Table {
            writeln!(out, "{id}: {} copies (in it, it in the copy)", copies.len())?;
        }
        for c in &copies {
            let (ab, ba) = (
                reprint::report::round4(c.containment_in_representative),
                reprint::report::round4(c.representative_in_copy),
            );
            match (&mut csv, args.format) {
                (Some(w), _) => {
                    w.write_record([id, &c.id, &ab.to_string(), &ba.to_string()])?;
                }
                (None, Format::Jsonl) => {
                    let row = serde_json::json!({
                        "representative": id,
                        "id": c.id,
                        "containment_in_representative": ab,
                        "representative_in_copy": ba,
                    });
                    writeln!(out, "{row}")?;
                }
                _ => writeln!(out, "  {}  {ab:.2} {ba:.2}", c.id)?,
            }
        }
    }
    if let Some(w) = csv {
        out.write_all(&w.into_inner()?)?;
    }
    out.flush()?;
    for id in &missing {
        eprintln!(
            "reprint: {}: no document {id:?} in the index",
            args.index.display()
        );
    }
    Ok(if missing.is_empty() {
        EXIT_OK
    } else {
        EXIT_SKIPPED
    })
}

fn index_stats(args: IndexStatsArgs) -> anyhow::Result<u8> {
    let index = open_existing_index(&args.index)?;
    let s = index.stats();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &s)?;
        writeln!(out)?;
    } else {
        let mb = |b: f64| format!("{:.1} MB", b / 1e6);
        writeln!(out, "documents          {}", s.documents)?;
        writeln!(out, "postings           {}", s.postings)?;
        writeln!(
            out,
            "groups             {} ({} documents filed as copies)",
            s.groups, s.copies
        )?;
        writeln!(
            out,
            "memory             {} ({:.0} bytes per document)",
            mb((s.postings_bytes + s.table_bytes + s.text_bytes) as f64),
            s.bytes_per_document
        )?;
        writeln!(
            out,
            "disk               {} (of which {} removed or evicted)",
            mb(s.disk_bytes as f64),
            mb(s.dead_disk_bytes as f64)
        )?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}

fn scan(args: ScanArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    start_threads(args.threads)?;
    let detector = reprint::Detector::new(args.engine.config()).context("invalid configuration")?;

    // Texts stay in their files, read again when needed: memory holds keys, not the corpus.
    let docs = reprint::input::catalog(&args.paths, &args.engine.load_options());
    docs.problems.iter().for_each(warn);

    let bar = progress_bar(args.quiet);
    let options = ScanOptions {
        min_score: args.min_score,
        bridge: !args.no_bridge,
        ..ScanOptions::default()
    };
    let xl = args.xling.load()?;
    let mut result = reprint::scan::scan_texts(&detector, &docs, &options, &Bar(bar.clone()));
    if let Some(xl) = &xl {
        let across = reprint::xling::scan_across(&docs, xl, args.min_score, &Bar(bar.clone()));
        reprint::xling::merge_pairs(&mut result.pairs, across.pairs);
    }
    bar.finish_and_clear();

    let entries = &docs.entries;
    let ids: Vec<&str> = entries.iter().map(|d| d.id.as_str()).collect();
    // A derived pair as a scan pair: with its passages when they are to be shown (the texts
    // read again), else with its scores alone.
    let as_pair = |item: Result<&ScoredPair, &reprint::scan::DerivedPair>,
                   passages: bool|
     -> Result<ScoredPair, reprint::Error> {
        let d = match item {
            Ok(p) => return Ok(p.clone()),
            Err(d) => d,
        };
        if !passages {
            return Ok(result.derived_pair(d, None));
        }
        let (mut ta, mut tb) = (String::new(), String::new());
        let texts = (
            docs.read(d.a as usize, &mut ta)?,
            docs.read(d.b as usize, &mut tb)?,
        );
        Ok(result.derived_pair(d, Some(texts)))
    };
    // Wire cues of the documents in reported pairs, for the records and the origin.
    let wires = reprint::report::wire_cues_of_pairs(&result, &docs);
    let dates: Vec<Option<&str>> = entries.iter().map(|d| d.date.as_deref()).collect();
    // A record with passages quotes the texts, read again: a file changed since the scan read it
    // is a problem, and the pair is left out.
    let record = |item: Result<&ScoredPair, &reprint::scan::DerivedPair>,
                  passages: bool|
     -> Result<PairReport, reprint::Error> {
        let p = as_pair(item, passages)?;
        let (mut ta, mut tb) = (String::new(), String::new());
        let (a_text, b_text) = if passages {
            (docs.read(p.a, &mut ta)?, docs.read(p.b, &mut tb)?)
        } else {
            ("", "")
        };
        let side = |i: usize, text| DocRef {
            id: ids[i],
            text,
            date: dates[i],
            wire: wires[i].as_ref(),
        };
        let via = p.via.map(|x| ids[x]);
        Ok(PairReport::of(
            &side(p.a, a_text),
            &side(p.b, b_text),
            &p.comparison,
            passages,
            via,
        ))
    };
    let mut late_problems = Vec::new();
    let clusters: Option<Vec<ClusterReport>> = args
        .clusters
        .then(|| reprint::report::scan_clusters(&result, &ids, &dates, &wires));
    let mut cluster_of: Vec<Option<usize>> = vec![None; docs.len()];
    if let Some(cs) = &clusters {
        let at: std::collections::HashMap<&str, usize> =
            ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
        for c in cs {
            for m in &c.members {
                cluster_of[at[m.as_str()]] = Some(c.cluster);
            }
        }
    }

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut exporter = exporter(args.format, args.passages, clusters.clone());
    // With clusters, the pairs derived inside them are not listed: each cluster's record names
    // its members and their scores with the representative.
    type Item<'r> = Result<&'r ScoredPair, &'r reprint::scan::DerivedPair>;
    let listed = || -> Box<dyn Iterator<Item = Item<'_>> + '_> {
        if args.clusters {
            Box::new(result.pairs.iter().map(Ok))
        } else {
            Box::new(result.all_pairs())
        }
    };
    let score = |x: &Item<'_>| match x {
        Ok(p) => p.comparison.max_score(),
        Err(d) => d.max_score(),
    };
    // Strongest first, for people (the table) and for the evidence report; programs get the
    // stable input order, streamed (a large cluster's pairs are millions).
    let ranked: Option<Vec<Item<'_>>> =
        (args.format == Format::Table || args.html.is_some()).then(|| {
            let mut v: Vec<Item<'_>> = listed().collect();
            v.sort_by(|x, y| score(y).total_cmp(&score(x)));
            v
        });
    let mut emit = |item: Item<'_>| -> anyhow::Result<()> {
        let mut report = match record(item, args.passages) {
            Ok(r) => r,
            Err(e) => {
                late_problems.push(e);
                return Ok(());
            }
        };
        report.cluster = match item {
            Ok(p) => cluster_of[p.a],
            Err(d) => cluster_of[d.a as usize],
        };
        exporter.pair(&mut out, &report)
    };
    match (&ranked, args.format) {
        (Some(v), Format::Table) => v.iter().try_for_each(|&item| emit(item))?,
        _ => listed().try_for_each(&mut emit)?,
    }
    if let Some(cs) = &clusters {
        exporter.clusters(&mut out, cs)?;
    }
    out.flush()?;
    if let (Some(path), Some(ranked)) = (&args.html, &ranked) {
        // Only the detailed pairs need passages.
        let detailed = HtmlLimits::default().max_detailed_pairs;
        let mut reports: Vec<PairReport> = Vec::with_capacity(ranked.len());
        for (n, &item) in ranked.iter().enumerate() {
            match record(item, n < detailed) {
                Ok(r) => reports.push(r),
                Err(e) => late_problems.push(e),
            }
        }
        // The records carry their passages' text, which the page shows when it is given no
        // full text to cut them from.
        let pairs: Vec<HtmlPair> = reports
            .iter()
            .map(|r| HtmlPair {
                report: r,
                a_text: "",
                b_text: "",
            })
            .collect();
        let paths: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
        write_html(path, &format!("reprint scan {}", paths.join(" ")), &pairs)?;
    }

    // Texts that could not be read again (the scan took them as empty), and pairs left out
    // because their texts could not be quoted: inputs skipped, as much as unreadable ones.
    let reread: Vec<reprint::Error> = docs.reread_problems().into_iter().map(|x| x.1).collect();
    reread.iter().chain(&late_problems).for_each(warn);
    let lossy = docs.problems.iter().filter(|p| p.is_warning_only()).count();
    let skipped = docs.problems.len() - lossy + reread.len() + late_problems.len();
    if !args.quiet {
        let s = ScanSummary {
            documents: entries.len(),
            skipped_inputs: skipped,
            lossy_inputs: lossy,
            skipped_files: docs.skipped_files,
            verified: result.stats.verified,
            reported: result.len(),
            seconds: started.elapsed().as_secs_f64(),
        };
        let mut line = format!(
            "reprint: {}, {}, {} aligned, {} reported in {:.2} s",
            counted(s.documents, "document"),
            counted(result.stats.candidates, "candidate pair"),
            s.verified,
            counted(s.reported, "pair"),
            s.seconds
        );
        let via = result.pairs.iter().filter(|p| p.via.is_some()).count() + result.derived.len();
        if via > 0 {
            line += &format!(" ({via} of them through a whole copy of one of the two)");
        }
        if result.stats.groups > 0 {
            line += &format!(
                "; {} of {} near-duplicates on average",
                counted(result.stats.groups, "group"),
                (result.stats.grouped + result.stats.groups) / result.stats.groups
            );
        }
        if s.skipped_inputs + s.lossy_inputs > 0 {
            line += &format!(
                "; {} skipped, {} decoded lossily (see warnings above)",
                counted(s.skipped_inputs, "input"),
                s.lossy_inputs
            );
        }
        if s.skipped_files > 0 {
            line += &format!(
                "; {} ignored by extension",
                counted(s.skipped_files, "file")
            );
        }
        eprintln!("{line}");
    }
    Ok(exit_code(
        docs.problems.iter().chain(&reread).chain(&late_problems),
    ))
}

/// `n` and the noun, in the plural unless `n` is 1: "1 document", "3 documents".
fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn dates_become_unix_seconds() {
        assert_eq!(parse_time("1700000000"), Some(1_700_000_000));
        assert_eq!(parse_time("1970-01-01"), Some(0));
        assert_eq!(parse_time("2022-09-08"), Some(1_662_595_200));
        assert_eq!(parse_time("2024-02-29T12:30:15Z"), Some(1_709_209_815));
        assert_eq!(
            parse_time("2024-02-29 12:30:15.25+00:00"),
            Some(1_709_209_815)
        );
        assert_eq!(parse_time("2000-03-01"), Some(951_868_800));
        for bad in ["", "yesterday", "2022-13-01", "1969-12-31", "2022-09"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}

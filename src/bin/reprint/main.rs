//! The `reprint` command: a thin layer over the library. Arguments are parsed and checked in
//! `args`, results written by `output`; the work itself is all in the `reprint` crate.

mod args;
mod output;

use anyhow::Context;
use args::{Cli, Color, Command, CompareArgs, EvalArgs, Format, ScanArgs};
use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use output::Exporter;
use reprint::report::{ClusterReport, PairReport, ScanSummary};
use reprint::scan::{Progress, ScanOptions, Stage};
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
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("reprint: error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
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
fn exit_code(problems: &[reprint::Error]) -> u8 {
    if problems.is_empty() {
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
    let a = reprint::corpus::read_text(&args.a, &options, &mut problems);
    let b = reprint::corpus::read_text(&args.b, &options, &mut problems);
    problems.iter().for_each(warn);
    let (Some(a), Some(b)) = (a, b) else {
        anyhow::bail!("cannot compare: an input could not be read");
    };
    let c = detector.compare(&a, &b);
    let (a_id, b_id) = (args.a.display().to_string(), args.b.display().to_string());
    let report = PairReport::new(&a_id, &a, &b_id, &b, &c, true);
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
    let loaded = reprint::corpus::load_with(&args.paths, &args.engine.load_options());
    loaded.problems.iter().for_each(warn);
    let texts: Vec<&str> = loaded.documents.iter().map(|d| d.text.as_str()).collect();
    // Scan with a zero floor so every verified candidate gets its score; the threshold applies
    // in the metrics, and average precision sees the full ranking.
    let options = ScanOptions {
        min_score: 0.0,
        ..ScanOptions::default()
    };
    let result = reprint::scan::scan(&detector, &texts, &options, &());
    let ids: Vec<&str> = loaded.documents.iter().map(|d| d.id.as_str()).collect();
    let e = reprint::eval::evaluate(&labels, &ids, &result.pairs, args.min_score);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &e)?;
        writeln!(out)?;
    } else {
        output::eval_table(&mut out, &e)?;
    }
    out.flush()?;
    Ok(exit_code(&loaded.problems))
}

fn scan(args: ScanArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    start_threads(args.threads)?;
    let detector = reprint::Detector::new(args.engine.config()).context("invalid configuration")?;

    let loaded = reprint::corpus::load_with(&args.paths, &args.engine.load_options());
    loaded.problems.iter().for_each(warn);
    let lossy = loaded
        .problems
        .iter()
        .filter(|p| p.is_warning_only())
        .count();
    let skipped = loaded.problems.len() - lossy;

    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta})")
                .expect("valid template")
                .progress_chars("=> "),
        );
        b
    };
    let docs = &loaded.documents;
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let options = ScanOptions {
        min_score: args.min_score,
        ..ScanOptions::default()
    };
    let result = reprint::scan::scan(&detector, &texts, &options, &Bar(bar.clone()));
    bar.finish_and_clear();

    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    let clusters: Option<Vec<ClusterReport>> = args.clusters.then(|| {
        let dates: Vec<Option<&str>> = docs.iter().map(|d| d.date.as_deref()).collect();
        reprint::cluster::clusters(&result.pairs, &dates)
            .iter()
            .enumerate()
            .map(|(n, c)| ClusterReport::new(n + 1, c, &ids))
            .collect()
    });
    let cluster_of = |doc: usize| -> Option<usize> {
        clusters.as_ref().and_then(|cs| {
            cs.iter()
                .position(|c| c.members.iter().any(|m| m == ids[doc]))
                .map(|p| p + 1)
        })
    };

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut exporter: Box<dyn Exporter> = match args.format {
        Format::Table => Box::new(output::Table::new()),
        Format::Jsonl => Box::new(output::Jsonl),
        Format::Csv => Box::new(output::Csv::new(args.passages, clusters.clone())),
    };
    let mut order: Vec<&reprint::scan::ScoredPair> = result.pairs.iter().collect();
    if args.format == Format::Table {
        // People read the strongest copies first; programs get the stable input order.
        order.sort_by(|x, y| {
            y.comparison
                .max_score()
                .total_cmp(&x.comparison.max_score())
        });
    }
    for p in order {
        let (a, b) = (&docs[p.a], &docs[p.b]);
        let mut report =
            PairReport::new(&a.id, &a.text, &b.id, &b.text, &p.comparison, args.passages);
        report.cluster = cluster_of(p.a);
        exporter.pair(&mut out, &report)?;
    }
    if let Some(cs) = &clusters {
        exporter.clusters(&mut out, cs)?;
    }
    out.flush()?;

    if !args.quiet {
        let s = ScanSummary {
            documents: docs.len(),
            skipped_inputs: skipped,
            lossy_inputs: lossy,
            skipped_files: loaded.skipped_files,
            verified: result.stats.verified,
            reported: result.stats.reported,
            seconds: started.elapsed().as_secs_f64(),
        };
        let mut line = format!(
            "reprint: {} documents, {} candidate pairs verified, {} pairs reported in {:.2} s",
            s.documents, s.verified, s.reported, s.seconds
        );
        if s.skipped_inputs + s.lossy_inputs > 0 {
            line += &format!(
                "; {} inputs skipped, {} decoded lossily (see warnings above)",
                s.skipped_inputs, s.lossy_inputs
            );
        }
        if s.skipped_files > 0 {
            line += &format!("; {} files ignored by extension", s.skipped_files);
        }
        eprintln!("{line}");
    }
    Ok(exit_code(&loaded.problems))
}

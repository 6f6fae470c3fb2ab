//! `reprint dedup`: each document's near-duplicate cluster and whether to keep it, a thin layer
//! over [`reprint::dedup::Deduplicator`]. Inputs are read as `scan` reads them, into a
//! [`reprint::input::Catalog`]: on the 60,000-document peers' corpus that held 104 MiB at the
//! peak against 239 MiB with every text in memory, for the same wall time on 2 busy cores.
//! `--explain` asks the aligner (`reprint::Detector::compare`) for the passages a dropped
//! document shares with the one kept in its place.
//! `--format parquet` writes the records with [`parquet::write`].

mod parquet;

use anyhow::Context;
use clap::{CommandFactory, ValueEnum};
use rayon::prelude::*;
use reprint::dedup::{ClusterPolicy, Dedup, DedupOptions, Deduplicator, KeepOrder, Relation};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct DedupArgs {
    /// Directories (searched recursively for .txt, .md, .jsonl and .parquet), files, or `-` for
    /// JSONL on standard input, read as by `scan`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Least word n-gram Jaccard of two near-duplicates (with `--containment`, also the least
    /// containment of a dropped document in the kept one), in (0, 1].
    #[arg(long, default_value_t = 0.8, value_parser = parse_threshold)]
    pub threshold: f64,
    /// Which document of a cluster is kept: `longest` (most distinct n-grams), `earliest` (the
    /// JSONL `date` field; undated documents last), `first` (input order). Ties go to input
    /// order.
    #[arg(long, value_enum, default_value_t = Keep::Longest)]
    pub keep: Keep,
    /// `jsonl`, `csv` or `parquet` (with `--output`): a record `id, cluster, keep, similarity`
    /// for every document in a cluster of two or more; `ids`: the id of every document kept,
    /// singletons included, one a line.
    #[arg(long, value_enum, default_value_t = DedupFormat::Jsonl)]
    pub format: DedupFormat,
    /// Write the output to FILE instead of standard output; it appears whole when done (written
    /// beside it, then renamed over it). Needed by `--format parquet`.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The column of Parquet inputs that holds the texts (strings).
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_column: String,
    /// The column of Parquet inputs that holds the ids (strings or integers); a file without it
    /// has ids `FILE#ROW`, the row counted from 0.
    #[arg(long, default_value = "id", value_name = "NAME")]
    pub id_column: String,
    /// Words per shingle.
    #[arg(long, default_value_t = DedupOptions::default().ngram)]
    pub ngram: usize,
    /// MinHash values per signature; the LSH bands are chosen so that a pair at the threshold
    /// is a candidate with probability ≥ 0.99.
    #[arg(long, default_value_t = DedupOptions::default().permutations)]
    pub permutations: usize,
    /// Also drop a document whose n-grams are at least `--threshold` contained in a kept one.
    #[arg(long)]
    pub containment: bool,
    /// `representative`: a document joins a cluster only if it is a near-duplicate of the
    /// kept document (no chains); `components`: connected components of near-duplicate pairs,
    /// as most tools make them (a member may then be far from the kept document).
    #[arg(long, value_enum, default_value_t = Clusters::Representative)]
    pub clusters: Clusters,
    /// With `--format jsonl`, add to each dropped document the passages it shares with the
    /// kept one (byte ranges in both, and its text), found by the aligner of `compare`.
    #[arg(long)]
    pub explain: bool,
    /// Seed of word hashing and MinHash.
    #[arg(long, default_value_t = DedupOptions::default().seed)]
    pub seed: u64,
    /// Number of worker threads (0: one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    /// Skip (and report) files and JSONL lines larger than this (as for `scan`).
    #[arg(long, default_value = "16M", value_parser = crate::args::parse_size)]
    pub max_doc_bytes: u64,
    /// No progress bar and no summary line.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Keep {
    /// The most distinct word n-grams.
    Longest,
    /// The earliest `date`.
    Earliest,
    /// Input order.
    First,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DedupFormat {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header line.
    Csv,
    /// The ids of the documents kept.
    Ids,
    /// The records of `jsonl` as a Parquet file (`--output` needed).
    Parquet,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Clusters {
    /// Every member within the threshold of the kept document.
    Representative,
    /// Connected components of near-duplicate pairs.
    Components,
}

fn parse_threshold(s: &str) -> Result<f64, String> {
    let x: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if x > 0.0 && x <= 1.0 {
        Ok(x)
    } else {
        Err(format!("`{s}` is not in (0, 1]"))
    }
}

/// One document of a cluster of two or more.
#[derive(serde::Serialize)]
struct Record<'a> {
    id: &'a str,
    /// The kept document's id.
    cluster: &'a str,
    keep: bool,
    similarity: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    relation: Option<Relation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    passages: Option<Vec<Shared>>,
}

impl<'a> Record<'a> {
    fn new(
        i: usize,
        docs: &'a [reprint::input::Entry],
        result: &Dedup,
        containment: bool,
        passages: Option<Vec<Shared>>,
    ) -> Self {
        let m = &result.members[i];
        Record {
            id: &docs[i].id,
            cluster: &docs[m.representative].id,
            keep: result.keep(i),
            similarity: m.similarity,
            relation: containment.then_some(m.relation),
            passages,
        }
    }
}

/// A passage a dropped document shares with the kept one.
#[derive(serde::Serialize)]
struct Shared {
    /// Byte range in the kept document.
    kept: [usize; 2],
    /// Byte range in the dropped document.
    dropped: [usize; 2],
    /// The dropped document's text there.
    text: String,
}

pub fn run(args: DedupArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    if args.explain && args.format != DedupFormat::Jsonl {
        crate::args::Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--explain goes with --format jsonl",
            )
            .exit();
    }
    if args.format == DedupFormat::Parquet && args.output.is_none() {
        // Binary data is not for a terminal, and a pipe cannot take a footer-last file usefully.
        crate::args::Cli::command()
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "--format parquet needs --output FILE",
            )
            .exit();
    }
    crate::start_threads(args.threads)?;
    // Made first, so that an output that cannot be written is said before the work, not after.
    let mut file = match &args.output {
        Some(path) => Some(reprint::atomic::AtomicFile::create(path)?),
        None => None,
    };
    let options = DedupOptions {
        threshold: args.threshold,
        ngram: args.ngram,
        permutations: args.permutations,
        seed: args.seed,
        keep: match args.keep {
            Keep::Longest => KeepOrder::Longest,
            Keep::Earliest => KeepOrder::Earliest,
            Keep::First => KeepOrder::First,
        },
        clusters: match args.clusters {
            Clusters::Representative => ClusterPolicy::Representative,
            Clusters::Components => ClusterPolicy::Components,
        },
        containment: args.containment,
        ..DedupOptions::default()
    };
    let dedup = Deduplicator::new(options).context("invalid dedup options")?;
    // Texts stay in their files: each is read once for its signature, and the candidates'
    // once more for their n-gram sets.
    let docs = reprint::input::catalog(
        &args.paths,
        &reprint::input::LoadOptions {
            max_doc_bytes: args.max_doc_bytes,
            text_column: args.text_column.clone(),
            id_column: args.id_column.clone(),
        },
    );
    docs.problems.iter().for_each(crate::warn);
    let entries = &docs.entries;
    let dates: Vec<Option<String>> = entries.iter().map(|d| d.date.clone()).collect();

    let bar = crate::progress_bar(args.quiet);
    let result = dedup.run_texts(&docs, Some(&dates), &crate::Bar(bar.clone()))?;
    bar.finish_and_clear();

    // Clusters of two or more, each its representative first, then its members in input order.
    let sizes = result.cluster_sizes();
    let mut listed: Vec<usize> = (0..entries.len()).filter(|&i| sizes[i] > 1).collect();
    listed.sort_by_key(|&i| (result.members[i].representative, !result.keep(i), i));

    let passages: Vec<Option<Vec<Shared>>> = if args.explain {
        let detector = reprint::Detector::new(reprint::Config::default())?;
        listed
            .par_iter()
            .map(|&i| {
                let rep = result.members[i].representative;
                if rep == i {
                    return Ok(None);
                }
                let (mut a, mut b) = (String::new(), String::new());
                let kept = docs.read(rep, &mut a)?;
                let dropped = docs.read(i, &mut b)?;
                let c = detector.compare(kept, dropped);
                Ok(Some(
                    c.passages
                        .iter()
                        .map(|p| Shared {
                            kept: [p.a.start, p.a.end],
                            dropped: [p.b.start, p.b.end],
                            text: dropped[p.b.clone()].to_owned(),
                        })
                        .collect(),
                ))
            })
            .collect::<Result<_, reprint::Error>>()
            .context("reading a text again for --explain")?
    } else {
        listed.iter().map(|_| None).collect()
    };

    let record = |i: usize, passages| Record::new(i, entries, &result, args.containment, passages);
    if let (DedupFormat::Parquet, Some(f)) = (args.format, &mut file) {
        // Apart: the Parquet writer wants a `Send` sink, which the standard output's lock is not.
        let records = listed.iter().map(|&i| record(i, None));
        parquet::write(&mut *f, records, args.containment)?;
    } else {
        let stdout = std::io::stdout();
        let mut out: Box<dyn Write> = match &mut file {
            Some(f) => Box::new(f),
            None => Box::new(std::io::BufWriter::with_capacity(1 << 16, stdout.lock())),
        };
        match args.format {
            DedupFormat::Jsonl => {
                for (&i, p) in listed.iter().zip(passages) {
                    serde_json::to_writer(&mut out, &record(i, p))?;
                    out.write_all(b"\n")?;
                }
            }
            DedupFormat::Csv => {
                let mut w = csv::Writer::from_writer(&mut out);
                for &i in &listed {
                    w.serialize(record(i, None))?;
                }
                w.flush()?;
            }
            DedupFormat::Ids => {
                for (i, d) in entries.iter().enumerate() {
                    if result.keep(i) {
                        writeln!(out, "{}", d.id)?;
                    }
                }
            }
            DedupFormat::Parquet => unreachable!("--format parquet has --output, checked above"),
        }
        out.flush()?;
    }
    if let (Some(f), Some(path)) = (file, &args.output) {
        f.commit()
            .with_context(|| format!("writing {}", path.display()))?;
    }

    // A text that changed or vanished since it was listed was signed as empty (kept alone).
    let unread: Vec<reprint::Error> = docs.reread_problems().into_iter().map(|(_, e)| e).collect();
    unread.iter().for_each(crate::warn);
    let n = entries.len();
    if !args.quiet {
        let clusters = (0..n).filter(|&i| result.keep(i) && sizes[i] > 1).count();
        let dropped = (0..n).filter(|&i| !result.keep(i)).count();
        let p = result.params;
        eprintln!(
            "reprint: {} documents, {} kept, {dropped} dropped in {clusters} clusters of 2 or more \
             ({} candidates, {} pairs verified, {} at or above {}; LSH {}×{}) in {:.2} s",
            n,
            n - dropped,
            result.stats.candidate_docs,
            result.stats.verified,
            result.stats.near_duplicates,
            args.threshold,
            p.bands,
            p.rows,
            started.elapsed().as_secs_f64(),
        );
        if result.stats.below_threshold > 0 {
            eprintln!(
                "reprint: {} members are below {} from their cluster's kept document (chained \
                 through others: --clusters components)",
                result.stats.below_threshold, args.threshold
            );
        }
    }
    Ok(crate::exit_code(docs.problems.iter().chain(&unread)))
}

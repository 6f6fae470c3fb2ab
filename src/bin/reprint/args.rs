//! Command-line arguments: clap definitions and their translation into library configuration.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Find copies of text: how much of article A is in article B, and which passages — even when B
/// rewords or machine-translates A.
#[derive(Debug, Parser)]
#[command(name = "reprint", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare two texts: scores and the passages they share, side by side.
    Compare(CompareArgs),
    /// Find every pair of documents where one copies the other.
    Scan(ScanArgs),
    /// Measure precision, recall and containment error against labeled pairs.
    Eval(EvalArgs),
    /// Word n-gram MinHash signatures of each document, nothing else (for other tools and for
    /// speed comparisons).
    Sketch(SketchArgs),
    /// Near-duplicate clusters (word n-gram Jaccard) and which document of each to keep, for
    /// deduplicating a dataset.
    Dedup(crate::dedup::DedupArgs),
    /// The crawler's index on disk: add documents, query others against it, show its size.
    #[command(subcommand)]
    Index(IndexCommand),
}

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Add documents to an index (created when missing); a document replaces any with its id.
    Add(IndexAddArgs),
    /// Find, for each document given, the indexed documents it copies or that copy it.
    Query(IndexQueryArgs),
    /// Documents, memory and disk use of an index.
    Stats(IndexStatsArgs),
    /// The near-duplicates filed as copies of indexed documents (a story copied by many sites
    /// is held as one representative and its copies; `index query` gives their number).
    Copies(IndexCopiesArgs),
}

#[derive(Debug, clap::Args)]
pub struct IndexCopiesArgs {
    /// The index directory.
    pub index: PathBuf,
    /// Ids of indexed documents (representatives, as `index query` reports them).
    #[arg(required = true)]
    pub ids: Vec<String>,
    /// Output format: one row per copy.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct IndexAddArgs {
    /// The index directory.
    pub index: PathBuf,
    /// Directories, files, or `-` for JSONL on standard input, read as by `scan`. A JSONL
    /// `date` (Unix seconds or YYYY-MM-DD[THH:MM[:SS]], UTC) is the document's time, else now;
    /// its `url` is kept with it.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Evict the oldest documents beyond this many.
    #[arg(long)]
    pub max_docs: Option<usize>,
    /// Evict documents more than this many seconds older than the newest.
    #[arg(long)]
    pub max_age: Option<u64>,
    /// Number of worker threads (0: one per core). Documents are added in input order, one at
    /// a time, when an eviction limit is set.
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    /// No summary line.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Accepted so that `index add` and `index query` take the same flags: the lexicons are
    /// checked, nothing cross-lingual is stored (`index query` rebuilds it from the texts).
    #[command(flatten)]
    pub xling: CrossLingualArgs,
}

#[derive(Debug, clap::Args)]
pub struct IndexQueryArgs {
    /// The index directory.
    pub index: PathBuf,
    /// Directories, files, or `-` for JSONL on standard input, read as by `scan`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Report pairs whose containment (either way) or resemblance reaches this score.
    #[arg(long, default_value_t = reprint::scan::DEFAULT_MIN_SCORE, value_parser = parse_score)]
    pub min_score: f64,
    /// Number of worker threads (0: one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    /// Output format: `a` is the queried document, `b` the indexed one.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Include the shared passages (byte offsets and text) of each pair.
    #[arg(long)]
    pub passages: bool,
    /// No summary line.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Also find indexed documents in other languages that the page translates or that
    /// translate it. The lexicons are not stored in the index: give them at each query.
    #[command(flatten)]
    pub xling: CrossLingualArgs,
}

#[derive(Debug, clap::Args)]
pub struct IndexStatsArgs {
    /// The index directory.
    pub index: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Labeled pairs: corpus/labels.tsv layout (a, b, relation, containment_a_in_b) or
    /// docA, docB, label, kind, true_containment_a_in_b.
    #[arg(long)]
    pub pairs: PathBuf,
    /// The documents the labels name (directories, files or `-`), scanned as by `scan`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// A labeled pair counts as reported when its containment of A in B reaches this score.
    #[arg(long, default_value_t = reprint::scan::DEFAULT_MIN_SCORE, value_parser = parse_score)]
    pub min_score: f64,
    /// Number of worker threads (0: one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    /// Print the metrics as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Find the pairs as a crawler would, through the index (`reprint index`), instead of
    /// `scan`'s candidate generation: measures the index's recall.
    #[arg(long)]
    pub via_index: bool,
    /// Do not report pairs found only through a whole copy of one of the two (as `scan
    /// --no-bridge`).
    #[arg(long)]
    pub no_bridge: bool,
    /// Also search the verdict thresholds for the fewest wrong verdicts on these labels, and
    /// print the range of each threshold that reaches it.
    #[arg(long)]
    pub calibrate: bool,
    /// Verdict threshold: `copy` when the larger containment reaches this.
    #[arg(long, default_value_t = reprint::verdict::VerdictThresholds::default().whole, value_parser = parse_score, help_heading = "Verdicts")]
    pub copy_whole: f64,
    /// Verdict threshold: `copy` when the smaller containment reaches this.
    #[arg(long, default_value_t = reprint::verdict::VerdictThresholds::default().mutual, value_parser = parse_score, help_heading = "Verdicts")]
    pub copy_mutual: f64,
    /// Verdict threshold: `partial` when the larger containment reaches this.
    #[arg(long, default_value_t = reprint::verdict::VerdictThresholds::default().partial, value_parser = parse_score, help_heading = "Verdicts")]
    pub partial_at: f64,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub xling: CrossLingualArgs,
}

impl EvalArgs {
    pub fn thresholds(&self) -> reprint::verdict::VerdictThresholds {
        reprint::verdict::VerdictThresholds {
            whole: self.copy_whole,
            mutual: self.copy_mutual,
            partial: self.partial_at,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The text that may have been copied (A).
    pub a: PathBuf,
    /// The text that may contain the copy (B).
    pub b: PathBuf,
    /// Print one JSON object instead of the human-readable view.
    #[arg(long)]
    pub json: bool,
    /// When to color the output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Also write the evidence report to this HTML file (self-contained, loads nothing).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub xling: CrossLingualArgs,
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Directories (searched recursively for .txt, .md and .jsonl), files, or `-` for JSONL on
    /// standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Report pairs whose containment (either way) or resemblance reaches this score.
    #[arg(long, default_value_t = reprint::scan::DEFAULT_MIN_SCORE, value_parser = parse_score)]
    pub min_score: f64,
    /// Number of worker threads (0: one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Include the shared passages (byte offsets and text) of each pair.
    #[arg(long)]
    pub passages: bool,
    /// Also print groups of documents linked by copies, each with its likely origin.
    #[arg(long)]
    pub clusters: bool,
    /// Do not report pairs that do not align directly and are found only through a third
    /// document, a whole copy of one of the two (a page quoting one rendering of a story, paired
    /// with another rendering; such pairs carry `via`).
    #[arg(long)]
    pub no_bridge: bool,
    /// Also write the evidence report to this HTML file: a table of the pairs, and each pair's
    /// passages side by side with the shared words highlighted (self-contained, loads nothing).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// No progress bar and no summary line.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
    #[command(flatten)]
    pub xling: CrossLingualArgs,
}

#[derive(Debug, clap::Args)]
pub struct SketchArgs {
    /// Directories, files, or `-` for JSONL on standard input, read as by `scan`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// `jsonl`: `{"id", "signature"}` per document; `bin`: k little-endian u32 per document, in
    /// input order, nothing else. A document without words gets k values of 4294967295.
    #[arg(long, value_enum, default_value_t = SketchFormat::Jsonl)]
    pub format: SketchFormat,
    /// Values per signature.
    #[arg(short, long, default_value_t = reprint::sketch::SketchOptions::default().k)]
    pub k: usize,
    /// Words per shingle.
    #[arg(long, default_value_t = reprint::sketch::SketchOptions::default().ngram)]
    pub ngram: usize,
    /// Seed of word hashing and MinHash.
    #[arg(long, default_value_t = reprint::sketch::SketchOptions::default().seed)]
    pub seed: u64,
    /// Number of worker threads (0: one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    /// Skip (and report) files and JSONL lines larger than this (as for `scan`).
    #[arg(long, default_value = "16M", value_parser = parse_size)]
    pub max_doc_bytes: u64,
    /// No summary line (the summary gives the signature time alone, reading excluded).
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SketchFormat {
    /// One JSON object per line.
    Jsonl,
    /// Raw little-endian u32 rows.
    Bin,
}

/// Copies across languages (`compare`, `scan`, `eval`, `index query`).
#[derive(Debug, clap::Args)]
pub struct CrossLingualArgs {
    /// Also compare documents of different languages (detected per document): sentence by
    /// sentence, through figures, names, words spelt alike and the --lexicon translations.
    #[arg(long, help_heading = "Across languages")]
    pub cross_lingual: bool,
    /// A bilingual lexicon for --cross-lingual (format in docs/cross-lingual.md;
    /// scripts/xling/freedict_lexicon.py makes one from FreeDict). Repeat for more language
    /// pairs. Implies --cross-lingual.
    #[arg(
        long = "lexicon",
        value_name = "FILE",
        help_heading = "Across languages"
    )]
    pub lexicons: Vec<PathBuf>,
}

impl CrossLingualArgs {
    /// The cross-lingual comparer asked for, its lexicons loaded; `None` if not asked for.
    pub fn load(&self) -> anyhow::Result<Option<reprint::xling::CrossLingual>> {
        if !self.cross_lingual && self.lexicons.is_empty() {
            return Ok(None);
        }
        let mut xl = reprint::xling::CrossLingual::new();
        for path in &self.lexicons {
            let lexicon = reprint::xling::Lexicon::load(path)
                .map_err(|e| anyhow::anyhow!("cannot use lexicon: {e}"))?;
            xl = xl.with_lexicon(lexicon);
        }
        Ok(Some(xl))
    }
}

/// Options of the detection engine shared by all commands.
#[derive(Debug, clap::Args)]
pub struct EngineArgs {
    /// Seed of all hashing: the same input and seed give the same output.
    #[arg(long, default_value_t = reprint::minhash::DEFAULT_SEED)]
    pub seed: u64,
    /// Skip (and report) files and JSONL lines larger than this: bytes, or with a K, M or G
    /// suffix (powers of 1024).
    #[arg(long, default_value = "16M", value_parser = parse_size)]
    pub max_doc_bytes: u64,
    /// Match words by their first N letters (0: whole words). Prefixes let inflections meet
    /// (`condamne` / `condamnent`).
    #[arg(long, default_value_t = reprint::terms::TermConfig::default().prefix, help_heading = "Matching")]
    pub prefix: usize,
    /// Keep function words (le, de, the, of…) as terms instead of dropping them.
    #[arg(long, help_heading = "Matching")]
    pub keep_stop_words: bool,
    /// Shingle length in terms, for resemblance and candidate generation.
    #[arg(long, default_value_t = reprint::Config::default().shingle, help_heading = "Matching")]
    pub shingle: usize,
    /// Fewest matched terms that make a shared passage.
    #[arg(long, default_value_t = reprint::align::AlignConfig::default().min_matches, help_heading = "Matching")]
    pub min_matches: usize,
    /// Most unmatched terms between two matches of one passage, on each side (0: exact runs only).
    #[arg(long, default_value_t = reprint::align::AlignConfig::default().max_gap, help_heading = "Matching")]
    pub max_gap: usize,
    /// Least share of matched terms among the terms a passage spans, on each side.
    #[arg(long, default_value_t = reprint::align::AlignConfig::default().min_density, help_heading = "Matching")]
    pub min_density: f64,
    /// Weight of a matched name, number or quantity word, relative to other words (1: no
    /// difference).
    #[arg(long, default_value_t = reprint::align::AlignConfig::default().entity_weight, help_heading = "Matching")]
    pub entity_weight: f64,
    /// Fewest shared content bigrams over a pair's passages before any passage counts.
    #[arg(long, default_value_t = reprint::align::AlignConfig::default().min_pair_bigrams, help_heading = "Matching")]
    pub min_pair_bigrams: usize,
    /// Keep a passage of a pair short of --min-pair-bigrams when it covers this share of the
    /// sentences it touches on both sides (0: never).
    #[arg(long, default_value_t = reprint::align::AlignConfig::default().min_sentence_cover, help_heading = "Matching")]
    pub min_sentence_cover: f64,
    /// Fewest content bigrams of such a passage.
    #[arg(long, default_value_t = reprint::align::AlignConfig::default().min_sentence_bigrams, help_heading = "Matching")]
    pub min_sentence_bigrams: usize,
}

impl EngineArgs {
    pub fn load_options(&self) -> reprint::input::LoadOptions {
        reprint::input::LoadOptions {
            max_doc_bytes: self.max_doc_bytes,
            ..Default::default()
        }
    }

    pub fn config(&self) -> reprint::Config {
        let d = reprint::Config::default();
        reprint::Config {
            seed: self.seed,
            shingle: self.shingle,
            terms: reprint::terms::TermConfig {
                prefix: self.prefix,
                drop_stop_words: !self.keep_stop_words,
                ..d.terms
            },
            align: reprint::align::AlignConfig {
                min_matches: self.min_matches,
                max_gap: self.max_gap,
                min_density: self.min_density,
                entity_weight: self.entity_weight,
                min_pair_bigrams: self.min_pair_bigrams,
                min_sentence_cover: self.min_sentence_cover,
                min_sentence_bigrams: self.min_sentence_bigrams,
                ..d.align
            },
            ..d
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Color when standard output is a terminal.
    Auto,
    Always,
    Never,
}

fn parse_score(s: &str) -> Result<f64, String> {
    let x: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("`{s}` is not between 0 and 1"))
    }
}

pub(crate) fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, shift) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 10),
        Some((i, 'm' | 'M')) => (&t[..i], 20),
        Some((i, 'g' | 'G')) => (&t[..i], 30),
        _ => (t, 0),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a size (bytes, or a number with K, M or G)"))?;
    if n == 0 {
        return Err("the limit must be at least one byte".into());
    }
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("`{s}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes_take_suffixes() {
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("16M"), Ok(16 << 20));
        assert_eq!(parse_size("2k"), Ok(2048));
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").unwrap_err().contains("not a size"));
        assert!(parse_size("99999999999G")
            .unwrap_err()
            .contains("too large"));
    }

    #[test]
    fn scores_outside_unit_interval_are_refused() {
        assert!(parse_score("0.2").is_ok());
        assert!(parse_score("1.5").unwrap_err().contains("between 0 and 1"));
        assert!(parse_score("abc").unwrap_err().contains("not a number"));
    }
}

//! `reprint sketch`: word n-gram MinHash signatures only, a thin layer over
//! [`reprint::sketch::Sketcher`]. It exists so that signature throughput can be measured from the
//! command line against other MinHash tools (`scripts/peers/run.py`), and so that pipelines in
//! other languages can take reprint's signatures.

use crate::args::{SketchArgs, SketchFormat};
use anyhow::Context;
use reprint::sketch::{SketchOptions, Sketcher};
use std::io::Write;
use std::time::Instant;

pub fn run(args: SketchArgs) -> anyhow::Result<u8> {
    crate::start_threads(args.threads)?;
    let sketcher = Sketcher::new(SketchOptions {
        k: args.k,
        ngram: args.ngram,
        seed: args.seed,
    })
    .context("invalid signature options")?;
    let loaded = reprint::input::load_with(
        &args.paths,
        &reprint::input::LoadOptions {
            max_doc_bytes: args.max_doc_bytes,
            ..Default::default()
        },
    );
    loaded.problems.iter().for_each(crate::warn);
    let texts: Vec<&str> = loaded.documents.iter().map(|d| d.text.as_str()).collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();

    // Only the signatures are timed: reading and writing are the same for every tool.
    let started = Instant::now();
    let rows = sketcher.signatures(&texts);
    let seconds = started.elapsed().as_secs_f64();

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let k = sketcher.k();
    match args.format {
        SketchFormat::Jsonl => {
            for (doc, row) in loaded.documents.iter().zip(rows.chunks_exact(k)) {
                serde_json::to_writer(
                    &mut out,
                    &Line {
                        id: &doc.id,
                        signature: row,
                    },
                )?;
                out.write_all(b"\n")?;
            }
        }
        SketchFormat::Bin => {
            for v in &rows {
                out.write_all(&v.to_le_bytes())?;
            }
        }
    }
    out.flush()?;
    if !args.quiet {
        let secs = seconds.max(1e-9);
        eprintln!(
            "reprint: {} signatures (k = {k}, {}-grams) in {seconds:.3} s: {:.0} signatures/s, {:.1} MB/s",
            texts.len(),
            args.ngram,
            texts.len() as f64 / secs,
            bytes as f64 / 1e6 / secs,
        );
    }
    Ok(crate::exit_code(&loaded.problems))
}

#[derive(serde::Serialize)]
struct Line<'a> {
    id: &'a str,
    signature: &'a [u32],
}

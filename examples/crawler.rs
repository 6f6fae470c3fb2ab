//! A crawler's use of the index: several fetcher threads check each page against everything seen
//! so far and add it, in one call; copies are reported as they are found. The index lives in a
//! directory and is saved from time to time, so a restart keeps what was seen.
//!
//! ```text
//! cargo run --release --example crawler [INDEX_DIR]
//! ```
//!
//! The "web" here is the repository's corpus (`corpus/docs`), fetched in a shuffled order by four
//! threads. Run it twice: the second run starts from the index the first one saved, and each
//! page fetched again replaces its earlier copy.

use reprint::index::{Index, IndexOptions, Meta};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("reprint-crawler-index"));
    // Keep a week of pages, at most a million: syndication happens within hours or days.
    let options = IndexOptions {
        max_age: Some(7 * 24 * 3600),
        max_docs: Some(1_000_000),
        ..IndexOptions::default()
    };
    let index = Index::open(&dir, options)?;
    println!("{}: {} pages already indexed", dir.display(), index.len());

    // The pages to "fetch": the corpus, in a fixed shuffled order.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
    let mut pages = reprint::input::load(&[root]).documents;
    let mut state = 7u64;
    for i in (1..pages.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        pages.swap(i, (state >> 33) as usize % (i + 1));
    }

    let next = AtomicUsize::new(0);
    let report = Mutex::new(std::io::stdout());
    std::thread::scope(|s| {
        for fetcher in 0..4 {
            let (index, pages, next, report, dir) = (&index, &pages, &next, &report, &dir);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(page) = pages.get(i) else { break };
                    let meta = Meta {
                        time: None, // now
                        data: format!("https://example.org/{}", page.id),
                    };
                    let found = match index.check_and_insert(&page.id, &page.text, &meta) {
                        Ok(found) => found,
                        Err(e) => {
                            eprintln!("fetcher {fetcher}: {}: {e}", page.id);
                            continue;
                        }
                    };
                    use std::io::Write;
                    let mut out = report.lock().unwrap();
                    for m in found.iter().take(3) {
                        let _ = writeln!(
                            out,
                            "fetcher {fetcher}: {} carries {:.0}% of {} ({} passages); {:.0}% of it is from there",
                            page.id,
                            100.0 * m.comparison.containment_b_in_a,
                            m.id,
                            m.comparison.passages.len(),
                            100.0 * m.comparison.containment_a_in_b,
                        );
                    }
                    // A real crawler saves every few minutes; here, every 20 pages.
                    if i % 20 == 19 {
                        if let Err(e) = index.save() {
                            eprintln!("cannot save {}: {e}", dir.display());
                        }
                    }
                }
            });
        }
    });
    index.save()?;
    let s = index.stats();
    println!(
        "{} pages indexed, {:.0} bytes of memory each, {:.1} MB on disk",
        s.documents,
        s.bytes_per_document,
        s.disk_bytes as f64 / 1e6
    );
    Ok(())
}

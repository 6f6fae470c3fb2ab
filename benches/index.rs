//! The crawler's index under load: `check_and_insert` latency (p50, p99) and throughput from 1, 2
//! and 8 threads, memory per document, and recall of the injected copies next to `scan`'s on the
//! same documents.
//!
//! ```text
//! cargo bench --bench index                          # 1,000,000 documents (about 2.4 GB of text)
//! REPRINT_BENCH_DOCS=20000 cargo bench --bench index # a quick run (CI does this)
//! REPRINT_BENCH_THREADS=1,8 ...                      # thread counts (default 1,2,8)
//! REPRINT_BENCH_SCAN_DOCS=0 ...                      # skip the scan comparison (default 50,000)
//! REPRINT_BENCH_PACE=3000 ...                        # pages/s of the paced run (0: none)
//! REPRINT_BENCH_PACED_DOCS=100000 ...                # its documents (default a tenth)
//! ```
//!
//! Not a criterion benchmark: tail latency over a million calls is the measure here, and one
//! index per thread count is built from nothing. Those runs are at full load: each thread calls
//! again as soon as it is answered, so with more threads than cores a call's latency includes
//! waiting for a core. A crawler's fetchers wait for the network between pages; the last index
//! then takes a tenth more documents from as many threads pausing between pages (exponential
//! pauses, 3,000 pages a second in all), the latency a crawler below saturation sees. Documents are generated deterministically: words
//! drawn from the vocabulary of `corpus/docs`, grown to 60,000 words by splicing, with Zipf
//! frequencies (so common term pairs have
//! long inverted lists, as in real news), 300–500 words each; one in ten is a near-duplicate of
//! an earlier document (5% of the words changed, site boilerplate added) and one in twenty holds
//! 30% of an earlier document inside new text. The index is persistent, in a temporary directory,
//! as a crawler would run it; texts are on disk, not counted in memory.

use reprint::index::{Index, IndexOptions, Meta};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

// As a crawler with many threads should (see README and Cargo.toml): glibc's malloc makes
// threads wait on each other's arenas.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What a generated document is: original, or a copy of an earlier one.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Original,
    NearDuplicate(usize),
    Partial(usize),
}

fn vocabulary() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
    let docs = reprint::input::load(&[root]).documents;
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for d in &docs {
        for w in d.text.split(|c: char| !c.is_alphanumeric()) {
            if w.chars().count() > 1 {
                *counts.entry(w.to_string()).or_default() += 1;
            }
        }
    }
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut words: Vec<String> = v.into_iter().map(|(w, _)| w).collect();
    // A news archive's vocabulary is far larger than a small corpus's: add words spliced from
    // two real ones (`condamnent` + `inondation` → `condation`), rarer than every real word.
    let mut seen: std::collections::HashSet<String> = words.iter().cloned().collect();
    let real = words.len();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    while words.len() < 60_000 {
        let (a, b) = (&words[rng.below(real)], &words[rng.below(real)]);
        let a: String = a.chars().take(a.chars().count().div_ceil(2)).collect();
        let b: String = b.chars().skip(b.chars().count() / 2).collect();
        let w = a + &b;
        if w.chars().count() > 3 && seen.insert(w.clone()) {
            words.push(w);
        }
    }
    words
}

/// Words with Zipf(1) frequencies over their corpus rank.
struct Zipf {
    vocab: Vec<String>,
    cum: Vec<f64>,
}

impl Zipf {
    fn new(vocab: Vec<String>) -> Zipf {
        let mut total = 0.0;
        let cum = (0..vocab.len())
            .map(|r| {
                total += 1.0 / (r as f64 + 1.0);
                total
            })
            .collect();
        Zipf { vocab, cum }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        let x = rng.unit() * self.cum[self.cum.len() - 1];
        &self.vocab[self
            .cum
            .partition_point(|&c| c < x)
            .min(self.vocab.len() - 1)]
    }

    /// `len` words in sentences of 17.
    fn text(&self, rng: &mut Rng, len: usize) -> String {
        let mut s = String::with_capacity(len * 8);
        for k in 0..len {
            s.push_str(self.word(rng));
            s.push_str(if k % 17 == 16 { ". " } else { " " });
        }
        s
    }
}

fn generate(n: usize) -> (Vec<String>, Vec<Kind>) {
    let zipf = Zipf::new(vocabulary());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let boiler = "Accueil Actualités Monde Économie Sport Culture Abonnez-vous à notre lettre \
                  d'information Partager sur les réseaux sociaux Lire aussi Les plus lus";
    let mut texts: Vec<String> = Vec::with_capacity(n);
    let mut kinds = Vec::with_capacity(n);
    for i in 0..n {
        let roll = rng.below(20);
        let kind = if i > 1000 && roll < 2 {
            Kind::NearDuplicate(i - 1 - rng.below(1000))
        } else if i > 1000 && roll == 2 {
            Kind::Partial(i - 1 - rng.below(1000))
        } else {
            Kind::Original
        };
        let text = match kind {
            Kind::Original => {
                let len = 300 + rng.below(200);
                zipf.text(&mut rng, len)
            }
            Kind::NearDuplicate(src) => {
                let mut words: Vec<String> = texts[src].split(' ').map(String::from).collect();
                for _ in 0..words.len() / 20 {
                    let at = rng.below(words.len());
                    words[at] = zipf.word(&mut rng).to_string();
                }
                format!("{boiler}\n{}\n{boiler}", words.join(" "))
            }
            Kind::Partial(src) => {
                let words: Vec<&str> = texts[src].split(' ').collect();
                let len = words.len() * 3 / 10;
                let at = rng.below(words.len() - len);
                let copied = words[at..at + len].join(" ");
                let before = zipf.text(&mut rng, 150);
                let after = zipf.text(&mut rng, 150);
                format!("{before}\n{copied}\n{after}")
            }
        };
        texts.push(text);
        kinds.push(kind);
    }
    (texts, kinds)
}

/// One thread's latencies and CPU times (µs) and, per document it inserted, the ids of its
/// matches.
type ThreadResult = (Vec<u32>, Vec<u32>, Vec<(usize, Vec<String>)>);

/// CPU time of the calling thread, in µs. Wall-clock latency on a shared machine includes time
/// spent waiting for a core; this does not (nor the verifications a query hands to other
/// threads).
fn thread_cpu_us() -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as u64 * 1_000_000 + t.tv_nsec as u64 / 1000
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize] as f64
}

fn rss_bytes() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = s.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Whether the source of each injected copy was among the matches of its `check_and_insert`.
fn recall(found: &[Vec<String>], kinds: &[Kind], upto: usize) -> (f64, f64) {
    let (mut nd, mut nd_hit, mut pc, mut pc_hit) = (0, 0, 0, 0);
    for i in 0..upto {
        match kinds[i] {
            Kind::NearDuplicate(s) => {
                nd += 1;
                nd_hit += usize::from(found[i].contains(&format!("d{s}")));
            }
            Kind::Partial(s) => {
                pc += 1;
                pc_hit += usize::from(found[i].contains(&format!("d{s}")));
            }
            Kind::Original => {}
        }
    }
    (
        nd_hit as f64 / nd.max(1) as f64,
        pc_hit as f64 / pc.max(1) as f64,
    )
}

/// Calls `check_and_insert` on each of `texts[from..]` from `threads` threads. Without `pace`,
/// each thread takes the next document as soon as it is answered: the index at full load. With
/// `pace` (pages per second over all threads), each thread first pauses for a time drawn from
/// an exponential distribution, as a crawler's fetcher waits for the network between pages.
fn feed(
    index: &Index,
    texts: &[String],
    from: usize,
    threads: usize,
    pace: Option<f64>,
) -> Vec<ThreadResult> {
    let next = AtomicUsize::new(from);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let next = &next;
                s.spawn(move || {
                    let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ (t as u64 + 1) << 32);
                    let mut lat = Vec::new();
                    let mut cpu = Vec::new();
                    let mut found = Vec::new();
                    loop {
                        if let Some(rate) = pace {
                            let mean = threads as f64 / rate;
                            let pause = -mean * (1.0 - rng.unit()).ln();
                            std::thread::sleep(std::time::Duration::from_secs_f64(pause));
                        }
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= texts.len() {
                            break;
                        }
                        let t = Instant::now();
                        let c = thread_cpu_us();
                        let m = index
                            .check_and_insert(&format!("d{i}"), &texts[i], &Meta::at(i as u64))
                            .expect("insert");
                        lat.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                        cpu.push((thread_cpu_us() - c).min(u64::from(u32::MAX)) as u32);
                        found.push((i, m.into_iter().map(|m| m.id).collect()));
                    }
                    (lat, cpu, found)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    })
}

/// Percentiles of all threads' latencies and CPU times, in µs.
struct Timings {
    p50: f64,
    /// Set beside `threads ÷ throughput`, it shows where the waiting for a core falls: were
    /// every thread always inside a call, the two would be equal (Little's law); the gap is
    /// time threads spend waiting between calls, not in them (see README).
    mean: f64,
    p99: f64,
    p999: f64,
    cpu_p50: f64,
    cpu_p99: f64,
}

fn timings(results: &[ThreadResult]) -> Timings {
    let mut lat: Vec<u32> = results.iter().flat_map(|r| r.0.iter().copied()).collect();
    lat.sort_unstable();
    let mut cpu: Vec<u32> = results.iter().flat_map(|r| r.1.iter().copied()).collect();
    cpu.sort_unstable();
    Timings {
        p50: percentile(&lat, 0.5),
        mean: lat.iter().map(|&x| f64::from(x)).sum::<f64>() / lat.len().max(1) as f64,
        p99: percentile(&lat, 0.99),
        p999: percentile(&lat, 0.999),
        cpu_p50: percentile(&cpu, 0.5),
        cpu_p99: percentile(&cpu, 0.99),
    }
}

fn main() {
    let n: usize = std::env::var("REPRINT_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let thread_counts: Vec<usize> = std::env::var("REPRINT_BENCH_THREADS")
        .unwrap_or_else(|_| "1,2,8".into())
        .split(',')
        .filter_map(|t| t.trim().parse().ok())
        .collect();
    // A crawler's pace: after the full-load runs, the index of the last thread count takes
    // `paced_docs` more documents from that many threads, each pausing between pages so that
    // together they offer about `pace` pages a second.
    let pace: f64 = std::env::var("REPRINT_BENCH_PACE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000.0);
    let paced_docs = if pace > 0.0 {
        std::env::var("REPRINT_BENCH_PACED_DOCS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(n / 10)
    } else {
        0
    };
    let t = Instant::now();
    let (texts, kinds) = generate(n + paced_docs);
    let bytes: usize = texts[..n].iter().map(String::len).sum();
    println!(
        "index bench: {n} documents, {:.0} MB of text, generated in {:.1} s; {} cores",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(1, |p| p.get())
    );
    let _ = std::io::Write::flush(&mut std::io::stdout());
    let base_rss = rss_bytes().unwrap_or(0);
    let mut first_found: Option<Vec<Vec<String>>> = None;
    println!("threads  docs/s   p50 µs  mean µs   p99 µs  p99.9 µs  CPU p50 µs  CPU p99 µs  memory B/doc  (stats)  RSS B/doc  disk B/doc  recall near-dup  recall partial  entries read/query  candidates/query  verified/query  matches/query");
    for &threads in &thread_counts {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let index = Index::open(dir.path(), IndexOptions::default()).expect("a new index");
        let started = Instant::now();
        let results = feed(&index, &texts[..n], 0, threads, None);
        let secs = started.elapsed().as_secs_f64();
        index.save().expect("save");
        let times = timings(&results);
        let mut found = vec![Vec::new(); n];
        for (_, _, f) in results {
            for (i, ids) in f {
                found[i] = ids;
            }
        }
        let (nd, pc) = recall(&found, &kinds, n);
        let s = index.stats();
        let rss = rss_bytes().unwrap_or(0).saturating_sub(base_rss);
        println!(
            "{threads:>7} {:>7.0} {:>8.0} {:>8.0} {:>8.0} {:>9.0} {:>11.0} {:>11.0} {:>13.0} {:>18.0} {:>11.0} {:>16.4} {:>15.4} {:>19.0} {:>17.2} {:>15.2} {:>14.2}",
            n as f64 / secs,
            times.p50,
            times.mean,
            times.p99,
            times.p999,
            times.cpu_p50,
            times.cpu_p99,
            s.bytes_per_document,
            rss as f64 / n as f64,
            s.disk_bytes as f64 / n as f64,
            nd,
            pc,
            s.postings_read as f64 / s.queries.max(1) as f64,
            s.candidates as f64 / s.queries.max(1) as f64,
            s.verified as f64 / s.queries.max(1) as f64,
            s.matches as f64 / s.queries.max(1) as f64,
        );
        // Shown as it comes: a full run takes minutes per line.
        let _ = std::io::Write::flush(&mut std::io::stdout());
        if first_found.is_none() {
            first_found = Some(found);
        }
        if paced_docs > 0 && Some(&threads) == thread_counts.last() {
            let started = Instant::now();
            let results = feed(&index, &texts, n, threads, Some(pace));
            let secs = started.elapsed().as_secs_f64();
            let times = timings(&results);
            println!(
                "paced: {threads} threads pausing for {pace:.0} pages/s in all, {paced_docs} more documents: {:.0} pages/s, p50 {:.0} µs, mean {:.0} µs, p99 {:.0} µs, p99.9 {:.0} µs, CPU p50 {:.0} µs, CPU p99 {:.0} µs",
                paced_docs as f64 / secs,
                times.p50,
                times.mean,
                times.p99,
                times.p999,
                times.cpu_p50,
                times.cpu_p99,
            );
        }
        drop(index);
    }

    // scan on the first documents, against the index's answers for the same documents. Every
    // copy's source precedes it, so a check_and_insert that saw the source is comparable with
    // scan seeing the pair.
    let m = std::env::var("REPRINT_BENCH_SCAN_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000)
        .min(n);
    if m == 0 {
        return;
    }
    let detector = reprint::Detector::default();
    let t = Instant::now();
    let scanned = reprint::scan::scan(
        &detector,
        &texts[..m],
        &reprint::scan::ScanOptions::default(),
        &(),
    );
    let mut scan_found = vec![Vec::new(); m];
    for p in &scanned.pairs {
        scan_found[p.b].push(format!("d{}", p.a));
    }
    let (snd, spc) = recall(&scan_found, &kinds, m);
    if let Some(found) = first_found {
        let (ind, ipc) = recall(&found, &kinds, m);
        println!(
            "first {m} documents: recall near-dup / partial: scan {snd:.4} / {spc:.4} ({:.1} s on all cores), index {ind:.4} / {ipc:.4}",
            t.elapsed().as_secs_f64()
        );
    }
}

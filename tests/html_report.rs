//! The HTML evidence report, rendered by a real headless browser (Chromium): the page the browser
//! builds has the pairs table with one row per reported pair, every `#…` link resolves, shared
//! words are highlighted inside the passages, the page's own script ran, and text from a hostile
//! document is shown as text, never run.
//!
//! Without Chromium the test is skipped with a message, unless `REPRINT_REQUIRE_BROWSER=1` (as CI
//! sets it), when a missing browser is a failure. `REPRINT_CHROMIUM` names the browser binary;
//! otherwise `chromium`, `chromium-browser` or `google-chrome` is looked up in `PATH`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn reprint() -> Command {
    Command::new(env!("CARGO_BIN_EXE_reprint"))
}

fn corpus_docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs")
}

/// The browser binary, or `None` (with the reason printed) when the test should be skipped.
fn browser() -> Option<PathBuf> {
    let required = std::env::var("REPRINT_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let found = match std::env::var_os("REPRINT_CHROMIUM") {
        Some(p) => Some(PathBuf::from(p)).filter(|p| p.is_file()),
        None => ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .find_map(|name| {
                std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                    .map(|dir| dir.join(name))
                    .find(|p| p.is_file())
            }),
    };
    if found.is_none() {
        assert!(
            !required,
            "REPRINT_REQUIRE_BROWSER=1 but no Chromium found (install Debian's `chromium`)"
        );
        // Straight to the standard error stream, not through `eprintln!`, which the test
        // harness captures: the skip must be seen in a plain `cargo test`.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED html_report: the HTML report browser test needs Chromium (Debian: apt-get \
             install chromium); set REPRINT_REQUIRE_BROWSER=1 to make its absence a failure"
        );
    }
    found
}

/// The DOM Chromium builds from `page`, after its scripts ran.
fn rendered_dom(chromium: &Path, page: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    // To a file, not a pipe: a large DOM would fill the pipe while we wait for the exit.
    let dump = profile.path().join("dom.html");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdout(std::fs::File::create(&dump).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "chromium failed: {status:?}");
    std::fs::read_to_string(&dump).expect("DOM is UTF-8")
}

/// Values of attribute `name` (double-quoted, as Chromium serializes them) in `dom`.
fn attrs<'a>(dom: &'a str, name: &str) -> Vec<&'a str> {
    let pat = format!(" {name}=\"");
    dom.split(pat.as_str())
        .skip(1)
        .map(|s| &s[..s.find('"').expect("closed attribute")])
        .collect()
}

/// Text of every `<mark>` element.
fn marks(dom: &str) -> Vec<&str> {
    dom.split("<mark>")
        .skip(1)
        .map(|s| &s[..s.find("</mark>").expect("closed mark")])
        .collect()
}

/// The checks every report must pass in the browser.
fn check_page(dom: &str, rows: usize) {
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page's own script ran (so a hostile one would have had the chance)"
    );
    assert!(!dom.contains("data-pwned"), "hostile script ran");
    assert!(
        !dom.contains("onerror=\""),
        "hostile attribute became an attribute"
    );
    assert!(!dom.contains("<img"), "hostile markup became an element");
    let table = &dom[dom.find("<table id=\"pairs\">").expect("pairs table")..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(
        table.matches("<tr data-verdict=").count(),
        rows,
        "one table row per reported pair"
    );
    let ids: HashSet<&str> = attrs(dom, "id").into_iter().collect();
    let hrefs: Vec<&str> = attrs(dom, "href");
    assert!(!hrefs.is_empty());
    for h in &hrefs {
        let target = h.strip_prefix('#').expect("only in-page links");
        assert!(ids.contains(target), "link #{target} has no target");
    }
    // Every pair listed in detail is linked from the table.
    let sections = ids
        .iter()
        .filter(|i| i.starts_with("pair-") && !i.contains("-p"))
        .count();
    assert!(sections > 0 && sections <= rows);
    assert_eq!(
        hrefs
            .iter()
            .filter(|h| h.starts_with("#pair-") && !h.contains("-p"))
            .count(),
        sections
    );
}

/// A copy of a wire story with markup inside its sentences (so that it lies inside the shared
/// passages the report shows) and around it. Returns the page.
fn hostile_copy(dir: &Path) -> String {
    let wire = std::fs::read_to_string(corpus_docs().join("wire/fr-bridge-collapse.txt")).unwrap();
    let script = "<script>document.body.dataset.pwned=1</script>";
    let img = "<img src=x onerror=document.body.dataset.pwned=2>";
    let mut sentences: Vec<String> = wire.split(". ").map(str::to_string).collect();
    assert!(sentences.len() >= 6);
    sentences[2] = format!("{script} {}", sentences[2]);
    sentences[4] = format!("{img} {}", sentences[4]);
    let page = format!("{script}\n{}\n{img}\n", sentences.join(". "));
    std::fs::write(dir.join("hostile.txt"), &page).unwrap();
    page
}

#[test]
fn scan_report_renders_links_resolve_and_hostile_text_stays_text() {
    let Some(chromium) = browser() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let extra = tmp.path().join("extra");
    std::fs::create_dir(&extra).unwrap();
    hostile_copy(&extra);
    let report = tmp.path().join("report.html");
    let out = reprint()
        .arg("scan")
        .arg(corpus_docs())
        .arg(&extra)
        .args(["--format", "jsonl", "--quiet", "--html"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pairs = String::from_utf8(out.stdout).unwrap().lines().count();
    assert!(pairs > 50, "the corpus has many copies: {pairs}");
    let dom = rendered_dom(&chromium, &report);
    check_page(&dom, pairs);
    // The hostile page's markup is on the page, as text.
    for shown in [
        "&lt;script&gt;document.body.dataset.pwned=1&lt;/script&gt;",
        "&lt;img src=x onerror=document.body.dataset.pwned=2&gt;",
    ] {
        assert!(dom.contains(shown), "hostile text shown: {shown}");
    }
    assert_eq!(
        dom.matches("<script>").count(),
        1,
        "only the page's own script"
    );
    // Passages of the wire story and its copies highlight its words, inside the passage columns.
    let m = marks(&dom);
    assert!(
        m.contains(&"Levasseur") && m.contains(&"Saint"),
        "{:?}",
        &m[..20.min(m.len())]
    );
    for side in dom.split("<div class=\"side ").skip(1) {
        let body = &side[..side.find("</div>").unwrap()];
        assert!(body.matches("<mark>").count() == body.matches("</mark>").count());
    }
    let outside: usize = dom
        .split("<div class=\"side ")
        .enumerate()
        .map(|(k, s)| {
            if k == 0 {
                s.matches("<mark>").count()
            } else {
                s[s.find("</div>").unwrap()..].matches("<mark>").count()
            }
        })
        .sum();
    assert_eq!(outside, 0, "highlights only inside passages");
    // The verdicts and an origin reason are on the page.
    assert!(dom.contains("class=\"v-copy\">copy<") && dom.contains("class=\"v-partial\">partial<"));
}

#[test]
fn compare_report_of_the_seed_pair_shows_scores_passages_and_wire_cues() {
    let Some(chromium) = browser() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("seed.html");
    let seeds = corpus_docs().join("seeds");
    let out = reprint()
        .arg("compare")
        .arg(seeds.join("afp-2022-09-albania-iran.txt"))
        .arg(seeds.join("syndicated-mt-albania-iran.txt"))
        .args(["--json", "--html"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dom = rendered_dom(&chromium, &report);
    check_page(&dom, 1);
    let passages = v["passages"].as_array().unwrap().len();
    assert_eq!(
        attrs(&dom, "id")
            .iter()
            .filter(|i| i.starts_with("pair-1-p"))
            .count(),
        passages
    );
    // The seed's shared quote, highlighted on both sides (`condamnent` in both renderings).
    assert!(marks(&dom).iter().filter(|m| **m == "condamnent").count() >= 2);
    assert!(
        dom.contains("<code>Avec Reuters et AFP</code>"),
        "B's credit line"
    );
    assert!(dom.contains(&format!("{:.4}", v["containment_a_in_b"].as_f64().unwrap())));
}

#[test]
fn compare_report_of_hostile_files_escapes_them() {
    let Some(chromium) = browser() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    hostile_copy(tmp.path());
    // A hostile file name too.
    let name = tmp.path().join("<b onmouseover=x>a.txt");
    std::fs::copy(corpus_docs().join("wire/fr-bridge-collapse.txt"), &name).unwrap();
    let report = tmp.path().join("r.html");
    let out = reprint()
        .arg("compare")
        .arg(&name)
        .arg(tmp.path().join("hostile.txt"))
        .args(["--color", "never", "--html"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let dom = rendered_dom(&chromium, &report);
    check_page(&dom, 1);
    assert!(!dom.contains("<b onmouseover"));
    assert!(dom.contains("&lt;script&gt;document.body.dataset.pwned=1&lt;/script&gt;"));
    assert!(dom.contains("&lt;b onmouseover=x&gt;a.txt"));
    assert!(
        dom.contains("class=\"v-copy\">copy<"),
        "all of the story is in the hostile page"
    );
}

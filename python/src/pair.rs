//! `compare` and `compare_many`: the records `reprint compare --json` and `reprint scan` print,
//! as Python dicts.
//!
//! Records are the library's `PairReport` serialized with serde and parsed by Python's `json`
//! module, so that every field the report gains reaches Python without a change here.

use crate::config::detector;
use crate::texts::Texts;
use crate::xling::CrossLingual;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rayon::prelude::*;
use reprint::report::{DocRef, PairReport};
use reprint::wire::WireCues;

/// The record the CLI prints for a pair ([`PairReport::of`]), from the two texts' wire cues (no
/// dates: texts from Python carry none).
fn record(
    a_id: &str,
    a: &str,
    b_id: &str,
    b: &str,
    c: &reprint::Comparison,
    passages: bool,
    wires: (&WireCues, &WireCues),
) -> PairReport {
    let side = |id, text, wire| DocRef {
        id,
        text,
        date: None,
        wire: Some(wire),
    };
    PairReport::of(
        &side(a_id, a, wires.0),
        &side(b_id, b, wires.1),
        c,
        passages,
        None,
    )
}

/// One pair's record, as JSON (see `reprint.compare`).
#[pyfunction]
#[pyo3(signature = (a, b, passages, a_id, b_id, config=None, cross_lingual=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn compare(
    py: Python<'_>,
    a: &str,
    b: &str,
    passages: bool,
    a_id: &str,
    b_id: &str,
    config: Option<&str>,
    cross_lingual: Option<PyRef<'_, CrossLingual>>,
) -> PyResult<String> {
    let detector = detector(config)?;
    let xl = cross_lingual.as_deref();
    Ok(py.detach(|| {
        let c = xl
            .and_then(|xl| xl.inner.compare_across(a, b))
            .unwrap_or_else(|| detector.compare(a, b));
        let wires = (reprint::wire::find(a), reprint::wire::find(b));
        let report = record(a_id, a, b_id, b, &c, passages, (&wires.0, &wires.1));
        serde_json::to_string(&report).expect("reports serialize")
    }))
}

/// Records of pairs `(a_texts[i], b_texts[i])`, as one JSON array (see `reprint.compare_many`).
#[pyfunction]
#[pyo3(signature = (a_texts, b_texts, passages, a_ids, b_ids, config=None))]
pub(crate) fn compare_many(
    py: Python<'_>,
    a_texts: &Bound<'_, PyAny>,
    b_texts: &Bound<'_, PyAny>,
    passages: bool,
    a_ids: Vec<String>,
    b_ids: Vec<String>,
    config: Option<&str>,
) -> PyResult<String> {
    let detector = detector(config)?;
    let (held_a, held_b) = (
        Texts::extract(a_texts, "a_texts")?,
        Texts::extract(b_texts, "b_texts")?,
    );
    let (a, b) = (held_a.strs()?, held_b.strs()?);
    if a.len() != b.len() || a_ids.len() != a.len() || b_ids.len() != b.len() {
        return Err(PyValueError::new_err(format!(
            "a_texts, b_texts, a_ids and b_ids must have the same length, got {}, {}, {} and {}",
            a.len(),
            b.len(),
            a_ids.len(),
            b_ids.len()
        )));
    }
    Ok(py.detach(|| {
        let reports: Vec<PairReport> = (0..a.len())
            .into_par_iter()
            .map(|i| {
                let c = detector.compare(a[i], b[i]);
                let wires = (reprint::wire::find(a[i]), reprint::wire::find(b[i]));
                record(
                    &a_ids[i],
                    a[i],
                    &b_ids[i],
                    b[i],
                    &c,
                    passages,
                    (&wires.0, &wires.1),
                )
            })
            .collect();
        serde_json::to_string(&reports).expect("reports serialize")
    }))
}

/// Scan's options from the bindings' arguments (`reprint.scan`, `reprint.scan_indexed`):
/// `ValueError` for a `min_score` outside [0, 1].
pub(crate) fn scan_options(
    min_score: f64,
    max_bucket: usize,
    bridge: bool,
) -> PyResult<reprint::scan::ScanOptions> {
    if !(0.0..=1.0).contains(&min_score) {
        return Err(PyValueError::new_err(format!(
            "min_score must be in [0, 1], got {min_score}"
        )));
    }
    Ok(reprint::scan::ScanOptions {
        min_score,
        max_bucket,
        bridge,
        ..reprint::scan::ScanOptions::default()
    })
}

/// `reprint scan` on texts in memory: its records and work counters, as one JSON object (see
/// `reprint.scan`).
#[pyfunction]
#[pyo3(signature = (texts, ids, min_score, max_bucket, passages, config=None, bridge=true, cross_lingual=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn scan(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    ids: Vec<String>,
    min_score: f64,
    max_bucket: usize,
    passages: bool,
    config: Option<&str>,
    bridge: bool,
    cross_lingual: Option<PyRef<'_, CrossLingual>>,
) -> PyResult<String> {
    let detector = detector(config)?;
    let xl = cross_lingual.as_deref();
    let held = Texts::extract(texts, "texts")?;
    let texts = held.strs()?;
    if ids.len() != texts.len() {
        return Err(PyValueError::new_err(format!(
            "ids and texts must have the same length, got {} and {}",
            ids.len(),
            texts.len()
        )));
    }
    let options = scan_options(min_score, max_bucket, bridge)?;
    Ok(py.detach(|| {
        let mut result = reprint::scan::scan(&detector, &texts, &options, &());
        if let Some(xl) = xl {
            let across = reprint::xling::scan_across(&texts[..], &xl.inner, min_score, &());
            reprint::xling::merge_pairs(&mut result.pairs, across.pairs);
        }
        // Every reported pair, those derived through a near-duplicate group's representative
        // included (their passages made again only when asked for).
        let all: Vec<_> = result.all_pairs().collect();
        // Wire cues only of documents in reported pairs, as the CLI does.
        let wires = reprint::report::wire_cues_of_pairs(&result, &texts[..]);
        let pairs: Vec<PairReport> = all
            .par_iter()
            .map(|p| {
                let derived;
                let p = match p {
                    Ok(p) => *p,
                    Err(d) => {
                        let texts = (texts[d.a as usize], texts[d.b as usize]);
                        derived = result.derived_pair(d, passages.then_some(texts));
                        &derived
                    }
                };
                let (a, b, comparison, via) = (p.a, p.b, &p.comparison, p.via);
                let w = |i: usize| wires[i].as_ref().expect("cues of a reported document");
                let mut r = record(
                    &ids[a],
                    texts[a],
                    &ids[b],
                    texts[b],
                    comparison,
                    passages,
                    (w(a), w(b)),
                );
                r.via = via.map(|x| ids[x].clone());
                r
            })
            .collect();
        serde_json::json!({ "pairs": pairs, "stats": result.stats }).to_string()
    }))
}

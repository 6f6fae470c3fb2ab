//! Batch calls for pipelines: many texts in, NumPy arrays out, one GIL release per call.
//!
//! Everything runs on rayon's global pool; results are in input order and do not depend on the
//! number of threads.

use crate::config::detector;
use crate::texts::Texts;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;
use reprint::report::round4;
use reprint::sketch::{SketchOptions, Sketcher};

/// Values per text, flat: `(offsets, values)`, text `i` owning `values[offsets[i]..offsets[i + 1]]`.
type Flat<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>);

/// MinHash signatures of word n-grams, one row of `k` values per text (see `reprint.signatures`).
#[pyfunction]
#[pyo3(signature = (texts, k, ngram, seed))]
pub(crate) fn signatures<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    k: usize,
    ngram: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let sketcher = Sketcher::new(SketchOptions { k, ngram, seed }).map_err(crate::to_py)?;
    let held = Texts::extract(texts, "texts")?;
    let texts = held.strs()?;
    let n = texts.len();
    let rows = py.detach(|| sketcher.signatures(&texts));
    rows.into_pyarray(py).reshape([n, k])
}

/// scan's candidate keys of each text, flat: `(offsets, keys, counts)` where text `i` owns
/// `keys[offsets[i]..offsets[i + 1]]` (see `reprint.candidate_keys`).
#[pyfunction]
#[pyo3(signature = (texts, config=None))]
#[allow(clippy::type_complexity)]
pub(crate) fn candidate_keys<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    config: Option<&str>,
) -> PyResult<Flat<'py>> {
    let detector = detector(config)?;
    let held = Texts::extract(texts, "texts")?;
    let texts = held.strs()?;
    let per_text: Vec<Vec<u64>> = py.detach(|| {
        texts
            .par_iter()
            .map(|t| {
                let mut keys = Vec::new();
                // The keys need no signatures: the unsketched analysis gives the same keys.
                let a = detector.analyze_unsketched(t);
                reprint::scan::candidate_keys(&detector, &a, &mut keys);
                keys
            })
            .collect()
    });
    let total: usize = per_text.iter().map(Vec::len).sum();
    let mut offsets = Vec::with_capacity(per_text.len() + 1);
    let mut keys = Vec::with_capacity(total);
    offsets.push(0i64);
    for t in per_text {
        // Spark and Arrow have no unsigned 64-bit type: the same bits as i64.
        keys.extend(t.into_iter().map(|k| k as i64));
        offsets.push(keys.len() as i64);
    }
    Ok((offsets.into_pyarray(py), keys.into_pyarray(py)))
}

/// Scores of pairs `(a_texts[i], b_texts[i])` as NumPy columns (see `reprint.verify`).
#[pyfunction]
#[pyo3(signature = (a_texts, b_texts, config=None))]
pub(crate) fn verify<'py>(
    py: Python<'py>,
    a_texts: &Bound<'py, PyAny>,
    b_texts: &Bound<'py, PyAny>,
    config: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let detector = detector(config)?;
    let (held_a, held_b) = (
        Texts::extract(a_texts, "a_texts")?,
        Texts::extract(b_texts, "b_texts")?,
    );
    let (a, b) = (held_a.strs()?, held_b.strs()?);
    if a.len() != b.len() {
        return Err(PyValueError::new_err(format!(
            "a_texts and b_texts must have the same length, got {} and {}",
            a.len(),
            b.len()
        )));
    }
    let scores: Vec<reprint::Comparison> = py.detach(|| {
        a.par_iter()
            .zip(b.par_iter())
            .map(|(x, y)| {
                // Verification needs no signatures: the unsketched analysis scores identically.
                detector.compare_analyzed(
                    &detector.analyze_unsketched(x),
                    &detector.analyze_unsketched(y),
                )
            })
            .collect()
    });
    score_columns(py, &scores)
}

/// Scores of pairs `(texts[a[i]], texts[b[i]])`, analyzing each text once however many pairs
/// it is in (see `reprint.verify_indexed`); the same columns as [`verify`].
#[pyfunction]
#[pyo3(signature = (texts, a, b, config=None))]
pub(crate) fn verify_indexed<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    a: PyReadonlyArray1<'py, i64>,
    b: PyReadonlyArray1<'py, i64>,
    config: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let detector = detector(config)?;
    let held = Texts::extract(texts, "texts")?;
    let texts = held.strs()?;
    let (a, b) = (a.as_slice()?, b.as_slice()?);
    if a.len() != b.len() {
        return Err(PyValueError::new_err(format!(
            "a and b must have the same length, got {} and {}",
            a.len(),
            b.len()
        )));
    }
    let index = position_in(texts.len());
    let pairs: Vec<(usize, usize)> = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| Ok((index(x)?, index(y)?)))
        .collect::<PyResult<_>>()?;
    let scores: Vec<reprint::Comparison> = py.detach(|| {
        let analyses = analyze_all(&detector, &texts);
        pairs
            .par_iter()
            .map(|&(x, y)| detector.compare_analyzed(&analyses[x], &analyses[y]))
            .collect()
    });
    score_columns(py, &scores)
}

/// The bands of each text's group sketch, from `candidate_keys`' flat output: `(offsets, bands)`
/// where text `i` owns `bands[offsets[i]..offsets[i + 1]]` (see `reprint.group_bands`).
#[pyfunction]
pub(crate) fn group_bands<'py>(
    py: Python<'py>,
    offsets: PyReadonlyArray1<'py, i64>,
    keys: PyReadonlyArray1<'py, i64>,
) -> PyResult<Flat<'py>> {
    let (offsets, keys) = (offsets.as_slice()?, keys.as_slice()?);
    let mut spans = Vec::with_capacity(offsets.len().saturating_sub(1));
    for w in offsets.windows(2) {
        let (from, to) = (usize::try_from(w[0]), usize::try_from(w[1]));
        match (from, to) {
            (Ok(f), Ok(t)) if f <= t && t <= keys.len() => spans.push(f..t),
            _ => {
                return Err(PyValueError::new_err(format!(
                    "offsets must rise within the {} keys, got {}..{}",
                    keys.len(),
                    w[0],
                    w[1]
                )))
            }
        }
    }
    let per_text: Vec<Vec<u64>> = py.detach(|| {
        spans
            .par_iter()
            .map(|r| {
                // The same bits as scan's unsigned keys.
                let k: Vec<u64> = keys[r.clone()].iter().map(|&k| k as u64).collect();
                let mut bands = Vec::new();
                reprint::scan::group_bands(&k, &mut bands);
                bands
            })
            .collect()
    });
    let mut out_offsets = Vec::with_capacity(per_text.len() + 1);
    let mut bands = Vec::new();
    out_offsets.push(0i64);
    for t in per_text {
        bands.extend(t.into_iter().map(|b| b as i64));
        out_offsets.push(bands.len() as i64);
    }
    Ok((out_offsets.into_pyarray(py), bands.into_pyarray(py)))
}

/// `reprint scan` of `texts` as columns: `a`, `b` (positions, `a < b`), `via` (position, -1 for
/// a pair found directly) and the columns of [`verify`], one row per reported pair, those
/// derived through a near-duplicate group's representative included (see
/// `reprint.scan_indexed`).
#[pyfunction]
#[pyo3(signature = (texts, min_score, max_bucket, config=None, bridge=true))]
pub(crate) fn scan_indexed<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    min_score: f64,
    max_bucket: usize,
    config: Option<&str>,
    bridge: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let detector = detector(config)?;
    let held = Texts::extract(texts, "texts")?;
    let texts = held.strs()?;
    let options = crate::pair::scan_options(min_score, max_bucket, bridge)?;
    let (ends, scores) = py.detach(|| {
        let result = reprint::scan::scan(&detector, &texts, &options, &());
        // Words of the texts in derived pairs, once each: what their passages are counted in.
        let mut in_derived: Vec<usize> = result
            .derived
            .iter()
            .flat_map(|d| [d.a as usize, d.b as usize])
            .collect();
        in_derived.sort_unstable();
        in_derived.dedup();
        let tokens: std::collections::HashMap<usize, reprint::normalize::Tokens> = in_derived
            .par_iter()
            .map(|&i| (i, reprint::normalize::tokenize(texts[i])))
            .collect();
        let all: Vec<_> = result.all_pairs().collect();
        let rows: Vec<((i64, i64, i64), reprint::Comparison)> = all
            .par_iter()
            .map(|p| match p {
                Ok(p) => (
                    (p.a as i64, p.b as i64, p.via.map_or(-1, |v| v as i64)),
                    p.comparison.clone(),
                ),
                Err(d) => (
                    (i64::from(d.a), i64::from(d.b), i64::from(d.via)),
                    result.derived_comparison(
                        d,
                        &tokens[&(d.a as usize)],
                        &tokens[&(d.b as usize)],
                    ),
                ),
            })
            .collect();
        rows.into_iter().unzip::<_, _, Vec<_>, Vec<_>>()
    });
    let out = score_columns(py, &scores)?;
    out.set_item(
        "a",
        ends.iter()
            .map(|e| e.0)
            .collect::<Vec<_>>()
            .into_pyarray(py),
    )?;
    out.set_item(
        "b",
        ends.iter()
            .map(|e| e.1)
            .collect::<Vec<_>>()
            .into_pyarray(py),
    )?;
    out.set_item(
        "via",
        ends.iter()
            .map(|e| e.2)
            .collect::<Vec<_>>()
            .into_pyarray(py),
    )?;
    Ok(out)
}

/// Checks a position into `len` texts: `ValueError` when it is outside them.
fn position_in(len: usize) -> impl Fn(i64) -> PyResult<usize> {
    move |i: i64| {
        usize::try_from(i)
            .ok()
            .filter(|&i| i < len)
            .ok_or_else(|| PyValueError::new_err(format!("index {i} is outside texts (0..{len})")))
    }
}

/// Every text analyzed once, in parallel: what verifying pairs among them needs.
fn analyze_all(detector: &reprint::Detector, texts: &[&str]) -> Vec<reprint::Analysis> {
    texts
        .par_iter()
        .map(|t| detector.analyze_unsketched(t))
        .collect()
}

/// The columns `verify` returns: scores rounded as the CLI prints them, the unrounded best score
/// (what scan compares with `min_score`) and the number of passages.
fn score_columns<'py>(
    py: Python<'py>,
    scores: &[reprint::Comparison],
) -> PyResult<Bound<'py, PyDict>> {
    let col = |f: fn(&reprint::Comparison) -> f64| -> Vec<f64> { scores.iter().map(f).collect() };
    let out = PyDict::new(py);
    out.set_item(
        "resemblance",
        col(|c| round4(c.resemblance)).into_pyarray(py),
    )?;
    out.set_item(
        "containment_a_in_b",
        col(|c| round4(c.containment_a_in_b)).into_pyarray(py),
    )?;
    out.set_item(
        "containment_b_in_a",
        col(|c| round4(c.containment_b_in_a)).into_pyarray(py),
    )?;
    out.set_item("max_score", col(|c| c.max_score()).into_pyarray(py))?;
    let passages: Vec<i32> = scores
        .iter()
        .map(|c| i32::try_from(c.passages.len()).unwrap_or(i32::MAX))
        .collect();
    out.set_item("passages", passages.into_pyarray(py))?;
    // What the bridging stage of scan needs to know of a pair: whether it is a whole copy, and
    // whether it has a firm passage (see `reprint::bridge`).
    let thresholds = reprint::verdict::VerdictThresholds::default();
    let copy: Vec<bool> = scores
        .iter()
        .map(|c| {
            !c.passages.is_empty()
                && thresholds.verdict(c.containment_a_in_b, c.containment_b_in_a)
                    == reprint::verdict::Verdict::Copy
        })
        .collect();
    let firm: Vec<bool> = scores
        .iter()
        .map(|c| c.passages.iter().any(|p| p.firm))
        .collect();
    out.set_item("copy", copy.into_pyarray(py))?;
    out.set_item("firm", firm.into_pyarray(py))?;
    Ok(out)
}

/// Pairs found through a whole copy, as `reprint scan` derives them (see `reprint.bridge_indexed`):
/// for each route `i`, `texts[near[i]]` is a whole copy of `texts[x[i]]`, which shares firm
/// passages with `texts[far[i]]`; the booleans give the order of the three documents (scan's
/// input order). Returns the score columns of `verify`, oriented from the earlier of near and far
/// to the later.
#[pyfunction]
#[pyo3(signature = (texts, near, x, far, near_before_x, x_before_far, near_before_far, config=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn bridge_indexed<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    near: PyReadonlyArray1<'py, i64>,
    x: PyReadonlyArray1<'py, i64>,
    far: PyReadonlyArray1<'py, i64>,
    near_before_x: PyReadonlyArray1<'py, bool>,
    x_before_far: PyReadonlyArray1<'py, bool>,
    near_before_far: PyReadonlyArray1<'py, bool>,
    config: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let detector = detector(config)?;
    let held = Texts::extract(texts, "texts")?;
    let texts = held.strs()?;
    let (near, x, far) = (near.as_slice()?, x.as_slice()?, far.as_slice()?);
    let (p, q, r) = (
        near_before_x.as_slice()?,
        x_before_far.as_slice()?,
        near_before_far.as_slice()?,
    );
    let n = near.len();
    if [x.len(), far.len(), p.len(), q.len(), r.len()]
        .iter()
        .any(|&l| l != n)
    {
        return Err(PyValueError::new_err(
            "near, x, far and the three order arrays must have the same length",
        ));
    }
    let index = position_in(texts.len());
    let routes: Vec<([usize; 3], [bool; 3])> = (0..n)
        .map(|i| {
            Ok((
                [index(near[i])?, index(x[i])?, index(far[i])?],
                [p[i], q[i], r[i]],
            ))
        })
        .collect::<PyResult<_>>()?;
    let scores: Vec<reprint::Comparison> = py.detach(|| {
        let analyses = analyze_all(&detector, &texts);
        routes
            .par_iter()
            .map(|&([ni, xi, fi], [p, q, r])| {
                // Ranks of near, x and far in scan's order: the number of the others before each.
                let rank = |after: [bool; 2]| 2 - after.iter().filter(|&&b| b).count();
                let (rn, rx, rf) = (rank([p, r]), rank([!p, q]), rank([!r, !q]));
                let doc = [(rn, ni), (rx, xi), (rf, fi)];
                let pair = |u: (usize, usize), v: (usize, usize)| {
                    let (first, second) = if u.0 < v.0 { (u, v) } else { (v, u) };
                    reprint::scan::ScoredPair {
                        a: first.0,
                        b: second.0,
                        comparison: detector
                            .compare_analyzed(&analyses[first.1], &analyses[second.1]),
                        via: None,
                    }
                };
                let copy = pair(doc[0], doc[1]);
                let link = pair(doc[1], doc[2]);
                let (a, b) = if rn < rf {
                    (doc[0], doc[2])
                } else {
                    (doc[2], doc[0])
                };
                reprint::bridge::compose(
                    a.0,
                    b.0,
                    rx,
                    &copy,
                    &link,
                    &analyses[a.1].tokens,
                    &analyses[b.1].tokens,
                )
            })
            .collect()
    });
    score_columns(py, &scores)
}

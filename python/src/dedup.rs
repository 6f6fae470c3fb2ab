//! `dedup`: near-duplicate clusters of a batch of texts, as NumPy arrays (see `reprint.dedup`).

use crate::texts::Texts;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rayon::prelude::*;
use reprint::dedup::{ClusterPolicy, DedupOptions, Deduplicator, KeepOrder};

/// The options both calls take, the others at their defaults.
fn options(threshold: f64, ngram: usize, permutations: usize, seed: u64) -> DedupOptions {
    DedupOptions {
        threshold,
        ngram,
        permutations,
        seed,
        ..DedupOptions::default()
    }
}

/// The LSH band keys of each text, one row of `bands` int64 values per text (the bits of the
/// unsigned keys); a text without words gets a row of zeros and `False` in the mask: it has no
/// keys (see `reprint.dedup_band_keys`).
#[pyfunction]
#[pyo3(signature = (texts, threshold, ngram, permutations, seed))]
#[allow(clippy::type_complexity)]
pub(crate) fn dedup_band_keys<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    threshold: f64,
    ngram: usize,
    permutations: usize,
    seed: u64,
) -> PyResult<(Bound<'py, PyArray2<i64>>, Bound<'py, PyArray1<bool>>)> {
    let dedup =
        Deduplicator::new(options(threshold, ngram, permutations, seed)).map_err(crate::to_py)?;
    let bands = dedup.params().bands;
    let held = Texts::extract(texts, "texts")?;
    let texts = held.strs()?;
    let n = texts.len();
    let mut keys = vec![0i64; n * bands];
    let mut has = vec![false; n];
    py.detach(|| {
        keys.par_chunks_mut(bands.max(1))
            .zip(has.par_iter_mut())
            .zip(texts.par_iter())
            .for_each_init(Vec::new, |buf, ((row, has), text)| {
                dedup.band_keys(text, buf);
                *has = !buf.is_empty();
                for (slot, &k) in row.iter_mut().zip(buf.iter()) {
                    *slot = k as i64;
                }
            })
    });
    Ok((
        keys.into_pyarray(py).reshape([n, bands])?,
        has.into_pyarray(py),
    ))
}

/// Each text's cluster (the index of the text kept for it) and its exact word n-gram Jaccard (or
/// containment) with that text, from `reprint::dedup`, the library `reprint dedup` runs.
#[pyfunction]
#[pyo3(signature = (texts, threshold, ngram, permutations, seed, keep, clusters, containment, dates=None))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
pub(crate) fn dedup<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    threshold: f64,
    ngram: usize,
    permutations: usize,
    seed: u64,
    keep: &str,
    clusters: &str,
    containment: bool,
    dates: Option<Vec<Option<String>>>,
) -> PyResult<(Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<f64>>)> {
    let keep = match keep {
        "longest" => KeepOrder::Longest,
        "earliest" => KeepOrder::Earliest,
        "first" => KeepOrder::First,
        other => {
            return Err(PyValueError::new_err(format!(
                "keep must be 'longest', 'earliest' or 'first', got {other:?}"
            )))
        }
    };
    let clusters = match clusters {
        "representative" => ClusterPolicy::Representative,
        "components" => ClusterPolicy::Components,
        other => {
            return Err(PyValueError::new_err(format!(
                "clusters must be 'representative' or 'components', got {other:?}"
            )))
        }
    };
    let dedup = Deduplicator::new(DedupOptions {
        keep,
        clusters,
        containment,
        ..options(threshold, ngram, permutations, seed)
    })
    .map_err(crate::to_py)?;
    let held = Texts::extract(texts, "texts")?;
    let texts = held.strs()?;
    let result = py
        .detach(|| dedup.run(&texts, dates.as_deref()))
        .map_err(crate::to_py)?;
    let cluster: Vec<i64> = result
        .members
        .iter()
        .map(|m| m.representative as i64)
        .collect();
    let similarity: Vec<f64> = result.members.iter().map(|m| m.similarity).collect();
    Ok((cluster.into_pyarray(py), similarity.into_pyarray(py)))
}

//! `dedup`: near-duplicate clusters of a batch of texts, as NumPy arrays (see `reprint.dedup`).

use crate::texts::Texts;
use numpy::{IntoPyArray, PyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use reprint::dedup::{ClusterPolicy, DedupOptions, Deduplicator, KeepOrder};

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
        threshold,
        ngram,
        permutations,
        seed,
        keep,
        clusters,
        containment,
        ..DedupOptions::default()
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

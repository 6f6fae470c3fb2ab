//! `reprint.Index`: the crawler's index (`reprint::index::Index`) as a Python class.
//!
//! Every method releases the GIL: the index is `Send + Sync` and many Python threads may insert
//! and query at once. Matches come back as dicts with the library's field names.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use reprint::index::{self, IndexOptions, Match, Meta};

/// The crawler's index (see `reprint.Index` for the documented wrapper).
#[pyclass(module = "reprint._reprint", name = "_Index", frozen)]
pub(crate) struct Index {
    inner: index::Index,
}

fn meta(time: Option<u64>, data: Option<String>) -> Meta {
    Meta {
        time,
        data: data.unwrap_or_default(),
    }
}

fn match_dict<'py>(py: Python<'py>, m: &Match) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", &m.id)?;
    d.set_item("time", m.time)?;
    d.set_item("data", &m.data)?;
    let c = &m.comparison;
    d.set_item("resemblance", c.resemblance)?;
    d.set_item("containment_query_in_doc", c.containment_a_in_b)?;
    d.set_item("containment_doc_in_query", c.containment_b_in_a)?;
    let passages = PyList::empty(py);
    for p in &c.passages {
        let pd = PyDict::new(py);
        pd.set_item("query_start", p.a.start)?;
        pd.set_item("query_end", p.a.end)?;
        pd.set_item("doc_start", p.b.start)?;
        pd.set_item("doc_end", p.b.end)?;
        passages.append(pd)?;
    }
    d.set_item("passages", passages)?;
    d.set_item("copies", m.copies)?;
    Ok(d)
}

fn matches<'py>(py: Python<'py>, found: &[Match]) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for m in found {
        out.append(match_dict(py, m)?)?;
    }
    Ok(out)
}

#[pymethods]
impl Index {
    /// Options left as `None` take the library's defaults ([`IndexOptions::default`]), so that
    /// the bindings never carry a second copy of them.
    #[new]
    #[pyo3(signature = (path=None, config=None, sample_rate=None, min_score=None,
        max_candidates=None, min_key_share=None, common_key_share=None, max_postings_per_key=None,
        max_postings_per_query=None, group_from=None, max_docs=None, max_age=None,
        cross_lingual=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        path: Option<std::path::PathBuf>,
        config: Option<&str>,
        sample_rate: Option<u32>,
        min_score: Option<f64>,
        max_candidates: Option<usize>,
        min_key_share: Option<f64>,
        common_key_share: Option<f64>,
        max_postings_per_key: Option<usize>,
        max_postings_per_query: Option<usize>,
        group_from: Option<usize>,
        max_docs: Option<usize>,
        max_age: Option<u64>,
        cross_lingual: Option<PyRef<'_, crate::xling::CrossLingual>>,
    ) -> PyResult<Index> {
        let d = IndexOptions::default();
        let options = IndexOptions {
            detector: crate::config::detector(config)?.config().clone(),
            sample_rate: sample_rate.unwrap_or(d.sample_rate),
            min_score: min_score.unwrap_or(d.min_score),
            max_candidates: max_candidates.unwrap_or(d.max_candidates),
            min_key_share: min_key_share.unwrap_or(d.min_key_share),
            common_key_share: common_key_share.unwrap_or(d.common_key_share),
            max_postings_per_key: max_postings_per_key.unwrap_or(d.max_postings_per_key),
            max_postings_per_query: max_postings_per_query.unwrap_or(d.max_postings_per_query),
            group_from: group_from.unwrap_or(d.group_from),
            max_docs,
            max_age,
            // Every option is listed: one the library adds fails to compile here until exposed.
            cross_lingual: cross_lingual.map(|x| x.inner.clone()),
        };
        let inner = py
            .detach(|| match path {
                Some(p) => index::Index::open(p, options),
                None => index::Index::new(options),
            })
            .map_err(crate::to_py)?;
        Ok(Index { inner })
    }

    #[pyo3(signature = (id, text, time=None, data=None))]
    fn insert(
        &self,
        py: Python<'_>,
        id: &str,
        text: &str,
        time: Option<u64>,
        data: Option<String>,
    ) -> PyResult<bool> {
        let m = meta(time, data);
        py.detach(|| self.inner.insert(id, text, &m))
            .map_err(crate::to_py)
    }

    fn query<'py>(&self, py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyList>> {
        let found = py.detach(|| self.inner.query(text)).map_err(crate::to_py)?;
        matches(py, &found)
    }

    #[pyo3(signature = (id, text, time=None, data=None))]
    fn check_and_insert<'py>(
        &self,
        py: Python<'py>,
        id: &str,
        text: &str,
        time: Option<u64>,
        data: Option<String>,
    ) -> PyResult<Bound<'py, PyList>> {
        let m = meta(time, data);
        let found = py
            .detach(|| self.inner.check_and_insert(id, text, &m))
            .map_err(crate::to_py)?;
        matches(py, &found)
    }

    fn copies_of<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyList>> {
        let copies = py
            .detach(|| self.inner.copies_of(id))
            .map_err(crate::to_py)?;
        let out = PyList::empty(py);
        for c in copies {
            let d = PyDict::new(py);
            d.set_item("id", c.id)?;
            d.set_item("time", c.time)?;
            d.set_item("data", c.data)?;
            d.set_item(
                "containment_in_representative",
                c.containment_in_representative,
            )?;
            d.set_item("representative_in_copy", c.representative_in_copy)?;
            out.append(d)?;
        }
        Ok(out)
    }

    fn remove(&self, py: Python<'_>, id: &str) -> PyResult<bool> {
        py.detach(|| self.inner.remove(id)).map_err(crate::to_py)
    }

    fn get<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(doc) = py.detach(|| self.inner.get(id)).map_err(crate::to_py)? else {
            return Ok(None);
        };
        let d = PyDict::new(py);
        d.set_item("id", doc.id)?;
        d.set_item("time", doc.time)?;
        d.set_item("data", doc.data)?;
        d.set_item("text", doc.text)?;
        Ok(Some(d))
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Counts and sizes, as JSON (the library's `IndexStats`).
    fn stats_json(&self) -> String {
        serde_json::to_string(&self.inner.stats()).expect("stats serialize")
    }

    fn save(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.inner.save()).map_err(crate::to_py)
    }

    fn compact(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.inner.compact()).map_err(crate::to_py)
    }
}

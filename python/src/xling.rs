//! `CrossLingual` and `detect_language`: copies across languages (`reprint::xling`), for
//! `reprint.compare(..., cross_lingual=)`, `reprint.scan(..., cross_lingual=)` and
//! `reprint.Index(..., cross_lingual=)`.

use crate::to_py;
use pyo3::prelude::*;
use std::path::PathBuf;

/// The cross-lingual comparer with its lexicons, loaded once and shared by every call.
#[pyclass(frozen, name = "CrossLingual", module = "reprint._reprint")]
pub(crate) struct CrossLingual {
    /// Shared with the indexes given it, without copying the lexicons.
    pub(crate) inner: std::sync::Arc<reprint::xling::CrossLingual>,
}

#[pymethods]
impl CrossLingual {
    #[new]
    #[pyo3(signature = (lexicons=Vec::new()))]
    fn new(py: Python<'_>, lexicons: Vec<PathBuf>) -> PyResult<Self> {
        let inner = py.detach(|| {
            lexicons.iter().try_fold(
                reprint::xling::CrossLingual::new(),
                |xl, path| -> reprint::Result<_> {
                    Ok(xl.with_lexicon(reprint::xling::Lexicon::load(path)?))
                },
            )
        });
        Ok(CrossLingual {
            inner: std::sync::Arc::new(inner.map_err(to_py)?),
        })
    }
}

/// The language of a text (`"de"`, `"fr"`, `"en"`… ISO 639-1 where it has one), or `None` when
/// not detected reliably.
#[pyfunction]
pub(crate) fn detect_language(text: &str) -> Option<&'static str> {
    reprint::xling::detect(text).map(|l| l.code())
}

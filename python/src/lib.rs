//! `reprint._reprint`: the compiled half of the `reprint` Python package.
//!
//! The Python modules in `python/reprint/` wrap these functions with docstrings, defaults and
//! input conversion; this crate only moves data between Python and the `reprint` library, and
//! releases the GIL around every call that does real work. Modules:
//!
//! - [`texts`]: texts in from Python (a list of `str`, or a packed Arrow string buffer);
//! - [`config`]: detector configuration from a Python dict;
//! - [`batch`]: `signatures`, `candidate_keys`, `verify`: batch calls that return NumPy arrays;
//! - [`dedup`]: `dedup` and `dedup_band_keys`: near-duplicate clusters as NumPy arrays, and the
//!   LSH keys the Spark job groups texts by;
//! - [`pair`]: `compare`, `compare_many` and `scan`: the CLI's JSON records as Python dicts;
//! - [`index`]: the `Index` class;
//! - [`xling`]: the `CrossLingual` class and `detect_language`: copies across languages.

mod batch;
mod config;
mod dedup;
mod index;
mod pair;
mod texts;
mod xling;

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

/// A library error as the Python exception a caller expects: bad parameters and damaged inputs
/// are `ValueError`, file problems `OSError`.
pub(crate) fn to_py(e: reprint::Error) -> PyErr {
    match e {
        reprint::Error::Io { .. } => PyOSError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

#[pymodule]
fn _reprint(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(batch::signatures, m)?)?;
    m.add_function(wrap_pyfunction!(batch::candidate_keys, m)?)?;
    m.add_function(wrap_pyfunction!(batch::verify, m)?)?;
    m.add_function(wrap_pyfunction!(batch::verify_indexed, m)?)?;
    m.add_function(wrap_pyfunction!(batch::bridge_indexed, m)?)?;
    m.add_function(wrap_pyfunction!(batch::group_bands, m)?)?;
    m.add_function(wrap_pyfunction!(batch::scan_indexed, m)?)?;
    m.add_function(wrap_pyfunction!(dedup::dedup, m)?)?;
    m.add_function(wrap_pyfunction!(dedup::dedup_band_keys, m)?)?;
    m.add_function(wrap_pyfunction!(pair::compare, m)?)?;
    m.add_function(wrap_pyfunction!(pair::compare_many, m)?)?;
    m.add_function(wrap_pyfunction!(pair::scan, m)?)?;
    m.add_function(wrap_pyfunction!(config::default_config, m)?)?;
    m.add_class::<index::Index>()?;
    m.add_class::<xling::CrossLingual>()?;
    m.add_function(wrap_pyfunction!(xling::detect_language, m)?)?;
    m.add("DEFAULT_MIN_SCORE", reprint::scan::DEFAULT_MIN_SCORE)?;
    m.add(
        "DEFAULT_MAX_BUCKET",
        reprint::scan::ScanOptions::default().max_bucket,
    )?;
    m.add("MIN_KEY_SHARE", reprint::scan::MIN_KEY_SHARE)?;
    m.add(
        "MIN_SHARED_KEY_WEIGHT",
        reprint::scan::MIN_SHARED_KEY_WEIGHT,
    )?;
    m.add("RARE_KEY_DOCS", reprint::scan::RARE_KEY_DOCS)?;
    m.add("MIN_GROUP", reprint::scan::MIN_GROUP)?;
    m.add("MAX_RUN_BUCKET", reprint::scan::MAX_RUN_BUCKET)?;
    m.add("FINGERPRINT_KEY_BIT", reprint::scan::FINGERPRINT_KEY_BIT)?;
    m.add("EMPTY", reprint::sketch::EMPTY)?;
    m.add("DEFAULT_SEED", reprint::minhash::DEFAULT_SEED)?;
    m.add("DEFAULT_K", reprint::minhash::DEFAULT_K)?;
    Ok(())
}

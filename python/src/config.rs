//! Detector configuration from Python: a dict of overrides applied to `Config::default()`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use reprint::{Config, Detector};
use serde_json::Value;

/// `Config::default()` as a JSON string (`reprint.default_config()` parses it).
#[pyfunction]
pub(crate) fn default_config() -> String {
    serde_json::to_string(&Config::default()).expect("Config serializes")
}

/// The detector for `overrides` (a JSON object of keys to change, nested like
/// `default_config()`), or the default one.
pub(crate) fn detector(overrides: Option<&str>) -> PyResult<Detector> {
    let Some(json) = overrides else {
        return Ok(Detector::default());
    };
    let bad = |m: String| PyValueError::new_err(format!("config: {m}"));
    let over: Value = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
    let mut base = serde_json::to_value(Config::default()).expect("Config serializes");
    merge(&mut base, over, "").map_err(bad)?;
    let config: Config = serde_json::from_value(base).map_err(|e| bad(e.to_string()))?;
    Detector::new(config).map_err(crate::to_py)
}

/// Overwrites `base` with `over`, key by key; a key `base` lacks is an error (a typo would
/// otherwise be ignored silently).
fn merge(base: &mut Value, over: Value, path: &str) -> Result<(), String> {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                let slot = b
                    .get_mut(&k)
                    .ok_or_else(|| format!("unknown key `{here}`"))?;
                merge(slot, v, &here)?;
            }
            Ok(())
        }
        (Value::Object(_), _) => Err(format!("`{path}` must be a dict")),
        (b, v) => {
            *b = v;
            Ok(())
        }
    }
}

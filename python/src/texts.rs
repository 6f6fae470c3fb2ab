//! Texts in from Python, borrowed without copying, so that the work runs without the GIL.
//!
//! Two forms are accepted: a sequence of `str`, or a packed Arrow string column (`(data: bytes,
//! offsets: int64 array)`, what `reprint._texts` makes of a pyarrow array), which costs one
//! `bytes` object instead of one Python object per text.
//!
//! Strings are read through their UTF-8 representation (`PyUnicode_AsUTF8AndSize`, in the
//! stable ABI from Python 3.10): no copy for ASCII text, one UTF-8 encoding cached by Python for
//! the rest. The objects are held (`Bound`) for the whole call, and Python strings and bytes are
//! immutable, so the borrowed `&str` stay valid while the GIL is released, even if the caller's
//! list changes meanwhile.

use numpy::PyReadonlyArray1;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

/// Texts held for the duration of one call.
pub(crate) enum Texts<'py> {
    Strings(Vec<Bound<'py, PyString>>),
    Packed {
        data: Bound<'py, PyBytes>,
        offsets: Vec<usize>,
    },
}

impl<'py> Texts<'py> {
    /// Extracts `obj`: a `(bytes, int64 offsets)` tuple, or any sequence of `str`.
    pub(crate) fn extract(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Texts<'py>> {
        if obj.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(format!(
                "{what}: expected a sequence of str, got a single str"
            )));
        }
        if let Ok(t) = obj.cast::<PyTuple>() {
            if t.len() == 2 && t.get_item(0)?.is_instance_of::<PyBytes>() {
                return Self::packed(&t.get_item(0)?, &t.get_item(1)?, what);
            }
        }
        let mut out = Vec::with_capacity(obj.len().unwrap_or(0));
        for (i, item) in obj.try_iter()?.enumerate() {
            let item = item?;
            let s = item.cast_into::<PyString>().map_err(|e| {
                let got = e.into_inner();
                PyTypeError::new_err(format!(
                    "{what}[{i}]: expected str, got {}",
                    got.get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                ))
            })?;
            out.push(s);
        }
        Ok(Texts::Strings(out))
    }

    fn packed(
        data: &Bound<'py, PyAny>,
        offsets: &Bound<'py, PyAny>,
        what: &str,
    ) -> PyResult<Texts<'py>> {
        let data = data.cast::<PyBytes>()?.clone();
        let bytes = data.as_bytes();
        let offsets: PyReadonlyArray1<'_, i64> = offsets.extract().map_err(|_| {
            PyTypeError::new_err(format!("{what}: packed offsets must be a 1-D int64 array"))
        })?;
        let offsets = offsets.as_slice()?;
        let bad = |reason: String| PyValueError::new_err(format!("{what}: {reason}"));
        if offsets.is_empty() {
            return Err(bad("packed offsets are empty (n texts need n + 1)".into()));
        }
        let mut out = Vec::with_capacity(offsets.len());
        for (i, &o) in offsets.iter().enumerate() {
            let o = usize::try_from(o)
                .ok()
                .filter(|&o| o <= bytes.len())
                .ok_or_else(|| bad(format!("offset {i} ({o}) is outside the data")))?;
            if out.last().is_some_and(|&prev| o < prev) {
                return Err(bad(format!("offsets decrease at {i}")));
            }
            out.push(o);
        }
        // Slices must be valid UTF-8 on their own, not only the buffer as a whole.
        for (i, w) in out.windows(2).enumerate() {
            std::str::from_utf8(&bytes[w[0]..w[1]])
                .map_err(|e| bad(format!("text {i} is not valid UTF-8: {e}")))?;
        }
        Ok(Texts::Packed { data, offsets: out })
    }

    /// The texts as `&str`, in order. Needs the GIL (it may encode strings as UTF-8); the
    /// result can then be used without it.
    pub(crate) fn strs(&self) -> PyResult<Vec<&str>> {
        match self {
            Texts::Strings(v) => v.iter().map(|s| s.to_str()).collect(),
            Texts::Packed { data, offsets } => {
                let bytes = data.as_bytes();
                Ok(offsets
                    .windows(2)
                    .map(|w| std::str::from_utf8(&bytes[w[0]..w[1]]).expect("checked in extract"))
                    .collect())
            }
        }
    }
}

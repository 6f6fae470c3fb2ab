//! Texts in from Python, extracted once per call so that the work itself runs without the GIL.
//!
//! Two forms are accepted: a sequence of `str` (each copied out as UTF-8), or a packed Arrow
//! string column (`(data: bytes, offsets: int64 array)`, what `reprint._texts` makes of a pyarrow
//! array), which costs one copy of the buffer instead of one Python object per text.

use numpy::PyReadonlyArray1;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

/// Texts held for the duration of one call.
pub(crate) enum Texts {
    Owned(Vec<String>),
    Packed { data: Vec<u8>, offsets: Vec<usize> },
}

impl Texts {
    /// Extracts `obj`: a `(bytes, int64 offsets)` tuple, or any sequence of `str`.
    pub(crate) fn extract(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Texts> {
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
        let n = obj.len()?;
        let mut out = Vec::with_capacity(n);
        for (i, item) in obj.try_iter()?.enumerate() {
            let item = item?;
            let s = item.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "{what}[{i}]: expected str, got {}",
                    item.get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                ))
            })?;
            out.push(s.to_cow()?.into_owned());
        }
        Ok(Texts::Owned(out))
    }

    fn packed(data: &Bound<'_, PyAny>, offsets: &Bound<'_, PyAny>, what: &str) -> PyResult<Texts> {
        let data = data.cast::<PyBytes>()?.as_bytes().to_vec();
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
                .filter(|&o| o <= data.len())
                .ok_or_else(|| bad(format!("offset {i} ({o}) is outside the data")))?;
            if out.last().is_some_and(|&prev| o < prev) {
                return Err(bad(format!("offsets decrease at {i}")));
            }
            out.push(o);
        }
        // Slices must be valid UTF-8 on their own, not only the buffer as a whole.
        for (i, w) in out.windows(2).enumerate() {
            std::str::from_utf8(&data[w[0]..w[1]])
                .map_err(|e| bad(format!("text {i} is not valid UTF-8: {e}")))?;
        }
        Ok(Texts::Packed { data, offsets: out })
    }

    /// The texts as `&str`, in order.
    pub(crate) fn strs(&self) -> Vec<&str> {
        match self {
            Texts::Owned(v) => v.iter().map(String::as_str).collect(),
            Texts::Packed { data, offsets } => offsets
                .windows(2)
                .map(|w| std::str::from_utf8(&data[w[0]..w[1]]).expect("checked in extract"))
                .collect(),
        }
    }
}

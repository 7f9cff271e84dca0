//! Conversions between numpy arrays and the core's slices. Contiguous arrays are borrowed
//! without a copy; strided (non-contiguous) views are copied once.

use crate::error::Error;
use numpy::{PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::prelude::*;
use std::borrow::Cow;

/// Borrow a 1-d float array as a slice, copying only when it is not contiguous.
pub fn slice<'a>(a: &'a PyReadonlyArray1<'_, f64>) -> Cow<'a, [f64]> {
    match a.as_slice() {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(a.as_array().iter().copied().collect()),
    }
}

/// Offsets from an int64 array, which must be non-negative.
pub fn offsets(a: &PyReadonlyArray1<'_, i64>) -> PyResult<Vec<usize>> {
    a.as_array()
        .iter()
        .map(|&v| {
            usize::try_from(v)
                .map_err(|_| Error::Shape(format!("offsets must be non-negative, got {v}")).into())
        })
        .collect()
}

/// Check a column has the expected number of entries.
pub fn expect_len(name: &str, a: &PyReadonlyArray1<'_, f64>, n: usize) -> PyResult<()> {
    if a.len() != n {
        return Err(Error::Shape(format!("`{name}` has {} entries, expected {n}", a.len())).into());
    }
    Ok(())
}

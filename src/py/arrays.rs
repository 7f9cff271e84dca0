//! Conversions between numpy arrays and the core's slices. Contiguous arrays are borrowed
//! without a copy; strided (non-contiguous) views are copied once.

use crate::error::Error;
use numpy::{PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
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

/// Borrow a 2-d float array as a row-major slice (copying a Fortran-ordered or strided
/// one), after checking its shape is `(rows, cols)`; `rows: None` accepts any row count.
pub fn matrix<'a>(
    a: &'a PyReadonlyArray2<'_, f64>,
    rows: Option<usize>,
    cols: Option<usize>,
    name: &str,
) -> PyResult<Cow<'a, [f64]>> {
    let shape = a.shape();
    let fits = |want: Option<usize>, got: usize| want.is_none_or(|w| w == got);
    if !fits(rows, shape[0]) || !fits(cols, shape[1]) {
        let want = |v: Option<usize>| v.map_or("any".to_string(), |v| v.to_string());
        return Err(Error::Shape(format!(
            "`{name}` has shape {shape:?}, expected [{}, {}]",
            want(rows),
            want(cols)
        ))
        .into());
    }
    let view = a.as_array();
    Ok(match (view.is_standard_layout(), a.as_slice()) {
        (true, Ok(s)) => Cow::Borrowed(s),
        _ => Cow::Owned(view.iter().copied().collect()),
    })
}

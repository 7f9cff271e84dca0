//! The one place core errors become Python exceptions. The exception classes are defined
//! once, in `shelfcast/exceptions.py` (so they can subclass both `ShelfcastError` and
//! `ValueError`/`TypeError`); this module looks them up and raises the right one.

use crate::error::Error;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;

static EXCEPTIONS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The Python exception class name for each core error.
fn class_name(e: &Error) -> &'static str {
    match e {
        Error::InvalidParameter { .. } => "InvalidParameterError",
        Error::UnknownModel(_) => "UnknownModelError",
        Error::InvalidSeries { .. } => "InvalidSeriesError",
        Error::Shape(_) => "ShapeError",
        Error::InvalidItem { .. } => "InvalidItemError",
        Error::NotFitted(_) => "NotFittedError",
        Error::Decode(_) => "ModelFormatError",
    }
}

/// For errors about one series or item: its position in the input and the message
/// without the position, so the Python layer can name it by its id instead.
fn culprit(e: &Error) -> Option<(usize, String)> {
    match e {
        Error::InvalidSeries { series, reason } => Some((*series, reason.clone())),
        Error::InvalidItem {
            item,
            column,
            reason,
        } => Some((*item, format!("column `{column}` {reason}"))),
        _ => None,
    }
}

fn raise(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let module = EXCEPTIONS.get_or_try_init(py, || {
        PyModule::import(py, "shelfcast.exceptions").map(Bound::unbind)
    })?;
    let cls = module.bind(py).getattr(class_name(e))?;
    let exc = cls.call1((e.to_string(),))?;
    if let Some((index, detail)) = culprit(e) {
        exc.setattr("index", index)?;
        exc.setattr("detail", detail)?;
    }
    Ok(PyErr::from_value(exc))
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        Python::attach(|py| {
            // If the exceptions module cannot be imported, still raise a ValueError with
            // the same message rather than losing it.
            raise(py, &e).unwrap_or_else(|_| PyValueError::new_err(e.to_string()))
        })
    }
}

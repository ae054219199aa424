//! Core errors raised as the package's exception classes (`needbridge.errors`).

use pyo3::prelude::*;

/// Runs `f` with the GIL released (other Python threads go on meanwhile); its error is raised
/// as the matching `needbridge.errors` class once the GIL is held again.
pub fn released<T: Send, E: Into<needbridge::Error> + Send>(
    py: Python<'_>,
    f: impl FnOnce() -> Result<T, E> + Send,
) -> PyResult<T> {
    py.detach(f).map_err(|e| raise(py, e.into()))
}

/// Raises a core error (carried out of `detach`) as the matching `needbridge.errors` class,
/// once the GIL is held again. An argument that does not fit is the core's `Invalid` too,
/// naming the argument's path and what is expected (`needbridge::args`), never its value.
pub fn raise(py: Python<'_>, e: needbridge::Error) -> PyErr {
    let json = serde_json::to_string(&e).unwrap_or_default();
    match py
        .import("needbridge.errors")
        .and_then(|m| m.getattr("_from_core"))
        .and_then(|f| f.call1((json,)))
    {
        Ok(exc) => PyErr::from_value(exc),
        Err(import_failed) => import_failed,
    }
}

/// The core's `Invalid` error for `field`, raised as `needbridge.errors.InvalidInputError`.
pub fn invalid(py: Python<'_>, field: &str, reason: &str) -> PyErr {
    raise(
        py,
        needbridge::Error::Invalid {
            field: field.into(),
            reason: reason.into(),
        },
    )
}

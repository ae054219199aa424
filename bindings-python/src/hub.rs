//! The `Hub` pyclass's state: the core's [`Hub`] behind an [`Arc`], so a sync `Device`
//! (`sync.rs`) opened on it shares it, until `close()` lets it go. Its methods are in
//! `lib.rs`.

use crate::errors::raise;
use needbridge::Hub;
use pyo3::prelude::*;
use std::sync::{Arc, RwLock};

/// The Hub: one per database, shared freely between threads.
#[pyclass(frozen, name = "Hub", module = "needbridge._native")]
pub struct PyHub {
    /// The core's Hub; `None` once closed.
    hub: RwLock<Option<Arc<Hub>>>,
    /// Its backend's name, kept for `repr` after closing.
    backend: &'static str,
    /// Whether the core's Hub refuses writes, kept for `repr` after closing.
    read_only: bool,
}

impl PyHub {
    pub fn new(hub: Hub) -> Self {
        PyHub {
            backend: hub.backend_name(),
            read_only: hub.is_read_only(),
            hub: RwLock::new(Some(Arc::new(hub))),
        }
    }

    /// The core's Hub for a call (the call holds it until it returns, even if another thread
    /// closes the Hub meanwhile); `IllegalStateError` (`hub is closed; cannot <action>`) once
    /// closed.
    pub fn hub(&self, py: Python<'_>, action: &str) -> PyResult<Arc<Hub>> {
        let hub = self.hub.read().unwrap_or_else(|e| e.into_inner()).clone();
        hub.ok_or_else(|| raise(py, refused("closed", action)))
    }

    /// Lets the core's Hub go (the database is released once calls in flight and any sync
    /// `Device` opened on it are done with it); `false` if it already was.
    pub fn release(&self, py: Python<'_>) -> bool {
        let hub = self.hub.write().unwrap_or_else(|e| e.into_inner()).take();
        let was_open = hub.is_some();
        // Closing a database may wait for its files: without holding the GIL.
        py.detach(move || drop(hub));
        was_open
    }

    pub fn is_closed(&self) -> bool {
        self.hub.read().unwrap_or_else(|e| e.into_inner()).is_none()
    }

    pub fn backend(&self) -> &'static str {
        self.backend
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }
}

/// The binding's own refusal of a call on a closed or read-only Hub.
fn refused(state: &str, action: &str) -> needbridge::Error {
    needbridge::Error::IllegalState {
        entity: "hub".into(),
        state: state.into(),
        action: action.into(),
    }
}

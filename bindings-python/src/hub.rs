//! The `Hub` pyclass's state: the core's [`Hub`] behind an [`Arc`], so a sync `Device`
//! (`sync.rs`) opened on it shares it. Its methods are in `lib.rs`.

use needbridge::Hub;
use pyo3::prelude::*;
use std::sync::Arc;

/// The Hub: one per database, shared freely between threads.
#[pyclass(frozen, name = "Hub", module = "needbridge._native")]
pub struct PyHub {
    pub hub: Arc<Hub>,
}

impl PyHub {
    pub fn new(hub: Hub) -> Self {
        PyHub { hub: Arc::new(hub) }
    }
}

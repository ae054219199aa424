//! The app's side of sync for Python (tests and tools): the core's [`Device`] over a native
//! `Hub`, its messages crossing as `bytes` (the protocol's JSON, as a host moves them).
//!
//! Conversion only, as for the Hub: arguments read by `convert`, results built by the
//! package's `Decoder`s, every call with the GIL released, core errors raised as the classes
//! of `needbridge.errors` (a malformed message is `InvalidInputError` naming its part).

use crate::convert::{self, Decoder};
use crate::errors::{raise, released};
use crate::hub::PyHub;
use needbridge::command::Command;
use needbridge::sync::{self, Device};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

/// Sync for one actor over an app's Hub.
#[pyclass(frozen, name = "Device", module = "needbridge._native")]
pub struct PyDevice {
    device: Device,
}

#[pymethods]
impl PyDevice {
    /// Opens sync for `actor` (a `needbridge.Actor`) over `hub` (the app's Hub).
    #[new]
    fn new(py: Python<'_>, hub: &Bound<'_, PyHub>, actor: &Bound<'_, PyAny>) -> PyResult<Self> {
        let actor = convert::actor(actor)?;
        let hub = hub.get().hub(py, "open a sync device")?;
        released(py, || Device::open(hub, actor)).map(|device| PyDevice { device })
    }

    /// The client id, as text.
    #[getter]
    fn client(&self) -> String {
        self.device.client().0.hyphenated().to_string()
    }

    /// Runs the command named `command` with keyword arguments `fields` as the device's
    /// actor (applied to the view and queued); returns the record it wrote, built by `out`.
    #[pyo3(signature = (command, fields, out))]
    fn execute<'py>(
        &self,
        py: Python<'py>,
        command: &str,
        fields: Option<&Bound<'py, PyDict>>,
        out: &Decoder,
    ) -> PyResult<Bound<'py, PyAny>> {
        let args = convert::arguments(fields)?;
        let command: Command =
            needbridge::args::command(command, args).map_err(|e| raise(py, e))?;
        let record = released(py, || self.device.execute(command))?;
        out.build_content(py, &record)
    }

    /// The next push request's bytes, or `None` (nothing to push, or a push in flight).
    fn push_request<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let request = released(py, || {
            Ok::<_, needbridge::Error>(self.device.push_request()?.map(|r| sync::encode(&r)))
        })?;
        Ok(request.map(|bytes| PyBytes::new(py, &bytes)))
    }

    /// Takes the portal's push response (bytes); returns the summary, built by `out`.
    fn apply_push<'py>(
        &self,
        py: Python<'py>,
        response: &Bound<'py, PyAny>,
        out: &Decoder,
    ) -> PyResult<Bound<'py, PyAny>> {
        let body = convert::bytes(response, "response")?;
        let summary = released(py, || {
            self.device.apply_push(&sync::decode_push_response(body)?)
        })?;
        out.build(py, &summary)
    }

    /// The push in flight got no answer.
    fn push_failed(&self) {
        self.device.push_failed();
    }

    /// The next pull request's bytes.
    fn pull_request<'py>(
        &self,
        py: Python<'py>,
        limit: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let limit: u32 = convert::read(limit, "limit")?;
        let request = released(py, || {
            self.device.pull_request(limit).map(|r| sync::encode(&r))
        })?;
        Ok(PyBytes::new(py, &request))
    }

    /// Takes the portal's pull response (bytes); returns the summary, built by `out`.
    fn apply_pull<'py>(
        &self,
        py: Python<'py>,
        response: &Bound<'py, PyAny>,
        out: &Decoder,
    ) -> PyResult<Bound<'py, PyAny>> {
        let body = convert::bytes(response, "response")?;
        let summary = released(py, || {
            self.device.apply_pull(&sync::decode_pull_response(body)?)
        })?;
        out.build(py, &summary)
    }

    /// Where sync stands, built by `out`.
    fn status<'py>(&self, py: Python<'py>, out: &Decoder) -> PyResult<Bound<'py, PyAny>> {
        let status = released(py, || self.device.status())?;
        out.build(py, &status)
    }

    /// The pending mutations, oldest first, built by `out`.
    fn pending<'py>(&self, py: Python<'py>, out: &Decoder) -> PyResult<Bound<'py, PyAny>> {
        let pending = released(py, || self.device.pending())?;
        out.build(py, &pending)
    }

    /// The mutations the portal refused, oldest first, built by `out`.
    fn rejected<'py>(&self, py: Python<'py>, out: &Decoder) -> PyResult<Bound<'py, PyAny>> {
        let rejected = released(py, || self.device.rejected())?;
        out.build(py, &rejected)
    }

    /// Forgets the refused mutation `id`.
    fn dismiss(&self, py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<()> {
        let id: u64 = convert::read(id, "id")?;
        released(py, || self.device.dismiss(id))
    }
}

//! Python values to the core's serde values and back, without JSON text in between.
//!
//! Arguments: a keyword argument's Python value becomes a [`Value`] ([`encode`]) by the same
//! rules `needbridge._types._encode` states — `uuid.UUID` as its text, timezone-aware
//! `datetime` as RFC 3339 UTC, enums as their code, `Actor`/`Claimant` as the core's tagged
//! form — and anything it does not know is handed to `_encode` itself. A value that does not
//! fit is refused naming the argument (the core's `Invalid`), and the value is never quoted.
//!
//! Results: the core's value is built into the package's typed records by a [`Decoder`]: a
//! plan the package derives once per type from its annotations (`needbridge._types._plan`),
//! followed by a serde serializer (`emit.rs`) straight from the Rust value. Records are
//! created without running their `__init__` (their fields are exactly the plan's), ids as
//! `uuid.UUID` from their 128 bits and times as UTC `datetime`s — the per-field Python code
//! a JSON round trip would run was most of what a call from Python cost.

use crate::emit::{Build, Failed};
use crate::errors::{invalid, raise};
use crate::plan::{known, Known, Plan};
use chrono::{DateTime, SecondsFormat, Utc};
use needbridge::Actor;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString, PyTuple,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// A `uuid.UUID` as a [`uuid::Uuid`]; `None` if `v` is not one.
fn as_uuid(v: &Bound<'_, PyAny>, k: &Known) -> PyResult<Option<uuid::Uuid>> {
    let py = v.py();
    if !v.is_instance(k.uuid.bind(py))? {
        return Ok(None);
    }
    let int: u128 = v.getattr(intern!(py, "int"))?.extract()?;
    Ok(Some(uuid::Uuid::from_u128(int)))
}

/// A timezone-aware `datetime` as microseconds since the epoch; `None` if `v` is no
/// `datetime`, an `Invalid` error naming `field` if it is naive.
fn as_micros(v: &Bound<'_, PyAny>, k: &Known, field: &str) -> PyResult<Option<i64>> {
    let py = v.py();
    if !v.is_instance(k.datetime.bind(py))? {
        return Ok(None);
    }
    // Exact, in C: (v - epoch) // 1 µs. A naive datetime cannot be subtracted from an
    // aware one (TypeError), nor can one whose tzinfo gives no offset.
    let delta = match v.sub(k.epoch.bind(py)) {
        Ok(d) => d,
        Err(e) if e.is_instance_of::<PyTypeError>(py) => {
            return Err(invalid(py, field, "must be a timezone-aware datetime"))
        }
        Err(e) => return Err(e),
    };
    Ok(Some(delta.floor_div(k.microsecond.bind(py))?.extract()?))
}

/// A `datetime.timedelta` as whole microseconds (rounded down); anything else is `Invalid`
/// naming `field`.
pub fn micros_of_timedelta(v: &Bound<'_, PyAny>, field: &str) -> PyResult<i64> {
    let py = v.py();
    let k = known(py)?;
    // Only a timedelta divides by a timedelta (a number raises TypeError).
    let micros = match v.floor_div(k.microsecond.bind(py)) {
        Ok(m) => m,
        Err(e) if e.is_instance_of::<PyTypeError>(py) => {
            return Err(invalid(py, field, "must be a datetime.timedelta"))
        }
        Err(e) => return Err(e),
    };
    micros
        .extract()
        .map_err(|_| invalid(py, field, "is out of range"))
}

/// RFC 3339 in UTC, as the core writes times.
fn rfc3339(micros: i64, py: Python<'_>, field: &str) -> PyResult<String> {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .ok_or_else(|| invalid(py, field, "is out of range"))
}

/// The actor a `needbridge.Actor` stands for.
pub fn actor(v: &Bound<'_, PyAny>) -> PyResult<Actor> {
    let py = v.py();
    let k = known(py)?;
    if !v.is_instance(k.actor.bind(py))? {
        return Err(invalid(py, "actor", "must be a needbridge.Actor"));
    }
    let kind = v.getattr(intern!(py, "type"))?;
    let kind = kind.cast::<PyString>()?.to_cow()?;
    let id = v.getattr(intern!(py, "id"))?;
    let id = as_uuid(&id, k)?;
    Ok(match (kind.as_ref(), id) {
        ("system", None) => Actor::System,
        ("district_admin", Some(id)) => Actor::DistrictAdmin {
            district: id.into(),
        },
        ("committee_staff", Some(id)) => Actor::CommitteeStaff { unit: id.into() },
        ("work_unit_secretary", Some(id)) => Actor::WorkUnitSecretary {
            work_unit: id.into(),
        },
        ("member", Some(id)) => Actor::Member { member: id.into() },
        ("organisation_contact", Some(id)) => Actor::OrganisationContact {
            organisation: id.into(),
        },
        _ => return Err(invalid(py, "actor", "is not a kind of actor with its id")),
    })
}

/// Keyword arguments as one object (`None` as `null`, which the core reads as absent).
pub fn arguments(fields: Option<&Bound<'_, PyDict>>) -> PyResult<Map<String, Value>> {
    let mut out = Map::new();
    if let Some(fields) = fields {
        for (key, value) in fields.iter() {
            let key = text(&key, "arguments")?;
            let value = encode(&value, &key)?;
            out.insert(key, value);
        }
    }
    Ok(out)
}

/// Why text that Python holds cannot be the core's text.
const SURROGATE: &str = "contains an unpaired surrogate (not valid Unicode text)";

/// A `str` as Rust text; anything else, or a `str` with a lone surrogate (which no Rust
/// `String` can hold), is `Invalid` naming `field`.
pub fn text(v: &Bound<'_, PyAny>, field: &str) -> PyResult<String> {
    let py = v.py();
    let s = v
        .cast::<PyString>()
        .map_err(|_| invalid(py, field, "must be text"))?;
    match s.to_cow() {
        Ok(s) => Ok(s.into_owned()),
        Err(_) => Err(invalid(py, field, SURROGATE)),
    }
}

/// A `bytes` object's contents (a message of the sync protocol); anything else is `Invalid`
/// naming `field`.
pub fn bytes<'a>(v: &'a Bound<'_, PyAny>, field: &str) -> PyResult<&'a [u8]> {
    v.cast::<PyBytes>()
        .map(|b| b.as_bytes())
        .map_err(|_| invalid(v.py(), field, "must be bytes"))
}

/// One Python value read as the core's type `T` (a number, an id): a value that does not fit
/// is `Invalid` naming `field` and what is expected, never the value.
pub fn read<T: DeserializeOwned>(v: &Bound<'_, PyAny>, field: &str) -> PyResult<T> {
    needbridge::args::from_value(field, encode(v, field)?).map_err(|e| raise(v.py(), e))
}

/// One Python value as the core's JSON value; `field` names it in errors.
pub fn encode(v: &Bound<'_, PyAny>, field: &str) -> PyResult<Value> {
    encode_with(v, field, true)
}

fn encode_with(v: &Bound<'_, PyAny>, field: &str, fallback: bool) -> PyResult<Value> {
    let py = v.py();
    let k = known(py)?;
    if v.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    // The package's enums are `str` enums: their text is their code.
    if let Ok(s) = v.cast::<PyString>() {
        return match s.to_cow() {
            Ok(s) => Ok(Value::String(s.into_owned())),
            Err(_) => Err(invalid(py, field, SURROGATE)),
        };
    }
    if v.is_instance(k.enumeration.bind(py))? {
        return encode_with(&v.getattr(intern!(py, "value"))?, field, fallback);
    }
    // Numbers go to the core's reading, which refuses one that does not fit naming the
    // field and the range of its type: an integer beyond 64 bits travels as a float (which
    // no whole-number field accepts), as does a float.
    if let Ok(i) = v.cast::<PyInt>() {
        if let Ok(i) = i.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = i.extract::<u64>() {
            return Ok(Value::from(u));
        }
        let sign = if i.lt(0)? { -1.0 } else { 1.0 };
        return Ok(Value::from(sign * f64::MAX));
    }
    if let Ok(x) = v.cast::<PyFloat>() {
        let x = x.value();
        return Ok(Value::from(if x.is_finite() { x } else { f64::MAX }));
    }
    if let Some(id) = as_uuid(v, k)? {
        return Ok(Value::String(id.hyphenated().to_string()));
    }
    if let Some(micros) = as_micros(v, k, field)? {
        return Ok(Value::String(rfc3339(micros, py, field)?));
    }
    if v.is_instance(k.tagged.bind(py))? {
        if v.is_instance(k.actor.bind(py))? {
            return serde_json::to_value(actor(v)?)
                .map_err(|e| PyValueError::new_err(e.to_string()));
        }
        let mut out = Map::new();
        out.insert(
            "type".into(),
            encode_with(&v.getattr(intern!(py, "type"))?, field, false)?,
        );
        out.insert(
            "id".into(),
            encode_with(&v.getattr(intern!(py, "id"))?, field, false)?,
        );
        return Ok(Value::Object(out));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut out = Map::new();
        for (key, value) in d.iter() {
            let key = text(key.str()?.as_any(), field)?;
            let value = encode_with(&value, &format!("{field}.{key}"), fallback)?;
            out.insert(key, value);
        }
        return Ok(Value::Object(out));
    }
    let items = if let Ok(l) = v.cast::<PyList>() {
        Some(l.iter().collect::<Vec<_>>())
    } else if let Ok(t) = v.cast::<PyTuple>() {
        Some(t.iter().collect())
    } else if let Ok(s) = v.cast::<PySet>() {
        Some(s.iter().collect())
    } else if let Ok(s) = v.cast::<PyFrozenSet>() {
        Some(s.iter().collect())
    } else {
        None
    };
    if let Some(items) = items {
        return items
            .iter()
            .enumerate()
            .map(|(i, x)| encode_with(x, &format!("{field}[{i}]"), fallback))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    if fallback {
        // Records and other mappings: the package's own rules, then plain values from them.
        let plain = k.encode.bind(py).call1((v, field))?;
        return encode_with(&plain, field, false);
    }
    let name = v.get_type().name()?;
    Err(invalid(
        py,
        field,
        &format!("has an unsupported type {}", name.to_cow()?),
    ))
}

/// How the package builds one type of result (a record, a list of records, …) from the
/// core's values; made once per type by `needbridge._types._reader`.
#[pyclass(frozen, module = "needbridge._native")]
pub struct Decoder {
    plan: Plan,
}

#[pymethods]
impl Decoder {
    /// Compiles a plan: a tuple `("plain",)`, `("uuid",)`, `("time",)`, `("enum", cls)`,
    /// `("tagged", cls)`, `("record", cls, ((attribute, key, plan), …))`, `("list", plan)`,
    /// `("dict", plan)` (`("dict", plan, ("uuid",))`: keys are ids) or `("tuple", (plan, …))`.
    #[new]
    fn new(plan: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Decoder {
            plan: Plan::compile(plan)?,
        })
    }
}

impl Decoder {
    /// The Python value of `v`.
    pub fn build<'py, T: Serialize + ?Sized>(
        &self,
        py: Python<'py>,
        v: &T,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.build_with(py, v, false)
    }

    /// The Python value of the content of `v`, an adjacently tagged enum (the core's
    /// `Record`: its `kind`, and the `record` built).
    pub fn build_content<'py, T: Serialize + ?Sized>(
        &self,
        py: Python<'py>,
        v: &T,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.build_with(py, v, true)
    }

    fn build_with<'py, T: Serialize + ?Sized>(
        &self,
        py: Python<'py>,
        v: &T,
        content: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let build = Build {
            py,
            k: known(py)?,
            plan: &self.plan,
            content,
        };
        v.serialize(build).map_err(|Failed(e)| e)
    }
}

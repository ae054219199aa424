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
//! followed by a serde serializer (`build.rs`) straight from the Rust value. Records are
//! created without running their `__init__` (their fields are exactly the plan's), ids as
//! `uuid.UUID` from their 128 bits and times as UTC `datetime`s — the per-field Python code
//! a JSON round trip would run was most of what a call from Python cost.

use crate::build::{Build, Failed};
use chrono::{DateTime, SecondsFormat, Utc};
use needbridge::Actor;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    IntoPyDict, PyBool, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString, PyTuple,
    PyType,
};
use serde::Serialize;
use serde_json::{Map, Value};

/// Python objects looked up once per process.
pub(crate) struct Known {
    uuid: Py<PyType>,
    uuid_unknown: Py<PyAny>,
    /// `UUID.int.__set__` and `UUID.is_safe.__set__`: the slots' own setters.
    uuid_int: Py<PyAny>,
    uuid_is_safe: Py<PyAny>,
    datetime: Py<PyType>,
    fromisoformat: Py<PyAny>,
    epoch: Py<PyAny>,
    microsecond: Py<PyAny>,
    enumeration: Py<PyType>,
    tagged: Py<PyType>,
    actor: Py<PyType>,
    pub(crate) object_new: Py<PyAny>,
    pub(crate) object_setattr: Py<PyAny>,
    encode: Py<PyAny>,
}

static KNOWN: PyOnceLock<Known> = PyOnceLock::new();

pub(crate) fn known(py: Python<'_>) -> PyResult<&Known> {
    KNOWN.get_or_try_init(py, || {
        let uuid = py.import("uuid")?;
        let dt = py.import("datetime")?;
        let utc = dt.getattr("timezone")?.getattr("utc")?;
        let datetime = dt.getattr("datetime")?;
        let epoch = datetime.call1((1970, 1, 1, 0, 0, 0, 0, &utc))?;
        let microsecond = dt
            .getattr("timedelta")?
            .call((), Some(&[("microseconds", 1)].into_py_dict(py)?))?;
        let types = py.import("needbridge._types")?;
        let object = py.import("builtins")?.getattr("object")?;
        Ok(Known {
            uuid: uuid.getattr("UUID")?.cast_into()?.unbind(),
            uuid_unknown: uuid.getattr("SafeUUID")?.getattr("unknown")?.unbind(),
            uuid_int: uuid
                .getattr("UUID")?
                .getattr("int")?
                .getattr("__set__")?
                .unbind(),
            uuid_is_safe: uuid
                .getattr("UUID")?
                .getattr("is_safe")?
                .getattr("__set__")?
                .unbind(),
            fromisoformat: datetime.getattr("fromisoformat")?.unbind(),
            datetime: datetime.cast_into()?.unbind(),
            epoch: epoch.unbind(),
            microsecond: microsecond.unbind(),
            enumeration: py.import("enum")?.getattr("Enum")?.cast_into()?.unbind(),
            tagged: types.getattr("_Tagged")?.cast_into()?.unbind(),
            actor: types.getattr("Actor")?.cast_into()?.unbind(),
            object_new: object.getattr("__new__")?.unbind(),
            object_setattr: object.getattr("__setattr__")?.unbind(),
            encode: types.getattr("_encode")?.unbind(),
        })
    })
}

/// The core's `Invalid` error for `field`, raised as `needbridge.errors.InvalidInputError`.
pub fn invalid(py: Python<'_>, field: &str, reason: &str) -> PyErr {
    crate::raise(
        py,
        needbridge::Error::Invalid {
            field: field.into(),
            reason: reason.into(),
        },
    )
}

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

/// How to build one Python value from the core's JSON value: compiled once per type from
/// the tuple the package's `_plan` derives from annotations.
pub(crate) enum Plan {
    /// JSON as plain Python values (`str`, `int`, `float`, `bool`, `list`, `dict`).
    Plain,
    /// A `uuid.UUID`.
    Uuid,
    /// A UTC `datetime`.
    Time,
    /// An enum member, looked up by its code.
    Enum {
        members: Py<PyDict>,
        class: Py<PyType>,
    },
    /// A record: its class and, per field, the attribute, the JSON key and the plan.
    Record {
        class: Py<PyType>,
        fields: Vec<(Py<PyString>, String, Plan)>,
    },
    /// An `Actor` or `Claimant`: a kind and the id next to it.
    Tagged(Py<PyType>),
    List(Box<Plan>),
    Dict(Box<Plan>),
    Tuple(Vec<Plan>),
}

impl Plan {
    fn compile(v: &Bound<'_, PyAny>) -> PyResult<Plan> {
        let py = v.py();
        let t = v.cast::<PyTuple>()?;
        let tag = t.get_item(0)?;
        let tag = tag.cast::<PyString>()?.to_cow()?;
        let class =
            || -> PyResult<Py<PyType>> { Ok(t.get_item(1)?.cast_into::<PyType>()?.unbind()) };
        let inner = || Plan::compile(&t.get_item(1)?).map(Box::new);
        Ok(match tag.as_ref() {
            "plain" => Plan::Plain,
            "uuid" => Plan::Uuid,
            "time" => Plan::Time,
            "enum" => {
                let class = class()?;
                let members = class
                    .bind(py)
                    .getattr("_value2member_map_")?
                    .cast_into::<PyDict>()?
                    .unbind();
                Plan::Enum { members, class }
            }
            "record" => {
                let class = class()?;
                let mut fields = Vec::new();
                for f in t.get_item(2)?.cast::<PyTuple>()?.iter() {
                    let f = f.cast::<PyTuple>()?;
                    let name = f.get_item(0)?.cast_into::<PyString>()?;
                    let key = f.get_item(1)?.cast::<PyString>()?.to_cow()?.into_owned();
                    fields.push((
                        PyString::intern(py, &name.to_cow()?).unbind(),
                        key,
                        Plan::compile(&f.get_item(2)?)?,
                    ));
                }
                Plan::Record { class, fields }
            }
            "tagged" => Plan::Tagged(class()?),
            "list" => Plan::List(inner()?),
            "dict" => Plan::Dict(inner()?),
            "tuple" => Plan::Tuple(
                t.get_item(1)?
                    .cast::<PyTuple>()?
                    .iter()
                    .map(|p| Plan::compile(&p))
                    .collect::<PyResult<_>>()?,
            ),
            other => return Err(PyValueError::new_err(format!("unknown plan {other:?}"))),
        })
    }
}

/// A `uuid.UUID` without running `UUID.__init__`'s parsing in Python: the instance gets its
/// two slots (`int`, `is_safe`) as `__init__` would set them.
pub(crate) fn new_uuid<'py>(py: Python<'py>, k: &Known, id: u128) -> PyResult<Bound<'py, PyAny>> {
    let obj = k.object_new.bind(py).call1((k.uuid.bind(py),))?;
    k.uuid_int.bind(py).call1((&obj, id))?;
    k.uuid_is_safe
        .bind(py)
        .call1((&obj, k.uuid_unknown.bind(py)))?;
    Ok(obj)
}

/// A UTC `datetime` from RFC 3339 text (the core's form: UTC, `Z`, 0, 3 or 6 fractional
/// digits), through `datetime.fromisoformat` with `+00:00` for the `Z` (Python 3.9 reads
/// that form too): a one-argument C call, where the constructor would parse eight arguments.
pub(crate) fn new_time<'py>(py: Python<'py>, k: &Known, s: &str) -> PyResult<Bound<'py, PyAny>> {
    let text = match s.strip_suffix('Z') {
        Some(local) => format!("{local}+00:00"),
        None => DateTime::parse_from_rfc3339(s)
            .map_err(|e| PyValueError::new_err(e.to_string()))?
            .with_timezone(&Utc)
            .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
            .to_string(),
    };
    k.fromisoformat.bind(py).call1((text,))
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
    /// `("dict", plan)` or `("tuple", (plan, …))`.
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

//! What the package's records are made of, looked up once: the Python types the native
//! module builds (`uuid.UUID`, `datetime`, the package's enums and dataclasses) and the
//! [`Plan`] for each result type, compiled from the tuple the package derives from its
//! annotations.

use chrono::{DateTime, Utc};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{IntoPyDict, PyDict, PyString, PyTuple, PyType};

/// Python objects looked up once per process.
pub(crate) struct Known {
    pub(crate) uuid: Py<PyType>,
    pub(crate) uuid_unknown: Py<PyAny>,
    /// `UUID.int.__set__` and `UUID.is_safe.__set__`: the slots' own setters.
    pub(crate) uuid_int: Py<PyAny>,
    pub(crate) uuid_is_safe: Py<PyAny>,
    pub(crate) datetime: Py<PyType>,
    pub(crate) fromisoformat: Py<PyAny>,
    pub(crate) epoch: Py<PyAny>,
    pub(crate) microsecond: Py<PyAny>,
    pub(crate) enumeration: Py<PyType>,
    pub(crate) tagged: Py<PyType>,
    pub(crate) actor: Py<PyType>,
    pub(crate) object_new: Py<PyAny>,
    pub(crate) object_setattr: Py<PyAny>,
    pub(crate) encode: Py<PyAny>,
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
    /// A `dict`: its values' plan, and whether its keys are ids (`uuid.UUID`s, not text).
    Dict(Box<Plan>, bool),
    Tuple(Vec<Plan>),
}

impl Plan {
    pub(crate) fn compile(v: &Bound<'_, PyAny>) -> PyResult<Plan> {
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
            // `("dict", value plan)`, or `("dict", value plan, ("uuid",))` for id keys.
            "dict" => {
                let uuid_keys = match t.get_item(2) {
                    Ok(k) => matches!(Plan::compile(&k)?, Plan::Uuid),
                    Err(_) => false,
                };
                Plan::Dict(inner()?, uuid_keys)
            }
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

//! The package's Python values built straight from the core's values: a serde
//! [`Serializer`](serde::Serializer) led by a [`Plan`], so a record becomes its dataclass,
//! its ids `uuid.UUID`s (from the 16 bytes a `Uuid` gives a serializer that is not
//! human-readable) and its times UTC `datetime`s, with no intermediate JSON value and no
//! lookups by key.
//!
//! Whatever the plan does not describe (`Plain`, or a value of another shape than the plan
//! expects) becomes plain Python values the way `serde_json` would shape them: `None`,
//! `bool`, `int`, `float`, `str`, `list`, `dict`, an enum variant with data as a one-key
//! `dict`.

use crate::plan::{new_time, new_uuid, Known, Plan};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString, PyTuple, PyType};
use serde::ser::{self, Serialize};
use std::fmt;

/// A Python error carried through serde.
#[derive(Debug)]
pub struct Failed(pub PyErr);

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Failed {}

impl ser::Error for Failed {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Failed(PyValueError::new_err(msg.to_string()))
    }
}

impl<E: Into<PyErr>> From<E> for Failed {
    fn from(e: E) -> Self {
        Failed(e.into())
    }
}

type Out<'py> = Result<Bound<'py, PyAny>, Failed>;

/// Builds one value by its plan. With `content`, the value is an adjacently tagged enum
/// (the core's `Record`: `kind` and `record`) and what is built is its content.
#[derive(Clone, Copy)]
pub struct Build<'a, 'py> {
    pub py: Python<'py>,
    pub k: &'a Known,
    pub plan: &'a Plan,
    pub content: bool,
}

const PLAIN: Plan = Plan::Plain;

impl<'a, 'py> Build<'a, 'py> {
    fn with(self, plan: &'a Plan) -> Self {
        Build {
            plan,
            content: false,
            ..self
        }
    }

    fn plain(self) -> Self {
        self.with(&PLAIN)
    }

    fn text(self, s: &str) -> Out<'py> {
        let py = self.py;
        Ok(match self.plan {
            Plan::Uuid => {
                let id =
                    uuid::Uuid::parse_str(s).map_err(|e| PyValueError::new_err(e.to_string()))?;
                new_uuid(py, self.k, id.as_u128())?
            }
            Plan::Time => new_time(py, self.k, s)?,
            Plan::Enum { members, class } => match members.bind(py).get_item(s)? {
                Some(m) => m,
                None => class.bind(py).call1((s,))?,
            },
            _ => PyString::new(py, s).into_any(),
        })
    }

    /// `{variant: value}`, as `serde_json` writes an enum variant with data.
    fn variant(self, variant: &str, value: Bound<'py, PyAny>) -> Out<'py> {
        let d = PyDict::new(self.py);
        d.set_item(variant, value)?;
        Ok(d.into_any())
    }

    fn fields(self) -> Result<Fields<'a, 'py>, Failed> {
        let py = self.py;
        if self.content {
            return Ok(Fields::Content {
                build: self,
                out: None,
            });
        }
        Ok(match self.plan {
            Plan::Record { class, fields } => {
                let obj = self.k.object_new.bind(py).call1((class.bind(py),))?;
                // Filled in place: records are frozen dataclasses without slots.
                let dict = obj
                    .getattr(pyo3::intern!(py, "__dict__"))?
                    .cast_into::<PyDict>()?;
                Fields::Record {
                    build: self,
                    obj,
                    dict,
                    fields,
                    next: 0,
                    seen: vec![false; fields.len()],
                }
            }
            Plan::Tagged(class) => Fields::Tagged {
                build: self,
                class,
                kind: None,
                id: None,
            },
            Plan::Dict(value, uuid_keys) => Fields::Dict {
                dict: PyDict::new(py),
                build: self.with(value),
                uuid_keys: *uuid_keys,
            },
            _ => Fields::Dict {
                dict: PyDict::new(py),
                build: self.plain(),
                uuid_keys: false,
            },
        })
    }

    fn items(self, len: Option<usize>) -> Items<'a, 'py> {
        Items {
            build: self,
            items: Vec::with_capacity(len.unwrap_or(0)),
        }
    }
}

/// A key or a tag as text.
struct Key;

macro_rules! not_a_key {
    ($($f:ident($($t:ty),*)),*) => {
        $(fn $f(self, $(_: $t),*) -> Result<String, Failed> {
            Err(ser::Error::custom("a key must be text"))
        })*
    };
}

impl ser::Serializer for Key {
    type Ok = String;
    type Error = Failed;
    type SerializeSeq = ser::Impossible<String, Failed>;
    type SerializeTuple = ser::Impossible<String, Failed>;
    type SerializeTupleStruct = ser::Impossible<String, Failed>;
    type SerializeTupleVariant = ser::Impossible<String, Failed>;
    type SerializeMap = ser::Impossible<String, Failed>;
    type SerializeStruct = ser::Impossible<String, Failed>;
    type SerializeStructVariant = ser::Impossible<String, Failed>;

    fn serialize_str(self, v: &str) -> Result<String, Failed> {
        Ok(v.to_owned())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        v: &'static str,
    ) -> Result<String, Failed> {
        Ok(v.to_owned())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<String, Failed> {
        v.serialize(self)
    }
    fn serialize_i64(self, v: i64) -> Result<String, Failed> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<String, Failed> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<String, Failed> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<String, Failed> {
        Ok(v.to_string())
    }
    fn serialize_char(self, v: char) -> Result<String, Failed> {
        Ok(v.to_string())
    }
    not_a_key!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str)
    );
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<String, Failed> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, Failed> {
        Err(ser::Error::custom("a key must be text"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Failed> {
        Err(ser::Error::custom("a key must be text"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Failed> {
        Err(ser::Error::custom("a key must be text"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Failed> {
        Err(ser::Error::custom("a key must be text"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Failed> {
        Err(ser::Error::custom("a key must be text"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Failed> {
        Err(ser::Error::custom("a key must be text"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Failed> {
        Err(ser::Error::custom("a key must be text"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Failed> {
        Err(ser::Error::custom("a key must be text"))
    }
}

/// Narrow numbers as the wide ones they fit in.
macro_rules! widen {
    ($($f:ident($t:ty) => $to:ident),*) => {
        $(fn $f(self, v: $t) -> Out<'py> {
            self.$to(v.into())
        })*
    };
}

impl<'a, 'py> ser::Serializer for Build<'a, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Failed;
    type SerializeSeq = Items<'a, 'py>;
    type SerializeTuple = Items<'a, 'py>;
    type SerializeTupleStruct = Items<'a, 'py>;
    type SerializeTupleVariant = Variant<'a, 'py, Items<'a, 'py>>;
    type SerializeMap = Map<'a, 'py>;
    type SerializeStruct = Fields<'a, 'py>;
    type SerializeStructVariant = Variant<'a, 'py, Fields<'a, 'py>>;

    /// A `Uuid` then serializes as its 16 bytes.
    fn is_human_readable(&self) -> bool {
        !matches!(self.plan, Plan::Uuid)
    }

    widen!(
        serialize_i8(i8) => serialize_i64,
        serialize_i16(i16) => serialize_i64,
        serialize_i32(i32) => serialize_i64,
        serialize_u8(u8) => serialize_i64,
        serialize_u16(u16) => serialize_i64,
        serialize_u32(u32) => serialize_i64,
        serialize_f32(f32) => serialize_f64
    );

    fn serialize_bool(self, v: bool) -> Out<'py> {
        Ok(PyBool::new(self.py, v).to_owned().into_any())
    }
    fn serialize_i64(self, v: i64) -> Out<'py> {
        Ok(v.into_pyobject(self.py)?.into_any())
    }
    fn serialize_u64(self, v: u64) -> Out<'py> {
        Ok(v.into_pyobject(self.py)?.into_any())
    }
    fn serialize_f64(self, v: f64) -> Out<'py> {
        Ok(v.into_pyobject(self.py)?.into_any())
    }
    fn serialize_char(self, v: char) -> Out<'py> {
        self.text(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Out<'py> {
        self.text(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Out<'py> {
        if let (Plan::Uuid, Ok(bytes)) = (self.plan, <[u8; 16]>::try_from(v)) {
            return Ok(new_uuid(self.py, self.k, u128::from_be_bytes(bytes))?);
        }
        Ok(PyList::new(self.py, v)?.into_any())
    }
    fn serialize_none(self) -> Out<'py> {
        Ok(self.py.None().into_bound(self.py))
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Out<'py> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Out<'py> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Out<'py> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Out<'py> {
        self.text(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, v: &T) -> Out<'py> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Out<'py> {
        let value = v.serialize(self.plain())?;
        self.variant(variant, value)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Items<'a, 'py>, Failed> {
        Ok(self.items(len))
    }
    fn serialize_tuple(self, len: usize) -> Result<Items<'a, 'py>, Failed> {
        Ok(self.items(Some(len)))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Items<'a, 'py>, Failed> {
        Ok(self.items(Some(len)))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, Failed> {
        Ok(Variant {
            build: self,
            variant,
            inner: self.plain().items(Some(len)),
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Map<'a, 'py>, Failed> {
        Ok(Map {
            fields: self.fields()?,
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Fields<'a, 'py>, Failed> {
        self.fields()
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Failed> {
        Ok(Variant {
            build: self,
            variant,
            inner: self.plain().fields()?,
        })
    }
}

/// A list (or, under a tuple plan, a tuple), each item by its plan.
pub struct Items<'a, 'py> {
    build: Build<'a, 'py>,
    items: Vec<Bound<'py, PyAny>>,
}

impl<'a, 'py> Items<'a, 'py> {
    fn push<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Failed> {
        let plan = match self.build.plan {
            Plan::List(item) => item,
            Plan::Tuple(plans) => plans.get(self.items.len()).unwrap_or(&PLAIN),
            _ => &PLAIN,
        };
        self.items.push(v.serialize(self.build.with(plan))?);
        Ok(())
    }

    fn done(self) -> Out<'py> {
        let py = self.build.py;
        Ok(match self.build.plan {
            Plan::Tuple(_) => PyTuple::new(py, self.items)?.into_any(),
            _ => PyList::new(py, self.items)?.into_any(),
        })
    }
}

/// A sequence, a tuple and a tuple struct all push items.
macro_rules! items {
    ($($trait:ident::$method:ident),*) => {$(
        impl<'py> ser::$trait for Items<'_, 'py> {
            type Ok = Bound<'py, PyAny>;
            type Error = Failed;
            fn $method<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Failed> {
                self.push(v)
            }
            fn end(self) -> Out<'py> {
                self.done()
            }
        }
    )*};
}

items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

/// The fields of a struct or map: into a record's `__dict__` (each by its field's plan; a
/// field the record lacks is skipped, one the value lacks is `None`), an actor or claimant
/// (the kind and the id beside it), the content of an adjacently tagged enum, or a `dict`.
pub enum Fields<'a, 'py> {
    Record {
        build: Build<'a, 'py>,
        obj: Bound<'py, PyAny>,
        dict: Bound<'py, PyDict>,
        fields: &'a [(Py<PyString>, String, Plan)],
        next: usize,
        seen: Vec<bool>,
    },
    Tagged {
        build: Build<'a, 'py>,
        class: &'a Py<PyType>,
        kind: Option<String>,
        id: Option<Bound<'py, PyAny>>,
    },
    Content {
        build: Build<'a, 'py>,
        out: Option<Bound<'py, PyAny>>,
    },
    Dict {
        build: Build<'a, 'py>,
        dict: Bound<'py, PyDict>,
        /// Keys as `uuid.UUID`s (ids), not text.
        uuid_keys: bool,
    },
}

impl<'py> Fields<'_, 'py> {
    fn field<T: ?Sized + Serialize>(&mut self, key: &str, v: &T) -> Result<(), Failed> {
        match self {
            Fields::Record {
                build,
                dict,
                fields,
                next,
                seen,
                ..
            } => {
                // Fields come in the record's order: look from the last one on.
                let n = fields.len();
                let Some(i) = (0..n)
                    .map(|j| (*next + j) % n)
                    .find(|&i| fields[i].1 == key)
                else {
                    return Ok(());
                };
                let (name, _, plan) = &fields[i];
                dict.set_item(name.bind(build.py), v.serialize(build.with(plan))?)?;
                seen[i] = true;
                *next = i + 1;
            }
            Fields::Tagged {
                build, kind, id, ..
            } => {
                if key == "type" {
                    *kind = Some(v.serialize(Key)?);
                } else {
                    *id = Some(v.serialize(build.with(&Plan::Uuid))?);
                }
            }
            Fields::Content { build, out } => {
                if key == "record" {
                    *out = Some(v.serialize(build.with(build.plan))?);
                }
            }
            Fields::Dict {
                build,
                dict,
                uuid_keys,
            } => {
                let value = v.serialize(*build)?;
                if *uuid_keys {
                    let id = uuid::Uuid::parse_str(key)
                        .map_err(|e| PyValueError::new_err(e.to_string()))?;
                    dict.set_item(new_uuid(build.py, build.k, id.as_u128())?, value)?;
                } else {
                    dict.set_item(key, value)?;
                }
            }
        }
        Ok(())
    }

    fn done(self) -> Out<'py> {
        match self {
            Fields::Record {
                build,
                obj,
                dict,
                fields,
                seen,
                ..
            } => {
                for ((name, _, _), seen) in fields.iter().zip(seen) {
                    if !seen {
                        dict.set_item(name.bind(build.py), build.py.None())?;
                    }
                }
                Ok(obj)
            }
            Fields::Tagged {
                build,
                class,
                kind,
                id,
            } => {
                let py = build.py;
                let obj = build.k.object_new.bind(py).call1((class.bind(py),))?;
                let set = build.k.object_setattr.bind(py);
                set.call1((&obj, pyo3::intern!(py, "type"), kind))?;
                set.call1((&obj, pyo3::intern!(py, "id"), id))?;
                Ok(obj)
            }
            Fields::Content { build, out } => {
                Ok(out.unwrap_or_else(|| build.py.None().into_bound(build.py)))
            }
            Fields::Dict { dict, .. } => Ok(dict.into_any()),
        }
    }
}

impl<'py> ser::SerializeStruct for Fields<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Failed;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Failed> {
        self.field(key, v)
    }
    fn end(self) -> Out<'py> {
        self.done()
    }
}

/// A map's entries go where a struct's fields would; a key given alone waits for its value.
pub struct Map<'a, 'py> {
    fields: Fields<'a, 'py>,
    key: Option<String>,
}

impl<'py> ser::SerializeMap for Map<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Failed;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, k: &T) -> Result<(), Failed> {
        self.key = Some(k.serialize(Key)?);
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Failed> {
        let key = self
            .key
            .take()
            .ok_or_else(|| <Failed as ser::Error>::custom("a map value without its key"))?;
        self.fields.field(&key, v)
    }
    fn serialize_entry<K: ?Sized + Serialize, V: ?Sized + Serialize>(
        &mut self,
        k: &K,
        v: &V,
    ) -> Result<(), Failed> {
        let key = k.serialize(Key)?;
        self.fields.field(&key, v)
    }
    fn end(self) -> Out<'py> {
        self.fields.done()
    }
}

/// An enum variant with fields: `{variant: …}`.
pub struct Variant<'a, 'py, I> {
    build: Build<'a, 'py>,
    variant: &'static str,
    inner: I,
}

impl<'a, 'py> ser::SerializeTupleVariant for Variant<'a, 'py, Items<'a, 'py>> {
    type Ok = Bound<'py, PyAny>;
    type Error = Failed;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Failed> {
        self.inner.push(v)
    }
    fn end(self) -> Out<'py> {
        let value = self.inner.done()?;
        self.build.variant(self.variant, value)
    }
}

impl<'a, 'py> ser::SerializeStructVariant for Variant<'a, 'py, Fields<'a, 'py>> {
    type Ok = Bound<'py, PyAny>;
    type Error = Failed;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Failed> {
        self.inner.field(key, v)
    }
    fn end(self) -> Out<'py> {
        let value = self.inner.done()?;
        self.build.variant(self.variant, value)
    }
}

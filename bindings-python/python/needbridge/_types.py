"""The hand-written pieces of the typed layer: the record base class, actors, claimants and
the conversion between Python values and the core's JSON."""

from __future__ import annotations

import dataclasses
import enum
import json
import sys
import typing
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union
from uuid import UUID

from .errors import InvalidInputError, _invalid

R = typing.TypeVar("R")
F = typing.TypeVar("F", bound=typing.Callable[..., Any])

__all__ = ["Record", "Actor", "Claimant", "yuan", "fen", "DISTRICT_TZ", "Instant"]

DISTRICT_TZ: tzinfo = timezone(timedelta(hours=8), "Asia/Shanghai")
"""The district's time zone, China Standard Time (UTC+8, no daylight saving since 1991): where
a :class:`datetime.date` given as a time bound (``since=date(2025, 1, 1)``) starts, unless the
Hub was opened with another ``tz``."""

Instant = Union[datetime, date]
"""A time bound of a read: a timezone-aware :class:`~datetime.datetime`, or a
:class:`~datetime.date` meaning its midnight in the Hub's time zone (:data:`DISTRICT_TZ` by
default). A naive ``datetime`` is refused (:class:`InvalidInputError` naming the argument)."""


def _instant(v: Optional[Instant], field: str, tz: tzinfo) -> Optional[datetime]:
    """A time bound as an aware ``datetime``: a ``date`` becomes its midnight in ``tz``; a
    naive ``datetime`` or anything else is refused naming ``field``."""
    if v is None:
        return None
    if isinstance(v, datetime):
        if v.utcoffset() is None:
            raise _invalid(field, "must be a timezone-aware datetime or a date")
        return v
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day, tzinfo=tz)
    raise _invalid(field, f"must be a timezone-aware datetime or a date, not {type(v).__name__}")


def yuan(fen: int) -> float:
    """Converts an amount in fen (分, the core's unit for money) to yuan (元)."""
    return fen / 100


def fen(yuan: Union[int, float, str]) -> int:
    """Converts an amount in yuan to whole fen, rounding half away from zero
    (``fen(12.345) == 1235``); strings are read exactly (``fen("0.1") == 10``)."""
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

    try:
        d = Decimal(str(yuan)) * 100
    except InvalidOperation:
        raise _invalid("yuan", "is not a number") from None
    if not d.is_finite():
        raise _invalid("yuan", "is not a finite number")
    return int(d.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class Record:
    """Base of every record: ``to_dict()``; the native module builds records from the core's values."""

    def to_dict(self) -> Dict[str, Any]:
        """The record as plain Python values (ids as ``UUID``, times as ``datetime``, enums
        as their codes), nested records as dicts."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]


def _plain(v: Any) -> Any:
    if isinstance(v, Record):
        return v.to_dict()
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


_set = object.__setattr__


class _Tagged(Record):
    """A kind and an id: the shape of actors and claimants. Immutable, hashable."""

    __slots__ = ("type", "id")
    type: str
    id: Optional[UUID]

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def to_dict(self) -> Dict[str, Any]:
        """``{"type": ..., "id": ...}``."""
        return {"type": self.type, "id": self.id}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.type, self.id))

    def __reduce__(self) -> Tuple[Any, Tuple[str, Optional[UUID]]]:
        # Immutable: pickle and copy rebuild through the constructor, not by setting slots.
        return (type(self), (self.type, self.id))

    def __repr__(self) -> str:
        arg = "" if self.id is None else str(self.id)
        return f"{type(self).__name__}.{self.type}({arg})"


# The field that carries the id in the core's JSON form of each kind of actor.
_ACTOR_FIELDS: Dict[str, Optional[str]] = {
    "system": None,
    "district_admin": "district",
    "committee_staff": "unit",
    "work_unit_secretary": "work_unit",
    "member": "member",
    "organisation_contact": "organisation",
}


class Actor(_Tagged):
    """Who is acting: the host application says who its user is; the core decides what they
    may do. Build one with the class methods (``Actor.member(id)``, ...).

    ``type`` is ``system``, ``district_admin``, ``committee_staff``, ``work_unit_secretary``,
    ``member`` or ``organisation_contact``; ``id`` the district, unit, work unit, member or
    organisation the actor acts for (``None`` for the system)."""

    __slots__ = ()

    def __init__(self, type: str, id: Optional[UUID] = None) -> None:
        field = _ACTOR_FIELDS.get(type, _ACTOR_FIELDS)
        if field is _ACTOR_FIELDS:
            raise _invalid("actor", "is not a kind of actor")
        if (field is None) != (id is None):
            raise _invalid("actor", "needs an id" if id is None else "takes no id")
        # Built on every call: set the slots directly, an exact UUID as it is.
        _set(self, "type", type)
        _set(self, "id", id if id.__class__ is UUID or id is None else _uuid(id, "actor"))

    @classmethod
    def system(cls) -> "Actor":
        """The host itself (imports, scheduled jobs): allowed everything."""
        return cls("system")

    @classmethod
    def district_admin(cls, district: UUID) -> "Actor":
        """A district administrator."""
        return cls("district_admin", district)

    @classmethod
    def committee_staff(cls, unit: UUID) -> "Actor":
        """Staff of a unit (a committee, community or district office)."""
        return cls("committee_staff", unit)

    @classmethod
    def work_unit_secretary(cls, work_unit: UUID) -> "Actor":
        """The party secretary of a work unit."""
        return cls("work_unit_secretary", work_unit)

    @classmethod
    def member(cls, member: UUID) -> "Actor":
        """An in-service party member."""
        return cls("member", member)

    @classmethod
    def organisation_contact(cls, organisation: UUID) -> "Actor":
        """The contact person of an enterprise or social organisation."""
        return cls("organisation_contact", organisation)

    def _json(self) -> Dict[str, Any]:
        field = _ACTOR_FIELDS[self.type]
        out: Dict[str, Any] = {"type": self.type}
        if field is not None:
            out[field] = str(self.id)
        return out


class Claimant(_Tagged):
    """Who takes on a need: a member, a team or an organisation (``type``), and its ``id``."""

    __slots__ = ()
    id: UUID

    def __init__(self, type: str, id: UUID) -> None:
        if type not in ("member", "team", "organisation"):
            raise _invalid("claimant", "is not member, team or organisation")
        _set(self, "type", type)
        _set(self, "id", id if id.__class__ is UUID else _uuid(id, "claimant"))

    @classmethod
    def member(cls, member: UUID) -> "Claimant":
        """A member, as an individual."""
        return cls("member", member)

    @classmethod
    def team(cls, team: UUID) -> "Claimant":
        """A volunteer team (acting through its captain)."""
        return cls("team", team)

    @classmethod
    def organisation(cls, organisation: UUID) -> "Claimant":
        """An enterprise or social organisation (acting through its contact)."""
        return cls("organisation", organisation)

    def _json(self) -> Dict[str, Any]:
        return {"type": self.type, "id": str(self.id)}


# ------------------------------------------------------------------------------------------
# Python → JSON

E = typing.TypeVar("E", bound=enum.Enum)


def _enum(cls: typing.Type[E], v: Any, field: str) -> E:
    """An enum member from itself or its code; anything else is refused naming ``field``."""
    if isinstance(v, cls):
        return v
    if isinstance(v, str):
        try:
            return cls(v)
        except ValueError:
            pass
    codes = ", ".join(str(m.value) for m in cls)
    raise _invalid(field, f"must be one of: {codes}")


def _enums(cls: typing.Type[E], v: Any, field: str) -> typing.List[E]:
    if isinstance(v, (str, bytes)) or not isinstance(v, typing.Iterable):
        raise _invalid(field, "must be a list")
    return [_enum(cls, x, f"{field}[{i}]") for i, x in enumerate(v)]


def _uuid(v: Any, field: str) -> UUID:
    if isinstance(v, UUID):
        return v
    if isinstance(v, str):
        try:
            return UUID(v)
        except ValueError:
            raise _invalid(field, "is not a UUID") from None
    raise _invalid(field, f"must be a UUID, not {type(v).__name__}")


def _encode(v: Any, field: str) -> Any:
    """A Python value as the core's JSON value; ``field`` names it in errors."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        raise _invalid(field, "must be an integer (money is in fen: use needbridge.fen())")
    if isinstance(v, UUID):
        return str(v)
    if isinstance(v, datetime):
        if v.tzinfo is None or v.utcoffset() is None:
            raise _invalid(field, "must be a timezone-aware datetime")
        return v.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(v, (Actor, Claimant)):
        return v._json()
    if isinstance(v, Record):
        renamed = getattr(v, "_renamed", {})
        return {renamed.get(k, k): _encode(x, f"{field}.{k}") for k, x in v.to_dict().items()}
    if isinstance(v, Mapping):
        return {str(k): _encode(x, f"{field}.{k}") for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [_encode(x, f"{field}[{i}]") for i, x in enumerate(v)]
    raise _invalid(field, f"has an unsupported type {type(v).__name__}")



def _name(tp: Any) -> str:
    if isinstance(tp, type):
        if issubclass(tp, enum.Enum):
            return "one of: " + ", ".join(str(m.value) for m in tp)
        return {"str": "a str", "int": "an int", "bool": "a bool", "UUID": "a UUID",
                "datetime": "a timezone-aware datetime", "date": "a date"}.get(
                    tp.__name__, f"a {tp.__name__}")
    return str(tp)


_SHAPES: Dict[Any, Tuple[Any, Tuple[Any, ...]]] = {}


def _shape(tp: Any) -> Tuple[Any, Tuple[Any, ...]]:
    """``(typing.get_origin(tp), typing.get_args(tp))``, computed once per annotation."""
    try:
        return _SHAPES[tp]
    except KeyError:
        shape = (typing.get_origin(tp), typing.get_args(tp))
        _SHAPES[tp] = shape
        return shape
    except TypeError:  # an unhashable annotation
        return (typing.get_origin(tp), typing.get_args(tp))


def _check(tp: Any, v: Any, field: str) -> None:
    """Refuses ``v`` unless it fits the annotation ``tp``, naming ``field`` and the reason."""
    origin, args = _shape(tp)
    if tp is Any:
        return
    if origin is Union:
        if v is None and type(None) in args:
            return
        options = [a for a in args if a is not type(None)]
        for a in options:
            try:
                _check(a, v, field)
                return
            except InvalidInputError:
                pass
        if v is None:
            raise _invalid(field, "is required (got None)")
        if len(options) == 1:
            _check(options[0], v, field)
        raise _invalid(field, "must be " + " or ".join(_name(a) for a in options))
    if v is None:
        raise _invalid(field, "is required (got None)")
    if origin in (list, typing.List):
        if isinstance(v, (str, bytes)) or not isinstance(v, (list, tuple)):
            raise _invalid(field, f"must be a list, not {type(v).__name__}")
        for i, x in enumerate(v):
            _check(args[0], x, f"{field}[{i}]")
        return
    if origin in (dict, typing.Dict):
        if not isinstance(v, Mapping):
            raise _invalid(field, f"must be a mapping, not {type(v).__name__}")
        return
    if tp is str:
        if not isinstance(v, str):
            raise _invalid(field, f"must be a str, not {type(v).__name__}")
        return
    if tp is bool:
        if not isinstance(v, bool):
            raise _invalid(field, f"must be a bool, not {type(v).__name__}")
        return
    if tp is int:
        # Whole numbers are checked where each one's type is known, by the core's reading of
        # the arguments: a refusal names the field and the range (``from 0 to 4294967295``).
        return
    if tp is UUID:
        _uuid(v, field)
        return
    if tp is date:
        # A datetime is a date too: only an aware one (a naive one is ambiguous).
        if not isinstance(v, date):
            raise _invalid(field, f"must be a date, not {type(v).__name__}")
        if isinstance(v, datetime) and v.utcoffset() is None:
            raise _invalid(field, "must be a timezone-aware datetime or a date")
        return
    if tp is datetime:
        if not isinstance(v, datetime):
            raise _invalid(field, f"must be a timezone-aware datetime, not {type(v).__name__}")
        if v.tzinfo is None or v.utcoffset() is None:
            raise _invalid(field, "must be a timezone-aware datetime")
        return
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        _enum(tp, v, field)
        return
    if isinstance(tp, type) and (tp in (Actor, Claimant) or dataclasses.is_dataclass(tp)):
        if isinstance(v, tp) or (dataclasses.is_dataclass(tp) and isinstance(v, Mapping)):
            return
        raise _invalid(field, f"must be a needbridge.{tp.__name__}, not {type(v).__name__}")


def _trivial(tp: Any) -> typing.FrozenSet[type]:
    """The types whose values fit ``tp`` with no further check: an exact ``UUID``, ``str``,
    ``bool``, actor, claimant, enum or record where one is expected (``int`` needs its range
    checked, ``datetime`` its timezone, lists their items)."""
    origin, args = _shape(tp)
    options = args if origin is Union else (tp,)
    return frozenset(
        a
        for a in options
        if a in (UUID, str, bool, Actor, Claimant, type(None))
        or (isinstance(a, type) and (issubclass(a, enum.Enum) or dataclasses.is_dataclass(a)))
    )


def _guard(tp: Any, name: str, k: int, env: Dict[str, Any]) -> str:
    """The Python condition under which argument ``name`` (annotated ``tp``) passes without
    :func:`_check`: a test of its exact type (and a timezone for a ``datetime``)."""
    trivial = _trivial(tp)
    origin, args = _shape(tp)
    tests = []
    if len(trivial) == 1:
        env[f"_T{k}"] = next(iter(trivial))
        tests.append(f"_type({name}) is _T{k}")
    elif trivial:
        env[f"_T{k}"] = trivial
        tests.append(f"_type({name}) in _T{k}")
    if datetime in (args if origin is Union else (tp,)):
        tests.append(f"(_type({name}) is _datetime and {name}.utcoffset() is not None)")
    return " or ".join(tests) or "False"


def _typed(fn: F) -> F:
    """Checks every argument of a Hub method against its annotation before the core sees it,
    so a wrong type is refused naming the argument (as :class:`InvalidInputError`).

    The check is compiled once into a function with the method's own signature: each
    argument first meets a test of its exact type (an exact ``UUID`` where one is expected
    needs nothing more) and only what fails that goes through :func:`_check`, which accepts
    or refuses it with the reason. A call that does not fit the signature gets Python's own
    ``TypeError``."""
    import functools
    import inspect

    sig = inspect.signature(fn)
    hints = typing.get_type_hints(fn)
    env: Dict[str, Any] = {"_fn": fn, "_check": _check, "_type": type, "_datetime": datetime}
    params, forward, body = [], [], []
    star = False
    for k, p in enumerate(sig.parameters.values()):
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            raise TypeError(f"{fn.__name__}: only plain and keyword-only parameters")
        if p.kind is p.KEYWORD_ONLY and not star:
            params.append("*")
            star = True
        default = ""
        if p.default is not p.empty:
            env[f"_D{k}"] = p.default
            default = f"=_D{k}"
        params.append(p.name + default)
        forward.append(p.name if p.kind is p.POSITIONAL_OR_KEYWORD else f"{p.name}={p.name}")
        if p.name in hints and p.name != "self":
            env[f"_A{k}"] = hints[p.name]
            guard = _guard(hints[p.name], p.name, k, env)
            body.append(f"    if not ({guard}): _check(_A{k}, {p.name}, {p.name!r})")
    source = "\n".join(
        [f"def {fn.__name__}({', '.join(params)}):", *body, f"    return _fn({', '.join(forward)})"]
    )
    exec(compile(source, f"<needbridge checks of {fn.__qualname__}>", "exec"), env)
    return typing.cast(F, functools.update_wrapper(env[fn.__name__], fn))


# ------------------------------------------------------------------------------------------
# JSON → Python


_HINTS: Dict[type, Dict[str, Any]] = {}


def _hints(cls: type) -> Dict[str, Any]:
    h = _HINTS.get(cls)
    if h is None:
        module = sys.modules[cls.__module__]
        h = typing.get_type_hints(cls, vars(module))
        _HINTS[cls] = h
    return h


def _time(s: str) -> datetime:
    # Python 3.9's fromisoformat takes neither "Z" nor more than 6 fractional digits.
    s = s.replace("Z", "+00:00")
    return datetime.fromisoformat(s)


def _plan(tp: Any, seen: Tuple[Any, ...] = ()) -> Tuple[Any, ...]:
    """How the native module builds a value of ``tp`` from the core's JSON value: a tuple
    tree (see ``needbridge._native.Decoder``) derived from the annotations."""
    origin, args = _shape(tp)
    if origin is Union:
        return _plan([a for a in args if a is not type(None)][0], seen)
    if origin in (list, typing.List):
        return ("list", _plan(args[0], seen))
    if origin in (dict, typing.Dict):
        if args[0] is UUID:
            return ("dict", _plan(args[1], seen), ("uuid",))
        return ("dict", _plan(args[1], seen))
    if origin in (tuple, typing.Tuple):
        return ("tuple", tuple(_plan(a, seen) for a in args))
    if tp is UUID:
        return ("uuid",)
    if tp is datetime:
        return ("time",)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return ("enum", tp)
    if tp in (Actor, Claimant):
        return ("tagged", tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if tp in seen:
            raise TypeError(f"{tp.__name__} contains itself")
        hints = _hints(tp)
        renamed = getattr(tp, "_renamed", {})
        return (
            "record",
            tp,
            tuple(
                (f.name, renamed.get(f.name, f.name), _plan(hints[f.name], seen + (tp,)))
                for f in dataclasses.fields(tp)
            ),
        )
    return ("plain",)


_READERS: Dict[Any, Any] = {}


def _reader(tp: Any) -> Any:
    """The native decoder of ``tp`` (a record class, or ``[cls]`` for a list of them), built
    once per type: annotations may name classes defined later, so not at import."""
    key = ("list", tp[0]) if isinstance(tp, list) else tp
    r = _READERS.get(key)
    if r is None:
        from ._native import Decoder

        r = Decoder(("list", _plan(tp[0])) if isinstance(tp, list) else _plan(tp))
        _READERS[key] = r
    return r

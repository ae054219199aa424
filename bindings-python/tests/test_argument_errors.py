"""Arguments that do not fit are refused as ``InvalidInputError`` naming the argument's path
(``fulfilment.items[0].count``, ``limit``) and what is expected, never quoting the value, and
nothing is written: out-of-range numbers, wrong types, unknown codes, lone surrogates, and a
page ``limit`` above the Hub's maximum. Every backend, every command generically where the
signature allows."""

from __future__ import annotations

import collections.abc
import enum
import inspect
import sys
import typing
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, List, Tuple

import pytest

import needbridge as nb
from needbridge import models as m
from needbridge._commands import COMMANDS

from conftest import SYS, World

SECRET = "陈测试大爷"
PHONE = "13912345678"
SURROGATE = "\ud800"


def refused(world: World, call: Callable[[], Any]) -> nb.InvalidInputError:
    """Runs ``call``; expects ``InvalidInputError`` and an unchanged event log."""
    before = world.events()
    with pytest.raises(nb.InvalidInputError) as info:
        call()
    assert world.events() == before, "a refused call wrote something"
    return info.value


def quoted(e: BaseException, *values: str) -> List[str]:
    """Which of ``values`` appear anywhere in the exception: text, repr, args, attributes."""
    texts = [str(e), repr(e), repr(e.args), repr(vars(e))]
    for name in ("field", "reason", "message", "details"):
        texts.append(repr(getattr(e, name, "")))
    return [v for v in values if any(v in t for t in texts)]


# ------------------------------------------------------------------------------------------
# Valid arguments for any signature, so that one argument at a time can be made bad.


def _fulfilment() -> Dict[str, Any]:
    return dict(
        money_fen=0,
        items=[dict(count=1, description="书包")],
        minutes=30,
        people_served=1,
        evidence=["p.jpg"],
        note="ok",
    )


def _valid(tp: Any) -> Any:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Union:
        return _valid([a for a in args if a is not type(None)][0])
    if origin in (list, List, collections.abc.Sequence):
        return []
    if tp is str:
        return "文本"
    if tp is int:
        return 1
    if tp is bool:
        return False
    if tp is uuid.UUID:
        return uuid.uuid4()
    if tp is datetime:
        return datetime.now(timezone.utc) + timedelta(days=2)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return list(tp)[0]
    if tp is nb.Claimant:
        return nb.Claimant.member(uuid.uuid4())
    if tp is m.Fulfilment:
        return _fulfilment()
    if tp is m.Period:
        return None  # the bounds (since, until) are given instead
    if tp is m.Recurrence:
        return None  # a need that does not recur
    if tp is m.GeoPoint:
        return m.GeoPoint(lat_e6=26_594_321, lon_e6=104_832_654)
    raise AssertionError(f"no valid value for {tp}")


def _signature(name: str) -> Dict[str, Any]:
    """The keyword arguments of a Hub method and their annotations."""
    fn = getattr(nb.Hub, name).__wrapped__
    hints = typing.get_type_hints(fn, vars(sys.modules[fn.__module__]) | {"m": m})
    return {
        p.name: hints[p.name]
        for p in inspect.signature(fn).parameters.values()
        if p.name not in ("self", "actor")
    }


def _call(world: World, method: str, /, **change: Any) -> Any:
    """``method`` as the system with valid arguments (ids of nothing), but for ``change``."""
    sig = _signature(method)
    args = {k: _valid(t) for k, t in sig.items()}
    if "category" in args:
        args["category"] = "festival_goods"
    if method in ("export_ledger", "export_report"):
        args["work_unit"] = None
    args.update(change)
    return getattr(world.hub, method)(SYS, **args)


def _texts(tp: Any) -> bool:
    """Whether an annotation takes free text (``str``, possibly optional or in a list)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Union:
        return any(_texts(a) for a in args if a is not type(None)) and not any(
            isinstance(a, type) and issubclass(a, enum.Enum) for a in args
        )
    if origin in (list, List, collections.abc.Sequence):
        return _texts(args[0])
    return tp is str


# ------------------------------------------------------------------------------------------
# Numbers.

U32 = "must be a whole number from 0 to 4294967295"
I64 = "must be a whole number from -9223372036854775808 to 9223372036854775807"
U64 = "must be a whole number from 0 to 18446744073709551615"
I32 = "must be a whole number from -2147483648 to 2147483647"

# (command or read, path, how to place a value there)
NUMBERS: List[Tuple[str, str, Callable[[Any], Dict[str, Any]]]] = []


def _nested(path: str) -> Callable[[Any], Dict[str, Any]]:
    def place(v: Any) -> Dict[str, Any]:
        f = _fulfilment()
        if path == "fulfilment.items[0].count":
            f["items"][0]["count"] = v
        else:
            f[path.split(".")[1]] = v
        return {"fulfilment": f}

    return place


for _path in ("fulfilment.money_fen", "fulfilment.minutes", "fulfilment.people_served", "fulfilment.items[0].count"):
    NUMBERS.append(("complete_claim", _path, _nested(_path)))
for _name in COMMANDS + ["library", "activities", "events_since"]:
    for _arg, _tp in _signature(_name).items():
        if _tp is int or typing.Optional[int] == _tp:
            NUMBERS.append((_name, _arg, lambda v, _arg=_arg: {_arg: v}))

# The type of each numeric argument: what the refusal says.
RANGE = {
    "fulfilment.money_fen": I64,
    "estimated_cost_fen": I64,
    ("events_since", "after"): U64,
    ("set_working_calendar", "year"): I32,
}


def _range(name: str, path: str) -> str:
    return str(RANGE.get((name, path), RANGE.get(path, U32)))


def test_every_numeric_argument_is_covered() -> None:
    covered = {(n, p) for n, p, _ in NUMBERS}
    assert {
        ("complete_claim", "fulfilment.items[0].count"),
        ("log_hours", "minutes"),
        ("record_activity", "participants"),
        ("record_activity", "people_reached"),
        ("draft_need", "estimated_cost_fen"),
        ("library", "limit"),
        ("activities", "limit"),
        ("events_since", "limit"),
        ("events_since", "after"),
    } <= covered, covered


# Beyond every whole-number type, or of another type: refused by the reading, with the range.
NOT_A_FIT = [2**64, -(2**64), 1.5, float("nan"), True, PHONE, [1]]


@pytest.mark.parametrize("name, path, place", NUMBERS, ids=[f"{n}:{p}" for n, p, _ in NUMBERS])
def test_numbers_that_do_not_fit_name_the_field_and_range(world: World, name: str, path: str, place: Any) -> None:
    values: List[Any] = list(NOT_A_FIT)
    if _range(name, path) == U32:
        values += [-1, 2**32, 2**53, 2**63 - 1, 2**63]
    if _range(name, path) == U64:
        values += [-1]
    if _range(name, path) == I64:
        values += [2**63, 2**64 - 1]
    for v in values:
        e = refused(world, lambda: _call(world, name, **place(v)))
        assert e.field == path and e.reason.startswith(_range(name, path)), (v, e.reason)
        if _range(name, path) == I64 and v == 1.5:
            assert "needbridge.fen()" in e.reason  # money given in yuan
        assert not quoted(e, PHONE), v
        assert str(v) not in e.field + e.reason.replace(_range(name, path), ""), v


def test_a_page_limit_above_the_maximum_is_refused_not_cut(world: World) -> None:
    for read in ("library", "activities", "events_since"):
        e = refused(world, lambda: _call(world, read, limit=1001))
        assert (e.field, e.reason) == ("limit", "at most 1000"), read
    # The maximum itself is a page; 0 keeps meaning the default page (50).
    hub = world.hub
    assert hub.library(SYS, unit=world.committee, limit=1000).needs
    assert hub.activities(SYS, limit=1000) == []
    for i in range(20):
        hub.define_category(SYS, code=f"c{i}", name_zh="类", name_en="c")
    assert len(hub.events_since(SYS, 0, 1000)) == world.events() > 50
    assert len(hub.events_since(SYS, 0, 0)) == 50


# ------------------------------------------------------------------------------------------
# Codes and values never echoed.


def test_unknown_codes_are_refused_without_quoting_them(world: World) -> None:
    hub = world.hub
    calls: List[Tuple[str, Callable[[], Any]]] = [
        ("personal_data", lambda: hub.work_unit_ledger(SYS, world.work_unit, personal_data=SECRET)),
        ("personal_data", lambda: hub.committee_ledger(SYS, world.committee, personal_data=SECRET)),
        ("personal_data", lambda: hub.export_ledger(SYS, unit=world.committee, personal_data=SECRET)),
        ("language", lambda: hub.export_ledger(SYS, unit=world.committee, language=SECRET)),
        ("format", lambda: hub.export_ledger(SYS, unit=world.committee, format=SECRET)),
        ("values", lambda: hub.export_ledger(SYS, unit=world.committee, values=SECRET)),
        ("values", lambda: hub.export_report(SYS, unit=world.district, values=SECRET)),
        ("language", lambda: hub.export_report(SYS, unit=world.district, language=SECRET)),
        ("feedback", lambda: hub.record_feedback(SYS, need=world.need_open, feedback=SECRET)),
        ("kind", lambda: hub.units(SYS, kind=SECRET)),
        ("statuses[1]", lambda: hub.library(SYS, statuses=["published", SECRET])),
        ("scale", lambda: _call(world, "draft_need", scale=SECRET)),
        ("groups[0]", lambda: _call(world, "register_resident", groups=[SECRET])),
    ]
    for field, call in calls:
        e = refused(world, call)
        assert e.field == field, (field, e.field)
        assert e.reason.startswith("must be") and not quoted(e, SECRET), e
    e = refused(world, lambda: hub.work_unit_ledger(SYS, world.work_unit, personal_data=SECRET))
    assert e.reason == "must be one of: masked, full"


def test_the_native_layer_never_quotes_a_value(world: World) -> None:
    """Past the package's own checks: whatever reaches the core's reading of the arguments."""
    native = world.hub._hub
    from needbridge._types import _reader

    out = _reader(m.Claim)
    for fields, path in [
        (dict(claim=PHONE), "claim"),
        (dict(claim=SECRET), "claim"),
        (dict(claim=str(uuid.uuid4()), fulfilment={**_fulfilment(), "note": 13912345678}), "fulfilment.note"),
        (dict(claim=str(uuid.uuid4()), fulfilment={**_fulfilment(), "items": [{"count": PHONE, "description": "x"}]}),
         "fulfilment.items[0].count"),
        (dict(claim=str(uuid.uuid4()), fulfilment=SECRET), "fulfilment"),
        (dict(claim=str(uuid.uuid4())), "fulfilment"),
    ]:
        before = world.events()
        with pytest.raises(nb.InvalidInputError) as info:
            native.run(SYS, "complete_claim", fields, out)
        assert world.events() == before
        assert info.value.field == path, (fields, info.value.field)
        assert not quoted(info.value, PHONE, SECRET), info.value
    with pytest.raises(nb.InvalidInputError) as info:
        native.ask(SYS, "activities", {"held_from": SECRET}, _reader([m.Activity]))
    assert info.value.field == "held_from" and not quoted(info.value, SECRET)


# ------------------------------------------------------------------------------------------
# Lone surrogates: no Rust text can hold them.

TEXTS = [
    (name, arg)
    for name in COMMANDS
    + ["library", "export_ledger", "export_report", "work_unit_ledger", "committee_ledger"]
    for arg, tp in _signature(name).items()
    if _texts(tp)
]


def test_every_text_argument_is_covered() -> None:
    assert {("draft_need", "title"), ("library", "text"), ("library", "category"),
            ("report_member", "skills"), ("export_ledger", "format"),
            ("export_ledger", "values"), ("export_report", "language")} <= set(TEXTS)
    assert len({n for n, _ in TEXTS}) > 25


@pytest.mark.parametrize("name, arg", TEXTS, ids=[f"{n}:{a}" for n, a in TEXTS])
def test_a_lone_surrogate_in_any_text_argument_names_it(world: World, name: str, arg: str) -> None:
    tp = _signature(name)[arg]
    lists = (list, List, collections.abc.Sequence)
    is_list = typing.get_origin(tp) in lists or any(typing.get_origin(a) in lists for a in typing.get_args(tp))
    value: Any = ["好", f"坏{SURROGATE}"] if is_list else f"坏{SURROGATE}"
    e = refused(world, lambda: _call(world, name, **{arg: value}))
    assert e.field == (f"{arg}[1]" if is_list else arg), (e.field, e.reason)
    assert "surrogate" in e.reason or e.reason.startswith("must be"), e.reason


@pytest.mark.parametrize("path", ["fulfilment.note", "fulfilment.evidence[0]", "fulfilment.items[0].description"])
def test_a_lone_surrogate_in_a_record_names_its_path(world: World, path: str) -> None:
    f = _fulfilment()
    if path == "fulfilment.note":
        f["note"] = SURROGATE
    elif path == "fulfilment.evidence[0]":
        f["evidence"] = [SURROGATE]
    else:
        f["items"][0]["description"] = SURROGATE
    for given in (f, nb.Fulfilment(**{**f, "items": [nb.Item(**i) for i in f["items"]]})):
        e = refused(world, lambda: _call(world, "complete_claim", fulfilment=given))
        assert (e.field, e.reason) == (path, "contains an unpaired surrogate (not valid Unicode text)")


def test_a_lone_surrogate_in_a_connection_string_is_refused() -> None:
    with pytest.raises(nb.InvalidInputError) as e:
        nb.Hub.connect_postgres(f"postgresql://{SURROGATE}@localhost/x")
    assert e.value.field == "url"

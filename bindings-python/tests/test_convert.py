"""The native conversion of arguments and results: records built by the native module behave
exactly like records built in Python, every record type has a plan, and arguments of every
accepted shape reach the core as the same values (anything else refused naming the field)."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
import types
import uuid
from datetime import datetime, timedelta, timezone
from uuid import UUID

import pytest

import needbridge as nb
from needbridge import _native
from needbridge import models as m
from needbridge._types import Record, _plan, _reader

from conftest import SYS, World

BEIJING = timezone(timedelta(hours=8))


def records() -> list:
    return [
        c
        for c in vars(m).values()
        if isinstance(c, type) and issubclass(c, Record) and dataclasses.is_dataclass(c)
    ]


@pytest.mark.parametrize("cls", records(), ids=lambda c: c.__name__)
def test_every_record_type_has_a_plan_naming_each_field(cls: type) -> None:
    plan = _plan(cls)
    assert plan[0] == "record" and plan[1] is cls
    assert [f[0] for f in plan[2]] == [f.name for f in dataclasses.fields(cls)]
    assert isinstance(_reader(cls), _native.Decoder)
    assert _reader(cls) is _reader(cls)
    assert _reader([cls]) is not _reader(cls)


def test_plans_refuse_what_they_do_not_know() -> None:
    with pytest.raises(ValueError, match="unknown plan"):
        _native.Decoder(("nope",))
    with pytest.raises(TypeError):
        _native.Decoder(("record", m.Claim, (("id", "id", ("uuid",), "extra"), 3)))


def test_records_built_natively_behave_like_python_ones(world: World) -> None:
    hub, me = world.hub, world.member
    # An aware datetime in another zone, with microseconds: the same instant comes back.
    promised = (world.later - timedelta(days=1)).astimezone(BEIJING).replace(microsecond=123456)
    c = hub.claim_need(nb.Actor.member(me), need=world.need_open, claimant=nb.Claimant.member(me), promised_by=promised)

    for u in (c.id, c.need, c.committee, c.claimant.id):
        assert type(u) is UUID
        again = UUID(str(u))
        assert u == again and hash(u) == hash(again) and u.int == again.int
        assert u.is_safe is uuid.SafeUUID.unknown
        assert pickle.loads(pickle.dumps(u)) == u and copy.deepcopy(u) == u
    assert c.need == world.need_open and c.committee == world.committee

    assert c.promised_by == promised and c.promised_by.microsecond == 123456
    assert c.promised_by.tzinfo is timezone.utc and c.claimed_at.tzinfo is timezone.utc
    assert c.claimed_by is None and c.warned_at is None and c.fulfilment is None
    # The core writes 0, 3 or 6 fractional digits: each comes back exactly.
    for micros in (0, 120000):
        later = (c.promised_by + timedelta(hours=1)).replace(microsecond=micros)
        e = hub.extend_claim(nb.Actor.member(me), claim=c.id, promised_by=later)
        assert e.promised_by == later and e.promised_by.microsecond == micros
        assert e.promised_by.tzinfo is timezone.utc

    assert c.status is nb.ClaimStatus.ACTIVE
    assert c.claimant == nb.Claimant.member(me) and hash(c.claimant) == hash(nb.Claimant.member(me))
    assert repr(c.claimant) == f"Claimant.member({me})"
    with pytest.raises(AttributeError):
        c.claimant.id = uuid.uuid4()  # type: ignore[misc]

    # The record: equal to a fresh read, hashable, frozen, copyable, picklable, and
    # dataclasses' own machinery (which runs __init__) gives an equal value.
    c = hub.claim(SYS, c.id)
    assert c == hub.claim(SYS, c.id) and hash(c) == hash(hub.claim(SYS, c.id))
    assert dataclasses.replace(c) == c and dataclasses.replace(c, reason="x") != c
    assert pickle.loads(pickle.dumps(c)) == c and copy.deepcopy(c) == c
    assert m.Claim(**{f.name: getattr(c, f.name) for f in dataclasses.fields(c)}) == c
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.reason = "x"  # type: ignore[misc]
    assert set(c.to_dict()) == {f.name for f in dataclasses.fields(c)}
    assert f"id={c.id!r}" in repr(c)

    # Nested records, lists and renamed fields, in a report and a page.
    page = hub.library(SYS, unit=world.committee)
    assert all(type(n) is m.Need and type(n.id) is UUID for n in page.needs)
    assert {n.id for n in page.needs} >= {world.need_collective}
    events = hub.events_since(SYS, 0, 1000)
    assert events and all(type(e.at) is datetime and e.at.tzinfo is timezone.utc for e in events)
    assert any(e.actor == nb.Actor.member(me) for e in events)
    # Untyped parts (an event's command and after-images) stay plain JSON values: ids and
    # times as text, as the core writes them.
    claimed = [e for e in events if e.kind == "need_claimed"][-1]
    assert claimed.command["need"] == str(world.need_open)
    assert claimed.command["claimant"] == {"type": "member", "id": str(me)}
    change = next(ch["record"] for ch in claimed.changes if ch["kind"] == "claim")
    assert change["id"] == str(c.id) and change["status"] == "active"
    assert change["claimed_at"].endswith("Z") and json.loads(json.dumps(claimed.changes)) == claimed.changes
    assert any(e.actor == SYS for e in events)


def test_arguments_of_every_accepted_shape(world: World) -> None:
    hub, staff = world.hub, world.staff
    base = dict(committee=world.committee, name="居民", phone=None, id_number=None, address=None)
    # Lists as lists or tuples (not sets: their order is arbitrary); enum members or codes.
    a = hub.register_resident(staff, **base, groups=("elderly", nb.ResidentGroup.DISABLED))
    b = hub.register_resident(staff, **base, groups=[nb.ResidentGroup.ELDERLY])
    assert a.groups == [nb.ResidentGroup.ELDERLY, nb.ResidentGroup.DISABLED]
    assert b.groups == [nb.ResidentGroup.ELDERLY]
    with pytest.raises(nb.InvalidInputError) as e:
        hub.register_resident(staff, **base, groups={nb.ResidentGroup.ELDERLY})  # type: ignore[arg-type]
    assert e.value.field == "groups"
    # Ids as UUID or their text.
    c = hub.claim_need(
        nb.Actor.member(world.member),
        need=str(world.need_open),
        claimant=nb.Claimant.member(world.member),
        promised_by=world.later - timedelta(days=1),
    )
    assert c.need == world.need_open
    # A record, or a mapping of its fields, where a record is taken.
    f = dict(money_fen=100, items=[], minutes=30, people_served=1, evidence=["p.jpg"], note="")
    me = nb.Actor.member(world.member)
    hub.start_work(me, claim=c.id)
    done = hub.complete_claim(me, claim=c.id, fulfilment=types.MappingProxyType(f))  # type: ignore[arg-type]
    assert done.fulfilment == nb.Fulfilment(**f)  # type: ignore[arg-type]


def test_the_native_layer_refuses_what_it_cannot_convert(world: World) -> None:
    hub = world.hub._hub
    claim = _reader(m.Claim)
    before = world.events()

    def refused(actor: object, fields: dict) -> nb.InvalidInputError:
        with pytest.raises(nb.InvalidInputError) as e:
            hub.run(actor, "claim_need", fields, claim)
        return e.value

    me = nb.Actor.member(world.member)
    ok = dict(need=world.need_open, claimant=nb.Claimant.member(world.member), promised_by=world.later - timedelta(days=1))
    assert refused("system", ok).field == "actor"
    e = refused(me, dict(ok, need=object()))
    assert e.field == "need" and "unsupported type object" in e.reason
    e = refused(me, dict(ok, promised_by=datetime(2030, 1, 1)))
    assert e.field == "promised_by" and "timezone-aware" in e.reason
    e = refused(me, dict(ok, need=[1, 2.5]))  # a UUID may be read from its 16 bytes
    assert e.field == "need[1]" and e.reason == "must be a whole number from 0 to 255"
    e = refused(me, dict(ok, need=2**64))
    assert e.field == "need" and e.reason == "must be a UUID"
    e = refused(me, dict(ok, claimant={"type": "member", "id": {1, 2}, "x": datetime(2030, 1, 1)}))
    assert e.field == "claimant.x" and "timezone-aware" in e.reason
    # What did not fit the core's types is named by its path, the value never quoted.
    e = refused(me, dict(ok, need="not-a-uuid"))
    assert e.field == "need" and e.reason == "must be a UUID" and "not-a-uuid" not in str(e)
    e = refused(me, dict(ok, claimant={"type": "member", "id": "not-a-uuid"}))
    assert e.field == "claimant.id" and "not-a-uuid" not in str(e)
    assert world.events() == before


def test_compiled_checks_keep_each_methods_signature(world: World) -> None:
    import inspect

    methods = [getattr(nb.Hub, n) for n in dir(nb.Hub) if hasattr(getattr(nb.Hub, n), "__wrapped__")]
    assert len(methods) > 60
    for f in methods:
        assert inspect.signature(f, follow_wrapped=False) == inspect.signature(f.__wrapped__), f.__name__
    hub = world.hub
    with pytest.raises(TypeError):
        hub.claim(SYS)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        hub.claim_need(nb.Actor.member(world.member), world.need_open)  # type: ignore[misc]
    # A naive datetime is refused by the Python check, naming the parameter (the core's
    # argument is called `from`).
    with pytest.raises(nb.InvalidInputError) as e:
        hub.activities(SYS, held_from=datetime(2030, 1, 1))
    assert e.value.field == "held_from"
    # Values of a subclass or another accepted type still pass through the full check.
    class Id(UUID):
        pass

    assert hub.unit(SYS, str(world.committee)).id == world.committee
    assert hub.unit(SYS, Id(str(world.committee))).id == world.committee

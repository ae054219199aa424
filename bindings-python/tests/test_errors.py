"""Every error class, and bad input of every kind: a clear exception, nothing written."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import pytest

import needbridge as nb

from conftest import SYS, World


def test_the_hierarchy() -> None:
    for cls, builtin in [
        (nb.NotFoundError, LookupError),
        (nb.InvalidInputError, ValueError),
        (nb.ForbiddenError, PermissionError),
        (nb.StorageError, OSError),
        (nb.ConflictError, None),
        (nb.LimitReachedError, None),
        (nb.IllegalStateError, None),
        (nb.VersionNotSupportedError, None),
    ]:
        assert issubclass(cls, nb.NeedbridgeError)
        if builtin is not None:
            assert issubclass(cls, builtin)


def refused(world: World, exc: type, call: Callable[[], Any]) -> Any:
    """Runs ``call``, expects ``exc``, and checks that nothing was written."""
    before = world.events()
    with pytest.raises(exc) as info:
        call()
    assert world.events() == before, "a refused command wrote something"
    return info.value


def test_not_found(world: World) -> None:
    e = refused(world, nb.NotFoundError, lambda: world.hub.need(SYS, uuid.uuid4()))
    assert e.entity == "need" and e.kind == "not_found"
    refused(world, nb.NotFoundError, lambda: world.hub.publish_need(world.staff, need=uuid.uuid4()))


def test_forbidden(world: World) -> None:
    other = nb.Actor.committee_staff(world.other_committee)
    e = refused(world, nb.ForbiddenError, lambda: world.hub.publish_need(other, need=world.need_open))
    assert "publish" in e.reason


def test_conflict_limit_and_illegal_state(world: World) -> None:
    hub = world.hub
    until = hub.now() + timedelta(days=3)
    hub.claim_need(nb.Actor.member(world.member), need=world.need_open, claimant=nb.Claimant.member(world.member), promised_by=until)
    refused(
        world,
        nb.ConflictError,
        lambda: hub.claim_need(nb.Actor.member(world.loner), need=world.need_open, claimant=nb.Claimant.member(world.loner), promised_by=until),
    )
    e = refused(world, nb.IllegalStateError, lambda: hub.publish_need(world.staff, need=world.need_open))
    assert e.entity == "need" and e.state == "claimed"
    # The per-member limit of open claims (3 by default).
    staff = world.staff
    for i in range(3):
        n = hub.draft_need(staff, committee=world.committee, resident=world.resident, title=f"需求{i}", description="d", category="festival_goods", channel="family", scale="individual", estimated_cost_fen=0, wanted_by=world.later).id
        hub.publish_need(staff, need=n)
        if i < 2:
            hub.claim_need(nb.Actor.member(world.member), need=n, claimant=nb.Claimant.member(world.member), promised_by=until)
    e = refused(
        world,
        nb.LimitReachedError,
        lambda: hub.claim_need(nb.Actor.member(world.member), need=n, claimant=nb.Claimant.member(world.member), promised_by=until),
    )
    assert e.max == 3


def test_storage_error(tmp_path: Path) -> None:
    with pytest.raises(nb.StorageError):
        nb.Hub.open(tmp_path, create=True)  # a directory is not a database file


BAD = [
    # (field named in the error, keyword arguments over a valid draft)
    ("title", {"title": ""}),
    ("title", {"title": "x" * 100_000}),
    ("title", {"title": 42}),
    ("title", {"title": None}),
    ("scale", {"scale": "huge"}),
    ("scale", {"scale": 3}),
    ("channel", {"channel": None}),
    ("wanted_by", {"wanted_by": datetime(2030, 1, 1)}),
    ("wanted_by", {"wanted_by": "tomorrow"}),
    ("estimated_cost_fen", {"estimated_cost_fen": 12.5}),
    ("estimated_cost_fen", {"estimated_cost_fen": -1}),
    ("estimated_cost_fen", {"estimated_cost_fen": 10**30}),
    ("resident", {"resident": "not-a-uuid"}),
    ("category", {"category": "no_such_category"}),
]


@pytest.mark.parametrize("field, change", BAD, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD)])
def test_bad_input_names_the_field_and_writes_nothing(world: World, field: str, change: dict) -> None:
    args: dict = dict(
        committee=world.committee,
        resident=world.resident,
        title="轮椅",
        description="需要一辆轮椅",
        category="festival_goods",
        channel="family",
        scale="individual",
        estimated_cost_fen=100,
        wanted_by=world.later,
    )
    args.update(change)
    e = refused(world, nb.InvalidInputError, lambda: world.hub.draft_need(world.staff, **args))
    assert field in e.field or field in str(e), (e.field, e.reason)
    assert e.reason
    # Personal data never appears in an error.
    assert "陈大爷" not in str(e) and "13912345678" not in str(e)


def test_bad_actor_and_claimant(world: World) -> None:
    with pytest.raises(nb.InvalidInputError) as e:
        nb.Actor("mayor")
    assert e.value.field == "actor"
    with pytest.raises(nb.InvalidInputError):
        nb.Actor.member("nope")  # type: ignore[arg-type]
    with pytest.raises(nb.InvalidInputError):
        nb.Claimant("person", uuid.uuid4())
    refused(world, nb.InvalidInputError, lambda: world.hub.publish_need("system", need=world.need_open))  # type: ignore[arg-type]


def test_money_helpers() -> None:
    assert nb.fen("12.345") == 1235 and nb.fen(0.1) == 10 and nb.fen(3) == 300
    assert nb.yuan(1235) == 12.35
    with pytest.raises(nb.InvalidInputError):
        nb.fen("abc")


def test_user_messages_are_sentences_without_values(world: World) -> None:
    hub = world.hub
    with pytest.raises(nb.InvalidInputError) as bad:
        hub.register_resident(world.staff, committee=world.committee, name="张三", phone="12345", groups=[])
    assert bad.value.user_message() == "“手机号码”填写有误，请检查后重试。"
    english = bad.value.user_message("en")
    assert english.startswith("Please check the phone number") and "12345" not in english
    missing = uuid.uuid4()
    with pytest.raises(nb.NotFoundError) as nf:
        hub.need(world.staff, missing)
    assert nf.value.user_message() == "找不到该需求：它可能已被删除，或您无权查看。"
    assert str(missing) not in nf.value.user_message("en")
    member = nb.Actor.member(world.member)
    claim = hub.claim_need(member, need=world.need_open, claimant=nb.Claimant.member(world.member), promised_by=world.later)
    with pytest.raises(nb.ConflictError) as again:
        hub.claim_need(member, need=world.need_open, claimant=nb.Claimant.member(world.member), promised_by=world.later)
    assert again.value.user_message() == "操作未完成：数据已被他人抢先更改（例如需求已被认领），请刷新后再试。"
    with pytest.raises(nb.IllegalStateError) as state:
        hub.publish_need(world.staff, need=world.need_open)
    assert state.value.user_message() == "该需求当前状态为“已认领”，不能进行此操作。", claim
    with pytest.raises(nb.InvalidInputError) as lang:
        bad.value.user_message("fr")
    assert lang.value.field == "language"

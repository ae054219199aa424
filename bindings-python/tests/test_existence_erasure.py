"""Issue 14 through the Python package, on every backend: hidden entities answer like
missing ones, read filters refuse what a backend cannot store, and erasure removes a
resident's personal data from the whole store while every figure stays the same."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

import needbridge as nb
from needbridge import errors

from conftest import SYS, World, id_number


def _draft(w: World) -> uuid.UUID:
    return w.hub.draft_need(
        w.staff,
        committee=w.committee,
        resident=w.resident,
        title="年货",
        description="春节前送到",
        category="festival_goods",
        channel="family",
        scale="individual",
        estimated_cost_fen=0,
        wanted_by=w.later,
    ).id


def test_a_hidden_need_answers_every_command_like_a_random_id(world: World) -> None:
    w = world
    draft = _draft(w)
    other = w.hub.issue_certificate(
        nb.Actor.work_unit_secretary(w.work_unit),
        work_unit=w.work_unit,
        name="周杰",
        number="BD-2026-900",
        deadline=w.later,
    ).id
    w.hub.report_member(nb.Actor.member(other), member=other, committee=w.other_committee, commitment="服务", skills=[])
    w.hub.accept_report(nb.Actor.committee_staff(w.other_committee), member=other)
    outsider = nb.Actor.member(other)
    promised = datetime.now(timezone.utc) + timedelta(days=3)
    calls = [
        lambda n: w.hub.claim_need(outsider, need=n, claimant=nb.Claimant.member(other), promised_by=promised),
        lambda n: w.hub.submit_need(outsider, need=n),
        lambda n: w.hub.publish_need(nb.Actor.committee_staff(w.other_committee), need=n),
        lambda n: w.hub.reject_need(nb.Actor.committee_staff(w.other_committee), need=n, reason="重复"),
    ]
    before = w.events()
    for call in calls:
        random = uuid.uuid4()
        with pytest.raises(errors.NotFoundError) as hidden:
            call(draft)
        with pytest.raises(errors.NotFoundError) as missing:
            call(random)
        assert str(hidden.value).replace(str(draft), "<id>") == str(missing.value).replace(str(random), "<id>")
        assert hidden.value.entity == missing.value.entity == "need"
    assert w.events() == before
    # The committee's own staff still gets the honest answer.
    with pytest.raises(errors.IllegalStateError):
        w.hub.submit_need(w.staff, need=w.need_open)


@pytest.mark.parametrize("field", ["text", "category"])
@pytest.mark.parametrize("value", ["abc\x00def", "a\x07b", "x" * 201])
def test_library_filters_refuse_what_a_backend_cannot_store(world: World, field: str, value: str) -> None:
    with pytest.raises(errors.InvalidInputError) as e:
        world.hub.library(world.admin, **{field: value})
    assert e.value.field == field
    assert value not in str(e.value)


def test_erasure_removes_personal_data_and_keeps_every_figure(world: World, backend: str) -> None:
    w = world
    name, phone, idn, address = "袁秀珍测试", "13698765432", id_number("19370215", 417), "幸福里7栋302室"
    r = w.hub.register_resident(
        w.staff, committee=w.committee, name=name, phone=phone, id_number=idn, address=address, groups=["elderly"]
    ).id
    n = w.hub.draft_need(
        w.staff,
        committee=w.committee,
        resident=r,
        title="轮椅",
        description="行动不便",
        category="elder_care",
        channel="family",
        scale="individual",
        estimated_cost_fen=50_000,
        wanted_by=w.later,
    ).id
    w.hub.publish_need(w.staff, need=n)
    m = nb.Actor.member(w.loner)
    c = w.hub.claim_need(m, need=n, claimant=nb.Claimant.member(w.loner), promised_by=w.later - timedelta(days=1)).id
    w.hub.complete_claim(m, claim=c, fulfilment=nb.Fulfilment(money_fen=48_000, items=[], minutes=60, people_served=1, evidence=[], note=""))
    w.hub.verify_claim(w.staff, claim=c)
    before = w.hub.report(w.admin, unit=w.district).data

    for actor in (nb.Actor.committee_staff(w.other_committee), w.admin, m):
        with pytest.raises(errors.ForbiddenError):
            w.hub.erase_resident(actor, resident=r)
    erased = w.hub.erase_resident(w.staff, resident=r)
    assert erased.erased_at is not None
    assert (erased.name, erased.phone, erased.id_number, erased.address) == ("", None, None, None)
    assert w.hub.resident(w.staff, r) == erased
    assert w.hub.report(w.admin, unit=w.district).data == before
    with pytest.raises(errors.IllegalStateError):
        w.hub.erase_resident(w.staff, resident=r)

    log = []
    after = 0
    while page := w.hub.events_since(SYS, after, 1000):
        log.extend(page)
        after = page[-1].seq
    assert log[-1].kind == "resident_erased"
    text = json.dumps([repr(e) for e in log], ensure_ascii=False)
    for v in (name, phone, idn, address):
        assert v not in text

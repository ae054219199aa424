"""The Python API over every backend: commands, reads, records, vocabularies, reports."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import datetime, timedelta, timezone
from uuid import UUID

import pytest

import needbridge as nb
from needbridge import _native
from needbridge._commands import COMMANDS

from conftest import SYS, World


def test_every_core_command_has_a_method() -> None:
    assert COMMANDS == _native.codes("command")
    for name in COMMANDS:
        method = getattr(nb.Hub, name)
        params = inspect.signature(method).parameters
        assert "actor" in params, name
        assert method.__doc__, name


@pytest.mark.parametrize(
    "enum_cls, vocabulary",
    [
        (nb.UnitKind, "unit_kind"),
        (nb.OrganisationKind, "organisation_kind"),
        (nb.MemberStatus, "member_status"),
        (nb.CertificateState, "certificate_state"),
        (nb.ResidentGroup, "resident_group"),
        (nb.Channel, "channel"),
        (nb.Scale, "scale"),
        (nb.NeedStatus, "need_status"),
        (nb.ClaimStatus, "claim_status"),
        (nb.TeamKind, "team_kind"),
        (nb.ActivityKind, "activity_kind"),
        (nb.RoleKind, "role_kind"),
        (nb.HoursStatus, "hours_status"),
        (nb.LedgerKind, "ledger_kind"),
        (nb.Feedback, "feedback"),
        (nb.HelperKind, "helper_kind"),
        (nb.OfferStatus, "offer_status"),
        (nb.OfferSource, "offer_source"),
        (nb.Every, "every"),
        (nb.ServiceSource, "service_source"),
        (nb.CorrectionStatus, "correction_status"),
    ],
)
def test_vocabularies_match_the_core(enum_cls: type, vocabulary: str) -> None:
    assert [e.value for e in enum_cls] == _native.codes(vocabulary)  # type: ignore[attr-defined]


def test_records_are_typed_values(world: World) -> None:
    hub = world.hub
    unit = hub.unit(SYS, world.committee)
    assert isinstance(unit.id, UUID)
    assert unit.kind is nb.UnitKind.COMMITTEE and unit.kind == "committee"
    assert isinstance(unit.created_at, datetime) and unit.created_at.tzinfo is not None
    assert unit.path == [world.district, world.community, world.committee]
    assert unit == hub.unit(SYS, world.committee)
    assert "凤凰社区居委会" in repr(unit)
    d = unit.to_dict()
    assert d["kind"] == "committee" and d["id"] == world.committee
    with pytest.raises(dataclasses.FrozenInstanceError):
        unit.name = "x"  # type: ignore[misc]


def test_the_claim_flow_and_the_report(world: World) -> None:
    hub = world.hub
    me = nb.Actor.member(world.loner)
    claim = hub.claim_need(
        me,
        need=world.need_open,
        claimant=nb.Claimant.member(world.loner),
        promised_by=hub.now() + timedelta(days=7),
    )
    assert claim.status is nb.ClaimStatus.ACTIVE
    assert claim.claimant == nb.Claimant.member(world.loner)
    assert hub.need(SYS, world.need_open).status == "claimed"
    hub.start_work(me, claim=claim.id)
    done = hub.complete_claim(
        me,
        claim=claim.id,
        fulfilment=nb.Fulfilment(
            money_fen=nb.fen("88.50"),
            items=[nb.Item(count=1, description="书包")],
            minutes=30,
            people_served=1,
            evidence=["IMG_0001.jpg"],
            note="已送到",
        ),
    )
    assert done.fulfilment is not None and done.fulfilment.money_fen == 8850
    verified = hub.verify_claim(world.staff, claim=claim.id)
    assert verified.status is nb.ClaimStatus.VERIFIED
    assert hub.claims_of(SYS, nb.Claimant.member(world.loner)) == [verified]
    assert hub.claims(SYS, need=world.need_open, statuses=["verified"]) == [verified]

    report = hub.report(world.admin, unit=world.district)
    n = report.data.needs
    assert (n.needs_collected, n.needs_published, n.needs_claimed, n.needs_verified) == (2, 2, 1, 1)
    assert (n.claims_by_members, n.money_fen, n.items, n.people_served) == (1, 8850, 1, 1)
    assert report.data.residents_helped == 1
    assert report.data.helped == {"left_behind_child": 1}
    assert report.data.by_committee[world.committee].claims_verified == 1
    assert report.committee_names[world.committee] == "凤凰社区居委会"
    assert report.category_names["festival_goods"][0] == "节日物资"
    # The same figures for whole months come from the report cells on SQL backends.
    start = datetime(2000, 1, 1, tzinfo=timezone.utc)
    assert hub.report(world.admin, unit=world.district, since=start).data == report.data
    wu = hub.report(nb.Actor.work_unit_secretary(world.work_unit), work_unit=world.work_unit)
    assert wu.data.needs.claims_by_members == 1
    assert nb.yuan(n.money_fen) == 88.5


def test_reads_cover_the_library_and_the_ledgers(world: World) -> None:
    hub = world.hub
    page = hub.library(world.staff, statuses=["published"], limit=1)
    assert len(page.needs) == 1 and page.next is not None
    rest = hub.library(world.staff, statuses=[nb.NeedStatus.PUBLISHED], after=page.next)
    assert len(rest.needs) == 1 and rest.next is None
    assert {u.id for u in hub.units(SYS, parent=world.community)} == {
        world.committee,
        world.other_committee,
    }
    assert [u.id for u in hub.units(SYS, kind="district")] == [world.district]
    assert len(hub.members(world.staff, unit=world.committee, statuses=["accepted"])) == 3
    sec = nb.Actor.work_unit_secretary(world.work_unit)
    assert len(hub.certificates(sec, world.work_unit)) == 3
    assert len(hub.ledger(sec, world.work_unit)) == 3
    assert hub.team(SYS, world.team).captain == world.captain
    assert [t.id for t in hub.teams(SYS, unit=world.committee, kind="home_elder_care")] == [world.team]
    assert {r.id for r in hub.residents(world.staff, world.committee)} == {world.resident, world.child}
    assert hub.categories(SYS)
    assert hub.work_units(SYS)[0].id == world.work_unit
    assert hub.organisations(world.admin)[0].id == world.org
    rows = hub.work_unit_ledger(sec, world.work_unit)
    assert {r.member for r in rows} == {world.member, world.captain, world.loner}
    assert len(hub.committee_ledger(world.staff, world.committee)) == 2
    csv = hub.export_ledger(sec, work_unit=world.work_unit)
    assert isinstance(csv, str) and "王芳" in csv
    english = hub.export_ledger(sec, work_unit=world.work_unit, language="en")
    assert isinstance(english, str) and "Name" in english
    xlsx = hub.export_ledger(world.staff, unit=world.committee, format="xlsx")
    assert isinstance(xlsx, bytes) and xlsx[:2] == b"PK"
    events = hub.events_since(SYS, 0, 1000)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    created = [e for e in events if e.kind == "unit_created"]
    assert created[0].actor == SYS and created[0].command["name"] == "钟山区"
    assert hub.tick() == nb.TickSummary(warned=0, lapsed=0, expired=0)


def test_hours_activities_roles_and_pairings(world: World) -> None:
    hub = world.hub
    me = nb.Actor.member(world.member)
    served = hub.now() - timedelta(hours=2)
    h = hub.log_hours(me, member=world.member, served_at=served, minutes=90, description="陪老人聊天")
    assert hub.approve_hours(world.staff, hours=h.id).status is nb.HoursStatus.APPROVED
    assert [x.id for x in hub.hours_of(me, world.member)] == [h.id]
    assert [x.id for x in hub.hours_at(world.staff, world.committee, status="approved")] == [h.id]
    a = hub.record_activity(
        world.staff,
        committee=world.committee,
        kind="patrol",
        title="夜间巡逻",
        channel="community",
        team=world.team,
        held_at=served,
        participants=12,
        people_reached=300,
    )
    assert [x.id for x in hub.activities(SYS, unit=world.committee, kind="patrol")] == [a.id]
    role = hub.assign_role(world.staff, member=world.member, kind="building_head", scope="5栋")
    assert [r.id for r in hub.roles(SYS, world.committee, current_only=True)] == [role.id]
    p = hub.start_pairing(world.staff, member=world.member, resident=world.resident)
    assert [x.id for x in hub.pairings(world.staff, world.committee)] == [p.id]


def test_the_library_filters_by_grid(world: World) -> None:
    hub = world.hub
    grid = hub.create_unit(world.admin, kind="grid", name="第一网格", parent=world.committee).id
    in_grid = hub.draft_need(
        world.staff,
        committee=world.committee,
        grid=grid,
        resident=world.resident,
        title="修水管",
        description="网格内的需求",
        category="festival_goods",
        channel="grid",
        scale="individual",
        estimated_cost_fen=0,
        wanted_by=world.later,
    ).id
    hub.publish_need(world.staff, need=in_grid)
    for actor in (world.staff, nb.Actor.member(world.member)):
        assert [n.id for n in hub.library(actor, grid=grid).needs] == [in_grid]
    assert len(hub.library(world.staff).needs) == 3


def test_a_committee_defines_its_own_category(world: World) -> None:
    hub = world.hub
    with pytest.raises(nb.ForbiddenError):
        hub.define_category(world.staff, code="meals", name_zh="送餐上门", name_en="Meals")
    meals = hub.define_category(
        world.staff,
        code="meals",
        name_zh="送餐上门",
        name_en="Meals",
        parent="festival_goods",
        committee=world.committee,
    )
    assert (meals.parent, meals.committee) == ("festival_goods", world.committee)
    need = hub.draft_need(
        world.staff,
        committee=world.committee,
        resident=world.resident,
        title="每周送餐",
        description="独居老人",
        category="meals",
        channel="family",
        scale="individual",
        estimated_cost_fen=0,
        wanted_by=world.later,
    )
    assert need.category == "meals"
    with pytest.raises(nb.InvalidInputError) as e:
        hub.define_category(
            world.staff, code="x", name_zh="x", name_en="x", parent="meals", committee=world.committee
        )
    assert e.value.field == "parent"

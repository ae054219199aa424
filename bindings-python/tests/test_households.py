"""Households and needs for several residents, from Python: one household of three helped once
is one household (户) and one person; a need for three residents counts three people; the
figures agree over whole months (the report cells) and over any period (the rows)."""

from __future__ import annotations

from datetime import timedelta

import pytest

import needbridge as nb

from conftest import World


def _verified(world: World, resident: object, beneficiaries: list) -> None:
    hub, staff = world.hub, world.staff
    n = hub.draft_need(staff, committee=world.committee, resident=resident, title="取暖物资",
                       description="一户三口", category="festival_goods", channel="family",
                       scale="collective", estimated_cost_fen=0, wanted_by=world.later,
                       beneficiaries=beneficiaries)
    _done(world, n.id)


def _done(world: World, need: object) -> None:
    """Publishes the need; the team claims and completes it; the committee verifies it."""
    hub, staff = world.hub, world.staff
    hub.publish_need(staff, need=need)
    captain = nb.Actor.member(world.captain)
    c = hub.claim_need(captain, need=need, claimant=nb.Claimant.team(world.team),
                       promised_by=hub.now() + timedelta(days=3))
    hub.complete_claim(captain, claim=c.id, fulfilment=nb.Fulfilment(people_served=3))
    hub.verify_claim(staff, claim=c.id)


def test_households_and_beneficiaries_count_as_the_district_counts(world: World) -> None:
    hub, staff = world.hub, world.staff
    home = hub.register_household(staff, committee=world.committee)
    hub.set_household(staff, resident=world.resident, household=home.id)
    spouse = hub.register_resident(staff, committee=world.committee, name="王秀英",
                                   groups=["elderly"], household=home.id).id
    grandson = hub.register_resident(staff, committee=world.committee, name="王小军",
                                     groups=["elderly"], household=home.id).id
    assert [h.id for h in hub.households(staff, world.committee)] == [home.id]
    with pytest.raises(nb.InvalidInputError) as e:
        hub.draft_need(staff, committee=world.committee, resident=spouse, title="x",
                       description="x", category="festival_goods", channel="family",
                       scale="individual", estimated_cost_fen=0, wanted_by=world.later,
                       beneficiaries=[spouse])
    assert e.value.field == "beneficiaries[0]"

    _verified(world, world.resident, [])
    since = hub.now() - timedelta(days=1)  # not a whole month: the rows answer
    for d in (hub.report(world.admin, unit=world.district).data,
              hub.report(world.admin, unit=world.district, since=since).data):
        assert (d.residents_helped, d.households_helped, d.needs.needs_verified) == (1, 1, 1)
    _verified(world, spouse, [grandson, world.child])
    for d in (hub.report(world.admin, unit=world.district).data,
              hub.report(world.admin, unit=world.district, since=since).data):
        assert (d.residents_helped, d.households_helped, d.needs.needs_verified) == (4, 1, 2)


def test_a_need_for_an_institution_is_a_service_but_no_person(world: World) -> None:
    hub, staff = world.hub, world.staff
    before = hub.report(world.admin, unit=world.district).data
    common = dict(committee=world.committee, title="助浴", description="每周一次",
                  category="festival_goods", channel="community", scale="collective",
                  estimated_cost_fen=0, wanted_by=world.later)
    with pytest.raises(nb.InvalidInputError) as e:
        hub.draft_need(staff, resident=world.resident, institution="白鹤养老服务中心", **common)
    assert e.value.field == "institution"
    with pytest.raises(nb.InvalidInputError) as e:
        hub.draft_need(staff, **common)
    assert e.value.field == "resident"
    n = hub.draft_need(staff, institution="白鹤养老服务中心", **common)
    assert (n.resident, n.institution) == (None, "白鹤养老服务中心")
    _done(world, n.id)
    d = hub.report(world.admin, unit=world.district).data
    assert (d.residents_helped, d.households_helped) == (before.residents_helped, before.households_helped)
    assert d.needs.needs_verified == before.needs.needs_verified + 1
    pd = pytest.importorskip("pandas")
    df = hub.frame("needs", world.admin, unit=world.district)
    row = df[df["id"] == str(n.id)].iloc[0]
    assert row["institution"] == "白鹤养老服务中心"
    assert pd.isna(row["resident"]), "no resident: missing"

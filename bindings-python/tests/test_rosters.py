"""Who served, from Python: rosters give person-times and hours (a bare count stays possible and
the report tells them apart), a team claim's roster credits the members on it in the work-unit
ledger, and a pairing's visits are its log and count as service."""

from __future__ import annotations

from datetime import timedelta

import pytest

import needbridge as nb

from conftest import World


def test_an_activity_roster_gives_person_times_and_hours(world: World) -> None:
    hub = world.hub
    held = hub.now() - timedelta(hours=3)
    roster = [
        nb.RosterLine(minutes=120, member=world.member),
        nb.RosterLine(
            minutes=90, member=world.captain, signed_in=held, signed_out=held + timedelta(minutes=95)
        ),
        nb.RosterLine(minutes=60, helper=nb.HelperKind.FAMILY, people=2),
    ]
    a = hub.record_activity(
        world.staff, committee=world.committee, kind="patrol", title="背街小巷巡防", channel="grid",
        held_at=held, participants=0, people_reached=40, place="凤凰路背街小巷", roster=roster,
    )
    assert a.participants == 4
    assert a.roster == roster and a.place == "凤凰路背街小巷"
    hub.record_activity(
        world.staff, committee=world.committee, kind="patrol", title="夜间巡逻", channel="grid",
        held_at=held, participants=12, people_reached=300,
    )
    with pytest.raises(nb.InvalidInputError) as e:
        hub.record_activity(
            world.staff, committee=world.committee, kind="patrol", title="x", channel="grid",
            held_at=held, participants=5, people_reached=0, roster=roster,
        )
    assert e.value.field == "participants"
    with pytest.raises(nb.InvalidInputError) as e:
        hub.record_activity(
            world.staff, committee=world.committee, kind="patrol", title="x", channel="grid",
            held_at=held, participants=0, people_reached=0,
            roster=[nb.RosterLine(minutes=31, member=world.member, signed_in=held,
                                  signed_out=held + timedelta(minutes=30))],
        )
    assert e.value.field == "roster[0].minutes"

    patrols = hub.report(world.admin, unit=world.district).data.activities["patrol"]
    assert (patrols.count, patrols.participants) == (2, 16)
    assert (patrols.rostered, patrols.rostered_participants, patrols.roster_minutes) == (1, 4, 330)
    frame = hub.frame("activities", world.admin, unit=world.district)
    assert sorted(frame["rostered"].tolist()) == [0, 1]
    assert sorted(frame["roster_minutes"].tolist()) == [0, 330]

    rows = {r.member: r for r in hub.work_unit_ledger(nb.Actor.work_unit_secretary(world.work_unit), world.work_unit)}
    assert (rows[world.member].activities, rows[world.member].activity_minutes) == (1, 120)
    assert (rows[world.captain].activities, rows[world.captain].activity_minutes) == (1, 90)
    assert rows[world.loner].activities == 0


def test_a_team_claim_roster_credits_who_served(world: World) -> None:
    hub = world.hub
    captain = nb.Actor.member(world.captain)
    hub.join_team(nb.Actor.member(world.member), team=world.team, member=world.member)
    claim = hub.claim_need(
        captain, need=world.need_open, claimant=nb.Claimant.team(world.team),
        promised_by=hub.now() + timedelta(days=2),
    )
    with pytest.raises(nb.InvalidInputError) as e:
        hub.complete_claim(captain, claim=claim.id, fulfilment=nb.Fulfilment(
            roster=[nb.RosterLine(minutes=30, member=world.loner)]))
    assert e.value.field == "fulfilment.roster[0].member"
    done = hub.complete_claim(captain, claim=claim.id, fulfilment=nb.Fulfilment(
        people_served=1,
        roster=[nb.RosterLine(minutes=60, member=world.captain),
                nb.RosterLine(minutes=45, member=world.member),
                nb.RosterLine(minutes=30, helper="employee", people=3)]))
    assert done.fulfilment is not None and done.fulfilment.minutes == 60 + 45 + 90
    rows = {r.member: r for r in hub.work_unit_ledger(nb.Actor.work_unit_secretary(world.work_unit), world.work_unit)}
    assert (rows[world.captain].served_claims, rows[world.captain].served_minutes) == (1, 60)
    assert (rows[world.member].served_claims, rows[world.member].served_minutes) == (1, 45)
    assert rows[world.loner].served_claims == 0


def test_pairing_visits_are_its_log_and_count_as_service(world: World) -> None:
    hub = world.hub
    pairing = hub.start_pairing(world.staff, member=world.member, resident=world.resident)
    me = nb.Actor.member(world.member)
    with pytest.raises(nb.InvalidInputError) as e:
        hub.log_hours(nb.Actor.member(world.loner), member=world.loner, served_at=hub.now(),
                      minutes=30, description="走访", pairing=pairing.id)
    assert e.value.field == "pairing"
    v = hub.log_hours(me, member=world.member, served_at=hub.now(), minutes=40,
                      description="上门走访，帮忙打扫", pairing=pairing.id)
    hub.approve_hours(world.staff, hours=v.id)
    assert [h.id for h in hub.visits(me, pairing.id)] == [v.id]
    with pytest.raises(nb.NotFoundError):
        hub.visits(nb.Actor.member(world.loner), pairing.id)
    d = hub.report(world.admin, unit=world.district).data
    assert (d.pairing_visits, d.visit_minutes, d.hours_minutes) == (1, 40, 40)

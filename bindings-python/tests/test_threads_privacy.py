"""One Hub shared by threads (no double claims), and personal data masked for whoever is not
entitled to it."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import List

import needbridge as nb

from conftest import SYS, World


def test_threads_never_double_claim(world: World) -> None:
    hub = world.hub
    staff = world.staff
    needs = []
    for i in range(6):
        n = hub.draft_need(staff, committee=world.committee, resident=world.resident, title=f"需求{i}", description="d", category="festival_goods", channel="family", scale="individual", estimated_cost_fen=0, wanted_by=world.later).id
        hub.publish_need(staff, need=n)
        needs.append(n)
    # Three members (each may hold 3 open claims) and an organisation race for every need.
    racers = [
        (nb.Actor.member(world.member), nb.Claimant.member(world.member)),
        (nb.Actor.member(world.loner), nb.Claimant.member(world.loner)),
        (nb.Actor.member(world.captain), nb.Claimant.member(world.captain)),
        (nb.Actor.organisation_contact(world.org), nb.Claimant.organisation(world.org)),
    ]
    until = hub.now() + timedelta(days=5)
    wins: List[str] = []
    refusals: List[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(racers))

    def race(actor: nb.Actor, claimant: nb.Claimant) -> None:
        start.wait()
        for n in needs:
            try:
                hub.claim_need(actor, need=n, claimant=claimant, promised_by=until)
                with lock:
                    wins.append(str(n))
            except (nb.ConflictError, nb.LimitReachedError, nb.IllegalStateError) as e:
                with lock:
                    refusals.append(type(e).__name__)

    threads = [threading.Thread(target=race, args=r) for r in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == sorted(str(n) for n in needs), "every need claimed exactly once"
    assert len(refusals) == len(racers) * len(needs) - len(needs)
    for n in needs:
        live = [c for c in hub.claims(SYS, need=n) if c.status == "active"]
        assert len(live) == 1


def test_personal_data_is_masked_unless_entitled(world: World) -> None:
    hub = world.hub
    full = hub.resident(world.staff, world.resident)
    assert full.phone == "13912345678" and not full.masked
    assert full.name == "陈大爷"
    for actor in [
        nb.Actor.member(world.member),
        nb.Actor.committee_staff(world.other_committee),
        nb.Actor.organisation_contact(world.org),
    ]:
        r = hub.resident(actor, world.resident)
        assert r.masked
        assert r.phone != "13912345678" and "陈大爷" != r.name
        assert r.id_number is None or "0815" not in r.id_number
    # A member's phone: in full for their committee's staff and their work unit, masked for
    # a neighbour committee.
    assert hub.member(world.staff, world.member).phone == "13800000001"
    other = hub.member(nb.Actor.committee_staff(world.other_committee), world.member)
    assert other.phone != "13800000001"
    # Ledgers: masked by default, in full only for entitled actors who ask.
    sec = nb.Actor.work_unit_secretary(world.work_unit)
    masked = hub.export_ledger(sec, work_unit=world.work_unit)
    assert isinstance(masked, str) and "13800000001" not in masked
    shown = hub.export_ledger(sec, work_unit=world.work_unit, personal_data="full")
    assert isinstance(shown, str) and "13800000001" in shown
    rows = hub.committee_ledger(world.staff, world.committee)
    assert all("陈大爷" != r.resident for r in rows)


def test_masking_hides_a_one_character_name_and_a_short_address(world: World) -> None:
    """Issue 14: a masked name or address never comes back whole, however short."""
    hub = world.hub
    staff = world.staff
    r = hub.register_resident(
        staff,
        committee=world.committee,
        name="犇",
        phone="13912340000",
        address="幸福里3号",
        groups=["elderly"],
    ).id
    n = hub.draft_need(
        staff,
        committee=world.committee,
        resident=r,
        title="助餐",
        description="居民需求",
        category="festival_goods",
        channel="family",
        scale="individual",
        estimated_cost_fen=nb.fen("50"),
        wanted_by=world.later,
    ).id
    for actor in [world.admin, nb.Actor.member(world.member), nb.Actor.committee_staff(world.other_committee)]:
        m = hub.resident(actor, r)
        assert m.masked
        assert (m.name, m.phone, m.address) == ("***", "139****0000", "***")
    rows = [x for x in hub.committee_ledger(world.admin, world.committee) if x.need == n]
    assert [x.resident for x in rows] == ["***"]
    export = hub.export_ledger(world.admin, unit=world.committee)
    events = [e for e in hub.events_since(world.admin, 0, 1000) if e.kind == "resident_registered"]
    assert isinstance(export, str) and "助餐" in export and events
    for text in [export, str(events)]:
        assert "犇" not in text and "幸福" not in text and "3号" not in text
    full = hub.resident(staff, r)
    assert (full.name, full.address, full.masked) == ("犇", "幸福里3号", False)

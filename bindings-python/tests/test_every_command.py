"""Every command of the core runs through the Python API at least once, on every backend,
each returning the record it wrote (the generic path is shared; this pins every generated
signature to what the core accepts)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, Set

import pytest

import needbridge as nb
from needbridge._commands import COMMANDS

from conftest import SYS, World, id_number


def test_every_command(world: World) -> None:
    hub, staff, admin = world.hub, world.staff, world.admin
    ran: Set[str] = set()

    def run(command: str, actor: nb.Actor, **kw: object) -> Any:
        ran.add(command)
        return getattr(hub, command)(actor, **kw)

    # Already run by the fixture; run once more where it is harmless.
    ran.update({"create_unit", "register_work_unit", "register_organisation", "issue_certificate",
                "report_member", "accept_report", "form_team", "appoint_captain",
                "register_resident", "draft_need", "publish_need"})
    cat = run("define_category", admin, code="winter_clothes", name_zh="冬衣", name_en="Winter clothes")
    assert isinstance(cat, nb.Category) and cat.code == "winter_clothes"

    sec = nb.Actor.work_unit_secretary(world.work_unit)
    m = hub.issue_certificate(sec, work_unit=world.work_unit, name="钱伟", number="BD-2026-099", deadline=world.later).id
    hub.report_member(nb.Actor.member(m), member=m, committee=world.committee, commitment="服务", skills=[])
    assert run("return_report", staff, member=m, reason="证明材料不全").status is nb.MemberStatus.RETURNED
    assert run("reissue_certificate", sec, member=m, number="BD-2026-100", deadline=world.later).certificate.number == "BD-2026-100"

    r = run("update_resident", staff, resident=world.resident, name="陈大爷", groups=["empty_nest_elderly", "disabled"])
    assert set(r.groups) == {nb.ResidentGroup.EMPTY_NEST_ELDERLY, nb.ResidentGroup.DISABLED}

    def draft(title: str, wanted_in: timedelta = timedelta(days=20)) -> nb.Need:
        return hub.draft_need(staff, committee=world.committee, resident=world.resident, title=title, description="d",
                              category="winter_clothes", channel="community", scale="individual",
                              estimated_cost_fen=0, wanted_by=hub.now() + wanted_in)

    n1 = draft("冬衣一")
    assert run("submit_need", staff, need=n1.id).status is nb.NeedStatus.SUBMITTED
    assert run("reject_need", staff, need=n1.id, reason="重复").status is nb.NeedStatus.REJECTED
    n2 = draft("冬衣二")
    hub.publish_need(staff, need=n2.id)
    assert run("withdraw_need", staff, need=n2.id, reason="已解决").status is nb.NeedStatus.WITHDRAWN

    # Claims: extend, release, send back, warn, verify, feedback.
    me = nb.Actor.member(world.member)
    until = hub.now() + timedelta(days=2)
    c = hub.claim_need(me, need=world.need_open, claimant=nb.Claimant.member(world.member), promised_by=until)
    assert run("extend_claim", me, claim=c.id, promised_by=until + timedelta(days=3)).extensions == 1
    assert run("release_claim", me, claim=c.id, reason="临时出差").status is nb.ClaimStatus.RELEASED
    c = hub.claim_need(me, need=world.need_open, claimant=nb.Claimant.member(world.member), promised_by=until)
    assert run("warn_claim_due", SYS, claim=c.id).warned_at is not None
    assert run("start_work", me, claim=c.id).started_at is not None
    f = nb.Fulfilment(money_fen=0, items=[], minutes=30, people_served=1, evidence=[], note="")
    run("complete_claim", me, claim=c.id, fulfilment=f)
    assert run("send_back_claim", staff, claim=c.id, reason="缺照片").send_backs == 1
    run("complete_claim", me, claim=c.id, fulfilment=f)
    run("verify_claim", staff, claim=c.id)
    n = run("record_feedback", staff, need=world.need_open, feedback="satisfied")
    assert n.feedback is nb.Feedback.SATISFIED
    ran.add("claim_need")

    # Teams, hours, roles, pairings.
    t = run("join_team", nb.Actor.member(world.loner), team=world.team, member=world.loner)
    assert world.loner in t.members
    assert world.loner not in run("leave_team", nb.Actor.member(world.loner), team=world.team, member=world.loner).members
    h = run("log_hours", me, member=world.member, served_at=hub.now() - timedelta(hours=1), minutes=60, description="巡逻")
    assert run("reject_hours", staff, hours=h.id, reason="重复登记").status is nb.HoursStatus.REJECTED
    h = hub.log_hours(me, member=world.member, served_at=hub.now() - timedelta(hours=1), minutes=30, description="探访")
    run("approve_hours", staff, hours=h.id)
    run("record_activity", staff, committee=world.committee, kind="lecture", title="政策宣讲", channel="community",
        held_at=hub.now() - timedelta(hours=3), participants=5, people_reached=80)
    role = run("assign_role", staff, member=world.member, kind="courtyard_head", scope="一号院")
    assert run("end_role", staff, role=role.id).until is not None
    p = run("start_pairing", staff, member=world.member, resident=world.resident)
    assert run("end_pairing", staff, pairing=p.id, reason="已脱困").until is not None

    # Households, offers (派单) and recurring needs (issue 18).
    h = run("register_household", staff, committee=world.committee)
    assert run("set_household", staff, resident=world.child, household=h.id).household == h.id
    n5 = draft("冬衣五")
    hub.publish_need(staff, need=n5.id)
    soon = hub.now() + timedelta(days=1)
    o = run("offer_need", staff, need=n5.id, to=nb.Claimant.member(world.loner), expires_at=soon)
    assert run("decline_offer", nb.Actor.member(world.loner), offer=o.id, reason="出差").status is nb.OfferStatus.DECLINED
    o = hub.offer_need(staff, need=n5.id, to=nb.Claimant.member(world.captain), expires_at=soon)
    assert run("accept_offer", nb.Actor.member(world.captain), offer=o.id, promised_by=soon).need == n5.id
    n6 = draft("冬衣六")
    hub.publish_need(staff, need=n6.id)
    o6 = hub.offer_need(staff, need=n6.id, to=nb.Claimant.member(world.loner),
                        expires_at=hub.now() + timedelta(seconds=2))
    weekly = hub.draft_need(staff, committee=world.committee, resident=world.resident, title="每周送餐",
                            description="d", category="winter_clothes", channel="family", scale="individual",
                            estimated_cost_fen=0, wanted_by=hub.now() + timedelta(seconds=2),
                            recurrence=nb.Recurrence(every=nb.Every.WEEK, times=3))
    hub.publish_need(staff, need=weekly.id)

    # Expiry and lapse need time to pass: a need wanted within seconds, a claim due within seconds.
    n3 = draft("冬衣三", wanted_in=timedelta(seconds=2))
    hub.publish_need(staff, need=n3.id)
    n4 = draft("冬衣四")
    hub.publish_need(staff, need=n4.id)
    c4 = hub.claim_need(nb.Actor.member(world.loner), need=n4.id, claimant=nb.Claimant.member(world.loner),
                        promised_by=hub.now() + timedelta(seconds=2))
    time.sleep(2.5)
    assert run("expire_need", SYS, need=n3.id).status is nb.NeedStatus.EXPIRED
    assert run("lapse_claim", SYS, claim=c4.id).status is nb.ClaimStatus.LAPSED
    assert run("lapse_offer", SYS, offer=o6.id).status is nb.OfferStatus.LAPSED
    nxt = run("next_occurrence", SYS, need=weekly.id)
    assert (nxt.series, nxt.occurrence) == (weekly.id, 2)

    # Service records (the approved hours above), a certificate, a correction.
    cert = run("issue_service_certificate", staff, member=world.member, committee=world.committee)
    assert cert.minutes >= 30 and cert.number.startswith("ZY")
    checked = hub.check_service_certificate(me, cert.number)
    assert checked is not None and checked.unchanged
    assert hub.check_service_certificate(me, "ZY-NONE") is None
    rec = next(r for r in hub.service_records(me, world.member) if r.source is nb.ServiceSource.HOURS)
    c = run("request_correction", me, member=world.member, source="hours", source_id=rec.source_id, reason="少记")
    assert run("answer_correction", staff, correction=c.id, accepted=False, answer="与记录一致").status \
        is nb.CorrectionStatus.DECLINED
    assert [x.id for x in hub.corrections(staff, world.committee)] == [c.id]
    xlsx = hub.export_service_certificate(me, cert.number)
    assert isinstance(xlsx, bytes) and xlsx[:2] == b"PK"
    csv = hub.export_service_certificate(me, cert.number, format="csv")
    assert isinstance(csv, str) and cert.number in csv

    # The working calendar: dates as ISO text, set by a district admin, read by anyone.
    year = run("set_working_calendar", world.admin, year=2026, holidays=["2026-10-01", "2026-10-02"],
               working_weekends=["2026-10-10"])
    assert (year.year, year.holidays, year.working_weekends) == (2026, ["2026-10-01", "2026-10-02"], ["2026-10-10"])
    assert hub.working_calendar(me) == [year]
    with pytest.raises(nb.InvalidInputError) as bad:
        hub.set_working_calendar(world.admin, year=2026, holidays=["2026-02-30"])
    assert bad.value.field == "holidays[0]" and "YYYY-MM-DD" in bad.value.reason
    assert hub.working_calendar(me) == [year]

    # Erasure, last: the resident keeps its groups and loses its personal data.
    gone = run("erase_resident", staff, resident=world.resident)
    assert gone.erased_at is not None and (gone.name, gone.phone) == ("", None)

    assert ran == set(COMMANDS), sorted(set(COMMANDS) - ran)

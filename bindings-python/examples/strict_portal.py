"""A portal's day in a few lines, typed for ``mypy --strict``.

A committee publishes a resident's need, a member claims and does it, the committee verifies
it, and the district reads its report and a data frame of needs. The tests run this file and
check it with ``mypy --strict`` (``tests/test_strict_typing.py``): every name comes from the
package's explicit exports, every call is checked against the Hub's signatures, and nothing
here is ``Any``.

    python bindings-python/examples/strict_portal.py            # in memory
    python bindings-python/examples/strict_portal.py portal.db  # a new SQLite file
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone
from typing import Dict, List, Optional
from uuid import UUID

import needbridge as nb


def id_number(birth: str, seq: int) -> str:
    """A valid 18-character resident ID number (GB 11643 check digit)."""
    body = f"520201{birth}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(body, weights))
    return body + "10X98765432"[total % 11]


def open_hub(path: Optional[str]) -> nb.Hub:
    """The portal's Hub: a new database file (or memory), with the district's policies."""
    config = nb.HubConfig(max_open_claims_per_member=2, warn_before=timedelta(days=2))
    if path is None:
        return nb.Hub.in_memory(config=config)
    return nb.Hub.open(path, create=True, synchronous="full", config=config)


def verified_work(hub: nb.Hub) -> UUID:
    """Sets up a district with one committee, one member and one need; the member claims,
    does and gets the need verified. Returns the district's id."""
    system = nb.Actor.system()
    district: nb.Unit = hub.create_unit(system, kind=nb.UnitKind.DISTRICT, name="钟山区")
    admin = nb.Actor.district_admin(district.id)
    community = hub.create_unit(admin, kind="community", name="荷城街道", parent=district.id)
    committee = hub.create_unit(
        admin, kind="committee", name="凤凰社区居委会", parent=community.id
    )
    staff = nb.Actor.committee_staff(committee.id)

    work_unit = hub.register_work_unit(
        admin, name="区财政局", party_organisation="区财政局机关党支部"
    )
    later = hub.now() + timedelta(days=30)
    member: nb.Member = hub.issue_certificate(
        nb.Actor.work_unit_secretary(work_unit.id),
        work_unit=work_unit.id,
        name="王芳",
        phone="13800000001",
        id_number=id_number("19850101", 1),
        number="BD-2026-001",
        deadline=later,
    )
    me = nb.Actor.member(member.id)
    hub.report_member(
        me,
        member=member.id,
        committee=committee.id,
        commitment="每月至少服务一次",
        skills=["教师"],
    )
    hub.accept_report(staff, member=member.id)

    resident = hub.register_resident(
        staff, committee=committee.id, name="刘小明", groups=[nb.ResidentGroup.LEFT_BEHIND_CHILD]
    )
    need: nb.Need = hub.draft_need(
        staff,
        committee=committee.id,
        resident=resident.id,
        title="书包",
        description="新学期需要一个书包",
        category="study_supplies",
        channel=nb.Channel.FAMILY,
        scale=nb.Scale.INDIVIDUAL,
        estimated_cost_fen=nb.fen("120"),
        wanted_by=later,
    )
    hub.publish_need(staff, need=need.id)

    claim: nb.Claim = hub.claim_need(
        me,
        need=need.id,
        claimant=nb.Claimant.member(member.id),
        promised_by=datetime.now(timezone.utc) + timedelta(days=7),
    )
    # Only what was done: the other figures of a fulfilment default to zero or empty.
    hub.complete_claim(
        me,
        claim=claim.id,
        fulfilment=nb.Fulfilment(
            money_fen=nb.fen("98.50"), items=[nb.Item(count=1, description="书包")]
        ),
    )
    verified = hub.verify_claim(staff, claim=claim.id)
    assert verified.status is nb.ClaimStatus.VERIFIED
    return district.id


def needs_by_committee(report: nb.Report) -> Dict[str, int]:
    """Needs collected per committee name: report keys are ids (``UUID``), like records'."""
    return {
        report.committee_names.get(committee, str(committee)): figures.needs_collected
        for committee, figures in report.data.by_committee.items()
    }


def main(argv: List[str]) -> int:
    with open_hub(argv[1] if len(argv) > 1 else None) as hub:
        district = verified_work(hub)
        admin = nb.Actor.district_admin(district)
        # Dates are midnights in the district's time zone (Asia/Shanghai) unless the Hub was
        # opened with another `tz`; times must be timezone-aware.
        today = datetime.now(nb.DISTRICT_TZ).date()
        report: nb.Report = hub.report(
            admin, unit=district, since=date(today.year, 1, 1), until=today + timedelta(days=1)
        )
        needs: nb.NeedFigures = report.data.needs
        print(f"needs collected {needs.needs_collected}, verified {needs.needs_verified}")
        print(f"money put in: {nb.yuan(needs.money_fen):.2f} yuan")
        print(needs_by_committee(report))
        try:
            frame = hub.frame("needs", admin, unit=district, labels=True)
        except ImportError:
            print("pandas is not installed: no frame")
        else:
            print(frame.groupby("committee_name", observed=True)["id"].count().to_dict())
    # Closed: the database is released, and the Hub refuses further calls.
    try:
        hub.units(nb.Actor.system())
    except nb.IllegalStateError as e:
        assert e.state == "closed"
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

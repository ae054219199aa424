"""Fixtures: a small district built through the Python API, on every backend.

The PostgreSQL backend runs when ``NEEDBRIDGE_PG_URL`` is set (``scripts/test.sh`` starts a
private server); with ``NEEDBRIDGE_REQUIRE_PG`` set, its absence fails instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator
from uuid import UUID

import pytest

import needbridge as nb

SYS = nb.Actor.system()


def id_number(birth: str, seq: int) -> str:
    """A valid 18-character resident ID number (GB 11643 check digit)."""
    body = f"520201{birth}{seq % 1000:03d}"
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(c) * k for c, k in zip(body, w))
    return body + "10X98765432"[s % 11]


def _pg_url() -> str | None:
    url = os.environ.get("NEEDBRIDGE_PG_URL")
    if url:
        return url
    if os.environ.get("NEEDBRIDGE_REQUIRE_PG") or os.environ.get("CI"):
        pytest.fail("PostgreSQL is required (NEEDBRIDGE_PG_URL is not set)")
    return None


def _fresh_schema(url: str) -> str:
    """A new, empty schema on the test server, as a connection string."""
    schema = "py_" + uuid.uuid4().hex[:16]
    import subprocess

    subprocess.run(
        ["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", f"CREATE SCHEMA {schema}"],
        check=True,
        capture_output=True,
    )
    if url.startswith(("postgres://", "postgresql://")):
        sep = "&" if "?" in url else "?"
        return f"{url}{sep}options=-csearch_path%3D{schema}"
    return f"{url} options='-csearch_path={schema}'"


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def hub(backend: str, tmp_path: Path) -> nb.Hub:
    if backend == "memory":
        return nb.Hub.in_memory()
    if backend == "sqlite":
        return nb.Hub.open(tmp_path / "needbridge.db", create=True)
    url = _pg_url()
    if url is None:
        pytest.skip("PostgreSQL not configured (NEEDBRIDGE_PG_URL)")
    return nb.Hub.connect_postgres(_fresh_schema(url))


@dataclass
class World:
    """What the fixture built."""

    hub: nb.Hub
    district: UUID
    community: UUID
    committee: UUID
    other_committee: UUID
    work_unit: UUID
    org: UUID
    member: UUID
    captain: UUID
    loner: UUID
    team: UUID
    resident: UUID
    child: UUID
    need_open: UUID
    need_collective: UUID
    later: datetime

    @property
    def staff(self) -> nb.Actor:
        return nb.Actor.committee_staff(self.committee)

    @property
    def admin(self) -> nb.Actor:
        return nb.Actor.district_admin(self.district)

    def events(self) -> int:
        """How many events the log holds (read in pages of the largest size)."""
        n, after = 0, 0
        while True:
            page = self.hub.events_since(SYS, after, 1000)
            if not page:
                return n
            n, after = n + len(page), page[-1].seq


def build(hub: nb.Hub) -> World:
    later = datetime.now(timezone.utc) + timedelta(days=30)
    d = hub.create_unit(SYS, kind="district", name="钟山区").id
    admin = nb.Actor.district_admin(d)
    community = hub.create_unit(admin, kind=nb.UnitKind.COMMUNITY, name="荷城街道", parent=d).id
    a = hub.create_unit(admin, kind="committee", name="凤凰社区居委会", parent=community).id
    b = hub.create_unit(admin, kind="committee", name="明湖社区居委会", parent=community).id
    wu = hub.register_work_unit(admin, name="区财政局", party_organisation="区财政局机关党支部").id
    org = hub.register_organisation(
        admin,
        name="六盘水某建材有限公司",
        kind="enterprise",
        contact_name="李经理",
        contact_phone="13985001234",
        district=d,
    ).id
    sec = nb.Actor.work_unit_secretary(wu)
    members = []
    for i, name in enumerate(["王芳", "赵强", "孙丽"], start=1):
        m = hub.issue_certificate(
            sec,
            work_unit=wu,
            name=name,
            phone=f"1380000{i:04d}",
            id_number=id_number("19850101", i),
            number=f"BD-2026-{i:03d}",
            deadline=later,
        ).id
        hub.report_member(
            nb.Actor.member(m), member=m, committee=a, commitment="每月至少服务一次", skills=["教师"]
        )
        hub.accept_report(nb.Actor.committee_staff(a), member=m)
        members.append(m)
    staff = nb.Actor.committee_staff(a)
    team = hub.form_team(staff, committee=a, kind="home_elder_care", name="凤凰居家养老服务队", channel="family").id
    hub.appoint_captain(staff, team=team, member=members[1])
    resident = hub.register_resident(
        staff,
        committee=a,
        name="陈大爷",
        phone="13912345678",
        id_number=id_number("19360815", 1),
        address="钟山区荷城街道凤凰社区5栋2单元301",
        groups=["empty_nest_elderly"],
    ).id
    child = hub.register_resident(
        staff, committee=a, name="刘小明", groups=[nb.ResidentGroup.LEFT_BEHIND_CHILD]
    ).id

    def need(resident: UUID, title: str, scale: str) -> UUID:
        n = hub.draft_need(
            staff,
            committee=a,
            resident=resident,
            title=title,
            description="居民需求",
            category="festival_goods",
            channel="family",
            scale=scale,
            estimated_cost_fen=nb.fen("200"),
            wanted_by=later,
        ).id
        hub.publish_need(staff, need=n)
        return n

    return World(
        hub=hub,
        district=d,
        community=community,
        committee=a,
        other_committee=b,
        work_unit=wu,
        org=org,
        member=members[0],
        captain=members[1],
        loner=members[2],
        team=team,
        resident=resident,
        child=child,
        need_open=need(child, "书包", "individual"),
        need_collective=need(resident, "调解住房纠纷", "collective"),
        later=later,
    )


@pytest.fixture
def world(hub: nb.Hub) -> World:
    return build(hub)

"""``hub.frame(..., labels=True)``: a readable label beside each id column it names
(committee, grid, category, work unit and team names), so a groupby needs no join."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import needbridge as nb

from conftest import SYS, World

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")


def more_work(world: World) -> None:
    """A need at the other committee and an activity of the team."""
    hub = world.hub
    staff_b = nb.Actor.committee_staff(world.other_committee)
    resident = hub.register_resident(staff_b, committee=world.other_committee, name="张奶奶", groups=["elderly"]).id
    n = hub.draft_need(
        staff_b, committee=world.other_committee, resident=resident, title="理发", description="上门理发",
        category="festival_goods", channel="family", scale="individual", estimated_cost_fen=0, wanted_by=world.later,
    ).id
    hub.publish_need(staff_b, need=n)
    hub.record_activity(
        world.staff, committee=world.committee, kind="patrol", title="巡逻", channel="family",
        team=world.team, held_at=datetime(2025, 3, 1, tzinfo=timezone.utc), participants=5, people_reached=0,
    )


def test_needs_with_labels_group_by_committee_name_like_the_report(world: World) -> None:
    more_work(world)
    df = world.hub.frame("needs", SYS, unit=world.district, labels=True)
    cols = list(df.columns)
    assert cols[cols.index("committee") + 1] == "committee_name"
    assert cols[cols.index("grid") + 1] == "grid_name"
    assert cols[cols.index("category") + 1 : cols.index("category") + 3] == ["category_zh", "category_en"]
    assert isinstance(df["committee_name"].dtype, pd.CategoricalDtype)
    counts = df.groupby("committee_name", observed=True)["id"].count().to_dict()
    assert counts == {"凤凰社区居委会": 2, "明湖社区居委会": 1}
    report = world.hub.report(world.admin, unit=world.district)
    assert counts == {report.committee_names[k]: f.needs_collected for k, f in report.data.by_committee.items()}
    assert set(df["category_zh"]) == {report.category_names["festival_goods"][0]}
    assert set(df["category_en"]) == {report.category_names["festival_goods"][1]}
    assert df["grid_name"].isna().all(), "no grid: missing, like the id"
    # Without labels the frame is the core's columns, unchanged.
    plain = world.hub.frame("needs", SYS, unit=world.district)
    assert list(plain.columns) == [c for c in cols if not c.endswith(("_name", "_zh", "_en"))]


def test_labels_of_every_kind(world: World) -> None:
    more_work(world)
    members = world.hub.frame("members", world.staff, unit=world.committee, labels=True)
    assert set(members["work_unit_name"]) == {"区财政局"}
    assert set(members["committee_name"]) == {"凤凰社区居委会"}
    acts = world.hub.frame("activities", SYS, unit=world.district, labels=True)
    assert list(acts["team_name"]) == ["凤凰居家养老服务队"]
    teams = world.hub.frame("teams", SYS, unit=world.district, labels=True)
    assert list(teams["committee_name"]) == ["凤凰社区居委会"]
    ledger = world.hub.frame("ledger", world.staff, unit=world.committee, labels=True)
    assert "category_zh" in ledger.columns and "committee_name" not in ledger.columns
    me = nb.Actor.member(world.loner)
    world.hub.claim_need(me, need=world.need_open, claimant=nb.Claimant.member(world.loner), promised_by=world.hub.now() + timedelta(days=2))
    claims = world.hub.frame("claims", SYS, unit=world.district, labels=True)
    assert list(claims["committee_name"]) == ["凤凰社区居委会"]


def test_polars_labels(world: World) -> None:
    more_work(world)
    df = world.hub.frame("needs", SYS, unit=world.district, engine="polars", labels=True)
    assert df.columns[df.columns.index("committee") + 1] == "committee_name"
    assert df.schema["committee_name"] == pl.Categorical
    counts = dict(df.group_by("committee_name").len().iter_rows())
    assert counts == {"凤凰社区居委会": 2, "明湖社区居委会": 1}
    assert df["grid_name"].null_count() == len(df)


def test_labels_of_an_empty_frame(world: World) -> None:
    empty = world.hub.frame("claims", SYS, unit=world.district, labels=True)
    assert len(empty) == 0 and "committee_name" in empty.columns
    assert "committee_name" in world.hub.frame("claims", SYS, unit=world.district, engine="polars", labels=True).columns

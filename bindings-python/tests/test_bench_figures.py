"""The benchmark's pandas computation of the report (``benches/bench.py``) is the same work as
``Hub.report``: on the fixture's SQLite file both give the same figures, field by field —
so the suite's speed comparison compares equal results."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest

import needbridge as nb

from conftest import SYS, World

pytest.importorskip("pandas")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benches"))
import bench  # noqa: E402


def test_pandas_figures_equal_the_report(world: World, backend: str, tmp_path: Path) -> None:
    if backend != "sqlite":
        pytest.skip("the pandas side reads a SQLite file")
    me = nb.Actor.member(world.loner)
    c = world.hub.claim_need(me, need=world.need_open, claimant=nb.Claimant.member(world.loner), promised_by=world.hub.now() + timedelta(days=2))
    world.hub.complete_claim(me, claim=c.id, fulfilment=nb.Fulfilment(money_fen=500, items=[nb.Item(count=4, description="书包")], minutes=30, people_served=2, evidence=[], note=""))
    world.hub.verify_claim(world.staff, claim=c.id)
    report = world.hub.report(SYS, unit=world.district)
    ours = bench.clean(bench.needbridge_figures(report))
    theirs = bench.clean(bench.pandas_figures(str(tmp_path / "needbridge.db"), "1900", "9999"))
    assert ours["total"][""]["claims_verified"] >= 1 and ours["total"][""]["items"] >= 4
    assert bench.differences(ours, theirs) == []

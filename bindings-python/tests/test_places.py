"""Places from Python: a need's place and coordinates; staff list needs near a point exactly,
others see places to about 100 m and distances to 100 m, and may not ask within 200 m."""

from __future__ import annotations

from datetime import timedelta

import pytest

import needbridge as nb

from conftest import World

CENTRE = nb.GeoPoint(lat_e6=26_594_321, lon_e6=104_832_654)


def test_needs_near_a_point(world: World) -> None:
    hub, staff = world.hub, world.staff
    n = hub.draft_need(staff, committee=world.committee, resident=world.resident, title="楼道灯",
                       description="坏了", category="festival_goods", channel="courtyard",
                       scale="collective", estimated_cost_fen=0, wanted_by=hub.now() + timedelta(days=5),
                       place="凤凰路3号院", location=nb.GeoPoint(lat_e6=26_595_400, lon_e6=104_832_654))
    hub.publish_need(staff, need=n.id)
    exact = hub.needs_near(staff, world.committee, CENTRE, 500)
    assert [x.need.id for x in exact] == [n.id] and 115 <= exact[0].metres <= 125
    me = nb.Actor.member(world.member)
    coarse = hub.needs_near(me, world.committee, CENTRE, 500)
    assert coarse[0].need.location == nb.GeoPoint(lat_e6=26_595_000, lon_e6=104_833_000)
    assert coarse[0].metres % 100 == 0
    with pytest.raises(nb.InvalidInputError) as e:
        hub.needs_near(me, world.committee, CENTRE, 150)
    assert e.value.field == "within_m"

"""Time bounds of reads (``since``/``until`` of reports, ``held_from``/``held_before`` of
activities, ``promised_before`` of claims): a timezone-aware ``datetime``, or a ``date``
meaning its midnight in the Hub's time zone (Asia/Shanghai, UTC+8, unless opened with
another); a naive ``datetime`` is refused naming the argument."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

import pytest

import needbridge as nb

from conftest import SYS, World, build

CST = timezone(timedelta(hours=8))


def test_the_district_time_zone_is_utc_plus_8() -> None:
    moment = datetime(2025, 6, 1, 12, tzinfo=timezone.utc)
    assert nb.DISTRICT_TZ.utcoffset(moment) == timedelta(hours=8)
    assert nb.DISTRICT_TZ.tzname(moment) == "Asia/Shanghai"
    assert nb.Hub.in_memory().tz is nb.DISTRICT_TZ


def test_a_date_is_local_midnight_in_the_district(world: World) -> None:
    hub = world.hub
    by_date = hub.report(world.admin, unit=world.district, since=date(2025, 1, 1), until=date(2026, 1, 1))
    period = by_date.request["period"]
    # 2025-01-01 00:00 in Guizhou is 2024-12-31 16:00 UTC.
    assert (period["from"], period["to"]) == ("2024-12-31T16:00:00Z", "2025-12-31T16:00:00Z")
    by_time = hub.report(
        world.admin,
        unit=world.district,
        since=datetime(2025, 1, 1, tzinfo=CST),
        until=datetime(2025, 12, 31, 16, tzinfo=timezone.utc),
    )
    assert by_time.request == by_date.request and by_time.data == by_date.data


def test_dates_count_what_happened_on_the_local_day(world: World) -> None:
    hub = world.hub
    today = hub.now().astimezone(nb.DISTRICT_TZ).date()
    n = hub.report(world.admin, unit=world.district, since=today).data.needs
    assert n.needs_collected == 2
    tomorrow = today + timedelta(days=1)
    assert hub.report(world.admin, unit=world.district, since=tomorrow).data.needs.needs_collected == 0
    assert hub.report(world.admin, unit=world.district, until=today).data.needs.needs_collected == 0
    assert hub.report(world.admin, unit=world.district, until=tomorrow).data.needs.needs_collected == 2


def test_another_time_zone_for_dates() -> None:
    hub = nb.Hub.in_memory(tz=timezone.utc)
    assert hub.tz is timezone.utc
    w = build(hub)
    period = hub.report(w.admin, unit=w.district, since=date(2025, 1, 1)).request["period"]
    assert period["from"] == "2025-01-01T00:00:00Z"
    with pytest.raises(nb.InvalidInputError) as e:
        nb.Hub.in_memory(tz="Asia/Shanghai")  # type: ignore[arg-type]
    assert e.value.field == "tz"


def test_activities_and_claims_take_dates_too(world: World) -> None:
    hub = world.hub
    held = datetime(2025, 3, 1, 1, 30, tzinfo=timezone.utc)  # 09:30 on 1 March in the district
    hub.record_activity(
        world.staff, committee=world.committee, kind="cultural_event", title="植树",
        channel="family", held_at=held, participants=12, people_reached=30,
    )
    assert [a.title for a in hub.activities(SYS, held_from=date(2025, 3, 1), held_before=date(2025, 3, 2))] == ["植树"]
    assert hub.activities(SYS, held_from=date(2025, 3, 2)) == []
    assert hub.activities(SYS, held_before=date(2025, 3, 1)) == []
    me = nb.Actor.member(world.loner)
    promised = hub.now() + timedelta(days=3)
    claim = hub.claim_need(me, need=world.need_open, claimant=nb.Claimant.member(world.loner), promised_by=promised)
    after_promise = promised.astimezone(nb.DISTRICT_TZ).date() + timedelta(days=1)
    assert hub.claims(SYS, promised_before=after_promise) == [claim]
    assert hub.claims(SYS, promised_before=date(2000, 1, 1)) == []


NAIVE = datetime(2025, 1, 1)


@pytest.mark.parametrize(
    "field, call",
    [
        ("since", lambda w: w.hub.report(w.admin, unit=w.district, since=NAIVE)),
        ("until", lambda w: w.hub.report(w.admin, unit=w.district, until=NAIVE)),
        ("since", lambda w: w.hub.report(w.admin, unit=w.district, since="2025-01-01")),
        ("until", lambda w: w.hub.report(w.admin, unit=w.district, until=20250101)),
        ("held_from", lambda w: w.hub.activities(SYS, held_from=NAIVE)),
        ("held_before", lambda w: w.hub.activities(SYS, held_before=NAIVE)),
        ("promised_before", lambda w: w.hub.claims(SYS, promised_before=NAIVE)),
    ],
)
def test_a_naive_datetime_or_another_type_is_refused_naming_the_argument(
    world: World, field: str, call: Callable[[World], Any]
) -> None:
    with pytest.raises(nb.InvalidInputError) as e:
        call(world)
    assert e.value.field == field
    assert "timezone-aware datetime or a date" in e.value.reason
    assert "2025" not in str(e.value)

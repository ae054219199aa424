"""Ledgers and the report as an office files them, read back the way an analyst would (openpyxl,
which ``pandas.read_excel`` uses): labels instead of codes, yuan, hours, real dates in the Hub's
time zone, a cover, a frozen header; the report as a workbook with its breakdowns."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Tuple

import openpyxl
import pytest
from conftest import World, build

import needbridge as nb

MINUS_FIVE = timezone(timedelta(hours=-5))


def verified_claim(world: World) -> Tuple[nb.Claim, datetime]:
    """A member claims the schoolbag (书包), spends 123.45 yuan and 90 minutes, the committee
    verifies it. Returns the claim and the time it was claimed (from the record)."""
    hub = world.hub
    me = nb.Actor.member(world.member)
    claim = hub.claim_need(
        me, need=world.need_open, claimant=nb.Claimant.member(world.member), promised_by=world.later
    )
    hub.complete_claim(
        me,
        claim=claim.id,
        fulfilment=nb.Fulfilment(money_fen=12345, minutes=90, people_served=1, note="送到家"),
    )
    hub.verify_claim(world.staff, claim=claim.id)
    return claim, claim.claimed_at


def sheet(book: Any, title: str) -> Tuple[List[str], Dict[str, List[Any]]]:
    """A sheet's header row and its rows keyed by the first column."""
    ws = book[title]
    rows = list(ws.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return header, {str(r[0]): list(r) for r in rows[1:]}


def cell(header: List[str], row: List[Any], column: str) -> Any:
    return row[header.index(column)]


def committee_workbook(world: World, **options: Any) -> Any:
    data = world.hub.export_ledger(world.staff, unit=world.committee, format="xlsx", **options)
    assert isinstance(data, bytes)
    return openpyxl.load_workbook(io.BytesIO(data))


def same_time(cell_value: Any, t: datetime, tz: timezone) -> bool:
    """Whether a cell holds ``t`` as the wall-clock time an office in ``tz`` reads: a real
    Excel date (naive, local), to the second."""
    if not isinstance(cell_value, datetime):
        return False
    wall = t.astimezone(tz).replace(tzinfo=None)
    return abs((cell_value - wall).total_seconds()) < 1


def test_committee_ledger_reads_as_an_office_expects(world: World) -> None:
    claim, claimed_at = verified_claim(world)
    book = committee_workbook(world)
    assert book.sheetnames == ["封面", "凤凰社区居委会"]
    header, rows = sheet(book, "凤凰社区居委会")
    bag = rows["书包"]
    assert cell(header, bag, "类别") == "节日物资"
    assert cell(header, bag, "状态") == "已验收"
    assert cell(header, bag, "认领方类型") == "在职党员"
    assert cell(header, bag, "认领方") == "王芳"
    assert cell(header, bag, "群体") == "留守儿童"
    assert cell(header, bag, "服务对象") == "***", "a child's name is masked"
    assert cell(header, bag, "金额(元)") == pytest.approx(123.45)
    assert cell(header, bag, "服务时长(小时)") == pytest.approx(1.5)
    at = cell(header, bag, "认领时间(北京时间)")
    assert same_time(at, claimed_at, timezone(timedelta(hours=8))), at
    ws = book["凤凰社区居委会"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b
    money = header.index("金额(元)") + 1
    assert ws.cell(row=2, column=money).number_format == "0.00"
    cover = {str(r[0]): r[1] for r in book["封面"].iter_rows(values_only=True) if r and r[0]}
    assert cover["个人信息"] == "已脱敏"
    assert cover["时区"] == "北京时间（UTC+08:00）"


def test_english_codes_and_another_time_zone() -> None:
    # A Hub whose district keeps UTC-05:00: dates are midnights there, exports show its time.
    world = build(nb.Hub.in_memory(tz=MINUS_FIVE))
    claim, claimed_at = verified_claim(world)
    book = committee_workbook(world, language="en")
    header, rows = sheet(book, "凤凰社区居委会")
    bag = rows["书包"]
    assert cell(header, bag, "Category") == "Festival goods"
    assert cell(header, bag, "Status") == "Verified"
    assert cell(header, bag, "Money (yuan)") == pytest.approx(123.45)
    assert same_time(cell(header, bag, "Claimed at (UTC-05:00)"), claimed_at, MINUS_FIVE)

    codes = committee_workbook(world, values="codes")
    header, rows = sheet(codes, "凤凰社区居委会")
    bag = rows["书包"]
    assert cell(header, bag, "类别") == "festival_goods"
    assert cell(header, bag, "状态") == "verified"
    assert cell(header, bag, "金额(分)") == 12345
    assert cell(header, bag, "服务时长(分钟)") == 90
    assert same_time(cell(header, bag, "认领时间(UTC)"), claimed_at, timezone.utc)

    csv = world.hub.export_ledger(world.staff, unit=world.committee, values="codes")
    assert isinstance(csv, str) and "festival_goods" in csv and "节日物资" not in csv


def test_report_workbook_has_every_breakdown(world: World) -> None:
    verified_claim(world)
    report = world.hub.report(world.admin, unit=world.district)
    data = world.hub.export_report(world.admin, unit=world.district)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "封面"
    assert "按居委会" in book.sheetnames and "按类别" in book.sheetnames
    header, rows = sheet(book, "按居委会")
    phoenix = rows["凤凰社区居委会"]
    figures = report.data.by_committee[world.committee]
    assert cell(header, phoenix, "收集需求") == figures.needs_collected
    assert cell(header, phoenix, "认领需求") == figures.needs_claimed
    assert book["按居委会"]._charts, "a chart of needs by status per committee"
    english = openpyxl.load_workbook(io.BytesIO(world.hub.export_report(world.admin, unit=world.district, language="en")))
    assert english.sheetnames[0] == "Cover" and "By committee" in english.sheetnames


def test_period_and_dates_agree(world: World) -> None:
    verified_claim(world)
    hub = world.hub
    today = hub.now().astimezone(hub.tz).date()
    by_dates = hub.report(world.admin, unit=world.district, since=today, until=today + timedelta(days=1))
    period = nb.Period(
        from_=datetime(today.year, today.month, today.day, tzinfo=hub.tz),
        to=datetime(today.year, today.month, today.day, tzinfo=hub.tz) + timedelta(days=1),
    )
    by_period = hub.report(world.admin, unit=world.district, period=period)
    assert by_dates.data == by_period.data
    assert by_period.data.needs.needs_collected == 2
    tomorrow = hub.report(world.admin, unit=world.district, since=today + timedelta(days=1))
    assert tomorrow.data.needs.needs_collected == 0
    rows = hub.committee_ledger(world.staff, world.committee, since=today, until=date(today.year + 1, 1, 1))
    assert {r.title for r in rows} == {"书包", "调解住房纠纷"}


@pytest.mark.parametrize(
    "options, field",
    [
        ({"values": "numbers"}, "values"),
        ({"language": "fr"}, "language"),
        ({"since": datetime(2026, 1, 1)}, "since"),
        ({"period": nb.Period(), "since": date(2026, 1, 1)}, "period"),
    ],
)
def test_bad_export_options_name_the_field(world: World, options: Dict[str, Any], field: str) -> None:
    before = world.events()
    with pytest.raises(nb.InvalidInputError) as e:
        world.hub.export_ledger(world.staff, unit=world.committee, format="xlsx", **options)
    assert e.value.field == field
    assert "numbers" not in str(e.value)
    assert world.events() == before


def test_report_is_xlsx_only_and_needs_one_scope(world: World) -> None:
    with pytest.raises(nb.InvalidInputError) as e:
        world.hub.export_report(world.admin)
    assert e.value.field == "scope"
    hidden: Optional[Any] = None
    with pytest.raises((nb.NotFoundError, nb.ForbiddenError)) as f:
        hidden = world.hub.export_report(world.staff, unit=world.other_committee)
    assert hidden is None and f.value is not None

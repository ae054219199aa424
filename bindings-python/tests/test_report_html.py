"""A report shows itself in Jupyter as a small HTML table of its main figures."""

from __future__ import annotations

from datetime import date, timedelta

import needbridge as nb

from conftest import SYS, World


def test_a_report_renders_its_main_figures_as_html(world: World) -> None:
    me = nb.Actor.member(world.loner)
    c = world.hub.claim_need(me, need=world.need_open, claimant=nb.Claimant.member(world.loner), promised_by=world.hub.now() + timedelta(days=2))
    world.hub.complete_claim(me, claim=c.id, fulfilment=nb.Fulfilment(money_fen=nb.fen("98.50"), minutes=90))
    world.hub.verify_claim(world.staff, claim=c.id)
    report = world.hub.report(world.admin, unit=world.district, since=date(2025, 1, 1))
    html = report._repr_html_()
    assert html.startswith("<div") and html.count("<table>") == 2
    for figure in ("Needs collected", "Needs claimed", "Money (yuan)", "98.50", "Hours of service", "1.5", "凤凰社区居委会"):
        assert figure in html, figure
    assert "2024-12-31T16:00:00Z" in html  # the period asked for


def test_names_are_escaped(world: World) -> None:
    hub = world.hub
    odd = hub.create_unit(world.admin, kind="committee", name="<b>A&B</b>", parent=world.community).id
    staff = nb.Actor.committee_staff(odd)
    resident = hub.register_resident(staff, committee=odd, name="某居民", groups=["elderly"]).id
    hub.draft_need(
        staff, committee=odd, resident=resident, title="t", description="d", category="festival_goods",
        channel="family", scale="individual", estimated_cost_fen=0, wanted_by=world.later,
    )
    html = hub.report(SYS, unit=world.district)._repr_html_()
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in html and "<b>A&B</b>" not in html

"""Behaviour some generated records also have (``gen_models.py`` names these classes as
their bases): how a report shows itself in Jupyter."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, List, Tuple, cast

if TYPE_CHECKING:
    from .models import NeedFigures, Report


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def _n(v: int) -> str:
    return f"{v:,}"


def _rows(rows: List[Tuple[str, str]]) -> str:
    return "".join(
        f'<tr><th style="text-align:left">{escape(k)}</th>'
        f'<td style="text-align:right">{escape(v)}</td></tr>'
        for k, v in rows
    )


class _ReportView:
    """A report's rich display: Jupyter calls ``_repr_html_``."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        """A small HTML table of the report's main figures (needs and claims, the work done,
        people and teams), then the needs and claims of each committee by name. Names are
        escaped; personal data is never in a report."""
        r = cast("Report", self)
        d, n = r.data, r.data.needs
        request: Any = r.request
        period = request.get("period", {}) if isinstance(request, dict) else {}
        since = period.get("from") or "the start"
        until = period.get("to") or "now"
        main = [
            ("Needs collected 收集需求", _n(n.needs_collected)),
            ("Needs published 发布需求", _n(n.needs_published)),
            ("Needs claimed 认领需求", _n(n.needs_claimed)),
            ("Needs done 完成需求", _n(n.needs_done)),
            ("Needs verified 验收需求", _n(n.needs_verified)),
            ("Claims by members 党员认领", _n(n.claims_by_members)),
            ("Claims by teams 团队认领", _n(n.claims_by_teams)),
            ("Claims by organisations 单位认领", _n(n.claims_by_organisations)),
            ("Money (yuan) 投入资金（元）", _yuan(n.money_fen)),
            ("Items 物资件数", _n(n.items)),
            ("Hours of service 服务时长（小时）", f"{n.minutes / 60:,.1f}"),
            ("People served 服务人次", _n(n.people_served)),
            ("Residents helped 帮扶居民", _n(d.residents_helped)),
            ("Committees 居委会", _n(d.committees)),
            ("Members reported 报到党员", _n(d.members_reported)),
            ("Members accepted 接收党员", _n(d.members_accepted)),
            ("Teams 服务队", _n(d.teams)),
        ]
        by_committee = sorted(
            d.by_committee.items(),
            key=lambda kv: (-kv[1].needs_collected, r.committee_names.get(kv[0], str(kv[0]))),
        )

        def committee_row(name: str, f: "NeedFigures") -> str:
            cells = [f.needs_collected, f.needs_claimed, f.needs_done, f.claims_verified]
            return (
                f'<tr><th style="text-align:left">{escape(name)}</th>'
                + "".join(f'<td style="text-align:right">{_n(c)}</td>' for c in cells)
                + f'<td style="text-align:right">{_yuan(f.money_fen)}</td></tr>'
            )

        committees = "".join(
            committee_row(r.committee_names.get(k, str(k)), f) for k, f in by_committee
        )
        head = "".join(
            f'<th style="text-align:right">{h}</th>'
            for h in ("collected", "claimed", "done", "claims verified", "money (yuan)")
        )
        caption = (
            f"needbridge report, {escape(str(since))} to {escape(str(until))} "
            f"(computed {escape(r.generated_at.isoformat(timespec='seconds'))})"
        )
        html = (
            '<div class="needbridge-report">'
            f"<table><caption>{caption}</caption><tbody>{_rows(main)}</tbody></table>"
        )
        if committees:
            html += (
                "<table><caption>By committee 各居委会</caption>"
                f"<thead><tr><th></th>{head}</tr></thead><tbody>{committees}</tbody></table>"
            )
        return html + "</div>"

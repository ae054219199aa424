"""needbridge's Python benchmarks (issue 7, items 5 and 7). Run by the Rust bench suite
(``core/benches/suite``), which passes the file and measures the Rust side of item 7 in the
same run; it prints one JSON object on its last line.

    python bindings-python/benches/bench.py --db target/bench-data/report-1000000.db \
        --district <uuid> --claims 2000 [--items 5,7] [--dir /tmp/x]

Item 5 — the district report for 2025 from ``Hub.report`` against the same figures computed
by pandas (``read_sql`` + ``groupby``) over the same SQLite file; the figures are compared
field by field (totals and every breakdown of ``NeedFigures``), so the comparison is of equal
work.

Item 7 — the claim command called from Python against the same calls in Rust, on the
in-memory store and on SQLite (``--serve-claims``: the suite drives both sides in alternating
rounds); and ``hub.frame("claims")`` against ``pd.read_sql("SELECT * FROM claims")``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple
from uuid import UUID

import needbridge as nb

SYS = nb.Actor.system()
FROM, TO = "2025-01-01", "2026-01-01"
FIGURES = [
    "needs_collected",
    "needs_published",
    "needs_claimed",
    "needs_done",
    "needs_verified",
    "claims_by_members",
    "claims_by_teams",
    "claims_by_organisations",
    "collective_claims",
    "claims_completed",
    "claims_verified",
    "money_fen",
    "items",
    "minutes",
    "people_served",
]


def timed(f: Callable[[], Any]) -> Tuple[float, Any]:
    t = time.perf_counter()
    r = f()
    return time.perf_counter() - t, r


# ------------------------------------------------------------------------------- item 5


def pandas_figures(
    db: str, since: str = FROM, until: str = TO
) -> Dict[str, Dict[str, Dict[str, int]]]:
    """The report's NeedFigures over ``[since, until)`` (ISO dates; 2025 by default) — totals
    and by committee, category, channel, month and claimant — from ``read_sql`` +
    ``groupby``, for a database holding one district. Returns {breakdown: {key: {figure: n}}}."""
    import pandas as pd

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    needs = pd.read_sql(
        "SELECT id, committee, category, channel, scale, resident, created_at, published_at "
        "FROM needs",
        con,
    )
    claims = pd.read_sql(
        "SELECT id, need, committee, claimant_type, status, claimed_at, completed_at, "
        "ended_at, money_fen, minutes, people_served FROM claims",
        con,
    )
    items = pd.read_sql("SELECT claim, count FROM claim_items", con)
    con.close()

    def inside(col: "pd.Series") -> "pd.Series":
        return col.notna() & (col >= since) & (col < until)

    per_claim_items = items.groupby("claim")["count"].sum()
    claims = claims.merge(
        needs[["id", "category", "channel", "scale"]].rename(columns={"id": "need"}),
        on="need",
        how="left",
    )
    claims["items"] = claims["id"].map(per_claim_items).fillna(0).astype("int64")

    # One frame of events: (figure, key columns, need, value) for every counted event.
    frames: List["pd.DataFrame"] = []

    def events(df: "pd.DataFrame", at: str, figure: str, value: Any = 1) -> None:
        e = df.loc[inside(df[at])].copy()
        e["month"] = e[at].str.slice(0, 7)
        e["figure"] = figure
        e["value"] = value if not isinstance(value, str) else e[value]
        frames.append(e)

    n = needs.copy()
    n["claimant_type"] = None
    events(n, "created_at", "needs_collected")
    events(n, "published_at", "needs_published")
    c = claims.copy()
    events(c, "claimed_at", "claims_made")
    events(c, "completed_at", "claims_completed")
    v = c.loc[c["status"] == "verified"]
    events(v, "ended_at", "claims_verified")
    for col, fig in [
        ("money_fen", "money_fen"),
        ("items", "items"),
        ("minutes", "minutes"),
        ("people_served", "people_served"),
    ]:
        events(v.assign(**{col: v[col].fillna(0)}), "ended_at", fig, col)
    ev = pd.concat(frames, ignore_index=True)
    ev["need"] = ev["need"].fillna(ev["id"])
    ev["total"] = ""

    out: Dict[str, Dict[str, Dict[str, int]]] = {}
    for dim in ["total", "committee", "category", "channel", "month", "claimant_type"]:
        table: Dict[str, Dict[str, int]] = {}
        for (key, figure), g in ev.groupby([dim, "figure"], dropna=True):
            row = table.setdefault(str(key), {})
            if figure == "claims_made":
                for kind, k in g.groupby("claimant_type"):
                    name = {
                        "member": "claims_by_members",
                        "team": "claims_by_teams",
                        "organisation": "claims_by_organisations",
                    }[str(kind)]
                    row[name] = row.get(name, 0) + len(k)
                row["collective_claims"] = int((g["scale"] == "collective").sum())
                row["needs_claimed"] = int(g["need"].nunique())
            elif figure == "claims_completed":
                row["claims_completed"] = len(g)
                row["needs_done"] = int(g["need"].nunique())
            elif figure == "claims_verified":
                row["claims_verified"] = len(g)
                row["needs_verified"] = int(g["need"].nunique())
            elif figure in ("money_fen", "items", "minutes", "people_served"):
                row[figure] = int(g["value"].sum())
            else:
                row[figure] = len(g)
        out[dim] = table
    return out


def needbridge_figures(report: Any) -> Dict[str, Dict[str, Dict[str, int]]]:
    d = report.data

    def row(f: Any) -> Dict[str, int]:
        return {k: int(getattr(f, k)) for k in FIGURES if int(getattr(f, k)) != 0}

    return {
        "total": {"": row(d.needs)},
        "committee": {str(k): row(v) for k, v in d.by_committee.items()},
        "category": {k: row(v) for k, v in d.by_category.items()},
        "channel": {k: row(v) for k, v in d.by_channel.items()},
        "month": {k: row(v) for k, v in d.by_month.items()},
        "claimant_type": {k: row(v) for k, v in d.by_claimant.items()},
    }


def clean(t: Dict[str, Dict[str, Dict[str, int]]]) -> Dict[str, Dict[str, Dict[str, int]]]:
    """Drops zero figures and empty rows, so both sides compare alike."""
    return {
        dim: {k: {f: n for f, n in r.items() if n} for k, r in rows.items() if any(r.values())}
        for dim, rows in t.items()
    }


def differences(
    ours: Dict[str, Dict[str, Dict[str, int]]], theirs: Dict[str, Dict[str, Dict[str, int]]]
) -> List[str]:
    """Every breakdown row where the two computations disagree."""
    diffs = []
    for dim in sorted(set(ours) | set(theirs)):
        for key in sorted(set(ours.get(dim, {})) | set(theirs.get(dim, {}))):
            a, b = ours.get(dim, {}).get(key, {}), theirs.get(dim, {}).get(key, {})
            if a != b:
                diffs.append(f"{dim} {key}: needbridge {a} pandas {b}")
    return diffs


def item5(db: str, district: UUID) -> List[Dict[str, Any]]:
    since = datetime(2025, 1, 1, tzinfo=timezone.utc)
    until = datetime(2026, 1, 1, tzinfo=timezone.utc)
    t_open, hub = timed(lambda: nb.Hub.open(db))
    t_first, rep = timed(lambda: hub.report(SYS, unit=district, since=since, until=until))
    warm = [timed(lambda: hub.report(SYS, unit=district, since=since, until=until))[0] for _ in range(5)]
    t_pd, theirs = timed(lambda: pandas_figures(db))
    ours = clean(needbridge_figures(rep))
    theirs = clean(theirs)
    diffs = differences(ours, theirs)
    for d in diffs[:10]:
        print("  DIFFERENT:", d, file=sys.stderr)
    first = t_open + t_first
    return [
        {
            "item": 5,
            "measure": "report 2025 from Python, first (open + report)",
            "value_ms": first * 1e3,
            "baseline": "pandas read_sql + groupby",
            "baseline_ms": t_pd * 1e3,
            "target_x": 10.0,
            "figures_equal": not diffs,
            "figures_compared": sum(len(r) for t in ours.values() for r in t.values()),
        },
        {
            "item": 5,
            "measure": "report 2025 from Python, warm",
            "value_ms": statistics.median(warm) * 1e3,
            "baseline": "pandas read_sql + groupby",
            "baseline_ms": t_pd * 1e3,
            "target_x": 10.0,
            "figures_equal": not diffs,
        },
    ]


# ------------------------------------------------------------------------------- item 7


def world(hub: nb.Hub, members: int, needs: int) -> Tuple[List[UUID], List[UUID]]:
    """The shape the Rust suite builds (claim::world): one committee, members, needs."""
    later = datetime.now(timezone.utc) + timedelta(days=60)
    d = hub.create_unit(SYS, kind="district", name="钟山区").id
    c = hub.create_unit(SYS, kind="community", name="荷城街道", parent=d).id
    cm = hub.create_unit(SYS, kind="committee", name="凤凰社区居委会", parent=c).id
    staff = nb.Actor.committee_staff(cm)
    wu = hub.register_work_unit(SYS, name="区财政局", party_organisation="党支部").id
    ms = []
    for i in range(members):
        m = hub.issue_certificate(
            SYS, work_unit=wu, name=f"党员{i}", number=f"BD-{i}", deadline=later
        ).id
        hub.report_member(nb.Actor.member(m), member=m, committee=cm, commitment="服务", skills=[])
        hub.accept_report(staff, member=m)
        ms.append(m)
    r = hub.register_resident(staff, committee=cm, name="陈大爷", groups=["elderly"]).id
    ns = []
    for i in range(needs):
        n = hub.draft_need(
            staff,
            committee=cm,
            resident=r,
            title=f"需求{i}",
            description="居民需求",
            category="festival_goods",
            channel="family",
            scale="individual",
            estimated_cost_fen=10_000,
            wanted_by=later,
        ).id
        hub.publish_need(staff, need=n)
        ns.append(n)
    return ms, ns


def serve_claims(backend: str, claims: int, tmp: Path) -> None:
    """Item 7a, driven by the Rust suite so the two sides interleave: builds the world, says
    ``READY``, then for each line ``a b`` on stdin claims needs ``a..b`` and prints the
    seconds taken; ``quit`` ends."""
    hub = nb.Hub.in_memory() if backend == "memory" else nb.Hub.open(str(tmp / "py-claims.db"), create=True)
    ms, ns = world(hub, max(1, claims // 2), claims)
    until = datetime.now(timezone.utc) + timedelta(days=30)
    print("READY", flush=True)
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        a, b = (int(x) for x in line.split())
        t = time.perf_counter()
        for i in range(a, b):
            m = ms[i % len(ms)]
            hub.claim_need(nb.Actor.member(m), need=ns[i], claimant=nb.Claimant.member(m), promised_by=until)
        print(time.perf_counter() - t, flush=True)


def item7(db: str, district: UUID, claims: int, tmp: Path) -> List[Dict[str, Any]]:
    import pandas as pd

    out: List[Dict[str, Any]] = []
    hub = nb.Hub.open(db)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    # Three times each, alternating, the best of each: whichever ran first would otherwise
    # pay for reading the file into the page cache, and this machine's speed wanders.
    frames, reads = [], []
    for _ in range(3):
        t, df = timed(lambda: hub.frame("claims", SYS, unit=district))
        frames.append(t)
        t, raw = timed(lambda: pd.read_sql("SELECT * FROM claims", con))
        reads.append(t)
    con.close()
    t_frame, t_pd = min(frames), min(reads)
    assert len(df) == len(raw), (len(df), len(raw))
    out.append(
        {
            "item": 7,
            "measure": f"frame('claims'), {len(df)} rows",
            "value_ms": t_frame * 1e3,
            "baseline": "pd.read_sql SELECT * FROM claims",
            "baseline_ms": t_pd * 1e3,
            "target_x": 5.0,
            "rows": len(df),
        }
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db")
    ap.add_argument("--district", type=UUID)
    ap.add_argument("--claims", type=int, default=1000)
    ap.add_argument("--items", default="5,7")
    ap.add_argument("--dir", default=".")
    ap.add_argument("--serve-claims", choices=["memory", "sqlite"])
    a = ap.parse_args()
    if a.serve_claims:
        serve_claims(a.serve_claims, a.claims, Path(a.dir))
        return
    items = {int(x) for x in a.items.split(",") if x}
    results: List[Dict[str, Any]] = []
    if 5 in items:
        results += item5(a.db, a.district)
    if 7 in items:
        results += item7(a.db, a.district, a.claims, Path(a.dir))
    print(json.dumps({"python": sys.version.split()[0], "results": results}))


if __name__ == "__main__":
    main()

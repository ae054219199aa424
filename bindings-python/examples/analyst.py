"""An analyst's first look at a district: the report, and a chart of needs per committee.

Run the main job first (it writes ``district.db``), then::

    python bindings-python/examples/analyst.py district.db needs-by-committee.png

It opens the database read-only through needbridge (as the system actor: any command would
be refused), prints the district report, loads every need into a pandas frame (built from
columns in Rust, with committee and category labels beside their ids) and saves a PNG: needs
by status per committee (top 20 by number of needs) and by category.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

import needbridge as nb  # noqa: E402


def cjk_font() -> str | None:
    """A font that can draw Chinese, if this machine has one."""
    for f in font_manager.fontManager.ttflist:
        if any(k in f.name for k in ("CJK", "WenQuanYi", "Hei", "Song", "Ming", "Droid Sans Fallback")):
            return str(f.name)
    return None


def main(argv: list[str]) -> int:
    db = Path(argv[1] if len(argv) > 1 else "district.db")
    out = Path(argv[2] if len(argv) > 2 else "needs-by-committee.png")
    if not db.exists():
        print(f"{db} not found: run `cargo run -p needbridge-examples --example district` first")
        return 2
    with nb.Hub.open(db, read_only=True) as hub:
        system = nb.Actor.system()
        district = hub.units(system, kind="district")[0]
        report = hub.report(system, unit=district.id)
        # Labels beside the ids (committee_name, category_zh, category_en): no join needed.
        needs = hub.frame("needs", system, unit=district.id, labels=True)
    d, n = report.data, report.data.needs
    rows = [
        ("居委会 committees", d.committees),
        ("报到党员 members reported", d.members_reported),
        ("需求 needs collected", n.needs_collected),
        ("认领 needs claimed", n.needs_claimed),
        ("完成 needs done", n.needs_done),
        ("团队认领 claims by teams", n.claims_by_teams),
        ("单位认领 claims by organisations", n.claims_by_organisations),
        ("服务人数 people served", n.people_served),
        ("投入资金 money (yuan)", f"{nb.yuan(n.money_fen):,.0f}"),
        ("帮扶居民 residents helped", d.residents_helped),
    ]
    print(f"{district.name}: district report, all time")
    for label, value in rows:
        print(f"  {label:<36} {value:>12}")

    font = cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font] + plt.rcParams["font.sans-serif"]
        committee, category = needs["committee_name"], needs["category_zh"]
    else:
        # No Chinese font here: committees by number (in the order of their names),
        # categories in English.
        name = dict(zip(needs["committee"], needs["committee_name"]))
        number = {c: f"C{i + 1:02d}" for i, c in enumerate(sorted(name, key=lambda c: str(name[c])))}
        committee, category = needs["committee"].map(number), needs["category_en"]
    needs["committee_label"] = committee.astype(str)
    by_status = needs.pivot_table(
        index="committee_label", columns="status", values="id", aggfunc="count", fill_value=0, observed=True
    )
    top = by_status.loc[by_status.sum(axis=1).sort_values(ascending=False).index[:20]]
    by_category = category.astype(str).value_counts()

    fig, (left, right) = plt.subplots(1, 2, figsize=(15, 7), gridspec_kw={"width_ratios": [3, 2]})
    top.iloc[::-1].plot.barh(stacked=True, ax=left, width=0.8)
    left.set_title("Needs by status, top 20 committees")
    left.set_xlabel("needs")
    left.set_ylabel("")
    left.legend(title="status", loc="lower right")
    by_category.iloc[::-1].plot.barh(ax=right, color="#4c72b0")
    right.set_title("Needs by category")
    right.set_xlabel("needs")
    right.set_ylabel("")
    fig.tight_layout()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing glyphs, if any
        fig.savefig(out, dpi=110)
    print(f"{len(needs):,} needs in {needs['committee'].nunique()} committees; chart written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

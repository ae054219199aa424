"""``hub.frame``: data frames built from columns, with correct dtypes, values and masking."""

from __future__ import annotations

from datetime import timedelta

import pytest

import needbridge as nb

from conftest import SYS, World

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")


def claim_one(world: World) -> nb.Claim:
    me = nb.Actor.member(world.loner)
    c = world.hub.claim_need(me, need=world.need_open, claimant=nb.Claimant.member(world.loner), promised_by=world.hub.now() + timedelta(days=2))
    world.hub.complete_claim(me, claim=c.id, fulfilment=nb.Fulfilment(money_fen=1234, items=[nb.Item(count=2, description="书包")], minutes=15, people_served=1, evidence=[], note=""))
    return world.hub.verify_claim(world.staff, claim=c.id)


def test_pandas_frames_have_the_reads_values_and_dtypes(world: World) -> None:
    claim = claim_one(world)
    df = world.hub.frame("claims", SYS, unit=world.district)
    assert len(df) == 1
    row = df.iloc[0]
    assert row["id"] == str(claim.id)
    assert row["status"] == "verified" and isinstance(df["status"].dtype, pd.CategoricalDtype)
    assert df["money_fen"].dtype == "Int64" and row["money_fen"] == 1234 and row["items"] == 2
    assert str(df["claimed_at"].dtype) == "datetime64[us, UTC]"
    assert row["claimed_at"].to_pydatetime() == claim.claimed_at
    assert pd.isna(df["started_at"]).all()
    needs = world.hub.frame("needs", world.staff, unit=world.committee)
    assert set(needs["title"]) == {"书包", "调解住房纠纷"}
    assert needs["estimated_cost_fen"].sum() == 2 * 20000
    for kind in ["members", "teams", "activities", "ledger"]:
        f = world.hub.frame(kind, world.staff, unit=world.committee)
        assert isinstance(f, pd.DataFrame)
    assert len(world.hub.frame("members", world.staff, unit=world.committee)) == 3


def test_text_columns_are_the_same_with_and_without_pyarrow(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyarrow")
    claim_one(world)
    for kind, actor, unit in [("claims", SYS, world.district), ("needs", world.staff, world.committee)]:
        arrow = world.hub.frame(kind, actor, unit=unit)
        assert arrow["id"].dtype == pd.StringDtype("pyarrow")
        with monkeypatch.context() as m:
            m.setitem(__import__("sys").modules, "pyarrow", None)  # import pyarrow fails
            plain = world.hub.frame(kind, actor, unit=unit)
        assert isinstance(plain["id"].dtype, pd.StringDtype)
        assert list(plain.columns) == list(arrow.columns)
        for col in plain.columns:
            a, b = arrow[col].astype(object), plain[col].astype(object)
            assert [None if pd.isna(x) else x for x in a] == [None if pd.isna(x) else x for x in b], col


def test_polars_frames(world: World) -> None:
    claim_one(world)
    df = world.hub.frame("claims", SYS, unit=world.district, engine="polars")
    assert isinstance(df, pl.DataFrame) and df.height == 1
    assert df.schema["money_fen"] == pl.Int64
    assert df.schema["status"] == pl.Categorical
    assert df.schema["claimed_at"] == pl.Datetime("us", "UTC")
    assert df["money_fen"][0] == 1234


def test_frames_mask_and_refuse_like_the_reads(world: World) -> None:
    staff = world.hub.frame("members", world.staff, unit=world.committee)
    assert "13800000001" in set(staff["phone"])
    with pytest.raises(nb.ForbiddenError):
        world.hub.frame("members", nb.Actor.member(world.member), unit=world.committee)
    ledger = world.hub.frame("ledger", world.staff, unit=world.committee)
    assert "陈大爷" not in set(ledger["resident"])
    with pytest.raises(nb.InvalidInputError) as e:
        world.hub.frame("people", SYS, unit=world.district)
    assert e.value.field == "kind"
    with pytest.raises(nb.InvalidInputError):
        world.hub.frame("needs", SYS, unit=world.district, engine="spark")


def test_a_missing_engine_says_what_to_install(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match=r"needbridge\[polars\]"):
        world.hub.frame("needs", SYS, unit=world.district, engine="polars")
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"needbridge\[pandas\]"):
        world.hub.frame("needs", SYS, unit=world.district)

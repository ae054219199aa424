"""Ids are one type everywhere: ``uuid.UUID`` in records and in the keys of a report's
breakdowns by id; frames hold the same ids as text, ``str(uuid)`` (lowercase, hyphenated),
for pandas and polars."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

import needbridge as nb

from conftest import SYS, World


def verified_claim(world: World) -> nb.Claim:
    me = nb.Actor.member(world.loner)
    c = world.hub.claim_need(me, need=world.need_open, claimant=nb.Claimant.member(world.loner), promised_by=world.hub.now() + timedelta(days=2))
    world.hub.complete_claim(me, claim=c.id, fulfilment=nb.Fulfilment(money_fen=500))
    return world.hub.verify_claim(world.staff, claim=c.id)


def test_report_keys_by_id_are_uuids_like_records(world: World) -> None:
    claim = verified_claim(world)
    report = world.hub.report(world.admin, unit=world.district)
    assert all(type(k) is UUID for k in report.data.by_committee)
    assert all(type(k) is UUID for k in report.committee_names)
    # A record's id indexes the report directly.
    assert report.data.by_committee[claim.committee].claims_verified == 1
    assert report.committee_names[world.hub.unit(SYS, claim.committee).id] == "凤凰社区居委会"
    assert set(report.data.by_committee) <= set(report.committee_names)
    # to_dict keeps them: the same ids as the records'.
    assert claim.committee in report.to_dict()["data"]["by_committee"]
    # Codes stay codes.
    assert set(report.data.by_category) == {"festival_goods"}


def test_frames_hold_the_same_ids_as_text(world: World) -> None:
    pd = pytest.importorskip("pandas")
    claim = verified_claim(world)
    report = world.hub.report(world.admin, unit=world.district)
    claims = world.hub.frame("claims", SYS, unit=world.district)
    row = claims.iloc[0]
    assert (row["id"], row["need"], row["committee"]) == (str(claim.id), str(claim.need), str(claim.committee))
    assert UUID(row["committee"]) in report.data.by_committee
    needs = world.hub.frame("needs", world.staff, unit=world.committee)
    assert set(needs["id"]) == {str(world.need_open), str(world.need_collective)}
    assert all(x == str(UUID(x)) for x in needs["id"])  # the canonical text of each id
    assert isinstance(needs["id"].dtype, pd.StringDtype)
    pl = pytest.importorskip("polars")
    polars_claims = world.hub.frame("claims", SYS, unit=world.district, engine="polars")
    assert polars_claims.schema["committee"] == pl.Utf8
    assert polars_claims["committee"][0] == str(claim.committee)

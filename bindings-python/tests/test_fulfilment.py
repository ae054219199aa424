"""A fulfilment records only what was done: its empty fields have defaults (generated from the
generator's table), and a value of the wrong shape is refused naming its exact path."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any, List

import pytest

import needbridge as nb

from conftest import World


def claimed(world: World) -> nb.Claim:
    me = nb.Actor.member(world.loner)
    return world.hub.claim_need(
        me, need=world.need_open, claimant=nb.Claimant.member(world.loner),
        promised_by=world.hub.now() + timedelta(days=2),
    )


def test_empty_fields_have_defaults() -> None:
    empty = nb.Fulfilment()
    assert (empty.money_fen, empty.items, empty.minutes, empty.people_served) == (0, [], 0, 0)
    assert (empty.evidence, empty.note) == ([], "")
    # Each record gets its own lists.
    assert nb.Fulfilment().items is not nb.Fulfilment().items
    assert nb.Fulfilment(minutes=30) == nb.Fulfilment(0, [], 30, 0, [], "")
    # Fields a caller must give have none.
    with pytest.raises(TypeError):
        nb.Item(count=1)  # type: ignore[call-arg]
    assert nb.Period() == nb.Period(from_=None, to=None)
    required = [f.name for f in dataclasses.fields(nb.Claim) if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    assert "id" in required and "fulfilment" in required


def test_a_fulfilment_with_only_what_was_done(world: World) -> None:
    claim = claimed(world)
    me = nb.Actor.member(world.loner)
    done = world.hub.complete_claim(me, claim=claim.id, fulfilment=nb.Fulfilment(minutes=45, people_served=1))
    assert done.fulfilment == nb.Fulfilment(minutes=45, people_served=1)
    verified = world.hub.verify_claim(world.staff, claim=claim.id)
    n = world.hub.report(world.admin, unit=world.district).data.needs
    assert verified.status is nb.ClaimStatus.VERIFIED and (n.minutes, n.money_fen, n.items) == (45, 0, 0)


@pytest.mark.parametrize(
    "items, field",
    [
        ("书包", "fulfilment.items"),
        ({"count": 1}, "fulfilment.items"),
        (None, "fulfilment.items"),
        (5, "fulfilment.items"),
        ([5], "fulfilment.items[0]"),
        (["书包"], "fulfilment.items[0]"),
        ([{"count": "2", "description": "书包"}], "fulfilment.items[0].count"),
        ([{"count": 1}], "fulfilment.items[0].description"),
        ([nb.Item(count=-1, description="书包")], "fulfilment.items[0].count"),
        ([nb.Item(count=1, description="书包"), nb.Item(count=2.5, description="x")], "fulfilment.items[1].count"),  # type: ignore[arg-type]
        ([nb.Item(count=1, description=7)], "fulfilment.items[0].description"),  # type: ignore[arg-type]
    ],
)
def test_items_of_the_wrong_shape_are_refused_naming_the_path(world: World, items: Any, field: str) -> None:
    claim = claimed(world)
    me = nb.Actor.member(world.loner)
    with pytest.raises(nb.InvalidInputError) as e:
        world.hub.complete_claim(me, claim=claim.id, fulfilment=nb.Fulfilment(items=items))
    assert e.value.field == field
    assert "书包" not in str(e.value)
    assert world.hub.claim(me, claim.id).status is nb.ClaimStatus.ACTIVE, "nothing written"


def test_items_as_plain_mappings_are_read_like_records(world: World) -> None:
    claim = claimed(world)
    me = nb.Actor.member(world.loner)
    items: List[Any] = [{"count": 2, "description": "书包"}]
    done = world.hub.complete_claim(me, claim=claim.id, fulfilment=nb.Fulfilment(items=items))
    assert done.fulfilment is not None and done.fulfilment.items == [nb.Item(count=2, description="书包")]

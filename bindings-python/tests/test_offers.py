"""Dispatch from Python: staff find members by declared skill and offer them a need (派单), a
party branch arranges one for its member (支部安排); the offered party accepts (a claim) or
declines; unanswered offers lapse on the tick; the report counts them by who arranged them."""

from __future__ import annotations

from datetime import timedelta

import pytest

import needbridge as nb

from conftest import World


def test_offer_accept_decline_lapse(world: World) -> None:
    hub = world.hub
    found = {x.id for x in hub.members_with_skill(world.staff, world.committee, "教")}
    assert found == {world.member, world.captain, world.loner}
    assert hub.members_with_skill(world.staff, world.committee, "木工") == []
    with pytest.raises(nb.ForbiddenError):
        hub.members_with_skill(nb.Actor.committee_staff(world.other_committee), world.committee, "教")
    soon = hub.now() + timedelta(days=2)
    o = hub.offer_need(world.staff, need=world.need_open, to=nb.Claimant.member(world.loner),
                       expires_at=soon, note="会辅导功课")
    assert (o.status, o.source) == (nb.OfferStatus.OPEN, nb.OfferSource.COMMITTEE)
    sec = nb.Actor.work_unit_secretary(world.work_unit)
    arranged = hub.offer_need(sec, need=world.need_open, to=nb.Claimant.member(world.member),
                              expires_at=soon)
    assert arranged.source == nb.OfferSource.BRANCH
    with pytest.raises(nb.ConflictError):
        hub.offer_need(world.staff, need=world.need_open, to=nb.Claimant.member(world.loner),
                       expires_at=soon)
    declined = hub.decline_offer(nb.Actor.member(world.member), offer=arranged.id, reason="出差")
    assert declined.status == nb.OfferStatus.DECLINED and declined.reason == "出差"
    claim = hub.accept_offer(nb.Actor.member(world.loner), offer=o.id,
                             promised_by=hub.now() + timedelta(days=5))
    assert claim.claimant == nb.Claimant.member(world.loner)
    mine = hub.offers(world.admin, to=nb.Claimant.member(world.loner))
    assert [(x.status, x.claim) for x in mine] == [(nb.OfferStatus.ACCEPTED, claim.id)]

    team_offer = hub.offer_need(world.staff, need=world.need_collective,
                                to=nb.Claimant.team(world.team), expires_at=soon)
    assert hub.offers(world.admin, statuses=["open"])[0].id == team_offer.id
    offers = hub.report(world.admin, unit=world.district).data.offers
    assert (offers["committee"].made, offers["committee"].accepted) == (2, 1)
    assert (offers["branch"].made, offers["branch"].declined) == (1, 1)
    assert hub.tick().offers_lapsed == 0, "not yet expired"

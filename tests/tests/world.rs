//! The fixture itself builds, and its entities are in the states it promises.

use needbridge::model::*;
use needbridge_acceptance::{Backend, World};

fn the_world_is_as_described(b: Backend) {
    let w = World::on(b);
    let sys = needbridge::Actor::System;
    assert_eq!(
        w.hub.need(&sys, w.need_draft).unwrap().status,
        NeedStatus::Draft
    );
    assert_eq!(
        w.hub.need(&sys, w.need_submitted).unwrap().status,
        NeedStatus::Submitted
    );
    assert_eq!(
        w.hub.need(&sys, w.need_open).unwrap().status,
        NeedStatus::Published
    );
    assert_eq!(
        w.hub.need(&sys, w.need_claimed).unwrap().status,
        NeedStatus::Claimed
    );
    assert_eq!(
        w.hub.need(&sys, w.need_done).unwrap().status,
        NeedStatus::Done
    );
    assert_eq!(
        w.hub.need(&sys, w.need_verified).unwrap().status,
        NeedStatus::Verified
    );
    assert_eq!(
        w.hub.member(&sys, w.reported).unwrap().status,
        MemberStatus::Reported
    );
    assert_eq!(
        w.hub.member(&sys, w.certified).unwrap().status,
        MemberStatus::Certified
    );
    let team = w.hub.team(&sys, w.team_a).unwrap();
    assert_eq!(team.captain, Some(w.captain_a));
    assert_eq!(team.members, vec![w.captain_a, w.member_a]);
    let org = w.hub.organisations(&sys).unwrap().remove(0);
    assert_eq!(org.tally.money_fen, 30_000);
    assert_eq!(org.tally.items, 3);
    assert_eq!(org.tally.claims_verified, 1);
    let without = w
        .hub
        .members_without_team(&w.staff_a(), w.committee_a)
        .unwrap();
    assert_eq!(
        without.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![w.loner_a]
    );
}

needbridge_acceptance::conformance!(the_world_is_as_described,);

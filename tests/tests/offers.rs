//! Dispatch (派单, 撮合): committee staff offer a need to a member, team or organisation (by the
//! skills a member declared, or by what they know); a work unit's party branch arranges one for
//! its member (支部安排); the offered party accepts (which claims it, under the one-live-claim
//! rule) or declines with a reason; unanswered offers lapse. Every step is an event.

use chrono::Duration;
use needbridge::command::*;
use needbridge::model::*;
use needbridge::report::{Period, ReportScope};
use needbridge::store::OfferFilter;
use needbridge::{Error, ErrorKind};
use needbridge_acceptance::{member, staff, t0, Backend, World};

fn offer(w: &World, need: NeedId, to: Claimant, days: i64) -> OfferNeed {
    OfferNeed {
        need,
        to,
        expires_at: w.hub.now() + Duration::days(days),
        note: Some("会修电器".into()),
    }
}

fn kind(r: Result<impl std::fmt::Debug, Error>) -> ErrorKind {
    r.unwrap_err().kind()
}

fn offers_are_made_answered_and_lapse(b: Backend) {
    let w = World::on(b);
    let need = w.need_open;
    let events = || w.hub.events_since(&Actor::System, 0, 1000).unwrap().len();

    // Staff over the committee offer; another committee's staff and a member may not; a
    // claimed need or a draft cannot be offered; the offered party must be able to claim.
    assert_eq!(
        kind(w.hub.run(
            &staff(w.committee_b),
            offer(&w, need, Claimant::Member(w.loner_a), 3)
        )),
        ErrorKind::Forbidden
    );
    assert_eq!(
        kind(w.hub.run(
            &member(w.member_a),
            offer(&w, need, Claimant::Member(w.loner_a), 3)
        )),
        ErrorKind::Forbidden
    );
    assert_eq!(
        kind(w.hub.run(
            &w.staff_a(),
            offer(&w, w.need_claimed, Claimant::Member(w.loner_a), 3)
        )),
        ErrorKind::Conflict
    );
    assert_eq!(
        kind(w.hub.run(
            &w.staff_a(),
            offer(&w, w.need_draft, Claimant::Member(w.loner_a), 3)
        )),
        ErrorKind::IllegalState
    );
    assert_eq!(
        kind(
            w.hub
                .run(&w.staff_a(), offer(&w, need, Claimant::Team(w.team_b), 3))
        ),
        ErrorKind::Invalid
    );
    assert_eq!(
        kind(w.hub.run(
            &w.staff_a(),
            offer(&w, need, Claimant::Member(w.loner_a), 60)
        )),
        ErrorKind::Invalid,
        "an offer may not outlive the need's wanted-by date"
    );
    let before = events();
    let o = w
        .hub
        .run(
            &w.staff_a(),
            offer(&w, need, Claimant::Member(w.loner_a), 3),
        )
        .unwrap();
    assert_eq!(
        (o.status, o.source),
        (OfferStatus::Open, OfferSource::Committee)
    );
    assert_eq!(events(), before + 1);
    // One open offer of a need to one party.
    assert_eq!(
        kind(w.hub.run(
            &w.staff_a(),
            offer(&w, need, Claimant::Member(w.loner_a), 3)
        )),
        ErrorKind::Conflict
    );
    // The party branch arranges the same need for its member (支部安排).
    let arranged = w
        .hub
        .run(
            &w.secretary(),
            offer(&w, need, Claimant::Member(w.member_a), 2),
        )
        .unwrap();
    assert_eq!(arranged.source, OfferSource::Branch);
    // A secretary may not offer to someone outside the work unit (not its member: staff's).
    assert_eq!(
        kind(
            w.hub
                .run(&w.secretary(), offer(&w, need, Claimant::Team(w.team_a), 2))
        ),
        ErrorKind::Forbidden
    );

    // Only the offered party answers; a decline needs a reason and keeps it.
    let decline = |actor: &Actor, offer: OfferId| {
        w.hub.run(
            actor,
            DeclineOffer {
                offer,
                reason: "这周出差".into(),
            },
        )
    };
    assert_eq!(
        kind(decline(&member(w.loner_a), arranged.id)),
        ErrorKind::Forbidden
    );
    let declined = decline(&member(w.member_a), arranged.id).unwrap();
    assert_eq!(declined.status, OfferStatus::Declined);
    assert_eq!(declined.reason.as_deref(), Some("这周出差"));
    assert_eq!(
        kind(decline(&member(w.member_a), arranged.id)),
        ErrorKind::IllegalState
    );

    // Accepting claims the need for the offered party and records the claim.
    let claim = w
        .hub
        .run(
            &member(w.loner_a),
            AcceptOffer {
                offer: o.id,
                promised_by: w.hub.now() + Duration::days(5),
            },
        )
        .unwrap();
    assert_eq!(claim.claimant, Claimant::Member(w.loner_a));
    assert_eq!(
        w.hub.need(&w.admin(), need).unwrap().live_claim,
        Some(claim.id)
    );
    let offers = w
        .hub
        .offers(
            &w.admin(),
            &OfferFilter {
                need: Some(need),
                ..Default::default()
            },
        )
        .unwrap();
    let accepted = offers.iter().find(|x| x.id == o.id).unwrap();
    assert_eq!(
        (accepted.status, accepted.claim),
        (OfferStatus::Accepted, Some(claim.id))
    );
    assert_eq!(offers.len(), 2);
    // Why it was offered, and why declined, are for the committee and the offered party.
    let seen_by = |a: &Actor| {
        w.hub
            .offers(
                a,
                &OfferFilter {
                    need: Some(need),
                    ..Default::default()
                },
            )
            .unwrap()
    };
    let outsider = seen_by(&member(w.member_b));
    assert!(outsider
        .iter()
        .all(|o| o.note.is_none() && o.reason.is_none()));
    let declined_seen = seen_by(&member(w.member_a));
    assert_eq!(
        declined_seen
            .iter()
            .find(|o| o.id == arranged.id)
            .unwrap()
            .reason
            .as_deref(),
        Some("这周出差")
    );

    // One live claim: an offer of a need someone else claimed cannot be accepted.
    let other = w
        .hub
        .run(
            &w.staff_a(),
            offer(&w, w.need_collective, Claimant::Team(w.team_a), 2),
        )
        .unwrap();
    let org_offer = w
        .hub
        .run(
            &w.staff_a(),
            offer(&w, w.need_collective, Claimant::Organisation(w.org), 2),
        )
        .unwrap();
    w.hub
        .run(
            &member(w.captain_a),
            AcceptOffer {
                offer: other.id,
                promised_by: w.hub.now() + Duration::days(5),
            },
        )
        .unwrap();
    let before = w.dump();
    assert_eq!(
        kind(w.hub.run(
            &w.contact(),
            AcceptOffer {
                offer: org_offer.id,
                promised_by: w.hub.now() + Duration::days(5),
            },
        )),
        ErrorKind::Conflict
    );
    assert_eq!(w.dump(), before, "a refused acceptance writes nothing");

    // Unanswered, it lapses on the tick after it expires (and cannot be accepted then).
    w.clock.advance(Duration::days(3));
    assert_eq!(
        kind(w.hub.run(
            &w.contact(),
            AcceptOffer {
                offer: org_offer.id,
                promised_by: w.hub.now() + Duration::days(5),
            },
        )),
        ErrorKind::IllegalState
    );
    let summary = w.hub.tick().unwrap();
    assert_eq!(summary.offers_lapsed, 1);
    let lapsed = w
        .hub
        .offers(
            &w.admin(),
            &OfferFilter {
                statuses: vec![OfferStatus::Lapsed],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        lapsed.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![org_offer.id]
    );

    // The report counts them by who arranged them.
    let r = w
        .hub
        .report(&w.admin(), ReportScope::Unit(w.district), Period::ALL)
        .unwrap();
    let c = r.data.offers["committee"];
    assert_eq!((c.made, c.accepted, c.declined, c.lapsed), (3, 2, 0, 1));
    let br = r.data.offers["branch"];
    assert_eq!((br.made, br.accepted, br.declined, br.lapsed), (1, 0, 1, 0));
    let wu = w
        .hub
        .report(&w.admin(), ReportScope::WorkUnit(w.work_unit), Period::ALL)
        .unwrap();
    assert_eq!(wu.data.offers["branch"].made, 1);
    assert_eq!(
        wu.data.offers["committee"].accepted, 1,
        "loner_a's acceptance"
    );
    // A later period sees none made.
    let later = Period {
        from: Some(t0() + Duration::days(2)),
        to: None,
    };
    let r = w
        .hub
        .report(&w.admin(), ReportScope::Unit(w.district), later)
        .unwrap();
    assert_eq!(r.data.offers["committee"].made, 0);
    assert_eq!(r.data.offers["committee"].lapsed, 1);
}

fn staff_match_by_declared_skills(b: Backend) {
    let w = World::on(b);
    let found = w
        .hub
        .members_with_skill(&w.staff_a(), w.committee_a, "")
        .unwrap_err();
    assert_eq!(found.kind(), ErrorKind::Invalid);
    let all = w
        .hub
        .members(
            &w.staff_a(),
            needbridge::hub::MemberScope::Unit(w.committee_a),
            &[MemberStatus::Accepted],
        )
        .unwrap();
    let skill = all
        .iter()
        .flat_map(|m| m.skills.clone())
        .next()
        .expect("the fixture's members declared skills");
    let found = w
        .hub
        .members_with_skill(&w.staff_a(), w.committee_a, &skill)
        .unwrap();
    assert!(!found.is_empty());
    assert!(found
        .iter()
        .all(|m| m.skills.iter().any(|s| s.contains(&skill))));
    assert!(w
        .hub
        .members_with_skill(&w.staff_a(), w.committee_a, "不存在的技能")
        .unwrap()
        .is_empty());
    assert_eq!(
        w.hub
            .members_with_skill(&staff(w.committee_b), w.committee_a, &skill)
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
}

needbridge_acceptance::conformance!(
    offers_are_made_answered_and_lapse,
    staff_match_by_declared_skills
);

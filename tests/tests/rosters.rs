//! Who served: rosters on activities and claims give person-times (人次) and hours instead of
//! typed totals; a bare count stays possible and the report says which is which; a member's
//! work-unit ledger credits the rosters they are on and their pairing visits.

use chrono::Duration;
use needbridge::command::*;
use needbridge::export::PersonalData;
use needbridge::model::*;
use needbridge::report::{Period, ReportScope};
use needbridge::store::{ActivityFilter, Page};
use needbridge::Error;
use needbridge_acceptance::{member, staff, t0, Backend, World};

fn invalid(r: Result<impl std::fmt::Debug, Error>, field: &str) {
    match r {
        Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
        other => panic!("expected Invalid {field}, got {other:?}"),
    }
}

fn activity(w: &World, roster: Vec<RosterLine>, participants: u32) -> RecordActivity {
    RecordActivity {
        committee: w.committee_a,
        kind: ActivityKind::Patrol,
        title: "背街小巷巡防".into(),
        channel: Channel::Grid,
        team: None,
        held_at: t0() - Duration::hours(3),
        participants,
        people_reached: 40,
        grid: Some(w.grid_a),
        place: Some("凤凰路背街小巷".into()),
        roster,
        location: None,
    }
}

/// A member's row of the work unit's ledger over all time.
fn ledger_row(w: &World, m: MemberId) -> needbridge::ledger::MemberLedgerRow {
    w.hub
        .work_unit_ledger(
            &w.secretary(),
            w.work_unit,
            Period::ALL,
            PersonalData::Masked,
        )
        .unwrap()
        .into_iter()
        .find(|r| r.member == m)
        .unwrap()
}

fn activities(w: &World) -> usize {
    w.hub
        .activities(&w.admin(), &ActivityFilter::default(), Page::ALL)
        .unwrap()
        .len()
}

fn rosters_give_person_times_and_hours(b: Backend) {
    let w = World::on(b);
    let signed_in = t0() - Duration::hours(3);
    let roster = vec![
        RosterLine::member(w.member_a, 120),
        RosterLine {
            signed_in: Some(signed_in),
            signed_out: Some(signed_in + Duration::minutes(100)),
            ..RosterLine::member(w.captain_a, 90)
        },
        RosterLine::helpers(HelperKind::Family, 2, 60),
    ];
    let before = activities(&w);

    // Refused, nothing written: a typed total that is not the roster's; a member twice; a
    // line that is both or neither; sign-out before sign-in; more minutes than signed in;
    // a member not accepted anywhere, or none at all (the same error).
    invalid(
        w.hub.run(&w.staff_a(), activity(&w, roster.clone(), 5)),
        "participants",
    );
    let mut twice = roster.clone();
    twice.push(RosterLine::member(w.member_a, 10));
    invalid(
        w.hub.run(&w.staff_a(), activity(&w, twice, 0)),
        "roster[3].member",
    );
    let both = RosterLine {
        helper: Some(HelperKind::Resident),
        ..RosterLine::member(w.member_a, 10)
    };
    invalid(
        w.hub.run(&w.staff_a(), activity(&w, vec![both], 0)),
        "roster[0]",
    );
    let backwards = RosterLine {
        signed_in: Some(signed_in),
        signed_out: Some(signed_in - Duration::minutes(5)),
        ..RosterLine::member(w.member_a, 10)
    };
    invalid(
        w.hub.run(&w.staff_a(), activity(&w, vec![backwards], 0)),
        "roster[0].signed_out",
    );
    let overlong = RosterLine {
        signed_in: Some(signed_in),
        signed_out: Some(signed_in + Duration::minutes(30)),
        ..RosterLine::member(w.member_a, 31)
    };
    invalid(
        w.hub.run(&w.staff_a(), activity(&w, vec![overlong], 0)),
        "roster[0].minutes",
    );
    for m in [w.certified, MemberId::new()] {
        invalid(
            w.hub.run(
                &w.staff_a(),
                activity(&w, vec![RosterLine::member(m, 30)], 0),
            ),
            "roster[0].member",
        );
    }
    let mut elsewhere = activity(&w, vec![], 3);
    elsewhere.grid = Some(w.committee_b);
    invalid(w.hub.run(&w.staff_a(), elsewhere), "grid");
    assert_eq!(activities(&w), before, "a refused roster writes nothing");

    // Names taken: person-times and minutes come from the roster.
    let a = w
        .hub
        .run(&w.staff_a(), activity(&w, roster.clone(), 0))
        .unwrap();
    assert_eq!(a.participants, 4, "two members and two family members");
    assert_eq!(a.roster_minutes(), 120 + 90 + 2 * 60);
    assert_eq!(a.place.as_deref(), Some("凤凰路背街小巷"));
    assert_eq!(a.grid, Some(w.grid_a));
    // A bare count where names were not taken.
    w.record_patrol();
    // Read back as written.
    let stored = w
        .hub
        .activities(&w.admin(), &ActivityFilter::default(), Page::ALL)
        .unwrap()
        .into_iter()
        .find(|x| x.id == a.id)
        .unwrap();
    assert_eq!(stored, a);

    let r = w
        .hub
        .report(&w.admin(), ReportScope::Unit(w.district), Period::ALL)
        .unwrap();
    let patrols = r.data.activities["patrol"];
    assert_eq!(patrols.count, 2);
    assert_eq!(patrols.participants, 4 + 12);
    assert_eq!(patrols.rostered, 1);
    assert_eq!(
        patrols.rostered_participants, 4,
        "the other 12 are a bare count"
    );
    assert_eq!(patrols.roster_minutes, 330);
    assert_eq!(r.data.activities_by_channel["grid"], patrols);
    // By grid: only the activity held in grid A.
    let in_grid = r.data.activities_by_grid[&w.grid_a.to_string()];
    assert_eq!((in_grid.count, in_grid.participants), (1, 4));
    assert_eq!(r.grid_names[&w.grid_a.to_string()], "第一网格");

    // The work-unit ledger credits the members on the roster.
    let row = |m: MemberId| ledger_row(&w, m);
    assert_eq!(
        (row(w.member_a).activities, row(w.member_a).activity_minutes),
        (1, 120)
    );
    assert_eq!(
        (
            row(w.captain_a).activities,
            row(w.captain_a).activity_minutes
        ),
        (1, 90)
    );
    assert_eq!(row(w.loner_a).activities, 0);
}

fn claim_rosters_credit_who_served(b: Backend) {
    let w = World::on(b);
    let claim = w
        .hub
        .run(
            &member(w.captain_a),
            ClaimNeed {
                need: w.need_open,
                claimant: Claimant::Team(w.team_a),
                promised_by: t0() + Duration::days(5),
            },
        )
        .unwrap()
        .id;
    let complete = |roster: Vec<RosterLine>, minutes: u32| CompleteClaim {
        claim,
        fulfilment: Fulfilment {
            minutes,
            people_served: 1,
            roster,
            ..Default::default()
        },
    };
    let captain = member(w.captain_a);
    // Only the claiming team's members, by name; a typed total must be the roster's.
    invalid(
        w.hub.run(
            &captain,
            complete(vec![RosterLine::member(w.loner_a, 30)], 0),
        ),
        "fulfilment.roster[0].member",
    );
    let roster = vec![
        RosterLine::member(w.captain_a, 60),
        RosterLine::member(w.member_a, 45),
        RosterLine::helpers(HelperKind::Family, 1, 30),
    ];
    invalid(
        w.hub.run(&captain, complete(roster.clone(), 100)),
        "fulfilment.minutes",
    );
    assert_eq!(w.hub.claim(&w.admin(), claim).unwrap().fulfilment, None);
    let done = w.hub.run(&captain, complete(roster.clone(), 0)).unwrap();
    let f = done.fulfilment.unwrap();
    assert_eq!(f.minutes, 135, "the roster's total");
    assert_eq!(f.roster, roster);
    assert_eq!(w.hub.claim(&w.admin(), claim).unwrap().fulfilment, Some(f));

    let row = |m: MemberId| ledger_row(&w, m);
    assert_eq!(
        (
            row(w.captain_a).served_claims,
            row(w.captain_a).served_minutes
        ),
        (1, 60)
    );
    assert_eq!(
        (
            row(w.member_a).served_claims,
            row(w.member_a).served_minutes
        ),
        (1, 45)
    );
    assert_eq!(row(w.loner_a).served_claims, 0);
    // An organisation's claim at another committee, its employees led by member_a: credited
    // in member_a's ledger and service records (所有居委会) though neither theirs nor a team's.
    let contact = w.contact();
    let org_claim = w
        .hub
        .run(
            &contact,
            ClaimNeed {
                need: w.need_b,
                claimant: Claimant::Organisation(w.org),
                promised_by: t0() + Duration::days(5),
            },
        )
        .unwrap()
        .id;
    w.hub
        .run(
            &contact,
            CompleteClaim {
                claim: org_claim,
                fulfilment: Fulfilment {
                    people_served: 1,
                    roster: vec![
                        RosterLine::member(w.member_a, 50),
                        RosterLine::helpers(HelperKind::Employee, 30, 60),
                    ],
                    ..Default::default()
                },
            },
        )
        .unwrap();
    w.hub
        .run(&staff(w.committee_b), VerifyClaim { claim: org_claim })
        .unwrap();
    let a = ledger_row(&w, w.member_a);
    assert_eq!((a.served_claims, a.served_minutes), (2, 95));
    let records = w
        .hub
        .service_records(&member(w.member_a), w.member_a, Period::ALL)
        .unwrap();
    let r = records
        .iter()
        .find(|r| r.source_id == org_claim.0)
        .expect("the organisation's claim is among member_a's records");
    assert_eq!((r.minutes, r.organiser), (50, w.committee_b));
    // A member's own claim names only that member.
    let own = w.claim_active;
    invalid(
        w.hub.run(
            &member(w.member_a),
            CompleteClaim {
                claim: own,
                fulfilment: Fulfilment {
                    roster: vec![RosterLine::member(w.captain_a, 30)],
                    ..Default::default()
                },
            },
        ),
        "fulfilment.roster[0].member",
    );
}

fn pairing_visits_count_as_service(b: Backend) {
    let w = World::on(b);
    w.clock.advance(Duration::days(2));
    let visit = |who: MemberId, at, minutes| LogHours {
        member: who,
        served_at: at,
        minutes,
        description: "上门走访，帮忙打扫".into(),
        pairing: Some(w.pairing),
    };
    // Only the member's own pairing, while it ran.
    invalid(
        w.hub.run(
            &member(w.captain_a),
            visit(w.captain_a, t0() + Duration::hours(3), 30),
        ),
        "pairing",
    );
    invalid(
        w.hub.run(
            &member(w.member_a),
            visit(w.member_a, t0() - Duration::days(1), 30),
        ),
        "pairing",
    );
    let v = w
        .hub
        .run(
            &member(w.member_a),
            visit(w.member_a, t0() + Duration::hours(3), 45),
        )
        .unwrap();
    assert_eq!(v.pairing, Some(w.pairing));
    assert_eq!(
        v.committee, w.committee_a,
        "decided by the resident's committee"
    );
    w.hub
        .run(&w.staff_a(), ApproveHours { hours: v.id })
        .unwrap();
    // The visit log: the member and those over the committee read it; others do not know it.
    let log = w.hub.visits(&member(w.member_a), w.pairing).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].id, v.id);
    assert_eq!(w.hub.visits(&w.staff_a(), w.pairing).unwrap().len(), 1);
    for outsider in [
        member(w.captain_a),
        needbridge_acceptance::staff(w.committee_b),
    ] {
        match w.hub.visits(&outsider, w.pairing) {
            Err(Error::NotFound { .. }) => {}
            other => panic!("expected NotFound, got {other:?}"),
        }
    }

    let r = w
        .hub
        .report(&w.admin(), ReportScope::Unit(w.district), Period::ALL)
        .unwrap();
    assert_eq!((r.data.pairing_visits, r.data.visit_minutes), (1, 45));
    assert_eq!(r.data.hours_minutes, 45, "a visit is service time");
    let a = ledger_row(&w, w.member_a);
    assert_eq!((a.visits, a.visit_minutes, a.hours_minutes), (1, 45, 45));
}

needbridge_acceptance::conformance!(
    rosters_give_person_times_and_hours,
    claim_rosters_credit_who_served,
    pairing_visits_count_as_service
);

//! The seed's flows through the Hub, one behaviour per test: reporting and the work unit's
//! ledger, claiming (individual, team, organisation), completion, verification and
//! feedback, the scheduler (warnings, lapses, expiry), limits, teams, privacy, the library's
//! filters and pagination, the event log, and the Hub's retry on serialization conflicts.

use chrono::Duration;
use needbridge::command::*;
use needbridge::error::StoreError;
use needbridge::hub::{MemberScope, NeedQuery};
use needbridge::model::*;
use needbridge::store::memory::{MemorySnapshot, MemoryStore};
use needbridge::store::{Event, Kind, Page, Query, Record, Store, Tx};
use needbridge::{Actor, Error, ErrorKind, Hub};
use needbridge_acceptance::{member, staff, t0, Backend, World};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

const SYS: Actor = Actor::System;

fn events(w: &World) -> Vec<Event> {
    w.hub.events_since(&SYS, 0, 1000).unwrap()
}

fn claim(w: &World, need: NeedId, claimant: Claimant, actor: Actor) -> needbridge::Result<Claim> {
    w.hub.run(
        &actor,
        ClaimNeed {
            need,
            claimant,
            promised_by: t0() + Duration::days(7),
        },
    )
}

fn fulfilment(money_fen: i64) -> Fulfilment {
    Fulfilment {
        money_fen,
        items: vec![Item {
            count: 1,
            description: "书包".into(),
        }],
        minutes: 30,
        people_served: 1,
        evidence: vec!["IMG_0001.jpg".into()],
        note: "已送到".into(),
        roster: Vec::new(),
    }
}

/// Report → accept writes the work unit's ledger; the secretary sees the certificate states.
fn reporting_feeds_back_to_the_work_unit(b: Backend) {
    let w = World::on(b);
    let ledger = w.hub.ledger(&w.secretary(), w.work_unit).unwrap();
    assert_eq!(ledger.len(), 4, "four members were accepted in the fixture");
    assert!(ledger.iter().all(|e| e.kind == LedgerKind::Accepted));
    w.hub
        .run(
            &w.staff_a(),
            ReturnReport {
                member: w.reported,
                reason: "承诺书未签字".into(),
            },
        )
        .unwrap();
    let ledger = w.hub.ledger(&w.secretary(), w.work_unit).unwrap();
    let last = ledger.last().unwrap();
    assert_eq!((last.member, last.kind), (w.reported, LedgerKind::Returned));
    assert_eq!(last.note.as_deref(), Some("承诺书未签字"));
    // A returned member reports again and is accepted.
    w.hub
        .run(
            &member(w.reported),
            ReportMember {
                member: w.reported,
                committee: w.committee_a,
                commitment: "已签字".into(),
                skills: vec![],
            },
        )
        .unwrap();
    let m = w
        .hub
        .run(
            &w.staff_a(),
            AcceptReport {
                member: w.reported,
                note: Some("欢迎".into()),
            },
        )
        .unwrap();
    assert_eq!(m.status, MemberStatus::Accepted);
    // Certificate states as the work unit sees them, before and after the deadline.
    let states = |w: &World| -> Vec<(MemberId, CertificateState)> {
        w.hub
            .certificates(&w.secretary(), w.work_unit)
            .unwrap()
            .into_iter()
            .map(|r| (r.member, r.state))
            .collect()
    };
    assert!(states(&w).contains(&(w.certified, CertificateState::Issued)));
    w.clock.advance(Duration::days(31));
    assert!(states(&w).contains(&(w.certified, CertificateState::Overdue)));
    let e = w
        .hub
        .run(
            &member(w.certified),
            ReportMember {
                member: w.certified,
                committee: w.committee_a,
                commitment: "承诺".into(),
                skills: vec![],
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IllegalState);
    let deadline = w.hub.now() + Duration::days(14);
    w.hub
        .run(
            &w.secretary(),
            ReissueCertificate {
                member: w.certified,
                number: "BD-2026-099".into(),
                deadline,
            },
        )
        .unwrap();
    assert!(states(&w).contains(&(w.certified, CertificateState::Issued)));
    // Another work unit's secretary sees nothing of this one.
    let other = w
        .hub
        .run(
            &w.admin(),
            RegisterWorkUnit {
                name: "区教育局".into(),
                party_organisation: "区教育局党委".into(),
            },
        )
        .unwrap();
    let e = w
        .hub
        .ledger(
            &Actor::WorkUnitSecretary {
                work_unit: other.id,
            },
            w.work_unit,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
}

/// The whole seed flow for one need: claim, start, complete, send back, verify, feedback.
fn a_need_is_claimed_done_checked_and_counted(b: Backend) {
    let w = World::on(b);
    let c = claim(
        &w,
        w.need_open,
        Claimant::Member(w.loner_a),
        member(w.loner_a),
    )
    .unwrap();
    assert_eq!(
        w.hub.need(&SYS, w.need_open).unwrap().status,
        NeedStatus::Claimed
    );
    w.hub
        .run(&member(w.loner_a), StartWork { claim: c.id })
        .unwrap();
    assert_eq!(
        w.hub.need(&SYS, w.need_open).unwrap().status,
        NeedStatus::InProgress
    );
    w.hub
        .run(
            &member(w.loner_a),
            CompleteClaim {
                claim: c.id,
                fulfilment: fulfilment(8800),
            },
        )
        .unwrap();
    assert_eq!(
        w.hub.need(&SYS, w.need_open).unwrap().status,
        NeedStatus::Done
    );
    let back = w
        .hub
        .run(
            &w.staff_a(),
            SendBackClaim {
                claim: c.id,
                reason: "请补充照片".into(),
            },
        )
        .unwrap();
    assert_eq!((back.status, back.send_backs), (ClaimStatus::InProgress, 1));
    assert_eq!(
        w.hub.need(&SYS, w.need_open).unwrap().status,
        NeedStatus::InProgress
    );
    w.hub
        .run(
            &member(w.loner_a),
            CompleteClaim {
                claim: c.id,
                fulfilment: fulfilment(8800),
            },
        )
        .unwrap();
    let v = w
        .hub
        .run(&w.staff_a(), VerifyClaim { claim: c.id })
        .unwrap();
    assert_eq!(v.status, ClaimStatus::Verified);
    let n = w.hub.need(&SYS, w.need_open).unwrap();
    assert_eq!((n.status, n.live_claim), (NeedStatus::Verified, None));
    let m = w.hub.member(&SYS, w.loner_a).unwrap();
    assert_eq!(
        m.tally,
        Tally {
            claims_verified: 1,
            money_fen: 8800,
            items: 1,
            minutes: 30,
            people_served: 1
        }
    );
    // Not satisfied: the need is reopened and can be claimed again; the work stays counted.
    let n = w
        .hub
        .run(
            &w.staff_a(),
            RecordFeedback {
                need: w.need_open,
                feedback: Feedback::NotSatisfied,
                wanted_by: None,
            },
        )
        .unwrap();
    assert_eq!(n.status, NeedStatus::Reopened);
    let again = claim(
        &w,
        w.need_open,
        Claimant::Member(w.member_a),
        member(w.member_a),
    )
    .unwrap();
    assert_eq!(w.hub.need(&SYS, w.need_open).unwrap().claim_count, 2);
    w.hub
        .run(
            &member(w.member_a),
            CompleteClaim {
                claim: again.id,
                fulfilment: fulfilment(0),
            },
        )
        .unwrap();
    w.hub
        .run(&w.staff_a(), VerifyClaim { claim: again.id })
        .unwrap();
    let n = w
        .hub
        .run(
            &w.staff_a(),
            RecordFeedback {
                need: w.need_open,
                feedback: Feedback::Satisfied,
                wanted_by: None,
            },
        )
        .unwrap();
    assert_eq!(
        (n.status, n.feedback),
        (NeedStatus::Verified, Some(Feedback::Satisfied))
    );
    let e = w
        .hub
        .run(
            &w.staff_a(),
            RecordFeedback {
                need: w.need_open,
                feedback: Feedback::NotSatisfied,
                wanted_by: None,
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IllegalState);
    assert_eq!(
        w.hub.member(&SYS, w.loner_a).unwrap().tally.claims_verified,
        1
    );
}

/// Teams and organisations claim collective needs; members may not.
fn collective_needs_are_for_teams_and_organisations(b: Backend) {
    let w = World::on(b);
    let e = claim(
        &w,
        w.need_collective,
        Claimant::Member(w.member_a),
        member(w.member_a),
    )
    .unwrap_err();
    assert!(
        matches!(e, Error::Invalid { ref field, .. } if field == "claimant"),
        "{e}"
    );
    // Not the captain: forbidden to claim for the team.
    let e = claim(
        &w,
        w.need_collective,
        Claimant::Team(w.team_a),
        member(w.member_a),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    // A team of another committee may not claim here.
    w.hub
        .run(
            &staff(w.committee_b),
            AppointCaptain {
                team: w.team_b,
                member: w.member_b,
            },
        )
        .unwrap();
    let e = claim(
        &w,
        w.need_collective,
        Claimant::Team(w.team_b),
        member(w.member_b),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    let c = claim(
        &w,
        w.need_collective,
        Claimant::Team(w.team_a),
        member(w.captain_a),
    )
    .unwrap();
    assert_eq!(c.claimed_by, Some(w.captain_a));
    // The organisation may claim an individual need too.
    let c = claim(&w, w.need_open, Claimant::Organisation(w.org), w.contact()).unwrap();
    assert_eq!(c.claimant, Claimant::Organisation(w.org));
}

/// A claimed need cannot be claimed again: the loser gets `Conflict` and nothing is written.
fn no_double_claims(b: Backend) {
    let w = World::on(b);
    claim(
        &w,
        w.need_open,
        Claimant::Member(w.loner_a),
        member(w.loner_a),
    )
    .unwrap();
    let before = events(&w).len();
    let e = claim(
        &w,
        w.need_open,
        Claimant::Member(w.member_a),
        member(w.member_a),
    )
    .unwrap_err();
    assert_eq!(e, Error::conflict("the need is already claimed"));
    assert_eq!(events(&w).len(), before);
    // Drafts and withdrawn needs are not claimable at all: to a member they do not exist.
    let e = claim(
        &w,
        w.need_draft,
        Claimant::Member(w.member_a),
        member(w.member_a),
    )
    .unwrap_err();
    assert_eq!(e, Error::not_found("need", w.need_draft));
    // The system sees the draft, and it is still not claimable.
    let e = claim(
        &w,
        w.need_draft,
        Claimant::Member(w.member_a),
        Actor::System,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IllegalState);
}

/// Eight threads race for 100 needs: every need ends claimed exactly once.
fn threads_never_double_claim(b: Backend) {
    let w = World::on(b);
    let needs = needbridge::testing::race::publish_needs(&w, 100, "需求");
    let wins = AtomicU32::new(0);
    let conflicts = AtomicU32::new(0);
    std::thread::scope(|s| {
        for t in 0..8 {
            let (w, needs, wins, conflicts) = (&w, &needs, &wins, &conflicts);
            s.spawn(move || {
                for i in 0..needs.len() {
                    let need = needs[(i + t * 13) % needs.len()];
                    match claim(w, need, Claimant::Organisation(w.org), w.contact()) {
                        Ok(_) => wins.fetch_add(1, Ordering::SeqCst),
                        Err(Error::Conflict { .. }) => conflicts.fetch_add(1, Ordering::SeqCst),
                        Err(e) => panic!("unexpected {e}"),
                    };
                }
            });
        }
    });
    assert_eq!(wins.load(Ordering::SeqCst), 100);
    assert_eq!(conflicts.load(Ordering::SeqCst), 700);
    for n in needs {
        assert_eq!(
            w.hub
                .claims(
                    &SYS,
                    &needbridge::store::ClaimFilter {
                        need: Some(n),
                        ..Default::default()
                    }
                )
                .unwrap()
                .len(),
            1
        );
    }
}

/// The open-claims limit counts live claims across all committees.
fn open_claims_per_member_are_limited(b: Backend) {
    let w = World::on(b);
    // member_a already holds one live claim (need_claimed); the default limit is 3.
    let mut extra = Vec::new();
    for i in 0..3 {
        let n = w
            .hub
            .run(
                &w.staff_a(),
                DraftNeed {
                    committee: w.committee_a,
                    grid: Some(w.grid_a),
                    resident: Some(w.resident_a),
                    institution: None,
                    title: format!("小心愿{i}"),
                    description: "".to_string() + "读物",
                    category: "reading_material".into(),
                    channel: Channel::Grid,
                    scale: Scale::Individual,
                    estimated_cost_fen: 3000,
                    wanted_by: t0() + Duration::days(20),
                    beneficiaries: Vec::new(),
                    recurrence: None,
                    place: None,
                    location: None,
                },
            )
            .unwrap();
        w.hub.run(&w.staff_a(), PublishNeed { need: n.id }).unwrap();
        extra.push(n.id);
    }
    claim(
        &w,
        extra[0],
        Claimant::Member(w.member_a),
        member(w.member_a),
    )
    .unwrap();
    claim(
        &w,
        extra[1],
        Claimant::Member(w.member_a),
        member(w.member_a),
    )
    .unwrap();
    let e = claim(
        &w,
        extra[2],
        Claimant::Member(w.member_a),
        member(w.member_a),
    )
    .unwrap_err();
    assert_eq!(
        e,
        Error::LimitReached {
            limit: "open claims per member".into(),
            max: 3
        }
    );
    // The claim at committee B counts too: member_b is at B but claims at A.
    let c = claim(
        &w,
        extra[2],
        Claimant::Member(w.member_b),
        member(w.member_b),
    )
    .unwrap();
    assert_eq!(c.committee, w.committee_a);
}

/// The scheduler warns once, extension resets the warning, lapses return the need, and
/// unclaimed needs expire.
fn tick_warns_lapses_and_expires(b: Backend) {
    let w = World::on(b);
    // claim_active is promised at t0+10d; warnings start 3 days before. Done claims are
    // awaiting the committee and are neither warned nor lapsed.
    w.clock.advance(Duration::days(6));
    assert_eq!(w.hub.tick().unwrap(), Default::default());
    w.clock.advance(Duration::days(2));
    let s = w.hub.tick().unwrap();
    assert_eq!((s.warned, s.lapsed, s.expired), (1, 0, 0));
    assert_eq!(events(&w).last().unwrap().kind, "claim_due_soon");
    assert_eq!(w.hub.tick().unwrap().warned, 0, "warned once only");
    // Extending clears the warning; it comes again near the new date.
    let c = w
        .hub
        .run(
            &member(w.member_a),
            ExtendClaim {
                claim: w.claim_active,
                promised_by: t0() + Duration::days(20),
            },
        )
        .unwrap();
    assert_eq!((c.extensions, c.warned_at), (1, None));
    let e = w
        .hub
        .run(
            &member(w.member_a),
            ExtendClaim {
                claim: w.claim_active,
                promised_by: t0() + Duration::days(15),
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    w.hub
        .run(
            &member(w.member_a),
            ExtendClaim {
                claim: w.claim_active,
                promised_by: t0() + Duration::days(21),
            },
        )
        .unwrap();
    let e = w
        .hub
        .run(
            &member(w.member_a),
            ExtendClaim {
                claim: w.claim_active,
                promised_by: t0() + Duration::days(22),
            },
        )
        .unwrap_err();
    assert_eq!(
        e,
        Error::LimitReached {
            limit: "extensions per claim".into(),
            max: 2
        }
    );
    // Past the promised date the claim lapses and the need is back in the library.
    w.clock.set(t0() + Duration::days(21) + Duration::hours(1));
    let s = w.hub.tick().unwrap();
    assert_eq!(s.lapsed, 1);
    assert_eq!(
        w.hub.claim(&SYS, w.claim_active).unwrap().status,
        ClaimStatus::Lapsed
    );
    let n = w.hub.need(&SYS, w.need_claimed).unwrap();
    assert_eq!((n.status, n.live_claim), (NeedStatus::Published, None));
    // Past the wanted-by date (t0+30d) unclaimed needs expire; claimed ones do not.
    w.clock.set(t0() + Duration::days(31));
    let s = w.hub.tick().unwrap();
    assert_eq!(
        s.expired, 4,
        "need_open, need_collective, need_claimed and need_b"
    );
    assert_eq!(
        w.hub.need(&SYS, w.need_open).unwrap().status,
        NeedStatus::Expired
    );
    assert_eq!(
        w.hub.need(&SYS, w.need_done).unwrap().status,
        NeedStatus::Done
    );
    // A system command that is not due is refused as IllegalState, and writes nothing.
    let e = w
        .hub
        .run(&SYS, ExpireNeed { need: w.need_done })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IllegalState);
}

/// Teams: captains are appointed from accepted members, cannot leave, members join once.
fn teams_and_who_is_in_none(b: Backend) {
    let w = World::on(b);
    let e = w
        .hub
        .run(
            &w.staff_a(),
            AppointCaptain {
                team: w.team_a,
                member: w.member_b,
            },
        )
        .unwrap_err();
    assert!(matches!(e, Error::Invalid { ref field, .. } if field == "member"));
    let e = w
        .hub
        .run(
            &member(w.member_a),
            JoinTeam {
                team: w.team_a,
                member: w.member_a,
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    let e = w
        .hub
        .run(
            &member(w.captain_a),
            LeaveTeam {
                team: w.team_a,
                member: w.captain_a,
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IllegalState);
    w.hub
        .run(
            &w.staff_a(),
            AppointCaptain {
                team: w.team_a,
                member: w.member_a,
            },
        )
        .unwrap();
    let t = w
        .hub
        .run(
            &member(w.captain_a),
            LeaveTeam {
                team: w.team_a,
                member: w.captain_a,
            },
        )
        .unwrap();
    assert_eq!(
        (t.captain, t.members.clone()),
        (Some(w.member_a), vec![w.member_a])
    );
    let none: Vec<MemberId> = w
        .hub
        .members_without_team(&w.staff_a(), w.committee_a)
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(none, vec![w.captain_a, w.loner_a]);
    // A member can be in several teams.
    let t2 = w
        .hub
        .run(
            &w.staff_a(),
            FormTeam {
                committee: w.committee_a,
                kind: TeamKind::LegalAid,
                name: "法律援助队".into(),
                channel: Channel::Community,
                grid: None,
            },
        )
        .unwrap();
    w.hub
        .run(
            &w.staff_a(),
            JoinTeam {
                team: t2.id,
                member: w.member_a,
            },
        )
        .unwrap();
    let mine = w
        .hub
        .teams(
            &SYS,
            &needbridge::store::TeamFilter {
                member: Some(w.member_a),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(mine.len(), 2);
}

/// Hours: logged by the member, approved or rejected by the committee, counted once.
fn service_hours(b: Backend) {
    let w = World::on(b);
    let h = w
        .hub
        .run(
            &w.staff_a(),
            ApproveHours {
                hours: w.hours_pending,
            },
        )
        .unwrap();
    assert_eq!(h.status, HoursStatus::Approved);
    assert_eq!(w.hub.member(&SYS, w.member_a).unwrap().approved_minutes, 90);
    let e = w
        .hub
        .run(
            &w.staff_a(),
            RejectHours {
                hours: w.hours_pending,
                reason: "重复".into(),
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IllegalState);
    let e = w
        .hub
        .run(
            &member(w.member_b),
            LogHours {
                member: w.member_a,
                served_at: t0(),
                minutes: 30,
                description: "代填".into(),
                pairing: None,
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    assert_eq!(w.hub.hours_of(&w.secretary(), w.member_a).unwrap().len(), 1);
    assert_eq!(
        w.hub
            .hours_of(&member(w.member_b), w.member_a)
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
}

/// Activities, roles and pairings are recorded and read back.
fn activities_roles_and_pairings(b: Backend) {
    let w = World::on(b);
    let a = w
        .hub
        .run(
            &member(w.captain_a),
            RecordActivity {
                committee: w.committee_a,
                kind: ActivityKind::Patrol,
                title: "夜间巡逻".into(),
                channel: Channel::Grid,
                team: Some(w.team_a),
                held_at: t0() - Duration::hours(3),
                participants: 12,
                people_reached: 300,
                grid: None,
                place: None,
                roster: Vec::new(),
                location: None,
            },
        )
        .unwrap();
    let found = w
        .hub
        .activities(&member(w.loner_a), &Default::default(), Page::ALL)
        .unwrap();
    assert_eq!(found, vec![a]);
    let roles = w.hub.roles(&SYS, w.community, true).unwrap();
    assert_eq!(roles.len(), 1);
    w.hub.run(&w.staff_a(), EndRole { role: w.role }).unwrap();
    assert!(w.hub.roles(&SYS, w.community, true).unwrap().is_empty());
    let e = w
        .hub
        .run(
            &w.staff_a(),
            StartPairing {
                member: w.member_a,
                resident: w.resident_a,
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    w.hub
        .run(
            &w.staff_a(),
            EndPairing {
                pairing: w.pairing,
                reason: "搬迁".into(),
            },
        )
        .unwrap();
    assert!(w
        .hub
        .pairings(&w.staff_a(), w.committee_a, true)
        .unwrap()
        .is_empty());
    assert_eq!(
        w.hub
            .pairings(&member(w.member_a), w.committee_a, false)
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
}

/// Residents' personal data: full for their committee and whoever does their need, masked
/// for everyone else; a child's completely.
fn residents_are_masked_unless_entitled(b: Backend) {
    let w = World::on(b);
    let full = w.hub.resident(&w.staff_a(), w.resident_a).unwrap();
    assert_eq!((full.name.as_str(), full.masked), ("陈大爷", false));
    let community_staff = w.hub.resident(&staff(w.community), w.resident_a).unwrap();
    assert!(
        !community_staff.masked,
        "staff of the community hold its committees"
    );
    for actor in [
        staff(w.committee_b),
        w.admin(),
        member(w.loner_a),
        w.contact(),
        w.secretary(),
    ] {
        let r = w.hub.resident(&actor, w.resident_a).unwrap();
        assert!(r.masked, "{actor:?}");
        assert_eq!(r.name, "陈**");
        assert_eq!(r.phone.as_deref(), Some("139****5678"));
        assert!(!r.id_number.as_deref().unwrap().contains("1936"));
    }
    // member_a holds the live claim on need_claimed (for resident_a): sees them in full.
    assert!(
        !w.hub
            .resident(&member(w.member_a), w.resident_a)
            .unwrap()
            .masked
    );
    // The claiming team's members see them while the team's claim is live (need_done).
    assert!(
        !w.hub
            .resident(&member(w.captain_a), w.resident_a)
            .unwrap()
            .masked
    );
    // Once the claim ends, so does the access.
    w.hub
        .run(
            &member(w.member_a),
            ReleaseClaim {
                claim: w.claim_active,
                reason: "出差".into(),
            },
        )
        .unwrap();
    w.hub
        .run(
            &w.staff_a(),
            VerifyClaim {
                claim: w.claim_done,
            },
        )
        .unwrap();
    assert!(
        w.hub
            .resident(&member(w.member_a), w.resident_a)
            .unwrap()
            .masked
    );
    // A child's data is masked completely.
    let child = w.hub.resident(&w.admin(), w.child_a).unwrap();
    assert_eq!(child.name, "***");
    assert!(child.phone.unwrap().chars().all(|c| c == '*'));
    assert_eq!(child.address.as_deref(), Some("***"));
    // Listing residents is for those who oversee the committee.
    assert_eq!(
        w.hub
            .residents(&member(w.member_a), w.committee_a)
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
    assert!(w
        .hub
        .residents(&w.admin(), w.committee_a)
        .unwrap()
        .iter()
        .all(|r| r.masked));
    assert!(w
        .hub
        .residents(&w.staff_a(), w.committee_a)
        .unwrap()
        .iter()
        .all(|r| !r.masked));
}

/// Members' phone and ID number are shown to themselves, their work unit and their
/// committee; masked for other members and organisations. Organisation contacts likewise.
fn members_and_contacts_are_masked_for_others(b: Backend) {
    let w = World::on(b);
    let own = w.hub.member(&member(w.member_a), w.member_a).unwrap();
    let other = w.hub.member(&member(w.member_b), w.member_a).unwrap();
    assert_eq!(own.phone.as_deref(), Some("13800000001"));
    assert_eq!(other.phone.as_deref(), Some("138****0001"));
    assert_ne!(other.id_number, own.id_number);
    assert_eq!(w.hub.member(&w.secretary(), w.member_a).unwrap(), own);
    assert_eq!(
        w.hub.member(&staff(w.committee_b), w.member_a).unwrap(),
        other
    );
    let org = &w.hub.organisations(&member(w.member_a)).unwrap()[0];
    assert_eq!(org.contact_phone, "139****1234");
    assert_eq!(
        w.hub.organisations(&w.contact()).unwrap()[0].contact_phone,
        "13985001234"
    );
    assert_eq!(
        w.hub
            .members(&member(w.member_a), MemberScope::Unit(w.committee_a), &[])
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
    assert_eq!(
        w.hub
            .members(
                &w.staff_a(),
                MemberScope::Unit(w.committee_a),
                &[MemberStatus::Accepted]
            )
            .unwrap()
            .len(),
        3
    );
}

fn draft_many(w: &World, n: usize) -> Vec<NeedId> {
    (0..n)
        .map(|i| {
            let d = w
                .hub
                .run(
                    &w.staff_a(),
                    DraftNeed {
                        committee: w.committee_a,
                        // Every third in the grid.
                        grid: (i % 3 == 0).then_some(w.grid_a),
                        resident: Some(w.resident_a),
                        institution: None,
                        title: if i % 2 == 0 {
                            format!("Wheelchair {i}")
                        } else {
                            format!("书包 {i}")
                        },
                        description: "for the library test".into(),
                        category: if i % 2 == 0 {
                            "mobility_aids".into()
                        } else {
                            "study_supplies".into()
                        },
                        channel: Channel::Courtyard,
                        scale: Scale::Individual,
                        estimated_cost_fen: 100,
                        wanted_by: t0() + Duration::days(9),
                        beneficiaries: Vec::new(),
                        recurrence: None,
                        place: None,
                        location: None,
                    },
                )
                .unwrap();
            w.hub.run(&w.staff_a(), PublishNeed { need: d.id }).unwrap();
            d.id
        })
        .collect()
}

/// The library filters by subtree, grid, category, status, channel, scale and text, and
/// pages in a stable order.
fn library_filters_and_pages(b: Backend) {
    let w = World::on(b);
    let made = draft_many(&w, 7);
    let q = NeedQuery {
        channel: Some(Channel::Courtyard),
        limit: 3,
        ..Default::default()
    };
    let mut seen = Vec::new();
    let mut page = w.hub.library(&member(w.member_b), &q).unwrap();
    loop {
        seen.extend(page.needs.iter().map(|n| n.id));
        let Some(next) = page.next else { break };
        page = w
            .hub
            .library(
                &member(w.member_b),
                &NeedQuery {
                    after: Some(next),
                    ..q.clone()
                },
            )
            .unwrap();
    }
    assert_eq!(
        seen, made,
        "pages concatenate to every match, in creation order"
    );
    let q = NeedQuery {
        category: Some("mobility_aids".into()),
        text: Some("WHEELCHAIR 4".into()),
        ..Default::default()
    };
    let hits: Vec<NeedId> = w
        .hub
        .library(&SYS, &q)
        .unwrap()
        .needs
        .iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(hits, vec![made[4]]);
    let q = NeedQuery {
        text: Some("书包".into()),
        ..Default::default()
    };
    assert_eq!(
        w.hub.library(&SYS, &q).unwrap().needs.len(),
        3 + 1,
        "three of ours and the fixture's"
    );
    // Subtree: committee B's library holds only its own need.
    let q = NeedQuery {
        unit: Some(w.committee_b),
        ..Default::default()
    };
    let b: Vec<NeedId> = w
        .hub
        .library(&SYS, &q)
        .unwrap()
        .needs
        .iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(b, vec![w.need_b]);
    // A grid (网格): only the needs drafted in it, for members and staff alike.
    let q = NeedQuery {
        grid: Some(w.grid_a),
        ..Default::default()
    };
    for actor in [member(w.member_b), w.staff_a(), SYS] {
        let in_grid: Vec<NeedId> = w
            .hub
            .library(&actor, &q)
            .unwrap()
            .needs
            .iter()
            .map(|n| n.id)
            .collect();
        assert_eq!(in_grid, vec![made[0], made[3], made[6]], "{actor:?}");
    }
    // Members never see drafts or submitted needs; staff of the committee do.
    let q = NeedQuery {
        statuses: vec![NeedStatus::Draft, NeedStatus::Submitted],
        ..Default::default()
    };
    assert!(w
        .hub
        .library(&member(w.member_a), &q)
        .unwrap()
        .needs
        .is_empty());
    assert_eq!(w.hub.library(&w.staff_a(), &q).unwrap().needs.len(), 2);
    assert_eq!(
        w.hub
            .library(
                &staff(w.committee_b),
                &NeedQuery {
                    unit: Some(w.committee_a),
                    ..q.clone()
                }
            )
            .unwrap()
            .needs
            .len(),
        0
    );
    assert_eq!(
        w.hub
            .need(&member(w.member_a), w.need_draft)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    let q = NeedQuery {
        scale: Some(Scale::Collective),
        statuses: vec![NeedStatus::Published],
        ..Default::default()
    };
    let coll: Vec<NeedId> = w
        .hub
        .library(&member(w.member_a), &q)
        .unwrap()
        .needs
        .iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(coll, vec![w.need_collective]);
}

/// A member may draft needs door to door at their own committee, and submit them.
fn members_draft_and_submit_at_their_committee(b: Backend) {
    let w = World::on(b);
    let draft = DraftNeed {
        committee: w.committee_a,
        grid: Some(w.grid_a),
        resident: Some(w.resident_a),
        institution: None,
        title: "修水管".into(),
        description: "厨房漏水".into(),
        category: "elder_care".into(),
        channel: Channel::Family,
        scale: Scale::Individual,
        estimated_cost_fen: 5000,
        wanted_by: t0() + Duration::days(3),
        beneficiaries: Vec::new(),
        recurrence: None,
        place: None,
        location: None,
    };
    let n = w.hub.run(&member(w.member_a), draft.clone()).unwrap();
    assert_eq!(n.drafted_by, Some(w.member_a));
    assert_eq!(
        w.hub.need(&member(w.member_a), n.id).unwrap().id,
        n.id,
        "the drafter sees their draft"
    );
    w.hub
        .run(&member(w.member_a), SubmitNeed { need: n.id })
        .unwrap();
    let e = w.hub.run(&member(w.member_b), draft).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
}

/// Every change appends exactly one event; ids are uuid v7; the log is gap-free and scoped.
fn the_event_log(b: Backend) {
    let w = World::on(b);
    let all = events(&w);
    assert!(all.iter().enumerate().all(|(i, e)| e.seq == i as u64 + 1));
    assert!(all.iter().all(|e| e.id.0.get_version_num() == 7));
    assert!(all.iter().all(|e| e.kind == e.command.event_kind()));
    assert_eq!(
        all.iter().filter(|e| e.kind == "category_defined").count(),
        needbridge::taxonomy::DEFAULT_CATEGORIES.len()
    );
    // Paging through the log.
    let first = w.hub.events_since(&SYS, 0, 10).unwrap();
    let next = w
        .hub
        .events_since(&SYS, first.last().unwrap().seq, 10)
        .unwrap();
    assert_eq!(next[0].seq, 11);
    // Staff read their committees' events; admins too, masked; members not at all. Residents'
    // personal data is in no event, for any reader (rules::audit).
    let b_events = w.hub.events_since(&staff(w.committee_b), 0, 1000).unwrap();
    assert!(!b_events.is_empty());
    assert!(b_events.iter().all(|e| e.committee == Some(w.committee_b)));
    let admin = w.hub.events_since(&w.admin(), 0, 1000).unwrap();
    let reg = admin
        .iter()
        .find(|e| e.kind == "resident_registered")
        .unwrap();
    match &reg.command {
        Command::RegisterResident(c) => assert_eq!((c.name.as_str(), &c.phone), ("", &None)),
        other => panic!("{other:?}"),
    }
    assert!(reg
        .changes
        .iter()
        .all(|r| matches!(r, Record::Resident(r) if r.masked)));
    let text = serde_json::to_string(&admin).unwrap();
    assert!(!text.contains("陈大爷") && !text.contains("13912345678"));
    assert_eq!(
        w.hub
            .events_since(&member(w.member_a), 0, 10)
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
}

/// The memory store's whole state round-trips through serde, and a Hub over the restored
/// state sees the same data.
#[test]
fn memory_store_is_serializable() {
    let store = Arc::new(MemoryStore::new());
    let w = World::build(store.clone());
    let snap = store.snapshot();
    assert_eq!(
        needbridge::store::dump(&*store).unwrap(),
        snap,
        "dump equals the memory snapshot"
    );
    let json = serde_json::to_string(&snap).unwrap();
    let back: MemorySnapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(back, snap);
    let hub = Hub::new(MemoryStore::from_snapshot(back)).unwrap();
    assert_eq!(
        hub.need(&SYS, w.need_done).unwrap(),
        w.hub.need(&SYS, w.need_done).unwrap()
    );
    assert_eq!(
        hub.events_since(&SYS, 0, 1000).unwrap().len(),
        snap.events.len(),
        "no re-seeding"
    );
}

/// A store that fails the first `fail` commits with a serialization conflict.
struct Flaky {
    inner: MemoryStore,
    fail: AtomicU32,
}

struct FlakyTx<'a> {
    inner: Box<dyn Tx + 'a>,
    fail: &'a AtomicU32,
}

impl Tx for FlakyTx<'_> {
    fn get(&mut self, kind: Kind, id: uuid::Uuid) -> Result<Option<Record>, StoreError> {
        self.inner.get(kind, id)
    }
    fn put(&mut self, record: &Record) -> Result<(), StoreError> {
        self.inner.put(record)
    }
    fn query(&mut self, query: &Query, page: &Page) -> Result<Vec<Record>, StoreError> {
        self.inner.query(query, page)
    }
    fn last_seq(&mut self) -> Result<u64, StoreError> {
        self.inner.last_seq()
    }
    fn append_event(&mut self, event: &Event) -> Result<(), StoreError> {
        self.inner.append_event(event)
    }
    fn events_since(&mut self, after: u64, limit: u32) -> Result<Vec<Event>, StoreError> {
        self.inner.events_since(after, limit)
    }
    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        let left = self.fail.load(Ordering::SeqCst);
        if left > 0 {
            self.fail.store(left - 1, Ordering::SeqCst);
            return Err(StoreError::Serialization("injected".into()));
        }
        self.inner.commit()
    }
}

impl Store for Flaky {
    fn begin_write(&self) -> Result<Box<dyn Tx + '_>, StoreError> {
        Ok(Box::new(FlakyTx {
            inner: self.inner.begin_write()?,
            fail: &self.fail,
        }))
    }
    fn begin_read(&self) -> Result<Box<dyn Tx + '_>, StoreError> {
        self.inner.begin_read()
    }
    fn backend_name(&self) -> &'static str {
        "flaky"
    }
}

/// The Hub runs a command again after a serialization conflict, and gives up with
/// `Conflict` after `max_retries`, having written nothing.
#[test]
fn hub_retries_serialization_conflicts() {
    let flaky = Arc::new(Flaky {
        inner: MemoryStore::new(),
        fail: AtomicU32::new(0),
    });
    let hub = Hub::new(flaky.clone()).unwrap();
    let seeded = hub.events_since(&SYS, 0, 1000).unwrap().len();
    flaky.fail.store(3, Ordering::SeqCst);
    let d = hub
        .run(
            &SYS,
            CreateUnit {
                kind: UnitKind::District,
                name: "钟山区".into(),
                parent: None,
            },
        )
        .unwrap();
    assert_eq!(
        hub.events_since(&SYS, 0, 1000).unwrap().len(),
        seeded + 1,
        "one event despite three failed attempts"
    );
    assert_eq!(hub.unit(&SYS, d.id).unwrap().name, "钟山区");
    flaky.fail.store(1000, Ordering::SeqCst);
    let e = hub
        .run(
            &SYS,
            CreateUnit {
                kind: UnitKind::District,
                name: "水城区".into(),
                parent: None,
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(hub.events_since(&SYS, 0, 1000).unwrap().len(), seeded + 1);
    assert_eq!(
        hub.units(&SYS, None, Some(UnitKind::District))
            .unwrap()
            .len(),
        1
    );
}

/// Permission is checked before state is revealed: someone who may not decide on a report
/// learns nothing about the member's state.
fn forbidden_comes_before_state(b: Backend) {
    let w = World::on(b);
    let e = w
        .hub
        .run(
            &w.contact(),
            AcceptReport {
                member: w.certified,
                note: None,
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    let e = w
        .hub
        .run(
            &w.staff_a(),
            AssignRole {
                member: w.certified,
                kind: RoleKind::HouseholdHead,
                scope: "3户".into(),
                grid: None,
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    let e = w
        .hub
        .run(
            &SYS,
            AcceptReport {
                member: w.certified,
                note: None,
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IllegalState);
}

needbridge_acceptance::conformance!(
    reporting_feeds_back_to_the_work_unit,
    a_need_is_claimed_done_checked_and_counted,
    collective_needs_are_for_teams_and_organisations,
    no_double_claims,
    threads_never_double_claim,
    open_claims_per_member_are_limited,
    tick_warns_lapses_and_expires,
    teams_and_who_is_in_none,
    service_hours,
    activities_roles_and_pairings,
    residents_are_masked_unless_entitled,
    members_and_contacts_are_masked_for_others,
    library_filters_and_pages,
    members_draft_and_submit_at_their_committee,
    the_event_log,
    forbidden_comes_before_state,
    events_mask_what_direct_reads_mask,
    reopening_and_sending_back_move_dates,
    extreme_filter_times_agree,
);

/// Events carry personal data only as far as a direct read would show it: staff of another
/// committee see a visiting member's phone masked in the verification event; another
/// district's admin sees members and contacts masked.
fn events_mask_what_direct_reads_mask(b: Backend) {
    let w = World::on(b);
    // member_a (accepted at A) claims and completes a need at committee B.
    let c = claim(
        &w,
        w.need_b,
        Claimant::Member(w.member_a),
        member(w.member_a),
    )
    .unwrap();
    w.hub
        .run(
            &member(w.member_a),
            CompleteClaim {
                claim: c.id,
                fulfilment: fulfilment(100),
            },
        )
        .unwrap();
    w.hub
        .run(&staff(w.committee_b), VerifyClaim { claim: c.id })
        .unwrap();
    let evs = w.hub.events_since(&staff(w.committee_b), 0, 1000).unwrap();
    let verified = evs.iter().find(|e| e.kind == "claim_verified").unwrap();
    let m = verified
        .changes
        .iter()
        .find_map(|r| match r {
            Record::Member(m) => Some(m.clone()),
            _ => None,
        })
        .expect("the member's tally changed");
    assert_eq!(m.phone.as_deref(), Some("138****0001"));
    assert_eq!(m, w.hub.member(&staff(w.committee_b), w.member_a).unwrap());
    // Staff of A (the member's committee) see the same event in full.
    let a_view = w.hub.member(&w.staff_a(), w.member_a).unwrap();
    assert_eq!(a_view.phone.as_deref(), Some("13800000001"));
    // Another district's admin: members and contacts masked, library defaults to its own
    // district, and no unmasked certificate or organisation in the log.
    let other = w
        .hub
        .run(
            &SYS,
            CreateUnit {
                kind: UnitKind::District,
                name: "水城区".into(),
                parent: None,
            },
        )
        .unwrap();
    let stranger = Actor::DistrictAdmin { district: other.id };
    assert_eq!(
        w.hub
            .member(&stranger, w.member_a)
            .unwrap()
            .phone
            .as_deref(),
        Some("138****0001")
    );
    assert_eq!(
        w.hub
            .member(&w.admin(), w.member_a)
            .unwrap()
            .phone
            .as_deref(),
        Some("13800000001")
    );
    assert_eq!(
        w.hub.organisations(&stranger).unwrap()[0].contact_phone,
        "139****1234"
    );
    assert_eq!(
        w.hub.organisations(&w.admin()).unwrap()[0].contact_phone,
        "13985001234"
    );
    let q = NeedQuery {
        statuses: vec![NeedStatus::Draft],
        ..Default::default()
    };
    assert!(w.hub.library(&stranger, &q).unwrap().needs.is_empty());
    assert!(!w.hub.library(&w.admin(), &q).unwrap().needs.is_empty());
    let log = serde_json::to_string(&w.hub.events_since(&stranger, 0, 1000).unwrap()).unwrap();
    assert!(
        !log.contains("13800000001")
            && !log.contains("13985001234")
            && !log.contains("13912345678")
    );
    let log = serde_json::to_string(&w.hub.events_since(&w.admin(), 0, 1000).unwrap()).unwrap();
    assert!(
        !log.contains("13912345678"),
        "residents stay masked for admins"
    );
}

/// A reopened need gets a new wanted-by date when its old one has passed; work sent back
/// late gets time to be redone before it could lapse.
fn reopening_and_sending_back_move_dates(b: Backend) {
    let w = World::on(b);
    w.clock.advance(Duration::days(40)); // past every wanted-by date of the fixture
    let e = w
        .hub
        .run(
            &w.staff_a(),
            RecordFeedback {
                need: w.need_verified,
                feedback: Feedback::NotSatisfied,
                wanted_by: None,
            },
        )
        .unwrap_err();
    assert!(
        matches!(e, Error::Invalid { ref field, .. } if field == "wanted_by"),
        "{e}"
    );
    let e = w
        .hub
        .run(
            &w.staff_a(),
            RecordFeedback {
                need: w.need_verified,
                feedback: Feedback::Satisfied,
                wanted_by: Some(w.hub.now() + Duration::days(9)),
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    let new_date = w.hub.now() + Duration::days(9);
    let n = w
        .hub
        .run(
            &w.staff_a(),
            RecordFeedback {
                need: w.need_verified,
                feedback: Feedback::NotSatisfied,
                wanted_by: Some(new_date),
            },
        )
        .unwrap();
    assert_eq!((n.status, n.wanted_by), (NeedStatus::Reopened, new_date));
    let c = w
        .hub
        .run(
            &member(w.loner_a),
            ClaimNeed {
                need: n.id,
                claimant: Claimant::Member(w.loner_a),
                promised_by: new_date,
            },
        )
        .unwrap();
    assert_eq!(c.status, ClaimStatus::Active);
    // need_done's claim was promised for t0+10d, long past: sending it back moves the promise.
    let back = w
        .hub
        .run(
            &w.staff_a(),
            SendBackClaim {
                claim: w.claim_done,
                reason: "不合格".into(),
            },
        )
        .unwrap();
    assert_eq!(back.promised_by, w.hub.now() + w.hub.config().warn_before);
    assert_eq!(
        w.hub.tick().unwrap().lapsed,
        1,
        "only claim_active, long overdue, lapses"
    );
    assert_eq!(
        w.hub.claim(&SYS, w.claim_done).unwrap().status,
        ClaimStatus::InProgress
    );
}

/// Time filters beyond what a backend can store are clamped the same way everywhere.
fn extreme_filter_times_agree(b: Backend) {
    let w = World::on(b);
    w.hub
        .run(
            &w.staff_a(),
            RecordActivity {
                committee: w.committee_a,
                kind: ActivityKind::Lecture,
                title: "政策宣讲".into(),
                channel: Channel::Community,
                team: None,
                held_at: t0() - Duration::hours(1),
                participants: 30,
                people_reached: 120,
                grid: None,
                place: None,
                roster: Vec::new(),
                location: None,
            },
        )
        .unwrap();
    let f = |from, to| needbridge::store::ActivityFilter {
        from,
        to,
        ..Default::default()
    };
    let all = w
        .hub
        .activities(
            &SYS,
            &f(
                Some(chrono::DateTime::<chrono::Utc>::MIN_UTC),
                Some(chrono::DateTime::<chrono::Utc>::MAX_UTC),
            ),
            Page::ALL,
        )
        .unwrap();
    assert_eq!(all.len(), 1);
    let just_after = t0() - Duration::hours(1) + Duration::nanoseconds(500);
    let none = w
        .hub
        .activities(&SYS, &f(Some(just_after), None), Page::ALL)
        .unwrap();
    assert_eq!(
        none.len(),
        1,
        "sub-microsecond filter times are truncated like stored times"
    );
}

/// A store whose default taxonomy is incomplete (a crash part-way through seeding) gets the
/// missing categories on the next open.
#[test]
fn missing_default_categories_are_seeded_on_open() {
    let store = MemoryStore::new();
    let _ = Hub::new(Arc::new(store)).unwrap();
    let hub = Hub::in_memory();
    let mut snap = needbridge::store::dump(&*Arc::new(MemoryStore::new())).unwrap();
    assert!(snap.records.is_empty());
    let full = hub.categories().unwrap();
    let partial: Vec<Record> = full.iter().take(3).cloned().map(Record::Category).collect();
    snap.records.insert(
        Kind::Category,
        partial.into_iter().map(|r| (r.id(), r)).collect(),
    );
    let reopened = Hub::new(MemoryStore::from_snapshot(snap)).unwrap();
    let codes: Vec<String> = reopened
        .categories()
        .unwrap()
        .into_iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(codes.len(), needbridge::taxonomy::DEFAULT_CATEGORIES.len());
}

/// Out-of-range policies are refused when the Hub is built.
#[test]
fn hub_config_is_validated() {
    let bad = needbridge::HubConfig {
        max_page: 0,
        ..Default::default()
    };
    let e = Hub::with(MemoryStore::new(), needbridge::SystemClock, bad).unwrap_err();
    assert!(matches!(e, Error::Invalid { ref field, .. } if field == "config.max_page"));
    let bad = needbridge::HubConfig {
        warn_before: Duration::days(10_000),
        ..Default::default()
    };
    assert!(Hub::with(MemoryStore::new(), needbridge::SystemClock, bad).is_err());
}

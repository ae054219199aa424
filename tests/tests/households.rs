//! Households (户) and needs for several residents, counted as the district counts: people
//! (人) once however often helped, households (户) once however many of their people were
//! helped, services (件) per need. Each case where two readings differ is checked on every
//! backend, over whole months (the report cells) and over any period (the rows), and after the
//! cells are rebuilt from the records.

use chrono::Duration;
use needbridge::command::*;
use needbridge::model::*;
use needbridge::report::{Period, ReportData, ReportScope};
use needbridge::{Error, ErrorKind, Hub};
use needbridge_acceptance::{member, staff, t0, Backend, World};

fn invalid(r: Result<impl std::fmt::Debug, Error>, field: &str) {
    match r {
        Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
        other => panic!("expected Invalid {field}, got {other:?}"),
    }
}

fn resident(w: &World, name: &str, household: Option<HouseholdId>) -> ResidentId {
    w.hub
        .run(
            &w.staff_a(),
            RegisterResident {
                committee: w.committee_a,
                grid: None,
                name: name.into(),
                phone: None,
                id_number: None,
                address: Some("凤凰社区7栋1单元302".into()),
                groups: vec![ResidentGroup::Elderly],
                household,
            },
        )
        .unwrap()
        .id
}

fn draft(w: &World, resident: ResidentId, beneficiaries: Vec<ResidentId>) -> DraftNeed {
    DraftNeed {
        committee: w.committee_a,
        grid: None,
        resident: Some(resident),
        institution: None,
        beneficiaries,
        title: "冬季取暖物资".into(),
        description: "一户三口".into(),
        category: "festival_goods".into(),
        channel: Channel::Family,
        scale: Scale::Collective,
        estimated_cost_fen: 30_000,
        wanted_by: w.hub.now() + Duration::days(20),
        recurrence: None,
        place: None,
        location: None,
    }
}

/// Drafts, publishes, claims (the organisation), completes and verifies a need.
fn helped(w: &World, resident: ResidentId, beneficiaries: Vec<ResidentId>) -> Need {
    helped_for(w, draft(w, resident, beneficiaries))
}

/// Drafts `d`, publishes, claims (the organisation), completes and verifies it.
fn helped_for(w: &World, d: DraftNeed) -> Need {
    let n = w.hub.run(&w.staff_a(), d).unwrap();
    w.hub.run(&w.staff_a(), PublishNeed { need: n.id }).unwrap();
    let contact = w.contact();
    let c = w
        .hub
        .run(
            &contact,
            ClaimNeed {
                need: n.id,
                claimant: Claimant::Organisation(w.org),
                promised_by: w.hub.now() + Duration::days(5),
            },
        )
        .unwrap();
    let f = Fulfilment {
        money_fen: 10_000,
        people_served: 3,
        ..Default::default()
    };
    w.hub
        .run(
            &contact,
            CompleteClaim {
                claim: c.id,
                fulfilment: f,
            },
        )
        .unwrap();
    w.hub
        .run(&w.staff_a(), VerifyClaim { claim: c.id })
        .unwrap();
    n
}

/// The district's figures over all time (cells), over a period that is not whole months (the
/// rows), and on a second Hub whose cells were rebuilt from the records: all must agree.
fn figures(w: &World, hub: &Hub) -> ReportData {
    let all = hub
        .report(&w.admin(), ReportScope::Unit(w.district), Period::ALL)
        .unwrap()
        .data;
    let rows = hub
        .report(
            &w.admin(),
            ReportScope::Unit(w.district),
            Period {
                from: Some(t0() - Duration::days(400) + Duration::hours(1)),
                to: None,
            },
        )
        .unwrap()
        .data;
    assert_eq!(
        (rows.residents_helped, rows.households_helped, &rows.helped),
        (all.residents_helped, all.households_helped, &all.helped),
        "cells and rows agree"
    );
    assert_eq!(rows.needs.needs_verified, all.needs.needs_verified);
    all
}

fn people_households_and_services_count_once(b: Backend) {
    let w = World::on(b);
    // Refused: another committee's household; a beneficiary twice, or of another committee.
    let other = w
        .hub
        .run(
            &staff(w.committee_b),
            RegisterHousehold {
                committee: w.committee_b,
                grid: None,
            },
        )
        .unwrap();
    let home = w
        .hub
        .run(
            &w.staff_a(),
            RegisterHousehold {
                committee: w.committee_a,
                grid: Some(w.grid_a),
            },
        )
        .unwrap();
    assert_eq!(
        w.hub
            .run(
                &staff(w.committee_b),
                RegisterHousehold {
                    committee: w.committee_a,
                    grid: None,
                },
            )
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
    invalid(
        w.hub.run(
            &w.staff_a(),
            SetHousehold {
                resident: w.resident_a,
                household: Some(other.id),
            },
        ),
        "household",
    );
    invalid(
        w.hub.run(
            &w.staff_a(),
            draft(&w, w.child_a, vec![w.resident_a, w.resident_a]),
        ),
        "beneficiaries[1]",
    );
    invalid(
        w.hub
            .run(&w.staff_a(), draft(&w, w.child_a, vec![w.child_a])),
        "beneficiaries[0]",
    );
    invalid(
        w.hub
            .run(&w.staff_a(), draft(&w, w.child_a, vec![w.resident_b])),
        "beneficiaries[0]",
    );

    // The fixture has helped resident_a once: one person, in no household yet.
    let d = figures(&w, &w.hub);
    assert_eq!((d.residents_helped, d.households_helped), (1, 0));
    // resident_a lives with two others: the household of three was helped once.
    w.hub
        .run(
            &w.staff_a(),
            SetHousehold {
                resident: w.resident_a,
                household: Some(home.id),
            },
        )
        .unwrap();
    let spouse = resident(&w, "王秀英", Some(home.id));
    let grandson = resident(&w, "王小军", Some(home.id));
    let d = figures(&w, &w.hub);
    assert_eq!(
        (
            d.residents_helped,
            d.households_helped,
            d.needs.needs_verified
        ),
        (1, 1, 1),
        "one household of three helped once: one household, one person, one service"
    );
    assert_eq!(
        w.hub.households(&w.staff_a(), w.committee_a).unwrap(),
        vec![home.clone()]
    );
    // Who lives with whom is the committee's: a masked copy names no household.
    assert_eq!(
        w.hub.resident(&w.staff_a(), spouse).unwrap().household,
        Some(home.id)
    );
    assert_eq!(
        w.hub
            .resident(&member(w.loner_a), spouse)
            .unwrap()
            .household,
        None
    );
    assert!(w
        .hub
        .households(&staff(w.committee_b), w.committee_a)
        .is_err());

    // A month later one need for the spouse and grandson, and a neighbour's child.
    w.a_month_later();
    let n = helped(&w, spouse, vec![grandson, w.child_a]);
    assert_eq!(n.beneficiaries, vec![grandson, w.child_a]);
    assert_eq!(
        w.hub.need(&w.admin(), n.id).unwrap().beneficiaries,
        n.beneficiaries
    );
    let d = figures(&w, &w.hub);
    assert_eq!(
        (
            d.residents_helped,
            d.households_helped,
            d.needs.needs_verified
        ),
        (4, 1, 2 + 1),
        "four people, still one household (the child is in none), three services"
    );
    // The child's family registers as a household: two households now.
    let childs = w
        .hub
        .run(
            &w.staff_a(),
            RegisterHousehold {
                committee: w.committee_a,
                grid: None,
            },
        )
        .unwrap();
    w.hub
        .run(
            &w.staff_a(),
            SetHousehold {
                resident: w.child_a,
                household: Some(childs.id),
            },
        )
        .unwrap();
    assert_eq!(figures(&w, &w.hub).households_helped, 2);
    // One resident helped twice: one person, two services.
    helped(&w, grandson, vec![]);
    let d = figures(&w, &w.hub);
    assert_eq!(
        (
            d.residents_helped,
            d.households_helped,
            d.needs.needs_verified
        ),
        (4, 2, 4)
    );
    // From the later month on: resident_a again (the fixture's second month verifies another of
    // resident_a's needs), the spouse, the grandson and the child — four people of two
    // households.
    let feb = w
        .hub
        .report(
            &w.admin(),
            ReportScope::Unit(w.district),
            Period {
                from: Some(t0() + Duration::days(31)),
                to: None,
            },
        )
        .unwrap()
        .data;
    assert_eq!((feb.residents_helped, feb.households_helped), (4, 2));

    // Cells rebuilt from the records (as after an upgrade or a restore) say the same.
    let (_fresh, rebuilt) = needbridge_acceptance::rebuilt_copy(&w, b, false);
    assert_eq!(figures(&w, &rebuilt), d);

    // A member drafting door to door may name further beneficiaries too.
    let drafted = w
        .hub
        .run(&member(w.member_a), draft(&w, w.child_a, vec![spouse]))
        .unwrap();
    assert_eq!(drafted.beneficiaries, vec![spouse]);
}

/// A need for an institution (白鹤养老服务中心) has no resident, invents none, and is
/// counted as a service (件) but not as a person or household helped. Its name is public.
fn an_institution_is_a_beneficiary(b: Backend) {
    let w = World::on(b);
    let before = figures(&w, &w.hub);
    let for_home = || DraftNeed {
        resident: None,
        institution: Some(" 白鹤养老服务中心 ".into()),
        title: "养老院助浴".into(),
        scale: Scale::Collective,
        ..draft(&w, w.resident_a, vec![])
    };
    let count = || {
        w.hub
            .library(
                &Actor::System,
                &needbridge::hub::NeedQuery {
                    statuses: vec![NeedStatus::Draft],
                    ..Default::default()
                },
            )
            .unwrap()
            .needs
            .len()
    };
    let drafts = count();
    // Refused, nothing written: both, neither (a blank name is none), and further
    // beneficiaries of an institution.
    invalid(
        w.hub.run(
            &w.staff_a(),
            DraftNeed {
                resident: Some(w.resident_a),
                ..for_home()
            },
        ),
        "institution",
    );
    invalid(
        w.hub.run(
            &w.staff_a(),
            DraftNeed {
                institution: Some("   ".into()),
                ..for_home()
            },
        ),
        "resident",
    );
    invalid(
        w.hub.run(
            &w.staff_a(),
            DraftNeed {
                beneficiaries: vec![w.child_a],
                ..for_home()
            },
        ),
        "beneficiaries",
    );
    let long = w.hub.run(
        &w.staff_a(),
        DraftNeed {
            institution: Some("院".repeat(65)),
            ..for_home()
        },
    );
    match long {
        Err(e) => {
            assert!(matches!(&e, Error::Invalid { field, .. } if field == "institution"));
            assert!(!e.to_string().contains("院院"), "never echoes the value");
        }
        Ok(n) => panic!("a 65-character name was accepted: {n:?}"),
    }
    assert_eq!(count(), drafts, "nothing was written");

    // Drafted (by staff, or a member door to door), the name trimmed; verified like any need.
    let n = w.hub.run(&member(w.member_a), for_home()).unwrap();
    assert_eq!(
        (n.resident, n.institution.as_deref()),
        (None, Some("白鹤养老服务中心"))
    );
    let helped_need = helped_for(&w, for_home());
    assert_eq!(helped_need.resident, None);
    let d = figures(&w, &w.hub);
    assert_eq!(
        (
            d.residents_helped,
            d.households_helped,
            d.needs.needs_verified
        ),
        (
            before.residents_helped,
            before.households_helped,
            before.needs.needs_verified + 1
        ),
        "one service (件), no person or household"
    );
    // Its name is not personal data: a member who is not doing it sees it, as everyone does.
    let seen = w.hub.need(&member(w.loner_a), helped_need.id).unwrap();
    assert_eq!(seen.institution.as_deref(), Some("白鹤养老服务中心"));
    assert_eq!(seen.resident, None);
    // A resident's needs do not include it.
    let mine = w
        .hub
        .library(
            &w.staff_a(),
            &needbridge::hub::NeedQuery {
                resident: Some(w.resident_a),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(mine.needs.iter().all(|x| x.resident == Some(w.resident_a)));
    // The committee's ledger names it as the one served (服务对象); frames carry the column.
    let rows = w
        .hub
        .committee_ledger(
            &w.staff_a(),
            w.committee_a,
            Period::ALL,
            needbridge::export::PersonalData::Masked,
        )
        .unwrap();
    let row = rows.iter().find(|r| r.need == helped_need.id).unwrap();
    assert_eq!(
        (row.resident.as_str(), row.groups.len()),
        ("白鹤养老服务中心", 0)
    );
    let frame = w
        .hub
        .frame(
            &w.staff_a(),
            needbridge::frame::FrameKind::Needs,
            w.committee_a,
        )
        .unwrap();
    let col = |name: &str| match &frame.columns.iter().find(|(n, _)| n == name).unwrap().1 {
        needbridge::frame::Column::Text(t) => t.clone(),
        other => panic!("{name} is {other:?}"),
    };
    let (ids, institutions, residents) = (col("id"), col("institution"), col("resident"));
    let i = (0..frame.rows())
        .find(|i| ids.get(*i) == Some(helped_need.id.to_string().as_str()))
        .unwrap();
    assert_eq!(
        (institutions.get(i), residents.get(i)),
        (Some("白鹤养老服务中心"), None)
    );

    // Cells rebuilt from the records say the same.
    let (_fresh, rebuilt) = needbridge_acceptance::rebuilt_copy(&w, b, false);
    assert_eq!(figures(&w, &rebuilt), d);
    assert_eq!(
        rebuilt.need(&w.admin(), helped_need.id).unwrap(),
        w.hub.need(&w.admin(), helped_need.id).unwrap()
    );
}

needbridge_acceptance::conformance!(
    people_households_and_services_count_once,
    an_institution_is_a_beneficiary
);

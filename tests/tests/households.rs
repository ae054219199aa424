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
        resident,
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
    let n = w
        .hub
        .run(&w.staff_a(), draft(w, resident, beneficiaries))
        .unwrap();
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
    let snap = w.dump();
    let fresh = b.fresh();
    {
        let mut tx = fresh.store.begin_write().unwrap();
        for records in snap.records.values() {
            for r in records.values().rev() {
                tx.put(r).unwrap();
            }
        }
        needbridge::store::rebuild_report_cells(&mut *tx).unwrap();
        tx.commit().unwrap();
    }
    let rebuilt = Hub::new(fresh.store.clone()).unwrap();
    assert_eq!(figures(&w, &rebuilt), d);

    // A member drafting door to door may name further beneficiaries too.
    let drafted = w
        .hub
        .run(&member(w.member_a), draft(&w, w.child_a, vec![spouse]))
        .unwrap();
    assert_eq!(drafted.beneficiaries, vec![spouse]);
}

needbridge_acceptance::conformance!(people_households_and_services_count_once);

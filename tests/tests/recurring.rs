//! Lasting work: a recurring need (weekly meals for an elderly resident, a monthly visit)
//! publishes its next occurrence on the tick when the one before is due, wanted one period
//! later, until the series is complete; a withdrawn series stops; occurrences whose time passed
//! while no one ticked are skipped, never published late.

use chrono::{DateTime, Duration, Utc};
use needbridge::command::*;
use needbridge::hub::NeedQuery;
use needbridge::model::*;
use needbridge::{Error, Hub};
use needbridge_acceptance::{draft_again, Backend, World};

fn recurring(w: &World, every: Every, times: u32, wanted_by: DateTime<Utc>) -> Need {
    let n = w
        .hub
        .run(
            &w.staff_a(),
            DraftNeed {
                committee: w.committee_a,
                grid: None,
                resident: Some(w.resident_a),
                institution: None,
                title: "每周送餐上门".into(),
                description: "独居老人，每周三送一次午餐".into(),
                category: "festival_goods".into(),
                channel: Channel::Family,
                scale: Scale::Individual,
                estimated_cost_fen: 2_000,
                wanted_by,
                beneficiaries: vec![],
                recurrence: Some(Recurrence { every, times }),
                place: None,
                location: None,
            },
        )
        .unwrap();
    w.hub.run(&w.staff_a(), PublishNeed { need: n.id }).unwrap()
}

/// The series of `first`, by occurrence number, as the library shows them.
fn series(hub: &Hub, w: &World, first: &Need) -> Vec<(u32, DateTime<Utc>, Option<NeedId>)> {
    let page = hub
        .library(
            &w.staff_a(),
            &NeedQuery {
                text: Some("每周送餐上门".into()),
                limit: 100,
                ..Default::default()
            },
        )
        .unwrap();
    let mut v: Vec<_> = page
        .needs
        .iter()
        .filter(|n| n.id == first.id || n.series == Some(first.id))
        .map(|n| (n.occurrence, n.wanted_by, n.series))
        .collect();
    v.sort();
    v
}

fn weekly_meals_come_again_until_the_series_ends(b: Backend) {
    let w = World::on(b);
    let week = Duration::weeks(1);
    let start = w.hub.now() + Duration::days(2);
    let first = recurring(&w, Every::Week, 3, start);
    // At least 2, at most 520.
    for times in [1, 521] {
        match w.hub.run(
            &w.staff_a(),
            DraftNeed {
                recurrence: Some(Recurrence {
                    every: Every::Week,
                    times,
                }),
                ..draft_again(&first)
            },
        ) {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "recurrence.times"),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }
    assert_eq!((first.occurrence, first.next_due), (1, Some(start)));
    assert_eq!(w.hub.tick().unwrap().occurrences, 0, "not yet due");

    w.clock.advance(Duration::days(2) + Duration::minutes(1));
    assert_eq!(w.hub.tick().unwrap().occurrences, 1);
    assert_eq!(
        series(&w.hub, &w, &first),
        vec![(1, start, None), (2, start + week, Some(first.id))]
    );
    assert_eq!(w.hub.tick().unwrap().occurrences, 0, "once per due date");
    w.clock.advance(week);
    assert_eq!(w.hub.tick().unwrap().occurrences, 1);
    w.clock.advance(week * 3);
    assert_eq!(w.hub.tick().unwrap().occurrences, 0, "three in all");
    let s = series(&w.hub, &w, &first);
    assert_eq!(s.len(), 3);
    assert_eq!(s[2], (3, start + week * 2, Some(first.id)));
    assert_eq!(w.hub.need(&w.admin(), first.id).unwrap().next_due, None);
    // Each occurrence is a need of its own: claimed, done and counted like any other.
    let occurrences = w
        .hub
        .report(
            &w.admin(),
            needbridge::report::ReportScope::Unit(w.district),
            needbridge::report::Period::ALL,
        )
        .unwrap();
    assert!(occurrences.data.needs.needs_published >= 3);
}

fn missed_occurrences_are_skipped_and_withdrawn_series_stop(b: Backend) {
    let w = World::on(b);
    let start = w.hub.now() + Duration::days(1);
    let monthly = recurring(&w, Every::Month, 6, start);
    // No tick for more than two months: the second and third are skipped.
    w.clock.advance(Duration::days(1 + 31 + 30));
    assert_eq!(w.hub.tick().unwrap().occurrences, 1);
    let s = series(&w.hub, &w, &monthly);
    assert_eq!(s.len(), 2);
    assert!(s[1].0 >= 3 && s[1].1 > w.hub.now(), "{s:?}");
    // The first has expired unclaimed meanwhile; withdrawing the latest occurrence ends the
    // series.
    let latest = w
        .hub
        .library(
            &w.staff_a(),
            &NeedQuery {
                text: Some("每周送餐上门".into()),
                limit: 100,
                ..Default::default()
            },
        )
        .unwrap()
        .needs
        .into_iter()
        .find(|n| n.series == Some(monthly.id))
        .unwrap();
    w.hub
        .run(
            &w.staff_a(),
            WithdrawNeed {
                need: latest.id,
                reason: "老人住进养老院".into(),
            },
        )
        .unwrap();
    assert_eq!(w.hub.need(&w.admin(), monthly.id).unwrap().next_due, None);
    w.clock.advance(Duration::days(200));
    assert_eq!(w.hub.tick().unwrap().occurrences, 0);
    // Only the system publishes occurrences.
    let e = w
        .hub
        .run(&w.staff_a(), NextOccurrence { need: monthly.id })
        .unwrap_err();
    assert_eq!(e.kind(), needbridge::ErrorKind::Forbidden);
}

/// Occurrences follow the last one published; a resident whose data was erased gets no more.
fn erased_residents_get_no_more_occurrences(b: Backend) {
    let w = World::on(b);
    let start = w.hub.now() + Duration::days(1);
    let first = recurring(&w, Every::Week, 5, start);
    w.clock.advance(Duration::days(1) + Duration::minutes(1));
    assert_eq!(w.hub.tick().unwrap().occurrences, 1);
    assert_eq!(series(&w.hub, &w, &first)[1].0, 2);
    w.clock.advance(Duration::weeks(1));
    assert_eq!(w.hub.tick().unwrap().occurrences, 1);
    assert_eq!(series(&w.hub, &w, &first).len(), 3);
    // Erased: the series stops at the next due date.
    w.hub
        .run(
            &w.staff_a(),
            EraseResident {
                resident: w.resident_a,
            },
        )
        .unwrap();
    w.clock.advance(Duration::weeks(1));
    assert_eq!(w.hub.tick().unwrap().occurrences, 0);
    assert_eq!(w.hub.need(&w.admin(), first.id).unwrap().next_due, None);
}

needbridge_acceptance::conformance!(
    weekly_meals_come_again_until_the_series_ends,
    missed_occurrences_are_skipped_and_withdrawn_series_stop,
    erased_residents_get_no_more_occurrences
);

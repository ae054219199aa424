//! The contract checks: one function per `#[test]` that
//! [`store_conformance_tests!`](crate::store_conformance_tests) generates, each given a
//! [`Kit`] and a fresh, empty store from it. They check the contract written in
//! [`crate::store`] — directly through [`Tx`] where a point is about
//! storage, through the [`Hub`] on the [`World`] fixture where it is about what a backend
//! must give the Hub — and compare with the reference: [`Query::matches`] for queries, the
//! in-memory store (whose reports and frames are the reference computation) for figures and
//! frames.
//!
//! Each can also be run alone, e.g. from a test of your own:
//! `needbridge::testing::run(kit, module_path!(), "my_test", checks::queries_match_the_definition)`.

pub use super::crash::crash_loses_no_acknowledged_change;
pub use super::race::racing_handles_claim_once;

use super::invariants::{check_invariants, replay_matches};
use super::{member, t0, Fresh, Kit, World};
use crate::command::*;
use crate::error::StoreError;
use crate::frame::{Column, FrameKind};
use crate::model::*;
use crate::report::{Period, ReportScope};
use crate::rules::validate::{MAX_COUNT, MAX_FEN, MAX_NAME, MAX_TEXT, MAX_TITLE};
use crate::store::memory::{MemorySnapshot, MemoryStore};
use crate::store::{
    dump, is_unsupported, restore, ActivityFilter, ClaimFilter, Kind, MemberFilter, NeedFilter,
    OfferFilter, Page, Query, Record, Store, TeamFilter, Tx, TxExt,
};
use crate::{Actor, Error, ErrorKind, Event, Hub};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

const SYS: Actor = Actor::System;

/// Panics naming the first record or event where `got` differs from `want`.
fn assert_same_state(got: &MemorySnapshot, want: &MemorySnapshot, what: &str) {
    for kind in Kind::ALL {
        let (g, w) = (got.records.get(kind), want.records.get(kind));
        let empty = Default::default();
        let (g, w) = (g.unwrap_or(&empty), w.unwrap_or(&empty));
        for (id, r) in w {
            assert_eq!(g.get(id), Some(r), "{what}: {} {id}", kind.name());
        }
        for id in g.keys() {
            assert!(
                w.contains_key(id),
                "{what}: unexpected {} {id}",
                kind.name()
            );
        }
    }
    assert_eq!(got.events.len(), want.events.len(), "{what}: event count");
    for (g, w) in got.events.iter().zip(&want.events) {
        assert_eq!(g, w, "{what}: event {}", w.seq);
    }
}

/// An event for `changes`, next in the log after `last`.
fn event(last: u64, at: DateTime<Utc>, need: NeedId, changes: Vec<Record>) -> Event {
    Event {
        id: EventId::new(),
        seq: last + 1,
        at,
        happened_at: None,
        actor: SYS,
        kind: "need_published".into(),
        committee: None,
        command: PublishNeed { need }.into(),
        changes,
    }
}

/// Records and the event log round-trip exactly (contract points 5 and 6): the fixture's
/// whole state, built on the in-memory store, restored into the store under test reads back
/// equal — every record of every kind, field for field, by [`Tx::get`]
/// and by whole-kind queries, and every event. A missing id, or an id asked for as another
/// kind, is `None`.
pub fn records_and_events_round_trip(_kit: &Kit, fresh: Fresh) {
    let w = World::memory();
    w.a_month_later();
    let want = w.dump();
    restore(&want, &*fresh.store).unwrap();
    assert_same_state(&dump(&*fresh.store).unwrap(), &want, "restored state");
    let mut tx = fresh.store.begin_read().unwrap();
    let mut n = 0;
    for (kind, records) in &want.records {
        for (id, r) in records {
            assert_eq!(tx.get(*kind, *id).unwrap().as_ref(), Some(r), "get {id}");
            n += 1;
        }
    }
    assert!(n > 40, "the fixture has records of most kinds");
    assert_eq!(tx.get(Kind::Need, Uuid::now_v7()).unwrap(), None);
    assert_eq!(tx.get(Kind::Claim, w.need_open.0).unwrap(), None);
    assert_eq!(tx.last_seq().unwrap(), want.events.len() as u64);
}

/// Read your writes (point 4): inside a write transaction, `get`, `query`, `count`,
/// `last_seq` and `events_since` see the transaction's own puts and appended event — a
/// changed record, a new one — before it commits; after the commit everyone does.
pub fn reads_see_own_writes(_kit: &Kit, fresh: Fresh) {
    let w = World::build(fresh.store.clone());
    let mut tx = fresh.store.begin_write().unwrap();
    let mut changed: Need = tx.load(&w.need_open).unwrap().unwrap();
    changed.status = NeedStatus::Withdrawn;
    changed.title = "改过".into();
    let mut added = changed.clone();
    added.id = NeedId::new();
    added.title = "新的".into();
    added.committee = w.committee_b;
    let writes = [Record::Need(changed.clone()), Record::Need(added.clone())];
    for r in &writes {
        tx.put(r).unwrap();
    }
    for r in &writes {
        assert_eq!(tx.get(Kind::Need, r.id()).unwrap().as_ref(), Some(r));
    }
    let withdrawn = Query::Needs(NeedFilter {
        statuses: vec![NeedStatus::Withdrawn],
        ..Default::default()
    });
    assert_eq!(tx.query(&withdrawn, &Page::ALL).unwrap(), writes.to_vec());
    assert_eq!(tx.count(&withdrawn).unwrap(), 2);
    let published = Query::Needs(NeedFilter {
        statuses: vec![NeedStatus::Published],
        ..Default::default()
    });
    let still: Vec<Uuid> = tx
        .query(&published, &Page::ALL)
        .unwrap()
        .iter()
        .map(Record::id)
        .collect();
    assert!(!still.contains(&changed.id.0), "the old version is gone");
    let last = tx.last_seq().unwrap();
    let e = event(last, w.hub.now(), changed.id, writes.to_vec());
    tx.append_event(&e).unwrap();
    assert_eq!(tx.last_seq().unwrap(), last + 1);
    assert_eq!(tx.events_since(last, 10).unwrap(), vec![e.clone()]);
    tx.commit().unwrap();
    let mut tx = fresh.store.begin_read().unwrap();
    assert_eq!(tx.query(&withdrawn, &Page::ALL).unwrap(), writes.to_vec());
    assert_eq!(tx.events_since(last, 10).unwrap(), vec![e]);
}

/// Atomicity (point 2): a write transaction dropped without commit — after puts of changed
/// and new records and an appended event — leaves the whole state as it was, and the next
/// transaction appends at the same sequence number.
pub fn rollback_writes_nothing(_kit: &Kit, fresh: Fresh) {
    let w = World::build(fresh.store.clone());
    let before = w.dump();
    for commit_a_read_first in [false, true] {
        let mut tx = fresh.store.begin_write().unwrap();
        if commit_a_read_first {
            // Reading before writing takes no different path to a rollback.
            tx.query(&Query::Needs(NeedFilter::default()), &Page::ALL)
                .unwrap();
        }
        let mut need: Need = tx.load(&w.need_open).unwrap().unwrap();
        need.status = NeedStatus::Claimed;
        let mut added = need.clone();
        added.id = NeedId::new();
        let last = tx.last_seq().unwrap();
        tx.put(&Record::Need(need.clone())).unwrap();
        tx.put(&Record::Need(added.clone())).unwrap();
        tx.append_event(&event(last, w.hub.now(), need.id, vec![Record::Need(need)]))
            .unwrap();
        drop(tx);
        assert_same_state(&w.dump(), &before, "after a rollback");
    }
    let mut tx = fresh.store.begin_write().unwrap();
    assert_eq!(tx.last_seq().unwrap(), before.events.len() as u64);
    drop(tx);
    // The Hub still works on top: the next command's event follows the last committed one.
    let publish = PublishNeed {
        need: w.need_submitted,
    };
    w.hub.run(&w.staff_a(), publish).unwrap();
    let after = w.dump();
    assert_eq!(after.events.len(), before.events.len() + 1);
    check_invariants(&after).unwrap();
}

/// Events (point 6): the log is gap-free from 1 and ordered; `events_since(after, limit)`
/// returns exactly the events with `seq > after`, ascending, at most `limit`, for every
/// cursor (before, inside and past the log); replaying every event's changes rebuilds the
/// records; the invariants hold.
pub fn events_are_gap_free_and_ordered(_kit: &Kit, fresh: Fresh) {
    let w = World::build(fresh.store.clone());
    let snap = w.dump();
    check_invariants(&snap).unwrap();
    replay_matches(&snap).unwrap();
    let mut tx = fresh.store.begin_read().unwrap();
    let last = tx.last_seq().unwrap();
    assert!(last > 20, "the fixture wrote events");
    let all = tx.events_since(0, u32::MAX).unwrap();
    assert_eq!(
        all.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=last).collect::<Vec<_>>()
    );
    for after in [0, 1, last / 2, last - 1, last, last + 5] {
        for limit in [0, 1, 2, 7, 1000] {
            let want: Vec<&Event> = all
                .iter()
                .filter(|e| e.seq > after)
                .take(limit as usize)
                .collect();
            let got = tx.events_since(after, limit).unwrap();
            assert_eq!(
                got.iter().collect::<Vec<_>>(),
                want,
                "after {after} limit {limit}"
            );
        }
    }
}

/// The queries the fixture answers, of every kind and filter shape.
fn queries(w: &World) -> Vec<Query> {
    let all_statuses = vec![
        NeedStatus::Draft,
        NeedStatus::Submitted,
        NeedStatus::Published,
        NeedStatus::Claimed,
        NeedStatus::InProgress,
        NeedStatus::Done,
        NeedStatus::Verified,
    ];
    let mut qs = vec![
        Query::Units {
            parent: None,
            kind: None,
        },
        Query::Units {
            parent: Some(w.community),
            kind: Some(UnitKind::Committee),
        },
        Query::WorkUnits,
        Query::Organisations,
        Query::Categories,
        Query::Members(MemberFilter::default()),
        Query::Members(MemberFilter {
            unit: Some(w.committee_a),
            statuses: vec![MemberStatus::Accepted, MemberStatus::Reported],
            ..Default::default()
        }),
        Query::Members(MemberFilter {
            work_unit: Some(w.work_unit),
            statuses: vec![MemberStatus::Certified],
            ..Default::default()
        }),
        Query::Ledger {
            work_unit: Some(w.work_unit),
            member: None,
        },
        Query::Ledger {
            work_unit: None,
            member: Some(w.member_a),
        },
        Query::Residents { unit: None },
        Query::Residents {
            unit: Some(w.committee_a),
        },
        Query::Needs(NeedFilter {
            text: Some("NO-SUCH-WORD".into()),
            ..Default::default()
        }),
        Query::Needs(NeedFilter {
            text: Some("书包".into()),
            ..Default::default()
        }),
        Query::Needs(NeedFilter {
            category: Some("festival_goods".into()),
            channel: Some(Channel::Family),
            resident: Some(w.resident_a),
            wanted_before: Some(t0() + Duration::days(31)),
            ..Default::default()
        }),
        Query::Claims(ClaimFilter::default()),
        Query::Claims(ClaimFilter {
            claimant: Some(Claimant::Member(w.member_a)),
            statuses: vec![
                ClaimStatus::Active,
                ClaimStatus::InProgress,
                ClaimStatus::Done,
            ],
            ..Default::default()
        }),
        Query::Claims(ClaimFilter {
            unit: Some(w.committee_b),
            ..Default::default()
        }),
        Query::Claims(ClaimFilter {
            need: Some(w.need_done),
            promised_before: Some(t0() + Duration::days(11)),
            ..Default::default()
        }),
        Query::Teams(TeamFilter::default()),
        Query::Teams(TeamFilter {
            member: Some(w.captain_a),
            ..Default::default()
        }),
        Query::Teams(TeamFilter {
            unit: Some(w.district),
            kind: Some(TeamKind::HomeElderCare),
            ..Default::default()
        }),
        Query::Hours {
            member: Some(w.member_a),
            unit: None,
            status: None,
        },
        Query::Hours {
            member: None,
            unit: Some(w.committee_a),
            status: Some(HoursStatus::Pending),
        },
        Query::Activities(ActivityFilter::default()),
        Query::Activities(ActivityFilter {
            unit: Some(w.committee_a),
            kind: Some(ActivityKind::Patrol),
            from: Some(t0() - Duration::days(1)),
            to: Some(t0()),
            ..Default::default()
        }),
        Query::Roles {
            unit: Some(w.committee_a),
            member: None,
            current_only: true,
        },
        Query::Roles {
            unit: None,
            member: Some(w.captain_a),
            current_only: false,
        },
        Query::Pairings {
            unit: Some(w.district),
            member: None,
            resident: Some(w.resident_a),
            current_only: true,
        },
        Query::Pairings {
            unit: None,
            member: Some(w.member_b),
            resident: None,
            current_only: false,
        },
    ];
    // The project library's query: a scope, a status list, a scale (SQL backends answer
    // pages of it with one branch per status and committee).
    for unit in [
        None,
        Some(w.district),
        Some(w.committee_a),
        Some(w.committee_b),
        Some(w.grid_a),
    ] {
        for statuses in [
            vec![],
            vec![NeedStatus::Published],
            vec![NeedStatus::Published, NeedStatus::Claimed],
            all_statuses.clone(),
        ] {
            for scale in [None, Some(Scale::Individual)] {
                qs.push(Query::Needs(NeedFilter {
                    unit,
                    statuses: statuses.clone(),
                    scale,
                    ..Default::default()
                }));
            }
        }
    }
    qs
}

/// The units of a state, by id.
fn units_of(snap: &MemorySnapshot) -> BTreeMap<UnitId, Unit> {
    snap.records
        .get(&Kind::Unit)
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(|r| match r {
            Record::Unit(u) => Some((u.id, u.clone())),
            _ => None,
        })
        .collect()
}

/// The records of a state that `q` selects by its definition ([`Query::matches`]), in id
/// order.
fn selected<'a>(
    snap: &'a MemorySnapshot,
    q: &Query,
    units: &BTreeMap<UnitId, Unit>,
) -> Vec<&'a Record> {
    let within = |unit: UnitId, scope: UnitId| units.get(&unit).is_some_and(|u| u.is_within(scope));
    snap.records
        .get(&q.kind())
        .into_iter()
        .flat_map(|m| m.values())
        .filter(|r| q.matches(r, &within))
        .collect()
}

/// Queries (point 7): with the fixture's state (built on the in-memory store) restored into
/// the store, for queries of every kind and filter shape, `query` returns exactly the
/// records for which [`Query::matches`] holds, ordered by id; `count` is their number;
/// walking pages of 1, 2, 3 and 50 with [`Page::after`] lists exactly the same records;
/// a cursor past the last id gives nothing.
pub fn queries_match_the_definition(_kit: &Kit, fresh: Fresh) {
    // The expected records come from the reference store, not from the store under test.
    let w = World::memory();
    w.record_patrol();
    let snap = w.dump();
    restore(&snap, &*fresh.store).unwrap();
    let units = units_of(&snap);
    let mut tx = fresh.store.begin_read().unwrap();
    let mut nonempty = 0;
    let qs = queries(&w);
    for q in &qs {
        let want = selected(&snap, q, &units);
        let got = tx.query(q, &Page::ALL).unwrap();
        assert_eq!(got.iter().collect::<Vec<_>>(), want, "{q:?}");
        assert_eq!(tx.count(q).unwrap(), want.len() as u64, "count of {q:?}");
        nonempty += usize::from(!want.is_empty());
        for size in [1, 2, 3, 50] {
            let mut paged = Vec::new();
            let mut after = None;
            loop {
                let page = tx
                    .query(
                        q,
                        &Page {
                            after,
                            limit: Some(size),
                        },
                    )
                    .unwrap();
                assert!(page.len() <= size as usize, "{q:?} in pages of {size}");
                let Some(last) = page.last() else { break };
                after = Some(last.id());
                paged.extend(page);
            }
            assert_eq!(
                paged.iter().collect::<Vec<_>>(),
                want,
                "{q:?} in pages of {size}"
            );
        }
        let past = Page {
            after: Some(Uuid::now_v7()),
            limit: None,
        };
        assert!(
            tx.query(q, &past).unwrap().is_empty(),
            "{q:?} after the last id"
        );
    }
    assert!(
        nonempty * 4 >= qs.len() * 3,
        "the fixture should make most queries match ({nonempty} of {})",
        qs.len()
    );
}

/// Issue 18's records (households, needs for several residents with places and recurrence,
/// offers, rosters, visits, certificates, corrections) round-trip through the store, its
/// queries of them equal their definition, and every report figure equals the reference.
pub fn district_work_round_trips(_kit: &Kit, fresh: Fresh) {
    let w = World::memory();
    w.district_work();
    let snap = w.dump();
    check_invariants(&snap).unwrap();
    replay_matches(&snap).unwrap();
    restore(&snap, &*fresh.store).unwrap();
    assert_same_state(&dump(&*fresh.store).unwrap(), &snap, "restored state");
    for kind in [
        Kind::Household,
        Kind::Offer,
        Kind::ServiceCertificate,
        Kind::Correction,
        Kind::CalendarYear,
    ] {
        assert!(
            snap.records.get(&kind).is_some_and(|m| !m.is_empty()),
            "the fixture has a {kind:?}"
        );
    }
    assert!(
        snap.records
            .get(&Kind::Need)
            .is_some_and(|m| m.values().any(
                |r| matches!(r, Record::Need(n) if n.resident.is_none() && n.institution.is_some())
            )),
        "the fixture has a need for an institution"
    );
    let units = units_of(&snap);
    let qs = vec![
        Query::CalendarYears,
        Query::Claims(ClaimFilter {
            rostered: true,
            ..Default::default()
        }),
        Query::Claims(ClaimFilter {
            rostered: true,
            unit: Some(w.committee_a),
            statuses: vec![ClaimStatus::Verified],
            ..Default::default()
        }),
        Query::Households { unit: None },
        Query::Households {
            unit: Some(w.committee_b),
        },
        Query::Offers(OfferFilter::default()),
        Query::Offers(OfferFilter {
            need: Some(w.need_open),
            to: Some(Claimant::Member(w.captain_a)),
            statuses: vec![OfferStatus::Accepted],
            unit: Some(w.district),
            expires_before: Some(t0() + Duration::days(30)),
        }),
        Query::ServiceCertificates {
            number: None,
            member: Some(w.member_a),
        },
        Query::Corrections {
            unit: Some(w.committee_a),
        },
        Query::Needs(NeedFilter {
            beneficiary: Some(w.child_a),
            ..Default::default()
        }),
        Query::Needs(NeedFilter {
            due_before: Some(t0() + Duration::days(60)),
            ..Default::default()
        }),
    ];
    let mut tx = fresh.store.begin_read().unwrap();
    let mut nonempty = 0;
    for q in &qs {
        let want = selected(&snap, q, &units);
        let got = tx.query(q, &Page::ALL).unwrap();
        assert_eq!(got.iter().collect::<Vec<_>>(), want, "{q:?}");
        assert_eq!(tx.count(q).unwrap(), want.len() as u64, "count of {q:?}");
        nonempty += usize::from(!want.is_empty());
    }
    assert!(nonempty >= qs.len() - 1, "most queries match something");
    drop(tx);
    let hub = Hub::new(fresh.store.clone()).unwrap();
    let mem = Hub::new(Arc::new(MemoryStore::from_snapshot(snap))).unwrap();
    for scope in [
        ReportScope::Unit(w.district),
        ReportScope::WorkUnit(w.work_unit),
    ] {
        for period in [
            Period::ALL,
            Period {
                from: Some(t0() + Duration::hours(1)),
                to: None,
            },
        ] {
            let got = hub.report(&SYS, scope, period).unwrap().data;
            let want = mem.report(&SYS, scope, period).unwrap().data;
            assert_eq!(got, want, "{scope:?} {period:?}");
        }
    }
    let got = hub
        .report(&SYS, ReportScope::Unit(w.district), Period::ALL)
        .unwrap()
        .data;
    assert!(got.households_helped >= 1 && got.offers.contains_key("branch"));
}

/// Durability (point 3): everything committed is there, unchanged, when the store is opened
/// again with every earlier handle dropped; the Hub goes on from the same log. Needs the
/// factory's `reopen` (skipped without it).
pub fn committed_changes_survive_reopen(kit: &Kit, fresh: Fresh) {
    let Fresh {
        store,
        locator,
        keep,
    } = fresh;
    let Some(locator) = locator.filter(|_| kit.reopen.is_some()) else {
        eprintln!("skipped: the factory gave no way to reopen the store");
        return;
    };
    let w = World::build(store);
    let snap = w.dump();
    let (need, clock) = (w.need_submitted, w.clock.clone());
    drop(w);
    let store = kit.reopen_locator(&locator).expect("reopen");
    assert_same_state(&dump(&*store).unwrap(), &snap, "after reopening");
    let hub = Hub::with(store, clock, crate::HubConfig::default()).unwrap();
    hub.run(&Actor::System, PublishNeed { need }).unwrap();
    drop(hub);
    let store = kit.reopen_locator(&locator).expect("reopen");
    let again = dump(&*store).unwrap();
    assert_eq!(again.events.len(), snap.events.len() + 1);
    check_invariants(&again).unwrap();
    drop(store);
    drop(keep);
}

/// The fixture builds on the store and its entities are in the states [`World`] promises
/// (every command of the build succeeded and reads back).
pub fn world_is_as_described(_kit: &Kit, fresh: Fresh) {
    let w = World::build(fresh.store.clone());
    let sys = crate::Actor::System;
    for (need, status) in [
        (w.need_draft, NeedStatus::Draft),
        (w.need_submitted, NeedStatus::Submitted),
        (w.need_open, NeedStatus::Published),
        (w.need_claimed, NeedStatus::Claimed),
        (w.need_done, NeedStatus::Done),
        (w.need_verified, NeedStatus::Verified),
    ] {
        assert_eq!(w.hub.need(&sys, need).unwrap().status, status);
    }
    for (m, status) in [
        (w.reported, MemberStatus::Reported),
        (w.certified, MemberStatus::Certified),
    ] {
        assert_eq!(w.hub.member(&sys, m).unwrap().status, status);
    }
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

const NASTY: &[&str] = &[
    "'; DROP TABLE needs; --",
    "\" OR 1=1 --",
    "Robert'); DELETE FROM claims WHERE ('1'='1",
    "%_\\%' ESCAPE '\\",
    "$1 $$ ?1 :name @p",
    "😀👩‍👩‍👧‍👦🇨🇳 书包",
    "ﬁ ß İ ǅ Ω",
    "a\u{00A0}b\u{3000}c",
];

fn far_future() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap() + Duration::microseconds(999_999)
}

/// Quotes, SQL fragments, emoji and other scripts are stored and read back exactly.
pub fn nasty_text_round_trips(_kit: &Kit, fresh: Fresh) {
    let w = World::build(fresh.store.clone());
    let st = w.staff_a();
    for (i, t) in NASTY.iter().enumerate() {
        let title: String = t.chars().take(MAX_TITLE).collect();
        let n = w
            .hub
            .run(
                &st,
                DraftNeed {
                    committee: w.committee_a,
                    grid: None,
                    resident: Some(w.resident_a),
                    institution: None,
                    title: title.clone(),
                    description: format!("{t}\n第二行\t{t}"),
                    category: "culture".into(),
                    channel: Channel::Community,
                    scale: Scale::Individual,
                    estimated_cost_fen: i as i64,
                    wanted_by: far_future(),
                    beneficiaries: Vec::new(),
                    recurrence: None,
                    place: None,
                    location: None,
                },
            )
            .unwrap();
        let back = w.hub.need(&Actor::System, n.id).unwrap();
        assert_eq!(back, n, "{t:?}");
        assert_eq!(back.title, title.trim());
        assert_eq!(back.wanted_by, far_future());
        // The free-text search finds it by its own words.
        let word = title.split_whitespace().next().unwrap().to_string();
        let q = crate::hub::NeedQuery {
            text: Some(word),
            statuses: vec![NeedStatus::Draft],
            ..Default::default()
        };
        let hits = w.hub.library(&Actor::System, &q).unwrap();
        assert!(hits.needs.iter().any(|x| x.id == n.id), "search for {t:?}");
    }
    assert!(
        w.hub.units(&Actor::System, None, None).unwrap().len() >= 5,
        "no table was dropped"
    );
}

/// The longest texts and the largest and smallest numbers round-trip exactly.
pub fn limits_round_trip(_kit: &Kit, fresh: Fresh) {
    let w = World::build(fresh.store.clone());
    let st = w.staff_a();
    let name = "龘".repeat(MAX_NAME);
    let r = w
        .hub
        .run(
            &st,
            RegisterResident {
                committee: w.committee_a,
                grid: Some(w.grid_a),
                name: name.clone(),
                phone: Some("08588221234".into()),
                id_number: None,
                address: Some("𠀀".repeat(MAX_TITLE)),
                groups: ResidentGroup::ALL.to_vec(),
                household: None,
            },
        )
        .unwrap();
    assert_eq!(w.hub.resident(&st, r.id).unwrap(), r);
    let n = w
        .hub
        .run(
            &st,
            DraftNeed {
                committee: w.committee_a,
                grid: Some(w.grid_a),
                resident: Some(r.id),
                institution: None,
                title: "x".repeat(MAX_TITLE),
                description: "长".repeat(MAX_TEXT),
                category: "health".into(),
                channel: Channel::Family,
                scale: Scale::Collective,
                estimated_cost_fen: MAX_FEN,
                wanted_by: far_future(),
                beneficiaries: Vec::new(),
                recurrence: None,
                place: None,
                location: None,
            },
        )
        .unwrap();
    w.hub.run(&st, PublishNeed { need: n.id }).unwrap();
    let c = w
        .hub
        .run(
            &w.contact(),
            ClaimNeed {
                need: n.id,
                claimant: Claimant::Organisation(w.org),
                promised_by: far_future(),
            },
        )
        .unwrap();
    let f = Fulfilment {
        money_fen: MAX_FEN,
        items: (0..50)
            .map(|i| Item {
                count: MAX_COUNT,
                description: format!("物品{i}"),
            })
            .collect(),
        minutes: 1_000_000,
        people_served: MAX_COUNT,
        evidence: (0..50)
            .map(|i| format!("s3://bucket/证据-{i}.jpg"))
            .collect(),
        note: "注".repeat(MAX_TEXT),
        roster: Vec::new(),
    };
    let done = w
        .hub
        .run(
            &w.contact(),
            CompleteClaim {
                claim: c.id,
                fulfilment: f.clone(),
            },
        )
        .unwrap();
    assert_eq!(w.hub.claim(&Actor::System, c.id).unwrap(), done);
    assert_eq!(done.fulfilment, Some(f));
    w.hub.run(&st, VerifyClaim { claim: c.id }).unwrap();
    let org = w.hub.organisations(&Actor::System).unwrap().remove(0);
    assert_eq!(org.tally.money_fen, MAX_FEN + 30_000);
    assert_eq!(org.tally.items, 50 * u64::from(MAX_COUNT) + 3);
    // The smallest values: zero money, no items, an empty note.
    let n0 = w.hub.run(
        &st,
        DraftNeed {
            committee: w.committee_a,
            grid: None,
            resident: Some(r.id),
            institution: None,
            title: "零".into(),
            description: "零".into(),
            category: "health".into(),
            channel: Channel::Family,
            scale: Scale::Individual,
            estimated_cost_fen: 0,
            wanted_by: w.hub.now() + Duration::microseconds(1),
            beneficiaries: Vec::new(),
            recurrence: None,
            place: None,
            location: None,
        },
    );
    assert_eq!(n0.unwrap().estimated_cost_fen, 0);
}

/// A refused command writes nothing (points 2 and the Hub's rule): values no backend could
/// store exactly are refused with `Invalid`; commands refused after reading — forbidden to
/// the actor, illegal in the need's state, on a missing need — roll back; the whole state
/// and the event log stay exactly as they were.
pub fn refused_commands_write_nothing(_kit: &Kit, fresh: Fresh) {
    let w = World::build(fresh.store.clone());
    let st = w.staff_a();
    let before = w.dump();
    let draft = |title: String, fen: i64, wanted_by: DateTime<Utc>| DraftNeed {
        committee: w.committee_a,
        grid: None,
        resident: Some(w.resident_a),
        institution: None,
        title,
        description: "d".into(),
        category: "health".into(),
        channel: Channel::Family,
        scale: Scale::Individual,
        estimated_cost_fen: fen,
        wanted_by,
        beneficiaries: Vec::new(),
        recurrence: None,
        place: None,
        location: None,
    };
    let cases: Vec<(DraftNeed, &str)> = vec![
        (draft("a\0b".into(), 0, far_future()), "title"),
        (draft("x".repeat(1 << 20), 0, far_future()), "title"),
        (
            draft("ok".into(), i64::MAX, far_future()),
            "estimated_cost_fen",
        ),
        (
            draft("ok".into(), i64::MIN, far_future()),
            "estimated_cost_fen",
        ),
        (draft("ok".into(), 0, DateTime::<Utc>::MAX_UTC), "wanted_by"),
        (draft("ok".into(), 0, DateTime::<Utc>::MIN_UTC), "wanted_by"),
    ];
    for (cmd, field) in cases {
        match w.hub.run(&st, cmd) {
            Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: expected Invalid, got {other:?}"),
        }
    }
    let e = w
        .hub
        .run(
            &w.contact(),
            CompleteClaim {
                claim: w.claim_verified,
                fulfilment: Fulfilment {
                    people_served: u32::MAX,
                    ..Default::default()
                },
            },
        )
        .unwrap_err();
    assert!(matches!(e, Error::Invalid { ref field, .. } if field == "fulfilment.people_served"));
    let refused: Vec<(Actor, Command, ErrorKind)> = vec![
        (
            member(w.loner_a),
            PublishNeed { need: w.need_open }.into(),
            ErrorKind::Forbidden,
        ),
        (
            st,
            PublishNeed {
                need: w.need_verified,
            }
            .into(),
            ErrorKind::IllegalState,
        ),
        (
            w.contact(),
            ClaimNeed {
                need: NeedId::new(),
                claimant: Claimant::Organisation(w.org),
                promised_by: t0() + Duration::days(3),
            }
            .into(),
            ErrorKind::NotFound,
        ),
    ];
    for (actor, cmd, kind) in refused {
        let e = w.hub.execute(&actor, cmd.clone()).unwrap_err();
        assert_eq!(e.kind(), kind, "{cmd:?}");
    }
    assert_same_state(&w.dump(), &before, "after refused commands");
}

/// A record read and then written again in the same transaction (SQL stores then write only
/// the columns that changed) reads back exactly as written — every field, its child rows
/// added, changed and removed, and after several writes in one transaction.
pub fn rewrites_in_one_transaction_round_trip(_kit: &Kit, fresh: Fresh) {
    use crate::store::{Kind, Record, TxExt};
    let w = World::build(fresh.store.clone());
    let mut tx = w.store.begin_write().unwrap();
    let mut need: Need = tx.load(&w.need_open).unwrap().unwrap();
    need.committee = w.committee_b;
    need.grid = None;
    need.title = "改过的标题".into();
    need.status = NeedStatus::Withdrawn;
    need.claim_count += 7;
    need.published_at = None;
    tx.put(&Record::Need(need.clone())).unwrap();
    need.title = "又改了".into();
    tx.put(&Record::Need(need.clone())).unwrap();
    assert_eq!(
        tx.get(Kind::Need, need.id.0).unwrap(),
        Some(Record::Need(need.clone()))
    );
    let mut claim: Claim = tx.load(&w.claim_done).unwrap().unwrap();
    let f = claim
        .fulfilment
        .as_mut()
        .expect("a done claim has its fulfilment");
    f.items = vec![
        Item {
            count: 3,
            description: "书包".into(),
        },
        Item {
            count: 1,
            description: "台灯".into(),
        },
    ];
    f.money_fen += 1;
    tx.put(&Record::Claim(claim.clone())).unwrap();
    let unchanged = claim.clone();
    tx.put(&Record::Claim(unchanged)).unwrap();
    tx.commit().unwrap();
    let mut tx = w.store.begin_write().unwrap();
    assert_eq!(
        tx.get(Kind::Need, need.id.0).unwrap(),
        Some(Record::Need(need))
    );
    assert_eq!(
        tx.get(Kind::Claim, claim.id.0).unwrap(),
        Some(Record::Claim(claim.clone()))
    );
    claim.fulfilment = None;
    claim.status = ClaimStatus::Active;
    claim.completed_at = None;
    tx.put(&Record::Claim(claim.clone())).unwrap();
    tx.commit().unwrap();
    let mut tx = w.store.begin_read().unwrap();
    assert_eq!(
        tx.get(Kind::Claim, claim.id.0).unwrap(),
        Some(Record::Claim(claim))
    );
}

/// The same data on any backend gives the same figures as the memory backend's reference.
pub fn reports_equal_the_reference(_kit: &Kit, fresh: Fresh) {
    let w = World::build(fresh.store.clone());
    // A second month of activity.
    w.a_month_later();
    let approve = ApproveHours {
        hours: w.hours_pending,
    };
    w.hub.run(&w.staff_a(), approve).unwrap();
    let snap = w.dump();
    let mem = Hub::new(Arc::new(MemoryStore::from_snapshot(snap))).unwrap();
    for scope in [
        ReportScope::Unit(w.district),
        ReportScope::Unit(w.committee_a),
        ReportScope::Unit(w.committee_b),
        ReportScope::WorkUnit(w.work_unit),
    ] {
        for period in [
            Period::ALL,
            Period {
                from: Some(t0()),
                to: Some(t0() + Duration::days(1)),
            },
            Period {
                from: Some(t0() + Duration::days(30)),
                to: None,
            },
            Period {
                from: None,
                to: Some(t0()),
            },
            // Whole months: answered from the report cells.
            Period {
                from: Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
                to: Some(Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap()),
            },
            Period {
                from: Some(Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap()),
                to: None,
            },
            Period {
                from: None,
                to: Some(Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap()),
            },
        ] {
            let got = w.hub.report(&SYS, scope, period).unwrap().data;
            let want = mem.report(&SYS, scope, period).unwrap().data;
            assert_eq!(got, want, "{scope:?} {period:?}");
        }
    }
}

/// A need claimed twice in one month counts once that month; a need claimed in January and
/// again in February counts in both months but once over both. Whole months are answered
/// from the report cells, so this pins their distinct counts to the reference.
pub fn repeated_claims_count_once(_kit: &Kit, fresh: Fresh) {
    let w = World::build(fresh.store.clone());
    let month = |m: u32| Some(Utc.with_ymd_and_hms(2026, m, 1, 0, 0, 0).unwrap());
    let claim = |actor: MemberId, need: NeedId, claimant: Claimant, days: i64| {
        w.hub
            .run(
                &member(actor),
                ClaimNeed {
                    need,
                    claimant,
                    promised_by: w.hub.now() + Duration::days(days),
                },
            )
            .unwrap()
    };
    let release = |actor: MemberId, c: &Claim| {
        w.hub
            .run(
                &member(actor),
                ReleaseClaim {
                    claim: c.id,
                    reason: "换人".into(),
                },
            )
            .unwrap()
    };
    let c1 = claim(w.loner_a, w.need_open, Claimant::Member(w.loner_a), 7);
    release(w.loner_a, &c1);
    let c2 = claim(w.captain_a, w.need_open, Claimant::Member(w.captain_a), 7);
    w.hub
        .run(
            &member(w.captain_a),
            CompleteClaim {
                claim: c2.id,
                fulfilment: Fulfilment {
                    money_fen: 500,
                    items: vec![],
                    minutes: 20,
                    people_served: 1,
                    evidence: vec![],
                    note: String::new(),
                    roster: Vec::new(),
                },
            },
        )
        .unwrap();
    w.hub
        .run(&w.staff_a(), VerifyClaim { claim: c2.id })
        .unwrap();
    let team = Claimant::Team(w.team_a);
    let c3 = claim(w.captain_a, w.need_collective, team, 7);
    release(w.captain_a, &c3);
    w.clock.advance(Duration::days(27));
    claim(w.captain_a, w.need_collective, team, 2);

    let report = |from, to| {
        w.hub
            .report(&SYS, ReportScope::Unit(w.district), Period { from, to })
            .unwrap()
            .data
    };
    let jan = report(month(1), month(2));
    let m = &jan.by_month["2026-01"];
    assert!(m.needs_claimed < m.claims(), "{m:?}");
    assert_eq!(m.needs_claimed, jan.needs.needs_claimed);
    let feb = report(month(2), month(3));
    assert_eq!((feb.needs.needs_claimed, feb.needs.claims_by_teams), (1, 1));
    let both = report(month(1), month(3));
    assert_eq!(both.needs.needs_claimed, jan.needs.needs_claimed);
    assert_eq!(
        both.by_month["2026-02"].needs_claimed + both.by_month["2026-01"].needs_claimed,
        jan.needs.needs_claimed + 1
    );

    let mem = Hub::new(Arc::new(MemoryStore::from_snapshot(w.dump()))).unwrap();
    for scope in [
        ReportScope::Unit(w.district),
        ReportScope::Unit(w.committee_a),
        ReportScope::WorkUnit(w.work_unit),
    ] {
        for (from, to) in [
            (month(1), month(2)),
            (month(2), month(3)),
            (month(1), month(3)),
            (month(2), None),
            (None, None),
            (Some(t0()), None),
        ] {
            let period = Period { from, to };
            let got = w.hub.report(&SYS, scope, period).unwrap().data;
            let want = mem.report(&SYS, scope, period).unwrap().data;
            assert_eq!(got, want, "{scope:?} {period:?}");
        }
    }
}

/// A state restored into an empty store of any backend (bulk writes, derived data rebuilt
/// once) reports exactly what the original does, and keeps doing so as commands follow.
pub fn restored_stores_report_the_same(_kit: &Kit, fresh: Fresh) {
    let w = World::memory();
    w.a_month_later();
    crate::store::restore(&w.dump(), &*fresh.store).unwrap();
    let hub = Hub::with(
        fresh.store.clone(),
        w.clock.clone(),
        crate::HubConfig::default(),
    )
    .unwrap();
    let month = |m: u32| Some(Utc.with_ymd_and_hms(2026, m, 1, 0, 0, 0).unwrap());
    let same = |hub: &Hub| {
        for scope in [
            ReportScope::Unit(w.district),
            ReportScope::Unit(w.committee_a),
        ] {
            for (from, to) in [(None, None), (month(1), month(2)), (month(2), None)] {
                let period = Period { from, to };
                let got = hub.report(&SYS, scope, period).unwrap().data;
                let want = w.hub.report(&SYS, scope, period).unwrap().data;
                assert_eq!(got, want, "{scope:?} {period:?}");
            }
        }
    };
    same(&hub);
    // The same command on both sides keeps them equal (upkeep is on again).
    let claim = |h: &Hub| {
        h.run(
            &member(w.loner_a),
            ClaimNeed {
                need: w.need_open,
                claimant: Claimant::Member(w.loner_a),
                promised_by: w.hub.now() + Duration::days(1),
            },
        )
    };
    let a = claim(&w.hub);
    let b2 = claim(&hub);
    assert_eq!(a.is_ok(), b2.is_ok(), "{a:?} {b2:?}");
    same(&hub);
}

/// Frames read straight from SQL storage equal the frames the Hub builds from records (the
/// memory backend) on the same data, for every kind and for an actor who sees less.
pub fn frames_equal_the_reference(_kit: &Kit, fresh: Fresh) {
    let w = World::build(fresh.store.clone());
    let mem = crate::Hub::new(crate::store::memory::MemoryStore::from_snapshot(w.dump())).unwrap();
    for actor in [SYS, member(w.loner_a), w.staff_a()] {
        for kind in [
            FrameKind::Needs,
            FrameKind::Claims,
            FrameKind::Members,
            FrameKind::Teams,
            FrameKind::Activities,
            FrameKind::Ledger,
        ] {
            for unit in [w.district, w.committee_a] {
                let got = w.hub.frame(&actor, kind, unit);
                let want = mem.frame(&actor, kind, unit);
                match (got, want) {
                    (Ok(g), Ok(m)) => assert_eq!(g, m, "{kind:?} {actor:?}"),
                    (Err(g), Err(m)) => assert_eq!(g.kind(), m.kind(), "{kind:?} {actor:?}"),
                    (g, m) => panic!("{kind:?} {actor:?}: {g:?} vs {m:?}"),
                }
            }
        }
    }
}

/// Whether the store has an optional capability of contract point 9 (`what`), judged by the
/// answer to a first call: a backend without it answers as the trait's defaults do, and the
/// check is skipped — but needbridge's own backends must have it.
fn optional_supported(store: &dyn Store, what: &str, first: Result<(), StoreError>) -> bool {
    match first {
        Ok(()) => true,
        Err(e) if is_unsupported(&e) => {
            let name = store.backend_name();
            assert!(
                !matches!(name, "memory" | "sqlite" | "postgres"),
                "needbridge's own {name} backend must support {what}: {e}"
            );
            eprintln!("skipped: the backend does not support {what} (contract point 9)");
            false
        }
        Err(e) => panic!("{what}: {e}"),
    }
}

/// Copies of fixture records under new ids that nothing refers to — a need, a claim with
/// items, a team with members, a resident with groups (the last three have child rows in
/// SQL stores) — for a check to put and delete.
fn unreferenced_copies(w: &World) -> Vec<Record> {
    let mut tx = w.store.begin_read().unwrap();
    let mut need: Need = tx.load(&w.need_open).unwrap().unwrap();
    need.id = NeedId::new();
    need.title = "删除之前".into();
    let mut claim: Claim = tx.load(&w.claim_verified).unwrap().unwrap();
    claim.id = ClaimId::new();
    let f = claim.fulfilment.get_or_insert_with(Default::default);
    f.items = vec![
        Item {
            count: 2,
            description: "米".into(),
        },
        Item {
            count: 1,
            description: "油".into(),
        },
    ];
    let mut team: Team = tx.load(&w.team_a).unwrap().unwrap();
    team.id = TeamId::new();
    team.members = vec![w.captain_a, w.member_a];
    let mut resident: Resident = tx.load(&w.resident_a).unwrap().unwrap();
    resident.id = ResidentId::new();
    resident.groups = vec![ResidentGroup::Elderly, ResidentGroup::Disabled];
    vec![
        Record::Need(need),
        Record::Claim(claim),
        Record::Team(team),
        Record::Resident(resident),
    ]
}

/// Queries that would select the records of [`unreferenced_copies`] (by kind, through their
/// child rows too: a team by its member).
fn queries_of_copies(w: &World) -> Vec<Query> {
    vec![
        Query::Needs(NeedFilter::default()),
        Query::Needs(NeedFilter {
            unit: Some(w.committee_a),
            statuses: vec![NeedStatus::Published],
            ..Default::default()
        }),
        Query::Claims(ClaimFilter::default()),
        Query::Claims(ClaimFilter {
            need: Some(w.need_verified),
            ..Default::default()
        }),
        Query::Teams(TeamFilter::default()),
        Query::Teams(TeamFilter {
            member: Some(w.captain_a),
            ..Default::default()
        }),
        Query::Residents { unit: None },
        Query::Residents {
            unit: Some(w.committee_a),
        },
    ]
}

/// Asserts that `tx` holds each of `records` (`present`) or none of them: by `get`, in every
/// query of [`queries_of_copies`], in `count`, and in `columns` where the store answers it
/// (whose ids must be the query's).
fn assert_held(tx: &mut dyn Tx, w: &World, records: &[Record], present: bool, what: &str) {
    for r in records {
        let got = tx.get(r.kind(), r.id()).unwrap();
        assert_eq!(got.as_ref(), present.then_some(r), "{what}: get {}", r.id());
    }
    for q in queries_of_copies(w) {
        let got = tx.query(&q, &Page::ALL).unwrap();
        assert_eq!(
            tx.count(&q).unwrap(),
            got.len() as u64,
            "{what}: count {q:?}"
        );
        for r in records.iter().filter(|r| r.kind() == q.kind()) {
            let found = got.iter().find(|g| g.id() == r.id());
            if present {
                // Not every query selects every copy (a scope, a status); those it selects
                // read back whole.
                if let Some(g) = found {
                    assert_eq!(g, r, "{what}: {q:?}");
                }
            } else {
                assert!(found.is_none(), "{what}: {q:?} selects {}", r.id());
            }
        }
        if let Some(cols) = tx.columns(&q).unwrap() {
            let ids: Vec<String> = got.iter().map(|r| r.id().to_string()).collect();
            match cols.first() {
                Some((name, Column::Text(t))) if name == "id" => {
                    let col: Vec<Option<&str>> = t.iter().collect();
                    let want: Vec<Option<&str>> = ids.iter().map(|s| Some(s.as_str())).collect();
                    assert_eq!(col, want, "{what}: columns of {q:?}");
                }
                other => panic!("{what}: columns of {q:?} begin with {other:?}"),
            }
        }
    }
}

/// Deletes (point 9): [`Tx::delete`] removes a record — its child rows too — so `get` gives
/// `None` and no query, `count` or `columns` selects it, inside the transaction and after
/// the commit; deleting a missing record, or an id as another kind, does nothing; a rollback
/// keeps what was deleted; a record deleted and put again in one transaction reads back
/// whole; deleting what was put leaves the state exactly as before. A read transaction may
/// refuse a delete. Skipped on a backend without `delete` (optional).
pub fn deletes_remove_records(_kit: &Kit, fresh: Fresh) {
    let w = World::build(fresh.store.clone());
    let store = &*fresh.store;
    let mut tx = store.begin_write().unwrap();
    let first = tx.delete(Kind::Need, Uuid::now_v7());
    drop(tx);
    if !optional_supported(store, "delete", first) {
        return;
    }
    let before = w.dump();
    let copies = unreferenced_copies(&w);
    let mut tx = store.begin_write().unwrap();
    for r in &copies {
        tx.put(r).unwrap();
    }
    tx.commit().unwrap();
    assert_held(&mut *store.begin_read().unwrap(), &w, &copies, true, "put");

    // Deleted inside a transaction: gone there at once; rolled back, all there again.
    let mut tx = store.begin_write().unwrap();
    for r in &copies {
        // Read first, so a store that remembers what it read must forget it.
        assert!(tx.get(r.kind(), r.id()).unwrap().is_some());
        tx.delete(r.kind(), r.id()).unwrap();
        tx.delete(r.kind(), r.id()).unwrap();
    }
    tx.delete(Kind::Claim, w.need_open.0).unwrap();
    tx.delete(Kind::Pairing, Uuid::now_v7()).unwrap();
    assert_held(&mut *tx, &w, &copies, false, "deleted, before commit");
    assert!(tx.get(Kind::Need, w.need_open.0).unwrap().is_some());
    drop(tx);
    assert_held(
        &mut *store.begin_read().unwrap(),
        &w,
        &copies,
        true,
        "rolled back",
    );

    // Deleted and put again in one transaction: whole again, child rows too.
    let mut tx = store.begin_write().unwrap();
    for r in &copies {
        assert!(tx.get(r.kind(), r.id()).unwrap().is_some());
        tx.delete(r.kind(), r.id()).unwrap();
        tx.put(r).unwrap();
        assert_eq!(tx.get(r.kind(), r.id()).unwrap().as_ref(), Some(r));
    }
    tx.commit().unwrap();
    assert_held(
        &mut *store.begin_read().unwrap(),
        &w,
        &copies,
        true,
        "put again",
    );

    // A read transaction may refuse a delete; it never deletes anything.
    let mut tx = store.begin_read().unwrap();
    let _ = tx.delete(copies[0].kind(), copies[0].id());
    drop(tx);
    assert_held(
        &mut *store.begin_read().unwrap(),
        &w,
        &copies,
        true,
        "a read",
    );

    // Deleted and committed: gone for everyone, and the state is as before the puts.
    let mut tx = store.begin_write().unwrap();
    for r in &copies {
        tx.delete(r.kind(), r.id()).unwrap();
    }
    tx.commit().unwrap();
    assert_held(
        &mut *store.begin_read().unwrap(),
        &w,
        &copies,
        false,
        "deleted",
    );
    assert_same_state(&w.dump(), &before, "after deleting what was put");
}

/// The side table's keys: the empty key, cases, accents (composed and not), control
/// characters, CJK, characters whose UTF-16 order differs from their byte order (U+FF61 and
/// an emoji), quotes and LIKE wildcards. Byte order: `"B" < "a" < "a b" < "aa" < "é"`.
const SIDE_KEYS: &[&str] = &[
    "", "a", "a b", "aa", "ab", "B", "b", "Z", "é", "e\u{301}", "\u{1}", "\u{7f}", "书",
    "\u{FF61}", "😀", "a'b", "a\"b", "%", "_", "a%", "k:0001", "k:0010", "k:0002",
];

/// Side-table spaces: one a prefix of another, the empty one, a nasty one.
const SIDE_SPACES: &[&str] = &["x", "x2", "", "sp'ace 😀", crate::store::STORE_SPACE];

/// The whole side table through `side_spaces` and `side_scan`.
fn side_state(tx: &mut dyn Tx) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let spaces = tx.side_spaces().unwrap();
    let mut sorted = spaces.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(spaces, sorted, "side_spaces is ascending, each once");
    for space in spaces {
        let entries = tx.side_scan(&space, None, u32::MAX).unwrap();
        assert!(
            !entries.is_empty(),
            "side_spaces lists {space:?}, which is empty"
        );
        out.insert(space, entries.into_iter().collect());
    }
    out
}

/// The side table the checks write: every key of [`SIDE_KEYS`] in every space of
/// [`SIDE_SPACES`], with values of every kind of text — SQL fragments, emoji, lines, the
/// empty text, 10 KB and more.
fn side_fixture() -> BTreeMap<String, BTreeMap<String, String>> {
    let mut values: Vec<String> = NASTY.iter().map(|s| s.to_string()).collect();
    values.push(String::new());
    values.push("第一行\n第二行\r\n\t第三行".into());
    values.push("x".repeat(10 * 1024));
    values.push("界".repeat(3500));
    values.push("{\"json\": [1, 2, {\"k\": null}]}".into());
    SIDE_SPACES
        .iter()
        .enumerate()
        .map(|(s, space)| {
            let entries = SIDE_KEYS
                .iter()
                .enumerate()
                .map(|(k, key)| {
                    let v = &values[(s + k) % values.len()];
                    let value = if v.len() > 1000 {
                        v.clone()
                    } else {
                        format!("{v} {s}/{k}")
                    };
                    (key.to_string(), value)
                })
                .collect();
            (space.to_string(), entries)
        })
        .collect()
}

/// Writes `state` into the side table.
fn side_write(tx: &mut dyn Tx, state: &BTreeMap<String, BTreeMap<String, String>>) {
    for (space, entries) in state {
        for (key, value) in entries {
            tx.side_put(space, key, value).unwrap();
        }
    }
}

/// Asserts the side table holds exactly `want`, by `side_get`, `side_scan` in pages and from
/// every cursor, and `side_spaces`.
fn assert_side(tx: &mut dyn Tx, want: &BTreeMap<String, BTreeMap<String, String>>, what: &str) {
    assert_eq!(&side_state(tx), want, "{what}: the whole side table");
    for (space, entries) in want {
        for (key, value) in entries {
            let got = tx.side_get(space, key).unwrap();
            assert_eq!(got.as_ref(), Some(value), "{what}: {space:?} {key:?}");
        }
        let all: Vec<(String, String)> = entries
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for size in [1, 2, 3, 7, 50] {
            let mut paged = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let page = tx.side_scan(space, after.as_deref(), size).unwrap();
                assert!(
                    page.len() <= size as usize,
                    "{what}: {space:?} pages of {size}"
                );
                let Some((last, _)) = page.last() else { break };
                after = Some(last.clone());
                paged.extend(page);
            }
            assert_eq!(paged, all, "{what}: {space:?} in pages of {size}");
        }
        let cursors =
            entries
                .keys()
                .map(String::as_str)
                .chain(["aa\u{1}", "a\u{7f}", "A", "\u{10FFFF}"]);
        for after in cursors {
            let want: Vec<(String, String)> = all
                .iter()
                .filter(|(k, _)| k.as_str() > after)
                .cloned()
                .collect();
            let got = tx.side_scan(space, Some(after), u32::MAX).unwrap();
            assert_eq!(got, want, "{what}: {space:?} after {after:?}");
            assert!(tx.side_scan(space, Some(after), 0).unwrap().is_empty());
        }
    }
    assert_eq!(tx.side_get("no such space", "a").unwrap(), None);
    assert!(tx.side_scan("no such space", None, 10).unwrap().is_empty());
}

/// The side table (point 9): values under `(space, key)` round-trip exactly — quotes, SQL
/// fragments, emoji, 10 KB — inside the writing transaction and after the commit; spaces are
/// independent (one a prefix of another, the empty one); `side_scan` is in byte order of the
/// keys (`"B" < "a" < "é"`, U+FF61 before an emoji), from any cursor, in pages of any size;
/// `side_spaces` lists the spaces that hold entries; `side_put` replaces, `side_delete`
/// removes (a missing entry is fine); a rollback writes nothing; a read transaction may
/// refuse writes and never writes; `dump` carries every space but the store's own
/// ([`STORE_SPACE`](crate::store::STORE_SPACE)) and `restore` writes them into another fresh
/// store. Skipped on a backend without a side table (optional).
pub fn side_table_round_trips(kit: &Kit, fresh: Fresh) {
    let store = &*fresh.store;
    let mut tx = store.begin_write().unwrap();
    let first = tx.side_get("x", "a").map(|v| assert_eq!(v, None));
    drop(tx);
    if !optional_supported(store, "the side table", first) {
        return;
    }
    let mut want = side_fixture();
    let mut tx = store.begin_write().unwrap();
    assert!(
        side_state(&mut *tx).is_empty(),
        "a fresh store has no side entries"
    );
    side_write(&mut *tx, &want);
    assert_side(&mut *tx, &want, "before commit");
    tx.commit().unwrap();
    assert_side(&mut *store.begin_read().unwrap(), &want, "committed");

    // Replaced and deleted, in one space only; a whole space emptied disappears.
    let mut tx = store.begin_write().unwrap();
    tx.side_put("x", "a", "新的值").unwrap();
    tx.side_delete("x", "b").unwrap();
    tx.side_delete("x", "b").unwrap();
    tx.side_delete("x", "no such key").unwrap();
    tx.side_delete("no such space", "a").unwrap();
    for key in SIDE_KEYS {
        tx.side_delete("", key).unwrap();
    }
    let x = want.get_mut("x").unwrap();
    x.insert("a".into(), "新的值".into());
    x.remove("b");
    want.remove("");
    assert_side(&mut *tx, &want, "changed, before commit");
    tx.commit().unwrap();
    assert_side(&mut *store.begin_read().unwrap(), &want, "changed");

    // A rollback writes nothing.
    let mut tx = store.begin_write().unwrap();
    tx.side_put("x", "a", "rolled back").unwrap();
    tx.side_put("x", "new", "rolled back").unwrap();
    tx.side_put("new space", "k", "rolled back").unwrap();
    tx.side_delete("x2", "B").unwrap();
    tx.side_delete("x2", "").unwrap();
    assert_eq!(
        tx.side_get("x", "a").unwrap().as_deref(),
        Some("rolled back")
    );
    drop(tx);
    assert_side(&mut *store.begin_read().unwrap(), &want, "rolled back");

    // A read transaction may refuse writes; it never writes.
    let mut tx = store.begin_read().unwrap();
    let _ = tx.side_put("x", "a", "from a read");
    let _ = tx.side_put("read", "k", "from a read");
    let _ = tx.side_delete("x2", "B");
    drop(tx);
    assert_side(&mut *store.begin_read().unwrap(), &want, "after a read");

    // A dump carries every space but the store's own, and restores into another store.
    let snap = dump(store).unwrap();
    let mut carried = want.clone();
    carried.remove(crate::store::STORE_SPACE);
    assert_eq!(snap.side, carried, "dump");
    if let Some(other) = kit.fresh() {
        restore(&snap, &*other.store).unwrap();
        assert_side(
            &mut *other.store.begin_read().unwrap(),
            &carried,
            "restored",
        );
    }
}

/// Durability of point 9: side-table values — the store's own space too — and deletes
/// committed before every handle was dropped are there when the store is opened again.
/// Needs the factory's `reopen` (skipped without it) and the capabilities (skipped on a
/// backend without them).
pub fn deletes_and_side_values_survive_reopen(kit: &Kit, fresh: Fresh) {
    let Fresh {
        store,
        locator,
        keep,
    } = fresh;
    let Some(locator) = locator.filter(|_| kit.reopen.is_some()) else {
        eprintln!("skipped: the factory gave no way to reopen the store");
        return;
    };
    let mut tx = store.begin_write().unwrap();
    let first = tx.side_get("x", "a").map(|_| ());
    let first_delete = tx.delete(Kind::Need, Uuid::now_v7());
    drop(tx);
    if !optional_supported(&*store, "the side table", first)
        || !optional_supported(&*store, "delete", first_delete)
    {
        return;
    }
    let w = World::build(store);
    let copies = unreferenced_copies(&w);
    let want = side_fixture();
    let mut tx = w.store.begin_write().unwrap();
    for r in &copies {
        tx.put(r).unwrap();
    }
    side_write(&mut *tx, &want);
    tx.commit().unwrap();
    let mut tx = w.store.begin_write().unwrap();
    for r in &copies {
        tx.delete(r.kind(), r.id()).unwrap();
    }
    tx.commit().unwrap();
    let snap = w.dump();
    drop(w);
    let store = kit.reopen_locator(&locator).expect("reopen");
    assert_same_state(&dump(&*store).unwrap(), &snap, "after reopening");
    let mut tx = store.begin_read().unwrap();
    assert_side(&mut *tx, &want, "after reopening");
    for r in &copies {
        assert_eq!(tx.get(r.kind(), r.id()).unwrap(), None, "{}", r.id());
    }
    drop(tx);
    drop(store);
    drop(keep);
}

/// (9, optional) `forget_events` drops the events before a sequence number but never the last
/// one: `last_seq` and the numbering go on, `events_since` starts at the first event kept, and
/// a rollback forgets nothing. needbridge's SQL backends must support it (devices' logs); a
/// backend without it, the memory store among them, keeps its whole log and skips this.
pub fn forgotten_events_keep_the_numbering(_kit: &Kit, fresh: Fresh) {
    let store = &*fresh.store;
    let need = NeedId::new();
    let seqs = |tx: &mut dyn Tx| -> Vec<u64> {
        tx.events_since(0, 100)
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect()
    };
    let mut tx = store.begin_write().unwrap();
    let start = tx.last_seq().unwrap();
    for _ in 0..5 {
        let last = tx.last_seq().unwrap();
        tx.append_event(&event(last, t0(), need, Vec::new()))
            .unwrap();
    }
    tx.commit().unwrap();
    let all: Vec<u64> = (start + 1..=start + 5).collect();
    let mut tx = store.begin_write().unwrap();
    match tx.forget_events(start + 4) {
        Err(e) if is_unsupported(&e) => {
            let name = store.backend_name();
            assert!(
                !matches!(name, "sqlite" | "postgres"),
                "needbridge's {name} backend must support forget_events"
            );
            eprintln!("skipped: the backend keeps its whole event log (contract point 9)");
            return;
        }
        r => r.unwrap(),
    }
    assert_eq!(seqs(&mut *tx), vec![start + 4, start + 5]);
    drop(tx);
    assert_eq!(
        seqs(&mut *store.begin_read().unwrap()),
        all,
        "a rollback forgets nothing"
    );
    let mut tx = store.begin_write().unwrap();
    tx.forget_events(start + 4).unwrap();
    tx.commit().unwrap();
    let mut tx = store.begin_write().unwrap();
    assert_eq!(seqs(&mut *tx), vec![start + 4, start + 5]);
    // Never the last one: the numbering goes on.
    tx.forget_events(u64::MAX).unwrap();
    assert_eq!(seqs(&mut *tx), vec![start + 5]);
    assert_eq!(tx.last_seq().unwrap(), start + 5);
    tx.append_event(&event(start + 5, t0(), need, Vec::new()))
        .unwrap();
    tx.commit().unwrap();
    let mut tx = store.begin_read().unwrap();
    assert_eq!(seqs(&mut *tx), vec![start + 5, start + 6]);
    assert_eq!(tx.events_since(start + 5, 10).unwrap().len(), 1);
}

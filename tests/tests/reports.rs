//! Reports: every figure on small hand-built cases where the right answer is obvious, on
//! every backend. Every figure equal to the memory backend's reference on the same data (also
//! after a restore, and with needs claimed twice) is the conformance kit's
//! (`needbridge::testing::checks`), run on each backend by `store_*.rs`.

use chrono::{Duration, TimeZone, Utc};
use needbridge::command::*;
use needbridge::model::*;
use needbridge::report::{NeedFigures, Period, ReportData, ReportScope};
use needbridge::store::memory::MemoryStore;
use needbridge::{Actor, ErrorKind, Hub};
use needbridge_acceptance::{member, t0, Backend, World};
use std::collections::BTreeMap;
use std::sync::Arc;

const SYS: Actor = Actor::System;

fn map<V: Copy>(pairs: &[(&str, V)]) -> BTreeMap<String, V> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// The fixture's figures for the whole district and all time, counted by hand from
/// `tests/src/lib.rs`.
fn expected_district(w: &World) -> ReportData {
    let a = NeedFigures {
        needs_collected: 7,
        needs_published: 5,
        needs_rejected: 0,
        needs_claimed: 3,
        needs_done: 2,
        needs_verified: 1,
        claims_by_members: 1,
        claims_by_teams: 1,
        claims_by_organisations: 1,
        collective_claims: 1,
        claims_completed: 2,
        claims_verified: 1,
        claims_released: 0,
        money_fen: 30_000,
        items: 3,
        minutes: 60,
        people_served: 2,
    };
    let b = NeedFigures {
        needs_collected: 1,
        needs_published: 1,
        ..Default::default()
    };
    let mut total = a;
    total.needs_collected += 1;
    total.needs_published += 1;
    ReportData {
        committees: 2,
        work_units: 1,
        members_reported: 5,
        members_accepted: 4,
        needs: total,
        teams: 2,
        teams_with_captain: 1,
        captains: 1,
        organisations: 1,
        residents_helped: 1,
        households_helped: 0,
        helped: map(&[("empty_nest_elderly", 1)]),
        feedback: BTreeMap::new(),
        pairings: 1,
        hours_minutes: 0,
        pairing_visits: 0,
        visit_minutes: 0,
        activities: BTreeMap::new(),
        activities_by_channel: BTreeMap::new(),
        activities_by_grid: BTreeMap::new(),
        offers: BTreeMap::new(),
        three_heads: map(&[("building_head", 1)]),
        three_heads_people: 1,
        by_committee: [
            (w.committee_a.to_string(), a),
            (w.committee_b.to_string(), b),
        ]
        .into_iter()
        .collect(),
        by_category: map(&[("festival_goods", total)]),
        by_channel: map(&[("family", total)]),
        by_grid: BTreeMap::new(),
        by_month: map(&[("2026-01", total)]),
        by_claimant: [
            (
                "member",
                NeedFigures {
                    claims_by_members: 1,
                    needs_claimed: 1,
                    ..Default::default()
                },
            ),
            (
                "team",
                NeedFigures {
                    claims_by_teams: 1,
                    collective_claims: 1,
                    needs_claimed: 1,
                    claims_completed: 1,
                    needs_done: 1,
                    ..Default::default()
                },
            ),
            (
                "organisation",
                NeedFigures {
                    claims_by_organisations: 1,
                    needs_claimed: 1,
                    claims_completed: 1,
                    needs_done: 1,
                    claims_verified: 1,
                    needs_verified: 1,
                    money_fen: 30_000,
                    items: 3,
                    minutes: 60,
                    people_served: 2,
                    ..Default::default()
                },
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    }
}

/// Every figure of the fixture, for the district, a committee, a later period and the work
/// unit.
fn figures_of_the_fixture(b: Backend) {
    let w = World::on(b);
    let r = w
        .hub
        .report(&w.admin(), ReportScope::Unit(w.district), Period::ALL)
        .unwrap();
    assert_eq!(r.data, expected_district(&w));
    assert_eq!(
        r.committee_names[&w.committee_a.to_string()],
        "凤凰社区居委会"
    );
    assert_eq!(r.category_names["festival_goods"].0, "节日物资");

    // Committee B alone.
    let rb = w
        .hub
        .report(&w.admin(), ReportScope::Unit(w.committee_b), Period::ALL)
        .unwrap()
        .data;
    assert_eq!(
        (rb.committees, rb.members_reported, rb.members_accepted),
        (1, 1, 1)
    );
    assert_eq!(
        rb.needs,
        NeedFigures {
            needs_collected: 1,
            needs_published: 1,
            ..Default::default()
        }
    );
    assert_eq!(
        (rb.teams, rb.captains, rb.pairings, rb.residents_helped),
        (1, 0, 0, 0)
    );

    // A period after everything happened: only what lasts (committees, teams, roles,
    // pairings) is counted.
    let later = Period {
        from: Some(t0() + Duration::hours(1)),
        to: None,
    };
    let rl = w
        .hub
        .report(&w.admin(), ReportScope::Unit(w.district), later)
        .unwrap()
        .data;
    assert_eq!(rl.needs, NeedFigures::default());
    assert_eq!(
        (rl.committees, rl.teams, rl.pairings, rl.members_reported),
        (2, 2, 1, 0)
    );
    assert_eq!(rl.three_heads, map(&[("building_head", 1)]));
    assert!(rl.by_month.is_empty());
    // A period before anything: nothing at all.
    let before = Period {
        from: None,
        to: Some(t0() - Duration::days(1)),
    };
    let r0 = w
        .hub
        .report(&SYS, ReportScope::Unit(w.district), before)
        .unwrap()
        .data;
    assert_eq!(r0, ReportData::default());

    // The work unit: its members' reports and claims, their teams, roles and pairings.
    let ru = w
        .hub
        .report(
            &w.secretary(),
            ReportScope::WorkUnit(w.work_unit),
            Period::ALL,
        )
        .unwrap()
        .data;
    assert_eq!(
        (
            ru.committees,
            ru.work_units,
            ru.members_reported,
            ru.members_accepted
        ),
        (2, 1, 5, 4)
    );
    assert_eq!(ru.needs.claims_by_members, 1);
    assert_eq!(ru.needs.claims(), 1);
    assert_eq!((ru.needs.needs_claimed, ru.needs.needs_collected), (1, 0));
    assert_eq!(
        (ru.teams, ru.captains, ru.organisations, ru.pairings),
        (1, 1, 0, 1)
    );
    assert_eq!(ru.three_heads, map(&[("building_head", 1)]));
    assert!(ru.activities.is_empty());
}

/// Activities, approved hours, helped residents by group, and verified work by members,
/// teams and organisations add up.
fn activities_hours_and_help(b: Backend) {
    let w = World::on(b);
    let st = w.staff_a();
    for (kind, n, people, channel) in [
        (ActivityKind::Patrol, 12, 300, Channel::Grid),
        (ActivityKind::Patrol, 8, 200, Channel::Courtyard),
        (ActivityKind::Mediation, 3, 2, Channel::Grid),
    ] {
        w.hub
            .run(
                &st,
                RecordActivity {
                    committee: w.committee_a,
                    kind,
                    title: "活动".into(),
                    channel,
                    team: None,
                    held_at: t0() - Duration::hours(1),
                    participants: n,
                    people_reached: people,
                    grid: None,
                    place: None,
                    roster: Vec::new(),
                    location: None,
                },
            )
            .unwrap();
    }
    w.hub
        .run(
            &st,
            ApproveHours {
                hours: w.hours_pending,
            },
        )
        .unwrap();
    // The team's done claim (resident_a) and a member's claim on the child's need, verified.
    w.hub
        .run(
            &st,
            VerifyClaim {
                claim: w.claim_done,
            },
        )
        .unwrap();
    let c = w
        .hub
        .run(
            &member(w.loner_a),
            ClaimNeed {
                need: w.need_open,
                claimant: Claimant::Member(w.loner_a),
                promised_by: t0() + Duration::days(3),
            },
        )
        .unwrap();
    let f = Fulfilment {
        money_fen: 8_000,
        items: vec![Item {
            count: 1,
            description: "书包".into(),
        }],
        minutes: 30,
        people_served: 1,
        evidence: vec![],
        note: String::new(),
        roster: Vec::new(),
    };
    w.hub
        .run(
            &member(w.loner_a),
            CompleteClaim {
                claim: c.id,
                fulfilment: f,
            },
        )
        .unwrap();
    w.hub.run(&st, VerifyClaim { claim: c.id }).unwrap();
    let r = w
        .hub
        .report(&st, ReportScope::Unit(w.committee_a), Period::ALL)
        .unwrap()
        .data;
    let patrol = r.activities["patrol"];
    assert_eq!(
        (patrol.count, patrol.participants, patrol.people_reached),
        (2, 20, 500)
    );
    assert_eq!(r.activities["mediation"].count, 1);
    // The same activities by channel (四进): kinds and channels cut them differently.
    let by = |c: &str| {
        let a = r.activities_by_channel[c];
        (a.count, a.participants, a.people_reached)
    };
    assert_eq!((by("grid"), by("courtyard")), ((2, 15, 302), (1, 8, 200)));
    assert_eq!(r.activities_by_channel.len(), 2);
    assert_eq!(r.hours_minutes, 90);
    assert_eq!(r.residents_helped, 2, "resident_a (twice) and the child");
    assert_eq!(
        r.helped,
        map(&[("empty_nest_elderly", 1), ("left_behind_child", 1)])
    );
    assert_eq!(r.needs.claims_verified, 3);
    assert_eq!(r.needs.needs_verified, 3);
    assert_eq!(r.needs.money_fen, 30_000 + 8_000);
    assert_eq!(r.needs.items, 3 + 1);
    assert_eq!(r.needs.minutes, 60 + 120 + 30);
    assert_eq!(r.needs.people_served, 2 + 1 + 1);
    // A member gives a claim up (放弃): counted by when, and by kind of claimant.
    w.hub
        .run(
            &member(w.member_a),
            ReleaseClaim {
                claim: w.claim_active,
                reason: "临时出差".into(),
            },
        )
        .unwrap();
    let released = w
        .hub
        .report(&st, ReportScope::Unit(w.committee_a), Period::ALL)
        .unwrap()
        .data;
    assert_eq!(released.needs.claims_released, r.needs.claims_released + 1);
    assert_eq!(released.by_claimant["member"].claims_released, 1);
    assert_eq!(
        released.needs.claims(),
        r.needs.claims(),
        "still a claim made"
    );
    // Satisfaction (满意率): needs verified, by the resident's feedback, each need once.
    let rated = |r: &ReportData, f: &str| r.feedback.get(f).copied().unwrap_or(0);
    for (need, feedback) in [
        (w.need_done, Feedback::Satisfied),
        (w.need_open, Feedback::NotSatisfied),
    ] {
        w.hub
            .run(
                &st,
                RecordFeedback {
                    need,
                    feedback,
                    wanted_by: None,
                },
            )
            .unwrap();
    }
    let after = w
        .hub
        .report(&st, ReportScope::Unit(w.committee_a), Period::ALL)
        .unwrap()
        .data;
    assert_eq!(rated(&after, "satisfied"), rated(&r, "satisfied") + 1);
    assert_eq!(
        rated(&after, "not_satisfied"),
        rated(&r, "not_satisfied") + 1
    );
    assert!(after.feedback.values().sum::<u64>() <= after.needs.needs_verified);
    let (s, all) = (
        rated(&after, "satisfied"),
        after.feedback.values().sum::<u64>(),
    );
    assert_eq!(
        after.satisfaction_permille(),
        Some((s * 1000 + all / 2) / all)
    );
    // Every fixture need is festival goods; the channel breakdown is all "family".
    assert_eq!(r.by_category["festival_goods"].money_fen, 38_000);
    assert_eq!(r.by_channel["family"], r.needs);
}

/// Reports are for those who oversee the unit or the work unit.
fn reports_are_authorized(b: Backend) {
    let w = World::on(b);
    let unit = ReportScope::Unit(w.committee_a);
    assert!(w.hub.report(&w.staff_a(), unit, Period::ALL).is_ok());
    for a in [
        member(w.member_a),
        w.contact(),
        needbridge_acceptance::staff(w.committee_b),
        w.secretary(),
    ] {
        assert_eq!(
            w.hub.report(&a, unit, Period::ALL).unwrap_err().kind(),
            ErrorKind::Forbidden,
            "{a:?}"
        );
    }
    let wu = ReportScope::WorkUnit(w.work_unit);
    assert!(w.hub.report(&w.secretary(), wu, Period::ALL).is_ok());
    assert_eq!(
        w.hub
            .report(&w.staff_a(), wu, Period::ALL)
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
}

/// A database from before the report cells (schema version 2) gets them filled from its rows
/// when it is opened: the figures equal the reference straight away.
fn cells_are_filled_on_upgrade(b: Backend) {
    if b == Backend::Memory {
        return;
    }
    let fresh = b.fresh();
    let w = World::build(fresh.store.clone());
    w.a_month_later();
    let snap = w.dump();
    // Back to version 2: undo version 19's index, 18's table, 17's, 16's and 15's columns, version 14's tables, version 13's columns, version 12's tables and column, version 11's table, version 10's columns and index, version 8's columns, version 7's table, index and column,
    // version 5's column, version 4's indexes and version 3's cells (9 changed no table).
    let downgrade = "DROP INDEX claims_rostered; DROP TABLE calendar_years; ALTER TABLE needs DROP COLUMN institution; ALTER TABLE needs DROP COLUMN place; ALTER TABLE needs DROP COLUMN lat_e6; ALTER TABLE needs DROP COLUMN lon_e6; ALTER TABLE activities DROP COLUMN lat_e6; ALTER TABLE activities DROP COLUMN lon_e6; ALTER TABLE teams DROP COLUMN grid; ALTER TABLE roles DROP COLUMN grid; DROP TABLE corrections; DROP TABLE service_certificates; DROP INDEX needs_next_due; DROP INDEX needs_series; ALTER TABLE needs DROP COLUMN recurrence_every; ALTER TABLE needs DROP COLUMN recurrence_times; ALTER TABLE needs DROP COLUMN series; ALTER TABLE needs DROP COLUMN occurrence; ALTER TABLE needs DROP COLUMN next_due; DROP TABLE need_beneficiaries; DROP INDEX residents_household; ALTER TABLE residents DROP COLUMN household; DROP TABLE households; DROP TABLE offers; ALTER TABLE claims DROP COLUMN roster; ALTER TABLE activities DROP COLUMN grid; ALTER TABLE activities DROP COLUMN place; ALTER TABLE activities DROP COLUMN roster; ALTER TABLE activities DROP COLUMN roster_people; ALTER TABLE activities DROP COLUMN roster_minutes; DROP INDEX hours_pairing; ALTER TABLE hours DROP COLUMN pairing; \
        ALTER TABLE categories DROP COLUMN parent; \
        ALTER TABLE categories DROP COLUMN committee; \
        DROP TABLE side; DROP INDEX needs_live_claim; \
        ALTER TABLE residents DROP COLUMN masked; \
        ALTER TABLE residents DROP COLUMN erased_at; \
        DROP INDEX claims_claimant_status; \
        CREATE INDEX claims_claimant ON claims (claimant_type, claimant_id); \
        DROP INDEX needs_committee_status_id; \
        CREATE INDEX needs_committee_status ON needs (committee, status); \
        DROP INDEX needs_status_id; \
        DROP TABLE report_cells; DELETE FROM schema_migrations WHERE version >= 3;";
    match (&fresh.path, &fresh.url) {
        (Some(path), _) => rusqlite::Connection::open(path)
            .unwrap()
            .execute_batch(downgrade)
            .unwrap(),
        (None, Some(url)) => needbridge::store::postgres::PostgresStore::connect(url)
            .unwrap()
            .with_client(|c| c.batch_execute(downgrade))
            .unwrap()
            .unwrap(),
        _ => unreachable!("sql backends have a path or a url"),
    }
    let scopes = [
        ReportScope::Unit(w.district),
        ReportScope::Unit(w.committee_a),
    ];
    drop(w);
    let hub = Hub::new(fresh.reopen()).unwrap();
    let mem = Hub::new(Arc::new(MemoryStore::from_snapshot(snap))).unwrap();
    let month = |m: u32| Some(Utc.with_ymd_and_hms(2026, m, 1, 0, 0, 0).unwrap());
    for scope in scopes {
        for (from, to) in [(None, None), (month(1), month(2)), (month(2), None)] {
            let period = Period { from, to };
            let got = hub.report(&SYS, scope, period).unwrap().data;
            let want = mem.report(&SYS, scope, period).unwrap().data;
            assert_eq!(got, want, "{period:?}");
            assert!(got.needs.needs_collected > 0 || from.is_some());
        }
    }
}

/// People count once where the district counts people: a member captaining two teams is one
/// captain (two teams with a captain); a member holding two three-heads roles is one person
/// (two roles). Where the two readings differ, both figures are checked.
fn people_count_once(b: Backend) {
    let w = World::on(b);
    let st = w.staff_a();
    let scope = ReportScope::Unit(w.district);
    let before = w.hub.report(&SYS, scope, Period::ALL).unwrap().data;
    let second = w
        .hub
        .run(
            &st,
            FormTeam {
                committee: w.committee_a,
                kind: TeamKind::SecurityPatrol,
                name: "凤凰平安巡逻队".into(),
                channel: Channel::Grid,
                grid: None,
            },
        )
        .unwrap();
    w.hub
        .run(
            &st,
            AppointCaptain {
                team: second.id,
                member: w.captain_a,
            },
        )
        .unwrap();
    for (kind, scope) in [
        (RoleKind::BuildingHead, "7栋"),
        (RoleKind::HouseholdHead, "7栋2单元"),
    ] {
        w.hub
            .run(
                &st,
                AssignRole {
                    member: w.loner_a,
                    kind,
                    scope: scope.into(),
                    grid: None,
                },
            )
            .unwrap();
    }
    let after = w.hub.report(&SYS, scope, Period::ALL).unwrap().data;
    assert_eq!(after.teams, before.teams + 1);
    assert_eq!(after.teams_with_captain, before.teams_with_captain + 1);
    assert_eq!(
        after.captains, before.captains,
        "the same person captains both teams"
    );
    let roles = |d: &ReportData| d.three_heads.values().sum::<u64>();
    assert_eq!(roles(&after), roles(&before) + 2);
    assert_eq!(after.three_heads_people, before.three_heads_people + 1);
    // The work unit's view: its members who captain a team, each once.
    let wu = w
        .hub
        .report(&SYS, ReportScope::WorkUnit(w.work_unit), Period::ALL)
        .unwrap()
        .data;
    assert_eq!(wu.captains, 1);
    assert_eq!(wu.three_heads_people, after.three_heads_people);
}

/// Needs in a grid (网格) break down by it, named; needs in no grid are in no row.
fn grids_break_down_needs(b: Backend) {
    let w = World::on(b);
    let st = w.staff_a();
    let need = w
        .hub
        .run(
            &st,
            DraftNeed {
                committee: w.committee_a,
                grid: Some(w.grid_a),
                resident: Some(w.resident_a),
                institution: None,
                title: "修水管".into(),
                description: "网格内".into(),
                category: "festival_goods".into(),
                channel: Channel::Grid,
                scale: Scale::Individual,
                estimated_cost_fen: 0,
                wanted_by: t0() + Duration::days(5),
                beneficiaries: Vec::new(),
                recurrence: None,
                place: None,
                location: None,
            },
        )
        .unwrap();
    w.hub.run(&st, PublishNeed { need: need.id }).unwrap();
    w.hub
        .run(
            &member(w.loner_a),
            ClaimNeed {
                need: need.id,
                claimant: Claimant::Member(w.loner_a),
                promised_by: t0() + Duration::days(3),
            },
        )
        .unwrap();
    let month = |m: u32| Some(Utc.with_ymd_and_hms(2026, m, 1, 0, 0, 0).unwrap());
    // From the rows (any period) and from the cells (whole months) alike.
    for period in [
        Period::ALL,
        Period {
            from: month(1),
            to: month(3),
        },
    ] {
        let r = w
            .hub
            .report(&st, ReportScope::Unit(w.committee_a), period)
            .unwrap();
        let g = &r.data.by_grid[&w.grid_a.to_string()];
        assert_eq!(
            (g.needs_collected, g.needs_published, g.needs_claimed),
            (1, 1, 1)
        );
        assert_eq!(g.claims_by_members, 1);
        assert_eq!(r.data.by_grid.len(), 1, "needs in no grid are in no row");
        assert_eq!(r.grid_names[&w.grid_a.to_string()], "第一网格");
    }
}

/// Needs refused at the committee's check (驳回) count in the month they were refused, in the
/// totals and every breakdown, from the cells (whole months) and the rows alike; teams and
/// three-heads roles carry their grid.
fn rejected_needs_and_grids_of_teams(b: Backend) {
    let w = World::on(b);
    let before = w
        .hub
        .report(&w.admin(), ReportScope::Unit(w.district), Period::ALL)
        .unwrap()
        .data;
    assert_eq!(before.needs.needs_rejected, 0);
    w.a_month_later();
    w.hub
        .run(
            &w.staff_a(),
            RejectNeed {
                need: w.need_submitted,
                reason: "已由民政部门解决".into(),
            },
        )
        .unwrap();
    let month = Period {
        from: Some(Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap()),
        to: Some(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()),
    };
    let rows = Period {
        from: month.from.map(|t| t + Duration::hours(1)),
        to: month.to,
    };
    for p in [Period::ALL, month, rows] {
        let d = w
            .hub
            .report(&w.admin(), ReportScope::Unit(w.district), p)
            .unwrap()
            .data;
        assert_eq!(d.needs.needs_rejected, 1, "{p:?}");
        assert_eq!(d.by_committee[&w.committee_a.to_string()].needs_rejected, 1);
        assert_eq!(d.by_month["2026-02"].needs_rejected, 1);
    }
    let january = Period {
        from: None,
        to: month.from,
    };
    let d = w
        .hub
        .report(&w.admin(), ReportScope::Unit(w.district), january)
        .unwrap()
        .data;
    assert_eq!(d.needs.needs_rejected, 0);

    // Teams and roles in a grid of their committee only.
    let team = w
        .hub
        .run(
            &w.staff_a(),
            FormTeam {
                committee: w.committee_a,
                kind: TeamKind::SecurityPatrol,
                name: "第一网格巡逻队".into(),
                channel: Channel::Grid,
                grid: Some(w.grid_a),
            },
        )
        .unwrap();
    assert_eq!(team.grid, Some(w.grid_a));
    let e = w
        .hub
        .run(
            &needbridge_acceptance::staff(w.committee_b),
            FormTeam {
                committee: w.committee_b,
                kind: TeamKind::SecurityPatrol,
                name: "巡逻队".into(),
                channel: Channel::Grid,
                grid: Some(w.grid_a),
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    let role = w
        .hub
        .run(
            &w.staff_a(),
            AssignRole {
                member: w.member_a,
                kind: RoleKind::CourtyardHead,
                scope: "一号院".into(),
                grid: Some(w.grid_a),
            },
        )
        .unwrap();
    assert_eq!(role.grid, Some(w.grid_a));
}

needbridge_acceptance::conformance!(
    rejected_needs_and_grids_of_teams,
    grids_break_down_needs,
    people_count_once,
    cells_are_filled_on_upgrade,
    figures_of_the_fixture,
    activities_hours_and_help,
    reports_are_authorized,
);

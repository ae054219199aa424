//! Erasure (right to deletion): a committee erases a resident's personal data from the whole
//! store — records, audit log and derived tables — while every figure stays the same and the
//! log still replays to the state.
//!
//! The byte-level checks read the SQLite file and its WAL as raw bytes, and the PostgreSQL
//! schema through `pg_dump`; each first shows that the same scan finds the values before the
//! erasure, so it can fail.

use chrono::Duration;
use needbridge::command::*;
use needbridge::model::*;
use needbridge::report::{Period, ReportScope};
use needbridge::{Actor, Error};
use needbridge_acceptance::invariants::replay_matches;
use needbridge_acceptance::{id_number, member, staff, t0, Backend, World};

/// Values no other record of the world shares.
const NAME: &str = "袁秀珍测试";
const PHONE: &str = "13698765432";
const ADDRESS: &str = "钟山区荷城街道幸福里7栋302室";

fn id_no() -> String {
    id_number("19370215", 417)
}

fn values() -> Vec<String> {
    vec![NAME.into(), PHONE.into(), id_no(), ADDRESS.into()]
}

/// Registers the resident, and a need of theirs claimed, done and verified (so they count in
/// "residents helped" and by group).
fn resident_with_history(w: &World) -> ResidentId {
    let sa = w.staff_a();
    let r = w
        .hub
        .run(
            &sa,
            RegisterResident {
                committee: w.committee_a,
                grid: Some(w.grid_a),
                name: NAME.into(),
                phone: Some(PHONE.into()),
                id_number: Some(id_no()),
                address: Some(ADDRESS.into()),
                groups: vec![ResidentGroup::Elderly, ResidentGroup::Disabled],
                household: None,
            },
        )
        .unwrap();
    // An update too: its command carried the data as well.
    w.hub
        .run(
            &sa,
            UpdateResident {
                resident: r.id,
                name: NAME.into(),
                phone: Some(PHONE.into()),
                id_number: Some(id_no()),
                address: Some(ADDRESS.into()),
                groups: vec![ResidentGroup::Elderly, ResidentGroup::Disabled],
            },
        )
        .unwrap();
    let need = w
        .hub
        .run(
            &sa,
            DraftNeed {
                committee: w.committee_a,
                grid: None,
                resident: Some(r.id),
                institution: None,
                title: "轮椅".into(),
                description: "行动不便".into(),
                category: "elder_care".into(),
                channel: Channel::Family,
                scale: Scale::Individual,
                estimated_cost_fen: 50_000,
                wanted_by: t0() + Duration::days(20),
                beneficiaries: Vec::new(),
                recurrence: None,
                place: None,
                location: None,
            },
        )
        .unwrap();
    w.hub.run(&sa, PublishNeed { need: need.id }).unwrap();
    let m = member(w.loner_a);
    let claim = w
        .hub
        .run(
            &m,
            ClaimNeed {
                need: need.id,
                claimant: Claimant::Member(w.loner_a),
                promised_by: t0() + Duration::days(10),
            },
        )
        .unwrap();
    w.hub
        .run(
            &m,
            CompleteClaim {
                claim: claim.id,
                fulfilment: Fulfilment {
                    money_fen: 48_000,
                    items: vec![Item {
                        count: 1,
                        description: "轮椅".into(),
                    }],
                    minutes: 90,
                    people_served: 1,
                    evidence: vec![],
                    note: String::new(),
                    roster: Vec::new(),
                },
            },
        )
        .unwrap();
    w.hub.run(&sa, VerifyClaim { claim: claim.id }).unwrap();
    r.id
}

fn events_json(w: &World) -> String {
    serde_json::to_string(&w.hub.events_since(&Actor::System, 0, 1000).unwrap()).unwrap()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    hay.windows(n.len()).any(|x| x == n)
}

/// The values found in the SQLite file and its WAL, as raw bytes.
fn found_in_files(w: &World) -> Vec<String> {
    let path = w.dir.as_ref().unwrap().join("needbridge.db");
    let mut bytes = std::fs::read(&path).unwrap();
    let wal = path.with_extension("db-wal");
    if wal.exists() {
        bytes.extend(std::fs::read(&wal).unwrap());
    }
    values()
        .into_iter()
        .filter(|v| contains(&bytes, v))
        .collect()
}

/// `pg_dump` of the world's schema, as text.
fn pg_dump(w: &World) -> String {
    let url = w.pg_url.clone().expect("a PostgreSQL world");
    let schema = url
        .split("search_path")
        .nth(1)
        .and_then(|s| s.trim_start_matches(['=', '%', '3', 'D']).get(..34))
        .expect("schema in the url")
        .to_string();
    assert!(schema.starts_with("t_"), "{schema}");
    let base = std::env::var("NEEDBRIDGE_PG_URL").unwrap();
    let bin = std::env::var("NEEDBRIDGE_PG_BIN")
        .map(|b| format!("{b}/pg_dump"))
        .unwrap_or_else(|_| "pg_dump".into());
    let out = std::process::Command::new(bin)
        .args(["--no-owner", "--schema", &schema, "--dbname", &base])
        .output()
        .expect("run pg_dump");
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Erasure removes the values everywhere; reports are equal before and after; replay still
/// rebuilds the state; the event carries no erased value.
fn erasure_removes_personal_data_and_keeps_every_figure(b: Backend) {
    let w = World::on(b);
    let r = resident_with_history(&w);
    let admin = w.admin();
    let scope = ReportScope::Unit(w.district);
    let before = w.hub.report(&admin, scope, Period::ALL).unwrap();
    // The log never held the data, even before erasure.
    let log = events_json(&w);
    for v in values() {
        assert!(!log.contains(&v), "the audit log holds {v:?}");
    }
    match b {
        Backend::Sqlite => assert_eq!(found_in_files(&w), values(), "scan sees the values"),
        Backend::Postgres => {
            let dump = pg_dump(&w);
            assert!(values().iter().all(|v| dump.contains(v)), "dump has them");
        }
        Backend::Memory => {}
    }

    let erased = w
        .hub
        .run(&w.staff_a(), EraseResident { resident: r })
        .unwrap();
    assert!(erased.erased_at.is_some());
    assert_eq!(
        (
            erased.name.as_str(),
            &erased.phone,
            &erased.id_number,
            &erased.address
        ),
        ("", &None, &None, &None)
    );
    assert_eq!(
        erased.groups,
        vec![ResidentGroup::Elderly, ResidentGroup::Disabled]
    );
    let read = w.hub.resident(&w.staff_a(), r).unwrap();
    assert_eq!(read, erased);

    let after = w.hub.report(&admin, scope, Period::ALL).unwrap();
    assert_eq!(before.data, after.data, "every figure stays the same");

    let events = w.hub.events_since(&Actor::System, 0, 1000).unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.kind, "resident_erased");
    assert_eq!(last.actor, w.staff_a());
    let log = events_json(&w);
    for v in values() {
        assert!(!log.contains(&v), "the audit log holds {v:?}");
    }
    let snap = w.dump();
    replay_matches(&snap).unwrap();
    let whole = serde_json::to_string(&snap).unwrap();
    for v in values() {
        assert!(!whole.contains(&v), "the dump holds {v:?}");
    }
    match b {
        Backend::Sqlite => assert_eq!(found_in_files(&w), Vec::<String>::new()),
        Backend::Postgres => {
            let dump = pg_dump(&w);
            for v in values() {
                assert!(!dump.contains(&v), "pg_dump holds {v:?}");
            }
        }
        Backend::Memory => {}
    }
}

/// Only the holding committee's staff (and the system) erase; an erased resident can be
/// neither erased again, updated, given a need nor paired; refusals write nothing.
fn erasure_is_for_the_holding_committee_and_final(b: Backend) {
    let w = World::on(b);
    let r = resident_with_history(&w);
    let len = |w: &World| w.hub.events_since(&Actor::System, 0, 1000).unwrap().len();
    let n = len(&w);
    for actor in [
        staff(w.committee_b),
        w.admin(),
        member(w.member_a),
        w.secretary(),
        w.contact(),
    ] {
        let e = w
            .hub
            .run(&actor, EraseResident { resident: r })
            .unwrap_err();
        assert!(matches!(e, Error::Forbidden { .. }), "{actor:?}: {e:?}");
    }
    assert_eq!(len(&w), n, "refusals write nothing");
    assert_eq!(w.hub.resident(&w.staff_a(), r).unwrap().name, NAME);

    w.hub
        .run(&w.staff_a(), EraseResident { resident: r })
        .unwrap();
    let illegal =
        |e: Error| matches!(e, Error::IllegalState { ref state, .. } if state == "erased");
    let e = w
        .hub
        .run(&w.staff_a(), EraseResident { resident: r })
        .unwrap_err();
    assert!(illegal(e.clone()), "{e:?}");
    let e = w
        .hub
        .run(
            &w.staff_a(),
            UpdateResident {
                resident: r,
                name: NAME.into(),
                phone: None,
                id_number: None,
                address: None,
                groups: vec![ResidentGroup::Elderly],
            },
        )
        .unwrap_err();
    assert!(illegal(e.clone()), "{e:?}");
    let e = w
        .hub
        .run(
            &w.staff_a(),
            StartPairing {
                member: w.loner_a,
                resident: r,
            },
        )
        .unwrap_err();
    assert!(illegal(e.clone()), "{e:?}");
    let e = w
        .hub
        .run(
            &w.staff_a(),
            DraftNeed {
                committee: w.committee_a,
                grid: None,
                resident: Some(r),
                institution: None,
                title: "年货".into(),
                description: "春节".into(),
                category: "festival_goods".into(),
                channel: Channel::Family,
                scale: Scale::Individual,
                estimated_cost_fen: 0,
                wanted_by: t0() + Duration::days(20),
                beneficiaries: Vec::new(),
                recurrence: None,
                place: None,
                location: None,
            },
        )
        .unwrap_err();
    assert!(illegal(e.clone()), "{e:?}");
    assert_eq!(len(&w), n + 1, "only the erasure was written");
    // The system may erase too (a host's data-protection job); here: another resident.
    w.hub
        .run(
            &Actor::System,
            EraseResident {
                resident: w.resident_b,
            },
        )
        .unwrap();
}

/// A database written by version 4 (events carrying residents' personal data, no
/// `erased_at`) is upgraded on open: the events lose the data, nothing else changes, and the
/// resident can then be erased.
fn upgrading_withholds_personal_data_in_older_events(b: Backend) {
    if b == Backend::Memory {
        return;
    }
    let fresh = b.fresh();
    let w = World::build(fresh.store.clone());
    let r = resident_with_history(&w);
    let before = w.dump();
    let resident_events = before
        .events
        .iter()
        .filter(|e| e.kind.starts_with("resident_"))
        .count();
    assert!(resident_events >= 2);
    drop(w);
    // What version 4 wrote: the resident's data in the command and the after-image.
    let (name, phone, idn, addr) = (NAME, PHONE, id_no(), ADDRESS);
    let downgrade_sqlite = format!(
        "UPDATE events SET payload = json_set(payload, \
           '$.command.name', '{name}', '$.command.phone', '{phone}', \
           '$.command.id_number', '{idn}', '$.command.address', '{addr}', \
           '$.changes[0].record.name', '{name}', '$.changes[0].record.phone', '{phone}', \
           '$.changes[0].record.id_number', '{idn}', '$.changes[0].record.address', '{addr}', \
           '$.changes[0].record.masked', json('false')) \
         WHERE kind IN ('resident_registered', 'resident_updated'); \
         ALTER TABLE residents DROP COLUMN erased_at; \
         DROP TABLE side; DROP INDEX needs_live_claim; ALTER TABLE residents DROP COLUMN masked; \
         ALTER TABLE categories DROP COLUMN parent; ALTER TABLE categories DROP COLUMN committee; \
         DROP INDEX claims_rostered; DROP TABLE calendar_years; ALTER TABLE needs DROP COLUMN institution; ALTER TABLE needs DROP COLUMN place; ALTER TABLE needs DROP COLUMN lat_e6; ALTER TABLE needs DROP COLUMN lon_e6; ALTER TABLE activities DROP COLUMN lat_e6; ALTER TABLE activities DROP COLUMN lon_e6; ALTER TABLE teams DROP COLUMN grid; ALTER TABLE roles DROP COLUMN grid; DROP TABLE corrections; DROP TABLE service_certificates; DROP INDEX needs_next_due; DROP INDEX needs_series; ALTER TABLE needs DROP COLUMN recurrence_every; ALTER TABLE needs DROP COLUMN recurrence_times; ALTER TABLE needs DROP COLUMN series; ALTER TABLE needs DROP COLUMN occurrence; ALTER TABLE needs DROP COLUMN next_due; DROP TABLE need_beneficiaries; DROP INDEX residents_household; ALTER TABLE residents DROP COLUMN household; DROP TABLE households; DROP TABLE offers; ALTER TABLE claims DROP COLUMN roster; ALTER TABLE activities DROP COLUMN grid; ALTER TABLE activities DROP COLUMN place; ALTER TABLE activities DROP COLUMN roster; ALTER TABLE activities DROP COLUMN roster_people; ALTER TABLE activities DROP COLUMN roster_minutes; DROP INDEX hours_pairing; ALTER TABLE hours DROP COLUMN pairing; \
         DELETE FROM schema_migrations WHERE version >= 5;"
    );
    let person = format!(
        r#"{{"name": "{name}", "phone": "{phone}", "id_number": "{idn}", "address": "{addr}"}}"#
    );
    let downgrade_pg = format!(
        "UPDATE events SET payload = jsonb_set(jsonb_set(payload, '{{command}}', \
           (payload -> 'command') || '{person}'::jsonb), '{{changes,0,record}}', \
           (payload -> 'changes' -> 0 -> 'record') || '{person}'::jsonb \
           || '{{\"masked\": false}}'::jsonb) \
         WHERE kind IN ('resident_registered', 'resident_updated'); \
         ALTER TABLE residents DROP COLUMN erased_at; \
         DROP TABLE side; DROP INDEX needs_live_claim; ALTER TABLE residents DROP COLUMN masked; \
         ALTER TABLE categories DROP COLUMN parent; ALTER TABLE categories DROP COLUMN committee; \
         DROP INDEX claims_rostered; DROP TABLE calendar_years; ALTER TABLE needs DROP COLUMN institution; ALTER TABLE needs DROP COLUMN place; ALTER TABLE needs DROP COLUMN lat_e6; ALTER TABLE needs DROP COLUMN lon_e6; ALTER TABLE activities DROP COLUMN lat_e6; ALTER TABLE activities DROP COLUMN lon_e6; ALTER TABLE teams DROP COLUMN grid; ALTER TABLE roles DROP COLUMN grid; DROP TABLE corrections; DROP TABLE service_certificates; DROP INDEX needs_next_due; DROP INDEX needs_series; ALTER TABLE needs DROP COLUMN recurrence_every; ALTER TABLE needs DROP COLUMN recurrence_times; ALTER TABLE needs DROP COLUMN series; ALTER TABLE needs DROP COLUMN occurrence; ALTER TABLE needs DROP COLUMN next_due; DROP TABLE need_beneficiaries; DROP INDEX residents_household; ALTER TABLE residents DROP COLUMN household; DROP TABLE households; DROP TABLE offers; ALTER TABLE claims DROP COLUMN roster; ALTER TABLE activities DROP COLUMN grid; ALTER TABLE activities DROP COLUMN place; ALTER TABLE activities DROP COLUMN roster; ALTER TABLE activities DROP COLUMN roster_people; ALTER TABLE activities DROP COLUMN roster_minutes; DROP INDEX hours_pairing; ALTER TABLE hours DROP COLUMN pairing; \
         DELETE FROM schema_migrations WHERE version >= 5;"
    );
    let count = |payloads: Vec<String>| {
        payloads
            .iter()
            .filter(|p| values().iter().all(|v| p.contains(v)))
            .count()
    };
    match (&fresh.path, &fresh.url) {
        (Some(path), _) => {
            let c = rusqlite::Connection::open(path).unwrap();
            c.execute_batch(&downgrade_sqlite).unwrap();
            let mut q = c.prepare("SELECT payload FROM events").unwrap();
            let p: Vec<String> = q
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(
                count(p),
                resident_events,
                "version 4's events hold the data"
            );
        }
        (None, Some(url)) => {
            let s = needbridge::store::postgres::PostgresStore::connect(url).unwrap();
            s.with_client(|c| c.batch_execute(&downgrade_pg))
                .unwrap()
                .unwrap();
            let p: Vec<String> = s
                .with_client(|c| c.query("SELECT payload::text FROM events", &[]))
                .unwrap()
                .unwrap()
                .iter()
                .map(|row| row.get(0))
                .collect();
            assert_eq!(
                count(p),
                resident_events,
                "version 4's events hold the data"
            );
        }
        _ => unreachable!(),
    }
    let hub = needbridge::Hub::new(fresh.reopen()).unwrap();
    let after = needbridge::store::dump(&*fresh.reopen()).unwrap();
    assert_eq!(
        after, before,
        "the upgrade changes nothing but the withheld data"
    );
    let log = serde_json::to_string(&after.events).unwrap();
    for v in values() {
        assert!(!log.contains(&v), "the upgraded log holds {v:?}");
    }
    let erased = hub
        .run(&staff(committee_of(&hub, r)), EraseResident { resident: r })
        .unwrap();
    assert!(erased.erased_at.is_some());
    if b == Backend::Sqlite {
        let path = fresh.path.as_ref().unwrap();
        let mut bytes = std::fs::read(path).unwrap();
        if let Ok(wal) = std::fs::read(path.with_extension("db-wal")) {
            bytes.extend(wal);
        }
        for v in values() {
            assert!(!contains(&bytes, &v), "the upgraded file holds {v:?}");
        }
    }
}

fn committee_of(hub: &needbridge::Hub, r: ResidentId) -> UnitId {
    hub.resident(&Actor::System, r).unwrap().committee
}

needbridge_acceptance::conformance!(
    erasure_removes_personal_data_and_keeps_every_figure,
    erasure_is_for_the_holding_committee_and_final,
    upgrading_withholds_personal_data_in_older_events,
);

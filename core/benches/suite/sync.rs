//! Item 9 (issue 16): sync.
//!
//! - **Push**: the portal's cost per mutation — decoding the push, running each claim in its
//!   own transaction with its outcome stored beside it, encoding the answer — against the
//!   same claims run directly through `Hub::execute` (the baseline: what the portal does for a
//!   command that did not come through sync), on identical worlds, interleaved in rounds;
//!   SQLite (`synchronous` FULL) and PostgreSQL. Target: time <= 1.5x direct.
//! - **Pull**: a member's phone (a SQLite file, as on a device) takes a first sync of one
//!   committee — 2,000 residents and 5,000 needs, half of them claimed (quick: a tenth) — and
//!   then an incremental pull of about 100 changes; the device's time (decoding the answers
//!   and applying them) is measured, the portal's is reported beside it. Targets: first sync
//!   <= 1 s, incremental <= 20 ms (full sizes). Beside the first sync, the JSON has the time of
//!   writing the same records into an empty file with `store::restore` (the floor).
//! - **Device file**: the phone's database file after the first sync, per need of its scope
//!   (the WAL checkpointed first). Target: <= 3 KB per need.

use super::world::{hub_on, world};
use super::{fresh_schema, Line};
use chrono::{Duration, Utc};
use needbridge::command::*;
use needbridge::model::*;
use needbridge::store::memory::MemoryStore;
use needbridge::store::postgres::PostgresStore;
use needbridge::store::sqlite::SqliteStore;
use needbridge::sync::{self, ClientId, Device, Mutation, PushRequest};
use needbridge::{Actor, Hub, Store};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

const ROUNDS: usize = 10;

/// Claims `needs[range]` as pushes (one per member and round: what a phone sends after a day
/// offline), returning the portal's time.
fn through_push(
    w: &super::world::World,
    range: std::ops::Range<usize>,
    clients: &mut HashMap<MemberId, (ClientId, u64)>,
) -> f64 {
    let until = Utc::now() + Duration::days(30);
    let mut by_member: HashMap<MemberId, Vec<Mutation>> = HashMap::new();
    for i in range {
        let m = w.members[i % w.members.len()];
        let (_, next) = clients
            .entry(m)
            .or_insert((ClientId(uuid::Uuid::now_v7()), 1));
        by_member.entry(m).or_default().push(Mutation {
            id: *next,
            at: Utc::now(),
            new_id: Some(uuid::Uuid::now_v7()),
            command: ClaimNeed {
                need: w.needs[i],
                claimant: Claimant::Member(m),
                promised_by: until,
            }
            .into(),
        });
        *next += 1;
    }
    // The phones' requests, encoded before the clock starts (their cost is the phones').
    let bodies: Vec<(Actor, Vec<u8>)> = by_member
        .into_iter()
        .map(|(m, mutations)| {
            let req = PushRequest {
                protocol: sync::PROTOCOL,
                schema: sync::SCHEMA,
                client: clients[&m].0,
                mutations,
            };
            (Actor::Member { member: m }, sync::encode(&req))
        })
        .collect();
    let t = Instant::now();
    for (actor, body) in &bodies {
        let answer = sync::serve_push(&w.hub, actor, body).expect("push");
        assert!(!answer.is_empty());
    }
    t.elapsed().as_secs_f64()
}

/// Direct and pushed claims on two identical worlds, interleaved; returns the line.
fn push_line(
    what: &str,
    direct_world: &super::world::World,
    push_world: &super::world::World,
    n: usize,
) -> Line {
    let per = n / ROUNDS;
    let mut clients = HashMap::new();
    let (mut direct, mut pushed) = (0.0, 0.0);
    let mut ratios = Vec::new();
    for r in 0..ROUNDS {
        let range = r * per..(r + 1) * per;
        let d = super::world::through_hub(direct_world, range.clone());
        let p = through_push(push_world, range, &mut clients);
        direct += d;
        pushed += p;
        ratios.push(p / d);
    }
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios[ratios.len() / 2];
    let us = |s: f64| s * 1e6 / (per * ROUNDS) as f64;
    Line::plain(9, what, us(pushed), "us/claim")
        .against(
            "Hub::execute directly",
            us(direct),
            ratio,
            ratio <= 1.5,
            "time <= 1.5x direct".into(),
        )
        .extra(serde_json::json!({ "ratio_of_totals": pushed / direct, "rounds": ratios }))
}

/// Item 9, push: SQLite, and PostgreSQL when `pg_url` is set.
pub fn push(dir: &Path, n: usize, pg_n: usize, pg_url: Option<&str>) -> Vec<Line> {
    let mut out = Vec::new();
    let open = |name: &str| {
        let path = dir.join(name);
        let _ = std::fs::remove_file(&path);
        world(hub_on(SqliteStore::open(&path).expect("sqlite")), 20, n)
    };
    let (a, b) = (open("sync-direct.db"), open("sync-push.db"));
    out.push(push_line(
        "push: claim per mutation, SQLite FULL",
        &a,
        &b,
        n,
    ));
    if let Some(url) = pg_url {
        let open = || {
            let store = PostgresStore::connect(&fresh_schema(url, "sync")).expect("postgres");
            world(hub_on(store), 20, pg_n)
        };
        let (a, b) = (open(), open());
        out.push(push_line(
            "push: claim per mutation, PostgreSQL",
            &a,
            &b,
            pg_n,
        ));
    }
    out
}

/// One committee of `residents` residents and `needs` published needs, every other one
/// claimed, on a memory portal; returns the portal and a member of it.
fn committee(residents: usize, needs: usize) -> (super::world::World, Vec<ResidentId>) {
    let w = world(hub_on(MemoryStore::new()), 20, 0);
    let staff = Actor::CommitteeStaff { unit: w.committee };
    let later = Utc::now() + Duration::days(60);
    let rs: Vec<ResidentId> = (0..residents)
        .map(|i| {
            w.hub
                .run(
                    &staff,
                    RegisterResident {
                        committee: w.committee,
                        grid: None,
                        name: format!("居民{i}"),
                        phone: Some(format!("139{:08}", i)),
                        id_number: None,
                        address: Some(format!("凤凰路{i}号")),
                        groups: vec![if i % 7 == 0 {
                            ResidentGroup::LeftBehindChild
                        } else {
                            ResidentGroup::Elderly
                        }],
                        household: None,
                    },
                )
                .expect("resident")
                .id
        })
        .collect();
    let mut ids = Vec::with_capacity(needs);
    for i in 0..needs {
        let n = w
            .hub
            .run(
                &staff,
                DraftNeed {
                    committee: w.committee,
                    grid: None,
                    resident: Some(rs[i % rs.len()]),
                    institution: None,
                    title: format!("需求{i}：上门送年货"),
                    description: "春节前送米、油和春联，陪老人聊聊天".into(),
                    category: "festival_goods".into(),
                    channel: Channel::Family,
                    scale: Scale::Individual,
                    estimated_cost_fen: 20_000,
                    wanted_by: later,
                    beneficiaries: Vec::new(),
                    recurrence: None,
                    place: None,
                    location: None,
                },
            )
            .expect("draft")
            .id;
        w.hub.run(&staff, PublishNeed { need: n }).expect("publish");
        if i % 2 == 0 {
            let m = w.members[i % w.members.len()];
            w.hub
                .run(
                    &Actor::Member { member: m },
                    ClaimNeed {
                        need: n,
                        claimant: Claimant::Member(m),
                        promised_by: later - Duration::days(1),
                    },
                )
                .expect("claim");
        }
        ids.push(n);
    }
    let w = super::world::World { needs: ids, ..w };
    (w, rs)
}

/// Pulls until the device is current; returns (device seconds, portal seconds, pages).
fn pull_all(portal: &Hub, d: &Device) -> (f64, f64, u32) {
    let (mut device, mut server, mut pages) = (0.0, 0.0, 0);
    loop {
        let t = Instant::now();
        let body = sync::encode(&d.pull_request(sync::MAX_PULL).expect("request"));
        device += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let answer = sync::serve_pull(portal, &d.actor(), &body).expect("pull");
        server += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let s = d
            .apply_pull(&sync::decode_pull_response(&answer).expect("decode"))
            .expect("apply");
        device += t.elapsed().as_secs_f64();
        pages += 1;
        if !s.more && !s.reset {
            return (device, server, pages);
        }
    }
}

/// Item 9, pull and the device file.
pub fn pull(dir: &Path, quick: bool) -> Vec<Line> {
    let (residents, needs) = if quick { (200, 500) } else { (2_000, 5_000) };
    let (w, _) = committee(residents, needs);
    let member = Actor::Member {
        member: w.members[1],
    };
    let path = dir.join("phone.db");
    let _ = std::fs::remove_file(&path);
    let store = Arc::new(SqliteStore::open(&path).expect("phone"));
    let phone = Hub::with(
        store.clone(),
        needbridge::SystemClock,
        super::world::config(),
    )
    .expect("phone hub");
    let d = Device::open(Arc::new(phone), member).expect("device");
    let (first, first_server, pages) = pull_all(&w.hub, &d);
    // For comparison: the same records written into an empty SQLite file in one transaction
    // (`store::restore`: the floor of writing them at all, without sync's bookkeeping).
    let mut copy = needbridge::store::dump(&*store).expect("dump");
    copy.events.clear();
    copy.side.clear();
    let floor_path = dir.join("floor.db");
    let _ = std::fs::remove_file(&floor_path);
    let floor_store = SqliteStore::open(&floor_path).expect("floor");
    let t = Instant::now();
    needbridge::store::restore(&copy, &floor_store).expect("restore");
    let floor = t.elapsed().as_secs_f64();
    assert!(d.status().expect("status").ready);
    let shown = d
        .hub()
        .library(
            &member,
            &needbridge::hub::NeedQuery {
                limit: 1000,
                ..Default::default()
            },
        )
        .expect("library");
    assert!(!shown.needs.is_empty());
    store.purge().expect("checkpoint");
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(path.with_extension("db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    let per_need = bytes as f64 / needs as f64;
    // About 100 changes: 34 claims on the portal (each writes a need and a claim, and
    // re-sends the need's resident).
    let mut changed = 0;
    for (i, n) in w
        .needs
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .take(34)
    {
        let m = w.members[i % w.members.len()];
        w.hub
            .run(
                &Actor::Member { member: m },
                ClaimNeed {
                    need: *n,
                    claimant: Claimant::Member(m),
                    promised_by: Utc::now() + Duration::days(20),
                },
            )
            .expect("claim");
        changed += 1;
    }
    let (incremental, inc_server, _) = pull_all(&w.hub, &d);
    let size = if quick {
        format!("{residents} residents, {needs} needs (quick)")
    } else {
        format!("{residents} residents, {needs} needs")
    };
    let first_ms = first * 1e3;
    let inc_ms = incremental * 1e3;
    let mut out = Vec::new();
    let first_line = if quick {
        Line::plain(
            9,
            format!("pull: first sync on the phone, {size}"),
            first_ms,
            "ms",
        )
    } else {
        Line::at_most(
            9,
            format!("pull: first sync on the phone, {size}"),
            first_ms,
            "ms",
            1000.0,
        )
    };
    out.push(first_line.extra(serde_json::json!({
        "portal_ms": first_server * 1e3, "pages": pages,
        "restore_same_records_ms": floor * 1e3
    })));
    let inc_what = format!(
        "pull: incremental, {changed} claims (~{} changes)",
        changed * 3
    );
    let inc_line = if quick {
        Line::plain(9, inc_what, inc_ms, "ms")
    } else {
        Line::at_most(9, inc_what, inc_ms, "ms", 20.0)
    };
    out.push(inc_line.extra(serde_json::json!({ "portal_ms": inc_server * 1e3 })));
    out.push(
        Line::at_most(
            9,
            format!("phone file per need, {size}"),
            per_need,
            "bytes",
            3072.0,
        )
        .extra(serde_json::json!({ "file_bytes": bytes })),
    );
    out
}

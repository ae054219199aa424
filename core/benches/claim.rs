//! The claim command through the Hub against the physical limit of the embedded default: a
//! hand-written rusqlite transaction doing the same reads and writes, side by side in one
//! run, with `synchronous` FULL and NORMAL (issue 7, item 1). Prints a table of absolute
//! figures and ratios and writes `target/bench-claim.json`.
//!
//! ```sh
//! cargo bench -p needbridge --bench claim -- [--quick]
//! ```
//!
//! What "the same reads and writes" means here — what `ClaimNeed` does on SQLite: in one
//! `BEGIN IMMEDIATE` transaction, read the need, the claimant member and the member's open
//! claims, read the need's claims (report-cell upkeep), insert the claim, update the need,
//! upsert the changed report cells (12 cells in 5 statements) and append the event with its
//! JSON payload; commit. The hand-written side prepares every statement once and reuses it,
//! does no validation, no authorization and no serde of records: it is the floor.

use chrono::{Duration, Utc};
use needbridge::command::*;
use needbridge::model::*;
use needbridge::store::sqlite::{SqliteOptions, SqliteStore, Synchronous};
use needbridge::{Actor, Hub, HubConfig, SystemClock};
use rusqlite::{params, Connection};
use std::path::{Path, PathBuf};
use std::time::Instant;

struct World {
    hub: Hub,
    committee: UnitId,
    path: PathBuf,
    members: Vec<MemberId>,
    needs: Vec<NeedId>,
}

fn world(dir: &Path, name: &str, sync: Synchronous, needs: usize) -> World {
    let path = dir.join(format!("{name}.db"));
    let store = SqliteStore::open_with(
        &path,
        SqliteOptions {
            synchronous: sync,
            ..Default::default()
        },
    )
    .expect("open");
    let config = HubConfig {
        max_open_claims_per_member: u32::MAX,
        ..Default::default()
    };
    let hub = Hub::with(store, SystemClock, config).expect("hub");
    let sys = Actor::System;
    let later = Utc::now() + Duration::days(60);
    let unit = |kind, name: &str, parent| {
        hub.run(
            &sys,
            CreateUnit {
                kind,
                name: name.into(),
                parent,
            },
        )
        .expect("unit")
        .id
    };
    let district = unit(UnitKind::District, "钟山区", None);
    let community = unit(UnitKind::Community, "荷城街道", Some(district));
    let committee = unit(UnitKind::Committee, "凤凰社区居委会", Some(community));
    let staff = Actor::CommitteeStaff { unit: committee };
    let wu = hub
        .run(
            &sys,
            RegisterWorkUnit {
                name: "区财政局".into(),
                party_organisation: "党支部".into(),
            },
        )
        .expect("work unit")
        .id;
    let members: Vec<MemberId> = (0..8)
        .map(|i| {
            let m = hub
                .run(
                    &sys,
                    IssueCertificate {
                        work_unit: wu,
                        name: format!("党员{i}"),
                        phone: None,
                        id_number: None,
                        number: format!("BD-{i}"),
                        deadline: later,
                    },
                )
                .expect("certificate")
                .id;
            hub.run(
                &Actor::Member { member: m },
                ReportMember {
                    member: m,
                    committee,
                    commitment: "服务".into(),
                    skills: vec![],
                },
            )
            .expect("report");
            hub.run(
                &staff,
                AcceptReport {
                    member: m,
                    note: None,
                },
            )
            .expect("accept");
            m
        })
        .collect();
    let resident = hub
        .run(
            &staff,
            RegisterResident {
                committee,
                grid: None,
                name: "陈大爷".into(),
                phone: None,
                id_number: None,
                address: None,
                groups: vec![ResidentGroup::Elderly],
            },
        )
        .expect("resident")
        .id;
    let needs = (0..needs)
        .map(|i| {
            let n = hub
                .run(
                    &staff,
                    DraftNeed {
                        committee,
                        grid: None,
                        resident,
                        title: format!("需求{i}"),
                        description: "居民需求".into(),
                        category: "festival_goods".into(),
                        channel: Channel::Family,
                        scale: Scale::Individual,
                        estimated_cost_fen: 10_000,
                        wanted_by: later,
                    },
                )
                .expect("draft")
                .id;
            hub.run(&staff, PublishNeed { need: n }).expect("publish");
            n
        })
        .collect();
    World {
        hub,
        committee,
        path,
        members,
        needs,
    }
}

/// Claims every need through the Hub; returns claims per second.
fn through_hub(w: &World) -> f64 {
    let until = Utc::now() + Duration::days(30);
    let t = Instant::now();
    for (i, n) in w.needs.iter().enumerate() {
        let m = w.members[i % w.members.len()];
        w.hub
            .run(
                &Actor::Member { member: m },
                ClaimNeed {
                    need: *n,
                    claimant: Claimant::Member(m),
                    promised_by: until,
                },
            )
            .expect("claim");
    }
    w.needs.len() as f64 / t.elapsed().as_secs_f64()
}

/// The same reads and writes by hand, on the same kind of database; returns claims per second.
fn by_hand(w: &World, sync: Synchronous) -> f64 {
    let conn = Connection::open(&w.path).expect("open");
    let sync = match sync {
        Synchronous::Full => "FULL",
        Synchronous::Normal => "NORMAL",
    };
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = {sync};"
    ))
    .expect("pragmas");
    let path: String = conn
        .query_row(
            "SELECT path FROM units WHERE id = ?1",
            [w.committee.to_string()],
            |r| r.get(0),
        )
        .expect("path");
    let units: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let until = (Utc::now() + Duration::days(30)).to_rfc3339();
    let t = Instant::now();
    for (i, n) in w.needs.iter().enumerate() {
        let m = w.members[i % w.members.len()].to_string();
        let need = n.to_string();
        let claim = uuid::Uuid::now_v7().to_string();
        let now = Utc::now().to_rfc3339();
        conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
        // Whole records, as the Hub reads them (the need goes into the event).
        let mut need_row = row_object(&conn, "SELECT * FROM needs WHERE id = ?1", &need);
        assert_eq!(need_row["status"], "published");
        let category = need_row["category"].as_str().expect("category").to_string();
        let channel = need_row["channel"].as_str().expect("channel").to_string();
        let member_row = row_object(&conn, "SELECT * FROM members WHERE id = ?1", &m);
        assert_eq!(member_row["status"], "accepted");
        let _open: i64 = conn
            .prepare_cached(
                "SELECT count(*) FROM claims WHERE claimant_type = 'member' AND claimant_id = ?1 \
                 AND status IN ('active', 'in_progress', 'done')",
            )
            .expect("prep")
            .query_row([&m], |r| r.get(0))
            .expect("open claims");
        let _prior: i64 = conn
            .prepare_cached("SELECT count(*) FROM claims WHERE need = ?1")
            .expect("prep")
            .query_row([&need], |r| r.get(0))
            .expect("need's claims");
        conn.prepare_cached(
            "INSERT INTO claims (id, need, committee, claimant_type, claimant_id, claimed_by, status, \
             claimed_at, promised_by, extensions, send_backs) \
             VALUES (?1, ?2, ?3, 'member', ?4, ?4, 'active', ?5, ?6, 0, 0)",
        )
        .expect("prep")
        .execute(params![claim, need, w.committee.to_string(), m, now, until])
        .expect("insert claim");
        conn.prepare_cached(
            "UPDATE needs SET status = 'claimed', live_claim = ?2, claim_count = claim_count + 1, \
             updated_at = ?3 WHERE id = ?1",
        )
        .expect("prep")
        .execute(params![need, claim, now])
        .expect("update need");
        // The report cells: total, category, channel and claimant for each of three units.
        let month = 2026 * 12 + 10;
        let mut cells = Vec::new();
        for u in &units {
            for (dim, key) in [
                ("", ""),
                ("category", category.as_str()),
                ("channel", channel.as_str()),
                ("claimant", "member"),
            ] {
                cells.push((u.clone(), dim, key.to_string()));
            }
        }
        let row = "(?, ?, ?, 'claimed', ?, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0)";
        let upsert = |rows: &[(String, &str, String)]| {
            let sql = format!(
                "INSERT INTO report_cells (unit, month, dim, stream, key, prev, n, members, teams, \
                 organisations, collective, money_fen, items, minutes, people) VALUES {} \
                 ON CONFLICT (unit, month, dim, stream, key, prev) DO UPDATE SET n = n + excluded.n, \
                 members = members + excluded.members",
                vec![row; rows.len()].join(", ")
            );
            let mut p: Vec<rusqlite::types::Value> = Vec::new();
            for (u, dim, key) in rows {
                p.push(u.clone().into());
                p.push(month.into());
                p.push(dim.to_string().into());
                p.push(key.clone().into());
            }
            conn.prepare_cached(&sql)
                .expect("prep")
                .execute(rusqlite::params_from_iter(p))
                .expect("cells");
        };
        upsert(&cells[..8]);
        for c in &cells[8..] {
            upsert(std::slice::from_ref(c));
        }
        let seq: i64 = conn
            .prepare_cached("SELECT coalesce(max(seq), 0) + 1 FROM events")
            .expect("prep")
            .query_row([], |r| r.get(0))
            .expect("seq");
        // The event carries the command and both records whole, after the change.
        need_row.insert("status".into(), "claimed".into());
        need_row.insert("live_claim".into(), claim.clone().into());
        need_row.insert("updated_at".into(), now.clone().into());
        let claim_claimant = serde_json::json!({"type": "member", "id": m});
        let payload = serde_json::json!({
            "command": {"command": "claim_need", "need": need, "claimant": claim_claimant,
                        "promised_by": until},
            "changes": [
                {"kind": "claim", "record": {
                    "id": claim, "need": need, "committee": w.committee.to_string(),
                    "claimant": claim_claimant, "claimed_by": null, "status": "active",
                    "claimed_at": now, "promised_by": until, "warned_at": null, "extensions": 0,
                    "started_at": null, "completed_at": null, "fulfilment": null,
                    "send_backs": 0, "reason": null, "ended_at": null}},
                {"kind": "need", "record": need_row},
            ],
        })
        .to_string();
        conn.prepare_cached(
            "INSERT INTO events (seq, id, at, actor_type, actor_id, kind, committee, payload) \
             VALUES (?1, ?2, ?3, 'member', ?4, 'need_claimed', ?5, ?6)",
        )
        .expect("prep")
        .execute(params![
            seq,
            uuid::Uuid::now_v7().to_string(),
            now,
            m,
            w.committee.to_string(),
            payload
        ])
        .expect("event");
        conn.execute_batch("COMMIT").expect("commit");
    }
    w.needs.len() as f64 / t.elapsed().as_secs_f64()
}

/// One row of `sql` (bound to `id`) as a JSON object of column → value.
fn row_object(
    conn: &Connection,
    sql: &str,
    id: &str,
) -> serde_json::Map<String, serde_json::Value> {
    use rusqlite::types::ValueRef;
    let mut stmt = conn.prepare_cached(sql).expect("prep");
    let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
    stmt.query_row([id], |r| {
        let mut o = serde_json::Map::new();
        for (i, n) in names.iter().enumerate() {
            let v = match r.get_ref(i)? {
                ValueRef::Null => serde_json::Value::Null,
                ValueRef::Integer(x) => x.into(),
                ValueRef::Real(x) => x.into(),
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
                ValueRef::Blob(_) => serde_json::Value::Null,
            };
            o.insert(n.clone(), v);
        }
        Ok(o)
    })
    .expect("row")
}

/// Bytes this process has written through `write`-family calls so far (Linux
/// `/proc/self/io`, `wchar`); 0 elsewhere.
fn written() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("wchar: ").map(|v| v.trim().parse().ok()))
        })
        .flatten()
        .unwrap_or(0)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let n = if quick { 300 } else { 3000 };
    let dir = std::env::temp_dir().join(format!("needbridge-claim-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    println!("claim command: Hub vs a hand-written rusqlite transaction, {n} claims each");
    println!(
        "{:<9} {:>14} {:>14} {:>8}  target",
        "sync", "Hub claims/s", "hand claims/s", "ratio"
    );
    let mut json = Vec::new();
    for (name, sync) in [("FULL", Synchronous::Full), ("NORMAL", Synchronous::Normal)] {
        let a = world(&dir, &format!("hub-{name}"), sync, n);
        let w0 = written();
        let hub = through_hub(&a);
        let hub_kib = (written() - w0) as f64 / 1024.0 / n as f64;
        let b = world(&dir, &format!("hand-{name}"), sync, n);
        let w0 = written();
        let hand = by_hand(&b, sync);
        let hand_kib = (written() - w0) as f64 / 1024.0 / n as f64;
        let ratio = hub / hand;
        println!(
            "{name:<9} {hub:>14.0} {hand:>14.0} {ratio:>8.2}  >= 0.70   written per claim: Hub {hub_kib:.1} KiB, by hand {hand_kib:.1} KiB"
        );
        json.push(serde_json::json!({
            "synchronous": name, "claims": n, "hub_per_s": hub, "hand_per_s": hand, "ratio": ratio,
            "hub_kib_written_per_claim": hub_kib, "hand_kib_written_per_claim": hand_kib,
        }));
    }
    if std::env::var_os("CLAIM_BENCH_KEEP").is_some() {
        println!("kept {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../target")
            .display()
            .to_string()
    });
    let out = Path::new(&target).join("bench-claim.json");
    std::fs::write(&out, serde_json::to_string_pretty(&json).expect("json")).expect("write");
    println!("wrote {}", out.display());
}

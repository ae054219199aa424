//! The claim transaction written by hand with rusqlite on the world's SQLite file: the
//! baselines of item 1 (`claim.rs`), shared with the claim anatomy (`../claim-anatomy`).
//!
//! - [`sqlite_by_hand`]: the same reads and writes as `ClaimNeed` — the need and the member read
//!   whole, the member's open claims counted, the need's claims read (report-cell upkeep), the
//!   claim inserted, the need updated, 12 report cells upserted in 5 statements, the event
//!   appended with the same payload (the command and both records whole). The floor of what
//!   needbridge does.
//! - [`sqlite_minimal`]: what a portal developer writes by hand for the same feature — read the
//!   need's status, count the member's open claims, insert the claim, update the need, append a
//!   small audit row (time, actor, kind, need id, claim id; no records). No report cells, no
//!   event payload. The floor of the feature itself.
//!
//! Both prepare every statement once (`prepare_cached`) and do no validation, authorization
//! or serde of records.

use super::world::World;
use chrono::{Duration, Utc};
use needbridge::store::sqlite::Synchronous;
use rusqlite::{params, Connection};
use std::ops::Range;
use std::path::Path;
use std::time::Instant;

/// The report cells a claim adds: total, category, channel and claimant for each unit.
pub fn cell_keys(units: &[String], category: &str, channel: &str) -> Vec<(String, String, String)> {
    let mut cells = Vec::new();
    for u in units {
        for (dim, key) in [
            ("", ""),
            ("category", category),
            ("channel", channel),
            ("claimant", "member"),
        ] {
            cells.push((u.clone(), dim.to_string(), key.to_string()));
        }
    }
    cells
}

/// The month number report cells use (`year * 12 + month0`) for now.
pub fn month_now() -> i64 {
    use chrono::Datelike;
    let now = Utc::now();
    i64::from(now.year()) * 12 + i64::from(now.month0())
}

/// The event payload: the command and both records whole, after the change.
pub fn payload(
    need: &str,
    m: &str,
    claim: &str,
    committee: &str,
    now: &str,
    until: &str,
    need_row: serde_json::Map<String, serde_json::Value>,
) -> String {
    let claimant = serde_json::json!({"type": "member", "id": m});
    serde_json::json!({
        "command": {"command": "claim_need", "need": need, "claimant": claimant,
                    "promised_by": until},
        "changes": [
            {"kind": "claim", "record": {
                "id": claim, "need": need, "committee": committee,
                "claimant": claimant, "claimed_by": null, "status": "active",
                "claimed_at": now, "promised_by": until, "warned_at": null, "extensions": 0,
                "started_at": null, "completed_at": null, "fulfilment": null,
                "send_backs": 0, "reason": null, "ended_at": null}},
            {"kind": "need", "record": need_row},
        ],
    })
    .to_string()
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

/// A hand-written SQLite connection on the world's file, with the same pragmas as the store.
pub fn sqlite_hand(path: &Path, sync: Synchronous) -> Connection {
    let conn = Connection::open(path).expect("open");
    let sync = match sync {
        Synchronous::Full => "FULL",
        Synchronous::Normal => "NORMAL",
    };
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = {sync};"
    ))
    .expect("pragmas");
    conn
}

/// The same reads and writes by hand on SQLite; returns the seconds taken.
pub fn sqlite_by_hand(conn: &Connection, w: &World, range: Range<usize>) -> f64 {
    let committee = w.committee.to_string();
    let path: String = conn
        .query_row("SELECT path FROM units WHERE id = ?1", [&committee], |r| {
            r.get(0)
        })
        .expect("path");
    let units: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let until = (Utc::now() + Duration::days(30)).to_rfc3339();
    let t = Instant::now();
    for i in range {
        let m = w.members[i % w.members.len()].to_string();
        let need = w.needs[i].to_string();
        let claim = uuid::Uuid::now_v7().to_string();
        let now = Utc::now().to_rfc3339();
        conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
        let mut need_row = row_object(conn, "SELECT * FROM needs WHERE id = ?1", &need);
        assert_eq!(need_row["status"], "published");
        let category = need_row["category"].as_str().expect("category").to_string();
        let channel = need_row["channel"].as_str().expect("channel").to_string();
        let member_row = row_object(conn, "SELECT * FROM members WHERE id = ?1", &m);
        assert_eq!(member_row["status"], "accepted");
        let _open: i64 = open_claims(conn, &m);
        let _prior: i64 = conn
            .prepare_cached("SELECT count(*) FROM claims WHERE need = ?1")
            .expect("prep")
            .query_row([&need], |r| r.get(0))
            .expect("need's claims");
        insert_claim_update_need(conn, [&claim, &need, &committee, &m, &now, &until]);
        let month = month_now();
        let cells = cell_keys(&units, &category, &channel);
        let row = "(?, ?, ?, 'claimed', ?, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0)";
        let upsert = |rows: &[(String, String, String)]| {
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
                p.push(dim.clone().into());
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
        need_row.insert("status".into(), "claimed".into());
        need_row.insert("live_claim".into(), claim.clone().into());
        need_row.insert("updated_at".into(), now.clone().into());
        let payload = payload(&need, &m, &claim, &committee, &now, &until, need_row);
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
            committee,
            payload
        ])
        .expect("event");
        conn.execute_batch("COMMIT").expect("commit");
    }
    t.elapsed().as_secs_f64()
}

/// The audit table the minimal baseline appends to: one small row per change, no records.
pub const AUDIT_TABLE: &str = "CREATE TABLE IF NOT EXISTS audit (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    kind   TEXT NOT NULL,
    need   TEXT NOT NULL,
    claim  TEXT NOT NULL
)";

/// A minimal developer's connection on the world's file: [`sqlite_hand`]'s pragmas, and the
/// audit table created.
pub fn sqlite_minimal_conn(path: &Path, sync: Synchronous) -> Connection {
    let conn = sqlite_hand(path, sync);
    conn.execute_batch(AUDIT_TABLE).expect("audit table");
    conn
}

/// A portal developer's minimal claim transaction by hand; returns the seconds taken.
pub fn sqlite_minimal(conn: &Connection, w: &World, range: Range<usize>) -> f64 {
    let until = (Utc::now() + Duration::days(30)).to_rfc3339();
    let committee = w.committee.to_string();
    let t = Instant::now();
    for i in range {
        let m = w.members[i % w.members.len()].to_string();
        let need = w.needs[i].to_string();
        let claim = uuid::Uuid::now_v7().to_string();
        let now = Utc::now().to_rfc3339();
        conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
        let status: String = conn
            .prepare_cached("SELECT status FROM needs WHERE id = ?1")
            .expect("prep")
            .query_row([&need], |r| r.get(0))
            .expect("need");
        assert_eq!(status, "published");
        let open: i64 = open_claims(conn, &m);
        assert!(open < i64::from(u32::MAX));
        insert_claim_update_need(conn, [&claim, &need, &committee, &m, &now, &until]);
        conn.prepare_cached(
            "INSERT INTO audit (at, actor, kind, need, claim) VALUES (?1, ?2, 'need_claimed', ?3, ?4)",
        )
        .expect("prep")
        .execute(params![now, m, need, claim])
        .expect("audit");
        conn.execute_batch("COMMIT").expect("commit");
    }
    t.elapsed().as_secs_f64()
}

/// The two writes every hand-written claim makes: the claim inserted, the need marked claimed.
/// `v`: claim id, need id, committee, member, now, promised by.
fn insert_claim_update_need(conn: &Connection, v: [&dyn rusqlite::ToSql; 6]) {
    conn.prepare_cached(
        "INSERT INTO claims (id, need, committee, claimant_type, claimant_id, claimed_by, status, \
         claimed_at, promised_by, extensions, send_backs) \
         VALUES (?1, ?2, ?3, 'member', ?4, ?4, 'active', ?5, ?6, 0, 0)",
    )
    .expect("prep")
    .execute(v.as_slice())
    .expect("insert claim");
    conn.prepare_cached(
        "UPDATE needs SET status = 'claimed', live_claim = ?2, claim_count = claim_count + 1, \
         updated_at = ?3 WHERE id = ?1",
    )
    .expect("prep")
    .execute([v[1], v[0], v[4]].as_slice())
    .expect("update need");
}

/// The member's open claims, counted as every hand-written claim counts them.
fn open_claims(conn: &Connection, member: &dyn rusqlite::ToSql) -> i64 {
    conn.prepare_cached(
        "SELECT count(*) FROM claims WHERE claimant_type = 'member' AND claimant_id = ?1 \
         AND status IN ('active', 'in_progress', 'done')",
    )
    .expect("prep")
    .query_row([member], |r| r.get(0))
    .expect("open claims")
}

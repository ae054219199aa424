//! Items 1 and 2: the claim command through the Hub against the physical limit of each SQL
//! backend — a hand-written transaction doing the same reads and writes — side by side in one
//! run, on SQLite (`synchronous` FULL and NORMAL) and PostgreSQL.
//!
//! What "the same reads and writes" means — what `ClaimNeed` does: in one write transaction
//! (SQLite `BEGIN IMMEDIATE`; PostgreSQL the store's advisory lock and `SERIALIZABLE`), read the
//! need and the claimant member whole, count the member's open claims, read the need's claims
//! (report-cell upkeep), insert the claim, update the need, upsert the changed report cells
//! (12 cells in 5 statements) and append the event with its JSON payload (the command and both
//! records whole); commit. The hand-written side prepares every statement once and reuses
//! it, does no validation, no authorization and no serde of records: it is the floor.
//!
//! Both sides claim the same number of needs on identical worlds, interleaved in rounds
//! (Hub, hand, Hub, hand, …) so that a slow spell of the machine's disk hits both alike; the
//! ratio reported is the median of the rounds' ratios (the totals' ratio is in the JSON).

use super::world::{hub_on, through_hub, world, World};
use super::Line;
use chrono::{Duration, Utc};
use needbridge::store::sqlite::{SqliteOptions, SqliteStore, Synchronous};
use rusqlite::{params, Connection};
use std::ops::Range;
use std::path::Path;
use std::time::Instant;

/// The report cells a claim adds: total, category, channel and claimant for each unit.
fn cell_keys(units: &[String], category: &str, channel: &str) -> Vec<(String, String, String)> {
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
fn month_now() -> i64 {
    use chrono::Datelike;
    let now = Utc::now();
    i64::from(now.year()) * 12 + i64::from(now.month0())
}

/// The event payload: the command and both records whole, after the change.
fn payload(
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
fn sqlite_hand(path: &Path, sync: Synchronous) -> Connection {
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
fn sqlite_by_hand(conn: &Connection, w: &World, range: Range<usize>) -> f64 {
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
        .execute(params![claim, need, committee, m, now, until])
        .expect("insert claim");
        conn.prepare_cached(
            "UPDATE needs SET status = 'claimed', live_claim = ?2, claim_count = claim_count + 1, \
             updated_at = ?3 WHERE id = ?1",
        )
        .expect("prep")
        .execute(params![need, claim, now])
        .expect("update need");
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

/// Rounds both sides alternate in.
const ROUNDS: usize = 10;

/// Both sides' totals and each round's ratio.
struct Run {
    hub_s: f64,
    hand_s: f64,
    hub_bytes: u64,
    hand_bytes: u64,
    /// Per round: the hand-written time over the Hub's (the Hub's relative throughput).
    ratios: Vec<f64>,
}

/// Runs `hub` and `hand` over `n` needs in [`ROUNDS`] alternating rounds.
fn interleaved(
    n: usize,
    mut hub: impl FnMut(Range<usize>) -> f64,
    mut hand: impl FnMut(Range<usize>) -> f64,
) -> Run {
    let mut run = Run {
        hub_s: 0.0,
        hand_s: 0.0,
        hub_bytes: 0,
        hand_bytes: 0,
        ratios: Vec::new(),
    };
    for r in 0..ROUNDS {
        let range = r * n / ROUNDS..(r + 1) * n / ROUNDS;
        let w0 = written();
        let th = hub(range.clone());
        let w1 = written();
        let tb = hand(range);
        run.hub_bytes += w1 - w0;
        run.hand_bytes += written() - w1;
        run.hub_s += th;
        run.hand_s += tb;
        run.ratios.push(tb / th);
    }
    run
}

/// The line of a run: throughputs from the totals; the ratio is the median of the rounds'
/// ratios, which a checkpoint's fsync landing in one side's round does not move.
fn line(item: u8, what: String, n: usize, run: Run) -> Line {
    let hub = n as f64 / run.hub_s;
    let hand = n as f64 / run.hand_s;
    let median = super::report::median(run.ratios.clone());
    let target = "ratio >= 0.7".to_string();
    Line::plain(item, what, hub, "claims/s")
        .against("hand-written", hand, median, median >= 0.7, target)
        .extra(serde_json::json!({
            "claims": n,
            "ratio_of_totals": hub / hand,
            "round_ratios": run.ratios,
            "hub_kib_written_per_claim": run.hub_bytes as f64 / 1024.0 / n as f64,
            "hand_kib_written_per_claim": run.hand_bytes as f64 / 1024.0 / n as f64,
        }))
}

/// Item 1: SQLite, FULL and NORMAL.
pub fn sqlite(dir: &Path, n: usize) -> Vec<Line> {
    let mut out = Vec::new();
    for (name, sync) in [("FULL", Synchronous::Full), ("NORMAL", Synchronous::Normal)] {
        let open = |file: &str| {
            let path = dir.join(file);
            let store = SqliteStore::open_with(
                &path,
                SqliteOptions {
                    synchronous: sync,
                    ..Default::default()
                },
            )
            .expect("open");
            (path, hub_on(store))
        };
        let (_, a) = open(&format!("claim-hub-{name}.db"));
        let a = world(a, 8, n);
        let (bpath, b) = open(&format!("claim-hand-{name}.db"));
        let b = world(b, 8, n);
        let conn = sqlite_hand(&bpath, sync);
        let run = interleaved(n, |r| through_hub(&a, r), |r| sqlite_by_hand(&conn, &b, r));
        out.push(line(1, format!("claim, SQLite synchronous={name}"), n, run));
    }
    out
}

/// Item 1, the cost of encryption at rest: the claim through the Hub on a SQLite file
/// encrypted with a key (SQLCipher, a passphrase) against the same on a plain file, both
/// `synchronous=FULL` (the default), interleaved in rounds like the other lines. No target:
/// the ratio (encrypted over plain throughput) is what encryption costs.
pub fn sqlite_encrypted(dir: &Path, n: usize) -> Line {
    use needbridge::store::sqlite::Key;
    let key = Key::passphrase("bench passphrase").expect("key");
    let plain = world(
        hub_on(SqliteStore::open(dir.join("claim-plain.db")).expect("open")),
        8,
        n,
    );
    let encrypted = world(
        hub_on(SqliteStore::open_encrypted(dir.join("claim-encrypted.db"), key).expect("open")),
        8,
        n,
    );
    let run = interleaved(
        n,
        |r| through_hub(&encrypted, r),
        |r| through_hub(&plain, r),
    );
    let (with_key, without) = (n as f64 / run.hub_s, n as f64 / run.hand_s);
    let median = super::report::median(run.ratios.clone());
    Line {
        baseline: Some(("Hub, no key".to_string(), without)),
        ratio: Some(median),
        ..Line::plain(
            1,
            "claim, SQLite synchronous=FULL, encrypted (key)",
            with_key,
            "claims/s",
        )
    }
    .extra(serde_json::json!({
        "claims": n,
        "ratio_of_totals": with_key / without,
        "round_ratios": run.ratios,
        "encrypted_kib_written_per_claim": run.hub_bytes as f64 / 1024.0 / n as f64,
        "plain_kib_written_per_claim": run.hand_bytes as f64 / 1024.0 / n as f64,
    }))
}

/// The same reads and writes by hand on PostgreSQL; returns the seconds taken.
fn pg_by_hand(c: &mut postgres::Client, w: &World, range: Range<usize>) -> f64 {
    let committee = w.committee.0;
    let path: String = c
        .query_one("SELECT path FROM units WHERE id = $1", &[&committee])
        .expect("path")
        .get(0);
    let units: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let lock = "SELECT pg_advisory_lock(hashtext('needbridge:' || current_schema()))";
    let unlock = "SELECT pg_advisory_unlock(hashtext('needbridge:' || current_schema()))";
    let q_need = c
        .prepare("SELECT row_to_json(n)::text FROM needs n WHERE n.id = $1")
        .expect("prep");
    let q_member = c
        .prepare("SELECT row_to_json(m)::text FROM members m WHERE m.id = $1")
        .expect("prep");
    let q_open = c
        .prepare(
            "SELECT count(*) FROM claims WHERE claimant_type = 'member' AND claimant_id = $1 \
             AND status IN ('active', 'in_progress', 'done')",
        )
        .expect("prep");
    let q_prior = c
        .prepare("SELECT count(*) FROM claims WHERE need = $1")
        .expect("prep");
    let q_claim = c
        .prepare(
            "INSERT INTO claims (id, need, committee, claimant_type, claimant_id, claimed_by, status, \
             claimed_at, promised_by, extensions, send_backs) \
             VALUES ($1, $2, $3, 'member', $4, $4, 'active', $5, $6, 0, 0)",
        )
        .expect("prep");
    let q_need_up = c
        .prepare(
            "UPDATE needs SET status = 'claimed', live_claim = $2, claim_count = claim_count + 1, \
             updated_at = $3 WHERE id = $1",
        )
        .expect("prep");
    let cells_sql = |rows: usize| {
        let mut vals = Vec::new();
        for r in 0..rows {
            let b = r * 4;
            vals.push(format!(
                "(${}::uuid, ${}, ${}, 'claimed', ${}, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0)",
                b + 1,
                b + 2,
                b + 3,
                b + 4
            ));
        }
        format!(
            "INSERT INTO report_cells (unit, month, dim, stream, key, prev, n, members, teams, \
             organisations, collective, money_fen, items, minutes, people) VALUES {} \
             ON CONFLICT (unit, month, dim, stream, key, prev) DO UPDATE SET \
             n = report_cells.n + excluded.n, members = report_cells.members + excluded.members",
            vals.join(", ")
        )
    };
    let q_cells8 = c.prepare(&cells_sql(8)).expect("prep");
    let q_cells1 = c.prepare(&cells_sql(1)).expect("prep");
    let q_seq = c
        .prepare("SELECT coalesce(max(seq), 0) + 1 FROM events")
        .expect("prep");
    let q_event = c
        .prepare(
            "INSERT INTO events (seq, id, at, actor_type, actor_id, kind, committee, payload) \
             VALUES ($1, $2, $3, 'member', $4, 'need_claimed', $5, CAST($6::text AS jsonb))",
        )
        .expect("prep");
    let until = Utc::now() + Duration::days(30);
    let t = Instant::now();
    for i in range {
        let m = w.members[i % w.members.len()].0;
        let need = w.needs[i].0;
        let claim = uuid::Uuid::now_v7();
        let now = Utc::now();
        c.batch_execute(lock).expect("lock");
        c.batch_execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
            .expect("begin");
        let text: String = c.query_one(&q_need, &[&need]).expect("need").get(0);
        let mut need_row: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).expect("need json");
        assert_eq!(need_row["status"], "published");
        let category = need_row["category"].as_str().expect("category").to_string();
        let channel = need_row["channel"].as_str().expect("channel").to_string();
        let text: String = c.query_one(&q_member, &[&m]).expect("member").get(0);
        let member_row: serde_json::Value = serde_json::from_str(&text).expect("member json");
        assert_eq!(member_row["status"], "accepted");
        let _open: i64 = c.query_one(&q_open, &[&m]).expect("open").get(0);
        let _prior: i64 = c.query_one(&q_prior, &[&need]).expect("prior").get(0);
        c.execute(&q_claim, &[&claim, &need, &committee, &m, &now, &until])
            .expect("insert claim");
        c.execute(&q_need_up, &[&need, &claim, &now])
            .expect("update need");
        let month = month_now();
        let cells = cell_keys(&units, &category, &channel);
        let unit_ids: Vec<uuid::Uuid> = cells
            .iter()
            .map(|(u, _, _)| u.parse().expect("unit id"))
            .collect();
        let mut p: Vec<&(dyn postgres::types::ToSql + Sync)> = Vec::new();
        for (k, (_, dim, key)) in cells[..8].iter().enumerate() {
            p.extend([
                &unit_ids[k] as &(dyn postgres::types::ToSql + Sync),
                &month,
                dim,
                key,
            ]);
        }
        c.execute(&q_cells8, &p).expect("cells");
        for (k, (_, dim, key)) in cells.iter().enumerate().skip(8) {
            c.execute(&q_cells1, &[&unit_ids[k], &month, dim, key])
                .expect("cell");
        }
        let seq: i64 = c.query_one(&q_seq, &[]).expect("seq").get(0);
        let now_s = now.to_rfc3339();
        need_row.insert("status".into(), "claimed".into());
        need_row.insert("live_claim".into(), claim.to_string().into());
        need_row.insert("updated_at".into(), now_s.clone().into());
        let payload = payload(
            &need.to_string(),
            &m.to_string(),
            &claim.to_string(),
            &committee.to_string(),
            &now_s,
            &until.to_rfc3339(),
            need_row,
        );
        c.execute(
            &q_event,
            &[&seq, &uuid::Uuid::now_v7(), &now, &m, &committee, &payload],
        )
        .expect("event");
        c.batch_execute("COMMIT").expect("commit");
        c.batch_execute(unlock).expect("unlock");
    }
    t.elapsed().as_secs_f64()
}

/// Item 2: PostgreSQL (`url` names a database; two fresh schemas are made and dropped).
pub fn postgres(url: &str, n: usize) -> Line {
    let a_url = super::fresh_schema(url, "claim_hub");
    let b_url = super::fresh_schema(url, "claim_hand");
    let a = world(
        hub_on(needbridge::store::postgres::PostgresStore::connect(&a_url).expect("connect")),
        8,
        n,
    );
    let b = world(
        hub_on(needbridge::store::postgres::PostgresStore::connect(&b_url).expect("connect")),
        8,
        n,
    );
    let mut client = postgres::Client::connect(&b_url, postgres::NoTls).expect("connect");
    let run = interleaved(
        n,
        |r| through_hub(&a, r),
        |r| pg_by_hand(&mut client, &b, r),
    );
    drop((a, b, client));
    super::drop_schemas(url);
    line(2, "claim, PostgreSQL".into(), n, run)
}

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
//! On SQLite a third side, the **minimal** claim a portal developer would write by hand for the
//! same feature (`by_hand::sqlite_minimal`: the need's status read, the member's open claims
//! counted, the claim inserted, the need updated, a small audit row appended; no report cells,
//! no event payload), measures what needbridge's guarantees cost over the feature itself. Its
//! ratio has an aim (>= 0.8), not a target of issue 7.
//!
//! All sides claim the same number of needs on identical worlds, interleaved in rounds
//! (Hub, hand, minimal, Hub, hand, minimal, …) so that a slow spell of the machine's disk hits
//! all alike; the ratio reported is the median of the rounds' ratios (the totals' ratio is in
//! the JSON).

use super::by_hand::{
    cell_keys, month_now, payload, sqlite_by_hand, sqlite_hand, sqlite_minimal, sqlite_minimal_conn,
};
use super::world::{hub_on, through_hub, world, World};
use super::Line;
use chrono::{Duration, Utc};
use needbridge::store::sqlite::{SqliteOptions, SqliteStore, Synchronous};
use std::ops::Range;
use std::path::Path;
use std::time::Instant;

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

/// Rounds the sides alternate in.
const ROUNDS: usize = 10;

/// One side's totals and each round's time.
#[derive(Default)]
struct Side {
    seconds: f64,
    bytes: u64,
    rounds: Vec<f64>,
}

impl Side {
    /// Per round: `base`'s time over this side's (this side's relative throughput).
    fn ratios(&self, base: &Side) -> Vec<f64> {
        self.rounds
            .iter()
            .zip(&base.rounds)
            .map(|(s, b)| b / s)
            .collect()
    }
}

/// Runs every side over `n` needs in [`ROUNDS`] rounds, the sides one after another in each
/// round (always in the order given).
fn interleaved(n: usize, sides: &mut [&mut dyn FnMut(Range<usize>) -> f64]) -> Vec<Side> {
    let mut out: Vec<Side> = sides.iter().map(|_| Side::default()).collect();
    for r in 0..ROUNDS {
        let range = r * n / ROUNDS..(r + 1) * n / ROUNDS;
        for (side, run) in out.iter_mut().zip(sides.iter_mut()) {
            let w0 = written();
            let t = run(range.clone());
            side.bytes += written() - w0;
            side.seconds += t;
            side.rounds.push(t);
        }
    }
    out
}

/// The line of the Hub's side against a baseline: throughputs from the totals; the ratio is
/// the median of the rounds' ratios, which a checkpoint's fsync landing in one side's round
/// does not move. `aim`: the target is an aim (recorded as `aim ratio >= …`).
fn line(
    item: u8,
    what: String,
    n: usize,
    hub: &Side,
    base: (&str, &Side),
    min: f64,
    aim: bool,
) -> Line {
    let (base_name, base) = base;
    let hub_rate = n as f64 / hub.seconds;
    let base_rate = n as f64 / base.seconds;
    let ratios = hub.ratios(base);
    let median = super::report::median(ratios.clone());
    let target = format!("{}ratio >= {min}", if aim { "aim " } else { "" });
    let key = base_name.split([' ', '-']).next().unwrap_or(base_name);
    Line::plain(item, what, hub_rate, "claims/s")
        .against(base_name, base_rate, median, median >= min, target)
        .extra(serde_json::json!({
            "claims": n,
            "ratio_of_totals": hub_rate / base_rate,
            "round_ratios": ratios,
            "hub_kib_written_per_claim": hub.bytes as f64 / 1024.0 / n as f64,
            format!("{key}_kib_written_per_claim"): base.bytes as f64 / 1024.0 / n as f64,
        }))
}

/// Item 1: SQLite, FULL and NORMAL: the Hub against the hand-written floor and against the
/// minimal claim.
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
        let (cpath, c) = open(&format!("claim-minimal-{name}.db"));
        let c = world(c, 8, n);
        let hand = sqlite_hand(&bpath, sync);
        let minimal = sqlite_minimal_conn(&cpath, sync);
        let sides = interleaved(
            n,
            &mut [
                &mut |r| through_hub(&a, r),
                &mut |r| sqlite_by_hand(&hand, &b, r),
                &mut |r| sqlite_minimal(&minimal, &c, r),
            ],
        );
        let what = format!("claim, SQLite synchronous={name}");
        out.push(line(
            1,
            what.clone(),
            n,
            &sides[0],
            ("hand-written", &sides[1]),
            0.7,
            false,
        ));
        out.push(line(
            1,
            format!("{what} vs minimal"),
            n,
            &sides[0],
            ("minimal by hand", &sides[2]),
            0.8,
            true,
        ));
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
    let sides = interleaved(
        n,
        &mut [&mut |r| through_hub(&encrypted, r), &mut |r| {
            through_hub(&plain, r)
        }],
    );
    let (with_key, without) = (n as f64 / sides[0].seconds, n as f64 / sides[1].seconds);
    let ratios = sides[0].ratios(&sides[1]);
    let median = super::report::median(ratios.clone());
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
        "round_ratios": ratios,
        "encrypted_kib_written_per_claim": sides[0].bytes as f64 / 1024.0 / n as f64,
        "plain_kib_written_per_claim": sides[1].bytes as f64 / 1024.0 / n as f64,
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
    let sides = interleaved(
        n,
        &mut [&mut |r| through_hub(&a, r), &mut |r| {
            pg_by_hand(&mut client, &b, r)
        }],
    );
    drop((a, b, client));
    super::drop_schemas(url);
    line(
        2,
        "claim, PostgreSQL".into(),
        n,
        &sides[0],
        ("hand-written", &sides[1]),
        0.7,
        false,
    )
}

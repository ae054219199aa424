//! Item 3: 1, 2 and 8 threads racing to claim the same needs through one Hub, on every
//! backend. Each thread acts as its own member and tries every need (each thread starting
//! at a different offset, so they collide all the time); a claim either succeeds or is
//! refused as a conflict. Asserted: every need ends with exactly one claim, the number of
//! successful commands equals the number of needs, and nothing else failed. Reported:
//! successful claims per second and attempts per second.

use super::world::{hub_on, world, World};
use super::Line;
use needbridge::model::*;
use needbridge::store::sqlite::SqliteStore;
use needbridge::store::{ClaimFilter, NeedFilter, Page, Query, Store, TxExt};
use needbridge::{Actor, Error, Hub};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Thread counts.
const THREADS: [usize; 3] = [1, 2, 8];

fn race(w: &World, threads: usize) -> (f64, usize, usize) {
    let won = AtomicUsize::new(0);
    let lost = AtomicUsize::new(0);
    let n = w.needs.len();
    let until = chrono::Utc::now() + chrono::Duration::days(30);
    let t = Instant::now();
    std::thread::scope(|s| {
        for k in 0..threads {
            let (won, lost) = (&won, &lost);
            s.spawn(move || {
                let m = w.members[k];
                for j in 0..n {
                    let need = w.needs[(j + k * n / threads) % n];
                    let r = w.hub.run(
                        &Actor::Member { member: m },
                        needbridge::command::ClaimNeed {
                            need,
                            claimant: Claimant::Member(m),
                            promised_by: until,
                        },
                    );
                    match r {
                        Ok(_) => won.fetch_add(1, Ordering::Relaxed),
                        Err(Error::Conflict { .. }) | Err(Error::IllegalState { .. }) => {
                            lost.fetch_add(1, Ordering::Relaxed)
                        }
                        Err(e) => panic!("unexpected error in the race: {e}"),
                    };
                }
            });
        }
    });
    (
        t.elapsed().as_secs_f64(),
        won.into_inner(),
        lost.into_inner(),
    )
}

/// Checks the store after a race: every need claimed exactly once.
fn check(store: &dyn Store, w: &World, won: usize) {
    assert_eq!(won, w.needs.len(), "successful claims must equal the needs");
    let mut tx = store.begin_read().expect("read");
    let claims: Vec<Claim> = tx
        .select(&Query::Claims(ClaimFilter::default()), &Page::ALL)
        .expect("claims");
    assert_eq!(claims.len(), w.needs.len(), "one claim row per need");
    let mut per_need = std::collections::HashMap::new();
    for c in &claims {
        *per_need.entry(c.need).or_insert(0) += 1;
    }
    assert!(
        per_need.values().all(|&k| k == 1),
        "a need was claimed twice"
    );
    let needs: Vec<Need> = tx
        .select(&Query::Needs(NeedFilter::default()), &Page::ALL)
        .expect("needs");
    assert!(needs
        .iter()
        .all(|n| n.status == NeedStatus::Claimed && n.claim_count == 1));
}

/// Runs the races on memory, SQLite (the embedded default options) and, given a URL,
/// PostgreSQL.
pub fn run(dir: &Path, needs: usize, pg: Option<&str>) -> Vec<Line> {
    let mut out = Vec::new();
    let mut backends: Vec<&str> = vec!["memory", "sqlite"];
    if pg.is_some() {
        backends.push("postgres");
    }
    for backend in backends {
        let mut per_thread = Vec::new();
        for &threads in &THREADS {
            let store: Arc<dyn Store> = match backend {
                "memory" => Arc::new(needbridge::store::memory::MemoryStore::new()),
                "sqlite" => Arc::new(
                    SqliteStore::open(dir.join(format!("race-{threads}.db"))).expect("open"),
                ),
                _ => Arc::new(
                    needbridge::store::postgres::PostgresStore::connect(&super::fresh_schema(
                        pg.expect("url"),
                        "race",
                    ))
                    .expect("connect"),
                ),
            };
            let hub: Hub = hub_on(store.clone());
            let w = world(hub, 8, needs);
            let (secs, won, lost) = race(&w, threads);
            check(&*store, &w, won);
            let rate = won as f64 / secs;
            println!(
                "  {backend} {threads} threads: {won} claimed, {lost} refused, {:.0} claims/s, \
                 {:.0} attempts/s, no double claim",
                rate,
                (won + lost) as f64 / secs
            );
            per_thread.push((threads, rate, (won + lost) as f64 / secs, lost));
        }
        let one = per_thread[0].1;
        for (threads, rate, attempts, lost) in per_thread {
            out.push(
                Line::plain(
                    3,
                    format!("race, {backend}, {threads} threads: claims (0 double)"),
                    rate,
                    "claims/s",
                )
                .extra(serde_json::json!({
                    "threads": threads, "needs": needs, "refused": lost,
                    "attempts_per_s": attempts, "vs_one_thread": rate / one,
                    "double_claims": 0,
                })),
            );
        }
        if backend == "postgres" {
            super::drop_schemas(pg.expect("url"));
        }
    }
    out
}

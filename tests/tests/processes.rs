//! Several OS processes on one store, and processes killed with SIGKILL mid-stream:
//! - two processes claiming the same 100 needs on one SQLite file (and one PostgreSQL
//!   schema): every need ends claimed exactly once;
//! - a child runs a stream of commands and reports each acknowledged one; the parent kills it
//!   at random points, 20 times; after reopening, every acknowledged change is there, the
//!   event log and the tables agree, and the invariants hold.

use chrono::Duration;
use needbridge::command::*;
use needbridge::model::*;
use needbridge::store::{dump, ClaimFilter};
use needbridge::Actor;
use needbridge_acceptance::invariants::{check_invariants, replay_matches};
use needbridge_acceptance::{Backend, World};
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command as Process, Stdio};

const WORKER: &str = env!("CARGO_BIN_EXE_nb_worker");

fn worker(mode: &str, backend: Backend, target: &str, seed: u64) -> Process {
    let mut p = Process::new(WORKER);
    p.args([mode, backend.name(), target, &seed.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    p
}

/// Two processes race for 100 published needs: each is claimed exactly once.
fn two_processes_claim_each_need_once(b: Backend) {
    let fresh = b.fresh();
    let w = World::build(fresh.store.clone());
    // Real time for the workers: move the fixture's clock to now.
    w.clock.set(chrono::Utc::now());
    let staff = w.staff_a();
    let mut needs = BTreeSet::new();
    for i in 0..100 {
        let n = w
            .hub
            .run(
                &staff,
                DraftNeed {
                    committee: w.committee_a,
                    grid: None,
                    resident: w.resident_a,
                    title: format!("进程竞争 {i}"),
                    description: "两个进程同时认领".into(),
                    category: "security".into(),
                    channel: Channel::Community,
                    scale: Scale::Collective,
                    estimated_cost_fen: 0,
                    wanted_by: w.hub.now() + Duration::days(20),
                },
            )
            .unwrap();
        w.hub.run(&staff, PublishNeed { need: n.id }).unwrap();
        needs.insert(n.id.to_string());
    }
    let target = fresh.target();
    let children: Vec<_> = (1..=2u64)
        .map(|seed| {
            worker("claim", b, &target, seed)
                .spawn()
                .expect("spawn worker")
        })
        .collect();
    let mut wins: Vec<String> = Vec::new();
    for c in children {
        let out = c.wait_with_output().expect("worker output");
        assert!(out.status.success(), "worker failed: {:?}", out.status);
        wins.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| l.strip_prefix("won ").map(str::to_string)),
        );
    }
    // The fixture's own published needs are claimable too: count only ours.
    let ours: Vec<&String> = wins.iter().filter(|n| needs.contains(*n)).collect();
    assert_eq!(ours.len(), 100, "every need won exactly once");
    assert_eq!(
        ours.iter().collect::<BTreeSet<_>>().len(),
        100,
        "no need won twice"
    );
    let store = fresh.reopen();
    let snap = dump(&*store).unwrap();
    check_invariants(&snap).unwrap();
    for n in &needs {
        let id: NeedId = n.parse().unwrap();
        let claims = w
            .hub
            .claims(
                &Actor::System,
                &ClaimFilter {
                    need: Some(id),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(claims.len(), 1, "need {n} has {} claims", claims.len());
    }
}

/// The child is killed at random points; nothing it was told is committed goes missing.
fn kill_nine_loses_no_acknowledged_change(b: Backend) {
    let fresh = b.fresh();
    let w = World::build(fresh.store.clone());
    let target = fresh.target();
    drop(w);
    let mut acked: Vec<(String, String, String)> = Vec::new();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for round in 0..20u64 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = worker("stream", b, &target, seed)
            .spawn()
            .expect("spawn worker");
        // Let it open the store and work for a random while, then SIGKILL it.
        std::thread::sleep(std::time::Duration::from_millis(150 + seed % 350));
        child.kill().expect("kill");
        let out = child.wait_with_output().expect("wait");
        assert!(
            !out.status.success(),
            "round {round}: the worker was killed, not finished"
        );
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let parts: Vec<&str> = line.split(' ').collect();
            if let ["ack", event, kind, id] = parts.as_slice() {
                acked.push((event.to_string(), kind.to_string(), id.to_string()));
            }
        }
        // After every kill: reopen, and every acknowledged change is there.
        let store = fresh.reopen();
        let snap = dump(&*store).unwrap();
        check_invariants(&snap).unwrap_or_else(|e| panic!("round {round}: {e}"));
        replay_matches(&snap).unwrap_or_else(|e| panic!("round {round}: {e}"));
        let by_kind: BTreeMap<&str, BTreeSet<String>> = snap
            .records
            .iter()
            .map(|(k, m)| (k.name(), m.keys().map(|u| u.to_string()).collect()))
            .collect();
        let evented: BTreeSet<(String, String)> = snap
            .events
            .iter()
            .flat_map(|e| {
                e.changes
                    .iter()
                    .map(move |r| (e.kind.clone(), r.id().to_string()))
            })
            .collect();
        for (event, kind, id) in &acked {
            assert!(
                by_kind.get(kind.as_str()).is_some_and(|s| s.contains(id)),
                "round {round}: acknowledged {event} of {kind} {id} is missing"
            );
            assert!(
                evented.contains(&(event.clone(), id.clone())),
                "round {round}: acknowledged {event} of {kind} {id} has no event"
            );
        }
    }
    let kinds: BTreeSet<&str> = acked.iter().map(|a| a.0.as_str()).collect();
    assert!(
        acked.len() >= 40,
        "the workers did real work: {} acknowledged commands",
        acked.len()
    );
    assert!(
        kinds.contains("need_drafted") && kinds.contains("need_claimed"),
        "{kinds:?}"
    );
}

mod sqlite {
    use super::*;
    #[test]
    fn two_processes_claim_each_need_once() {
        super::two_processes_claim_each_need_once(Backend::Sqlite)
    }
    #[test]
    fn kill_nine_loses_no_acknowledged_change() {
        super::kill_nine_loses_no_acknowledged_change(Backend::Sqlite)
    }
}

mod postgres {
    use super::*;
    #[test]
    fn two_processes_claim_each_need_once() {
        if needbridge_acceptance::postgres_url().is_some() {
            super::two_processes_claim_each_need_once(Backend::Postgres)
        }
    }
    #[test]
    fn kill_nine_loses_no_acknowledged_change() {
        if needbridge_acceptance::postgres_url().is_some() {
            super::kill_nine_loses_no_acknowledged_change(Backend::Postgres)
        }
    }
}

//! Several OS processes on one store: two processes claiming the same 100 needs on one
//! SQLite file (and one PostgreSQL schema): every need ends claimed exactly once.
//!
//! Processes killed with SIGKILL mid-stream are the conformance kit's crash harness
//! (`needbridge::testing::crash`), run on SQLite and PostgreSQL by `store_sqlite.rs` and
//! `store_postgres.rs`.

use needbridge::model::*;
use needbridge::store::{dump, ClaimFilter};
use needbridge::testing::race::publish_needs;
use needbridge::Actor;
use needbridge_acceptance::invariants::check_invariants;
use needbridge_acceptance::{Backend, World};
use std::collections::BTreeSet;
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
    let needs: BTreeSet<String> = publish_needs(&w, 100, "进程竞争")
        .iter()
        .map(|n| n.to_string())
        .collect();
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

mod sqlite {
    use super::*;
    #[test]
    fn two_processes_claim_each_need_once() {
        super::two_processes_claim_each_need_once(Backend::Sqlite)
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
}

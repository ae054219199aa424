//! A child process for the multi-process test. It opens a Hub on a SQLite file or a
//! PostgreSQL schema and, as `claim BACKEND TARGET SEED`, claims every published need it can
//! see that can still be promised, as the first organisation's contact, in an order shuffled
//! by SEED, printing `won NEED` for each win.
//!
//! BACKEND is `sqlite` (TARGET a file path) or `postgres` (TARGET a connection string). (The
//! crash tests need no binary: the conformance kit's harness re-runs the test executable.)

use chrono::{Duration, Utc};
use needbridge::command::*;
use needbridge::hub::NeedQuery;
use needbridge::model::*;
use needbridge::testing::Rng;
use needbridge::{Actor, Hub};
use std::io::Write;

fn open(backend: &str, target: &str) -> Hub {
    match backend {
        "sqlite" => Hub::open(target).expect("open sqlite"),
        "postgres" => Hub::connect_postgres(target).expect("connect postgres"),
        other => panic!("unknown backend {other}"),
    }
}

fn say(line: String) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn claim_all(hub: &Hub, seed: u64) {
    let sys = Actor::System;
    let org = hub.organisations(&sys).expect("organisations")[0].id;
    let contact = Actor::OrganisationContact { organisation: org };
    let mut needs = Vec::new();
    let mut q = NeedQuery {
        statuses: vec![NeedStatus::Published],
        limit: 500,
        ..Default::default()
    };
    loop {
        let page = hub.library(&sys, &q).expect("library");
        // Only needs that can still be promised (the fixture's own are long past).
        let latest = Utc::now() + Duration::days(6);
        needs.extend(
            page.needs
                .iter()
                .filter(|n| n.wanted_by > latest)
                .map(|n| n.id),
        );
        match page.next {
            Some(n) => q.after = Some(n),
            None => break,
        }
    }
    let mut rng = Rng(seed | 1);
    for i in (1..needs.len()).rev() {
        let j = rng.below(i + 1);
        needs.swap(i, j);
    }
    let promised = Utc::now() + Duration::days(5);
    for need in needs {
        match hub.run(
            &contact,
            ClaimNeed {
                need,
                claimant: Claimant::Organisation(org),
                promised_by: promised,
            },
        ) {
            Ok(_) => say(format!("won {need}")),
            Err(needbridge::Error::Conflict { .. }) => {}
            Err(e) => panic!("unexpected error claiming: {e}"),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, mode, backend, target, seed] = args.as_slice() else {
        eprintln!("usage: nb_worker claim sqlite|postgres TARGET SEED");
        std::process::exit(2);
    };
    let seed: u64 = seed.parse().expect("seed");
    let hub = open(backend, target);
    match mode.as_str() {
        "claim" => claim_all(&hub, seed),
        other => panic!("unknown mode {other}"),
    }
}

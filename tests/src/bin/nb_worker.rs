//! A child process for the multi-process and crash tests. It opens a Hub on a SQLite file or
//! a PostgreSQL schema and either
//!
//! - `claim BACKEND TARGET SEED`: claims every published need it can see that can still be
//!   promised, as the first
//!   organisation's contact, in an order shuffled by SEED, printing `won NEED` for each win; or
//! - `stream BACKEND TARGET SEED`: runs commands forever (draft, publish, claim, start,
//!   complete, verify, and some that fail), printing `ack EVENT_KIND RECORD_KIND RECORD_ID`
//!   after each command the Hub acknowledged, flushed, until it is killed.
//!
//! BACKEND is `sqlite` (TARGET a file path) or `postgres` (TARGET a connection string).

use chrono::{Duration, Utc};
use needbridge::command::*;
use needbridge::hub::NeedQuery;
use needbridge::model::*;
use needbridge::{Actor, Hub, Record};
use std::io::Write;

fn open(backend: &str, target: &str) -> Hub {
    match backend {
        "sqlite" => Hub::open(target).expect("open sqlite"),
        "postgres" => Hub::connect_postgres(target).expect("connect postgres"),
        other => panic!("unknown backend {other}"),
    }
}

/// A small deterministic generator (xorshift), so runs are reproducible by seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn say(line: String) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn kind_of(r: &Record) -> &'static str {
    r.kind().name()
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

fn stream(hub: &Hub, seed: u64) {
    let sys = Actor::System;
    let committee = hub
        .units(&sys, None, Some(UnitKind::Committee))
        .expect("units")[0]
        .id;
    let resident = hub.residents(&sys, committee).expect("residents")[0].id;
    let org = hub.organisations(&sys).expect("organisations")[0].id;
    let mut rng = Rng(seed | 1);
    let mut n = 0u64;
    loop {
        n += 1;
        let now = Utc::now();
        let step: Command = match rng.below(8) {
            0..=2 => DraftNeed {
                committee,
                grid: None,
                resident,
                title: format!("需求 {seed}-{n}"),
                description: "崩溃测试".into(),
                category: "health".into(),
                channel: Channel::Community,
                scale: Scale::Collective,
                estimated_cost_fen: (n % 1000) as i64,
                wanted_by: now + Duration::days(30),
            }
            .into(),
            3 => {
                // A command that fails: writes nothing, acknowledges nothing.
                PublishNeed {
                    need: NeedId::new(),
                }
                .into()
            }
            _ => {
                // Move the oldest need that can move one step further.
                let moving = vec![
                    NeedStatus::Draft,
                    NeedStatus::Published,
                    NeedStatus::Claimed,
                    NeedStatus::InProgress,
                    NeedStatus::Done,
                ];
                let q = NeedQuery {
                    statuses: moving,
                    text: Some("崩溃测试".into()),
                    limit: 1,
                    ..Default::default()
                };
                let page = hub.library(&sys, &q).expect("library");
                let Some(need) = page.needs.first() else {
                    continue;
                };
                match (need.status, need.live_claim) {
                    (NeedStatus::Draft, _) => PublishNeed { need: need.id }.into(),
                    (NeedStatus::Published, _) => ClaimNeed {
                        need: need.id,
                        claimant: Claimant::Organisation(org),
                        promised_by: now + Duration::days(5),
                    }
                    .into(),
                    (NeedStatus::Claimed, Some(c)) => StartWork { claim: c }.into(),
                    (NeedStatus::InProgress, Some(c)) => CompleteClaim {
                        claim: c,
                        fulfilment: Fulfilment {
                            money_fen: 100,
                            items: vec![Item {
                                count: 2,
                                description: "物资".into(),
                            }],
                            minutes: 30,
                            people_served: 1,
                            evidence: vec![format!("photo-{n}")],
                            note: String::new(),
                        },
                    }
                    .into(),
                    (NeedStatus::Done, Some(c)) => VerifyClaim { claim: c }.into(),
                    _ => continue,
                }
            }
        };
        let kind = step.event_kind();
        match hub.execute(&sys, step) {
            Ok(r) => say(format!("ack {kind} {} {}", kind_of(&r), r.id())),
            Err(e) if std::env::var_os("NB_WORKER_DEBUG").is_some() => eprintln!("{kind}: {e}"),
            Err(_) => {}
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, mode, backend, target, seed] = args.as_slice() else {
        eprintln!("usage: nb_worker claim|stream sqlite|postgres TARGET SEED");
        std::process::exit(2);
    };
    let seed: u64 = seed.parse().expect("seed");
    let hub = open(backend, target);
    match mode.as_str() {
        "claim" => claim_all(&hub, seed),
        "stream" => stream(&hub, seed),
        other => panic!("unknown mode {other}"),
    }
}

//! The crash harness, with no binary of its own: the test binary runs itself again.
//!
//! The parent (the `crash_loses_no_acknowledged_change` test) builds the [`World`] on a fresh
//! store, then, round after round, starts a child: the same test executable
//! ([`std::env::current_exe`]), filtered to the same test (`--exact`), with
//! [`LOCATOR_VAR`] naming the store. In the child, [`run`](super::run) sees the variable and
//! calls [`child_if_asked`] instead of the check: it opens the store with the factory's
//! `reopen`, and runs a [`stream`] of commands (drafts, publications, claims, starts,
//! completions, verifications, and commands that fail), printing `ack EVENT RECORD_KIND ID`
//! after each one the Hub acknowledged. The parent reads the acknowledgements and, after a
//! random number of them, kills the child with SIGKILL (`Child::kill`) — mid-transaction, as
//! likely as not — or, every other round, lets the child end itself with
//! [`std::process::exit`] (no destructor runs). After each round it opens the store again:
//! every acknowledged change is there with its event, replaying the log rebuilds the
//! records, and the invariants hold.
//!
//! The store must be reopenable from another process: the factory gives a
//! [`Fresh::locator`] and the kit a `reopen`; otherwise the check is skipped.

use super::invariants::{check_invariants, replay_matches};
use super::{Fresh, Kit, Rng, World};
use crate::command::*;
use crate::hub::NeedQuery;
use crate::model::*;
use crate::store::dump;
use crate::{Actor, Hub};
use chrono::{Duration, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command as Process, Stdio};

/// Set in a child's environment to the store's locator: the child runs the stream.
pub const LOCATOR_VAR: &str = "NEEDBRIDGE_KIT_CRASH_LOCATOR";
/// The child's random seed.
pub const SEED_VAR: &str = "NEEDBRIDGE_KIT_CRASH_SEED";
/// When set, the child exits by itself (with [`EXIT_CODE`]) after this many acknowledged
/// commands.
pub const EXIT_AFTER_VAR: &str = "NEEDBRIDGE_KIT_CRASH_EXIT_AFTER";
/// The exit code of a child that ended itself.
pub const EXIT_CODE: i32 = 42;
/// Children started, half of them killed.
pub const ROUNDS: u64 = 8;
/// What a child prints once it has opened the store.
const READY: &str = "needbridge-kit-child-ready";
/// A child stops by itself after this long, should its parent be gone.
const CHILD_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// In a child started by the crash harness (its environment has [`LOCATOR_VAR`]): opens the
/// store with the kit's `reopen`, prints that it is ready, runs the [`stream`] and exits — never
/// returns. Anywhere else it returns at once.
pub fn child_if_asked(kit: &Kit) {
    let Some(locator) = std::env::var_os(LOCATOR_VAR) else {
        return;
    };
    let locator = locator.to_string_lossy().into_owned();
    let seed: u64 = std::env::var(SEED_VAR)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let exit_after: Option<usize> = std::env::var(EXIT_AFTER_VAR)
        .ok()
        .and_then(|s| s.parse().ok());
    let store = kit
        .reopen_locator(&locator)
        .expect("the crash harness's child needs the factory's reopen");
    let hub = Hub::new(store).expect("a Hub over the reopened store");
    // libtest may have printed the test's name without a newline: the marker ends a line.
    say(READY);
    let acked = stream(&hub, seed, exit_after);
    if exit_after.is_some_and(|n| acked >= n) {
        std::process::exit(EXIT_CODE);
    }
    eprintln!("crash harness child: stopped after {CHILD_LIMIT:?} without being killed");
    std::process::exit(3);
}

/// Runs commands on the World's committee A as the system (draft, publish, claim as the
/// organisation, start, complete, verify — moving the oldest need a step — and commands
/// that fail), printing `ack EVENT_KIND RECORD_KIND RECORD_ID`, flushed, after each one the
/// Hub acknowledged. Returns the number acknowledged when it reaches `exit_after`, or when
/// two minutes have passed (should its parent be gone).
pub fn stream(hub: &Hub, seed: u64, exit_after: Option<usize>) -> usize {
    let sys = Actor::System;
    let started = std::time::Instant::now();
    let committee = hub
        .units(&sys, None, Some(UnitKind::Committee))
        .expect("units")[0]
        .id;
    let resident = hub.residents(&sys, committee).expect("residents")[0].id;
    let org = hub.organisations(&sys).expect("organisations")[0].id;
    let mut rng = Rng(seed | 1);
    let (mut n, mut acked) = (0u64, 0usize);
    while started.elapsed() < CHILD_LIMIT && exit_after.is_none_or(|e| acked < e) {
        n += 1;
        let now = Utc::now();
        let step: Command = match rng.below(8) {
            0..=2 => DraftNeed {
                committee,
                grid: None,
                resident: Some(resident),
                institution: None,
                title: format!("需求 {seed}-{n}"),
                description: "崩溃测试".into(),
                category: "health".into(),
                channel: Channel::Community,
                scale: Scale::Collective,
                estimated_cost_fen: (n % 1000) as i64,
                wanted_by: now + Duration::days(30),
                beneficiaries: Vec::new(),
                recurrence: None,
                place: None,
                location: None,
            }
            .into(),
            // A command that fails: writes nothing, acknowledges nothing.
            3 => PublishNeed {
                need: NeedId::new(),
            }
            .into(),
            _ => {
                // Move the oldest need that can move one step further.
                let q = NeedQuery {
                    statuses: vec![
                        NeedStatus::Draft,
                        NeedStatus::Published,
                        NeedStatus::Claimed,
                        NeedStatus::InProgress,
                        NeedStatus::Done,
                    ],
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
                            roster: Vec::new(),
                        },
                    }
                    .into(),
                    (NeedStatus::Done, Some(c)) => VerifyClaim { claim: c }.into(),
                    _ => continue,
                }
            }
        };
        let kind = step.event_kind();
        if let Ok(r) = hub.execute(&sys, step) {
            acked += 1;
            say(&format!("ack {kind} {} {}", r.kind().name(), r.id()));
        }
    }
    acked
}

/// One acknowledged change: event kind, record kind, record id.
type Ack = (String, String, String);

/// Starts one child on `locator`, reads its acknowledgements and ends it after `stop_after`
/// of them — by SIGKILL when `kill`, else by asking it to exit itself. Returns every
/// acknowledgement it printed.
fn child_round(test: &str, locator: &str, seed: u64, stop_after: usize, kill: bool) -> Vec<Ack> {
    let exe = std::env::current_exe().expect("the test executable");
    let mut p = Process::new(exe);
    p.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(LOCATOR_VAR, locator)
        .env(SEED_VAR, seed.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if !kill {
        p.env(EXIT_AFTER_VAR, stop_after.to_string());
    }
    let mut child = p.spawn().expect("start the child");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (mut ready, mut acked, mut killed) = (false, Vec::new(), false);
    for line in stdout.lines() {
        let Ok(line) = line else { break };
        if line.ends_with(READY) {
            ready = true;
        }
        let parts: Vec<&str> = line.split(' ').collect();
        if let ["ack", event, kind, id] = parts.as_slice() {
            acked.push((event.to_string(), kind.to_string(), id.to_string()));
        }
        if kill && !killed && acked.len() >= stop_after {
            child.kill().expect("kill the child");
            killed = true;
        }
    }
    let status = child.wait().expect("wait for the child");
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    assert!(
        ready,
        "the child never opened the store ({status}); is `{test}` the test's libtest name? \
         its stderr:\n{err}"
    );
    if kill {
        assert!(
            killed && !status.success(),
            "the child ended by itself ({status}):\n{err}"
        );
    } else {
        assert_eq!(status.code(), Some(EXIT_CODE), "the child failed:\n{err}");
    }
    acked
}

/// Every acknowledged change is in the state with its event; the log replays to the
/// records; the invariants hold.
fn check_acknowledged(snap: &crate::store::memory::MemorySnapshot, acked: &[Ack], round: u64) {
    check_invariants(snap).unwrap_or_else(|e| panic!("round {round}: {e}"));
    replay_matches(snap).unwrap_or_else(|e| panic!("round {round}: {e}"));
    let by_kind: BTreeMap<&str, BTreeSet<String>> = snap
        .records
        .iter()
        .map(|(k, m)| (k.name(), m.keys().map(|u| u.to_string()).collect()))
        .collect();
    let evented: BTreeSet<(&str, String)> = snap
        .events
        .iter()
        .flat_map(|e| {
            e.changes
                .iter()
                .map(move |r| (e.kind.as_str(), r.id().to_string()))
        })
        .collect();
    for (event, kind, id) in acked {
        assert!(
            by_kind.get(kind.as_str()).is_some_and(|s| s.contains(id)),
            "round {round}: acknowledged {event} of {kind} {id} is missing"
        );
        assert!(
            evented.contains(&(event.as_str(), id.clone())),
            "round {round}: acknowledged {event} of {kind} {id} has no event"
        );
    }
}

/// Durability under crashes (contract points 2 and 3): [`ROUNDS`] children stream commands
/// into the store; half are killed with SIGKILL after a random number of acknowledged
/// commands, half exit by themselves mid-stream. After each, the store opened again holds
/// every acknowledged change with its event, the log replays to the records, and the
/// invariants hold. Needs the factory's locator and `reopen` (skipped without them).
pub fn crash_loses_no_acknowledged_change(kit: &Kit, fresh: Fresh) {
    let (Some(locator), Some(test)) = (fresh.locator.clone(), kit.test_name()) else {
        eprintln!("skipped: the factory gave no locator to reopen the store from");
        return;
    };
    if kit.reopen.is_none() {
        eprintln!("skipped: the factory gave no way to reopen the store");
        return;
    }
    drop(World::build(fresh.store.clone()));
    let mut acked = Vec::new();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..ROUNDS {
        let seed = rng.next();
        let stop_after = 5 + rng.below(30);
        acked.extend(child_round(
            test,
            &locator,
            seed,
            stop_after,
            round % 2 == 0,
        ));
        let store = kit.reopen_locator(&locator).expect("reopen");
        check_acknowledged(&dump(&*store).unwrap(), &acked, round);
    }
    eprintln!(
        "crash harness: {ROUNDS} children, {} acknowledged changes all found",
        acked.len()
    );
    let kinds: BTreeSet<&str> = acked.iter().map(|a| a.0.as_str()).collect();
    assert!(
        kinds.contains("need_drafted") && kinds.contains("need_claimed"),
        "the children did real work: {kinds:?}"
    );
}

//! A phone killed (SIGKILL, or ending without destructors) between any two steps of its work —
//! running a command, pushing, pulling — loses nothing: every command it acknowledged is
//! either still in its outbox or decided by the portal, and after a clean sync its view is
//! the portal's. The test binary runs itself again as the child (like the conformance kit's
//! crash harness).

use chrono::{DateTime, Utc};
use needbridge::command::*;
use needbridge::model::*;
use needbridge::store::sqlite::SqliteStore;
use needbridge::sync::{self, Device, PullRequest};
use needbridge::{Hub, HubConfig, ManualClock};
use needbridge_acceptance::{
    invariants, member, records_of, sync_snapshot, Backend, TempDir, World,
};
use std::io::{BufRead, BufReader};
use std::process::{Command as Process, Stdio};
use std::sync::Arc;

const CHILD: &str = "NEEDBRIDGE_SYNC_CRASH_CHILD";

/// The portal and the phone, both on the world's time `at`.
fn open(
    portal: &str,
    phone: &str,
    who: MemberId,
    at: DateTime<Utc>,
) -> (Hub, Device, Arc<SqliteStore>) {
    let clock = ManualClock::new(at);
    let portal = Hub::with(
        SqliteStore::open(portal).unwrap(),
        clock.clone(),
        HubConfig::default(),
    )
    .unwrap();
    let store = Arc::new(SqliteStore::open(phone).unwrap());
    let hub = Hub::with(store.clone(), clock, HubConfig::default()).unwrap();
    let device = Device::open(Arc::new(hub), member(who)).unwrap();
    (portal, device, store)
}

fn say(line: String) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn push(portal: &Hub, d: &Device) {
    if let Some(req) = d.push_request().unwrap() {
        let res = sync::push(portal, &d.actor(), &req).unwrap();
        d.apply_push(&res).unwrap();
    }
}

fn pull(portal: &Hub, d: &Device) {
    loop {
        let res = sync::pull(portal, &d.actor(), &d.pull_request(7).unwrap()).unwrap();
        let s = d.apply_pull(&res).unwrap();
        if !s.more && !s.reset {
            return;
        }
    }
}

/// The child: works until killed, acknowledging each step.
fn child(portal: &str, phone: &str, who: MemberId, seed: u64, at: DateTime<Utc>) -> ! {
    let (portal, d, _) = open(portal, phone, who, at);
    say("ready".into());
    let me = d.actor();
    let mut x = seed | 1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..400 {
        match next() % 4 {
            0 => push(&portal, &d),
            1 => pull(&portal, &d),
            _ => {
                let mine = d.hub().claims_of(&me, Claimant::Member(who)).unwrap();
                let cmd: Command = match mine.iter().find(|c| c.status.is_live()) {
                    Some(c) if next() % 2 == 0 => ReleaseClaim {
                        claim: c.id,
                        reason: "临时有事".into(),
                    }
                    .into(),
                    _ => {
                        let page = d
                            .hub()
                            .library(
                                &me,
                                &needbridge::hub::NeedQuery {
                                    statuses: vec![NeedStatus::Published, NeedStatus::Reopened],
                                    ..Default::default()
                                },
                            )
                            .unwrap();
                        let Some(n) = page.needs.get((next() % 4) as usize) else {
                            continue;
                        };
                        ClaimNeed {
                            need: n.id,
                            claimant: Claimant::Member(who),
                            promised_by: (d.hub().now() + chrono::Duration::days(2))
                                .min(n.wanted_by),
                        }
                        .into()
                    }
                };
                if d.execute(cmd).is_ok() {
                    let last = d.pending().unwrap().last().map_or(0, |m| m.id);
                    say(format!("exec {last}"));
                }
                continue;
            }
        }
        say("step".into());
    }
    std::process::exit(0)
}

#[test]
fn a_phone_killed_between_any_two_steps_loses_nothing() {
    if let Ok(spec) = std::env::var(CHILD) {
        let parts: Vec<&str> = spec.split('|').collect();
        let who = MemberId(uuid::Uuid::parse_str(parts[2]).unwrap());
        let at = DateTime::parse_from_rfc3339(parts[4])
            .unwrap()
            .with_timezone(&Utc);
        child(parts[0], parts[1], who, parts[3].parse().unwrap(), at);
    }
    let w = World::on(Backend::Sqlite);
    let portal_path = w.dir.as_ref().unwrap().join("needbridge.db");
    let dir = TempDir::new("phone");
    let phone_path = dir.join("phone.db");
    let who = w.loner_a;
    let at = w.hub.now();
    let spec = |seed: u64| {
        format!(
            "{}|{}|{}|{seed}|{}",
            portal_path.display(),
            phone_path.display(),
            who.0,
            at.to_rfc3339()
        )
    };
    let mut acked: Vec<u64> = Vec::new();
    for round in 0..6u64 {
        let mut c = Process::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "a_phone_killed_between_any_two_steps_loses_nothing",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, spec(round + 1))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = BufReader::new(c.stdout.take().unwrap());
        let stop_after = 3 + (round * 7) % 11;
        let mut seen = 0;
        for line in out.lines() {
            let line = line.unwrap();
            if let Some(id) = line.trim().strip_prefix("exec ") {
                acked.push(id.parse().unwrap());
            }
            if line.contains("exec ") || line.contains("step") {
                seen += 1;
            }
            if seen >= stop_after {
                break;
            }
        }
        c.kill().unwrap();
        c.wait().unwrap();
        // After the kill: every acknowledged command is pending or decided by the portal.
        let (portal, d, _) = open(
            portal_path.to_str().unwrap(),
            phone_path.to_str().unwrap(),
            who,
            at,
        );
        let pending: Vec<u64> = d.pending().unwrap().iter().map(|m| m.id).collect();
        let decided = sync::pull(
            &portal,
            &d.actor(),
            &PullRequest {
                protocol: sync::PROTOCOL,
                schema: sync::SCHEMA,
                client: d.client(),
                cookie: None,
                limit: 1,
                pending_from: Some(1),
            },
        )
        .unwrap()
        .last_applied;
        for id in &acked {
            assert!(
                pending.contains(id) || *id <= decided,
                "round {round}: acknowledged mutation {id} lost (pending {pending:?}, decided through {decided})"
            );
        }
    }
    // A clean sync: nothing pending, the phone's view is the portal's scope for the member.
    let (portal, d, store) = open(
        portal_path.to_str().unwrap(),
        phone_path.to_str().unwrap(),
        who,
        at,
    );
    push(&portal, &d);
    pull(&portal, &d);
    assert!(!acked.is_empty(), "the children acknowledged some work");
    assert_eq!(d.status().unwrap().pending, 0);
    let snap = needbridge::store::dump(&SqliteStore::open(&portal_path).unwrap()).unwrap();
    invariants::check_invariants(&snap).unwrap();
    let want = sync_snapshot(&portal, &d.actor());
    let got = records_of(&*store);
    assert_eq!(got, want);
}

//! Simulated devices — three members' phones and the committee's staff's, on memory and
//! SQLite — against one portal, through a transport that drops, duplicates and
//! delays (reorders) messages, with random offline periods and the committee's staff working
//! on the portal meanwhile. After quiescence: one live claim per need, exactly one outcome per
//! mutation, every device's view equal to what the portal shows that member of its scope (so
//! no unmasked personal data on any device), and the portal's reports equal to those of the
//! same accepted commands run directly. Seeds are fixed (and printed on failure), so a
//! failure reproduces.

use needbridge::command::*;
use needbridge::model::*;
use needbridge::report::{Period, ReportScope};
use needbridge::store::memory::MemoryStore;
use needbridge::store::sqlite::SqliteStore;
use needbridge::sync::{self, Device, Outcome, PullRequest, PullResponse, PushRequest};
use needbridge::{Actor, Hub, HubConfig, Origin, Record, Store};
use needbridge_acceptance::{
    invariants, member, records_of, sync_snapshot, Backend, TempDir, World,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

struct Phone {
    device: Device,
    store: Arc<dyn Store>,
    /// The member (`None`: the committee's staff).
    who: Option<MemberId>,
    /// Pull responses held back by the transport, delivered later (stale by then).
    late_pulls: Vec<PullResponse>,
    /// Push requests held back, delivered to the portal later (a late duplicate).
    late_pushes: Vec<PushRequest>,
}

/// What the portal accepted, by event seq: who, the command and how it came.
type Accepted = BTreeMap<u64, (Actor, Command, Origin)>;

fn record_applied(
    accepted: &mut Accepted,
    actor: Actor,
    req: &PushRequest,
    res: &sync::PushResponse,
) {
    for o in &res.outcomes {
        if let Outcome::Applied { seq } = o.outcome {
            if let Some(m) = req.mutations.iter().find(|m| m.id == o.id) {
                accepted.entry(seq).or_insert((
                    actor,
                    m.command.clone(),
                    Origin {
                        id: m.new_id,
                        happened_at: Some(m.at),
                    },
                ));
            }
        }
    }
}

/// One push through the lossy transport.
fn push(portal: &Hub, p: &mut Phone, rng: &mut Rng, accepted: &mut Accepted, reliable: bool) {
    let actor = p.device.actor();
    if !reliable && rng.chance(10) && !p.late_pushes.is_empty() {
        // A late copy of an old push arrives at the portal: answered from stored outcomes.
        let old = p.late_pushes.remove(0);
        let res = sync::push(portal, &actor, &old).unwrap();
        record_applied(accepted, actor, &old, &res);
        assert!(res.unavailable.is_none());
    }
    let Some(req) = p.device.push_request().unwrap() else {
        return;
    };
    // The request is lost on the way.
    if !reliable && rng.chance(15) {
        p.device.push_failed();
        return;
    }
    let bytes = sync::serve_push(portal, &actor, &sync::encode(&req)).unwrap();
    let res = sync::decode_push_response(&bytes).unwrap();
    record_applied(accepted, actor, &req, &res);
    if !reliable && rng.chance(10) {
        p.late_pushes.push(req.clone());
    }
    if !reliable && rng.chance(15) {
        // The response is lost: the device sends the same again later.
        p.device.push_failed();
        return;
    }
    p.device.apply_push(&res).unwrap();
    if !reliable && rng.chance(10) {
        // Duplicated response.
        p.device.apply_push(&res).unwrap();
    }
}

/// Pulls through the lossy transport; reliable: until the device is whole and current.
fn pull(portal: &Hub, p: &mut Phone, rng: &mut Rng, reliable: bool) {
    for _ in 0..200 {
        if !reliable && rng.chance(10) && !p.late_pulls.is_empty() {
            let late = p.late_pulls.remove(0);
            // A late answer to an earlier pull is dropped by the device, or is exactly the
            // answer it waits for (then applying it is right).
            p.device.apply_pull(&late).unwrap();
        }
        let req = p
            .device
            .pull_request(if reliable { 0 } else { 25 })
            .unwrap();
        if !reliable && rng.chance(10) {
            return; // lost request
        }
        let bytes = sync::serve_pull(portal, &p.device.actor(), &sync::encode(&req)).unwrap();
        let res = sync::decode_pull_response(&bytes).unwrap();
        if !reliable && rng.chance(10) {
            p.late_pulls.push(res);
            return; // delayed response
        }
        let s = p.device.apply_pull(&res).unwrap();
        if !reliable && rng.chance(10) {
            let again = p.device.apply_pull(&res).unwrap();
            // Stale, unless the answer did not move the cookie (then applying it again is a
            // no-op the final comparison would catch if it were not).
            assert!(
                again.stale || res.cookie == res.after,
                "a duplicated answer is stale"
            );
        }
        if !reliable && rng.chance(30) {
            return; // offline again
        }
        if !s.more && !s.reset {
            return;
        }
    }
    panic!("pull does not settle");
}

/// A command a member might issue on their phone, from what the phone shows.
fn member_command(p: &Phone, rng: &mut Rng, now: chrono::DateTime<chrono::Utc>) -> Option<Command> {
    let me = p.device.actor();
    let hub = p.device.hub();
    let Some(who) = p.who else {
        return staff_command(p, rng);
    };
    let mine = hub.claims_of(&me, Claimant::Member(who)).ok()?;
    let live: Vec<&Claim> = mine.iter().filter(|c| c.status.is_live()).collect();
    if !live.is_empty() && rng.chance(60) {
        let c = live[rng.below(live.len() as u64) as usize];
        return Some(match rng.below(4) {
            0 => StartWork { claim: c.id }.into(),
            1 => ReleaseClaim {
                claim: c.id,
                reason: "家里有事".into(),
            }
            .into(),
            _ => CompleteClaim {
                claim: c.id,
                fulfilment: Fulfilment {
                    money_fen: 0,
                    items: Vec::new(),
                    minutes: 30 + rng.below(120) as u32,
                    people_served: 1,
                    evidence: Vec::new(),
                    note: format!("离线记录 {}", rng.below(1000)),
                    roster: Vec::new(),
                },
            }
            .into(),
        });
    }
    let page = hub
        .library(
            &me,
            &needbridge::hub::NeedQuery {
                statuses: vec![NeedStatus::Published, NeedStatus::Reopened],
                limit: 100,
                ..Default::default()
            },
        )
        .ok()?;
    if page.needs.is_empty() {
        return None;
    }
    let n = &page.needs[rng.below(page.needs.len() as u64) as usize];
    let promised = (now + chrono::Duration::days(2)).min(n.wanted_by);
    Some(
        ClaimNeed {
            need: n.id,
            claimant: Claimant::Member(who),
            promised_by: promised,
        }
        .into(),
    )
}

/// What the committee's staff do on their phone: check completed work (verify it, or send it
/// back), from what the phone shows.
fn staff_command(p: &Phone, rng: &mut Rng) -> Option<Command> {
    let done = p
        .device
        .hub()
        .claims(
            &p.device.actor(),
            &needbridge::store::ClaimFilter {
                statuses: vec![ClaimStatus::Done],
                ..Default::default()
            },
        )
        .ok()?;
    let c = done.get(rng.below(done.len() as u64 + 1) as usize)?;
    Some(if rng.chance(70) {
        VerifyClaim { claim: c.id }.into()
    } else {
        SendBackClaim {
            claim: c.id,
            reason: "照片不清楚".into(),
        }
        .into()
    })
}

/// Runs one seed; returns how many mutations the portal applied and refused.
fn run(b: Backend, seed: u64) -> (usize, usize) {
    let w = World::on(b);
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let dir = TempDir::new("phones");
    // Three members (one on a SQLite file) and the committee's staff (SQLite too).
    let users: [(Actor, Option<MemberId>, bool); 4] = [
        (member(w.member_a), Some(w.member_a), false),
        (member(w.captain_a), Some(w.captain_a), false),
        (member(w.loner_a), Some(w.loner_a), true),
        (w.staff_a(), None, true),
    ];
    let mut phones: Vec<Phone> = users
        .into_iter()
        .enumerate()
        .map(|(i, (actor, who, on_file))| {
            let store: Arc<dyn Store> = if on_file {
                Arc::new(SqliteStore::open(dir.join(&format!("phone-{i}.db"))).unwrap())
            } else {
                Arc::new(MemoryStore::new())
            };
            let hub = Hub::with(store.clone(), w.clock.clone(), HubConfig::default()).unwrap();
            Phone {
                device: Device::open(Arc::new(hub), actor).unwrap(),
                store,
                who,
                late_pulls: Vec::new(),
                late_pushes: Vec::new(),
            }
        })
        .collect();
    let mut accepted: Accepted = BTreeMap::new();
    let mut made = vec![0u64; phones.len()];
    // Staff publish some more needs for the members to contend for.
    for i in 0..3 {
        let n = w
            .hub
            .run(
                &w.staff_a(),
                DraftNeed {
                    committee: w.committee_a,
                    // The last for an institution: no resident to mask or send.
                    resident: (i != 2).then_some(w.resident_a),
                    institution: (i == 2).then(|| "白鹤养老服务中心".into()),
                    category: "festival_goods".into(),
                    title: format!("代买药品 {i}"),
                    description: "每周一次".into(),
                    channel: Channel::Family,
                    scale: Scale::Individual,
                    estimated_cost_fen: 5_000,
                    wanted_by: w.hub.now() + chrono::Duration::days(30),
                    grid: None,
                    beneficiaries: Vec::new(),
                    recurrence: None,
                    place: None,
                    location: None,
                },
            )
            .unwrap();
        w.hub.run(&w.staff_a(), SubmitNeed { need: n.id }).unwrap();
        w.hub.run(&w.staff_a(), PublishNeed { need: n.id }).unwrap();
    }
    let backup_after_setup = w.dump();
    for _ in 0..150 {
        let i = rng.below(phones.len() as u64) as usize;
        match rng.below(12) {
            0..=5 => {
                if let Some(c) = member_command(&phones[i], &mut rng, w.hub.now()) {
                    if phones[i].device.execute(c).is_ok() {
                        made[i] += 1;
                    }
                }
            }
            6..=7 => push(&w.hub, &mut phones[i], &mut rng, &mut accepted, false),
            8..=9 => pull(&w.hub, &mut phones[i], &mut rng, false),
            _ => {
                // The staff verify completed work on the portal meanwhile.
                let done = w
                    .hub
                    .claims(
                        &w.staff_a(),
                        &needbridge::store::ClaimFilter {
                            statuses: vec![ClaimStatus::Done],
                            unit: Some(w.committee_a),
                            ..Default::default()
                        },
                    )
                    .unwrap();
                if let Some(c) = done.first() {
                    let cmd: Command = VerifyClaim { claim: c.id }.into();
                    let actor = w.staff_a();
                    let before = w.dump().events.len() as u64;
                    if w.hub.execute(&actor, cmd.clone()).is_ok() {
                        accepted.insert(before + 1, (actor, cmd, Origin::default()));
                    }
                }
            }
        }
    }
    // Quiescence: everyone pushes and pulls over a reliable transport, twice round.
    for _ in 0..2 {
        for p in phones.iter_mut() {
            push(&w.hub, p, &mut rng, &mut accepted, true);
            pull(&w.hub, p, &mut rng, true);
        }
    }
    let snap = w.dump();
    invariants::check_invariants(&snap).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    invariants::replay_matches(&snap).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    for (i, p) in phones.iter().enumerate() {
        let st = p.device.status().unwrap();
        assert_eq!(
            st.pending, 0,
            "seed {seed}: phone {i} still has pending mutations"
        );
        assert!(st.ready, "seed {seed}");
        // Exactly one outcome per mutation the phone made, ids 1..=made.
        let res = sync::pull(
            &w.hub,
            &p.device.actor(),
            &PullRequest {
                protocol: sync::PROTOCOL,
                schema: sync::SCHEMA,
                client: p.device.client(),
                cookie: None,
                limit: 1,
                pending_from: Some(1),
            },
        )
        .unwrap();
        let ids: Vec<u64> = res.outcomes.iter().map(|o| o.id).collect();
        assert_eq!(
            ids,
            (1..=made[i]).collect::<Vec<_>>(),
            "seed {seed}: phone {i}"
        );
        assert_eq!(res.last_applied, made[i], "seed {seed}");
        // The phone's view is exactly the portal's scope as this member may see it.
        let want = sync_snapshot(&w.hub, &p.device.actor());
        let got = records_of(&*p.store);
        let missing: Vec<_> = want.keys().filter(|k| !got.contains_key(k)).collect();
        let extra: Vec<_> = got.keys().filter(|k| !want.contains_key(k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "seed {seed}: phone {i}: missing {missing:?}, extra {extra:?}"
        );
        for (k, r) in &want {
            assert_eq!(&got[k], r, "seed {seed}: phone {i}: {k:?}");
        }
        for r in got.values() {
            if let Record::Resident(x) = r {
                assert_eq!(
                    x,
                    &w.hub.resident(&p.device.actor(), x.id).unwrap(),
                    "seed {seed}"
                );
            }
        }
    }
    // One live claim per need.
    let claims = w
        .hub
        .claims(&w.staff_a(), &needbridge::store::ClaimFilter::default())
        .unwrap();
    let mut live: BTreeMap<NeedId, u32> = BTreeMap::new();
    for c in claims.iter().filter(|c| c.status.is_live()) {
        *live.entry(c.need).or_default() += 1;
    }
    assert!(live.values().all(|n| *n == 1), "seed {seed}: {live:?}");
    // The same accepted commands run directly give the same reports.
    let direct_store = Arc::new(MemoryStore::new());
    needbridge::store::restore(&backup_after_setup, &*direct_store).unwrap();
    let direct = Hub::with(direct_store, w.clock.clone(), HubConfig::default()).unwrap();
    for (seq, (actor, cmd, origin)) in &accepted {
        direct
            .execute_with(actor, cmd.clone(), origin)
            .unwrap_or_else(|e| {
                panic!("seed {seed}: accepted command at {seq} refused directly: {e}")
            });
    }
    for scope in [
        ReportScope::Unit(w.committee_a),
        ReportScope::Unit(w.district),
    ] {
        let a = w.hub.report(&Actor::System, scope, Period::ALL).unwrap();
        let b = direct.report(&Actor::System, scope, Period::ALL).unwrap();
        assert_eq!(a.data, b.data, "seed {seed}: {scope:?}");
    }
    let refused = phones
        .iter()
        .map(|p| p.device.rejected().unwrap().len())
        .sum();
    (accepted.len(), refused)
}

fn many_devices_over_a_lossy_transport_converge(b: Backend) {
    let (mut applied, mut refused) = (0, 0);
    for seed in 1..=6 {
        let (a, r) = run(b, seed);
        applied += a;
        refused += r;
    }
    // The runs exercised both: work accepted, and contended claims refused.
    assert!(applied > 10, "{applied} applied");
    assert!(refused > 0, "{refused} refused");
}

needbridge_acceptance::conformance!(many_devices_over_a_lossy_transport_converge);

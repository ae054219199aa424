//! Offline work and sync (issue 16): devices on memory and SQLite against a portal on every
//! backend, through the protocol's bytes (what a host would move over HTTP).

use chrono::Duration;
use needbridge::command::*;
use needbridge::model::*;
use needbridge::store::memory::MemoryStore;
use needbridge::store::sqlite::SqliteStore;
use needbridge::sync::{self, Device, Outcome};
use needbridge::{Actor, Error, Hub, HubConfig, Record};
use needbridge_acceptance::{member, records_of, Backend, TempDir, World};
use std::sync::Arc;

/// A device for `actor` on a fresh in-memory store, on the world's clock.
fn device(w: &World, actor: Actor) -> Device {
    device_on(w, actor).0
}

/// A device and its store.
fn device_on(w: &World, actor: Actor) -> (Device, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::new());
    let hub = Hub::with(store.clone(), w.clock.clone(), HubConfig::default()).unwrap();
    (Device::open(Arc::new(hub), actor).unwrap(), store)
}

/// Pushes what is pending (through bytes), as the host would.
fn push(portal: &Hub, d: &Device) -> Option<sync::PushSummary> {
    let req = d.push_request().unwrap()?;
    let body = sync::encode(&req);
    let answer = sync::serve_push(portal, &d.actor(), &body).unwrap();
    Some(
        d.apply_push(&sync::decode_push_response(&answer).unwrap())
            .unwrap(),
    )
}

/// Pulls until the device holds a whole, current state (following a reset).
fn pull(portal: &Hub, d: &Device, limit: u32) -> u32 {
    let mut pages = 0;
    loop {
        let req = sync::encode(&d.pull_request(limit).unwrap());
        let answer = sync::serve_pull(portal, &d.actor(), &req).unwrap();
        let s = d
            .apply_pull(&sync::decode_pull_response(&answer).unwrap())
            .unwrap();
        pages += 1;
        assert!(pages < 10_000, "pull does not end");
        if !s.more && !s.reset {
            return pages;
        }
    }
}

fn sync_now(portal: &Hub, d: &Device) {
    push(portal, d);
    pull(portal, d, 0);
}

fn later(w: &World, days: i64) -> chrono::DateTime<chrono::Utc> {
    w.hub.now() + Duration::days(days)
}

fn fulfilment(note: &str) -> Fulfilment {
    Fulfilment {
        money_fen: 0,
        items: Vec::new(),
        minutes: 90,
        people_served: 1,
        evidence: vec!["photo-1.jpg".into()],
        note: note.into(),
        roster: Vec::new(),
    }
}

fn first_sync_brings_the_scope_masked(b: Backend) {
    let w = World::on(b);
    let me = member(w.member_a);
    let (d, store) = device_on(&w, me);
    assert!(!d.status().unwrap().ready);
    // Small pages: the snapshot takes several, and is shown only when whole.
    let pages = pull(&w.hub, &d, 7);
    assert!(pages > 3, "{pages} pages");
    assert!(d.status().unwrap().ready);
    let view = d.hub();
    // Public needs of the member's committee are there; a draft and B's need are not.
    assert!(view.need(&me, w.need_open).is_ok());
    assert!(view.need(&me, w.need_claimed).is_ok());
    assert!(matches!(
        view.need(&me, w.need_draft),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        view.need(&me, w.need_b),
        Err(Error::NotFound { .. })
    ));
    // Every resident on the device is exactly what the portal shows this member.
    let records: Vec<Record> = records_of(&*store).into_values().collect();
    let mut residents = 0;
    for r in &records {
        match r {
            Record::Resident(x) => {
                residents += 1;
                assert_eq!(x, &w.hub.resident(&me, x.id).unwrap(), "resident as read");
            }
            Record::Member(x) => assert_eq!(x, &w.hub.member(&me, x.id).unwrap()),
            Record::LedgerEntry(_) => panic!("ledger entries never reach a device"),
            Record::Need(x) => assert_eq!(x.committee, w.committee_a),
            _ => {}
        }
    }
    assert!(residents >= 2);
    // The left-behind child is masked for this member (not doing one of its needs).
    let child = records
        .iter()
        .find_map(|r| match r {
            Record::Resident(x) if x.id == w.child_a => Some(x.clone()),
            _ => None,
        })
        .expect("the child is in scope");
    assert!(child.masked);
    assert_ne!(
        child.name,
        w.hub.resident(&w.staff_a(), w.child_a).unwrap().name
    );
}

fn offline_work_reaches_the_portal_with_device_ids_and_times(b: Backend) {
    let w = World::on(b);
    let me = member(w.loner_a);
    let d = device(&w, me);
    sync_now(&w.hub, &d);
    // Offline: claim, start and complete, each referring to the claim made here.
    let monday = w.hub.now();
    let claim = match d
        .execute(
            ClaimNeed {
                need: w.need_open,
                claimant: Claimant::Member(w.loner_a),
                promised_by: later(&w, 5),
            }
            .into(),
        )
        .unwrap()
    {
        Record::Claim(c) => c,
        other => panic!("{other:?}"),
    };
    d.execute(StartWork { claim: claim.id }.into()).unwrap();
    d.execute(
        CompleteClaim {
            claim: claim.id,
            fulfilment: fulfilment("送去了书包"),
        }
        .into(),
    )
    .unwrap();
    assert_eq!(d.status().unwrap().pending, 3);
    // The view shows it at once.
    assert_eq!(
        d.hub().claim(&me, claim.id).unwrap().status,
        ClaimStatus::Done
    );
    // Thursday: back in signal.
    w.clock.advance(Duration::days(3));
    let s = push(&w.hub, &d).unwrap();
    assert_eq!((s.applied, s.rejected, s.last_applied), (3, 0, 3));
    // The portal holds the claim under the id made on the device, completed.
    let on_portal = w.hub.claim(&w.staff_a(), claim.id).unwrap();
    assert_eq!(on_portal.status, ClaimStatus::Done);
    // The event records when it happened (Monday) beside when it was committed (Thursday).
    let events = w.hub.events_since(&w.staff_a(), 0, 1000).unwrap();
    let done = events
        .iter()
        .rev()
        .find(|e| e.kind == "claim_completed")
        .unwrap();
    assert_eq!(done.happened_at, Some(monday));
    assert!(done.at > monday + Duration::days(2));
    pull(&w.hub, &d, 0);
    assert_eq!(d.status().unwrap().pending, 0);
    assert_eq!(
        d.hub().claim(&me, claim.id).unwrap(),
        w.hub.claim(&me, claim.id).unwrap()
    );
}

fn two_offline_claims_one_wins_the_other_keeps_its_note(b: Backend) {
    let w = World::on(b);
    let (a, c) = (member(w.loner_a), member(w.captain_a));
    let (da, dc) = (device(&w, a), device(&w, c));
    sync_now(&w.hub, &da);
    sync_now(&w.hub, &dc);
    let claim_as = |d: &Device, who: MemberId| match d
        .execute(
            ClaimNeed {
                need: w.need_open,
                claimant: Claimant::Member(who),
                promised_by: later(&w, 5),
            }
            .into(),
        )
        .unwrap()
    {
        Record::Claim(x) => x,
        other => panic!("{other:?}"),
    };
    let ca = claim_as(&da, w.loner_a);
    let cc = claim_as(&dc, w.captain_a);
    dc.execute(
        CompleteClaim {
            claim: cc.id,
            fulfilment: fulfilment("上门陪护两小时"),
        }
        .into(),
    )
    .unwrap();
    // A pushes first and wins.
    sync_now(&w.hub, &da);
    let s = push(&w.hub, &dc).unwrap();
    assert_eq!((s.applied, s.rejected), (0, 2));
    pull(&w.hub, &dc, 0);
    // One live claim on the need, A's.
    let live: Vec<Claim> = w
        .hub
        .claims(
            &w.staff_a(),
            &needbridge::store::ClaimFilter {
                need: Some(w.need_open),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].id, ca.id);
    // C's view dropped its claim and shows A's; the refusal keeps the note.
    assert!(matches!(
        dc.hub().claim(&c, cc.id),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(dc.hub().claim(&c, ca.id).unwrap().id, ca.id);
    assert_eq!(dc.status().unwrap().pending, 0);
    let rejected = dc.rejected().unwrap();
    assert_eq!(rejected.len(), 2);
    match &rejected[0].outcome {
        Outcome::Rejected { reason, .. } => assert!(!reason.is_empty()),
        other => panic!("{other:?}"),
    }
    let note = match &rejected[1].mutation.command {
        Command::CompleteClaim(x) => x.fulfilment.note.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(note, "上门陪护两小时");
    // The committee's staff see the refused work too, to reuse it.
    let kept = sync::rejected(&w.hub, &w.staff_a(), w.committee_a).unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|k| k.actor == c));
    assert!(sync::rejected(&w.hub, &a, w.committee_a).is_err());
    dc.dismiss(rejected[0].mutation.id).unwrap();
    assert_eq!(dc.rejected().unwrap().len(), 1);
}

fn retries_are_idempotent_and_gaps_stop(b: Backend) {
    let w = World::on(b);
    let me = member(w.loner_a);
    let d = device(&w, me);
    sync_now(&w.hub, &d);
    d.execute(
        ClaimNeed {
            need: w.need_open,
            claimant: Claimant::Member(w.loner_a),
            promised_by: later(&w, 5),
        }
        .into(),
    )
    .unwrap();
    let req = d.push_request().unwrap().unwrap();
    // One push in flight.
    assert!(d.push_request().unwrap().is_none());
    let first = sync::push(&w.hub, &me, &req).unwrap();
    // The response was lost; the same push again answers from the stored outcome.
    let again = sync::push(&w.hub, &me, &req).unwrap();
    assert_eq!(first.outcomes, again.outcomes);
    let events = w.dump().events.len();
    sync::push(&w.hub, &me, &req).unwrap();
    assert_eq!(w.dump().events.len(), events, "a retry writes nothing");
    d.push_failed();
    // A gap stops the batch and writes nothing.
    let mut gap = req.clone();
    gap.mutations[0].id = 3;
    let r = sync::push(&w.hub, &me, &gap).unwrap();
    assert!(r.outcomes.is_empty());
    assert_eq!(r.last_applied, 1);
    // Another user may not push as this client.
    assert!(matches!(
        sync::push(&w.hub, &member(w.captain_a), &req),
        Err(Error::Forbidden { .. })
    ));
    push(&w.hub, &d).unwrap();
    pull(&w.hub, &d, 0);
    assert_eq!(d.status().unwrap().pending, 0);
}

fn a_restored_portal_resets_devices_and_keeps_their_outbox(b: Backend) {
    let w = World::on(b);
    let me = member(w.loner_a);
    let d = device(&w, me);
    sync_now(&w.hub, &d);
    let backup = w.dump();
    d.execute(
        ClaimNeed {
            need: w.need_open,
            claimant: Claimant::Member(w.loner_a),
            promised_by: later(&w, 5),
        }
        .into(),
    )
    .unwrap();
    // The portal is restored from the backup into a new store: a new epoch.
    let restored = Arc::new(MemoryStore::new());
    needbridge::store::restore(&backup, &*restored).unwrap();
    let portal = Hub::with(restored, w.clock.clone(), HubConfig::default()).unwrap();
    let req = sync::encode(&d.pull_request(0).unwrap());
    let answer =
        sync::decode_pull_response(&sync::serve_pull(&portal, &me, &req).unwrap()).unwrap();
    assert!(answer.reset);
    assert!(d.apply_pull(&answer).unwrap().reset);
    assert_eq!(d.status().unwrap().pending, 1, "the outbox is kept");
    assert!(!d.status().unwrap().ready);
    // A garbage cookie resets too.
    let mut bad = d.pull_request(0).unwrap();
    bad.cookie = Some("1.garbage".into());
    assert!(sync::pull(&portal, &me, &bad).unwrap().reset);
    pull(&portal, &d, 0);
    assert!(d.status().unwrap().ready);
    // The pending claim is still shown on the new state.
    assert_eq!(
        d.hub()
            .claims_of(&me, Claimant::Member(w.loner_a))
            .unwrap()
            .len(),
        1
    );
}

fn the_outbox_survives_a_restart(b: Backend) {
    let w = World::on(b);
    let me = member(w.loner_a);
    let dir = TempDir::new("device");
    let path = dir.join("app.db");
    let open = || {
        let hub = Hub::with(
            SqliteStore::open(&path).unwrap(),
            w.clock.clone(),
            HubConfig::default(),
        )
        .unwrap();
        Device::open(Arc::new(hub), me).unwrap()
    };
    let d = open();
    sync_now(&w.hub, &d);
    let client = d.client();
    let claim = d
        .execute(
            ClaimNeed {
                need: w.need_open,
                claimant: Claimant::Member(w.loner_a),
                promised_by: later(&w, 5),
            }
            .into(),
        )
        .unwrap();
    drop(d);
    let d = open();
    assert_eq!(d.client(), client);
    assert_eq!(d.status().unwrap().pending, 1);
    // Another user may not sync this file.
    let hub = Hub::with(
        SqliteStore::open(&path).unwrap(),
        w.clock.clone(),
        HubConfig::default(),
    )
    .unwrap();
    assert!(matches!(
        Device::open(Arc::new(hub), member(w.captain_a)),
        Err(Error::Forbidden { .. })
    ));
    sync_now(&w.hub, &d);
    assert_eq!(
        w.hub.claim(&me, ClaimId(claim.id())).unwrap().claimant,
        Claimant::Member(w.loner_a)
    );
    // The phone's own log is compacted once the portal has what it held.
    let log = needbridge::store::dump(&SqliteStore::open(&path).unwrap())
        .unwrap()
        .events;
    assert_eq!(log.len(), 1, "only the last event is kept");
}

fn entitlement_changes_resend_the_resident(b: Backend) {
    let w = World::on(b);
    let me = member(w.loner_a);
    let d = device(&w, me);
    sync_now(&w.hub, &d);
    let need = w.hub.need(&me, w.need_open).unwrap();
    let masked = d.hub().resident(&me, need.resident.unwrap()).unwrap();
    assert!(masked.masked);
    // Claimed on the portal (not on this device): the next pull unmasks the resident.
    w.hub
        .run(
            &me,
            ClaimNeed {
                need: w.need_open,
                claimant: Claimant::Member(w.loner_a),
                promised_by: later(&w, 5),
            },
        )
        .unwrap();
    pull(&w.hub, &d, 0);
    let full = d.hub().resident(&me, need.resident.unwrap()).unwrap();
    assert!(!full.masked);
    assert_eq!(full, w.hub.resident(&me, need.resident.unwrap()).unwrap());
}

/// The portal is restored from a backup older than work it had acknowledged: the device's
/// still-pending work goes out again under a new client id (the old numbering would leave a
/// gap the restored portal cannot close), is decided, and nothing pending is lost.
fn a_portal_that_lost_a_clients_history_gets_its_pending_work_again(b: Backend) {
    let w = World::on(b);
    let me = member(w.loner_a);
    let d = device(&w, me);
    sync_now(&w.hub, &d);
    let backup = w.dump();
    // Acknowledged by the portal after the backup was taken: lost with the restore.
    let claim = d
        .execute(
            ClaimNeed {
                need: w.need_open,
                claimant: Claimant::Member(w.loner_a),
                promised_by: later(&w, 5),
            }
            .into(),
        )
        .unwrap();
    sync_now(&w.hub, &d);
    let old_client = d.client();
    // Done offline meanwhile: pending as the old client's mutation 2.
    d.execute(
        StartWork {
            claim: ClaimId(claim.id()),
        }
        .into(),
    )
    .unwrap();
    assert_eq!(d.pending().unwrap()[0].id, 2);
    let restored = Arc::new(MemoryStore::new());
    needbridge::store::restore(&backup, &*restored).unwrap();
    let portal = Hub::with(restored, w.clock.clone(), HubConfig::default()).unwrap();
    pull(&portal, &d, 0);
    assert_ne!(d.client(), old_client, "a new client id");
    let pending = d.pending().unwrap();
    assert_eq!(pending.len(), 1, "nothing pending is lost");
    assert_eq!(pending[0].id, 1, "queued again from 1");
    let s = push(&portal, &d).unwrap();
    // The restored portal has no such claim: refused, not stuck behind a gap.
    assert_eq!((s.rejected, s.last_applied), (1, 1));
    pull(&portal, &d, 0);
    assert_eq!(d.status().unwrap().pending, 0);
    let refused = d.rejected().unwrap();
    assert!(matches!(refused[0].mutation.command, Command::StartWork(_)));
}

/// A store whose write transactions start failing on the `n`th from when it is armed (a full
/// disk, a lost connection): the real store underneath, a fault in front of it.
struct Faulty {
    inner: Arc<dyn needbridge::Store>,
    /// `Some(n)`: the `n`th write transaction from now fails, and every one after it.
    fails_in: std::sync::Mutex<Option<u32>>,
}

impl needbridge::Store for Faulty {
    fn begin_write(
        &self,
    ) -> Result<Box<dyn needbridge::store::Tx + '_>, needbridge::error::StoreError> {
        if let Some(n) = self.fails_in.lock().unwrap().as_mut() {
            if *n <= 1 {
                return Err(needbridge::error::StoreError::Backend("disk full".into()));
            }
            *n -= 1;
        }
        self.inner.begin_write()
    }
    fn begin_read(
        &self,
    ) -> Result<Box<dyn needbridge::store::Tx + '_>, needbridge::error::StoreError> {
        self.inner.begin_read()
    }
    fn backend_name(&self) -> &'static str {
        self.inner.backend_name()
    }
}

/// A failure of the portal's store stops a push as retryable: what was applied before it
/// stays applied, nothing after it is, and the next push carries on from there.
fn a_store_failure_stops_a_push_as_retryable(b: Backend) {
    let w = World::on(b);
    let faulty = Arc::new(Faulty {
        inner: w.store.clone(),
        fails_in: std::sync::Mutex::new(None),
    });
    let portal = Hub::with(faulty.clone(), w.clock.clone(), HubConfig::default()).unwrap();
    let me = member(w.loner_a);
    let d = device(&w, me);
    sync_now(&portal, &d);
    let claim = d
        .execute(
            ClaimNeed {
                need: w.need_open,
                claimant: Claimant::Member(w.loner_a),
                promised_by: later(&w, 5),
            }
            .into(),
        )
        .unwrap();
    let id = ClaimId(claim.id());
    d.execute(StartWork { claim: id }.into()).unwrap();
    d.execute(
        CompleteClaim {
            claim: id,
            fulfilment: fulfilment("修好了轮椅"),
        }
        .into(),
    )
    .unwrap();
    // The second mutation's transaction fails.
    *faulty.fails_in.lock().unwrap() = Some(2);
    let s = push(&portal, &d).unwrap();
    assert!(s.unavailable, "{s:?}");
    assert_eq!((s.applied, s.rejected, s.last_applied), (1, 0, 1));
    assert_eq!(portal.claim(&me, id).unwrap().status, ClaimStatus::Active);
    assert_eq!(
        d.status().unwrap().pending,
        3,
        "nothing is dropped before a pull"
    );
    // Healthy again: the next push sends what is left.
    *faulty.fails_in.lock().unwrap() = None;
    let s = push(&portal, &d).unwrap();
    assert_eq!(
        (s.applied, s.rejected, s.last_applied, s.unavailable),
        (2, 0, 3, false)
    );
    pull(&portal, &d, 0);
    assert_eq!(d.status().unwrap().pending, 0);
    assert_eq!(portal.claim(&me, id).unwrap().status, ClaimStatus::Done);
}

needbridge_acceptance::conformance!(
    a_store_failure_stops_a_push_as_retryable,
    a_portal_that_lost_a_clients_history_gets_its_pending_work_again,
    first_sync_brings_the_scope_masked,
    offline_work_reaches_the_portal_with_device_ids_and_times,
    two_offline_claims_one_wins_the_other_keeps_its_note,
    retries_are_idempotent_and_gaps_stop,
    a_restored_portal_resets_devices_and_keeps_their_outbox,
    the_outbox_survives_a_restart,
    entitlement_changes_resend_the_resident,
);

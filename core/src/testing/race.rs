//! The race harness: threads, each with its own handle to the same store, race to claim the
//! same need; exactly one claim wins (contract point 1, isolation: the Hub's claim is a
//! read-then-write transaction, so a backend that does not serialize it lets two win).
//!
//! Each thread gets its handle from the factory's `reopen` (a connection pool, a file opened
//! again — what separate processes would have). Without `reopen` the threads share the one
//! handle the factory opened, which still checks a backend's own locking.

use super::invariants::check_invariants;
use super::{Fresh, Kit, World};
use crate::command::{ClaimNeed, DraftNeed, PublishNeed};
use crate::model::*;
use crate::store::{dump, ClaimFilter};
use crate::{Actor, Error, Hub, HubConfig, Store};
use chrono::Duration;
use std::sync::{Arc, Barrier, Mutex};

/// Threads racing in each round.
pub const THREADS: usize = 4;
/// Rounds: one need raced for in each.
pub const ROUNDS: usize = 12;

/// Drafts and publishes `n` collective needs at committee A, wanted in 20 days.
pub fn publish_needs(w: &World, n: usize, title: &str) -> Vec<NeedId> {
    let staff = w.staff_a();
    (0..n)
        .map(|i| {
            let need = w
                .hub
                .run(
                    &staff,
                    DraftNeed {
                        committee: w.committee_a,
                        grid: None,
                        resident: Some(w.resident_a),
                        institution: None,
                        title: format!("{title} {i}"),
                        description: "并发".into(),
                        category: "health".into(),
                        channel: Channel::Community,
                        scale: Scale::Collective,
                        estimated_cost_fen: 0,
                        wanted_by: w.hub.now() + Duration::days(20),
                        beneficiaries: Vec::new(),
                        recurrence: None,
                        place: None,
                        location: None,
                    },
                )
                .unwrap()
                .id;
            w.hub.run(&staff, PublishNeed { need }).unwrap();
            need
        })
        .collect()
}

/// [`THREADS`] threads, each with a Hub over its own handle, race in [`ROUNDS`] rounds to
/// claim one published need per round, all starting together: in every round exactly one
/// wins and every other gets `Conflict`; afterwards each need has exactly one claim, which
/// is its live claim, and the invariants hold.
pub fn racing_handles_claim_once(kit: &Kit, fresh: Fresh) {
    let w = World::build(fresh.store.clone());
    let needs = publish_needs(&w, ROUNDS, "竞争");
    let handles: Vec<Arc<dyn Store>> = (0..THREADS)
        .map(|_| kit.reopen(&fresh).unwrap_or_else(|| fresh.store.clone()))
        .collect();
    let start = Barrier::new(THREADS);
    let wins: Mutex<Vec<(usize, ClaimId)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for handle in handles {
            let (w, needs, start, wins) = (&w, &needs, &start, &wins);
            s.spawn(move || {
                let hub = Hub::with(handle, w.clock.clone(), HubConfig::default()).unwrap();
                let contact = w.contact();
                for (round, need) in needs.iter().enumerate() {
                    start.wait();
                    let claim = ClaimNeed {
                        need: *need,
                        claimant: Claimant::Organisation(w.org),
                        promised_by: w.hub.now() + Duration::days(5),
                    };
                    match hub.run(&contact, claim) {
                        Ok(c) => wins.lock().unwrap().push((round, c.id)),
                        Err(Error::Conflict { .. }) => {}
                        Err(e) => panic!("round {round}: unexpected {e}"),
                    }
                }
            });
        }
    });
    let mut wins = wins.into_inner().unwrap();
    wins.sort();
    let rounds: Vec<usize> = wins.iter().map(|(r, _)| *r).collect();
    assert_eq!(
        rounds,
        (0..ROUNDS).collect::<Vec<_>>(),
        "exactly one claim wins each round"
    );
    for ((_, won), need) in wins.iter().zip(&needs) {
        let filter = ClaimFilter {
            need: Some(*need),
            ..Default::default()
        };
        let claims = w.hub.claims(&Actor::System, &filter).unwrap();
        assert_eq!(claims.iter().map(|c| c.id).collect::<Vec<_>>(), vec![*won]);
        let n = w.hub.need(&Actor::System, *need).unwrap();
        assert_eq!((n.status, n.live_claim), (NeedStatus::Claimed, Some(*won)));
    }
    check_invariants(&dump(&*fresh.store).unwrap()).unwrap();
}

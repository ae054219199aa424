//! The app's side of sync: a [`Device`] wraps the app's Hub (SQLite on the phone). Commands
//! run locally through the same rules and are queued in an outbox in the same transaction;
//! the confirmed state (what pulls brought) is kept apart from the pending mutations by
//! before-images of every record a pending mutation wrote; each pull restores those, applies
//! the portal's changes, drops what the portal decided and replays what is still pending.
//!
//! Bookkeeping lives in the store's side table, written in the same transaction as the
//! records it describes (so a crash between any two steps loses nothing):
//!
//! | space | key | value |
//! |---|---|---|
//! | `sync.meta` | `client`, `actor`, `next`, `acked`, `cookie`, `replayed`, `ready` | the client id, its actor, the next mutation id, the last id with a known outcome, the last pull's cookie, the last pending id replayed into the view, whether a whole snapshot was applied |
//! | `sync.outbox` | id (zero-padded) | a pending mutation |
//! | `sync.shadow` | `kind/id` | a record as confirmed, before a pending mutation wrote it (none: it did not exist) |
//! | `sync.rejected` | id (zero-padded) | a mutation the portal refused, with why, until the app dismisses it |
//! | `sync.stage` | `kind/id` | a snapshot's changes until its last page arrives |

use super::*;
use crate::error::Result;
use crate::hub::{Hub, Origin};
use crate::model::Actor;
use crate::store::{Page, Tx};
use std::sync::{Arc, Mutex};

const META: &str = "sync.meta";
const OUTBOX: &str = "sync.outbox";
const SHADOW: &str = "sync.shadow";
const REJECTED: &str = "sync.rejected";
const STAGE: &str = "sync.stage";

/// A mutation the portal refused, kept for the app to show (with its content: the member's
/// note is not lost) until [`Device::dismiss`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedMutation {
    /// The mutation as it was queued.
    pub mutation: Mutation,
    /// Why the portal refused it ([`Outcome::Rejected`]).
    pub outcome: Outcome,
}

/// What applying a push response did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PushSummary {
    /// Mutations the portal applied.
    pub applied: u32,
    /// Mutations it refused (see [`Device::rejected`]).
    pub rejected: u32,
    /// The client's last mutation id with an outcome.
    pub last_applied: u64,
    /// The batch stopped on a failure of the portal: push again later.
    pub unavailable: bool,
}

/// What applying a pull response did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PullSummary {
    /// The portal answered `reset`: the app pulls again (its outbox is kept).
    pub reset: bool,
    /// The response answered another pull than the device's current one (a duplicate, or a
    /// late one): nothing was applied.
    pub stale: bool,
    /// Changes received.
    pub changes: u32,
    /// Another page follows: pull again.
    pub more: bool,
    /// The view now shows a whole state (false while a snapshot's pages are arriving).
    pub ready: bool,
    /// Newly refused mutations (see [`Device::rejected`]).
    pub rejected: u32,
    /// Pending mutations replayed on the new confirmed state.
    pub replayed: u32,
}

/// Where the device's sync stands, for the app's UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// The client id.
    pub client: ClientId,
    /// Mutations waiting to be pushed or confirmed.
    pub pending: u64,
    /// A push is in flight.
    pub in_flight: bool,
    /// Refused mutations not yet dismissed.
    pub rejected: u64,
    /// A whole state has been pulled (and no reset is waiting for its snapshot).
    pub ready: bool,
}

/// The app's side of sync over the app's own [`Hub`] (see the module documentation).
///
/// One push in flight at a time ([`Device::push_request`] returns `None` while one is);
/// push before pull. The host moves the bytes ([`encode`] / the `decode_*` functions) and
/// calls back with the answers.
pub struct Device {
    hub: Arc<Hub>,
    actor: Actor,
    /// The client id (a new one after the portal lost this client's history: see
    /// [`Device::apply_push`]).
    client: Mutex<ClientId>,
    in_flight: Mutex<bool>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("client", &self.client())
            .finish()
    }
}

fn id_key(id: u64) -> String {
    format!("{id:020}")
}

fn record_key(kind: Kind, id: Uuid) -> String {
    format!("{}/{id}", kind.name())
}

fn meta_u64(tx: &mut dyn Tx, key: &str) -> Result<u64> {
    match tx.side_get(META, key)? {
        Some(v) => v.parse().map_err(|_| bad_bookkeeping()),
        None => Ok(0),
    }
}

/// A before-image: the record as confirmed (`None`: it did not exist).
#[derive(Serialize, Deserialize)]
struct Shadow {
    kind: Kind,
    id: Uuid,
    record: Option<Record>,
}

/// Keeps the confirmed version of every record a pending mutation wrote, once (the first
/// write's before-image is the confirmed one).
fn keep_shadows(tx: &mut dyn Tx, befores: &[crate::hub::Before]) -> Result<()> {
    for (kind, id, before) in befores {
        let key = record_key(*kind, *id);
        if tx.side_get(SHADOW, &key)?.is_none() {
            let s = Shadow {
                kind: *kind,
                id: *id,
                record: before.clone(),
            };
            tx.side_put(SHADOW, &key, &to_json(&s))?;
        }
    }
    Ok(())
}

impl Device {
    /// Sync for `actor` (the signed-in user) over the app's `hub`. The first time, makes the
    /// client id (uuid v7, kept in the store); a store that syncs for another actor is
    /// refused (`Forbidden`). Finishes a rebase a crash interrupted.
    pub fn open(hub: Arc<Hub>, actor: Actor) -> Result<Device> {
        let mut w = hub.begin_raw()?;
        let tx = w.tx();
        let client = match tx.side_get(META, "client")? {
            Some(c) => ClientId(Uuid::parse_str(&c).map_err(|_| bad_bookkeeping())?),
            None => {
                let c = ClientId(Uuid::now_v7());
                tx.side_put(META, "client", &c.0.to_string())?;
                tx.side_put(META, "actor", &to_json(&actor))?;
                tx.side_put(META, "next", "1")?;
                c
            }
        };
        let owner: Actor = match tx.side_get(META, "actor")? {
            Some(a) => from_json(&a)?,
            None => actor,
        };
        if owner != actor {
            return Err(Error::forbidden("this app's data syncs for another user"));
        }
        w.commit()?;
        let device = Device {
            hub,
            actor,
            client: Mutex::new(client),
            in_flight: Mutex::new(false),
        };
        device.replay_pending()?;
        Ok(device)
    }

    /// The app's Hub (read it as this device's actor to show the view).
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// The client id.
    pub fn client(&self) -> ClientId {
        *self.client.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The actor this device syncs for.
    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// Runs `command` as the device's actor: applied to the view at once through the same
    /// rules (a refusal writes nothing and queues nothing) and queued in the outbox in the
    /// same transaction, with the next mutation id, the device's time and the id made here
    /// for what it creates (so later commands can refer to it). Returns the record.
    pub fn execute(&self, command: Command) -> Result<Record> {
        let new_id = Uuid::now_v7();
        let at = self.hub.now();
        let origin = Origin {
            id: Some(new_id),
            happened_at: None,
        };
        let queued = command.clone();
        let (record, _) = self.hub.execute_in(
            &self.actor,
            command,
            &origin,
            true,
            &mut |tx, _, befores| {
                let id = meta_u64(tx, "next")?.max(1);
                let m = Mutation {
                    id,
                    at,
                    new_id: Some(new_id),
                    command: queued.clone(),
                };
                keep_shadows(tx, befores)?;
                tx.side_put(OUTBOX, &id_key(id), &to_json(&m))?;
                tx.side_put(META, "next", &(id + 1).to_string())?;
                tx.side_put(META, "replayed", &id.to_string())?;
                Ok(())
            },
        )?;
        Ok(record)
    }

    /// The pending mutations, oldest first.
    pub fn pending(&self) -> Result<Vec<Mutation>> {
        let mut tx = self.hub.store().begin_read()?;
        scan_all(&mut *tx, OUTBOX)?
            .into_iter()
            .map(|(_, v)| from_json(&v))
            .collect()
    }

    /// The next push: the pending mutations the portal has not answered yet (at most
    /// [`MAX_MUTATIONS`]), or `None` when there are none or a push is in flight. Pass the
    /// answer to [`Device::apply_push`], or call [`Device::push_failed`] if none came.
    pub fn push_request(&self) -> Result<Option<PushRequest>> {
        let mut flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        if *flight {
            return Ok(None);
        }
        let mut tx = self.hub.store().begin_read()?;
        let acked = meta_u64(&mut *tx, "acked")?;
        let entries = tx.side_scan(OUTBOX, Some(&id_key(acked)), MAX_MUTATIONS as u32)?;
        if entries.is_empty() {
            return Ok(None);
        }
        let mutations = entries
            .into_iter()
            .map(|(_, v)| from_json(&v))
            .collect::<Result<Vec<Mutation>>>()?;
        *flight = true;
        Ok(Some(PushRequest {
            protocol: PROTOCOL,
            schema: SCHEMA,
            client: self.client(),
            mutations,
        }))
    }

    /// The push in flight got no answer (the transport failed): the next push sends the
    /// same mutations again (the portal answers retries from its stored outcomes).
    pub fn push_failed(&self) {
        *self.in_flight.lock().unwrap_or_else(|p| p.into_inner()) = false;
    }

    /// Takes the portal's answer to the push in flight: refusals are kept for the app
    /// ([`Device::rejected`]); the view changes with the next pull, which brings the
    /// portal's state.
    pub fn apply_push(&self, response: &PushResponse) -> Result<PushSummary> {
        let result =
            self.record_outcomes(response.epoch, response.last_applied, &response.outcomes);
        self.push_failed();
        let rejected = result?;
        Ok(PushSummary {
            applied: response
                .outcomes
                .iter()
                .filter(|o| matches!(o.outcome, Outcome::Applied { .. }))
                .count() as u32,
            rejected,
            last_applied: response.last_applied,
            unavailable: response.unavailable.is_some(),
        })
    }

    /// Keeps the refusals among `outcomes` and advances `acked`; returns how many refusals
    /// were new.
    fn record_outcomes(
        &self,
        epoch: Uuid,
        last_applied: u64,
        outcomes: &[MutationOutcome],
    ) -> Result<u32> {
        let mut w = self.hub.begin_raw()?;
        let noted = note_outcomes(w.tx(), epoch, last_applied, outcomes)?;
        w.commit()?;
        self.adopt(noted.new_client);
        Ok(noted.rejected)
    }

    /// Takes the new client id [`note_outcomes`] made, once its transaction committed.
    fn adopt(&self, client: Option<ClientId>) {
        if let Some(c) = client {
            *self.client.lock().unwrap_or_else(|p| p.into_inner()) = c;
        }
    }

    /// The next pull (after the push: push before pull).
    pub fn pull_request(&self, limit: u32) -> Result<PullRequest> {
        let mut tx = self.hub.store().begin_read()?;
        let cookie = tx.side_get(META, "cookie")?;
        let pending_from = tx
            .side_scan(OUTBOX, None, 1)?
            .first()
            .map(|(k, _)| k.parse::<u64>().map_err(|_| bad_bookkeeping()))
            .transpose()?;
        Ok(PullRequest {
            protocol: PROTOCOL,
            schema: SCHEMA,
            client: self.client(),
            cookie,
            limit,
            pending_from,
        })
    }

    /// Takes the portal's answer to a pull: restores the confirmed state, applies the
    /// changes, drops the mutations the portal decided (keeping refusals for the app) and
    /// replays the ones still pending through the rules. A snapshot's pages are kept aside
    /// and shown only when its last page arrives.
    pub fn apply_pull(&self, response: &PullResponse) -> Result<PullSummary> {
        let mut summary = PullSummary {
            changes: response.changes.len() as u32,
            more: response.more,
            ..Default::default()
        };
        let mut w = self.hub.begin_raw()?;
        if w.tx().side_get(META, "cookie")? != response.after {
            // An answer to another pull (duplicated, or overtaken by a later one): stale.
            summary.changes = 0;
            summary.stale = true;
            return Ok(summary);
        }
        if response.reset {
            let tx = w.tx();
            tx.side_delete(META, "cookie")?;
            tx.side_delete(META, "ready")?;
            clear(tx, STAGE)?;
            w.commit()?;
            summary.reset = true;
            return Ok(summary);
        }
        let noted = note_outcomes(
            w.tx(),
            response.epoch,
            response.last_applied,
            &response.outcomes,
        )?;
        if noted.stale {
            summary.changes = 0;
            summary.stale = true;
            return Ok(summary);
        }
        summary.rejected = noted.rejected;
        // After a new client id nothing pending is decided yet.
        let decided = if noted.new_client.is_some() {
            0
        } else {
            response.last_applied
        };
        if let Some(c) = &response.cookie {
            w.tx().side_put(META, "cookie", c)?;
        }
        if response.snapshot && response.more {
            let tx = w.tx();
            for c in &response.changes {
                let (kind, id) = change_key(c);
                tx.side_put(STAGE, &record_key(kind, id), &to_json(c))?;
            }
            w.commit()?;
            self.adopt(noted.new_client);
            return Ok(summary);
        }
        let mut changes: Vec<Change> = Vec::new();
        if response.snapshot {
            // The last page of a snapshot: the view becomes exactly the snapshot.
            w.bulk();
            for kind in Kind::ALL {
                let q = crate::store::Query::all_of(*kind);
                let ids: Vec<Uuid> = w
                    .tx()
                    .query(&q, &Page::ALL)?
                    .iter()
                    .map(Record::id)
                    .collect();
                for id in ids {
                    w.delete(*kind, id)?;
                }
            }
            clear(w.tx(), SHADOW)?;
            for (_, v) in scan_all(w.tx(), STAGE)? {
                changes.push(from_json(&v)?);
            }
            clear(w.tx(), STAGE)?;
            w.tx().side_put(META, "ready", "1")?;
        } else {
            // Back to the confirmed state: undo what pending mutations wrote (in the order
            // of `apply_order`, for the same reason).
            let mut undo: Vec<Change> = Vec::new();
            for (key, v) in scan_all(w.tx(), SHADOW)? {
                let s: Shadow = from_json(&v)?;
                undo.push(match s.record {
                    Some(record) => Change::Put { record },
                    None => Change::Gone {
                        kind: s.kind,
                        id: s.id,
                    },
                });
                w.tx().side_delete(SHADOW, &key)?;
            }
            undo.sort_by_key(|c| apply_order(c, false));
            for c in &undo {
                match c {
                    Change::Put { record } => w.put(record)?,
                    Change::Gone { kind, id } => w.delete(*kind, *id)?,
                }
            }
        }
        changes.extend(response.changes.iter().cloned());
        changes.sort_by_key(|c| apply_order(c, response.snapshot));
        for c in &changes {
            match c {
                Change::Put { record } => w.put(record)?,
                Change::Gone { kind, id } => w.delete(*kind, *id)?,
            }
        }
        let tx = w.tx();
        for (key, _) in tx.side_scan(OUTBOX, None, u32::MAX)? {
            let id: u64 = key.parse().map_err(|_| bad_bookkeeping())?;
            if id > decided {
                break;
            }
            tx.side_delete(OUTBOX, &key)?;
        }
        tx.side_put(META, "replayed", &decided.to_string())?;
        // The device's own log only repeats what the portal keeps: compact it (a store that
        // cannot keeps it whole).
        let last = tx.last_seq()?;
        if let Err(e) = tx.forget_events(last) {
            if !crate::store::is_unsupported(&e) {
                return Err(e.into());
            }
        }
        w.commit()?;
        self.adopt(noted.new_client);
        summary.ready = self.status()?.ready;
        summary.replayed = self.replay_pending()?;
        Ok(summary)
    }

    /// Replays into the view, in order, the pending mutations not replayed since the last
    /// rebase (each its own transaction, which notes its progress). One the rules now refuse
    /// stays pending without effect: the portal decides it.
    fn replay_pending(&self) -> Result<u32> {
        let pending = {
            let mut tx = self.hub.store().begin_read()?;
            let r = meta_u64(&mut *tx, "replayed")?;
            tx.side_scan(OUTBOX, Some(&id_key(r)), u32::MAX)?
        };
        let mut n = 0;
        for (_, v) in pending {
            let m: Mutation = from_json(&v)?;
            let origin = Origin {
                id: m.new_id,
                happened_at: None,
            };
            let run = self.hub.execute_in(
                &self.actor,
                m.command.clone(),
                &origin,
                true,
                &mut |tx, _, befores| {
                    keep_shadows(tx, befores)?;
                    tx.side_put(META, "replayed", &m.id.to_string())?;
                    Ok(())
                },
            );
            match run {
                Ok(_) => n += 1,
                Err(e) if retryable(&e) => return Err(e),
                Err(_) => {
                    let mut w = self.hub.begin_raw()?;
                    w.tx().side_put(META, "replayed", &m.id.to_string())?;
                    w.commit()?;
                }
            }
        }
        Ok(n)
    }

    /// The mutations the portal refused, oldest first, with why (their content kept).
    pub fn rejected(&self) -> Result<Vec<RejectedMutation>> {
        let mut tx = self.hub.store().begin_read()?;
        scan_all(&mut *tx, REJECTED)?
            .into_iter()
            .map(|(_, v)| from_json(&v))
            .collect()
    }

    /// Forgets a refused mutation the app has shown (nothing when there is none).
    pub fn dismiss(&self, mutation: u64) -> Result<()> {
        let mut w = self.hub.begin_raw()?;
        w.tx().side_delete(REJECTED, &id_key(mutation))?;
        w.commit()
    }

    /// Where sync stands.
    pub fn status(&self) -> Result<SyncStatus> {
        let mut tx = self.hub.store().begin_read()?;
        let pending = scan_all(&mut *tx, OUTBOX)?.len() as u64;
        let rejected = scan_all(&mut *tx, REJECTED)?.len() as u64;
        let ready = tx.side_get(META, "ready")?.is_some();
        Ok(SyncStatus {
            client: self.client(),
            pending,
            in_flight: *self.in_flight.lock().unwrap_or_else(|p| p.into_inner()),
            rejected,
            ready,
        })
    }
}

/// The order a page's changes are written in (the page is one transaction; the order only
/// avoids tripping constraints checked at each write): removals first; then claims that are no
/// longer live before the rest, so a need's new live claim never meets the old one still live
/// (one live claim per need is a unique index; claims' ids follow the devices' clocks, not
/// the portal's order); in a snapshot, referenced kinds before the kinds referring to them, so
/// fewer references wait for their record until commit.
fn apply_order(c: &Change, snapshot: bool) -> (u8, u8, usize) {
    let kind = change_key(c).0;
    let kind_rank = if snapshot {
        Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
    } else {
        0
    };
    match c {
        Change::Gone { .. } => (0, 0, 0),
        Change::Put {
            record: Record::Claim(x),
        } if !x.status.is_live() => (1, 0, kind_rank),
        Change::Put { .. } => (1, 1, kind_rank),
    }
}

fn change_key(c: &Change) -> (Kind, Uuid) {
    match c {
        Change::Put { record } => (record.kind(), record.id()),
        Change::Gone { kind, id } => (*kind, *id),
    }
}

/// What the portal's answer says of this client's history.
struct Noted {
    /// Refusals newly kept.
    rejected: u32,
    /// The answer is from an older epoch of the portal: nothing of it was noted.
    stale: bool,
    /// The portal knows less of this client than it acknowledged before (it was restored
    /// from an older backup): the pending mutations now go out under a new client id.
    new_client: Option<ClientId>,
}

/// The portal lost this client's history (a new epoch, whose last applied id is below what
/// the old one had acknowledged): the pending mutations are queued again, in order, from 1 under a new client
/// id — the portal has none of them (what it had acknowledged after its backup is lost with
/// the backup's later history). The old numbering is never reused.
fn new_client(tx: &mut dyn Tx) -> Result<ClientId> {
    let client = ClientId(Uuid::now_v7());
    let replayed = meta_u64(tx, "replayed")?;
    let pending = scan_all(tx, OUTBOX)?;
    let mut replayed_now = 0;
    for (n, (key, v)) in pending.into_iter().enumerate() {
        let mut m: Mutation = from_json(&v)?;
        let old = m.id;
        m.id = n as u64 + 1;
        if old <= replayed {
            replayed_now = m.id;
        }
        tx.side_delete(OUTBOX, &key)?;
        tx.side_put(OUTBOX, &id_key(m.id), &to_json(&m))?;
    }
    let next = scan_all(tx, OUTBOX)?.len() as u64 + 1;
    tx.side_put(META, "client", &client.0.to_string())?;
    tx.side_put(META, "next", &next.to_string())?;
    tx.side_put(META, "acked", "0")?;
    tx.side_put(META, "replayed", &replayed_now.to_string())?;
    Ok(client)
}

/// Keeps the refusals among `outcomes` (with their mutations, from the outbox) and advances
/// `acked` to `last_applied`; notices a portal that lost this client's history.
fn note_outcomes(
    tx: &mut dyn Tx,
    epoch: Uuid,
    last_applied: u64,
    outcomes: &[MutationOutcome],
) -> Result<Noted> {
    let known = match tx.side_get(META, "epoch")? {
        Some(e) => Some(Uuid::parse_str(&e).map_err(|_| bad_bookkeeping())?),
        None => None,
    };
    if known.is_some_and(|k| epoch < k) {
        // From before the portal's restore (a late answer): says nothing of now.
        return Ok(Noted {
            rejected: 0,
            new_client: None,
            stale: true,
        });
    }
    if known != Some(epoch) {
        tx.side_put(META, "epoch", &epoch.to_string())?;
        if known.is_some() && last_applied < meta_u64(tx, "acked")? {
            return Ok(Noted {
                rejected: 0,
                new_client: Some(new_client(tx)?),
                stale: false,
            });
        }
    }
    let mut n = 0;
    for o in outcomes {
        if !matches!(o.outcome, Outcome::Rejected { .. }) {
            continue;
        }
        let key = id_key(o.id);
        if tx.side_get(REJECTED, &key)?.is_some() {
            continue;
        }
        let Some(m) = tx.side_get(OUTBOX, &key)? else {
            continue;
        };
        let r = RejectedMutation {
            mutation: from_json(&m)?,
            outcome: o.outcome.clone(),
        };
        tx.side_put(REJECTED, &key, &to_json(&r))?;
        n += 1;
    }
    if last_applied > meta_u64(tx, "acked")? {
        tx.side_put(META, "acked", &last_applied.to_string())?;
    }
    Ok(Noted {
        rejected: n,
        new_client: None,
        stale: false,
    })
}

//! The portal's side of sync: [`push`] runs each queued mutation through the Hub in its own
//! transaction and stores its outcome beside it; [`pull`] serves the scope's changes, masked
//! for the pulling actor, behind an opaque cookie.
//!
//! Bookkeeping lives in the store's side table (`Tx::side_*`), written in the same
//! transaction as the records it describes:
//!
//! | space | key | value |
//! |---|---|---|
//! | `sync.client` | client id | the client's actor and last applied mutation id |
//! | `sync.outcome` | `client/id` (id zero-padded) | the outcome, the device's and the portal's times, and for a refusal the mutation itself |
//! | `store` | `epoch` | the store's sync epoch (not carried by a backup: a restore makes a new one) |

use super::*;
use crate::error::Result;
use crate::hub::{record_view, Hub, Origin};
use crate::model::{Actor, Member, MemberId, Unit, UnitId};
use crate::store::{
    ActivityFilter, ClaimFilter, MemberFilter, NeedFilter, OfferFilter, Page, Query, TeamFilter,
    Tx, TxExt,
};
use std::collections::{BTreeSet, HashMap};

const CLIENTS: &str = "sync.client";
const OUTCOMES: &str = "sync.outcome";

/// What the portal keeps per client.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ClientState {
    actor: Actor,
    last: u64,
}

/// One stored outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    outcome: Outcome,
    /// The device's time of the mutation.
    at: DateTime<Utc>,
    /// The portal's time of the outcome.
    decided_at: DateTime<Utc>,
    /// For a refusal: the mutation, kept for the committee's staff to see and reuse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mutation: Option<Mutation>,
    /// For a refusal: who pushed it and the committee it was pushed at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    actor: Option<Actor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    committee: Option<UnitId>,
}

/// A refused mutation as the portal keeps it for the committee's staff: what was done
/// offline is never lost ([`rejected`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRejection {
    /// The app that pushed it.
    pub client: ClientId,
    /// Who pushed it.
    pub actor: Actor,
    /// The mutation as pushed (its notes, evidence and hours included).
    pub mutation: Mutation,
    /// Why it was refused.
    pub outcome: Outcome,
    /// When the portal refused it.
    pub decided_at: DateTime<Utc>,
}

fn outcome_key(client: ClientId, id: u64) -> String {
    format!("{}/{id:020}", client.0)
}

fn client_state(tx: &mut dyn Tx, client: ClientId) -> Result<Option<ClientState>> {
    match tx.side_get(CLIENTS, &client.0.to_string())? {
        Some(v) => Ok(Some(from_json(&v)?)),
        None => Ok(None),
    }
}

/// A client id is bound to the actor of its first push or pull: another actor may not use it.
fn check_actor(state: Option<&ClientState>, actor: &Actor) -> Result<()> {
    match state {
        Some(s) if s.actor != *actor => {
            Err(Error::forbidden("this sync client belongs to another user"))
        }
        _ => Ok(()),
    }
}

/// Applies a push from `actor` (authenticated by the host): each mutation in its own
/// transaction, in order. A mutation at or below the client's last applied id answers its
/// stored outcome; a gap stops the batch; a refusal by the rules is stored as
/// [`Outcome::Rejected`] and advances the client's last id, so one refusal never blocks the
/// queue; a failure of the store stops the batch with `unavailable` set (push again later).
pub fn push(hub: &Hub, actor: &Actor, request: &PushRequest) -> Result<PushResponse> {
    hub.writable("sync_push")?;
    let client = request.client;
    let (state, epoch) = {
        let mut tx = hub.store().begin_read()?;
        (client_state(&mut *tx, client)?, epoch_in(&mut *tx)?)
    };
    check_actor(state.as_ref(), actor)?;
    let epoch = match epoch {
        Some(e) => e,
        None => make_epoch(hub)?,
    };
    let mut last = state.map_or(0, |s| s.last);
    let mut outcomes = Vec::new();
    let mut unavailable = None;
    for step in plan_push(last, request) {
        match step {
            Step::Replay { id } => {
                if let Some(o) = stored_outcome(hub, client, id)? {
                    outcomes.push(MutationOutcome { id, outcome: o });
                }
            }
            Step::Gap { .. } => break,
            Step::Apply { index } => {
                let m = &request.mutations[index];
                match apply(hub, actor, client, m) {
                    Ok(o) => {
                        last = m.id;
                        outcomes.push(MutationOutcome {
                            id: m.id,
                            outcome: o,
                        });
                    }
                    Err(e) => {
                        unavailable = Some(e.to_string());
                        break;
                    }
                }
            }
        }
    }
    Ok(PushResponse {
        protocol: PROTOCOL,
        schema: SCHEMA,
        epoch,
        last_applied: last,
        outcomes,
        unavailable,
    })
}

fn stored_outcome(hub: &Hub, client: ClientId, id: u64) -> Result<Option<Outcome>> {
    let mut tx = hub.store().begin_read()?;
    Ok(match tx.side_get(OUTCOMES, &outcome_key(client, id))? {
        Some(v) => Some(from_json::<Stored>(&v)?.outcome),
        None => None,
    })
}

/// Runs one mutation; its outcome (applied or refused) is committed with the client's new
/// last id. `Err` only for a retryable failure (nothing of the mutation was kept).
fn apply(hub: &Hub, actor: &Actor, client: ClientId, m: &Mutation) -> Result<Outcome> {
    let origin = Origin {
        id: m.new_id,
        happened_at: Some(m.at),
    };
    // Another push of the same client may have applied it meanwhile (a retry racing the
    // original): checked inside the transaction, which then rolls back.
    let mut raced = false;
    let run = hub.execute_in(
        actor,
        m.command.clone(),
        &origin,
        false,
        &mut |tx, event, _| {
            let state = client_state(tx, client)?;
            if state.as_ref().is_some_and(|s| s.last >= m.id) {
                raced = true;
                return Err(Error::conflict("sync: mutation already applied"));
            }
            let outcome = Outcome::Applied { seq: event.seq };
            write_outcome(tx, actor, client, m, outcome, event.at, None)?;
            Ok(())
        },
    );
    match run {
        Ok((_, seq)) => Ok(Outcome::Applied { seq }),
        Err(_) if raced => Ok(
            stored_outcome(hub, client, m.id)?.unwrap_or(Outcome::Rejected {
                kind: ErrorKind::Conflict,
                field: None,
                reason: "applied by a concurrent push".into(),
            }),
        ),
        Err(e) if retryable(&e) => Err(e),
        Err(e) => {
            let outcome = Outcome::rejected(&e);
            let mut w = hub.begin_raw()?;
            let tx = w.tx();
            let state = client_state(tx, client)?;
            if state.as_ref().is_some_and(|s| s.last >= m.id) {
                drop(w);
                return Ok(stored_outcome(hub, client, m.id)?.unwrap_or(outcome));
            }
            let committee = actor_committee(tx, actor)?;
            write_outcome(
                tx,
                actor,
                client,
                m,
                outcome.clone(),
                hub.now(),
                Some(committee),
            )?;
            w.commit()?;
            Ok(outcome)
        }
    }
}

fn write_outcome(
    tx: &mut dyn Tx,
    actor: &Actor,
    client: ClientId,
    m: &Mutation,
    outcome: Outcome,
    decided_at: DateTime<Utc>,
    refused_at: Option<Option<UnitId>>,
) -> Result<()> {
    let state = ClientState {
        actor: *actor,
        last: m.id,
    };
    tx.side_put(CLIENTS, &client.0.to_string(), &to_json(&state))?;
    let stored = Stored {
        outcome,
        at: m.at,
        decided_at,
        mutation: refused_at.map(|_| m.clone()),
        actor: refused_at.map(|_| *actor),
        committee: refused_at.flatten(),
    };
    tx.side_put(OUTCOMES, &outcome_key(client, m.id), &to_json(&stored))?;
    Ok(())
}

/// The committee an actor works at (a member's, a staff member's unit), if any.
fn actor_committee(tx: &mut dyn Tx, actor: &Actor) -> Result<Option<UnitId>> {
    Ok(match actor {
        Actor::Member { member } => tx.load::<Member>(member)?.and_then(|m| m.committee),
        Actor::CommitteeStaff { unit } => Some(*unit),
        _ => None,
    })
}

/// The refused mutations pushed at committees within `unit`, for its staff (and the system)
/// to see and reuse: the content of work done offline is never lost. Others are refused.
pub fn rejected(hub: &Hub, actor: &Actor, unit: UnitId) -> Result<Vec<StoredRejection>> {
    let mut tx = hub.store().begin_read()?;
    let path = tx
        .load::<Unit>(&unit)?
        .ok_or_else(|| Error::not_found("unit", unit))?
        .path;
    if !(matches!(actor, Actor::System) || crate::rules::authz::is_staff_over(actor, &path)) {
        return Err(Error::forbidden(
            "only the committee's staff read refused mutations",
        ));
    }
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    let mut within: HashMap<UnitId, bool> = HashMap::new();
    loop {
        let batch = tx.side_scan(OUTCOMES, after.as_deref(), 1000)?;
        let Some((last, _)) = batch.last() else { break };
        after = Some(last.clone());
        for (key, value) in batch {
            let s: Stored = from_json(&value)?;
            let (Some(mutation), Some(by), Some(c)) = (s.mutation, s.actor, s.committee) else {
                continue;
            };
            if !is_within(&mut *tx, &mut within, c, unit)? {
                continue;
            }
            let client = key
                .split('/')
                .next()
                .and_then(|c| Uuid::parse_str(c).ok())
                .map(ClientId)
                .ok_or_else(bad_bookkeeping)?;
            out.push(StoredRejection {
                client,
                actor: by,
                mutation,
                outcome: s.outcome,
                decided_at: s.decided_at,
            });
        }
    }
    Ok(out)
}

fn is_within(
    tx: &mut dyn Tx,
    cache: &mut HashMap<UnitId, bool>,
    unit: UnitId,
    scope: UnitId,
) -> Result<bool> {
    if let Some(b) = cache.get(&unit) {
        return Ok(*b);
    }
    let b = tx.load::<Unit>(&unit)?.is_some_and(|u| u.is_within(scope));
    cache.insert(unit, b);
    Ok(b)
}

// ------------------------------------------------------------------ pull

/// Who pulls, and the unit their scope is: a member's committee, a staff member's unit, a
/// district admin's district. Others do not sync.
fn scope_of(tx: &mut dyn Tx, actor: &Actor) -> Result<UnitId> {
    match actor {
        Actor::Member { member } => tx
            .load::<Member>(member)?
            .and_then(|m| m.committee)
            .ok_or_else(|| Error::forbidden("a member syncs once reported to a committee")),
        Actor::CommitteeStaff { unit } => Ok(*unit),
        Actor::DistrictAdmin { district } => Ok(*district),
        other => Err(Error::forbidden(format!(
            "a {} does not sync",
            other.kind_str().replace('_', " ")
        ))),
    }
}

/// Where a pull stands (inside the opaque cookie).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Sending the scope's records as of event `base`: kind index, after id.
    Snapshot {
        base: u64,
        kind: usize,
        after: Option<Uuid>,
    },
    /// Sending the changes of the events after `seq`.
    Events { seq: u64 },
}

/// The cookie's content: opaque to the app.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cookie {
    epoch: Uuid,
    scope: String,
    policy: u32,
    phase: Phase,
}

impl Cookie {
    fn encode(&self) -> String {
        let phase = match self.phase {
            Phase::Snapshot { base, kind, after } => format!(
                "s.{base}.{kind}.{}",
                after.map_or_else(|| "-".to_string(), |a| a.simple().to_string())
            ),
            Phase::Events { seq } => format!("e.{seq}"),
        };
        format!(
            "{PROTOCOL}.{}.{}.{}.{phase}",
            self.epoch.simple(),
            self.scope,
            self.policy
        )
    }

    fn decode(text: &str) -> Option<Cookie> {
        let parts: Vec<&str> = text.split('.').collect();
        if parts.first()? != &PROTOCOL.to_string().as_str() || parts.len() < 6 {
            return None;
        }
        let epoch = Uuid::parse_str(parts[1]).ok()?;
        let scope = parts[2].to_string();
        let policy = parts[3].parse().ok()?;
        let phase = match (parts[4], parts.len()) {
            ("e", 6) => Phase::Events {
                seq: parts[5].parse().ok()?,
            },
            ("s", 8) => Phase::Snapshot {
                base: parts[5].parse().ok()?,
                kind: parts[6].parse().ok()?,
                after: match parts[7] {
                    "-" => None,
                    a => Some(Uuid::parse_str(a).ok()?),
                },
            },
            _ => return None,
        };
        Some(Cookie {
            epoch,
            scope,
            policy,
            phase,
        })
    }
}

/// The scope's name in a cookie: who pulls and the unit (a cookie made for one actor or unit
/// answers `reset` for another).
fn scope_tag(actor: &Actor, unit: UnitId) -> String {
    let who = match actor {
        Actor::Member { member } => format!("m{}", member.0.simple()),
        Actor::CommitteeStaff { unit } => format!("s{}", unit.0.simple()),
        Actor::DistrictAdmin { district } => format!("a{}", district.0.simple()),
        _ => "x".to_string(),
    };
    format!("{who}-{}", unit.0.simple())
}

/// The store's sync epoch as `tx` sees it (`None` before the store first served sync).
fn epoch_in(tx: &mut dyn Tx) -> Result<Option<Uuid>> {
    Ok(tx
        .side_get("store", "epoch")?
        .and_then(|v| Uuid::parse_str(&v).ok()))
}

/// Makes the store's sync epoch (a new store, a restored one), unless a concurrent caller
/// just did.
fn make_epoch(hub: &Hub) -> Result<Uuid> {
    let mut w = hub.begin_raw()?;
    let tx = w.tx();
    if let Some(e) = epoch_in(tx)? {
        return Ok(e);
    }
    let e = Uuid::now_v7();
    tx.side_put("store", "epoch", &e.to_string())?;
    w.commit()?;
    Ok(e)
}

/// What is in a pull's scope, with the paths read so far.
struct Scope {
    actor: Actor,
    unit: UnitId,
    within: HashMap<UnitId, bool>,
}

impl Scope {
    fn holds(&mut self, tx: &mut dyn Tx, committee: UnitId) -> Result<bool> {
        is_within(tx, &mut self.within, committee, self.unit)
    }

    /// The record as the pulling actor may see it, if it is in the scope.
    fn view(&mut self, tx: &mut dyn Tx, r: Record) -> Result<Option<Record>> {
        let inside = match &r {
            // The residence tree, work units, organisations, the taxonomy and the working
            // calendar are small and public: a device holds all of them (what its records refer to is always there).
            Record::Unit(_)
            | Record::WorkUnit(_)
            | Record::Category(_)
            | Record::Organisation(_)
            | Record::CalendarYear(_) => true,
            Record::Member(m) => {
                matches!(self.actor, Actor::Member { member } if member == m.id)
                    || match m.committee {
                        Some(c) => self.holds(tx, c)?,
                        None => false,
                    }
            }
            Record::LedgerEntry(_) => false,
            Record::Resident(x) => self.holds(tx, x.committee)?,
            Record::Need(x) => self.holds(tx, x.committee)?,
            // A claim on a need the actor may not know of would tell of the need.
            Record::Claim(x) => {
                self.holds(tx, x.committee)?
                    && match tx.load::<crate::model::Need>(&x.need)? {
                        Some(n) => record_view(tx, &self.actor, Record::Need(n))?.is_some(),
                        None => false,
                    }
            }
            Record::Team(x) => self.holds(tx, x.committee)?,
            Record::Hours(x) => self.holds(tx, x.committee)?,
            Record::Activity(x) => self.holds(tx, x.committee)?,
            Record::Role(x) => self.holds(tx, x.committee)?,
            Record::Pairing(x) => self.holds(tx, x.committee)?,
            Record::Offer(x) => self.holds(tx, x.committee)?,
            Record::Household(x) => self.holds(tx, x.committee)?,
            // Certificates are the committee's files, checked at the portal: never synced.
            Record::ServiceCertificate(_) => false,
            Record::Correction(x) => self.holds(tx, x.committee)?,
        };
        if !inside {
            return Ok(None);
        }
        record_view(tx, &self.actor, r)
    }
}

/// The members a record refers to (a device holds every member its records name, masked as
/// the actor may see them, so its view never refers to a record it lacks).
fn members_named(r: &Record) -> Vec<MemberId> {
    match r {
        Record::Need(n) => n.drafted_by.into_iter().collect(),
        Record::Claim(c) => {
            let mut v: Vec<MemberId> = c.claimed_by.into_iter().collect();
            if let crate::model::Claimant::Member(m) = c.claimant {
                v.push(m);
            }
            v
        }
        Record::Team(t) => t
            .captain
            .into_iter()
            .chain(t.members.iter().copied())
            .collect(),
        Record::Role(x) => vec![x.member],
        Record::Pairing(x) => vec![x.member],
        Record::Hours(x) => vec![x.member],
        Record::Offer(x) => match x.to {
            crate::model::Claimant::Member(m) => vec![m],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Adds to `out` a put of every member the page's records name that the page does not carry.
fn add_named_members(tx: &mut dyn Tx, scope: &Scope, out: &mut Vec<Change>) -> Result<()> {
    let mut have: BTreeSet<Uuid> = BTreeSet::new();
    let mut named: Vec<MemberId> = Vec::new();
    for c in out.iter() {
        if let Change::Put { record } = c {
            if let Record::Member(m) = record {
                have.insert(m.id.0);
            }
            named.extend(members_named(record));
        }
    }
    for m in named {
        if have.insert(m.0) {
            if let Some(member) = tx.load::<Member>(&m)? {
                if let Some(v) = record_view(tx, &scope.actor, Record::Member(member))? {
                    out.push(Change::Put { record: v });
                }
            }
        }
    }
    Ok(())
}

/// The query that reads the scope's records of one kind (narrowed to the unit where the
/// store can; [`Scope::view`] decides the rest).
fn scope_query(kind: Kind, unit: UnitId) -> Query {
    let unit = Some(unit);
    match kind {
        Kind::Unit => Query::Units {
            parent: None,
            kind: None,
        },
        Kind::WorkUnit => Query::WorkUnits,
        Kind::Organisation => Query::Organisations,
        Kind::Category => Query::Categories,
        Kind::Member => Query::Members(MemberFilter {
            unit,
            ..Default::default()
        }),
        Kind::LedgerEntry => Query::Ledger {
            work_unit: None,
            member: Some(MemberId(Uuid::nil())),
        },
        Kind::Resident => Query::Residents { unit },
        Kind::Need => Query::Needs(NeedFilter {
            unit,
            ..Default::default()
        }),
        Kind::Claim => Query::Claims(ClaimFilter {
            unit,
            ..Default::default()
        }),
        Kind::Team => Query::Teams(TeamFilter {
            unit,
            ..Default::default()
        }),
        Kind::Hours => Query::Hours {
            member: None,
            unit,
            status: None,
        },
        Kind::Activity => Query::Activities(ActivityFilter {
            unit,
            ..Default::default()
        }),
        Kind::Role => Query::Roles {
            unit,
            member: None,
            current_only: false,
        },
        Kind::Pairing => Query::Pairings {
            unit,
            member: None,
            resident: None,
            current_only: false,
        },
        Kind::Offer => Query::Offers(OfferFilter {
            unit,
            ..Default::default()
        }),
        Kind::Household => Query::Households { unit },
        // Certificates are the committee's files: they are checked at the portal, not synced.
        Kind::ServiceCertificate => Query::ServiceCertificates {
            number: Some(String::new()),
            member: None,
        },
        Kind::Correction => Query::Corrections { unit },
        Kind::CalendarYear => Query::CalendarYears,
    }
}

/// Serves a pull from `actor` (authenticated by the host): the changes of its scope after the
/// request's cookie, masked exactly as the Hub's reads mask them for that actor. Without a
/// cookie, a complete snapshot of the scope in pages (`snapshot` set), then the changes since
/// it was taken. An unknown cookie, or one from another epoch (the store was restored), scope
/// or masking policy answers `reset`. Pages end on transaction boundaries.
pub fn pull(hub: &Hub, actor: &Actor, request: &PullRequest) -> Result<PullResponse> {
    let limit = match request.limit {
        0 => 1000,
        n => n.min(MAX_PULL),
    } as usize;
    let mut tx = hub.store().begin_read()?;
    let epoch = match epoch_in(&mut *tx)? {
        Some(e) => e,
        None => {
            // Made outside the read (a store may not write while a reader of the same
            // handle waits), then read on.
            drop(tx);
            let e = make_epoch(hub)?;
            tx = hub.store().begin_read()?;
            e
        }
    };
    let state = client_state(&mut *tx, request.client)?;
    check_actor(state.as_ref(), actor)?;
    let unit = scope_of(&mut *tx, actor)?;
    let tag = scope_tag(actor, unit);
    let last_applied = state.map_or(0, |s| s.last);
    let mut outcomes = Vec::new();
    if let Some(from) = request.pending_from.filter(|f| *f <= last_applied) {
        let start = from.max(last_applied.saturating_sub(MAX_MUTATIONS as u64 - 1));
        // Keys are `client/id`: start right after this client's id `start - 1` (or its prefix).
        let after = if start > 1 {
            outcome_key(request.client, start - 1)
        } else {
            format!("{}/", request.client.0)
        };
        let wanted = (last_applied - start + 1).min(MAX_MUTATIONS as u64) as u32;
        for (key, value) in tx.side_scan(OUTCOMES, Some(&after), wanted)? {
            let Some(id) = key
                .strip_prefix(&format!("{}/", request.client.0))
                .and_then(|i| i.parse::<u64>().ok())
            else {
                break;
            };
            outcomes.push(MutationOutcome {
                id,
                outcome: from_json::<Stored>(&value)?.outcome,
            });
        }
    }
    let mut response = PullResponse {
        protocol: PROTOCOL,
        schema: SCHEMA,
        epoch,
        reset: false,
        after: request.cookie.clone(),
        cookie: None,
        snapshot: false,
        last_applied,
        outcomes,
        changes: Vec::new(),
        more: false,
    };
    let phase = match &request.cookie {
        None => Phase::Snapshot {
            base: tx.last_seq()?,
            kind: 0,
            after: None,
        },
        Some(text) => match Cookie::decode(text) {
            Some(c) if c.epoch == epoch && c.scope == tag && c.policy == POLICY => c.phase,
            _ => {
                response.reset = true;
                response.outcomes.clear();
                return Ok(response);
            }
        },
    };
    if tx.load::<Unit>(&unit)?.is_none() {
        return Err(Error::not_found("unit", unit));
    }
    let mut scope = Scope {
        actor: *actor,
        unit,
        within: HashMap::new(),
    };
    let last_seq = tx.last_seq()?;
    let next = match phase {
        Phase::Snapshot { base, kind, after } => {
            response.snapshot = true;
            let next = snapshot_page(
                &mut *tx,
                &mut scope,
                base,
                kind,
                after,
                limit,
                &mut response,
            )?;
            match next {
                // The snapshot's last page also carries every change since it began, read in
                // the same transaction: pages read at different times may name records made
                // after `base`, and the device applies the whole snapshot at once.
                Phase::Events { seq } => {
                    events_page(&mut *tx, &mut scope, seq, usize::MAX, &mut response)?
                }
                more => more,
            }
        }
        Phase::Events { seq } => events_page(&mut *tx, &mut scope, seq, limit, &mut response)?,
    };
    add_named_members(&mut *tx, &scope, &mut response.changes)?;
    response.more = match next {
        Phase::Snapshot { .. } => true,
        Phase::Events { seq } => seq < last_seq,
    };
    response.cookie = Some(
        Cookie {
            epoch,
            scope: tag,
            policy: POLICY,
            phase: next,
        }
        .encode(),
    );
    Ok(response)
}

fn snapshot_page(
    tx: &mut dyn Tx,
    scope: &mut Scope,
    base: u64,
    mut kind: usize,
    mut after: Option<Uuid>,
    limit: usize,
    out: &mut PullResponse,
) -> Result<Phase> {
    while kind < Kind::ALL.len() {
        let k = Kind::ALL[kind];
        if k == Kind::LedgerEntry {
            kind += 1;
            after = None;
            continue;
        }
        let want = limit.saturating_sub(out.changes.len());
        if want == 0 {
            return Ok(Phase::Snapshot { base, kind, after });
        }
        let page = Page {
            after,
            limit: Some(want as u32),
        };
        let records = tx.query(&scope_query(k, scope.unit), &page)?;
        let full = records.len() == want;
        for r in records {
            after = Some(r.id());
            if let Some(v) = scope.view(tx, r)? {
                out.changes.push(Change::Put { record: v });
            }
        }
        if !full {
            kind += 1;
            after = None;
        }
    }
    Ok(Phase::Events { seq: base })
}

fn events_page(
    tx: &mut dyn Tx,
    scope: &mut Scope,
    seq: u64,
    limit: usize,
    out: &mut PullResponse,
) -> Result<Phase> {
    let mut touched: Vec<(Kind, Uuid)> = Vec::new();
    let mut seen: BTreeSet<(Kind, Uuid)> = BTreeSet::new();
    let mut cursor = seq;
    'pages: loop {
        let batch = tx.events_since(cursor, 500)?;
        if batch.is_empty() {
            break;
        }
        for e in batch {
            if touched.len() >= limit {
                break 'pages;
            }
            cursor = e.seq;
            if let Some(c) = e.committee {
                if !scope.holds(tx, c)? {
                    continue;
                }
            }
            for r in &e.changes {
                let mut add = |k: Kind, id: Uuid| {
                    if seen.insert((k, id)) {
                        touched.push((k, id));
                    }
                };
                add(r.kind(), r.id());
                // Who may see a resident in full follows the claims on their needs: a change
                // of a need or a claim sends its resident again, masked anew.
                match r {
                    Record::Need(n) => {
                        if let Some(resident) = n.resident {
                            add(Kind::Resident, resident.0);
                        }
                        // Whether its claims may be known follows the need.
                        let claims = tx.query(
                            &Query::Claims(ClaimFilter {
                                need: Some(n.id),
                                ..Default::default()
                            }),
                            &Page::ALL,
                        )?;
                        for c in claims {
                            add(Kind::Claim, c.id());
                        }
                    }
                    Record::Claim(c) => {
                        if let Some(crate::model::Need {
                            resident: Some(resident),
                            ..
                        }) = tx.load::<crate::model::Need>(&c.need)?
                        {
                            add(Kind::Resident, resident.0);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    for (kind, id) in touched {
        let now = tx.get(kind, id)?;
        let change = match now {
            Some(r) => match scope.view(tx, r)? {
                Some(v) => Change::Put { record: v },
                // Members are public: one outside the scope is sent only when a record names
                // them (`add_named_members`), and never taken away (records may name them).
                None if kind == Kind::Member => continue,
                None => Change::Gone { kind, id },
            },
            None => Change::Gone { kind, id },
        };
        out.changes.push(change);
    }
    Ok(Phase::Events { seq: cursor })
}

/// [`push`] from and to bytes, for a host that only moves them: a malformed request is
/// `Invalid` naming the part (never echoing it).
pub fn serve_push(hub: &Hub, actor: &Actor, body: &[u8]) -> Result<Vec<u8>> {
    hub.writable("sync_push")?;
    let request = decode_push_request(body)?;
    Ok(encode(&push(hub, actor, &request)?))
}

/// [`pull`] from and to bytes (see [`serve_push`]).
pub fn serve_pull(hub: &Hub, actor: &Actor, body: &[u8]) -> Result<Vec<u8>> {
    let request = decode_pull_request(body)?;
    Ok(encode(&pull(hub, actor, &request)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_round_trip_and_refuse_garbage() {
        for phase in [
            Phase::Events { seq: 42 },
            Phase::Snapshot {
                base: 7,
                kind: 3,
                after: Some(Uuid::now_v7()),
            },
            Phase::Snapshot {
                base: 0,
                kind: 0,
                after: None,
            },
        ] {
            let c = Cookie {
                epoch: Uuid::now_v7(),
                scope: scope_tag(
                    &Actor::CommitteeStaff {
                        unit: UnitId::new(),
                    },
                    UnitId::new(),
                ),
                policy: POLICY,
                phase,
            };
            assert_eq!(Cookie::decode(&c.encode()), Some(c));
        }
        for bad in [
            "",
            "1",
            "2.x.y.1.e.4",
            "1.zz.s-s.1.e.4",
            "1.00000000000000000000000000000000.t.1.q.4",
        ] {
            assert_eq!(Cookie::decode(bad), None, "{bad}");
        }
    }
}

//! The [`Hub`]: the one entry point. Each command runs as authorize → load → rules → write +
//! event, inside one write transaction of the [`Store`]; a serialization conflict runs the
//! whole command again, a bounded number of times.

mod cells;
mod exec;
mod frame;
mod ledger;
mod query;
mod raw;
mod report;
mod service;

pub use query::*;
pub use service::CertificateCheck;

use crate::clock::{Clock, SystemClock};
use crate::command::{
    Command, DefineCategory, Execute, ExpireNeed, LapseClaim, LapseOffer, NextOccurrence,
    WarnClaimDue,
};
use crate::error::{Error, Result, StoreError};
use crate::model::*;
use crate::rules::{audit, authz, validate};
use crate::store::memory::MemoryStore;
use crate::store::{
    ClaimFilter, Entity, Event, NeedFilter, OfferFilter, Page, Query, Record, Store, Tx, TxExt,
};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// Policies a deployment may tune.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubConfig {
    /// Live claims one member may hold at once, across all committees.
    pub max_open_claims_per_member: u32,
    /// How long before its promised date a claim gets the due-soon warning.
    pub warn_before: Duration,
    /// How often a claim's promised date may be extended.
    pub max_extensions: u32,
    /// How often a command is run again after a serialization conflict before `Conflict`.
    pub max_retries: u32,
    /// The largest page a read may ask for; a larger `limit` is refused (`Invalid` naming
    /// `limit`), 0 asks for the default of 50.
    pub max_page: u32,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            max_open_claims_per_member: 3,
            warn_before: Duration::days(3),
            max_extensions: 2,
            max_retries: 10,
            max_page: 1000,
        }
    }
}

impl HubConfig {
    /// Checks that every policy is within its sane range.
    pub fn validate(&self) -> Result<()> {
        let bad =
            |field: &str, reason: &str| Err(Error::invalid(format!("config.{field}"), reason));
        if self.max_retries > 100 {
            return bad("max_retries", "at most 100");
        }
        if self.warn_before < Duration::zero() || self.warn_before > Duration::days(365) {
            return bad("warn_before", "between 0 and 365 days");
        }
        if self.max_page == 0 || self.max_page > 100_000 {
            return bad("max_page", "between 1 and 100000");
        }
        if self.max_extensions > 1000 {
            return bad("max_extensions", "at most 1000");
        }
        if self.max_open_claims_per_member == 0 {
            return bad("max_open_claims_per_member", "at least 1");
        }
        Ok(())
    }
}

/// How a `Conflict` from running out of retries begins (sync tells it from a refusal: it is
/// worth trying again later).
pub(crate) const GAVE_UP: &str = "concurrent changes; gave up after";

/// Where a command comes from, beyond its actor: for one an app queued offline and pushed
/// later ([`Hub::execute_with`], sync).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Origin {
    /// The id the app made (uuid v7) for the record the command creates, so its later queued
    /// commands can refer to it. Ignored by a command that creates nothing; a command whose
    /// record of that kind already has this id is refused (`Invalid` naming `id`).
    pub id: Option<Uuid>,
    /// When the command was issued on the device: recorded in the event beside the Hub's
    /// own time ([`Event::happened_at`]), never used to decide anything.
    pub happened_at: Option<DateTime<Utc>>,
}

impl Origin {
    /// Refuses an id that is not a uuid v7 (`Invalid` naming `id`).
    fn check(&self) -> Result<()> {
        match self.id {
            Some(id) if id.get_version_num() != 7 => Err(Error::invalid("id", "must be a uuid v7")),
            _ => Ok(()),
        }
    }
}

/// What one [`Hub::tick`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct TickSummary {
    /// Claims that got the due-soon warning.
    pub warned: u32,
    /// Claims that lapsed back to the library.
    pub lapsed: u32,
    /// Needs that expired unclaimed.
    pub expired: u32,
    /// Offers of needs that lapsed unanswered.
    #[serde(default)]
    pub offers_lapsed: u32,
    /// Occurrences of recurring needs published.
    #[serde(default)]
    pub occurrences: u32,
}

/// The one entry point. Cheap to share: `Hub` is `Send + Sync`; wrap it in an `Arc` to use it
/// from several threads.
pub struct Hub {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: HubConfig,
    observers: std::sync::RwLock<Vec<Observer>>,
    /// Every write refused (a read-only store, or [`Hub::into_read_only`]).
    read_only: bool,
}

/// A function the Hub calls with every event it commits (see [`Hub::on_commit`]).
pub type Observer = Arc<dyn Fn(&Event) + Send + Sync>;

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("backend", &self.store.backend_name())
            .field("config", &self.config)
            .finish()
    }
}

/// A written record as the audit log keeps it (see [`audit`]).
fn record_for_log(r: Record) -> Record {
    match r {
        Record::Resident(x) => Record::Resident(audit::resident_for_log(&x)),
        other => other,
    }
}

/// Why a command attempt failed: a domain error (final) or a store error (maybe retried).
#[derive(Debug)]
pub(crate) enum Fail {
    Domain(Error),
    Store(StoreError),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Domain(e)
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Fail::Store(e)
    }
}

/// What a handler works with: the transaction, the time, the actor, and what it wrote.
pub(crate) struct Ctx<'a> {
    tx: Box<dyn Tx + 'a>,
    pub(crate) now: DateTime<Utc>,
    pub(crate) actor: Actor,
    pub(crate) config: &'a HubConfig,
    changes: Vec<Record>,
    committee: Option<UnitId>,
    /// Report-cell upkeep, when the store keeps cells: the groups this command touched.
    upkeep: Option<cells::Upkeep>,
    /// Records of the kinds reports count ([`cells::counted`]) as last loaded or written in
    /// this command (kept only with `upkeep`, which needs each as it was before a write).
    seen: cells::Seen,
    /// The id the caller made for what the command creates ([`Origin::id`]), until used.
    made: Option<Uuid>,
    /// Every record as it was before this command's first write to it, when the caller asked
    /// for them (`execute_in`'s `befores`).
    befores: Option<Vec<Before>>,
}

/// A record as it was before a command's first write to it (`None`: it did not exist).
pub(crate) type Before = (Kind, Uuid, Option<Record>);

/// What `Hub::execute_in` runs in the command's transaction before it commits.
pub(crate) type Also<'a> = dyn FnMut(&mut dyn Tx, &Event, &[Before]) -> Result<(), Error> + 'a;

impl Ctx<'_> {
    fn load<E: Entity + Clone>(&mut self, id: &E::Id) -> Result<E, Fail> {
        let found = self
            .tx
            .load::<E>(id)?
            .ok_or_else(|| Fail::Domain(Error::not_found(E::KIND.name(), id)))?;
        if self.upkeep.is_some() && cells::counted(E::KIND) {
            self.seen
                .insert((E::KIND, E::uuid(id)), found.clone().into_record());
        }
        Ok(found)
    }

    /// The transaction, for reads a handler shares with the Hub's read side.
    fn tx_mut(&mut self) -> &mut dyn Tx {
        &mut *self.tx
    }

    /// Loads a record that may not exist (`None`), without an error naming it.
    fn tx_load<E: Entity + Clone>(&mut self, id: &E::Id) -> Result<Option<E>, Fail> {
        Ok(self.tx.load::<E>(id)?)
    }

    fn select<E: Entity>(&mut self, q: &Query) -> Result<Vec<E>, Fail> {
        Ok(self.tx.select::<E>(q, &Page::ALL)?)
    }

    fn count(&mut self, q: &Query) -> Result<u64, Fail> {
        Ok(self.tx.count(q)?)
    }

    /// The id of the record a command creates: the one its caller made
    /// ([`Origin::id`], once; refused when a record of `kind` already has it), or a new one.
    fn new_id(&mut self, kind: Kind) -> Result<Uuid, Fail> {
        let Some(id) = self.made.take() else {
            return Ok(Uuid::now_v7());
        };
        if self.tx.get(kind, id)?.is_some() {
            return Err(Error::invalid("id", "is already taken").into());
        }
        Ok(id)
    }

    fn put<E: Entity + Clone>(&mut self, e: E) -> Result<E, Fail> {
        let r = e.clone().into_record();
        let (kind, id) = (r.kind(), r.id());
        if let Some(befores) = self.befores.as_mut() {
            if !befores.iter().any(|(k, i, _)| *k == kind && *i == id) {
                let before = match self.seen.get(&(kind, id)) {
                    Some(known) => Some(known.clone()),
                    None => self.tx.get(kind, id)?,
                };
                befores.push((kind, id, before));
            }
        }
        if let Some(upkeep) = self.upkeep.as_mut().filter(|_| cells::counted(kind)) {
            let before = match self.seen.get(&(kind, id)) {
                Some(known) => Some(known.clone()),
                None => self.tx.get(kind, id)?,
            };
            upkeep.before_put(&mut *self.tx, &r, before.as_ref(), &self.seen)?;
            self.seen.insert((kind, id), r.clone());
        }
        self.tx.put(&r)?;
        match self
            .changes
            .iter_mut()
            .find(|c| c.kind() == kind && c.id() == id)
        {
            Some(slot) => *slot = r,
            None => self.changes.push(r),
        }
        Ok(e)
    }

    fn path(&mut self, unit: UnitId) -> Result<Vec<UnitId>, Fail> {
        Ok(self.load::<Unit>(&unit)?.path)
    }

    /// Loads a unit that must be a residents' committee.
    fn committee(&mut self, unit: UnitId, field: &str) -> Result<Unit, Fail> {
        let u: Unit = self.load(&unit)?;
        if u.kind != UnitKind::Committee {
            return Err(Error::invalid(field, "is not a residents' committee").into());
        }
        Ok(u)
    }

    fn require(&self, principals: &[authz::Principal<'_>], action: &str) -> Result<(), Fail> {
        Ok(authz::require(&self.actor, principals, action)?)
    }

    /// The committee the event concerns.
    fn scope(&mut self, committee: UnitId) {
        self.committee = Some(committee);
    }
}

impl Hub {
    /// A Hub over `store`, with the system clock and default policies. Seeds the needs
    /// taxonomy into an empty store.
    pub fn new(store: impl Store + 'static) -> Result<Self> {
        Self::with(store, SystemClock, HubConfig::default())
    }

    /// A Hub with an explicit clock and policies.
    pub fn with(
        store: impl Store + 'static,
        clock: impl Clock + 'static,
        config: HubConfig,
    ) -> Result<Self> {
        config.validate()?;
        let read_only = store.is_read_only();
        let hub = Hub {
            store: Arc::new(store),
            clock: Arc::new(clock),
            config,
            observers: std::sync::RwLock::new(Vec::new()),
            read_only,
        };
        if !read_only {
            hub.seed_taxonomy()?;
        }
        Ok(hub)
    }

    /// The embedded default opened read-only: a Hub over the existing SQLite database at
    /// `path`, opened with `SQLITE_OPEN_READONLY` (see `SqliteOptions::read_only`). Every
    /// read works; every command, [`Hub::tick`] and every other write is refused with
    /// [`Error::IllegalState`] (`entity` `hub`, `state` `read_only`) before it begins, and
    /// SQLite refuses any write beneath. The file must exist with the current schema.
    #[cfg(feature = "sqlite")]
    pub fn open_read_only(path: impl AsRef<std::path::Path>) -> Result<Self> {
        Self::open_with(
            path,
            crate::store::sqlite::SqliteOptions {
                read_only: true,
                ..Default::default()
            },
        )
    }

    /// This Hub, refusing every write from now on as a read-only one does (for a store that
    /// cannot be opened read-only itself: PostgreSQL — where a role with only `SELECT`
    /// rights is the server's own guard — or memory).
    pub fn into_read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// Whether every write is refused ([`Hub::open_read_only`], [`Hub::into_read_only`]).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// `IllegalState` for `action` on a read-only Hub.
    pub(crate) fn writable(&self, action: &str) -> Result<()> {
        self.writable_for(|| action.to_string())
    }

    /// [`Hub::writable`] with the action named only when refused (a command's tag is built
    /// then, not on every command).
    fn writable_for(&self, action: impl FnOnce() -> String) -> Result<()> {
        if self.read_only {
            return Err(Error::IllegalState {
                entity: "hub".into(),
                state: "read_only".into(),
                action: action(),
            });
        }
        Ok(())
    }

    /// The embedded default: a Hub over the SQLite database at `path` (created if missing;
    /// its schema migrated to this version).
    #[cfg(feature = "sqlite")]
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Self> {
        Self::new(crate::store::sqlite::SqliteStore::open(path)?)
    }

    /// Like [`Hub::open`], with explicit SQLite options (e.g. `synchronous=NORMAL` for a
    /// bulk load).
    #[cfg(feature = "sqlite")]
    pub fn open_with(
        path: impl AsRef<std::path::Path>,
        options: crate::store::sqlite::SqliteOptions,
    ) -> Result<Self> {
        Self::new(crate::store::sqlite::SqliteStore::open_with(path, options)?)
    }

    /// The embedded default, encrypted at rest: a Hub over the SQLite database at `path`
    /// encrypted with `key` (created encrypted if missing; its schema migrated to this
    /// version). The same as [`Hub::open`] but for the key, which is applied first on every
    /// connection and checked before anything is written: a wrong key, a key for a plain
    /// file, or [`Hub::open`] on an encrypted file is [`Error::Invalid`] with field `key`, and
    /// the file is left exactly as it was. With explicit options:
    /// `Hub::new(SqliteStore::open_encrypted_with(path, key, options)?)`. To encrypt an
    /// existing plain file, change a key or decrypt, see
    /// [`SqliteStore::encrypt`](crate::store::sqlite::SqliteStore::encrypt),
    /// [`rekey`](crate::store::sqlite::SqliteStore::rekey) and
    /// [`decrypt`](crate::store::sqlite::SqliteStore::decrypt) (on a closed database).
    ///
    /// ```no_run
    /// # fn main() -> needbridge::Result<()> {
    /// use needbridge::{Hub, Key};
    /// // A passphrase (key derived by PBKDF2), or Key::raw([u8; 32]) from the platform's keystore.
    /// let hub = Hub::open_encrypted("district.db", Key::passphrase("the host's secret")?)?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "sqlite")]
    pub fn open_encrypted(
        path: impl AsRef<std::path::Path>,
        key: crate::store::sqlite::Key,
    ) -> Result<Self> {
        Self::new(crate::store::sqlite::SqliteStore::open_encrypted(
            path, key,
        )?)
    }

    /// A Hub over a PostgreSQL database (`url` in libpq form, `host=… user=… dbname=…`, or a
    /// `postgresql://` URL); its schema is migrated to this version.
    #[cfg(feature = "postgres")]
    pub fn connect_postgres(url: &str) -> Result<Self> {
        Self::new(crate::store::postgres::PostgresStore::connect(url)?)
    }

    /// A Hub over a fresh in-memory store (tests, caches).
    pub fn in_memory() -> Self {
        Self::new(MemoryStore::new()).expect("seeding an empty memory store cannot fail")
    }

    /// The policies in force.
    pub fn config(&self) -> &HubConfig {
        &self.config
    }

    /// The current time of the Hub's clock, in whole microseconds (what every backend
    /// stores exactly).
    pub fn now(&self) -> DateTime<Utc> {
        validate::to_micros(self.clock.now())
    }

    /// The store under this Hub (read-only uses: dumps, reports).
    pub(crate) fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// Removes from the backend's files the old copies of what commits removed or
    /// overwrote (SQLite: checkpoints and truncates the WAL). Every erasure does this itself;
    /// call it again when one returned while a long read held the WAL. `Conflict` means a
    /// reader still holds it.
    pub fn purge(&self) -> Result<()> {
        Ok(self.store.purge()?)
    }

    /// The backend's name (`memory`, `sqlite`, `postgres`).
    pub fn backend_name(&self) -> &'static str {
        self.store.backend_name()
    }

    /// Defines every default category the store lacks (each its own command, so a crash
    /// part-way is completed on the next open; a concurrent opener's `Conflict` is harmless).
    fn seed_taxonomy(&self) -> Result<()> {
        let existing =
            self.read(|tx| Ok(tx.select::<Category>(&Query::Categories, &Page::ALL)?))?;
        let missing = crate::taxonomy::DEFAULT_CATEGORIES
            .iter()
            .filter(|(code, _, _)| !existing.iter().any(|c| c.code == *code));
        for (code, zh, en) in missing {
            let cmd = DefineCategory {
                code: (*code).into(),
                name_zh: (*zh).into(),
                name_en: (*en).into(),
                parent: None,
                committee: None,
            };
            match self.run(&Actor::System, cmd) {
                Ok(_) | Err(Error::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Runs a typed command and returns the record it created or changed.
    pub fn run<C: Execute>(&self, actor: &Actor, command: C) -> Result<C::Output> {
        let record = self.execute(actor, command.into())?;
        C::Output::from_record(record).ok_or_else(|| Error::Storage {
            message: "command returned a record of an unexpected kind".into(),
        })
    }

    /// Runs any command (for example one queued by an app while offline) and returns the
    /// record it created or changed. Validates first; a refused command writes nothing.
    pub fn execute(&self, actor: &Actor, command: Command) -> Result<Record> {
        self.execute_with(actor, command, &Origin::default())
    }

    /// Like [`Hub::execute`], for a command made elsewhere (an app's queued mutation): with
    /// the id the app made for what it creates and the time it happened there.
    pub fn execute_with(&self, actor: &Actor, command: Command, origin: &Origin) -> Result<Record> {
        self.execute_in(actor, command, origin, false, &mut |_, _, _| Ok(()))
            .map(|(record, _)| record)
    }

    /// Runs a command like [`Hub::execute_with`] and, before its transaction commits, `also`
    /// with the transaction and the event: sync stores a mutation's outcome, or a device its outbox
    /// entry, in the same transaction as the command's writes. Returns the record and the
    /// event's sequence number. With `befores`, `also` gets every record as it was before the
    /// command's first write to it (a device keeps them to undo its pending mutations on a
    /// rebase). `also` may run more than once (a serialization conflict runs
    /// the whole command again); an error from it rolls everything back.
    pub(crate) fn execute_in(
        &self,
        actor: &Actor,
        mut command: Command,
        origin: &Origin,
        befores: bool,
        also: &mut Also<'_>,
    ) -> Result<(Record, u64)> {
        self.writable_for(|| command.tag())?;
        origin.check()?;
        validate::normalize(&mut command, self.now())?;
        let mut attempt = 0u32;
        loop {
            match self.attempt(actor, &command, origin, befores, also) {
                Ok(r) => return Ok(r),
                Err(Fail::Domain(e)) => return Err(e),
                Err(Fail::Store(StoreError::Serialization(_)))
                    if attempt < self.config.max_retries =>
                {
                    attempt += 1;
                    // Back off a little, growing, so contenders spread out.
                    std::thread::sleep(std::time::Duration::from_micros(
                        200 * u64::from(attempt) + u64::from(attempt.pow(2)) * 50,
                    ));
                }
                Err(Fail::Store(StoreError::Serialization(_))) => {
                    return Err(Error::conflict(format!(
                        "{GAVE_UP} {} retries",
                        self.config.max_retries
                    )))
                }
                Err(Fail::Store(e)) => return Err(e.into()),
            }
        }
    }

    fn attempt(
        &self,
        actor: &Actor,
        command: &Command,
        origin: &Origin,
        befores: bool,
        also: &mut Also<'_>,
    ) -> Result<(Record, u64), Fail> {
        let now = self.now();
        let tx = self.store.begin_write()?;
        let upkeep = tx.keeps_report_cells().then(cells::Upkeep::default);
        let mut ctx = Ctx {
            tx,
            now,
            actor: *actor,
            config: &self.config,
            changes: Vec::new(),
            committee: None,
            upkeep,
            seen: HashMap::new(),
            made: origin.id,
            befores: befores.then(Vec::new),
        };
        let out = exec::run(&mut ctx, command)?;
        let Ctx {
            mut tx,
            changes,
            committee,
            upkeep,
            befores,
            ..
        } = ctx;
        if let Some(upkeep) = upkeep {
            // What the command changed in the report cells, decided here, stored by the store.
            let delta = upkeep.finish(&mut *tx, &changes)?;
            if !delta.0.is_empty() {
                tx.add_report_cells(&delta)?;
            }
        }
        let seq = tx.last_seq()? + 1;
        let event = Event {
            id: EventId::new(),
            seq,
            at: now,
            happened_at: origin.happened_at,
            actor: *actor,
            kind: command.event_kind().to_string(),
            committee,
            // Residents' personal data never enters the log (rules::audit).
            command: audit::command_for_log(command),
            changes: changes.into_iter().map(record_for_log).collect(),
        };
        tx.append_event(&event)?;
        also(&mut *tx, &event, befores.as_deref().unwrap_or_default())?;
        tx.commit()?;
        if matches!(command, Command::EraseResident(_)) {
            // The erasure is committed; leave no older copy in the backend's files. A reader
            // holding the WAL just now delays that to the next purge (`Hub::purge`).
            let _ = self.store.purge();
        }
        self.notify(&event);
        Ok((out, seq))
    }

    /// Calls `observer` with every event this Hub commits from now on, after the commit, on
    /// the committing thread (so it may be called from several threads at once). The event
    /// is the unmasked audit record: the host decides what of it to show to whom. Keep
    /// observers quick — refresh a list, post a notification — and never call back into a
    /// write from one.
    pub fn on_commit(&self, observer: impl Fn(&Event) + Send + Sync + 'static) {
        self.observers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(Arc::new(observer));
    }

    fn notify(&self, event: &Event) {
        let observers: Vec<Observer> = self
            .observers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for o in observers {
            o(event);
        }
    }

    /// Runs `f` in a read transaction.
    fn read<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let mut tx = self.store.begin_read().map_err(Error::from)?;
        f(&mut *tx)
    }

    /// The scheduler's pass (as the system): warns claims whose promised date is within
    /// [`HubConfig::warn_before`], lapses claims past their promised date (the need returns to
    /// the library), and expires unclaimed needs past their wanted-by date. Each change is its
    /// own command and event. Hosts call it periodically (a cron job, an app on resume).
    pub fn tick(&self) -> Result<TickSummary> {
        self.writable("tick")?;
        let now = self.now();
        let mut summary = TickSummary::default();
        let due = self.read(|tx| {
            Ok(tx.select::<Claim>(
                &Query::Claims(ClaimFilter {
                    statuses: vec![ClaimStatus::Active, ClaimStatus::InProgress],
                    promised_before: Some(now + self.config.warn_before),
                    ..Default::default()
                }),
                &Page::ALL,
            )?)
        })?;
        let skip = |r: Result<()>| match r {
            Ok(()) | Err(Error::IllegalState { .. }) => Ok(()),
            Err(e) => Err(e),
        };
        for c in due {
            if c.promised_by < now {
                skip(
                    self.run(&Actor::System, LapseClaim { claim: c.id })
                        .map(|_| summary.lapsed += 1),
                )?;
            } else if c.warned_at.is_none() {
                skip(
                    self.run(&Actor::System, WarnClaimDue { claim: c.id })
                        .map(|_| summary.warned += 1),
                )?;
            }
        }
        let stale = self.read(|tx| {
            Ok(tx.select::<Need>(
                &Query::Needs(NeedFilter {
                    statuses: vec![NeedStatus::Published, NeedStatus::Reopened],
                    wanted_before: Some(now),
                    ..Default::default()
                }),
                &Page::ALL,
            )?)
        })?;
        for n in stale {
            skip(
                self.run(&Actor::System, ExpireNeed { need: n.id })
                    .map(|_| summary.expired += 1),
            )?;
        }
        let due = self.read(|tx| {
            Ok(tx.select::<Need>(
                &Query::Needs(NeedFilter {
                    due_before: Some(now + chrono::Duration::microseconds(1)),
                    ..Default::default()
                }),
                &Page::ALL,
            )?)
        })?;
        for n in due {
            skip(
                self.run(&Actor::System, NextOccurrence { need: n.id })
                    .map(|x| summary.occurrences += u32::from(x.id != n.id)),
            )?;
        }
        let unanswered = self.read(|tx| {
            Ok(tx.select::<Offer>(
                &Query::Offers(OfferFilter {
                    statuses: vec![OfferStatus::Open],
                    expires_before: Some(now + chrono::Duration::microseconds(1)),
                    ..Default::default()
                }),
                &Page::ALL,
            )?)
        })?;
        for o in unanswered {
            skip(
                self.run(&Actor::System, LapseOffer { offer: o.id })
                    .map(|_| summary.offers_lapsed += 1),
            )?;
        }
        Ok(summary)
    }
}

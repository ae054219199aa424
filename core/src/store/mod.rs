//! Storage behind traits.
//!
//! A [`Store`] opens transactions; a [`Tx`] reads and writes whole records and appends
//! events. Backends are dumb on purpose: they keep records and answer [`Query`]s, and hold no
//! domain rules — those live in [`crate::rules`] and are applied by the [`Hub`](crate::Hub).
//!
//! # Contract every backend keeps
//!
//! The conformance suite (`tests/`) checks each point on every backend.
//!
//! 1. **Isolation.** Write transactions are serializable: the result of running any set of
//!    write transactions concurrently equals running them one after another. A backend that
//!    cannot serialize a transaction fails it — at any call, including [`Tx::commit`] — with
//!    [`StoreError::Serialization`]; the Hub then runs the whole command again.
//! 2. **Atomicity.** Nothing a transaction wrote is visible to anyone, or survives, unless
//!    [`Tx::commit`] returned `Ok`. Dropping a transaction without committing rolls it back.
//! 3. **Durability.** Once `commit` returned `Ok`, the change survives a crash of the process.
//! 4. **Read your writes.** Inside a transaction, [`Tx::get`] and [`Tx::query`] see that
//!    transaction's own [`Tx::put`]s.
//! 5. **Records round-trip.** What `put` stored, `get` returns equal (`==`), field for field.
//! 6. **Events.** [`Tx::append_event`] receives events whose `seq` is `last_seq() + 1`; the log
//!    is gap-free and ordered by `seq`. [`Tx::events_since`] returns events with `seq > after`,
//!    ascending, at most `limit`.
//! 7. **Queries.** [`Tx::query`] returns exactly the records for which
//!    [`Query::matches`] holds, ordered by id ascending (ids are uuid v7, so this is creation
//!    order), starting after [`Page::after`] and at most [`Page::limit`] of them.
//! 8. **Read transactions** ([`Store::begin_read`]) see one consistent, committed state; a
//!    backend may refuse `put` and `append_event` in them.

#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod cells;
pub mod memory;
#[cfg(feature = "postgres")]
pub mod postgres;
mod query;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
pub mod sqlite;

pub use query::*;

use crate::command::Command;
use crate::error::StoreError;
use crate::model::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A whole record of one entity kind: what backends store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
pub enum Record {
    /// A unit of the residence tree.
    Unit(Unit),
    /// A work unit.
    WorkUnit(WorkUnit),
    /// An enterprise or social organisation.
    Organisation(Organisation),
    /// A category of the needs taxonomy.
    Category(Category),
    /// A member.
    Member(Member),
    /// An entry of a work unit's ledger.
    LedgerEntry(LedgerEntry),
    /// A resident.
    Resident(Resident),
    /// A need.
    Need(Need),
    /// A claim.
    Claim(Claim),
    /// A volunteer team.
    Team(Team),
    /// Logged service hours.
    Hours(Hours),
    /// A counted activity.
    Activity(Activity),
    /// A three-heads role.
    Role(Role),
    /// A pairing.
    Pairing(Pairing),
}

/// The kind of a [`Record`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// [`Record::Unit`]
    Unit,
    /// [`Record::WorkUnit`]
    WorkUnit,
    /// [`Record::Organisation`]
    Organisation,
    /// [`Record::Category`]
    Category,
    /// [`Record::Member`]
    Member,
    /// [`Record::LedgerEntry`]
    LedgerEntry,
    /// [`Record::Resident`]
    Resident,
    /// [`Record::Need`]
    Need,
    /// [`Record::Claim`]
    Claim,
    /// [`Record::Team`]
    Team,
    /// [`Record::Hours`]
    Hours,
    /// [`Record::Activity`]
    Activity,
    /// [`Record::Role`]
    Role,
    /// [`Record::Pairing`]
    Pairing,
}

impl Kind {
    /// The kind's name as used in errors and SQL table names (`need`, `work_unit`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Unit => "unit",
            Kind::WorkUnit => "work_unit",
            Kind::Organisation => "organisation",
            Kind::Category => "category",
            Kind::Member => "member",
            Kind::LedgerEntry => "ledger_entry",
            Kind::Resident => "resident",
            Kind::Need => "need",
            Kind::Claim => "claim",
            Kind::Team => "team",
            Kind::Hours => "hours",
            Kind::Activity => "activity",
            Kind::Role => "role",
            Kind::Pairing => "pairing",
        }
    }

    /// Every kind.
    pub const ALL: &'static [Kind] = &[
        Kind::Unit,
        Kind::WorkUnit,
        Kind::Organisation,
        Kind::Category,
        Kind::Member,
        Kind::LedgerEntry,
        Kind::Resident,
        Kind::Need,
        Kind::Claim,
        Kind::Team,
        Kind::Hours,
        Kind::Activity,
        Kind::Role,
        Kind::Pairing,
    ];
}

macro_rules! record_impls {
    ($($variant:ident => $id:ident),+ $(,)?) => {
        impl Record {
            /// The record's kind.
            pub fn kind(&self) -> Kind {
                match self { $(Record::$variant(_) => Kind::$variant),+ }
            }
            /// The record's id.
            pub fn id(&self) -> Uuid {
                match self { $(Record::$variant(r) => r.id.0),+ }
            }
        }
        $(
            impl Entity for $variant {
                type Id = $id;
                const KIND: Kind = Kind::$variant;
                fn from_record(r: Record) -> Option<Self> {
                    match r { Record::$variant(x) => Some(x), _ => None }
                }
                fn into_record(self) -> Record { Record::$variant(self) }
                fn uuid(id: &$id) -> Uuid { id.0 }
            }
        )+
    };
}

record_impls!(
    Unit => UnitId,
    WorkUnit => WorkUnitId,
    Organisation => OrganisationId,
    Category => CategoryId,
    Member => MemberId,
    LedgerEntry => LedgerEntryId,
    Resident => ResidentId,
    Need => NeedId,
    Claim => ClaimId,
    Team => TeamId,
    Hours => HoursId,
    Activity => ActivityId,
    Role => RoleId,
    Pairing => PairingId,
);

/// A typed view of one [`Record`] variant.
pub trait Entity: Sized {
    /// Its id type.
    type Id: std::fmt::Display;
    /// Its kind.
    const KIND: Kind;
    /// Unwraps the record if it is of this kind.
    fn from_record(r: Record) -> Option<Self>;
    /// Wraps it.
    fn into_record(self) -> Record;
    /// The id's uuid.
    fn uuid(id: &Self::Id) -> Uuid;
}

/// One entry of the audit trail: appended by every change, in the same transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Event {
    /// uuid v7.
    pub id: EventId,
    /// Gap-free sequence number, from 1.
    pub seq: u64,
    /// When the change was committed (the Hub's clock).
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: Actor,
    /// What happened, e.g. `need_claimed` (the command's event kind).
    pub kind: String,
    /// The committee the change concerns, when there is one: scopes who may read the event.
    pub committee: Option<UnitId>,
    /// The command, as received (validated and normalised).
    #[cfg_attr(
        feature = "describe",
        schemars(with = "serde_json::Map<String, serde_json::Value>")
    )]
    pub command: Command,
    /// Every record the change wrote, after the change: replaying these rebuilds the state.
    #[cfg_attr(
        feature = "describe",
        schemars(with = "Vec<serde_json::Map<String, serde_json::Value>>")
    )]
    pub changes: Vec<Record>,
}

/// A storage backend.
pub trait Store: Send + Sync {
    /// Begins a write transaction (serializable; see the module contract).
    fn begin_write(&self) -> Result<Box<dyn Tx + '_>, StoreError>;
    /// Begins a read-only transaction over one consistent committed state.
    fn begin_read(&self) -> Result<Box<dyn Tx + '_>, StoreError>;
    /// Begins a read-only transaction like [`Store::begin_read`], for reading whole tables
    /// ([`Tx::columns`]): a backend may hold more than one connection in it, every one on the
    /// same committed state, and read with them in parallel — but must not wait for a writer
    /// to get them. The default is `begin_read`.
    fn begin_read_wide(&self) -> Result<Box<dyn Tx + '_>, StoreError> {
        self.begin_read()
    }
    /// A short name of the backend (`memory`, `sqlite`, `postgres`).
    fn backend_name(&self) -> &'static str;
    /// Makes what committed changes removed or overwrote unrecoverable from the backend's
    /// own files where they can linger (SQLite: the WAL), so an erasure leaves no copy
    /// behind. The Hub calls it after an erasure commits. The default does nothing (the
    /// memory store keeps no old copies; PostgreSQL's old row versions are not reachable
    /// through SQL or a dump and are reclaimed by its vacuum).
    fn purge(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// A transaction. See the module documentation for the contract.
pub trait Tx {
    /// Reads one record by kind and id.
    fn get(&mut self, kind: Kind, id: Uuid) -> Result<Option<Record>, StoreError>;
    /// Inserts or replaces a record (by kind and id).
    fn put(&mut self, record: &Record) -> Result<(), StoreError>;
    /// Records matching `query`, ordered by id, paginated by `page`.
    fn query(&mut self, query: &Query, page: &Page) -> Result<Vec<Record>, StoreError>;
    /// How many records `query` selects (what `query(query, &Page::ALL).len()` would be,
    /// without reading them: SQL backends count in SQL).
    fn count(&mut self, query: &Query) -> Result<u64, StoreError> {
        Ok(self.query(query, &Page::ALL)?.len() as u64)
    }
    /// The highest event sequence number (0 when the log is empty).
    fn last_seq(&mut self) -> Result<u64, StoreError>;
    /// Appends an event; its `seq` is `last_seq() + 1`.
    fn append_event(&mut self, event: &Event) -> Result<(), StoreError>;
    /// Events with `seq > after`, ascending, at most `limit`.
    fn events_since(&mut self, after: u64, limit: u32) -> Result<Vec<Event>, StoreError>;
    /// Makes every write of this transaction durable and visible.
    fn commit(self: Box<Self>) -> Result<(), StoreError>;

    /// Computes a report's figures natively (SQL backends aggregate in SQL), or `None` to let
    /// the Hub compute them from [`Tx::query`] with the reference definitions in
    /// [`crate::report`]. Whatever a backend returns must equal the reference exactly.
    fn report(&mut self, request: &ReportRequest) -> Result<Option<ReportData>, StoreError> {
        let _ = request;
        Ok(None)
    }

    /// Bulk writes: turns the upkeep of derived data (SQL backends' report cells) off (or
    /// back on) for the rest of this transaction, so each `put` only writes its rows. Whoever
    /// turns it off must call [`Tx::rebuild_derived`] — in this transaction or a later one —
    /// before reports are read again. Backends without derived data ignore it.
    fn set_derived_upkeep(&mut self, on: bool) {
        let _ = on;
    }

    /// The records `query` selects, as frame columns read straight from storage (see
    /// [`crate::frame`]), or `None` to let the Hub build them from records. Backends that
    /// answer must return exactly the columns, in the order and with the values, that the
    /// Hub builds for the same records (the acceptance suite compares them).
    fn columns(
        &mut self,
        query: &Query,
    ) -> Result<Option<Vec<(String, crate::frame::Column)>>, StoreError> {
        let _ = query;
        Ok(None)
    }

    /// Rebuilds all derived data from the rows (after bulk writes, or a database edited by
    /// hand). Backends without derived data do nothing.
    fn rebuild_derived(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Contract point 8 for backends: writes are refused in a read transaction.
pub(crate) fn check_writable(writable: bool) -> Result<(), StoreError> {
    if writable {
        Ok(())
    } else {
        Err(StoreError::Backend("write in a read transaction".into()))
    }
}

/// Contract point 6 for backends: `event` must carry the next sequence number after `last`.
pub(crate) fn check_next_seq(last: u64, event: &Event) -> Result<(), StoreError> {
    let expected = last + 1;
    if event.seq == expected {
        Ok(())
    } else {
        Err(StoreError::Backend(format!(
            "event seq {} out of order (expected {expected})",
            event.seq
        )))
    }
}

/// Typed helpers over any [`Tx`].
pub trait TxExt: Tx {
    /// Reads a typed record.
    fn load<E: Entity>(&mut self, id: &E::Id) -> Result<Option<E>, StoreError> {
        Ok(self.get(E::KIND, E::uuid(id))?.and_then(E::from_record))
    }
    /// Typed query results.
    fn select<E: Entity>(&mut self, query: &Query, page: &Page) -> Result<Vec<E>, StoreError> {
        Ok(self
            .query(query, page)?
            .into_iter()
            .filter_map(E::from_record)
            .collect())
    }
}

impl<T: Tx + ?Sized> TxExt for T {}

impl<S: Store + ?Sized> Store for std::sync::Arc<S> {
    fn begin_write(&self) -> Result<Box<dyn Tx + '_>, StoreError> {
        (**self).begin_write()
    }
    fn begin_read(&self) -> Result<Box<dyn Tx + '_>, StoreError> {
        (**self).begin_read()
    }
    fn begin_read_wide(&self) -> Result<Box<dyn Tx + '_>, StoreError> {
        (**self).begin_read_wide()
    }
    fn backend_name(&self) -> &'static str {
        (**self).backend_name()
    }
    fn purge(&self) -> Result<(), StoreError> {
        (**self).purge()
    }
}

/// Every query that returns all records of one kind.
fn all_of(kind: Kind) -> Query {
    match kind {
        Kind::Unit => Query::Units {
            parent: None,
            kind: None,
        },
        Kind::WorkUnit => Query::WorkUnits,
        Kind::Organisation => Query::Organisations,
        Kind::Category => Query::Categories,
        Kind::Member => Query::Members(MemberFilter::default()),
        Kind::LedgerEntry => Query::Ledger {
            work_unit: None,
            member: None,
        },
        Kind::Resident => Query::Residents { unit: None },
        Kind::Need => Query::Needs(NeedFilter::default()),
        Kind::Claim => Query::Claims(ClaimFilter::default()),
        Kind::Team => Query::Teams(TeamFilter::default()),
        Kind::Hours => Query::Hours {
            member: None,
            unit: None,
            status: None,
        },
        Kind::Activity => Query::Activities(ActivityFilter::default()),
        Kind::Role => Query::Roles {
            unit: None,
            member: None,
            current_only: false,
        },
        Kind::Pairing => Query::Pairings {
            unit: None,
            member: None,
            resident: None,
            current_only: false,
        },
    }
}

/// The whole committed state of any store — every record and the whole event log — as one
/// value, in one read transaction: for backups, for moving data between backends, and for
/// comparing backends in tests.
pub fn dump(store: &dyn Store) -> Result<memory::MemorySnapshot, StoreError> {
    let mut tx = store.begin_read()?;
    let mut snap = memory::MemorySnapshot::default();
    for kind in Kind::ALL {
        let records = tx.query(&all_of(*kind), &Page::ALL)?;
        if !records.is_empty() {
            snap.records
                .insert(*kind, records.into_iter().map(|r| (r.id(), r)).collect());
        }
    }
    let mut after = 0;
    loop {
        let batch = tx.events_since(after, 10_000)?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        snap.events.extend(batch);
    }
    Ok(snap)
}

/// Writes a whole state (from [`dump`] or [`memory::MemoryStore::snapshot`]) into an
/// **empty** store, records and event log alike, in one write transaction: for moving data
/// between backends (a phone's cache into a portal's database) and for restoring backups.
pub fn restore(snapshot: &memory::MemorySnapshot, store: &dyn Store) -> Result<(), StoreError> {
    let mut tx = store.begin_write()?;
    if tx.last_seq()? != 0 {
        return Err(StoreError::Backend("restore needs an empty store".into()));
    }
    tx.set_derived_upkeep(false);
    for kind in Kind::ALL {
        if let Some(m) = snapshot.records.get(kind) {
            for r in m.values() {
                tx.put(r)?;
            }
        }
    }
    tx.rebuild_derived()?;
    for e in &snapshot.events {
        tx.append_event(e)?;
    }
    tx.commit()
}

/// What a report asks of a store: see [`crate::report`].
pub use crate::report::{ReportData, ReportRequest};

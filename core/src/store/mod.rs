//! Storage behind traits.
//!
//! A [`Store`] opens transactions; a [`Tx`] reads and writes whole records and appends
//! events. Backends are dumb on purpose: they keep records and answer [`Query`]s, and hold no
//! domain rules — those live in [`crate::rules`] and are applied by the [`Hub`](crate::Hub).
//!
//! # Contract every backend keeps
//!
//! The conformance kit (`needbridge::testing`, feature `testing`; docs/TESTING-A-STORE.md) checks
//! each point on every backend, the project's three and any other.
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
//! 9. **Deletes and the side table** (what sync needs; optional, the defaults refuse):
//!    [`Tx::delete`] removes a record, after which `get` returns `None` and no query selects
//!    it; [`Tx::side_put`]/[`Tx::side_get`]/[`Tx::side_delete`]/[`Tx::side_scan`] keep text
//!    values under `(space, key)` with the same isolation, atomicity and durability as
//!    records; spaces are independent; `side_scan` is ordered by key (byte order) and
//!    [`Tx::side_spaces`] lists the spaces that hold entries. Keys, spaces and values are any
//!    text without NUL (PostgreSQL cannot store it).

mod backup;
pub mod memory;
#[cfg(feature = "postgres")]
pub mod postgres;
mod query;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
pub mod sqlite;

pub use backup::{dump, rebuild_report_cells, restore};
pub use query::*;

pub use crate::event::Event;
pub use crate::model::{Entity, Kind, Record};

use crate::error::StoreError;
use uuid::Uuid;

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
    /// Whether this store was opened read-only (SQLite's `SqliteOptions::read_only`): the
    /// Hub then refuses every write before it begins one. `false` by default.
    fn is_read_only(&self) -> bool {
        false
    }
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

    /// Removes a record (by kind and id); removing one that is not there does nothing. Sync
    /// uses it (a device's view drops what its pending mutations made when the server
    /// refused them, and what left its scope). The default refuses: a backend that does not
    /// implement it cannot hold a device's view.
    fn delete(&mut self, kind: Kind, id: Uuid) -> Result<(), StoreError> {
        let _ = (kind, id);
        Err(unsupported("delete"))
    }

    /// The **side table**: text values under `(space, key)`, written and read in the same
    /// transaction as the records. Sync keeps its bookkeeping there (a portal's stored
    /// outcomes per client, a device's outbox, cookie and before-images; see
    /// [`crate::sync`]). A store only keeps the values: what they mean is the core's. The
    /// defaults refuse: a backend without a side table cannot serve or hold sync.
    fn side_get(&mut self, space: &str, key: &str) -> Result<Option<String>, StoreError> {
        let _ = (space, key);
        Err(unsupported("side_get"))
    }
    /// Sets the value under `(space, key)`, replacing any.
    fn side_put(&mut self, space: &str, key: &str, value: &str) -> Result<(), StoreError> {
        let _ = (space, key, value);
        Err(unsupported("side_put"))
    }
    /// Removes the value under `(space, key)`; removing one that is not there does nothing.
    fn side_delete(&mut self, space: &str, key: &str) -> Result<(), StoreError> {
        let _ = (space, key);
        Err(unsupported("side_delete"))
    }
    /// The entries of `space` with key `> after` (all with `None`), ascending by key (byte
    /// order of the UTF-8 text), at most `limit`.
    fn side_scan(
        &mut self,
        space: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let _ = (space, after, limit);
        Err(unsupported("side_scan"))
    }
    /// The spaces that hold at least one entry, ascending (byte order), each once: what
    /// [`dump`] walks to carry the side table. The default refuses (as the other side-table
    /// methods do).
    fn side_spaces(&mut self) -> Result<Vec<String>, StoreError> {
        Err(unsupported("side_spaces"))
    }

    /// Removes the events with `seq < before`, but never the last one: `last_seq` and the
    /// numbering go on, and [`Tx::events_since`] starts at the first event kept. For a device's
    /// log, which only repeats what the portal keeps (see [`crate::sync`]); a portal never
    /// calls it. The default refuses (a backend without it keeps the whole log).
    fn forget_events(&mut self, before: u64) -> Result<(), StoreError> {
        let _ = before;
        Err(unsupported("forget_events"))
    }

    /// Computes a report's figures natively (SQL backends aggregate in SQL), or `None` to let
    /// the Hub compute them from [`Tx::query`] with the reference definitions in
    /// [`crate::report`]. Whatever a backend returns must equal the reference exactly.
    fn report(&mut self, request: &ReportRequest) -> Result<Option<ReportData>, StoreError> {
        let _ = request;
        Ok(None)
    }

    /// Whether this store keeps report cells (then the Hub computes what each command changes
    /// in them and hands it over with [`Tx::add_report_cells`]). Default: no.
    fn keeps_report_cells(&self) -> bool {
        false
    }

    /// Adds `delta` — the change of report cells the core computed for this transaction's
    /// writes — to the stored cells, dropping cells that reach zero. A store only adds: it
    /// never decides what a write changes (docs/adr/0005). Stores without cells ignore it.
    fn add_report_cells(&mut self, delta: &Cells) -> Result<(), StoreError> {
        let _ = delta;
        Ok(())
    }

    /// Replaces every stored cell with `cells` (the cells of the whole state: after a restore,
    /// bulk writes, or a database edited by hand; see [`rebuild_report_cells`]). Stores without
    /// cells ignore it.
    fn replace_report_cells(&mut self, cells: &Cells) -> Result<(), StoreError> {
        let _ = cells;
        Ok(())
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
}

/// The side-table space of a store's own identity (e.g. its sync epoch): never carried by
/// [`dump`] nor written by [`restore`], so a restored store makes a new one.
pub const STORE_SPACE: &str = "store";

/// How the answer of a backend without an optional capability begins.
const UNSUPPORTED: &str = "this backend does not support `";

/// What a backend without an optional capability answers.
fn unsupported(what: &str) -> StoreError {
    StoreError::Backend(format!("{UNSUPPORTED}{what}`"))
}

/// Whether `e` is what the trait's defaults answer for an optional capability (contract
/// point 9) the backend does not have.
pub(crate) fn is_unsupported(e: &StoreError) -> bool {
    matches!(e, StoreError::Backend(m) if m.starts_with(UNSUPPORTED))
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
    fn is_read_only(&self) -> bool {
        (**self).is_read_only()
    }
    fn purge(&self) -> Result<(), StoreError> {
        (**self).purge()
    }
}

use crate::report::cells::Cells;
/// What a report asks of a store: see [`crate::report`].
pub use crate::report::{ReportData, ReportRequest};

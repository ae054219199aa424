//! The whole committed state of any store as one value ([`dump`]) and back into an empty
//! store ([`restore`]): backups, moving data between backends, comparing backends in tests.

use super::memory::MemorySnapshot;
use super::{
    ActivityFilter, ClaimFilter, MemberFilter, NeedFilter, Page, Query, Store, TeamFilter,
};
use crate::error::StoreError;
use crate::model::Kind;

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
pub fn dump(store: &dyn Store) -> Result<MemorySnapshot, StoreError> {
    let mut tx = store.begin_read()?;
    let mut snap = MemorySnapshot::default();
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
pub fn restore(snapshot: &MemorySnapshot, store: &dyn Store) -> Result<(), StoreError> {
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

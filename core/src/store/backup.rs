//! The whole committed state of any store as one value ([`dump`]) and back into an empty
//! store ([`restore`]): backups, moving data between backends, comparing backends in tests;
//! and the report cells recomputed from the records ([`rebuild_report_cells`]).

use super::memory::MemorySnapshot;
use super::{
    ActivityFilter, ClaimFilter, MemberFilter, NeedFilter, Page, Query, Store, TeamFilter, Tx,
    TxExt,
};
use crate::error::StoreError;
use crate::model::{Claim, Kind, Need, Resident, Unit, UnitId};
use crate::report::cells::{all_cells, claim_facts, need_facts, ClaimFacts, NeedFacts};
use std::collections::HashMap;
use uuid::Uuid;

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

/// Writes a whole state (from [`dump`] or
/// [`MemoryStore::snapshot`](super::memory::MemoryStore::snapshot)) into an **empty** store,
/// records and event log alike, in one write transaction: for moving data between backends (a
/// phone's cache into a portal's database) and for restoring backups.
pub fn restore(snapshot: &MemorySnapshot, store: &dyn Store) -> Result<(), StoreError> {
    let mut tx = store.begin_write()?;
    if tx.last_seq()? != 0 {
        return Err(StoreError::Backend("restore needs an empty store".into()));
    }
    for kind in Kind::ALL {
        if let Some(m) = snapshot.records.get(kind) {
            for r in m.values() {
                tx.put(r)?;
            }
        }
    }
    rebuild_report_cells(&mut *tx)?;
    for e in &snapshot.events {
        tx.append_event(e)?;
    }
    tx.commit()
}

/// Recomputes every report cell from the records (the core's pure definitions in
/// [`crate::report::cells`]) and hands them to the store ([`Tx::replace_report_cells`]): after
/// writing records straight through [`Tx::put`] (a restore, a bulk load), which never touches
/// the cells. Does nothing on a store that keeps no cells.
pub fn rebuild_report_cells(tx: &mut dyn Tx) -> Result<(), StoreError> {
    if !tx.keeps_report_cells() {
        return Ok(());
    }
    let paths: HashMap<UnitId, Vec<Uuid>> = tx
        .select::<Unit>(&all_of(Kind::Unit), &Page::ALL)?
        .into_iter()
        .map(|u| (u.id, u.path.iter().map(|p| p.0).collect()))
        .collect();
    let units = |id: &UnitId| paths.get(id).cloned().unwrap_or_default();
    let mut claims: HashMap<Uuid, Vec<ClaimFacts>> = HashMap::new();
    for c in tx.select::<Claim>(&all_of(Kind::Claim), &Page::ALL)? {
        claims
            .entry(c.need.0)
            .or_default()
            .push(claim_facts(&c, units(&c.committee)));
    }
    let needs: Vec<(Uuid, NeedFacts)> = tx
        .select::<Need>(&all_of(Kind::Need), &Page::ALL)?
        .iter()
        .map(|n| (n.id.0, need_facts(n, units(&n.committee))))
        .collect();
    let groups: HashMap<Uuid, Vec<String>> = tx
        .select::<Resident>(&all_of(Kind::Resident), &Page::ALL)?
        .into_iter()
        .map(|r| {
            (
                r.id.0,
                r.groups.iter().map(|g| g.as_str().to_string()).collect(),
            )
        })
        .collect();
    let cells = all_cells(&needs, &claims, &groups);
    tx.replace_report_cells(&cells)
}

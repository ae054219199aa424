//! The whole committed state of any store as one value ([`dump`]) and back into an empty
//! store ([`restore`]): backups, moving data between backends, comparing backends in tests;
//! and the report cells recomputed from the records ([`rebuild_report_cells`]).

use super::memory::MemorySnapshot;
use super::{is_unsupported, Page, Query, Store, Tx, TxExt, STORE_SPACE};
use crate::error::StoreError;
use crate::model::{Claim, Kind, Need, Resident, Unit, UnitId};
use crate::report::cells::{all_cells, claim_facts, need_facts, ClaimFacts, NeedFacts};
use std::collections::HashMap;
use uuid::Uuid;

/// How many side-table entries [`dump`] reads at a time.
const SIDE_BATCH: u32 = 10_000;

/// The whole committed state of any store — every record, the whole event log and the side
/// table but for the store's own space ([`STORE_SPACE`]: a restored store makes its own
/// identity) — as one value, in one read transaction: for backups, for moving data between
/// backends, and for comparing backends in tests. A store without a side table
/// ([`Tx::side_spaces`] refuses) gives an empty one.
pub fn dump(store: &dyn Store) -> Result<MemorySnapshot, StoreError> {
    let mut tx = store.begin_read()?;
    let mut snap = MemorySnapshot::default();
    for kind in Kind::ALL {
        let records = tx.query(&Query::all_of(*kind), &Page::ALL)?;
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
    let spaces = match tx.side_spaces() {
        Ok(spaces) => spaces,
        Err(e) if is_unsupported(&e) => Vec::new(),
        Err(e) => return Err(e),
    };
    for space in spaces.iter().filter(|s| *s != STORE_SPACE) {
        let mut entries = std::collections::BTreeMap::new();
        let mut after: Option<String> = None;
        loop {
            let batch = tx.side_scan(space, after.as_deref(), SIDE_BATCH)?;
            let full = batch.len() == SIDE_BATCH as usize;
            after = batch.last().map(|(k, _)| k.clone());
            entries.extend(batch);
            if !full {
                break;
            }
        }
        if !entries.is_empty() {
            snap.side.insert(space.clone(), entries);
        }
    }
    Ok(snap)
}

/// Writes a whole state (from [`dump`] or
/// [`MemoryStore::snapshot`](super::memory::MemoryStore::snapshot)) into an **empty** store,
/// records, event log and side table alike, in one write transaction: for moving data between
/// backends (a phone's cache into a portal's database) and for restoring backups. The store's
/// own side-table space ([`STORE_SPACE`]) is never written: the target keeps (or makes) its own.
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
    for (space, entries) in snapshot.side.iter().filter(|(s, _)| *s != STORE_SPACE) {
        for (key, value) in entries {
            tx.side_put(space, key, value)?;
        }
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
        .select::<Unit>(&Query::all_of(Kind::Unit), &Page::ALL)?
        .into_iter()
        .map(|u| (u.id, u.path.iter().map(|p| p.0).collect()))
        .collect();
    let units = |id: &UnitId| paths.get(id).cloned().unwrap_or_default();
    let mut claims: HashMap<Uuid, Vec<ClaimFacts>> = HashMap::new();
    for c in tx.select::<Claim>(&Query::all_of(Kind::Claim), &Page::ALL)? {
        claims
            .entry(c.need.0)
            .or_default()
            .push(claim_facts(&c, units(&c.committee)));
    }
    let needs: Vec<(Uuid, NeedFacts)> = tx
        .select::<Need>(&Query::all_of(Kind::Need), &Page::ALL)?
        .iter()
        .map(|n| (n.id.0, need_facts(n, units(&n.committee))))
        .collect();
    let residents = tx.select::<Resident>(&Query::all_of(Kind::Resident), &Page::ALL)?;
    let households: HashMap<Uuid, Uuid> = residents
        .iter()
        .filter_map(|r| r.household.map(|h| (r.id.0, h.0)))
        .collect();
    let groups: HashMap<Uuid, Vec<String>> = residents
        .into_iter()
        .map(|r| {
            (
                r.id.0,
                r.groups.iter().map(|g| g.as_str().to_string()).collect(),
            )
        })
        .collect();
    let cells = all_cells(&needs, &claims, &groups, &households);
    tx.replace_report_cells(&cells)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::memory::MemoryStore;

    #[test]
    fn the_side_table_travels_but_for_the_stores_own_space() {
        let from = MemoryStore::new();
        let mut tx = from.begin_write().unwrap();
        tx.side_put("x", "k", "v").unwrap();
        tx.side_put("x", "", "empty key").unwrap();
        tx.side_put(STORE_SPACE, "epoch", "e1").unwrap();
        tx.commit().unwrap();

        let snap = dump(&from).unwrap();
        assert_eq!(snap.side.len(), 1, "{:?}", snap.side);
        assert_eq!(snap.side["x"]["k"], "v");
        assert_eq!(snap.side["x"][""], "empty key");

        let to = MemoryStore::new();
        let mut tx = to.begin_write().unwrap();
        tx.side_put(STORE_SPACE, "epoch", "e2").unwrap();
        tx.commit().unwrap();
        // Even a whole snapshot, which holds the store's own space, leaves the target's.
        restore(&from.snapshot(), &to).unwrap();
        let mut tx = to.begin_read().unwrap();
        assert_eq!(tx.side_get("x", "k").unwrap().as_deref(), Some("v"));
        assert_eq!(tx.side_get("x", "").unwrap().as_deref(), Some("empty key"));
        assert_eq!(
            tx.side_get(STORE_SPACE, "epoch").unwrap().as_deref(),
            Some("e2")
        );
        drop(tx);
        let fresh = MemoryStore::new();
        restore(&snap, &fresh).unwrap();
        let mut tx = fresh.begin_read().unwrap();
        assert_eq!(tx.side_get(STORE_SPACE, "epoch").unwrap(), None);
        assert_eq!(tx.side_scan("x", None, 10).unwrap().len(), 2);
    }
}

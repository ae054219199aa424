//! The in-memory backend: for tests, caches on mobile, and as the reference the other
//! backends are checked against. Fully serializable: [`MemoryStore::snapshot`] captures the
//! whole state (records, event log and side table) as a value that serde can write and read
//! back.
//!
//! Write transactions take one lock for their whole life, so they are trivially serializable;
//! writes apply in place and an undo log restores the previous records and side-table values
//! if the transaction is dropped without commit.

use super::{Event, Kind, Page, Query, Record, Store, Tx};
use crate::error::StoreError;
use crate::model::UnitId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use uuid::Uuid;

/// The whole state of a [`MemoryStore`], as a plain value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MemorySnapshot {
    /// Records by kind and id.
    pub records: BTreeMap<Kind, BTreeMap<Uuid, Record>>,
    /// The event log, in sequence order.
    pub events: Vec<Event>,
    /// The side table ([`Tx::side_put`]): values by space and key. A space with no entry has
    /// no map. Absent from snapshots written before it existed (they read back with an empty
    /// side table) and left out when empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub side: BTreeMap<String, BTreeMap<String, String>>,
}

impl MemorySnapshot {
    fn within(&self, unit: UnitId, scope: UnitId) -> bool {
        if unit == scope {
            return true;
        }
        match self.records.get(&Kind::Unit).and_then(|m| m.get(&unit.0)) {
            Some(Record::Unit(u)) => u.path.contains(&scope),
            _ => false,
        }
    }

    fn put(&mut self, record: Record) -> Option<Record> {
        self.records
            .entry(record.kind())
            .or_default()
            .insert(record.id(), record)
    }

    /// Removes a record, returning it.
    fn delete(&mut self, kind: Kind, id: Uuid) -> Option<Record> {
        let map = self.records.get_mut(&kind)?;
        let old = map.remove(&id);
        if map.is_empty() {
            self.records.remove(&kind);
        }
        old
    }

    /// Sets (`Some`) or removes (`None`) the value under `(space, key)`, returning the
    /// previous one. A space left without entries is removed, so equal contents are equal
    /// snapshots.
    fn side_set(&mut self, space: &str, key: &str, value: Option<String>) -> Option<String> {
        match value {
            Some(v) => self
                .side
                .entry(space.to_string())
                .or_default()
                .insert(key.to_string(), v),
            None => {
                let map = self.side.get_mut(space)?;
                let old = map.remove(key);
                if map.is_empty() {
                    self.side.remove(space);
                }
                old
            }
        }
    }

    /// The entries of `space` with a key after `after`, in key order, at most `limit`.
    fn side_scan(&self, space: &str, after: Option<&str>, limit: u32) -> Vec<(String, String)> {
        let Some(map) = self.side.get(space) else {
            return Vec::new();
        };
        let range = match after {
            Some(after) => {
                map.range::<str, _>((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded))
            }
            None => map.range::<str, _>(..),
        };
        range
            .take(limit as usize)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn query(&self, query: &Query, page: &Page) -> Vec<Record> {
        let Some(map) = self.records.get(&query.kind()) else {
            return Vec::new();
        };
        let within = |u, s| self.within(u, s);
        let range = match page.after {
            Some(after) => {
                map.range((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded))
            }
            None => map.range(..),
        };
        let limit = page.limit.map_or(usize::MAX, |l| l as usize);
        range
            .map(|(_, r)| r)
            .filter(|r| query.matches(r, &within))
            .take(limit)
            .cloned()
            .collect()
    }

    fn count(&self, query: &Query) -> u64 {
        let Some(map) = self.records.get(&query.kind()) else {
            return 0;
        };
        let within = |u, s| self.within(u, s);
        map.values().filter(|r| query.matches(r, &within)).count() as u64
    }

    fn events_since(&self, after: u64, limit: u32) -> Vec<Event> {
        // seq starts at 1 and is gap-free, so seq n sits at index n-1.
        let start = usize::try_from(after)
            .unwrap_or(usize::MAX)
            .min(self.events.len());
        self.events[start..]
            .iter()
            .take(limit as usize)
            .cloned()
            .collect()
    }
}

/// An in-memory [`Store`].
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<MemorySnapshot>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding a previously captured state.
    pub fn from_snapshot(snapshot: MemorySnapshot) -> Self {
        Self {
            state: Mutex::new(snapshot),
        }
    }

    /// A copy of the whole committed state.
    pub fn snapshot(&self) -> MemorySnapshot {
        self.lock().clone()
    }

    fn lock(&self) -> MutexGuard<'_, MemorySnapshot> {
        // A panic inside a transaction leaves the undo log unapplied only if the panic
        // happened between a put and the guard's drop; MemoryTx::drop rolls back before the
        // guard is released, so the state behind a poisoned lock is still consistent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What a write changed, with the value before it: undone in reverse order on rollback.
// Records are most of what a transaction writes: boxing them would cost an allocation a put
// to make the rarer side-table entries smaller.
#[allow(clippy::large_enum_variant)]
enum Undo {
    /// A record put or deleted; `None`: there was none.
    Record(Kind, Uuid, Option<Record>),
    /// A side-table value put or deleted; `None`: there was none.
    Side(String, String, Option<String>),
}

struct MemoryTx<'a> {
    state: MutexGuard<'a, MemorySnapshot>,
    undo: Vec<Undo>,
    events_at_start: usize,
    writable: bool,
    committed: bool,
}

impl Drop for MemoryTx<'_> {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        while let Some(undo) = self.undo.pop() {
            match undo {
                Undo::Record(_, _, Some(r)) => {
                    self.state.put(r);
                }
                Undo::Record(kind, id, None) => {
                    self.state.delete(kind, id);
                }
                Undo::Side(space, key, old) => {
                    self.state.side_set(&space, &key, old);
                }
            }
        }
        let n = self.events_at_start;
        self.state.events.truncate(n);
    }
}

impl MemoryTx<'_> {
    fn check_writable(&self) -> Result<(), StoreError> {
        super::check_writable(self.writable)
    }
}

impl Tx for MemoryTx<'_> {
    fn get(&mut self, kind: Kind, id: Uuid) -> Result<Option<Record>, StoreError> {
        Ok(self
            .state
            .records
            .get(&kind)
            .and_then(|m| m.get(&id))
            .cloned())
    }

    fn put(&mut self, record: &Record) -> Result<(), StoreError> {
        self.check_writable()?;
        let (kind, id) = (record.kind(), record.id());
        let old = self.state.put(record.clone());
        self.undo.push(Undo::Record(kind, id, old));
        Ok(())
    }

    fn delete(&mut self, kind: Kind, id: Uuid) -> Result<(), StoreError> {
        self.check_writable()?;
        if let Some(old) = self.state.delete(kind, id) {
            self.undo.push(Undo::Record(kind, id, Some(old)));
        }
        Ok(())
    }

    fn side_get(&mut self, space: &str, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.state.side.get(space).and_then(|m| m.get(key)).cloned())
    }

    fn side_put(&mut self, space: &str, key: &str, value: &str) -> Result<(), StoreError> {
        self.check_writable()?;
        let old = self.state.side_set(space, key, Some(value.to_string()));
        self.undo
            .push(Undo::Side(space.to_string(), key.to_string(), old));
        Ok(())
    }

    fn side_delete(&mut self, space: &str, key: &str) -> Result<(), StoreError> {
        self.check_writable()?;
        if let Some(old) = self.state.side_set(space, key, None) {
            self.undo
                .push(Undo::Side(space.to_string(), key.to_string(), Some(old)));
        }
        Ok(())
    }

    fn side_scan(
        &mut self,
        space: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self.state.side_scan(space, after, limit))
    }

    fn side_spaces(&mut self) -> Result<Vec<String>, StoreError> {
        Ok(self.state.side.keys().cloned().collect())
    }

    fn query(&mut self, query: &Query, page: &Page) -> Result<Vec<Record>, StoreError> {
        Ok(self.state.query(query, page))
    }

    fn count(&mut self, query: &Query) -> Result<u64, StoreError> {
        Ok(self.state.count(query))
    }

    fn last_seq(&mut self) -> Result<u64, StoreError> {
        Ok(self.state.events.len() as u64)
    }

    fn append_event(&mut self, event: &Event) -> Result<(), StoreError> {
        self.check_writable()?;
        super::check_next_seq(self.state.events.len() as u64, event)?;
        self.state.events.push(event.clone());
        Ok(())
    }

    fn events_since(&mut self, after: u64, limit: u32) -> Result<Vec<Event>, StoreError> {
        Ok(self.state.events_since(after, limit))
    }

    fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        self.committed = true;
        Ok(())
    }
}

impl MemoryStore {
    fn begin(&self, writable: bool) -> Box<dyn Tx + '_> {
        let state = self.lock();
        let events_at_start = state.events.len();
        Box::new(MemoryTx {
            state,
            undo: Vec::new(),
            events_at_start,
            writable,
            committed: false,
        })
    }
}

impl Store for MemoryStore {
    fn begin_write(&self) -> Result<Box<dyn Tx + '_>, StoreError> {
        Ok(self.begin(true))
    }

    fn begin_read(&self) -> Result<Box<dyn Tx + '_>, StoreError> {
        Ok(self.begin(false))
    }

    fn backend_name(&self) -> &'static str {
        "memory"
    }
}

// serde_json comes with the `sqlite` feature (the default).
#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;

    #[test]
    fn snapshots_from_before_the_side_table_still_load() {
        let snap: MemorySnapshot = serde_json::from_str(r#"{"records":{},"events":[]}"#).unwrap();
        assert!(snap.side.is_empty());
        // And a snapshot without side entries is written as before.
        let json = serde_json::to_string(&MemorySnapshot::default()).unwrap();
        assert_eq!(json, r#"{"records":{},"events":[]}"#);
    }

    #[test]
    fn a_rollback_restores_records_and_side_values() {
        let store = MemoryStore::new();
        let mut tx = store.begin_write().unwrap();
        tx.side_put("s", "kept", "1").unwrap();
        tx.side_put("s", "changed", "1").unwrap();
        tx.commit().unwrap();
        let before = store.snapshot();
        let mut tx = store.begin_write().unwrap();
        tx.side_put("s", "changed", "2").unwrap();
        tx.side_delete("s", "kept").unwrap();
        tx.side_put("t", "new", "3").unwrap();
        tx.side_delete("s", "changed").unwrap();
        assert_eq!(tx.side_scan("s", None, 10).unwrap(), vec![]);
        drop(tx);
        assert_eq!(store.snapshot(), before);
    }
}

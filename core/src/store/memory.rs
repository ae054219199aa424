//! The in-memory backend: for tests, caches on mobile, and as the reference the other
//! backends are checked against. Fully serializable: [`MemoryStore::snapshot`] captures the
//! whole state (records and event log) as a value that serde can write and read back.
//!
//! Write transactions take one lock for their whole life, so they are trivially serializable;
//! writes apply in place and an undo log restores the previous records if the transaction is
//! dropped without commit.

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

struct MemoryTx<'a> {
    state: MutexGuard<'a, MemorySnapshot>,
    undo: Vec<(Kind, Uuid, Option<Record>)>,
    events_at_start: usize,
    writable: bool,
    committed: bool,
}

impl Drop for MemoryTx<'_> {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        while let Some((kind, id, old)) = self.undo.pop() {
            let map = self.state.records.entry(kind).or_default();
            match old {
                Some(r) => {
                    map.insert(id, r);
                }
                None => {
                    map.remove(&id);
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
        self.undo.push((kind, id, old));
        Ok(())
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

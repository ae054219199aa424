//! Writing records as they are, without a command: what sync's device side does with the
//! records a pull brings (the portal decided them; the device only keeps them). The report
//! cells are kept as with every command: the core computes what the writes change.

use super::cells::{self, Seen, Upkeep};
use super::Hub;
use crate::error::{Error, Result};
use crate::model::{Kind, Record};
use crate::store::{rebuild_report_cells, Tx};
use std::collections::HashMap;
use uuid::Uuid;

/// A write transaction that takes whole records (see the module documentation). Dropping it
/// without [`RawWrite::commit`] writes nothing.
#[cfg_attr(not(feature = "sync"), allow(dead_code))]
pub(crate) struct RawWrite<'a> {
    tx: Box<dyn Tx + 'a>,
    upkeep: Option<Upkeep>,
    seen: Seen,
    written: Vec<Record>,
    /// Index of each written record in `written`.
    at: HashMap<(Kind, Uuid), usize>,
    /// A counted record was deleted: the cells are recomputed from the records at commit.
    rebuild: bool,
}

#[cfg_attr(not(feature = "sync"), allow(dead_code))]
impl Hub {
    /// Begins a [`RawWrite`].
    pub(crate) fn begin_raw(&self) -> Result<RawWrite<'_>> {
        self.writable("write")?;
        let tx = self.store().begin_write()?;
        let upkeep = tx.keeps_report_cells().then(Upkeep::default);
        Ok(RawWrite {
            tx,
            upkeep,
            seen: HashMap::new(),
            written: Vec::new(),
            at: HashMap::new(),
            rebuild: false,
        })
    }
}

#[cfg_attr(not(feature = "sync"), allow(dead_code))]
impl RawWrite<'_> {
    /// The transaction, for reads and the side table (never for records: use
    /// [`RawWrite::put`] and [`RawWrite::delete`], which keep the cells).
    pub(crate) fn tx(&mut self) -> &mut dyn Tx {
        &mut *self.tx
    }

    /// Many writes ahead (a whole snapshot): the report cells are computed once from all the
    /// records at commit instead of write by write.
    pub(crate) fn bulk(&mut self) {
        if self.upkeep.is_some() {
            self.rebuild = true;
        }
    }

    /// Writes `record` as it is.
    pub(crate) fn put(&mut self, record: &Record) -> Result<()> {
        let (kind, id) = (record.kind(), record.id());
        if let Some(upkeep) = self.upkeep.as_mut().filter(|_| cells::counted(kind)) {
            if !self.rebuild {
                let before = match self.seen.get(&(kind, id)) {
                    Some(known) => Some(known.clone()),
                    None => self.tx.get(kind, id)?,
                };
                upkeep.before_put(&mut *self.tx, record, before.as_ref(), &self.seen)?;
                self.seen.insert((kind, id), record.clone());
            }
        }
        self.tx.put(record)?;
        match self.at.get(&(kind, id)) {
            Some(&i) => self.written[i] = record.clone(),
            None => {
                self.at.insert((kind, id), self.written.len());
                self.written.push(record.clone());
            }
        }
        Ok(())
    }

    /// Removes a record (nothing when it is not there).
    pub(crate) fn delete(&mut self, kind: Kind, id: Uuid) -> Result<()> {
        if self.upkeep.is_some() && cells::counted(kind) && self.tx.get(kind, id)?.is_some() {
            // Cell upkeep follows writes, not removals: recompute the cells at commit.
            self.rebuild = true;
        }
        Ok(self.tx.delete(kind, id)?)
    }

    /// Makes the writes durable, with the report cells they change.
    pub(crate) fn commit(self) -> Result<()> {
        let RawWrite {
            mut tx,
            upkeep,
            written,
            rebuild,
            ..
        } = self;
        if let Some(upkeep) = upkeep {
            if rebuild {
                rebuild_report_cells(&mut *tx)?;
            } else {
                let delta = upkeep.finish(&mut *tx, &written)?;
                if !delta.0.is_empty() {
                    tx.add_report_cells(&delta)?;
                }
            }
        }
        tx.commit().map_err(Error::from)
    }
}

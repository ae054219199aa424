//! What a SQL write transaction remembers between its own statements, so a `put` writes only
//! what changed.

use super::codec::{changed_cols, child_table, Children, Val};
use crate::model::{Kind, Record};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// What a write transaction remembers between its own statements — valid because no one
/// else writes while it holds the write lock, and kept up to date by its own writes.
#[derive(Default)]
pub(crate) struct Memo {
    /// The highest event sequence number, once read or written.
    pub last_seq: Option<u64>,
    /// Rows a `get` in this transaction found absent: a `put` of one has no child rows to
    /// delete.
    absent: HashSet<(Kind, Uuid)>,
    /// Rows as stored (encoded), by kind and id, once read or written in this transaction:
    /// a `put` then writes only the columns that changed — or nothing — so unchanged
    /// indexes are not rewritten.
    pub rows: HashMap<(Kind, Uuid), (Vec<Val>, Children)>,
}

/// What a `put` must write, given what its transaction already knows ([`Memo::plan_put`]).
pub(crate) struct PutPlan {
    /// The row: `None` to upsert it whole (not known in this transaction), otherwise the
    /// indexes of the columns to update (empty: nothing changed).
    pub update: Option<Vec<usize>>,
    /// Delete the record's child rows before inserting its children.
    pub delete_children: bool,
    /// Insert the record's children.
    pub insert_children: bool,
}

impl Memo {
    /// Remembers what a `get` of `(kind, id)` found: the row as stored, or that it is absent.
    pub(crate) fn got(&mut self, kind: Kind, id: Uuid, row: Option<(Vec<Val>, Children)>) {
        match row {
            Some(row) => {
                self.rows.insert((kind, id), row);
            }
            None => {
                self.absent.insert((kind, id));
            }
        }
    }

    /// What a `put` of the record `(kind, id)` encoded as `vals` and `children` must write:
    /// only the changed columns of a row read or written earlier in this transaction; its
    /// child rows only when they changed, and without deleting any from a row a `get` found
    /// absent.
    pub(crate) fn plan_put(
        &mut self,
        kind: Kind,
        id: Uuid,
        vals: &[Val],
        children: &Children,
    ) -> PutPlan {
        let known = self.rows.remove(&(kind, id));
        let fresh = self.absent.remove(&(kind, id));
        let rewrite_children =
            child_table(kind).is_some() && known.as_ref().is_none_or(|(_, c)| c != children);
        PutPlan {
            update: known.map(|(old, _)| changed_cols(&old, vals)),
            delete_children: rewrite_children && !fresh,
            insert_children: rewrite_children && *children != Children::None,
        }
    }

    /// Called after every `delete`: the row and its child rows are gone, so a later `put`
    /// of it writes the whole row (not the columns changed since it was read) and has no
    /// child rows to delete.
    pub(crate) fn deleted(&mut self, kind: Kind, id: Uuid) {
        self.rows.remove(&(kind, id));
        self.absent.insert((kind, id));
    }

    /// Called after every `put`: remembers the row as written.
    pub(crate) fn put_done(&mut self, record: &Record, vals: Vec<Val>, children: Children) {
        self.rows
            .insert((record.kind(), record.id()), (vals, children));
    }
}

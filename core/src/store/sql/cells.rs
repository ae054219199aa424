//! Report cells in SQL stores: the `report_cells` table kept up to date inside every write
//! transaction, rebuilt from the tables on upgrade and restore, and read by reports.
//!
//! What a cell means is defined in [`crate::report::cells`] (pure); this module only moves
//! facts and cells between SQL and those functions. A `put` of a need, claim or resident whose
//! report-relevant facts change subtracts the cells of the affected need and resident groups
//! before the write and adds them after it, so the table always equals the cells of the
//! current rows (the acceptance suite checks reports against the reference computation).

use super::codec::{changed_cols, child_table, Children, OwnedRow, RowGet, Val};
use super::dialect::{Dialect, Sql, SqlIo};
use crate::error::StoreError;
use crate::model::{Kind, Record};
use crate::report::cells::{
    self as rc, CellKey, CellSum, Cells, ClaimFacts, Counters, NeedFacts, Stream, Verification,
    COUNTER_COLUMNS,
};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

pub(super) fn corrupt(what: &str) -> StoreError {
    StoreError::Backend(format!("corrupt value in {what}"))
}

pub(super) fn need_id(r: &OwnedRow, i: usize) -> Result<Uuid, StoreError> {
    r.id(i)?.ok_or_else(|| corrupt("report cells"))
}

pub(super) fn need_time(r: &OwnedRow, i: usize) -> Result<DateTime<Utc>, StoreError> {
    r.time(i)?.ok_or_else(|| corrupt("report cells"))
}

/// A unit's path column (`/a/b/c/`) as ids, root first.
pub(super) fn path_ids(s: &str) -> Result<Vec<Uuid>, StoreError> {
    s.split('/')
        .filter(|p| !p.is_empty())
        .map(|p| Uuid::parse_str(p).map_err(|_| corrupt("units.path")))
        .collect()
}

pub(super) const NEED_COLS: &str =
    "n.id, n.committee, u.path, n.category, n.channel, n.scale, n.resident, \
                         n.created_at, n.published_at";

pub(super) fn need_row(r: &OwnedRow) -> Result<(Uuid, Uuid, NeedFacts), StoreError> {
    Ok((
        need_id(r, 0)?,
        need_id(r, 1)?,
        NeedFacts {
            units: path_ids(&r.text(2)?.unwrap_or_default())?,
            category: r.text(3)?.unwrap_or_default(),
            channel: r.text(4)?.unwrap_or_default(),
            collective: r.text(5)?.as_deref() == Some("collective"),
            resident: need_id(r, 6)?,
            created_at: need_time(r, 7)?,
            published_at: r.time(8)?,
        },
    ))
}

pub(super) const CLAIM_COLS: &str =
    "c.id, c.need, c.committee, u.path, c.claimant_type, c.claimant_id, \
     c.claimed_at, c.completed_at, CASE WHEN c.status = 'verified' THEN c.ended_at END, \
     c.money_fen, c.minutes, c.people_served, \
     (SELECT CAST(coalesce(sum(ci.count), 0) AS BIGINT) FROM claim_items ci WHERE ci.claim = c.id)";

/// A claim's facts with its need and committee.
pub(super) fn claim_row(r: &OwnedRow) -> Result<(Uuid, Uuid, ClaimFacts), StoreError> {
    Ok((
        need_id(r, 1)?,
        need_id(r, 2)?,
        ClaimFacts {
            id: need_id(r, 0)?,
            units: path_ids(&r.text(3)?.unwrap_or_default())?,
            claimant_kind: r.text(4)?.unwrap_or_default(),
            claimant: need_id(r, 5)?,
            claimed_at: need_time(r, 6)?,
            completed_at: r.time(7)?,
            verified_at: r.time(8)?,
            money_fen: r.int(9)?.unwrap_or(0),
            minutes: r.int(10)?.unwrap_or(0),
            people: r.int(11)?.unwrap_or(0),
            items: r.int(12)?.unwrap_or(0),
        },
    ))
}

/// What a write transaction remembers between its own statements — valid because no one
/// else writes while it holds the write lock, and kept up to date by its own writes.
#[derive(Default)]
pub(crate) struct Memo {
    /// The highest event sequence number, once read or written.
    pub last_seq: Option<u64>,
    /// Needs' committees and facts as read in this transaction (`None`: no such need).
    needs: HashMap<Uuid, Option<(Uuid, NeedFacts)>>,
    /// Rows [`begin`] found absent just before their `put`: nothing of theirs to delete.
    new_rows: BTreeSet<Uuid>,
    /// Rows as stored (encoded), by kind and id, once read or written in this transaction:
    /// a `put` then writes only the columns that changed — or nothing — so unchanged
    /// indexes are not rewritten.
    pub rows: HashMap<(Kind, Uuid), (Vec<Val>, Children)>,
    /// A need's claims [`begin`] already read for the cells it is about to compute (used
    /// once, within that `begin`).
    claims_of: HashMap<Uuid, Vec<(Uuid, ClaimFacts)>>,
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
    /// What a `put` of the record `(kind, id)` encoded as `vals` and `children` must write:
    /// only the changed columns of a row read or written earlier in this transaction; its
    /// child rows only when they changed, and without deleting any from a row [`begin`]
    /// found new.
    pub(crate) fn plan_put(
        &mut self,
        kind: Kind,
        id: Uuid,
        vals: &[Val],
        children: &Children,
    ) -> PutPlan {
        let known = self.rows.remove(&(kind, id));
        let fresh = self.new_rows.remove(&id);
        let rewrite_children =
            child_table(kind).is_some() && known.as_ref().is_none_or(|(_, c)| c != children);
        PutPlan {
            update: known.map(|(old, _)| changed_cols(&old, vals)),
            delete_children: rewrite_children && !fresh,
            insert_children: rewrite_children && *children != Children::None,
        }
    }

    /// Called after every `put`, before the cells' `finish` (which reads the rows as
    /// written): remembers the row as written, and forgets what the write may have changed
    /// (a need's facts; a unit's path, which every need's facts include).
    pub(crate) fn put_done(&mut self, record: &Record, vals: Vec<Val>, children: Children) {
        match record {
            Record::Need(n) => {
                self.needs.remove(&n.id.0);
            }
            Record::Unit(_) => self.needs.clear(),
            _ => {}
        }
        self.rows
            .insert((record.kind(), record.id()), (vals, children));
    }
}

/// [`need_facts`] through the transaction's memo.
pub(super) fn facts(
    io: &mut dyn SqlIo,
    memo: &mut Memo,
    need: Uuid,
) -> Result<Option<(Uuid, NeedFacts)>, StoreError> {
    if let Some(known) = memo.needs.get(&need) {
        return Ok(known.clone());
    }
    let read = need_facts(io, need)?;
    memo.needs.insert(need, read.clone());
    Ok(read)
}

pub(super) fn need_facts(
    io: &mut dyn SqlIo,
    need: Uuid,
) -> Result<Option<(Uuid, NeedFacts)>, StoreError> {
    let mut q = Sql::new(io.dialect());
    let p = q.bind(Val::Id(Some(need)));
    q.text = format!(
        "SELECT {NEED_COLS} FROM needs n JOIN units u ON u.id = n.committee WHERE n.id = {p}"
    );
    match io.rows(&q)?.first() {
        Some(r) => need_row(r).map(|(_, c, f)| Some((c, f))),
        None => Ok(None),
    }
}

/// A need's claims.
pub(super) fn need_claims(
    io: &mut dyn SqlIo,
    need: Uuid,
) -> Result<Vec<(Uuid, Uuid, ClaimFacts)>, StoreError> {
    let mut q = Sql::new(io.dialect());
    let p = q.bind(Val::Id(Some(need)));
    q.text = format!(
        "SELECT {CLAIM_COLS} FROM claims c JOIN units u ON u.id = c.committee WHERE c.need = {p}"
    );
    io.rows(&q)?.iter().map(claim_row).collect()
}

/// The claims of `need`, and the claim `id` wherever it is.
pub(super) fn claims_of_need_or(
    io: &mut dyn SqlIo,
    need: Uuid,
    id: Uuid,
) -> Result<Vec<(Uuid, Uuid, ClaimFacts)>, StoreError> {
    let mut q = Sql::new(io.dialect());
    let n = q.bind(Val::Id(Some(need)));
    let i = q.bind(Val::Id(Some(id)));
    q.text = format!(
        "SELECT {CLAIM_COLS} FROM claims c JOIN units u ON u.id = c.committee \
         WHERE c.need = {n} OR c.id = {i}"
    );
    io.rows(&q)?.iter().map(claim_row).collect()
}

pub(super) fn resident_groups(
    io: &mut dyn SqlIo,
    resident: Uuid,
) -> Result<Vec<String>, StoreError> {
    let mut q = Sql::new(io.dialect());
    let p = q.bind(Val::Id(Some(resident)));
    q.text = format!("SELECT grp FROM resident_groups WHERE resident = {p}");
    io.rows(&q)?
        .iter()
        .map(|r| Ok(r.text(0)?.unwrap_or_default()))
        .collect()
}

pub(super) fn verifications(
    io: &mut dyn SqlIo,
    resident: Uuid,
) -> Result<Vec<Verification>, StoreError> {
    let mut q = Sql::new(io.dialect());
    let p = q.bind(Val::Id(Some(resident)));
    q.text = format!(
        // Driven by the resident's needs (`status || ''` keeps SQLite off the status index,
        // which would visit every verified claim).
        "SELECT c.id, u.path, c.ended_at FROM needs n CROSS JOIN claims c \
         JOIN units u ON u.id = c.committee \
         WHERE n.resident = {p} AND c.need = n.id AND c.status || '' = 'verified' \
         AND c.ended_at IS NOT NULL"
    );
    io.rows(&q)?
        .iter()
        .map(|r| {
            Ok(Verification {
                claim: need_id(r, 0)?,
                units: path_ids(&r.text(1)?.unwrap_or_default())?,
                at: need_time(r, 2)?,
            })
        })
        .collect()
}

/// A need's facts as read: its committee, its facts, and its claims with their committees.
pub(super) type NeedRead = (Uuid, NeedFacts, Vec<(Uuid, ClaimFacts)>);

/// The cells of some needs (with all their claims) and residents, read from the database;
/// what was read of each need goes into `read`.
pub(super) fn group_cells(
    io: &mut dyn SqlIo,
    memo: &mut Memo,
    needs: &BTreeSet<Uuid>,
    residents: &BTreeSet<Uuid>,
    sign: i64,
    out: &mut Cells,
    mut read: Option<&mut BTreeMap<Uuid, NeedRead>>,
) -> Result<(), StoreError> {
    for n in needs {
        if let Some((committee, facts)) = facts(io, memo, *n)? {
            let claims: Vec<(Uuid, ClaimFacts)> = match memo.claims_of.remove(n) {
                Some(known) => known,
                None => need_claims(io, *n)?
                    .into_iter()
                    .map(|(_, c, f)| (c, f))
                    .collect(),
            };
            let plain: Vec<ClaimFacts> = claims.iter().map(|(_, f)| f.clone()).collect();
            rc::need_cells(&facts, &plain, sign, out);
            if let Some(read) = read.as_deref_mut() {
                read.insert(*n, (committee, facts, claims));
            }
        }
    }
    for r in residents {
        let v = verifications(io, *r)?;
        if !v.is_empty() {
            rc::resident_cells(&resident_groups(io, *r)?, &v, sign, out);
        }
    }
    Ok(())
}

/// A write in progress: the groups it touches, and their cells before it (negated) — and,
/// when [`begin`] could derive them from the record, the needs' cells after it too.
pub(crate) struct Change {
    needs: BTreeSet<Uuid>,
    residents: BTreeSet<Uuid>,
    delta: Cells,
    /// The needs' cells after the write are already in `delta`.
    needs_done: bool,
}

/// The facts of the needs `before` after `record` is written, derived without reading
/// (`None` when a unit path would have to be read: a need or claim moving committee, or a
/// need written for the first time).
pub(super) fn after_write(
    record: &Record,
    before: &BTreeMap<Uuid, NeedRead>,
) -> Option<Vec<(NeedFacts, Vec<ClaimFacts>)>> {
    let mut out = Vec::new();
    match record {
        Record::Claim(c) => {
            for (need, (committee, nf, claims)) in before {
                let mut after: Vec<ClaimFacts> = claims
                    .iter()
                    .filter(|(_, f)| f.id != c.id.0)
                    .map(|(_, f)| f.clone())
                    .collect();
                if c.need.0 == *need {
                    let units = match claims.iter().find(|(_, f)| f.id == c.id.0) {
                        Some((was, f)) if *was == c.committee.0 => f.units.clone(),
                        _ if c.committee.0 == *committee => nf.units.clone(),
                        _ => return None,
                    };
                    after.push(claim_of(c, units));
                }
                out.push((nf.clone(), after));
            }
            // The claim's need must have been read (it exists: foreign keys).
            if !before.contains_key(&c.need.0) {
                return None;
            }
        }
        Record::Need(n) => {
            let (committee, nf, claims) = before.get(&n.id.0)?;
            if *committee != n.committee.0 || before.len() != 1 {
                return None;
            }
            out.push((
                need_of(n, nf.units.clone()),
                claims.iter().map(|(_, f)| f.clone()).collect(),
            ));
        }
        _ => return None,
    }
    Some(out)
}

/// A need record's facts, given its committee's path.
pub(super) fn need_of(n: &crate::model::Need, units: Vec<Uuid>) -> NeedFacts {
    NeedFacts {
        units,
        category: n.category.clone(),
        channel: n.channel.as_str().to_string(),
        collective: n.scale == crate::model::Scale::Collective,
        resident: n.resident.0,
        created_at: n.created_at,
        published_at: n.published_at,
    }
}

/// A claim record's facts, given its committee's path.
pub(super) fn claim_of(c: &crate::model::Claim, units: Vec<Uuid>) -> ClaimFacts {
    let f = c.fulfilment.as_ref();
    ClaimFacts {
        id: c.id.0,
        units,
        claimant_kind: c.claimant.kind_str().to_string(),
        claimant: c.claimant.uuid(),
        claimed_at: c.claimed_at,
        completed_at: c.completed_at,
        verified_at: (c.status == crate::model::ClaimStatus::Verified)
            .then_some(c.ended_at)
            .flatten(),
        money_fen: f.map_or(0, |f| f.money_fen),
        items: f.map_or(0, |f| f.item_count() as i64),
        minutes: f.map_or(0, |f| i64::from(f.minutes)),
        people: f.map_or(0, |f| i64::from(f.people_served)),
    }
}

pub(super) type ClaimSig = (
    Uuid,
    Uuid,
    String,
    Uuid,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    [i64; 4],
);

pub(super) fn claim_sig(need: Uuid, committee: Uuid, c: &ClaimFacts) -> ClaimSig {
    (
        need,
        committee,
        c.claimant_kind.clone(),
        c.claimant,
        c.claimed_at,
        c.completed_at,
        c.verified_at,
        [c.money_fen, c.items, c.minutes, c.people],
    )
}

/// Call before writing `record`: reads what the write will change, if anything that reports
/// count could change.
pub(crate) fn begin(
    io: &mut dyn SqlIo,
    memo: &mut Memo,
    record: &Record,
) -> Result<Option<Change>, StoreError> {
    let change = begin_reading(io, memo, record);
    // What it read ahead is for itself only: later reads must see later writes.
    memo.claims_of.clear();
    change
}

pub(super) fn begin_reading(
    io: &mut dyn SqlIo,
    memo: &mut Memo,
    record: &Record,
) -> Result<Option<Change>, StoreError> {
    let mut needs = BTreeSet::new();
    let mut residents = BTreeSet::new();
    match record {
        Record::Need(n) => {
            let old = facts(io, memo, n.id.0)?;
            if let Some((c, f)) = &old {
                if *c == n.committee.0 && *f == need_of(n, f.units.clone()) {
                    return Ok(None);
                }
                if f.resident != n.resident.0 {
                    residents.insert(f.resident);
                    residents.insert(n.resident.0);
                }
            } else if !need_claims(io, n.id.0)?.is_empty() {
                // A need written after its claims (a restore) brings their verifications.
                residents.insert(n.resident.0);
            }
            needs.insert(n.id.0);
        }
        Record::Claim(c) => {
            // The record's facts (its units do not enter the signature).
            let written = claim_of(c, Vec::new());
            let verified = written.verified_at;
            let new = claim_sig(c.need.0, c.committee.0, &written);
            // The claim as stored and its need's claims, in one query.
            let mut old = None;
            let mut of_need = Vec::new();
            for (need, committee, facts) in claims_of_need_or(io, c.need.0, c.id.0)? {
                if facts.id == c.id.0 {
                    old = Some((need, committee, facts.clone()));
                }
                if need == c.need.0 {
                    of_need.push((committee, facts));
                }
            }
            memo.claims_of.insert(c.need.0, of_need);
            if old.is_none() {
                memo.new_rows.insert(c.id.0);
            }
            let mut verification_moved = verified.is_some();
            if let Some((need, committee, facts)) = &old {
                if claim_sig(*need, *committee, facts) == new {
                    return Ok(None);
                }
                verification_moved = facts.verified_at != verified || *need != c.need.0;
                needs.insert(*need);
            }
            needs.insert(c.need.0);
            // The residents of the needs before and after (usually one need, read once).
            if verification_moved {
                for n in &needs {
                    if let Some((_, nf)) = facts(io, memo, *n)? {
                        residents.insert(nf.resident);
                    }
                }
            }
        }
        Record::Resident(r) => {
            // Groups matter only to a resident who has been helped.
            if verifications(io, r.id.0)?.is_empty() {
                return Ok(None);
            }
            let mut new: Vec<String> = r.groups.iter().map(|g| g.as_str().to_string()).collect();
            let mut old = resident_groups(io, r.id.0)?;
            new.sort();
            new.dedup();
            old.sort();
            old.dedup();
            if new == old {
                return Ok(None);
            }
            residents.insert(r.id.0);
        }
        _ => return Ok(None),
    }
    let mut delta = Cells::default();
    let mut read = BTreeMap::new();
    group_cells(
        io,
        memo,
        &needs,
        &BTreeSet::new(),
        -1,
        &mut delta,
        Some(&mut read),
    )?;
    group_cells(io, memo, &BTreeSet::new(), &residents, -1, &mut delta, None)?;
    let mut needs_done = false;
    if let Some(after) = after_write(record, &read) {
        for (facts, claims) in &after {
            rc::need_cells(facts, claims, 1, &mut delta);
        }
        needs_done = true;
    }
    Ok(Some(Change {
        needs,
        residents,
        delta,
        needs_done,
    }))
}

/// Call after the write [`begin`] saw: adds the groups' new cells and stores the difference.
pub(crate) fn finish(
    io: &mut dyn SqlIo,
    memo: &mut Memo,
    change: Change,
) -> Result<(), StoreError> {
    let Change {
        needs,
        residents,
        mut delta,
        needs_done,
    } = change;
    let needs = if needs_done { BTreeSet::new() } else { needs };
    group_cells(io, memo, &needs, &residents, 1, &mut delta, None)?;
    delta.prune();
    apply(io, &delta)
}

pub(super) fn key_cond(q: &mut Sql<'_>, k: &CellKey) -> String {
    let vals = [
        ("unit", Val::Id(Some(k.unit))),
        ("month", Val::Int(Some(k.month))),
        ("dim", Val::Text(Some(k.dim.to_string()))),
        ("stream", Val::Text(Some(k.stream.as_str().to_string()))),
        ("key", Val::Text(Some(k.key.clone()))),
        ("prev", Val::Int(Some(k.prev))),
    ];
    vals.into_iter()
        .map(|(c, v)| format!("{c} = {}", q.bind(v)))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Cells per upsert statement (the rest go one by one), so a change writes few statements
/// and every backend caches just two.
pub(super) const CHUNK: usize = 8;

/// The text of an upsert of `rows` cells in `d`'s placeholders, built once per dialect and
/// size (every write runs these; formatting them each time showed in the profile).
pub(super) fn upsert_cells_sql(d: &dyn Dialect, rows: usize) -> std::sync::Arc<str> {
    use std::sync::{Arc, Mutex, OnceLock};
    /// Texts by (the dialect's first placeholder, rows).
    type Texts = HashMap<(String, usize), Arc<str>>;
    static TEXTS: OnceLock<Mutex<Texts>> = OnceLock::new();
    let key = (d.ph(1), rows);
    let mut texts = TEXTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    texts
        .entry(key)
        .or_insert_with(|| {
            let cols = COUNTER_COLUMNS.join(", ");
            let set = COUNTER_COLUMNS
                .iter()
                .map(|c| format!("{c} = report_cells.{c} + excluded.{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            let per_row = 6 + COUNTER_COLUMNS.len();
            let values: Vec<String> = (0..rows)
                .map(|r| {
                    let phs: Vec<String> = (1..=per_row).map(|i| d.ph(r * per_row + i)).collect();
                    format!("({})", phs.join(", "))
                })
                .collect();
            format!(
                "INSERT INTO report_cells (unit, month, dim, stream, key, prev, {cols}) \
                 VALUES {} ON CONFLICT (unit, month, dim, stream, key, prev) DO UPDATE SET {set}",
                values.join(", ")
            )
            .into()
        })
        .clone()
}

/// Adds `delta` to the stored cells, dropping cells that reach zero.
pub(super) fn apply(io: &mut dyn SqlIo, delta: &Cells) -> Result<(), StoreError> {
    let cells: Vec<(&CellKey, &Counters)> = delta.0.iter().collect();
    let (whole, rest) = cells.split_at(cells.len() - cells.len() % CHUNK);
    for chunk in whole.chunks(CHUNK).chain(rest.chunks(1)) {
        let mut q = Sql::new(io.dialect());
        q.text = upsert_cells_sql(io.dialect(), chunk.len()).to_string();
        for (k, c) in chunk {
            q.params.extend([
                Val::Id(Some(k.unit)),
                Val::Int(Some(k.month)),
                Val::Text(Some(k.dim.to_string())),
                Val::Text(Some(k.stream.as_str().to_string())),
                Val::Text(Some(k.key.clone())),
                Val::Int(Some(k.prev)),
            ]);
            q.params.extend(c.values().map(|v| Val::Int(Some(v))));
        }
        io.exec(&q)?;
    }
    for (k, c) in cells {
        if c.n < 0 {
            let mut q = Sql::new(io.dialect());
            let cond = key_cond(&mut q, k);
            q.text = format!("DELETE FROM report_cells WHERE {cond} AND n = 0");
            io.exec(&q)?;
        }
    }
    Ok(())
}

/// Replaces every cell with the cells of the current rows (after an upgrade or a restore).
pub(crate) fn rebuild(io: &mut dyn SqlIo) -> Result<(), StoreError> {
    let mut q = Sql::new(io.dialect());
    q.text = "DELETE FROM report_cells".into();
    io.exec(&q)?;
    let mut q = Sql::new(io.dialect());
    q.text = format!("SELECT {NEED_COLS} FROM needs n JOIN units u ON u.id = n.committee");
    let mut needs: HashMap<Uuid, NeedFacts> = HashMap::new();
    for r in io.rows(&q)? {
        let (id, _, f) = need_row(&r)?;
        needs.insert(id, f);
    }
    let mut q = Sql::new(io.dialect());
    q.text = format!("SELECT {CLAIM_COLS} FROM claims c JOIN units u ON u.id = c.committee");
    let mut claims: HashMap<Uuid, Vec<ClaimFacts>> = HashMap::new();
    for r in io.rows(&q)? {
        let (need, _, f) = claim_row(&r)?;
        claims.entry(need).or_default().push(f);
    }
    let mut q = Sql::new(io.dialect());
    q.text = "SELECT resident, grp FROM resident_groups".into();
    let mut groups: HashMap<Uuid, Vec<String>> = HashMap::new();
    for r in io.rows(&q)? {
        groups
            .entry(need_id(&r, 0)?)
            .or_default()
            .push(r.text(1)?.unwrap_or_default());
    }
    let mut cells = Cells::default();
    let mut verified: BTreeMap<Uuid, Vec<Verification>> = BTreeMap::new();
    for (id, facts) in &needs {
        let mine = claims.get(id).map(Vec::as_slice).unwrap_or(&[]);
        rc::need_cells(facts, mine, 1, &mut cells);
        for c in mine {
            if let Some(at) = c.verified_at {
                verified
                    .entry(facts.resident)
                    .or_default()
                    .push(Verification {
                        claim: c.id,
                        units: c.units.clone(),
                        at,
                    });
            }
        }
    }
    for (resident, v) in &verified {
        let g = groups.get(resident).map(Vec::as_slice).unwrap_or(&[]);
        rc::resident_cells(g, v, 1, &mut cells);
    }
    cells.prune();
    apply(io, &cells)
}

pub(super) fn sum_cols() -> String {
    COUNTER_COLUMNS
        .iter()
        .map(|c| format!("CAST(sum({c}) AS BIGINT)"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn counters(r: &OwnedRow, from: usize) -> Result<Counters, StoreError> {
    let mut v = [0i64; 9];
    for (i, x) in v.iter_mut().enumerate() {
        *x = r.int(from + i)?.unwrap_or(0);
    }
    Ok(Counters::from_values(v))
}

/// Reads the cells a report on `unit` over months `[from, to)` needs and folds them into
/// `out` (see [`rc::fold`]).
pub(crate) fn report(
    io: &mut dyn SqlIo,
    unit: Uuid,
    (from, to): (i64, i64),
    out: &mut crate::report::ReportData,
) -> Result<(), StoreError> {
    let sums = sum_cols();
    let mut q = Sql::for_report(io.dialect());
    let (u, f1, f2, t) = (
        q.bind(Val::Id(Some(unit))),
        q.bind(Val::Int(Some(from))),
        q.bind(Val::Int(Some(from))),
        q.bind(Val::Int(Some(to))),
    );
    q.text = format!(
        "SELECT stream, dim, key, month, {sums}, \
         CAST(sum(CASE WHEN prev < {f1} THEN n ELSE 0 END) AS BIGINT), \
         CAST(sum(CASE WHEN prev < month THEN n ELSE 0 END) AS BIGINT) \
         FROM report_cells WHERE unit = {u} AND month >= {f2} AND month < {t} \
         GROUP BY stream, dim, key, month"
    );
    let mut rows = Vec::new();
    for r in io.rows(&q)? {
        let Some(stream) = r.text(0)?.as_deref().and_then(Stream::parse) else {
            return Err(corrupt("report_cells.stream"));
        };
        rows.push(CellSum {
            stream,
            dim: r.text(1)?.unwrap_or_default(),
            key: r.text(2)?.unwrap_or_default(),
            month: r.int(3)?.unwrap_or(0),
            counters: counters(&r, 4)?,
            first_in_period: r.int(13)?.unwrap_or(0),
            first_in_month: r.int(14)?.unwrap_or(0),
        });
    }
    let mut q = Sql::for_report(io.dialect());
    let (f1, f2, t, s) = (
        q.bind(Val::Int(Some(from))),
        q.bind(Val::Int(Some(from))),
        q.bind(Val::Int(Some(to))),
        q.bind(Val::Id(Some(unit))),
    );
    q.text = format!(
        "SELECT unit, stream, {sums}, \
         CAST(sum(CASE WHEN prev < {f1} THEN n ELSE 0 END) AS BIGINT) \
         FROM report_cells WHERE dim = '' AND month >= {f2} AND month < {t} \
         AND stream IN ('created', 'published', 'claimed', 'completed', 'verified') \
         AND unit IN (SELECT c.id FROM units c JOIN units s ON c.path LIKE s.path || '%' \
                      WHERE s.id = {s} AND c.kind = 'committee') \
         GROUP BY unit, stream"
    );
    let mut committees = Vec::new();
    for r in io.rows(&q)? {
        let Some(stream) = r.text(1)?.as_deref().and_then(Stream::parse) else {
            return Err(corrupt("report_cells.stream"));
        };
        committees.push((
            need_id(&r, 0)?,
            CellSum {
                stream,
                dim: String::new(),
                key: String::new(),
                month: 0,
                counters: counters(&r, 2)?,
                first_in_period: r.int(11)?.unwrap_or(0),
                first_in_month: 0,
            },
        ));
    }
    rc::fold(&rows, &committees, out);
    Ok(())
}

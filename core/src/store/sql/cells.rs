//! Report cells in SQL stores: the `report_cells` table kept up to date inside every write
//! transaction, rebuilt from the tables on upgrade and restore, and read by reports.
//!
//! What a cell means is defined in [`crate::report::cells`] (pure); this module only moves
//! facts and cells between SQL and those functions. A `put` of a need, claim or resident whose
//! report-relevant facts change subtracts the cells of the affected need and resident groups
//! before the write and adds them after it, so the table always equals the cells of the
//! current rows (the acceptance suite checks reports against the reference computation).

use super::codec::{statement, OwnedRow, RowGet, Val};
use super::dialect::{Dialect, Sql, SqlIo};
use crate::error::StoreError;
use crate::report::cells::{
    self as rc, CellKey, CellSum, Cells, ClaimFacts, Counters, NeedFacts, Stream, COUNTER_COLUMNS,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
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
                         n.created_at, n.published_at, n.feedback, n.grid, \
                         CASE WHEN n.status = 'rejected' THEN n.updated_at END";

pub(super) fn need_row(r: &OwnedRow) -> Result<(Uuid, Uuid, NeedFacts), StoreError> {
    Ok((
        need_id(r, 0)?,
        need_id(r, 1)?,
        NeedFacts {
            units: path_ids(&r.text(2)?.unwrap_or_default())?,
            category: r.text(3)?.unwrap_or_default(),
            channel: r.text(4)?.unwrap_or_default(),
            collective: r.text(5)?.as_deref() == Some("collective"),
            resident: r.id(6)?,
            beneficiaries: Vec::new(),
            created_at: need_time(r, 7)?,
            published_at: r.time(8)?,
            feedback: r.text(9)?,
            grid: r.id(10)?,
            rejected_at: r.time(11)?,
        },
    ))
}

pub(super) const CLAIM_COLS: &str =
    "c.id, c.need, c.committee, u.path, c.claimant_type, c.claimant_id, \
     c.claimed_at, c.completed_at, CASE WHEN c.status = 'verified' THEN c.ended_at END, \
     c.money_fen, c.minutes, c.people_served, \
     (SELECT CAST(coalesce(sum(ci.count), 0) AS BIGINT) FROM claim_items ci WHERE ci.claim = c.id), \
     CASE WHEN c.status = 'released' THEN c.ended_at END";

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
            released_at: r.time(13)?,
            money_fen: r.int(9)?.unwrap_or(0),
            minutes: r.int(10)?.unwrap_or(0),
            people: r.int(11)?.unwrap_or(0),
            items: r.int(12)?.unwrap_or(0),
        },
    ))
}

fn key_cond(q: &mut Sql<'_>, k: &CellKey) -> String {
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

/// The most cells one upsert statement writes. A change is written in statements of 32, 16,
/// 8, 4, 2 and 1 cells (a claim's 12 cells: two statements), so every backend caches at most
/// six texts.
pub(super) const CHUNK: usize = 32;

/// The text of an upsert of `rows` cells in `d`'s placeholders, built once per dialect and
/// size ([`statement`]).
pub(super) fn upsert_cells_sql(d: &dyn Dialect, rows: usize) -> Arc<str> {
    statement("upsert_cells", None, d, &[rows], || {
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
    })
}

/// Adds `delta` (computed by the core) to the stored cells, dropping cells that reach zero.
pub(crate) fn add(io: &mut dyn SqlIo, delta: &Cells) -> Result<(), StoreError> {
    let cells: Vec<(&CellKey, &Counters)> = delta.0.iter().collect();
    let mut rest = cells.as_slice();
    while !rest.is_empty() {
        let size = 1 << rest.len().min(CHUNK).ilog2();
        let (chunk, after) = rest.split_at(size);
        rest = after;
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

/// Replaces every stored cell with `cells`.
pub(crate) fn replace(io: &mut dyn SqlIo, cells: &Cells) -> Result<(), StoreError> {
    let mut q = Sql::new(io.dialect());
    q.text = "DELETE FROM report_cells".into();
    io.exec(&q)?;
    add(io, cells)
}

/// Fills the cells of a database upgraded to the version that brought them, from the
/// columns every version since has (the decoding of whole records may need columns of later
/// migrations): the facts are read here, the cells computed by the core ([`rc::all_cells`]).
pub(crate) fn fill_on_upgrade(io: &mut dyn SqlIo, version: u32) -> Result<(), StoreError> {
    let mut q = Sql::new(io.dialect());
    q.text = format!("SELECT {NEED_COLS} FROM needs n JOIN units u ON u.id = n.committee");
    let mut needs: Vec<(Uuid, NeedFacts)> = Vec::new();
    for r in io.rows(&q)? {
        let (id, _, f) = need_row(&r)?;
        needs.push((id, f));
    }
    // Further beneficiaries and households exist from schema version 12 on.
    let households_known = version >= 12;
    let mut q = Sql::new(io.dialect());
    q.text = "SELECT need, resident FROM need_beneficiaries ORDER BY need, pos".into();
    let mut beneficiaries: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let rows = if households_known {
        io.rows(&q)?
    } else {
        Vec::new()
    };
    for r in rows {
        beneficiaries
            .entry(need_id(&r, 0)?)
            .or_default()
            .push(need_id(&r, 1)?);
    }
    for (id, f) in needs.iter_mut() {
        if let Some(b) = beneficiaries.remove(id) {
            f.beneficiaries = b;
        }
    }
    let mut q = Sql::new(io.dialect());
    q.text = "SELECT id, household FROM residents WHERE household IS NOT NULL".into();
    let mut households: HashMap<Uuid, Uuid> = HashMap::new();
    let rows = if households_known {
        io.rows(&q)?
    } else {
        Vec::new()
    };
    for r in rows {
        households.insert(need_id(&r, 0)?, need_id(&r, 1)?);
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
    let cells = rc::all_cells(&needs, &claims, &groups, &households);
    replace(io, &cells)
}

fn sum_cols() -> String {
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
         AND stream IN ('created', 'published', 'claimed', 'completed', 'verified', 'released', 'rejected') \
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

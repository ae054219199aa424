//! A [`Query`] as SQL: `WHERE` conditions equal to [`Query::matches`], and the
//! `SELECT`/`count` statements built from them.

use super::codec::*;
use super::dialect::*;
use crate::error::StoreError;
use crate::model::*;
use crate::store::{fold_text, NeedFilter, Page, Query};
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub(super) fn within(sql: &mut Sql<'_>, col: &str, scope: Option<UnitId>) -> Option<String> {
    let s = scope?;
    let p = sql.bind(id(s.0));
    let col = match sql.scan {
        true => sql.dialect.no_index(col),
        false => col.to_string(),
    };
    Some(format!(
        "{col} IN (SELECT u.id FROM units u JOIN units s ON u.path LIKE s.path || '%' WHERE s.id = {p})"
    ))
}

pub(super) fn eq(sql: &mut Sql<'_>, col: &str, v: Option<Val>) -> Option<String> {
    let v = v?;
    let p = sql.bind(v);
    Some(format!("{col} = {p}"))
}

pub(super) fn any_of<T: Copy>(
    sql: &mut Sql<'_>,
    col: &str,
    vals: &[T],
    f: impl Fn(T) -> &'static str,
) -> Option<String> {
    if vals.is_empty() {
        return None;
    }
    let phs: Vec<String> = vals.iter().map(|v| sql.bind(text(f(*v)))).collect();
    Some(format!("{col} IN ({})", phs.join(", ")))
}

pub(super) fn cmp_time(
    sql: &mut Sql<'_>,
    col: &str,
    op: &str,
    t: Option<DateTime<Utc>>,
) -> Option<String> {
    let t = t?;
    let p = sql.bind(time(t));
    Some(format!("{col} {op} {p}"))
}

/// `SELECT … WHERE … ORDER BY id LIMIT …` for a query; `Query::matches` is the definition
/// this must agree with.
pub(crate) fn select_sql<'d>(q: &Query, page: &Page, dialect: &'d dyn Dialect) -> Sql<'d> {
    select_with(q, page, dialect, None)
}

/// The SQL for `q` and `page`, like [`select_sql`], except for pages of needs (the project
/// library): those become one `ORDER BY id LIMIT` branch per status (every status when the
/// filter names none) —
/// per committee too when the scope holds at most [`PER_COMMITTEE`] committees (resolved
/// with one query on `units`) — merged by `UNION ALL`, so each branch walks an index
/// (`needs_status_id`, `needs_committee_status_id`) in id order and stops after a page
/// instead of sorting every match. Same rows, same order.
pub(crate) fn select_for<'d>(
    q: &Query,
    page: &Page,
    dialect: &'d dyn Dialect,
    io: &mut dyn SqlIo,
) -> Result<Sql<'d>, StoreError> {
    let Query::Needs(f) = q else {
        return Ok(select_sql(q, page, dialect));
    };
    let Some(limit) = page.limit else {
        return Ok(select_sql(q, page, dialect));
    };
    // No status filter pages through every status the same way.
    let statuses: &[NeedStatus] = match f.statuses.as_slice() {
        [] => NeedStatus::ALL,
        some => some,
    };
    let committees = match f.unit {
        None => None,
        Some(u) => {
            let ids = scope_committees(io, u)?;
            if ids.is_empty() {
                // Nothing to page through: the general query finds nothing just as fast.
                return Ok(select_sql(q, page, dialect));
            }
            Some(ids)
        }
    };
    let per_committee = committees.as_ref().filter(|c| c.len() <= PER_COMMITTEE);
    let t = table(Kind::Need);
    let cols = t.cols.join(", ");
    let mut sql = Sql::new(dialect);
    let mut branches = Vec::new();
    let mut branch = |sql: &mut Sql<'_>, committee: Option<Uuid>, status: NeedStatus| {
        let mut conds = Vec::new();
        conds.push(Some(format!(
            "status = {}",
            sql.bind(text(status.as_str()))
        )));
        match committee {
            Some(c) => conds.push(eq(sql, "committee", Some(id(c)))),
            None => conds.push(within(sql, "committee", f.unit)),
        }
        need_conds(sql, f, &mut conds);
        if let Some(after) = page.after {
            let p = sql.bind(id(after));
            conds.push(Some(format!("id > {p}")));
        }
        let conds: Vec<String> = conds.into_iter().flatten().collect();
        let l = sql.bind(int(limit));
        let n = branches.len();
        branches.push(format!(
            "SELECT * FROM (SELECT {cols} FROM needs WHERE {} ORDER BY id LIMIT {l}) AS b{n}",
            conds.join(" AND ")
        ));
    };
    for status in statuses {
        match per_committee {
            Some(cs) => {
                for c in cs {
                    branch(&mut sql, Some(*c), *status);
                }
            }
            None => branch(&mut sql, None, *status),
        }
    }
    let l = sql.bind(int(limit));
    sql.text = format!(
        "SELECT {cols} FROM ({}) AS page ORDER BY id LIMIT {l}",
        branches.join(" UNION ALL ")
    );
    Ok(sql)
}

/// The committees in `unit`'s subtree.
pub(super) fn scope_committees(io: &mut dyn SqlIo, unit: UnitId) -> Result<Vec<Uuid>, StoreError> {
    let mut c = Sql::new(io.dialect());
    let p = c.bind(id(unit.0));
    c.text = format!(
        "SELECT u.id FROM units u JOIN units s ON u.path LIKE s.path || '%' \
         WHERE s.id = {p} AND u.kind = 'committee'"
    );
    io.rows(&c)?
        .iter()
        .map(|r| r.id(0)?.ok_or_else(|| corrupt("units.id")))
        .collect()
}

/// Scopes with at most this many committees page per committee and status.
pub(super) const PER_COMMITTEE: usize = 4;

/// The conditions of a needs filter other than its scope and statuses.
pub(super) fn need_conds(sql: &mut Sql<'_>, f: &NeedFilter, conds: &mut Vec<Option<String>>) {
    let dialect = sql.dialect;
    conds.push(eq(sql, "category", f.category.as_ref().map(|c| text(c))));
    conds.push(eq(sql, "channel", f.channel.map(|c| text(c.as_str()))));
    conds.push(eq(sql, "scale", f.scale.map(|c| text(c.as_str()))));
    conds.push(eq(sql, "resident", f.resident.map(|r| id(r.0))));
    conds.push(eq(sql, "grid", f.grid.map(|g| id(g.0))));
    conds.push(eq(sql, "series", f.series.map(|s| id(s.0))));
    conds.push(cmp_time(sql, "next_due", "<", f.due_before));
    if let Some(r) = f.beneficiary {
        let (a, b) = (sql.bind(id(r.0)), sql.bind(id(r.0)));
        conds.push(Some(format!(
            "(resident = {a} OR id IN (SELECT need FROM need_beneficiaries WHERE resident = {b}))"
        )));
    }
    conds.push(cmp_time(sql, "wanted_by", "<", f.wanted_before));
    if let Some(words) = &f.text {
        let hay = dialect.fold("(title || ' ' || description)");
        for w in fold_text(words).split_whitespace() {
            let p = sql.bind(text(w));
            conds.push(Some(dialect.contains(&hay, &p)));
        }
    }
}

/// `SELECT count(*)` of the rows `q` selects (one column, one row).
pub(crate) fn count_sql<'d>(q: &Query, dialect: &'d dyn Dialect) -> Sql<'d> {
    select_with(q, &Page::ALL, dialect, Some(COUNT))
}

/// The projection [`count_sql`] passes: no ordering or paging applies to it.
pub(super) const COUNT: &str = "count(*)";

/// [`select_sql`] with other columns than the record's (`projection`).
pub(super) fn select_with<'d>(
    q: &Query,
    page: &Page,
    dialect: &'d dyn Dialect,
    projection: Option<&str>,
) -> Sql<'d> {
    select_in(q, page, Sql::new(dialect), projection)
}

/// [`select_with`] into a prepared [`Sql`] (for its flags).
pub(super) fn select_in<'d>(
    q: &Query,
    page: &Page,
    mut sql: Sql<'d>,
    projection: Option<&str>,
) -> Sql<'d> {
    let kind = q.kind();
    let t = table(kind);
    let mut conds: Vec<Option<String>> = Vec::new();
    match q {
        Query::Units { parent, kind } => {
            conds.push(eq(&mut sql, "parent", parent.map(|p| id(p.0))));
            conds.push(eq(&mut sql, "kind", kind.map(|k| text(k.as_str()))));
        }
        Query::WorkUnits | Query::Organisations | Query::Categories => {}
        Query::Members(f) => {
            conds.push(within(&mut sql, "committee", f.unit));
            conds.push(eq(&mut sql, "work_unit", f.work_unit.map(|w| id(w.0))));
            conds.push(any_of(&mut sql, "status", &f.statuses, |s| s.as_str()));
        }
        Query::Ledger { work_unit, member } => {
            conds.push(eq(&mut sql, "work_unit", work_unit.map(|w| id(w.0))));
            conds.push(eq(&mut sql, "member", member.map(|m| id(m.0))));
        }
        Query::Residents { unit } => conds.push(within(&mut sql, "committee", *unit)),
        Query::Needs(f) => {
            conds.push(within(&mut sql, "committee", f.unit));
            conds.push(any_of(&mut sql, "status", &f.statuses, |s| s.as_str()));
            need_conds(&mut sql, f, &mut conds);
        }
        Query::Claims(f) => {
            if let Some(c) = &f.claimant {
                let [ty, cid] = claimant_vals(c);
                conds.push(eq(&mut sql, "claimant_type", Some(ty)));
                conds.push(eq(&mut sql, "claimant_id", Some(cid)));
            }
            conds.push(eq(&mut sql, "need", f.need.map(|n| id(n.0))));
            conds.push(within(&mut sql, "committee", f.unit));
            conds.push(any_of(&mut sql, "status", &f.statuses, |s| s.as_str()));
            conds.push(cmp_time(&mut sql, "promised_by", "<", f.promised_before));
            if f.rostered {
                // The codec writes NULL for a claim without a roster.
                conds.push(Some("roster IS NOT NULL".into()));
            }
        }
        Query::Teams(f) => {
            conds.push(within(&mut sql, "committee", f.unit));
            if let Some(m) = f.member {
                let p = sql.bind(id(m.0));
                conds.push(Some(format!(
                    "id IN (SELECT team FROM team_members WHERE member = {p})"
                )));
            }
            conds.push(eq(&mut sql, "kind", f.kind.map(|k| text(k.as_str()))));
        }
        Query::Hours {
            member,
            unit,
            status,
        } => {
            conds.push(eq(&mut sql, "member", member.map(|m| id(m.0))));
            conds.push(within(&mut sql, "committee", *unit));
            conds.push(eq(&mut sql, "status", status.map(|s| text(s.as_str()))));
        }
        Query::Activities(f) => {
            conds.push(within(&mut sql, "committee", f.unit));
            conds.push(eq(&mut sql, "kind", f.kind.map(|k| text(k.as_str()))));
            conds.push(eq(&mut sql, "team", f.team.map(|t| id(t.0))));
            conds.push(cmp_time(&mut sql, "held_at", ">=", f.from));
            conds.push(cmp_time(&mut sql, "held_at", "<", f.to));
        }
        Query::Roles {
            unit,
            member,
            current_only,
        } => {
            conds.push(within(&mut sql, "committee", *unit));
            conds.push(eq(&mut sql, "member", member.map(|m| id(m.0))));
            if *current_only {
                conds.push(Some("until IS NULL".into()));
            }
        }
        Query::Pairings {
            unit,
            member,
            resident,
            current_only,
        } => {
            conds.push(within(&mut sql, "committee", *unit));
            conds.push(eq(&mut sql, "member", member.map(|m| id(m.0))));
            conds.push(eq(&mut sql, "resident", resident.map(|r| id(r.0))));
            if *current_only {
                conds.push(Some("until IS NULL".into()));
            }
        }
        Query::Households { unit } => conds.push(within(&mut sql, "committee", *unit)),
        Query::ServiceCertificates { number, member } => {
            conds.push(eq(&mut sql, "number", number.as_ref().map(|n| text(n))));
            conds.push(eq(&mut sql, "member", member.map(|m| id(m.0))));
        }
        Query::Corrections { unit } => conds.push(within(&mut sql, "committee", *unit)),
        Query::CalendarYears => {}
        Query::Offers(f) => {
            conds.push(within(&mut sql, "committee", f.unit));
            conds.push(eq(&mut sql, "need", f.need.map(|n| id(n.0))));
            if let Some(c) = &f.to {
                let [ty, cid] = claimant_vals(c);
                conds.push(eq(&mut sql, "to_type", Some(ty)));
                conds.push(eq(&mut sql, "to_id", Some(cid)));
            }
            conds.push(any_of(&mut sql, "status", &f.statuses, |s| s.as_str()));
            conds.push(cmp_time(&mut sql, "expires_at", "<", f.expires_before));
        }
    }
    if let Some(after) = page.after {
        let p = sql.bind(id(after));
        conds.push(Some(format!("id > {p}")));
    }
    if let Some((lo, hi)) = sql.rowids {
        let (lo, hi) = (sql.bind(int(lo)), sql.bind(int(hi)));
        conds.push(Some(format!("rowid BETWEEN {lo} AND {hi}")));
    }
    let conds: Vec<String> = conds.into_iter().flatten().collect();
    let cols = projection.map_or_else(|| t.cols.join(", "), str::to_string);
    let mut text_ = format!("SELECT {cols} FROM {}", t.name);
    if !conds.is_empty() {
        text_.push_str(" WHERE ");
        text_.push_str(&conds.join(" AND "));
    }
    if projection == Some(COUNT) || sql.scan {
        // Counts need no order; scans are put in id order by the caller.
        sql.text = text_;
        return sql;
    }
    text_.push_str(" ORDER BY id");
    if let Some(l) = page.limit {
        let p = sql.bind(int(l));
        text_.push_str(&format!(" LIMIT {p}"));
    }
    sql.text = text_;
    sql
}

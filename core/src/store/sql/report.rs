//! Reports in SQL: the same figures as `crate::report::compute`, aggregated by the database
//! (from report cells for unit scopes over whole months, from the rows otherwise).

use super::codec::*;
use super::dialect::*;
use super::query::within;
use crate::error::StoreError;

use crate::report::{
    ActivityFigures, NeedFigures, OfferFigures, Period, ReportData, ReportRequest, ReportScope,
};

/// What else a dialect needs for reports.
pub(crate) trait ReportDialect: Dialect {
    /// `YYYY-MM` (UTC) of a time column.
    fn month(&self, expr: &str) -> String;
}

pub(super) fn period_cond(sql: &mut Sql<'_>, col: &str, p: &Period) -> String {
    let mut c = vec![format!("{col} IS NOT NULL")];
    if let Some(f) = p.from {
        let ph = sql.bind(time(f));
        c.push(format!("{col} >= {ph}"));
    }
    if let Some(t) = p.to {
        let ph = sql.bind(time(t));
        c.push(format!("{col} < {ph}"));
    }
    c.join(" AND ")
}

/// Which rows of each table a scope covers.
#[derive(Clone, Copy)]
pub(super) enum On {
    /// A table with a committee column (alias given).
    Committee(&'static str),
    /// A table with a member column.
    Member(&'static str),
}

pub(super) fn scope_cond(sql: &mut Sql<'_>, scope: &ReportScope, on: On) -> String {
    match (scope, on) {
        (ReportScope::Unit(u), On::Committee(col) | On::Member(col)) => {
            within(sql, col, Some(*u)).unwrap_or_else(|| "1 = 1".into())
        }
        (ReportScope::WorkUnit(w), On::Member(col)) => {
            let p = sql.bind(id(w.0));
            format!("{col} IN (SELECT id FROM members WHERE work_unit = {p})")
        }
        (ReportScope::WorkUnit(_), On::Committee(_)) => "1 = 0".into(),
    }
}

pub(super) fn claim_scope(sql: &mut Sql<'_>, scope: &ReportScope) -> String {
    match scope {
        ReportScope::Unit(_) => scope_cond(sql, scope, On::Committee("c.committee")),
        ReportScope::WorkUnit(_) => format!(
            "c.claimant_type = 'member' AND {}",
            scope_cond(sql, scope, On::Member("c.claimant_id"))
        ),
    }
}

pub(super) fn need_scope(sql: &mut Sql<'_>, scope: &ReportScope) -> String {
    match scope {
        ReportScope::Unit(_) => scope_cond(sql, scope, On::Committee("n.committee")),
        ReportScope::WorkUnit(_) => scope_cond(sql, scope, On::Member("n.drafted_by")),
    }
}

pub(super) fn count_at(v: &OwnedRow, i: usize) -> Result<u64, StoreError> {
    Ok(v.int(i)?.unwrap_or(0).max(0) as u64)
}

pub(super) fn key_of(v: &OwnedRow) -> Result<String, StoreError> {
    Ok(v.text(0)?.unwrap_or_default())
}

/// Computes a report with SQL; `run` executes one query and returns its rows.
pub(crate) fn report(
    req: &ReportRequest,
    d: &dyn ReportDialect,
    io: &mut dyn SqlIo,
) -> Result<ReportData, StoreError> {
    let (scope, p) = (&req.scope, &req.period);
    let mut out = ReportData::default();
    let one = |rows: Vec<OwnedRow>| rows.into_iter().next().unwrap_or(OwnedRow(Vec::new()));

    // Committees.
    let mut q = Sql::for_report(d);
    q.text = match scope {
        ReportScope::Unit(_) => {
            let s = scope_cond(&mut q, scope, On::Committee("id"));
            let mut t = format!("SELECT count(*) FROM units WHERE kind = 'committee' AND {s}");
            if let Some(to) = p.to {
                let ph = q.bind(time(to));
                t.push_str(&format!(" AND created_at < {ph}"));
            }
            t
        }
        ReportScope::WorkUnit(_) => {
            let s = scope_cond(&mut q, scope, On::Member("id"));
            let pc = period_cond(&mut q, "reported_at", p);
            format!("SELECT count(DISTINCT committee) FROM members WHERE {s} AND {pc} AND committee IS NOT NULL")
        }
    };
    out.committees = count_at(&one(io.rows(&q)?), 0)?;

    // Members reported, their work units; acceptances.
    let mut q = Sql::for_report(d);
    let s = match scope {
        ReportScope::Unit(_) => scope_cond(&mut q, scope, On::Committee("committee")),
        ReportScope::WorkUnit(_) => scope_cond(&mut q, scope, On::Member("id")),
    };
    let pc = period_cond(&mut q, "reported_at", p);
    q.text = format!("SELECT count(*), count(DISTINCT work_unit) FROM members WHERE {s} AND {pc}");
    let r = one(io.rows(&q)?);
    out.members_reported = count_at(&r, 0)?;
    out.work_units = count_at(&r, 1)?;
    let mut q = Sql::for_report(d);
    let s = match scope {
        ReportScope::Unit(_) => scope_cond(&mut q, scope, On::Committee("committee")),
        ReportScope::WorkUnit(w) => {
            let ph = q.bind(id(w.0));
            format!("work_unit = {ph}")
        }
    };
    let pc = period_cond(&mut q, "at", p);
    q.text =
        format!("SELECT count(*) FROM ledger_entries WHERE kind = 'accepted' AND {s} AND {pc}");
    out.members_accepted = count_at(&one(io.rows(&q)?), 0)?;

    // Needs and claims, organisations and residents helped: from the report cells when they
    // can answer exactly (a unit scope, a period of whole months), else from the rows.
    let cells = match (scope, crate::report::cells::months(p)) {
        (ReportScope::Unit(u), Some(m)) => Some((u.0, m)),
        _ => None,
    };
    match cells {
        Some((unit, months)) => super::cells::report(io, unit, months, &mut out)?,
        None => raw_needs(scope, p, d, io, &mut out)?,
    }
    // Teams and captains.
    let mut q = Sql::for_report(d);
    let s = match scope {
        ReportScope::Unit(_) => scope_cond(&mut q, scope, On::Committee("committee")),
        ReportScope::WorkUnit(w) => {
            let ph = q.bind(id(w.0));
            format!(
                "id IN (SELECT team FROM team_members WHERE member IN \
                 (SELECT id FROM members WHERE work_unit = {ph}))"
            )
        }
    };
    let mut t = format!("SELECT count(*), count(captain) FROM teams WHERE {s}");
    if let Some(to) = p.to {
        let ph = q.bind(time(to));
        t.push_str(&format!(" AND created_at < {ph}"));
    }
    q.text = t;
    let r = one(io.rows(&q)?);
    out.teams = count_at(&r, 0)?;
    out.teams_with_captain = count_at(&r, 1)?;
    // Captains: distinct people (work unit: its members who captain a team).
    let mut q = Sql::for_report(d);
    let s = match scope {
        ReportScope::Unit(_) => scope_cond(&mut q, scope, On::Committee("committee")),
        ReportScope::WorkUnit(w) => {
            let ph = q.bind(id(w.0));
            format!("captain IN (SELECT id FROM members WHERE work_unit = {ph})")
        }
    };
    let mut t = format!("SELECT count(DISTINCT captain) FROM teams WHERE {s}");
    if let Some(to) = p.to {
        let ph = q.bind(time(to));
        t.push_str(&format!(" AND created_at < {ph}"));
    }
    q.text = t;
    out.captains = count_at(&one(io.rows(&q)?), 0)?;

    // Pairings active in the period; approved hours; three heads at its end.
    let member_or_committee = |q: &mut Sql<'_>| match scope {
        ReportScope::Unit(_) => scope_cond(q, scope, On::Committee("committee")),
        ReportScope::WorkUnit(_) => scope_cond(q, scope, On::Member("member")),
    };
    let mut q = Sql::for_report(d);
    let s = member_or_committee(&mut q);
    let mut t = format!("SELECT count(*) FROM pairings WHERE {s}");
    if let Some(to) = p.to {
        let ph = q.bind(time(to));
        t.push_str(&format!(" AND since < {ph}"));
    }
    if let Some(from) = p.from {
        let ph = q.bind(time(from));
        t.push_str(&format!(" AND (until IS NULL OR until >= {ph})"));
    }
    q.text = t;
    out.pairings = count_at(&one(io.rows(&q)?), 0)?;
    let mut q = Sql::for_report(d);
    let s = member_or_committee(&mut q);
    let pc = period_cond(&mut q, "served_at", p);
    // Approved hours, and of them the pairing visits, in one pass.
    q.text = format!(
        "SELECT CAST(coalesce(sum(minutes), 0) AS BIGINT), \
         CAST(coalesce(sum(CASE WHEN pairing IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT), \
         CAST(coalesce(sum(CASE WHEN pairing IS NULL THEN 0 ELSE minutes END), 0) AS BIGINT) \
         FROM hours WHERE status = 'approved' AND {s} AND {pc}"
    );
    let r = one(io.rows(&q)?);
    out.hours_minutes = count_at(&r, 0)?;
    out.pairing_visits = count_at(&r, 1)?;
    out.visit_minutes = count_at(&r, 2)?;
    // Roles held at the end of the period.
    let held_at_end = |q: &mut Sql<'_>| match p.to {
        Some(to) => {
            let a = q.bind(time(to));
            let b = q.bind(time(to));
            format!("since < {a} AND (until IS NULL OR until >= {b})")
        }
        None => "until IS NULL".to_string(),
    };
    let mut q = Sql::for_report(d);
    let s = member_or_committee(&mut q);
    let t = held_at_end(&mut q);
    q.text = format!("SELECT kind, count(*) FROM roles WHERE {s} AND {t} GROUP BY kind");
    for r in io.rows(&q)? {
        out.three_heads.insert(key_of(&r)?, count_at(&r, 1)?);
    }
    let mut q = Sql::for_report(d);
    let s = member_or_committee(&mut q);
    let t = held_at_end(&mut q);
    q.text = format!("SELECT count(DISTINCT member) FROM roles WHERE {s} AND {t}");
    out.three_heads_people = count_at(&one(io.rows(&q)?), 0)?;

    // Offers of needs by who arranged them: made, and decided, in the period.
    let mut q = Sql::for_report(d);
    let s = match scope {
        ReportScope::Unit(_) => scope_cond(&mut q, scope, On::Committee("committee")),
        ReportScope::WorkUnit(w) => {
            let ph = q.bind(id(w.0));
            format!(
                "to_type = 'member' AND to_id IN (SELECT id FROM members WHERE work_unit = {ph})"
            )
        }
    };
    let made = period_cond(&mut q, "offered_at", p);
    let decided = period_cond(&mut q, "decided_at", p);
    let when = |status: &str| {
        format!(
            "CAST(coalesce(sum(CASE WHEN status = '{status}' AND decided_at IS NOT NULL \
             AND {decided} THEN 1 ELSE 0 END), 0) AS BIGINT)"
        )
    };
    q.text = format!(
        "SELECT source, CAST(coalesce(sum(CASE WHEN {made} THEN 1 ELSE 0 END), 0) AS BIGINT), \
         {}, {}, {} FROM offers WHERE {s} GROUP BY source",
        when("accepted"),
        when("declined"),
        when("lapsed")
    );
    for r in io.rows(&q)? {
        let f = OfferFigures {
            made: count_at(&r, 1)?,
            accepted: count_at(&r, 2)?,
            declined: count_at(&r, 3)?,
            lapsed: count_at(&r, 4)?,
        };
        if f != OfferFigures::default() {
            out.offers.insert(key_of(&r)?, f);
        }
    }

    // Activities, by kind and by channel.
    for (column, into) in [
        ("kind", &mut out.activities),
        ("channel", &mut out.activities_by_channel),
        ("CAST(grid AS TEXT)", &mut out.activities_by_grid),
    ] {
        let mut q = Sql::for_report(d);
        let s = scope_cond(&mut q, scope, On::Committee("committee"));
        let mut pc = period_cond(&mut q, "held_at", p);
        if column.contains("grid") {
            pc.push_str(" AND grid IS NOT NULL");
        }
        q.text = format!(
            "SELECT {column}, count(*), CAST(sum(participants) AS BIGINT), \
             CAST(sum(people_reached) AS BIGINT), \
             CAST(sum(CASE WHEN roster IS NULL THEN 0 ELSE 1 END) AS BIGINT), \
             CAST(sum(CASE WHEN roster IS NULL THEN 0 ELSE participants END) AS BIGINT), \
             CAST(sum(roster_minutes) AS BIGINT) \
             FROM activities WHERE {s} AND {pc} GROUP BY {column}"
        );
        for r in io.rows(&q)? {
            into.insert(
                key_of(&r)?,
                ActivityFigures {
                    count: count_at(&r, 1)?,
                    participants: count_at(&r, 2)?,
                    people_reached: count_at(&r, 3)?,
                    rostered: count_at(&r, 4)?,
                    rostered_participants: count_at(&r, 5)?,
                    roster_minutes: count_at(&r, 6)?,
                },
            );
        }
    }
    Ok(out)
}

/// Needs and claims, organisations and residents helped, aggregated from the rows (any scope
/// and period; the report cells answer unit scopes over whole months faster).
pub(super) fn raw_needs(
    scope: &ReportScope,
    p: &Period,
    d: &dyn ReportDialect,
    io: &mut dyn SqlIo,
    out: &mut ReportData,
) -> Result<(), StoreError> {
    let one = |rows: Vec<OwnedRow>| rows.into_iter().next().unwrap_or(OwnedRow(Vec::new()));
    // Needs and claims: totals and each breakdown.
    type Key = fn(&dyn ReportDialect, &str) -> String;
    let dims: [(Option<&str>, Key); 7] = [
        (None, |_, _| "''".into()),
        (Some("committee"), |_, _| "CAST(n.committee AS TEXT)".into()),
        (Some("category"), |_, _| "n.category".into()),
        (Some("channel"), |_, _| "n.channel".into()),
        (Some("month"), |d, at| d.month(at)),
        (Some("claimant"), |_, _| "c.claimant_type".into()),
        (Some("grid"), |_, _| "CAST(n.grid AS TEXT)".into()),
    ];
    for (name, key) in dims {
        let group = |k: &str| {
            if name.is_some() {
                format!(" GROUP BY {k}")
            } else {
                String::new()
            }
        };
        let mut m: std::collections::BTreeMap<String, NeedFigures> = Default::default();
        // Needs created, first published, rejected (a rejected need's last change).
        let need_figures: &[(&str, u8)] = if name == Some("claimant") {
            &[]
        } else {
            &[
                ("n.created_at", 0),
                ("n.published_at", 1),
                ("(CASE WHEN n.status = 'rejected' THEN n.updated_at END)", 2),
            ]
        };
        for &(col, which) in need_figures {
            let mut q = Sql::for_report(d);
            let s = need_scope(&mut q, scope);
            let pc = period_cond(&mut q, col, p);
            let k = key(d, col);
            q.text = format!(
                "SELECT {k}, count(*) FROM needs n WHERE {s} AND {pc}{}",
                group(&k)
            );
            for r in io.rows(&q)? {
                let f = m.entry(key_of(&r)?).or_default();
                match which {
                    0 => f.needs_collected = count_at(&r, 1)?,
                    1 => f.needs_published = count_at(&r, 1)?,
                    _ => f.needs_rejected = count_at(&r, 1)?,
                }
            }
        }
        let mut q = Sql::for_report(d);
        let s = claim_scope(&mut q, scope);
        let pc = period_cond(&mut q, "c.claimed_at", p);
        let k = key(d, "c.claimed_at");
        q.text = format!(
            "SELECT {k}, \
             CAST(sum(CASE WHEN c.claimant_type = 'member' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(sum(CASE WHEN c.claimant_type = 'team' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(sum(CASE WHEN c.claimant_type = 'organisation' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(sum(CASE WHEN n.scale = 'collective' THEN 1 ELSE 0 END) AS BIGINT), \
             count(DISTINCT c.need) \
             FROM claims c JOIN needs n ON n.id = c.need WHERE {s} AND {pc}{g}",
            g = group(&k)
        );
        for r in io.rows(&q)? {
            let f = m.entry(key_of(&r)?).or_default();
            f.claims_by_members = count_at(&r, 1)?;
            f.claims_by_teams = count_at(&r, 2)?;
            f.claims_by_organisations = count_at(&r, 3)?;
            f.collective_claims = count_at(&r, 4)?;
            f.needs_claimed = count_at(&r, 5)?;
        }
        let mut q = Sql::for_report(d);
        let s = claim_scope(&mut q, scope);
        let pc = period_cond(&mut q, "c.completed_at", p);
        let k = key(d, "c.completed_at");
        q.text = format!(
            "SELECT {k}, count(*), count(DISTINCT c.need) FROM claims c JOIN needs n ON n.id = c.need \
             WHERE {s} AND {pc}{g}",
            g = group(&k)
        );
        for r in io.rows(&q)? {
            let f = m.entry(key_of(&r)?).or_default();
            f.claims_completed = count_at(&r, 1)?;
            f.needs_done = count_at(&r, 2)?;
        }
        let mut q = Sql::for_report(d);
        let s = claim_scope(&mut q, scope);
        let pc = period_cond(&mut q, "c.ended_at", p);
        let k = key(d, "c.ended_at");
        q.text = format!(
            "SELECT {k}, count(*) FROM claims c JOIN needs n ON n.id = c.need \
             WHERE c.status = 'released' AND {s} AND {pc}{g}",
            g = group(&k)
        );
        for r in io.rows(&q)? {
            m.entry(key_of(&r)?).or_default().claims_released = count_at(&r, 1)?;
        }
        let mut q = Sql::for_report(d);
        let s = claim_scope(&mut q, scope);
        let pc = period_cond(&mut q, "c.ended_at", p);
        let k = key(d, "c.ended_at");
        q.text = format!(
            "SELECT {k}, count(*), count(DISTINCT c.need), \
             CAST(coalesce(sum(c.money_fen), 0) AS BIGINT), CAST(coalesce(sum(c.minutes), 0) AS BIGINT), \
             CAST(coalesce(sum(c.people_served), 0) AS BIGINT), \
             CAST(coalesce(sum((SELECT coalesce(sum(ci.count), 0) FROM claim_items ci WHERE ci.claim = c.id)), 0) AS BIGINT) \
             FROM claims c JOIN needs n ON n.id = c.need \
             WHERE c.status = 'verified' AND {s} AND {pc}{g}",
            g = group(&k)
        );
        for r in io.rows(&q)? {
            let f = m.entry(key_of(&r)?).or_default();
            f.claims_verified = count_at(&r, 1)?;
            f.needs_verified = count_at(&r, 2)?;
            f.money_fen = r.int(3)?.unwrap_or(0);
            f.minutes = count_at(&r, 4)?;
            f.people_served = count_at(&r, 5)?;
            f.items = count_at(&r, 6)?;
        }
        match name {
            None => out.needs = m.remove("").unwrap_or_default(),
            Some("committee") => out.by_committee = m,
            Some("category") => out.by_category = m,
            Some("channel") => out.by_channel = m,
            Some("month") => out.by_month = m,
            Some("grid") => {
                // Needs in no grid group under no key: not a grid.
                m.remove("");
                out.by_grid = m;
            }
            _ => out.by_claimant = m,
        }
    }

    // Organisations that claimed.
    let mut q = Sql::for_report(d);
    let s = claim_scope(&mut q, scope);
    let pc = period_cond(&mut q, "c.claimed_at", p);
    q.text = format!(
        "SELECT count(DISTINCT c.claimant_id) FROM claims c \
         WHERE c.claimant_type = 'organisation' AND {s} AND {pc}"
    );
    out.organisations = count_at(&one(io.rows(&q)?), 0)?;

    // Residents helped, in total and by group.
    let mut q = Sql::for_report(d);
    let s = claim_scope(&mut q, scope);
    let pc = period_cond(&mut q, "c.ended_at", p);
    // Every resident a verified need is for: its first resident and further beneficiaries.
    let helped = |s: &str, pc: &str| {
        format!(
            "(SELECT n.resident AS r FROM claims c JOIN needs n ON n.id = c.need \
             WHERE c.status = 'verified' AND {s} AND {pc} \
             UNION SELECT b.resident AS r FROM claims c JOIN need_beneficiaries b ON b.need = c.need \
             WHERE c.status = 'verified' AND {s} AND {pc}) h"
        )
    };
    q.text = format!(
        "SELECT count(DISTINCT h.r), count(DISTINCT x.household) FROM {} \
         JOIN residents x ON x.id = h.r",
        helped(&s, &pc)
    );
    let r = one(io.rows(&q)?);
    out.residents_helped = count_at(&r, 0)?;
    out.households_helped = count_at(&r, 1)?;
    let mut q = Sql::for_report(d);
    let s = claim_scope(&mut q, scope);
    let pc = period_cond(&mut q, "c.ended_at", p);
    q.text = format!(
        "SELECT g.grp, count(DISTINCT h.r) FROM {} \
         JOIN resident_groups g ON g.resident = h.r GROUP BY g.grp",
        helped(&s, &pc)
    );
    for r in io.rows(&q)? {
        out.helped.insert(key_of(&r)?, count_at(&r, 1)?);
    }
    // Needs verified, by the resident's feedback.
    let mut q = Sql::for_report(d);
    let s = claim_scope(&mut q, scope);
    let pc = period_cond(&mut q, "c.ended_at", p);
    q.text = format!(
        "SELECT n.feedback, count(DISTINCT n.id) FROM claims c JOIN needs n ON n.id = c.need \
         WHERE c.status = 'verified' AND n.feedback IS NOT NULL AND {s} AND {pc} \
         GROUP BY n.feedback"
    );
    for r in io.rows(&q)? {
        out.feedback.insert(key_of(&r)?, count_at(&r, 1)?);
    }

    Ok(())
}

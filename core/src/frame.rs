//! Frames: what analysts load into data frames — needs, claims, members, teams, activities
//! or a committee's ledger as columns (one vector per field), read through the same
//! authorization and masking as the Hub's other reads.

use crate::error::Result;
use crate::export::PersonalData;
use crate::hub::{MemberScope, NeedQuery};
use crate::model::*;
use crate::report::Period;
use crate::store::{ActivityFilter, ClaimFilter, Page, Query, TeamFilter};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which records a frame holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameKind {
    /// Needs the actor may see in the unit's subtree (as in the project library).
    Needs,
    /// Claims at committees in the unit's subtree.
    Claims,
    /// Members reported to committees in the unit's subtree (personal data masked unless
    /// entitled).
    Members,
    /// Teams of committees in the unit's subtree.
    Teams,
    /// Activities at committees in the unit's subtree.
    Activities,
    /// The committee ledger of the unit: needs with their latest claims (residents masked).
    Ledger,
}

/// One column's values; `None` is a missing value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "values", rename_all = "snake_case")]
pub enum Column {
    /// Integers (counts, money in fen, minutes).
    Int(Vec<Option<i64>>),
    /// Free text and ids.
    Text(Vec<Option<String>>),
    /// Codes of a closed vocabulary (statuses, kinds): a categorical column.
    Code(Vec<Option<String>>),
    /// Times, UTC.
    Time(Vec<Option<DateTime<Utc>>>),
}

impl Column {
    /// The number of values.
    pub fn len(&self) -> usize {
        match self {
            Column::Int(v) => v.len(),
            Column::Text(v) | Column::Code(v) => v.len(),
            Column::Time(v) => v.len(),
        }
    }

    /// Whether the column is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Named columns of equal length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// What the rows are.
    pub kind: FrameKind,
    /// The columns, in a stable order.
    pub columns: Vec<(String, Column)>,
}

impl Frame {
    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| c.len())
    }
}

/// Builds columns from rows: `col(name, kind, f)` adds one column computed by `f` per row.
struct Builder<'a, T> {
    rows: &'a [T],
    out: Vec<(String, Column)>,
}

impl<'a, T> Builder<'a, T> {
    fn new(rows: &'a [T]) -> Self {
        Builder {
            rows,
            out: Vec::new(),
        }
    }
    fn int(mut self, name: &str, f: impl Fn(&T) -> Option<i64>) -> Self {
        let v = self.rows.iter().map(f).collect();
        self.out.push((name.into(), Column::Int(v)));
        self
    }
    fn text(mut self, name: &str, f: impl Fn(&T) -> Option<String>) -> Self {
        let v = self.rows.iter().map(f).collect();
        self.out.push((name.into(), Column::Text(v)));
        self
    }
    fn code(mut self, name: &str, f: impl Fn(&T) -> Option<&'static str>) -> Self {
        let v = self.rows.iter().map(|r| f(r).map(str::to_string)).collect();
        self.out.push((name.into(), Column::Code(v)));
        self
    }
    fn code_text(mut self, name: &str, f: impl Fn(&T) -> Option<String>) -> Self {
        let v = self.rows.iter().map(f).collect();
        self.out.push((name.into(), Column::Code(v)));
        self
    }
    fn time(mut self, name: &str, f: impl Fn(&T) -> Option<DateTime<Utc>>) -> Self {
        let v = self.rows.iter().map(f).collect();
        self.out.push((name.into(), Column::Time(v)));
        self
    }
}

fn id<T: ToString>(x: &T) -> Option<String> {
    Some(x.to_string())
}

fn n<T: TryInto<i64>>(x: T) -> Option<i64> {
    x.try_into().ok()
}

impl crate::Hub {
    /// The records of `kind` under `unit`, as columns: what `hub.frame(...)` in Python turns
    /// into a pandas or polars data frame. Authorization and masking are those of the
    /// matching read ([`crate::Hub::library`], [`crate::Hub::claims`],
    /// [`crate::Hub::members`], [`crate::Hub::teams`], [`crate::Hub::activities`],
    /// [`crate::Hub::committee_ledger`]).
    pub fn frame(&self, actor: &Actor, kind: FrameKind, unit: UnitId) -> Result<Frame> {
        // Needs and claims (the big ones) straight from storage when the backend can.
        if matches!(kind, FrameKind::Needs | FrameKind::Claims) {
            let mut tx = self.store().begin_read().map_err(crate::Error::from)?;
            let query = if kind == FrameKind::Needs {
                let q = NeedQuery {
                    unit: Some(unit),
                    ..Default::default()
                };
                crate::hub::library_filter(&mut *tx, actor, &q)?.map(Query::Needs)
            } else {
                use crate::store::TxExt;
                tx.load::<Unit>(&unit)?
                    .ok_or_else(|| crate::Error::not_found("unit", unit))?;
                Some(Query::Claims(ClaimFilter {
                    unit: Some(unit),
                    ..Default::default()
                }))
            };
            if let Some(query) = query {
                if let Some(columns) = tx.columns(&query)? {
                    return Ok(Frame { kind, columns });
                }
            }
        }
        let columns = match kind {
            FrameKind::Needs => {
                let mut needs = Vec::new();
                let mut after = None;
                loop {
                    let page = self.library(
                        actor,
                        &NeedQuery {
                            unit: Some(unit),
                            after,
                            limit: self.config().max_page,
                            ..Default::default()
                        },
                    )?;
                    needs.extend(page.needs);
                    match page.next {
                        Some(next) => after = Some(next),
                        None => break,
                    }
                }
                Builder::new(&needs)
                    .text("id", |x| id(&x.id))
                    .text("committee", |x| id(&x.committee))
                    .text("grid", |x| x.grid.as_ref().and_then(id))
                    .text("resident", |x| id(&x.resident))
                    .text("title", |x| Some(x.title.clone()))
                    .code_text("category", |x| Some(x.category.clone()))
                    .code("channel", |x| Some(x.channel.as_str()))
                    .code("scale", |x| Some(x.scale.as_str()))
                    .code("status", |x| Some(x.status.as_str()))
                    .int("estimated_cost_fen", |x| Some(x.estimated_cost_fen))
                    .int("claim_count", |x| n(x.claim_count))
                    .text("live_claim", |x| x.live_claim.as_ref().and_then(id))
                    .text("drafted_by", |x| x.drafted_by.as_ref().and_then(id))
                    .time("wanted_by", |x| Some(x.wanted_by))
                    .time("created_at", |x| Some(x.created_at))
                    .time("published_at", |x| x.published_at)
                    .time("updated_at", |x| Some(x.updated_at))
                    .out
            }
            FrameKind::Claims => {
                let claims = self.claims(
                    actor,
                    &ClaimFilter {
                        unit: Some(unit),
                        ..Default::default()
                    },
                )?;
                let f = |c: &Claim| c.fulfilment.clone();
                Builder::new(&claims)
                    .text("id", |x| id(&x.id))
                    .text("need", |x| id(&x.need))
                    .text("committee", |x| id(&x.committee))
                    .code("claimant_type", |x| Some(x.claimant.kind_str()))
                    .text("claimant", |x| id(&x.claimant.uuid()))
                    .text("claimed_by", |x| x.claimed_by.as_ref().and_then(id))
                    .code("status", |x| Some(x.status.as_str()))
                    .time("claimed_at", |x| Some(x.claimed_at))
                    .time("promised_by", |x| Some(x.promised_by))
                    .time("started_at", |x| x.started_at)
                    .time("completed_at", |x| x.completed_at)
                    .time("ended_at", |x| x.ended_at)
                    .int("extensions", |x| n(x.extensions))
                    .int("send_backs", |x| n(x.send_backs))
                    .int("money_fen", |x| f(x).map(|f| f.money_fen))
                    .int("items", |x| f(x).and_then(|f| n(f.item_count())))
                    .int("minutes", |x| f(x).and_then(|f| n(f.minutes)))
                    .int("people_served", |x| f(x).and_then(|f| n(f.people_served)))
                    .out
            }
            FrameKind::Members => {
                let members = self.members(actor, MemberScope::Unit(unit), &[])?;
                Builder::new(&members)
                    .text("id", |x| id(&x.id))
                    .text("work_unit", |x| id(&x.work_unit))
                    .text("name", |x| Some(x.name.clone()))
                    .text("phone", |x| x.phone.clone())
                    .code("status", |x| Some(x.status.as_str()))
                    .text("committee", |x| x.committee.as_ref().and_then(id))
                    .time("reported_at", |x| x.reported_at)
                    .time("decided_at", |x| x.decided_at)
                    .int("claims_verified", |x| n(x.tally.claims_verified))
                    .int("money_fen", |x| Some(x.tally.money_fen))
                    .int("items", |x| n(x.tally.items))
                    .int("minutes", |x| n(x.tally.minutes))
                    .int("people_served", |x| n(x.tally.people_served))
                    .int("approved_minutes", |x| n(x.approved_minutes))
                    .out
            }
            FrameKind::Teams => {
                let teams = self.teams(
                    actor,
                    &TeamFilter {
                        unit: Some(unit),
                        ..Default::default()
                    },
                )?;
                Builder::new(&teams)
                    .text("id", |x| id(&x.id))
                    .text("committee", |x| id(&x.committee))
                    .code("kind", |x| Some(x.kind.as_str()))
                    .text("name", |x| Some(x.name.clone()))
                    .code("channel", |x| Some(x.channel.as_str()))
                    .text("captain", |x| x.captain.as_ref().and_then(id))
                    .int("members", |x| n(x.members.len()))
                    .int("claims_verified", |x| n(x.tally.claims_verified))
                    .int("money_fen", |x| Some(x.tally.money_fen))
                    .int("items", |x| n(x.tally.items))
                    .int("minutes", |x| n(x.tally.minutes))
                    .int("people_served", |x| n(x.tally.people_served))
                    .time("created_at", |x| Some(x.created_at))
                    .out
            }
            FrameKind::Activities => {
                let mut acts: Vec<Activity> = Vec::new();
                let mut after = None;
                loop {
                    let page = self.activities(
                        actor,
                        &ActivityFilter {
                            unit: Some(unit),
                            ..Default::default()
                        },
                        Page {
                            after,
                            limit: Some(self.config().max_page),
                        },
                    )?;
                    let full = page.len() as u32 >= self.config().max_page;
                    after = page.last().map(|a| a.id.0);
                    acts.extend(page);
                    if !full {
                        break;
                    }
                }
                Builder::new(&acts)
                    .text("id", |x| id(&x.id))
                    .text("committee", |x| id(&x.committee))
                    .code("kind", |x| Some(x.kind.as_str()))
                    .text("title", |x| Some(x.title.clone()))
                    .code("channel", |x| Some(x.channel.as_str()))
                    .text("team", |x| x.team.as_ref().and_then(id))
                    .time("held_at", |x| Some(x.held_at))
                    .int("participants", |x| n(x.participants))
                    .int("people_reached", |x| n(x.people_reached))
                    .out
            }
            FrameKind::Ledger => {
                let rows = self.committee_ledger(actor, unit, Period::ALL, PersonalData::Masked)?;
                Builder::new(&rows)
                    .text("need", |x| id(&x.need))
                    .text("title", |x| Some(x.title.clone()))
                    .text("resident", |x| Some(x.resident.clone()))
                    .code_text("category", |x| Some(x.category.clone()))
                    .code("channel", |x| Some(x.channel.as_str()))
                    .code("scale", |x| Some(x.scale.as_str()))
                    .code("status", |x| Some(x.status.as_str()))
                    .code_text("claimant_type", |x| {
                        x.claimant.as_ref().map(|c| c.0.clone())
                    })
                    .text("claimant", |x| x.claimant.as_ref().map(|c| c.1.clone()))
                    .code("claim_status", |x| x.claim_status.map(|s| s.as_str()))
                    .time("created_at", |x| Some(x.created_at))
                    .time("published_at", |x| x.published_at)
                    .time("claimed_at", |x| x.claimed_at)
                    .time("completed_at", |x| x.completed_at)
                    .time("ended_at", |x| x.ended_at)
                    .int("money_fen", |x| x.money_fen)
                    .int("items", |x| x.items.and_then(n))
                    .int("minutes", |x| x.minutes.and_then(n))
                    .int("people_served", |x| x.people_served.and_then(n))
                    .out
            }
        };
        Ok(Frame { kind, columns })
    }
}

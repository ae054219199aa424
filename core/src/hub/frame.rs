//! `Hub::frame`: reads as typed columns for data frames, authorized and masked like the
//! matching read.

use super::{Hub, MemberScope, NeedQuery};
use crate::error::Result;
use crate::export::PersonalData;
use crate::frame::{self, Frame, FrameKind};
use crate::model::*;
use crate::report::Period;
use crate::store::{ActivityFilter, ClaimFilter, Page, Query, TeamFilter, TxExt};

impl Hub {
    /// The records of `kind` under `unit`, as columns: what `hub.frame(...)` in Python turns
    /// into a pandas or polars data frame. Authorization and masking are those of the
    /// matching read ([`crate::Hub::library`], [`crate::Hub::claims`],
    /// [`crate::Hub::members`], [`crate::Hub::teams`], [`crate::Hub::activities`],
    /// [`crate::Hub::committee_ledger`]).
    pub fn frame(&self, actor: &Actor, kind: FrameKind, unit: UnitId) -> Result<Frame> {
        // Needs and claims (the big ones) straight from storage when the backend can.
        if matches!(kind, FrameKind::Needs | FrameKind::Claims) {
            let mut tx = self
                .store()
                .begin_read_wide()
                .map_err(crate::error::Error::from)?;
            let query = if kind == FrameKind::Needs {
                let q = NeedQuery {
                    unit: Some(unit),
                    ..Default::default()
                };
                super::query::library_filter(&mut *tx, actor, &q)?.map(Query::Needs)
            } else {
                tx.load::<Unit>(&unit)?
                    .ok_or_else(|| crate::error::Error::not_found("unit", unit))?;
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
                frame::needs_columns(&needs)
            }
            FrameKind::Claims => {
                let claims = self.claims(
                    actor,
                    &ClaimFilter {
                        unit: Some(unit),
                        ..Default::default()
                    },
                )?;
                frame::claims_columns(&claims)
            }
            FrameKind::Members => {
                let members = self.members(actor, MemberScope::Unit(unit), &[])?;
                frame::members_columns(&members)
            }
            FrameKind::Teams => {
                let teams = self.teams(
                    actor,
                    &TeamFilter {
                        unit: Some(unit),
                        ..Default::default()
                    },
                )?;
                frame::teams_columns(&teams)
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
                frame::activities_columns(&acts)
            }
            FrameKind::Ledger => {
                let rows = self.committee_ledger(actor, unit, Period::ALL, PersonalData::Masked)?;
                frame::ledger_columns(&rows)
            }
        };
        Ok(Frame { kind, columns })
    }
}

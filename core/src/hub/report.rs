//! `Hub::report`: authorizes, then asks the store for the figures (or computes them with the
//! reference definitions in [`crate::report`]) and adds the names to show them with.

use super::Hub;
use crate::error::{Error, Result};
use crate::model::*;
use crate::report::{compute, Period, Records, Report, ReportRequest, ReportScope};
use crate::rules::authz::{is, oversees, Principal};
use crate::rules::validate;
use crate::store::{Page, Query, Tx, TxExt};
use std::collections::BTreeMap;

impl Hub {
    /// The report for `scope` over `period`: every figure defined in [`crate::report`].
    ///
    /// Staff and the district admin over a unit (and the system) may report on it; a work
    /// unit's secretary, district admins and the system on a work unit. Figures carry no
    /// personal data.
    pub fn report(&self, actor: &Actor, scope: ReportScope, period: Period) -> Result<Report> {
        let period = Period {
            from: period.from.map(validate::filter_time),
            to: period.to.map(validate::filter_time),
        };
        let request = ReportRequest { scope, period };
        let generated_at = self.now();
        let mut tx = self.store().begin_read().map_err(Error::from)?;
        match scope {
            ReportScope::Unit(u) => {
                let unit = tx
                    .load::<Unit>(&u)?
                    .ok_or_else(|| Error::not_found("unit", u))?;
                if !oversees(actor, &unit.path) {
                    return Err(Error::forbidden(format!(
                        "a {} may not report on this unit",
                        actor.kind_str().replace('_', " ")
                    )));
                }
            }
            ReportScope::WorkUnit(w) => {
                tx.load::<WorkUnit>(&w)?
                    .ok_or_else(|| Error::not_found("work_unit", w))?;
                let ok = matches!(actor, Actor::System | Actor::DistrictAdmin { .. })
                    || is(actor, &Principal::Secretary(w));
                if !ok {
                    return Err(Error::forbidden(format!(
                        "a {} may not report on this work unit",
                        actor.kind_str().replace('_', " ")
                    )));
                }
            }
        }
        let data = match tx.report(&request)? {
            Some(d) => d,
            None => {
                fn all<E: Entity>(tx: &mut dyn Tx, q: Query) -> Result<Vec<E>> {
                    Ok(tx.select::<E>(&q, &Page::ALL)?)
                }
                let t = &mut *tx;
                let records = Records {
                    units: all(
                        t,
                        Query::Units {
                            parent: None,
                            kind: None,
                        },
                    )?,
                    members: all(t, Query::Members(Default::default()))?,
                    ledger: all(
                        t,
                        Query::Ledger {
                            work_unit: None,
                            member: None,
                        },
                    )?,
                    residents: all(t, Query::Residents { unit: None })?,
                    needs: all(t, Query::Needs(Default::default()))?,
                    claims: all(t, Query::Claims(Default::default()))?,
                    teams: all(t, Query::Teams(Default::default()))?,
                    hours: all(
                        t,
                        Query::Hours {
                            member: None,
                            unit: None,
                            status: None,
                        },
                    )?,
                    activities: all(t, Query::Activities(Default::default()))?,
                    roles: all(
                        t,
                        Query::Roles {
                            unit: None,
                            member: None,
                            current_only: false,
                        },
                    )?,
                    pairings: all(
                        t,
                        Query::Pairings {
                            unit: None,
                            member: None,
                            resident: None,
                            current_only: false,
                        },
                    )?,
                };
                compute(&request, &records)
            }
        };
        let mut committee_names = BTreeMap::new();
        for key in data.by_committee.keys() {
            if let Ok(id) = key.parse::<UnitId>() {
                if let Some(u) = tx.load::<Unit>(&id)? {
                    committee_names.insert(key.clone(), u.name);
                }
            }
        }
        let category_names = tx
            .select::<Category>(&Query::Categories, &Page::ALL)?
            .into_iter()
            .map(|c| (c.code, (c.name_zh, c.name_en)))
            .collect();
        Ok(Report {
            request,
            generated_at,
            data,
            committee_names,
            category_names,
        })
    }
}

//! `Hub::report`: authorizes, then asks the store for the figures (or computes them with the
//! reference definitions in [`crate::report`]) and adds the names to show them with; and
//! `Hub::report_tables`, the report as tables for an office (the report workbook).

use super::ledger::{exporter, unit_scope, work_unit_scope};
use super::Hub;
use crate::error::{Error, Result};
use crate::export::{About, Cell, Chart, Column, Measure, Table};
use crate::model::*;
use crate::report::{
    compute, ActivityFigures, NeedFigures, Period, Records, Report, ReportRequest, ReportScope,
};
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
                    offers: all(t, Query::Offers(Default::default()))?,
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
        let committee_names = unit_names(&mut *tx, data.by_committee.keys())?;
        let grid_names = unit_names(
            &mut *tx,
            data.by_grid.keys().chain(data.activities_by_grid.keys()),
        )?;
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
            grid_names,
            category_names,
        })
    }
}

impl Hub {
    /// The report for `scope` over `period` as tables an office can file (written with
    /// [`crate::export::to_xlsx_with`], or each with [`Table::to_csv_with`]): a summary of
    /// every figure, then the breakdowns by committee (with each committee's parent, and a
    /// chart of needs collected, claimed, done and verified per committee), by category, by
    /// channel, by month, by kind of claimant, and the activities, residents helped by group
    /// and three-heads roles. Every figure is [`Hub::report`]'s, shown by label; the same
    /// actors may ask. The tables say where they come from for the cover sheet (the scope,
    /// the period, who exported them and when; no personal data).
    pub fn report_tables(
        &self,
        actor: &Actor,
        scope: ReportScope,
        period: Period,
    ) -> Result<Vec<Table>> {
        let report = self.report(actor, scope, period)?;
        let mut tx = self.store().begin_read().map_err(Error::from)?;
        let tx = &mut *tx;
        let (name, scope_label) = match scope {
            ReportScope::Unit(u) => {
                let u = tx
                    .load::<Unit>(&u)?
                    .ok_or_else(|| Error::not_found("unit", u))?;
                (u.name.clone(), unit_scope(&u))
            }
            ReportScope::WorkUnit(w) => {
                let w = tx
                    .load::<WorkUnit>(&w)?
                    .ok_or_else(|| Error::not_found("work_unit", w))?;
                (w.name.clone(), work_unit_scope(&w))
            }
        };
        let mut parents = BTreeMap::new();
        for key in report.data.by_committee.keys() {
            let Ok(id) = key.parse::<UnitId>() else {
                continue;
            };
            let parent = match tx.load::<Unit>(&id)?.and_then(|u| u.parent) {
                Some(p) => tx.load::<Unit>(&p)?,
                None => None,
            };
            if let Some(p) = parent {
                parents.insert(key.clone(), p.name);
            }
        }
        let about = About {
            scope: scope_label,
            from: report.request.period.from,
            to: report.request.period.to,
            exported_by: exporter(tx, actor)?,
            exported_at: report.generated_at,
            personal_data: None,
        };
        Ok(report_book(&report, &name, &parents, &about))
    }
}

/// One figure of [`NeedFigures`]: its code (the field's name), its label, what it measures,
/// and its cell.
struct Figure {
    code: &'static str,
    label: (&'static str, &'static str),
    measure: Measure,
    cell: fn(&NeedFigures) -> Cell,
}

/// The needs-and-claims figures, in the report's order: the columns of every breakdown.
const NEED_FIGURES: &[Figure] = &[
    Figure {
        code: "needs_collected",
        label: ("收集需求", "Needs collected"),
        measure: Measure::Plain,
        cell: |f| Cell::int(f.needs_collected),
    },
    Figure {
        code: "needs_published",
        label: ("发布需求", "Needs published"),
        measure: Measure::Plain,
        cell: |f| Cell::int(f.needs_published),
    },
    Figure {
        code: "needs_rejected",
        label: ("驳回需求", "Needs rejected"),
        measure: Measure::Plain,
        cell: |f| Cell::int(f.needs_rejected),
    },
    Figure {
        code: "needs_claimed",
        label: ("认领需求", "Needs claimed"),
        measure: Measure::Plain,
        cell: |f| Cell::int(f.needs_claimed),
    },
    Figure {
        code: "needs_done",
        label: ("完成需求", "Needs done"),
        measure: Measure::Plain,
        cell: |f| Cell::int(f.needs_done),
    },
    Figure {
        code: "needs_verified",
        label: ("验收需求", "Needs verified"),
        measure: Measure::Plain,
        cell: |f| Cell::int(f.needs_verified),
    },
    Figure {
        code: "claims_by_members",
        label: ("党员认领", "Claims by members"),
        measure: Measure::Plain,
        cell: |f| Cell::int(f.claims_by_members),
    },
    Figure {
        code: "claims_by_teams",
        label: ("服务队认领", "Claims by teams"),
        measure: Measure::Plain,
        cell: |f| Cell::int(f.claims_by_teams),
    },
    Figure {
        code: "claims_by_organisations",
        label: ("企业和社会组织认领", "Claims by organisations"),
        measure: Measure::Plain,
        cell: |f| Cell::int(f.claims_by_organisations),
    },
    Figure {
        code: "collective_claims",
        label: ("集体项目认领", "Collective claims"),
        measure: Measure::Plain,
        cell: |f| Cell::int(f.collective_claims),
    },
    Figure {
        code: "claims_completed",
        label: ("完成认领", "Claims completed"),
        measure: Measure::Plain,
        cell: |f| Cell::int(f.claims_completed),
    },
    Figure {
        code: "claims_verified",
        label: ("验收认领", "Claims verified"),
        measure: Measure::Plain,
        cell: |f| Cell::int(f.claims_verified),
    },
    Figure {
        code: "claims_released",
        label: ("放弃认领", "Claims released"),
        measure: Measure::Plain,
        cell: |f| Cell::int(f.claims_released),
    },
    Figure {
        code: "money_fen",
        label: ("投入金额", "Money"),
        measure: Measure::Money,
        cell: |f| Cell::Money(f.money_fen),
    },
    Figure {
        code: "items",
        label: ("物品", "Items"),
        measure: Measure::Plain,
        cell: |f| Cell::int(f.items),
    },
    Figure {
        code: "minutes",
        label: ("服务时长", "Service time"),
        measure: Measure::Duration,
        cell: |f| Cell::Minutes(f.minutes),
    },
    Figure {
        code: "people_served",
        label: ("服务人数", "People served"),
        measure: Measure::Plain,
        cell: |f| Cell::int(f.people_served),
    },
];

/// The names of the units whose ids are `keys` (a breakdown's keys), by key.
fn unit_names<'a>(
    tx: &mut dyn Tx,
    keys: impl Iterator<Item = &'a String>,
) -> Result<BTreeMap<String, String>> {
    let mut names = BTreeMap::new();
    for key in keys {
        if let Ok(id) = key.parse::<UnitId>() {
            if let Some(u) = tx.load::<Unit>(&id)? {
                names.insert(key.clone(), u.name);
            }
        }
    }
    Ok(names)
}

/// The columns and rows of activity figures by `key` (a kind, a channel), each key shown
/// by `label`.
fn activity_rows(
    key: Column,
    figures: &BTreeMap<String, ActivityFigures>,
    label: fn(&str) -> Cell,
) -> (Vec<Column>, Vec<Vec<Cell>>) {
    let plain = |zh, en| Column::new((zh, en), Measure::Plain);
    let columns = vec![
        key,
        plain("次数", "Held"),
        plain("参与人次", "Participants (person-times)"),
        plain("覆盖人数", "People reached"),
        plain("记名次数", "Held with a roster"),
        plain("其中记名人次", "Of which from rosters"),
        Column::new(("记名服务时长", "Roster time"), Measure::Duration),
    ];
    let rows = figures
        .iter()
        .map(|(code, a)| {
            vec![
                label(code),
                Cell::int(a.count),
                Cell::int(a.participants),
                Cell::int(a.people_reached),
                Cell::int(a.rostered),
                Cell::int(a.rostered_participants),
                Cell::Minutes(a.roster_minutes),
            ]
        })
        .collect();
    (columns, rows)
}

/// A code's label from a vocabulary, or the code itself.
fn vocabulary<T: Vocabulary>(code: &str) -> Cell {
    match T::from_code(code) {
        Some(v) => Cell::code(code, v.labels()),
        None => Cell::code(code, (code, code)),
    }
}

/// `2026-03` as `2026年3月` / `2026-03`.
fn month_cell(key: &str) -> Cell {
    let zh = match key.split_once('-') {
        Some((y, m)) => format!("{y}年{}月", m.trim_start_matches('0')),
        None => key.to_string(),
    };
    Cell::code(key, (&zh, key))
}

/// A report as its tables (pure): `name` is the scope's name for the titles, `parents` the
/// parent's name of each committee by id, `about` what every table says for the cover.
fn report_book(
    report: &Report,
    name: &str,
    parents: &BTreeMap<String, String>,
    about: &About,
) -> Vec<Table> {
    let d = &report.data;
    let table = |sheet: (&str, &str), first: Vec<Column>, rows: Vec<Vec<Cell>>| {
        let mut t = Table::with_columns(
            (
                &format!("{name} 工作报告：{}", sheet.0),
                &format!("{name} report: {}", sheet.1),
            ),
            sheet,
            first,
        );
        t.rows = rows;
        t.about = Some(about.clone());
        t
    };
    let col = |zh, en| Column::new((zh, en), Measure::Plain);
    // A breakdown: the key columns, then the figures (all of them, or from `skip` on).
    let breakdown =
        |sheet, keys: Vec<Column>, skip: usize, rows: Vec<(Vec<Cell>, &NeedFigures)>| {
            let mut columns = keys;
            columns.extend(
                NEED_FIGURES[skip..]
                    .iter()
                    .map(|x| Column::new(x.label, x.measure)),
            );
            let rows = rows
                .into_iter()
                .map(|(mut keys, f)| {
                    keys.extend(NEED_FIGURES[skip..].iter().map(|x| (x.cell)(f)));
                    keys
                })
                .collect();
            table(sheet, columns, rows)
        };

    let n = &d.needs;
    let figure =
        |code: &str, zh: &str, en: &str, value: Cell| vec![Cell::code(code, (zh, en)), value];
    let mut summary = vec![
        figure(
            "committees",
            "居委会",
            "Residents' committees",
            Cell::int(d.committees),
        ),
        figure(
            "work_units",
            "报到党员所在单位",
            "Work units with reported members",
            Cell::int(d.work_units),
        ),
        figure(
            "members_reported",
            "报到党员",
            "Members reported",
            Cell::int(d.members_reported),
        ),
        figure(
            "members_accepted",
            "接收报到",
            "Reports accepted",
            Cell::int(d.members_accepted),
        ),
    ];
    for x in NEED_FIGURES {
        let (zh, en) = x.label;
        let (zh, en) = match x.measure {
            Measure::Money => (format!("{zh}(元)"), format!("{en} (yuan)")),
            Measure::Duration => (format!("{zh}(小时)"), format!("{en} (hours)")),
            _ => (zh.to_string(), en.to_string()),
        };
        summary.push(figure(x.code, &zh, &en, (x.cell)(n)));
    }
    summary.extend([
        figure("teams", "志愿服务队", "Volunteer teams", Cell::int(d.teams)),
        figure(
            "teams_with_captain",
            "有队长的服务队",
            "Teams with a captain",
            Cell::int(d.teams_with_captain),
        ),
        figure(
            "captains",
            "队长(人)",
            "Captains (people)",
            Cell::int(d.captains),
        ),
        figure(
            "organisations",
            "参与认领的企业和社会组织",
            "Organisations that claimed",
            Cell::int(d.organisations),
        ),
        figure(
            "residents_helped",
            "受助居民",
            "Residents helped",
            Cell::int(d.residents_helped),
        ),
        figure(
            "households_helped",
            "受助户数",
            "Households helped",
            Cell::int(d.households_helped),
        ),
        figure(
            "feedback_rated",
            "有评价的验收需求",
            "Verified needs with feedback",
            Cell::int(d.feedback.values().sum::<u64>()),
        ),
        figure(
            "satisfaction",
            "满意率",
            "Satisfaction rate",
            Cell::text(
                d.satisfaction_permille()
                    .map(|p| format!("{}.{}%", p / 10, p % 10)),
            ),
        ),
        figure(
            "three_heads_people",
            "三长(人)",
            "Three heads (people)",
            Cell::int(d.three_heads_people),
        ),
        figure("pairings", "结对帮扶", "Pairings", Cell::int(d.pairings)),
        figure(
            "hours_minutes",
            "登记服务时长(小时)",
            "Logged service time (hours)",
            Cell::Minutes(d.hours_minutes),
        ),
        figure(
            "offers_made",
            "派单(次)",
            "Needs offered (派单)",
            Cell::int(d.offers.get("committee").map_or(0, |f| f.made)),
        ),
        figure(
            "offers_accepted",
            "派单接单(次)",
            "Offers accepted",
            Cell::int(d.offers.get("committee").map_or(0, |f| f.accepted)),
        ),
        figure(
            "branch_arranged",
            "支部安排(次)",
            "Arranged by party branches",
            Cell::int(d.offers.get("branch").map_or(0, |f| f.made)),
        ),
        figure(
            "pairing_visits",
            "结对走访(次)",
            "Pairing visits",
            Cell::int(d.pairing_visits),
        ),
        figure(
            "visit_minutes",
            "走访时长(小时)",
            "Visit time (hours)",
            Cell::Minutes(d.visit_minutes),
        ),
    ]);
    let mut out = vec![table(
        ("汇总", "Summary"),
        vec![col("指标", "Figure"), col("数值", "Value")],
        summary,
    )];

    // By committee, by name (then parent), with the chart.
    let mut committees: Vec<(String, String, &NeedFigures)> = d
        .by_committee
        .iter()
        .map(|(id, f)| {
            let name = report
                .committee_names
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.clone());
            (name, parents.get(id).cloned().unwrap_or_default(), f)
        })
        .collect();
    committees.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let mut by_committee = breakdown(
        ("按居委会", "By committee"),
        vec![col("居委会", "Committee"), col("所属社区", "Community")],
        0,
        committees
            .into_iter()
            .map(|(name, parent, f)| (vec![Cell::Text(name), Cell::Text(parent)], f))
            .collect(),
    );
    by_committee.chart = Some(Chart {
        title: (
            "各居委会需求办理情况".into(),
            "Needs by stage per committee".into(),
        ),
        categories: 0,
        series: vec![2, 4, 5, 6],
    });
    out.push(by_committee);
    if !d.by_grid.is_empty() {
        out.push(breakdown(
            ("按网格", "By grid"),
            vec![col("网格", "Grid")],
            0,
            d.by_grid
                .iter()
                .map(|(id, f)| {
                    let name = report.grid_names.get(id).unwrap_or(id);
                    (vec![Cell::Text(name.clone())], f)
                })
                .collect(),
        ));
    }
    out.push(breakdown(
        ("按类别", "By category"),
        vec![col("类别", "Category")],
        0,
        d.by_category
            .iter()
            .map(|(code, f)| {
                let cell = match report.category_names.get(code) {
                    Some((zh, en)) => Cell::code(code, (zh, en)),
                    None => Cell::code(code, (code, code)),
                };
                (vec![cell], f)
            })
            .collect(),
    ));
    out.push(breakdown(
        ("按渠道", "By channel"),
        vec![col("渠道", "Channel")],
        0,
        d.by_channel
            .iter()
            .map(|(code, f)| (vec![vocabulary::<Channel>(code)], f))
            .collect(),
    ));
    out.push(breakdown(
        ("按月份", "By month"),
        vec![col("月份(UTC)", "Month (UTC)")],
        0,
        d.by_month
            .iter()
            .map(|(m, f)| (vec![month_cell(m)], f))
            .collect(),
    ));
    out.push(breakdown(
        ("按认领方", "By claimant"),
        vec![col("认领方类型", "Claimant kind")],
        2,
        d.by_claimant
            .iter()
            .map(|(code, f)| (vec![vocabulary::<ClaimantKind>(code)], f))
            .collect(),
    ));
    for (name, key, figures, label) in [
        (
            ("活动", "Activities"),
            col("活动类型", "Activity"),
            &d.activities,
            vocabulary::<ActivityKind> as fn(&str) -> Cell,
        ),
        (
            ("活动（按渠道）", "Activities by channel"),
            col("渠道", "Channel"),
            &d.activities_by_channel,
            vocabulary::<Channel>,
        ),
    ] {
        let (columns, rows) = activity_rows(key, figures, label);
        out.push(table(name, columns, rows));
    }
    if !d.activities_by_grid.is_empty() {
        let (columns, mut rows) =
            activity_rows(col("网格", "Grid"), &d.activities_by_grid, |id| {
                Cell::Text(id.to_string())
            });
        for (row, id) in rows.iter_mut().zip(d.activities_by_grid.keys()) {
            row[0] = Cell::Text(report.grid_names.get(id).unwrap_or(id).clone());
        }
        out.push(table(
            ("活动（按网格）", "Activities by grid"),
            columns,
            rows,
        ));
    }
    out.push(table(
        ("受助群体", "Residents helped"),
        vec![col("群体", "Group"), col("受助居民", "Residents helped")],
        d.helped
            .iter()
            .map(|(code, n)| vec![vocabulary::<ResidentGroup>(code), Cell::int(*n)])
            .collect(),
    ));
    out.push(table(
        ("三长", "Three heads"),
        vec![col("类型", "Role"), col("在任人数", "Held")],
        d.three_heads
            .iter()
            .map(|(code, n)| vec![vocabulary::<RoleKind>(code), Cell::int(*n)])
            .collect(),
    ));
    out
}

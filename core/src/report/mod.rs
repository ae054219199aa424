//! Statistics computed from the store: every figure the seed's report states, for any unit
//! subtree or work unit and any period, with breakdowns by committee, category, channel and
//! month.
//!
//! # What each figure counts
//!
//! The period is half-open, `[from, to)`, either end optional. "In scope" means, for a unit
//! scope, *belonging to a committee in the unit's subtree*; for a work-unit scope, *belonging
//! to or done by that work unit's members* (see [`ReportScope::WorkUnit`]). These definitions
//! are the contract: every backend computes exactly them (the acceptance suite compares every
//! figure across backends on the same data).
//!
//! | figure | counts |
//! |---|---|
//! | `committees` | residents' committees in scope created before `to` (work unit: distinct committees its members reported to in the period) |
//! | `work_units` | distinct work units of members who reported in the period |
//! | `members_reported` | members whose report (报到) falls in the period |
//! | `members_accepted` | acceptances (ledger entries of kind `accepted`) in the period |
//! | `needs_collected` | needs created in the period (work unit: drafted by its members) |
//! | `needs_published` | needs first published in the period (work unit: drafted by its members) |
//! | `needs_rejected` | needs the committee refused at its check (驳回) in the period (a rejected need changes no more: the time of its last change); work unit: drafted by its members |
//! | `needs_claimed` | distinct needs with at least one claim made in the period |
//! | `needs_done` | distinct needs with at least one claim completed in the period |
//! | `needs_verified` | distinct needs with at least one claim verified in the period |
//! | `claims_by_members`, `_by_teams`, `_by_organisations` | claims made in the period, by kind of claimant |
//! | `collective_claims` | claims made in the period on collective needs |
//! | `claims_completed` | claims whose (latest) completion falls in the period |
//! | `claims_verified` | claims verified in the period |
//! | `claims_released` | claims given up (放弃, released by their claimant) in the period: the need went back to the library |
//! | `teams`, `teams_with_captain` | teams in scope formed before `to`, and those of them with a captain (work unit: teams with one of its members) |
//! | `captains` | distinct **people** captaining a team in scope formed before `to` — the district's 队长: a member captaining two teams is one captain (work unit: its members who captain a team) |
//! | `organisations` | distinct organisations that made a claim in the period |
//! | `money_fen`, `items`, `minutes`, `people_served` | sums over the fulfilment records of claims verified in the period |
//! | `feedback` | distinct needs verified in the period, by the resident's latest feedback on the need (`satisfied`, `not_satisfied`; needs without feedback are not counted). The district's satisfaction rate (满意率) is `satisfied / (satisfied + not_satisfied)`: `ReportData::satisfaction_permille` |
//! | `residents_helped` | distinct residents (人) with a need verified in the period — a need's first resident and its further beneficiaries each count; `helped` splits them by group (a resident in two groups counts in both). One resident helped twice is one person |
//! | `households_helped` | distinct households (户) of those residents (residents in no household are not counted): one household of three helped once is one household; one person; the need one service (件, `needs_verified`) |
//! | `pairings` | pairings active at some time in the period |
//! | `hours_minutes` | approved logged service minutes served in the period (a pairing's visits included) |
//! | `pairing_visits`, `visit_minutes` | approved visits of pairings' visit logs (走访) served in the period, and their minutes |
//! | `activities` | activities held in the period, by kind: count, participants (person-times, 人次), people reached (work unit: none); `rostered` of them took names, and `rostered_participants` of the person-times come from their rosters (one line per member, helpers by their count) — the rest are bare counts the recorder gave; `roster_minutes` is the time everyone on the rosters gave |
//! | `activities_by_channel` | the same activities by channel (四进: into communities, families, courtyards, grids) |
//! | `activities_by_grid` | the same activities by the grid (网格) they were held in (those in a grid only) |
//! | `offers` | offers of needs (派单) by who arranged them — `committee` (the committee's staff matched the need to a member, team or organisation) or `branch` (a work unit's party branch arranged it for its member, 支部安排): `made` in the period, and those `accepted` (each made a claim, counted with the claims), `declined` and `lapsed` unanswered in the period (work unit: offers to its members) |
//! | `three_heads` | roles held at the end of the period, by kind |
//! | `three_heads_people` | distinct **people** holding a three-heads role at the end of the period (a member who is both a building head and a household head is one person, two roles) |
//!
//! A committee's own categories (under a top-level one of the district's) are their own keys
//! of `by_category`, named in the report's `category_names` like the district's.
//!
//! Breakdowns ([`NeedFigures`] by committee, grid, category, channel and month) count needs and
//! claims like the totals; a month is the UTC calendar month of the event each figure counts
//! (created, published, claimed, completed, verified).
//!
//! # How fast
//!
//! The memory backend computes every report from the records. SQLite and PostgreSQL keep
//! *report cells* — monthly counters per unit, maintained in the same transaction as every
//! change (see `report/cells.rs` and docs/SCHEMA.md) — and answer a unit scope over whole UTC
//! months (both ends on the first instant of a month, or open) from them: a few thousand rows
//! whatever the size of the library. Other periods and work-unit scopes are aggregated from
//! the rows in SQL, which takes seconds at a million needs (docs/BENCHMARKS.md).

pub mod cells;

use crate::model::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "of", content = "id", rename_all = "snake_case")]
pub enum ReportScope {
    /// A unit and everything under it (district, community, committee).
    Unit(UnitId),
    /// A work unit: its members' reports, their claims as individuals and everything those
    /// claims did, the needs they drafted, their hours, roles, pairings and teams.
    WorkUnit(WorkUnitId),
}

/// A half-open time range `[from, to)`; `None` leaves that end open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Period {
    /// Start (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// End (exclusive).
    pub to: Option<DateTime<Utc>>,
}

impl Period {
    /// All time.
    pub const ALL: Period = Period {
        from: None,
        to: None,
    };

    /// Whether `t` lies in the period.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|e| t < e)
    }

    /// Whether an interval `[since, until)` (until `None`: still running) overlaps the period.
    pub fn overlaps(&self, since: DateTime<Utc>, until: Option<DateTime<Utc>>) -> bool {
        self.to.is_none_or(|e| since < e) && self.from.is_none_or(|f| until.is_none_or(|u| u >= f))
    }

    /// Whether something started before the period's end and had not ended by it.
    pub fn holds_at_end(&self, since: DateTime<Utc>, until: Option<DateTime<Utc>>) -> bool {
        match self.to {
            Some(e) => since < e && until.is_none_or(|u| u >= e),
            None => until.is_none(),
        }
    }
}

/// What a store is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRequest {
    /// The scope.
    pub scope: ReportScope,
    /// The period.
    pub period: Period,
}

/// Needs and claims figures: the totals' core, and one row of every breakdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct NeedFigures {
    /// Needs created.
    pub needs_collected: u64,
    /// Needs first published.
    pub needs_published: u64,
    /// Needs rejected at the committee's check.
    pub needs_rejected: u64,
    /// Distinct needs claimed.
    pub needs_claimed: u64,
    /// Distinct needs with a claim completed.
    pub needs_done: u64,
    /// Distinct needs with a claim verified.
    pub needs_verified: u64,
    /// Claims made by members.
    pub claims_by_members: u64,
    /// Claims made by teams.
    pub claims_by_teams: u64,
    /// Claims made by organisations.
    pub claims_by_organisations: u64,
    /// Claims made on collective needs.
    pub collective_claims: u64,
    /// Claims completed.
    pub claims_completed: u64,
    /// Claims verified.
    pub claims_verified: u64,
    /// Claims released (given up) in the period.
    pub claims_released: u64,
    /// Money put in by verified claims, in fen.
    pub money_fen: i64,
    /// Items given by verified claims.
    pub items: u64,
    /// Minutes of service in verified claims.
    pub minutes: u64,
    /// People served by verified claims.
    pub people_served: u64,
}

impl NeedFigures {
    /// All claims made.
    pub fn claims(&self) -> u64 {
        self.claims_by_members + self.claims_by_teams + self.claims_by_organisations
    }
}

/// Activities of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct ActivityFigures {
    /// How many were held.
    pub count: u64,
    /// Participants, in person-times: from the rosters where names were taken, else the
    /// counts given.
    pub participants: u64,
    /// People reached.
    pub people_reached: u64,
    /// Of those activities, how many took names (a roster).
    pub rostered: u64,
    /// Of the participants, the person-times counted from rosters (the rest are bare counts).
    pub rostered_participants: u64,
    /// Minutes given by everyone on the rosters.
    pub roster_minutes: u64,
}

/// Offers of needs (派单) arranged one way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct OfferFigures {
    /// Offers made in the period.
    pub made: u64,
    /// Offers accepted in the period (each made a claim).
    pub accepted: u64,
    /// Offers declined in the period.
    pub declined: u64,
    /// Offers that lapsed unanswered in the period.
    pub lapsed: u64,
}

/// The raw figures a store computes; keys are ids, codes and `YYYY-MM` months as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct ReportData {
    /// Residents' committees.
    pub committees: u64,
    /// Work units with reported members.
    pub work_units: u64,
    /// Members who reported.
    pub members_reported: u64,
    /// Reports accepted.
    pub members_accepted: u64,
    /// Needs and claims, in total.
    pub needs: NeedFigures,
    /// Teams.
    pub teams: u64,
    /// Teams with a captain.
    pub teams_with_captain: u64,
    /// Distinct people captaining a team (one member captaining two teams counts once).
    pub captains: u64,
    /// Distinct organisations that claimed.
    pub organisations: u64,
    /// Distinct residents helped.
    pub residents_helped: u64,
    /// Distinct households (户) of the residents helped (residents in no household are not
    /// counted here).
    pub households_helped: u64,
    /// Distinct residents helped, by group code.
    pub helped: BTreeMap<String, u64>,
    /// Distinct needs verified, by the resident's latest feedback code.
    pub feedback: BTreeMap<String, u64>,
    /// Pairings active in the period.
    pub pairings: u64,
    /// Approved service minutes logged (pairing visits included).
    pub hours_minutes: u64,
    /// Approved visits of pairings' visit logs served in the period.
    pub pairing_visits: u64,
    /// Their minutes (a part of `hours_minutes`).
    pub visit_minutes: u64,
    /// Activities by kind code.
    pub activities: BTreeMap<String, ActivityFigures>,
    /// Activities by channel code (四进).
    pub activities_by_channel: BTreeMap<String, ActivityFigures>,
    /// Activities by grid id (activities held in a grid only).
    pub activities_by_grid: BTreeMap<String, ActivityFigures>,
    /// Offers of needs by who arranged them (`committee`: 派单; `branch`: 支部安排).
    pub offers: BTreeMap<String, OfferFigures>,
    /// Three-heads roles held at the end of the period, by kind code.
    pub three_heads: BTreeMap<String, u64>,
    /// Distinct people holding a three-heads role at the end of the period.
    pub three_heads_people: u64,
    /// Needs and claims by committee id.
    pub by_committee: BTreeMap<String, NeedFigures>,
    /// Needs and claims by category code.
    pub by_category: BTreeMap<String, NeedFigures>,
    /// Needs and claims by channel code.
    pub by_channel: BTreeMap<String, NeedFigures>,
    /// Needs and claims by grid id (needs in a grid only).
    pub by_grid: BTreeMap<String, NeedFigures>,
    /// Needs and claims by month (`YYYY-MM`, UTC).
    pub by_month: BTreeMap<String, NeedFigures>,
    /// Claims and the work they did by kind of claimant (`member`, `team`, `organisation`);
    /// the needs-collected and needs-published figures are zero here (a need has no
    /// claimant until claimed).
    pub by_claimant: BTreeMap<String, NeedFigures>,
}

impl ReportData {
    /// The satisfaction rate (满意率) in per mille: needs verified with `satisfied` feedback
    /// out of those verified with any feedback, rounded half up; `None` without feedback.
    pub fn satisfaction_permille(&self) -> Option<u64> {
        let satisfied = self.feedback.get("satisfied").copied().unwrap_or(0);
        let rated: u64 = self.feedback.values().sum();
        (rated > 0).then(|| (satisfied * 1000 + rated / 2) / rated)
    }
}

/// The UTC calendar month of a time, `YYYY-MM`.
pub fn month(t: DateTime<Utc>) -> String {
    t.format("%Y-%m").to_string()
}

/// The breakdown dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dim {
    Committee,
    Category,
    Channel,
    Month,
    Claimant,
    Grid,
}

impl Dim {
    /// The row a figure falls in; `None` when the dimension does not apply (a need's own
    /// figures have no claimant).
    fn key(&self, n: &Need, at: DateTime<Utc>, claim: Option<&Claim>) -> Option<String> {
        Some(match self {
            Dim::Committee => n.committee.to_string(),
            Dim::Category => n.category.clone(),
            Dim::Channel => n.channel.as_str().to_string(),
            Dim::Month => month(at),
            Dim::Claimant => claim?.claimant.kind_str().to_string(),
            Dim::Grid => n.grid?.to_string(),
        })
    }
}

/// Everything the reference computation reads.
#[derive(Debug, Default)]
pub(crate) struct Records {
    pub units: Vec<Unit>,
    pub members: Vec<Member>,
    pub ledger: Vec<LedgerEntry>,
    pub residents: Vec<Resident>,
    pub needs: Vec<Need>,
    pub claims: Vec<Claim>,
    pub teams: Vec<Team>,
    pub hours: Vec<Hours>,
    pub activities: Vec<Activity>,
    pub roles: Vec<Role>,
    pub pairings: Vec<Pairing>,
    pub offers: Vec<Offer>,
}

/// The reference computation, straight from the definitions above. The memory backend uses
/// it; SQL backends compute the same in SQL.
pub(crate) fn compute(req: &ReportRequest, r: &Records) -> ReportData {
    let p = req.period;
    let paths: BTreeMap<UnitId, &Unit> = r.units.iter().map(|u| (u.id, u)).collect();
    let under = |unit: UnitId, scope: UnitId| paths.get(&unit).is_some_and(|u| u.is_within(scope));
    // Which members, needs, claims are in scope.
    let wu_members: BTreeSet<MemberId> = match req.scope {
        ReportScope::WorkUnit(w) => r
            .members
            .iter()
            .filter(|m| m.work_unit == w)
            .map(|m| m.id)
            .collect(),
        ReportScope::Unit(_) => BTreeSet::new(),
    };
    let in_unit = |c: UnitId| match req.scope {
        ReportScope::Unit(s) => under(c, s),
        ReportScope::WorkUnit(_) => false,
    };
    let member_in = |m: &Member| match req.scope {
        ReportScope::Unit(s) => m.committee.is_some_and(|c| under(c, s)),
        ReportScope::WorkUnit(w) => m.work_unit == w,
    };
    let claim_in = |c: &Claim| match req.scope {
        ReportScope::Unit(s) => under(c.committee, s),
        ReportScope::WorkUnit(_) => {
            matches!(c.claimant, Claimant::Member(m) if wu_members.contains(&m))
        }
    };
    let need_in = |n: &Need| match req.scope {
        ReportScope::Unit(s) => under(n.committee, s),
        ReportScope::WorkUnit(_) => n.drafted_by.is_some_and(|m| wu_members.contains(&m)),
    };
    let by_member_in = |m: MemberId| match req.scope {
        ReportScope::Unit(_) => None,
        ReportScope::WorkUnit(_) => Some(wu_members.contains(&m)),
    };
    let needs: BTreeMap<NeedId, &Need> = r.needs.iter().map(|n| (n.id, n)).collect();
    let committees = match req.scope {
        ReportScope::Unit(_) => r
            .units
            .iter()
            .filter(|u| {
                u.kind == UnitKind::Committee
                    && in_unit(u.id)
                    && p.to.is_none_or(|e| u.created_at < e)
            })
            .count() as u64,
        ReportScope::WorkUnit(_) => r
            .members
            .iter()
            .filter(|m| member_in(m) && m.reported_at.is_some_and(|t| p.contains(t)))
            .filter_map(|m| m.committee)
            .collect::<BTreeSet<_>>()
            .len() as u64,
    };
    let mut d = ReportData {
        committees,
        ..Default::default()
    };
    let reported: Vec<&Member> = r
        .members
        .iter()
        .filter(|m| member_in(m) && m.reported_at.is_some_and(|t| p.contains(t)))
        .collect();
    d.members_reported = reported.len() as u64;
    d.work_units = reported
        .iter()
        .map(|m| m.work_unit)
        .collect::<BTreeSet<_>>()
        .len() as u64;
    d.members_accepted = r
        .ledger
        .iter()
        .filter(|e| e.kind == LedgerKind::Accepted && p.contains(e.at))
        .filter(|e| match req.scope {
            ReportScope::Unit(s) => under(e.committee, s),
            ReportScope::WorkUnit(w) => e.work_unit == w,
        })
        .count() as u64;

    // Needs and claims, in total and by each dimension.
    let fold = |dim: Option<Dim>| -> BTreeMap<String, NeedFigures> {
        let mut out: BTreeMap<String, NeedFigures> = BTreeMap::new();
        let key = |n: &Need, at: DateTime<Utc>, c: Option<&Claim>| match dim {
            None => Some(String::new()),
            Some(d) => d.key(n, at, c),
        };
        let mut distinct: [BTreeSet<(String, NeedId)>; 3] = Default::default();
        for n in r.needs.iter().filter(|n| need_in(n)) {
            if p.contains(n.created_at) {
                if let Some(k) = key(n, n.created_at, None) {
                    out.entry(k).or_default().needs_collected += 1;
                }
            }
            if let Some(t) = n.published_at.filter(|t| p.contains(*t)) {
                if let Some(k) = key(n, t, None) {
                    out.entry(k).or_default().needs_published += 1;
                }
            }
            let rejected = (n.status == NeedStatus::Rejected).then_some(n.updated_at);
            if let Some(t) = rejected.filter(|t| p.contains(*t)) {
                if let Some(k) = key(n, t, None) {
                    out.entry(k).or_default().needs_rejected += 1;
                }
            }
        }
        for c in r.claims.iter().filter(|c| claim_in(c)) {
            let Some(n) = needs.get(&c.need) else {
                continue;
            };
            if p.contains(c.claimed_at) {
                let Some(k) = key(n, c.claimed_at, Some(c)) else {
                    continue;
                };
                let f = out.entry(k.clone()).or_default();
                match c.claimant {
                    Claimant::Member(_) => f.claims_by_members += 1,
                    Claimant::Team(_) => f.claims_by_teams += 1,
                    Claimant::Organisation(_) => f.claims_by_organisations += 1,
                }
                if n.scale == Scale::Collective {
                    f.collective_claims += 1;
                }
                if distinct[0].insert((k, n.id)) {
                    f.needs_claimed += 1;
                }
            }
            if let Some(t) = c.completed_at.filter(|t| p.contains(*t)) {
                let Some(k) = key(n, t, Some(c)) else {
                    continue;
                };
                let f = out.entry(k.clone()).or_default();
                f.claims_completed += 1;
                if distinct[1].insert((k, n.id)) {
                    f.needs_done += 1;
                }
            }
            if c.status == ClaimStatus::Released {
                if let Some(t) = c.ended_at.filter(|t| p.contains(*t)) {
                    if let Some(k) = key(n, t, Some(c)) {
                        out.entry(k).or_default().claims_released += 1;
                    }
                }
            }
            if c.status == ClaimStatus::Verified {
                if let Some(t) = c.ended_at.filter(|t| p.contains(*t)) {
                    let Some(k) = key(n, t, Some(c)) else {
                        continue;
                    };
                    let f = out.entry(k.clone()).or_default();
                    f.claims_verified += 1;
                    if distinct[2].insert((k, n.id)) {
                        f.needs_verified += 1;
                    }
                    if let Some(x) = &c.fulfilment {
                        f.money_fen += x.money_fen;
                        f.items += x.item_count();
                        f.minutes += u64::from(x.minutes);
                        f.people_served += u64::from(x.people_served);
                    }
                }
            }
        }
        out
    };
    d.needs = fold(None).remove("").unwrap_or_default();
    d.by_committee = fold(Some(Dim::Committee));
    d.by_category = fold(Some(Dim::Category));
    d.by_channel = fold(Some(Dim::Channel));
    d.by_month = fold(Some(Dim::Month));
    d.by_claimant = fold(Some(Dim::Claimant));
    d.by_grid = fold(Some(Dim::Grid));

    d.teams = 0;
    let mut captains = BTreeSet::new();
    for t in r
        .teams
        .iter()
        .filter(|t| p.to.is_none_or(|e| t.created_at < e))
    {
        let in_scope = match req.scope {
            ReportScope::Unit(s) => under(t.committee, s),
            ReportScope::WorkUnit(_) => t.members.iter().any(|m| wu_members.contains(m)),
        };
        if in_scope {
            d.teams += 1;
            if t.captain.is_some() {
                d.teams_with_captain += 1;
            }
        }
        let counted = match req.scope {
            ReportScope::Unit(s) => under(t.committee, s),
            ReportScope::WorkUnit(_) => t.captain.is_some_and(|c| wu_members.contains(&c)),
        };
        if counted {
            captains.extend(t.captain);
        }
    }
    d.captains = captains.len() as u64;
    let verified: Vec<&Claim> = r
        .claims
        .iter()
        .filter(|c| {
            claim_in(c)
                && c.status == ClaimStatus::Verified
                && c.ended_at.is_some_and(|t| p.contains(t))
        })
        .collect();
    d.organisations = r
        .claims
        .iter()
        .filter(|c| claim_in(c) && p.contains(c.claimed_at))
        .filter_map(|c| match c.claimant {
            Claimant::Organisation(o) => Some(o),
            _ => None,
        })
        .collect::<BTreeSet<_>>()
        .len() as u64;
    let rated: BTreeSet<NeedId> = verified.iter().map(|c| c.need).collect();
    for n in rated.iter().filter_map(|id| needs.get(id)) {
        if let Some(f) = n.feedback {
            *d.feedback.entry(f.as_str().to_string()).or_default() += 1;
        }
    }
    let helped: BTreeSet<ResidentId> = verified
        .iter()
        .filter_map(|c| needs.get(&c.need))
        .flat_map(|n| n.helped())
        .collect();
    d.residents_helped = helped.len() as u64;
    d.households_helped = r
        .residents
        .iter()
        .filter(|x| helped.contains(&x.id))
        .filter_map(|x| x.household)
        .collect::<BTreeSet<_>>()
        .len() as u64;
    for res in r.residents.iter().filter(|x| helped.contains(&x.id)) {
        for g in &res.groups {
            *d.helped.entry(g.as_str().to_string()).or_default() += 1;
        }
    }
    d.pairings = r
        .pairings
        .iter()
        .filter(|x| by_member_in(x.member).unwrap_or_else(|| in_unit(x.committee)))
        .filter(|x| p.overlaps(x.since, x.until))
        .count() as u64;
    for h in r
        .hours
        .iter()
        .filter(|h| by_member_in(h.member).unwrap_or_else(|| in_unit(h.committee)))
        .filter(|h| h.status == HoursStatus::Approved && p.contains(h.served_at))
    {
        d.hours_minutes += u64::from(h.minutes);
        if h.pairing.is_some() {
            d.pairing_visits += 1;
            d.visit_minutes += u64::from(h.minutes);
        }
    }
    if let ReportScope::Unit(_) = req.scope {
        for a in r
            .activities
            .iter()
            .filter(|a| in_unit(a.committee) && p.contains(a.held_at))
        {
            let mut rows = vec![
                d.activities.entry(a.kind.as_str().to_string()).or_default(),
                d.activities_by_channel
                    .entry(a.channel.as_str().to_string())
                    .or_default(),
            ];
            if let Some(g) = a.grid {
                rows.push(d.activities_by_grid.entry(g.to_string()).or_default());
            }
            for f in rows {
                f.count += 1;
                f.participants += u64::from(a.participants);
                f.people_reached += u64::from(a.people_reached);
                if a.rostered() {
                    f.rostered += 1;
                    f.rostered_participants += u64::from(a.participants);
                    f.roster_minutes += a.roster_minutes();
                }
            }
        }
    }
    for o in r.offers.iter().filter(|o| match req.scope {
        ReportScope::Unit(_) => in_unit(o.committee),
        ReportScope::WorkUnit(_) => matches!(o.to, Claimant::Member(m) if wu_members.contains(&m)),
    }) {
        let f = d.offers.entry(o.source.as_str().to_string()).or_default();
        if p.contains(o.offered_at) {
            f.made += 1;
        }
        if o.decided_at.is_some_and(|t| p.contains(t)) {
            match o.status {
                OfferStatus::Accepted => f.accepted += 1,
                OfferStatus::Declined => f.declined += 1,
                OfferStatus::Lapsed => f.lapsed += 1,
                OfferStatus::Open => {}
            }
        }
    }
    d.offers.retain(|_, f| *f != OfferFigures::default());
    let mut heads = BTreeSet::new();
    for x in r
        .roles
        .iter()
        .filter(|x| by_member_in(x.member).unwrap_or_else(|| in_unit(x.committee)))
        .filter(|x| p.holds_at_end(x.since, x.until))
    {
        *d.three_heads
            .entry(x.kind.as_str().to_string())
            .or_default() += 1;
        heads.insert(x.member);
    }
    d.three_heads_people = heads.len() as u64;
    d
}

/// A finished report: the figures and the names to show them with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Report {
    /// What was asked.
    #[cfg_attr(
        feature = "describe",
        schemars(with = "serde_json::Map<String, serde_json::Value>")
    )]
    pub request: ReportRequest,
    /// When it was computed.
    pub generated_at: DateTime<Utc>,
    /// The figures.
    pub data: ReportData,
    /// Committee names by id (for `by_committee`).
    pub committee_names: BTreeMap<String, String>,
    /// Grid names by id (for `by_grid`).
    pub grid_names: BTreeMap<String, String>,
    /// Category labels by code: (中文, English).
    pub category_names: BTreeMap<String, (String, String)>,
}

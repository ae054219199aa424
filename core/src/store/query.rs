//! What a [`Tx::query`](super::Tx::query) may ask, and what each filter means.
//!
//! [`Query::matches`] is the definition: every backend must return exactly the records it
//! accepts (the memory backend calls it directly; SQL backends translate it).

use crate::model::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Kind, Record};

/// Keyset pagination over id order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// Start after this id (exclusive); `None` starts at the beginning.
    pub after: Option<Uuid>,
    /// At most this many records; `None` means all.
    pub limit: Option<u32>,
}

impl Page {
    /// Everything.
    pub const ALL: Page = Page {
        after: None,
        limit: None,
    };
}

/// Filters over needs. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedFilter {
    /// Needs whose committee is this unit or lies beneath it.
    pub unit: Option<UnitId>,
    /// Category code.
    pub category: Option<String>,
    /// Any of these statuses (empty: any status).
    pub statuses: Vec<NeedStatus>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Scale.
    pub scale: Option<Scale>,
    /// For this resident.
    pub resident: Option<ResidentId>,
    /// In this grid (网格): needs whose `grid` is this unit.
    #[serde(default)]
    pub grid: Option<UnitId>,
    /// For this resident as the first or a further beneficiary.
    #[serde(default)]
    pub beneficiary: Option<ResidentId>,
    /// Occurrences of this recurring need (its series, the first excluded).
    #[serde(default)]
    pub series: Option<NeedId>,
    /// Firsts of recurring series whose next occurrence is due strictly before this time.
    #[serde(default)]
    pub due_before: Option<DateTime<Utc>>,
    /// Free text: every whitespace-separated word occurs in the title or description
    /// (ASCII letters case-insensitive).
    pub text: Option<String>,
    /// Wanted-by strictly before this time.
    pub wanted_before: Option<DateTime<Utc>>,
}

/// Filters over claims.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimFilter {
    /// Held by this claimant.
    pub claimant: Option<Claimant>,
    /// Of this need.
    pub need: Option<NeedId>,
    /// Whose committee is this unit or lies beneath it.
    pub unit: Option<UnitId>,
    /// Any of these statuses (empty: any).
    pub statuses: Vec<ClaimStatus>,
    /// Promised strictly before this time.
    pub promised_before: Option<DateTime<Utc>>,
    /// Only claims whose fulfilment names who served (has a roster).
    #[serde(default)]
    pub rostered: bool,
}

/// Filters over members.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberFilter {
    /// Reported to a committee that is this unit or lies beneath it.
    pub unit: Option<UnitId>,
    /// Certified by this work unit.
    pub work_unit: Option<WorkUnitId>,
    /// Any of these statuses (empty: any).
    pub statuses: Vec<MemberStatus>,
}

/// Filters over teams.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamFilter {
    /// Of a committee that is this unit or lies beneath it.
    pub unit: Option<UnitId>,
    /// Having this member.
    pub member: Option<MemberId>,
    /// Of this kind.
    pub kind: Option<TeamKind>,
}

/// Filters over activities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityFilter {
    /// Held at a committee that is this unit or lies beneath it.
    pub unit: Option<UnitId>,
    /// Of this kind.
    pub kind: Option<ActivityKind>,
    /// Held by this team.
    pub team: Option<TeamId>,
    /// Held at or after.
    pub from: Option<DateTime<Utc>>,
    /// Held strictly before.
    pub to: Option<DateTime<Utc>>,
}

/// A question a [`Tx`](super::Tx) answers with records of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "of", rename_all = "snake_case")]
pub enum Query {
    /// Units; with `parent`, its children; with `kind`, only that level.
    Units {
        /// Children of this unit.
        parent: Option<UnitId>,
        /// Of this level.
        kind: Option<UnitKind>,
    },
    /// All work units.
    WorkUnits,
    /// All organisations.
    Organisations,
    /// The whole taxonomy.
    Categories,
    /// Members.
    Members(MemberFilter),
    /// Ledger entries.
    Ledger {
        /// Of this work unit.
        work_unit: Option<WorkUnitId>,
        /// About this member.
        member: Option<MemberId>,
    },
    /// Residents held by a committee that is this unit or lies beneath it.
    Residents {
        /// The unit.
        unit: Option<UnitId>,
    },
    /// Needs.
    Needs(NeedFilter),
    /// Claims.
    Claims(ClaimFilter),
    /// Teams.
    Teams(TeamFilter),
    /// Logged hours.
    Hours {
        /// Of this member.
        member: Option<MemberId>,
        /// Decided by a committee that is this unit or lies beneath it.
        unit: Option<UnitId>,
        /// In this status.
        status: Option<HoursStatus>,
    },
    /// Activities.
    Activities(ActivityFilter),
    /// Three-heads roles.
    Roles {
        /// At a committee that is this unit or lies beneath it.
        unit: Option<UnitId>,
        /// Held by this member.
        member: Option<MemberId>,
        /// Only roles not ended.
        current_only: bool,
    },
    /// Pairings.
    Pairings {
        /// At a committee that is this unit or lies beneath it.
        unit: Option<UnitId>,
        /// Of this member.
        member: Option<MemberId>,
        /// Of this resident.
        resident: Option<ResidentId>,
        /// Only pairings not ended.
        current_only: bool,
    },
    /// Offers of needs (派单).
    Offers(OfferFilter),
    /// Households.
    Households {
        /// At a committee that is this unit or lies beneath it.
        unit: Option<UnitId>,
    },
    /// Certificates of service records.
    ServiceCertificates {
        /// With this number.
        number: Option<String>,
        /// Of this member.
        member: Option<MemberId>,
    },
    /// Requests to correct service records.
    Corrections {
        /// At a committee that is this unit or lies beneath it.
        unit: Option<UnitId>,
    },
    /// The working calendar's years.
    CalendarYears,
}

/// Which offers a [`Query::Offers`] selects (every field narrows; the default selects all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferFilter {
    /// Of needs at a committee that is this unit or lies beneath it.
    pub unit: Option<UnitId>,
    /// Of this need.
    pub need: Option<NeedId>,
    /// Made to this party.
    pub to: Option<Claimant>,
    /// In one of these statuses (empty: any).
    pub statuses: Vec<OfferStatus>,
    /// Expiring before this time.
    pub expires_before: Option<DateTime<Utc>>,
}

fn opt<T: PartialEq>(want: &Option<T>, have: &T) -> bool {
    want.as_ref().is_none_or(|w| w == have)
}

fn any_of<T: PartialEq>(want: &[T], have: &T) -> bool {
    want.is_empty() || want.contains(have)
}

/// Lower-cases ASCII letters and leaves every other character alone (Chinese has no case;
/// SQL backends fold exactly the same way, so searches agree on every backend).
pub fn fold_text(s: &str) -> String {
    s.to_ascii_lowercase()
}

impl Query {
    /// The kind of record this query returns.
    pub fn kind(&self) -> Kind {
        match self {
            Query::Units { .. } => Kind::Unit,
            Query::WorkUnits => Kind::WorkUnit,
            Query::Organisations => Kind::Organisation,
            Query::Categories => Kind::Category,
            Query::Members(_) => Kind::Member,
            Query::Ledger { .. } => Kind::LedgerEntry,
            Query::Residents { .. } => Kind::Resident,
            Query::Needs(_) => Kind::Need,
            Query::Claims(_) => Kind::Claim,
            Query::Teams(_) => Kind::Team,
            Query::Hours { .. } => Kind::Hours,
            Query::Activities(_) => Kind::Activity,
            Query::Roles { .. } => Kind::Role,
            Query::Pairings { .. } => Kind::Pairing,
            Query::Offers(_) => Kind::Offer,
            Query::Households { .. } => Kind::Household,
            Query::ServiceCertificates { .. } => Kind::ServiceCertificate,
            Query::Corrections { .. } => Kind::Correction,
            Query::CalendarYears => Kind::CalendarYear,
        }
    }

    /// The query that selects every record of `kind`.
    pub fn all_of(kind: Kind) -> Query {
        match kind {
            Kind::Unit => Query::Units {
                parent: None,
                kind: None,
            },
            Kind::WorkUnit => Query::WorkUnits,
            Kind::Organisation => Query::Organisations,
            Kind::Category => Query::Categories,
            Kind::Member => Query::Members(MemberFilter::default()),
            Kind::LedgerEntry => Query::Ledger {
                work_unit: None,
                member: None,
            },
            Kind::Resident => Query::Residents { unit: None },
            Kind::Need => Query::Needs(NeedFilter::default()),
            Kind::Claim => Query::Claims(ClaimFilter::default()),
            Kind::Team => Query::Teams(TeamFilter::default()),
            Kind::Hours => Query::Hours {
                member: None,
                unit: None,
                status: None,
            },
            Kind::Activity => Query::Activities(ActivityFilter::default()),
            Kind::Role => Query::Roles {
                unit: None,
                member: None,
                current_only: false,
            },
            Kind::Pairing => Query::Pairings {
                unit: None,
                member: None,
                resident: None,
                current_only: false,
            },
            Kind::Offer => Query::Offers(OfferFilter::default()),
            Kind::Household => Query::Households { unit: None },
            Kind::ServiceCertificate => Query::ServiceCertificates {
                number: None,
                member: None,
            },
            Kind::Correction => Query::Corrections { unit: None },
            Kind::CalendarYear => Query::CalendarYears,
        }
    }

    /// Whether `record` answers this query. `within(unit, scope)` tells whether `unit` is
    /// `scope` or lies beneath it.
    pub fn matches(&self, record: &Record, within: &dyn Fn(UnitId, UnitId) -> bool) -> bool {
        let under = |scope: &Option<UnitId>, unit: UnitId| scope.is_none_or(|s| within(unit, s));
        match (self, record) {
            (Query::Units { parent, kind }, Record::Unit(u)) => {
                parent.is_none_or(|p| u.parent == Some(p)) && opt(kind, &u.kind)
            }
            (Query::WorkUnits, Record::WorkUnit(_)) => true,
            (Query::Organisations, Record::Organisation(_)) => true,
            (Query::Categories, Record::Category(_)) => true,
            (Query::Members(f), Record::Member(m)) => {
                f.unit
                    .is_none_or(|s| m.committee.is_some_and(|c| within(c, s)))
                    && opt(&f.work_unit, &m.work_unit)
                    && any_of(&f.statuses, &m.status)
            }
            (Query::Ledger { work_unit, member }, Record::LedgerEntry(e)) => {
                opt(work_unit, &e.work_unit) && opt(member, &e.member)
            }
            (Query::Residents { unit }, Record::Resident(r)) => under(unit, r.committee),
            (Query::Needs(f), Record::Need(n)) => {
                under(&f.unit, n.committee)
                    && opt(&f.category, &n.category)
                    && any_of(&f.statuses, &n.status)
                    && opt(&f.channel, &n.channel)
                    && opt(&f.scale, &n.scale)
                    && f.resident.is_none_or(|r| n.resident == Some(r))
                    && f.grid.is_none_or(|g| n.grid == Some(g))
                    && f.beneficiary
                        .is_none_or(|r| n.resident == Some(r) || n.beneficiaries.contains(&r))
                    && f.series.is_none_or(|s| n.series == Some(s))
                    && f.due_before
                        .is_none_or(|t| n.next_due.is_some_and(|d| d < t))
                    && f.wanted_before.is_none_or(|t| n.wanted_by < t)
                    && f.text.as_ref().is_none_or(|t| {
                        let hay = fold_text(&format!("{}\n{}", n.title, n.description));
                        fold_text(t).split_whitespace().all(|w| hay.contains(w))
                    })
            }
            (Query::Claims(f), Record::Claim(c)) => {
                opt(&f.claimant, &c.claimant)
                    && opt(&f.need, &c.need)
                    && under(&f.unit, c.committee)
                    && any_of(&f.statuses, &c.status)
                    && f.promised_before.is_none_or(|t| c.promised_by < t)
                    && (!f.rostered || c.fulfilment.as_ref().is_some_and(|x| !x.roster.is_empty()))
            }
            (Query::Teams(f), Record::Team(t)) => {
                under(&f.unit, t.committee)
                    && f.member.is_none_or(|m| t.members.contains(&m))
                    && opt(&f.kind, &t.kind)
            }
            (
                Query::Hours {
                    member,
                    unit,
                    status,
                },
                Record::Hours(h),
            ) => opt(member, &h.member) && under(unit, h.committee) && opt(status, &h.status),
            (Query::Activities(f), Record::Activity(a)) => {
                under(&f.unit, a.committee)
                    && opt(&f.kind, &a.kind)
                    && f.team.is_none_or(|t| a.team == Some(t))
                    && f.from.is_none_or(|t| a.held_at >= t)
                    && f.to.is_none_or(|t| a.held_at < t)
            }
            (
                Query::Roles {
                    unit,
                    member,
                    current_only,
                },
                Record::Role(r),
            ) => {
                under(unit, r.committee)
                    && opt(member, &r.member)
                    && (!current_only || r.until.is_none())
            }
            (
                Query::Pairings {
                    unit,
                    member,
                    resident,
                    current_only,
                },
                Record::Pairing(p),
            ) => {
                under(unit, p.committee)
                    && opt(member, &p.member)
                    && opt(resident, &p.resident)
                    && (!current_only || p.until.is_none())
            }
            (Query::Households { unit }, Record::Household(h)) => under(unit, h.committee),
            (Query::ServiceCertificates { number, member }, Record::ServiceCertificate(c)) => {
                opt(number, &c.number) && opt(member, &c.member)
            }
            (Query::Corrections { unit }, Record::Correction(c)) => under(unit, c.committee),
            (Query::CalendarYears, Record::CalendarYear(_)) => true,
            (Query::Offers(f), Record::Offer(o)) => {
                under(&f.unit, o.committee)
                    && opt(&f.need, &o.need)
                    && opt(&f.to, &o.to)
                    && any_of(&f.statuses, &o.status)
                    && f.expires_before.is_none_or(|t| o.expires_at < t)
            }
            _ => false,
        }
    }
}

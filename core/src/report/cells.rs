//! Report cells: the needs-and-claims figures of [`super`] kept as small monthly counters, so a
//! report over a million needs reads a few thousand rows instead of scanning the tables.
//!
//! A *cell* counts the events of one stream (needs created, published; claims made,
//! completed, verified; residents helped; organisations claiming) for one unit, one breakdown
//! key and one UTC month. Every cell is kept for the committee the event happened at *and for
//! every unit above it*, so a report on any unit reads that unit's cells only.
//!
//! Distinct counts ("needs claimed", "residents helped") stay exact through `prev`: the month
//! of the previous event of the same stream for the same need (resident), or [`NONE`]. A need
//! counts as claimed in a period starting at month `F` exactly when one of its claims falls
//! in the period with `prev < F` — its first claim in the period; in a month `M` of the
//! monthly breakdown, when `prev < M`. Events of one need (one resident) all happen at one
//! committee, which the rules guarantee (a need belongs to its resident's committee and its
//! claims to the need's), so the same `prev` serves every unit.
//!
//! Everything here is pure: the facts of a record ([`need_facts`], [`claim_facts`]), the cells
//! of a group of records ([`need_cells`], [`resident_cells`], [`all_cells`]) and the report
//! figures from summed cells ([`fold`]). The core decides what a command changes — the Hub
//! subtracts the cells of every group a command touches as they were before its first write
//! and adds them as they are after its last (`hub/cells.rs`) — and hands the difference to the
//! store with the command's writes (`Tx::add_report_cells`); a store that keeps cells only
//! adds them up (docs/adr/0005). The acceptance suite checks the figures against
//! reference computation of [`crate::report`] on every backend.

use super::{NeedFigures, Period, ReportData};
use crate::model::{Claim, ClaimStatus, Need, NeedStatus, Scale};
use chrono::{DateTime, Datelike, Timelike, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// `prev` of a first event.
pub const NONE: i64 = 0;

/// A month as a number: `year * 12 + month - 1` (always > [`NONE`] for stored times).
pub fn month_index(t: DateTime<Utc>) -> i64 {
    i64::from(t.year()) * 12 + i64::from(t.month0())
}

/// `YYYY-MM` of a month number.
fn month_text(m: i64) -> String {
    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

/// Whether `t` is the first instant of a UTC month.
fn month_start(t: DateTime<Utc>) -> bool {
    t.day() == 1 && t.num_seconds_from_midnight() == 0 && t.nanosecond() == 0
}

/// The month range `[from, to)` a period covers when both ends fall on month starts (an open
/// end is unbounded); `None` when cells cannot answer it exactly.
pub fn months(p: &Period) -> Option<(i64, i64)> {
    let from = match p.from {
        Some(f) if month_start(f) => month_index(f),
        Some(_) => return None,
        None => NONE + 1,
    };
    let to = match p.to {
        Some(t) if month_start(t) => month_index(t),
        Some(_) => return None,
        None => i64::MAX,
    };
    Some((from, to))
}

/// What a cell counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stream {
    /// Needs created.
    Created,
    /// Needs first published.
    Published,
    /// Claims made.
    Claimed,
    /// Claims completed.
    Completed,
    /// Claims verified, with the work they record.
    Verified,
    /// Residents with a need verified.
    Helped,
    /// Claims by an organisation (the key is the organisation).
    Organisation,
    /// Claims released (given up).
    Released,
    /// Needs rejected at the committee's check.
    Rejected,
}

impl Stream {
    /// Every stream.
    pub const ALL: [Stream; 9] = [
        Stream::Created,
        Stream::Published,
        Stream::Claimed,
        Stream::Completed,
        Stream::Verified,
        Stream::Helped,
        Stream::Organisation,
        Stream::Released,
        Stream::Rejected,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Created => "created",
            Stream::Published => "published",
            Stream::Claimed => "claimed",
            Stream::Completed => "completed",
            Stream::Verified => "verified",
            Stream::Helped => "helped",
            Stream::Organisation => "organisation",
            Stream::Released => "released",
            Stream::Rejected => "rejected",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<Stream> {
        Stream::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Breakdown dimensions of cells: the total (`""`), and the keys a figure is broken down by.
pub const TOTAL: &str = "";
/// By the need's category.
pub const CATEGORY: &str = "category";
/// By the need's channel.
pub const CHANNEL: &str = "channel";
/// By kind of claimant.
pub const CLAIMANT: &str = "claimant";
/// By resident group.
pub const GROUP: &str = "group";
/// By organisation.
pub const ORGANISATION: &str = "organisation";
/// By the need's grid (needs in a grid only).
pub const GRID: &str = "grid";
/// By the resident's latest feedback on the need (verifications only).
pub const FEEDBACK: &str = "feedback";
/// By the helped resident's household (residents helped only): households helped are the
/// keys with a first-in-period resident.
pub const HOUSEHOLD: &str = "household";

/// Where a cell sits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    /// The unit (a committee or any unit above it).
    pub unit: Uuid,
    /// The month ([`month_index`]).
    pub month: i64,
    /// The dimension ([`TOTAL`], [`CATEGORY`], …).
    pub dim: &'static str,
    /// The stream.
    pub stream: Stream,
    /// The dimension's key (`""` for the total).
    pub key: String,
    /// The month of the previous event of the same stream for the same need or resident
    /// (within the same claimant kind for [`CLAIMANT`] cells), or [`NONE`].
    pub prev: i64,
}

/// What a cell holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Events.
    pub n: i64,
    /// Claims by members.
    pub members: i64,
    /// Claims by teams.
    pub teams: i64,
    /// Claims by organisations.
    pub organisations: i64,
    /// Claims on collective needs.
    pub collective: i64,
    /// Money of verified work, fen.
    pub money_fen: i64,
    /// Items of verified work.
    pub items: i64,
    /// Minutes of verified work.
    pub minutes: i64,
    /// People served by verified work.
    pub people: i64,
}

impl Counters {
    fn add(&mut self, o: &Counters, sign: i64) {
        self.n += sign * o.n;
        self.members += sign * o.members;
        self.teams += sign * o.teams;
        self.organisations += sign * o.organisations;
        self.collective += sign * o.collective;
        self.money_fen += sign * o.money_fen;
        self.items += sign * o.items;
        self.minutes += sign * o.minutes;
        self.people += sign * o.people;
    }

    /// Whether every counter is zero.
    pub fn is_zero(&self) -> bool {
        *self == Counters::default()
    }

    /// The counters as a list, in [`COUNTER_COLUMNS`] order.
    pub fn values(&self) -> [i64; 9] {
        [
            self.n,
            self.members,
            self.teams,
            self.organisations,
            self.collective,
            self.money_fen,
            self.items,
            self.minutes,
            self.people,
        ]
    }

    /// The counters from a list in [`COUNTER_COLUMNS`] order.
    pub fn from_values(v: [i64; 9]) -> Counters {
        Counters {
            n: v[0],
            members: v[1],
            teams: v[2],
            organisations: v[3],
            collective: v[4],
            money_fen: v[5],
            items: v[6],
            minutes: v[7],
            people: v[8],
        }
    }
}

/// Column names of the counters.
pub const COUNTER_COLUMNS: [&str; 9] = [
    "n",
    "members",
    "teams",
    "organisations",
    "collective",
    "money_fen",
    "items",
    "minutes",
    "people",
];

/// A set of cells with their counters (a delta while a change is applied).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cells(pub BTreeMap<CellKey, Counters>);

impl Cells {
    fn bump(&mut self, units: &[Uuid], key: CellKey, c: &Counters, sign: i64) {
        for u in units {
            let mut k = key.clone();
            k.unit = *u;
            let e = self.0.entry(k).or_default();
            e.add(c, sign);
        }
    }

    /// Drops cells whose counters are all zero.
    pub fn prune(&mut self) {
        self.0.retain(|_, c| !c.is_zero());
    }
}

impl Cells {
    /// Adds (`sign` 1) or subtracts (`sign` -1) every cell of `other`.
    pub fn add_all(&mut self, other: &Cells, sign: i64) {
        for (k, c) in &other.0 {
            self.0.entry(k.clone()).or_default().add(c, sign);
        }
    }
}

/// A need record's facts, given its committee's path (root first).
pub fn need_facts(n: &Need, units: Vec<Uuid>) -> NeedFacts {
    NeedFacts {
        units,
        category: n.category.clone(),
        channel: n.channel.as_str().to_string(),
        collective: n.scale == Scale::Collective,
        resident: n.resident.map(|r| r.0),
        beneficiaries: n.beneficiaries.iter().map(|r| r.0).collect(),
        created_at: n.created_at,
        published_at: n.published_at,
        feedback: n.feedback.map(|f| f.as_str().to_string()),
        grid: n.grid.map(|g| g.0),
        rejected_at: (n.status == NeedStatus::Rejected).then_some(n.updated_at),
    }
}

/// A claim record's facts, given its committee's path (root first).
pub fn claim_facts(c: &Claim, units: Vec<Uuid>) -> ClaimFacts {
    let f = c.fulfilment.as_ref();
    ClaimFacts {
        id: c.id.0,
        units,
        claimant_kind: c.claimant.kind_str().to_string(),
        claimant: c.claimant.uuid(),
        claimed_at: c.claimed_at,
        completed_at: c.completed_at,
        verified_at: (c.status == ClaimStatus::Verified)
            .then_some(c.ended_at)
            .flatten(),
        released_at: (c.status == ClaimStatus::Released)
            .then_some(c.ended_at)
            .flatten(),
        money_fen: f.map_or(0, |f| f.money_fen),
        items: f.map_or(0, |f| f.item_count() as i64),
        minutes: f.map_or(0, |f| i64::from(f.minutes)),
        people: f.map_or(0, |f| i64::from(f.people_served)),
    }
}

/// Every cell of a whole state: each need (by id) with all its claims (`claims` by need id),
/// and each resident helped with their groups (`groups` by resident id) and household
/// (`households` by resident id). What a store holds after a rebuild.
pub fn all_cells(
    needs: &[(Uuid, NeedFacts)],
    claims: &HashMap<Uuid, Vec<ClaimFacts>>,
    groups: &HashMap<Uuid, Vec<String>>,
    households: &HashMap<Uuid, Uuid>,
) -> Cells {
    let mut cells = Cells::default();
    let mut verified: BTreeMap<Uuid, Vec<Verification>> = BTreeMap::new();
    for (id, facts) in needs {
        let claims = claims.get(id).map(Vec::as_slice).unwrap_or(&[]);
        need_cells(facts, claims, 1, &mut cells);
        for c in claims {
            if let Some(at) = c.verified_at {
                for r in facts.helped() {
                    verified.entry(r).or_default().push(Verification {
                        claim: c.id,
                        units: c.units.clone(),
                        at,
                    });
                }
            }
        }
    }
    for (resident, v) in &verified {
        let g = groups.get(resident).map(Vec::as_slice).unwrap_or(&[]);
        resident_cells(g, households.get(resident).copied(), v, 1, &mut cells);
    }
    cells.prune();
    cells
}

/// What cells need of a need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedFacts {
    /// The need's committee and every unit above it.
    pub units: Vec<Uuid>,
    /// Category code.
    pub category: String,
    /// Channel code.
    pub channel: String,
    /// Whether the need is collective.
    pub collective: bool,
    /// The resident (none for an institution's need).
    pub resident: Option<Uuid>,
    /// Further residents it is for.
    pub beneficiaries: Vec<Uuid>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was first published.
    pub published_at: Option<DateTime<Utc>>,
    /// The resident's latest feedback (code), if any.
    pub feedback: Option<String>,
    /// The need's grid, if any.
    pub grid: Option<Uuid>,
    /// When it was rejected (a rejected need changes no more: its last update).
    pub rejected_at: Option<DateTime<Utc>>,
}

impl NeedFacts {
    /// Every resident the need is for: the first, then the further beneficiaries.
    pub fn helped(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.resident
            .into_iter()
            .chain(self.beneficiaries.iter().copied())
    }
}

/// What cells need of a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimFacts {
    /// The claim.
    pub id: Uuid,
    /// The claim's committee and every unit above it.
    pub units: Vec<Uuid>,
    /// Kind of claimant: `member`, `team`, `organisation`.
    pub claimant_kind: String,
    /// The claimant.
    pub claimant: Uuid,
    /// When it was made.
    pub claimed_at: DateTime<Utc>,
    /// When it was (last) completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// When it was verified (`None` unless its status is verified).
    pub verified_at: Option<DateTime<Utc>>,
    /// When it was released (`None` unless its status is released).
    pub released_at: Option<DateTime<Utc>>,
    /// Recorded money, fen.
    pub money_fen: i64,
    /// Recorded items.
    pub items: i64,
    /// Recorded minutes.
    pub minutes: i64,
    /// Recorded people served.
    pub people: i64,
}

/// A verified claim on one of a resident's needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The claim.
    pub claim: Uuid,
    /// The claim's committee and every unit above it.
    pub units: Vec<Uuid>,
    /// When it was verified.
    pub at: DateTime<Utc>,
}

/// The `prev` of each event in a list of `(time, id, group)`: the month of the previous event
/// in time order (ties broken by id) of the same group.
fn prevs<G: Ord + Clone>(events: &[(DateTime<Utc>, Uuid, G)]) -> Vec<i64> {
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| (events[i].0, events[i].1));
    let mut last: BTreeMap<G, i64> = BTreeMap::new();
    let mut out = vec![NONE; events.len()];
    for i in order {
        let m = month_index(events[i].0);
        out[i] = last.insert(events[i].2.clone(), m).unwrap_or(NONE);
    }
    out
}

/// Adds (`sign` 1) or removes (`sign` -1) the cells of one need and all its claims.
pub fn need_cells(need: &NeedFacts, claims: &[ClaimFacts], sign: i64, out: &mut Cells) {
    let one = Counters {
        n: 1,
        ..Default::default()
    };
    let dims = |stream: Stream, month: i64, prev: i64| {
        [
            Some((TOTAL, String::new())),
            Some((CATEGORY, need.category.clone())),
            Some((CHANNEL, need.channel.clone())),
            need.grid.map(|g| (GRID, g.to_string())),
        ]
        .into_iter()
        .flatten()
        .map(move |(dim, key)| CellKey {
            unit: Uuid::nil(),
            month,
            dim,
            stream,
            key,
            prev,
        })
    };
    for k in dims(Stream::Created, month_index(need.created_at), NONE) {
        out.bump(&need.units, k, &one, sign);
    }
    if let Some(t) = need.published_at {
        for k in dims(Stream::Published, month_index(t), NONE) {
            out.bump(&need.units, k, &one, sign);
        }
    }
    if let Some(t) = need.rejected_at {
        for k in dims(Stream::Rejected, month_index(t), NONE) {
            out.bump(&need.units, k, &one, sign);
        }
    }
    type When = fn(&ClaimFacts) -> Option<DateTime<Utc>>;
    let streams: [(Stream, When); 4] = [
        (Stream::Claimed, |c| Some(c.claimed_at)),
        (Stream::Completed, |c| c.completed_at),
        (Stream::Verified, |c| c.verified_at),
        (Stream::Released, |c| c.released_at),
    ];
    for (stream, when) in streams {
        let events: Vec<(DateTime<Utc>, Uuid, &ClaimFacts)> = claims
            .iter()
            .filter_map(|c| when(c).map(|t| (t, c.id, c)))
            .collect();
        let any: Vec<(DateTime<Utc>, Uuid, ())> =
            events.iter().map(|(t, id, _)| (*t, *id, ())).collect();
        let by_kind: Vec<(DateTime<Utc>, Uuid, String)> = events
            .iter()
            .map(|(t, id, c)| (*t, *id, c.claimant_kind.clone()))
            .collect();
        let (prev_any, prev_kind) = (prevs(&any), prevs(&by_kind));
        for (i, (t, _, c)) in events.iter().enumerate() {
            let mut v = Counters {
                n: 1,
                ..Default::default()
            };
            match stream {
                Stream::Claimed => {
                    match c.claimant_kind.as_str() {
                        "member" => v.members = 1,
                        "team" => v.teams = 1,
                        _ => v.organisations = 1,
                    }
                    v.collective = i64::from(need.collective);
                }
                Stream::Verified => {
                    v.money_fen = c.money_fen;
                    v.items = c.items;
                    v.minutes = c.minutes;
                    v.people = c.people;
                }
                _ => {}
            }
            let m = month_index(*t);
            for k in dims(stream, m, prev_any[i]) {
                out.bump(&c.units, k, &v, sign);
            }
            // Needs verified, by the resident's feedback: counted once per need like
            // `needs_verified` (the same `prev`).
            if let (Stream::Verified, Some(f)) = (stream, &need.feedback) {
                let k = CellKey {
                    unit: Uuid::nil(),
                    month: m,
                    dim: FEEDBACK,
                    stream,
                    key: f.clone(),
                    prev: prev_any[i],
                };
                out.bump(&c.units, k, &one, sign);
            }
            let k = CellKey {
                unit: Uuid::nil(),
                month: m,
                dim: CLAIMANT,
                stream,
                key: c.claimant_kind.clone(),
                prev: prev_kind[i],
            };
            out.bump(&c.units, k, &v, sign);
            if stream == Stream::Claimed && c.claimant_kind == "organisation" {
                let k = CellKey {
                    unit: Uuid::nil(),
                    month: m,
                    dim: ORGANISATION,
                    stream: Stream::Organisation,
                    key: c.claimant.to_string(),
                    prev: NONE,
                };
                out.bump(&c.units, k, &one, sign);
            }
        }
    }
}

/// Adds (`sign` 1) or removes (`sign` -1) the cells of one resident: every verified claim on
/// any of their needs, in total and under each of their groups.
pub fn resident_cells(
    groups: &[String],
    household: Option<Uuid>,
    verifications: &[Verification],
    sign: i64,
    out: &mut Cells,
) {
    let one = Counters {
        n: 1,
        ..Default::default()
    };
    let events: Vec<(DateTime<Utc>, Uuid, ())> =
        verifications.iter().map(|v| (v.at, v.claim, ())).collect();
    let prev = prevs(&events);
    let groups: BTreeSet<&String> = groups.iter().collect();
    for (i, v) in verifications.iter().enumerate() {
        let m = month_index(v.at);
        let keys = std::iter::once((TOTAL, String::new()))
            .chain(groups.iter().map(|g| (GROUP, (*g).clone())))
            .chain(household.map(|h| (HOUSEHOLD, h.to_string())));
        for (dim, key) in keys {
            let k = CellKey {
                unit: Uuid::nil(),
                month: m,
                dim,
                stream: Stream::Helped,
                key,
                prev: prev[i],
            };
            out.bump(&v.units, k, &one, sign);
        }
    }
}

/// Cells summed over `prev`, as a store returns them for a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellSum {
    /// The stream.
    pub stream: Stream,
    /// The dimension.
    pub dim: String,
    /// The key.
    pub key: String,
    /// The month.
    pub month: i64,
    /// All events.
    pub counters: Counters,
    /// Events that were the first of their need (resident) since the period began.
    pub first_in_period: i64,
    /// Events that were the first of their need (resident) in their month.
    pub first_in_month: i64,
}

/// Folds the scope unit's cells (`rows`) and each committee's total cells
/// (`committees`: committee id → its rows of dimension [`TOTAL`]) into the report's
/// needs-and-claims figures, residents helped and organisations.
pub fn fold(rows: &[CellSum], committees: &[(Uuid, CellSum)], out: &mut ReportData) {
    fn apply(f: &mut NeedFigures, s: &CellSum, distinct: i64) {
        let c = &s.counters;
        let u = |x: i64| x.max(0) as u64;
        match s.stream {
            Stream::Created => f.needs_collected += u(c.n),
            Stream::Published => f.needs_published += u(c.n),
            Stream::Claimed => {
                f.claims_by_members += u(c.members);
                f.claims_by_teams += u(c.teams);
                f.claims_by_organisations += u(c.organisations);
                f.collective_claims += u(c.collective);
                f.needs_claimed += u(distinct);
            }
            Stream::Completed => {
                f.claims_completed += u(c.n);
                f.needs_done += u(distinct);
            }
            Stream::Verified => {
                f.claims_verified += u(c.n);
                f.needs_verified += u(distinct);
                f.money_fen += c.money_fen;
                f.items += u(c.items);
                f.minutes += u(c.minutes);
                f.people_served += u(c.people);
            }
            Stream::Released => f.claims_released += u(c.n),
            Stream::Rejected => f.needs_rejected += u(c.n),
            Stream::Helped | Stream::Organisation => {}
        }
    }
    let mut organisations = BTreeSet::new();
    let mut households = BTreeSet::new();
    for s in rows {
        match (s.stream, s.dim.as_str()) {
            (Stream::Helped, HOUSEHOLD) => {
                if s.first_in_period > 0 {
                    households.insert(s.key.clone());
                }
            }
            (Stream::Organisation, _) => {
                if s.counters.n > 0 {
                    organisations.insert(s.key.clone());
                }
            }
            (Stream::Helped, TOTAL) => out.residents_helped += s.first_in_period.max(0) as u64,
            (Stream::Helped, _) => {
                if s.first_in_period > 0 {
                    *out.helped.entry(s.key.clone()).or_default() += s.first_in_period as u64;
                }
            }
            (_, FEEDBACK) => {
                if s.first_in_period > 0 {
                    *out.feedback.entry(s.key.clone()).or_default() += s.first_in_period as u64;
                }
            }
            (_, TOTAL) => {
                apply(&mut out.needs, s, s.first_in_period);
                apply(
                    out.by_month.entry(month_text(s.month)).or_default(),
                    s,
                    s.first_in_month,
                );
            }
            (_, dim) => {
                let map = match dim {
                    CATEGORY => &mut out.by_category,
                    CHANNEL => &mut out.by_channel,
                    GRID => &mut out.by_grid,
                    _ => &mut out.by_claimant,
                };
                apply(map.entry(s.key.clone()).or_default(), s, s.first_in_period);
            }
        }
    }
    out.organisations = organisations.len() as u64;
    out.households_helped = households.len() as u64;
    for (committee, s) in committees {
        if matches!(s.stream, Stream::Helped | Stream::Organisation) {
            continue;
        }
        apply(
            out.by_committee.entry(committee.to_string()).or_default(),
            s,
            s.first_in_period,
        );
    }
}

/// Sums cells the way a store's report query does: the cells of `unit` in months
/// `[from, to)`, summed over `prev`. Used by tests to check [`fold`] without a database.
#[cfg(test)]
pub fn sums(cells: &Cells, unit: Uuid, from: i64, to: i64) -> Vec<CellSum> {
    let mut m: BTreeMap<(Stream, &'static str, String, i64), CellSum> = BTreeMap::new();
    for (k, c) in cells.0.iter().filter(|(k, _)| k.unit == unit) {
        if k.month < from || k.month >= to {
            continue;
        }
        let s = m
            .entry((k.stream, k.dim, k.key.clone(), k.month))
            .or_insert_with(|| CellSum {
                stream: k.stream,
                dim: k.dim.to_string(),
                key: k.key.clone(),
                month: k.month,
                counters: Counters::default(),
                first_in_period: 0,
                first_in_month: 0,
            });
        s.counters.add(c, 1);
        if k.prev < from {
            s.first_in_period += c.n;
        }
        if k.prev < k.month {
            s.first_in_month += c.n;
        }
    }
    m.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, m, d, 9, 0, 0).unwrap()
    }

    fn claim(
        n: u128,
        kind: &str,
        claimed: DateTime<Utc>,
        verified: Option<DateTime<Utc>>,
    ) -> ClaimFacts {
        ClaimFacts {
            id: Uuid::from_u128(n),
            units: vec![Uuid::from_u128(1), Uuid::from_u128(2)],
            claimant_kind: kind.into(),
            claimant: Uuid::from_u128(100 + n),
            claimed_at: claimed,
            completed_at: verified,
            released_at: None,
            verified_at: verified,
            money_fen: 100,
            items: 2,
            minutes: 30,
            people: 1,
        }
    }

    fn report(cells: &Cells, unit: u128, p: Period) -> ReportData {
        let (from, to) = months(&p).expect("whole months");
        let mut out = ReportData::default();
        fold(&sums(cells, Uuid::from_u128(unit), from, to), &[], &mut out);
        out
    }

    #[test]
    fn distinct_needs_and_residents_count_once_per_period_and_month() {
        let need = NeedFacts {
            units: vec![Uuid::from_u128(1), Uuid::from_u128(2)],
            category: "elder_care".into(),
            channel: "door_to_door".into(),
            collective: false,
            resident: Some(Uuid::from_u128(9)),
            created_at: at(1, 2),
            published_at: Some(at(1, 3)),
            feedback: Some("satisfied".into()),
            grid: None,
            beneficiaries: Vec::new(),
            rejected_at: None,
        };
        // Claimed twice in January (the first released), verified in February; claimed by an
        // organisation again in February and verified in March.
        let claims = [
            ClaimFacts {
                released_at: Some(at(1, 18)),
                ..claim(1, "member", at(1, 5), None)
            },
            claim(2, "member", at(1, 20), Some(at(2, 10))),
            claim(3, "organisation", at(2, 15), Some(at(3, 1))),
        ];
        let mut cells = Cells::default();
        need_cells(&need, &claims, 1, &mut cells);
        let verifications: Vec<Verification> = claims
            .iter()
            .filter_map(|c| {
                c.verified_at.map(|at| Verification {
                    claim: c.id,
                    units: c.units.clone(),
                    at,
                })
            })
            .collect();
        resident_cells(
            &["elderly_alone".into()],
            None,
            &verifications,
            1,
            &mut cells,
        );
        let month = |m: u32| Some(Utc.with_ymd_and_hms(2026, m, 1, 0, 0, 0).unwrap());
        let all = report(&cells, 1, Period::ALL);
        assert_eq!(all.needs.needs_claimed, 1);
        assert_eq!(all.needs.claims(), 3);
        assert_eq!(all.needs.needs_verified, 1);
        assert_eq!(all.needs.claims_verified, 2);
        assert_eq!(all.needs.claims_released, 1);
        assert_eq!(all.by_month["2026-01"].claims_released, 1);
        assert_eq!((all.needs.money_fen, all.needs.items), (200, 4));
        assert_eq!(all.residents_helped, 1);
        assert_eq!(all.helped["elderly_alone"], 1);
        assert_eq!(all.organisations, 1);
        assert_eq!(all.by_month["2026-01"].needs_claimed, 1);
        assert_eq!(all.by_month["2026-01"].claims_by_members, 2);
        assert_eq!(all.by_month["2026-02"].needs_claimed, 1);
        assert_eq!(all.by_claimant["member"].needs_claimed, 1);
        assert_eq!(all.by_claimant["organisation"].needs_claimed, 1);
        assert_eq!(all.by_category["elder_care"].needs_collected, 1);
        // February on its own: the need was claimed again, its resident helped again.
        let feb = report(
            &cells,
            2,
            Period {
                from: month(2),
                to: month(3),
            },
        );
        assert_eq!(feb.needs.needs_claimed, 1);
        assert_eq!(feb.needs.needs_collected, 0);
        assert_eq!(feb.residents_helped, 1);
        // February and March: helped twice, counted once.
        let spring = report(
            &cells,
            2,
            Period {
                from: month(2),
                to: month(4),
            },
        );
        assert_eq!(spring.residents_helped, 1);
        assert_eq!(spring.needs.needs_verified, 1);
        assert_eq!(spring.needs.claims_verified, 2);
        // Its feedback counts once, like the need (verified twice), not in money or claims.
        assert_eq!(spring.feedback["satisfied"], 1);
        assert_eq!(spring.satisfaction_permille(), Some(1000));
        assert_eq!(spring.needs.money_fen, 200);
        // Removing the cells again leaves nothing.
        need_cells(&need, &claims, -1, &mut cells);
        resident_cells(
            &["elderly_alone".into()],
            None,
            &verifications,
            -1,
            &mut cells,
        );
        cells.prune();
        assert!(cells.0.is_empty());
    }

    #[test]
    fn only_whole_months_are_answered() {
        let m = |d: u32, h: u32| Some(Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap());
        assert_eq!(
            months(&Period {
                from: m(1, 0),
                to: None
            }),
            Some((2026 * 12 + 2, i64::MAX))
        );
        assert_eq!(
            months(&Period {
                from: m(1, 1),
                to: None
            }),
            None
        );
        assert_eq!(
            months(&Period {
                from: None,
                to: m(2, 0)
            }),
            None
        );
        assert_eq!(month_text(2026 * 12 + 11), "2026-12");
    }
}

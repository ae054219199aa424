//! Records ↔ rows: how each record kind maps onto plain tables and columns (documented in
//! `docs/SCHEMA.md`), the values bound and read, and the statements that read, write and
//! delete one record — and those of the side table (`side (space, key, value)`).

use super::dialect::*;
use crate::error::StoreError;
use crate::frame::Texts;
use crate::model::*;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use uuid::Uuid;

/// A value bound to or read from a column, typed so each backend binds it natively.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Text(Option<String>),
    Int(Option<i64>),
    Id(Option<Uuid>),
    Time(Option<DateTime<Utc>>),
}

pub(super) fn text(s: &str) -> Val {
    Val::Text(Some(s.to_string()))
}
pub(super) fn otext(s: &Option<String>) -> Val {
    Val::Text(s.clone())
}
pub(super) fn int<T: TryInto<i64>>(n: T) -> Val {
    Val::Int(Some(n.try_into().unwrap_or(i64::MAX)))
}
pub(super) fn id(u: Uuid) -> Val {
    Val::Id(Some(u))
}
pub(super) fn opt_id(u: Option<Uuid>) -> Val {
    Val::Id(u)
}
pub(super) fn time(t: DateTime<Utc>) -> Val {
    Val::Time(Some(t))
}
pub(super) fn otime(t: Option<DateTime<Utc>>) -> Val {
    Val::Time(t)
}
pub(super) fn json<T: serde::Serialize>(v: &T) -> Val {
    Val::Text(Some(
        serde_json::to_string(v).unwrap_or_else(|_| "[]".into()),
    ))
}

/// Reads typed columns from one result row (0-based).
pub(crate) trait RowGet {
    fn text(&self, i: usize) -> Result<Option<String>, StoreError>;
    /// Appends column `i` as text to `out` (backends that can, without a `String` and with
    /// the UTF-8 check left to [`RawTexts::finish`]).
    fn push_text(&self, i: usize, out: &mut RawTexts) -> Result<(), StoreError> {
        out.push(self.text(i)?.as_deref().map(str::as_bytes));
        Ok(())
    }
    fn int(&self, i: usize) -> Result<Option<i64>, StoreError>;
    fn id(&self, i: usize) -> Result<Option<Uuid>, StoreError>;
    fn time(&self, i: usize) -> Result<Option<DateTime<Utc>>, StoreError>;
}

/// A text column being read: bytes as the database gave them, checked to be UTF-8 once, for
/// the whole column, by [`RawTexts::finish`] (not value by value).
#[derive(Default)]
pub(crate) struct RawTexts {
    data: Vec<u8>,
    offsets: Vec<usize>,
    valid: Vec<bool>,
}

impl RawTexts {
    /// Room for `values` values of `bytes` bytes in all.
    pub(super) fn with_capacity(values: usize, bytes: usize) -> Self {
        let mut offsets = Vec::with_capacity(values + 1);
        offsets.push(0);
        RawTexts {
            data: Vec::with_capacity(bytes),
            offsets,
            valid: Vec::with_capacity(values),
        }
    }

    /// Appends a value (`None`: missing).
    pub(crate) fn push(&mut self, value: Option<&[u8]>) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        if let Some(v) = value {
            self.data.extend_from_slice(v);
        }
        self.offsets.push(self.data.len());
        self.valid.push(value.is_some());
    }

    /// The column, once its bytes are UTF-8 and every value starts and ends on a character.
    pub(super) fn finish(mut self) -> Result<Texts, StoreError> {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        let bad = || StoreError::Backend("text that is not UTF-8".into());
        let data = String::from_utf8(self.data).map_err(|_| bad())?;
        if !self.offsets.iter().all(|&o| data.is_char_boundary(o)) {
            return Err(bad());
        }
        Ok(Texts::from_parts(data, self.offsets, self.valid))
    }
}

pub(super) fn corrupt(what: &str) -> StoreError {
    StoreError::Backend(format!("unreadable value in column {what}"))
}

/// Column readers with the "required" and domain-type variants.
pub(super) struct Cols<'a> {
    row: &'a dyn RowGet,
    i: usize,
    table: &'static str,
}

impl<'a> Cols<'a> {
    pub(super) fn new(row: &'a dyn RowGet, table: &'static str) -> Self {
        Self { row, i: 0, table }
    }
    pub(super) fn next(&mut self) -> usize {
        self.i += 1;
        self.i - 1
    }
    pub(super) fn ot(&mut self) -> Result<Option<String>, StoreError> {
        let i = self.next();
        self.row.text(i)
    }
    pub(super) fn t(&mut self) -> Result<String, StoreError> {
        let t = self.table;
        self.ot()?.ok_or_else(|| corrupt(t))
    }
    pub(super) fn oi(&mut self) -> Result<Option<i64>, StoreError> {
        let i = self.next();
        self.row.int(i)
    }
    pub(super) fn i(&mut self) -> Result<i64, StoreError> {
        let t = self.table;
        self.oi()?.ok_or_else(|| corrupt(t))
    }
    pub(super) fn u32(&mut self) -> Result<u32, StoreError> {
        let t = self.table;
        u32::try_from(self.i()?).map_err(|_| corrupt(t))
    }
    pub(super) fn u64(&mut self) -> Result<u64, StoreError> {
        let t = self.table;
        u64::try_from(self.i()?).map_err(|_| corrupt(t))
    }
    pub(super) fn opt_id<T: From<Uuid>>(&mut self) -> Result<Option<T>, StoreError> {
        let i = self.next();
        Ok(self.row.id(i)?.map(T::from))
    }
    pub(super) fn id<T: From<Uuid>>(&mut self) -> Result<T, StoreError> {
        let t = self.table;
        self.opt_id()?.ok_or_else(|| corrupt(t))
    }
    pub(super) fn otime(&mut self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let i = self.next();
        self.row.time(i)
    }
    pub(super) fn time(&mut self) -> Result<DateTime<Utc>, StoreError> {
        let t = self.table;
        self.otime()?.ok_or_else(|| corrupt(t))
    }
    pub(super) fn e<T>(
        &mut self,
        parse: fn(&str, &str) -> crate::Result<T>,
    ) -> Result<T, StoreError> {
        let t = self.table;
        let s = self.t()?;
        parse(t, &s).map_err(|_| corrupt(t))
    }
    pub(super) fn oe<T>(
        &mut self,
        parse: fn(&str, &str) -> crate::Result<T>,
    ) -> Result<Option<T>, StoreError> {
        let t = self.table;
        match self.ot()? {
            Some(s) => parse(t, &s).map(Some).map_err(|_| corrupt(t)),
            None => Ok(None),
        }
    }
    pub(super) fn json<T: serde::de::DeserializeOwned>(&mut self) -> Result<T, StoreError> {
        let t = self.table;
        let s = self.t()?;
        serde_json::from_str(&s).map_err(|_| corrupt(t))
    }
    pub(super) fn opt_json<T: serde::de::DeserializeOwned>(
        &mut self,
    ) -> Result<Option<T>, StoreError> {
        let t = self.table;
        match self.ot()? {
            Some(s) => serde_json::from_str(&s).map(Some).map_err(|_| corrupt(t)),
            None => Ok(None),
        }
    }
    /// A claimant as [`claimant_vals`] wrote it: its kind's text, then its id; `what` names
    /// the kind's column in the error.
    pub(super) fn claimant(&mut self, what: &str) -> Result<Claimant, StoreError> {
        let kind = self.t()?;
        let id: Uuid = self.id()?;
        Ok(match kind.as_str() {
            "member" => Claimant::Member(MemberId(id)),
            "team" => Claimant::Team(TeamId(id)),
            "organisation" => Claimant::Organisation(OrganisationId(id)),
            _ => return Err(corrupt(what)),
        })
    }
    pub(super) fn point(&mut self) -> Result<Option<GeoPoint>, StoreError> {
        let t = self.table;
        match (self.oi()?, self.oi()?) {
            (Some(a), Some(b)) => Ok(Some(GeoPoint {
                lat_e6: i32::try_from(a).map_err(|_| corrupt(t))?,
                lon_e6: i32::try_from(b).map_err(|_| corrupt(t))?,
            })),
            _ => Ok(None),
        }
    }
    pub(super) fn tally(&mut self) -> Result<Tally, StoreError> {
        Ok(Tally {
            claims_verified: self.u64()?,
            money_fen: self.i()?,
            items: self.u64()?,
            minutes: self.u64()?,
            people_served: self.u64()?,
        })
    }
}

pub(super) fn tally_vals(t: &Tally) -> [Val; 5] {
    [
        int(t.claims_verified),
        int(t.money_fen),
        int(t.items),
        int(t.minutes),
        int(t.people_served),
    ]
}

pub(super) const TALLY: &str =
    "tally_claims_verified, tally_money_fen, tally_items, tally_minutes, tally_people_served";

/// A table's name and its columns, `id` first, in the order [`encode`] produces values.
pub(crate) struct Table {
    pub name: &'static str,
    pub cols: Vec<&'static str>,
}

pub(super) fn split(cols: &'static str) -> Vec<&'static str> {
    cols.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

/// The table of a kind.
pub(crate) fn table(kind: Kind) -> Table {
    let (name, cols): (&'static str, Vec<&'static str>) = match kind {
        Kind::Unit => ("units", split("id, kind, name, parent, path, created_at")),
        Kind::WorkUnit => ("work_units", split("id, name, party_organisation, created_at")),
        Kind::Organisation => ("organisations", {
            let mut v = split("id, name, kind, contact_name, contact_phone, district");
            v.extend(split(TALLY));
            v.push("created_at");
            v
        }),
        Kind::Category => (
            "categories",
            split("id, code, name_zh, name_en, parent, committee"),
        ),
        Kind::Member => ("members", {
            let mut v = split(
                "id, work_unit, name, phone, id_number, skills, certificate_number, \
                 certificate_issued_at, certificate_deadline, status, committee, reported_at, \
                 commitment_text, commitment_signed_at, decided_at, return_reason",
            );
            v.extend(split(TALLY));
            v.push("approved_minutes");
            v
        }),
        Kind::LedgerEntry => ("ledger_entries", split("id, work_unit, member, committee, kind, note, at")),
        Kind::Resident => (
            "residents",
            split(
                "id, committee, grid, name, phone, id_number, address, created_at, erased_at, masked, \
                 household",
            ),
        ),
        Kind::Need => (
            "needs",
            split(
                "id, committee, grid, resident, title, description, category, channel, scale, \
                 estimated_cost_fen, wanted_by, status, live_claim, claim_count, reason, feedback, \
                 drafted_by, created_at, published_at, updated_at, recurrence_every, \
                 recurrence_times, series, occurrence, next_due, place, lat_e6, lon_e6, institution",
            ),
        ),
        Kind::Claim => (
            "claims",
            split(
                "id, need, committee, claimant_type, claimant_id, claimed_by, status, claimed_at, \
                 promised_by, warned_at, extensions, started_at, completed_at, money_fen, minutes, \
                 people_served, evidence, note, send_backs, reason, ended_at, roster",
            ),
        ),
        Kind::Team => ("teams", {
            let mut v = split("id, committee, kind, name, channel, captain");
            v.extend(split(TALLY));
            v.push("created_at");
            v.push("grid");
            v
        }),
        Kind::Hours => (
            "hours",
            split(
                "id, member, committee, served_at, minutes, description, status, reason, \
                 logged_at, pairing",
            ),
        ),
        Kind::Activity => (
            "activities",
            split(
                "id, committee, kind, title, channel, team, held_at, participants, people_reached, \
                 recorded_at, grid, place, roster, roster_people, roster_minutes, lat_e6, lon_e6",
            ),
        ),
        Kind::Role => (
            "roles",
            split("id, member, committee, kind, scope, since, until, grid"),
        ),
        Kind::Household => ("households", split("id, committee, grid, created_at")),
        Kind::CalendarYear => (
            "calendar_years",
            split("id, year, holidays, working_weekends, set_at"),
        ),
        Kind::ServiceCertificate => (
            "service_certificates",
            split(
                "id, number, member, committee, period_from, period_to, minutes, records, \
                 content, issued_at",
            ),
        ),
        Kind::Correction => (
            "corrections",
            split(
                "id, member, committee, source, source_id, reason, status, answer, \
                 requested_at, decided_at",
            ),
        ),
        Kind::Pairing => (
            "pairings",
            split("id, member, resident, committee, since, until, end_reason"),
        ),
        Kind::Offer => (
            "offers",
            split(
                "id, need, committee, to_type, to_id, source, note, status, offered_at, \
                 expires_at, decided_at, reason, claim",
            ),
        ),
    };
    Table { name, cols }
}

/// Rows of a child table that belong to one record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Children {
    None,
    /// `team_members (team, pos, member)`
    TeamMembers(Vec<MemberId>),
    /// `resident_groups (resident, pos, grp)`
    ResidentGroups(Vec<ResidentGroup>),
    /// `claim_items (claim, pos, count, description)`
    ClaimItems(Vec<Item>),
    /// `need_beneficiaries (need, pos, resident)`
    NeedBeneficiaries(Vec<ResidentId>),
}

/// The child table of a kind: its name, parent column and value columns (after `pos`).
pub(crate) fn child_table(
    kind: Kind,
) -> Option<(&'static str, &'static str, &'static [&'static str])> {
    match kind {
        Kind::Team => Some(("team_members", "team", &["member"])),
        Kind::Resident => Some(("resident_groups", "resident", &["grp"])),
        Kind::Claim => Some(("claim_items", "claim", &["count", "description"])),
        Kind::Need => Some(("need_beneficiaries", "need", &["resident"])),
        _ => None,
    }
}

impl Children {
    /// One row of values (after parent and pos) per child.
    pub(crate) fn rows(&self) -> Vec<Vec<Val>> {
        match self {
            Children::None => Vec::new(),
            Children::TeamMembers(v) => v.iter().map(|m| vec![id(m.0)]).collect(),
            Children::ResidentGroups(v) => v.iter().map(|g| vec![text(g.as_str())]).collect(),
            Children::ClaimItems(v) => v
                .iter()
                .map(|it| vec![int(it.count), text(&it.description)])
                .collect(),
            Children::NeedBeneficiaries(v) => v.iter().map(|r| vec![id(r.0)]).collect(),
        }
    }
}

/// Reads the child rows (value columns only, in `pos` order) into a record.
pub(crate) fn attach(record: &mut Record, rows: &[&dyn RowGet]) -> Result<(), StoreError> {
    match record {
        Record::Team(t) => {
            t.members = rows
                .iter()
                .map(|r| Cols::new(*r, "team_members").id())
                .collect::<Result<_, _>>()?
        }
        Record::Need(n) => {
            n.beneficiaries = rows
                .iter()
                .map(|r| Cols::new(*r, "need_beneficiaries").id())
                .collect::<Result<_, _>>()?
        }
        Record::Resident(r) => {
            r.groups = rows
                .iter()
                .map(|row| Cols::new(*row, "resident_groups").e(ResidentGroup::parse))
                .collect::<Result<_, _>>()?
        }
        Record::Claim(c) => {
            if let Some(f) = c.fulfilment.as_mut() {
                f.items = rows
                    .iter()
                    .map(|row| {
                        let mut c = Cols::new(*row, "claim_items");
                        Ok(Item {
                            count: c.u32()?,
                            description: c.t()?,
                        })
                    })
                    .collect::<Result<_, StoreError>>()?
            }
        }
        _ => {}
    }
    Ok(())
}

pub(super) fn claimant_vals(c: &Claimant) -> [Val; 2] {
    let (t, u) = match c {
        Claimant::Member(m) => ("member", m.0),
        Claimant::Team(t) => ("team", t.0),
        Claimant::Organisation(o) => ("organisation", o.0),
    };
    [text(t), id(u)]
}

/// `/root/…/unit/`: a unit's path as text, so a subtree is a prefix.
pub(crate) fn path_text(path: &[UnitId]) -> String {
    let mut s = String::from("/");
    for u in path {
        s.push_str(&u.0.to_string());
        s.push('/');
    }
    s
}

pub(super) fn parse_path(s: &str) -> Result<Vec<UnitId>, StoreError> {
    s.split('/')
        .filter(|p| !p.is_empty())
        .map(|p| {
            Uuid::parse_str(p)
                .map(UnitId)
                .map_err(|_| corrupt("units.path"))
        })
        .collect()
}

/// A record's column values (in [`table`] order) and its child rows.
pub(crate) fn encode(r: &Record) -> (Vec<Val>, Children) {
    match r {
        Record::Unit(u) => (
            vec![
                id(u.id.0),
                text(u.kind.as_str()),
                text(&u.name),
                opt_id(u.parent.map(|p| p.0)),
                text(&path_text(&u.path)),
                time(u.created_at),
            ],
            Children::None,
        ),
        Record::WorkUnit(w) => (
            vec![
                id(w.id.0),
                text(&w.name),
                text(&w.party_organisation),
                time(w.created_at),
            ],
            Children::None,
        ),
        Record::Organisation(o) => {
            let mut v = vec![
                id(o.id.0),
                text(&o.name),
                text(o.kind.as_str()),
                text(&o.contact_name),
                text(&o.contact_phone),
                id(o.district.0),
            ];
            v.extend(tally_vals(&o.tally));
            v.push(time(o.created_at));
            (v, Children::None)
        }
        Record::Category(c) => (
            vec![
                id(c.id.0),
                text(&c.code),
                text(&c.name_zh),
                text(&c.name_en),
                otext(&c.parent),
                opt_id(c.committee.map(|u| u.0)),
            ],
            Children::None,
        ),
        Record::Member(m) => {
            let mut v = vec![
                id(m.id.0),
                id(m.work_unit.0),
                text(&m.name),
                otext(&m.phone),
                otext(&m.id_number),
                json(&m.skills),
                text(&m.certificate.number),
                time(m.certificate.issued_at),
                time(m.certificate.deadline),
                text(m.status.as_str()),
                opt_id(m.committee.map(|c| c.0)),
                otime(m.reported_at),
                Val::Text(m.commitment.as_ref().map(|c| c.text.clone())),
                otime(m.commitment.as_ref().map(|c| c.signed_at)),
                otime(m.decided_at),
                otext(&m.return_reason),
            ];
            v.extend(tally_vals(&m.tally));
            v.push(int(m.approved_minutes));
            (v, Children::None)
        }
        Record::LedgerEntry(e) => (
            vec![
                id(e.id.0),
                id(e.work_unit.0),
                id(e.member.0),
                id(e.committee.0),
                text(e.kind.as_str()),
                otext(&e.note),
                time(e.at),
            ],
            Children::None,
        ),
        Record::Resident(r) => (
            vec![
                id(r.id.0),
                id(r.committee.0),
                opt_id(r.grid.map(|g| g.0)),
                text(&r.name),
                otext(&r.phone),
                otext(&r.id_number),
                otext(&r.address),
                time(r.created_at),
                otime(r.erased_at),
                int(i64::from(r.masked)),
                opt_id(r.household.map(|h| h.0)),
            ],
            Children::ResidentGroups(r.groups.clone()),
        ),
        Record::Need(n) => (
            vec![
                id(n.id.0),
                id(n.committee.0),
                opt_id(n.grid.map(|g| g.0)),
                opt_id(n.resident.map(|r| r.0)),
                text(&n.title),
                text(&n.description),
                text(&n.category),
                text(n.channel.as_str()),
                text(n.scale.as_str()),
                int(n.estimated_cost_fen),
                time(n.wanted_by),
                text(n.status.as_str()),
                opt_id(n.live_claim.map(|c| c.0)),
                int(n.claim_count),
                otext(&n.reason),
                Val::Text(n.feedback.map(|f| f.as_str().to_string())),
                opt_id(n.drafted_by.map(|m| m.0)),
                time(n.created_at),
                otime(n.published_at),
                time(n.updated_at),
                Val::Text(n.recurrence.map(|r| r.every.as_str().to_string())),
                Val::Int(n.recurrence.map(|r| i64::from(r.times))),
                opt_id(n.series.map(|x| x.0)),
                int(n.occurrence),
                otime(n.next_due),
                otext(&n.place),
                Val::Int(n.location.map(|l| i64::from(l.lat_e6))),
                Val::Int(n.location.map(|l| i64::from(l.lon_e6))),
                otext(&n.institution),
            ],
            Children::NeedBeneficiaries(n.beneficiaries.clone()),
        ),
        Record::Claim(c) => {
            let f = c.fulfilment.as_ref();
            let mut v = vec![id(c.id.0), id(c.need.0), id(c.committee.0)];
            v.extend(claimant_vals(&c.claimant));
            v.extend([
                opt_id(c.claimed_by.map(|m| m.0)),
                text(c.status.as_str()),
                time(c.claimed_at),
                time(c.promised_by),
                otime(c.warned_at),
                int(c.extensions),
                otime(c.started_at),
                otime(c.completed_at),
                Val::Int(f.map(|f| f.money_fen)),
                Val::Int(f.map(|f| i64::from(f.minutes))),
                Val::Int(f.map(|f| i64::from(f.people_served))),
                match f {
                    Some(f) => json(&f.evidence),
                    None => Val::Text(None),
                },
                Val::Text(f.map(|f| f.note.clone())),
                int(c.send_backs),
                otext(&c.reason),
                otime(c.ended_at),
                match f {
                    Some(f) if !f.roster.is_empty() => json(&f.roster),
                    _ => Val::Text(None),
                },
            ]);
            let items = f.map(|f| f.items.clone()).unwrap_or_default();
            (v, Children::ClaimItems(items))
        }
        Record::Team(t) => {
            let mut v = vec![
                id(t.id.0),
                id(t.committee.0),
                text(t.kind.as_str()),
                text(&t.name),
                text(t.channel.as_str()),
                opt_id(t.captain.map(|m| m.0)),
            ];
            v.extend(tally_vals(&t.tally));
            v.push(time(t.created_at));
            v.push(opt_id(t.grid.map(|g| g.0)));
            (v, Children::TeamMembers(t.members.clone()))
        }
        Record::Hours(h) => (
            vec![
                id(h.id.0),
                id(h.member.0),
                id(h.committee.0),
                time(h.served_at),
                int(h.minutes),
                text(&h.description),
                text(h.status.as_str()),
                otext(&h.reason),
                time(h.logged_at),
                opt_id(h.pairing.map(|p| p.0)),
            ],
            Children::None,
        ),
        Record::Activity(a) => (
            vec![
                id(a.id.0),
                id(a.committee.0),
                text(a.kind.as_str()),
                text(&a.title),
                text(a.channel.as_str()),
                opt_id(a.team.map(|t| t.0)),
                time(a.held_at),
                int(a.participants),
                int(a.people_reached),
                time(a.recorded_at),
                opt_id(a.grid.map(|g| g.0)),
                otext(&a.place),
                if a.roster.is_empty() {
                    Val::Text(None)
                } else {
                    json(&a.roster)
                },
                int(roster_person_times(&a.roster)),
                int(a.roster_minutes()),
                Val::Int(a.location.map(|l| i64::from(l.lat_e6))),
                Val::Int(a.location.map(|l| i64::from(l.lon_e6))),
            ],
            Children::None,
        ),
        Record::Role(r) => (
            vec![
                id(r.id.0),
                id(r.member.0),
                id(r.committee.0),
                text(r.kind.as_str()),
                text(&r.scope),
                time(r.since),
                otime(r.until),
                opt_id(r.grid.map(|g| g.0)),
            ],
            Children::None,
        ),
        Record::Pairing(p) => (
            vec![
                id(p.id.0),
                id(p.member.0),
                id(p.resident.0),
                id(p.committee.0),
                time(p.since),
                otime(p.until),
                otext(&p.end_reason),
            ],
            Children::None,
        ),
        Record::ServiceCertificate(c) => (
            vec![
                id(c.id.0),
                text(&c.number),
                id(c.member.0),
                id(c.committee.0),
                otime(c.from),
                otime(c.to),
                int(c.minutes),
                int(c.records),
                json(&c.content),
                time(c.issued_at),
            ],
            Children::None,
        ),
        Record::Correction(c) => (
            vec![
                id(c.id.0),
                id(c.member.0),
                id(c.committee.0),
                text(c.source.as_str()),
                id(c.source_id),
                text(&c.reason),
                text(c.status.as_str()),
                otext(&c.answer),
                time(c.requested_at),
                otime(c.decided_at),
            ],
            Children::None,
        ),
        Record::CalendarYear(y) => (
            vec![
                id(y.id.0),
                int(y.year),
                json(&y.holidays),
                json(&y.working_weekends),
                time(y.set_at),
            ],
            Children::None,
        ),
        Record::Household(h) => (
            vec![
                id(h.id.0),
                id(h.committee.0),
                opt_id(h.grid.map(|g| g.0)),
                time(h.created_at),
            ],
            Children::None,
        ),
        Record::Offer(o) => {
            let mut v = vec![id(o.id.0), id(o.need.0), id(o.committee.0)];
            v.extend(claimant_vals(&o.to));
            v.extend([
                text(o.source.as_str()),
                otext(&o.note),
                text(o.status.as_str()),
                time(o.offered_at),
                time(o.expires_at),
                otime(o.decided_at),
                otext(&o.reason),
                opt_id(o.claim.map(|c| c.0)),
            ]);
            (v, Children::None)
        }
    }
}

/// Reads one row (columns in [`table`] order) into a record without its children; call
/// [`attach`] for kinds that have a [`child_table`].
pub(crate) fn decode(kind: Kind, row: &dyn RowGet) -> Result<Record, StoreError> {
    let tname = table(kind).name;
    let mut c = Cols::new(row, tname);
    Ok(match kind {
        Kind::Unit => Record::Unit(Unit {
            id: c.id()?,
            kind: c.e(UnitKind::parse)?,
            name: c.t()?,
            parent: c.opt_id()?,
            path: parse_path(&c.t()?)?,
            created_at: c.time()?,
        }),
        Kind::WorkUnit => Record::WorkUnit(WorkUnit {
            id: c.id()?,
            name: c.t()?,
            party_organisation: c.t()?,
            created_at: c.time()?,
        }),
        Kind::Organisation => Record::Organisation(Organisation {
            id: c.id()?,
            name: c.t()?,
            kind: c.e(OrganisationKind::parse)?,
            contact_name: c.t()?,
            contact_phone: c.t()?,
            district: c.id()?,
            tally: c.tally()?,
            created_at: c.time()?,
        }),
        Kind::Category => Record::Category(Category {
            id: c.id()?,
            code: c.t()?,
            name_zh: c.t()?,
            name_en: c.t()?,
            parent: c.ot()?,
            committee: c.opt_id()?,
        }),
        Kind::Member => {
            let id = c.id()?;
            let work_unit = c.id()?;
            let name = c.t()?;
            let phone = c.ot()?;
            let id_number = c.ot()?;
            let skills = c.json()?;
            let certificate = Certificate {
                number: c.t()?,
                issued_at: c.time()?,
                deadline: c.time()?,
            };
            let status = c.e(MemberStatus::parse)?;
            let committee = c.opt_id()?;
            let reported_at = c.otime()?;
            let ctext = c.ot()?;
            let csigned = c.otime()?;
            let commitment = match (ctext, csigned) {
                (Some(text), Some(signed_at)) => Some(Commitment { text, signed_at }),
                _ => None,
            };
            Record::Member(Member {
                id,
                work_unit,
                name,
                phone,
                id_number,
                skills,
                certificate,
                status,
                committee,
                reported_at,
                commitment,
                decided_at: c.otime()?,
                return_reason: c.ot()?,
                tally: c.tally()?,
                approved_minutes: c.u64()?,
            })
        }
        Kind::LedgerEntry => Record::LedgerEntry(LedgerEntry {
            id: c.id()?,
            work_unit: c.id()?,
            member: c.id()?,
            committee: c.id()?,
            kind: c.e(LedgerKind::parse)?,
            note: c.ot()?,
            at: c.time()?,
        }),
        Kind::Resident => Record::Resident(Resident {
            id: c.id()?,
            committee: c.id()?,
            grid: c.opt_id()?,
            name: c.t()?,
            phone: c.ot()?,
            id_number: c.ot()?,
            address: c.ot()?,
            groups: Vec::new(),
            created_at: c.time()?,
            erased_at: c.otime()?,
            masked: c.u64()? != 0,
            household: c.opt_id()?,
        }),
        Kind::Need => Record::Need(Need {
            id: c.id()?,
            committee: c.id()?,
            grid: c.opt_id()?,
            resident: c.opt_id()?,
            title: c.t()?,
            description: c.t()?,
            category: c.t()?,
            channel: c.e(Channel::parse)?,
            scale: c.e(Scale::parse)?,
            estimated_cost_fen: c.i()?,
            wanted_by: c.time()?,
            status: c.e(NeedStatus::parse)?,
            live_claim: c.opt_id()?,
            claim_count: c.u32()?,
            reason: c.ot()?,
            feedback: c.oe(Feedback::parse)?,
            drafted_by: c.opt_id()?,
            created_at: c.time()?,
            published_at: c.otime()?,
            updated_at: c.time()?,
            beneficiaries: Vec::new(),
            recurrence: {
                let every = c.oe(Every::parse)?;
                let times = c.oi()?;
                match (every, times) {
                    (Some(every), Some(t)) => Some(Recurrence {
                        every,
                        times: u32::try_from(t).map_err(|_| corrupt("needs.recurrence_times"))?,
                    }),
                    _ => None,
                }
            },
            series: c.opt_id()?,
            occurrence: c.u32()?,
            next_due: c.otime()?,
            place: c.ot()?,
            location: c.point()?,
            institution: c.ot()?,
        }),
        Kind::Claim => {
            let id = c.id()?;
            let need = c.id()?;
            let committee = c.id()?;
            let claimant = c.claimant("claims.claimant_type")?;
            let claimed_by = c.opt_id()?;
            let status = c.e(ClaimStatus::parse)?;
            let claimed_at = c.time()?;
            let promised_by = c.time()?;
            let warned_at = c.otime()?;
            let extensions = c.u32()?;
            let started_at = c.otime()?;
            let completed_at = c.otime()?;
            let money = c.oi()?;
            let minutes = c.oi()?;
            let people = c.oi()?;
            let evidence = c.ot()?;
            let note = c.ot()?;
            let mut fulfilment = match (money, minutes, people, evidence, note) {
                (Some(m), Some(mi), Some(p), Some(e), Some(n)) => Some(Fulfilment {
                    money_fen: m,
                    items: Vec::new(),
                    minutes: u32::try_from(mi).map_err(|_| corrupt("claims.minutes"))?,
                    people_served: u32::try_from(p).map_err(|_| corrupt("claims.people_served"))?,
                    evidence: serde_json::from_str(&e).map_err(|_| corrupt("claims.evidence"))?,
                    note: n,
                    roster: Vec::new(),
                }),
                _ => None,
            };
            let send_backs = c.u32()?;
            let reason = c.ot()?;
            let ended_at = c.otime()?;
            if let (Some(f), Some(roster)) = (fulfilment.as_mut(), c.opt_json()?) {
                f.roster = roster;
            }
            Record::Claim(Claim {
                id,
                need,
                committee,
                claimant,
                claimed_by,
                status,
                claimed_at,
                promised_by,
                warned_at,
                extensions,
                started_at,
                completed_at,
                fulfilment,
                send_backs,
                reason,
                ended_at,
            })
        }
        Kind::Team => Record::Team(Team {
            id: c.id()?,
            committee: c.id()?,
            kind: c.e(TeamKind::parse)?,
            name: c.t()?,
            channel: c.e(Channel::parse)?,
            captain: c.opt_id()?,
            members: Vec::new(),
            tally: c.tally()?,
            created_at: c.time()?,
            grid: c.opt_id()?,
        }),
        Kind::Hours => Record::Hours(Hours {
            id: c.id()?,
            member: c.id()?,
            committee: c.id()?,
            served_at: c.time()?,
            minutes: c.u32()?,
            description: c.t()?,
            status: c.e(HoursStatus::parse)?,
            reason: c.ot()?,
            logged_at: c.time()?,
            pairing: c.opt_id()?,
        }),
        Kind::Activity => Record::Activity(Activity {
            id: c.id()?,
            committee: c.id()?,
            kind: c.e(ActivityKind::parse)?,
            title: c.t()?,
            channel: c.e(Channel::parse)?,
            team: c.opt_id()?,
            held_at: c.time()?,
            participants: c.u32()?,
            people_reached: c.u32()?,
            recorded_at: c.time()?,
            grid: c.opt_id()?,
            place: c.ot()?,
            roster: c.opt_json()?.unwrap_or_default(),
            location: {
                let _people = c.oi()?;
                let _minutes = c.oi()?;
                c.point()?
            },
        }),
        Kind::Role => Record::Role(Role {
            id: c.id()?,
            member: c.id()?,
            committee: c.id()?,
            kind: c.e(RoleKind::parse)?,
            scope: c.t()?,
            since: c.time()?,
            until: c.otime()?,
            grid: c.opt_id()?,
        }),
        Kind::ServiceCertificate => Record::ServiceCertificate(ServiceCertificate {
            id: c.id()?,
            number: c.t()?,
            member: c.id()?,
            committee: c.id()?,
            from: c.otime()?,
            to: c.otime()?,
            minutes: c.u64()?,
            records: c.u32()?,
            content: c.json()?,
            issued_at: c.time()?,
        }),
        Kind::Correction => Record::Correction(Correction {
            id: c.id()?,
            member: c.id()?,
            committee: c.id()?,
            source: c.e(ServiceSource::parse)?,
            source_id: c.id()?,
            reason: c.t()?,
            status: c.e(CorrectionStatus::parse)?,
            answer: c.ot()?,
            requested_at: c.time()?,
            decided_at: c.otime()?,
        }),
        Kind::CalendarYear => Record::CalendarYear(CalendarYear {
            id: c.id()?,
            year: i32::try_from(c.i()?).map_err(|_| corrupt("calendar_years.year"))?,
            holidays: c.json()?,
            working_weekends: c.json()?,
            set_at: c.time()?,
        }),
        Kind::Household => Record::Household(Household {
            id: c.id()?,
            committee: c.id()?,
            grid: c.opt_id()?,
            created_at: c.time()?,
        }),
        Kind::Offer => {
            let id = c.id()?;
            let need = c.id()?;
            let committee = c.id()?;
            let to = c.claimant("offers.to_type")?;
            Record::Offer(Offer {
                id,
                need,
                committee,
                to,
                source: c.e(OfferSource::parse)?,
                note: c.ot()?,
                status: c.e(OfferStatus::parse)?,
                offered_at: c.time()?,
                expires_at: c.time()?,
                decided_at: c.otime()?,
                reason: c.ot()?,
                claim: c.opt_id()?,
            })
        }
        Kind::Pairing => Record::Pairing(Pairing {
            id: c.id()?,
            member: c.id()?,
            resident: c.id()?,
            committee: c.id()?,
            since: c.time()?,
            until: c.otime()?,
            end_reason: c.ot()?,
        }),
    })
}

/// A statement's text, built once per process for each (statement, dialect, kind, sizes):
/// every write runs these, and formatting them each time showed in the profile. `kind` is the
/// record kind a statement is for (`None`: not one kind's, e.g. the report cells' upsert);
/// `sizes` whatever else shapes it (the changed columns, a number of rows).
pub(super) fn statement(
    what: &'static str,
    kind: Option<Kind>,
    dialect: &dyn Dialect,
    sizes: &[usize],
    build: impl FnOnce() -> String,
) -> Arc<str> {
    type Texts = HashMap<(&'static str, &'static str, Option<Kind>, Vec<usize>), Arc<str>>;
    static TEXTS: OnceLock<Mutex<Texts>> = OnceLock::new();
    let mut texts = TEXTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    texts
        .entry((what, dialect.name(), kind, sizes.to_vec()))
        .or_insert_with(|| build().into())
        .clone()
}

/// `INSERT … ON CONFLICT (id) DO UPDATE …` for a kind.
pub(crate) fn upsert_sql(kind: Kind, dialect: &dyn Dialect) -> Arc<str> {
    statement("upsert_sql", Some(kind), dialect, &[], || {
        let t = table(kind);
        let phs: Vec<String> = (1..=t.cols.len()).map(|n| dialect.ph(n)).collect();
        let sets: Vec<String> = t.cols[1..]
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        format!(
            "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {}",
            t.name,
            t.cols.join(", "),
            phs.join(", "),
            sets.join(", ")
        )
    })
}

/// `UPDATE table SET <changed columns> WHERE id = ?1`: the columns are indexes into the
/// kind's columns ([`changed_cols`]); parameters are the id, then the changed values.
pub(crate) fn update_sql(kind: Kind, dialect: &dyn Dialect, changed: &[usize]) -> Arc<str> {
    statement("update_sql", Some(kind), dialect, changed, || {
        let t = table(kind);
        let sets: Vec<String> = changed
            .iter()
            .enumerate()
            .map(|(n, &c)| format!("{} = {}", t.cols[c], dialect.ph(n + 2)))
            .collect();
        format!(
            "UPDATE {} SET {} WHERE id = {}",
            t.name,
            sets.join(", "),
            dialect.ph(1)
        )
    })
}

/// The columns (by index, never the id) whose values differ between two encodings of a row.
pub(crate) fn changed_cols(old: &[Val], new: &[Val]) -> Vec<usize> {
    (1..new.len())
        .filter(|&i| old.get(i) != Some(&new[i]))
        .collect()
}

/// `SELECT cols FROM table WHERE id = ?`.
pub(crate) fn get_sql(kind: Kind, dialect: &dyn Dialect) -> Arc<str> {
    statement("get_sql", Some(kind), dialect, &[], || {
        let t = table(kind);
        format!(
            "SELECT {} FROM {} WHERE id = {}",
            t.cols.join(", "),
            t.name,
            dialect.ph(1)
        )
    })
}

/// The child rows of one parent, value columns only, in order.
pub(crate) fn children_sql(kind: Kind, dialect: &dyn Dialect) -> Option<Arc<str>> {
    child_table(kind)?;
    Some(statement("children_sql", Some(kind), dialect, &[], || {
        child_table(kind)
            .map(|(t, parent, cols)| {
                format!(
                    "SELECT {} FROM {t} WHERE {parent} = {} ORDER BY pos",
                    cols.join(", "),
                    dialect.ph(1)
                )
            })
            .unwrap_or_default()
    }))
}

/// Deletes one parent's child rows.
pub(crate) fn delete_children_sql(kind: Kind, dialect: &dyn Dialect) -> Option<Arc<str>> {
    child_table(kind)?;
    Some(statement(
        "delete_children_sql",
        Some(kind),
        dialect,
        &[],
        || {
            child_table(kind)
                .map(|(t, parent, _)| format!("DELETE FROM {t} WHERE {parent} = {}", dialect.ph(1)))
                .unwrap_or_default()
        },
    ))
}

/// Inserts one child row: parent, pos, values.
pub(crate) fn insert_child_sql(kind: Kind, dialect: &dyn Dialect) -> Option<Arc<str>> {
    child_table(kind)?;
    Some(statement(
        "insert_child_sql",
        Some(kind),
        dialect,
        &[],
        || {
            child_table(kind)
                .map(|(t, parent, cols)| {
                    let phs: Vec<String> = (1..=cols.len() + 2).map(|n| dialect.ph(n)).collect();
                    format!(
                        "INSERT INTO {t} ({parent}, pos, {}) VALUES ({})",
                        cols.join(", "),
                        phs.join(", ")
                    )
                })
                .unwrap_or_default()
        },
    ))
}

/// `DELETE FROM table WHERE id = ?1`: one record's row (its child rows are deleted first,
/// with [`delete_children_sql`]).
pub(crate) fn delete_sql(kind: Kind, dialect: &dyn Dialect) -> Arc<str> {
    statement("delete_sql", Some(kind), dialect, &[], || {
        format!(
            "DELETE FROM {} WHERE id = {}",
            table(kind).name,
            dialect.ph(1)
        )
    })
}

/// The value under `(space, key)`: parameters space, key; one column, `value`.
pub(crate) fn side_get_sql(dialect: &dyn Dialect) -> Arc<str> {
    statement("side_get_sql", None, dialect, &[], || {
        format!(
            "SELECT value FROM side WHERE space = {} AND key = {}",
            dialect.ph(1),
            dialect.ph(2)
        )
    })
}

/// Sets the value under `(space, key)`, replacing any: parameters space, key, value.
pub(crate) fn side_put_sql(dialect: &dyn Dialect) -> Arc<str> {
    statement("side_put_sql", None, dialect, &[], || {
        format!(
            "INSERT INTO side (space, key, value) VALUES ({}, {}, {}) \
             ON CONFLICT (space, key) DO UPDATE SET value = excluded.value",
            dialect.ph(1),
            dialect.ph(2),
            dialect.ph(3)
        )
    })
}

/// Removes the value under `(space, key)`: parameters space, key.
pub(crate) fn side_delete_sql(dialect: &dyn Dialect) -> Arc<str> {
    statement("side_delete_sql", None, dialect, &[], || {
        format!(
            "DELETE FROM side WHERE space = {} AND key = {}",
            dialect.ph(1),
            dialect.ph(2)
        )
    })
}

/// The entries of a space in key order (the column's collation is byte order on both
/// dialects), at most a limit, and with `after` only those with a greater key: columns key,
/// value. The statement and its parameters ([`side_scan_params`]).
pub(crate) fn side_scan_sql(dialect: &dyn Dialect, after: bool) -> Arc<str> {
    statement(
        "side_scan_sql",
        None,
        dialect,
        &[usize::from(after)],
        || {
            let (from, limit) = if after {
                (format!(" AND key > {}", dialect.ph(2)), dialect.ph(3))
            } else {
                (String::new(), dialect.ph(2))
            };
            format!(
                "SELECT key, value FROM side WHERE space = {}{from} ORDER BY key LIMIT {limit}",
                dialect.ph(1)
            )
        },
    )
}

/// The parameters of [`side_scan_sql`]`(_, after.is_some())`.
pub(crate) fn side_scan_params(space: &str, after: Option<&str>, limit: u32) -> Vec<Val> {
    let mut p = vec![text(space)];
    p.extend(after.map(text));
    p.push(int(limit));
    p
}

/// The spaces that hold entries, in order: one column, `space`.
pub(crate) fn side_spaces_sql(dialect: &dyn Dialect) -> Arc<str> {
    statement("side_spaces_sql", None, dialect, &[], || {
        "SELECT DISTINCT space FROM side ORDER BY space".to_string()
    })
}

/// A row read into owned values (child rows), readable through [`RowGet`]: ids and times
/// stored as text are parsed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OwnedRow(pub Vec<Val>);

impl RowGet for OwnedRow {
    fn text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.0.get(i) {
            Some(Val::Text(t)) => Ok(t.clone()),
            Some(Val::Int(n)) => Ok(n.map(|n| n.to_string())),
            Some(Val::Id(u)) => Ok(u.map(|u| u.to_string())),
            Some(Val::Time(t)) => Ok(t.map(|t| format_time(&t))),
            None => Err(corrupt("child row")),
        }
    }
    fn int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.0.get(i) {
            Some(Val::Int(n)) => Ok(*n),
            // SQLite reports a NULL (an empty sum) without a type.
            Some(Val::Text(None)) => Ok(None),
            _ => Err(corrupt("child row")),
        }
    }
    fn id(&self, i: usize) -> Result<Option<Uuid>, StoreError> {
        match self.0.get(i) {
            Some(Val::Id(u)) => Ok(*u),
            Some(Val::Text(Some(s))) => Uuid::parse_str(s)
                .map(Some)
                .map_err(|_| corrupt("child row")),
            Some(Val::Text(None)) => Ok(None),
            _ => Err(corrupt("child row")),
        }
    }
    fn time(&self, i: usize) -> Result<Option<DateTime<Utc>>, StoreError> {
        match self.0.get(i) {
            Some(Val::Time(t)) => Ok(*t),
            Some(Val::Text(Some(s))) => parse_time(s).map(Some),
            Some(Val::Text(None)) => Ok(None),
            _ => Err(corrupt("child row")),
        }
    }
}

/// Times as text: ISO-8601 UTC with microseconds, fixed width, so text order is time order.
pub(crate) fn format_time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Parses [`format_time`]'s output (or any RFC 3339 time).
pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>, StoreError> {
    if let Some(t) = parse_stored_time(s.as_bytes()) {
        return Ok(t);
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| corrupt("time"))
}

/// The fixed-width form [`format_time`] writes (`2026-01-05T08:00:00.000000Z`), parsed
/// without a general RFC 3339 parser (frames read millions of these); `None` for any other
/// form.
pub(crate) fn parse_stored_time(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() != 27
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'.'
        || b[26] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let date = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let time = chrono::NaiveTime::from_hms_micro_opt(
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
        num(20..26)?,
    )?;
    Some(date.and_time(time).and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn raw_texts_are_checked_once_and_whole() {
        let mut t = RawTexts::default();
        t.push(Some("书包".as_bytes()));
        t.push(None);
        t.push(Some(b"ab"));
        let t = t.finish().unwrap();
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            vec![Some("书包"), None, Some("ab")]
        );
        // Bytes that are not UTF-8, and a character split between two values (the whole
        // buffer is UTF-8, the values are not), are refused.
        let mut bad = RawTexts::default();
        bad.push(Some(&[0xff, b'a']));
        assert!(bad.finish().is_err());
        let mut split = RawTexts::default();
        split.push(Some(&"书".as_bytes()[..1]));
        split.push(Some(&"书".as_bytes()[1..]));
        assert!(split.finish().is_err());
        // A column with no values is an empty column.
        assert_eq!(
            RawTexts::default().finish().unwrap(),
            Texts::with_capacity(0, 0)
        );
    }

    #[test]
    fn stored_times_parse_fast_and_exactly() {
        let times = [
            Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 59).unwrap()
                + chrono::Duration::microseconds(999_999),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap()
                + chrono::Duration::microseconds(1),
        ];
        for t in times {
            let s = format_time(&t);
            assert_eq!(parse_stored_time(s.as_bytes()), Some(t), "{s}");
            assert_eq!(parse_time(&s).unwrap(), t);
        }
        // Other RFC 3339 forms go through the general parser; nonsense is refused.
        assert_eq!(parse_stored_time("2026-01-05T08:00:00Z".as_bytes()), None);
        assert_eq!(
            parse_time("2026-01-05T16:00:00+08:00").unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).unwrap()
        );
        assert_eq!(
            parse_stored_time("2026-02-30T08:00:00.000000Z".as_bytes()),
            None
        );
        assert_eq!(
            parse_stored_time("2026-01-05T08:00:0x.000000Z".as_bytes()),
            None
        );
        assert!(parse_time("2026-02-30T08:00:00.000000Z").is_err());
    }
}

//! What the SQL backends share: how each record kind maps onto plain tables and columns
//! (documented in `docs/SCHEMA.md`), and how a [`Query`] becomes a `WHERE` clause. The
//! dialects differ only in placeholders, column types and a few functions, given by
//! [`Dialect`].

use super::{Event, Kind, Page, Query, Record};
use crate::error::StoreError;
use crate::model::*;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A numbered migration: `(version, name, sql)`.
pub(crate) type Migration = (u32, &'static str, &'static str);

/// The migrations to apply to a database at version `have`, up to `upto`; refuses a database
/// whose version is newer than every migration known.
pub(crate) fn pending(
    migrations: &'static [Migration],
    have: u32,
    upto: u32,
) -> Result<Vec<&'static Migration>, crate::Error> {
    let latest = migrations.last().map_or(0, |m| m.0);
    if have > latest {
        return Err(crate::Error::Storage {
            message: format!(
                "the database has schema version {have}, newer than this needbridge supports \
                 ({latest}); open it with a newer needbridge"
            ),
        });
    }
    Ok(migrations
        .iter()
        .filter(|m| m.0 > have && m.0 <= upto)
        .collect())
}

/// A value bound to or read from a column, typed so each backend binds it natively.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Text(Option<String>),
    Int(Option<i64>),
    Id(Option<Uuid>),
    Time(Option<DateTime<Utc>>),
}

fn text(s: &str) -> Val {
    Val::Text(Some(s.to_string()))
}
fn otext(s: &Option<String>) -> Val {
    Val::Text(s.clone())
}
fn int<T: TryInto<i64>>(n: T) -> Val {
    Val::Int(Some(n.try_into().unwrap_or(i64::MAX)))
}
fn id(u: Uuid) -> Val {
    Val::Id(Some(u))
}
fn oid(u: Option<Uuid>) -> Val {
    Val::Id(u)
}
fn time(t: DateTime<Utc>) -> Val {
    Val::Time(Some(t))
}
fn otime(t: Option<DateTime<Utc>>) -> Val {
    Val::Time(t)
}
fn json<T: serde::Serialize>(v: &T) -> Val {
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
    fn with_capacity(values: usize, bytes: usize) -> Self {
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
    fn finish(mut self) -> Result<Texts, StoreError> {
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

fn corrupt(what: &str) -> StoreError {
    StoreError::Backend(format!("unreadable value in column {what}"))
}

/// Column readers with the "required" and domain-type variants.
struct Cols<'a> {
    row: &'a dyn RowGet,
    i: usize,
    table: &'static str,
}

impl<'a> Cols<'a> {
    fn new(row: &'a dyn RowGet, table: &'static str) -> Self {
        Self { row, i: 0, table }
    }
    fn next(&mut self) -> usize {
        self.i += 1;
        self.i - 1
    }
    fn ot(&mut self) -> Result<Option<String>, StoreError> {
        let i = self.next();
        self.row.text(i)
    }
    fn t(&mut self) -> Result<String, StoreError> {
        let t = self.table;
        self.ot()?.ok_or_else(|| corrupt(t))
    }
    fn oi(&mut self) -> Result<Option<i64>, StoreError> {
        let i = self.next();
        self.row.int(i)
    }
    fn i(&mut self) -> Result<i64, StoreError> {
        let t = self.table;
        self.oi()?.ok_or_else(|| corrupt(t))
    }
    fn u32(&mut self) -> Result<u32, StoreError> {
        let t = self.table;
        u32::try_from(self.i()?).map_err(|_| corrupt(t))
    }
    fn u64(&mut self) -> Result<u64, StoreError> {
        let t = self.table;
        u64::try_from(self.i()?).map_err(|_| corrupt(t))
    }
    fn oid<T: From<Uuid>>(&mut self) -> Result<Option<T>, StoreError> {
        let i = self.next();
        Ok(self.row.id(i)?.map(T::from))
    }
    fn id<T: From<Uuid>>(&mut self) -> Result<T, StoreError> {
        let t = self.table;
        self.oid()?.ok_or_else(|| corrupt(t))
    }
    fn otime(&mut self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let i = self.next();
        self.row.time(i)
    }
    fn time(&mut self) -> Result<DateTime<Utc>, StoreError> {
        let t = self.table;
        self.otime()?.ok_or_else(|| corrupt(t))
    }
    fn e<T>(&mut self, parse: fn(&str, &str) -> crate::Result<T>) -> Result<T, StoreError> {
        let t = self.table;
        let s = self.t()?;
        parse(t, &s).map_err(|_| corrupt(t))
    }
    fn oe<T>(
        &mut self,
        parse: fn(&str, &str) -> crate::Result<T>,
    ) -> Result<Option<T>, StoreError> {
        let t = self.table;
        match self.ot()? {
            Some(s) => parse(t, &s).map(Some).map_err(|_| corrupt(t)),
            None => Ok(None),
        }
    }
    fn json<T: serde::de::DeserializeOwned>(&mut self) -> Result<T, StoreError> {
        let t = self.table;
        let s = self.t()?;
        serde_json::from_str(&s).map_err(|_| corrupt(t))
    }
    fn tally(&mut self) -> Result<Tally, StoreError> {
        Ok(Tally {
            claims_verified: self.u64()?,
            money_fen: self.i()?,
            items: self.u64()?,
            minutes: self.u64()?,
            people_served: self.u64()?,
        })
    }
}

fn tally_vals(t: &Tally) -> [Val; 5] {
    [
        int(t.claims_verified),
        int(t.money_fen),
        int(t.items),
        int(t.minutes),
        int(t.people_served),
    ]
}

const TALLY: &str =
    "tally_claims_verified, tally_money_fen, tally_items, tally_minutes, tally_people_served";

/// A table's name and its columns, `id` first, in the order [`encode`] produces values.
pub(crate) struct Table {
    pub name: &'static str,
    pub cols: Vec<&'static str>,
}

fn split(cols: &'static str) -> Vec<&'static str> {
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
        Kind::Category => ("categories", split("id, code, name_zh, name_en")),
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
            split("id, committee, grid, name, phone, id_number, address, created_at, erased_at"),
        ),
        Kind::Need => (
            "needs",
            split(
                "id, committee, grid, resident, title, description, category, channel, scale, \
                 estimated_cost_fen, wanted_by, status, live_claim, claim_count, reason, feedback, \
                 drafted_by, created_at, published_at, updated_at",
            ),
        ),
        Kind::Claim => (
            "claims",
            split(
                "id, need, committee, claimant_type, claimant_id, claimed_by, status, claimed_at, \
                 promised_by, warned_at, extensions, started_at, completed_at, money_fen, minutes, \
                 people_served, evidence, note, send_backs, reason, ended_at",
            ),
        ),
        Kind::Team => ("teams", {
            let mut v = split("id, committee, kind, name, channel, captain");
            v.extend(split(TALLY));
            v.push("created_at");
            v
        }),
        Kind::Hours => (
            "hours",
            split("id, member, committee, served_at, minutes, description, status, reason, logged_at"),
        ),
        Kind::Activity => (
            "activities",
            split(
                "id, committee, kind, title, channel, team, held_at, participants, people_reached, \
                 recorded_at",
            ),
        ),
        Kind::Role => ("roles", split("id, member, committee, kind, scope, since, until")),
        Kind::Pairing => (
            "pairings",
            split("id, member, resident, committee, since, until, end_reason"),
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
}

/// The child table of a kind: its name, parent column and value columns (after `pos`).
pub(crate) fn child_table(
    kind: Kind,
) -> Option<(&'static str, &'static str, &'static [&'static str])> {
    match kind {
        Kind::Team => Some(("team_members", "team", &["member"])),
        Kind::Resident => Some(("resident_groups", "resident", &["grp"])),
        Kind::Claim => Some(("claim_items", "claim", &["count", "description"])),
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

fn claimant_vals(c: &Claimant) -> [Val; 2] {
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

fn parse_path(s: &str) -> Result<Vec<UnitId>, StoreError> {
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
                oid(u.parent.map(|p| p.0)),
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
                oid(m.committee.map(|c| c.0)),
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
                oid(r.grid.map(|g| g.0)),
                text(&r.name),
                otext(&r.phone),
                otext(&r.id_number),
                otext(&r.address),
                time(r.created_at),
                otime(r.erased_at),
            ],
            Children::ResidentGroups(r.groups.clone()),
        ),
        Record::Need(n) => (
            vec![
                id(n.id.0),
                id(n.committee.0),
                oid(n.grid.map(|g| g.0)),
                id(n.resident.0),
                text(&n.title),
                text(&n.description),
                text(&n.category),
                text(n.channel.as_str()),
                text(n.scale.as_str()),
                int(n.estimated_cost_fen),
                time(n.wanted_by),
                text(n.status.as_str()),
                oid(n.live_claim.map(|c| c.0)),
                int(n.claim_count),
                otext(&n.reason),
                Val::Text(n.feedback.map(|f| f.as_str().to_string())),
                oid(n.drafted_by.map(|m| m.0)),
                time(n.created_at),
                otime(n.published_at),
                time(n.updated_at),
            ],
            Children::None,
        ),
        Record::Claim(c) => {
            let f = c.fulfilment.as_ref();
            let mut v = vec![id(c.id.0), id(c.need.0), id(c.committee.0)];
            v.extend(claimant_vals(&c.claimant));
            v.extend([
                oid(c.claimed_by.map(|m| m.0)),
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
                oid(t.captain.map(|m| m.0)),
            ];
            v.extend(tally_vals(&t.tally));
            v.push(time(t.created_at));
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
                oid(a.team.map(|t| t.0)),
                time(a.held_at),
                int(a.participants),
                int(a.people_reached),
                time(a.recorded_at),
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
            parent: c.oid()?,
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
            let committee = c.oid()?;
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
            grid: c.oid()?,
            name: c.t()?,
            phone: c.ot()?,
            id_number: c.ot()?,
            address: c.ot()?,
            groups: Vec::new(),
            created_at: c.time()?,
            masked: false,
            erased_at: c.otime()?,
        }),
        Kind::Need => Record::Need(Need {
            id: c.id()?,
            committee: c.id()?,
            grid: c.oid()?,
            resident: c.id()?,
            title: c.t()?,
            description: c.t()?,
            category: c.t()?,
            channel: c.e(Channel::parse)?,
            scale: c.e(Scale::parse)?,
            estimated_cost_fen: c.i()?,
            wanted_by: c.time()?,
            status: c.e(NeedStatus::parse)?,
            live_claim: c.oid()?,
            claim_count: c.u32()?,
            reason: c.ot()?,
            feedback: c.oe(Feedback::parse)?,
            drafted_by: c.oid()?,
            created_at: c.time()?,
            published_at: c.otime()?,
            updated_at: c.time()?,
        }),
        Kind::Claim => {
            let id = c.id()?;
            let need = c.id()?;
            let committee = c.id()?;
            let ctype = c.t()?;
            let cid: Uuid = c.id()?;
            let claimant = match ctype.as_str() {
                "member" => Claimant::Member(MemberId(cid)),
                "team" => Claimant::Team(TeamId(cid)),
                "organisation" => Claimant::Organisation(OrganisationId(cid)),
                _ => return Err(corrupt("claims.claimant_type")),
            };
            let claimed_by = c.oid()?;
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
            let fulfilment = match (money, minutes, people, evidence, note) {
                (Some(m), Some(mi), Some(p), Some(e), Some(n)) => Some(Fulfilment {
                    money_fen: m,
                    items: Vec::new(),
                    minutes: u32::try_from(mi).map_err(|_| corrupt("claims.minutes"))?,
                    people_served: u32::try_from(p).map_err(|_| corrupt("claims.people_served"))?,
                    evidence: serde_json::from_str(&e).map_err(|_| corrupt("claims.evidence"))?,
                    note: n,
                }),
                _ => None,
            };
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
                send_backs: c.u32()?,
                reason: c.ot()?,
                ended_at: c.otime()?,
            })
        }
        Kind::Team => Record::Team(Team {
            id: c.id()?,
            committee: c.id()?,
            kind: c.e(TeamKind::parse)?,
            name: c.t()?,
            channel: c.e(Channel::parse)?,
            captain: c.oid()?,
            members: Vec::new(),
            tally: c.tally()?,
            created_at: c.time()?,
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
        }),
        Kind::Activity => Record::Activity(Activity {
            id: c.id()?,
            committee: c.id()?,
            kind: c.e(ActivityKind::parse)?,
            title: c.t()?,
            channel: c.e(Channel::parse)?,
            team: c.oid()?,
            held_at: c.time()?,
            participants: c.u32()?,
            people_reached: c.u32()?,
            recorded_at: c.time()?,
        }),
        Kind::Role => Record::Role(Role {
            id: c.id()?,
            member: c.id()?,
            committee: c.id()?,
            kind: c.e(RoleKind::parse)?,
            scope: c.t()?,
            since: c.time()?,
            until: c.otime()?,
        }),
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

/// What differs between SQL dialects.
pub(crate) trait Dialect: Sync {
    /// The `n`th (1-based) placeholder.
    fn ph(&self, n: usize) -> String;
    /// The `n`th placeholder in report queries, which scan ranges once per call and may plan
    /// with the bound values (default: [`Dialect::ph`]).
    fn report_ph(&self, n: usize) -> String {
        self.ph(n)
    }
    /// `col` written so the planner will not use an index for it (SQLite `+col`); the
    /// default leaves the choice to the planner.
    fn no_index(&self, col: &str) -> String {
        col.to_string()
    }
    /// `expr` (a column of ids or text) read as text (default: a `CAST`).
    fn as_text(&self, expr: &str) -> String {
        format!("CAST({expr} AS TEXT)")
    }
    /// An expression that lower-cases ASCII letters only (like [`super::fold_text`]).
    fn fold(&self, expr: &str) -> String;
    /// An expression true when `needle` occurs in `hay`.
    fn contains(&self, hay: &str, needle: &str) -> String;
}

/// Builds SQL text and its parameters.
pub(crate) struct Sql<'d> {
    pub text: String,
    pub params: Vec<Val>,
    dialect: &'d dyn Dialect,
    report: bool,
    /// Scopes are tested row by row ([`Dialect::no_index`]) instead of through the committee
    /// index: for reads of most of a table, where a scan in id order beats an index walk and
    /// a sort.
    scan: bool,
    /// Rows of a scan limited to this range of SQLite rowids (both ends included): the
    /// halves of a table read in parallel ([`columns_split`]).
    rowids: Option<(i64, i64)>,
}

impl<'d> Sql<'d> {
    pub(crate) fn new(dialect: &'d dyn Dialect) -> Self {
        Self {
            text: String::new(),
            params: Vec::new(),
            dialect,
            report: false,
            scan: false,
            rowids: None,
        }
    }
    /// A report query (placeholders from [`Dialect::report_ph`]).
    pub(crate) fn for_report(dialect: &'d dyn Dialect) -> Self {
        Self {
            report: true,
            ..Self::new(dialect)
        }
    }
    /// Adds a parameter and returns its placeholder.
    pub(crate) fn bind(&mut self, v: Val) -> String {
        self.params.push(v);
        let n = self.params.len();
        if self.report {
            self.dialect.report_ph(n)
        } else {
            self.dialect.ph(n)
        }
    }
}

/// `INSERT … ON CONFLICT (id) DO UPDATE …` for a kind.
pub(crate) fn upsert_sql(kind: Kind, dialect: &dyn Dialect) -> String {
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
}

/// `UPDATE table SET <changed columns> WHERE id = ?1`: the columns are indexes into the
/// kind's columns ([`changed_cols`]); parameters are the id, then the changed values.
pub(crate) fn update_sql(kind: Kind, dialect: &dyn Dialect, changed: &[usize]) -> String {
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
}

/// The columns (by index, never the id) whose values differ between two encodings of a row.
pub(crate) fn changed_cols(old: &[Val], new: &[Val]) -> Vec<usize> {
    (1..new.len())
        .filter(|&i| old.get(i) != Some(&new[i]))
        .collect()
}

/// `SELECT cols FROM table WHERE id = ?`.
pub(crate) fn get_sql(kind: Kind, dialect: &dyn Dialect) -> String {
    let t = table(kind);
    format!(
        "SELECT {} FROM {} WHERE id = {}",
        t.cols.join(", "),
        t.name,
        dialect.ph(1)
    )
}

/// The child rows of one parent, value columns only, in order.
pub(crate) fn children_sql(kind: Kind, dialect: &dyn Dialect) -> Option<String> {
    child_table(kind).map(|(t, parent, cols)| {
        format!(
            "SELECT {} FROM {t} WHERE {parent} = {} ORDER BY pos",
            cols.join(", "),
            dialect.ph(1)
        )
    })
}

/// Deletes one parent's child rows.
pub(crate) fn delete_children_sql(kind: Kind, dialect: &dyn Dialect) -> Option<String> {
    child_table(kind)
        .map(|(t, parent, _)| format!("DELETE FROM {t} WHERE {parent} = {}", dialect.ph(1)))
}

/// Inserts one child row: parent, pos, values.
pub(crate) fn insert_child_sql(kind: Kind, dialect: &dyn Dialect) -> Option<String> {
    child_table(kind).map(|(t, parent, cols)| {
        let phs: Vec<String> = (1..=cols.len() + 2).map(|n| dialect.ph(n)).collect();
        format!(
            "INSERT INTO {t} ({parent}, pos, {}) VALUES ({})",
            cols.join(", "),
            phs.join(", ")
        )
    })
}

fn within(sql: &mut Sql<'_>, col: &str, scope: Option<UnitId>) -> Option<String> {
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

fn eq(sql: &mut Sql<'_>, col: &str, v: Option<Val>) -> Option<String> {
    let v = v?;
    let p = sql.bind(v);
    Some(format!("{col} = {p}"))
}

fn any_of<T: Copy>(
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

fn cmp_time(sql: &mut Sql<'_>, col: &str, op: &str, t: Option<DateTime<Utc>>) -> Option<String> {
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
    io: &mut dyn super::cells::SqlIo,
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
fn scope_committees(
    io: &mut dyn super::cells::SqlIo,
    unit: UnitId,
) -> Result<Vec<Uuid>, StoreError> {
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
const PER_COMMITTEE: usize = 4;

/// The conditions of a needs filter other than its scope and statuses.
fn need_conds(sql: &mut Sql<'_>, f: &super::NeedFilter, conds: &mut Vec<Option<String>>) {
    let dialect = sql.dialect;
    conds.push(eq(sql, "category", f.category.as_ref().map(|c| text(c))));
    conds.push(eq(sql, "channel", f.channel.map(|c| text(c.as_str()))));
    conds.push(eq(sql, "scale", f.scale.map(|c| text(c.as_str()))));
    conds.push(eq(sql, "resident", f.resident.map(|r| id(r.0))));
    conds.push(cmp_time(sql, "wanted_by", "<", f.wanted_before));
    if let Some(words) = &f.text {
        let hay = dialect.fold("(title || ' ' || description)");
        for w in super::fold_text(words).split_whitespace() {
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
const COUNT: &str = "count(*)";

/// [`select_sql`] with other columns than the record's (`projection`).
fn select_with<'d>(
    q: &Query,
    page: &Page,
    dialect: &'d dyn Dialect,
    projection: Option<&str>,
) -> Sql<'d> {
    select_in(q, page, Sql::new(dialect), projection)
}

/// [`select_with`] into a prepared [`Sql`] (for its flags).
fn select_in<'d>(q: &Query, page: &Page, mut sql: Sql<'d>, projection: Option<&str>) -> Sql<'d> {
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

/// The columns of the `events` table, in the order of [`event_vals`].
pub(crate) const EVENT_COLS: &str = "seq, id, at, actor_type, actor_id, kind, committee, payload";

/// [`Payload`] borrowed, for writing.
#[derive(serde::Serialize)]
struct PayloadRef<'a> {
    command: &'a crate::command::Command,
    changes: &'a [Record],
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    command: crate::command::Command,
    changes: Vec<Record>,
}

fn actor_parts(a: &Actor) -> (&'static str, Option<Uuid>) {
    match a {
        Actor::System => ("system", None),
        Actor::DistrictAdmin { district } => ("district_admin", Some(district.0)),
        Actor::CommitteeStaff { unit } => ("committee_staff", Some(unit.0)),
        Actor::WorkUnitSecretary { work_unit } => ("work_unit_secretary", Some(work_unit.0)),
        Actor::Member { member } => ("member", Some(member.0)),
        Actor::OrganisationContact { organisation } => {
            ("organisation_contact", Some(organisation.0))
        }
    }
}

/// An event's column values.
pub(crate) fn event_vals(e: &Event) -> Result<Vec<Val>, StoreError> {
    let (at, aid) = actor_parts(&e.actor);
    let payload = serde_json::to_string(&PayloadRef {
        command: &e.command,
        changes: &e.changes,
    })
    .map_err(|err| StoreError::Backend(format!("event payload: {err}")))?;
    Ok(vec![
        int(e.seq),
        id(e.id.0),
        time(e.at),
        text(at),
        oid(aid),
        text(&e.kind),
        oid(e.committee.map(|c| c.0)),
        Val::Text(Some(payload)),
    ])
}

/// Reads an event row ([`EVENT_COLS`] order).
pub(crate) fn decode_event(row: &dyn RowGet) -> Result<Event, StoreError> {
    let mut c = Cols::new(row, "events");
    let seq = c.u64()?;
    let eid = c.id()?;
    let at = c.time()?;
    let atype = c.t()?;
    let aid: Option<Uuid> = c.oid()?;
    let need = |x: Option<Uuid>| x.ok_or_else(|| corrupt("events.actor_id"));
    let actor = match atype.as_str() {
        "system" => Actor::System,
        "district_admin" => Actor::DistrictAdmin {
            district: UnitId(need(aid)?),
        },
        "committee_staff" => Actor::CommitteeStaff {
            unit: UnitId(need(aid)?),
        },
        "work_unit_secretary" => Actor::WorkUnitSecretary {
            work_unit: WorkUnitId(need(aid)?),
        },
        "member" => Actor::Member {
            member: MemberId(need(aid)?),
        },
        "organisation_contact" => Actor::OrganisationContact {
            organisation: OrganisationId(need(aid)?),
        },
        _ => return Err(corrupt("events.actor_type")),
    };
    let kind = c.t()?;
    let committee = c.oid()?;
    let p: Payload = c.json()?;
    Ok(Event {
        id: eid,
        seq,
        at,
        actor,
        kind,
        committee,
        command: p.command,
        changes: p.changes,
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

// ------------------------------------------------------------------------------------------
// Reports in SQL: the same figures as `crate::report::compute`, aggregated by the database.

use crate::report::{ActivityFigures, NeedFigures, Period, ReportData, ReportRequest, ReportScope};

/// What else a dialect needs for reports.
pub(crate) trait ReportDialect: Dialect {
    /// `YYYY-MM` (UTC) of a time column.
    fn month(&self, expr: &str) -> String;
}

fn period_cond(sql: &mut Sql<'_>, col: &str, p: &Period) -> String {
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
enum On {
    /// A table with a committee column (alias given).
    Committee(&'static str),
    /// A table with a member column.
    Member(&'static str),
}

fn scope_cond(sql: &mut Sql<'_>, scope: &ReportScope, on: On) -> String {
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

fn claim_scope(sql: &mut Sql<'_>, scope: &ReportScope) -> String {
    match scope {
        ReportScope::Unit(_) => scope_cond(sql, scope, On::Committee("c.committee")),
        ReportScope::WorkUnit(_) => format!(
            "c.claimant_type = 'member' AND {}",
            scope_cond(sql, scope, On::Member("c.claimant_id"))
        ),
    }
}

fn need_scope(sql: &mut Sql<'_>, scope: &ReportScope) -> String {
    match scope {
        ReportScope::Unit(_) => scope_cond(sql, scope, On::Committee("n.committee")),
        ReportScope::WorkUnit(_) => scope_cond(sql, scope, On::Member("n.drafted_by")),
    }
}

fn u(v: &OwnedRow, i: usize) -> Result<u64, StoreError> {
    Ok(v.int(i)?.unwrap_or(0).max(0) as u64)
}

fn key_of(v: &OwnedRow) -> Result<String, StoreError> {
    Ok(v.text(0)?.unwrap_or_default())
}

/// Computes a report with SQL; `run` executes one query and returns its rows.
pub(crate) fn report(
    req: &ReportRequest,
    d: &dyn ReportDialect,
    io: &mut dyn super::cells::SqlIo,
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
    out.committees = u(&one(io.rows(&q)?), 0)?;

    // Members reported, their work units; acceptances.
    let mut q = Sql::for_report(d);
    let s = match scope {
        ReportScope::Unit(_) => scope_cond(&mut q, scope, On::Committee("committee")),
        ReportScope::WorkUnit(_) => scope_cond(&mut q, scope, On::Member("id")),
    };
    let pc = period_cond(&mut q, "reported_at", p);
    q.text = format!("SELECT count(*), count(DISTINCT work_unit) FROM members WHERE {s} AND {pc}");
    let r = one(io.rows(&q)?);
    out.members_reported = u(&r, 0)?;
    out.work_units = u(&r, 1)?;
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
    out.members_accepted = u(&one(io.rows(&q)?), 0)?;

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
    out.teams = u(&r, 0)?;
    out.captains = u(&r, 1)?;

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
    out.pairings = u(&one(io.rows(&q)?), 0)?;
    let mut q = Sql::for_report(d);
    let s = member_or_committee(&mut q);
    let pc = period_cond(&mut q, "served_at", p);
    q.text = format!(
        "SELECT CAST(coalesce(sum(minutes), 0) AS BIGINT) FROM hours \
         WHERE status = 'approved' AND {s} AND {pc}"
    );
    out.hours_minutes = u(&one(io.rows(&q)?), 0)?;
    let mut q = Sql::for_report(d);
    let s = member_or_committee(&mut q);
    let t = match p.to {
        Some(to) => {
            let a = q.bind(time(to));
            let b = q.bind(time(to));
            format!("since < {a} AND (until IS NULL OR until >= {b})")
        }
        None => "until IS NULL".into(),
    };
    q.text = format!("SELECT kind, count(*) FROM roles WHERE {s} AND {t} GROUP BY kind");
    for r in io.rows(&q)? {
        out.three_heads.insert(key_of(&r)?, u(&r, 1)?);
    }

    // Activities.
    let mut q = Sql::for_report(d);
    let s = scope_cond(&mut q, scope, On::Committee("committee"));
    let pc = period_cond(&mut q, "held_at", p);
    q.text = format!(
        "SELECT kind, count(*), CAST(sum(participants) AS BIGINT), CAST(sum(people_reached) AS BIGINT) \
         FROM activities WHERE {s} AND {pc} GROUP BY kind"
    );
    for r in io.rows(&q)? {
        out.activities.insert(
            key_of(&r)?,
            ActivityFigures {
                count: u(&r, 1)?,
                participants: u(&r, 2)?,
                people_reached: u(&r, 3)?,
            },
        );
    }
    Ok(out)
}

/// Needs and claims, organisations and residents helped, aggregated from the rows (any scope
/// and period; the report cells answer unit scopes over whole months faster).
fn raw_needs(
    scope: &ReportScope,
    p: &Period,
    d: &dyn ReportDialect,
    io: &mut dyn super::cells::SqlIo,
    out: &mut ReportData,
) -> Result<(), StoreError> {
    let one = |rows: Vec<OwnedRow>| rows.into_iter().next().unwrap_or(OwnedRow(Vec::new()));
    // Needs and claims: totals and each breakdown.
    type Key = fn(&dyn ReportDialect, &str) -> String;
    let dims: [(Option<&str>, Key); 6] = [
        (None, |_, _| "''".into()),
        (Some("committee"), |_, _| "CAST(n.committee AS TEXT)".into()),
        (Some("category"), |_, _| "n.category".into()),
        (Some("channel"), |_, _| "n.channel".into()),
        (Some("month"), |d, at| d.month(at)),
        (Some("claimant"), |_, _| "c.claimant_type".into()),
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
        let need_figures: &[(&str, bool)] = if name == Some("claimant") {
            &[]
        } else {
            &[("n.created_at", false), ("n.published_at", true)]
        };
        for &(col, published) in need_figures {
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
                if published {
                    f.needs_published = u(&r, 1)?;
                } else {
                    f.needs_collected = u(&r, 1)?;
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
            f.claims_by_members = u(&r, 1)?;
            f.claims_by_teams = u(&r, 2)?;
            f.claims_by_organisations = u(&r, 3)?;
            f.collective_claims = u(&r, 4)?;
            f.needs_claimed = u(&r, 5)?;
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
            f.claims_completed = u(&r, 1)?;
            f.needs_done = u(&r, 2)?;
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
            f.claims_verified = u(&r, 1)?;
            f.needs_verified = u(&r, 2)?;
            f.money_fen = r.int(3)?.unwrap_or(0);
            f.minutes = u(&r, 4)?;
            f.people_served = u(&r, 5)?;
            f.items = u(&r, 6)?;
        }
        match name {
            None => out.needs = m.remove("").unwrap_or_default(),
            Some("committee") => out.by_committee = m,
            Some("category") => out.by_category = m,
            Some("channel") => out.by_channel = m,
            Some("month") => out.by_month = m,
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
    out.organisations = u(&one(io.rows(&q)?), 0)?;

    // Residents helped, in total and by group.
    let mut q = Sql::for_report(d);
    let s = claim_scope(&mut q, scope);
    let pc = period_cond(&mut q, "c.ended_at", p);
    q.text = format!(
        "SELECT count(DISTINCT n.resident) FROM claims c JOIN needs n ON n.id = c.need \
         WHERE c.status = 'verified' AND {s} AND {pc}"
    );
    out.residents_helped = u(&one(io.rows(&q)?), 0)?;
    let mut q = Sql::for_report(d);
    let s = claim_scope(&mut q, scope);
    let pc = period_cond(&mut q, "c.ended_at", p);
    q.text = format!(
        "SELECT g.grp, count(DISTINCT n.resident) FROM claims c JOIN needs n ON n.id = c.need \
         JOIN resident_groups g ON g.resident = n.resident \
         WHERE c.status = 'verified' AND {s} AND {pc} GROUP BY g.grp"
    );
    for r in io.rows(&q)? {
        out.helped.insert(key_of(&r)?, u(&r, 1)?);
    }

    Ok(())
}

// ------------------------------------------------------------------------------------------
// Frames: the needs and claims a query selects, read straight into columns.

use crate::frame::{Column, Texts};
use std::collections::HashMap;

/// How a frame column is read from its SQL expression.
#[derive(Clone, Copy)]
enum As {
    Text,
    Code,
    Int,
    Time,
}

/// The frame columns of `query`: (name, SQL expression, how read); `None` for queries whose
/// frames the Hub builds from records.
fn frame_spec(query: &Query) -> Option<&'static [(&'static str, &'static str, As)]> {
    use As::*;
    Some(match query {
        Query::Needs(_) => &[
            ("id", "id", Text),
            ("committee", "committee", Text),
            ("grid", "grid", Text),
            ("resident", "resident", Text),
            ("title", "title", Text),
            ("category", "category", Code),
            ("channel", "channel", Code),
            ("scale", "scale", Code),
            ("status", "status", Code),
            ("estimated_cost_fen", "estimated_cost_fen", Int),
            ("claim_count", "claim_count", Int),
            ("live_claim", "live_claim", Text),
            ("drafted_by", "drafted_by", Text),
            ("wanted_by", "wanted_by", Time),
            ("created_at", "created_at", Time),
            ("published_at", "published_at", Time),
            ("updated_at", "updated_at", Time),
        ],
        Query::Claims(_) => &[
            ("id", "id", Text),
            ("need", "need", Text),
            ("committee", "committee", Text),
            ("claimant_type", "claimant_type", Code),
            ("claimant", "claimant_id", Text),
            ("claimed_by", "claimed_by", Text),
            ("status", "status", Code),
            ("claimed_at", "claimed_at", Time),
            ("promised_by", "promised_by", Time),
            ("started_at", "started_at", Time),
            ("completed_at", "completed_at", Time),
            ("ended_at", "ended_at", Time),
            ("extensions", "extensions", Int),
            ("send_backs", "send_backs", Int),
            ("money_fen", "money_fen", Int),
            // Filled by `finish` from one pass over claim_items (not a subquery per row).
            ("items", "CAST(NULL AS BIGINT)", Int),
            ("minutes", "minutes", Int),
            ("people_served", "people_served", Int),
        ],
        _ => return None,
    })
}

/// The query reading a frame's columns: a scan of the table when the scope covers many
/// committees (most of the table: a scan put in id order afterwards beats walking the
/// committee index and sorting), else the usual query in id order.
fn frame_sql<'d>(
    query: &Query,
    spec: &[(&str, &str, As)],
    d: &'d dyn Dialect,
    io: &mut dyn super::cells::SqlIo,
) -> Result<Sql<'d>, StoreError> {
    let mut sql = Sql::new(d);
    let unit = match query {
        Query::Needs(f) => f.unit,
        Query::Claims(f) => f.unit,
        _ => None,
    };
    if let Some(u) = unit {
        sql.scan = scope_committees(io, u)?.len() > PER_COMMITTEE;
    }
    Ok(frame_sql_with(query, spec, sql))
}

/// The query reading a frame's columns, `sql` deciding scan and rowid range.
fn frame_sql_with<'d>(query: &Query, spec: &[(&str, &str, As)], sql: Sql<'d>) -> Sql<'d> {
    // Ids are text in SQLite and `uuid` in PostgreSQL: read every text column as text.
    let projection: Vec<String> = spec
        .iter()
        .map(|(_, e, a)| match a {
            As::Text => sql.dialect.as_text(e),
            _ => e.to_string(),
        })
        .collect();
    select_in(query, &Page::ALL, sql, Some(&projection.join(", ")))
}

/// Columns read from one query (all of a frame, or one part of a table read in parallel),
/// with the ids' uuid values ([`uuid_keys`]) and, for scans, those values sorted along with
/// each row's index in this part.
struct Part {
    cols: Vec<Column>,
    keys: Option<Vec<u128>>,
    sorted: Option<Run>,
}

/// Streams the rows of `q` into one column per entry of `spec` (with room reserved for
/// `rows` rows), then computes the part's keys and, for a scan, their order.
fn read_part(
    q: &Sql<'_>,
    spec: &[(&str, &str, As)],
    io: &mut dyn super::cells::SqlIo,
    rows: usize,
) -> Result<Part, StoreError> {
    enum Acc {
        Text(RawTexts),
        Code(RawTexts),
        Int(Vec<Option<i64>>),
        Time(Vec<Option<DateTime<Utc>>>),
    }
    // Room for ids (36 bytes) and codes: untouched capacity costs address space, not memory.
    let mut accs: Vec<Acc> = spec
        .iter()
        .map(|(_, _, a)| match a {
            As::Text => Acc::Text(RawTexts::with_capacity(rows, rows * 36)),
            As::Code => Acc::Code(RawTexts::with_capacity(rows, rows * 8)),
            As::Int => Acc::Int(Vec::with_capacity(rows)),
            As::Time => Acc::Time(Vec::with_capacity(rows)),
        })
        .collect();
    io.for_each(q, &mut |row| {
        for (i, c) in accs.iter_mut().enumerate() {
            match c {
                Acc::Text(v) | Acc::Code(v) => row.push_text(i, v)?,
                Acc::Int(v) => v.push(row.int(i)?),
                Acc::Time(v) => v.push(row.time(i)?),
            }
        }
        Ok(())
    })?;
    let cols = accs
        .into_iter()
        .map(|a| {
            Ok(match a {
                Acc::Text(v) => Column::Text(v.finish()?),
                Acc::Code(v) => Column::Code(v.finish()?),
                Acc::Int(v) => Column::Int(v),
                Acc::Time(v) => Column::Time(v),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Part::new(cols, q.scan))
}

impl Part {
    /// A part of `cols`, sorting its keys when the rows came from a scan (`scan`).
    fn new(cols: Vec<Column>, scan: bool) -> Part {
        // Ids are uuids: their 128-bit values order the rows (much cheaper than comparing
        // text) and key the claims' item counts.
        let keys = match cols.first() {
            Some(Column::Text(ids)) => uuid_keys(ids),
            _ => None,
        };
        let sorted = match (&keys, scan) {
            (Some(keys), true) if !keys.windows(2).all(|w| w[0] <= w[1]) => {
                let mut pairs: Vec<(u128, usize)> = keys.iter().copied().zip(0..).collect();
                pairs.sort_unstable();
                Some(pairs)
            }
            _ => None,
        };
        Part { cols, keys, sorted }
    }
}

/// Item counts summed by claim (keyed by the claim id's uuid value): one pass over
/// claim_items in table order (a GROUP BY would walk the primary key index and look up every
/// row).
fn item_sums(
    d: &dyn Dialect,
    io: &mut dyn super::cells::SqlIo,
) -> Result<HashMap<u128, i64, BuildUuidHasher>, StoreError> {
    let mut sums: HashMap<u128, i64, BuildUuidHasher> = HashMap::default();
    let mut s = Sql::new(d);
    s.text = "SELECT claim, CAST(count AS BIGINT) FROM claim_items".into();
    io.for_each(&s, &mut |row| {
        if let (Some(c), Some(n)) = (row.id(0)?, row.int(1)?) {
            *sums.entry(c.as_u128()).or_default() += n;
        }
        Ok(())
    })?;
    Ok(sums)
}

/// Joins the parts (in rowid order), puts the rows in id order when they were read by a scan
/// (merging the parts' sorted keys), and fills the claims' items column.
fn finish(
    query: &Query,
    spec: &[(&str, &str, As)],
    parts: Vec<Part>,
    sums: Option<HashMap<u128, i64, BuildUuidHasher>>,
) -> Result<Vec<(String, Column)>, StoreError> {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return Err(StoreError::Backend("a frame read in no parts".into()));
    };
    let (mut cols, mut keys) = (first.cols, first.keys);
    // Where each part starts in the joined columns, with its sorted keys when it was not in
    // order; runs in id order are built from these only when the rows need reordering.
    let mut unordered = first.sorted.is_some();
    let mut runs: Vec<(usize, Option<Run>)> = vec![(0, first.sorted)];
    for part in parts {
        let start = cols.first().map_or(0, Column::len);
        unordered |= part.sorted.is_some();
        if let (Some(k), Some(pk)) = (&keys, &part.keys) {
            unordered |= matches!((k.last(), pk.first()), (Some(a), Some(b)) if a > b);
        }
        runs.push((start, part.sorted));
        keys = match (keys, part.keys) {
            (Some(mut a), Some(b)) => {
                a.extend(b);
                Some(a)
            }
            _ => None,
        };
        for (c, r) in cols.iter_mut().zip(part.cols) {
            match (c, r) {
                (Column::Text(a), Column::Text(b)) | (Column::Code(a), Column::Code(b)) => {
                    a.append(&b)
                }
                (Column::Int(a), Column::Int(mut b)) => a.append(&mut b),
                (Column::Time(a), Column::Time(mut b)) => a.append(&mut b),
                _ => return Err(StoreError::Backend("frame parts differ in shape".into())),
            }
        }
    }
    if unordered {
        match &mut keys {
            Some(keys) => {
                // Each part's rows in id order, as indexes into the joined columns.
                let ends: Vec<usize> = runs
                    .iter()
                    .skip(1)
                    .map(|(start, _)| *start)
                    .chain([keys.len()])
                    .collect();
                let runs = runs
                    .into_iter()
                    .zip(ends)
                    .map(|((start, sorted), end)| match sorted {
                        Some(pairs) => pairs.into_iter().map(|(k, i)| (k, start + i)).collect(),
                        None => keys[start..end].iter().copied().zip(start..).collect(),
                    })
                    .collect();
                let merged = merge_runs(runs);
                *keys = merged.iter().map(|&(k, _)| k).collect();
                let order: Vec<usize> = merged.into_iter().map(|(_, i)| i).collect();
                reorder(&mut cols, &order);
            }
            None => in_text_order(&mut cols),
        }
    } else if keys.is_none() {
        // Ids that are not all uuids (never in this store's tables): order by their text.
        in_text_order(&mut cols);
    }
    if let (Query::Claims(_), Some(sums)) = (query, sums) {
        // Items given: the sum of a claim's item counts, for claims with a fulfilment.
        let at = |name: &str| spec.iter().position(|(n, _, _)| *n == name);
        if let (Some(m), Some(it), Some(keys)) = (at("money_fen"), at("items"), &keys) {
            if let Column::Int(money) = &cols[m] {
                let items = keys
                    .iter()
                    .zip(money)
                    .map(|(k, money)| money.map(|_| sums.get(k).copied().unwrap_or(0)))
                    .collect();
                cols[it] = Column::Int(items);
            }
        }
    }
    Ok(spec
        .iter()
        .map(|(name, _, _)| name.to_string())
        .zip(cols)
        .collect())
}

/// Rows in id order: (uuid value, row index).
type Run = Vec<(u128, usize)>;

/// Merges runs sorted by key into one sorted list.
fn merge_runs(mut runs: Vec<Run>) -> Run {
    while runs.len() > 1 {
        let b = runs.pop().unwrap_or_default();
        let a = runs.pop().unwrap_or_default();
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if a[i] <= b[j] {
                out.push(a[i]);
                i += 1;
            } else {
                out.push(b[j]);
                j += 1;
            }
        }
        out.extend_from_slice(&a[i..]);
        out.extend_from_slice(&b[j..]);
        runs.push(out);
    }
    runs.pop().unwrap_or_default()
}

/// The columns of a needs or claims frame (`None` for other queries: the Hub builds those
/// from records). One SQL query, rows streamed into column vectors.
pub(crate) fn columns(
    query: &Query,
    d: &dyn Dialect,
    io: &mut dyn super::cells::SqlIo,
) -> Result<Option<Vec<(String, Column)>>, StoreError> {
    let Some(spec) = frame_spec(query) else {
        return Ok(None);
    };
    let q = frame_sql(query, spec, d, io)?;
    Ok(Some(read_whole(query, spec, &q, io)?))
}

/// The frame `q` reads, read by one connection.
fn read_whole(
    query: &Query,
    spec: &[(&str, &str, As)],
    q: &Sql<'_>,
    io: &mut dyn super::cells::SqlIo,
) -> Result<Vec<(String, Column)>, StoreError> {
    let part = read_part(q, spec, io, 0)?;
    let sums = match query {
        Query::Claims(_) => Some(item_sums(q.dialect, io)?),
        _ => None,
    };
    finish(query, spec, vec![part], sums)
}

/// [`columns`] read by two connections at once — `io` on this thread and `helper` on
/// another — for scans of a table with rowids (SQLite): each reads half the rowid range, the
/// helper then the claims' items. Both connections must see the same committed state (the
/// caller pins them to one snapshot); other queries are read by `io` alone.
pub(crate) fn columns_split<'h>(
    query: &Query,
    d: &dyn Dialect,
    io: &mut dyn super::cells::SqlIo,
    helper: &mut (dyn super::cells::SqlIo + Send + 'h),
) -> Result<Option<Vec<(String, Column)>>, StoreError> {
    let Some(spec) = frame_spec(query) else {
        return Ok(None);
    };
    let q = frame_sql(query, spec, d, io)?;
    let mut range = (None, None);
    if q.scan {
        let mut bounds = Sql::new(d);
        bounds.text = format!(
            "SELECT min(rowid), max(rowid) FROM {}",
            table(query.kind()).name
        );
        if let Some(r) = io.rows(&bounds)?.first() {
            range = (r.int(0)?, r.int(1)?);
        }
    }
    let (Some(lo), Some(hi)) = range else {
        // Not a scan, or an empty table: one connection.
        return Ok(Some(read_whole(query, spec, &q, io)?));
    };
    // The helper also sums the claims' items (about a third of its part's time): it reads
    // the smaller part of the table.
    let share = if matches!(query, Query::Claims(_)) {
        0.6
    } else {
        0.5
    };
    let mid = lo + ((hi - lo) as f64 * share) as i64;
    let half = |from: i64, to: i64| {
        let mut sql = Sql::new(d);
        sql.scan = true;
        sql.rowids = Some((from, to));
        frame_sql_with(query, spec, sql)
    };
    let (first, second) = (half(lo, mid), half(mid + 1, hi));
    // Rowids are dense in tables that are only inserted into and updated: the ranges' sizes
    // are good guesses of the parts' rows (the first part has room for the second's too),
    // capped so that a sparse range cannot reserve much more than it fills (beyond the cap,
    // columns grow as they fill).
    let rows = |n: i64| usize::try_from(n.clamp(0, 4_000_000)).unwrap_or(0);
    let claims = matches!(query, Query::Claims(_));
    let (mine, theirs) = std::thread::scope(|s| {
        let theirs = s.spawn(move || -> Result<_, StoreError> {
            let part = read_part(&second, spec, helper, rows(hi - mid))?;
            let sums = match claims {
                true => Some(item_sums(second.dialect, helper)?),
                false => None,
            };
            Ok((part, sums))
        });
        let mine = read_part(&first, spec, io, rows(hi - lo + 1));
        let theirs = theirs
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (mine, theirs)
    });
    let (second, sums) = theirs?;
    Ok(Some(finish(query, spec, vec![mine?, second], sums)?))
}

/// The 128-bit values of a column of uuids in their canonical text form (`None` when a value
/// is missing or not a uuid): their order is the text's order.
fn uuid_keys(ids: &Texts) -> Option<Vec<u128>> {
    ids.iter()
        .map(|id| Some(Uuid::try_parse(id?).ok()?.as_u128()))
        .collect()
}

/// Hashes uuid values (as `u128`) by their last 64 bits — random in every uuid version the
/// library makes — instead of running SipHash over all 16 bytes.
#[derive(Default, Clone, Copy)]
struct BuildUuidHasher;

/// See [`BuildUuidHasher`].
#[derive(Default)]
struct UuidHasher(u64);

impl std::hash::BuildHasher for BuildUuidHasher {
    type Hasher = UuidHasher;
    fn build_hasher(&self) -> UuidHasher {
        UuidHasher(0)
    }
}

impl std::hash::Hasher for UuidHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Not reached for u128 keys; any other input still hashes (FNV-1a).
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u128(&mut self, v: u128) {
        // Mixed once so that the bits hashbrown takes from the top are random too.
        self.0 = (v as u64 ^ (v >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Puts frame columns in order of the first column, the id, compared as text (for ids that
/// are not all uuids; uuids are ordered by their values in [`finish`]).
fn in_text_order(cols: &mut [Column]) {
    let Some(Column::Text(ids)) = cols.first() else {
        return;
    };
    if (1..ids.len()).all(|i| ids.get(i - 1) <= ids.get(i)) {
        return;
    }
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_unstable_by(|&a, &b| ids.get(a).cmp(&ids.get(b)));
    reorder(cols, &order);
}

/// Rearranges every column so that row `j` is the old row `order[j]`.
fn reorder(cols: &mut [Column], order: &[usize]) {
    fn permute<T>(v: &mut Vec<Option<T>>, order: &[usize]) {
        let mut old = std::mem::take(v);
        *v = order.iter().map(|&i| old[i].take()).collect();
    }
    let one = |c: &mut Column| match c {
        Column::Text(v) | Column::Code(v) => *v = v.gather(order),
        Column::Int(v) => permute(v, order),
        Column::Time(v) => permute(v, order),
    };
    // Reordering is random access into columns larger than the CPU caches: the columns are
    // shared among the machine's cores (each column by one thread), when there are enough
    // rows to pay for the threads.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(cols.len());
    if threads < 2 || order.len() < 100_000 {
        cols.iter_mut().for_each(one);
        return;
    }
    let work = std::sync::Mutex::new(cols.iter_mut());
    let next = || work.lock().unwrap_or_else(|p| p.into_inner()).next();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while let Some(c) = next() {
                    one(c);
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn scanned_columns_are_put_in_id_order() {
        let t = |s: i64| Utc.timestamp_opt(s, 0).single();
        let mut cols = vec![
            Column::Text(vec![Some("b".into()), Some("a".into()), Some("c".into())].into()),
            Column::Code(vec![Some("x".into()), None, Some("z".into())].into()),
            Column::Int(vec![Some(2), Some(1), None]),
            Column::Time(vec![t(2), t(1), None]),
        ];
        in_text_order(&mut cols);
        assert_eq!(
            cols,
            vec![
                Column::Text(vec![Some("a".into()), Some("b".into()), Some("c".into())].into()),
                Column::Code(vec![None, Some("x".into()), Some("z".into())].into()),
                Column::Int(vec![Some(1), Some(2), None]),
                Column::Time(vec![t(1), t(2), None]),
            ]
        );
    }

    #[test]
    fn scanned_uuid_parts_are_joined_in_id_order() {
        let ids: Vec<Uuid> = (0..50).map(|_| Uuid::now_v7()).collect();
        let cols = |ids: &[Uuid]| {
            vec![
                Column::Text(ids.iter().map(|u| Some(u.to_string())).collect()),
                Column::Int(ids.iter().map(|u| Some(u.as_u128() as i64)).collect()),
            ]
        };
        let spec: &[(&str, &str, As)] = &[("id", "id", As::Text), ("n", "n", As::Int)];
        let query = Query::Needs(Default::default());
        let want: Vec<(String, Column)> = ["id", "n"]
            .map(String::from)
            .into_iter()
            .zip(cols(&ids))
            .collect();
        // Shuffled within parts and across them; in order within each, but not across; in
        // order throughout (joined without sorting); one part.
        let mut shuffled = ids.clone();
        shuffled.reverse();
        shuffled.swap(3, 17);
        let (a, b) = shuffled.split_at(20);
        let cases: Vec<Vec<&[Uuid]>> = vec![
            vec![a, b],
            vec![&ids[30..], &ids[..30]],
            vec![&ids[..10], &ids[10..]],
            vec![&shuffled],
            vec![&ids[..0], &shuffled],
        ];
        for (n, case) in cases.into_iter().enumerate() {
            let parts = case.iter().map(|p| Part::new(cols(p), true)).collect();
            let got = finish(&query, spec, parts, None).unwrap();
            assert_eq!(got, want, "case {n}");
        }
        // Not a scan: the rows keep the order they were read in.
        let parts = vec![Part::new(cols(&shuffled), false)];
        let got = finish(&query, spec, parts, None).unwrap();
        assert_eq!(got[0].1, cols(&shuffled)[0]);
    }

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

//! Benchmark of the district report on a plausible district at 100k and 1M needs (with about
//! as many claims), on SQLite and PostgreSQL. Not a test: a plain program that prints a table
//! and writes `target/bench-report.json`.
//!
//! ```sh
//! cargo bench -p needbridge --features postgres --bench report -- [--quick] [--size N]...
//! bash scripts/with-postgres.sh cargo bench -p needbridge --features postgres --bench report -- --size 100000
//! ```
//!
//! - `--size N` (repeatable): the number of needs; default 100000 and 1000000.
//! - `--quick`: size 10000 unless `--size` is given, 3 warm runs instead of 5, and a cross-check
//!   of the SQLite report against the in-memory reference computation.
//! - `--check`: the cross-check at any size (slow at 1M: it loads everything into memory).
//! - `--no-pg` / `--no-sqlite`: skip a backend. `--pg-budget SECS` (default 600): a PostgreSQL
//!   load that takes longer is abandoned and reported as such.
//! - `--regen`: regenerate the cached SQLite file. `--load-only`: load, do not measure.
//! - `--profile N [all] [--profile-db PATH] [SQL…]`: time every SQL query of the report on
//!   the cached SQLite file of size N, with its EXPLAIN QUERY PLAN (SQL given is run first).
//! - `--sql DB FILE`: run the statements of FILE on DB with the bundled SQLite, timed, with
//!   plans (for experiments on a copy of a cached file).
//!
//! Data is written straight through the store (`Store::begin_write`, `Tx::put`, batches of
//! ~20k records per transaction, report-cell upkeep off, the cells rebuilt once at the end),
//! not through the Hub, from a fixed-seed xorshift generator:
//! 1 district, 5 communities, 59 committees, 4,000 accepted members, 120 work units, 300
//! teams, 70 organisations, 200,000 residents with groups (two per need below 100k needs), N needs over 24 months
//! (2024-01 … 2025-12) and about N claims (~60 % verified with fulfilments, the rest released,
//! lapsed, or live at the end), a few thousand activities, hours, roles and pairings.
//!
//! The SQLite file is cached as `target/bench-data/report-{N}.db` and reused when present.
//! PostgreSQL (only when `NEEDBRIDGE_PG_URL` is set) is loaded into a fresh schema, analysed,
//! measured and dropped.
//!
//! Measured: **cold** — a fresh OS process (this binary re-executed with a hidden `--cold`
//! argument) that opens the store and computes one district report for 2025 (median of 3
//! processes, or a single one when a report takes over 10 s; for SQLite also once after
//! evicting the file from the OS page cache);
//! **warm** — the median of 5 reports in one process after a first one; the same for
//! `Period::ALL`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use needbridge::model::*;
use needbridge::report::{Period, ReportScope};
use needbridge::store::memory::MemoryStore;
#[cfg(feature = "postgres")]
use needbridge::store::postgres::PostgresStore;
use needbridge::store::sqlite::{SqliteOptions, SqliteStore, Synchronous};
use needbridge::store::{Page, Query, Record, Store, TxExt};
use needbridge::taxonomy::DEFAULT_CATEGORIES;
use needbridge::{Actor, Hub};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

const SEED: u64 = 0x9E37_79B9_7F4A_7C15;
const BATCH: usize = 20_000;
const COMMUNITIES: usize = 5;
const COMMITTEES: usize = 59;
const MEMBERS: usize = 4_000;
const WORK_UNITS: usize = 120;
const TEAMS: usize = 300;
const ORGANISATIONS: usize = 70;
const RESIDENTS: usize = 200_000;
const ACTIVITIES: usize = 5_000;
const HOURS: usize = 8_000;
const ROLES: usize = 900;
const PAIRINGS: usize = 2_500;
const MAX_LIVE_PER_MEMBER: u32 = 3;

/// Targets for SQLite at 1M needs.
const TARGET_COLD_MS: f64 = 1000.0;
const TARGET_WARM_MS: f64 = 100.0;

/// The data covers [START, END): 24 months.
fn end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
}
/// The reported year: 2025.
fn year() -> Period {
    Period {
        from: Some(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()),
        to: Some(end()),
    }
}

/// Nearly the same year, but not whole months: the report aggregates rows.
fn ragged_year() -> Period {
    Period {
        from: Some(Utc.with_ymd_and_hms(2025, 1, 15, 0, 0, 0).unwrap()),
        to: Some(Utc.with_ymd_and_hms(2025, 12, 15, 0, 0, 0).unwrap()),
    }
}

// ------------------------------------------------------------------------------------------
// Deterministic randomness.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    fn idx(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }
    fn f(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo).max(1) as u64) as i64
    }
    fn pick<'a, T>(&mut self, s: &'a [T]) -> &'a T {
        &s[self.idx(s.len())]
    }
    fn secs(&mut self, lo: i64, hi: i64) -> Duration {
        Duration::seconds(self.range(lo, hi))
    }
    /// A uuid v7 carrying the time `t`, random bits from this generator.
    fn uuid_at(&mut self, t: DateTime<Utc>) -> Uuid {
        let mut b = [0u8; 10];
        let (x, y) = (self.next().to_le_bytes(), self.next().to_le_bytes());
        b[..8].copy_from_slice(&x);
        b[8..].copy_from_slice(&y[..2]);
        uuid::Builder::from_unix_timestamp_millis(t.timestamp_millis().max(0) as u64, &b)
            .into_uuid()
    }
}

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

fn phone(rng: &mut Rng) -> String {
    format!("13{:09}", rng.below(1_000_000_000))
}

const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"];
const GIVEN: &[&str] = &[
    "明", "华", "芳", "伟", "丽", "强", "敏", "静", "磊", "洋", "艳",
];

fn person(rng: &mut Rng) -> String {
    format!(
        "{}{}{}",
        rng.pick(SURNAMES),
        rng.pick(GIVEN),
        rng.pick(GIVEN)
    )
}

// ------------------------------------------------------------------------------------------
// Loading.

#[derive(Debug)]
pub(crate) struct Abort(pub(crate) String);

impl From<needbridge::error::StoreError> for Abort {
    fn from(e: needbridge::error::StoreError) -> Self {
        Abort(format!("store: {e}"))
    }
}

/// Buffers records and writes them in transactions of ~BATCH records.
struct Loader<'a> {
    store: &'a dyn Store,
    buf: Vec<Record>,
    written: u64,
    started: Instant,
    budget: Option<std::time::Duration>,
    last_note: Instant,
    label: String,
}

impl<'a> Loader<'a> {
    fn new(store: &'a dyn Store, label: String, budget: Option<std::time::Duration>) -> Self {
        Self {
            store,
            buf: Vec::with_capacity(BATCH + 64),
            written: 0,
            started: Instant::now(),
            budget,
            last_note: Instant::now(),
            label,
        }
    }
    fn push(&mut self, r: Record) {
        self.buf.push(r);
    }
    /// Writes the buffer if it is full: call only at a consistent boundary.
    fn boundary(&mut self) -> Result<(), Abort> {
        if self.buf.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }
    fn flush(&mut self) -> Result<(), Abort> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let mut tx = self.store.begin_write()?;
        // Bulk load: `put` never touches the report cells; they are rebuilt once at the end
        // (`load`).
        for r in &self.buf {
            tx.put(r)?;
        }
        tx.commit()?;
        self.written += self.buf.len() as u64;
        self.buf.clear();
        let el = self.started.elapsed();
        if self.last_note.elapsed().as_secs() >= 15 {
            self.last_note = Instant::now();
            eprintln!(
                "  [{}] {} records written in {:.0} s ({:.0}/s)",
                self.label,
                self.written,
                el.as_secs_f64(),
                self.written as f64 / el.as_secs_f64()
            );
        }
        if let Some(b) = self.budget {
            if el > b {
                return Err(Abort(format!(
                    "load budget of {} s exceeded after {} records ({:.0}/s)",
                    b.as_secs(),
                    self.written,
                    self.written as f64 / el.as_secs_f64()
                )));
            }
        }
        Ok(())
    }
}

/// What the generator made, for the summary and the report's scope.
#[derive(Debug, Default, Clone)]
pub(crate) struct Loaded {
    pub(crate) district: Option<UnitId>,
    pub(crate) records: u64,
    pub(crate) needs: u64,
    pub(crate) claims: u64,
    pub(crate) verified: u64,
    pub(crate) live: u64,
    pub(crate) items: u64,
    pub(crate) residents: u64,
    pub(crate) load_ms: f64,
    /// Of the load: rebuilding the report cells once at the end.
    pub(crate) cells_ms: f64,
}

struct Gen {
    rng: Rng,
    district: UnitId,
    committees: Vec<Unit>,
    weight_cum: Vec<u64>,
    members: Vec<Member>,
    by_committee: Vec<Vec<usize>>,
    teams: Vec<Team>,
    /// Per committee: indexes of teams with a captain.
    captained: Vec<Vec<usize>>,
    orgs: Vec<Organisation>,
    residents: Vec<Vec<ResidentId>>,
    member_live: Vec<u32>,
}

impl Gen {
    fn committee_idx(&self, id: UnitId) -> usize {
        self.committees.iter().position(|c| c.id == id).unwrap_or(0)
    }
    fn weighted_committee(&mut self) -> usize {
        let total = *self.weight_cum.last().unwrap();
        let x = self.rng.below(total);
        self.weight_cum.partition_point(|&c| c <= x)
    }
}

fn structure(rng: &mut Rng, l: &mut Loader<'_>) -> Gen {
    let base = start() - Duration::days(730);
    let unit =
        |rng: &mut Rng, kind: UnitKind, name: String, parent: Option<&Unit>, at: DateTime<Utc>| {
            let id = UnitId(rng.uuid_at(at));
            let mut path = parent.map(|p| p.path.clone()).unwrap_or_default();
            path.push(id);
            Unit {
                id,
                kind,
                name,
                parent: parent.map(|p| p.id),
                path,
                created_at: at,
            }
        };
    let district = unit(rng, UnitKind::District, "钟山区".into(), None, base);
    l.push(Record::Unit(district.clone()));
    let communities: Vec<Unit> = (0..COMMUNITIES)
        .map(|i| {
            unit(
                rng,
                UnitKind::Community,
                format!("第{}街道", i + 1),
                Some(&district),
                base + Duration::hours(1 + i as i64),
            )
        })
        .collect();
    for c in &communities {
        l.push(Record::Unit(c.clone()));
    }
    let committees: Vec<Unit> = (0..COMMITTEES)
        .map(|i| {
            // A few committees are founded during the period.
            let at = if i % 20 == 19 {
                start() + Duration::days(200 + i as i64 * 3)
            } else {
                base + Duration::days(1 + i as i64)
            };
            unit(
                rng,
                UnitKind::Committee,
                format!("{}社区居委会", i + 1),
                Some(&communities[i % COMMUNITIES]),
                at,
            )
        })
        .collect();
    for c in &committees {
        l.push(Record::Unit(c.clone()));
    }
    let weight_cum: Vec<u64> = (0..COMMITTEES)
        .scan(0u64, |acc, i| {
            *acc += 1 + (i as u64 * 7) % 9;
            Some(*acc)
        })
        .collect();

    let work_units: Vec<WorkUnit> = (0..WORK_UNITS)
        .map(|i| {
            let at = base + Duration::days(i as i64);
            WorkUnit {
                id: WorkUnitId(rng.uuid_at(at)),
                name: format!("区直机关第{}单位", i + 1),
                party_organisation: format!("区直机关第{}单位党支部", i + 1),
                created_at: at,
            }
        })
        .collect();
    for w in &work_units {
        l.push(Record::WorkUnit(w.clone()));
    }

    let orgs: Vec<Organisation> = (0..ORGANISATIONS)
        .map(|i| {
            let at = start() - Duration::days(300) + Duration::days(i as i64);
            Organisation {
                id: OrganisationId(rng.uuid_at(at)),
                name: format!("爱心企业{}", i + 1),
                kind: if i % 3 == 0 {
                    OrganisationKind::SocialOrganisation
                } else {
                    OrganisationKind::Enterprise
                },
                contact_name: person(rng),
                contact_phone: phone(rng),
                district: district.id,
                tally: Tally::default(),
                created_at: at,
            }
        })
        .collect();
    for o in &orgs {
        l.push(Record::Organisation(o.clone()));
    }

    let skills = [
        "医生",
        "律师",
        "教师",
        "会计",
        "电工",
        "厨师",
        "司机",
        "心理咨询师",
    ];
    let mut members = Vec::with_capacity(MEMBERS);
    let mut by_committee = vec![Vec::new(); COMMITTEES];
    for i in 0..MEMBERS {
        let c = i % COMMITTEES;
        // Reports from a year before the data up to a month before its end.
        let span = (end() - start()).num_seconds() + 365 * DAY - 30 * DAY;
        let reported = (start() - Duration::days(365) + rng.secs(0, span))
            .max(committees[c].created_at + Duration::days(1));
        let issued = reported - rng.secs(DAY, 25 * DAY);
        let decided = reported + rng.secs(HOUR, 5 * DAY);
        let m = Member {
            id: MemberId(rng.uuid_at(issued)),
            work_unit: work_units[rng.idx(WORK_UNITS)].id,
            name: person(rng),
            phone: Some(phone(rng)),
            id_number: None,
            skills: if rng.chance(0.4) {
                vec![(*rng.pick(&skills)).to_string()]
            } else {
                Vec::new()
            },
            certificate: needbridge::model::Certificate {
                number: format!("BD{:06}", i + 1),
                issued_at: issued,
                deadline: issued + Duration::days(30),
            },
            status: MemberStatus::Accepted,
            committee: Some(committees[c].id),
            reported_at: Some(reported),
            commitment: Some(Commitment {
                text: "立足岗位作表率，服务社区当先锋".into(),
                signed_at: reported,
            }),
            decided_at: Some(decided),
            return_reason: None,
            tally: Tally::default(),
            approved_minutes: 0,
        };
        by_committee[c].push(i);
        members.push(m);
    }
    for m in &members {
        l.push(Record::Member(m.clone()));
        let at = m.decided_at.unwrap();
        l.push(Record::LedgerEntry(LedgerEntry {
            id: LedgerEntryId(rng.uuid_at(at)),
            work_unit: m.work_unit,
            member: m.id,
            committee: m.committee.unwrap(),
            kind: LedgerKind::Accepted,
            note: None,
            at,
        }));
    }

    let mut teams = Vec::with_capacity(TEAMS);
    let mut captained = vec![Vec::new(); COMMITTEES];
    for i in 0..TEAMS {
        let c = i % COMMITTEES;
        let at = (start() - Duration::days(180) + rng.secs(0, 500 * DAY))
            .max(committees[c].created_at + Duration::days(2));
        let pool = &by_committee[c];
        let size = 4 + rng.idx(10);
        let mut ms: Vec<MemberId> = Vec::new();
        while ms.len() < size.min(pool.len()) {
            let m = members[pool[rng.idx(pool.len())]].id;
            if !ms.contains(&m) {
                ms.push(m);
            }
        }
        let captain = if i % 15 == 14 {
            None
        } else {
            ms.first().copied()
        };
        if captain.is_some() {
            captained[c].push(i);
        }
        teams.push(Team {
            id: TeamId(rng.uuid_at(at)),
            committee: committees[c].id,
            kind: *rng.pick(TeamKind::ALL),
            name: format!("{}志愿服务队{}", committees[c].name, i / COMMITTEES + 1),
            channel: *rng.pick(Channel::ALL),
            captain,
            members: ms,
            tally: Tally::default(),
            created_at: at,
            grid: None,
        });
    }
    for t in &teams {
        l.push(Record::Team(t.clone()));
    }
    Gen {
        rng: Rng(rng.next() | 1),
        district: district.id,
        committees,
        weight_cum,
        member_live: vec![0; members.len()],
        members,
        by_committee,
        teams,
        captained,
        orgs,
        residents: vec![Vec::new(); COMMITTEES],
    }
}

fn residents(g: &mut Gen, l: &mut Loader<'_>, out: &mut Loaded, n: u64) -> Result<(), Abort> {
    let streets = ["钟山大道", "荷城路", "凤凰路", "人民路", "水西路"];
    // 200,000 from 100k needs up; fewer (two per need) for small districts.
    let count = RESIDENTS.min(n as usize * 2);
    for i in 0..count {
        let c = g.weighted_committee();
        let at = (start() - g.rng.secs(0, 3 * 365 * DAY))
            .max(g.committees[c].created_at + Duration::days(1));
        let rng = &mut g.rng;
        let mut groups = Vec::new();
        let x = rng.f();
        if x < 0.12 {
            groups.push(ResidentGroup::LeftBehindChild);
        } else if x < 0.30 {
            groups.push(ResidentGroup::EmptyNestElderly);
            groups.push(ResidentGroup::Elderly);
        } else if x < 0.50 {
            groups.push(ResidentGroup::Elderly);
        } else if x < 0.58 {
            groups.push(ResidentGroup::Disabled);
        } else if x < 0.75 {
            groups.push(ResidentGroup::HouseholdInDifficulty);
        } else {
            groups.push(ResidentGroup::Other);
        }
        if rng.chance(0.15) && !groups.contains(&ResidentGroup::HouseholdInDifficulty) {
            groups.push(ResidentGroup::HouseholdInDifficulty);
        }
        let r = Resident {
            id: ResidentId(rng.uuid_at(at)),
            committee: g.committees[c].id,
            grid: None,
            name: person(rng),
            phone: rng.chance(0.6).then(|| phone(rng)),
            id_number: None,
            address: Some(format!(
                "{}{}号{}栋{}室",
                rng.pick(&streets),
                rng.range(1, 300),
                rng.range(1, 30),
                rng.range(101, 2800)
            )),
            groups,
            created_at: at,
            masked: false,
            erased_at: None,
            household: None,
        };
        g.residents[c].push(r.id);
        l.push(Record::Resident(r));
        out.residents += 1;
        if i % 1000 == 999 {
            l.boundary()?;
        }
    }
    l.flush()
}

const TITLES: &[&str] = &[
    "一个新书包",
    "过冬的棉被",
    "一台轮椅",
    "陪老人聊天",
    "调解邻里纠纷",
    "修缮楼道照明",
    "年货一份",
    "课外读物一套",
    "法律咨询",
    "上门体检",
];

#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Verified,
    Released,
    Lapsed,
}

/// One need and its claims; returns what it pushed.
fn need(g: &mut Gen, i: u64, n: u64, l: &mut Loader<'_>, out: &mut Loaded) {
    let span = (end() - start()).num_seconds();
    let created = (start() + Duration::seconds((span as f64 * i as f64 / n as f64) as i64))
        + g.rng.secs(0, HOUR);
    let created = created.min(end() - Duration::seconds(1));
    let c = g.weighted_committee();
    let committee = g.committees[c].id;
    let created = created.max(g.committees[c].created_at + Duration::days(3));
    let rng = &mut g.rng;
    let pool = &g.residents[c];
    let resident = pool[rng.idx(pool.len())];
    let (code, zh, _) = *rng.pick(DEFAULT_CATEGORIES);
    let channel = *rng.pick(Channel::ALL);
    let scale = if rng.chance(0.1) {
        Scale::Collective
    } else {
        Scale::Individual
    };
    let drafted_by = if rng.chance(0.15) {
        let ms = &g.by_committee[c];
        let m = &g.members[ms[rng.idx(ms.len())]];
        (m.decided_at.unwrap() < created).then_some(m.id)
    } else {
        None
    };
    let wanted_by = created + rng.secs(30 * DAY, 120 * DAY);
    let mut need = Need {
        id: NeedId(rng.uuid_at(created)),
        committee,
        grid: None,
        resident: Some(resident),
        title: format!("{}：{}", zh, rng.pick(TITLES)),
        description: format!("{}，由居委会走访收集（编号{}）", zh, i + 1),
        category: code.to_string(),
        channel,
        scale,
        estimated_cost_fen: if rng.chance(0.3) {
            0
        } else {
            rng.range(1_000, 200_000)
        },
        wanted_by,
        status: NeedStatus::Draft,
        live_claim: None,
        claim_count: 0,
        reason: None,
        feedback: None,
        drafted_by,
        created_at: created,
        published_at: None,
        updated_at: created,
        beneficiaries: Vec::new(),
        recurrence: None,
        series: None,
        occurrence: 0,
        next_due: None,
        place: None,
        location: None,
        institution: None,
    };
    let x = rng.f();
    let submitted = created + rng.secs(HOUR, 2 * DAY);
    let published = submitted + rng.secs(HOUR, 3 * DAY);
    let lib = |need: &mut Need| {
        need.status = if need.wanted_by < end() {
            NeedStatus::Expired
        } else if need.status == NeedStatus::Verified {
            NeedStatus::Reopened
        } else {
            NeedStatus::Published
        };
        if need.status == NeedStatus::Expired {
            need.updated_at = need.wanted_by.max(need.updated_at);
        }
    };
    let mut claims: Vec<Claim> = Vec::new();
    if x < 0.01 || submitted >= end() {
        // Still a draft.
    } else if x < 0.02 || published >= end() {
        need.status = NeedStatus::Submitted;
        need.updated_at = submitted;
    } else if x < 0.04 {
        need.status = NeedStatus::Rejected;
        need.reason = Some("不属于服务范围".into());
        need.updated_at = published;
    } else {
        need.status = NeedStatus::Published;
        need.published_at = Some(published);
        need.updated_at = published;
        if x < 0.06 {
            let at = published + rng.secs(DAY, 20 * DAY);
            if at < end() {
                need.status = NeedStatus::Withdrawn;
                need.reason = Some("居民需求已由家属解决".into());
                need.updated_at = at;
            }
        } else if x < 0.23 {
            lib(&mut need);
        } else {
            let k = match rng.f() {
                y if y < 0.75 => 1,
                y if y < 0.95 => 2,
                _ => 3,
            };
            let mut t = published;
            for j in 0..k {
                let claimed = t + rng.secs(HOUR, 10 * DAY);
                if claimed >= end() || claimed + Duration::days(2) >= need.wanted_by {
                    break;
                }
                let last = j + 1 == k;
                let outcome = if last && rng.chance(0.78) {
                    Outcome::Verified
                } else if rng.chance(0.7) {
                    Outcome::Released
                } else {
                    Outcome::Lapsed
                };
                let promised = (claimed + rng.secs(5 * DAY, 30 * DAY))
                    .min(need.wanted_by - Duration::hours(1));
                let extensions = u32::from(rng.chance(0.03));
                let d = (promised - claimed).num_seconds();
                let (mut started, mut completed) = (None, None);
                let mut ended: Option<DateTime<Utc>>;
                let mut send_backs = 0;
                let mut reason = None;
                match outcome {
                    Outcome::Verified => {
                        let comp = claimed + Duration::seconds(rng.range(d / 5, d));
                        started = Some(
                            claimed
                                + Duration::seconds(rng.range(0, (comp - claimed).num_seconds())),
                        );
                        completed = Some(comp);
                        ended = Some(comp + rng.secs(HOUR, 5 * DAY));
                        if rng.chance(0.05) {
                            send_backs = 1;
                            reason = Some("请补充现场照片".to_string());
                        }
                    }
                    Outcome::Released => {
                        let at = claimed + Duration::seconds(rng.range(HOUR, d));
                        if rng.chance(0.5) {
                            started = Some(
                                claimed
                                    + Duration::seconds(rng.range(0, (at - claimed).num_seconds())),
                            );
                        }
                        ended = Some(at);
                        reason = Some("临时出差，无法按时完成".to_string());
                    }
                    Outcome::Lapsed => {
                        if rng.chance(0.4) {
                            started = Some(claimed + Duration::seconds(rng.range(0, d)));
                        }
                        ended = Some(promised + rng.secs(60, HOUR));
                    }
                }
                // Whatever has not happened by the end of the data is still live.
                let mut status = match outcome {
                    Outcome::Verified => ClaimStatus::Verified,
                    Outcome::Released => ClaimStatus::Released,
                    Outcome::Lapsed => ClaimStatus::Lapsed,
                };
                if ended.is_some_and(|e| e >= end()) {
                    ended = None;
                    if outcome != Outcome::Verified {
                        reason = None;
                    }
                    status = ClaimStatus::Active;
                    if started.is_some_and(|s| s >= end()) {
                        started = None;
                    }
                    if completed.is_some_and(|s| s >= end()) {
                        completed = None;
                        send_backs = 0;
                        reason = None;
                    }
                    if started.is_some() {
                        status = ClaimStatus::InProgress;
                    }
                    if completed.is_some() {
                        status = ClaimStatus::Done;
                    }
                }
                let live = status.is_live();
                let fulfilment = completed.map(|_| Fulfilment {
                    money_fen: if rng.chance(0.5) {
                        0
                    } else {
                        rng.range(1_000, 300_000)
                    },
                    items: if rng.chance(0.6) {
                        (0..1 + rng.idx(3))
                            .map(|_| Item {
                                count: rng.range(1, 20) as u32,
                                description: (*rng.pick(&[
                                    "书包",
                                    "棉被",
                                    "米面油",
                                    "文具",
                                    "药品",
                                ]))
                                .to_string(),
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
                    minutes: rng.range(30, 480) as u32,
                    people_served: rng.range(1, 30) as u32,
                    evidence: vec![format!("photo-{}-{}.jpg", i + 1, j + 1)],
                    note: "已完成，居民满意".into(),
                    roster: Vec::new(),
                });
                // Who claims: members for individual needs (if one is free), else a team
                // with a captain, else an organisation.
                let mut claimant = None;
                let mut claimed_by = None;
                if scale == Scale::Individual && rng.chance(0.62) {
                    let ms = &g.by_committee[c];
                    for _ in 0..8 {
                        let mi = ms[rng.idx(ms.len())];
                        let m = &g.members[mi];
                        if m.decided_at.unwrap() < claimed
                            && (!live || g.member_live[mi] < MAX_LIVE_PER_MEMBER)
                        {
                            claimant = Some((Claimant::Member(m.id), mi));
                            break;
                        }
                    }
                }
                if claimant.is_none() && rng.chance(0.65) {
                    let ts = &g.captained[c];
                    for _ in 0..4 {
                        if ts.is_empty() {
                            break;
                        }
                        let ti = ts[rng.idx(ts.len())];
                        if g.teams[ti].created_at < claimed {
                            claimant = Some((Claimant::Team(g.teams[ti].id), ti));
                            claimed_by = g.teams[ti].captain;
                            break;
                        }
                    }
                }
                let (claimant, who) = claimant.unwrap_or_else(|| {
                    let oi = rng.idx(g.orgs.len());
                    (Claimant::Organisation(g.orgs[oi].id), oi)
                });
                if live {
                    if let Claimant::Member(_) = claimant {
                        g.member_live[who] += 1;
                    }
                }
                if status == ClaimStatus::Verified {
                    let f = fulfilment.as_ref().unwrap();
                    match claimant {
                        Claimant::Member(_) => g.members[who].tally.add(f),
                        Claimant::Team(_) => g.teams[who].tally.add(f),
                        Claimant::Organisation(_) => g.orgs[who].tally.add(f),
                    }
                    out.verified += 1;
                    out.items += f.items.len() as u64;
                }
                let claim = Claim {
                    id: ClaimId(rng.uuid_at(claimed)),
                    need: need.id,
                    committee,
                    claimant,
                    claimed_by,
                    status,
                    claimed_at: claimed,
                    promised_by: promised + Duration::days(i64::from(extensions) * 7),
                    warned_at: None,
                    extensions,
                    started_at: started,
                    completed_at: completed,
                    fulfilment,
                    send_backs,
                    reason,
                    ended_at: ended,
                };
                need.claim_count += 1;
                need.updated_at = claimed;
                need.status = match status {
                    ClaimStatus::Active => NeedStatus::Claimed,
                    ClaimStatus::InProgress => NeedStatus::InProgress,
                    ClaimStatus::Done => NeedStatus::Done,
                    _ => NeedStatus::Published,
                };
                if let Some(e) = ended {
                    need.updated_at = e;
                }
                if live {
                    need.live_claim = Some(claim.id);
                    need.updated_at = [claim.completed_at, claim.started_at, Some(claimed)]
                        .into_iter()
                        .flatten()
                        .max()
                        .unwrap();
                    out.live += 1;
                }
                if status == ClaimStatus::Verified {
                    need.status = NeedStatus::Verified;
                    if rng.chance(0.7) {
                        need.feedback = Some(Feedback::Satisfied);
                    }
                }
                claims.push(claim);
                if live || status == ClaimStatus::Verified {
                    break;
                }
                t = ended.unwrap();
            }
            if claims.is_empty() || need.status == NeedStatus::Published {
                lib(&mut need);
            }
        }
    }
    // The need first without its live claim, then the claims, then the need again: so that
    // no insert ever leaves a deferred foreign key unresolved (SQLite then scans the child
    // table of every later parent insert).
    let live = need.live_claim.take();
    l.push(Record::Need(need.clone()));
    out.needs += 1;
    out.claims += claims.len() as u64;
    for cl in claims {
        l.push(Record::Claim(cl));
    }
    if live.is_some() {
        need.live_claim = live;
        l.push(Record::Need(need));
    }
}

fn rest(g: &mut Gen, l: &mut Loader<'_>) -> Result<(), Abort> {
    let span = (end() - start()).num_seconds();
    let titles = [
        "夜间巡防",
        "邻里纠纷调解",
        "居民恳谈会",
        "心理疏导",
        "政策宣讲",
        "文艺演出",
        "文明劝导",
    ];
    for _ in 0..ACTIVITIES {
        let c = g.weighted_committee();
        let held =
            (start() + g.rng.secs(0, span)).max(g.committees[c].created_at + Duration::days(3));
        let rng = &mut g.rng;
        let k = rng.idx(ActivityKind::ALL.len());
        let team = if rng.chance(0.5) && !g.captained[c].is_empty() {
            let t = &g.teams[g.captained[c][rng.idx(g.captained[c].len())]];
            (t.created_at < held).then_some(t.id)
        } else {
            None
        };
        l.push(Record::Activity(Activity {
            id: ActivityId(rng.uuid_at(held)),
            committee: g.committees[c].id,
            kind: ActivityKind::ALL[k],
            title: titles[k].into(),
            channel: *rng.pick(Channel::ALL),
            team,
            held_at: held,
            participants: rng.range(3, 60) as u32,
            people_reached: rng.range(10, 500) as u32,
            recorded_at: (held + rng.secs(HOUR, 2 * DAY)).min(end() - Duration::seconds(1)),
            grid: None,
            place: None,
            roster: Vec::new(),
            location: None,
        }));
    }
    for _ in 0..HOURS {
        let mi = g.rng.idx(g.members.len());
        let m = &g.members[mi];
        let lo = m.decided_at.unwrap();
        let served = lo
            + g.rng
                .secs(DAY, (end() - lo).num_seconds().max(2 * DAY) - DAY);
        let served = served.min(end() - Duration::days(1));
        let rng = &mut g.rng;
        let status = match rng.f() {
            y if y < 0.8 => HoursStatus::Approved,
            y if y < 0.9 => HoursStatus::Rejected,
            _ => HoursStatus::Pending,
        };
        let minutes = rng.range(30, 300) as u32;
        if status == HoursStatus::Approved {
            g.members[mi].approved_minutes += u64::from(minutes);
        }
        let m = &g.members[mi];
        l.push(Record::Hours(Hours {
            id: HoursId(rng.uuid_at(served)),
            member: m.id,
            committee: m.committee.unwrap(),
            served_at: served,
            minutes,
            description: "社区志愿服务".into(),
            status,
            reason: (status == HoursStatus::Rejected).then(|| "时长与记录不符".to_string()),
            logged_at: served + Duration::hours(2),
            pairing: None,
        }));
    }
    for i in 0..ROLES {
        let mi = g.rng.idx(g.members.len());
        let m = &g.members[mi];
        let since = m.decided_at.unwrap() + g.rng.secs(DAY, 60 * DAY);
        let until = g.rng.chance(0.2).then(|| since + Duration::days(200));
        l.push(Record::Role(Role {
            id: RoleId(g.rng.uuid_at(since)),
            member: m.id,
            committee: m.committee.unwrap(),
            kind: RoleKind::ALL[i % 3],
            scope: format!("{}号院", i % 40 + 1),
            since,
            until: until.filter(|u| *u < end()),
            grid: None,
        }));
    }
    for _ in 0..PAIRINGS {
        let mi = g.rng.idx(g.members.len());
        let m = &g.members[mi];
        let c = g.committee_idx(m.committee.unwrap());
        let since = m.decided_at.unwrap() + g.rng.secs(DAY, 90 * DAY);
        let rs = &g.residents[c];
        let resident = rs[g.rng.idx(rs.len())];
        let until = g
            .rng
            .chance(0.3)
            .then(|| since + Duration::days(180))
            .filter(|u| *u < end());
        l.push(Record::Pairing(Pairing {
            id: PairingId(g.rng.uuid_at(since)),
            member: m.id,
            resident,
            committee: m.committee.unwrap(),
            since,
            until,
            end_reason: until.map(|_| "帮扶对象已脱困".to_string()),
        }));
    }
    l.flush()?;
    // Tallies, now that every claim is known.
    for m in &g.members {
        l.push(Record::Member(m.clone()));
    }
    for t in &g.teams {
        l.push(Record::Team(t.clone()));
    }
    for o in &g.orgs {
        l.push(Record::Organisation(o.clone()));
    }
    l.flush()
}

/// Generates and writes the whole district into `store` (which holds only the taxonomy).
pub(crate) fn load(
    store: &dyn Store,
    n: u64,
    label: &str,
    budget: Option<std::time::Duration>,
) -> Result<Loaded, Abort> {
    let t0 = Instant::now();
    let mut l = Loader::new(store, label.to_string(), budget);
    let mut out = Loaded::default();
    let mut rng = Rng(SEED);
    let mut g = structure(&mut rng, &mut l);
    out.district = Some(g.district);
    l.flush()?;
    residents(&mut g, &mut l, &mut out, n)?;
    for i in 0..n {
        need(&mut g, i, n, &mut l, &mut out);
        l.boundary()?;
    }
    l.flush()?;
    rest(&mut g, &mut l)?;
    let t = Instant::now();
    let mut tx = store.begin_write()?;
    needbridge::store::rebuild_report_cells(&mut *tx)?;
    tx.commit()?;
    out.cells_ms = t.elapsed().as_secs_f64() * 1e3;
    out.records = l.written;
    out.load_ms = t0.elapsed().as_secs_f64() * 1e3;
    Ok(out)
}

// ------------------------------------------------------------------------------------------
// Measuring.

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Row {
    pub(crate) backend: &'static str,
    pub(crate) size: u64,
    pub(crate) note: String,
    pub(crate) load_ms: Option<f64>,
    pub(crate) reused: bool,
    pub(crate) bytes: Option<u64>,
    /// Cold process, one-year report: in-process open + report, median of 3.
    pub(crate) cold_ms: f64,
    pub(crate) cold_open_ms: f64,
    pub(crate) cold_report_ms: f64,
    /// The same, wall time of the whole child process as the parent saw it.
    pub(crate) cold_wall_ms: f64,
    /// After evicting the file from the page cache (SQLite only).
    pub(crate) cold_nocache_ms: Option<f64>,
    pub(crate) cold_all_ms: f64,
    pub(crate) first_ms: f64,
    pub(crate) warm_ms: f64,
    pub(crate) warm_runs: Vec<f64>,
    pub(crate) first_all_ms: f64,
    pub(crate) warm_all_ms: f64,
    /// Warm, one-year report on one committee.
    pub(crate) warm_committee_ms: f64,
    /// One report (warm process) over 2025-01-15 .. 2025-12-15: not whole months, so
    /// aggregated from the rows.
    pub(crate) rows_path_ms: f64,
    pub(crate) needs_collected: u64,
    pub(crate) claims: u64,
}

fn period_arg(p: &str) -> Period {
    if p == "all" {
        Period::ALL
    } else {
        year()
    }
}

fn open_hub(backend: &str, target: &str) -> Hub {
    match backend {
        "sqlite" => Hub::open(target).expect("open sqlite"),
        #[cfg(feature = "postgres")]
        "postgres" => Hub::connect_postgres(target).expect("connect postgres"),
        other => panic!("unknown backend {other}"),
    }
}

/// The hidden child: `--cold <backend> <target> <district> <year|all>`.
pub(crate) fn cold_child(args: &[String]) {
    let t0 = Instant::now();
    let [backend, target, district, period] = args else {
        panic!("--cold <backend> <target> <district> <year|all>")
    };
    let district: UnitId = district.parse().expect("district id");
    let hub = open_hub(backend, target);
    let open_ms = ms(t0);
    let t1 = Instant::now();
    let r = hub
        .report(
            &Actor::System,
            ReportScope::Unit(district),
            period_arg(period),
        )
        .expect("report");
    let report_ms = ms(t1);
    println!(
        "COLD open_ms={open_ms:.3} report_ms={report_ms:.3} total_ms={:.3} needs={}",
        ms(t0),
        r.data.needs.needs_collected
    );
}

struct Cold {
    open: f64,
    report: f64,
    total: f64,
    wall: f64,
}

fn run_cold(backend: &str, target: &str, district: UnitId, period: &str) -> Cold {
    let exe = std::env::current_exe().expect("current exe");
    let t = Instant::now();
    let out = Command::new(exe)
        .args(["--cold", backend, target, &district.to_string(), period])
        .output()
        .expect("spawn cold child");
    let wall = ms(t);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cold child failed: {text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("COLD "))
        .expect("COLD line");
    let get = |k: &str| -> f64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    Cold {
        open: get("open_ms"),
        report: get("report_ms"),
        total: get("total_ms"),
        wall,
    }
}

/// Evicts a file from the OS page cache (GNU dd's nocache); false if that failed.
fn evict(path: &Path) -> bool {
    let _ = Command::new("sync").arg(path).status();
    Command::new("dd")
        .arg(format!("if={}", path.display()))
        .args(["iflag=nocache", "count=0", "status=none"])
        .status()
        .is_ok_and(|s| s.success())
}

fn measure(
    row: &mut Row,
    backend: &'static str,
    target: &str,
    district: UnitId,
    warm_runs: usize,
    sqlite_file: Option<&Path>,
) {
    // Cold: fresh processes.
    if let Some(f) = sqlite_file {
        if evict(f) {
            let c = run_cold(backend, target, district, "year");
            row.cold_nocache_ms = Some(c.total);
        }
    }
    // Three cold processes, or one when a report takes more than 10 s.
    let mut colds: Vec<Cold> = vec![run_cold(backend, target, district, "year")];
    let repeat = colds[0].total < 10_000.0;
    if repeat {
        colds.push(run_cold(backend, target, district, "year"));
        colds.push(run_cold(backend, target, district, "year"));
    }
    let mut by_total: Vec<&Cold> = colds.iter().collect();
    by_total.sort_by(|a, b| a.total.total_cmp(&b.total));
    let mid = by_total[by_total.len() / 2];
    row.cold_ms = mid.total;
    row.cold_open_ms = mid.open;
    row.cold_report_ms = mid.report;
    row.cold_wall_ms = median(colds.iter().map(|c| c.wall).collect());
    row.cold_all_ms = median(
        (0..if repeat { 3 } else { 1 })
            .map(|_| run_cold(backend, target, district, "all").total)
            .collect(),
    );
    // Warm: one process.
    let hub = open_hub(backend, target);
    let scope = ReportScope::Unit(district);
    let t = Instant::now();
    let r = hub.report(&Actor::System, scope, year()).expect("report");
    row.first_ms = ms(t);
    row.needs_collected = r.data.needs.needs_collected;
    row.claims = r.data.needs.claims();
    row.warm_runs = (0..warm_runs)
        .map(|_| {
            let t = Instant::now();
            hub.report(&Actor::System, scope, year()).expect("report");
            ms(t)
        })
        .collect();
    row.warm_ms = median(row.warm_runs.clone());
    let t = Instant::now();
    hub.report(&Actor::System, scope, Period::ALL)
        .expect("report");
    row.first_all_ms = ms(t);
    row.warm_all_ms = median(
        (0..warm_runs)
            .map(|_| {
                let t = Instant::now();
                hub.report(&Actor::System, scope, Period::ALL)
                    .expect("report");
                ms(t)
            })
            .collect(),
    );
    let committee = r
        .data
        .by_committee
        .keys()
        .next()
        .and_then(|k| k.parse::<UnitId>().ok())
        .expect("a committee");
    row.warm_committee_ms = median(
        (0..warm_runs)
            .map(|_| {
                let t = Instant::now();
                hub.report(&Actor::System, ReportScope::Unit(committee), year())
                    .expect("report");
                ms(t)
            })
            .collect(),
    );
    let t = Instant::now();
    hub.report(&Actor::System, scope, ragged_year())
        .expect("report");
    row.rows_path_ms = ms(t);
}

pub(crate) fn find_district(store: &dyn Store) -> UnitId {
    let mut tx = store.begin_read().expect("read");
    tx.select::<Unit>(
        &Query::Units {
            parent: None,
            kind: Some(UnitKind::District),
        },
        &Page::ALL,
    )
    .expect("units")
    .first()
    .expect("a district")
    .id
}

/// The SQLite report equals the in-memory reference computation on the same data.
fn cross_check(store: Arc<SqliteStore>, district: UnitId) {
    let t = Instant::now();
    let snap = needbridge::store::dump(&*store).expect("dump");
    let mem = Arc::new(MemoryStore::new());
    needbridge::store::restore(&snap, &*mem).expect("restore");
    let mhub = Hub::new(mem.clone()).expect("memory hub");
    let shub = Hub::new(store).expect("sqlite hub");
    let whole = shub
        .report(&Actor::System, ReportScope::Unit(district), Period::ALL)
        .expect("sqlite report");
    let committee = whole.data.by_committee.keys().next().expect("a committee");
    let community = {
        let mut tx = mem.begin_read().expect("read");
        tx.load::<Unit>(&committee.parse::<UnitId>().expect("committee id"))
            .expect("load")
            .and_then(|u| u.parent)
            .expect("a community")
    };
    let scopes = [
        district,
        community,
        committee.parse::<UnitId>().expect("committee id"),
    ];
    for unit in scopes {
        for p in [year(), Period::ALL, ragged_year()] {
            let a = shub
                .report(&Actor::System, ReportScope::Unit(unit), p)
                .expect("sqlite report");
            let b = mhub
                .report(&Actor::System, ReportScope::Unit(unit), p)
                .expect("memory report");
            assert_eq!(a.data, b.data, "SQLite and the reference disagree");
        }
    }
    println!(
        "  cross-check: SQLite report == in-memory reference ({:.1} s)",
        t.elapsed().as_secs_f64()
    );
}

// ------------------------------------------------------------------------------------------
// Profiling: the SQL a district report issues on SQLite, reproduced from
// `core/src/store/sql.rs` (`report`, unit scope) with the values inlined, timed one by one
// with its EXPLAIN QUERY PLAN, on the bundled SQLite. Also written out as a .sql file for the
// sqlite3 shell.

fn lit_time(t: DateTime<Utc>) -> String {
    format!("'{}'", t.format("%Y-%m-%dT%H:%M:%S%.6fZ"))
}

/// `(name, sql)` of every query `sql::report` runs for `ReportScope::Unit(district)`.
fn report_queries(district: UnitId, p: Period) -> Vec<(String, String)> {
    let within = |col: &str| {
        format!(
            "{col} IN (SELECT u.id FROM units u JOIN units s ON u.path LIKE s.path || '%' WHERE s.id = '{district}')"
        )
    };
    let pc = |col: &str| {
        let mut c = vec![format!("{col} IS NOT NULL")];
        if let Some(f) = p.from {
            c.push(format!("{col} >= {}", lit_time(f)));
        }
        if let Some(t) = p.to {
            c.push(format!("{col} < {}", lit_time(t)));
        }
        c.join(" AND ")
    };
    let mut q = Vec::new();
    let mut t = format!(
        "SELECT count(*) FROM units WHERE kind = 'committee' AND {}",
        within("id")
    );
    if let Some(to) = p.to {
        t.push_str(&format!(" AND created_at < {}", lit_time(to)));
    }
    q.push(("committees".to_string(), t));
    q.push((
        "members".into(),
        format!(
            "SELECT count(*), count(DISTINCT work_unit) FROM members WHERE {} AND {}",
            within("committee"),
            pc("reported_at")
        ),
    ));
    q.push((
        "acceptances".into(),
        format!(
            "SELECT count(*) FROM ledger_entries WHERE kind = 'accepted' AND {} AND {}",
            within("committee"),
            pc("at")
        ),
    ));
    type KeyOf = fn(&str) -> String;
    let dims: [(&str, KeyOf); 6] = [
        ("total", |_| "''".into()),
        ("committee", |_| "CAST(n.committee AS TEXT)".into()),
        ("category", |_| "n.category".into()),
        ("channel", |_| "n.channel".into()),
        ("month", |at| format!("substr({at}, 1, 7)")),
        ("claimant", |_| "c.claimant_type".into()),
    ];
    for (name, key) in dims {
        let group = |k: &str| {
            if name == "total" {
                String::new()
            } else {
                format!(" GROUP BY {k}")
            }
        };
        let need_cols: &[&str] = if name == "claimant" {
            &[]
        } else {
            &["n.created_at", "n.published_at"]
        };
        for col in need_cols {
            let k = key(col);
            q.push((
                format!("{name}: needs by {}", &col[2..]),
                format!(
                    "SELECT {k}, count(*) FROM needs n WHERE {} AND {}{}",
                    within("n.committee"),
                    pc(col),
                    group(&k)
                ),
            ));
        }
        let k = key("c.claimed_at");
        q.push((
            format!("{name}: claims made"),
            format!(
                "SELECT {k}, \
                 CAST(sum(CASE WHEN c.claimant_type = 'member' THEN 1 ELSE 0 END) AS BIGINT), \
                 CAST(sum(CASE WHEN c.claimant_type = 'team' THEN 1 ELSE 0 END) AS BIGINT), \
                 CAST(sum(CASE WHEN c.claimant_type = 'organisation' THEN 1 ELSE 0 END) AS BIGINT), \
                 CAST(sum(CASE WHEN n.scale = 'collective' THEN 1 ELSE 0 END) AS BIGINT), \
                 count(DISTINCT c.need) \
                 FROM claims c JOIN needs n ON n.id = c.need WHERE {} AND {}{}",
                within("c.committee"),
                pc("c.claimed_at"),
                group(&k)
            ),
        ));
        let k = key("c.completed_at");
        q.push((
            format!("{name}: claims completed"),
            format!(
                "SELECT {k}, count(*), count(DISTINCT c.need) FROM claims c JOIN needs n ON n.id = c.need \
                 WHERE {} AND {}{}",
                within("c.committee"),
                pc("c.completed_at"),
                group(&k)
            ),
        ));
        let k = key("c.ended_at");
        q.push((
            format!("{name}: claims verified"),
            format!(
                "SELECT {k}, count(*), count(DISTINCT c.need), \
                 CAST(coalesce(sum(c.money_fen), 0) AS BIGINT), CAST(coalesce(sum(c.minutes), 0) AS BIGINT), \
                 CAST(coalesce(sum(c.people_served), 0) AS BIGINT), \
                 CAST(coalesce(sum((SELECT coalesce(sum(ci.count), 0) FROM claim_items ci WHERE ci.claim = c.id)), 0) AS BIGINT) \
                 FROM claims c JOIN needs n ON n.id = c.need \
                 WHERE c.status = 'verified' AND {} AND {}{}",
                within("c.committee"),
                pc("c.ended_at"),
                group(&k)
            ),
        ));
    }
    let mut t = format!(
        "SELECT count(*), count(captain) FROM teams WHERE {}",
        within("committee")
    );
    if let Some(to) = p.to {
        t.push_str(&format!(" AND created_at < {}", lit_time(to)));
    }
    q.push(("teams".into(), t));
    q.push((
        "organisations".into(),
        format!(
            "SELECT count(DISTINCT c.claimant_id) FROM claims c \
             WHERE c.claimant_type = 'organisation' AND {} AND {}",
            within("c.committee"),
            pc("c.claimed_at")
        ),
    ));
    q.push((
        "residents helped".into(),
        format!(
            "SELECT count(DISTINCT n.resident) FROM claims c JOIN needs n ON n.id = c.need \
             WHERE c.status = 'verified' AND {} AND {}",
            within("c.committee"),
            pc("c.ended_at")
        ),
    ));
    q.push((
        "helped by group".into(),
        format!(
            "SELECT g.grp, count(DISTINCT n.resident) FROM claims c JOIN needs n ON n.id = c.need \
             JOIN resident_groups g ON g.resident = n.resident \
             WHERE c.status = 'verified' AND {} AND {} GROUP BY g.grp",
            within("c.committee"),
            pc("c.ended_at")
        ),
    ));
    let mut t = format!(
        "SELECT count(*) FROM pairings WHERE {}",
        within("committee")
    );
    if let Some(to) = p.to {
        t.push_str(&format!(" AND since < {}", lit_time(to)));
    }
    if let Some(from) = p.from {
        t.push_str(&format!(
            " AND (until IS NULL OR until >= {})",
            lit_time(from)
        ));
    }
    q.push(("pairings".into(), t));
    q.push((
        "hours".into(),
        format!(
            "SELECT CAST(coalesce(sum(minutes), 0) AS BIGINT) FROM hours \
             WHERE status = 'approved' AND {} AND {}",
            within("committee"),
            pc("served_at")
        ),
    ));
    let t = match p.to {
        Some(to) => format!(
            "since < {} AND (until IS NULL OR until >= {})",
            lit_time(to),
            lit_time(to)
        ),
        None => "until IS NULL".into(),
    };
    q.push((
        "three heads".into(),
        format!(
            "SELECT kind, count(*) FROM roles WHERE {} AND {t} GROUP BY kind",
            within("committee")
        ),
    ));
    q.push((
        "activities".into(),
        format!(
            "SELECT kind, count(*), CAST(sum(participants) AS BIGINT), CAST(sum(people_reached) AS BIGINT) \
             FROM activities WHERE {} AND {} GROUP BY kind",
            within("committee"),
            pc("held_at")
        ),
    ));
    q
}

/// `--profile N [all]`: every report query on the cached SQLite file of size N, timed, with
/// its plan. Extra arguments after the size are SQL run first (e.g. `CREATE INDEX …`, on a
/// copy you made yourself) — `--profile-db PATH` profiles another file.
fn profile(n: u64, path: Option<PathBuf>, all: bool, pre: &[String]) {
    let path = path.unwrap_or_else(|| target_dir().join(format!("bench-data/report-{n}.db")));
    let conn = rusqlite::Connection::open(&path).expect("open");
    for s in pre {
        let t = Instant::now();
        conn.execute_batch(s).expect("pre sql");
        println!("pre: {s} ({:.0} ms)", ms(t));
    }
    let version: String = conn
        .query_row("SELECT sqlite_version()", [], |r| r.get(0))
        .unwrap();
    let district: String = conn
        .query_row("SELECT id FROM units WHERE kind = 'district'", [], |r| {
            r.get(0)
        })
        .expect("district");
    let district: UnitId = district.parse().unwrap();
    let p = if all { Period::ALL } else { year() };
    let qs = report_queries(district, p);
    let mut file = String::from(".timer on\n");
    for (name, sql) in &qs {
        file.push_str(&format!("-- {name}\n{sql};\n"));
    }
    let out = target_dir().join(format!(
        "bench-data/report-queries-{}.sql",
        if all { "all" } else { "year" }
    ));
    std::fs::write(&out, file).expect("write sql");
    println!(
        "SQLite {version}, {} ({}), queries written to {}",
        path.display(),
        if all { "all time" } else { "2025" },
        out.display()
    );
    let mut total = 0.0;
    let mut timed = Vec::new();
    for (name, sql) in &qs {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<String> = stmt
            .query_map([], |r| {
                Ok(format!(
                    "{}:{}",
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(3)?
                ))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut times = Vec::new();
        let mut nrows = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let mut stmt = conn.prepare(sql).unwrap();
            let n = stmt.column_count();
            let mut rows = stmt.query([]).unwrap();
            nrows = 0;
            while let Some(r) = rows.next().unwrap() {
                for i in 0..n {
                    let _ = r.get_ref(i).unwrap();
                }
                nrows += 1;
            }
            times.push(ms(t));
        }
        let m = median(times.clone());
        total += m;
        timed.push((m, name.clone()));
        println!(
            "\n{:>9.1} ms (runs {:?}) {:>4} rows  {name}",
            m,
            times
                .iter()
                .map(|t| (t * 10.0).round() / 10.0)
                .collect::<Vec<_>>(),
            nrows
        );
        for l in plan {
            println!("            {l}");
        }
    }
    timed.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("\ntotal {total:.0} ms over {} queries; by cost:", qs.len());
    for (m, name) in timed {
        println!("{m:>9.1} ms {:>5.1} %  {name}", 100.0 * m / total);
    }
}

/// `--sql DB FILE`: runs each `;`-terminated statement of FILE on DB with the bundled SQLite
/// (the version the store uses), printing its plan, time and first rows: for experiments.
fn sql_shell(db: &str, file: &str) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let text = std::fs::read_to_string(file).expect("read sql file");
    for stmt_text in text.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        let body: String = stmt_text
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        if body.trim().is_empty() {
            continue;
        }
        let label = stmt_text
            .lines()
            .find(|l| l.trim_start().starts_with("--"))
            .unwrap_or("")
            .to_string();
        println!("\n{label}\n{}", body.chars().take(400).collect::<String>());
        let is_query = body.trim_start().to_ascii_uppercase().starts_with("SELECT")
            || body.trim_start().to_ascii_uppercase().starts_with("WITH");
        if is_query {
            if let Ok(mut st) = conn.prepare(&format!("EXPLAIN QUERY PLAN {body}")) {
                let plan: Vec<String> = st
                    .query_map([], |r| r.get::<_, String>(3))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                println!("  plan: {}", plan.join(" | "));
            }
            let mut times = Vec::new();
            let mut first = Vec::new();
            let mut nrows = 0;
            for _ in 0..3 {
                let t = Instant::now();
                let mut st = conn.prepare(&body).expect("prepare");
                let n = st.column_count();
                let mut rows = st.query([]).expect("query");
                nrows = 0;
                first.clear();
                while let Some(r) = rows.next().expect("row") {
                    let vals: Vec<String> = (0..n)
                        .map(|i| match r.get_ref(i).unwrap() {
                            rusqlite::types::ValueRef::Null => "NULL".into(),
                            rusqlite::types::ValueRef::Integer(x) => x.to_string(),
                            rusqlite::types::ValueRef::Real(x) => x.to_string(),
                            rusqlite::types::ValueRef::Text(t) => {
                                String::from_utf8_lossy(t).chars().take(40).collect()
                            }
                            rusqlite::types::ValueRef::Blob(_) => "<blob>".into(),
                        })
                        .collect();
                    if first.len() < 3 {
                        first.push(vals.join("|"));
                    }
                    nrows += 1;
                }
                times.push(ms(t));
            }
            println!(
                "  => {:.1} ms median (runs {:?}), {nrows} rows: {}",
                median(times.clone()),
                times.iter().map(|t| t.round()).collect::<Vec<_>>(),
                first.join(" ; ")
            );
        } else {
            let t = Instant::now();
            conn.execute_batch(&body).expect("execute");
            println!("  => done in {:.0} ms", ms(t));
        }
    }
}

pub(crate) fn target_dir() -> PathBuf {
    // …/target/release/deps/report-<hash>
    let exe = std::env::current_exe().expect("current exe");
    exe.parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")))
}

fn print_loaded(what: &str, l: &Loaded) {
    println!(
        "  {what}: {} records in {:.1} s ({:.0}/s): {} needs, {} claims ({} verified, {} live), \
         {} claim items, {} residents; report cells built in {:.1} s",
        l.records,
        l.load_ms / 1e3,
        l.records as f64 / (l.load_ms / 1e3),
        l.needs,
        l.claims,
        l.verified,
        l.live,
        l.items,
        l.residents,
        l.cells_ms / 1e3
    );
}

/// The cached SQLite file of size `n` (generated when missing) and its district (for the
/// suite and the micro benches, which include this file).
#[allow(dead_code)]
pub(crate) fn cached_sqlite(n: u64) -> (PathBuf, UnitId) {
    let opts = Opts {
        sizes: vec![n],
        warm_runs: 0,
        check: false,
        regen: false,
        sqlite: true,
        pg: false,
        pg_budget: 0,
        keep_pg: false,
        load_only: true,
    };
    let path = target_dir()
        .join("bench-data")
        .join(format!("report-{n}.db"));
    if !path.exists() {
        sqlite_size(n, &opts);
    }
    let store = SqliteStore::open(&path).expect("open cached");
    let district = find_district(&store);
    (path, district)
}

pub(crate) fn sqlite_size(n: u64, opts: &Opts) -> Row {
    let dir = target_dir().join("bench-data");
    std::fs::create_dir_all(&dir).expect("bench-data dir");
    let path = dir.join(format!("report-{n}.db"));
    let mut row = Row {
        backend: "sqlite",
        size: n,
        ..Default::default()
    };
    if opts.regen {
        let _ = std::fs::remove_file(&path);
    }
    let district;
    if path.exists() {
        println!("sqlite {n}: reusing {}", path.display());
        row.reused = true;
        let t = Instant::now();
        let store = SqliteStore::open(&path).expect("open cached");
        println!(
            "sqlite {n}: opened in {:.1} s (includes any schema upgrade)",
            t.elapsed().as_secs_f64()
        );
        district = find_district(&store);
    } else {
        let tmp = dir.join(format!("report-{n}.db.tmp"));
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", tmp.display()));
        }
        println!("sqlite {n}: generating {}", path.display());
        let store = Arc::new(
            SqliteStore::open_with(
                &tmp,
                SqliteOptions {
                    synchronous: Synchronous::Normal,
                    ..Default::default()
                },
            )
            .expect("create"),
        );
        drop(Hub::new(store.clone()).expect("seed taxonomy"));
        let l = load(&*store, n, "sqlite", None).expect("load sqlite");
        print_loaded("loaded", &l);
        row.load_ms = Some(l.load_ms);
        district = l.district.unwrap();
        drop(store); // checkpoints the WAL into the file
        std::fs::rename(&tmp, &path).expect("rename");
    }
    row.bytes = std::fs::metadata(&path).ok().map(|m| m.len());
    if opts.check {
        let store = Arc::new(SqliteStore::open(&path).expect("open"));
        cross_check(store, district);
    }
    if opts.load_only {
        row.note = "loaded only (--load-only)".into();
        return row;
    }
    let target = path.to_str().expect("utf-8 path").to_string();
    measure(
        &mut row,
        "sqlite",
        &target,
        district,
        opts.warm_runs,
        Some(&path),
    );
    row
}

#[cfg(feature = "postgres")]
pub(crate) fn with_schema(url: &str, schema: &str) -> String {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}options=-csearch_path%3D{schema}")
    } else {
        format!("{url} options='-csearch_path={schema}'")
    }
}

#[cfg(feature = "postgres")]
pub(crate) fn pg_size(n: u64, url: &str, opts: &Opts) -> Row {
    let schema = format!("bench_{n}_{}", Uuid::now_v7().simple());
    let mut admin = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("create schema");
    let surl = with_schema(url, &schema);
    let mut row = Row {
        backend: "postgres",
        size: n,
        ..Default::default()
    };
    println!("postgres {n}: loading into schema {schema}");
    let store = Arc::new(PostgresStore::connect(&surl).expect("connect"));
    drop(Hub::new(store.clone()).expect("seed taxonomy"));
    let budget = std::time::Duration::from_secs(opts.pg_budget);
    match load(&*store, n, "postgres", Some(budget)) {
        Ok(l) => {
            print_loaded("loaded", &l);
            row.load_ms = Some(l.load_ms);
            // VACUUM as well as ANALYZE, as after any bulk load: it sets the visibility map
            // (index-only scans) and leaves autovacuum nothing to do in the background while
            // the items after this one measure (the frame of item 7 reads on both cores).
            let t = Instant::now();
            store
                .with_client(|c| c.batch_execute("VACUUM (ANALYZE)"))
                .expect("pool")
                .expect("vacuum");
            println!("  VACUUM (ANALYZE): {:.1} s", t.elapsed().as_secs_f64());
            let size: i64 = admin
                .query_one(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c \
                     JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1 AND c.relkind = 'r'",
                    &[&schema],
                )
                .expect("size")
                .get(0);
            row.bytes = Some(size as u64);
            drop(store);
            if opts.load_only {
                row.note = "loaded only (--load-only)".into();
            } else {
                measure(
                    &mut row,
                    "postgres",
                    &surl,
                    l.district.unwrap(),
                    opts.warm_runs,
                    None,
                );
            }
        }
        Err(Abort(why)) => {
            println!("  postgres {n}: NOT measured: {why}");
            row.note = format!("load abandoned: {why}");
            drop(store);
        }
    }
    if !opts.keep_pg {
        admin
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .expect("drop schema");
    }
    row
}

pub(crate) struct Opts {
    pub(crate) sizes: Vec<u64>,
    pub(crate) warm_runs: usize,
    pub(crate) check: bool,
    pub(crate) regen: bool,
    pub(crate) sqlite: bool,
    pub(crate) pg: bool,
    pub(crate) pg_budget: u64,
    pub(crate) keep_pg: bool,
    pub(crate) load_only: bool,
}

fn fmt_ms(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--cold") {
        cold_child(&args[i + 1..]);
        return;
    }
    let mut opts = Opts {
        sizes: Vec::new(),
        warm_runs: 5,
        check: false,
        regen: false,
        sqlite: true,
        pg: true,
        pg_budget: 600,
        keep_pg: false,
        load_only: false,
    };
    if let Some(i) = args.iter().position(|a| a == "--sql") {
        sql_shell(&args[i + 1], &args[i + 2]);
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--profile") {
        let n = args
            .get(i + 1)
            .and_then(|s| s.replace('_', "").parse().ok())
            .expect("--profile N");
        let rest = &args[i + 2..];
        let all = rest.iter().any(|a| a == "all");
        let path = rest
            .iter()
            .position(|a| a == "--profile-db")
            .map(|j| PathBuf::from(&rest[j + 1]));
        let pre: Vec<String> = rest
            .iter()
            .enumerate()
            .filter(|(j, a)| {
                *a != "all"
                    && *a != "--profile-db"
                    && *a != "--bench"
                    && !(*j > 0 && rest[j - 1] == "--profile-db")
            })
            .map(|(_, a)| a.clone())
            .collect();
        profile(n, path, all, &pre);
        return;
    }
    let mut quick = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--size" => opts.sizes.push(
                it.next()
                    .and_then(|s| s.replace('_', "").parse().ok())
                    .expect("--size N"),
            ),
            "--check" => opts.check = true,
            "--regen" => opts.regen = true,
            "--no-pg" => opts.pg = false,
            "--no-sqlite" => opts.sqlite = false,
            "--keep-pg" => opts.keep_pg = true,
            "--load-only" => opts.load_only = true,
            "--pg-budget" => {
                opts.pg_budget = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--pg-budget SECS")
            }
            "--bench" => {} // passed by cargo bench
            other => eprintln!("ignoring argument {other}"),
        }
    }
    if quick {
        opts.warm_runs = 3;
        opts.check = true;
        if opts.sizes.is_empty() {
            opts.sizes.push(10_000);
        }
    }
    if opts.sizes.is_empty() {
        opts.sizes = vec![100_000, 1_000_000];
    }
    let pg_url = std::env::var("NEEDBRIDGE_PG_URL")
        .ok()
        .filter(|s| !s.is_empty());
    let mut rows = Vec::new();
    for &n in &opts.sizes {
        if opts.sqlite {
            rows.push(sqlite_size(n, &opts));
        }
        if opts.pg {
            match &pg_url {
                #[cfg(feature = "postgres")]
                Some(url) => rows.push(pg_size(n, url, &opts)),
                #[cfg(not(feature = "postgres"))]
                Some(_) => println!("postgres {n}: skipped (built without the postgres feature)"),
                None => println!(
                    "postgres {n}: skipped (NEEDBRIDGE_PG_URL is not set; run under scripts/with-postgres.sh)"
                ),
            }
        }
    }

    println!();
    println!(
        "one-year district report (2025) and all-time; times in ms; ratio = time / target \
         (targets, for SQLite at 1M: cold <= {TARGET_COLD_MS:.0}, warm <= {TARGET_WARM_MS:.0})"
    );
    println!(
        "{:<9} {:>9} {:>9} {:>8} | {:>8} {:>6} {:>8} {:>8} {:>8} {:>8} | {:>8} {:>8} {:>6} | {:>8} {:>8} {:>8} | {:>8} {:>9}",
        "backend", "needs", "load s", "MB", "cold", "ratio", "c.open", "c.rep", "c.wall", "c.nocache",
        "first", "warm", "ratio", "cold all", "1st all", "warm all", "w.comm", "rows path"
    );
    for r in &rows {
        if !r.note.is_empty() {
            println!("{:<9} {:>9} {}", r.backend, r.size, r.note);
            continue;
        }
        println!(
            "{:<9} {:>9} {:>9} {:>8} | {:>8} {:>6.2} {:>8} {:>8} {:>8} {:>8} | {:>8} {:>8} {:>6.2} | {:>8} {:>8} {:>8} | {:>8} {:>9}",
            r.backend,
            r.size,
            match (r.load_ms, r.reused) {
                (Some(l), _) => format!("{:.1}", l / 1e3),
                (None, true) => "reused".into(),
                _ => "-".into(),
            },
            r.bytes.map_or("-".into(), |b| format!("{:.0}", b as f64 / 1048576.0)),
            fmt_ms(r.cold_ms),
            r.cold_ms / TARGET_COLD_MS,
            fmt_ms(r.cold_open_ms),
            fmt_ms(r.cold_report_ms),
            fmt_ms(r.cold_wall_ms),
            r.cold_nocache_ms.map_or("-".into(), fmt_ms),
            fmt_ms(r.first_ms),
            fmt_ms(r.warm_ms),
            r.warm_ms / TARGET_WARM_MS,
            fmt_ms(r.cold_all_ms),
            fmt_ms(r.first_all_ms),
            fmt_ms(r.warm_all_ms),
            fmt_ms(r.warm_committee_ms),
            fmt_ms(r.rows_path_ms),
        );
    }
    println!(
        "(cold = fresh process: open + one report, median of 3 (1 if over 10 s); c.wall = whole child process; \
         c.nocache = once after evicting the SQLite file from the page cache; first = first \
         report in a process that just opened the store; warm = median of {} more; w.comm = warm, \
         one committee; rows path = one report over 2025-01-15..2025-12-15, not whole months, \
         aggregated from the rows instead of the report cells)",
        opts.warm_runs
    );

    // Merge with earlier results (other sizes / backends), newest wins.
    let json_path = target_dir().join("bench-report.json");
    let mut results: Vec<serde_json::Value> = std::fs::read_to_string(&json_path)
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .and_then(|v| v.get("results").and_then(|r| r.as_array()).cloned())
        .unwrap_or_default();
    for r in rows.iter().filter(|r| !r.note.starts_with("loaded only")) {
        // A reused file keeps the load time measured when it was generated.
        let earlier_load = results
            .iter()
            .find(|v| v["backend"] == r.backend && v["size"] == serde_json::json!(r.size))
            .and_then(|v| v["load_ms"].as_f64());
        results.retain(|v| !(v["backend"] == r.backend && v["size"] == serde_json::json!(r.size)));
        results.push(serde_json::json!({
            "backend": r.backend,
            "size": r.size,
            "note": r.note,
            "measured_at": Utc::now().to_rfc3339(),
            "load_ms": r.load_ms.or(earlier_load),
            "reused_data": r.reused,
            "bytes": r.bytes,
            "cold_ms": r.cold_ms,
            "cold_open_ms": r.cold_open_ms,
            "cold_report_ms": r.cold_report_ms,
            "cold_wall_ms": r.cold_wall_ms,
            "cold_nocache_ms": r.cold_nocache_ms,
            "cold_all_ms": r.cold_all_ms,
            "first_ms": r.first_ms,
            "warm_ms": r.warm_ms,
            "warm_runs_ms": r.warm_runs,
            "first_all_ms": r.first_all_ms,
            "warm_all_ms": r.warm_all_ms,
            "warm_committee_ms": r.warm_committee_ms,
            "rows_path_ms": r.rows_path_ms,
            "cold_ratio": r.cold_ms / TARGET_COLD_MS,
            "warm_ratio": r.warm_ms / TARGET_WARM_MS,
            "needs_collected_2025": r.needs_collected,
            "claims_2025": r.claims,
        }));
    }
    results.sort_by_key(|v| {
        (
            v["backend"].as_str().unwrap_or("").to_string(),
            v["size"].as_u64(),
        )
    });
    let doc = serde_json::json!({
        "benchmark": "district report",
        "period": "2025-01-01..2026-01-01 (and all time)",
        "targets": { "sqlite_1m_cold_ms": TARGET_COLD_MS, "sqlite_1m_warm_ms": TARGET_WARM_MS },
        "results": results,
    });
    std::fs::write(&json_path, serde_json::to_string_pretty(&doc).unwrap()).expect("write json");
    println!("wrote {}", json_path.display());
}

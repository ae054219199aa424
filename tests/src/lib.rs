//! Shared fixtures for needbridge's acceptance tests: a small world with one of everything,
//! built through the public API on any [`Store`], with a manual clock; the [`Backend`]s every
//! conformance test runs on; and the [`conformance!`] macro that runs a test on each.

use chrono::{DateTime, Duration, TimeZone, Utc};
use needbridge::command::*;
use needbridge::model::*;
use needbridge::store::memory::MemoryStore;
use needbridge::store::postgres::PostgresStore;
use needbridge::store::sqlite::SqliteStore;
use needbridge::{Actor, Hub, HubConfig, ManualClock, Store};
use std::path::PathBuf;
use std::sync::Arc;

/// A storage backend a conformance test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The in-memory store.
    Memory,
    /// SQLite, a fresh file in a temp directory.
    Sqlite,
    /// PostgreSQL: a fresh schema in the database named by `NEEDBRIDGE_PG_URL`.
    Postgres,
}

/// Whether PostgreSQL tests must run (CI, or `scripts/test.sh`): then a missing server fails
/// them loudly instead of skipping.
pub fn postgres_required() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
        || std::env::var_os("NEEDBRIDGE_REQUIRE_PG").is_some()
}

/// The PostgreSQL connection string from `NEEDBRIDGE_PG_URL`, if set. When it is not set and
/// [`postgres_required`], panics; otherwise prints that the test is skipped.
pub fn postgres_url() -> Option<String> {
    match std::env::var("NEEDBRIDGE_PG_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ if postgres_required() => panic!(
            "NEEDBRIDGE_PG_URL is not set but PostgreSQL tests are required here: \
             run them through scripts/test.sh (it starts a private server)"
        ),
        _ => {
            eprintln!("skipped: NEEDBRIDGE_PG_URL is not set (scripts/test.sh sets it)");
            None
        }
    }
}

/// `url` with its `search_path` set to `schema`.
pub fn with_schema(url: &str, schema: &str) -> String {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}options=-csearch_path%3D{schema}")
    } else {
        format!("{url} options='-csearch_path={schema}'")
    }
}

/// Creates a fresh, empty schema in the test database and returns a connection string
/// that uses it.
pub fn fresh_postgres_schema(url: &str) -> String {
    let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    let mut c =
        postgres::Client::connect(url, postgres::NoTls).expect("connect to NEEDBRIDGE_PG_URL");
    c.batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("create schema");
    with_schema(url, &schema)
}

/// A fresh directory under the system temp dir, removed when dropped.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// Creates it.
    pub fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!(
            "needbridge-test-{tag}-{}",
            uuid::Uuid::now_v7().simple()
        ));
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
    /// A path inside it.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh, empty store of one backend, and whatever keeps it alive.
pub struct Fresh {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The SQLite file's directory, removed on drop.
    pub dir: Option<TempDir>,
    /// The PostgreSQL connection string of the fresh schema.
    pub url: Option<String>,
    /// The SQLite file.
    pub path: Option<PathBuf>,
}

impl Fresh {
    /// What a child process needs to open the same store: the SQLite file's path or the
    /// PostgreSQL connection string.
    pub fn target(&self) -> String {
        match (&self.path, &self.url) {
            (Some(p), _) => p.display().to_string(),
            (None, Some(u)) => u.clone(),
            (None, None) => panic!("a memory store cannot be shared with another process"),
        }
    }

    /// Opens the same store anew (what a restarted process would see).
    pub fn reopen(&self) -> Arc<dyn Store> {
        match (&self.path, &self.url) {
            (Some(p), _) => Arc::new(SqliteStore::open(p).expect("reopen sqlite")),
            (None, Some(u)) => Arc::new(PostgresStore::connect(u).expect("reconnect postgres")),
            (None, None) => self.store.clone(),
        }
    }
}

impl Backend {
    /// The backend's name.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Memory => "memory",
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// A fresh, empty store. For PostgreSQL, a new schema; panics when the server is not
    /// configured (callers check [`postgres_url`] first through [`conformance!`]).
    pub fn fresh(&self) -> Fresh {
        match self {
            Backend::Memory => Fresh {
                store: Arc::new(MemoryStore::new()),
                dir: None,
                url: None,
                path: None,
            },
            Backend::Sqlite => {
                let dir = TempDir::new("sqlite");
                let path = dir.join("needbridge.db");
                let store = SqliteStore::open(&path).expect("open sqlite");
                Fresh {
                    store: Arc::new(store),
                    dir: Some(dir),
                    url: None,
                    path: Some(path),
                }
            }
            Backend::Postgres => {
                let url = fresh_postgres_schema(&postgres_url().expect("NEEDBRIDGE_PG_URL"));
                let store = PostgresStore::connect(&url).expect("connect postgres");
                Fresh {
                    store: Arc::new(store),
                    dir: None,
                    url: Some(url),
                    path: None,
                }
            }
        }
    }
}

/// Runs each named test function `fn(Backend)` on every backend: generates modules
/// `memory`, `sqlite` and `postgres` with one `#[test]` each. PostgreSQL tests skip (with a
/// message) only when no server is configured and [`postgres_required`] is false.
#[macro_export]
macro_rules! conformance {
    ($($name:ident),+ $(,)?) => {
        mod memory {
            $(#[test] fn $name() { super::$name($crate::Backend::Memory) })+
        }
        mod sqlite {
            $(#[test] fn $name() { super::$name($crate::Backend::Sqlite) })+
        }
        mod postgres {
            $(#[test] fn $name() {
                if $crate::postgres_url().is_some() { super::$name($crate::Backend::Postgres) }
            })+
        }
    };
}

/// The fixed start time of every fixture: 2026-01-05 08:00 UTC.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).unwrap()
}

/// A valid 18-character resident ID number (check digit computed) for a birth date and
/// sequence.
pub fn id_number(birth: &str, seq: u32) -> String {
    let body = format!("520201{birth}{:03}", seq % 1000);
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// Committee staff of `unit`.
pub fn staff(unit: UnitId) -> Actor {
    Actor::CommitteeStaff { unit }
}

/// A member acting.
pub fn member(member: MemberId) -> Actor {
    Actor::Member { member }
}

/// A small world with one of everything, in known states.
#[allow(missing_docs)]
pub struct World {
    pub hub: Hub,
    /// The store under the Hub (compare states with `needbridge::store::dump`).
    pub store: Arc<dyn Store>,
    /// Keeps a SQLite file's directory alive.
    pub dir: Option<TempDir>,
    /// The PostgreSQL connection string of the world's schema (PostgreSQL worlds only).
    pub pg_url: Option<String>,
    pub clock: ManualClock,
    pub district: UnitId,
    pub community: UnitId,
    /// Committee A: where most things happen.
    pub committee_a: UnitId,
    /// Committee B: a neighbour, for scope checks.
    pub committee_b: UnitId,
    pub grid_a: UnitId,
    pub work_unit: WorkUnitId,
    pub org: OrganisationId,
    /// Accepted at A; holds `claim_active`.
    pub member_a: MemberId,
    /// Accepted at A; captain of `team_a`.
    pub captain_a: MemberId,
    /// Accepted at A; in no team.
    pub loner_a: MemberId,
    /// Accepted at B.
    pub member_b: MemberId,
    /// Certificate issued, not reported.
    pub certified: MemberId,
    /// Reported to A, awaiting the decision.
    pub reported: MemberId,
    pub team_a: TeamId,
    pub team_b: TeamId,
    pub resident_a: ResidentId,
    pub child_a: ResidentId,
    pub resident_b: ResidentId,
    pub need_draft: NeedId,
    pub need_submitted: NeedId,
    /// Published, individual.
    pub need_open: NeedId,
    /// Published, collective.
    pub need_collective: NeedId,
    /// Claimed by `member_a` (claim `claim_active`).
    pub need_claimed: NeedId,
    /// Claimed by `team_a`, completed (claim `claim_done`).
    pub need_done: NeedId,
    /// Verified (claim by `org`), no feedback yet.
    pub need_verified: NeedId,
    /// Published at B.
    pub need_b: NeedId,
    pub claim_active: ClaimId,
    pub claim_done: ClaimId,
    pub claim_verified: ClaimId,
    pub hours_pending: HoursId,
    pub role: RoleId,
    pub pairing: PairingId,
}

impl World {
    /// Builds the world on a fresh in-memory store.
    pub fn memory() -> World {
        World::on(Backend::Memory)
    }

    /// Builds the world on a fresh store of `backend`.
    pub fn on(backend: Backend) -> World {
        let fresh = backend.fresh();
        let mut w = World::build(fresh.store);
        w.dir = fresh.dir;
        w.pg_url = fresh.url;
        w
    }

    /// Builds the world on `store` (which must be empty).
    pub fn build(store: Arc<dyn Store>) -> World {
        let clock = ManualClock::new(t0());
        let hub = Hub::with(store.clone(), clock.clone(), HubConfig::default()).expect("hub");
        let sys = Actor::System;
        let later = t0() + Duration::days(30);
        let district = hub
            .run(
                &sys,
                CreateUnit {
                    kind: UnitKind::District,
                    name: "钟山区".into(),
                    parent: None,
                },
            )
            .unwrap()
            .id;
        let admin = Actor::DistrictAdmin { district };
        let unit = |kind, name: &str, parent| {
            hub.run(
                &admin,
                CreateUnit {
                    kind,
                    name: name.into(),
                    parent: Some(parent),
                },
            )
            .unwrap()
            .id
        };
        let community = unit(UnitKind::Community, "荷城街道", district);
        let committee_a = unit(UnitKind::Committee, "凤凰社区居委会", community);
        let committee_b = unit(UnitKind::Committee, "明湖社区居委会", community);
        let grid_a = unit(UnitKind::Grid, "第一网格", committee_a);
        let work_unit = hub
            .run(
                &admin,
                RegisterWorkUnit {
                    name: "区财政局".into(),
                    party_organisation: "区财政局机关党支部".into(),
                },
            )
            .unwrap()
            .id;
        let org = hub
            .run(
                &admin,
                RegisterOrganisation {
                    name: "六盘水某建材有限公司".into(),
                    kind: OrganisationKind::Enterprise,
                    contact_name: "李经理".into(),
                    contact_phone: "13985001234".into(),
                    district,
                },
            )
            .unwrap()
            .id;
        let secretary = Actor::WorkUnitSecretary { work_unit };
        let mut n = 0;
        let mut certify = |name: &str| {
            n += 1;
            hub.run(
                &secretary,
                IssueCertificate {
                    work_unit,
                    name: name.into(),
                    phone: Some(format!("1380000{n:04}")),
                    id_number: Some(id_number("19850101", n)),
                    number: format!("BD-2026-{n:03}"),
                    deadline: later,
                },
            )
            .unwrap()
            .id
        };
        let ids: Vec<MemberId> = ["王芳", "赵强", "孙丽", "周杰", "吴敏", "郑涛"]
            .iter()
            .map(|n| certify(n))
            .collect();
        let (member_a, captain_a, loner_a, member_b, certified, reported) =
            (ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]);
        let report = |m, committee| {
            hub.run(
                &member(m),
                ReportMember {
                    member: m,
                    committee,
                    commitment: "每月至少服务一次".into(),
                    skills: vec!["教师".into()],
                },
            )
            .unwrap();
        };
        for m in [member_a, captain_a, loner_a, reported] {
            report(m, committee_a);
        }
        report(member_b, committee_b);
        for (m, c) in [
            (member_a, committee_a),
            (captain_a, committee_a),
            (loner_a, committee_a),
            (member_b, committee_b),
        ] {
            hub.run(
                &staff(c),
                AcceptReport {
                    member: m,
                    note: None,
                },
            )
            .unwrap();
        }
        let team = |c, name: &str| {
            hub.run(
                &staff(c),
                FormTeam {
                    committee: c,
                    kind: TeamKind::HomeElderCare,
                    name: name.into(),
                    channel: Channel::Family,
                },
            )
            .unwrap()
            .id
        };
        let team_a = team(committee_a, "凤凰居家养老服务队");
        let team_b = team(committee_b, "明湖巡逻队");
        hub.run(
            &staff(committee_a),
            AppointCaptain {
                team: team_a,
                member: captain_a,
            },
        )
        .unwrap();
        hub.run(
            &member(member_a),
            JoinTeam {
                team: team_a,
                member: member_a,
            },
        )
        .unwrap();
        let resident = |c, name: &str, groups: Vec<ResidentGroup>, seq| {
            hub.run(
                &staff(c),
                RegisterResident {
                    committee: c,
                    grid: None,
                    name: name.into(),
                    phone: Some("13912345678".into()),
                    id_number: Some(id_number("19360815", seq)),
                    address: Some("钟山区荷城街道凤凰社区5栋2单元301".into()),
                    groups,
                },
            )
            .unwrap()
            .id
        };
        let resident_a = resident(
            committee_a,
            "陈大爷",
            vec![ResidentGroup::EmptyNestElderly],
            1,
        );
        let child_a = resident(
            committee_a,
            "刘小明",
            vec![ResidentGroup::LeftBehindChild],
            2,
        );
        let resident_b = resident(committee_b, "黄奶奶", vec![ResidentGroup::Elderly], 3);
        let draft = |c, r, title: &str, scale| {
            hub.run(
                &staff(c),
                DraftNeed {
                    committee: c,
                    grid: None,
                    resident: r,
                    title: title.into(),
                    description: "居民需求".into(),
                    category: "festival_goods".into(),
                    channel: Channel::Family,
                    scale,
                    estimated_cost_fen: 20_000,
                    wanted_by: later,
                },
            )
            .unwrap()
            .id
        };
        let publish = |c, need| {
            hub.run(&staff(c), PublishNeed { need }).unwrap();
        };
        let need_draft = draft(committee_a, resident_a, "年货", Scale::Individual);
        let need_submitted = draft(committee_a, resident_a, "轮椅", Scale::Individual);
        hub.run(
            &staff(committee_a),
            SubmitNeed {
                need: need_submitted,
            },
        )
        .unwrap();
        let need_open = draft(committee_a, child_a, "书包", Scale::Individual);
        publish(committee_a, need_open);
        let need_collective = draft(committee_a, resident_a, "调解住房纠纷", Scale::Collective);
        publish(committee_a, need_collective);
        let need_claimed = draft(committee_a, resident_a, "陪伴", Scale::Individual);
        publish(committee_a, need_claimed);
        let need_done = draft(committee_a, resident_a, "打扫卫生", Scale::Collective);
        publish(committee_a, need_done);
        let need_verified = draft(committee_a, resident_a, "米面油", Scale::Individual);
        publish(committee_a, need_verified);
        let need_b = draft(committee_b, resident_b, "药品", Scale::Individual);
        publish(committee_b, need_b);
        let promised = t0() + Duration::days(10);
        let claim_active = hub
            .run(
                &member(member_a),
                ClaimNeed {
                    need: need_claimed,
                    claimant: Claimant::Member(member_a),
                    promised_by: promised,
                },
            )
            .unwrap()
            .id;
        let claim_done = hub
            .run(
                &member(captain_a),
                ClaimNeed {
                    need: need_done,
                    claimant: Claimant::Team(team_a),
                    promised_by: promised,
                },
            )
            .unwrap()
            .id;
        let fulfilment = Fulfilment {
            money_fen: 0,
            items: vec![],
            minutes: 120,
            people_served: 1,
            evidence: vec!["photo-1".into()],
            note: String::new(),
        };
        hub.run(
            &member(captain_a),
            CompleteClaim {
                claim: claim_done,
                fulfilment,
            },
        )
        .unwrap();
        let contact = Actor::OrganisationContact { organisation: org };
        let claim_verified = hub
            .run(
                &contact,
                ClaimNeed {
                    need: need_verified,
                    claimant: Claimant::Organisation(org),
                    promised_by: promised,
                },
            )
            .unwrap()
            .id;
        let fulfilment = Fulfilment {
            money_fen: 30_000,
            items: vec![Item {
                count: 3,
                description: "米面油".into(),
            }],
            minutes: 60,
            people_served: 2,
            evidence: vec![],
            note: String::new(),
        };
        hub.run(
            &contact,
            CompleteClaim {
                claim: claim_verified,
                fulfilment,
            },
        )
        .unwrap();
        hub.run(
            &staff(committee_a),
            VerifyClaim {
                claim: claim_verified,
            },
        )
        .unwrap();
        let hours_pending = hub
            .run(
                &member(member_a),
                LogHours {
                    member: member_a,
                    served_at: t0() - Duration::hours(2),
                    minutes: 90,
                    description: "陪老人聊天".into(),
                },
            )
            .unwrap()
            .id;
        let role = hub
            .run(
                &staff(committee_a),
                AssignRole {
                    member: captain_a,
                    kind: RoleKind::BuildingHead,
                    scope: "5栋".into(),
                },
            )
            .unwrap()
            .id;
        let pairing = hub
            .run(
                &staff(committee_a),
                StartPairing {
                    member: member_a,
                    resident: resident_a,
                },
            )
            .unwrap()
            .id;
        World {
            hub,
            store,
            dir: None,
            pg_url: None,
            clock,
            district,
            community,
            committee_a,
            committee_b,
            grid_a,
            work_unit,
            org,
            member_a,
            captain_a,
            loner_a,
            member_b,
            certified,
            reported,
            team_a,
            team_b,
            resident_a,
            child_a,
            resident_b,
            need_draft,
            need_submitted,
            need_open,
            need_collective,
            need_claimed,
            need_done,
            need_verified,
            need_b,
            claim_active,
            claim_done,
            claim_verified,
            hours_pending,
            role,
            pairing,
        }
    }

    /// The whole committed state (records and event log).
    pub fn dump(&self) -> needbridge::store::memory::MemorySnapshot {
        needbridge::store::dump(&*self.store).expect("dump")
    }

    /// Staff of committee A.
    pub fn staff_a(&self) -> Actor {
        staff(self.committee_a)
    }

    /// The district admin.
    pub fn admin(&self) -> Actor {
        Actor::DistrictAdmin {
            district: self.district,
        }
    }

    /// The work unit's secretary.
    pub fn secretary(&self) -> Actor {
        Actor::WorkUnitSecretary {
            work_unit: self.work_unit,
        }
    }

    /// The organisation's contact.
    pub fn contact(&self) -> Actor {
        Actor::OrganisationContact {
            organisation: self.org,
        }
    }
}

/// The README's quick start, compiled and run as a doc test so it cannot rot.
#[doc = include_str!("../../README.md")]
#[allow(dead_code)]
mod readme {}

/// The invariants every state must keep, checked on a whole dump; and the replay of the
/// event log. Shared by the state-machine property test and the crash tests.
pub mod invariants {
    use needbridge::model::*;
    use needbridge::rules::lifecycle::need_status_for_live_claim;
    use needbridge::store::memory::MemorySnapshot;
    use needbridge::store::{Kind, Record};
    use std::collections::BTreeMap;

    macro_rules! ensure {
        ($c:expr) => { if !$c { return Err(format!("invariant failed: {}", stringify!($c))); } };
        ($c:expr, $($f:tt)+) => { if !$c { return Err(format!($($f)+)); } };
    }
    macro_rules! ensure_eq {
        ($a:expr, $b:expr) => {{ let (a, b) = (&$a, &$b); if a != b { return Err(format!("{} != {}: {:?} vs {:?}", stringify!($a), stringify!($b), a, b)); } }};
        ($a:expr, $b:expr, $($f:tt)+) => {{ let (a, b) = (&$a, &$b); if a != b { return Err(format!("{}: {:?} vs {:?}", format!($($f)+), a, b)); } }};
    }

    /// Values `f` picks from every record of `kind`.
    pub fn ids<T: Clone>(
        snap: &MemorySnapshot,
        kind: Kind,
        f: impl Fn(&Record) -> Option<T>,
    ) -> Vec<T> {
        snap.records
            .get(&kind)
            .map(|m| m.values().filter_map(&f).collect())
            .unwrap_or_default()
    }

    /// Values `f` picks from every record of `kind` (alias of [`ids`]).
    pub fn records<E>(snap: &MemorySnapshot, kind: Kind, f: impl Fn(&Record) -> Option<E>) -> Vec<E>
    where
        E: Clone,
    {
        ids(snap, kind, f)
    }

    /// At most one live claim per need; each need's status agrees with its claims; claim
    /// counts; tallies equal the sums of verified fulfilments and approved hours; a gap-free
    /// event log.
    pub fn check_invariants(snap: &MemorySnapshot) -> Result<(), String> {
        // Residents' personal data is in no event, and gone from an erased resident.
        for e in &snap.events {
            for r in &e.changes {
                if let Record::Resident(x) = r {
                    ensure!(
                        x.masked && x.name.is_empty() && x.phone.is_none(),
                        "event {} holds a resident's personal data",
                        e.seq
                    );
                    ensure!(x.id_number.is_none() && x.address.is_none());
                }
            }
        }
        for r in records(snap, Kind::Resident, |r| match r {
            Record::Resident(x) => Some(x.clone()),
            _ => None,
        }) {
            if r.erased_at.is_some() {
                ensure!(
                    r.name.is_empty()
                        && r.phone.is_none()
                        && r.id_number.is_none()
                        && r.address.is_none(),
                    "erased resident {} keeps personal data",
                    r.id
                );
            }
        }
        let needs: Vec<Need> = records(snap, Kind::Need, |r| match r {
            Record::Need(n) => Some(n.clone()),
            _ => None,
        });
        let claims: Vec<Claim> = records(snap, Kind::Claim, |r| match r {
            Record::Claim(c) => Some(c.clone()),
            _ => None,
        });
        let by_id: BTreeMap<ClaimId, &Claim> = claims.iter().map(|c| (c.id, c)).collect();
        for n in &needs {
            let live: Vec<&Claim> = claims
                .iter()
                .filter(|c| c.need == n.id && c.status.is_live())
                .collect();
            ensure!(
                live.len() <= 1,
                "need {} has {} live claims",
                n.id,
                live.len()
            );
            match n.live_claim {
                Some(cid) => {
                    let c = by_id.get(&cid).expect("live claim exists");
                    ensure!(c.status.is_live());
                    ensure_eq!(live.len(), 1);
                    ensure_eq!(Some(n.status), need_status_for_live_claim(c.status));
                }
                None => {
                    ensure!(live.is_empty());
                    ensure!(!matches!(
                        n.status,
                        NeedStatus::Claimed | NeedStatus::InProgress | NeedStatus::Done
                    ));
                }
            }
            if n.status == NeedStatus::Verified {
                ensure!(claims
                    .iter()
                    .any(|c| c.need == n.id && c.status == ClaimStatus::Verified));
            }
            ensure_eq!(
                n.claim_count as usize,
                claims.iter().filter(|c| c.need == n.id).count()
            );
        }
        // Tallies equal the sums of verified fulfilments.
        let mut expected: BTreeMap<String, Tally> = BTreeMap::new();
        for c in claims.iter().filter(|c| c.status == ClaimStatus::Verified) {
            let key = format!("{:?}", c.claimant);
            expected.entry(key).or_default().add(
                c.fulfilment
                    .as_ref()
                    .expect("verified claims have a fulfilment"),
            );
        }
        let tally_of = |key: String| expected.get(&key).copied().unwrap_or_default();
        for r in snap.records.values().flat_map(|m| m.values()) {
            match r {
                Record::Member(m) => {
                    ensure_eq!(m.tally, tally_of(format!("{:?}", Claimant::Member(m.id))));
                    let approved: u64 = records(snap, Kind::Hours, |r| match r {
                        Record::Hours(h)
                            if h.member == m.id && h.status == HoursStatus::Approved =>
                        {
                            Some(u64::from(h.minutes))
                        }
                        _ => None,
                    })
                    .iter()
                    .sum();
                    ensure_eq!(m.approved_minutes, approved);
                }
                Record::Team(t) => {
                    ensure_eq!(t.tally, tally_of(format!("{:?}", Claimant::Team(t.id))))
                }
                Record::Organisation(o) => {
                    ensure_eq!(
                        o.tally,
                        tally_of(format!("{:?}", Claimant::Organisation(o.id)))
                    )
                }
                _ => {}
            }
        }
        for (i, e) in snap.events.iter().enumerate() {
            ensure_eq!(e.seq, i as u64 + 1, "event log has a gap");
        }
        Ok(())
    }

    /// The records rebuilt by applying every event's changes in order. The log never holds
    /// residents' personal data (`needbridge::rules::audit`): a replayed resident takes its
    /// name, phone, ID number and address from its record in `snap`, the one place they are
    /// kept — and everything else from the log.
    pub fn replay(snap: &MemorySnapshot) -> BTreeMap<Kind, BTreeMap<uuid_like::Id, Record>> {
        let mut out: BTreeMap<Kind, BTreeMap<uuid_like::Id, Record>> = BTreeMap::new();
        for e in &snap.events {
            for r in &e.changes {
                out.entry(r.kind())
                    .or_default()
                    .insert(uuid_like::Id(r.id().to_string()), r.clone());
            }
        }
        if let (Some(replayed), Some(kept)) = (
            out.get_mut(&Kind::Resident),
            snap.records.get(&Kind::Resident),
        ) {
            for r in replayed.values_mut() {
                let id = r.id();
                let (Record::Resident(x), Some(Record::Resident(k))) = (r, kept.get(&id)) else {
                    continue;
                };
                assert!(
                    x.name.is_empty() && x.phone.is_none() && x.id_number.is_none(),
                    "the event log holds a resident's personal data"
                );
                x.name = k.name.clone();
                x.phone = k.phone.clone();
                x.id_number = k.id_number.clone();
                x.address = k.address.clone();
                x.masked = k.masked;
            }
        }
        out
    }

    /// Uuid keys as text.
    pub mod uuid_like {
        /// A uuid as text, so this test needs no direct dependency on the uuid crate.
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
        pub struct Id(pub String);
    }

    /// Whether replaying every event's changes rebuilds exactly the records in the dump.
    pub fn replay_matches(snap: &MemorySnapshot) -> Result<(), String> {
        let replayed = replay(snap);
        let actual: BTreeMap<Kind, BTreeMap<uuid_like::Id, Record>> = snap
            .records
            .iter()
            .filter(|(_, m)| !m.is_empty())
            .map(|(k, m)| {
                (
                    *k,
                    m.values()
                        .map(|r| (uuid_like::Id(r.id().to_string()), r.clone()))
                        .collect(),
                )
            })
            .collect();
        if replayed == actual {
            Ok(())
        } else {
            Err("replaying the event log does not rebuild the state".into())
        }
    }
}

//! The main job: a whole district shaped like the seed's, built in an embedded SQLite file
//! through the public API only, then its report as a two-language table, checked figure by
//! figure against the seed; the work units' ledgers and the district report are written as
//! workbooks an office can file (`FILE-ledgers.xlsx`, `FILE-report.xlsx`).
//!
//! Run: `cargo run -p needbridge-examples --example district [FILE]` — the database is written
//! to FILE (default `district.db`; an existing file and its `-wal`/`-shm` are deleted first).
//! The process exits with a non-zero status if any figure differs from the seed's.
//!
//! Every record is made by a command run by the actor who may run it (the system, the
//! district admin, a work unit's secretary, committee staff, a member, a team's captain, an
//! organisation's contact), so every rule of the domain holds. The store is opened with
//! `synchronous=NORMAL` so the bulk load is fast. A small xorshift generator with a fixed
//! seed varies names, dates and amounts, so every run builds the same district.
//!
//! # The seed, and how each figure maps onto the report
//!
//! > 4,339 members of 110 work units reported to 59 committees, claimed 2,937 projects and
//! > completed 1,800; 306 teams, 300+ captains, 1,365 collective claims; 70 enterprises and
//! > social organisations claimed 1,500 projects, served 26,000 people and put in 1.1 million
//! > yuan; 540 households in difficulty helped, 130 things done for empty-nest elderly, 535
//! > left-behind children cared for, 131 for disabled people, 1,192 items and 131,061 yuan;
//! > 544 disputes mediated, 358 opinion talks, 196 counselling sessions; 100+ night patrols
//! > with 2,000+ person-times reaching nearly 100,000 people; 196 three-heads; 93 lectures,
//! > 137 cultural events, 818 civility checks.
//!
//! | seed | built as | report figure |
//! |---|---|---|
//! | 4,339 members reported | 4,339 certificates, each reported and accepted | `members_reported` = `members_accepted` = 4,339 |
//! | of 110 work units | members certified round-robin by 110 work units | `work_units` = 110 |
//! | to 59 committees | 6 streets (communities) holding 59 residents' committees | `committees` = 59 |
//! | claimed 2,937 projects | 2,937 individual needs claimed by members | `claims_by_members` = 2,937 |
//! | completed 1,800 | 1,800 of them completed and verified; the rest still open (active, in progress, or done awaiting the check), at most 3 per member | Σ members' tallies = 1,800 verified; `needs_verified` also counts teams' and organisations' |
//! | 306 teams, 300+ captains | 306 teams; **302** with a captain (4 just formed); every member in at least one team | `teams` = 306, `teams_with_captain` = 302, `captains` = 302 (people: none captains two teams) |
//! | 1,365 collective claims | teams claim collective needs (only teams do) | `collective_claims` = `claims_by_teams` = 1,365 |
//! | 70 organisations claimed 1,500 | 70 organisations claim 1,500 individual needs, 21 or 22 each | `organisations` = 70, `claims_by_organisations` = 1,500 |
//! | served 26,000 people, **1.1 million = 1,100,000** yuan | the fulfilments of their 1,380 verified claims | Σ organisations' tallies: 26,000 people, 110,000,000 fen |
//! | 540 / 130 / 535 / 131 helped | 1,336 residents, each in exactly one of the four groups, each with at least one verified need; no other residents; each household in difficulty is a household (户) of its own | `helped`: household_in_difficulty 540, empty_nest_elderly 130, left_behind_child 535, disabled 131; `households_helped` = 540 |
//! | 1,192 items and 131,061 yuan | the fulfilments of the members' 1,800 verified claims; teams and organisations give no items, teams no money | `items` = 1,192; Σ members' tallies = 13,106,100 fen; `money_fen` = members' + organisations' |
//! | 544 / 358 / 196 | activities: mediation, opinion_talk, counselling | `activities[…].count` |
//! | **100+ = 104** patrols, **2,000+ = 2,080** person-times, **nearly 100,000 = 98,000** people | 104 patrol activities | `activities["patrol"]` = 104 / 2,080 / 98,000 |
//! | 196 three-heads | 38 courtyard heads, 64 building heads, 94 household heads | Σ `three_heads` = 196 |
//! | 93 / 137 / 818 | activities: lecture, cultural_event, civility_supervision | `activities[…].count` |
//!
//! Choices the seed leaves open: teams verify 1,220 of their 1,365 claims and organisations
//! 1,380 of their 1,500 (the rest are still under way); 300 more needs wait unclaimed in the
//! project library.

use chrono::{DateTime, Duration, Utc};
use needbridge::command::*;
use needbridge::export::{to_xlsx, ExportOptions, Language};
use needbridge::hub::{MemberScope, NeedQuery};
use needbridge::model::*;
use needbridge::report::{ActivityFigures, Period, Report, ReportScope};
use needbridge::store::sqlite::{SqliteOptions, SqliteStore, Synchronous};
use needbridge::{Actor, Execute, Hub};
use std::cell::Cell;
use std::process::ExitCode;
use std::time::Instant;

/// Errors of this program: the Hub's, or a plan that cannot be built.
type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// The seed's figures; where the seed is approximate, the exact value chosen.
mod seed {
    /// Residents' committees.
    pub const COMMITTEES: u64 = 59;
    /// Work units whose members reported.
    pub const WORK_UNITS: u64 = 110;
    /// Members who reported (all accepted).
    pub const MEMBERS: u64 = 4_339;
    /// Individual needs claimed by members.
    pub const MEMBER_CLAIMS: u64 = 2_937;
    /// Members' claims completed (and verified).
    pub const MEMBER_VERIFIED: u64 = 1_800;
    /// Volunteer teams.
    pub const TEAMS: u64 = 306;
    /// "300+ captains".
    pub const CAPTAINS: u64 = 302;
    /// Collective claims (all by teams).
    pub const COLLECTIVE_CLAIMS: u64 = 1_365;
    /// Enterprises and social organisations that claimed.
    pub const ORGANISATIONS: u64 = 70;
    /// Needs they claimed.
    pub const ORG_CLAIMS: u64 = 1_500;
    /// People their verified work served.
    pub const ORG_PEOPLE: u64 = 26_000;
    /// "1.1 million yuan" = 1,100,000 yuan, in fen.
    pub const ORG_MONEY_FEN: u64 = 110_000_000;
    /// Households in difficulty helped.
    pub const HOUSEHOLDS_IN_DIFFICULTY: u64 = 540;
    /// Empty-nest elderly helped.
    pub const EMPTY_NEST_ELDERLY: u64 = 130;
    /// Left-behind children cared for.
    pub const LEFT_BEHIND_CHILDREN: u64 = 535;
    /// Disabled people helped.
    pub const DISABLED: u64 = 131;
    /// Items in members' verified work.
    pub const MEMBER_ITEMS: u64 = 1_192;
    /// Money in members' verified work: 131,061 yuan, in fen.
    pub const MEMBER_MONEY_FEN: u64 = 13_106_100;
    /// Disputes mediated.
    pub const MEDIATIONS: u64 = 544;
    /// Opinion talks.
    pub const OPINION_TALKS: u64 = 358;
    /// Counselling sessions.
    pub const COUNSELLING: u64 = 196;
    /// "100+ night patrols".
    pub const PATROLS: u64 = 104;
    /// "2,000+ person-times".
    pub const PATROL_PARTICIPANTS: u64 = 2_080;
    /// "nearly 100,000 people".
    pub const PATROL_REACHED: u64 = 98_000;
    /// Three-heads roles.
    pub const THREE_HEADS: u64 = 196;
    /// Lectures.
    pub const LECTURES: u64 = 93;
    /// Cultural events.
    pub const CULTURAL_EVENTS: u64 = 137;
    /// Civility checks.
    pub const CIVILITY_CHECKS: u64 = 818;
}

/// Streets (communities) the committees are spread over.
const STREETS: usize = 6;
/// Teams' claims verified (the rest under way).
const TEAM_VERIFIED: u64 = 1_220;
/// Organisations' claims verified (the rest under way).
const ORG_VERIFIED: u64 = 1_380;
/// Needs published and still waiting in the library.
const LIBRARY_WAITING: u64 = 300;
/// The three heads, by kind (adding up to [`seed::THREE_HEADS`]).
const THREE_HEADS: [(RoleKind, u64); 3] = [
    (RoleKind::CourtyardHead, 38),
    (RoleKind::BuildingHead, 64),
    (RoleKind::HouseholdHead, 94),
];
const _: () = assert!(THREE_HEADS[0].1 + THREE_HEADS[1].1 + THREE_HEADS[2].1 == seed::THREE_HEADS);
/// The residents helped, by group; each resident is in exactly one.
const HELPED: [(ResidentGroup, u64); 4] = [
    (
        ResidentGroup::HouseholdInDifficulty,
        seed::HOUSEHOLDS_IN_DIFFICULTY,
    ),
    (ResidentGroup::EmptyNestElderly, seed::EMPTY_NEST_ELDERLY),
    (ResidentGroup::LeftBehindChild, seed::LEFT_BEHIND_CHILDREN),
    (ResidentGroup::Disabled, seed::DISABLED),
];

// ------------------------------------------------------------------ helpers

/// xorshift64*: a small generator with a fixed seed, so every run builds the same district.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// An index into a slice of `len` elements.
    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }
}

/// Part `i` of `total` split as evenly as possible into `parts`; the parts add up to `total`.
fn share(total: u64, parts: usize, i: usize) -> u64 {
    let (parts, i) = (parts as u64, i as u64);
    total / parts + u64::from(i < total % parts)
}

/// `total` split into `parts` uneven amounts of at least `min` each that add up to exactly
/// `total`; with `zero_one_in` > 0, about one part in that many gets only `min`.
fn apportion(rng: &mut Rng, total: u64, parts: usize, min: u64, zero_one_in: u64) -> Vec<u64> {
    let spread = total.saturating_sub(min * parts as u64);
    let mut weights: Vec<u64> = (0..parts)
        .map(|_| {
            if zero_one_in > 0 && rng.below(zero_one_in) == 0 {
                0
            } else {
                1 + rng.below(100)
            }
        })
        .collect();
    if weights.iter().all(|w| *w == 0) {
        weights.iter_mut().for_each(|w| *w = 1);
    }
    let sum: u64 = weights.iter().sum();
    let mut out: Vec<u64> = weights.iter().map(|w| min + spread * w / sum).collect();
    let mut rest = total.saturating_sub(out.iter().sum());
    for i in (0..parts).cycle().filter(|i| weights[*i] > 0) {
        if rest == 0 {
            break;
        }
        out[i] += 1;
        rest -= 1;
    }
    out
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Fen as yuan: `13106100` → `131,061.00 元`.
fn yuan(fen: u64) -> String {
    format!("{}.{:02} 元", thousands(fen / 100), fen % 100)
}

/// Columns a string takes in a terminal: CJK and full-width characters take two.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF => 2,
            0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// `s` padded with spaces to `w` columns.
fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

// ------------------------------------------------------------------ names

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "罗", "高", "林",
];
const GIVEN: [&str; 24] = [
    "芳", "强", "丽", "杰", "敏", "涛", "静", "磊", "燕", "军", "娟", "勇", "艳", "伟", "霞", "明",
    "华", "平", "刚", "英", "波", "红", "鹏", "玲",
];
const STREET_NAMES: [&str; STREETS] = [
    "荷城街道",
    "黄土坡街道",
    "杨柳街道",
    "荷泉街道",
    "凤凰街道",
    "德坞街道",
];
const PLACES: [&str; 30] = [
    "凤凰",
    "明湖",
    "水月",
    "钟山",
    "荷花",
    "翠屏",
    "德坞",
    "红岩",
    "场坝",
    "黄土坡",
    "杨柳",
    "荷泉",
    "老鹰山",
    "大湾",
    "月照",
    "汪家寨",
    "人民路",
    "建设路",
    "中山路",
    "麒麟",
    "锦绣",
    "桃园",
    "桂花",
    "向阳",
    "光明",
    "幸福",
    "和平",
    "文化",
    "东风",
    "西城",
];
const BUREAUS: [&str; 22] = [
    "区财政局",
    "区教育局",
    "区卫生健康局",
    "区民政局",
    "区人力资源和社会保障局",
    "区住房和城乡建设局",
    "区交通运输局",
    "区农业农村局",
    "区司法局",
    "区审计局",
    "区统计局",
    "区应急管理局",
    "区市场监督管理局",
    "区生态环境分局",
    "区文体广电旅游局",
    "区水务局",
    "区自然资源分局",
    "区医疗保障局",
    "区退役军人事务局",
    "区税务局",
    "区人民法院",
    "区人民检察院",
];

/// A person's name, varied by `n`.
fn person(n: usize) -> String {
    format!(
        "{}{}{}",
        SURNAMES[n % SURNAMES.len()],
        GIVEN[(n / SURNAMES.len()) % GIVEN.len()],
        GIVEN[(n * 7 + 3) % GIVEN.len()]
    )
}

/// The name of work unit `i`: the bureaus, then schools and clinics.
fn work_unit_name(i: usize) -> String {
    match BUREAUS.get(i) {
        Some(b) => format!("钟山{b}"),
        None => {
            let k = i - BUREAUS.len();
            let kind = ["小学", "中学", "幼儿园", "卫生院"][k % 4];
            format!("钟山区第{}{kind}", k / 4 + 1)
        }
    }
}

/// The name and kind of organisation `i`: enterprises and social organisations alternate.
fn organisation_name(i: usize) -> (String, OrganisationKind) {
    const P: [&str; 7] = ["钟山", "凉都", "水城", "乌蒙", "夜郎", "荷城", "月照"];
    let j = i / 2;
    if i.is_multiple_of(2) {
        const Q: [&str; 5] = ["建材", "煤业", "物流", "商贸", "实业"];
        let name = format!("六盘水{}{}有限公司", P[j % 7], Q[(j / 7) % 5]);
        (name, OrganisationKind::Enterprise)
    } else {
        const R: [&str; 5] = [
            "社工服务中心",
            "志愿者协会",
            "慈善会",
            "助老服务社",
            "青少年服务中心",
        ];
        let name = format!("钟山区{}{}", P[j % 7], R[(j / 7) % 5]);
        (name, OrganisationKind::SocialOrganisation)
    }
}

/// Team kinds with their Chinese names, cycled through at each committee.
const TEAM_KINDS: [(TeamKind, &str, Channel); 8] = [
    (TeamKind::HomeElderCare, "居家养老服务队", Channel::Family),
    (TeamKind::SecurityPatrol, "治安巡逻队", Channel::Grid),
    (
        TeamKind::DisputeMediation,
        "矛盾纠纷调解队",
        Channel::Courtyard,
    ),
    (TeamKind::PolicyPublicity, "政策宣传队", Channel::Community),
    (TeamKind::CultureSports, "文体活动队", Channel::Community),
    (TeamKind::MedicalHealth, "医疗卫生服务队", Channel::Family),
    (TeamKind::LegalAid, "法律援助队", Channel::Courtyard),
    (TeamKind::AmateurArts, "文艺演出队", Channel::Community),
];

/// Individual needs that suit a resident of each group: (title, category, estimated fen).
fn individual_needs(group: ResidentGroup) -> &'static [(&'static str, &'static str, i64)] {
    match group {
        ResidentGroup::LeftBehindChild => &[
            ("一个新书包", "study_supplies", 8_000),
            ("一套课外读物", "reading_material", 5_000),
            ("去看一场电影", "outing_or_film", 6_000),
            ("一套益智玩具", "toys", 10_000),
        ],
        ResidentGroup::EmptyNestElderly => &[
            ("每周上门陪伴聊天", "companionship", 0),
            ("过年的年货", "festival_goods", 30_000),
            ("上门量血压", "health", 0),
        ],
        ResidentGroup::Disabled => &[
            ("一副拐杖", "mobility_aids", 20_000),
            ("一辆轮椅", "mobility_aids", 60_000),
            ("康复训练指导", "health", 0),
        ],
        _ => &[
            ("米面油", "festival_goods", 20_000),
            ("低保政策咨询", "policy_legal_advice", 0),
            ("冬季棉被", "festival_goods", 15_000),
        ],
    }
}

/// Collective needs, which take a team: (title, category).
const COLLECTIVE_NEEDS: [(&str, &str); 7] = [
    ("调解邻里纠纷", "dispute_mediation"),
    ("楼栋夜间巡逻", "security"),
    ("社区义诊", "health"),
    ("院坝文艺演出", "culture"),
    ("居家养老上门服务", "elder_care"),
    ("法律知识讲座", "policy_legal_advice"),
    ("困难家庭房屋修缮", "companionship"),
];

// ------------------------------------------------------------------ the build

/// One residents' committee as the build knows it.
struct Committee {
    id: UnitId,
    staff: Actor,
    /// Accepted members, in reporting order.
    members: Vec<MemberId>,
    /// Teams and their captains (`None`: not appointed yet).
    teams: Vec<(TeamId, Option<MemberId>)>,
    /// Residents and the one group each is in.
    residents: Vec<(ResidentId, ResidentGroup)>,
}

/// What verified work puts in, drawn in order so the totals come out exact.
struct Fulfilments {
    /// Members' verified claims: (items, yuan).
    members: std::vec::IntoIter<(u64, u64)>,
    /// Organisations' verified claims: (people served, yuan).
    organisations: std::vec::IntoIter<(u64, u64)>,
}

impl Fulfilments {
    /// Splits the seed's totals over the verified claims, unevenly.
    fn plan(rng: &mut Rng) -> Fulfilments {
        let n = seed::MEMBER_VERIFIED as usize;
        let items = apportion(rng, seed::MEMBER_ITEMS, n, 0, 2);
        let yuan = apportion(rng, seed::MEMBER_MONEY_FEN / 100, n, 0, 4);
        let n = ORG_VERIFIED as usize;
        let people = apportion(rng, seed::ORG_PEOPLE, n, 1, 0);
        // Organisations give in hundreds of yuan.
        let hundreds = apportion(rng, seed::ORG_MONEY_FEN / 10_000, n, 1, 0);
        Fulfilments {
            members: items.into_iter().zip(yuan).collect::<Vec<_>>().into_iter(),
            organisations: people
                .into_iter()
                .zip(hundreds.into_iter().map(|h| h * 100))
                .collect::<Vec<_>>()
                .into_iter(),
        }
    }
}

/// A fulfilment record.
fn fulfilment(money_yuan: u64, items: u64, what: &str, minutes: u64, people: u64) -> Fulfilment {
    Fulfilment {
        money_fen: (money_yuan * 100) as i64,
        items: if items > 0 {
            vec![Item {
                count: items as u32,
                description: what.into(),
            }]
        } else {
            vec![]
        },
        minutes: minutes as u32,
        people_served: people as u32,
        evidence: vec![format!("photo://{what}.jpg")],
        note: String::new(),
        roster: Vec::new(),
    }
}

/// The district being built: the Hub and what the build has made so far.
struct Builder {
    hub: Hub,
    rng: Rng,
    now: DateTime<Utc>,
    admin: Actor,
    district: UnitId,
    committees: Vec<Committee>,
    work_units: Vec<WorkUnitId>,
    organisations: Vec<OrganisationId>,
    /// Commands run so far.
    commands: Cell<u64>,
}

impl Builder {
    /// Runs one command, counting it.
    fn run<C: Execute>(&self, actor: &Actor, command: C) -> Res<C::Output> {
        self.commands.set(self.commands.get() + 1);
        Ok(self.hub.run(actor, command)?)
    }

    /// The district, its streets and committees; work units and organisations.
    fn structure(hub: Hub) -> Res<Builder> {
        let now = hub.now();
        let district = hub
            .run(
                &Actor::System,
                CreateUnit {
                    kind: UnitKind::District,
                    name: "钟山区".into(),
                    parent: None,
                },
            )?
            .id;
        let mut b = Builder {
            hub,
            rng: Rng(0x5EED_2026_0001),
            now,
            admin: Actor::DistrictAdmin { district },
            district,
            committees: Vec::new(),
            work_units: Vec::new(),
            organisations: Vec::new(),
            commands: Cell::new(1),
        };
        let n = seed::COMMITTEES as usize;
        let mut place = 0;
        for (s, street) in STREET_NAMES.iter().enumerate() {
            let street = b.run(
                &b.admin,
                CreateUnit {
                    kind: UnitKind::Community,
                    name: (*street).into(),
                    parent: Some(district),
                },
            )?;
            for _ in 0..share(seed::COMMITTEES, STREETS, s) {
                let suffix = if place >= PLACES.len() { "新村" } else { "" };
                let name = format!("{}{suffix}社区居委会", PLACES[place % PLACES.len()]);
                let c = b.run(
                    &b.admin,
                    CreateUnit {
                        kind: UnitKind::Committee,
                        name,
                        parent: Some(street.id),
                    },
                )?;
                b.committees.push(Committee {
                    id: c.id,
                    staff: Actor::CommitteeStaff { unit: c.id },
                    members: Vec::with_capacity(80),
                    teams: Vec::new(),
                    residents: Vec::new(),
                });
                place += 1;
            }
        }
        debug_assert_eq!(b.committees.len(), n);
        for i in 0..seed::WORK_UNITS as usize {
            let name = work_unit_name(i);
            let w = b.run(
                &b.admin,
                RegisterWorkUnit {
                    party_organisation: format!("{name}党支部"),
                    name,
                },
            )?;
            b.work_units.push(w.id);
        }
        for i in 0..seed::ORGANISATIONS as usize {
            let (name, kind) = organisation_name(i);
            let o = b.run(
                &b.admin,
                RegisterOrganisation {
                    name,
                    kind,
                    contact_name: person(i + 7),
                    contact_phone: format!("1398500{:04}", i),
                    district,
                },
            )?;
            b.organisations.push(o.id);
        }
        Ok(b)
    }

    /// Each work unit certifies its members; they report where they live and are accepted.
    fn members(&mut self) -> Res<()> {
        let n = self.committees.len();
        let mut g = 0usize;
        for i in 0..n {
            let committee = self.committees[i].id;
            let staff = self.committees[i].staff;
            let mut accepted = Vec::new();
            for _ in 0..share(seed::MEMBERS, n, i) {
                let work_unit = self.work_units[g % self.work_units.len()];
                let m = self.run(
                    &Actor::WorkUnitSecretary { work_unit },
                    IssueCertificate {
                        work_unit,
                        name: person(g),
                        phone: Some(format!("1398{:07}", g)),
                        id_number: None,
                        number: format!("ZS-BD-2026-{:05}", g + 1),
                        deadline: self.now + Duration::days(30),
                    },
                )?;
                let skills = ["教师", "医生", "律师", "会计", "工程师", "社工"];
                self.run(
                    &Actor::Member { member: m.id },
                    ReportMember {
                        member: m.id,
                        committee,
                        commitment: "每月到社区服务不少于一次，认领并办好群众的微心愿".into(),
                        skills: vec![skills[g % skills.len()].into()],
                    },
                )?;
                self.run(
                    &staff,
                    AcceptReport {
                        member: m.id,
                        note: None,
                    },
                )?;
                accepted.push(m.id);
                g += 1;
            }
            self.committees[i].members = accepted;
        }
        Ok(())
    }

    /// Teams at each committee, their captains (all but [`seed::TEAMS`] −
    /// [`seed::CAPTAINS`] of them), and every member in at least one team.
    fn teams(&mut self) -> Res<()> {
        let n = self.committees.len();
        let without_captain = (seed::TEAMS - seed::CAPTAINS) as usize;
        for i in 0..n {
            let (committee, staff) = (self.committees[i].id, self.committees[i].staff);
            let members = self.committees[i].members.clone();
            let count = share(seed::TEAMS, n, i) as usize;
            let place = PLACES[i % PLACES.len()];
            let mut teams = Vec::new();
            for t in 0..count {
                let (kind, label, channel) = TEAM_KINDS[(i + t) % TEAM_KINDS.len()];
                let team = self.run(
                    &staff,
                    FormTeam {
                        committee,
                        kind,
                        name: format!("{place}{label}"),
                        channel,
                        grid: None,
                    },
                )?;
                // The last team of the first few committees is still waiting for a captain.
                let captain = if t + 1 == count && i < without_captain {
                    None
                } else {
                    Some(members[t])
                };
                if let Some(member) = captain {
                    self.run(
                        &staff,
                        AppointCaptain {
                            team: team.id,
                            member,
                        },
                    )?;
                }
                teams.push((team.id, captain));
            }
            for (j, member) in members.iter().enumerate() {
                let (team, captain) = teams[j % teams.len()];
                if captain != Some(*member) {
                    self.run(
                        &Actor::Member { member: *member },
                        JoinTeam {
                            team,
                            member: *member,
                        },
                    )?;
                }
            }
            self.committees[i].teams = teams;
        }
        Ok(())
    }

    /// The residents each committee helps, each in exactly one of the four groups; each
    /// household in difficulty (困难家庭) is a household (户) of its own.
    fn residents(&mut self) -> Res<()> {
        let n = self.committees.len();
        let mut g = 0usize;
        for i in 0..n {
            let (committee, staff) = (self.committees[i].id, self.committees[i].staff);
            let mut residents = Vec::new();
            for (k, (group, total)) in HELPED.iter().enumerate() {
                // Rotate which committees get the remainder, group by group.
                for _ in 0..share(*total, n, (i + k * 15) % n) {
                    let household = match group {
                        ResidentGroup::HouseholdInDifficulty => Some(
                            self.run(
                                &staff,
                                RegisterHousehold {
                                    committee,
                                    grid: None,
                                },
                            )?
                            .id,
                        ),
                        _ => None,
                    };
                    let r = self.run(
                        &staff,
                        RegisterResident {
                            committee,
                            grid: None,
                            name: person(g * 13 + 5),
                            phone: None,
                            id_number: None,
                            address: Some(format!(
                                "{}栋{}单元{}室",
                                1 + g % 12,
                                1 + g % 3,
                                101 + (g % 6) * 100 + g % 4
                            )),
                            groups: vec![*group],
                            household,
                        },
                    )?;
                    residents.push((r.id, *group));
                    g += 1;
                }
            }
            self.committees[i].residents = residents;
        }
        Ok(())
    }

    /// Drafts and publishes a need for a resident.
    fn publish(
        &mut self,
        c: usize,
        resident: (ResidentId, ResidentGroup),
        scale: Scale,
    ) -> Res<Need> {
        let (title, category, fen) = match scale {
            Scale::Individual => {
                let options = individual_needs(resident.1);
                options[self.rng.index(options.len())]
            }
            Scale::Collective => {
                let (title, category) = COLLECTIVE_NEEDS[self.rng.index(COLLECTIVE_NEEDS.len())];
                (title, category, 0)
            }
        };
        let channel = Channel::ALL[self.rng.index(Channel::ALL.len())];
        let wanted_by = self.now + Duration::days(self.rng.range(20, 90) as i64);
        let (committee, staff) = (self.committees[c].id, self.committees[c].staff);
        let need = self.run(
            &staff,
            DraftNeed {
                committee,
                grid: None,
                resident: Some(resident.0),
                institution: None,
                title: title.into(),
                description: format!("{title}（居民提出，社区核实）"),
                category: category.into(),
                channel,
                scale,
                estimated_cost_fen: fen,
                wanted_by,
                beneficiaries: Vec::new(),
                recurrence: None,
                place: None,
                location: None,
            },
        )?;
        self.run(&staff, PublishNeed { need: need.id })
    }

    /// Claims a need for `claimant` (acting as `actor`), promising it in a week.
    fn claim(&self, actor: &Actor, need: &Need, claimant: Claimant) -> Res<Claim> {
        self.run(
            actor,
            ClaimNeed {
                need: need.id,
                claimant,
                promised_by: self.now + Duration::days(7),
            },
        )
    }

    /// Completes a claim with `f` and has the committee verify it.
    fn complete_and_verify(
        &self,
        c: usize,
        actor: &Actor,
        claim: &Claim,
        f: Fulfilment,
    ) -> Res<()> {
        self.run(
            actor,
            CompleteClaim {
                claim: claim.id,
                fulfilment: f,
            },
        )?;
        self.run(&self.committees[c].staff, VerifyClaim { claim: claim.id })?;
        // The resident's feedback, as the committee records it on its return visit: one in
        // twenty-five not satisfied.
        let feedback = if claim.id.0.as_u128().is_multiple_of(25) {
            Feedback::NotSatisfied
        } else {
            Feedback::Satisfied
        };
        self.run(
            &self.committees[c].staff,
            RecordFeedback {
                need: claim.need,
                feedback,
                wanted_by: None,
            },
        )?;
        Ok(())
    }

    /// Leaves an open claim in one of its live states: just claimed, in progress, or done
    /// and waiting for the committee's check.
    fn leave_open(&self, k: usize, actor: &Actor, claim: &Claim, f: Fulfilment) -> Res<()> {
        if k % 3 >= 1 {
            self.run(actor, StartWork { claim: claim.id })?;
        }
        if k % 3 == 2 {
            self.run(
                actor,
                CompleteClaim {
                    claim: claim.id,
                    fulfilment: f,
                },
            )?;
        }
        Ok(())
    }

    /// Committee `c`'s project library and the work done on it: members', teams' and
    /// organisations' claims, verified ones first so that every resident is helped.
    fn work(&mut self, c: usize, fulfilments: &mut Fulfilments, next_org: &mut usize) -> Res<()> {
        let n = self.committees.len();
        let member_verified = share(seed::MEMBER_VERIFIED, n, c) as usize;
        let member_open = share(seed::MEMBER_CLAIMS, n, c) as usize - member_verified;
        let team_verified = share(TEAM_VERIFIED, n, c) as usize;
        let team_open = share(seed::COLLECTIVE_CLAIMS, n, c) as usize - team_verified;
        let org_verified = share(ORG_VERIFIED, n, c) as usize;
        let org_open = share(seed::ORG_CLAIMS, n, c) as usize - org_verified;
        let residents = self.committees[c].residents.clone();
        let members = self.committees[c].members.clone();
        let captained: Vec<(TeamId, MemberId)> = self.committees[c]
            .teams
            .iter()
            .filter_map(|(t, m)| m.map(|m| (*t, m)))
            .collect();
        if member_verified < residents.len() || members.is_empty() || captained.is_empty() {
            return Err(
                format!("committee {c}: the plan leaves a resident without verified work").into(),
            );
        }
        // Needs go to the residents in turn; the first needs are all verified, so every
        // resident gets at least one verified need.
        let mut turn = 0usize;
        let mut next_resident = || {
            turn += 1;
            residents[(turn - 1) % residents.len()]
        };

        // Members: verified claims, then open ones (at most 3 open per member).
        for _ in 0..member_verified {
            let need = self.publish(c, next_resident(), Scale::Individual)?;
            let m = members[self.rng.index(members.len())];
            let actor = Actor::Member { member: m };
            let claim = self.claim(&actor, &need, Claimant::Member(m))?;
            let (items, money) = fulfilments
                .members
                .next()
                .ok_or("ran out of members' work")?;
            let minutes = self.rng.range(30, 240);
            let f = fulfilment(money, items, &need.title, minutes, 1);
            self.complete_and_verify(c, &actor, &claim, f)?;
        }
        let mut open = vec![0u32; members.len()];
        for k in 0..member_open {
            let need = self.publish(c, next_resident(), Scale::Individual)?;
            let mut j = self.rng.index(members.len());
            while open[j] >= 3 {
                j = (j + 1) % members.len();
            }
            open[j] += 1;
            let actor = Actor::Member { member: members[j] };
            let claim = self.claim(&actor, &need, Claimant::Member(members[j]))?;
            self.leave_open(k, &actor, &claim, fulfilment(0, 0, &need.title, 60, 1))?;
        }

        // Teams, through their captains, on collective needs.
        for k in 0..team_verified + team_open {
            let need = self.publish(c, next_resident(), Scale::Collective)?;
            let (team, captain) = captained[k % captained.len()];
            let actor = Actor::Member { member: captain };
            let claim = self.claim(&actor, &need, Claimant::Team(team))?;
            let (minutes, people) = (self.rng.range(60, 600), self.rng.range(2, 40));
            let f = fulfilment(0, 0, &need.title, minutes, people);
            if k < team_verified {
                self.complete_and_verify(c, &actor, &claim, f)?;
            } else {
                self.leave_open(k, &actor, &claim, f)?;
            }
        }

        // Organisations, through their contacts, in turn across the district.
        for k in 0..org_verified + org_open {
            let need = self.publish(c, next_resident(), Scale::Individual)?;
            let org = self.organisations[*next_org % self.organisations.len()];
            *next_org += 1;
            let actor = Actor::OrganisationContact { organisation: org };
            let claim = self.claim(&actor, &need, Claimant::Organisation(org))?;
            let minutes = self.rng.range(60, 240);
            if k < org_verified {
                let (people, money) = fulfilments
                    .organisations
                    .next()
                    .ok_or("ran out of organisations' work")?;
                let f = fulfilment(money, 0, &need.title, minutes, people);
                self.complete_and_verify(c, &actor, &claim, f)?;
            } else {
                self.run(&actor, StartWork { claim: claim.id })?;
            }
        }

        // Needs still waiting in the library.
        for _ in 0..share(LIBRARY_WAITING, n, c) {
            self.publish(c, next_resident(), Scale::Individual)?;
        }
        Ok(())
    }

    /// The counted activities, held over the past year at committees across the district.
    fn activities(&mut self) -> Res<()> {
        let kinds = [
            (ActivityKind::Mediation, seed::MEDIATIONS, "矛盾纠纷调解"),
            (
                ActivityKind::OpinionTalk,
                seed::OPINION_TALKS,
                "群众意见恳谈会",
            ),
            (ActivityKind::Counselling, seed::COUNSELLING, "心理疏导"),
            (ActivityKind::Patrol, seed::PATROLS, "夜间巡防"),
            (ActivityKind::Lecture, seed::LECTURES, "政策宣讲"),
            (
                ActivityKind::CulturalEvent,
                seed::CULTURAL_EVENTS,
                "文体活动",
            ),
            (
                ActivityKind::CivilitySupervision,
                seed::CIVILITY_CHECKS,
                "文明监督",
            ),
        ];
        let patrols = seed::PATROLS as usize;
        let participants = apportion(&mut self.rng, seed::PATROL_PARTICIPANTS, patrols, 12, 0);
        let reached = apportion(&mut self.rng, seed::PATROL_REACHED, patrols, 300, 0);
        for (kind, count, title) in kinds {
            for k in 0..count as usize {
                let c = self.rng.index(self.committees.len());
                let (people, reach) = match kind {
                    ActivityKind::Patrol => (participants[k], reached[k]),
                    ActivityKind::Mediation | ActivityKind::Counselling => {
                        (self.rng.range(2, 5), self.rng.range(2, 6))
                    }
                    _ => (self.rng.range(5, 30), self.rng.range(20, 300)),
                };
                let held_at = self.now
                    - Duration::days(self.rng.range(1, 330) as i64)
                    - Duration::minutes(self.rng.range(0, 600) as i64);
                let channel = Channel::ALL[self.rng.index(Channel::ALL.len())];
                self.run(
                    &self.committees[c].staff,
                    RecordActivity {
                        committee: self.committees[c].id,
                        kind,
                        title: title.into(),
                        channel,
                        team: None,
                        held_at,
                        participants: people as u32,
                        people_reached: reach as u32,
                        grid: None,
                        place: None,
                        roster: Vec::new(),
                        location: None,
                    },
                )?;
            }
        }
        Ok(())
    }

    /// The three heads: members given courtyard, building and household roles.
    fn three_heads(&mut self) -> Res<()> {
        let n = self.committees.len();
        let mut k = 0usize;
        for (kind, count) in THREE_HEADS {
            for _ in 0..count {
                let c = &self.committees[k % n];
                let member = c.members[(k / n) % c.members.len()];
                let scope = match kind {
                    RoleKind::CourtyardHead => format!("{}号院", 1 + k % 9),
                    RoleKind::BuildingHead => format!("{}栋", 1 + k % 12),
                    _ => format!("{}栋{}单元", 1 + k % 12, 1 + k % 3),
                };
                self.run(
                    &c.staff,
                    AssignRole {
                        member,
                        kind,
                        scope,
                        grid: None,
                    },
                )?;
                k += 1;
            }
        }
        Ok(())
    }
}

// ------------------------------------------------------------------ the report

/// What public reads add to the report: verified work by kind of claimant (the report sums
/// it into one figure), and members in no team.
#[derive(Default)]
struct Reads {
    member_verified: u64,
    member_items: u64,
    member_money_fen: u64,
    org_people: u64,
    org_money_fen: u64,
    members_without_team: u64,
    /// Verified needs in the library with satisfied / not-satisfied feedback.
    satisfied: u64,
    not_satisfied: u64,
}

impl Reads {
    /// Reads them as the district admin.
    fn of(b: &Builder) -> Res<Reads> {
        let mut r = Reads::default();
        for m in b
            .hub
            .members(&b.admin, MemberScope::Unit(b.district), &[])?
        {
            r.member_verified += m.tally.claims_verified;
            r.member_items += m.tally.items;
            r.member_money_fen += u64::try_from(m.tally.money_fen)?;
        }
        for o in b.hub.organisations(&b.admin)? {
            r.org_people += o.tally.people_served;
            r.org_money_fen += u64::try_from(o.tally.money_fen)?;
        }
        for c in &b.committees {
            r.members_without_team += b.hub.members_without_team(&b.admin, c.id)?.len() as u64;
        }
        // Feedback, need by need from the library (the report counts it from its cells):
        // verified needs, and those reopened by a resident not satisfied.
        let mut q = NeedQuery {
            unit: Some(b.district),
            statuses: vec![NeedStatus::Verified, NeedStatus::Reopened],
            limit: 1000,
            ..Default::default()
        };
        loop {
            let page = b.hub.library(&b.admin, &q)?;
            for n in &page.needs {
                match n.feedback {
                    Some(Feedback::Satisfied) => r.satisfied += 1,
                    Some(Feedback::NotSatisfied) => r.not_satisfied += 1,
                    None => {}
                }
            }
            match page.next {
                Some(next) => q.after = Some(next),
                None => break,
            }
        }
        Ok(r)
    }
}

/// Residents helped in one group, from the report.
fn helped(report: &Report, g: ResidentGroup) -> u64 {
    report.data.helped.get(g.as_str()).copied().unwrap_or(0)
}

/// Activities of one kind, from the report.
fn activity(report: &Report, k: ActivityKind) -> ActivityFigures {
    report
        .data
        .activities
        .get(k.as_str())
        .copied()
        .unwrap_or_default()
}

/// Three-heads roles of one kind (`None`: of every kind), from the report.
fn heads(report: &Report, k: Option<RoleKind>) -> u64 {
    let d = &report.data.three_heads;
    match k {
        Some(k) => d.get(k.as_str()).copied().unwrap_or(0),
        None => d.values().sum(),
    }
}

/// Prints the report as a table: 中文 | English | value. A row with no value heads a section.
#[rustfmt::skip]
fn print_table(report: &Report) {
    use ActivityKind as A;
    use ResidentGroup as G;
    let d = &report.data;
    let f = &d.needs;
    let n = thousands;
    let section = |zh: &str, en: &str| (zh.to_string(), en.to_string(), String::new());
    let row = |zh: &str, en: &str, v: String| (format!("  {zh}"), format!("  {en}"), v);
    let patrol = activity(report, A::Patrol);
    let rows = [
        section("报到", "Reporting"),
        row("居委会", "residents' committees", n(d.committees)),
        row("单位", "work units whose members reported", n(d.work_units)),
        row("报到党员", "members reported", n(d.members_reported)),
        row("接收报到", "reports accepted", n(d.members_accepted)),
        section("项目库与认领", "Project library and claims"),
        row("收集需求", "needs collected", n(f.needs_collected)),
        row("发布需求", "needs published (incl. still waiting)", n(f.needs_published)),
        row("被认领需求", "needs claimed", n(f.needs_claimed)),
        row("已完成需求", "needs done (incl. verified)", n(f.needs_done)),
        row("已验收需求", "needs verified (all claimants)", n(f.needs_verified)),
        row("党员认领", "claims by members", n(f.claims_by_members)),
        row("服务队认领", "claims by teams", n(f.claims_by_teams)),
        row("企业和社会组织认领", "claims by organisations", n(f.claims_by_organisations)),
        row("集体项目认领", "claims on collective needs", n(f.collective_claims)),
        row("完成认领", "claims completed (incl. verified)", n(f.claims_completed)),
        row("验收认领", "claims verified", n(f.claims_verified)),
        section("验收的投入", "What verified work put in"),
        row("资金", "money (members' and organisations')", yuan(u64::try_from(f.money_fen).unwrap_or(0))),
        row("物品", "items (members' only)", n(f.items)),
        row("服务时长（小时）", "hours of service", n(f.minutes / 60)),
        row("服务人数", "people served", n(f.people_served)),
        section("服务队与组织", "Teams and organisations"),
        row("志愿服务队", "volunteer teams", n(d.teams)),
        row("有队长的服务队", "teams with a captain", n(d.teams_with_captain)),
        row("队长（人）", "captains (people)", n(d.captains)),
        row("参与的企业和社会组织", "organisations that claimed", n(d.organisations)),
        section("帮扶", "Residents helped"),
        row("帮扶居民", "residents helped", n(d.residents_helped)),
        row("帮扶户数", "households helped", n(d.households_helped)),
        row(
            "满意率",
            "satisfaction (verified needs with feedback)",
            d.satisfaction_permille()
                .map_or("—".to_string(), |p| format!("{}.{}%", p / 10, p % 10)),
        ),
        row("困难家庭", "households in difficulty", n(helped(report, G::HouseholdInDifficulty))),
        row("空巢老人", "empty-nest elderly", n(helped(report, G::EmptyNestElderly))),
        row("留守儿童", "left-behind children", n(helped(report, G::LeftBehindChild))),
        row("残疾人", "disabled people", n(helped(report, G::Disabled))),
        row("结对帮扶", "pairings", n(d.pairings)),
        row("登记服务时长（小时）", "approved logged hours", n(d.hours_minutes / 60)),
        section("活动", "Activities"),
        row("矛盾调解", "disputes mediated", n(activity(report, A::Mediation).count)),
        row("恳谈", "opinion talks", n(activity(report, A::OpinionTalk).count)),
        row("疏导", "counselling sessions", n(activity(report, A::Counselling).count)),
        row("巡防", "patrols", n(patrol.count)),
        row("巡防参与人次", "patrol person-times", n(patrol.participants)),
        row("巡防覆盖人数", "people reached by patrols", n(patrol.people_reached)),
        row("宣讲", "lectures", n(activity(report, A::Lecture).count)),
        row("文体活动", "cultural events", n(activity(report, A::CulturalEvent).count)),
        row("文明监督", "civility checks", n(activity(report, A::CivilitySupervision).count)),
        section("三长", "Three heads"),
        row("院长", "courtyard heads", n(heads(report, Some(RoleKind::CourtyardHead)))),
        row("楼长", "building heads", n(heads(report, Some(RoleKind::BuildingHead)))),
        row("户长", "household heads", n(heads(report, Some(RoleKind::HouseholdHead)))),
        row("合计", "in all", n(heads(report, None))),
    ];
    let wz = rows.iter().map(|r| width(&r.0)).max().unwrap_or(0);
    let we = rows.iter().map(|r| width(&r.1)).max().unwrap_or(0);
    let wv = rows.iter().map(|r| width(&r.2)).max().unwrap_or(0);
    let rule = format!("+-{}-+-{}-+-{}-+", "-".repeat(wz), "-".repeat(we), "-".repeat(wv));
    println!("{rule}");
    println!("| {} | {} | {} |", pad("项目", wz), pad("figure", we), pad("value", wv));
    for (zh, en, value) in &rows {
        if value.is_empty() {
            println!("{rule}");
        }
        let value = format!("{}{value}", " ".repeat(wv - width(value)));
        println!("| {} | {} | {value} |", pad(zh, wz), pad(en, we));
    }
    println!("{rule}");
}

/// One seed figure next to what was built.
struct Check {
    /// What is counted.
    what: &'static str,
    /// The seed's words for it.
    seed: &'static str,
    /// The exact value chosen for it.
    want: u64,
    /// What the district has.
    got: u64,
    /// Where `got` comes from.
    source: &'static str,
    /// Whether the values are fen, shown as yuan.
    money: bool,
}

/// Every seed figure, compared and printed one a line; returns whether all agree.
#[rustfmt::skip]
fn compare(report: &Report, r: &Reads) -> bool {
    use ActivityKind as A;
    use ResidentGroup as G;
    let d = &report.data;
    let f = &d.needs;
    let count = |what, seed, want, got, source| Check { what, seed, want, got, source, money: false };
    let money = |what, seed, want, got, source| Check { what, seed, want, got, source, money: true };
    let act = |k| activity(report, k);
    let report_money = u64::try_from(f.money_fen).unwrap_or(0);
    let checks = [
        count("members reported", "4,339", seed::MEMBERS, d.members_reported, "report: members_reported"),
        count("members accepted", "4,339", seed::MEMBERS, d.members_accepted, "report: members_accepted"),
        count("work units", "110", seed::WORK_UNITS, d.work_units, "report: work_units"),
        count("committees", "59", seed::COMMITTEES, d.committees, "report: committees"),
        count("projects claimed by members", "2,937", seed::MEMBER_CLAIMS, f.claims_by_members, "report: claims_by_members"),
        count("members' projects completed", "1,800", seed::MEMBER_VERIFIED, r.member_verified, "members' tallies"),
        count("teams", "306", seed::TEAMS, d.teams, "report: teams"),
        count("captains (people)", "300+", seed::CAPTAINS, d.captains, "report: captains"),
        count("  teams with a captain", "300+", seed::CAPTAINS, d.teams_with_captain, "report: teams_with_captain"),
        count("collective claims", "1,365", seed::COLLECTIVE_CLAIMS, f.collective_claims, "report: collective_claims"),
        count("  of them by teams", "1,365", seed::COLLECTIVE_CLAIMS, f.claims_by_teams, "report: claims_by_teams"),
        count("members in no team", "every member in a team", 0, r.members_without_team, "members_without_team"),
        count("organisations", "70", seed::ORGANISATIONS, d.organisations, "report: organisations"),
        count("projects claimed by organisations", "1,500", seed::ORG_CLAIMS, f.claims_by_organisations, "report: claims_by_organisations"),
        count("people served by organisations", "26,000", seed::ORG_PEOPLE, r.org_people, "organisations' tallies"),
        money("money from organisations", "1.1 million yuan", seed::ORG_MONEY_FEN, r.org_money_fen, "organisations' tallies"),
        count("households in difficulty helped", "540", seed::HOUSEHOLDS_IN_DIFFICULTY, helped(report, G::HouseholdInDifficulty), "report: helped"),
        count("  as households (户)", "540", seed::HOUSEHOLDS_IN_DIFFICULTY, d.households_helped, "report: households_helped"),
        count("empty-nest elderly helped", "130", seed::EMPTY_NEST_ELDERLY, helped(report, G::EmptyNestElderly), "report: helped"),
        count("left-behind children cared for", "535", seed::LEFT_BEHIND_CHILDREN, helped(report, G::LeftBehindChild), "report: helped"),
        count("disabled people helped", "131", seed::DISABLED, helped(report, G::Disabled), "report: helped"),
        count("items", "1,192", seed::MEMBER_ITEMS, f.items, "report: items"),
        count("  of them from members", "1,192", seed::MEMBER_ITEMS, r.member_items, "members' tallies"),
        money("money from members", "131,061 yuan", seed::MEMBER_MONEY_FEN, r.member_money_fen, "members' tallies"),
        money("money, members' and organisations'", "131,061 + 1.1 million", seed::MEMBER_MONEY_FEN + seed::ORG_MONEY_FEN, report_money, "report: money_fen"),
        count("disputes mediated", "544", seed::MEDIATIONS, act(A::Mediation).count, "report: activities"),
        count("opinion talks", "358", seed::OPINION_TALKS, act(A::OpinionTalk).count, "report: activities"),
        count("counselling sessions", "196", seed::COUNSELLING, act(A::Counselling).count, "report: activities"),
        count("night patrols", "100+", seed::PATROLS, act(A::Patrol).count, "report: activities"),
        count("patrol person-times", "2,000+", seed::PATROL_PARTICIPANTS, act(A::Patrol).participants, "report: activities"),
        count("people reached by patrols", "nearly 100,000", seed::PATROL_REACHED, act(A::Patrol).people_reached, "report: activities"),
        count("three heads", "196", seed::THREE_HEADS, heads(report, None), "report: three_heads"),
        count("  as people", "196", seed::THREE_HEADS, d.three_heads_people, "report: three_heads_people"),
        count("satisfied feedback", "(recorded)", r.satisfied, d.feedback.get("satisfied").copied().unwrap_or(0), "report: feedback"),
        count("  not satisfied", "(recorded)", r.not_satisfied, d.feedback.get("not_satisfied").copied().unwrap_or(0), "report: feedback"),
        count("lectures", "93", seed::LECTURES, act(A::Lecture).count, "report: activities"),
        count("cultural events", "137", seed::CULTURAL_EVENTS, act(A::CulturalEvent).count, "report: activities"),
        count("civility checks", "818", seed::CIVILITY_CHECKS, act(A::CivilitySupervision).count, "report: activities"),
    ];
    let show = |x: &Check, v: u64| if x.money { yuan(v) } else { thousands(v) };
    let lines: Vec<(bool, &str, String, String, &str)> = checks
        .iter()
        .map(|x| {
            let seed = format!("{} → {}", x.seed, show(x, x.want));
            (x.want == x.got, x.what, seed, show(x, x.got), x.source)
        })
        .collect();
    let w_what = lines.iter().map(|l| width(l.1)).max().unwrap_or(0);
    let w_seed = lines.iter().map(|l| width(&l.2)).max().unwrap_or(0);
    let w_got = lines.iter().map(|l| width(&l.3)).max().unwrap_or(0);
    for (ok, what, seed, got, source) in &lines {
        println!(
            "{} {}  seed {}  got {}{got}  ({source})",
            if *ok { "✓" } else { "✗" },
            pad(what, w_what),
            pad(seed, w_seed),
            " ".repeat(w_got - width(got)),
        );
    }
    lines.iter().all(|l| l.0)
}

/// Builds the district in FILE (first argument, default `district.db`), prints its report and
/// the seed comparison, and fails if any seed figure differs.
fn main() -> Res<ExitCode> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "district.db".into());
    for suffix in ["", "-wal", "-shm"] {
        match std::fs::remove_file(format!("{path}{suffix}")) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    let started = Instant::now();
    let store = SqliteStore::open_with(
        &path,
        SqliteOptions {
            synchronous: Synchronous::Normal,
            ..Default::default()
        },
    )?;
    let hub = Hub::new(store)?;

    let step = |what: &str, b: &Builder| {
        println!(
            "{:>7.1} s  {what} ({} commands so far)",
            started.elapsed().as_secs_f64(),
            thousands(b.commands.get())
        );
    };
    let mut b = Builder::structure(hub)?;
    step(
        "district, streets, committees, work units, organisations",
        &b,
    );
    b.members()?;
    step("members certified, reported and accepted", &b);
    b.teams()?;
    step("teams formed, captains appointed, members joined", &b);
    b.residents()?;
    step("residents registered", &b);
    let mut fulfilments = Fulfilments::plan(&mut b.rng);
    let mut next_org = 0;
    for c in 0..b.committees.len() {
        b.work(c, &mut fulfilments, &mut next_org)?;
    }
    step("needs published, claimed, done and verified", &b);
    b.activities()?;
    b.three_heads()?;
    step("activities recorded, three heads assigned", &b);
    let built = started.elapsed();

    let report = b
        .hub
        .report(&b.admin, ReportScope::Unit(b.district), Period::ALL)?;
    let reads = Reads::of(&b)?;
    let reported = started.elapsed() - built;

    println!();
    println!(
        "钟山区 district report · {} · {path}",
        report.generated_at.format("%Y-%m-%d %H:%M UTC")
    );
    print_table(&report);
    println!();
    println!("Seed figures:");
    let ok = compare(&report, &reads);
    println!();
    println!(
        "Built with {} commands in {:.1} s; report and reads in {:.2} s; {:.1} s in all.",
        thousands(b.commands.get()),
        built.as_secs_f64(),
        reported.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    // The work units' ledgers (台账), one sheet each (named after the work unit), as their
    // party organisations receive them: Chinese labels, yuan, hours, Beijing time, personal
    // data masked, a cover sheet first.
    let ledgers = Instant::now();
    let mut tables = Vec::new();
    for w in &b.work_units {
        tables.push(b.hub.work_unit_ledger_table(
            &b.admin,
            *w,
            Period::ALL,
            ExportOptions::default(),
        )?);
    }
    let xlsx_path = format!("{}-ledgers.xlsx", path.trim_end_matches(".db"));
    let refs: Vec<&needbridge::export::Table> = tables.iter().collect();
    std::fs::write(&xlsx_path, to_xlsx(&refs, Language::Zh)?)?;
    println!(
        "Wrote {} work-unit ledgers ({} members) to {xlsx_path} in {:.1} s.",
        tables.len(),
        thousands(tables.iter().map(|t| t.rows.len() as u64).sum()),
        ledgers.elapsed().as_secs_f64()
    );
    // The district report as the district office files it: a summary, every breakdown, a
    // chart of needs per committee, printable.
    let report_tables =
        b.hub
            .report_tables(&b.admin, ReportScope::Unit(b.district), Period::ALL)?;
    let refs: Vec<&needbridge::export::Table> = report_tables.iter().collect();
    let report_path = format!("{}-report.xlsx", path.trim_end_matches(".db"));
    std::fs::write(&report_path, to_xlsx(&refs, Language::Zh)?)?;
    println!("Wrote the district report to {report_path}.");
    if ok {
        println!("Every seed figure is reproduced.");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("Some seed figures differ (✗ above).");
        Ok(ExitCode::FAILURE)
    }
}

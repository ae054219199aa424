//! The [`World`] fixture: a small district with one of everything, in known states, built
//! through the public API (every entity made by a command) on any empty [`Store`], with a
//! [`ManualClock`] standing at [`t0`].

use crate::command::*;
use crate::model::*;
use crate::{Actor, Hub, HubConfig, ManualClock, Store};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::sync::Arc;

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

/// A small world with one of everything, in known states: a district with one community, two
/// residents' committees (A, where most things happen, and its neighbour B) and a grid; a work
/// unit; an enterprise; members in every reporting state; two teams; residents (one a
/// left-behind child); needs in every status; claims by a member, a team and the enterprise;
/// pending hours, a role and a pairing.
pub struct World {
    /// The Hub over [`World::store`], on [`World::clock`].
    pub hub: Hub,
    /// The store under the Hub (compare states with [`crate::store::dump`]).
    pub store: Arc<dyn Store>,
    /// The Hub's clock, standing at [`t0`] when the world is built.
    pub clock: ManualClock,
    /// The district (钟山区).
    pub district: UnitId,
    /// The community under the district.
    pub community: UnitId,
    /// Committee A: where most things happen.
    pub committee_a: UnitId,
    /// Committee B: a neighbour, for scope checks.
    pub committee_b: UnitId,
    /// A grid under committee A.
    pub grid_a: UnitId,
    /// The work unit every member comes from.
    pub work_unit: WorkUnitId,
    /// The enterprise.
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
    /// Committee A's home elderly care team: `captain_a` leads it, `member_a` is in it.
    pub team_a: TeamId,
    /// Committee B's team, without a captain.
    pub team_b: TeamId,
    /// An empty-nest elderly resident of A.
    pub resident_a: ResidentId,
    /// A left-behind child of A.
    pub child_a: ResidentId,
    /// An elderly resident of B.
    pub resident_b: ResidentId,
    /// A draft at A.
    pub need_draft: NeedId,
    /// Submitted at A, not yet published.
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
    /// `member_a`'s live claim on `need_claimed`.
    pub claim_active: ClaimId,
    /// `team_a`'s completed claim on `need_done`.
    pub claim_done: ClaimId,
    /// The enterprise's verified claim on `need_verified`.
    pub claim_verified: ClaimId,
    /// Hours `member_a` logged, awaiting approval.
    pub hours_pending: HoursId,
    /// `captain_a`'s building-head role.
    pub role: RoleId,
    /// `member_a` paired with `resident_a`.
    pub pairing: PairingId,
}

impl World {
    /// Builds the world on a fresh in-memory store.
    pub fn memory() -> World {
        World::build(Arc::new(crate::store::memory::MemoryStore::new()))
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
                    grid: None,
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
                    household: None,
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
                    resident: Some(r),
                    institution: None,
                    title: title.into(),
                    description: "居民需求".into(),
                    category: "festival_goods".into(),
                    channel: Channel::Family,
                    scale,
                    estimated_cost_fen: 20_000,
                    wanted_by: later,
                    beneficiaries: Vec::new(),
                    recurrence: None,
                    place: None,
                    location: None,
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
            roster: Vec::new(),
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
            roster: Vec::new(),
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
                    pairing: None,
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
                    grid: None,
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

    /// A second month of activity: moves the clock 35 days on (into February 2026) and
    /// verifies `claim_done` there.
    pub fn a_month_later(&self) {
        self.clock.advance(Duration::days(35));
        let verify = VerifyClaim {
            claim: self.claim_done,
        };
        self.hub.run(&self.staff_a(), verify).unwrap();
    }

    /// Records a night patrol at committee A (no team, an hour before [`t0`], 12
    /// participants, 300 people reached).
    pub fn record_patrol(&self) -> Activity {
        let patrol = RecordActivity {
            committee: self.committee_a,
            kind: ActivityKind::Patrol,
            title: "夜间巡逻".into(),
            channel: Channel::Grid,
            team: None,
            held_at: t0() - Duration::hours(1),
            participants: 12,
            people_reached: 300,
            grid: None,
            place: None,
            roster: Vec::new(),
            location: None,
        };
        self.hub.run(&self.staff_a(), patrol).unwrap()
    }

    /// Issue 18's kinds of work on top of the fixture, through the Hub: a household of two
    /// (resident_a and child_a, in grid A), a need for both (resident_a and child_a) helped by
    /// the organisation, a weekly need whose second occurrence the tick publishes, an offer of
    /// the open need, accepted, and one declined, an activity with a roster and a place, a
    /// visit of the pairing approved, a service certificate and a correction request. Moves the
    /// clock on (8 days in all).
    pub fn district_work(&self) {
        let staff = self.staff_a();
        let h = self
            .hub
            .run(
                &staff,
                RegisterHousehold {
                    committee: self.committee_a,
                    grid: Some(self.grid_a),
                },
            )
            .unwrap();
        for r in [self.resident_a, self.child_a] {
            self.hub
                .run(
                    &staff,
                    SetHousehold {
                        resident: r,
                        household: Some(h.id),
                    },
                )
                .unwrap();
        }
        let draft = |title: &str, recurrence| DraftNeed {
            committee: self.committee_a,
            grid: Some(self.grid_a),
            resident: Some(self.resident_a),
            institution: None,
            title: title.into(),
            description: "issue 18".into(),
            category: "elder_care".into(),
            channel: Channel::Courtyard,
            scale: Scale::Collective,
            estimated_cost_fen: 5_000,
            wanted_by: self.hub.now() + Duration::days(3),
            beneficiaries: vec![self.child_a],
            recurrence,
            place: Some("凤凰路3号院".into()),
            location: Some(GeoPoint {
                lat_e6: 26_594_321,
                lon_e6: 104_832_654,
            }),
        };
        let both = self.hub.run(&staff, draft("一户两人", None)).unwrap();
        self.hub.run(&staff, PublishNeed { need: both.id }).unwrap();
        let weekly = self
            .hub
            .run(
                &staff,
                draft(
                    "每周送餐",
                    Some(Recurrence {
                        every: Every::Week,
                        times: 4,
                    }),
                ),
            )
            .unwrap();
        self.hub
            .run(&staff, PublishNeed { need: weekly.id })
            .unwrap();
        // A need for an institution: no resident.
        let home = self
            .hub
            .run(
                &staff,
                DraftNeed {
                    resident: None,
                    institution: Some("白鹤养老服务中心".into()),
                    beneficiaries: Vec::new(),
                    ..draft("养老院助浴", None)
                },
            )
            .unwrap();
        self.hub.run(&staff, PublishNeed { need: home.id }).unwrap();
        // The working calendar: National Day week, a Saturday worked instead.
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        self.hub
            .run(
                &self.admin(),
                SetWorkingCalendar {
                    year: 2026,
                    holidays: (1..=8).map(|d| day(10, d)).collect(),
                    working_weekends: vec![day(9, 27), day(10, 10)],
                },
            )
            .unwrap();
        let contact = self.contact();
        let c = self
            .hub
            .run(
                &contact,
                ClaimNeed {
                    need: both.id,
                    claimant: Claimant::Organisation(self.org),
                    promised_by: self.hub.now() + Duration::days(2),
                },
            )
            .unwrap();
        let fulfilment = Fulfilment {
            people_served: 2,
            roster: vec![
                RosterLine::member(self.member_a, 40),
                RosterLine::helpers(HelperKind::Employee, 5, 60),
            ],
            ..Default::default()
        };
        self.hub
            .run(
                &contact,
                CompleteClaim {
                    claim: c.id,
                    fulfilment,
                },
            )
            .unwrap();
        self.hub.run(&staff, VerifyClaim { claim: c.id }).unwrap();
        let offer = |to| OfferNeed {
            need: self.need_open,
            to,
            expires_at: self.hub.now() + Duration::days(2),
            note: Some("会修电器".into()),
        };
        let o = self
            .hub
            .run(&staff, offer(Claimant::Member(self.loner_a)))
            .unwrap();
        self.hub
            .run(
                &member(self.loner_a),
                DeclineOffer {
                    offer: o.id,
                    reason: "出差".into(),
                },
            )
            .unwrap();
        let o = self
            .hub
            .run(&self.secretary(), offer(Claimant::Member(self.captain_a)))
            .unwrap();
        self.hub
            .run(
                &member(self.captain_a),
                AcceptOffer {
                    offer: o.id,
                    promised_by: self.hub.now() + Duration::days(2),
                },
            )
            .unwrap();
        let held = self.hub.now() - Duration::hours(3);
        let a = self
            .hub
            .run(
                &staff,
                RecordActivity {
                    committee: self.committee_a,
                    kind: ActivityKind::Patrol,
                    title: "背街小巷巡防".into(),
                    channel: Channel::Grid,
                    team: Some(self.team_a),
                    held_at: held,
                    participants: 0,
                    people_reached: 60,
                    grid: Some(self.grid_a),
                    place: Some("凤凰路背街小巷".into()),
                    roster: vec![
                        RosterLine {
                            signed_in: Some(held),
                            signed_out: Some(held + Duration::minutes(90)),
                            ..RosterLine::member(self.member_a, 90)
                        },
                        RosterLine::member(self.captain_a, 60),
                    ],
                    location: None,
                },
            )
            .unwrap();
        self.clock.advance(Duration::hours(1));
        let v = self
            .hub
            .run(
                &member(self.member_a),
                LogHours {
                    member: self.member_a,
                    served_at: self.hub.now() - Duration::minutes(30),
                    minutes: 25,
                    description: "上门走访".into(),
                    pairing: Some(self.pairing),
                },
            )
            .unwrap();
        self.hub.run(&staff, ApproveHours { hours: v.id }).unwrap();
        self.hub
            .run(
                &staff,
                IssueServiceCertificate {
                    member: self.member_a,
                    committee: self.committee_a,
                    since: None,
                    until: None,
                },
            )
            .unwrap();
        self.hub
            .run(
                &member(self.member_a),
                RequestCorrection {
                    member: self.member_a,
                    source: ServiceSource::Activity,
                    source_id: a.id.0,
                    reason: "签到时间有误".into(),
                },
            )
            .unwrap();
        // The weekly need's second week: the tick publishes it.
        self.clock.advance(Duration::days(3));
        self.hub.tick().unwrap();
        self.clock.advance(Duration::days(5));
    }

    /// The whole committed state (records and event log).
    pub fn dump(&self) -> crate::store::memory::MemorySnapshot {
        crate::store::dump(&*self.store).expect("dump")
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

//! The authorization matrix: every command × every actor kind, allowed or refused.
//!
//! [`MATRIX`] is the expected table, read off the handlers' `require` calls in
//! `core/src/hub/exec.rs`. Each cell runs one valid command, aimed at committee A of a fresh
//! [`World::memory`], as the most plausible actor of its kind:
//!
//! - System: [`Actor::System`];
//! - DistrictAdmin: the district's admin ([`World::admin`]);
//! - CommitteeStaff: staff of committee A ([`World::staff_a`]);
//! - WorkUnitSecretary: the work unit's secretary ([`World::secretary`]);
//! - Member: the member the command is about (the team's captain for team matters), otherwise
//!   `member_a`;
//! - OrganisationContact: the organisation's contact ([`World::contact`]).
//!
//! An allowed cell must succeed and append exactly one event of the command's kind, by the
//! actor; a refused cell must fail with exactly [`Error::Forbidden`] — or, when the actor may
//! not know the target exists, with exactly the `NotFound` a random id gets — and leave the
//! event log as it was. After the matrix come scope tests: the right kind of actor, but the wrong
//! committee, member, team, work unit or district.

use chrono::Duration;
use needbridge::command::*;
use needbridge::model::*;
use needbridge::{Actor, Command, Error};
use needbridge_acceptance::{id_number, member, staff, t0, Backend, World};
use std::collections::BTreeSet;

/// The six actor kinds, in the order of [`MATRIX`]'s columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    System,
    DistrictAdmin,
    CommitteeStaff,
    WorkUnitSecretary,
    Member,
    OrganisationContact,
}

/// The columns of [`MATRIX`].
const KINDS: [Kind; 6] = [
    Kind::System,
    Kind::DistrictAdmin,
    Kind::CommitteeStaff,
    Kind::WorkUnitSecretary,
    Kind::Member,
    Kind::OrganisationContact,
];

/// Allowed: the command succeeds.
const Y: bool = true;
/// Refused: `Forbidden`, nothing written.
const N: bool = false;

/// Command (the first word is its `Command` variant; a second word names the instance when a
/// command has several) → which actor kinds may run it. Every allowed cell's command
/// succeeds (none is allowed-but-failing for another reason); every refused cell is
/// `Forbidden`.
#[rustfmt::skip]
const MATRIX: &[(&str, [bool; 6])] = &[
    //                             system admin staff secretary member contact
    // structure
    ("CreateUnit district",        [Y,     N,    N,    N,        N,     N]),
    ("CreateUnit grid",            [Y,     Y,    N,    N,        N,     N]),
    ("RegisterWorkUnit",           [Y,     Y,    N,    N,        N,     N]),
    ("RegisterOrganisation",       [Y,     Y,    N,    N,        N,     N]),
    ("DefineCategory",             [Y,     Y,    N,    N,        N,     N]),
    ("SetWorkingCalendar",         [Y,     Y,    N,    N,        N,     N]),
    // members
    ("IssueCertificate",           [Y,     N,    N,    Y,        N,     N]),
    ("ReissueCertificate",         [Y,     N,    N,    Y,        N,     N]),
    ("ReportMember",               [Y,     N,    Y,    N,        Y,     N]),
    ("AcceptReport",               [Y,     N,    Y,    N,        N,     N]),
    ("ReturnReport",               [Y,     N,    Y,    N,        N,     N]),
    // residents
    ("RegisterResident",           [Y,     N,    Y,    N,        N,     N]),
    ("UpdateResident",             [Y,     N,    Y,    N,        N,     N]),
    ("EraseResident",              [Y,     N,    Y,    N,        N,     N]),
    // needs
    ("DraftNeed",                  [Y,     N,    Y,    N,        Y,     N]),
    ("SubmitNeed",                 [Y,     N,    Y,    N,        Y,     N]),
    ("PublishNeed",                [Y,     N,    Y,    N,        N,     N]),
    ("RejectNeed",                 [Y,     N,    Y,    N,        N,     N]),
    ("WithdrawNeed",               [Y,     N,    Y,    N,        N,     N]),
    ("ExpireNeed",                 [Y,     N,    N,    N,        N,     N]),
    ("RecordFeedback",             [Y,     N,    Y,    N,        N,     N]),
    // claims
    ("ClaimNeed member",           [Y,     N,    N,    N,        Y,     N]),
    ("ClaimNeed team",             [Y,     N,    N,    N,        Y,     N]),
    ("ClaimNeed organisation",     [Y,     N,    N,    N,        N,     Y]),
    ("StartWork",                  [Y,     N,    N,    N,        Y,     N]),
    ("ExtendClaim",                [Y,     N,    N,    N,        Y,     N]),
    ("ReleaseClaim",               [Y,     N,    Y,    N,        Y,     N]),
    ("CompleteClaim",              [Y,     N,    N,    N,        Y,     N]),
    ("VerifyClaim",                [Y,     N,    Y,    N,        N,     N]),
    ("SendBackClaim",              [Y,     N,    Y,    N,        N,     N]),
    ("WarnClaimDue",               [Y,     N,    N,    N,        N,     N]),
    ("LapseClaim",                 [Y,     N,    N,    N,        N,     N]),
    // teams
    ("FormTeam",                   [Y,     N,    Y,    N,        N,     N]),
    ("AppointCaptain",             [Y,     N,    Y,    N,        N,     N]),
    ("JoinTeam",                   [Y,     N,    Y,    N,        Y,     N]),
    ("LeaveTeam",                  [Y,     N,    Y,    N,        Y,     N]),
    // hours, activities
    ("LogHours",                   [Y,     N,    N,    N,        Y,     N]),
    ("ApproveHours",               [Y,     N,    Y,    N,        N,     N]),
    ("RejectHours",                [Y,     N,    Y,    N,        N,     N]),
    ("RecordActivity",             [Y,     N,    Y,    N,        Y,     N]),
    // roles, pairings
    ("AssignRole",                 [Y,     N,    Y,    N,        N,     N]),
    ("EndRole",                    [Y,     N,    Y,    N,        N,     N]),
    ("StartPairing",               [Y,     N,    Y,    N,        N,     N]),
    ("EndPairing",                 [Y,     N,    Y,    N,        N,     N]),
    // households, offers (issue 18)
    ("RegisterHousehold",          [Y,     N,    Y,    N,        N,     N]),
    ("SetHousehold",               [Y,     N,    Y,    N,        N,     N]),
    ("OfferNeed",                  [Y,     N,    Y,    Y,        N,     N]),
    ("AcceptOffer",                [Y,     N,    N,    N,        Y,     N]),
    ("DeclineOffer",               [Y,     N,    N,    N,        Y,     N]),
    ("LapseOffer",                 [Y,     N,    N,    N,        N,     N]),
    ("NextOccurrence",             [Y,     N,    N,    N,        N,     N]),
    ("IssueServiceCertificate",    [Y,     N,    Y,    N,        N,     N]),
    ("RequestCorrection",          [Y,     N,    N,    N,        Y,     N]),
    ("AnswerCorrection",           [Y,     N,    Y,    N,        N,     N]),
];

/// One cell's command, after any setup it needed, and who plays the member column.
struct Case {
    cmd: Command,
    member: MemberId,
}

/// `n` days.
fn days(n: i64) -> Duration {
    Duration::days(n)
}

/// A fulfilment that passes validation.
fn fulfilment() -> Fulfilment {
    Fulfilment {
        money_fen: 5_000,
        items: vec![Item {
            count: 1,
            description: "书包".into(),
        }],
        minutes: 60,
        people_served: 1,
        evidence: vec!["photo-9".into()],
        note: "送到家".into(),
        roster: Vec::new(),
    }
}

/// The valid instance of the row's command, aimed at committee A of `w`. May advance the
/// clock or write setup records first (before the cell measures the event log).
fn case(label: &str, w: &World) -> Case {
    let m = w.member_a;
    let (cmd, member): (Command, MemberId) = match label {
        "CreateUnit district" => (
            CreateUnit {
                kind: UnitKind::District,
                name: "水城区".into(),
                parent: None,
            }
            .into(),
            m,
        ),
        "CreateUnit grid" => (
            CreateUnit {
                kind: UnitKind::Grid,
                name: "第二网格".into(),
                parent: Some(w.committee_a),
            }
            .into(),
            m,
        ),
        "RegisterWorkUnit" => (
            RegisterWorkUnit {
                name: "区教育局".into(),
                party_organisation: "区教育局机关党支部".into(),
            }
            .into(),
            m,
        ),
        "RegisterOrganisation" => (
            RegisterOrganisation {
                name: "钟山区阳光社工服务中心".into(),
                kind: OrganisationKind::SocialOrganisation,
                contact_name: "张老师".into(),
                contact_phone: "13985005678".into(),
                district: w.district,
            }
            .into(),
            m,
        ),
        "DefineCategory" => (
            DefineCategory {
                code: "legal_advice".into(),
                name_zh: "法律咨询".into(),
                name_en: "Legal advice".into(),
                parent: None,
                committee: None,
            }
            .into(),
            m,
        ),
        "SetWorkingCalendar" => (
            SetWorkingCalendar {
                year: 2026,
                holidays: vec![chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()],
                working_weekends: vec![chrono::NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()],
            }
            .into(),
            m,
        ),
        "IssueCertificate" => (
            IssueCertificate {
                work_unit: w.work_unit,
                name: "钱伟".into(),
                phone: Some("13800009999".into()),
                id_number: Some(id_number("19900101", 77)),
                number: "BD-2026-099".into(),
                deadline: t0() + days(30),
            }
            .into(),
            m,
        ),
        "ReissueCertificate" => {
            // `certified` must be overdue (deadline t0 + 30 days) to get a new certificate.
            w.clock.advance(days(31));
            (
                ReissueCertificate {
                    member: w.certified,
                    number: "BD-2026-100".into(),
                    deadline: t0() + days(60),
                }
                .into(),
                w.certified,
            )
        }
        "ReportMember" => (
            ReportMember {
                member: w.certified,
                committee: w.committee_a,
                commitment: "每周至少服务一次".into(),
                skills: vec!["医生".into()],
            }
            .into(),
            w.certified,
        ),
        "AcceptReport" => (
            AcceptReport {
                member: w.reported,
                note: Some("欢迎".into()),
            }
            .into(),
            w.reported,
        ),
        "ReturnReport" => (
            ReturnReport {
                member: w.reported,
                reason: "住址不在本社区".into(),
            }
            .into(),
            w.reported,
        ),
        "RegisterResident" => (
            RegisterResident {
                committee: w.committee_a,
                grid: Some(w.grid_a),
                name: "杨阿姨".into(),
                phone: None,
                id_number: None,
                address: None,
                groups: vec![ResidentGroup::Disabled],
                household: None,
            }
            .into(),
            m,
        ),
        "UpdateResident" => (
            UpdateResident {
                resident: w.resident_a,
                name: "陈大爷".into(),
                phone: Some("13912345679".into()),
                id_number: None,
                address: None,
                groups: vec![ResidentGroup::EmptyNestElderly],
            }
            .into(),
            m,
        ),
        "EraseResident" => (
            EraseResident {
                resident: w.resident_a,
            }
            .into(),
            m,
        ),
        "DraftNeed" => (draft_by_member_a(w).into(), m),
        "SubmitNeed" => {
            // A need member_a drafted, so its drafter may submit it too.
            let need = w.hub.run(&member(m), draft_by_member_a(w)).unwrap().id;
            (SubmitNeed { need }.into(), m)
        }
        "PublishNeed" => (PublishNeed { need: w.need_draft }.into(), m),
        "RejectNeed" => (
            RejectNeed {
                need: w.need_submitted,
                reason: "重复登记".into(),
            }
            .into(),
            m,
        ),
        "WithdrawNeed" => (
            WithdrawNeed {
                need: w.need_open,
                reason: "已由家属解决".into(),
            }
            .into(),
            m,
        ),
        "ExpireNeed" => {
            // Past the need's wanted-by date (t0 + 30 days).
            w.clock.advance(days(31));
            (ExpireNeed { need: w.need_open }.into(), m)
        }
        "RecordFeedback" => (
            RecordFeedback {
                need: w.need_verified,
                feedback: Feedback::Satisfied,
                wanted_by: None,
            }
            .into(),
            m,
        ),
        "ClaimNeed member" => (
            ClaimNeed {
                need: w.need_open,
                claimant: Claimant::Member(m),
                promised_by: t0() + days(5),
            }
            .into(),
            m,
        ),
        "ClaimNeed team" => (
            ClaimNeed {
                need: w.need_collective,
                claimant: Claimant::Team(w.team_a),
                promised_by: t0() + days(5),
            }
            .into(),
            w.captain_a,
        ),
        "ClaimNeed organisation" => (
            ClaimNeed {
                need: w.need_collective,
                claimant: Claimant::Organisation(w.org),
                promised_by: t0() + days(5),
            }
            .into(),
            m,
        ),
        "StartWork" => (
            StartWork {
                claim: w.claim_active,
            }
            .into(),
            m,
        ),
        "ExtendClaim" => (
            ExtendClaim {
                claim: w.claim_active,
                promised_by: t0() + days(15),
            }
            .into(),
            m,
        ),
        "ReleaseClaim" => (
            ReleaseClaim {
                claim: w.claim_active,
                reason: "临时出差".into(),
            }
            .into(),
            m,
        ),
        "CompleteClaim" => (
            CompleteClaim {
                claim: w.claim_active,
                fulfilment: fulfilment(),
            }
            .into(),
            m,
        ),
        "VerifyClaim" => (
            VerifyClaim {
                claim: w.claim_done,
            }
            .into(),
            w.captain_a,
        ),
        "SendBackClaim" => (
            SendBackClaim {
                claim: w.claim_done,
                reason: "缺少照片".into(),
            }
            .into(),
            w.captain_a,
        ),
        "WarnClaimDue" => {
            // Within `warn_before` (3 days) of the promised date (t0 + 10 days).
            w.clock.advance(days(8));
            (
                WarnClaimDue {
                    claim: w.claim_active,
                }
                .into(),
                m,
            )
        }
        "LapseClaim" => {
            // Past the promised date (t0 + 10 days).
            w.clock.advance(days(11));
            (
                LapseClaim {
                    claim: w.claim_active,
                }
                .into(),
                m,
            )
        }
        "FormTeam" => (
            FormTeam {
                committee: w.committee_a,
                kind: TeamKind::LegalAid,
                name: "凤凰法律援助队".into(),
                channel: Channel::Community,
                grid: None,
            }
            .into(),
            m,
        ),
        "AppointCaptain" => (
            AppointCaptain {
                team: w.team_a,
                member: m,
            }
            .into(),
            m,
        ),
        "JoinTeam" => (
            JoinTeam {
                team: w.team_a,
                member: w.loner_a,
            }
            .into(),
            w.loner_a,
        ),
        "LeaveTeam" => (
            LeaveTeam {
                team: w.team_a,
                member: m,
            }
            .into(),
            m,
        ),
        "LogHours" => (log_hours(m).into(), m),
        "ApproveHours" => (
            ApproveHours {
                hours: w.hours_pending,
            }
            .into(),
            m,
        ),
        "RejectHours" => (
            RejectHours {
                hours: w.hours_pending,
                reason: "时间有误".into(),
            }
            .into(),
            m,
        ),
        "RecordActivity" => (
            RecordActivity {
                committee: w.committee_a,
                kind: ActivityKind::Patrol,
                title: "夜间巡逻".into(),
                channel: Channel::Community,
                team: Some(w.team_a),
                held_at: t0() - days(1),
                participants: 8,
                people_reached: 120,
                grid: None,
                place: None,
                roster: Vec::new(),
                location: None,
            }
            .into(),
            w.captain_a,
        ),
        "AssignRole" => (
            AssignRole {
                member: m,
                kind: RoleKind::CourtyardHead,
                scope: "3号院".into(),
                grid: None,
            }
            .into(),
            m,
        ),
        "EndRole" => (EndRole { role: w.role }.into(), w.captain_a),
        "StartPairing" => (
            StartPairing {
                member: w.loner_a,
                resident: w.child_a,
            }
            .into(),
            w.loner_a,
        ),
        "EndPairing" => (
            EndPairing {
                pairing: w.pairing,
                reason: "老人搬去子女家".into(),
            }
            .into(),
            m,
        ),
        "RegisterHousehold" => (
            RegisterHousehold {
                committee: w.committee_a,
                grid: Some(w.grid_a),
            }
            .into(),
            m,
        ),
        "SetHousehold" => {
            let h = w
                .hub
                .run(
                    &w.staff_a(),
                    RegisterHousehold {
                        committee: w.committee_a,
                        grid: None,
                    },
                )
                .unwrap();
            (
                SetHousehold {
                    resident: w.resident_a,
                    household: Some(h.id),
                }
                .into(),
                m,
            )
        }
        "OfferNeed" => (
            OfferNeed {
                need: w.need_open,
                to: Claimant::Member(w.loner_a),
                expires_at: t0() + days(2),
                note: None,
            }
            .into(),
            m,
        ),
        "AcceptOffer" | "DeclineOffer" | "LapseOffer" => {
            let offer = w
                .hub
                .run(
                    &w.staff_a(),
                    OfferNeed {
                        need: w.need_open,
                        to: Claimant::Member(w.loner_a),
                        expires_at: t0() + days(2),
                        note: None,
                    },
                )
                .unwrap()
                .id;
            let cmd = match label {
                "AcceptOffer" => AcceptOffer {
                    offer,
                    promised_by: t0() + days(5),
                }
                .into(),
                "DeclineOffer" => DeclineOffer {
                    offer,
                    reason: "出差".into(),
                }
                .into(),
                _ => {
                    w.clock.advance(days(3));
                    LapseOffer { offer }.into()
                }
            };
            (cmd, w.loner_a)
        }
        "NextOccurrence" => {
            let n = w
                .hub
                .run(
                    &w.staff_a(),
                    DraftNeed {
                        committee: w.committee_a,
                        grid: None,
                        resident: Some(w.resident_a),
                        institution: None,
                        title: "每周送餐".into(),
                        description: "独居老人".into(),
                        category: "festival_goods".into(),
                        channel: Channel::Family,
                        scale: Scale::Individual,
                        estimated_cost_fen: 0,
                        wanted_by: t0() + days(1),
                        beneficiaries: vec![],
                        recurrence: Some(Recurrence {
                            every: Every::Week,
                            times: 4,
                        }),
                        place: None,
                        location: None,
                    },
                )
                .unwrap();
            w.hub.run(&w.staff_a(), PublishNeed { need: n.id }).unwrap();
            w.clock.advance(days(2));
            (NextOccurrence { need: n.id }.into(), m)
        }
        "IssueServiceCertificate" | "RequestCorrection" | "AnswerCorrection" => {
            // member_a's approved hours are a service record at committee A.
            w.hub
                .run(
                    &w.staff_a(),
                    ApproveHours {
                        hours: w.hours_pending,
                    },
                )
                .unwrap();
            let ask = RequestCorrection {
                member: m,
                source: ServiceSource::Hours,
                source_id: w.hours_pending.0,
                reason: "时长登记少了".into(),
            };
            let cmd: Command = match label {
                "IssueServiceCertificate" => IssueServiceCertificate {
                    member: m,
                    committee: w.committee_a,
                    since: None,
                    until: None,
                }
                .into(),
                "RequestCorrection" => ask.into(),
                _ => {
                    let asked = w.hub.run(&member(m), ask).unwrap();
                    AnswerCorrection {
                        correction: asked.id,
                        accepted: false,
                        answer: "与签到记录一致".into(),
                    }
                    .into()
                }
            };
            (cmd, m)
        }
        other => panic!("no case for matrix row {other:?}"),
    };
    Case { cmd, member }
}

/// A need for `resident_a` at committee A, as member_a (accepted there) would write it.
fn draft_by_member_a(w: &World) -> DraftNeed {
    DraftNeed {
        committee: w.committee_a,
        grid: Some(w.grid_a),
        resident: Some(w.resident_a),
        institution: None,
        title: "理发".into(),
        description: "行动不便，需要上门理发".into(),
        category: "elder_care".into(),
        channel: Channel::Grid,
        scale: Scale::Individual,
        estimated_cost_fen: 0,
        wanted_by: t0() + days(20),
        beneficiaries: Vec::new(),
        recurrence: None,
        place: None,
        location: None,
    }
}

/// An hour of service by `m`, yesterday.
fn log_hours(m: MemberId) -> LogHours {
    LogHours {
        member: m,
        served_at: t0() - days(1),
        minutes: 60,
        description: "陪老人聊天".into(),
        pairing: None,
    }
}

/// The actor of `kind` who would plausibly run the case.
fn actor(kind: Kind, w: &World, member_id: MemberId) -> Actor {
    match kind {
        Kind::System => Actor::System,
        Kind::DistrictAdmin => w.admin(),
        Kind::CommitteeStaff => w.staff_a(),
        Kind::WorkUnitSecretary => w.secretary(),
        Kind::Member => member(member_id),
        Kind::OrganisationContact => w.contact(),
    }
}

/// Length of the whole event log, read as the system.
fn log_len(w: &World) -> usize {
    w.hub.events_since(&Actor::System, 0, 1000).unwrap().len()
}

/// Runs one cell on a fresh world; `Err` describes how it disagreed with the table.
fn run_cell(b: Backend, label: &str, kind: Kind, allowed: bool) -> Result<(), String> {
    let w = World::on(b);
    let Case { cmd, member } = case(label, &w);
    let who = actor(kind, &w, member);
    let before = log_len(&w);
    let result = w.hub.execute(&who, cmd.clone());
    let after = w.hub.events_since(&Actor::System, 0, 1000).unwrap();
    let cell = format!("{label} as {kind:?}");
    match (allowed, result) {
        (true, Ok(_)) => {
            if after.len() != before + 1 {
                return Err(format!(
                    "{cell}: allowed, but the log went {before} -> {}",
                    after.len()
                ));
            }
            let e = after.last().unwrap();
            if e.kind != cmd.event_kind() || e.actor != who {
                return Err(format!(
                    "{cell}: the new event is {} by {:?}",
                    e.kind, e.actor
                ));
            }
            Ok(())
        }
        (true, Err(e)) => Err(format!("{cell}: should be allowed and succeed, got {e:?}")),
        (false, Err(Error::Forbidden { reason })) => {
            let prefix = format!("a {} may not ", who.kind_str().replace('_', " "));
            if !reason.starts_with(&prefix) {
                return Err(format!("{cell}: unexpected reason {reason:?}"));
            }
            if after.len() != before {
                return Err(format!(
                    "{cell}: refused, but the log went {before} -> {}",
                    after.len()
                ));
            }
            Ok(())
        }
        // An actor who may not even know the target exists is answered exactly as for an id
        // that does not exist (tests/tests/existence.rs covers this over every hidden target).
        (false, Err(Error::NotFound { entity, id })) => {
            let random = uuid::Uuid::now_v7().to_string();
            let json = serde_json::to_string(&cmd).unwrap().replace(&id, &random);
            let again: Command = serde_json::from_str(&json).unwrap();
            let expected = Error::NotFound {
                entity: entity.clone(),
                id: random,
            };
            match w.hub.execute(&who, again) {
                Err(e) if e == expected && after.len() == before => Ok(()),
                other => Err(format!(
                    "{cell}: NotFound for a {entity} the actor may not see, but a random id \
                     gives {other:?}"
                )),
            }
        }
        (false, other) => Err(format!("{cell}: should be Forbidden, got {other:?}")),
    }
}

/// Every cell of [`MATRIX`]: allowed cells succeed and append one event of their kind by the
/// actor; refused cells are `Forbidden` and append nothing.
fn every_command_by_every_actor_kind(b: Backend) {
    let mut failures = Vec::new();
    let mut cells = 0;
    for (label, row) in MATRIX {
        for (kind, allowed) in KINDS.iter().zip(row) {
            cells += 1;
            if let Err(e) = run_cell(b, label, *kind, *allowed) {
                failures.push(e);
            }
        }
    }
    assert_eq!(cells, MATRIX.len() * KINDS.len());
    assert!(
        failures.is_empty(),
        "{} of {cells} cells disagree with the matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The matrix covers every `Command` variant (one event kind each), its labels are unique
/// and name the variant they run, and the system is allowed everything.
fn the_matrix_covers_every_command(b: Backend) {
    let kinds: BTreeSet<&str> = Command::EVENT_KINDS.iter().copied().collect();
    assert_eq!(
        kinds.len(),
        Command::EVENT_KINDS.len(),
        "event kinds are not unique"
    );
    let labels: BTreeSet<&str> = MATRIX.iter().map(|(l, _)| *l).collect();
    assert_eq!(labels.len(), MATRIX.len(), "duplicate matrix rows");
    let mut covered = BTreeSet::new();
    for (label, row) in MATRIX {
        assert!(row[0], "{label}: the system is always allowed");
        let w = World::on(b);
        let cmd = case(label, &w).cmd;
        let variant = format!("{cmd:?}");
        let variant = variant.split('(').next().unwrap();
        assert_eq!(
            label.split_whitespace().next(),
            Some(variant),
            "row {label:?} runs a {variant}"
        );
        covered.insert(cmd.event_kind());
    }
    let missing: Vec<_> = kinds.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "commands not in the matrix: {missing:?}"
    );
    assert_eq!(covered, kinds);
}

// ---------------------------------------------------------------- scope

/// Asserts `actor` may run `cmd`, and that it appended one event.
#[track_caller]
fn assert_allowed(w: &World, actor: &Actor, cmd: impl Into<Command>) {
    let before = log_len(w);
    let r = w.hub.execute(actor, cmd.into());
    assert!(r.is_ok(), "{actor:?} should be allowed: {r:?}");
    assert_eq!(log_len(w), before + 1);
}

/// Asserts `actor` is refused `cmd` with `Forbidden`, and that nothing was written.
#[track_caller]
fn assert_forbidden(w: &World, actor: &Actor, cmd: impl Into<Command>) {
    let before = log_len(w);
    let r = w.hub.execute(actor, cmd.into());
    assert!(
        matches!(r, Err(Error::Forbidden { .. })),
        "{actor:?} should be forbidden: {r:?}"
    );
    assert_eq!(log_len(w), before, "a refused command wrote an event");
}

/// Asserts `actor` is answered `NotFound` for an `entity` it may not see, and that nothing
/// was written.
#[track_caller]
fn assert_hidden(w: &World, actor: &Actor, cmd: impl Into<Command>, entity: &str) {
    let before = log_len(w);
    let r = w.hub.execute(actor, cmd.into());
    assert!(
        matches!(&r, Err(Error::NotFound { entity: e, .. }) if e == entity),
        "{actor:?} should not find the {entity}: {r:?}"
    );
    assert_eq!(log_len(w), before, "a refused command wrote an event");
}

/// Staff of committee B may not do committee A's work (nor A's staff B's), while staff of
/// the community above both may.
fn staff_act_only_in_their_own_subtree(b: Backend) {
    let w = World::on(b);
    let staff_b = staff(w.committee_b);
    // A's draft, submitted need and pending hours are hidden from B's staff: not found.
    assert_hidden(&w, &staff_b, PublishNeed { need: w.need_draft }, "need");
    assert_forbidden(
        &w,
        &staff_b,
        VerifyClaim {
            claim: w.claim_done,
        },
    );
    assert_hidden(
        &w,
        &staff_b,
        RejectNeed {
            need: w.need_submitted,
            reason: "不归本社区".into(),
        },
        "need",
    );
    assert_hidden(
        &w,
        &staff_b,
        ApproveHours {
            hours: w.hours_pending,
        },
        "hours",
    );
    assert_forbidden(
        &w,
        &staff_b,
        AcceptReport {
            member: w.reported,
            note: None,
        },
    );
    assert_forbidden(
        &w,
        &staff_b,
        StartPairing {
            member: w.member_b,
            resident: w.resident_a,
        },
    );
    assert_forbidden(
        &w,
        &w.staff_a(),
        WithdrawNeed {
            need: w.need_b,
            reason: "越权".into(),
        },
    );
    // A grid is below its committee, not above it: a grid's "staff" oversee nothing here
    // (and may not know of the committee's drafts).
    assert_hidden(
        &w,
        &staff(w.grid_a),
        PublishNeed { need: w.need_draft },
        "need",
    );
    assert_forbidden(&w, &staff(w.grid_a), PublishNeed { need: w.need_open });
    // Staff of the community oversee both committees.
    let community = staff(w.community);
    assert_allowed(&w, &community, PublishNeed { need: w.need_draft });
    assert_allowed(
        &w,
        &community,
        VerifyClaim {
            claim: w.claim_done,
        },
    );
}

/// A member acts for themself only: claims, work, hours, teams and reports of another member
/// are refused.
fn a_member_may_not_act_for_another_member(b: Backend) {
    let w = World::on(b);
    let a = member(w.member_a);
    let loner = member(w.loner_a);
    assert_forbidden(
        &w,
        &a,
        ClaimNeed {
            need: w.need_open,
            claimant: Claimant::Member(w.loner_a),
            promised_by: t0() + days(5),
        },
    );
    assert_forbidden(
        &w,
        &loner,
        StartWork {
            claim: w.claim_active,
        },
    );
    assert_forbidden(
        &w,
        &loner,
        CompleteClaim {
            claim: w.claim_active,
            fulfilment: fulfilment(),
        },
    );
    assert_forbidden(
        &w,
        &loner,
        ReleaseClaim {
            claim: w.claim_active,
            reason: "替他放弃".into(),
        },
    );
    assert_forbidden(&w, &a, log_hours(w.loner_a));
    assert_forbidden(
        &w,
        &a,
        JoinTeam {
            team: w.team_a,
            member: w.loner_a,
        },
    );
    assert_forbidden(
        &w,
        &loner,
        LeaveTeam {
            team: w.team_a,
            member: w.member_a,
        },
    );
    assert_forbidden(
        &w,
        &a,
        ReportMember {
            member: w.certified,
            committee: w.committee_a,
            commitment: "代签".into(),
            skills: vec![],
        },
    );
    // The member themself may.
    assert_allowed(
        &w,
        &loner,
        ClaimNeed {
            need: w.need_open,
            claimant: Claimant::Member(w.loner_a),
            promised_by: t0() + days(5),
        },
    );
}

/// Only the team's current captain claims for it: not a plain member of the team, not the
/// captain once replaced; and an organisation's claim belongs to its own contact.
fn only_the_captain_claims_for_a_team(b: Backend) {
    let w = World::on(b);
    let claim = |claimant| ClaimNeed {
        need: w.need_collective,
        claimant,
        promised_by: t0() + days(5),
    };
    // member_a is in team_a but not its captain.
    assert_forbidden(&w, &member(w.member_a), claim(Claimant::Team(w.team_a)));
    // team_b has no captain: no member acts for it.
    assert_forbidden(&w, &member(w.captain_a), claim(Claimant::Team(w.team_b)));
    // Another organisation's contact may not claim as `org`.
    let other = w
        .hub
        .run(
            &w.admin(),
            RegisterOrganisation {
                name: "另一家公司".into(),
                kind: OrganisationKind::Enterprise,
                contact_name: "周经理".into(),
                contact_phone: "13985009876".into(),
                district: w.district,
            },
        )
        .unwrap()
        .id;
    let other_contact = Actor::OrganisationContact {
        organisation: other,
    };
    assert_forbidden(&w, &other_contact, claim(Claimant::Organisation(w.org)));
    // The captain claims for the team; then a new captain takes over, and the former one
    // no longer acts for the team's claim.
    let team_claim = w
        .hub
        .run(&member(w.captain_a), claim(Claimant::Team(w.team_a)))
        .unwrap()
        .id;
    w.hub
        .run(
            &w.staff_a(),
            AppointCaptain {
                team: w.team_a,
                member: w.loner_a,
            },
        )
        .unwrap();
    assert_forbidden(&w, &member(w.captain_a), StartWork { claim: team_claim });
    assert_allowed(&w, &member(w.loner_a), StartWork { claim: team_claim });
}

/// Only the drafter of a need (besides staff) may submit it.
fn only_the_drafting_member_may_submit(b: Backend) {
    let w = World::on(b);
    let need = w
        .hub
        .run(&member(w.member_a), draft_by_member_a(&w))
        .unwrap()
        .id;
    assert_hidden(&w, &member(w.loner_a), SubmitNeed { need }, "need");
    // need_draft was drafted by staff: no member may submit it (nor know it exists).
    assert_hidden(
        &w,
        &member(w.member_a),
        SubmitNeed { need: w.need_draft },
        "need",
    );
    // A member accepted at B may not draft at A.
    assert_forbidden(&w, &member(w.member_b), draft_by_member_a(&w));
    // A member not yet accepted anywhere may not draft.
    assert_forbidden(&w, &member(w.reported), draft_by_member_a(&w));
    assert_allowed(&w, &member(w.member_a), SubmitNeed { need });
}

/// A secretary issues and reissues certificates of their own work unit only.
fn a_secretary_of_another_work_unit_may_not_issue_here(b: Backend) {
    let w = World::on(b);
    let other = w
        .hub
        .run(
            &w.admin(),
            RegisterWorkUnit {
                name: "区教育局".into(),
                party_organisation: "区教育局机关党支部".into(),
            },
        )
        .unwrap()
        .id;
    let other_secretary = Actor::WorkUnitSecretary { work_unit: other };
    let issue = |work_unit| IssueCertificate {
        work_unit,
        name: "钱伟".into(),
        phone: None,
        id_number: None,
        number: "JY-2026-001".into(),
        deadline: t0() + days(60),
    };
    assert_forbidden(&w, &other_secretary, issue(w.work_unit));
    assert_forbidden(&w, &w.secretary(), issue(other));
    w.clock.advance(days(31));
    assert_forbidden(
        &w,
        &other_secretary,
        ReissueCertificate {
            member: w.certified,
            number: "JY-2026-002".into(),
            deadline: t0() + days(60),
        },
    );
    assert_allowed(&w, &other_secretary, issue(other));
}

/// An admin of another district builds nothing in this one; work units and categories lie
/// outside the residence tree, so any admin may add them.
fn an_admin_of_another_district_may_not_build_here(b: Backend) {
    let w = World::on(b);
    let elsewhere = w
        .hub
        .run(
            &Actor::System,
            CreateUnit {
                kind: UnitKind::District,
                name: "水城区".into(),
                parent: None,
            },
        )
        .unwrap()
        .id;
    let other_admin = Actor::DistrictAdmin {
        district: elsewhere,
    };
    assert_forbidden(
        &w,
        &other_admin,
        CreateUnit {
            kind: UnitKind::Committee,
            name: "新社区居委会".into(),
            parent: Some(w.community),
        },
    );
    assert_forbidden(
        &w,
        &other_admin,
        RegisterOrganisation {
            name: "外区公司".into(),
            kind: OrganisationKind::Enterprise,
            contact_name: "吴经理".into(),
            contact_phone: "13985001111".into(),
            district: w.district,
        },
    );
    // A district admin may not create another district, even beside their own.
    assert_forbidden(
        &w,
        &w.admin(),
        CreateUnit {
            kind: UnitKind::District,
            name: "盘州市".into(),
            parent: None,
        },
    );
    assert_allowed(
        &w,
        &other_admin,
        CreateUnit {
            kind: UnitKind::Community,
            name: "双水街道".into(),
            parent: Some(elsewhere),
        },
    );
    assert_allowed(
        &w,
        &other_admin,
        RegisterWorkUnit {
            name: "水城区民政局".into(),
            party_organisation: "水城区民政局机关党支部".into(),
        },
    );
}

needbridge_acceptance::conformance!(
    every_command_by_every_actor_kind,
    the_matrix_covers_every_command,
    staff_act_only_in_their_own_subtree,
    a_member_may_not_act_for_another_member,
    only_the_captain_claims_for_a_team,
    only_the_drafting_member_may_submit,
    a_secretary_of_another_work_unit_may_not_issue_here,
    an_admin_of_another_district_may_not_build_here,
);

//! A walk-through of the seed's flow, on the embedded SQLite default.
//!
//! Zhongshan District builds its tree; a work unit certifies members; members report to the
//! committee where they live and are accepted (the work unit's ledger hears of it); the
//! committee registers residents and publishes their needs; a member, a team and an
//! enterprise claim them; the work is done, recorded, checked and the resident asked.
//!
//! Run: `cargo run -p needbridge-examples --example seed_flow [FILE]` — the database is
//! written to FILE (default `seed_flow.db`, replaced if it exists); open it afterwards with any
//! SQLite tool (`docs/SCHEMA.md` describes the tables).

use chrono::Duration;
use needbridge::command::*;
use needbridge::model::*;
use needbridge::{Actor, Hub};

fn yuan(fen: i64) -> String {
    format!("{}.{:02} 元", fen / 100, fen % 100)
}

fn main() -> Result<(), needbridge::Error> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "seed_flow.db".into());
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    let hub = Hub::open(&path)?;
    let now = hub.now();
    let sys = Actor::System;

    // The residence tree.
    let district = hub.run(
        &sys,
        CreateUnit {
            kind: UnitKind::District,
            name: "钟山区".into(),
            parent: None,
        },
    )?;
    let admin = Actor::DistrictAdmin {
        district: district.id,
    };
    let street = hub.run(
        &admin,
        CreateUnit {
            kind: UnitKind::Community,
            name: "荷城街道".into(),
            parent: Some(district.id),
        },
    )?;
    let committee = hub.run(
        &admin,
        CreateUnit {
            kind: UnitKind::Committee,
            name: "凤凰社区居委会".into(),
            parent: Some(street.id),
        },
    )?;
    let staff = Actor::CommitteeStaff { unit: committee.id };
    println!(
        "1. 区 {} > 街道 {} > 居委会 {}",
        district.name, street.name, committee.name
    );

    // A work unit certifies two members; they report and are accepted.
    let wu = hub.run(
        &admin,
        RegisterWorkUnit {
            name: "区财政局".into(),
            party_organisation: "区财政局机关党支部".into(),
        },
    )?;
    let secretary = Actor::WorkUnitSecretary { work_unit: wu.id };
    let mut members = Vec::new();
    for (i, name) in ["王芳", "赵强"].into_iter().enumerate() {
        let m = hub.run(
            &secretary,
            IssueCertificate {
                work_unit: wu.id,
                name: name.into(),
                phone: Some(format!("1388580{i:04}")),
                id_number: None,
                number: format!("CZJ-2026-{:03}", i + 1),
                deadline: now + Duration::days(30),
            },
        )?;
        let me = Actor::Member { member: m.id };
        hub.run(
            &me,
            ReportMember {
                member: m.id,
                committee: committee.id,
                commitment: "每月服务不少于一次".into(),
                skills: vec!["会计".into()],
            },
        )?;
        hub.run(
            &staff,
            AcceptReport {
                member: m.id,
                note: None,
            },
        )?;
        members.push(m.id);
    }
    let ledger = hub.ledger(&secretary, wu.id)?;
    println!(
        "2. {} members reported and accepted; the work unit's ledger has {} entries",
        members.len(),
        ledger.len()
    );

    // A team with a captain; an enterprise.
    let team = hub.run(
        &staff,
        FormTeam {
            committee: committee.id,
            kind: TeamKind::HomeElderCare,
            name: "居家养老服务队".into(),
            channel: Channel::Family,
            grid: None,
        },
    )?;
    hub.run(
        &staff,
        AppointCaptain {
            team: team.id,
            member: members[1],
        },
    )?;
    let org = hub.run(
        &admin,
        RegisterOrganisation {
            name: "某建材有限公司".into(),
            kind: OrganisationKind::Enterprise,
            contact_name: "李经理".into(),
            contact_phone: "13985001234".into(),
            district: district.id,
        },
    )?;
    println!(
        "3. team {} (captain appointed), enterprise {}",
        team.name, org.name
    );

    // Residents and their needs, published into the project library.
    let child = hub.run(
        &staff,
        RegisterResident {
            committee: committee.id,
            grid: None,
            name: "刘小明".into(),
            phone: None,
            id_number: None,
            address: Some("凤凰社区5栋".into()),
            groups: vec![ResidentGroup::LeftBehindChild],
            household: None,
        },
    )?;
    let elder = hub.run(
        &staff,
        RegisterResident {
            committee: committee.id,
            grid: None,
            name: "陈大爷".into(),
            phone: Some("13912345678".into()),
            id_number: None,
            address: None,
            groups: vec![ResidentGroup::EmptyNestElderly, ResidentGroup::Elderly],
            household: None,
        },
    )?;
    let publish =
        |resident, title: &str, category: &str, scale, fen| -> Result<Need, needbridge::Error> {
            let n = hub.run(
                &staff,
                DraftNeed {
                    committee: committee.id,
                    grid: None,
                    resident: Some(resident),
                    institution: None,
                    title: title.into(),
                    description: title.into(),
                    category: category.into(),
                    channel: Channel::Family,
                    scale,
                    estimated_cost_fen: fen,
                    wanted_by: now + Duration::days(20),
                    beneficiaries: Vec::new(),
                    recurrence: None,
                    place: None,
                    location: None,
                },
            )?;
            hub.run(&staff, PublishNeed { need: n.id })
        };
    let bag = publish(
        child.id,
        "一个新书包",
        "study_supplies",
        Scale::Individual,
        8_000,
    )?;
    let goods = publish(
        elder.id,
        "90岁老人的年货",
        "festival_goods",
        Scale::Individual,
        30_000,
    )?;
    let care = publish(elder.id, "每周上门打扫", "elder_care", Scale::Collective, 0)?;
    println!(
        "4. published: {}, {}, {}",
        bag.title, goods.title, care.title
    );

    // Claims: a member, the team (through its captain), the enterprise (through its contact).
    let promised = now + Duration::days(7);
    let m0 = Actor::Member { member: members[0] };
    let captain = Actor::Member { member: members[1] };
    let contact = Actor::OrganisationContact {
        organisation: org.id,
    };
    let c1 = hub.run(
        &m0,
        ClaimNeed {
            need: bag.id,
            claimant: Claimant::Member(members[0]),
            promised_by: promised,
        },
    )?;
    let c2 = hub.run(
        &captain,
        ClaimNeed {
            need: care.id,
            claimant: Claimant::Team(team.id),
            promised_by: promised,
        },
    )?;
    let c3 = hub.run(
        &contact,
        ClaimNeed {
            need: goods.id,
            claimant: Claimant::Organisation(org.id),
            promised_by: promised,
        },
    )?;
    let masked = hub.resident(&contact, child.id)?;
    let seen_by_claimer = hub.resident(&m0, child.id)?;
    println!("5. claimed three ways; the child is {:?} to the enterprise, {:?} to the member doing the need", masked.name, seen_by_claimer.name);
    if let Err(e) = hub.run(
        &contact,
        ClaimNeed {
            need: bag.id,
            claimant: Claimant::Organisation(org.id),
            promised_by: promised,
        },
    ) {
        println!("   a second claim on the schoolbag is refused: {e}");
    }

    // Work done, recorded, checked.
    let done = |actor: &Actor, claim, money_fen, items, minutes, people| {
        hub.run(
            actor,
            CompleteClaim {
                claim,
                fulfilment: Fulfilment {
                    money_fen,
                    items: if items > 0 {
                        vec![Item {
                            count: items,
                            description: "物资".into(),
                        }]
                    } else {
                        vec![]
                    },
                    minutes,
                    people_served: people,
                    evidence: vec!["photo://handover.jpg".into()],
                    note: String::new(),
                    roster: Vec::new(),
                },
            },
        )
    };
    hub.run(&m0, StartWork { claim: c1.id })?;
    done(&m0, c1.id, 8_000, 1, 60, 1)?;
    done(&captain, c2.id, 0, 0, 240, 1)?;
    done(&contact, c3.id, 30_000, 5, 90, 1)?;
    for c in [c1.id, c2.id, c3.id] {
        hub.run(&staff, VerifyClaim { claim: c })?;
    }
    hub.run(
        &staff,
        RecordFeedback {
            need: bag.id,
            feedback: Feedback::Satisfied,
            wanted_by: None,
        },
    )?;
    println!("6. three claims done and verified; the child's family is satisfied");

    // What was counted.
    let m = hub.member(&sys, members[0])?;
    let t = hub.team(&sys, team.id)?;
    let o = &hub.organisations(&sys)?[0];
    println!("7. counted:");
    println!(
        "   member {}: {} claims, {}, {} minutes",
        m.name,
        m.tally.claims_verified,
        yuan(m.tally.money_fen),
        m.tally.minutes
    );
    println!(
        "   team {}: {} claims, {} minutes",
        t.name, t.tally.claims_verified, t.tally.minutes
    );
    println!(
        "   enterprise {}: {} claims, {}, {} items",
        o.name,
        o.tally.claims_verified,
        yuan(o.tally.money_fen),
        o.tally.items
    );
    let events = hub.events_since(&sys, 0, 1000)?;
    println!(
        "8. the audit trail holds {} events; the last: #{} {}",
        events.len(),
        events.last().map_or(0, |e| e.seq),
        events.last().map_or("", |e| e.kind.as_str())
    );

    // Everything is on disk: a new Hub over the same file sees it all.
    drop(hub);
    let again = Hub::open(&path)?;
    let n = again.events_since(&sys, 0, 1000)?.len();
    let status = again.need(&sys, bag.id)?.status;
    println!("9. reopened {path}: {n} events; the schoolbag need is {status}");
    Ok(())
}

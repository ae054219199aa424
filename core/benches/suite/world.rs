//! The bench world: one committee with accepted members and published needs, built through
//! the Hub, and claims through the Hub (shared by the suite and the micro benches).

use chrono::{Duration, Utc};
use needbridge::command::*;
use needbridge::model::*;
use needbridge::{Actor, Hub, HubConfig, Store, SystemClock};
use std::ops::Range;
use std::time::Instant;

/// A committee with accepted members and published needs, built through the Hub.
pub struct World {
    pub hub: Hub,
    pub committee: UnitId,
    pub members: Vec<MemberId>,
    pub needs: Vec<NeedId>,
}

/// Policies for the benches: no cap on a member's open claims (each member holds many).
pub fn config() -> HubConfig {
    HubConfig {
        max_open_claims_per_member: u32::MAX,
        ..Default::default()
    }
}

/// A Hub over `store` with [`config`].
pub fn hub_on(store: impl Store + 'static) -> Hub {
    Hub::with(store, SystemClock, config()).expect("hub")
}

/// Builds the world: one committee, `members` accepted members, `needs` published needs.
pub fn world(hub: Hub, members: usize, needs: usize) -> World {
    let sys = Actor::System;
    let later = Utc::now() + Duration::days(60);
    let unit = |kind, name: &str, parent| {
        hub.run(
            &sys,
            CreateUnit {
                kind,
                name: name.into(),
                parent,
            },
        )
        .expect("unit")
        .id
    };
    let district = unit(UnitKind::District, "钟山区", None);
    let community = unit(UnitKind::Community, "荷城街道", Some(district));
    let committee = unit(UnitKind::Committee, "凤凰社区居委会", Some(community));
    let staff = Actor::CommitteeStaff { unit: committee };
    let wu = hub
        .run(
            &sys,
            RegisterWorkUnit {
                name: "区财政局".into(),
                party_organisation: "党支部".into(),
            },
        )
        .expect("work unit")
        .id;
    let members: Vec<MemberId> = (0..members)
        .map(|i| {
            let m = hub
                .run(
                    &sys,
                    IssueCertificate {
                        work_unit: wu,
                        name: format!("党员{i}"),
                        phone: None,
                        id_number: None,
                        number: format!("BD-{i}"),
                        deadline: later,
                    },
                )
                .expect("certificate")
                .id;
            hub.run(
                &Actor::Member { member: m },
                ReportMember {
                    member: m,
                    committee,
                    commitment: "服务".into(),
                    skills: vec![],
                },
            )
            .expect("report");
            hub.run(
                &staff,
                AcceptReport {
                    member: m,
                    note: None,
                },
            )
            .expect("accept");
            m
        })
        .collect();
    let resident = hub
        .run(
            &staff,
            RegisterResident {
                committee,
                grid: None,
                name: "陈大爷".into(),
                phone: None,
                id_number: None,
                address: None,
                groups: vec![ResidentGroup::Elderly],
                household: None,
            },
        )
        .expect("resident")
        .id;
    let needs = (0..needs)
        .map(|i| {
            let n = hub
                .run(
                    &staff,
                    DraftNeed {
                        committee,
                        grid: None,
                        resident: Some(resident),
                        institution: None,
                        title: format!("需求{i}"),
                        description: "居民需求".into(),
                        category: "festival_goods".into(),
                        channel: Channel::Family,
                        scale: Scale::Individual,
                        estimated_cost_fen: 10_000,
                        wanted_by: later,
                        beneficiaries: Vec::new(),
                        recurrence: None,
                        place: None,
                        location: None,
                    },
                )
                .expect("draft")
                .id;
            hub.run(&staff, PublishNeed { need: n }).expect("publish");
            n
        })
        .collect();
    World {
        hub,
        committee,
        members,
        needs,
    }
}

/// Claims `w.needs[range]` through the Hub, member `i % members` claiming need `i`.
pub fn through_hub(w: &World, range: Range<usize>) -> f64 {
    let until = Utc::now() + Duration::days(30);
    let t = Instant::now();
    for i in range {
        let m = w.members[i % w.members.len()];
        w.hub
            .run(
                &Actor::Member { member: m },
                ClaimNeed {
                    need: w.needs[i],
                    claimant: Claimant::Member(m),
                    promised_by: until,
                },
            )
            .expect("claim");
    }
    t.elapsed().as_secs_f64()
}

//! Property-based state-machine test: random streams of commands from many actors against
//! the memory store. After every step:
//! - at most one live claim per need, and each need's status agrees with its claims;
//! - a command that returned an error changed nothing (state and event log identical);
//! - money and counts in the model (tallies, approved minutes) equal the sums of the records
//!   they count;
//! - the event log is gap-free, and replaying its changes rebuilds the same state;
//! - no event holds a resident's personal data, an erased resident keeps none, and an
//!   erasure changes no report figure.

use chrono::{Duration, TimeZone, Utc};
use needbridge::command::*;
use needbridge::model::*;
use needbridge::store::memory::MemorySnapshot;
use needbridge::store::{Kind, Record};
use needbridge::{Actor, Command};
use needbridge_acceptance::invariants::{check_invariants, replay_matches};
use needbridge_acceptance::{member, staff, t0, Backend, World};
use proptest::prelude::*;

/// One step of a random stream: indices pick entities and actors from pools.
#[derive(Debug, Clone)]
enum Op {
    Draft {
        resident: usize,
        collective: bool,
        days: i64,
        category: usize,
        in_grid: bool,
        /// A further beneficiary from the pool (issue 18; refused when it is the first, or of
        /// another committee).
        also: Option<usize>,
        /// A weekly series of three (issue 18): the tick publishes the occurrences.
        recur: bool,
        /// For an institution instead of the resident (issue 18; refused with a further
        /// beneficiary).
        institution: bool,
    },
    /// A household at a committee of the pool (issue 18).
    Household {
        committee: usize,
    },
    /// A resident moves into a household of the pool, or out of any.
    SetHousehold {
        resident: usize,
        household: Option<usize>,
    },
    /// A committee's own category (issue 18), under a top-level one or (refused) another
    /// committee's.
    OwnCategory {
        committee: usize,
        parent: usize,
        n: u8,
    },
    Appoint {
        team: usize,
        member: usize,
    },
    /// A three-heads role, sometimes in committee A's grid (issue 18; refused at B).
    AssignRole {
        member: usize,
        kind: usize,
        in_grid: bool,
    },
    /// An activity; with `roster` (issue 18) its members (some not accepted: refused) and a
    /// line of helpers, person-times left for the roster to give.
    Activity {
        channel: usize,
        participants: u32,
        roster: Option<(usize, usize, u32)>,
    },
    Submit {
        need: usize,
    },
    Publish {
        need: usize,
    },
    Reject {
        need: usize,
    },
    Withdraw {
        need: usize,
    },
    Claim {
        need: usize,
        claimant: usize,
        days: i64,
    },
    Start {
        claim: usize,
    },
    Extend {
        claim: usize,
        days: i64,
    },
    Release {
        claim: usize,
    },
    Complete {
        claim: usize,
        money: i64,
        items: u32,
        minutes: u32,
        people: u32,
        /// Who served (issue 18): two members of the pool (refused unless they may serve on
        /// the claim) with minutes each; the fulfilment's minutes then come from the roster.
        roster: Option<(usize, usize)>,
    },
    Verify {
        claim: usize,
    },
    SendBack {
        claim: usize,
    },
    Feedback {
        need: usize,
        satisfied: bool,
    },
    Join {
        team: usize,
        member: usize,
    },
    Leave {
        team: usize,
        member: usize,
    },
    LogHours {
        member: usize,
        minutes: u32,
        /// A visit of a pairing's log (issue 18), refused unless it is the member's.
        visit: Option<usize>,
    },
    DecideHours {
        hours: usize,
        approve: bool,
    },
    /// An offer of a need (issue 18) by a pool actor to a claimant of the pool.
    Offer {
        need: usize,
        to: usize,
        days: i64,
    },
    /// The offered party (or, refused, another actor) answers an offer.
    Answer {
        offer: usize,
        accept: bool,
        days: i64,
    },
    Advance {
        hours: i64,
    },
    Tick,
    Erase {
        resident: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let i = || 0usize..64;
    prop_oneof![
        (i(), i(), 0u8..4).prop_map(|(committee, parent, n)| Op::OwnCategory {
            committee,
            parent,
            n
        }),
        (i(), i()).prop_map(|(team, member)| Op::Appoint { team, member }),
        (i(), i(), any::<bool>()).prop_map(|(member, kind, in_grid)| Op::AssignRole {
            member,
            kind,
            in_grid
        }),
        (i(), 0u32..30, proptest::option::of((i(), i(), 0u32..4))).prop_map(
            |(channel, participants, roster)| Op::Activity {
                channel,
                participants,
                roster,
            }
        ),
        (
            i(),
            any::<bool>(),
            -2i64..40,
            i(),
            any::<bool>(),
            proptest::option::of(i()),
            any::<bool>(),
            proptest::bool::weighted(0.2)
        )
            .prop_map(
                |(resident, collective, days, category, in_grid, also, recur, institution)| {
                    Op::Draft {
                        resident,
                        collective,
                        days,
                        category,
                        in_grid,
                        also,
                        recur,
                        institution,
                    }
                }
            ),
        i().prop_map(|committee| Op::Household { committee }),
        (i(), proptest::option::of(i())).prop_map(|(resident, household)| Op::SetHousehold {
            resident,
            household
        }),
        i().prop_map(|need| Op::Submit { need }),
        i().prop_map(|need| Op::Publish { need }),
        i().prop_map(|need| Op::Reject { need }),
        i().prop_map(|need| Op::Withdraw { need }),
        (i(), i(), -1i64..40).prop_map(|(need, claimant, days)| Op::Claim {
            need,
            claimant,
            days
        }),
        (i(), i(), -1i64..40).prop_map(|(need, claimant, days)| Op::Claim {
            need,
            claimant,
            days
        }),
        i().prop_map(|claim| Op::Start { claim }),
        (i(), i(), -1i64..20).prop_map(|(need, to, days)| Op::Offer { need, to, days }),
        (i(), any::<bool>(), -1i64..20).prop_map(|(offer, accept, days)| Op::Answer {
            offer,
            accept,
            days
        }),
        (i(), -2i64..20).prop_map(|(claim, days)| Op::Extend { claim, days }),
        i().prop_map(|claim| Op::Release { claim }),
        (
            i(),
            -5i64..100_000,
            0u32..5,
            0u32..600,
            0u32..20,
            proptest::option::of((i(), i()))
        )
            .prop_map(
                |(claim, money, items, minutes, people, roster)| Op::Complete {
                    claim,
                    money,
                    items,
                    minutes: if roster.is_some() { 0 } else { minutes },
                    people,
                    roster,
                }
            ),
        i().prop_map(|claim| Op::Verify { claim }),
        i().prop_map(|claim| Op::Verify { claim }),
        i().prop_map(|claim| Op::SendBack { claim }),
        (i(), any::<bool>()).prop_map(|(need, satisfied)| Op::Feedback { need, satisfied }),
        (i(), i()).prop_map(|(team, member)| Op::Join { team, member }),
        (i(), i()).prop_map(|(team, member)| Op::Leave { team, member }),
        (i(), 0u32..1500, proptest::option::of(i())).prop_map(|(member, minutes, visit)| {
            Op::LogHours {
                member,
                minutes,
                visit,
            }
        }),
        (i(), any::<bool>()).prop_map(|(hours, approve)| Op::DecideHours { hours, approve }),
        (1i64..600).prop_map(|hours| Op::Advance { hours }),
        Just(Op::Tick),
        i().prop_map(|resident| Op::Erase { resident }),
    ]
}

fn ids<T: Clone>(snap: &MemorySnapshot, kind: Kind, f: impl Fn(&Record) -> Option<T>) -> Vec<T> {
    snap.records
        .get(&kind)
        .map(|m| m.values().filter_map(&f).collect())
        .unwrap_or_default()
}

fn pick<T: Copy>(v: &[T], i: usize) -> Option<T> {
    if v.is_empty() {
        None
    } else {
        Some(v[i % v.len()])
    }
}

/// Every actor that may plausibly act, so that refusals are exercised too.
fn actors(w: &World) -> Vec<Actor> {
    vec![
        Actor::System,
        w.admin(),
        w.staff_a(),
        staff(w.committee_b),
        staff(w.community),
        w.secretary(),
        w.contact(),
        member(w.member_a),
        member(w.captain_a),
        member(w.loner_a),
        member(w.member_b),
    ]
}

fn command_for(w: &World, snap: &MemorySnapshot, op: &Op) -> Option<Command> {
    let now = w.hub.now();
    let need_ids: Vec<NeedId> = ids(snap, Kind::Need, |r| match r {
        Record::Need(n) => Some(n.id),
        _ => None,
    });
    let claim_ids: Vec<ClaimId> = ids(snap, Kind::Claim, |r| match r {
        Record::Claim(c) => Some(c.id),
        _ => None,
    });
    let residents = [w.resident_a, w.child_a, w.resident_b];
    let members = [
        w.member_a,
        w.captain_a,
        w.loner_a,
        w.member_b,
        w.certified,
        w.reported,
    ];
    let teams = [w.team_a, w.team_b];
    let claimants: Vec<Claimant> = members
        .iter()
        .map(|m| Claimant::Member(*m))
        .chain(teams.iter().map(|t| Claimant::Team(*t)))
        .chain([Claimant::Organisation(w.org)])
        .collect();
    let households: Vec<HouseholdId> = ids(snap, Kind::Household, |r| match r {
        Record::Household(h) => Some(h.id),
        _ => None,
    });
    let offers: Vec<OfferId> = ids(snap, Kind::Offer, |r| match r {
        Record::Offer(o) => Some(o.id),
        _ => None,
    });
    let pairings: Vec<PairingId> = ids(snap, Kind::Pairing, |r| match r {
        Record::Pairing(p) => Some(p.id),
        _ => None,
    });
    let hours: Vec<HoursId> = ids(snap, Kind::Hours, |r| match r {
        Record::Hours(h) => Some(h.id),
        _ => None,
    });
    Some(match *op {
        Op::Draft {
            resident,
            collective,
            days,
            category,
            in_grid,
            also,
            recur,
            institution,
        } => {
            let r = pick(&residents, resident)?;
            let committee = if r == w.resident_b {
                w.committee_b
            } else {
                w.committee_a
            };
            // Any category, a committee's own included (another's is refused), and sometimes
            // committee A's grid (refused at B).
            let codes: Vec<String> = ids(snap, Kind::Category, |r| match r {
                Record::Category(c) => Some(c.code.clone()),
                _ => None,
            });
            DraftNeed {
                committee,
                grid: in_grid.then_some(w.grid_a),
                resident: (!institution).then_some(r),
                institution: institution.then(|| "白鹤养老服务中心".into()),
                title: "需求".into(),
                description: "随机生成".into(),
                category: codes.get(category % codes.len().max(1))?.clone(),
                channel: Channel::Grid,
                scale: if collective {
                    Scale::Collective
                } else {
                    Scale::Individual
                },
                estimated_cost_fen: 1000,
                wanted_by: now + Duration::days(days),
                beneficiaries: match also {
                    None => Vec::new(),
                    Some(a) => vec![pick(&residents, a)?],
                },
                recurrence: recur.then_some(Recurrence {
                    every: Every::Week,
                    times: 3,
                }),
                place: None,
                location: None,
            }
            .into()
        }
        Op::Household { committee } => RegisterHousehold {
            committee: pick(&[w.committee_a, w.committee_b], committee)?,
            grid: None,
        }
        .into(),
        Op::SetHousehold {
            resident,
            household,
        } => SetHousehold {
            resident: pick(&residents, resident)?,
            household: match household {
                None => None,
                Some(h) => Some(pick(&households, h)?),
            },
        }
        .into(),
        Op::Submit { need } => SubmitNeed {
            need: pick(&need_ids, need)?,
        }
        .into(),
        Op::Publish { need } => PublishNeed {
            need: pick(&need_ids, need)?,
        }
        .into(),
        Op::Reject { need } => RejectNeed {
            need: pick(&need_ids, need)?,
            reason: "不符合条件".into(),
        }
        .into(),
        Op::Withdraw { need } => WithdrawNeed {
            need: pick(&need_ids, need)?,
            reason: "已解决".into(),
        }
        .into(),
        Op::Claim {
            need,
            claimant,
            days,
        } => ClaimNeed {
            need: pick(&need_ids, need)?,
            claimant: pick(&claimants, claimant)?,
            promised_by: now + Duration::days(days),
        }
        .into(),
        Op::Start { claim } => StartWork {
            claim: pick(&claim_ids, claim)?,
        }
        .into(),
        Op::Extend { claim, days } => {
            let c = pick(&claim_ids, claim)?;
            let cur = match snap
                .records
                .get(&Kind::Claim)?
                .values()
                .find(|r| r.id() == c.0)?
            {
                Record::Claim(c) => c.promised_by,
                _ => return None,
            };
            ExtendClaim {
                claim: c,
                promised_by: cur + Duration::days(days),
            }
            .into()
        }
        Op::Release { claim } => ReleaseClaim {
            claim: pick(&claim_ids, claim)?,
            reason: "临时有事".into(),
        }
        .into(),
        Op::Complete {
            claim,
            money,
            items,
            minutes,
            people,
            roster,
        } => CompleteClaim {
            claim: pick(&claim_ids, claim)?,
            fulfilment: Fulfilment {
                money_fen: money,
                items: if items == 0 {
                    vec![]
                } else {
                    vec![Item {
                        count: items,
                        description: "物资".into(),
                    }]
                },
                minutes,
                people_served: people,
                evidence: vec![],
                note: String::new(),
                roster: match roster {
                    None => Vec::new(),
                    Some((a, b)) => {
                        let mut r = vec![RosterLine::member(pick(&members, a)?, 30 + a as u32)];
                        let second = pick(&members, b)?;
                        if r[0].member != Some(second) {
                            r.push(RosterLine::member(second, 20));
                        }
                        r
                    }
                },
            },
        }
        .into(),
        Op::Verify { claim } => VerifyClaim {
            claim: pick(&claim_ids, claim)?,
        }
        .into(),
        Op::SendBack { claim } => SendBackClaim {
            claim: pick(&claim_ids, claim)?,
            reason: "照片不清楚".into(),
        }
        .into(),
        Op::Feedback { need, satisfied } => RecordFeedback {
            need: pick(&need_ids, need)?,
            feedback: if satisfied {
                Feedback::Satisfied
            } else {
                Feedback::NotSatisfied
            },
            wanted_by: if satisfied {
                None
            } else {
                Some(now + Duration::days(10))
            },
        }
        .into(),
        Op::Join { team, member } => JoinTeam {
            team: pick(&teams, team)?,
            member: pick(&members, member)?,
        }
        .into(),
        Op::Leave { team, member } => LeaveTeam {
            team: pick(&teams, team)?,
            member: pick(&members, member)?,
        }
        .into(),
        Op::LogHours {
            member,
            minutes,
            visit,
        } => LogHours {
            member: pick(&members, member)?,
            served_at: now - Duration::hours(1),
            minutes,
            description: "服务".into(),
            pairing: match visit {
                None => None,
                Some(p) => Some(pick(&pairings, p)?),
            },
        }
        .into(),
        Op::DecideHours { hours: h, approve } => {
            let id = pick(&hours, h)?;
            if approve {
                ApproveHours { hours: id }.into()
            } else {
                RejectHours {
                    hours: id,
                    reason: "时长不符".into(),
                }
                .into()
            }
        }
        Op::Erase { resident } => EraseResident {
            resident: pick(&residents, resident)?,
        }
        .into(),
        Op::OwnCategory {
            committee,
            parent,
            n,
        } => DefineCategory {
            code: format!("own_{n}"),
            name_zh: "自定义".into(),
            name_en: "Own".into(),
            parent: Some(pick(&["companionship", "festival_goods", "own_0"], parent)?.into()),
            committee: Some(pick(&[w.committee_a, w.committee_b], committee)?),
        }
        .into(),
        Op::Appoint { team, member } => AppointCaptain {
            team: pick(&teams, team)?,
            member: pick(&members, member)?,
        }
        .into(),
        Op::AssignRole {
            member,
            kind,
            in_grid,
        } => AssignRole {
            member: pick(&members, member)?,
            kind: pick(RoleKind::ALL, kind)?,
            scope: "随机".into(),
            grid: in_grid.then_some(w.grid_a),
        }
        .into(),
        Op::Activity {
            channel,
            participants,
            roster,
        } => RecordActivity {
            committee: w.committee_a,
            kind: ActivityKind::Patrol,
            title: "巡逻".into(),
            channel: pick(Channel::ALL, channel)?,
            team: None,
            held_at: now - Duration::hours(1),
            participants: if roster.is_some() { 0 } else { participants },
            people_reached: participants * 3,
            grid: None,
            place: Some("背街小巷".into()),
            roster: match roster {
                None => Vec::new(),
                Some((a, b, helpers)) => {
                    let mut r = vec![RosterLine::member(pick(&members, a)?, 60)];
                    let second = pick(&members, b)?;
                    if r[0].member != Some(second) {
                        r.push(RosterLine::member(second, 45));
                    }
                    if helpers > 0 {
                        r.push(RosterLine::helpers(HelperKind::Family, helpers, 30));
                    }
                    r
                }
            },
            location: None,
        }
        .into(),
        Op::Offer { need, to, days } => OfferNeed {
            need: pick(&need_ids, need)?,
            to: pick(&claimants, to)?,
            expires_at: now + Duration::days(days),
            note: None,
        }
        .into(),
        Op::Answer {
            offer,
            accept,
            days,
        } => {
            let offer = pick(&offers, offer)?;
            if accept {
                AcceptOffer {
                    offer,
                    promised_by: now + Duration::days(days),
                }
                .into()
            } else {
                DeclineOffer {
                    offer,
                    reason: "没空".into(),
                }
                .into()
            }
        }
        Op::Advance { .. } | Op::Tick => return None,
    })
}

/// Runs one random stream on a fresh world of `backend`, checking every invariant after
/// every step, and the replay at the end.
fn run_stream(backend: Backend, steps: &[(Op, usize)]) -> Result<(), TestCaseError> {
    let w = World::on(backend);
    let pool = actors(&w);
    check_invariants(&w.dump()).map_err(TestCaseError::fail)?;
    for (op, actor) in steps {
        let before = w.dump();
        match op {
            Op::Advance { hours } => w.clock.advance(Duration::hours(*hours)),
            Op::Tick => {
                w.hub.tick().expect("tick never fails");
            }
            _ => {
                let Some(cmd) = command_for(&w, &before, op) else {
                    continue;
                };
                let actor = pool[actor % pool.len()];
                let figures = |w: &World| {
                    use needbridge::report::{Period, ReportScope};
                    w.hub
                        .report(&Actor::System, ReportScope::Unit(w.district), Period::ALL)
                        .unwrap()
                        .data
                };
                let erasing = matches!(cmd, Command::EraseResident(_));
                let figures_before = erasing.then(|| figures(&w));
                if let Err(e) = w.hub.execute(&actor, cmd.clone()) {
                    prop_assert!(
                        !matches!(e, needbridge::Error::Storage { .. }),
                        "storage error {e}"
                    );
                    prop_assert!(
                        w.dump() == before,
                        "{:?} by {:?} failed with {e} but changed state",
                        cmd,
                        actor
                    );
                } else {
                    prop_assert_eq!(w.dump().events.len(), before.events.len() + 1);
                    if let Some(f) = figures_before {
                        prop_assert!(figures(&w) == f, "an erasure changed a figure");
                    }
                }
            }
        }
        check_invariants(&w.dump()).map_err(TestCaseError::fail)?;
    }
    replay_matches(&w.dump()).map_err(TestCaseError::fail)?;
    // Every report figure equals the memory reference on the same data.
    if backend != Backend::Memory {
        use needbridge::report::{Period, ReportScope};
        let mem = needbridge::Hub::new(needbridge::store::memory::MemoryStore::from_snapshot(
            w.dump(),
        ))
        .unwrap();
        let mid = Period {
            from: Some(t0() + Duration::hours(12)),
            to: Some(w.hub.now()),
        };
        for scope in [
            ReportScope::Unit(w.district),
            ReportScope::Unit(w.committee_a),
            ReportScope::WorkUnit(w.work_unit),
        ] {
            // Whole months are answered from the report cells, other periods from the rows.
            let month = |m: u32| Some(Utc.with_ymd_and_hms(2026, m, 1, 0, 0, 0).unwrap());
            let months = [
                Period {
                    from: month(1),
                    to: month(2),
                },
                Period {
                    from: month(2),
                    to: None,
                },
                Period {
                    from: None,
                    to: month(2),
                },
                Period {
                    from: month(2),
                    to: month(3),
                },
            ];
            for period in [Period::ALL, mid].into_iter().chain(months) {
                let got = w.hub.report(&Actor::System, scope, period).unwrap().data;
                let want = mem.report(&Actor::System, scope, period).unwrap().data;
                prop_assert_eq!(got, want, "{:?} {:?}", scope, period);
            }
        }
    }
    Ok(())
}

fn steps() -> impl Strategy<Value = Vec<(Op, usize)>> {
    prop::collection::vec((op(), 0usize..64), 1..60)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random command streams keep every invariant on the memory store.
    #[test]
    fn memory_random_streams_keep_the_invariants(steps in steps()) {
        run_stream(Backend::Memory, &steps)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// The same on SQLite.
    #[test]
    fn sqlite_random_streams_keep_the_invariants(steps in steps()) {
        run_stream(Backend::Sqlite, &steps)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// The same on PostgreSQL (fewer cases: each step reads the whole state twice).
    #[test]
    fn postgres_random_streams_keep_the_invariants(steps in steps()) {
        if needbridge_acceptance::postgres_url().is_some() {
            run_stream(Backend::Postgres, &steps)?;
        }
    }
}

/// The fixture's start time is what the other tests assume.
#[test]
fn fixture_time_is_fixed() {
    assert_eq!(t0().to_rfc3339(), "2026-01-05T08:00:00+00:00");
}

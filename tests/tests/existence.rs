//! An entity the actor may not see is indistinguishable from one that does not exist — in
//! commands as in reads.
//!
//! For every command that targets an entity some actors may not see (drafts and submitted
//! needs, logged hours, pairings), run by every actor who may not see it, the error must equal
//! the error the same command gets with a random id in the target's place (same kind, same
//! message once the id is replaced), and nothing may be written. Whether an actor sees the
//! target is decided by the public reads, so the test also checks that commands and reads
//! agree.

use chrono::Duration;
use needbridge::command::*;
use needbridge::model::*;
use needbridge::{Actor, Command, Error};
use needbridge_acceptance::{member, staff, t0, Backend, World};

/// Whose entity, which id.
#[derive(Debug, Clone, Copy)]
enum Target {
    Need(NeedId),
    Hours(HoursId),
    Pairing(PairingId),
}

impl Target {
    fn uuid(&self) -> uuid::Uuid {
        match self {
            Target::Need(x) => x.0,
            Target::Hours(x) => x.0,
            Target::Pairing(x) => x.0,
        }
    }
}

/// Every command aimed at `target` that `actor` could try.
fn commands(w: &World, actor: &Actor, target: Target) -> Vec<Command> {
    let later = t0() + Duration::days(10);
    match target {
        Target::Need(need) => {
            let claimant = match actor {
                Actor::Member { member } => Claimant::Member(*member),
                Actor::OrganisationContact { organisation } => {
                    Claimant::Organisation(*organisation)
                }
                Actor::CommitteeStaff { .. } => Claimant::Team(w.team_b),
                _ => Claimant::Member(w.member_b),
            };
            vec![
                SubmitNeed { need }.into(),
                PublishNeed { need }.into(),
                RejectNeed {
                    need,
                    reason: "重复".into(),
                }
                .into(),
                WithdrawNeed {
                    need,
                    reason: "已解决".into(),
                }
                .into(),
                ExpireNeed { need }.into(),
                RecordFeedback {
                    need,
                    feedback: Feedback::Satisfied,
                    wanted_by: None,
                }
                .into(),
                ClaimNeed {
                    need,
                    claimant,
                    promised_by: later,
                }
                .into(),
            ]
        }
        Target::Hours(hours) => vec![
            ApproveHours { hours }.into(),
            RejectHours {
                hours,
                reason: "未核实".into(),
            }
            .into(),
        ],
        Target::Pairing(pairing) => vec![EndPairing {
            pairing,
            reason: "搬走".into(),
        }
        .into()],
    }
}

/// Whether the reads let `actor` know `target` exists.
fn sees(w: &World, actor: &Actor, target: Target) -> bool {
    match target {
        Target::Need(n) => match w.hub.need(actor, n) {
            Ok(_) => true,
            Err(Error::NotFound { .. }) => false,
            Err(e) => panic!("reading a need: {e:?}"),
        },
        Target::Hours(h) => {
            let of_member = w
                .hub
                .hours_of(actor, w.member_a)
                .map(|v| v.iter().any(|x| x.id == h))
                .unwrap_or(false);
            let at_committee = w
                .hub
                .hours_at(actor, w.committee_a, None)
                .map(|v| v.iter().any(|x| x.id == h))
                .unwrap_or(false);
            of_member || at_committee
        }
        Target::Pairing(p) => w
            .hub
            .pairings(actor, w.committee_a, false)
            .map(|v| v.iter().any(|x| x.id == p))
            .unwrap_or(false),
    }
}

/// The error with every occurrence of `id` replaced, for comparing messages.
fn normalized(e: &Error, id: &str) -> String {
    format!("{:?} {e}", e.kind()).replace(id, "<id>")
}

fn log_len(w: &World) -> usize {
    w.hub.events_since(&Actor::System, 0, 1000).unwrap().len()
}

/// Runs `cmd` with `target`'s id and with a random one in its place: both must fail alike
/// and write nothing. Returns a description of the disagreement, if any.
fn compare(w: &World, actor: &Actor, cmd: &Command, target: Target) -> Option<String> {
    let real_id = target.uuid().to_string();
    let random_id = uuid::Uuid::now_v7().to_string();
    let json = serde_json::to_string(cmd).unwrap();
    assert!(json.contains(&real_id), "the command aims at the target");
    let random: Command = serde_json::from_str(&json.replace(&real_id, &random_id)).unwrap();
    let before = log_len(w);
    let hidden = w.hub.execute(actor, cmd.clone());
    let missing = w.hub.execute(actor, random);
    let after = log_len(w);
    let cell = format!("{} as {actor:?}", cmd.event_kind());
    match (hidden, missing) {
        (Err(h), Err(m)) => {
            if after != before {
                return Some(format!("{cell}: refused, but the log grew"));
            }
            let (h, m) = (normalized(&h, &real_id), normalized(&m, &random_id));
            (h != m).then(|| format!("{cell}: hidden gives {h:?}, a random id gives {m:?}"))
        }
        (h, m) => Some(format!(
            "{cell}: a hidden target gives {h:?}, a random id {m:?}"
        )),
    }
}

/// Every out-of-scope actor of the world (no system, no district admin: both see it all).
fn outsiders(w: &World) -> Vec<Actor> {
    vec![
        staff(w.committee_b),
        member(w.member_a),
        member(w.member_b),
        member(w.loner_a),
        w.secretary(),
        w.contact(),
    ]
}

/// Every command × every actor who may not see its target: answered as for a random id.
fn hidden_targets_answer_like_missing_ones(b: Backend) {
    let w = World::on(b);
    let targets = [
        Target::Need(w.need_draft),
        Target::Need(w.need_submitted),
        Target::Hours(w.hours_pending),
        Target::Pairing(w.pairing),
    ];
    let mut failures = Vec::new();
    let mut checked = 0;
    for target in targets {
        for actor in outsiders(&w) {
            if sees(&w, &actor, target) {
                continue;
            }
            for cmd in commands(&w, &actor, target) {
                checked += 1;
                failures.extend(compare(&w, &actor, &cmd, target));
            }
        }
    }
    // 2 needs × 7 commands × 6 actors, hours × 2 × 4 (the member and their secretary see
    // them), the pairing × 1 × 6.
    assert_eq!(checked, 2 * 7 * 6 + 2 * 4 + 6, "cells checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} cells reveal a hidden entity:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The seed's case: a member of committee B claiming committee A's draft or submitted need
/// gets exactly what a random id gets, and a need that becomes public is then claimable.
fn claiming_a_hidden_need_is_not_found(b: Backend) {
    let w = World::on(b);
    let mb = member(w.member_b);
    for need in [w.need_draft, w.need_submitted] {
        let e = w
            .hub
            .run(
                &mb,
                ClaimNeed {
                    need,
                    claimant: Claimant::Member(w.member_b),
                    promised_by: t0() + Duration::days(5),
                },
            )
            .unwrap_err();
        assert_eq!(
            e,
            Error::NotFound {
                entity: "need".into(),
                id: need.to_string()
            }
        );
    }
    // Published, the same need is visible: a member of B may claim it (across committees).
    w.hub
        .run(
            &w.staff_a(),
            PublishNeed {
                need: w.need_submitted,
            },
        )
        .unwrap();
    let claim = w
        .hub
        .run(
            &mb,
            ClaimNeed {
                need: w.need_submitted,
                claimant: Claimant::Member(w.member_b),
                promised_by: t0() + Duration::days(5),
            },
        )
        .unwrap();
    assert_eq!(claim.need, w.need_submitted);
}

/// Visible targets still get the honest answer (`Forbidden`, `IllegalState`): hiding is
/// only for what the actor may not see.
fn visible_targets_keep_their_errors(b: Backend) {
    let w = World::on(b);
    // Staff of B see A's published need, and may not publish it.
    let e = w
        .hub
        .run(&staff(w.committee_b), PublishNeed { need: w.need_open })
        .unwrap_err();
    assert!(matches!(e, Error::Forbidden { .. }), "{e:?}");
    // The district admin sees A's draft, and may not publish it either.
    let e = w
        .hub
        .run(&w.admin(), PublishNeed { need: w.need_draft })
        .unwrap_err();
    assert!(matches!(e, Error::Forbidden { .. }), "{e:?}");
    // The member whose hours they are sees them, and may not approve them.
    let e = w
        .hub
        .run(
            &member(w.member_a),
            ApproveHours {
                hours: w.hours_pending,
            },
        )
        .unwrap_err();
    assert!(matches!(e, Error::Forbidden { .. }), "{e:?}");
}

needbridge_acceptance::conformance!(
    hidden_targets_answer_like_missing_ones,
    claiming_a_hidden_need_is_not_found,
    visible_targets_keep_their_errors,
);

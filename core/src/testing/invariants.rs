//! The invariants every state must keep, checked on a whole dump; and the replay of the
//! event log. Shared by the state-machine property test and the crash harness.

use crate::model::*;
use crate::rules::lifecycle::need_status_for_live_claim;
use crate::store::memory::MemorySnapshot;
use crate::store::{Kind, Record};
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
    // The taxonomy: a committee's own category sits under a top-level one, and only that
    // committee's needs use it.
    let categories: BTreeMap<String, Category> = records(snap, Kind::Category, |r| match r {
        Record::Category(c) => Some((c.code.clone(), c.clone())),
        _ => None,
    })
    .into_iter()
    .collect();
    for c in categories.values() {
        ensure_eq!(c.parent.is_some(), c.committee.is_some());
        if let Some(p) = &c.parent {
            ensure!(
                categories.get(p).is_some_and(|top| top.parent.is_none()),
                "category {} refines {p}, which is not top-level",
                c.code
            );
        }
    }
    for n in &needs {
        // For a resident or an institution, exactly one; an institution's need alone.
        ensure!(
            n.resident.is_some() != n.institution.is_some(),
            "need {} is for both or neither of a resident and an institution",
            n.id
        );
        ensure!(
            n.resident.is_some() || n.beneficiaries.is_empty(),
            "need {} is an institution's but names further beneficiaries",
            n.id
        );
        let category = categories.get(&n.category);
        ensure!(category.is_some(), "need {} has an unknown category", n.id);
        ensure!(
            category
                .and_then(|c| c.committee)
                .is_none_or(|own| own == n.committee),
            "need {} uses another committee's category",
            n.id
        );
    }
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
                    Record::Hours(h) if h.member == m.id && h.status == HoursStatus::Approved => {
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
    // Who served (issue 18): a roster's figures are the roster's; its members were accepted;
    // a visit belongs to its member's pairing and is decided by the pairing's committee.
    let members: BTreeMap<MemberId, Member> = records(snap, Kind::Member, |r| match r {
        Record::Member(m) => Some((m.id, m.clone())),
        _ => None,
    })
    .into_iter()
    .collect();
    let accepted = |m: &MemberId| {
        members
            .get(m)
            .is_some_and(|x| x.status == MemberStatus::Accepted)
    };
    for c in &claims {
        let Some(f) = c.fulfilment.as_ref().filter(|f| !f.roster.is_empty()) else {
            continue;
        };
        ensure_eq!(u64::from(f.minutes), roster_minutes(&f.roster));
        for m in f.roster.iter().filter_map(|l| l.member) {
            ensure!(accepted(&m), "claim {} names an unaccepted member", c.id);
            if let Claimant::Member(x) = c.claimant {
                ensure_eq!(m, x, "a member's claim names only that member");
            }
        }
    }
    for r in snap.records.values().flat_map(|m| m.values()) {
        match r {
            Record::Activity(a) if a.rostered() => {
                ensure_eq!(u64::from(a.participants), roster_person_times(&a.roster));
                for m in a.roster.iter().filter_map(|l| l.member) {
                    ensure!(accepted(&m), "activity {} names an unaccepted member", a.id);
                }
            }
            Record::Hours(h) => {
                if let Some(p) = h.pairing {
                    let pairing = records(snap, Kind::Pairing, |r| match r {
                        Record::Pairing(x) if x.id == p => Some(x.clone()),
                        _ => None,
                    });
                    let pairing = pairing.first().ok_or("a visit of no pairing")?;
                    ensure_eq!(pairing.member, h.member);
                    ensure_eq!(pairing.committee, h.committee);
                    ensure!(h.served_at >= pairing.since);
                }
            }
            _ => {}
        }
    }
    // Households (issue 18): a resident's household and a need's further beneficiaries are at
    // the resident's (the need's) committee; no beneficiary twice.
    let residents: BTreeMap<ResidentId, Resident> = records(snap, Kind::Resident, |r| match r {
        Record::Resident(x) => Some((x.id, x.clone())),
        _ => None,
    })
    .into_iter()
    .collect();
    let households: BTreeMap<HouseholdId, Household> =
        records(snap, Kind::Household, |r| match r {
            Record::Household(x) => Some((x.id, x.clone())),
            _ => None,
        })
        .into_iter()
        .collect();
    for r in residents.values() {
        if let Some(h) = r.household {
            ensure_eq!(households.get(&h).map(|x| x.committee), Some(r.committee));
        }
    }
    for n in &needs {
        let helped: Vec<ResidentId> = n.helped().collect();
        let distinct: std::collections::BTreeSet<_> = helped.iter().collect();
        ensure_eq!(
            distinct.len(),
            helped.len(),
            "need {} names a beneficiary twice",
            n.id
        );
        for b in &n.beneficiaries {
            ensure_eq!(residents.get(b).map(|x| x.committee), Some(n.committee));
        }
    }
    // Recurring needs (issue 18): an occurrence belongs to a recurring first, numbered within
    // its series (each number once); a withdrawn or rejected series has nothing due.
    let by_need: BTreeMap<NeedId, &Need> = needs.iter().map(|n| (n.id, n)).collect();
    let mut numbers = std::collections::BTreeSet::new();
    for n in &needs {
        match n.series {
            Some(f) => {
                let first = by_need.get(&f).ok_or("an occurrence of no need")?;
                let rec = first
                    .recurrence
                    .ok_or("an occurrence of a need that does not recur")?;
                ensure!(n.recurrence.is_none() && n.next_due.is_none());
                ensure!(
                    (2..=rec.times).contains(&n.occurrence),
                    "occurrence {}",
                    n.occurrence
                );
                ensure!(
                    numbers.insert((f, n.occurrence)),
                    "occurrence {} twice",
                    n.occurrence
                );
            }
            None => {
                ensure_eq!(n.occurrence, u32::from(n.recurrence.is_some()));
                if n.next_due.is_some() {
                    ensure!(n.recurrence.is_some());
                    ensure!(!matches!(
                        n.status,
                        NeedStatus::Draft
                            | NeedStatus::Submitted
                            | NeedStatus::Rejected
                            | NeedStatus::Withdrawn
                    ));
                }
            }
        }
    }
    // Offers (issue 18): an accepted offer made a claim of its need for its party; an open one
    // is undecided, and a need has at most one open offer to one party.
    let offers: Vec<Offer> = records(snap, Kind::Offer, |r| match r {
        Record::Offer(o) => Some(o.clone()),
        _ => None,
    });
    let mut open = std::collections::BTreeSet::new();
    for o in &offers {
        match o.status {
            OfferStatus::Accepted => {
                let c = o
                    .claim
                    .and_then(|c| by_id.get(&c))
                    .ok_or("accepted, no claim")?;
                ensure_eq!((c.need, c.claimant), (o.need, o.to));
                ensure_eq!(o.decided_at, Some(c.claimed_at));
            }
            OfferStatus::Open => {
                ensure!(o.decided_at.is_none() && o.claim.is_none());
                ensure!(
                    open.insert((o.need, format!("{:?}", o.to))),
                    "two open offers of need {} to one party",
                    o.need
                );
            }
            _ => ensure!(o.decided_at.is_some() && o.claim.is_none()),
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

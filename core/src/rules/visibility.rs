//! Who may know that an entity exists.
//!
//! An entity the actor may not see answers every read **and every command** exactly like an
//! id that does not exist: `NotFound`, with the same message. The [`Hub`](crate::Hub) decides
//! visibility right after loading an entity — before authorization and before looking at its
//! state — so neither `Forbidden` nor `IllegalState` can reveal it. Most entities are public
//! (units, work units, organisations, categories, members, residents — personal data masked —,
//! claims, teams, activities, roles); these functions define the ones that are not.

use super::authz::{is, oversees, Principal};
use super::privacy;
use crate::model::*;

/// Whether `actor` may know of the need (held by the committee on `committee_path`): public
/// statuses (published, reopened and claimed work) for everyone; drafts, submitted, rejected,
/// withdrawn and expired needs only for those who oversee the committee and the member who
/// drafted it.
pub fn sees_need(actor: &Actor, need: &Need, committee_path: &[UnitId]) -> bool {
    need.status.is_public()
        || oversees(actor, committee_path)
        || need
            .drafted_by
            .is_some_and(|d| is(actor, &Principal::Member(d)))
}

/// Whether `actor` may know of logged hours: those who read the member's hours (the member,
/// their work unit's secretary, whoever oversees the committee they reported to) and those
/// who oversee the committee the hours were logged at. `member_path` is the path of the
/// member's committee (empty before they report), `hours_path` that of the hours' committee.
pub fn sees_hours(
    actor: &Actor,
    member: &Member,
    member_path: &[UnitId],
    hours_path: &[UnitId],
) -> bool {
    privacy::sees_member(actor, member, member_path) || oversees(actor, hours_path)
}

/// Whether `actor` may know of a pairing (at the committee on `committee_path`): those who
/// oversee the committee.
pub fn sees_pairing(actor: &Actor, committee_path: &[UnitId]) -> bool {
    oversees(actor, committee_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (UnitId, UnitId, UnitId) {
        (UnitId::new(), UnitId::new(), UnitId::new())
    }

    #[test]
    fn pairings_are_seen_by_overseers_only() {
        let (d, c, other) = ids();
        let path = [d, c];
        assert!(sees_pairing(&Actor::System, &path));
        assert!(sees_pairing(&Actor::DistrictAdmin { district: d }, &path));
        assert!(sees_pairing(&Actor::CommitteeStaff { unit: c }, &path));
        assert!(!sees_pairing(&Actor::CommitteeStaff { unit: other }, &path));
        assert!(!sees_pairing(
            &Actor::Member {
                member: MemberId::new()
            },
            &path
        ));
    }
}

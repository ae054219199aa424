//! Who may act. Each command names the [`Principal`]s allowed to run it, resolved from the
//! loaded facts (the target's unit path, the claimant, the team's captain, …);
//! [`require`] decides for an [`Actor`]. `System` is the host itself and is always allowed.
//!
//! The full command × actor matrix is written out in `tests/tests/authorization.rs`.

use crate::error::{Error, Result};
use crate::model::*;

/// Someone who may do a thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal<'a> {
    /// A district admin whose district lies on this unit path.
    AdminOver(&'a [UnitId]),
    /// Any district admin (for things outside the residence tree: work units, taxonomy).
    AnyAdmin,
    /// Committee staff whose unit lies on this unit path.
    StaffOver(&'a [UnitId]),
    /// This member.
    Member(MemberId),
    /// The secretary of this work unit.
    Secretary(WorkUnitId),
    /// The contact of this organisation.
    Contact(OrganisationId),
}

/// Whether `actor` is `principal`.
pub fn is(actor: &Actor, principal: &Principal<'_>) -> bool {
    match (actor, principal) {
        (Actor::DistrictAdmin { district }, Principal::AdminOver(path)) => path.contains(district),
        (Actor::DistrictAdmin { .. }, Principal::AnyAdmin) => true,
        (Actor::CommitteeStaff { unit }, Principal::StaffOver(path)) => path.contains(unit),
        (Actor::Member { member }, Principal::Member(m)) => member == m,
        (Actor::WorkUnitSecretary { work_unit }, Principal::Secretary(w)) => work_unit == w,
        (Actor::OrganisationContact { organisation }, Principal::Contact(o)) => organisation == o,
        _ => false,
    }
}

/// Allows `actor` if it is `System` or any of `principals`; otherwise `Forbidden`, naming
/// the actor's kind and the `action` in general words.
pub fn require(actor: &Actor, principals: &[Principal<'_>], action: &str) -> Result<()> {
    if matches!(actor, Actor::System) || principals.iter().any(|p| is(actor, p)) {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "a {} may not {action}",
            actor.kind_str().replace('_', " ")
        )))
    }
}

/// The principals acting for a claimant: the member, the team's captain, the organisation's
/// contact. `captain` is the team's current captain when the claimant is a team.
pub fn claimant_principal(
    claimant: &Claimant,
    captain: Option<MemberId>,
) -> Option<Principal<'static>> {
    match claimant {
        Claimant::Member(m) => Some(Principal::Member(*m)),
        Claimant::Team(_) => captain.map(Principal::Member),
        Claimant::Organisation(o) => Some(Principal::Contact(*o)),
    }
}

/// Whether `actor` is staff over `path` or the system: those who see a committee's
/// non-public data in full.
pub fn is_staff_over(actor: &Actor, path: &[UnitId]) -> bool {
    matches!(actor, Actor::System) || is(actor, &Principal::StaffOver(path))
}

/// Whether `actor` oversees `path`: system, a district admin of it, or staff over it.
pub fn oversees(actor: &Actor, path: &[UnitId]) -> bool {
    is_staff_over(actor, path) || is(actor, &Principal::AdminOver(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_match_only_their_own_actor() {
        let (d, c, k) = (UnitId::new(), UnitId::new(), UnitId::new());
        let path = [d, c, k];
        let other = UnitId::new();
        let m = MemberId::new();
        let w = WorkUnitId::new();
        let o = OrganisationId::new();
        assert!(is(
            &Actor::CommitteeStaff { unit: k },
            &Principal::StaffOver(&path)
        ));
        assert!(is(
            &Actor::CommitteeStaff { unit: c },
            &Principal::StaffOver(&path)
        ));
        assert!(!is(
            &Actor::CommitteeStaff { unit: other },
            &Principal::StaffOver(&path)
        ));
        assert!(is(
            &Actor::DistrictAdmin { district: d },
            &Principal::AdminOver(&path)
        ));
        assert!(!is(
            &Actor::DistrictAdmin { district: other },
            &Principal::AdminOver(&path)
        ));
        assert!(!is(
            &Actor::DistrictAdmin { district: d },
            &Principal::StaffOver(&path)
        ));
        assert!(is(&Actor::Member { member: m }, &Principal::Member(m)));
        assert!(!is(
            &Actor::Member {
                member: MemberId::new()
            },
            &Principal::Member(m)
        ));
        assert!(is(
            &Actor::WorkUnitSecretary { work_unit: w },
            &Principal::Secretary(w)
        ));
        assert!(is(
            &Actor::OrganisationContact { organisation: o },
            &Principal::Contact(o)
        ));
        assert!(!is(
            &Actor::OrganisationContact { organisation: o },
            &Principal::Member(m)
        ));
        assert!(require(&Actor::System, &[], "anything").is_ok());
        let e = require(
            &Actor::Member { member: m },
            &[Principal::AnyAdmin],
            "define categories",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "forbidden: a member may not define categories"
        );
    }
}

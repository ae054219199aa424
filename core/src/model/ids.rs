//! Typed ids: uuid v7 newtypes, so a `NeedId` can never be passed where a `MemberId` belongs.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $entity:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered (uuid v7) id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            /// The entity kind this id names, as used in errors.
            pub const ENTITY: &'static str = $entity;
            /// The underlying uuid.
            pub fn uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = crate::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| crate::Error::invalid($entity, "not a uuid"))
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    };
}

id_type!(
    /// A unit of the residence tree (district, community, committee, grid).
    UnitId, "unit");
id_type!(
    /// A work unit (机关单位) whose party organisation issues report certificates.
    WorkUnitId, "work_unit");
id_type!(
    /// An enterprise or social organisation.
    OrganisationId, "organisation");
id_type!(
    /// An in-service party member.
    MemberId, "member");
id_type!(
    /// A resident (beneficiary).
    ResidentId, "resident");
id_type!(
    /// A need in a committee's project library.
    NeedId, "need");
id_type!(
    /// A volunteer team.
    TeamId, "team");
id_type!(
    /// A claim of a need.
    ClaimId, "claim");
id_type!(
    /// A counted activity.
    ActivityId, "activity");
id_type!(
    /// A three-heads role held by a member.
    RoleId, "role");
id_type!(
    /// A member–resident pairing.
    PairingId, "pairing");
id_type!(
    /// A certificate of volunteer service records (志愿服务记录证明).
    ServiceCertificateId, "service_certificate");
id_type!(
    /// A member's request to correct a service record.
    CorrectionId, "correction");
id_type!(
    /// One year of the working calendar (the State Council's holidays and working weekends).
    CalendarYearId, "calendar_year");
id_type!(
    /// A household (户): residents living together at one address.
    HouseholdId, "household");
id_type!(
    /// An offer of a need to a member, team or organisation (派单).
    OfferId, "offer");
id_type!(
    /// A member's logged service hours.
    HoursId, "hours");
id_type!(
    /// A category of the needs taxonomy.
    CategoryId, "category");
id_type!(
    /// An entry of a work unit's ledger.
    LedgerEntryId, "ledger_entry");
id_type!(
    /// An event of the audit trail.
    EventId, "event");

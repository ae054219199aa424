//! Whole records of every entity kind — what a store keeps — with their kinds and a typed
//! view of each ([`Entity`]).

use super::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A whole record of one entity kind: what backends store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
pub enum Record {
    /// A unit of the residence tree.
    Unit(Unit),
    /// A work unit.
    WorkUnit(WorkUnit),
    /// An enterprise or social organisation.
    Organisation(Organisation),
    /// A category of the needs taxonomy.
    Category(Category),
    /// A member.
    Member(Member),
    /// An entry of a work unit's ledger.
    LedgerEntry(LedgerEntry),
    /// A resident.
    Resident(Resident),
    /// A need.
    Need(Need),
    /// A claim.
    Claim(Claim),
    /// A volunteer team.
    Team(Team),
    /// Logged service hours.
    Hours(Hours),
    /// A counted activity.
    Activity(Activity),
    /// A three-heads role.
    Role(Role),
    /// A pairing.
    Pairing(Pairing),
    /// An offer of a need.
    Offer(Offer),
    /// A household.
    Household(Household),
    /// A certificate of service records.
    ServiceCertificate(ServiceCertificate),
    /// A request to correct a service record.
    Correction(Correction),
    /// A year of the working calendar.
    CalendarYear(CalendarYear),
}

/// The kind of a [`Record`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// [`Record::Unit`]
    Unit,
    /// [`Record::WorkUnit`]
    WorkUnit,
    /// [`Record::Organisation`]
    Organisation,
    /// [`Record::Category`]
    Category,
    /// [`Record::Member`]
    Member,
    /// [`Record::LedgerEntry`]
    LedgerEntry,
    /// [`Record::Resident`]
    Resident,
    /// [`Record::Need`]
    Need,
    /// [`Record::Claim`]
    Claim,
    /// [`Record::Team`]
    Team,
    /// [`Record::Hours`]
    Hours,
    /// [`Record::Activity`]
    Activity,
    /// [`Record::Role`]
    Role,
    /// [`Record::Pairing`]
    Pairing,
    /// [`Record::Offer`]
    Offer,
    /// [`Record::Household`]
    Household,
    /// [`Record::ServiceCertificate`]
    ServiceCertificate,
    /// [`Record::Correction`]
    Correction,
    /// [`Record::CalendarYear`]
    CalendarYear,
}

impl Kind {
    /// The kind's name as used in errors and SQL table names (`need`, `work_unit`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Unit => "unit",
            Kind::WorkUnit => "work_unit",
            Kind::Organisation => "organisation",
            Kind::Category => "category",
            Kind::Member => "member",
            Kind::LedgerEntry => "ledger_entry",
            Kind::Resident => "resident",
            Kind::Need => "need",
            Kind::Claim => "claim",
            Kind::Team => "team",
            Kind::Hours => "hours",
            Kind::Activity => "activity",
            Kind::Role => "role",
            Kind::Pairing => "pairing",
            Kind::Offer => "offer",
            Kind::Household => "household",
            Kind::ServiceCertificate => "service_certificate",
            Kind::Correction => "correction",
            Kind::CalendarYear => "calendar_year",
        }
    }

    /// Every kind.
    pub const ALL: &'static [Kind] = &[
        Kind::Unit,
        Kind::WorkUnit,
        Kind::Organisation,
        Kind::Category,
        Kind::Member,
        Kind::LedgerEntry,
        Kind::Resident,
        Kind::Need,
        Kind::Claim,
        Kind::Team,
        Kind::Hours,
        Kind::Activity,
        Kind::Role,
        Kind::Pairing,
        Kind::Offer,
        Kind::Household,
        Kind::ServiceCertificate,
        Kind::Correction,
        Kind::CalendarYear,
    ];
}

macro_rules! record_impls {
    ($($variant:ident => $id:ident),+ $(,)?) => {
        impl Record {
            /// The record's kind.
            pub fn kind(&self) -> Kind {
                match self { $(Record::$variant(_) => Kind::$variant),+ }
            }
            /// The record's id.
            pub fn id(&self) -> Uuid {
                match self { $(Record::$variant(r) => r.id.0),+ }
            }
        }
        $(
            impl Entity for $variant {
                type Id = $id;
                const KIND: Kind = Kind::$variant;
                fn from_record(r: Record) -> Option<Self> {
                    match r { Record::$variant(x) => Some(x), _ => None }
                }
                fn into_record(self) -> Record { Record::$variant(self) }
                fn uuid(id: &$id) -> Uuid { id.0 }
            }
        )+
    };
}

record_impls!(
    Unit => UnitId,
    WorkUnit => WorkUnitId,
    Organisation => OrganisationId,
    Category => CategoryId,
    Member => MemberId,
    LedgerEntry => LedgerEntryId,
    Resident => ResidentId,
    Need => NeedId,
    Claim => ClaimId,
    Team => TeamId,
    Hours => HoursId,
    Activity => ActivityId,
    Role => RoleId,
    Pairing => PairingId,
    Offer => OfferId,
    Household => HouseholdId,
    ServiceCertificate => ServiceCertificateId,
    Correction => CorrectionId,
    CalendarYear => CalendarYearId,
);

/// A typed view of one [`Record`] variant.
pub trait Entity: Sized {
    /// Its id type.
    type Id: std::fmt::Display;
    /// Its kind.
    const KIND: Kind;
    /// Unwraps the record if it is of this kind.
    fn from_record(r: Record) -> Option<Self>;
    /// Wraps it.
    fn into_record(self) -> Record;
    /// The id's uuid.
    fn uuid(id: &Self::Id) -> Uuid;
}

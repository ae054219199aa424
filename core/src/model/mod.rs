//! Plain data: the domain's entities, ids and vocabularies. No storage, no rules.

mod enums;
mod ids;
mod record;

pub use enums::*;
pub use ids::*;
pub use record::*;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A unit of the residence tree: district > community > residents' committee > grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Unit {
    /// Its id.
    pub id: UnitId,
    /// Its level.
    pub kind: UnitKind,
    /// Its name, e.g. 荷城街道凤凰社区.
    pub name: String,
    /// Its parent (`None` for a district).
    pub parent: Option<UnitId>,
    /// Ids from the root down to and including this unit: the subtree test is `path.contains`.
    pub path: Vec<UnitId>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl Unit {
    /// Whether this unit is `scope` or lies beneath it.
    pub fn is_within(&self, scope: UnitId) -> bool {
        self.path.contains(&scope)
    }
}

/// A work unit (机关单位) whose party organisation issues report certificates and keeps a ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct WorkUnit {
    /// Its id.
    pub id: WorkUnitId,
    /// Its name.
    pub name: String,
    /// Its party organisation (单位党组织), which signs certificates.
    pub party_organisation: String,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}

/// Totals of verified work, maintained as claims are verified: what reports count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Tally {
    /// Verified claims.
    pub claims_verified: u64,
    /// Money put in, in fen.
    pub money_fen: i64,
    /// Items given.
    pub items: u64,
    /// Minutes of service in fulfilments.
    pub minutes: u64,
    /// People served.
    pub people_served: u64,
}

impl Tally {
    /// Adds one verified fulfilment.
    pub fn add(&mut self, f: &Fulfilment) {
        self.claims_verified += 1;
        self.money_fen += f.money_fen;
        self.items += f.item_count();
        self.minutes += u64::from(f.minutes);
        self.people_served += u64::from(f.people_served);
    }
}

/// An enterprise or social organisation that claims needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Organisation {
    /// Its id.
    pub id: OrganisationId,
    /// Its name.
    pub name: String,
    /// Enterprise or social organisation.
    pub kind: OrganisationKind,
    /// The contact person's name (personal data).
    pub contact_name: String,
    /// The contact person's phone (personal data).
    pub contact_phone: String,
    /// The district it serves.
    pub district: UnitId,
    /// Its verified work.
    pub tally: Tally,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}

/// A category of the needs taxonomy (configurable; seeded with the seed's examples).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Category {
    /// Its id.
    pub id: CategoryId,
    /// Stable code, e.g. `study_supplies`; what needs refer to.
    pub code: String,
    /// Chinese label.
    pub name_zh: String,
    /// English label.
    pub name_en: String,
    /// The top-level category this one refines (a committee's own category under the
    /// district's taxonomy); `None` for a top-level category.
    #[serde(default)]
    pub parent: Option<String>,
    /// The committee that defined it and whose needs may use it; `None` for the district's.
    #[serde(default)]
    pub committee: Option<UnitId>,
}

/// The certificate (报到证) a work unit issues to a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Certificate {
    /// The work unit's number on it.
    pub number: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// Report before this time.
    pub deadline: DateTime<Utc>,
}

/// A signed service commitment (服务承诺书).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Commitment {
    /// What the member promises.
    pub text: String,
    /// When it was signed.
    pub signed_at: DateTime<Utc>,
}

/// An in-service party member (在职党员).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Member {
    /// Its id.
    pub id: MemberId,
    /// The work unit that issued the certificate.
    pub work_unit: WorkUnitId,
    /// Name (personal data).
    pub name: String,
    /// Mobile phone (personal data).
    pub phone: Option<String>,
    /// Resident ID number (personal data).
    pub id_number: Option<String>,
    /// Skills and professions, free words (医生, 律师, 教师, …).
    pub skills: Vec<String>,
    /// The current certificate.
    pub certificate: Certificate,
    /// Where the member stands in reporting.
    pub status: MemberStatus,
    /// The committee reported to.
    pub committee: Option<UnitId>,
    /// When the member reported.
    pub reported_at: Option<DateTime<Utc>>,
    /// The signed commitment.
    pub commitment: Option<Commitment>,
    /// When the committee decided (accepted or returned).
    pub decided_at: Option<DateTime<Utc>>,
    /// Why the report was returned.
    pub return_reason: Option<String>,
    /// Verified work done as an individual claimant.
    pub tally: Tally,
    /// Approved logged service minutes.
    pub approved_minutes: u64,
}

impl Member {
    /// The certificate as its work unit sees it at `now`.
    pub fn certificate_state(&self, now: DateTime<Utc>) -> CertificateState {
        match self.status {
            MemberStatus::Certified if now > self.certificate.deadline => CertificateState::Overdue,
            MemberStatus::Certified => CertificateState::Issued,
            MemberStatus::Reported => CertificateState::Reported,
            MemberStatus::Accepted => CertificateState::Accepted,
            MemberStatus::Returned => CertificateState::Returned,
        }
    }

    /// Whether the member is accepted at `committee`.
    pub fn is_accepted_at(&self, committee: UnitId) -> bool {
        self.status == MemberStatus::Accepted && self.committee == Some(committee)
    }
}

/// An entry of a work unit's ledger (台账): the committee's feedback on a member's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct LedgerEntry {
    /// Its id.
    pub id: LedgerEntryId,
    /// The work unit whose ledger it is.
    pub work_unit: WorkUnitId,
    /// The member concerned.
    pub member: MemberId,
    /// The committee that decided.
    pub committee: UnitId,
    /// Accepted or returned.
    pub kind: LedgerKind,
    /// The reason for a return, or the committee's note.
    pub note: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A resident (beneficiary). Name, phone, ID number and address are personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Resident {
    /// Its id.
    pub id: ResidentId,
    /// The committee that holds the resident's data.
    pub committee: UnitId,
    /// The grid, if known.
    pub grid: Option<UnitId>,
    /// Name (personal data).
    pub name: String,
    /// Phone (personal data).
    pub phone: Option<String>,
    /// Resident ID number (personal data).
    pub id_number: Option<String>,
    /// Address (personal data).
    pub address: Option<String>,
    /// Groups (left-behind child, elderly, …).
    pub groups: Vec<ResidentGroup>,
    /// When registered.
    pub created_at: DateTime<Utc>,
    /// Whether the personal fields of this copy are masked for the reader (or withheld: the
    /// audit log never holds them, see [`crate::rules::audit`]).
    pub masked: bool,
    /// When the resident's personal data was erased ([`EraseResident`](crate::command::EraseResident)):
    /// name, phone, ID number and address are then empty everywhere, while the resident's
    /// committee, grid and groups stay for the figures.
    #[serde(default)]
    pub erased_at: Option<DateTime<Utc>>,
    /// The household (户) the resident belongs to, if registered.
    #[serde(default)]
    pub household: Option<HouseholdId>,
}

/// A certificate of a member's volunteer service records (志愿服务记录证明, Ministry of Civil
/// Affairs 2020, Arts 14–15), issued by the committee that recorded them: the member, the
/// period, the service time and the records it covers, a number anyone can check against the
/// store ([`Hub::check_service_certificate`](crate::Hub::check_service_certificate)), the date
/// and the issuer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct ServiceCertificate {
    /// Its id.
    pub id: ServiceCertificateId,
    /// The certificate number (unique in the store).
    pub number: String,
    /// The member.
    pub member: MemberId,
    /// The issuing (recording) committee.
    pub committee: UnitId,
    /// The period's start, if bounded.
    pub from: Option<DateTime<Utc>>,
    /// The period's end (exclusive), if bounded.
    pub to: Option<DateTime<Utc>>,
    /// Service time the records give, in minutes.
    pub minutes: u64,
    /// How many records it covers.
    pub records: u32,
    /// What the service was: the records' distinct contents, in order.
    pub content: Vec<String>,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
}

/// One year of the working calendar: the public holidays (法定节假日) and the weekend days
/// worked instead (调休上班) the State Council announces each year, as the district office
/// keeps them. Working days are Monday to Friday but the holidays, and the working weekends;
/// a year without a calendar counts weekdays only. Used where a rule counts working days (a
/// service record is entered within 10 working days, [`crate::service`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct CalendarYear {
    /// Its id.
    pub id: CalendarYearId,
    /// The year.
    pub year: i32,
    /// Days off (the holidays' weekdays and any weekend days of them), in order.
    pub holidays: Vec<chrono::NaiveDate>,
    /// Saturdays and Sundays worked, in order.
    pub working_weekends: Vec<chrono::NaiveDate>,
    /// When last set.
    pub set_at: DateTime<Utc>,
}

/// A member's request to correct one of their service records (Art 12): the recording
/// committee accepts (and corrects the record through the usual commands) or declines,
/// saying why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Correction {
    /// Its id.
    pub id: CorrectionId,
    /// The member asking.
    pub member: MemberId,
    /// The committee that recorded the service.
    pub committee: UnitId,
    /// Where the record comes from.
    pub source: ServiceSource,
    /// The id of the activity, claim or hours behind the record.
    pub source_id: uuid::Uuid,
    /// What is wrong.
    pub reason: String,
    /// Where it stands.
    pub status: CorrectionStatus,
    /// The committee's answer.
    pub answer: Option<String>,
    /// When asked.
    pub requested_at: DateTime<Utc>,
    /// When answered.
    pub decided_at: Option<DateTime<Utc>>,
}

/// A point on the map in WGS-84 microdegrees (an integer pair: exact, comparable, hashable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct GeoPoint {
    /// Latitude × 1,000,000 (−90,000,000 to 90,000,000).
    pub lat_e6: i32,
    /// Longitude × 1,000,000 (−180,000,000 to 180,000,000).
    pub lon_e6: i32,
}

impl GeoPoint {
    /// The point rounded to 0.001° (about 100 m): how a place is shown to those who do not
    /// oversee its committee, so a need's place on the map never pinpoints a door.
    pub fn coarse(self) -> GeoPoint {
        let r = |v: i32| (f64::from(v) / 1000.0).round() as i32 * 1000;
        GeoPoint {
            lat_e6: r(self.lat_e6),
            lon_e6: r(self.lon_e6),
        }
    }

    /// The great-circle distance to `other`, in metres (haversine, mean Earth radius).
    pub fn metres_to(self, other: GeoPoint) -> f64 {
        let rad = |v: i32| (f64::from(v) / 1e6).to_radians();
        let (la1, lo1, la2, lo2) = (
            rad(self.lat_e6),
            rad(self.lon_e6),
            rad(other.lat_e6),
            rad(other.lon_e6),
        );
        let h = ((la2 - la1) / 2.0).sin().powi(2)
            + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
        2.0 * 6_371_008.8 * h.sqrt().min(1.0).asin()
    }
}

/// How a recurring need comes again: every week or month, `times` occurrences in all (the
/// first included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Recurrence {
    /// How often.
    pub every: Every,
    /// How many occurrences in all, the first included (2 to 520).
    pub times: u32,
}

/// A household (户): residents living together, registered at a committee (and grid). It
/// holds no personal data itself: its address is its residents' (masked with theirs). The
/// district counts households helped (帮扶户数) through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Household {
    /// Its id.
    pub id: HouseholdId,
    /// The committee holding it.
    pub committee: UnitId,
    /// The grid, if known (a child of the committee).
    pub grid: Option<UnitId>,
    /// When registered.
    pub created_at: DateTime<Utc>,
}

impl Need {
    /// Every resident the need is for: the first, then the further beneficiaries (none for an
    /// institution's need).
    pub fn helped(&self) -> impl Iterator<Item = ResidentId> + '_ {
        self.resident
            .into_iter()
            .chain(self.beneficiaries.iter().copied())
    }
}

impl Resident {
    /// Whether the resident is a child (masked most strictly).
    pub fn is_child(&self) -> bool {
        self.groups.contains(&ResidentGroup::LeftBehindChild)
    }
}

/// A need in a committee's project library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Need {
    /// Its id.
    pub id: NeedId,
    /// The committee whose library holds it.
    pub committee: UnitId,
    /// The grid, if any.
    pub grid: Option<UnitId>,
    /// The resident it is for (the first beneficiary), or `None` for a need whose
    /// beneficiary is an institution.
    pub resident: Option<ResidentId>,
    /// Short title ("a schoolbag").
    pub title: String,
    /// Longer description.
    pub description: String,
    /// Category code from the taxonomy.
    pub category: String,
    /// Channel tag.
    pub channel: Channel,
    /// Individual or collective.
    pub scale: Scale,
    /// Estimated cost in fen.
    pub estimated_cost_fen: i64,
    /// Wanted by.
    pub wanted_by: DateTime<Utc>,
    /// Lifecycle status.
    pub status: NeedStatus,
    /// The live claim, if any.
    pub live_claim: Option<ClaimId>,
    /// How many claims it has had.
    pub claim_count: u32,
    /// Why it was rejected or withdrawn.
    pub reason: Option<String>,
    /// The resident's latest feedback.
    pub feedback: Option<Feedback>,
    /// The member who drafted it, if a member did.
    pub drafted_by: Option<MemberId>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When first published.
    pub published_at: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Further residents it is for (the seed's "两名留守小女孩", "袁秀珍等6户"), at the same
    /// committee; each counts as helped, with their households.
    #[serde(default)]
    pub beneficiaries: Vec<ResidentId>,
    /// How the need comes again, for the first of a recurring series (weekly meals, a monthly
    /// visit): [`Hub::tick`](crate::Hub::tick) publishes each next occurrence when the one
    /// before is due.
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
    /// The first need of the series this occurrence belongs to (`None` for the first itself and
    /// for needs that do not recur).
    #[serde(default)]
    pub series: Option<NeedId>,
    /// Its number in its series (1 for the first; 0 for a need that does not recur).
    #[serde(default)]
    pub occurrence: u32,
    /// For the first of a series: when the next occurrence is published (`None` once the
    /// series is complete, withdrawn or rejected, or before it is published).
    #[serde(default)]
    pub next_due: Option<DateTime<Utc>>,
    /// Where the work is done — a street, a courtyard, the stairwell of a building — if
    /// recorded. Not a home address (that is the resident's, masked with their data).
    #[serde(default)]
    pub place: Option<String>,
    /// The place's coordinates, if known; shown to those who do not oversee the committee
    /// only to about 100 m ([`GeoPoint::coarse`]).
    #[serde(default)]
    pub location: Option<GeoPoint>,
    /// The institution it is for (白鹤养老服务中心, a school, a kindergarten) when no resident
    /// is: its public name, not personal data. Exactly one of `resident` and `institution`.
    #[serde(default)]
    pub institution: Option<String>,
}

/// Who holds a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Claimant {
    /// An individual member.
    Member(MemberId),
    /// A team, acting through its captain.
    Team(TeamId),
    /// An enterprise or social organisation, acting through its contact.
    Organisation(OrganisationId),
}

impl Claimant {
    /// `member`, `team` or `organisation`.
    pub fn kind_str(&self) -> &'static str {
        self.kind().as_str()
    }

    /// Member, team or organisation, as a vocabulary value (with its labels).
    pub fn kind(&self) -> ClaimantKind {
        match self {
            Claimant::Member(_) => ClaimantKind::Member,
            Claimant::Team(_) => ClaimantKind::Team,
            Claimant::Organisation(_) => ClaimantKind::Organisation,
        }
    }

    /// The claimant's id, whatever its kind.
    pub fn uuid(&self) -> uuid::Uuid {
        match self {
            Claimant::Member(m) => m.0,
            Claimant::Team(t) => t.0,
            Claimant::Organisation(o) => o.0,
        }
    }
}

/// Items given as part of a fulfilment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Item {
    /// How many.
    pub count: u32,
    /// What.
    pub description: String,
}

/// One line of a roster (名单): who served in a piece of work and for how long. A line is a
/// member, or non-member helpers counted together (the seed's "母亲帮忙": one family member;
/// "5名党员带动30多名员工": thirty employees), never a name of someone who is not a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct RosterLine {
    /// Minutes each of them gave (1 to 1440); at most the time between sign-in and sign-out
    /// when those were taken.
    pub minutes: u32,
    /// The member who served (`None` for non-member helpers).
    #[serde(default)]
    pub member: Option<MemberId>,
    /// Who the non-member helpers are (`None` for a member).
    #[serde(default)]
    pub helper: Option<HelperKind>,
    /// How many people the line stands for: 1 for a member; helpers may be counted together.
    #[serde(default = "one")]
    pub people: u32,
    /// When they signed in, if sign-in was taken.
    #[serde(default)]
    pub signed_in: Option<DateTime<Utc>>,
    /// When they signed out, if sign-out was taken (with `signed_in`).
    #[serde(default)]
    pub signed_out: Option<DateTime<Utc>>,
}

fn one() -> u32 {
    1
}

impl RosterLine {
    /// A member who served `minutes`.
    pub fn member(member: MemberId, minutes: u32) -> RosterLine {
        RosterLine {
            member: Some(member),
            helper: None,
            people: 1,
            minutes,
            signed_in: None,
            signed_out: None,
        }
    }

    /// `people` non-member helpers of one kind, who served `minutes` each.
    pub fn helpers(helper: HelperKind, people: u32, minutes: u32) -> RosterLine {
        RosterLine {
            member: None,
            helper: Some(helper),
            people,
            minutes,
            signed_in: None,
            signed_out: None,
        }
    }

    /// Person-times (人次) the line stands for.
    pub fn person_times(&self) -> u64 {
        u64::from(self.people)
    }

    /// Minutes given by everyone on the line.
    pub fn total_minutes(&self) -> u64 {
        u64::from(self.people) * u64::from(self.minutes)
    }
}

/// Person-times (人次) of a roster.
pub fn roster_person_times(roster: &[RosterLine]) -> u64 {
    roster.iter().map(RosterLine::person_times).sum()
}

/// Minutes given by everyone on a roster.
pub fn roster_minutes(roster: &[RosterLine]) -> u64 {
    roster.iter().map(RosterLine::total_minutes).sum()
}

/// What was done for a need: recorded on completion, counted once verified.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Fulfilment {
    /// Money put in, in fen (≥ 0).
    pub money_fen: i64,
    /// Items given.
    pub items: Vec<Item>,
    /// Minutes of service.
    pub minutes: u32,
    /// People served.
    pub people_served: u32,
    /// References to evidence (photo ids, file names, URLs).
    pub evidence: Vec<String>,
    /// A note.
    pub note: String,
    /// Who served (members and helpers, minutes each). With a roster, `minutes` is the
    /// roster's total (given as 0 it is filled in; any other value must equal it).
    pub roster: Vec<RosterLine>,
}

impl Fulfilment {
    /// Total count of items.
    pub fn item_count(&self) -> u64 {
        self.items.iter().map(|i| u64::from(i.count)).sum()
    }
}

/// A claim of a need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Claim {
    /// Its id.
    pub id: ClaimId,
    /// The need.
    pub need: NeedId,
    /// The need's committee (copied for scoping).
    pub committee: UnitId,
    /// Who holds it.
    pub claimant: Claimant,
    /// The member who acted for a team (its captain); `None` otherwise.
    pub claimed_by: Option<MemberId>,
    /// Lifecycle status.
    pub status: ClaimStatus,
    /// When claimed.
    pub claimed_at: DateTime<Utc>,
    /// The promised date.
    pub promised_by: DateTime<Utc>,
    /// When the due-soon warning was emitted for the current promised date.
    pub warned_at: Option<DateTime<Utc>>,
    /// How often the promised date was extended.
    pub extensions: u32,
    /// When work started.
    pub started_at: Option<DateTime<Utc>>,
    /// When reported done.
    pub completed_at: Option<DateTime<Utc>>,
    /// What was done.
    pub fulfilment: Option<Fulfilment>,
    /// How often the committee sent it back.
    pub send_backs: u32,
    /// The latest reason given (release or send-back).
    pub reason: Option<String>,
    /// When it ended (verified, released, lapsed).
    pub ended_at: Option<DateTime<Utc>>,
}

/// A volunteer team (志愿服务队).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Team {
    /// Its id.
    pub id: TeamId,
    /// The committee it belongs to.
    pub committee: UnitId,
    /// Its kind.
    pub kind: TeamKind,
    /// Its name.
    pub name: String,
    /// Channel tag.
    pub channel: Channel,
    /// The captain (队长), appointed by the committee.
    pub captain: Option<MemberId>,
    /// Members, in joining order.
    pub members: Vec<MemberId>,
    /// Verified team claims.
    pub tally: Tally,
    /// When formed.
    pub created_at: DateTime<Utc>,
    /// The grid (网格) it works in, if any (a child of the committee).
    #[serde(default)]
    pub grid: Option<UnitId>,
}

/// Service hours a member logs for themself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Hours {
    /// Its id.
    pub id: HoursId,
    /// The member.
    pub member: MemberId,
    /// The committee that decides.
    pub committee: UnitId,
    /// When the service was done.
    pub served_at: DateTime<Utc>,
    /// How long, in minutes.
    pub minutes: u32,
    /// What was done.
    pub description: String,
    /// Pending, approved, rejected.
    pub status: HoursStatus,
    /// Why rejected.
    pub reason: Option<String>,
    /// When logged.
    pub logged_at: DateTime<Utc>,
    /// The pairing (结对) visited, when the hours are a visit of the pairing's log.
    #[serde(default)]
    pub pairing: Option<PairingId>,
}

/// A counted activity (patrol, mediation, lecture, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Activity {
    /// Its id.
    pub id: ActivityId,
    /// The committee where it took place.
    pub committee: UnitId,
    /// Its kind.
    pub kind: ActivityKind,
    /// A title.
    pub title: String,
    /// Channel tag.
    pub channel: Channel,
    /// The team that held it, if any.
    pub team: Option<TeamId>,
    /// When it took place.
    pub held_at: DateTime<Utc>,
    /// Participants, in person-times (人次): the roster's person-times when names were
    /// taken, else the count the recorder gave.
    pub participants: u32,
    /// People reached.
    pub people_reached: u32,
    /// When recorded.
    pub recorded_at: DateTime<Utc>,
    /// The grid where it took place, if any (a child of the committee).
    #[serde(default)]
    pub grid: Option<UnitId>,
    /// Where it took place: a street, a courtyard, the back alleys patrolled.
    #[serde(default)]
    pub place: Option<String>,
    /// Who took part (empty when names were not taken: then `participants` is a bare count).
    #[serde(default)]
    pub roster: Vec<RosterLine>,
    /// The place's coordinates, if known.
    #[serde(default)]
    pub location: Option<GeoPoint>,
}

impl Activity {
    /// Whether person-times come from a roster (names taken) rather than a bare count.
    pub fn rostered(&self) -> bool {
        !self.roster.is_empty()
    }

    /// Minutes given by everyone on the roster (0 without one).
    pub fn roster_minutes(&self) -> u64 {
        roster_minutes(&self.roster)
    }
}

/// An offer of a need (派单, 撮合): the committee's staff offer a published need to a member,
/// team or organisation (by the skills a member declared, or by their own knowledge), or a
/// work unit's party branch arranges it for one of its members (支部安排). The offered party
/// accepts (which claims the need, under the one-live-claim rule) or declines with a reason;
/// an offer not answered by `expires_at` lapses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Offer {
    /// Its id.
    pub id: OfferId,
    /// The need offered.
    pub need: NeedId,
    /// The need's committee (copied for scoping).
    pub committee: UnitId,
    /// Who it is offered to.
    pub to: Claimant,
    /// Who arranged it.
    pub source: OfferSource,
    /// Why this party (the skills matched, what the staff know), if given.
    pub note: Option<String>,
    /// Where it stands.
    pub status: OfferStatus,
    /// When it was made.
    pub offered_at: DateTime<Utc>,
    /// When it lapses if not answered.
    pub expires_at: DateTime<Utc>,
    /// When it was accepted, declined or lapsed.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was declined.
    pub reason: Option<String>,
    /// The claim its acceptance made.
    pub claim: Option<ClaimId>,
}

/// A three-heads role (三长) held by a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Role {
    /// Its id.
    pub id: RoleId,
    /// The member.
    pub member: MemberId,
    /// The committee.
    pub committee: UnitId,
    /// Courtyard, building or household head.
    pub kind: RoleKind,
    /// What it covers ("3号院", "5栋").
    pub scope: String,
    /// Since when.
    pub since: DateTime<Utc>,
    /// Until when, once ended.
    pub until: Option<DateTime<Utc>>,
    /// The grid (网格) it works in, if any (a child of the committee).
    #[serde(default)]
    pub grid: Option<UnitId>,
}

/// A lasting pair of a member and a resident in need (结对帮扶).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct Pairing {
    /// Its id.
    pub id: PairingId,
    /// The member.
    pub member: MemberId,
    /// The resident.
    pub resident: ResidentId,
    /// The resident's committee.
    pub committee: UnitId,
    /// Since when.
    pub since: DateTime<Utc>,
    /// Until when, once ended.
    pub until: Option<DateTime<Utc>>,
    /// Why it ended.
    pub end_reason: Option<String>,
}

/// Who is acting. needbridge does not authenticate: the host signs its users in and passes
/// the actor on every call; needbridge decides what that actor may do and see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    /// The host itself (imports, schedulers): trusted, may do what the state allows.
    System,
    /// A district administrator: builds the structure, reads everything, personal data masked.
    DistrictAdmin {
        /// The district.
        district: UnitId,
    },
    /// Staff of a unit (a committee, or a community above several): committee work in that
    /// unit and everything under it.
    CommitteeStaff {
        /// The unit whose staff they are.
        unit: UnitId,
    },
    /// The party secretary of a work unit: issues certificates, reads its own members.
    WorkUnitSecretary {
        /// The work unit.
        work_unit: WorkUnitId,
    },
    /// A member, acting for themself (or as a team's captain).
    Member {
        /// The member.
        member: MemberId,
    },
    /// The contact of an enterprise or social organisation.
    OrganisationContact {
        /// The organisation.
        organisation: OrganisationId,
    },
}

impl Actor {
    /// `system`, `district_admin`, `committee_staff`, `work_unit_secretary`, `member` or
    /// `organisation_contact`.
    pub fn kind_str(&self) -> &'static str {
        match self {
            Actor::System => "system",
            Actor::DistrictAdmin { .. } => "district_admin",
            Actor::CommitteeStaff { .. } => "committee_staff",
            Actor::WorkUnitSecretary { .. } => "work_unit_secretary",
            Actor::Member { .. } => "member",
            Actor::OrganisationContact { .. } => "organisation_contact",
        }
    }

    /// What kind of actor this is, as people read it: `(中文, English)` (an export's cover
    /// says who exported it with this and the name of the actor's unit or organisation).
    pub fn kind_label(&self) -> (&'static str, &'static str) {
        match self {
            Actor::System => ("系统", "System"),
            Actor::DistrictAdmin { .. } => ("区级管理员", "District administrator"),
            Actor::CommitteeStaff { .. } => ("社区工作人员", "Staff"),
            Actor::WorkUnitSecretary { .. } => ("单位党组织书记", "Work-unit party secretary"),
            Actor::Member { .. } => ("在职党员", "Member"),
            Actor::OrganisationContact { .. } => ("企业或社会组织联系人", "Organisation contact"),
        }
    }
}

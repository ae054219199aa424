//! Commands are data: each is a plain serde struct the [`Hub`](crate::Hub) executes for an
//! actor and records in the event it appends. A host may queue them (an app offline) and send
//! them later to an authoritative Hub with [`Hub::execute`](crate::Hub::execute).

use crate::model::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A command whose output is one record of type `Output`.
pub trait Execute: Into<Command> {
    /// What the command returns: the record it created or changed.
    type Output: Entity;
}

macro_rules! commands {
    ($($(#[$doc:meta])* $name:ident => $event:literal, $out:ty { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? })+) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
            #[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
            pub struct $name { $($(#[$fdoc])* pub $field: $ty),* }

            impl From<$name> for Command {
                fn from(c: $name) -> Command { Command::$name(c) }
            }

            impl Execute for $name {
                type Output = $out;
            }
        )+

        /// Every command the Hub accepts.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "command", rename_all = "snake_case")]
        pub enum Command {
            $($(#[$doc])* $name($name)),+
        }

        impl Command {
            /// The kind of the event this command appends, e.g. `need_claimed`.
            pub fn event_kind(&self) -> &'static str {
                match self { $(Command::$name(_) => $event),+ }
            }
            /// The command's serde tag, e.g. `claim_need` (its type name in snake_case).
            pub fn tag(&self) -> String {
                tag_of(match self { $(Command::$name(_) => stringify!($name)),+ })
            }
            /// Every event kind, in declaration order.
            pub const EVENT_KINDS: &'static [&'static str] = &[$($event),+];
            /// Every command's type name (`ClaimNeed`, …), in declaration order; the serde
            /// tag is its snake_case form (`claim_need`).
            pub const TYPE_NAMES: &'static [&'static str] = &[$(stringify!($name)),+];

            /// Hands every command type, with its event kind, to `visitor`, in declaration
            /// order (how `crate::describe` describes them as data).
            #[cfg(feature = "describe")]
            pub(crate) fn visit_all(visitor: &mut impl CommandVisitor) {
                $(visitor.visit::<$name>($event);)+
            }
        }
    };
}

/// The serde tag of a command's type name: `ClaimNeed` → `claim_need`.
pub fn tag_of(type_name: &str) -> String {
    let mut out = String::with_capacity(type_name.len() + 4);
    for (i, c) in type_name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// What [`Command::visit_all`] hands each command type to.
#[cfg(feature = "describe")]
pub(crate) trait CommandVisitor {
    /// One command type `C`, which appends events of kind `event`.
    fn visit<C>(&mut self, event: &'static str)
    where
        C: Execute + schemars::JsonSchema,
        C::Output: schemars::JsonSchema;
}

commands! {
    /// Creates a unit of the residence tree. A district (no parent) only by the system; any
    /// other level by a district admin of the district, under a parent of the level above.
    CreateUnit => "unit_created", Unit {
        /// Its level.
        kind: UnitKind,
        /// Its name.
        name: String,
        /// Its parent (`None` only for a district).
        parent: Option<UnitId>,
    }
    /// Registers a work unit and its party organisation (district admin).
    RegisterWorkUnit => "work_unit_registered", WorkUnit {
        /// Its name.
        name: String,
        /// Its party organisation.
        party_organisation: String,
    }
    /// Registers an enterprise or social organisation (district admin).
    RegisterOrganisation => "organisation_registered", Organisation {
        /// Its name.
        name: String,
        /// Enterprise or social organisation.
        kind: OrganisationKind,
        /// Contact person (personal data).
        contact_name: String,
        /// Contact phone (personal data).
        contact_phone: String,
        /// The district it serves.
        district: UnitId,
    }
    /// Adds a category to the needs taxonomy: a top-level one (district admin), or a
    /// committee's own under a top-level one (`parent` and `committee`: that committee's
    /// staff or the district admin), which only that committee's needs may use.
    DefineCategory => "category_defined", Category {
        /// Stable code: lowercase letters, digits and `_`.
        code: String,
        /// Chinese label.
        name_zh: String,
        /// English label.
        name_en: String,
        /// The top-level category it refines (with `committee`).
        #[serde(default)]
        parent: Option<String>,
        /// The committee defining its own category (with `parent`).
        #[serde(default)]
        committee: Option<UnitId>,
    }
    /// The work unit's party organisation issues a report certificate (报到证) to a member
    /// (its secretary).
    IssueCertificate => "certificate_issued", Member {
        /// The issuing work unit.
        work_unit: WorkUnitId,
        /// The member's name.
        name: String,
        /// Mobile phone.
        phone: Option<String>,
        /// Resident ID number (18 characters, with a valid check digit).
        id_number: Option<String>,
        /// The certificate number.
        number: String,
        /// Report before this time (in the future).
        deadline: DateTime<Utc>,
    }
    /// Issues a new certificate to a member whose certificate is overdue or whose report was
    /// returned (the work unit's secretary).
    ReissueCertificate => "certificate_reissued", Member {
        /// The member.
        member: MemberId,
        /// The new certificate number.
        number: String,
        /// The new deadline (in the future).
        deadline: DateTime<Utc>,
    }
    /// The member reports (报到) to the committee where they live and signs the service
    /// commitment (the member, or that committee's staff at the counter).
    ReportMember => "member_reported", Member {
        /// The member.
        member: MemberId,
        /// The residents' committee.
        committee: UnitId,
        /// The service commitment text.
        commitment: String,
        /// Skills and professions.
        skills: Vec<String>,
    }
    /// The committee accepts a report; the work unit's ledger gets an entry (staff).
    AcceptReport => "report_accepted", Member {
        /// The member.
        member: MemberId,
        /// An optional note for the work unit.
        note: Option<String>,
    }
    /// The committee returns a report with a reason; the work unit's ledger gets an entry.
    ReturnReport => "report_returned", Member {
        /// The member.
        member: MemberId,
        /// Why.
        reason: String,
    }
    /// Registers a resident (beneficiary) at a committee (its staff).
    RegisterResident => "resident_registered", Resident {
        /// The committee holding the resident's data.
        committee: UnitId,
        /// The grid, if known (a child of the committee).
        grid: Option<UnitId>,
        /// Name.
        name: String,
        /// Phone.
        phone: Option<String>,
        /// ID number.
        id_number: Option<String>,
        /// Address.
        address: Option<String>,
        /// Groups (at least one).
        groups: Vec<ResidentGroup>,
        /// The household (户) at the same committee, if registered.
        #[serde(default)]
        household: Option<HouseholdId>,
    }
    /// Registers a household (户) at a committee, in a grid if known (the committee's staff);
    /// residents join it when registered or with [`SetHousehold`].
    RegisterHousehold => "household_registered", Household {
        /// The committee.
        committee: UnitId,
        /// The grid (a child of the committee), if known.
        grid: Option<UnitId>,
    }
    /// Puts a resident in a household of the resident's committee, or (`None`) in none (the
    /// committee's staff).
    SetHousehold => "household_set", Resident {
        /// The resident.
        resident: ResidentId,
        /// The household, or none.
        household: Option<HouseholdId>,
    }
    /// Replaces a resident's personal data and groups (the committee's staff).
    UpdateResident => "resident_updated", Resident {
        /// The resident.
        resident: ResidentId,
        /// Name.
        name: String,
        /// Phone.
        phone: Option<String>,
        /// ID number.
        id_number: Option<String>,
        /// Address.
        address: Option<String>,
        /// Groups (at least one).
        groups: Vec<ResidentGroup>,
    }
    /// Erases a resident's personal data (right to deletion; the committee's staff): name,
    /// phone, ID number and address are removed from the resident's record, and — since the
    /// audit log and derived tables never hold them — from the whole store. The resident's
    /// committee, grid and groups stay, so every figure stays the same; the resident can no
    /// longer be updated, given needs or paired. Recorded as an event that carries no erased
    /// value.
    EraseResident => "resident_erased", Resident {
        /// The resident.
        resident: ResidentId,
    }
    /// Writes down a need (committee staff, or a member accepted at the committee collecting
    /// needs door to door).
    DraftNeed => "need_drafted", Need {
        /// The committee whose library will hold it.
        committee: UnitId,
        /// The grid, if any.
        grid: Option<UnitId>,
        /// The resident it is for (held by the committee); `None` when the need is for an
        /// institution.
        resident: Option<ResidentId>,
        /// The institution it is for (白鹤养老服务中心, a school) when no resident is: its
        /// public name. Give exactly one of `resident` and `institution`; an institution's
        /// need has no further beneficiaries.
        #[serde(default)]
        institution: Option<String>,
        /// Short title.
        title: String,
        /// Description.
        description: String,
        /// Category code.
        category: String,
        /// Channel tag.
        channel: Channel,
        /// Individual or collective.
        scale: Scale,
        /// Estimated cost in fen (≥ 0).
        estimated_cost_fen: i64,
        /// Wanted by (in the future).
        wanted_by: DateTime<Utc>,
        /// Further residents it is for, held by the same committee (distinct, not the first).
        #[serde(default)]
        beneficiaries: Vec<ResidentId>,
        /// For a need that comes again (weekly meals, a monthly visit): how often and how many
        /// times; each next occurrence is published by [`Hub::tick`](crate::Hub::tick) when
        /// the one before is due, wanted one period after it.
        #[serde(default)]
        recurrence: Option<Recurrence>,
        /// Where the work is done (a street, a courtyard), if worth recording; never a home
        /// address.
        #[serde(default)]
        place: Option<String>,
        /// The place's coordinates, if known.
        #[serde(default)]
        location: Option<GeoPoint>,
    }
    /// Submits a draft for the committee's check (its drafter or staff).
    SubmitNeed => "need_submitted", Need {
        /// The need.
        need: NeedId,
    }
    /// Publishes a need into the project library (staff).
    PublishNeed => "need_published", Need {
        /// The need.
        need: NeedId,
    }
    /// Refuses a submitted need with a reason (staff).
    RejectNeed => "need_rejected", Need {
        /// The need.
        need: NeedId,
        /// Why.
        reason: String,
    }
    /// Takes a need back (staff); not while it is claimed.
    WithdrawNeed => "need_withdrawn", Need {
        /// The need.
        need: NeedId,
        /// Why.
        reason: String,
    }
    /// Marks an unclaimed need whose wanted-by date passed as expired (system, from
    /// [`Hub::tick`](crate::Hub::tick)).
    ExpireNeed => "need_expired", Need {
        /// The need.
        need: NeedId,
    }
    /// Records the resident's word on verified work (staff); not satisfied reopens the need
    /// in the library.
    RecordFeedback => "feedback_recorded", Need {
        /// The need.
        need: NeedId,
        /// Satisfied or not.
        feedback: Feedback,
        /// For a reopened need, a new wanted-by date (in the future); required when the old
        /// one has passed, refused with `satisfied`.
        wanted_by: Option<DateTime<Utc>>,
    }
    /// Claims a need (认领): a member for themself, a team through its captain, an
    /// organisation through its contact.
    ClaimNeed => "need_claimed", Claim {
        /// The need.
        need: NeedId,
        /// Who takes it on.
        claimant: Claimant,
        /// The promised date (in the future, not after the need's wanted-by date).
        promised_by: DateTime<Utc>,
    }
    /// The claimant starts work.
    StartWork => "work_started", Claim {
        /// The claim.
        claim: ClaimId,
    }
    /// The claimant moves the promised date later (at most
    /// [`HubConfig::max_extensions`](crate::HubConfig::max_extensions) times). Unlike the first
    /// promise, an extension may go past the need's wanted-by date: the claimant and the
    /// committee agreed to it, and a claimed need does not expire.
    ExtendClaim => "claim_extended", Claim {
        /// The claim.
        claim: ClaimId,
        /// The new promised date (after the current one).
        promised_by: DateTime<Utc>,
    }
    /// The claimant (or staff) gives the need back to the library, with a reason.
    ReleaseClaim => "claim_released", Claim {
        /// The claim.
        claim: ClaimId,
        /// Why.
        reason: String,
    }
    /// The claimant reports the work done, with what was done.
    CompleteClaim => "claim_completed", Claim {
        /// The claim.
        claim: ClaimId,
        /// The fulfilment record.
        fulfilment: Fulfilment,
    }
    /// The committee checks the work and counts it (staff).
    VerifyClaim => "claim_verified", Claim {
        /// The claim.
        claim: ClaimId,
    }
    /// The committee sends the work back with a reason (staff). The promised date moves to at
    /// least [`HubConfig::warn_before`](crate::HubConfig::warn_before) from now, so the
    /// claimant has time to redo the work before the claim could lapse.
    SendBackClaim => "claim_sent_back", Claim {
        /// The claim.
        claim: ClaimId,
        /// Why.
        reason: String,
    }
    /// Emits the due-soon warning for a claim (system, from [`Hub::tick`](crate::Hub::tick)).
    WarnClaimDue => "claim_due_soon", Claim {
        /// The claim.
        claim: ClaimId,
    }
    /// Lapses a claim whose promised date passed; the need returns to the library (system).
    LapseClaim => "claim_lapsed", Claim {
        /// The claim.
        claim: ClaimId,
    }
    /// Forms a volunteer team at a committee (staff).
    FormTeam => "team_formed", Team {
        /// The committee.
        committee: UnitId,
        /// Its kind.
        kind: TeamKind,
        /// Its name.
        name: String,
        /// Channel tag.
        channel: Channel,
        /// The grid it works in (a grid of the committee), if any.
        #[serde(default)]
        grid: Option<UnitId>,
    }
    /// Appoints a member accepted at the team's committee as its captain (staff).
    AppointCaptain => "captain_appointed", Team {
        /// The team.
        team: TeamId,
        /// The member.
        member: MemberId,
    }
    /// A member joins a team (the member signs up, or staff assign them).
    JoinTeam => "team_joined", Team {
        /// The team.
        team: TeamId,
        /// The member.
        member: MemberId,
    }
    /// A member leaves a team (the member, or staff); a captain must be replaced first.
    LeaveTeam => "team_left", Team {
        /// The team.
        team: TeamId,
        /// The member.
        member: MemberId,
    }
    /// A member logs service hours for themself — or, with `pairing`, a visit to the resident
    /// they are paired with (the pairing's visit log, 走访记录), decided by the resident's
    /// committee like any hours.
    LogHours => "hours_logged", Hours {
        /// The member.
        member: MemberId,
        /// When the service was done (not in the future).
        served_at: DateTime<Utc>,
        /// Minutes (1 to 1440).
        minutes: u32,
        /// What was done.
        description: String,
        /// The member's pairing visited (it must have been running at `served_at`).
        #[serde(default)]
        pairing: Option<PairingId>,
    }
    /// Approves logged hours (staff of the member's committee).
    ApproveHours => "hours_approved", Hours {
        /// The log entry.
        hours: HoursId,
    }
    /// Rejects logged hours with a reason (staff).
    RejectHours => "hours_rejected", Hours {
        /// The log entry.
        hours: HoursId,
        /// Why.
        reason: String,
    }
    /// Records a counted activity (staff, or the captain of the team that held it).
    RecordActivity => "activity_recorded", Activity {
        /// The committee where it took place.
        committee: UnitId,
        /// Its kind.
        kind: ActivityKind,
        /// A title.
        title: String,
        /// Channel tag.
        channel: Channel,
        /// The team that held it.
        team: Option<TeamId>,
        /// When (not in the future).
        held_at: DateTime<Utc>,
        /// Participants in person-times, when names were not taken; with a roster, 0 (the
        /// roster's person-times are filled in) or the roster's person-times.
        participants: u32,
        /// People reached.
        people_reached: u32,
        /// The grid where it took place (a grid of the committee), if any.
        #[serde(default)]
        grid: Option<UnitId>,
        /// Where it took place (a street, a courtyard, the alleys patrolled), if recorded.
        #[serde(default)]
        place: Option<String>,
        /// Who took part, with the minutes each gave (members accepted at a committee, and
        /// non-member helpers counted by kind); empty when names were not taken.
        #[serde(default)]
        roster: Vec<RosterLine>,
        /// The place's coordinates, if known.
        #[serde(default)]
        location: Option<GeoPoint>,
    }
    /// Gives a member accepted at a committee a three-heads role (staff).
    AssignRole => "role_assigned", Role {
        /// The member.
        member: MemberId,
        /// The role.
        kind: RoleKind,
        /// What it covers.
        scope: String,
        /// The grid it covers (a grid of the member's committee), if any.
        #[serde(default)]
        grid: Option<UnitId>,
    }
    /// Ends a role (staff).
    EndRole => "role_ended", Role {
        /// The role.
        role: RoleId,
    }
    /// Pairs a member with a resident in need (staff of the resident's committee).
    StartPairing => "pairing_started", Pairing {
        /// The member (accepted).
        member: MemberId,
        /// The resident.
        resident: ResidentId,
    }
    /// Ends a pairing with a reason (staff).
    EndPairing => "pairing_ended", Pairing {
        /// The pairing.
        pairing: PairingId,
        /// Why.
        reason: String,
    }
    /// Offers a published need to a member, team or organisation (派单): the need's
    /// committee's staff (撮合 by declared skills or their own knowledge), or a work unit's
    /// secretary arranging it for one of the work unit's members (支部安排). One open offer of a
    /// need to one party at a time.
    OfferNeed => "need_offered", Offer {
        /// The need (published or reopened, not claimed).
        need: NeedId,
        /// Who it is offered to (a member accepted at a committee; a team of the need's
        /// committee; an organisation serving its district).
        to: Claimant,
        /// When it lapses if not answered (in the future, not after the need's wanted-by date).
        expires_at: DateTime<Utc>,
        /// Why this party, if worth saying.
        #[serde(default)]
        note: Option<String>,
    }
    /// The offered party accepts an offer: it claims the need (the member, the team's captain,
    /// the organisation's contact), under the same rules as [`ClaimNeed`]; the offer records
    /// the claim. Returns the claim.
    AcceptOffer => "offer_accepted", Claim {
        /// The offer (open, not expired).
        offer: OfferId,
        /// The promised date (in the future, not after the need's wanted-by date).
        promised_by: DateTime<Utc>,
    }
    /// The offered party declines an offer with a reason.
    DeclineOffer => "offer_declined", Offer {
        /// The offer (open).
        offer: OfferId,
        /// Why.
        reason: String,
    }
    /// Publishes the next occurrence of a recurring need whose time came (system, from
    /// [`Hub::tick`](crate::Hub::tick)): a copy of the series' first need, wanted one period
    /// after the occurrence before, numbered by its place in the series. Occurrences whose
    /// time passed while the Hub was not ticked are skipped, never published late. Returns the
    /// new need — or, when no occurrence is left ahead, the first need, its series ended.
    NextOccurrence => "occurrence_published", Need {
        /// The first need of the series.
        need: NeedId,
    }
    /// Issues a certificate of a member's volunteer service records over a period
    /// (志愿服务记录证明): staff of the committee that recorded them. The certificate holds
    /// the service time and records the store gives at issue, and a number anyone can check.
    IssueServiceCertificate => "service_certificate_issued", ServiceCertificate {
        /// The member.
        member: MemberId,
        /// The recording committee (its records only).
        committee: UnitId,
        /// The period's start, if bounded.
        since: Option<DateTime<Utc>>,
        /// The period's end (exclusive), if bounded.
        until: Option<DateTime<Utc>>,
    }
    /// A member asks the recording committee to correct one of their service records.
    RequestCorrection => "correction_requested", Correction {
        /// The member (themself).
        member: MemberId,
        /// Where the record comes from.
        source: ServiceSource,
        /// The id of the activity, claim or hours behind it.
        source_id: uuid::Uuid,
        /// What is wrong.
        reason: String,
    }
    /// The recording committee answers a correction request (staff): accepted (then correct the
    /// record) or declined, with the answer.
    AnswerCorrection => "correction_answered", Correction {
        /// The request (open).
        correction: CorrectionId,
        /// Whether the record is corrected.
        accepted: bool,
        /// The answer.
        answer: String,
    }
    /// Lapses an open offer whose time passed (system, from [`Hub::tick`](crate::Hub::tick)).
    LapseOffer => "offer_lapsed", Offer {
        /// The offer.
        offer: OfferId,
    }
    /// Sets one year of the working calendar as the State Council announced it (a district
    /// admin, or the system), replacing what was set for that year: rules that count working
    /// days (a service record entered within 10 working days) skip the holidays and count the
    /// working weekends. Dates are ISO 8601 (`2026-10-01`), each in the year — or in the
    /// December before or the January after, where the State Council's notice reaches (the
    /// 2019 notice made 2018-12-29 a working Saturday).
    SetWorkingCalendar => "working_calendar_set", CalendarYear {
        /// The year (2000 to 2100).
        year: i32,
        /// The days off: every day of the public holidays (法定节假日), weekend days among them
        /// included; distinct.
        holidays: Vec<chrono::NaiveDate>,
        /// The Saturdays and Sundays worked instead (调休上班); distinct, none a holiday.
        #[serde(default)]
        working_weekends: Vec<chrono::NaiveDate>,
    }
}

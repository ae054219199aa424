//! Closed vocabularies of the domain. Each is stored and exchanged as readable snake_case
//! text (`left_behind_child`), the same in SQL, JSON, Python and the mobile bindings, and
//! shown to people by its label in Chinese or English (`留守儿童`, `Left-behind child`): the
//! labels are data here, next to the codes, so every export and report says the same thing.

/// A closed vocabulary: values with a stable text code and a label in Chinese and English.
/// Every vocabulary of this module is one; exports and reports use it to show a code by its
/// label.
pub trait Vocabulary: Copy + 'static {
    /// Every value, in declaration order.
    fn values() -> &'static [Self];
    /// The stable text code.
    fn code(&self) -> &'static str;
    /// The label `(中文, English)`.
    fn labels(&self) -> (&'static str, &'static str);
    /// The value with this code, if any.
    fn from_code(code: &str) -> Option<Self> {
        Self::values().iter().copied().find(|v| v.code() == code)
    }
}

/// Defines an enum whose values have stable text codes and labels `(中文, English)`.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal ($zh:literal, $en:literal)),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $code)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable text code.
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The label people read, `(中文, English)`: what exports and reports show
            /// instead of the code.
            pub fn label(&self) -> (&'static str, &'static str) {
                match self { $($name::$variant => ($zh, $en)),+ }
            }

            /// Parses a text code; `field` names the input in the error.
            pub fn parse(field: &str, s: &str) -> crate::Result<Self> {
                match s { $($code => Ok($name::$variant),)+ _ => Err(crate::Error::invalid(field, format!(
                    "unknown value; expected one of: {}", [$($code),+].join(", ")))) }
            }
        }

        impl Vocabulary for $name {
            fn values() -> &'static [Self] {
                Self::ALL
            }
            fn code(&self) -> &'static str {
                self.as_str()
            }
            fn labels(&self) -> (&'static str, &'static str) {
                self.label()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::Error;
            fn from_str(s: &str) -> crate::Result<Self> {
                Self::parse(stringify!($name), s)
            }
        }
    };
}

text_enum!(
    /// The level of a unit in the residence tree.
    UnitKind {
        /// 区
        District = "district" ("区", "District"),
        /// 社区
        Community = "community" ("社区", "Community"),
        /// 居委会: owns a project library.
        Committee = "committee" ("居委会", "Residents' committee"),
        /// 网格
        Grid = "grid" ("网格", "Grid"),
    }
);

impl UnitKind {
    /// The kind a parent of this kind must have (`None` for a district, the root).
    pub fn parent_kind(&self) -> Option<UnitKind> {
        match self {
            UnitKind::District => None,
            UnitKind::Community => Some(UnitKind::District),
            UnitKind::Committee => Some(UnitKind::Community),
            UnitKind::Grid => Some(UnitKind::Committee),
        }
    }
}

text_enum!(
    /// Enterprise or social organisation.
    OrganisationKind {
        /// 非公企业
        Enterprise = "enterprise" ("非公企业", "Enterprise"),
        /// 社会组织
        SocialOrganisation = "social_organisation" ("社会组织", "Social organisation"),
    }
);

text_enum!(
    /// Where a member stands in reporting (报到).
    MemberStatus {
        /// A certificate was issued; the member has not reported yet.
        Certified = "certified" ("已开具报到证", "Certified"),
        /// Reported to a committee, awaiting the committee's decision.
        Reported = "reported" ("已报到待审核", "Reported, awaiting decision"),
        /// Accepted by the committee; may claim and join teams.
        Accepted = "accepted" ("已接收", "Accepted"),
        /// Returned by the committee with a reason; may report again before the deadline.
        Returned = "returned" ("已退回", "Returned"),
    }
);

text_enum!(
    /// What a work unit sees of one of its certificates (报到证).
    CertificateState {
        /// Issued, not reported, deadline not passed.
        Issued = "issued" ("已开具，待报到", "Issued, not reported"),
        /// Issued, not reported, deadline passed.
        Overdue = "overdue" ("逾期未报到", "Overdue"),
        /// Reported, awaiting acceptance.
        Reported = "reported" ("已报到待审核", "Reported, awaiting decision"),
        /// Accepted by the committee.
        Accepted = "accepted" ("已接收", "Accepted"),
        /// Returned by the committee.
        Returned = "returned" ("已退回", "Returned"),
    }
);

text_enum!(
    /// Groups a resident may belong to (several at once).
    ResidentGroup {
        /// 留守儿童: personal data masked most strictly.
        LeftBehindChild = "left_behind_child" ("留守儿童", "Left-behind child"),
        /// 空巢老人
        EmptyNestElderly = "empty_nest_elderly" ("空巢老人", "Empty-nest elderly"),
        /// 老年人
        Elderly = "elderly" ("老年人", "Elderly"),
        /// 残疾人
        Disabled = "disabled" ("残疾人", "Disabled person"),
        /// 困难家庭
        HouseholdInDifficulty = "household_in_difficulty" ("困难家庭", "Household in difficulty"),
        /// Anyone else.
        Other = "other" ("其他", "Other"),
    }
);

text_enum!(
    /// The tag each need, team and activity carries for reporting (四进: 进社区, 进网格, 进院落, 进家庭).
    Channel {
        /// 进社区
        Community = "community" ("进社区", "Into communities"),
        /// 进网格
        Grid = "grid" ("进网格", "Into grids"),
        /// 进院落
        Courtyard = "courtyard" ("进院落", "Into courtyards"),
        /// 进家庭
        Family = "family" ("进家庭", "Into families"),
    }
);

text_enum!(
    /// Whether one person can do a need or it takes a team.
    Scale {
        /// A "small project" (微心愿): members, teams and organisations may claim it.
        Individual = "individual" ("个人项目（微心愿）", "Individual (small project)"),
        /// Needs a team or an organisation.
        Collective = "collective" ("集体项目", "Collective"),
    }
);

text_enum!(
    /// The lifecycle of a need.
    NeedStatus {
        /// Being written; not visible outside the committee.
        Draft = "draft" ("草稿", "Draft"),
        /// Waiting for the committee's check.
        Submitted = "submitted" ("待审核", "Submitted"),
        /// In the project library, open to claim.
        Published = "published" ("已发布，待认领", "Published"),
        /// Claimed; work not started.
        Claimed = "claimed" ("已认领", "Claimed"),
        /// Work under way.
        InProgress = "in_progress" ("办理中", "In progress"),
        /// Work reported done, awaiting the committee's check.
        Done = "done" ("已完成，待验收", "Done, awaiting check"),
        /// Checked by the committee.
        Verified = "verified" ("已验收", "Verified"),
        /// Refused by the committee, with a reason.
        Rejected = "rejected" ("未通过", "Rejected"),
        /// Taken back by the committee.
        Withdrawn = "withdrawn" ("已撤回", "Withdrawn"),
        /// Its wanted-by date passed while unclaimed.
        Expired = "expired" ("已过期", "Expired"),
        /// The resident was not satisfied: back in the library.
        Reopened = "reopened" ("重新发布", "Reopened"),
    }
);

impl NeedStatus {
    /// Whether a need in this status is in the project library and may be claimed.
    pub fn is_claimable(&self) -> bool {
        matches!(self, NeedStatus::Published | NeedStatus::Reopened)
    }
    /// Statuses anyone may see (the library and the public progress of claimed work).
    pub fn is_public(&self) -> bool {
        matches!(
            self,
            NeedStatus::Published
                | NeedStatus::Reopened
                | NeedStatus::Claimed
                | NeedStatus::InProgress
                | NeedStatus::Done
                | NeedStatus::Verified
        )
    }
}

text_enum!(
    /// The lifecycle of a claim. Live claims are `active`, `in_progress` and `done`.
    ClaimStatus {
        /// Claimed, work not started.
        Active = "active" ("已认领", "Claimed"),
        /// Work under way (also after the committee sent it back).
        InProgress = "in_progress" ("办理中", "In progress"),
        /// Completed with a fulfilment record, awaiting the committee's check.
        Done = "done" ("已完成，待验收", "Done, awaiting check"),
        /// Checked by the committee: counts in every figure.
        Verified = "verified" ("已验收", "Verified"),
        /// Given back with a reason; the need returned to the library.
        Released = "released" ("已放弃", "Released"),
        /// The promised date passed; the need returned to the library.
        Lapsed = "lapsed" ("逾期失效", "Lapsed"),
    }
);

impl ClaimStatus {
    /// At most one live claim exists per need.
    pub fn is_live(&self) -> bool {
        matches!(
            self,
            ClaimStatus::Active | ClaimStatus::InProgress | ClaimStatus::Done
        )
    }
}

text_enum!(
    /// The kind of a claimant (认领方): what [`Claimant`](crate::model::Claimant) holds,
    /// without the id; the key of the report's breakdown by claimant.
    ClaimantKind {
        /// An individual member.
        Member = "member" ("在职党员", "Member"),
        /// A volunteer team.
        Team = "team" ("志愿服务队", "Volunteer team"),
        /// An enterprise or social organisation.
        Organisation = "organisation" ("企业或社会组织", "Enterprise or social organisation"),
    }
);

text_enum!(
    /// Kinds of volunteer team (志愿服务队).
    TeamKind {
        /// 矛盾纠纷调解
        DisputeMediation = "dispute_mediation" ("矛盾纠纷调解", "Dispute mediation"),
        /// 治安巡逻
        SecurityPatrol = "security_patrol" ("治安巡逻", "Security patrol"),
        /// 政策宣传
        PolicyPublicity = "policy_publicity" ("政策宣传", "Policy publicity"),
        /// 文体活动
        CultureSports = "culture_sports" ("文体活动", "Culture and sports"),
        /// 医疗卫生
        MedicalHealth = "medical_health" ("医疗卫生", "Medical and health"),
        /// 法律援助
        LegalAid = "legal_aid" ("法律援助", "Legal aid"),
        /// 居家养老
        HomeElderCare = "home_elder_care" ("居家养老", "Home elderly care"),
        /// 文艺演出
        AmateurArts = "amateur_arts" ("文艺演出", "Amateur arts"),
        /// Any other kind.
        Other = "other" ("其他", "Other"),
    }
);

text_enum!(
    /// Kinds of counted activity.
    ActivityKind {
        /// 巡防
        Patrol = "patrol" ("巡防", "Patrol"),
        /// 调解
        Mediation = "mediation" ("调解", "Mediation"),
        /// 恳谈
        OpinionTalk = "opinion_talk" ("恳谈", "Opinion talk"),
        /// 疏导
        Counselling = "counselling" ("疏导", "Counselling"),
        /// 宣讲
        Lecture = "lecture" ("宣讲", "Lecture"),
        /// 文体
        CulturalEvent = "cultural_event" ("文体活动", "Cultural event"),
        /// 文明监督
        CivilitySupervision = "civility_supervision" ("文明监督", "Civility supervision"),
    }
);

text_enum!(
    /// Who a non-member helper on a roster is (the seed's "母亲帮忙", "5名党员带动30多名员工").
    HelperKind {
        /// 居民
        Resident = "resident" ("居民", "Resident"),
        /// 家属
        Family = "family" ("家属", "Family member"),
        /// 员工: an employee of a claiming organisation or a member's work unit.
        Employee = "employee" ("员工", "Employee"),
        /// Anyone else.
        Other = "other" ("其他", "Other"),
    }
);

text_enum!(
    /// The three heads (三长).
    RoleKind {
        /// 院长
        CourtyardHead = "courtyard_head" ("院长", "Courtyard head"),
        /// 楼长
        BuildingHead = "building_head" ("楼长", "Building head"),
        /// 户长
        HouseholdHead = "household_head" ("户长", "Household head"),
    }
);

text_enum!(
    /// The state of logged service hours.
    HoursStatus {
        /// Logged, awaiting the committee.
        Pending = "pending" ("待审核", "Pending"),
        /// Approved: counts.
        Approved = "approved" ("已通过", "Approved"),
        /// Rejected with a reason.
        Rejected = "rejected" ("未通过", "Rejected"),
    }
);

text_enum!(
    /// Where a volunteer service record (志愿服务记录) comes from.
    ServiceSource {
        /// An activity whose roster names the member.
        Activity = "activity" ("活动", "Activity"),
        /// A claim whose roster names the member (or the member's own claim).
        Claim = "claim" ("认领项目", "Claimed need"),
        /// Approved logged hours.
        Hours = "hours" ("登记时长", "Logged hours"),
        /// An approved visit of a pairing's log.
        Visit = "visit" ("结对走访", "Pairing visit"),
    }
);

text_enum!(
    /// Where a member's request to correct a service record stands.
    CorrectionStatus {
        /// Asked; the recording committee has not answered.
        Open = "open" ("待处理", "Open"),
        /// The committee agreed and corrects the record.
        Accepted = "accepted" ("已更正", "Accepted"),
        /// The committee kept the record as it is, saying why.
        Declined = "declined" ("不予更正", "Declined"),
    }
);

text_enum!(
    /// How often a recurring need comes again.
    Every {
        /// Every week (每周: weekly meals delivered).
        Week = "week" ("每周", "Every week"),
        /// Every month (每月: a monthly visit).
        Month = "month" ("每月", "Every month"),
    }
);

text_enum!(
    /// Where an offer of a need (派单) stands.
    OfferStatus {
        /// Made; the offered party has not answered and it has not lapsed.
        Open = "open" ("待回复", "Open"),
        /// Accepted: the offered party claimed the need.
        Accepted = "accepted" ("已接单", "Accepted"),
        /// Declined with a reason.
        Declined = "declined" ("已婉拒", "Declined"),
        /// Not answered before it expired.
        Lapsed = "lapsed" ("已过期", "Lapsed"),
    }
);

text_enum!(
    /// Who arranged an offer.
    OfferSource {
        /// The committee's staff matched the need to the party (撮合派单).
        Committee = "committee" ("社区派单", "Committee dispatch"),
        /// The member's work-unit party branch arranged it (支部安排).
        Branch = "branch" ("支部安排", "Arranged by the party branch"),
    }
);

text_enum!(
    /// What a work unit's ledger entry records.
    LedgerKind {
        /// The committee accepted the member's report.
        Accepted = "accepted" ("接收报到", "Report accepted"),
        /// The committee returned the member's report.
        Returned = "returned" ("退回报到", "Report returned"),
    }
);

text_enum!(
    /// The resident's word on verified work.
    Feedback {
        /// 满意
        Satisfied = "satisfied" ("满意", "Satisfied"),
        /// 不满意: the need is reopened.
        NotSatisfied = "not_satisfied" ("不满意", "Not satisfied"),
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn distinct<T: Vocabulary + std::fmt::Debug>() {
        let (mut zh, mut en) = (BTreeSet::new(), BTreeSet::new());
        for v in T::values() {
            let (z, e) = v.labels();
            assert!(!z.is_empty() && !e.is_empty(), "{v:?}");
            assert!(zh.insert(z) && en.insert(e), "{v:?}: a label used twice");
            assert_eq!(T::from_code(v.code()).map(|x| x.code()), Some(v.code()));
        }
        assert!(T::from_code("no_such_code").is_none());
    }

    #[test]
    fn every_value_has_labels_of_its_own() {
        distinct::<UnitKind>();
        distinct::<OrganisationKind>();
        distinct::<MemberStatus>();
        distinct::<CertificateState>();
        distinct::<ResidentGroup>();
        distinct::<Channel>();
        distinct::<Scale>();
        distinct::<NeedStatus>();
        distinct::<ClaimStatus>();
        distinct::<ClaimantKind>();
        distinct::<TeamKind>();
        distinct::<ActivityKind>();
        distinct::<RoleKind>();
        distinct::<HelperKind>();
        distinct::<OfferStatus>();
        distinct::<Every>();
        distinct::<ServiceSource>();
        distinct::<CorrectionStatus>();
        distinct::<OfferSource>();
        distinct::<HoursStatus>();
        distinct::<LedgerKind>();
        distinct::<Feedback>();
        assert_eq!(
            ResidentGroup::LeftBehindChild.label(),
            ("留守儿童", "Left-behind child")
        );
    }
}

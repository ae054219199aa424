//! Closed vocabularies of the domain. Each is stored and shown as readable snake_case text
//! (`left_behind_child`), the same in SQL, JSON, Python and the mobile bindings.

/// Defines an enum whose values have stable text codes.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
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

            /// Parses a text code; `field` names the input in the error.
            pub fn parse(field: &str, s: &str) -> crate::Result<Self> {
                match s { $($code => Ok($name::$variant),)+ _ => Err(crate::Error::invalid(field, format!(
                    "unknown value; expected one of: {}", [$($code),+].join(", ")))) }
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
        District = "district",
        /// 社区
        Community = "community",
        /// 居委会: owns a project library.
        Committee = "committee",
        /// 网格
        Grid = "grid",
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
        Enterprise = "enterprise",
        /// 社会组织
        SocialOrganisation = "social_organisation",
    }
);

text_enum!(
    /// Where a member stands in reporting (报到).
    MemberStatus {
        /// A certificate was issued; the member has not reported yet.
        Certified = "certified",
        /// Reported to a committee, awaiting the committee's decision.
        Reported = "reported",
        /// Accepted by the committee; may claim and join teams.
        Accepted = "accepted",
        /// Returned by the committee with a reason; may report again before the deadline.
        Returned = "returned",
    }
);

text_enum!(
    /// What a work unit sees of one of its certificates (报到证).
    CertificateState {
        /// Issued, not reported, deadline not passed.
        Issued = "issued",
        /// Issued, not reported, deadline passed.
        Overdue = "overdue",
        /// Reported, awaiting acceptance.
        Reported = "reported",
        /// Accepted by the committee.
        Accepted = "accepted",
        /// Returned by the committee.
        Returned = "returned",
    }
);

text_enum!(
    /// Groups a resident may belong to (several at once).
    ResidentGroup {
        /// 留守儿童: personal data masked most strictly.
        LeftBehindChild = "left_behind_child",
        /// 空巢老人
        EmptyNestElderly = "empty_nest_elderly",
        /// 老年人
        Elderly = "elderly",
        /// 残疾人
        Disabled = "disabled",
        /// 困难家庭
        HouseholdInDifficulty = "household_in_difficulty",
        /// Anyone else.
        Other = "other",
    }
);

text_enum!(
    /// The tag each need, team and activity carries for reporting (四进: 进社区, 进网格, 进院落, 进家庭).
    Channel {
        /// 进社区
        Community = "community",
        /// 进网格
        Grid = "grid",
        /// 进院落
        Courtyard = "courtyard",
        /// 进家庭
        Family = "family",
    }
);

text_enum!(
    /// Whether one person can do a need or it takes a team.
    Scale {
        /// A "small project" (微心愿): members, teams and organisations may claim it.
        Individual = "individual",
        /// Needs a team or an organisation.
        Collective = "collective",
    }
);

text_enum!(
    /// The lifecycle of a need.
    NeedStatus {
        /// Being written; not visible outside the committee.
        Draft = "draft",
        /// Waiting for the committee's check.
        Submitted = "submitted",
        /// In the project library, open to claim.
        Published = "published",
        /// Claimed; work not started.
        Claimed = "claimed",
        /// Work under way.
        InProgress = "in_progress",
        /// Work reported done, awaiting the committee's check.
        Done = "done",
        /// Checked by the committee.
        Verified = "verified",
        /// Refused by the committee, with a reason.
        Rejected = "rejected",
        /// Taken back by the committee.
        Withdrawn = "withdrawn",
        /// Its wanted-by date passed while unclaimed.
        Expired = "expired",
        /// The resident was not satisfied: back in the library.
        Reopened = "reopened",
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
        Active = "active",
        /// Work under way (also after the committee sent it back).
        InProgress = "in_progress",
        /// Completed with a fulfilment record, awaiting the committee's check.
        Done = "done",
        /// Checked by the committee: counts in every figure.
        Verified = "verified",
        /// Given back with a reason; the need returned to the library.
        Released = "released",
        /// The promised date passed; the need returned to the library.
        Lapsed = "lapsed",
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
    /// Kinds of volunteer team (志愿服务队).
    TeamKind {
        /// 矛盾纠纷调解
        DisputeMediation = "dispute_mediation",
        /// 治安巡逻
        SecurityPatrol = "security_patrol",
        /// 政策宣传
        PolicyPublicity = "policy_publicity",
        /// 文体活动
        CultureSports = "culture_sports",
        /// 医疗卫生
        MedicalHealth = "medical_health",
        /// 法律援助
        LegalAid = "legal_aid",
        /// 居家养老
        HomeElderCare = "home_elder_care",
        /// 文艺演出
        AmateurArts = "amateur_arts",
        /// Any other kind.
        Other = "other",
    }
);

text_enum!(
    /// Kinds of counted activity.
    ActivityKind {
        /// 巡防
        Patrol = "patrol",
        /// 调解
        Mediation = "mediation",
        /// 恳谈
        OpinionTalk = "opinion_talk",
        /// 疏导
        Counselling = "counselling",
        /// 宣讲
        Lecture = "lecture",
        /// 文体
        CulturalEvent = "cultural_event",
        /// 文明监督
        CivilitySupervision = "civility_supervision",
    }
);

text_enum!(
    /// The three heads (三长).
    RoleKind {
        /// 院长
        CourtyardHead = "courtyard_head",
        /// 楼长
        BuildingHead = "building_head",
        /// 户长
        HouseholdHead = "household_head",
    }
);

text_enum!(
    /// The state of logged service hours.
    HoursStatus {
        /// Logged, awaiting the committee.
        Pending = "pending",
        /// Approved: counts.
        Approved = "approved",
        /// Rejected with a reason.
        Rejected = "rejected",
    }
);

text_enum!(
    /// What a work unit's ledger entry records.
    LedgerKind {
        /// The committee accepted the member's report.
        Accepted = "accepted",
        /// The committee returned the member's report.
        Returned = "returned",
    }
);

text_enum!(
    /// The resident's word on verified work.
    Feedback {
        /// 满意
        Satisfied = "satisfied",
        /// 不满意: the need is reopened.
        NotSatisfied = "not_satisfied",
    }
);

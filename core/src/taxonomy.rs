//! The needs taxonomy a new store is seeded with: the seed's own examples. Districts add
//! their own categories with [`DefineCategory`](crate::command::DefineCategory).

/// `(code, 中文, English)` of every default category.
pub const DEFAULT_CATEGORIES: &[(&str, &str, &str)] = &[
    ("study_supplies", "学习用品", "Study supplies"),
    ("toys", "玩具", "Toys"),
    ("mobility_aids", "助行器具", "Mobility aids"),
    ("reading_material", "图书读物", "Reading material"),
    ("outing_or_film", "出游观影", "Outing or film"),
    ("festival_goods", "节日物资", "Festival goods"),
    ("companionship", "陪伴关爱", "Companionship"),
    ("dispute_mediation", "矛盾调解", "Dispute mediation"),
    ("security", "平安建设", "Security"),
    (
        "policy_legal_advice",
        "政策法律咨询",
        "Policy and legal advice",
    ),
    ("health", "医疗健康", "Health"),
    ("elder_care", "养老服务", "Elder care"),
    ("culture", "文化活动", "Culture"),
];

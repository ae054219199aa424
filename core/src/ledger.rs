//! Ledgers (台账): what work units receive as feedback about their members, and a
//! committee's record of its needs and claims — as rows, and as exportable [`Table`]s that
//! show every code by its label, money as money, durations as durations and times as times
//! (how, [`crate::export::ExportOptions`] decide).

use crate::export::{Cell, Column, Measure, Table};
use crate::model::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One member in a work unit's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct MemberLedgerRow {
    /// The member.
    pub member: MemberId,
    /// Name.
    pub name: String,
    /// Phone (masked unless exported in full by an entitled actor).
    pub phone: Option<String>,
    /// Certificate number.
    pub certificate: String,
    /// Where the certificate stands now.
    pub state: CertificateState,
    /// The committee reported to, and its name.
    pub committee: Option<(UnitId, String)>,
    /// When the member reported.
    pub reported_at: Option<DateTime<Utc>>,
    /// When the committee accepted (or returned) the report.
    pub decided_at: Option<DateTime<Utc>>,
    /// When the service commitment was signed.
    pub commitment_signed_at: Option<DateTime<Utc>>,
    /// Claims made as an individual in the period.
    pub claims: u64,
    /// Of the member's claims, those completed in the period.
    pub completed: u64,
    /// Of the member's claims, those verified in the period.
    pub verified: u64,
    /// Money put in by those verified claims, in fen.
    pub money_fen: i64,
    /// Items given by them.
    pub items: u64,
    /// Approved logged service minutes served in the period.
    pub hours_minutes: u64,
    /// Teams the member is in now.
    pub teams: u64,
    /// Activities in the period held by those teams.
    pub team_activities: u64,
    /// Claims made in the period by those teams (the work the member's teams took on).
    pub team_claims: u64,
    /// Claims completed in the period whose roster names the member (the work they served
    /// in): the member's own and any team's (one they have left too) once completed, an
    /// organisation's once the committee verified it (an outside party's roster counts only
    /// when checked).
    pub served_claims: u64,
    /// The minutes those rosters give the member.
    pub served_minutes: u64,
    /// Activities held in the period whose roster names the member.
    pub activities: u64,
    /// The minutes those rosters give the member.
    pub activity_minutes: u64,
    /// Approved visits of the member's pairings (走访) served in the period.
    pub visits: u64,
    /// Their minutes (a part of `hours_minutes`).
    pub visit_minutes: u64,
    /// Three-heads roles the member held at the period's end, by kind.
    pub roles: Vec<RoleKind>,
    /// Pairings (结对) the member kept at some time in the period.
    pub pairings: u64,
    /// What the member promised in the signed service commitment (服务承诺), to set against
    /// what was done.
    pub commitment: Option<String>,
}

/// One need in a committee's ledger, with its latest claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct NeedLedgerRow {
    /// The need.
    pub need: NeedId,
    /// Title.
    pub title: String,
    /// Category code.
    pub category: String,
    /// Channel.
    pub channel: Channel,
    /// Scale.
    pub scale: Scale,
    /// Status.
    pub status: NeedStatus,
    /// The resident's name (masked unless exported in full by an entitled actor), or the
    /// institution's name for an institution's need.
    pub resident: String,
    /// The resident's groups.
    pub groups: Vec<ResidentGroup>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// First published.
    pub published_at: Option<DateTime<Utc>>,
    /// The latest claim's claimant kind and name.
    pub claimant: Option<(String, String)>,
    /// The latest claim's status.
    pub claim_status: Option<ClaimStatus>,
    /// When claimed.
    pub claimed_at: Option<DateTime<Utc>>,
    /// Promised by.
    pub promised_by: Option<DateTime<Utc>>,
    /// Completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// Verified (or otherwise ended).
    pub ended_at: Option<DateTime<Utc>>,
    /// Money in fen.
    pub money_fen: Option<i64>,
    /// Items.
    pub items: Option<u64>,
    /// Minutes of service.
    pub minutes: Option<u64>,
    /// People served.
    pub people_served: Option<u64>,
    /// The resident's feedback.
    pub feedback: Option<Feedback>,
}

/// Category labels `(中文, English)` by code, as the store's taxonomy has them.
pub type CategoryLabels = BTreeMap<String, (String, String)>;

/// `#` and the last six hex digits of an id (the random part of a uuid v7): what tells apart
/// two sheets with the same name when nothing more meaningful does.
pub fn short_id(id: uuid::Uuid) -> String {
    let hex = id.simple().to_string();
    format!("#{}", &hex[hex.len() - 6..])
}

/// Several values in one cell: joined with `、` in Chinese, `, ` in English and for codes.
fn joined<'a>(values: impl Iterator<Item = (&'a str, (&'a str, &'a str))>) -> Cell {
    let (mut code, mut zh, mut en) = (Vec::new(), Vec::new(), Vec::new());
    for (c, (z, e)) in values {
        code.push(c);
        zh.push(z);
        en.push(e);
    }
    if code.is_empty() {
        return Cell::Empty;
    }
    Cell::Code {
        code: code.join(", "),
        zh: zh.join("、"),
        en: en.join(", "),
    }
}

/// A value of a vocabulary as a cell: its code and labels.
fn label<T: Vocabulary>(v: T) -> Cell {
    Cell::code(v.code(), v.labels())
}

/// A work unit's ledger rows as a table titled with the work unit's name, on a sheet named
/// after it; `teams` names each member's teams (the rows count them).
pub fn member_table(
    work_unit: &WorkUnit,
    rows: &[MemberLedgerRow],
    teams: &BTreeMap<MemberId, Vec<String>>,
) -> Table {
    let name = work_unit.name.as_str();
    let col = |zh, en, m| Column::new((zh, en), m);
    use Measure::*;
    let mut t = Table::with_columns(
        (
            &format!("{name} 党员报到台账"),
            &format!("{name}: member ledger"),
        ),
        (name, name),
        vec![
            col("姓名", "Name", Plain),
            col("电话", "Phone", Plain),
            col("报到证编号", "Certificate", Plain),
            col("状态", "State", Plain),
            col("报到社区", "Committee", Plain),
            col("报到时间", "Reported at", Time),
            col("审核时间", "Decided at", Time),
            col("承诺书签订", "Commitment signed", Time),
            col("认领", "Claims", Plain),
            col("完成", "Completed", Plain),
            col("验收", "Verified", Plain),
            col("金额", "Money", Money),
            col("物品", "Items", Plain),
            col("服务时长", "Service time", Duration),
            col("服务队", "Teams", Plain),
            col("队伍活动", "Team activities", Plain),
            col("队伍认领", "Team claims", Plain),
            col("参与认领服务", "Claims served in", Plain),
            col("认领服务时长", "Time on claims", Duration),
            col("参与活动", "Activities taken part in", Plain),
            col("活动时长", "Time at activities", Duration),
            col("三长职务", "Three-heads roles", Plain),
            col("结对帮扶", "Pairings", Plain),
            col("走访", "Visits", Plain),
            col("走访时长", "Visit time", Duration),
            col("服务承诺", "Service commitment", Plain),
        ],
    );
    t.qualifiers = vec![(short_id(work_unit.id.0), short_id(work_unit.id.0))];
    for r in rows {
        let names = teams.get(&r.member).map(Vec::as_slice).unwrap_or_default();
        t.rows.push(vec![
            Cell::Text(r.name.clone()),
            Cell::text(r.phone.clone()),
            Cell::Text(r.certificate.clone()),
            label(r.state),
            Cell::text(r.committee.as_ref().map(|c| c.1.clone())),
            Cell::time(r.reported_at),
            Cell::time(r.decided_at),
            Cell::time(r.commitment_signed_at),
            Cell::int(r.claims),
            Cell::int(r.completed),
            Cell::int(r.verified),
            Cell::Money(r.money_fen),
            Cell::int(r.items),
            Cell::Minutes(r.hours_minutes),
            joined(names.iter().map(|n| (n.as_str(), (n.as_str(), n.as_str())))),
            Cell::int(r.team_activities),
            Cell::int(r.team_claims),
            Cell::int(r.served_claims),
            Cell::Minutes(r.served_minutes),
            Cell::int(r.activities),
            Cell::Minutes(r.activity_minutes),
            joined(r.roles.iter().map(|k| (k.code(), k.labels()))),
            Cell::int(r.pairings),
            Cell::int(r.visits),
            Cell::Minutes(r.visit_minutes),
            Cell::text(r.commitment.clone()),
        ]);
    }
    t
}

/// A unit's ledger rows as a table titled with its name, on a sheet named after it (told
/// apart from a namesake by its parent's name, then by a short id); categories shown by
/// their labels in `categories` (a code without one, by its code).
pub fn need_table(
    unit: &Unit,
    parent: Option<&Unit>,
    rows: &[NeedLedgerRow],
    categories: &CategoryLabels,
) -> Table {
    let name = unit.name.as_str();
    let col = |zh, en, m| Column::new((zh, en), m);
    use Measure::*;
    let mut t = Table::with_columns(
        (
            &format!("{name} 需求认领台账"),
            &format!("{name}: needs ledger"),
        ),
        (name, name),
        vec![
            col("需求", "Need", Plain),
            col("类别", "Category", Plain),
            col("渠道", "Channel", Plain),
            col("规模", "Scale", Plain),
            col("状态", "Status", Plain),
            col("服务对象", "Resident", Plain),
            col("群体", "Groups", Plain),
            col("登记时间", "Created at", Time),
            col("发布时间", "Published at", Time),
            col("认领方类型", "Claimant kind", Plain),
            col("认领方", "Claimant", Plain),
            col("认领状态", "Claim status", Plain),
            col("认领时间", "Claimed at", Time),
            col("承诺日期", "Promised by", Time),
            col("完成时间", "Completed at", Time),
            col("结束时间", "Ended at", Time),
            col("金额", "Money", Money),
            col("物品", "Items", Plain),
            col("服务时长", "Service time", Duration),
            col("服务人数", "People served", Plain),
            col("评价", "Feedback", Plain),
        ],
    );
    if let Some(p) = parent {
        t.qualifiers.push((p.name.clone(), p.name.clone()));
    }
    t.qualifiers
        .push((short_id(unit.id.0), short_id(unit.id.0)));
    for r in rows {
        let category = match categories.get(&r.category) {
            Some((zh, en)) => Cell::code(r.category.clone(), (zh, en)),
            None => Cell::code(r.category.clone(), (&r.category, &r.category)),
        };
        let kind = r
            .claimant
            .as_ref()
            .map(|c| match ClaimantKind::from_code(&c.0) {
                Some(k) => label(k),
                None => Cell::code(c.0.clone(), (&c.0, &c.0)),
            })
            .unwrap_or(Cell::Empty);
        t.rows.push(vec![
            Cell::Text(r.title.clone()),
            category,
            label(r.channel),
            label(r.scale),
            label(r.status),
            Cell::Text(r.resident.clone()),
            joined(r.groups.iter().map(|g| (g.code(), g.labels()))),
            Cell::Time(r.created_at),
            Cell::time(r.published_at),
            kind,
            Cell::text(r.claimant.as_ref().map(|c| c.1.clone())),
            r.claim_status.map_or(Cell::Empty, label),
            Cell::time(r.claimed_at),
            Cell::time(r.promised_by),
            Cell::time(r.completed_at),
            Cell::time(r.ended_at),
            r.money_fen.map_or(Cell::Empty, Cell::Money),
            r.items.map_or(Cell::Empty, Cell::int),
            r.minutes.map_or(Cell::Empty, Cell::Minutes),
            r.people_served.map_or(Cell::Empty, Cell::int),
            r.feedback.map_or(Cell::Empty, label),
        ]);
    }
    t
}

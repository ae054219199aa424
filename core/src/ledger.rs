//! Ledgers (台账): what work units receive as feedback about their members, and a
//! committee's record of its needs and claims — as rows, and as exportable [`Table`]s.

use crate::export::{Cell, Table};
use crate::model::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    /// The resident's name (masked unless exported in full by an entitled actor).
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

/// A work unit's ledger rows as a table titled with the work unit's name.
pub fn member_table(work_unit_name: &str, rows: &[MemberLedgerRow]) -> Table {
    let mut t = Table::new(
        (
            &format!("{work_unit_name} 党员报到台账"),
            &format!("{work_unit_name} member ledger"),
        ),
        &[
            ("姓名", "Name"),
            ("电话", "Phone"),
            ("报到证编号", "Certificate"),
            ("状态", "State"),
            ("报到社区", "Committee"),
            ("报到时间", "Reported at"),
            ("审核时间", "Decided at"),
            ("承诺书签订", "Commitment signed"),
            ("认领", "Claims"),
            ("完成", "Completed"),
            ("验收", "Verified"),
            ("金额(分)", "Money (fen)"),
            ("物品", "Items"),
            ("服务时长(分钟)", "Service minutes"),
            ("服务队", "Teams"),
            ("队伍活动", "Team activities"),
        ],
    );
    for r in rows {
        t.rows.push(vec![
            Cell::Text(r.name.clone()),
            Cell::text(r.phone.clone()),
            Cell::Text(r.certificate.clone()),
            Cell::Text(r.state.as_str().into()),
            Cell::text(r.committee.as_ref().map(|c| c.1.clone())),
            Cell::time(r.reported_at),
            Cell::time(r.decided_at),
            Cell::time(r.commitment_signed_at),
            Cell::int(r.claims),
            Cell::int(r.completed),
            Cell::int(r.verified),
            Cell::Int(r.money_fen),
            Cell::int(r.items),
            Cell::int(r.hours_minutes),
            Cell::int(r.teams),
            Cell::int(r.team_activities),
        ]);
    }
    t
}

/// A committee's ledger rows as a table titled with its name.
pub fn need_table(committee_name: &str, rows: &[NeedLedgerRow]) -> Table {
    let mut t = Table::new(
        (
            &format!("{committee_name} 需求认领台账"),
            &format!("{committee_name} needs ledger"),
        ),
        &[
            ("需求", "Need"),
            ("类别", "Category"),
            ("渠道", "Channel"),
            ("规模", "Scale"),
            ("状态", "Status"),
            ("服务对象", "Resident"),
            ("群体", "Groups"),
            ("登记时间", "Created at"),
            ("发布时间", "Published at"),
            ("认领方类型", "Claimant kind"),
            ("认领方", "Claimant"),
            ("认领状态", "Claim status"),
            ("认领时间", "Claimed at"),
            ("承诺日期", "Promised by"),
            ("完成时间", "Completed at"),
            ("结束时间", "Ended at"),
            ("金额(分)", "Money (fen)"),
            ("物品", "Items"),
            ("服务时长(分钟)", "Minutes"),
            ("服务人数", "People served"),
            ("评价", "Feedback"),
        ],
    );
    for r in rows {
        t.rows.push(vec![
            Cell::Text(r.title.clone()),
            Cell::Text(r.category.clone()),
            Cell::Text(r.channel.as_str().into()),
            Cell::Text(r.scale.as_str().into()),
            Cell::Text(r.status.as_str().into()),
            Cell::Text(r.resident.clone()),
            Cell::Text(
                r.groups
                    .iter()
                    .map(|g| g.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Cell::Time(r.created_at),
            Cell::time(r.published_at),
            Cell::text(r.claimant.as_ref().map(|c| c.0.clone())),
            Cell::text(r.claimant.as_ref().map(|c| c.1.clone())),
            Cell::text(r.claim_status.map(|s| s.as_str())),
            Cell::time(r.claimed_at),
            Cell::time(r.promised_by),
            Cell::time(r.completed_at),
            Cell::time(r.ended_at),
            r.money_fen.map_or(Cell::Empty, Cell::Int),
            r.items.map_or(Cell::Empty, Cell::int),
            r.minutes.map_or(Cell::Empty, Cell::int),
            r.people_served.map_or(Cell::Empty, Cell::int),
            Cell::text(r.feedback.map(|f| f.as_str())),
        ]);
    }
    t
}

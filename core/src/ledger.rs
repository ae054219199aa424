//! Ledgers (台账): what work units receive as feedback about their members, and a
//! committee's record of its needs and claims — as rows, and as exportable [`Table`]s.

use crate::error::{Error, Result};
use crate::export::{Cell, ExportOptions, PersonalData, Table};
use crate::model::*;
use crate::report::Period;
use crate::rules::authz::{is, is_staff_over, oversees, Principal};
use crate::rules::privacy;
use crate::store::{
    ClaimFilter, Entity, MemberFilter, NeedFilter, Page, Query, TeamFilter, Tx, TxExt,
};
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

fn forbidden(actor: &Actor, what: &str) -> Error {
    Error::forbidden(format!(
        "a {} may not {what}",
        actor.kind_str().replace('_', " ")
    ))
}

fn all<E: Entity>(tx: &mut dyn Tx, q: Query) -> Result<Vec<E>> {
    Ok(tx.select::<E>(&q, &Page::ALL)?)
}

impl crate::Hub {
    /// A work unit's ledger: one row per member it certified, with their report, commitment
    /// and work in `period` (its secretary, district admins, the system). Phones are masked
    /// unless `personal` is [`PersonalData::Full`] and the actor may see every one in full.
    pub fn work_unit_ledger(
        &self,
        actor: &Actor,
        work_unit: WorkUnitId,
        period: Period,
        personal: PersonalData,
    ) -> Result<Vec<MemberLedgerRow>> {
        let now = self.now();
        let mut tx = self.store().begin_read().map_err(Error::from)?;
        let tx = &mut *tx;
        tx.load::<WorkUnit>(&work_unit)?
            .ok_or_else(|| Error::not_found("work_unit", work_unit))?;
        if !(matches!(actor, Actor::System | Actor::DistrictAdmin { .. })
            || is(actor, &Principal::Secretary(work_unit)))
        {
            return Err(forbidden(actor, "read this work unit's ledger"));
        }
        let members: Vec<Member> = all(
            tx,
            Query::Members(MemberFilter {
                work_unit: Some(work_unit),
                ..Default::default()
            }),
        )?;
        let mut rows = Vec::with_capacity(members.len());
        for m in members {
            let path = match m.committee {
                Some(c) => tx.load::<Unit>(&c)?.map(|u| u.path).unwrap_or_default(),
                None => Vec::new(),
            };
            let full = match personal {
                PersonalData::Masked => false,
                PersonalData::Full if privacy::sees_member(actor, &m, &path) => true,
                PersonalData::Full => {
                    return Err(forbidden(actor, "export members' personal data in full"))
                }
            };
            let committee = match m.committee {
                Some(c) => tx.load::<Unit>(&c)?.map(|u| (c, u.name)),
                None => None,
            };
            let claims: Vec<Claim> = all(
                tx,
                Query::Claims(ClaimFilter {
                    claimant: Some(Claimant::Member(m.id)),
                    ..Default::default()
                }),
            )?;
            let verified: Vec<&Claim> = claims
                .iter()
                .filter(|c| {
                    c.status == ClaimStatus::Verified
                        && c.ended_at.is_some_and(|t| period.contains(t))
                })
                .collect();
            let hours: Vec<Hours> = all(
                tx,
                Query::Hours {
                    member: Some(m.id),
                    unit: None,
                    status: Some(HoursStatus::Approved),
                },
            )?;
            let teams: Vec<Team> = all(
                tx,
                Query::Teams(TeamFilter {
                    member: Some(m.id),
                    ..Default::default()
                }),
            )?;
            let mut team_activities = 0;
            for t in &teams {
                let acts: Vec<Activity> = all(
                    tx,
                    Query::Activities(crate::store::ActivityFilter {
                        team: Some(t.id),
                        from: period.from,
                        to: period.to,
                        ..Default::default()
                    }),
                )?;
                team_activities += acts.len() as u64;
            }
            rows.push(MemberLedgerRow {
                member: m.id,
                name: m.name.clone(),
                phone: if full {
                    m.phone.clone()
                } else {
                    m.phone.as_deref().map(|p| privacy::mask_phone(p, false))
                },
                certificate: m.certificate.number.clone(),
                state: m.certificate_state(now),
                committee,
                reported_at: m.reported_at,
                decided_at: m.decided_at,
                commitment_signed_at: m.commitment.as_ref().map(|c| c.signed_at),
                claims: claims
                    .iter()
                    .filter(|c| period.contains(c.claimed_at))
                    .count() as u64,
                completed: claims
                    .iter()
                    .filter(|c| c.completed_at.is_some_and(|t| period.contains(t)))
                    .count() as u64,
                verified: verified.len() as u64,
                money_fen: verified
                    .iter()
                    .filter_map(|c| c.fulfilment.as_ref())
                    .map(|f| f.money_fen)
                    .sum(),
                items: verified
                    .iter()
                    .filter_map(|c| c.fulfilment.as_ref())
                    .map(|f| f.item_count())
                    .sum(),
                hours_minutes: hours
                    .iter()
                    .filter(|h| period.contains(h.served_at))
                    .map(|h| u64::from(h.minutes))
                    .sum(),
                teams: teams.len() as u64,
                team_activities,
            });
        }
        Ok(rows)
    }

    /// A committee's ledger: every need of the committee (or the unit's subtree) created
    /// before the period's end and changed since its start, with its latest claim (those who
    /// oversee the unit). Residents' names are masked unless `personal` is
    /// [`PersonalData::Full`] and the actor is staff over the unit.
    pub fn committee_ledger(
        &self,
        actor: &Actor,
        unit: UnitId,
        period: Period,
        personal: PersonalData,
    ) -> Result<Vec<NeedLedgerRow>> {
        let mut tx = self.store().begin_read().map_err(Error::from)?;
        let tx = &mut *tx;
        let u = tx
            .load::<Unit>(&unit)?
            .ok_or_else(|| Error::not_found("unit", unit))?;
        if !oversees(actor, &u.path) {
            return Err(forbidden(actor, "read this committee's ledger"));
        }
        let full = match personal {
            PersonalData::Masked => false,
            PersonalData::Full if is_staff_over(actor, &u.path) => true,
            PersonalData::Full => {
                return Err(forbidden(actor, "export residents' personal data in full"))
            }
        };
        let needs: Vec<Need> = all(
            tx,
            Query::Needs(NeedFilter {
                unit: Some(unit),
                ..Default::default()
            }),
        )?;
        let mut rows = Vec::new();
        for n in needs {
            let active = period.to.is_none_or(|t| n.created_at < t)
                && period.from.is_none_or(|f| n.updated_at >= f);
            if !active {
                continue;
            }
            let resident = tx.load::<Resident>(&n.resident)?;
            let (name, groups) = match resident {
                Some(r) => (privacy::resident_for(&r, full).name, r.groups),
                None => (String::new(), Vec::new()),
            };
            let claims: Vec<Claim> = all(
                tx,
                Query::Claims(ClaimFilter {
                    need: Some(n.id),
                    ..Default::default()
                }),
            )?;
            let last = claims.into_iter().last();
            let claimant = match &last {
                Some(c) => Some(claimant_label(tx, &c.claimant)?),
                None => None,
            };
            let f = last.as_ref().and_then(|c| c.fulfilment.clone());
            rows.push(NeedLedgerRow {
                need: n.id,
                title: n.title,
                category: n.category,
                channel: n.channel,
                scale: n.scale,
                status: n.status,
                resident: name,
                groups,
                created_at: n.created_at,
                published_at: n.published_at,
                claimant,
                claim_status: last.as_ref().map(|c| c.status),
                claimed_at: last.as_ref().map(|c| c.claimed_at),
                promised_by: last.as_ref().map(|c| c.promised_by),
                completed_at: last.as_ref().and_then(|c| c.completed_at),
                ended_at: last.as_ref().and_then(|c| c.ended_at),
                money_fen: f.as_ref().map(|f| f.money_fen),
                items: f.as_ref().map(|f| f.item_count()),
                minutes: f.as_ref().map(|f| u64::from(f.minutes)),
                people_served: f.as_ref().map(|f| u64::from(f.people_served)),
                feedback: n.feedback,
            });
        }
        Ok(rows)
    }

    /// A work unit's ledger as a table, ready for [`Table::to_csv`] or
    /// [`crate::export::to_xlsx`].
    pub fn work_unit_ledger_table(
        &self,
        actor: &Actor,
        work_unit: WorkUnitId,
        period: Period,
        options: ExportOptions,
    ) -> Result<Table> {
        let rows = self.work_unit_ledger(actor, work_unit, period, options.personal_data)?;
        let name = {
            let mut tx = self.store().begin_read().map_err(Error::from)?;
            tx.load::<WorkUnit>(&work_unit)?
                .map(|w| w.name)
                .unwrap_or_default()
        };
        Ok(member_table(&name, &rows))
    }

    /// A committee's ledger as a table.
    pub fn committee_ledger_table(
        &self,
        actor: &Actor,
        unit: UnitId,
        period: Period,
        options: ExportOptions,
    ) -> Result<Table> {
        let rows = self.committee_ledger(actor, unit, period, options.personal_data)?;
        let name = self.unit(actor, unit)?.name;
        Ok(need_table(&name, &rows))
    }
}

fn claimant_label(tx: &mut dyn Tx, c: &Claimant) -> Result<(String, String)> {
    let name = match c {
        Claimant::Member(m) => tx.load::<Member>(m)?.map(|x| x.name),
        Claimant::Team(t) => tx.load::<Team>(t)?.map(|x| x.name),
        Claimant::Organisation(o) => tx.load::<Organisation>(o)?.map(|x| x.name),
    };
    Ok((c.kind_str().to_string(), name.unwrap_or_default()))
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

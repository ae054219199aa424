//! Work-unit and committee ledgers (台账): authorized reads that build the rows of
//! [`crate::ledger`], and their tables.

use super::Hub;
use crate::error::{Error, Result};
use crate::export::{About, ExportOptions, PersonalData, Table};
use crate::ledger::{member_table, need_table, CategoryLabels, MemberLedgerRow, NeedLedgerRow};
use crate::model::*;
use crate::report::Period;
use crate::rules::authz::{is, is_staff_over, oversees, Principal};
use crate::rules::privacy;
use crate::store::{
    ActivityFilter, ClaimFilter, Entity, MemberFilter, NeedFilter, Page, Query, TeamFilter, Tx,
    TxExt,
};
use std::collections::{BTreeMap, HashMap};

/// The names of each member's teams.
type TeamNames = BTreeMap<MemberId, Vec<String>>;

fn forbidden(actor: &Actor, what: &str) -> Error {
    Error::forbidden(format!(
        "a {} may not {what}",
        actor.kind_str().replace('_', " ")
    ))
}

fn all<E: Entity>(tx: &mut dyn Tx, q: Query) -> Result<Vec<E>> {
    Ok(tx.select::<E>(&q, &Page::ALL)?)
}

impl Hub {
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
        let mut tx = self.store().begin_read().map_err(Error::from)?;
        let (rows, _) = self.work_unit_rows(&mut *tx, actor, work_unit, period, personal)?;
        Ok(rows)
    }

    /// The rows of a work unit's ledger, and the names of each member's teams.
    fn work_unit_rows(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        work_unit: WorkUnitId,
        period: Period,
        personal: PersonalData,
    ) -> Result<(Vec<MemberLedgerRow>, TeamNames)> {
        let now = self.now();
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
        let mut team_names = BTreeMap::new();
        // Each team's claims, read once per ledger however many members it has.
        let mut per_team: HashMap<TeamId, Vec<Claim>> = HashMap::new();
        // Who is on the rosters of activities held in the period: (activities, minutes); and
        // each team's activities in the period.
        let mut on_rosters: HashMap<MemberId, (u64, u64)> = HashMap::new();
        let mut team_held: HashMap<TeamId, u64> = HashMap::new();
        let held: Vec<Activity> = all(
            tx,
            Query::Activities(ActivityFilter {
                from: period.from,
                to: period.to,
                ..Default::default()
            }),
        )?;
        // Who is on the rosters of claims completed in the period — their own, a team's (one
        // they have left too), an organisation's once verified (an outside party names
        // members; the committee's check makes it count): (claims, minutes).
        let mut on_claim_rosters: HashMap<MemberId, (u64, u64)> = HashMap::new();
        let rostered: Vec<Claim> = all(
            tx,
            Query::Claims(ClaimFilter {
                rostered: true,
                ..Default::default()
            }),
        )?;
        for c in &rostered {
            let checked = !matches!(c.claimant, Claimant::Organisation(_))
                || c.status == ClaimStatus::Verified;
            if !checked || !c.completed_at.is_some_and(|t| period.contains(t)) {
                continue;
            }
            for line in c.fulfilment.iter().flat_map(|f| &f.roster) {
                if let Some(m) = line.member {
                    let e = on_claim_rosters.entry(m).or_default();
                    e.0 += 1;
                    e.1 += line.total_minutes();
                }
            }
        }
        for a in &held {
            if let Some(t) = a.team {
                *team_held.entry(t).or_default() += 1;
            }
            for line in &a.roster {
                if let Some(m) = line.member {
                    let e = on_rosters.entry(m).or_default();
                    e.0 += 1;
                    e.1 += line.total_minutes();
                }
            }
        }
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
            let mut team_claims = 0;
            let (served_claims, served_minutes) =
                on_claim_rosters.get(&m.id).copied().unwrap_or_default();
            for t in &teams {
                let claims = match per_team.get(&t.id) {
                    Some(known) => known,
                    None => {
                        let taken: Vec<Claim> = all(
                            tx,
                            Query::Claims(ClaimFilter {
                                claimant: Some(Claimant::Team(t.id)),
                                ..Default::default()
                            }),
                        )?;
                        per_team.entry(t.id).or_insert(taken)
                    }
                };
                team_activities += team_held.get(&t.id).copied().unwrap_or(0);
                team_claims += claims
                    .iter()
                    .filter(|c| period.contains(c.claimed_at))
                    .count() as u64;
            }
            let (activities, activity_minutes) = on_rosters.get(&m.id).copied().unwrap_or_default();
            // Approved hours served in the period, and of them the pairing visits.
            let (mut hours_minutes, mut visits, mut visit_minutes) = (0, 0, 0);
            for h in hours.iter().filter(|h| period.contains(h.served_at)) {
                hours_minutes += u64::from(h.minutes);
                if h.pairing.is_some() {
                    visits += 1;
                    visit_minutes += u64::from(h.minutes);
                }
            }
            let roles: Vec<Role> = all(
                tx,
                Query::Roles {
                    unit: None,
                    member: Some(m.id),
                    current_only: false,
                },
            )?;
            let pairings: Vec<Pairing> = all(
                tx,
                Query::Pairings {
                    unit: None,
                    member: Some(m.id),
                    resident: None,
                    current_only: false,
                },
            )?;
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
                hours_minutes,
                teams: teams.len() as u64,
                team_activities,
                team_claims,
                served_claims,
                served_minutes,
                activities,
                activity_minutes,
                visits,
                visit_minutes,
                roles: roles
                    .iter()
                    .filter(|r| period.holds_at_end(r.since, r.until))
                    .map(|r| r.kind)
                    .collect(),
                pairings: pairings
                    .iter()
                    .filter(|p| period.overlaps(p.since, p.until))
                    .count() as u64,
                commitment: m.commitment.as_ref().map(|c| c.text.clone()),
            });
            team_names.insert(m.id, teams.into_iter().map(|t| t.name).collect());
        }
        Ok((rows, team_names))
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
        Ok(self
            .committee_rows(&mut *tx, actor, unit, period, personal)?
            .1)
    }

    /// The unit (authorized) and the rows of its ledger.
    fn committee_rows(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        unit: UnitId,
        period: Period,
        personal: PersonalData,
    ) -> Result<(Unit, Vec<NeedLedgerRow>)> {
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
            let resident = match n.resident {
                Some(id) => tx.load::<Resident>(&id)?,
                None => None,
            };
            let (name, groups) = match resident {
                Some(r) => (privacy::resident_for(&r, full).name, r.groups),
                // An institution's need: its public name.
                None => (n.institution.clone().unwrap_or_default(), Vec::new()),
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
        Ok((u, rows))
    }

    /// A work unit's ledger as a table, ready for [`Table::to_csv_with`] or
    /// [`crate::export::to_xlsx_with`]: codes shown by their labels, money, hours and times
    /// as `options` say when it is written, each member's teams by name, and what the cover
    /// sheet says (the work unit, the period, who exported it and when, masked or not).
    pub fn work_unit_ledger_table(
        &self,
        actor: &Actor,
        work_unit: WorkUnitId,
        period: Period,
        options: ExportOptions,
    ) -> Result<Table> {
        let mut tx = self.store().begin_read().map_err(Error::from)?;
        let tx = &mut *tx;
        let (rows, teams) =
            self.work_unit_rows(tx, actor, work_unit, period, options.personal_data)?;
        let w = tx
            .load::<WorkUnit>(&work_unit)?
            .ok_or_else(|| Error::not_found("work_unit", work_unit))?;
        let mut t = member_table(&w, &rows, &teams);
        t.about = Some(About {
            scope: work_unit_scope(&w),
            from: period.from,
            to: period.to,
            exported_by: exporter(tx, actor)?,
            exported_at: self.now(),
            personal_data: Some(options.personal_data),
        });
        Ok(t)
    }

    /// A committee's (or a unit's) ledger as a table, like
    /// [`Hub::work_unit_ledger_table`]: categories by their labels, on a sheet named after
    /// the unit (a namesake told apart by its parent's name).
    pub fn committee_ledger_table(
        &self,
        actor: &Actor,
        unit: UnitId,
        period: Period,
        options: ExportOptions,
    ) -> Result<Table> {
        let mut tx = self.store().begin_read().map_err(Error::from)?;
        let tx = &mut *tx;
        let (u, rows) = self.committee_rows(tx, actor, unit, period, options.personal_data)?;
        let parent = match u.parent {
            Some(p) => tx.load::<Unit>(&p)?,
            None => None,
        };
        let categories = category_labels(tx)?;
        let mut t = need_table(&u, parent.as_ref(), &rows, &categories);
        t.about = Some(About {
            scope: unit_scope(&u),
            from: period.from,
            to: period.to,
            exported_by: exporter(tx, actor)?,
            exported_at: self.now(),
            personal_data: Some(options.personal_data),
        });
        Ok(t)
    }
}

/// Every category's labels, by code.
pub(super) fn category_labels(tx: &mut dyn Tx) -> Result<CategoryLabels> {
    Ok(tx
        .select::<Category>(&Query::Categories, &Page::ALL)?
        .into_iter()
        .map(|c| (c.code, (c.name_zh, c.name_en)))
        .collect())
}

/// What a unit's export covers: `居委会：凤凰社区居委会`, `Residents' committee: 凤凰社区居委会`.
pub(super) fn unit_scope(u: &Unit) -> (String, String) {
    let (zh, en) = u.kind.label();
    (format!("{zh}：{}", u.name), format!("{en}: {}", u.name))
}

/// What a work unit's export covers: `单位：区财政局`, `Work unit: 区财政局`.
pub(super) fn work_unit_scope(w: &WorkUnit) -> (String, String) {
    (
        format!("单位：{}", w.name),
        format!("Work unit: {}", w.name),
    )
}

/// Who exported, for the cover: the kind of actor and the name of their unit, work unit,
/// organisation or (a member) their own name: `社区工作人员（凤凰社区居委会）`.
pub(super) fn exporter(tx: &mut dyn Tx, actor: &Actor) -> Result<(String, String)> {
    let name = match actor {
        Actor::System => None,
        Actor::DistrictAdmin { district: u } | Actor::CommitteeStaff { unit: u } => {
            tx.load::<Unit>(u)?.map(|u| u.name)
        }
        Actor::WorkUnitSecretary { work_unit } => tx.load::<WorkUnit>(work_unit)?.map(|w| w.name),
        Actor::Member { member } => tx.load::<Member>(member)?.map(|m| m.name),
        Actor::OrganisationContact { organisation } => {
            tx.load::<Organisation>(organisation)?.map(|o| o.name)
        }
    };
    let (zh, en) = actor.kind_label();
    Ok(match name {
        Some(n) => (format!("{zh}（{n}）"), format!("{en} ({n})")),
        None => (zh.to_string(), en.to_string()),
    })
}

fn claimant_label(tx: &mut dyn Tx, c: &Claimant) -> Result<(String, String)> {
    let name = match c {
        Claimant::Member(m) => tx.load::<Member>(m)?.map(|x| x.name),
        Claimant::Team(t) => tx.load::<Team>(t)?.map(|x| x.name),
        Claimant::Organisation(o) => tx.load::<Organisation>(o)?.map(|x| x.name),
    };
    Ok((c.kind_str().to_string(), name.unwrap_or_default()))
}

//! Volunteer service records gathered from the store, their certificates and correction
//! requests (what each holds: `crate::service`).

use super::query::{all, member_view, path_of};
use super::Hub;
use crate::error::{Error, Result};
use crate::export::{About, ExportOptions, Table};
use crate::model::*;
use crate::report::Period;
use crate::rules::authz::{is, oversees, Principal};
use crate::rules::privacy;
use crate::service::{self, ServiceRecord};
use crate::store::{ActivityFilter, ClaimFilter, Query, Tx, TxExt};
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The district's zone for counting working days: China Standard Time (UTC+8, no daylight
/// saving), the exports' default zone.
fn china() -> FixedOffset {
    FixedOffset::east_opt(crate::export::CHINA_STANDARD_TIME * 60).expect("UTC+8 is an offset")
}

/// A certificate checked against the store by its number: what anyone holding the number may
/// learn (the issuer, the period, the time and records certified, whether the store still
/// agrees) and, for the member, their work unit and those over the issuing committee, the
/// whole certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct CertificateCheck {
    /// The certificate number.
    pub number: String,
    /// The issuing committee.
    pub committee: UnitId,
    /// The period's start, if bounded.
    pub from: Option<DateTime<Utc>>,
    /// The period's end (exclusive), if bounded.
    pub to: Option<DateTime<Utc>>,
    /// The service time certified, in minutes.
    pub minutes: u64,
    /// How many records it certified.
    pub records: u32,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// The whole certificate (the member and what the service was), for those who may read
    /// the member's records; `None` for anyone else.
    pub certificate: Option<ServiceCertificate>,
    /// The service time the store's records give for it now, in minutes.
    pub minutes_now: u64,
    /// How many records the store gives for it now.
    pub records_now: u32,
    /// Whether the records still say what the certificate says.
    pub unchanged: bool,
}

/// A member's service records, in the order served: those organised by `committee` (all when
/// `None`) and served in `period`. `in_charge` names a captain as the reader may see them.
pub(crate) fn gather(
    tx: &mut dyn Tx,
    member: &Member,
    committee: Option<UnitId>,
    period: Period,
    in_charge: &mut dyn FnMut(&mut dyn Tx, MemberId) -> Result<String>,
) -> Result<Vec<ServiceRecord>> {
    let zone = china();
    let years: Vec<CalendarYear> = all(tx, &Query::CalendarYears)?;
    let calendar = service::WorkingCalendar::new(&years);
    let at = |c: UnitId| committee.is_none_or(|x| x == c);
    let mut names: HashMap<UnitId, String> = HashMap::new();
    let mut name_of = |tx: &mut dyn Tx, u: UnitId| -> Result<String> {
        if let Some(n) = names.get(&u) {
            return Ok(n.clone());
        }
        let n = tx.load::<Unit>(&u)?.map(|x| x.name).unwrap_or_default();
        names.insert(u, n.clone());
        Ok(n)
    };
    let mut out = Vec::new();
    // Activities whose roster names the member.
    let acts: Vec<Activity> = all(
        tx,
        &Query::Activities(ActivityFilter {
            unit: committee,
            from: period.from,
            to: period.to,
            ..Default::default()
        }),
    )?;
    for a in acts {
        let Some(line) = a.roster.iter().find(|l| l.member == Some(member.id)) else {
            continue;
        };
        let captain = match a.team {
            Some(t) => tx.load::<Team>(&t)?.and_then(|t| t.captain),
            None => None,
        };
        out.push(ServiceRecord {
            source: ServiceSource::Activity,
            source_id: a.id.0,
            name: a.title.clone(),
            served_at: a.held_at,
            place: a.place.clone(),
            content: a.kind.label().0.to_string(),
            minutes: line.total_minutes(),
            organiser: a.committee,
            organiser_name: name_of(tx, a.committee)?,
            in_charge: captain.map(|c| in_charge(tx, c)).transpose()?,
            entered_at: a.recorded_at,
            entered_late: service::entered_late(a.held_at, a.recorded_at, zone, &calendar),
        });
    }
    // Verified claims: the member's own (the one person named), and any whose roster names the
    // member (a team's, one the member has left, an organisation's).
    let mut claims: Vec<Claim> = all(
        tx,
        &Query::Claims(ClaimFilter {
            claimant: Some(Claimant::Member(member.id)),
            statuses: vec![ClaimStatus::Verified],
            ..Default::default()
        }),
    )?;
    claims.extend(all::<Claim>(
        tx,
        &Query::Claims(ClaimFilter {
            unit: committee,
            statuses: vec![ClaimStatus::Verified],
            rostered: true,
            ..Default::default()
        }),
    )?);
    claims.sort_by_key(|c| c.id);
    claims.dedup_by_key(|c| c.id);
    for c in claims {
        let (Some(f), Some(done)) = (c.fulfilment.as_ref(), c.completed_at) else {
            continue;
        };
        if !at(c.committee) || !period.contains(done) {
            continue;
        }
        let minutes = match f.roster.iter().find(|l| l.member == Some(member.id)) {
            Some(line) => line.total_minutes(),
            None if f.roster.is_empty() && c.claimant == Claimant::Member(member.id) => {
                u64::from(f.minutes)
            }
            None => continue,
        };
        let Some(need) = tx.load::<Need>(&c.need)? else {
            continue;
        };
        let captain = match c.claimant {
            Claimant::Team(_) => c.claimed_by,
            _ => None,
        };
        out.push(ServiceRecord {
            source: ServiceSource::Claim,
            source_id: c.id.0,
            name: need.title.clone(),
            served_at: done,
            place: None,
            content: if f.note.is_empty() {
                need.description.clone()
            } else {
                f.note.clone()
            },
            minutes,
            organiser: c.committee,
            organiser_name: name_of(tx, c.committee)?,
            in_charge: captain.map(|m| in_charge(tx, m)).transpose()?,
            entered_at: done,
            entered_late: false,
        });
    }
    // Approved logged hours and pairing visits.
    let hours: Vec<Hours> = all(
        tx,
        &Query::Hours {
            member: Some(member.id),
            unit: None,
            status: Some(HoursStatus::Approved),
        },
    )?;
    for h in hours {
        if !at(h.committee) || !period.contains(h.served_at) {
            continue;
        }
        let visit = h.pairing.is_some();
        out.push(ServiceRecord {
            source: if visit {
                ServiceSource::Visit
            } else {
                ServiceSource::Hours
            },
            source_id: h.id.0,
            name: if visit {
                "结对走访"
            } else {
                "志愿服务"
            }
            .to_string(),
            served_at: h.served_at,
            place: None,
            content: h.description.clone(),
            minutes: u64::from(h.minutes),
            organiser: h.committee,
            organiser_name: name_of(tx, h.committee)?,
            in_charge: None,
            entered_at: h.logged_at,
            entered_late: service::entered_late(h.served_at, h.logged_at, zone, &calendar),
        });
    }
    out.sort_by_key(|r| (r.served_at, r.source_id));
    Ok(out)
}

/// Whether `actor` may read `member`'s service records: the member, their work unit's
/// secretary, those over the member's committee or over `committee` (the recording one).
fn may_read(
    tx: &mut dyn Tx,
    actor: &Actor,
    member: &Member,
    committee: Option<UnitId>,
) -> Result<bool> {
    if matches!(actor, Actor::System)
        || is(actor, &Principal::Member(member.id))
        || is(actor, &Principal::Secretary(member.work_unit))
    {
        return Ok(true);
    }
    for c in member.committee.into_iter().chain(committee) {
        if oversees(actor, &path_of(tx, c)?) {
            return Ok(true);
        }
    }
    Ok(false)
}

impl Hub {
    /// A member's volunteer service records (志愿服务记录) served in `period`, in order: the
    /// activities and claims whose rosters name the member, the member's own claims, approved
    /// logged hours and pairing visits — each with the activity's name, date, place, content,
    /// the time actually given, the organising unit and the person in charge, and whether it
    /// was entered within 10 working days. The member, their work unit's secretary and those
    /// over their committee read them.
    pub fn service_records(
        &self,
        actor: &Actor,
        member: MemberId,
        period: Period,
    ) -> Result<Vec<ServiceRecord>> {
        self.read(|tx| {
            let m = tx
                .load::<Member>(&member)?
                .ok_or_else(|| Error::not_found("member", member))?;
            if !may_read(tx, actor, &m, None)? {
                return Err(Error::forbidden(
                    "only the member, their work unit and their committee read service records",
                ));
            }
            gather(tx, &m, None, period, &mut |tx, c| {
                captain_name(tx, actor, c)
            })
        })
    }

    /// Checks a service certificate by its number against the store: the issuer, the period,
    /// the time and records certified, and whether the records it covers still give what it
    /// says. Anyone may check a number (that is what it is for); only the member, their work
    /// unit and those over the issuing committee also get the whole certificate (who, and what
    /// the service was). `None`: no certificate has this number.
    pub fn check_service_certificate(
        &self,
        actor: &Actor,
        number: &str,
    ) -> Result<Option<CertificateCheck>> {
        crate::rules::validate::filter_text("number", Some(number))?;
        self.read(|tx| {
            let Some(c) = certificate_by_number(tx, number.trim())? else {
                return Ok(None);
            };
            let m = tx
                .load::<Member>(&c.member)?
                .ok_or_else(|| Error::not_found("member", c.member))?;
            let period = Period {
                from: c.from,
                to: c.to,
            };
            let now = gather(tx, &m, Some(c.committee), period, &mut |_, _| {
                Ok(String::new())
            })?;
            let minutes_now: u64 = now.iter().map(|r| r.minutes).sum();
            let records_now = u32::try_from(now.len()).unwrap_or(u32::MAX);
            let whole = may_read(tx, actor, &m, Some(c.committee))?;
            Ok(Some(CertificateCheck {
                number: c.number.clone(),
                committee: c.committee,
                from: c.from,
                to: c.to,
                minutes: c.minutes,
                records: c.records,
                issued_at: c.issued_at,
                unchanged: minutes_now == c.minutes && records_now == c.records,
                certificate: whole.then_some(c),
                minutes_now,
                records_now,
            }))
        })
    }

    /// A service certificate as a table to print or export (XLSX, CSV): one row per record it
    /// covers as the store has them, the total it certified, the number, the issuer and the
    /// date; the member's name masked as the reader may see it. The member, their work unit's
    /// secretary and those over the member's or the issuing committee.
    pub fn service_certificate_table(
        &self,
        actor: &Actor,
        number: &str,
        options: ExportOptions,
    ) -> Result<Table> {
        crate::rules::validate::filter_text("number", Some(number))?;
        let now = self.now();
        self.read(|tx| {
            let c = certificate_by_number(tx, number.trim())?
                .ok_or_else(|| Error::not_found("service_certificate", "the number given"))?;
            let m = tx
                .load::<Member>(&c.member)?
                .ok_or_else(|| Error::not_found("member", c.member))?;
            if !may_read(tx, actor, &m, Some(c.committee))? {
                return Err(Error::forbidden(
                    "only the member, their work unit and their committee read this certificate",
                ));
            }
            let shown = member_view(tx, actor, m.clone())?;
            let issuer = tx
                .load::<Unit>(&c.committee)?
                .map(|u| u.name)
                .unwrap_or_default();
            let period = Period {
                from: c.from,
                to: c.to,
            };
            let records = gather(tx, &m, Some(c.committee), period, &mut |tx, x| {
                captain_name(tx, actor, x)
            })?;
            let about = About {
                scope: (
                    format!("志愿者：{}", shown.name),
                    format!("Volunteer: {}", shown.name),
                ),
                from: c.from,
                to: c.to,
                exported_by: super::ledger::exporter(tx, actor)?,
                exported_at: now,
                personal_data: Some(options.personal_data),
            };
            Ok(service::certificate_table(
                &c,
                &shown.name,
                &issuer,
                &records,
                about,
            ))
        })
    }

    /// Requests to correct service records at committees under `unit` (those over it), or
    /// one member's own (the member, with `unit` their committee).
    pub fn corrections(&self, actor: &Actor, unit: UnitId) -> Result<Vec<Correction>> {
        self.read(|tx| {
            let path = path_of(tx, unit)?;
            let mine = match actor {
                Actor::Member { member } => Some(*member),
                _ => None,
            };
            if !oversees(actor, &path) && mine.is_none() {
                return Err(Error::forbidden("only staff read correction requests here"));
            }
            let all_: Vec<Correction> = all(tx, &Query::Corrections { unit: Some(unit) })?;
            Ok(all_
                .into_iter()
                .filter(|c| oversees(actor, &path) || Some(c.member) == mine)
                .collect())
        })
    }

    /// The working calendar's years, in year order (anyone: it is the State Council's
    /// public calendar, set with [`SetWorkingCalendar`](crate::command::SetWorkingCalendar)).
    pub fn working_calendar(&self, _actor: &Actor) -> Result<Vec<CalendarYear>> {
        self.read(|tx| {
            let mut years: Vec<CalendarYear> = all(tx, &Query::CalendarYears)?;
            years.sort_by_key(|y| y.year);
            Ok(years)
        })
    }
}

/// A captain's name as `actor` may see it.
fn captain_name(tx: &mut dyn Tx, actor: &Actor, member: MemberId) -> Result<String> {
    match tx.load::<Member>(&member)? {
        Some(m) => Ok(member_view(tx, actor, m)?.name),
        None => Ok(privacy::mask_name("", false)),
    }
}

fn certificate_by_number(tx: &mut dyn Tx, number: &str) -> Result<Option<ServiceCertificate>> {
    let found: Vec<ServiceCertificate> = all(
        tx,
        &Query::ServiceCertificates {
            number: Some(number.to_string()),
            member: None,
        },
    )?;
    Ok(found.into_iter().next())
}

//! Reads. Every query takes the actor: the rules decide what it may see, and personal data
//! is masked for whoever is not entitled to it (see [`crate::rules::privacy`]).

use super::Hub;
use crate::command::Command;
use crate::error::{Error, Result};
use crate::model::*;
use crate::rules::authz::{is, oversees, Principal};
use crate::rules::{privacy, validate, visibility};
use crate::store::{
    ActivityFilter, ClaimFilter, Entity, Event, MemberFilter, NeedFilter, OfferFilter, Page, Query,
    Record, TeamFilter, Tx, TxExt,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A question to the project library. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedQuery {
    /// Needs of committees in this unit's subtree. Committee staff default to their own unit.
    pub unit: Option<UnitId>,
    /// Category code.
    pub category: Option<String>,
    /// Any of these statuses. Empty means every status the actor may see; actors who do not
    /// oversee the unit see only public statuses (published, reopened, and claimed work).
    pub statuses: Vec<NeedStatus>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Scale.
    pub scale: Option<Scale>,
    /// For this resident.
    pub resident: Option<ResidentId>,
    /// In this grid (网格, a unit of kind `grid` under a committee).
    #[serde(default)]
    pub grid: Option<UnitId>,
    /// Words that must all occur in the title or description.
    pub text: Option<String>,
    /// Continue after this need (the previous page's `next`).
    pub after: Option<NeedId>,
    /// Page size; 0 means 50; more than [`HubConfig::max_page`](super::HubConfig::max_page) is
    /// refused (`Invalid` naming `limit`).
    pub limit: u32,
}

/// One page of needs, in stable (creation) order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct NeedPage {
    /// The needs.
    pub needs: Vec<Need>,
    /// Pass as [`NeedQuery::after`] for the next page; `None` on the last page.
    pub next: Option<NeedId>,
}

/// Whose members to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "of", content = "id", rename_all = "snake_case")]
pub enum MemberScope {
    /// Members reported to committees in this unit's subtree (staff, district admins).
    Unit(UnitId),
    /// Members certified by this work unit (its secretary, district admins).
    WorkUnit(WorkUnitId),
}

/// A certificate as its work unit sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct CertificateRow {
    /// The member.
    pub member: MemberId,
    /// The member's name.
    pub name: String,
    /// The certificate number.
    pub number: String,
    /// When issued.
    pub issued_at: DateTime<Utc>,
    /// The deadline.
    pub deadline: DateTime<Utc>,
    /// Issued, overdue, reported, accepted or returned.
    pub state: CertificateState,
    /// The committee reported to.
    pub committee: Option<UnitId>,
}

/// What the project library selects for `actor` asking `q` (`None`: nothing the actor may
/// see). Staff and district admins default to their own unit; whoever does not oversee the
/// unit sees public statuses only.
pub(crate) fn library_filter(
    tx: &mut dyn Tx,
    actor: &Actor,
    q: &NeedQuery,
) -> Result<Option<NeedFilter>> {
    validate::filter_text("category", q.category.as_deref())?;
    validate::filter_text("text", q.text.as_deref())?;
    let mut unit = q.unit;
    match (actor, unit) {
        (Actor::CommitteeStaff { unit: own }, None) => unit = Some(*own),
        (Actor::DistrictAdmin { district }, None) => unit = Some(*district),
        _ => {}
    }
    let sees_all = match unit {
        Some(u) => oversees(actor, &path_of(tx, u)?),
        None => matches!(actor, Actor::System | Actor::DistrictAdmin { .. }),
    };
    let statuses = if sees_all {
        q.statuses.clone()
    } else if q.statuses.is_empty() {
        public_statuses()
    } else {
        let v: Vec<NeedStatus> = q
            .statuses
            .iter()
            .copied()
            .filter(NeedStatus::is_public)
            .collect();
        if v.is_empty() {
            return Ok(None);
        }
        v
    };
    Ok(Some(NeedFilter {
        unit,
        category: q.category.clone(),
        statuses,
        channel: q.channel,
        scale: q.scale,
        resident: q.resident,
        grid: q.grid,
        beneficiary: None,
        series: None,
        due_before: None,
        text: q.text.clone().filter(|t| !t.trim().is_empty()),
        wanted_before: None,
    }))
}

/// The statuses of needs that anyone may see.
fn public_statuses() -> Vec<NeedStatus> {
    NeedStatus::ALL
        .iter()
        .copied()
        .filter(NeedStatus::is_public)
        .collect()
}

fn get<E: Entity>(tx: &mut dyn Tx, id: &E::Id) -> Result<E> {
    tx.load::<E>(id)?
        .ok_or_else(|| Error::not_found(E::KIND.name(), id))
}

pub(super) fn path_of(tx: &mut dyn Tx, unit: UnitId) -> Result<Vec<UnitId>> {
    Ok(get::<Unit>(tx, &unit)?.path)
}

pub(super) fn all<E: Entity>(tx: &mut dyn Tx, q: &Query) -> Result<Vec<E>> {
    Ok(tx.select::<E>(q, &Page::ALL)?)
}

/// The claimants the actor acts as or belongs to.
fn actor_claimants(tx: &mut dyn Tx, actor: &Actor) -> Result<Vec<Claimant>> {
    Ok(match actor {
        Actor::Member { member } => {
            let mut v = vec![Claimant::Member(*member)];
            let teams: Vec<Team> = all(
                tx,
                &Query::Teams(TeamFilter {
                    member: Some(*member),
                    ..Default::default()
                }),
            )?;
            v.extend(teams.into_iter().map(|t| Claimant::Team(t.id)));
            v
        }
        Actor::OrganisationContact { organisation } => vec![Claimant::Organisation(*organisation)],
        _ => Vec::new(),
    })
}

fn resident_view(tx: &mut dyn Tx, actor: &Actor, r: Resident) -> Result<Resident> {
    let path = path_of(tx, r.committee)?;
    if crate::rules::authz::is_staff_over(actor, &path) {
        return Ok(r);
    }
    let mine = actor_claimants(tx, actor)?;
    let mut doing = Vec::new();
    if !mine.is_empty() {
        let needs: Vec<Need> = all(
            tx,
            &Query::Needs(NeedFilter {
                resident: Some(r.id),
                statuses: vec![
                    NeedStatus::Claimed,
                    NeedStatus::InProgress,
                    NeedStatus::Done,
                ],
                ..Default::default()
            }),
        )?;
        for n in needs {
            if let Some(c) = n.live_claim {
                doing.push(get::<Claim>(tx, &c)?.claimant);
            }
        }
    }
    let full = privacy::sees_resident(actor, &path, &doing, &mine);
    Ok(privacy::resident_for(&r, full))
}

/// Units' paths, each read once per read however many records name the unit.
#[derive(Default)]
struct Paths(HashMap<UnitId, Vec<UnitId>>);

impl Paths {
    fn of(&mut self, tx: &mut dyn Tx, unit: UnitId) -> Result<&[UnitId]> {
        Ok(match self.0.entry(unit) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(path_of(tx, unit)?),
        })
    }
}

/// A need as `actor` sees it: its place's coordinates to about 100 m unless the actor oversees
/// its committee (a need's place must never pinpoint a door).
pub(super) fn need_view(actor: &Actor, committee_path: &[UnitId], mut n: Need) -> Need {
    if !oversees(actor, committee_path) {
        n.location = n.location.map(GeoPoint::coarse);
    }
    n
}

/// A need near a point, with its distance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct NearNeed {
    /// The need, as the reader may see it.
    pub need: Need,
    /// Its distance from the point, in metres: to the nearest 100 m unless the reader
    /// oversees the committee (measured from the place as they see it).
    pub metres: u32,
}

pub(super) fn member_view(tx: &mut dyn Tx, actor: &Actor, m: Member) -> Result<Member> {
    let path = match m.committee {
        Some(c) => path_of(tx, c)?,
        None => Vec::new(),
    };
    let full = privacy::sees_member(actor, &m, &path);
    Ok(privacy::member_for(&m, full))
}

fn require_oversees(actor: &Actor, path: &[UnitId], what: &str) -> Result<()> {
    if oversees(actor, path) {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "a {} may not read {what} here",
            actor.kind_str().replace('_', " ")
        )))
    }
}

fn may_read_work_unit(actor: &Actor, w: WorkUnitId) -> Result<()> {
    if matches!(actor, Actor::System | Actor::DistrictAdmin { .. })
        || is(actor, &Principal::Secretary(w))
    {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "a {} may not read this work unit's members",
            actor.kind_str().replace('_', " ")
        )))
    }
}

impl Hub {
    /// The page size a read asked for: 0 means 50; more than
    /// [`HubConfig::max_page`](super::HubConfig::max_page) is refused (never silently cut, so a
    /// caller cannot mistake a short page for the end).
    fn page_limit(&self, limit: u32) -> Result<u32> {
        if limit == 0 {
            Ok(50)
        } else if limit > self.config.max_page {
            Err(Error::invalid(
                "limit",
                format!("at most {}", self.config.max_page),
            ))
        } else {
            Ok(limit)
        }
    }

    // ------------------------------------------------------------ structure

    /// One unit (public).
    pub fn unit(&self, _actor: &Actor, id: UnitId) -> Result<Unit> {
        self.read(|tx| get(tx, &id))
    }

    /// Units: the children of `parent`, and/or those of one level (public).
    pub fn units(
        &self,
        _actor: &Actor,
        parent: Option<UnitId>,
        kind: Option<UnitKind>,
    ) -> Result<Vec<Unit>> {
        self.read(|tx| all(tx, &Query::Units { parent, kind }))
    }

    /// All work units (public).
    pub fn work_units(&self, _actor: &Actor) -> Result<Vec<WorkUnit>> {
        self.read(|tx| all(tx, &Query::WorkUnits))
    }

    /// All organisations; contacts masked for members and other organisations.
    pub fn organisations(&self, actor: &Actor) -> Result<Vec<Organisation>> {
        let v: Vec<Organisation> = self.read(|tx| all(tx, &Query::Organisations))?;
        Ok(v.iter()
            .map(|o| privacy::organisation_for(actor, o))
            .collect())
    }

    /// The needs taxonomy (public).
    pub fn categories(&self) -> Result<Vec<Category>> {
        self.read(|tx| all(tx, &Query::Categories))
    }

    // ------------------------------------------------------------ members

    /// One member (anyone; phone and ID number masked unless entitled).
    pub fn member(&self, actor: &Actor, id: MemberId) -> Result<Member> {
        self.read(|tx| {
            let m = get::<Member>(tx, &id)?;
            member_view(tx, actor, m)
        })
    }

    /// Members of a unit's committees or of a work unit, optionally only some statuses.
    pub fn members(
        &self,
        actor: &Actor,
        scope: MemberScope,
        statuses: &[MemberStatus],
    ) -> Result<Vec<Member>> {
        self.read(|tx| {
            let filter = match scope {
                MemberScope::Unit(u) => {
                    let path = path_of(tx, u)?;
                    require_oversees(actor, &path, "members")?;
                    MemberFilter {
                        unit: Some(u),
                        statuses: statuses.to_vec(),
                        ..Default::default()
                    }
                }
                MemberScope::WorkUnit(w) => {
                    get::<WorkUnit>(tx, &w)?;
                    may_read_work_unit(actor, w)?;
                    MemberFilter {
                        work_unit: Some(w),
                        statuses: statuses.to_vec(),
                        ..Default::default()
                    }
                }
            };
            let ms: Vec<Member> = all(tx, &Query::Members(filter))?;
            ms.into_iter().map(|m| member_view(tx, actor, m)).collect()
        })
    }

    /// Households (户) at committees in a unit's subtree (those who oversee it); a resident's
    /// `household` names one.
    pub fn households(&self, actor: &Actor, unit: UnitId) -> Result<Vec<Household>> {
        self.read(|tx| {
            let path = path_of(tx, unit)?;
            require_oversees(actor, &path, "households")?;
            all(tx, &Query::Households { unit: Some(unit) })
        })
    }

    /// Accepted members of a unit's committees who declared a skill containing `skill`
    /// (ASCII letters folded, as the library's search folds them): whom staff match a need
    /// to before offering it (派单). Those who oversee the unit.
    pub fn members_with_skill(
        &self,
        actor: &Actor,
        unit: UnitId,
        skill: &str,
    ) -> Result<Vec<Member>> {
        validate::filter_text("skill", Some(skill))?;
        let want = crate::store::fold_text(skill.trim());
        if want.is_empty() {
            return Err(Error::invalid("skill", "must not be empty"));
        }
        let ms = self.members(actor, MemberScope::Unit(unit), &[MemberStatus::Accepted])?;
        Ok(ms
            .into_iter()
            .filter(|m| {
                m.skills
                    .iter()
                    .any(|s| crate::store::fold_text(s).contains(&want))
            })
            .collect())
    }

    /// Offers of needs (派单) the filter selects that the actor may know of (whoever may
    /// know of the need), in id order.
    pub fn offers(&self, actor: &Actor, filter: &OfferFilter) -> Result<Vec<Offer>> {
        self.read(|tx| {
            let all_: Vec<Offer> = all(tx, &Query::Offers(filter.clone()))?;
            let mut out = Vec::with_capacity(all_.len());
            for o in all_ {
                if let Some(Record::Offer(v)) = record_view(tx, actor, Record::Offer(o))? {
                    out.push(v);
                }
            }
            Ok(out)
        })
    }

    /// Accepted members of a committee who are in none of its teams yet.
    pub fn members_without_team(&self, actor: &Actor, committee: UnitId) -> Result<Vec<Member>> {
        self.read(|tx| {
            let path = path_of(tx, committee)?;
            require_oversees(actor, &path, "members")?;
            let teams: Vec<Team> = all(
                tx,
                &Query::Teams(TeamFilter {
                    unit: Some(committee),
                    ..Default::default()
                }),
            )?;
            let ms: Vec<Member> = all(
                tx,
                &Query::Members(MemberFilter {
                    unit: Some(committee),
                    statuses: vec![MemberStatus::Accepted],
                    ..Default::default()
                }),
            )?;
            ms.into_iter()
                .filter(|m| m.committee == Some(committee))
                .filter(|m| !teams.iter().any(|t| t.members.contains(&m.id)))
                .map(|m| member_view(tx, actor, m))
                .collect()
        })
    }

    /// A work unit's certificates and where each stands (its secretary, district admins).
    pub fn certificates(
        &self,
        actor: &Actor,
        work_unit: WorkUnitId,
    ) -> Result<Vec<CertificateRow>> {
        let now = self.now();
        let ms = self.members(actor, MemberScope::WorkUnit(work_unit), &[])?;
        Ok(ms
            .into_iter()
            .map(|m| CertificateRow {
                member: m.id,
                state: m.certificate_state(now),
                name: m.name,
                number: m.certificate.number,
                issued_at: m.certificate.issued_at,
                deadline: m.certificate.deadline,
                committee: m.committee,
            })
            .collect())
    }

    /// A work unit's ledger: the committees' feedback on its members' reports.
    pub fn ledger(&self, actor: &Actor, work_unit: WorkUnitId) -> Result<Vec<LedgerEntry>> {
        self.read(|tx| {
            get::<WorkUnit>(tx, &work_unit)?;
            may_read_work_unit(actor, work_unit)?;
            all(
                tx,
                &Query::Ledger {
                    work_unit: Some(work_unit),
                    member: None,
                },
            )
        })
    }

    // ------------------------------------------------------------ residents

    /// One resident, in full for its committee and whoever is doing one of its needs,
    /// masked for everyone else.
    pub fn resident(&self, actor: &Actor, id: ResidentId) -> Result<Resident> {
        self.read(|tx| {
            let r = get::<Resident>(tx, &id)?;
            resident_view(tx, actor, r)
        })
    }

    /// Residents held by committees in a unit's subtree (staff: in full; district admins:
    /// masked).
    pub fn residents(&self, actor: &Actor, unit: UnitId) -> Result<Vec<Resident>> {
        self.read(|tx| {
            let path = path_of(tx, unit)?;
            require_oversees(actor, &path, "residents")?;
            let rs: Vec<Resident> = all(tx, &Query::Residents { unit: Some(unit) })?;
            rs.into_iter()
                .map(|r| resident_view(tx, actor, r))
                .collect()
        })
    }

    // ------------------------------------------------------------ needs and claims

    /// One need; drafts and other non-public needs only for those who oversee the committee
    /// and the member who drafted it (others get `NotFound`).
    pub fn need(&self, actor: &Actor, id: NeedId) -> Result<Need> {
        self.read(|tx| {
            let n = get::<Need>(tx, &id)?;
            let path = path_of(tx, n.committee)?;
            if visibility::sees_need(actor, &n, &path) {
                Ok(need_view(actor, &path, n))
            } else {
                Err(Error::not_found("need", id))
            }
        })
    }

    /// The project library: needs matching `q`, one page in stable order.
    pub fn library(&self, actor: &Actor, q: &NeedQuery) -> Result<NeedPage> {
        let limit = self.page_limit(q.limit)?;
        self.read(|tx| {
            let Some(filter) = library_filter(tx, actor, q)? else {
                return Ok(NeedPage {
                    needs: Vec::new(),
                    next: None,
                });
            };
            let page = Page {
                after: q.after.map(|a| a.0),
                limit: Some(limit + 1),
            };
            let mut needs: Vec<Need> = tx.select(&Query::Needs(filter), &page)?;
            let next = if needs.len() > limit as usize {
                needs.truncate(limit as usize);
                needs.last().map(|n| n.id)
            } else {
                None
            };
            let mut paths = Paths::default();
            let mut shown = Vec::with_capacity(needs.len());
            for n in needs {
                if n.location.is_none() {
                    shown.push(n);
                    continue;
                }
                let path = paths.of(tx, n.committee)?;
                shown.push(need_view(actor, path, n));
            }
            Ok(NeedPage { needs: shown, next })
        })
    }

    /// One claim (public: claimed work is shown to all).
    pub fn claim(&self, _actor: &Actor, id: ClaimId) -> Result<Claim> {
        self.read(|tx| get(tx, &id))
    }

    /// Claims matching `filter` (public), in creation order.
    pub fn claims(&self, _actor: &Actor, filter: &ClaimFilter) -> Result<Vec<Claim>> {
        let mut filter = filter.clone();
        filter.promised_before = filter.promised_before.map(validate::filter_time);
        self.read(|tx| all(tx, &Query::Claims(filter)))
    }

    /// Claims held by one claimant (a member, team or organisation).
    pub fn claims_of(&self, actor: &Actor, claimant: Claimant) -> Result<Vec<Claim>> {
        self.claims(
            actor,
            &ClaimFilter {
                claimant: Some(claimant),
                ..Default::default()
            },
        )
    }

    // ------------------------------------------------------------ teams, activities, hours

    /// One team (public).
    pub fn team(&self, _actor: &Actor, id: TeamId) -> Result<Team> {
        self.read(|tx| get(tx, &id))
    }

    /// Teams matching `filter` (public).
    pub fn teams(&self, _actor: &Actor, filter: &TeamFilter) -> Result<Vec<Team>> {
        self.read(|tx| all(tx, &Query::Teams(filter.clone())))
    }

    /// Activities matching `filter` (public), paginated by id.
    pub fn activities(
        &self,
        _actor: &Actor,
        filter: &ActivityFilter,
        page: Page,
    ) -> Result<Vec<Activity>> {
        let page = Page {
            after: page.after,
            limit: Some(self.page_limit(page.limit.unwrap_or(0))?),
        };
        let mut filter = filter.clone();
        filter.from = filter.from.map(validate::filter_time);
        filter.to = filter.to.map(validate::filter_time);
        self.read(|tx| Ok(tx.select(&Query::Activities(filter), &page)?))
    }

    /// A member's logged hours (the member, their work unit's secretary, those who oversee
    /// their committee).
    pub fn hours_of(&self, actor: &Actor, member: MemberId) -> Result<Vec<Hours>> {
        self.read(|tx| {
            let m = get::<Member>(tx, &member)?;
            let path = match m.committee {
                Some(c) => path_of(tx, c)?,
                None => Vec::new(),
            };
            if !privacy::sees_member(actor, &m, &path) {
                return Err(Error::forbidden(
                    "only the member, their work unit and their committee read their hours",
                ));
            }
            all(
                tx,
                &Query::Hours {
                    member: Some(member),
                    unit: None,
                    status: None,
                },
            )
        })
    }

    /// Hours logged at committees in a unit's subtree, optionally of one status (for staff
    /// deciding pending hours).
    pub fn hours_at(
        &self,
        actor: &Actor,
        unit: UnitId,
        status: Option<HoursStatus>,
    ) -> Result<Vec<Hours>> {
        self.read(|tx| {
            let path = path_of(tx, unit)?;
            require_oversees(actor, &path, "hours")?;
            all(
                tx,
                &Query::Hours {
                    member: None,
                    unit: Some(unit),
                    status,
                },
            )
        })
    }

    /// Three-heads roles at committees in a unit's subtree (public).
    pub fn roles(&self, _actor: &Actor, unit: UnitId, current_only: bool) -> Result<Vec<Role>> {
        self.read(|tx| {
            all(
                tx,
                &Query::Roles {
                    unit: Some(unit),
                    member: None,
                    current_only,
                },
            )
        })
    }

    /// Pairings at committees in a unit's subtree (those who oversee it).
    pub fn pairings(
        &self,
        actor: &Actor,
        unit: UnitId,
        current_only: bool,
    ) -> Result<Vec<Pairing>> {
        self.read(|tx| {
            let path = path_of(tx, unit)?;
            require_oversees(actor, &path, "pairings")?;
            all(
                tx,
                &Query::Pairings {
                    unit: Some(unit),
                    member: None,
                    resident: None,
                    current_only,
                },
            )
        })
    }

    /// Needs of a committee (or a unit's subtree) within `within_m` metres of `point`, nearest
    /// first, at most `limit` (0: 50): those the actor may see (anyone: the published library;
    /// staff: every need of their committees). Those who do not oversee the committee see each
    /// place to about 100 m and distances to the nearest 100 m, measured from that coarse
    /// place, and may not ask within less than 200 m — so the answer never pinpoints a door.
    pub fn needs_near(
        &self,
        actor: &Actor,
        unit: UnitId,
        point: GeoPoint,
        within_m: u32,
        limit: u32,
    ) -> Result<Vec<NearNeed>> {
        validate::point("point", &Some(point))?;
        if within_m == 0 || within_m > 50_000 {
            return Err(Error::invalid("within_m", "must be 1 to 50000 metres"));
        }
        let limit = self.page_limit(limit)? as usize;
        self.read(|tx| {
            let path = path_of(tx, unit)?;
            let staff = oversees(actor, &path);
            if !staff && within_m < 200 {
                return Err(Error::invalid(
                    "within_m",
                    "must be at least 200 metres for those who do not oversee the committee",
                ));
            }
            let statuses = if staff { Vec::new() } else { public_statuses() };
            let needs: Vec<Need> = all(
                tx,
                &Query::Needs(NeedFilter {
                    unit: Some(unit),
                    statuses,
                    ..Default::default()
                }),
            )?;
            let mut paths = Paths::default();
            let mut out = Vec::new();
            for n in needs.into_iter().filter(|n| n.location.is_some()) {
                let p = paths.of(tx, n.committee)?;
                if !visibility::sees_need(actor, &n, p) {
                    continue;
                }
                let full = oversees(actor, p);
                let n = need_view(actor, p, n);
                let Some(at) = n.location else { continue };
                let d = at.metres_to(point);
                if d > f64::from(within_m) {
                    continue;
                }
                let metres = if full {
                    d.round() as u32
                } else {
                    ((d / 100.0).round() * 100.0) as u32
                };
                out.push(NearNeed { need: n, metres });
            }
            out.sort_by_key(|x| (x.metres, x.need.id));
            out.truncate(limit);
            Ok(out)
        })
    }

    /// A pairing's visit log (走访记录): the hours its member logged as visits of it, in the
    /// order they were served (whatever their status: pending visits show until decided).
    /// Those who oversee the pairing's committee and the paired member read it; to anyone
    /// else the pairing does not exist.
    pub fn visits(&self, actor: &Actor, pairing: PairingId) -> Result<Vec<Hours>> {
        self.read(|tx| {
            let p = get::<Pairing>(tx, &pairing)?;
            let path = path_of(tx, p.committee)?;
            let own = matches!(actor, Actor::Member { member } if *member == p.member);
            if !(own || visibility::sees_pairing(actor, &path)) {
                return Err(Error::not_found(Pairing::KIND.name(), pairing));
            }
            let mut log: Vec<Hours> = all(
                tx,
                &Query::Hours {
                    member: Some(p.member),
                    unit: None,
                    status: None,
                },
            )?;
            log.retain(|h| h.pairing == Some(pairing));
            log.sort_by_key(|h| (h.served_at, h.id));
            Ok(log)
        })
    }

    // ------------------------------------------------------------ events

    /// The audit trail: events with `seq > after`, at most `limit` (0 means 50; more than
    /// [`HubConfig::max_page`](super::HubConfig::max_page) is refused, naming `limit`).
    ///
    /// The system reads every event in full. A district admin reads its district's events and
    /// those outside the residence tree (work units, certificates, taxonomy); committee staff
    /// read the events of their unit's subtree. Personal data in an event's records and
    /// command is shown exactly as a direct read would show it to that actor. Others may not
    /// read the log. Filtering leaves gaps in `seq`;
    /// pass the last `seq` seen as `after` to continue.
    pub fn events_since(&self, actor: &Actor, after: u64, limit: u32) -> Result<Vec<Event>> {
        let limit = self.page_limit(limit)?;
        self.read(|tx| {
            let scope = match actor {
                Actor::System => None,
                Actor::DistrictAdmin { district } => Some(*district),
                Actor::CommitteeStaff { unit } => Some(*unit),
                _ => {
                    return Err(Error::forbidden(format!(
                        "a {} may not read the event log",
                        actor.kind_str().replace('_', " ")
                    )))
                }
            };
            let mut out = Vec::new();
            let mut cursor = after;
            while out.len() < limit as usize {
                let batch = tx.events_since(cursor, limit)?;
                let Some(last) = batch.last() else { break };
                cursor = last.seq;
                for e in batch {
                    let keep = match (scope, e.committee) {
                        (None, _) => true,
                        (Some(s), Some(c)) => get::<Unit>(tx, &c)?.is_within(s),
                        // Events outside the residence tree (work units, certificates,
                        // taxonomy) are for admins and the system.
                        (Some(_), None) => matches!(actor, Actor::DistrictAdmin { .. }),
                    };
                    if keep && out.len() < limit as usize {
                        out.push(event_view(tx, actor, e)?);
                    }
                }
            }
            Ok(out)
        })
    }
}

/// An event as `actor` may see it: every record in its changes through the same view as a
/// direct read, and the personal fields of its command masked unless the actor is entitled.
fn event_view(tx: &mut dyn Tx, actor: &Actor, mut e: Event) -> Result<Event> {
    if matches!(actor, Actor::System) {
        return Ok(e);
    }
    let changes = std::mem::take(&mut e.changes);
    for r in changes {
        e.changes.push(match r {
            // Residents' personal data is withheld from the log (rules::audit); a record
            // that still carries it (a log restored from an older version) is masked.
            Record::Resident(x) if x.masked && x.name.is_empty() => Record::Resident(x),
            Record::Resident(x) => Record::Resident(resident_view(tx, actor, x)?),
            Record::Member(x) => Record::Member(member_view(tx, actor, x)?),
            Record::Organisation(x) => Record::Organisation(privacy::organisation_for(actor, &x)),
            other => other,
        });
    }
    let staff_over = |tx: &mut dyn Tx, c: UnitId| -> Result<bool> {
        Ok(crate::rules::authz::is_staff_over(actor, &path_of(tx, c)?))
    };
    let entitled = match &e.command {
        Command::RegisterResident(c) => staff_over(tx, c.committee)?,
        Command::UpdateResident(c) => {
            let committee = get::<Resident>(tx, &c.resident)?.committee;
            staff_over(tx, committee)?
        }
        // Before a member reports, only their work unit and the system see their data.
        Command::IssueCertificate(c) => is(actor, &Principal::Secretary(c.work_unit)),
        Command::RegisterOrganisation(c) => is(actor, &Principal::AdminOver(&[c.district])),
        _ => true,
    };
    if !entitled {
        match &mut e.command {
            Command::RegisterResident(c) => mask_person(
                &mut c.name,
                &mut c.phone,
                &mut c.id_number,
                &mut c.address,
                &c.groups,
            ),
            Command::UpdateResident(c) => mask_person(
                &mut c.name,
                &mut c.phone,
                &mut c.id_number,
                &mut c.address,
                &c.groups,
            ),
            Command::IssueCertificate(c) => {
                c.phone = c.phone.as_deref().map(|p| privacy::mask_phone(p, false));
                c.id_number = c
                    .id_number
                    .as_deref()
                    .map(|p| privacy::mask_id_number(p, false));
            }
            Command::RegisterOrganisation(c) => {
                c.contact_name = privacy::mask_name(&c.contact_name, false);
                c.contact_phone = privacy::mask_phone(&c.contact_phone, false);
            }
            _ => {}
        }
    }
    Ok(e)
}

fn mask_person(
    name: &mut String,
    phone: &mut Option<String>,
    id: &mut Option<String>,
    addr: &mut Option<String>,
    groups: &[ResidentGroup],
) {
    if name.is_empty() {
        // Withheld from the log (rules::audit): nothing to mask.
        return;
    }
    let ch = groups.contains(&ResidentGroup::LeftBehindChild);
    *name = privacy::mask_name(name, ch);
    *phone = phone.as_deref().map(|p| privacy::mask_phone(p, ch));
    *id = id.as_deref().map(|p| privacy::mask_id_number(p, ch));
    *addr = addr.as_deref().map(|p| privacy::mask_address(p, ch));
}

/// A record as `actor` may see it — masked exactly as the Hub's reads mask it — or `None`
/// when the actor may not know of it (sync sends only this to a device; see
/// [`crate::sync`]). Ledger entries are the work units' files and are never handed out here.
#[cfg_attr(not(feature = "sync"), allow(dead_code))]
pub(crate) fn record_view(tx: &mut dyn Tx, actor: &Actor, r: Record) -> Result<Option<Record>> {
    Ok(match r {
        Record::Resident(x) => Some(Record::Resident(resident_view(tx, actor, x)?)),
        Record::Member(x) => Some(Record::Member(member_view(tx, actor, x)?)),
        Record::Organisation(x) => Some(Record::Organisation(privacy::organisation_for(actor, &x))),
        Record::Need(x) => {
            let path = path_of(tx, x.committee)?;
            visibility::sees_need(actor, &x, &path)
                .then(|| Record::Need(need_view(actor, &path, x)))
        }
        Record::Hours(x) => {
            let member = get::<Member>(tx, &x.member)?;
            let member_path = match member.committee {
                Some(c) => path_of(tx, c)?,
                None => Vec::new(),
            };
            let path = path_of(tx, x.committee)?;
            visibility::sees_hours(actor, &member, &member_path, &path).then_some(Record::Hours(x))
        }
        Record::Pairing(x) => {
            let path = path_of(tx, x.committee)?;
            visibility::sees_pairing(actor, &path).then_some(Record::Pairing(x))
        }
        // A certificate and a correction request: the member and those over the committee.
        Record::ServiceCertificate(x) => {
            let path = path_of(tx, x.committee)?;
            (oversees(actor, &path) || is(actor, &Principal::Member(x.member)))
                .then_some(Record::ServiceCertificate(x))
        }
        Record::Correction(x) => {
            let path = path_of(tx, x.committee)?;
            (oversees(actor, &path) || is(actor, &Principal::Member(x.member)))
                .then_some(Record::Correction(x))
        }
        // The working calendar is public.
        Record::CalendarYear(x) => Some(Record::CalendarYear(x)),
        // A household holds no personal data; those over its committee know of it.
        Record::Household(x) => {
            let path = path_of(tx, x.committee)?;
            oversees(actor, &path).then_some(Record::Household(x))
        }
        // An offer tells of its need: whoever may know of the need may know of its offers.
        // Why it was offered and why declined are for the committee and the offered party.
        Record::Offer(mut x) => {
            let need = get::<Need>(tx, &x.need)?;
            let path = path_of(tx, x.committee)?;
            if !visibility::sees_need(actor, &need, &path) {
                return Ok(None);
            }
            let party = match (actor, x.to) {
                (Actor::Member { member }, Claimant::Member(m)) => *member == m,
                (Actor::Member { member }, Claimant::Team(t)) => {
                    tx.load::<Team>(&t)?.and_then(|t| t.captain) == Some(*member)
                }
                (Actor::OrganisationContact { organisation }, Claimant::Organisation(o)) => {
                    *organisation == o
                }
                _ => false,
            };
            if !(party || oversees(actor, &path)) {
                x.note = None;
                x.reason = None;
            }
            Some(Record::Offer(x))
        }
        Record::LedgerEntry(_) => None,
        other @ (Record::Unit(_)
        | Record::WorkUnit(_)
        | Record::Category(_)
        | Record::Claim(_)
        | Record::Team(_)
        | Record::Activity(_)
        | Record::Role(_)) => Some(other),
    })
}

//! One handler per command: authorize → load → rules → write. The caller (`Hub::execute`)
//! owns the transaction, appends the event and commits.

use super::{Ctx, Fail};
use crate::command::*;
use crate::error::Error;
use crate::model::*;
use crate::rules::authz::{claimant_principal, Principal};
use crate::rules::lifecycle::{claim_next, need_next, ClaimStep, NeedStep};
use crate::rules::visibility;
use crate::store::{ClaimFilter, NeedFilter, OfferFilter, Query, Record};
use chrono::{DateTime, Utc};

type Outcome<T> = Result<T, Fail>;

pub(super) fn run(ctx: &mut Ctx<'_>, cmd: &Command) -> Outcome<Record> {
    Ok(match cmd {
        Command::CreateUnit(c) => create_unit(ctx, c)?.into_record(),
        Command::RegisterWorkUnit(c) => register_work_unit(ctx, c)?.into_record(),
        Command::RegisterOrganisation(c) => register_organisation(ctx, c)?.into_record(),
        Command::DefineCategory(c) => define_category(ctx, c)?.into_record(),
        Command::IssueCertificate(c) => issue_certificate(ctx, c)?.into_record(),
        Command::ReissueCertificate(c) => reissue_certificate(ctx, c)?.into_record(),
        Command::ReportMember(c) => report_member(ctx, c)?.into_record(),
        Command::AcceptReport(c) => {
            decide_report(ctx, c.member, None, c.note.clone())?.into_record()
        }
        Command::ReturnReport(c) => {
            decide_report(ctx, c.member, Some(c.reason.clone()), None)?.into_record()
        }
        Command::RegisterResident(c) => register_resident(ctx, c)?.into_record(),
        Command::UpdateResident(c) => update_resident(ctx, c)?.into_record(),
        Command::EraseResident(c) => erase_resident(ctx, c)?.into_record(),
        Command::DraftNeed(c) => draft_need(ctx, c)?.into_record(),
        Command::SubmitNeed(c) => submit_need(ctx, c)?.into_record(),
        Command::PublishNeed(c) => {
            staff_need_step(ctx, c.need, NeedStep::Publish, None)?.into_record()
        }
        Command::RejectNeed(c) => {
            staff_need_step(ctx, c.need, NeedStep::Reject, Some(c.reason.clone()))?.into_record()
        }
        Command::WithdrawNeed(c) => {
            staff_need_step(ctx, c.need, NeedStep::Withdraw, Some(c.reason.clone()))?.into_record()
        }
        Command::ExpireNeed(c) => expire_need(ctx, c)?.into_record(),
        Command::RecordFeedback(c) => record_feedback(ctx, c)?.into_record(),
        Command::ClaimNeed(c) => claim_need(ctx, c)?.into_record(),
        Command::StartWork(c) => start_work(ctx, c)?.into_record(),
        Command::ExtendClaim(c) => extend_claim(ctx, c)?.into_record(),
        Command::ReleaseClaim(c) => release_claim(ctx, c)?.into_record(),
        Command::CompleteClaim(c) => complete_claim(ctx, c)?.into_record(),
        Command::VerifyClaim(c) => verify_claim(ctx, c)?.into_record(),
        Command::SendBackClaim(c) => send_back_claim(ctx, c)?.into_record(),
        Command::WarnClaimDue(c) => warn_claim_due(ctx, c)?.into_record(),
        Command::LapseClaim(c) => lapse_claim(ctx, c)?.into_record(),
        Command::FormTeam(c) => form_team(ctx, c)?.into_record(),
        Command::AppointCaptain(c) => appoint_captain(ctx, c)?.into_record(),
        Command::JoinTeam(c) => join_team(ctx, c)?.into_record(),
        Command::LeaveTeam(c) => leave_team(ctx, c)?.into_record(),
        Command::LogHours(c) => log_hours(ctx, c)?.into_record(),
        Command::ApproveHours(c) => decide_hours(ctx, c.hours, None)?.into_record(),
        Command::RejectHours(c) => {
            decide_hours(ctx, c.hours, Some(c.reason.clone()))?.into_record()
        }
        Command::RecordActivity(c) => record_activity(ctx, c)?.into_record(),
        Command::AssignRole(c) => assign_role(ctx, c)?.into_record(),
        Command::EndRole(c) => end_role(ctx, c)?.into_record(),
        Command::StartPairing(c) => start_pairing(ctx, c)?.into_record(),
        Command::EndPairing(c) => end_pairing(ctx, c)?.into_record(),
        Command::RegisterHousehold(c) => register_household(ctx, c)?.into_record(),
        Command::SetHousehold(c) => set_household(ctx, c)?.into_record(),
        Command::OfferNeed(c) => offer_need(ctx, c)?.into_record(),
        Command::AcceptOffer(c) => accept_offer(ctx, c)?.into_record(),
        Command::DeclineOffer(c) => decline_offer(ctx, c)?.into_record(),
        Command::LapseOffer(c) => lapse_offer(ctx, c)?.into_record(),
        Command::NextOccurrence(c) => next_occurrence(ctx, c)?.into_record(),
        Command::IssueServiceCertificate(c) => issue_service_certificate(ctx, c)?.into_record(),
        Command::RequestCorrection(c) => request_correction(ctx, c)?.into_record(),
        Command::AnswerCorrection(c) => answer_correction(ctx, c)?.into_record(),
        Command::SetWorkingCalendar(c) => set_working_calendar(ctx, c)?.into_record(),
    })
}

use crate::store::Entity;

fn in_future(ctx: &Ctx<'_>, field: &str, t: DateTime<Utc>) -> Outcome<()> {
    if t <= ctx.now {
        return Err(Error::invalid(field, "must be in the future").into());
    }
    Ok(())
}

/// Loads a need the actor may know of. A need the actor may not see is `NotFound`, exactly
/// like an id that does not exist (decided before authorization and state, so neither can
/// reveal it). A public need is visible to all, so its committee's path is read only for the
/// others (a claim, the hot path, reads no unit).
fn visible_need(ctx: &mut Ctx<'_>, id: NeedId) -> Outcome<Need> {
    let n: Need = ctx.load(&id)?;
    if !n.status.is_public() {
        let path = ctx.path(n.committee)?;
        if !visibility::sees_need(&ctx.actor, &n, &path) {
            return Err(Error::not_found(Need::KIND.name(), id).into());
        }
    }
    Ok(n)
}

fn not_in_future(ctx: &Ctx<'_>, field: &str, t: DateTime<Utc>) -> Outcome<()> {
    if t > ctx.now {
        return Err(Error::invalid(field, "must not be in the future").into());
    }
    Ok(())
}

// ---------------------------------------------------------------- structure

fn create_unit(ctx: &mut Ctx<'_>, c: &CreateUnit) -> Outcome<Unit> {
    let id = UnitId(ctx.new_id(Kind::Unit)?);
    let (path, parent) = match c.parent {
        None => {
            ctx.require(&[], "create a district")?;
            if c.kind != UnitKind::District {
                return Err(Error::invalid("parent", "only a district has no parent").into());
            }
            (vec![id], None)
        }
        Some(p) => {
            let parent: Unit = ctx.load(&p)?;
            ctx.require(&[Principal::AdminOver(&parent.path)], "create units here")?;
            if c.kind.parent_kind() != Some(parent.kind) {
                return Err(Error::invalid(
                    "parent",
                    format!(
                        "a {} must be under a {}",
                        c.kind,
                        c.kind
                            .parent_kind()
                            .map_or("nothing".into(), |k| k.to_string())
                    ),
                )
                .into());
            }
            let mut path = parent.path.clone();
            path.push(id);
            (path, Some(p))
        }
    };
    let siblings: Vec<Unit> = ctx.select(&Query::Units {
        parent,
        kind: Some(c.kind),
    })?;
    if siblings
        .iter()
        .any(|u| u.name == c.name && u.parent == parent)
    {
        return Err(
            Error::conflict("a unit with this name already exists under the parent").into(),
        );
    }
    let unit = Unit {
        id,
        kind: c.kind,
        name: c.name.clone(),
        parent,
        path,
        created_at: ctx.now,
    };
    ctx.scope(id);
    ctx.put(unit)
}

fn register_work_unit(ctx: &mut Ctx<'_>, c: &RegisterWorkUnit) -> Outcome<WorkUnit> {
    ctx.require(&[Principal::AnyAdmin], "register work units")?;
    let new_id = WorkUnitId(ctx.new_id(Kind::WorkUnit)?);
    ctx.put(WorkUnit {
        id: new_id,
        name: c.name.clone(),
        party_organisation: c.party_organisation.clone(),
        created_at: ctx.now,
    })
}

fn register_organisation(ctx: &mut Ctx<'_>, c: &RegisterOrganisation) -> Outcome<Organisation> {
    let district: Unit = ctx.load(&c.district)?;
    ctx.require(
        &[Principal::AdminOver(&district.path)],
        "register organisations",
    )?;
    if district.kind != UnitKind::District {
        return Err(Error::invalid("district", "is not a district").into());
    }
    ctx.scope(c.district);
    let new_id = OrganisationId(ctx.new_id(Kind::Organisation)?);
    ctx.put(Organisation {
        id: new_id,
        name: c.name.clone(),
        kind: c.kind,
        contact_name: c.contact_name.clone(),
        contact_phone: c.contact_phone.clone(),
        district: c.district,
        tally: Tally::default(),
        created_at: ctx.now,
    })
}

fn define_category(ctx: &mut Ctx<'_>, c: &DefineCategory) -> Outcome<Category> {
    match (&c.parent, c.committee) {
        // The district's taxonomy: its admin keeps the top level.
        (None, None) => ctx.require(&[Principal::AnyAdmin], "define categories")?,
        // A committee's own category under a top-level one.
        (Some(_), Some(committee)) => {
            let unit: Unit = ctx.load(&committee)?;
            if unit.kind != UnitKind::Committee {
                return Err(Error::invalid("committee", "must be a residents' committee").into());
            }
            ctx.require(
                &[
                    Principal::StaffOver(&unit.path),
                    Principal::AdminOver(&unit.path),
                ],
                "define categories for this committee",
            )?;
        }
        (None, Some(_)) => {
            return Err(Error::invalid("parent", "is required with committee").into());
        }
        (Some(_), None) => {
            return Err(Error::invalid("committee", "is required with parent").into());
        }
    }
    let all: Vec<Category> = ctx.select(&Query::Categories)?;
    if let Some(parent) = &c.parent {
        if !all.iter().any(|k| &k.code == parent && k.parent.is_none()) {
            return Err(Error::invalid("parent", "must be a top-level category code").into());
        }
    }
    if all.iter().any(|k| k.code == c.code) {
        return Err(Error::conflict("a category with this code already exists").into());
    }
    let new_id = CategoryId(ctx.new_id(Kind::Category)?);
    ctx.put(Category {
        id: new_id,
        code: c.code.clone(),
        name_zh: c.name_zh.clone(),
        name_en: c.name_en.clone(),
        parent: c.parent.clone(),
        committee: c.committee,
    })
}

// ---------------------------------------------------------------- members

fn issue_certificate(ctx: &mut Ctx<'_>, c: &IssueCertificate) -> Outcome<Member> {
    let _: WorkUnit = ctx.load(&c.work_unit)?;
    ctx.require(
        &[Principal::Secretary(c.work_unit)],
        "issue certificates of this work unit",
    )?;
    in_future(ctx, "deadline", c.deadline)?;
    let new_id = MemberId(ctx.new_id(Kind::Member)?);
    ctx.put(Member {
        id: new_id,
        work_unit: c.work_unit,
        name: c.name.clone(),
        phone: c.phone.clone(),
        id_number: c.id_number.clone(),
        skills: Vec::new(),
        certificate: Certificate {
            number: c.number.clone(),
            issued_at: ctx.now,
            deadline: c.deadline,
        },
        status: MemberStatus::Certified,
        committee: None,
        reported_at: None,
        commitment: None,
        decided_at: None,
        return_reason: None,
        tally: Tally::default(),
        approved_minutes: 0,
    })
}

fn reissue_certificate(ctx: &mut Ctx<'_>, c: &ReissueCertificate) -> Outcome<Member> {
    let mut m: Member = ctx.load(&c.member)?;
    ctx.require(
        &[Principal::Secretary(m.work_unit)],
        "reissue certificates of this work unit",
    )?;
    let state = m.certificate_state(ctx.now);
    if !matches!(
        state,
        CertificateState::Overdue | CertificateState::Returned
    ) {
        return Err(Error::illegal("certificate", state, "reissue").into());
    }
    in_future(ctx, "deadline", c.deadline)?;
    m.certificate = Certificate {
        number: c.number.clone(),
        issued_at: ctx.now,
        deadline: c.deadline,
    };
    m.status = MemberStatus::Certified;
    m.committee = None;
    m.reported_at = None;
    m.commitment = None;
    m.decided_at = None;
    ctx.put(m)
}

fn report_member(ctx: &mut Ctx<'_>, c: &ReportMember) -> Outcome<Member> {
    let mut m: Member = ctx.load(&c.member)?;
    let committee = ctx.committee(c.committee, "committee")?;
    ctx.require(
        &[
            Principal::Member(m.id),
            Principal::StaffOver(&committee.path),
        ],
        "report this member",
    )?;
    let state = m.certificate_state(ctx.now);
    if !matches!(state, CertificateState::Issued | CertificateState::Returned) {
        return Err(Error::illegal("certificate", state, "report").into());
    }
    if ctx.now > m.certificate.deadline {
        return Err(Error::illegal("certificate", CertificateState::Overdue, "report").into());
    }
    ctx.scope(committee.id);
    m.status = MemberStatus::Reported;
    m.committee = Some(committee.id);
    m.reported_at = Some(ctx.now);
    m.commitment = Some(Commitment {
        text: c.commitment.clone(),
        signed_at: ctx.now,
    });
    m.skills = c.skills.clone();
    m.decided_at = None;
    m.return_reason = None;
    ctx.put(m)
}

fn decide_report(
    ctx: &mut Ctx<'_>,
    member: MemberId,
    returned: Option<String>,
    note: Option<String>,
) -> Outcome<Member> {
    let mut m: Member = ctx.load(&member)?;
    // A member who has not reported has no committee whose staff could decide: only the
    // system gets past the check (and then learns the state).
    let path = match m.committee {
        Some(c) => ctx.path(c)?,
        None => Vec::new(),
    };
    ctx.require(
        &[Principal::StaffOver(&path)],
        "decide on reports to this committee",
    )?;
    let committee = match (m.status, m.committee) {
        (MemberStatus::Reported, Some(c)) => c,
        _ => return Err(Error::illegal("member", m.status, "decide on a report").into()),
    };
    ctx.scope(committee);
    let kind = if returned.is_some() {
        m.status = MemberStatus::Returned;
        LedgerKind::Returned
    } else {
        m.status = MemberStatus::Accepted;
        LedgerKind::Accepted
    };
    m.decided_at = Some(ctx.now);
    m.return_reason = returned.clone();
    ctx.put(LedgerEntry {
        id: LedgerEntryId::new(),
        work_unit: m.work_unit,
        member: m.id,
        committee,
        kind,
        note: returned.or(note),
        at: ctx.now,
    })?;
    ctx.put(m)
}

// ---------------------------------------------------------------- residents

fn check_grid(ctx: &mut Ctx<'_>, grid: Option<UnitId>, committee: UnitId) -> Outcome<()> {
    if let Some(g) = grid {
        let gu: Unit = ctx.load(&g)?;
        if gu.kind != UnitKind::Grid || gu.parent != Some(committee) {
            return Err(Error::invalid("grid", "is not a grid of the committee").into());
        }
    }
    Ok(())
}

fn register_resident(ctx: &mut Ctx<'_>, c: &RegisterResident) -> Outcome<Resident> {
    let committee = ctx.committee(c.committee, "committee")?;
    ctx.require(
        &[Principal::StaffOver(&committee.path)],
        "register residents here",
    )?;
    check_grid(ctx, c.grid, c.committee)?;
    check_household(ctx, c.household, c.committee)?;
    ctx.scope(c.committee);
    let new_id = ResidentId(ctx.new_id(Kind::Resident)?);
    ctx.put(Resident {
        id: new_id,
        committee: c.committee,
        grid: c.grid,
        name: c.name.clone(),
        phone: c.phone.clone(),
        id_number: c.id_number.clone(),
        address: c.address.clone(),
        groups: c.groups.clone(),
        created_at: ctx.now,
        masked: false,
        erased_at: None,
        household: c.household,
    })
}

/// A household given for a resident must be one of the resident's committee (one error
/// whether it does not exist or is another committee's: a form does not probe).
fn check_household(
    ctx: &mut Ctx<'_>,
    household: Option<HouseholdId>,
    committee: UnitId,
) -> Outcome<()> {
    if let Some(h) = household {
        if ctx
            .tx_load::<Household>(&h)?
            .is_none_or(|x| x.committee != committee)
        {
            return Err(Error::invalid("household", "is not a household of the committee").into());
        }
    }
    Ok(())
}

fn register_household(ctx: &mut Ctx<'_>, c: &RegisterHousehold) -> Outcome<Household> {
    let committee = ctx.committee(c.committee, "committee")?;
    ctx.require(
        &[Principal::StaffOver(&committee.path)],
        "register households here",
    )?;
    check_grid(ctx, c.grid, c.committee)?;
    ctx.scope(c.committee);
    let new_id = HouseholdId(ctx.new_id(Kind::Household)?);
    ctx.put(Household {
        id: new_id,
        committee: c.committee,
        grid: c.grid,
        created_at: ctx.now,
    })
}

fn set_household(ctx: &mut Ctx<'_>, c: &SetHousehold) -> Outcome<Resident> {
    let mut r: Resident = ctx.load(&c.resident)?;
    let path = ctx.path(r.committee)?;
    ctx.require(&[Principal::StaffOver(&path)], "update residents here")?;
    not_erased(&r, "move")?;
    check_household(ctx, c.household, r.committee)?;
    ctx.scope(r.committee);
    r.household = c.household;
    ctx.put(r)
}

/// Refuses to act on an erased resident.
fn not_erased(r: &Resident, action: &str) -> Outcome<()> {
    if r.erased_at.is_some() {
        return Err(Error::illegal("resident", "erased", action).into());
    }
    Ok(())
}

fn erase_resident(ctx: &mut Ctx<'_>, c: &EraseResident) -> Outcome<Resident> {
    let mut r: Resident = ctx.load(&c.resident)?;
    let path = ctx.path(r.committee)?;
    ctx.require(&[Principal::StaffOver(&path)], "erase residents here")?;
    not_erased(&r, "erase")?;
    ctx.scope(r.committee);
    crate::rules::audit::erase(&mut r, ctx.now);
    ctx.put(r)
}

fn update_resident(ctx: &mut Ctx<'_>, c: &UpdateResident) -> Outcome<Resident> {
    let mut r: Resident = ctx.load(&c.resident)?;
    let path = ctx.path(r.committee)?;
    ctx.require(&[Principal::StaffOver(&path)], "update residents here")?;
    not_erased(&r, "update")?;
    ctx.scope(r.committee);
    r.name = c.name.clone();
    r.phone = c.phone.clone();
    r.id_number = c.id_number.clone();
    r.address = c.address.clone();
    r.groups = c.groups.clone();
    ctx.put(r)
}

// ---------------------------------------------------------------- needs

fn draft_need(ctx: &mut Ctx<'_>, c: &DraftNeed) -> Outcome<Need> {
    let committee = ctx.committee(c.committee, "committee")?;
    let mut allowed = vec![Principal::StaffOver(&committee.path)];
    let mut drafted_by = None;
    if let Actor::Member { member } = ctx.actor {
        let m: Member = ctx.load(&member)?;
        if m.is_accepted_at(c.committee) {
            allowed.push(Principal::Member(member));
            drafted_by = Some(member);
        }
    }
    ctx.require(&allowed, "draft needs for this committee")?;
    // Exactly one of resident and institution (checked with the command's shape).
    if let Some(id) = c.resident {
        let resident: Resident = ctx.load(&id)?;
        if resident.committee != c.committee {
            return Err(Error::invalid("resident", "is held by another committee").into());
        }
        not_erased(&resident, "get a need")?;
    }
    for (i, b) in c.beneficiaries.iter().enumerate() {
        let field = format!("beneficiaries[{i}]");
        if Some(*b) == c.resident || c.beneficiaries[..i].contains(b) {
            return Err(Error::invalid(field, "names a beneficiary twice").into());
        }
        match ctx.tx_load::<Resident>(b)? {
            Some(x) if x.committee == c.committee && x.erased_at.is_none() => {}
            _ => {
                return Err(Error::invalid(field, "is not a resident held by the committee").into())
            }
        }
    }
    check_grid(ctx, c.grid, c.committee)?;
    let cats: Vec<Category> = ctx.select(&Query::Categories)?;
    match cats.iter().find(|k| k.code == c.category) {
        None => return Err(Error::invalid("category", "unknown category code").into()),
        Some(k) if k.committee.is_some_and(|own| own != c.committee) => {
            return Err(Error::invalid("category", "is another committee's own category").into())
        }
        Some(_) => {}
    }
    in_future(ctx, "wanted_by", c.wanted_by)?;
    ctx.scope(c.committee);
    let new_id = NeedId(ctx.new_id(Kind::Need)?);
    ctx.put(Need {
        id: new_id,
        committee: c.committee,
        grid: c.grid,
        resident: c.resident,
        institution: c.institution.clone(),
        beneficiaries: c.beneficiaries.clone(),
        recurrence: c.recurrence,
        series: None,
        occurrence: u32::from(c.recurrence.is_some()),
        next_due: None,
        place: c.place.clone(),
        location: c.location,
        title: c.title.clone(),
        description: c.description.clone(),
        category: c.category.clone(),
        channel: c.channel,
        scale: c.scale,
        estimated_cost_fen: c.estimated_cost_fen,
        wanted_by: c.wanted_by,
        status: NeedStatus::Draft,
        live_claim: None,
        claim_count: 0,
        reason: None,
        feedback: None,
        drafted_by,
        created_at: ctx.now,
        published_at: None,
        updated_at: ctx.now,
    })
}

fn submit_need(ctx: &mut Ctx<'_>, c: &SubmitNeed) -> Outcome<Need> {
    let mut n = visible_need(ctx, c.need)?;
    let path = ctx.path(n.committee)?;
    let mut allowed = vec![Principal::StaffOver(&path)];
    if let Some(d) = n.drafted_by {
        allowed.push(Principal::Member(d));
    }
    ctx.require(&allowed, "submit this need")?;
    n.status = need_next(n.status, NeedStep::Submit)?;
    n.updated_at = ctx.now;
    ctx.scope(n.committee);
    ctx.put(n)
}

fn staff_need_step(
    ctx: &mut Ctx<'_>,
    need: NeedId,
    step: NeedStep,
    reason: Option<String>,
) -> Outcome<Need> {
    let mut n = visible_need(ctx, need)?;
    let path = ctx.path(n.committee)?;
    let verb = match step {
        NeedStep::Publish => "publish needs of this committee",
        NeedStep::Reject => "reject needs of this committee",
        _ => "withdraw needs of this committee",
    };
    ctx.require(&[Principal::StaffOver(&path)], verb)?;
    n.status = need_next(n.status, step)?;
    if step == NeedStep::Publish {
        if n.wanted_by <= ctx.now {
            return Err(Error::illegal("need", "past its wanted-by date", "publish").into());
        }
        n.published_at.get_or_insert(ctx.now);
        // A recurring series starts: its next occurrence comes when this one is due.
        if n.recurrence.is_some() && n.series.is_none() && n.next_due.is_none() {
            n.next_due = Some(n.wanted_by);
        }
    }
    if matches!(step, NeedStep::Reject | NeedStep::Withdraw) {
        // A series whose first or any occurrence is withdrawn (or rejected) comes no more.
        n.next_due = None;
        if let Some(first) = n.series {
            let mut f: Need = ctx.load(&first)?;
            if f.next_due.take().is_some() {
                f.updated_at = ctx.now;
                ctx.put(f)?;
            }
        }
    }
    if reason.is_some() {
        n.reason = reason;
    }
    n.updated_at = ctx.now;
    ctx.scope(n.committee);
    ctx.put(n)
}

fn expire_need(ctx: &mut Ctx<'_>, c: &ExpireNeed) -> Outcome<Need> {
    ctx.require(&[], "expire needs")?;
    let mut n = visible_need(ctx, c.need)?;
    if n.wanted_by >= ctx.now {
        return Err(Error::illegal("need", "not yet past its wanted-by date", "expire").into());
    }
    n.status = need_next(n.status, NeedStep::Expire)?;
    n.updated_at = ctx.now;
    ctx.scope(n.committee);
    ctx.put(n)
}

fn record_feedback(ctx: &mut Ctx<'_>, c: &RecordFeedback) -> Outcome<Need> {
    let mut n = visible_need(ctx, c.need)?;
    let path = ctx.path(n.committee)?;
    ctx.require(
        &[Principal::StaffOver(&path)],
        "record residents' feedback here",
    )?;
    if n.status == NeedStatus::Verified && n.feedback.is_some() {
        return Err(Error::illegal(
            "need",
            "verified with feedback recorded",
            "record feedback on",
        )
        .into());
    }
    let step = match c.feedback {
        Feedback::Satisfied => NeedStep::Satisfied,
        Feedback::NotSatisfied => NeedStep::NotSatisfied,
    };
    n.status = need_next(n.status, step)?;
    match (c.feedback, c.wanted_by) {
        (Feedback::Satisfied, Some(_)) => {
            return Err(Error::invalid("wanted_by", "only a reopened need gets a new date").into())
        }
        (Feedback::NotSatisfied, Some(t)) => {
            in_future(ctx, "wanted_by", t)?;
            n.wanted_by = t;
        }
        (Feedback::NotSatisfied, None) if n.wanted_by <= ctx.now => {
            return Err(Error::invalid(
                "wanted_by",
                "the need's wanted-by date has passed: give a new one to reopen it",
            )
            .into())
        }
        _ => {}
    }
    n.feedback = Some(c.feedback);
    n.updated_at = ctx.now;
    ctx.scope(n.committee);
    ctx.put(n)
}

// ---------------------------------------------------------------- claims

/// The principal who acts for a claimant now (the team's current captain for a team).
fn acting_for(ctx: &mut Ctx<'_>, claimant: &Claimant) -> Outcome<Option<Principal<'static>>> {
    let captain = match claimant {
        Claimant::Team(t) => ctx.load::<Team>(t)?.captain,
        _ => None,
    };
    Ok(claimant_principal(claimant, captain))
}

fn claim_need(ctx: &mut Ctx<'_>, c: &ClaimNeed) -> Outcome<Claim> {
    let mut need = visible_need(ctx, c.need)?;
    let acting = acting_for(ctx, &c.claimant)?;
    ctx.require(acting.as_slice(), "claim needs for this claimant")?;
    let mut claimed_by = None;
    match c.claimant {
        Claimant::Member(m) => {
            let member: Member = ctx.load(&m)?;
            if member.status != MemberStatus::Accepted {
                return Err(Error::illegal("member", member.status, "claim").into());
            }
            if need.scale == Scale::Collective {
                return Err(Error::invalid(
                    "claimant",
                    "a collective need is claimed by a team or an organisation",
                )
                .into());
            }
            let live = ctx.count(&Query::Claims(ClaimFilter {
                claimant: Some(c.claimant),
                statuses: vec![
                    ClaimStatus::Active,
                    ClaimStatus::InProgress,
                    ClaimStatus::Done,
                ],
                ..Default::default()
            }))?;
            let max = ctx.config.max_open_claims_per_member;
            if live >= u64::from(max) {
                return Err(Error::LimitReached {
                    limit: "open claims per member".into(),
                    max: u64::from(max),
                }
                .into());
            }
        }
        Claimant::Team(t) => {
            let team: Team = ctx.load(&t)?;
            if team.committee != need.committee {
                return Err(
                    Error::invalid("claimant", "the team belongs to another committee").into(),
                );
            }
            claimed_by = team.captain;
        }
        Claimant::Organisation(o) => {
            let org: Organisation = ctx.load(&o)?;
            let path = ctx.path(need.committee)?;
            if !path.contains(&org.district) {
                return Err(
                    Error::invalid("claimant", "the organisation serves another district").into(),
                );
            }
        }
    }
    if need.live_claim.is_some() {
        return Err(Error::conflict("the need is already claimed").into());
    }
    need.status = need_next(need.status, NeedStep::Claim)?;
    in_future(ctx, "promised_by", c.promised_by)?;
    if c.promised_by > need.wanted_by {
        return Err(
            Error::invalid("promised_by", "must not be after the need's wanted-by date").into(),
        );
    }
    let new_id = ClaimId(ctx.new_id(Kind::Claim)?);
    let claim = Claim {
        id: new_id,
        need: need.id,
        committee: need.committee,
        claimant: c.claimant,
        claimed_by,
        status: ClaimStatus::Active,
        claimed_at: ctx.now,
        promised_by: c.promised_by,
        warned_at: None,
        extensions: 0,
        started_at: None,
        completed_at: None,
        fulfilment: None,
        send_backs: 0,
        reason: None,
        ended_at: None,
    };
    need.live_claim = Some(claim.id);
    need.claim_count += 1;
    need.updated_at = ctx.now;
    ctx.scope(need.committee);
    // The claim first: the need's `live_claim` then references a row that exists, so SQLite
    // has no deferred foreign-key violation to resolve (which scans `needs` without an index:
    // ~145 ms per claim at 1M needs).
    let claim = ctx.put(claim)?;
    ctx.put(need)?;
    Ok(claim)
}

/// Loads a claim and its need, checks `who` may act, moves both by the step.
fn claim_step(
    ctx: &mut Ctx<'_>,
    claim: ClaimId,
    step: ClaimStep,
    staff_too: bool,
    action: &str,
) -> Outcome<(Claim, Need)> {
    let mut cl: Claim = ctx.load(&claim)?;
    let path = ctx.path(cl.committee)?;
    let mut allowed: Vec<Principal<'_>> = Vec::new();
    if staff_too {
        allowed.push(Principal::StaffOver(&path));
    }
    let acting = acting_for(ctx, &cl.claimant)?;
    let staff_only = matches!(step, ClaimStep::Verify | ClaimStep::SendBack);
    if !staff_only {
        allowed.extend(acting);
    }
    if !matches!(step, ClaimStep::Lapse) {
        ctx.require(&allowed, action)?;
    } else {
        ctx.require(&[], action)?;
    }
    cl.status = claim_next(cl.status, step)?;
    let need: Need = ctx.load(&cl.need)?;
    ctx.scope(cl.committee);
    Ok((cl, need))
}

fn start_work(ctx: &mut Ctx<'_>, c: &StartWork) -> Outcome<Claim> {
    let (mut cl, mut need) = claim_step(
        ctx,
        c.claim,
        ClaimStep::Start,
        false,
        "start work on this claim",
    )?;
    cl.started_at = Some(ctx.now);
    need.status = need_next(need.status, NeedStep::Start)?;
    need.updated_at = ctx.now;
    ctx.put(need)?;
    ctx.put(cl)
}

fn extend_claim(ctx: &mut Ctx<'_>, c: &ExtendClaim) -> Outcome<Claim> {
    let (mut cl, _need) = claim_step(ctx, c.claim, ClaimStep::Extend, false, "extend this claim")?;
    if c.promised_by <= cl.promised_by || c.promised_by <= ctx.now {
        return Err(Error::invalid(
            "promised_by",
            "must be later than the current promised date and in the future",
        )
        .into());
    }
    let max = ctx.config.max_extensions;
    if cl.extensions >= max {
        return Err(Error::LimitReached {
            limit: "extensions per claim".into(),
            max: u64::from(max),
        }
        .into());
    }
    cl.promised_by = c.promised_by;
    cl.extensions += 1;
    cl.warned_at = None;
    ctx.put(cl)
}

/// Ends a live claim without verification: the need goes back to the library.
fn return_to_library(
    ctx: &mut Ctx<'_>,
    mut cl: Claim,
    mut need: Need,
    reason: Option<String>,
) -> Outcome<Claim> {
    need.status = need_next(need.status, NeedStep::Return)?;
    need.live_claim = None;
    need.updated_at = ctx.now;
    cl.ended_at = Some(ctx.now);
    cl.reason = reason;
    ctx.put(need)?;
    ctx.put(cl)
}

fn release_claim(ctx: &mut Ctx<'_>, c: &ReleaseClaim) -> Outcome<Claim> {
    let (cl, need) = claim_step(ctx, c.claim, ClaimStep::Release, true, "release this claim")?;
    return_to_library(ctx, cl, need, Some(c.reason.clone()))
}

fn lapse_claim(ctx: &mut Ctx<'_>, c: &LapseClaim) -> Outcome<Claim> {
    let (cl, need) = claim_step(ctx, c.claim, ClaimStep::Lapse, false, "lapse claims")?;
    if cl.promised_by >= ctx.now {
        return Err(Error::illegal("claim", "not yet past its promised date", "lapse").into());
    }
    return_to_library(ctx, cl, need, None)
}

fn warn_claim_due(ctx: &mut Ctx<'_>, c: &WarnClaimDue) -> Outcome<Claim> {
    ctx.require(&[], "emit due-soon warnings")?;
    let mut cl: Claim = ctx.load(&c.claim)?;
    cl.status = claim_next(cl.status, ClaimStep::Extend)?;
    if cl.warned_at.is_some() {
        return Err(Error::illegal("claim", "already warned", "warn").into());
    }
    if cl.promised_by > ctx.now + ctx.config.warn_before {
        return Err(Error::illegal("claim", "not yet due soon", "warn").into());
    }
    cl.warned_at = Some(ctx.now);
    ctx.scope(cl.committee);
    ctx.put(cl)
}

fn complete_claim(ctx: &mut Ctx<'_>, c: &CompleteClaim) -> Outcome<Claim> {
    let (mut cl, mut need) = claim_step(
        ctx,
        c.claim,
        ClaimStep::Complete,
        false,
        "complete this claim",
    )?;
    need.status = need_next(need.status, NeedStep::Complete)?;
    need.updated_at = ctx.now;
    // Who may be on the roster: the member who claimed, the claiming team's members, any
    // accepted member helping an organisation.
    let team = match cl.claimant {
        Claimant::Team(t) => Some(ctx.load::<Team>(&t)?),
        _ => None,
    };
    for (i, line) in c.fulfilment.roster.iter().enumerate() {
        let Some(m) = line.member else { continue };
        let field = format!("fulfilment.roster[{i}].member");
        match (&cl.claimant, &team) {
            (Claimant::Member(x), _) if *x != m => {
                return Err(Error::invalid(field, "is not the member who claimed").into())
            }
            (Claimant::Team(_), Some(t)) if !t.members.contains(&m) => {
                return Err(Error::invalid(field, "is not in the claiming team").into())
            }
            (Claimant::Organisation(_), _) => accepted_on_roster(ctx, m, field)?,
            _ => {}
        }
    }
    cl.completed_at = Some(ctx.now);
    cl.fulfilment = Some(c.fulfilment.clone());
    ctx.put(need)?;
    ctx.put(cl)
}

fn verify_claim(ctx: &mut Ctx<'_>, c: &VerifyClaim) -> Outcome<Claim> {
    let (mut cl, mut need) = claim_step(
        ctx,
        c.claim,
        ClaimStep::Verify,
        true,
        "verify work at this committee",
    )?;
    need.status = need_next(need.status, NeedStep::Verify)?;
    need.live_claim = None;
    need.feedback = None;
    need.updated_at = ctx.now;
    cl.ended_at = Some(ctx.now);
    let f = cl.fulfilment.clone().unwrap_or_default();
    match cl.claimant {
        Claimant::Member(m) => {
            let mut x: Member = ctx.load(&m)?;
            x.tally.add(&f);
            ctx.put(x)?;
        }
        Claimant::Team(t) => {
            let mut x: Team = ctx.load(&t)?;
            x.tally.add(&f);
            ctx.put(x)?;
        }
        Claimant::Organisation(o) => {
            let mut x: Organisation = ctx.load(&o)?;
            x.tally.add(&f);
            ctx.put(x)?;
        }
    }
    ctx.put(need)?;
    ctx.put(cl)
}

fn send_back_claim(ctx: &mut Ctx<'_>, c: &SendBackClaim) -> Outcome<Claim> {
    let (mut cl, mut need) = claim_step(
        ctx,
        c.claim,
        ClaimStep::SendBack,
        true,
        "send back work at this committee",
    )?;
    need.status = need_next(need.status, NeedStep::SendBack)?;
    need.updated_at = ctx.now;
    cl.send_backs += 1;
    cl.reason = Some(c.reason.clone());
    // The claimant gets at least the warning window to redo the work before the claim could
    // lapse, and a fresh warning.
    let floor = ctx.now + ctx.config.warn_before;
    if cl.promised_by < floor {
        cl.promised_by = floor;
    }
    cl.warned_at = None;
    ctx.put(need)?;
    ctx.put(cl)
}

// ---------------------------------------------------------------- teams

fn form_team(ctx: &mut Ctx<'_>, c: &FormTeam) -> Outcome<Team> {
    let committee = ctx.committee(c.committee, "committee")?;
    ctx.require(&[Principal::StaffOver(&committee.path)], "form teams here")?;
    check_grid(ctx, c.grid, c.committee)?;
    ctx.scope(c.committee);
    let new_id = TeamId(ctx.new_id(Kind::Team)?);
    ctx.put(Team {
        id: new_id,
        committee: c.committee,
        kind: c.kind,
        name: c.name.clone(),
        channel: c.channel,
        captain: None,
        members: Vec::new(),
        tally: Tally::default(),
        created_at: ctx.now,
        grid: c.grid,
    })
}

fn team_member_check(ctx: &mut Ctx<'_>, team: &Team, member: MemberId) -> Outcome<()> {
    let m: Member = ctx.load(&member)?;
    if !m.is_accepted_at(team.committee) {
        return Err(Error::invalid(
            "member",
            "is not an accepted member of the team's committee",
        )
        .into());
    }
    Ok(())
}

fn appoint_captain(ctx: &mut Ctx<'_>, c: &AppointCaptain) -> Outcome<Team> {
    let mut team: Team = ctx.load(&c.team)?;
    let path = ctx.path(team.committee)?;
    ctx.require(&[Principal::StaffOver(&path)], "appoint captains here")?;
    team_member_check(ctx, &team, c.member)?;
    team.captain = Some(c.member);
    if !team.members.contains(&c.member) {
        team.members.push(c.member);
    }
    ctx.scope(team.committee);
    ctx.put(team)
}

fn join_team(ctx: &mut Ctx<'_>, c: &JoinTeam) -> Outcome<Team> {
    let mut team: Team = ctx.load(&c.team)?;
    let path = ctx.path(team.committee)?;
    ctx.require(
        &[Principal::Member(c.member), Principal::StaffOver(&path)],
        "add this member to the team",
    )?;
    team_member_check(ctx, &team, c.member)?;
    if team.members.contains(&c.member) {
        return Err(Error::conflict("the member is already in the team").into());
    }
    team.members.push(c.member);
    ctx.scope(team.committee);
    ctx.put(team)
}

fn leave_team(ctx: &mut Ctx<'_>, c: &LeaveTeam) -> Outcome<Team> {
    let mut team: Team = ctx.load(&c.team)?;
    let path = ctx.path(team.committee)?;
    ctx.require(
        &[Principal::Member(c.member), Principal::StaffOver(&path)],
        "remove this member from the team",
    )?;
    if !team.members.contains(&c.member) {
        return Err(Error::illegal("member", "not in the team", "leave").into());
    }
    if team.captain == Some(c.member) {
        return Err(Error::illegal(
            "member",
            "the team's captain",
            "leave before another captain is appointed",
        )
        .into());
    }
    team.members.retain(|m| *m != c.member);
    ctx.scope(team.committee);
    ctx.put(team)
}

// ---------------------------------------------------------------- hours, activities

fn log_hours(ctx: &mut Ctx<'_>, c: &LogHours) -> Outcome<Hours> {
    let m: Member = ctx.load(&c.member)?;
    ctx.require(&[Principal::Member(c.member)], "log hours for this member")?;
    let committee = match (m.status, m.committee) {
        (MemberStatus::Accepted, Some(k)) => k,
        _ => return Err(Error::illegal("member", m.status, "log hours").into()),
    };
    not_in_future(ctx, "served_at", c.served_at)?;
    // A visit belongs to the member's own pairing, running when the visit was made, and is
    // decided by the resident's committee.
    let committee = match c.pairing {
        None => committee,
        Some(p) => {
            let pairing = match ctx.tx_load::<Pairing>(&p)? {
                Some(x) if x.member == c.member => x,
                _ => return Err(Error::invalid("pairing", "is not a pairing of the member").into()),
            };
            if c.served_at < pairing.since || pairing.until.is_some_and(|u| c.served_at >= u) {
                return Err(
                    Error::invalid("pairing", "was not running when the visit was made").into(),
                );
            }
            pairing.committee
        }
    };
    ctx.scope(committee);
    let new_id = HoursId(ctx.new_id(Kind::Hours)?);
    ctx.put(Hours {
        id: new_id,
        member: c.member,
        committee,
        served_at: c.served_at,
        minutes: c.minutes,
        description: c.description.clone(),
        status: HoursStatus::Pending,
        reason: None,
        logged_at: ctx.now,
        pairing: c.pairing,
    })
}

fn decide_hours(ctx: &mut Ctx<'_>, hours: HoursId, rejected: Option<String>) -> Outcome<Hours> {
    let mut h: Hours = ctx.load(&hours)?;
    let path = ctx.path(h.committee)?;
    let m: Member = ctx.load(&h.member)?;
    let member_path = match m.committee {
        Some(k) => ctx.path(k)?,
        None => Vec::new(),
    };
    if !visibility::sees_hours(&ctx.actor, &m, &member_path, &path) {
        return Err(Error::not_found(Hours::KIND.name(), hours).into());
    }
    ctx.require(
        &[Principal::StaffOver(&path)],
        "decide on hours at this committee",
    )?;
    if h.status != HoursStatus::Pending {
        return Err(Error::illegal("hours", h.status, "decide on").into());
    }
    ctx.scope(h.committee);
    if rejected.is_some() {
        h.status = HoursStatus::Rejected;
        h.reason = rejected;
    } else {
        h.status = HoursStatus::Approved;
        let mut m = m;
        m.approved_minutes += u64::from(h.minutes);
        ctx.put(m)?;
    }
    ctx.put(h)
}

fn record_activity(ctx: &mut Ctx<'_>, c: &RecordActivity) -> Outcome<Activity> {
    let committee = ctx.committee(c.committee, "committee")?;
    let mut allowed = vec![Principal::StaffOver(&committee.path)];
    let team = match c.team {
        Some(t) => Some(ctx.load::<Team>(&t)?),
        None => None,
    };
    if let Some(team) = team.as_ref().filter(|t| t.committee == c.committee) {
        allowed.extend(team.captain.map(Principal::Member));
    }
    ctx.require(&allowed, "record activities here")?;
    if team.is_some_and(|t| t.committee != c.committee) {
        return Err(Error::invalid("team", "belongs to another committee").into());
    }
    not_in_future(ctx, "held_at", c.held_at)?;
    check_grid(ctx, c.grid, c.committee)?;
    for (i, line) in c.roster.iter().enumerate() {
        if let Some(m) = line.member {
            accepted_on_roster(ctx, m, format!("roster[{i}].member"))?;
        }
    }
    ctx.scope(c.committee);
    let new_id = ActivityId(ctx.new_id(Kind::Activity)?);
    ctx.put(Activity {
        id: new_id,
        committee: c.committee,
        kind: c.kind,
        title: c.title.clone(),
        channel: c.channel,
        team: c.team,
        held_at: c.held_at,
        participants: c.participants,
        people_reached: c.people_reached,
        recorded_at: ctx.now,
        grid: c.grid,
        place: c.place.clone(),
        roster: c.roster.clone(),
        location: c.location,
    })
}

/// A member named on a roster must have been accepted at a committee (one error whether the
/// member does not exist or was not accepted: a roster does not probe for members).
fn accepted_on_roster(ctx: &mut Ctx<'_>, member: MemberId, field: String) -> Outcome<()> {
    let accepted = match ctx.tx_load::<Member>(&member)? {
        Some(m) => m.status == MemberStatus::Accepted,
        None => false,
    };
    if !accepted {
        return Err(Error::invalid(field, "names no member accepted at a committee").into());
    }
    Ok(())
}

// ---------------------------------------------------------------- roles, pairings

fn assign_role(ctx: &mut Ctx<'_>, c: &AssignRole) -> Outcome<Role> {
    let m: Member = ctx.load(&c.member)?;
    let path = match m.committee {
        Some(k) => ctx.path(k)?,
        None => Vec::new(),
    };
    ctx.require(
        &[Principal::StaffOver(&path)],
        "assign roles at this committee",
    )?;
    let committee = match (m.status, m.committee) {
        (MemberStatus::Accepted, Some(k)) => k,
        _ => return Err(Error::illegal("member", m.status, "hold a role").into()),
    };
    let current: Vec<Role> = ctx.select(&Query::Roles {
        unit: Some(committee),
        member: Some(c.member),
        current_only: true,
    })?;
    if current
        .iter()
        .any(|r| r.kind == c.kind && r.scope == c.scope)
    {
        return Err(Error::conflict("the member already holds this role for this scope").into());
    }
    check_grid(ctx, c.grid, committee)?;
    ctx.scope(committee);
    let new_id = RoleId(ctx.new_id(Kind::Role)?);
    ctx.put(Role {
        id: new_id,
        member: c.member,
        committee,
        kind: c.kind,
        scope: c.scope.clone(),
        since: ctx.now,
        until: None,
        grid: c.grid,
    })
}

fn end_role(ctx: &mut Ctx<'_>, c: &EndRole) -> Outcome<Role> {
    let mut r: Role = ctx.load(&c.role)?;
    let path = ctx.path(r.committee)?;
    ctx.require(
        &[Principal::StaffOver(&path)],
        "end roles at this committee",
    )?;
    if r.until.is_some() {
        return Err(Error::illegal("role", "ended", "end").into());
    }
    r.until = Some(ctx.now);
    ctx.scope(r.committee);
    ctx.put(r)
}

fn start_pairing(ctx: &mut Ctx<'_>, c: &StartPairing) -> Outcome<Pairing> {
    let resident: Resident = ctx.load(&c.resident)?;
    let path = ctx.path(resident.committee)?;
    ctx.require(
        &[Principal::StaffOver(&path)],
        "pair members with residents here",
    )?;
    not_erased(&resident, "be paired")?;
    let m: Member = ctx.load(&c.member)?;
    if m.status != MemberStatus::Accepted {
        return Err(Error::illegal("member", m.status, "be paired").into());
    }
    let current: Vec<Pairing> = ctx.select(&Query::Pairings {
        unit: None,
        member: Some(c.member),
        resident: Some(c.resident),
        current_only: true,
    })?;
    if !current.is_empty() {
        return Err(Error::conflict("the member and resident are already paired").into());
    }
    ctx.scope(resident.committee);
    let new_id = PairingId(ctx.new_id(Kind::Pairing)?);
    ctx.put(Pairing {
        id: new_id,
        member: c.member,
        resident: c.resident,
        committee: resident.committee,
        since: ctx.now,
        until: None,
        end_reason: None,
    })
}

fn end_pairing(ctx: &mut Ctx<'_>, c: &EndPairing) -> Outcome<Pairing> {
    let mut p: Pairing = ctx.load(&c.pairing)?;
    let path = ctx.path(p.committee)?;
    if !visibility::sees_pairing(&ctx.actor, &path) {
        return Err(Error::not_found(Pairing::KIND.name(), c.pairing).into());
    }
    ctx.require(&[Principal::StaffOver(&path)], "end pairings here")?;
    if p.until.is_some() {
        return Err(Error::illegal("pairing", "ended", "end").into());
    }
    p.until = Some(ctx.now);
    p.end_reason = Some(c.reason.clone());
    ctx.scope(p.committee);
    ctx.put(p)
}

// ---------------------------------------------------------------- offers (派单)

fn offer_need(ctx: &mut Ctx<'_>, c: &OfferNeed) -> Outcome<Offer> {
    let need = visible_need(ctx, c.need)?;
    let path = ctx.path(need.committee)?;
    // A work unit's secretary arranges a need for one of its members (支部安排); everyone
    // else must be staff over the need's committee (派单).
    let branch = match (ctx.actor, c.to) {
        (Actor::WorkUnitSecretary { work_unit }, Claimant::Member(m)) => ctx
            .tx_load::<Member>(&m)?
            .is_some_and(|x| x.work_unit == work_unit),
        _ => false,
    };
    let source = if branch {
        OfferSource::Branch
    } else {
        ctx.require(&[Principal::StaffOver(&path)], "offer needs here")?;
        OfferSource::Committee
    };
    if need.live_claim.is_some() {
        return Err(Error::conflict("the need is already claimed").into());
    }
    if !matches!(need.status, NeedStatus::Published | NeedStatus::Reopened) {
        return Err(Error::illegal("need", need.status, "be offered").into());
    }
    match c.to {
        Claimant::Member(m) => {
            let member: Member = ctx.load(&m)?;
            if member.status != MemberStatus::Accepted {
                return Err(Error::illegal("member", member.status, "be offered needs").into());
            }
            if need.scale == Scale::Collective {
                return Err(Error::invalid(
                    "to",
                    "a collective need is offered to a team or an organisation",
                )
                .into());
            }
        }
        Claimant::Team(t) => {
            if ctx.load::<Team>(&t)?.committee != need.committee {
                return Err(Error::invalid("to", "the team belongs to another committee").into());
            }
        }
        Claimant::Organisation(o) => {
            if !path.contains(&ctx.load::<Organisation>(&o)?.district) {
                return Err(
                    Error::invalid("to", "the organisation serves another district").into(),
                );
            }
        }
    }
    in_future(ctx, "expires_at", c.expires_at)?;
    if c.expires_at > need.wanted_by {
        return Err(
            Error::invalid("expires_at", "must not be after the need's wanted-by date").into(),
        );
    }
    let open = ctx.count(&Query::Offers(OfferFilter {
        need: Some(need.id),
        to: Some(c.to),
        statuses: vec![OfferStatus::Open],
        ..Default::default()
    }))?;
    if open > 0 {
        return Err(Error::conflict("the need is already offered to this party").into());
    }
    ctx.scope(need.committee);
    let new_id = OfferId(ctx.new_id(Kind::Offer)?);
    ctx.put(Offer {
        id: new_id,
        need: need.id,
        committee: need.committee,
        to: c.to,
        source,
        note: c.note.clone(),
        status: OfferStatus::Open,
        offered_at: ctx.now,
        expires_at: c.expires_at,
        decided_at: None,
        reason: None,
        claim: None,
    })
}

/// Loads an offer the actor may know of (whoever may know of its need), else not found.
fn visible_offer(ctx: &mut Ctx<'_>, id: OfferId) -> Outcome<Offer> {
    let o: Offer = ctx.load(&id)?;
    let need: Need = ctx.load(&o.need)?;
    let path = ctx.path(o.committee)?;
    if !(need.status.is_public() || visibility::sees_need(&ctx.actor, &need, &path)) {
        return Err(Error::not_found(Offer::KIND.name(), id).into());
    }
    Ok(o)
}

/// Loads an open offer the actor answers for (the offered party acting).
fn answered_offer(ctx: &mut Ctx<'_>, id: OfferId, action: &str) -> Outcome<Offer> {
    let o = visible_offer(ctx, id)?;
    let acting = acting_for(ctx, &o.to)?;
    ctx.require(acting.as_slice(), "answer offers made to this party")?;
    if o.status != OfferStatus::Open {
        return Err(Error::illegal("offer", o.status, action).into());
    }
    Ok(o)
}

fn accept_offer(ctx: &mut Ctx<'_>, c: &AcceptOffer) -> Outcome<Claim> {
    let mut o = answered_offer(ctx, c.offer, "be accepted")?;
    if o.expires_at <= ctx.now {
        return Err(Error::illegal("offer", "expired", "be accepted").into());
    }
    let claim = claim_need(
        ctx,
        &ClaimNeed {
            need: o.need,
            claimant: o.to,
            promised_by: c.promised_by,
        },
    )?;
    o.status = OfferStatus::Accepted;
    o.decided_at = Some(ctx.now);
    o.claim = Some(claim.id);
    ctx.put(o)?;
    Ok(claim)
}

fn decline_offer(ctx: &mut Ctx<'_>, c: &DeclineOffer) -> Outcome<Offer> {
    let mut o = answered_offer(ctx, c.offer, "be declined")?;
    o.status = OfferStatus::Declined;
    o.decided_at = Some(ctx.now);
    o.reason = Some(c.reason.clone());
    ctx.scope(o.committee);
    ctx.put(o)
}

fn lapse_offer(ctx: &mut Ctx<'_>, c: &LapseOffer) -> Outcome<Offer> {
    ctx.require(&[], "lapse offers")?;
    let mut o: Offer = ctx.load(&c.offer)?;
    if o.status != OfferStatus::Open {
        return Err(Error::illegal("offer", o.status, "lapse").into());
    }
    if o.expires_at > ctx.now {
        return Err(Error::illegal("offer", "not yet expired", "lapse").into());
    }
    o.status = OfferStatus::Lapsed;
    o.decided_at = Some(ctx.now);
    ctx.scope(o.committee);
    ctx.put(o)
}

// ---------------------------------------------------------------- recurring needs

/// `t` moved on by `k` periods.
fn periods_after(t: DateTime<Utc>, every: Every, k: u32) -> Option<DateTime<Utc>> {
    match every {
        Every::Week => t.checked_add_signed(chrono::Duration::weeks(i64::from(k))),
        Every::Month => t.checked_add_months(chrono::Months::new(k)),
    }
}

fn next_occurrence(ctx: &mut Ctx<'_>, c: &NextOccurrence) -> Outcome<Need> {
    ctx.require(&[], "publish occurrences")?;
    let mut first: Need = ctx.load(&c.need)?;
    let (Some(rec), Some(due)) = (first.recurrence, first.next_due) else {
        return Err(Error::illegal("need", "not recurring", "come again").into());
    };
    if due > ctx.now {
        return Err(Error::illegal("need", "not yet due", "come again").into());
    }
    // The last occurrence published (the first is 1) and its wanted-by date. The next is the
    // one after it whose wanted-by date, whole periods later, is still ahead: occurrences
    // whose time passed while no one ticked the Hub are skipped, not published late.
    let made: Vec<Need> = ctx.select(&Query::Needs(NeedFilter {
        series: Some(first.id),
        ..Default::default()
    }))?;
    let (last, base) = made
        .iter()
        .max_by_key(|n| n.occurrence)
        .map_or((1, first.wanted_by), |n| (n.occurrence, n.wanted_by));
    // A series for a resident whose data was erased comes no more.
    let mut erased = false;
    for r in first.helped() {
        erased |= ctx
            .tx_load::<Resident>(&r)?
            .is_none_or(|x| x.erased_at.is_some());
    }
    let mut number = last + 1;
    let mut wanted_by = None;
    while number <= rec.times && !erased {
        match periods_after(base, rec.every, number - last) {
            Some(t) if t > ctx.now => {
                wanted_by = Some(t);
                break;
            }
            Some(_) => number += 1,
            None => break,
        }
    }
    first.updated_at = ctx.now;
    ctx.scope(first.committee);
    let Some(wanted_by) = wanted_by else {
        // Nothing left to publish: the series ends.
        first.next_due = None;
        return ctx.put(first);
    };
    first.next_due = (number < rec.times).then_some(wanted_by);
    let new_id = NeedId(ctx.new_id(Kind::Need)?);
    let occurrence = Need {
        id: new_id,
        committee: first.committee,
        grid: first.grid,
        resident: first.resident,
        institution: first.institution.clone(),
        title: first.title.clone(),
        description: first.description.clone(),
        category: first.category.clone(),
        channel: first.channel,
        scale: first.scale,
        estimated_cost_fen: first.estimated_cost_fen,
        wanted_by,
        status: NeedStatus::Published,
        live_claim: None,
        claim_count: 0,
        reason: None,
        feedback: None,
        drafted_by: first.drafted_by,
        created_at: ctx.now,
        published_at: Some(ctx.now),
        updated_at: ctx.now,
        beneficiaries: first.beneficiaries.clone(),
        recurrence: None,
        series: Some(first.id),
        occurrence: number,
        next_due: None,
        place: first.place.clone(),
        location: first.location,
    };
    ctx.put(first)?;
    ctx.put(occurrence)
}

// ---------------------------------------------------------------- service records

fn issue_service_certificate(
    ctx: &mut Ctx<'_>,
    c: &IssueServiceCertificate,
) -> Outcome<ServiceCertificate> {
    let committee = ctx.committee(c.committee, "committee")?;
    ctx.require(
        &[Principal::StaffOver(&committee.path)],
        "issue service certificates here",
    )?;
    let m: Member = ctx.load(&c.member)?;
    if let (Some(f), Some(t)) = (c.since, c.until) {
        if t <= f {
            return Err(Error::invalid("until", "must be after since").into());
        }
    }
    let period = crate::report::Period {
        from: c.since,
        to: c.until,
    };
    let records =
        super::service::gather(ctx.tx_mut(), &m, Some(c.committee), period, &mut |_, _| {
            Ok(String::new())
        })?;
    if records.is_empty() {
        return Err(Error::invalid(
            "member",
            "has no service records at this committee in the period",
        )
        .into());
    }
    let issued = ctx.count(&Query::ServiceCertificates {
        number: None,
        member: None,
    })?;
    // `ZY` (志愿), the committee, the year and a sequence: unique in the store.
    let short: String = c.committee.0.simple().to_string()[..8].to_uppercase();
    let number = format!(
        "ZY{short}-{}-{:06}",
        chrono::Datelike::year(&ctx.now),
        issued + 1
    );
    ctx.scope(c.committee);
    let new_id = ServiceCertificateId(ctx.new_id(Kind::ServiceCertificate)?);
    ctx.put(ServiceCertificate {
        id: new_id,
        number,
        member: c.member,
        committee: c.committee,
        from: c.since,
        to: c.until,
        minutes: records.iter().map(|r| r.minutes).sum(),
        records: u32::try_from(records.len()).unwrap_or(u32::MAX),
        content: crate::service::contents(&records),
        issued_at: ctx.now,
    })
}

fn request_correction(ctx: &mut Ctx<'_>, c: &RequestCorrection) -> Outcome<Correction> {
    let m: Member = ctx.load(&c.member)?;
    ctx.require(
        &[Principal::Member(c.member)],
        "ask to correct these records",
    )?;
    // The record must be one of the member's: one error whatever the id names. It is looked
    // for among the records of the committee that recorded it.
    let recorded_at = match c.source {
        ServiceSource::Activity => ctx
            .tx_load::<Activity>(&ActivityId(c.source_id))?
            .map(|a| a.committee),
        ServiceSource::Claim => ctx
            .tx_load::<Claim>(&ClaimId(c.source_id))?
            .map(|x| x.committee),
        ServiceSource::Hours | ServiceSource::Visit => ctx
            .tx_load::<Hours>(&HoursId(c.source_id))?
            .map(|h| h.committee),
    };
    let records = match recorded_at {
        Some(committee) => super::service::gather(
            ctx.tx_mut(),
            &m,
            Some(committee),
            crate::report::Period::ALL,
            &mut |_, _| Ok(String::new()),
        )?,
        None => Vec::new(),
    };
    let Some(r) = records
        .iter()
        .find(|r| r.source == c.source && r.source_id == c.source_id)
    else {
        return Err(
            Error::invalid("source_id", "is not one of the member's service records").into(),
        );
    };
    ctx.scope(r.organiser);
    let new_id = CorrectionId(ctx.new_id(Kind::Correction)?);
    ctx.put(Correction {
        id: new_id,
        member: c.member,
        committee: r.organiser,
        source: c.source,
        source_id: c.source_id,
        reason: c.reason.clone(),
        status: CorrectionStatus::Open,
        answer: None,
        requested_at: ctx.now,
        decided_at: None,
    })
}

fn set_working_calendar(ctx: &mut Ctx<'_>, c: &SetWorkingCalendar) -> Outcome<CalendarYear> {
    // The State Council's calendar is national: any district admin keeps it.
    ctx.require(&[Principal::AnyAdmin], "set the working calendar")?;
    let years: Vec<CalendarYear> = ctx.select(&Query::CalendarYears)?;
    let id = match years.iter().find(|y| y.year == c.year) {
        Some(y) => y.id,
        None => CalendarYearId(ctx.new_id(Kind::CalendarYear)?),
    };
    let mut holidays = c.holidays.clone();
    let mut working_weekends = c.working_weekends.clone();
    holidays.sort();
    working_weekends.sort();
    ctx.put(CalendarYear {
        id,
        year: c.year,
        holidays,
        working_weekends,
        set_at: ctx.now,
    })
}

fn answer_correction(ctx: &mut Ctx<'_>, c: &AnswerCorrection) -> Outcome<Correction> {
    let mut x: Correction = ctx.load(&c.correction)?;
    let path = ctx.path(x.committee)?;
    let known = crate::rules::authz::oversees(&ctx.actor, &path)
        || matches!(ctx.actor, Actor::Member { member } if member == x.member)
        || matches!(ctx.actor, Actor::System);
    if !known {
        return Err(Error::not_found(Correction::KIND.name(), c.correction).into());
    }
    ctx.require(
        &[Principal::StaffOver(&path)],
        "answer correction requests here",
    )?;
    if x.status != CorrectionStatus::Open {
        return Err(Error::illegal("correction", x.status, "be answered").into());
    }
    x.status = if c.accepted {
        CorrectionStatus::Accepted
    } else {
        CorrectionStatus::Declined
    };
    x.answer = Some(c.answer.clone());
    x.decided_at = Some(ctx.now);
    ctx.scope(x.committee);
    ctx.put(x)
}

//! The audit log as rows: an [`Event`] to the `events` table and back.

use super::codec::*;
use crate::error::StoreError;
use crate::model::*;
use crate::store::Event;
use uuid::Uuid;

/// The columns of the `events` table, in the order of [`event_vals`].
pub(crate) const EVENT_COLS: &str = "seq, id, at, actor_type, actor_id, kind, committee, payload";

/// [`Payload`] borrowed, for writing.
#[derive(serde::Serialize)]
pub(super) struct PayloadRef<'a> {
    command: &'a crate::command::Command,
    changes: &'a [Record],
    #[serde(skip_serializing_if = "Option::is_none")]
    happened_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct Payload {
    command: crate::command::Command,
    changes: Vec<Record>,
    #[serde(default)]
    happened_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub(super) fn actor_parts(a: &Actor) -> (&'static str, Option<Uuid>) {
    match a {
        Actor::System => ("system", None),
        Actor::DistrictAdmin { district } => ("district_admin", Some(district.0)),
        Actor::CommitteeStaff { unit } => ("committee_staff", Some(unit.0)),
        Actor::WorkUnitSecretary { work_unit } => ("work_unit_secretary", Some(work_unit.0)),
        Actor::Member { member } => ("member", Some(member.0)),
        Actor::OrganisationContact { organisation } => {
            ("organisation_contact", Some(organisation.0))
        }
    }
}

/// An event's column values.
pub(crate) fn event_vals(e: &Event) -> Result<Vec<Val>, StoreError> {
    let (at, aid) = actor_parts(&e.actor);
    let payload = serde_json::to_string(&PayloadRef {
        command: &e.command,
        changes: &e.changes,
        happened_at: e.happened_at,
    })
    .map_err(|err| StoreError::Backend(format!("event payload: {err}")))?;
    Ok(vec![
        int(e.seq),
        id(e.id.0),
        time(e.at),
        text(at),
        opt_id(aid),
        text(&e.kind),
        opt_id(e.committee.map(|c| c.0)),
        Val::Text(Some(payload)),
    ])
}

/// Reads an event row ([`EVENT_COLS`] order).
pub(crate) fn decode_event(row: &dyn RowGet) -> Result<Event, StoreError> {
    let mut c = Cols::new(row, "events");
    let seq = c.u64()?;
    let eid = c.id()?;
    let at = c.time()?;
    let atype = c.t()?;
    let aid: Option<Uuid> = c.opt_id()?;
    let need = |x: Option<Uuid>| x.ok_or_else(|| corrupt("events.actor_id"));
    let actor = match atype.as_str() {
        "system" => Actor::System,
        "district_admin" => Actor::DistrictAdmin {
            district: UnitId(need(aid)?),
        },
        "committee_staff" => Actor::CommitteeStaff {
            unit: UnitId(need(aid)?),
        },
        "work_unit_secretary" => Actor::WorkUnitSecretary {
            work_unit: WorkUnitId(need(aid)?),
        },
        "member" => Actor::Member {
            member: MemberId(need(aid)?),
        },
        "organisation_contact" => Actor::OrganisationContact {
            organisation: OrganisationId(need(aid)?),
        },
        _ => return Err(corrupt("events.actor_type")),
    };
    let kind = c.t()?;
    let committee = c.opt_id()?;
    let p: Payload = c.json()?;
    Ok(Event {
        id: eid,
        seq,
        at,
        actor,
        kind,
        committee,
        command: p.command,
        changes: p.changes,
        happened_at: p.happened_at,
    })
}

//! What the audit log keeps of a change, and what erasure removes.
//!
//! Residents' personal data (name, phone, ID number, address) lives in **one** place: the
//! resident's own record. The audit log — every event's command and after-images — and every
//! derived table hold the resident's id, committee, grid and groups, never the personal
//! fields: a resident in an event carries them empty with `masked` set, and the commands that
//! carry them (`RegisterResident`, `UpdateResident`) are logged with them emptied. So
//! [`EraseResident`](crate::command::EraseResident) only has to clear one record to remove a
//! resident's data from the whole store, every figure stays the same, and the log still
//! replays to the state (personal fields taken from the residents' records, the one place
//! they are kept). See `docs/adr/0002-personal-data-out-of-the-audit-log.md`.

use crate::command::Command;
use crate::model::*;
use chrono::{DateTime, Utc};

/// The resident as the audit log keeps it: personal fields withheld (empty, `masked` set).
pub fn resident_for_log(r: &Resident) -> Resident {
    Resident {
        name: String::new(),
        phone: None,
        id_number: None,
        address: None,
        masked: true,
        ..r.clone()
    }
}

/// The command as the audit log keeps it: residents' personal fields emptied.
pub fn command_for_log(cmd: &Command) -> Command {
    let mut c = cmd.clone();
    match &mut c {
        Command::RegisterResident(x) => {
            withhold(&mut x.name, &mut x.phone, &mut x.id_number, &mut x.address)
        }
        Command::UpdateResident(x) => {
            withhold(&mut x.name, &mut x.phone, &mut x.id_number, &mut x.address)
        }
        _ => {}
    }
    c
}

fn withhold(
    name: &mut String,
    phone: &mut Option<String>,
    id_number: &mut Option<String>,
    address: &mut Option<String>,
) {
    name.clear();
    *phone = None;
    *id_number = None;
    *address = None;
}

/// Erases a resident's personal data at `now`: name, phone, ID number and address removed;
/// committee, grid, groups and creation time kept (they are what the figures count).
pub fn erase(r: &mut Resident, now: DateTime<Utc>) {
    withhold(&mut r.name, &mut r.phone, &mut r.id_number, &mut r.address);
    r.erased_at = Some(now);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{RegisterResident, UpdateResident};

    fn resident() -> Resident {
        Resident {
            id: ResidentId::new(),
            committee: UnitId::new(),
            grid: None,
            name: "刘小明".into(),
            phone: Some("13812345678".into()),
            id_number: Some("52020119900307003X".into()),
            address: Some("幸福里3号".into()),
            groups: vec![ResidentGroup::LeftBehindChild],
            created_at: Utc::now(),
            masked: false,
            erased_at: None,
            household: None,
        }
    }

    fn carries_personal_data(json: &str) -> bool {
        ["刘小明", "13812345678", "52020119900307003X", "幸福里3号"]
            .iter()
            .any(|v| json.contains(v))
    }

    #[test]
    fn logged_residents_and_commands_carry_no_personal_data() {
        let r = resident();
        assert!(carries_personal_data(&serde_json::to_string(&r).unwrap()));
        let logged = resident_for_log(&r);
        assert!(!carries_personal_data(
            &serde_json::to_string(&logged).unwrap()
        ));
        assert!(logged.masked);
        assert_eq!((logged.id, &logged.groups), (r.id, &r.groups));
        let cmds: [Command; 2] = [
            RegisterResident {
                committee: r.committee,
                grid: None,
                name: r.name.clone(),
                phone: r.phone.clone(),
                id_number: r.id_number.clone(),
                address: r.address.clone(),
                groups: r.groups.clone(),
                household: None,
            }
            .into(),
            UpdateResident {
                resident: r.id,
                name: r.name.clone(),
                phone: r.phone.clone(),
                id_number: r.id_number.clone(),
                address: r.address.clone(),
                groups: r.groups.clone(),
            }
            .into(),
        ];
        for c in cmds {
            assert!(carries_personal_data(&serde_json::to_string(&c).unwrap()));
            let logged = command_for_log(&c);
            assert!(!carries_personal_data(
                &serde_json::to_string(&logged).unwrap()
            ));
            assert_eq!(logged.event_kind(), c.event_kind());
        }
    }

    #[test]
    fn erasure_keeps_what_figures_count() {
        let mut r = resident();
        let before = r.clone();
        let now = Utc::now();
        erase(&mut r, now);
        assert!(!carries_personal_data(&serde_json::to_string(&r).unwrap()));
        assert_eq!(r.erased_at, Some(now));
        assert_eq!(
            (r.id, r.committee, r.grid, &r.groups, r.created_at),
            (
                before.id,
                before.committee,
                before.grid,
                &before.groups,
                before.created_at
            )
        );
    }
}

//! Who sees personal data, and how it is masked for everyone else.
//!
//! Residents' name, phone, ID number and address are shown in full only to the committee
//! that holds the resident (staff over its unit), to whoever is doing one of the resident's
//! needs (holds its live claim: the member, the claiming team's members, the claiming
//! organisation's contact), and to the system. Everyone else — district admins included, and
//! every export by default — gets masked values. A left-behind child's data is masked
//! completely.
//!
//! Members' phone and ID number are shown to the member, their work unit's secretary, staff
//! and the district admin over the committee they reported to, and the system; an
//! organisation's contact to its contact, the admin of its district and the system.
//!
//! Residents' groups (elderly, disabled, …) stay visible in masked copies: they say what kind
//! of help is needed, and without name, phone, ID number and address they identify no one.

use super::authz::{is, is_staff_over, Principal};
use crate::model::*;

/// Masks a name: `张三` → `张*`; a child's name → `**`.
pub fn mask_name(name: &str, child: bool) -> String {
    let n = name.chars().count().max(2);
    if child {
        "*".repeat(n)
    } else {
        let first: String = name.chars().take(1).collect();
        format!("{first}{}", "*".repeat(n - 1))
    }
}

/// Masks a phone number: `13812345678` → `138****5678`; a child's → all stars.
pub fn mask_phone(phone: &str, child: bool) -> String {
    let c: Vec<char> = phone.chars().collect();
    if child || c.len() < 8 {
        return "*".repeat(c.len());
    }
    let head: String = c[..3].iter().collect();
    let tail: String = c[c.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(c.len() - 7))
}

/// Masks an ID number, keeping the region (first 6) and the last 2 characters; a child's →
/// all stars.
pub fn mask_id_number(id: &str, child: bool) -> String {
    let c: Vec<char> = id.chars().collect();
    if child || c.len() < 10 {
        return "*".repeat(c.len());
    }
    let head: String = c[..6].iter().collect();
    let tail: String = c[c.len() - 2..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(c.len() - 8))
}

/// Masks an address, keeping its first 6 characters (street level); a child's → `***`.
pub fn mask_address(addr: &str, child: bool) -> String {
    if child {
        return "***".into();
    }
    let head: String = addr.chars().take(6).collect();
    format!("{head}***")
}

/// A resident with personal fields masked (and `masked` set).
pub fn masked_resident(r: &Resident) -> Resident {
    let child = r.is_child();
    Resident {
        name: mask_name(&r.name, child),
        phone: r.phone.as_deref().map(|p| mask_phone(p, child)),
        id_number: r.id_number.as_deref().map(|p| mask_id_number(p, child)),
        address: r.address.as_deref().map(|p| mask_address(p, child)),
        masked: true,
        ..r.clone()
    }
}

/// Whether `actor` sees the resident (held by the committee on `committee_path`) in full.
/// `doing` are the claimants of live claims on the resident's needs; `actor_claimants` are
/// the claimants the actor acts as or belongs to (the member, their teams, their organisation).
pub fn sees_resident(
    actor: &Actor,
    committee_path: &[UnitId],
    doing: &[Claimant],
    actor_claimants: &[Claimant],
) -> bool {
    is_staff_over(actor, committee_path) || doing.iter().any(|c| actor_claimants.contains(c))
}

/// The resident as `actor` may see it.
pub fn resident_for(r: &Resident, full: bool) -> Resident {
    if full {
        r.clone()
    } else {
        masked_resident(r)
    }
}

/// Whether `actor` sees a member's phone and ID number.
/// `committee_path` is the path of the committee the member reported to (empty before
/// they report).
pub fn sees_member(actor: &Actor, m: &Member, committee_path: &[UnitId]) -> bool {
    matches!(actor, Actor::System)
        || is(actor, &Principal::Member(m.id))
        || is(actor, &Principal::Secretary(m.work_unit))
        || is(actor, &Principal::StaffOver(committee_path))
        || is(actor, &Principal::AdminOver(committee_path))
}

/// The member as `actor` may see it.
pub fn member_for(m: &Member, full: bool) -> Member {
    if full {
        return m.clone();
    }
    Member {
        phone: m.phone.as_deref().map(|p| mask_phone(p, false)),
        id_number: m.id_number.as_deref().map(|p| mask_id_number(p, false)),
        ..m.clone()
    }
}

/// The organisation as `actor` may see it.
/// The contact is shown to the system, the organisation's own contact and the admin of the
/// district it serves.
pub fn organisation_for(actor: &Actor, o: &Organisation) -> Organisation {
    let full = matches!(actor, Actor::System)
        || is(actor, &Principal::Contact(o.id))
        || is(actor, &Principal::AdminOver(&[o.district]));
    if full {
        return o.clone();
    }
    Organisation {
        contact_name: mask_name(&o.contact_name, false),
        contact_phone: mask_phone(&o.contact_phone, false),
        ..o.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_shape_and_hide_the_middle() {
        assert_eq!(mask_name("张三", false), "张*");
        assert_eq!(mask_name("欧阳娜娜", false), "欧***");
        assert_eq!(mask_name("小明", true), "**");
        assert_eq!(mask_phone("13812345678", false), "138****5678");
        assert_eq!(mask_phone("13812345678", true), "***********");
        assert_eq!(
            mask_id_number("52020119900307003X", false),
            "520201**********3X"
        );
        assert_eq!(
            mask_address("钟山区荷城街道凤凰社区5栋", false),
            "钟山区荷城街***"
        );
        assert_eq!(mask_address("钟山区荷城街道凤凰社区5栋", true), "***");
    }
}

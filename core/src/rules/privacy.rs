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
//!
//! # The masks
//!
//! A masked value reveals at most a fixed, small part of the original, whatever its length,
//! and its own length does not depend on the original's (beyond the one case each rule
//! names). Lengths are counted in characters (Unicode scalar values), never bytes. A value
//! that is absent stays absent. [`HIDDEN`] (`***`) means "nothing of it is shown".
//!
//! | field | masked value | reveals at most |
//! |---|---|---|
//! | name (resident, organisation contact) | first character + `**` when the name has two or more letters, else `***` | its first character, and that it has two or more letters |
//! | phone | first 3 + `****` + last 4 digits when it is 11 or more ASCII digits, else `***` | 7 digits (3 + 4), and never more than all but 4 |
//! | ID number | first 6 (region) + 10 `*` + last 2 when it is 15 or 18 ASCII letters and digits, else `***` | 8 characters (region and the last 2) |
//! | address | `***` | nothing (the holding committee is the record's `committee`) |
//! | a left-behind child's name, phone, ID number, address | `***` | nothing |
//!
//! "Letters" in a name are alphanumeric characters that are not combining marks, joiners,
//! variation selectors or emoji modifiers (see [`mask_name`]): a one-letter name written
//! with a combining accent (`e` + U+0301) reveals nothing.

use super::authz::{is, is_staff_over, Principal};
use crate::model::*;

/// What a fully hidden value reads: `***`.
pub const HIDDEN: &str = "***";

/// Whether `c` extends the character before it rather than standing alone: combining marks
/// of the common combining blocks, zero-width (non-)joiners and other zero-width format
/// characters, variation selectors, emoji skin-tone modifiers and tag characters.
fn extends(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F      // combining diacritical marks
        | 0x0483..=0x0489    // Cyrillic combining marks
        | 0x1AB0..=0x1AFF    // combining diacritical marks extended
        | 0x1DC0..=0x1DFF    // combining diacritical marks supplement
        | 0x200B..=0x200F    // zero-width space, (non-)joiner, direction marks
        | 0x202A..=0x202E    // embedding and override controls
        | 0x2060..=0x206F    // word joiner, invisible operators, isolates
        | 0x20D0..=0x20FF    // combining marks for symbols
        | 0x302A..=0x302F    // CJK ideographic tone marks
        | 0x3099..=0x309A    // combining kana (semi-)voiced sound marks
        | 0xFE00..=0xFE0F    // variation selectors
        | 0xFE20..=0xFE2F    // combining half marks
        | 0x1F3FB..=0x1F3FF  // emoji skin-tone modifiers
        | 0xE0000..=0xE007F  // tags
        | 0xE0100..=0xE01EF  // variation selectors supplement
    )
}

/// Whether `c` counts as a letter of a name (see [`mask_name`]).
fn is_letter(c: char) -> bool {
    c.is_alphanumeric() && !extends(c)
}

/// Masks a name to a fixed width of three characters: its first character and `**` when
/// the name has two or more letters and starts with one (`张三` → `张**`, `欧阳娜娜` →
/// `欧**`), otherwise [`HIDDEN`] (`犇` → `***`); a child's name is always [`HIDDEN`].
///
/// Letters are alphanumeric characters other than combining marks, joiners, variation
/// selectors and emoji modifiers, so that a one-letter name written with a combining mark or
/// followed by punctuation (`犇·`) reveals nothing. Marks outside the common combining blocks
/// (some Indic vowel signs) count as letters.
pub fn mask_name(name: &str, child: bool) -> String {
    let mut chars = name.chars();
    let first = chars.next();
    let keep = !child && first.is_some_and(is_letter) && chars.any(is_letter);
    match first {
        Some(c) if keep => format!("{c}**"),
        _ => HIDDEN.into(),
    }
}

/// Masks a phone number: the first 3 and last 4 digits around `****` when it is 11 or more
/// ASCII digits (`13812345678` → `138****5678`, `085112345678` → `085****5678`), otherwise
/// [`HIDDEN`]; a child's is always [`HIDDEN`]. It never shows more than 7 digits, nor more
/// than all but 4.
pub fn mask_phone(phone: &str, child: bool) -> String {
    let n = phone.len();
    if child || n < 11 || !phone.bytes().all(|b| b.is_ascii_digit()) {
        return HIDDEN.into();
    }
    // All ASCII: byte offsets are character offsets.
    format!("{}****{}", &phone[..3], &phone[n - 4..])
}

/// Masks an ID number to 18 characters: the region (first 6) and the last 2 around ten
/// `*` when it is 15 or 18 ASCII letters and digits (`52020119900307003X` →
/// `520201**********3X`), otherwise [`HIDDEN`]; a child's is always [`HIDDEN`]. The birth
/// date and sequence are never shown.
pub fn mask_id_number(id: &str, child: bool) -> String {
    let n = id.len();
    if child || !(n == 15 || n == 18) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return HIDDEN.into();
    }
    // All ASCII: byte offsets are character offsets.
    format!("{}**********{}", &id[..6], &id[n - 2..])
}

/// Masks an address: always [`HIDDEN`], child or not. A masked address shows nothing of its
/// own text — no street, building, house or room — whatever its length; the committee that
/// holds the resident (the record's `committee`) is what locates them.
pub fn mask_address(addr: &str, child: bool) -> String {
    let _ = (addr, child);
    HIDDEN.into()
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
        // Who lives with whom is the committee's to know.
        household: None,
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
    fn masks_have_their_documented_shapes() {
        assert_eq!(mask_name("张三", false), "张**");
        assert_eq!(mask_name("欧阳娜娜", false), "欧**");
        assert_eq!(mask_name("犇", false), "***");
        assert_eq!(mask_name("犇·", false), "***");
        assert_eq!(mask_name("e\u{301}", false), "***");
        assert_eq!(mask_name("", false), "***");
        assert_eq!(mask_name("小明", true), "***");
        assert_eq!(mask_phone("13812345678", false), "138****5678");
        assert_eq!(mask_phone("085112345678", false), "085****5678");
        assert_eq!(mask_phone("0851123456", false), "***");
        assert_eq!(mask_phone("13812345678", true), "***");
        assert_eq!(mask_phone("１３８１２３４５６７８", false), "***");
        assert_eq!(
            mask_id_number("52020119900307003X", false),
            "520201**********3X"
        );
        assert_eq!(
            mask_id_number("520201900307031", false),
            "520201**********31"
        );
        assert_eq!(mask_id_number("52020119900307003X", true), "***");
        assert_eq!(mask_id_number("5202011990", false), "***");
        assert_eq!(mask_address("钟山区荷城街道凤凰社区5栋", false), "***");
        assert_eq!(mask_address("幸福里3号", false), "***");
        assert_eq!(mask_address("钟山区荷城街道凤凰社区5栋", true), "***");
    }

    /// Originals of every length from 1 to 40 in several scripts: ASCII, CJK, mixed, digits,
    /// ID-like, with combining marks and with emoji. None holds `*`, the mask character.
    fn originals() -> Vec<String> {
        let ascii: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
        let cjk: Vec<char> = "幸福里号张三欧阳娜犇陈大爷刘小明钟山区荷城街道凤凰社区栋单元室李经理黄奶王芳赵强孙丽周杰吴敏郑涛"
            .chars()
            .collect();
        let mixed: Vec<char> = "幸福里3号A座12室B栋7单元".chars().collect();
        let mut seed = 0x2545_F491_u64;
        let mut digit = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            char::from(b'0' + ((seed >> 33) % 10) as u8)
        };
        let mut out = vec!["犇".to_string(), "幸福里3号".to_string()];
        for len in 1..=40 {
            let take = |v: &[char]| -> String { (0..len).map(|i| v[i % v.len()]).collect() };
            out.push(take(&ascii));
            out.push(take(&cjk));
            out.push(take(&mixed));
            out.push((0..len).map(|_| digit()).collect());
            out.push(
                (0..len)
                    .map(|i| if i + 1 == len { 'X' } else { digit() })
                    .collect(),
            );
            // A letter and a combining mark, repeated; an emoji family (joined) repeated.
            out.push(take(&['e', '\u{301}', '犇', '\u{FE0F}']));
            out.push(take(&['👨', '\u{200D}', '👩', '\u{200D}', '👧']));
        }
        out
    }

    /// The longest substring of `original` of two or more characters that `masked`
    /// contains and that is not inside one of the `kept` parts.
    fn leak(original: &str, masked: &str, kept: &[&str]) -> Option<String> {
        let c: Vec<char> = original.chars().collect();
        let mut longest: Option<String> = None;
        for i in 0..c.len() {
            for j in i + 2..=c.len() {
                let s: String = c[i..j].iter().collect();
                let longer = longest.as_ref().is_none_or(|l| j - i > l.chars().count());
                if longer && masked.contains(&s) && !kept.iter().any(|k| k.contains(&s)) {
                    longest = Some(s);
                }
            }
        }
        longest
    }

    /// How many characters of `masked` are not the mask character.
    fn shown(masked: &str) -> usize {
        masked.chars().filter(|&c| c != '*').count()
    }

    /// Checks one mask against every original: `rule` gives, for an original, the kept
    /// parts it documents and the widths the masked value may have. Fails when the masked
    /// value holds a run of the original outside the kept parts, shows more characters than
    /// the kept parts, or has a width the rule does not allow; or, when nothing is kept,
    /// holds any character of the original at all.
    fn check(
        what: &str,
        mask: impl Fn(&str, bool) -> String,
        rule: impl Fn(&str) -> (Vec<String>, &'static [usize]),
    ) -> Result<(), String> {
        let mut failures = Vec::new();
        for o in originals() {
            for child in [false, true] {
                let m = mask(&o, child);
                let (kept, widths) = if child {
                    (Vec::new(), &[3][..])
                } else {
                    rule(&o)
                };
                let kept: Vec<&str> = kept.iter().map(String::as_str).collect();
                let at_most: usize = kept.iter().map(|k| k.chars().count()).sum();
                let n = o.chars().count();
                let at = format!("{what} {o:?} ({n}) -> {m:?}");
                if let Some(s) = leak(&o, &m, &kept) {
                    failures.push(format!("{at} shows {s:?}"));
                }
                if shown(&m) > at_most {
                    failures.push(format!("{at} shows more than {at_most}"));
                }
                if !widths.contains(&m.chars().count()) {
                    failures.push(format!("{at} is not {widths:?} wide"));
                }
                if kept.is_empty() && m.chars().any(|c| c != '*' && o.contains(c)) {
                    failures.push(format!("{at} shows a character"));
                }
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(failures.join("\n"))
        }
    }

    /// Names: at most the first character, and only when it and another are letters.
    fn name_rule(o: &str) -> (Vec<String>, &'static [usize]) {
        let letters = o.chars().filter(|&c| is_letter(c)).count();
        let first = o.chars().next().filter(|&c| is_letter(c));
        match first {
            Some(c) if letters >= 2 => (vec![c.to_string()], &[3]),
            _ => (Vec::new(), &[3]),
        }
    }

    /// Phones: at most the first 3 and the last 4, and only from 11 characters on, and
    /// always at least 4 characters hidden.
    fn phone_rule(o: &str) -> (Vec<String>, &'static [usize]) {
        let c: Vec<char> = o.chars().collect();
        if c.len() < 11 {
            return (Vec::new(), &[3]);
        }
        let head = c[..3].iter().collect();
        let tail = c[c.len() - 4..].iter().collect();
        (vec![head, tail], &[3, 11])
    }

    /// ID numbers: at most the first 6 and the last 2, only for 15 or 18 characters.
    fn id_rule(o: &str) -> (Vec<String>, &'static [usize]) {
        let c: Vec<char> = o.chars().collect();
        if !(c.len() == 15 || c.len() == 18) {
            return (Vec::new(), &[3]);
        }
        let head = c[..6].iter().collect();
        let tail = c[c.len() - 2..].iter().collect();
        (vec![head, tail], &[3, 18])
    }

    /// Addresses: nothing.
    fn address_rule(_: &str) -> (Vec<String>, &'static [usize]) {
        (Vec::new(), &[3])
    }

    #[test]
    fn every_mask_reveals_at_most_its_documented_part_at_every_length() {
        check("name", mask_name, name_rule).unwrap();
        check("phone", mask_phone, phone_rule).unwrap();
        check("id number", mask_id_number, id_rule).unwrap();
        check("address", mask_address, address_rule).unwrap();
    }

    /// The masks before issue 14, kept here to show that the properties above catch them.
    mod old {
        pub fn mask_name(name: &str, child: bool) -> String {
            let n = name.chars().count().max(2);
            if child {
                "*".repeat(n)
            } else {
                let first: String = name.chars().take(1).collect();
                format!("{first}{}", "*".repeat(n - 1))
            }
        }
        pub fn mask_phone(phone: &str, child: bool) -> String {
            let c: Vec<char> = phone.chars().collect();
            if child || c.len() < 8 {
                return "*".repeat(c.len());
            }
            let head: String = c[..3].iter().collect();
            let tail: String = c[c.len() - 4..].iter().collect();
            format!("{head}{}{tail}", "*".repeat(c.len() - 7))
        }
        pub fn mask_id_number(id: &str, child: bool) -> String {
            let c: Vec<char> = id.chars().collect();
            if child || c.len() < 10 {
                return "*".repeat(c.len());
            }
            let head: String = c[..6].iter().collect();
            let tail: String = c[c.len() - 2..].iter().collect();
            format!("{head}{}{tail}", "*".repeat(c.len() - 8))
        }
        pub fn mask_address(addr: &str, child: bool) -> String {
            if child {
                return "***".into();
            }
            let head: String = addr.chars().take(6).collect();
            format!("{head}***")
        }
    }

    #[test]
    fn the_properties_catch_the_old_masks() {
        let name = check("name", old::mask_name, name_rule).unwrap_err();
        assert!(
            name.contains("\"犇\" (1) -> \"犇*\" shows a character"),
            "{name}"
        );
        assert!(name.contains("(40) -> \"a***"), "the length shows: {name}");
        let phone = check("phone", old::mask_phone, phone_rule).unwrap_err();
        assert!(
            phone.contains("(8) -> \"abc*efgh\" shows \"efgh\""),
            "{phone}"
        );
        let id = check("id number", old::mask_id_number, id_rule).unwrap_err();
        assert!(
            id.contains("(10) -> \"abcdef**ij\" shows \"abcdef\""),
            "{id}"
        );
        let address = check("address", old::mask_address, address_rule).unwrap_err();
        assert!(
            address.contains("(5) -> \"幸福里3号***\" shows \"幸福里3号\""),
            "{address}"
        );
        assert!(
            address.contains("(40) -> \"幸福里3号A***\" shows \"幸福里3号A\""),
            "{address}"
        );
        // The issue's own examples.
        assert_eq!(old::mask_name("犇", false), "犇*");
        assert_eq!(old::mask_address("幸福里3号", false), "幸福里3号***");
        assert_eq!(mask_name("犇", false), "***");
        assert_eq!(mask_address("幸福里3号", false), "***");
    }

    #[test]
    fn masked_records_use_the_masks() {
        let now = chrono::Utc::now();
        let mut r = Resident {
            id: ResidentId::new(),
            committee: UnitId::new(),
            grid: None,
            name: "犇".into(),
            phone: Some("13912345678".into()),
            id_number: Some("52020119900307003X".into()),
            address: Some("幸福里3号".into()),
            groups: vec![ResidentGroup::Elderly],
            created_at: now,
            masked: false,
            erased_at: None,
            household: None,
        };
        let m = masked_resident(&r);
        assert!(m.masked);
        assert_eq!(
            (m.name.as_str(), m.phone.as_deref(), m.id_number.as_deref()),
            ("***", Some("139****5678"), Some("520201**********3X"))
        );
        assert_eq!(m.address.as_deref(), Some("***"));
        r.groups.push(ResidentGroup::LeftBehindChild);
        r.name = "刘小明".into();
        let m = masked_resident(&r);
        assert_eq!(
            (m.name.as_str(), m.phone.as_deref(), m.id_number.as_deref()),
            ("***", Some("***"), Some("***"))
        );
        assert_eq!(resident_for(&r, true), r);
    }
}

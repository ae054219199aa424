//! Input validation at the edge of the core. [`normalize`] checks and tidies every field of
//! a command before anything is read or written: text is trimmed, phone numbers lose their
//! spaces and dashes, ID numbers get an upper-case check letter. A refused value is
//! [`Error::Invalid`] naming the field; error messages never repeat the value.

use crate::command::*;
use crate::error::{Error, Result};
use crate::model::*;
use chrono::{DateTime, Datelike, SubsecRound, TimeZone, Utc};

/// Longest name (people, units, teams, organisations), in characters.
pub const MAX_NAME: usize = 64;
/// Longest title, in characters.
pub const MAX_TITLE: usize = 120;
/// Longest description, commitment or fulfilment note, in characters.
pub const MAX_TEXT: usize = 4000;
/// Longest reason, in characters.
pub const MAX_REASON: usize = 500;
/// Largest amount of money in one value, in fen (100 million yuan).
pub const MAX_FEN: i64 = 10_000_000_000;
/// Largest count in one value (people, participants, items).
pub const MAX_COUNT: u32 = 10_000_000;
/// Most entries in a list (skills, items, evidence).
pub const MAX_LIST: usize = 50;

/// A required single-line or multi-line text: trimmed, not empty, at most `max` characters,
/// no control characters (line breaks and tabs allowed only when `multiline`).
pub fn text(field: &str, value: &mut String, max: usize, multiline: bool) -> Result<()> {
    let t = value.trim();
    if t.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    let n = t.chars().count();
    if n > max {
        return Err(Error::invalid(
            field,
            format!("too long: {n} characters, at most {max}"),
        ));
    }
    if let Some(c) = t.chars().find(|c| {
        (c.is_control() && !(multiline && matches!(c, '\n' | '\t' | '\r'))) || is_bidi_control(*c)
    }) {
        return Err(Error::invalid(
            field,
            format!(
                "contains a control or text-direction character (U+{:04X})",
                c as u32
            ),
        ));
    }
    if t.len() != value.len() {
        *value = t.to_string();
    }
    Ok(())
}

/// Longest text a read filter takes (a search's words, a category code), in characters.
pub const MAX_FILTER: usize = 200;

/// A read filter's text (a library search, a category code): at most [`MAX_FILTER`]
/// characters and no control or text-direction characters. NUL in particular cannot be
/// stored or compared by every backend (PostgreSQL refuses it), so every backend refuses it
/// alike, here, before anything is read.
pub fn filter_text(field: &str, value: Option<&str>) -> Result<()> {
    let Some(v) = value else { return Ok(()) };
    let n = v.chars().count();
    if n > MAX_FILTER {
        return Err(Error::invalid(
            field,
            format!("too long: {n} characters, at most {MAX_FILTER}"),
        ));
    }
    if let Some(c) = v.chars().find(|c| c.is_control() || is_bidi_control(*c)) {
        return Err(Error::invalid(
            field,
            format!(
                "contains a control or text-direction character (U+{:04X})",
                c as u32
            ),
        ));
    }
    Ok(())
}

/// Applies `check` to an optional value; a blank `Some` becomes `None` first.
fn optional(
    field: &str,
    value: &mut Option<String>,
    check: impl FnOnce(&str, &mut String) -> Result<()>,
) -> Result<()> {
    if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
        *value = None;
    }
    match value {
        Some(v) => check(field, v),
        None => Ok(()),
    }
}

/// An optional text: `None` stays `None`; an empty or blank `Some` becomes `None`.
pub fn opt_text(
    field: &str,
    value: &mut Option<String>,
    max: usize,
    multiline: bool,
) -> Result<()> {
    optional(field, value, |f, v| text(f, v, max, multiline))
}

/// A Chinese phone number: a mobile (11 digits, `1[3-9]…`) or a landline with area code
/// (`0` + 9 to 11 digits). Spaces and dashes are removed.
pub fn phone(field: &str, value: &mut String) -> Result<()> {
    let cleaned: String = value.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if cleaned.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if !cleaned.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid(
            field,
            "must contain only digits, spaces and dashes",
        ));
    }
    let b = cleaned.as_bytes();
    let mobile = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
    let landline = b[0] == b'0' && (10..=12).contains(&b.len());
    if !(mobile || landline) {
        return Err(Error::invalid(
            field,
            "not a mobile number (11 digits starting 13–19) or a landline with area code",
        ));
    }
    *value = cleaned;
    Ok(())
}

/// An optional phone number (blank becomes `None`).
pub fn opt_phone(field: &str, value: &mut Option<String>) -> Result<()> {
    optional(field, value, phone)
}

/// A resident ID number (GB 11643): 17 digits, a valid birth date, and the ISO 7064 MOD 11-2
/// check character (`0`–`9` or `X`).
pub fn id_number(field: &str, value: &mut String) -> Result<()> {
    let v = value.trim().to_ascii_uppercase();
    let b = v.as_bytes();
    if b.len() != 18 {
        return Err(Error::invalid(field, "must have 18 characters"));
    }
    if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
        return Err(Error::invalid(
            field,
            "must be 17 digits and a check digit or X",
        ));
    }
    let digits = |r: std::ops::Range<usize>| v[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (digits(6..10), digits(10..12), digits(12..14));
    if y < 1900 || chrono::NaiveDate::from_ymd_opt(y as i32, m, d).is_none() {
        return Err(Error::invalid(field, "has an impossible birth date"));
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    if CHECK[(sum % 11) as usize] != b[17] {
        return Err(Error::invalid(field, "check digit does not match"));
    }
    *value = v;
    Ok(())
}

/// An optional ID number (blank becomes `None`).
pub fn opt_id_number(field: &str, value: &mut Option<String>) -> Result<()> {
    optional(field, value, id_number)
}

/// Money in fen: 0 to [`MAX_FEN`].
pub fn fen(field: &str, value: i64) -> Result<()> {
    if value < 0 {
        return Err(Error::invalid(field, "must not be negative"));
    }
    if value > MAX_FEN {
        return Err(Error::invalid(field, format!("at most {MAX_FEN} fen")));
    }
    Ok(())
}

/// A count: at most [`MAX_COUNT`].
pub fn count(field: &str, value: u32) -> Result<()> {
    if value > MAX_COUNT {
        return Err(Error::invalid(field, format!("at most {MAX_COUNT}")));
    }
    Ok(())
}

/// A taxonomy code: 1–40 of `a-z`, `0-9`, `_`, starting with a letter.
pub fn code(field: &str, value: &mut String) -> Result<()> {
    let v = value.trim();
    let ok = !v.is_empty()
        && v.len() <= 40
        && v.starts_with(|c: char| c.is_ascii_lowercase())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(Error::invalid(
            field,
            "must be 1–40 lowercase letters, digits or _, starting with a letter",
        ));
    }
    *value = v.to_string();
    Ok(())
}

fn list<T>(
    field: &str,
    items: &mut [T],
    mut each: impl FnMut(&str, &mut T) -> Result<()>,
) -> Result<()> {
    if items.len() > MAX_LIST {
        return Err(Error::invalid(field, format!("at most {MAX_LIST} entries")));
    }
    for (i, it) in items.iter_mut().enumerate() {
        each(&format!("{field}[{i}]"), it)?;
    }
    Ok(())
}

/// A point on the map: latitude and longitude within their ranges.
pub fn point(field: &str, p: &Option<GeoPoint>) -> Result<()> {
    let Some(p) = p else { return Ok(()) };
    if !(-90_000_000..=90_000_000).contains(&p.lat_e6) {
        return Err(Error::invalid(
            format!("{field}.lat_e6"),
            "must be -90000000 to 90000000",
        ));
    }
    if !(-180_000_000..=180_000_000).contains(&p.lon_e6) {
        return Err(Error::invalid(
            format!("{field}.lon_e6"),
            "must be -180000000 to 180000000",
        ));
    }
    Ok(())
}

/// Most lines in a roster.
pub const MAX_ROSTER: usize = 500;

/// A roster: each line a member (one person) or non-member helpers counted together (1 to
/// [`MAX_COUNT`] people), minutes 1 to 1440, sign-in and sign-out together, sign-out after
/// sign-in and the minutes within them; no member twice. Times are truncated like every
/// stored time.
pub fn roster(field: &str, lines: &mut [RosterLine]) -> Result<()> {
    if lines.len() > MAX_ROSTER {
        return Err(Error::invalid(field, format!("at most {MAX_ROSTER} lines")));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, l) in lines.iter_mut().enumerate() {
        let f = format!("{field}[{i}]");
        match (l.member, l.helper) {
            (Some(m), None) => {
                if l.people != 1 {
                    return Err(Error::invalid(
                        format!("{f}.people"),
                        "must be 1 for a member",
                    ));
                }
                if !seen.insert(m) {
                    return Err(Error::invalid(
                        format!("{f}.member"),
                        "names a member already on the roster",
                    ));
                }
            }
            (None, Some(_)) => {
                if l.people == 0 {
                    return Err(Error::invalid(format!("{f}.people"), "must be at least 1"));
                }
                count(&format!("{f}.people"), l.people)?;
            }
            _ => {
                return Err(Error::invalid(
                    f,
                    "must name either a member or a kind of helper",
                ))
            }
        }
        if l.minutes == 0 || l.minutes > 24 * 60 {
            return Err(Error::invalid(format!("{f}.minutes"), "must be 1 to 1440"));
        }
        match (l.signed_in.as_mut(), l.signed_out.as_mut()) {
            (None, None) => {}
            (Some(a), Some(b)) => {
                time(&format!("{f}.signed_in"), a)?;
                time(&format!("{f}.signed_out"), b)?;
                if *b <= *a {
                    return Err(Error::invalid(
                        format!("{f}.signed_out"),
                        "must be after signed_in",
                    ));
                }
                if (*b - *a).num_minutes() < i64::from(l.minutes) {
                    return Err(Error::invalid(
                        format!("{f}.minutes"),
                        "more than the time between signing in and out",
                    ));
                }
            }
            (None, Some(_)) => {
                return Err(Error::invalid(
                    format!("{f}.signed_in"),
                    "must be given with signed_out",
                ))
            }
            (Some(_), None) => {
                return Err(Error::invalid(
                    format!("{f}.signed_out"),
                    "must be given with signed_in",
                ))
            }
        }
    }
    Ok(())
}

/// A figure a roster determines: given as 0 it becomes the roster's figure; any other value
/// must equal it. Without a roster the given value stands.
fn from_roster(field: &str, given: &mut u32, of_roster: u64) -> Result<()> {
    let Ok(of_roster) = u32::try_from(of_roster) else {
        return Err(Error::invalid(field, "the roster's total is too large"));
    };
    if *given == 0 {
        *given = of_roster;
    } else if *given != of_roster {
        return Err(Error::invalid(field, "differs from the roster's total"));
    }
    Ok(())
}

fn groups(field: &str, g: &mut Vec<ResidentGroup>) -> Result<()> {
    if g.is_empty() {
        return Err(Error::invalid(field, "at least one group"));
    }
    g.sort();
    g.dedup();
    Ok(())
}

fn fulfilment(f: &mut Fulfilment) -> Result<()> {
    fen("fulfilment.money_fen", f.money_fen)?;
    count("fulfilment.people_served", f.people_served)?;
    if f.minutes > 1_000_000 {
        return Err(Error::invalid("fulfilment.minutes", "at most 1000000"));
    }
    list("fulfilment.items", &mut f.items, |field, item| {
        if item.count == 0 {
            return Err(Error::invalid(
                format!("{field}.count"),
                "must be at least 1",
            ));
        }
        count(&format!("{field}.count"), item.count)?;
        text(
            &format!("{field}.description"),
            &mut item.description,
            MAX_TITLE,
            false,
        )
    })?;
    list("fulfilment.evidence", &mut f.evidence, |field, e| {
        text(field, e, MAX_REASON, false)
    })?;
    if !f.note.trim().is_empty() {
        text("fulfilment.note", &mut f.note, MAX_TEXT, true)?;
    } else {
        f.note.clear();
    }
    roster("fulfilment.roster", &mut f.roster)?;
    if !f.roster.is_empty() {
        from_roster(
            "fulfilment.minutes",
            &mut f.minutes,
            roster_minutes(&f.roster),
        )?;
    }
    Ok(())
}

/// A valid ID number's birth date must not lie after `today`.
pub fn born_by(field: &str, id: &Option<String>, today: chrono::NaiveDate) -> Result<()> {
    let Some(v) = id else { return Ok(()) };
    let born = v
        .get(6..14)
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y%m%d").ok());
    match born {
        Some(b) if b > today => Err(Error::invalid(field, "has a birth date in the future")),
        _ => Ok(()),
    }
}

/// Truncates a time to whole microseconds: the precision every backend stores exactly.
pub fn to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// A point in time: between the years 1900 and 9999 (so every backend stores it, and its
/// text form sorts in time order), truncated to microseconds.
pub fn time(field: &str, t: &mut DateTime<Utc>) -> Result<()> {
    if !(1900..=9999).contains(&t.year()) {
        return Err(Error::invalid(
            field,
            "must lie between the years 1900 and 9999",
        ));
    }
    *t = to_micros(*t);
    Ok(())
}

/// A time given in a query filter: truncated to microseconds and clamped into the years
/// 1900–9999, so every backend compares it the same way.
pub fn filter_time(t: DateTime<Utc>) -> DateTime<Utc> {
    let lo = Utc
        .with_ymd_and_hms(1900, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(t);
    let hi = Utc
        .with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
        .single()
        .map_or(t, |h| h + chrono::Duration::microseconds(999_999));
    to_micros(t.clamp(lo, hi))
}

/// Checks and tidies every field of `cmd` that can be checked without reading the store.
/// `now` is the Hub's clock, for checks against today's date.
pub fn normalize(cmd: &mut Command, now: DateTime<Utc>) -> Result<()> {
    fields(cmd)?;
    let today = now.date_naive();
    match cmd {
        Command::IssueCertificate(c) => {
            time("deadline", &mut c.deadline)?;
            born_by("id_number", &c.id_number, today)
        }
        Command::RegisterResident(c) => born_by("id_number", &c.id_number, today),
        Command::UpdateResident(c) => born_by("id_number", &c.id_number, today),
        Command::ReissueCertificate(c) => time("deadline", &mut c.deadline),
        Command::DraftNeed(c) => {
            if let Some(r) = c.recurrence {
                if !(2..=520).contains(&r.times) {
                    return Err(Error::invalid("recurrence.times", "must be 2 to 520"));
                }
            }
            time("wanted_by", &mut c.wanted_by)
        }
        Command::ClaimNeed(c) => time("promised_by", &mut c.promised_by),
        Command::OfferNeed(c) => time("expires_at", &mut c.expires_at),
        Command::AcceptOffer(c) => time("promised_by", &mut c.promised_by),
        Command::ExtendClaim(c) => time("promised_by", &mut c.promised_by),
        Command::RecordFeedback(c) => match c.wanted_by.as_mut() {
            Some(t) => time("wanted_by", t),
            None => Ok(()),
        },
        Command::LogHours(c) => time("served_at", &mut c.served_at),
        Command::RecordActivity(c) => time("held_at", &mut c.held_at),
        _ => Ok(()),
    }
}

/// The most days a year of the working calendar lists as holidays or as working weekends.
pub const MAX_CALENDAR_DAYS: usize = 120;

/// A year of the working calendar: the year in range; every date in it, listed once; no
/// holiday also a working weekend, and every working weekend a Saturday or Sunday.
fn calendar(
    year: i32,
    holidays: &[chrono::NaiveDate],
    working_weekends: &[chrono::NaiveDate],
) -> Result<()> {
    use chrono::{Datelike, Weekday};
    if !(2000..=2100).contains(&year) {
        return Err(Error::invalid("year", "must be 2000 to 2100"));
    }
    for (field, days) in [
        ("holidays", holidays),
        ("working_weekends", working_weekends),
    ] {
        if days.len() > MAX_CALENDAR_DAYS {
            return Err(Error::invalid(field, "lists more than 120 days"));
        }
        for (i, d) in days.iter().enumerate() {
            let at = || format!("{field}[{i}]");
            // A notice may reach into the December before or the January after.
            let near = match d.year() - year {
                0 => true,
                -1 => d.month() == 12,
                1 => d.month() == 1,
                _ => false,
            };
            if !near {
                return Err(Error::invalid(
                    at(),
                    "is not in the year (or the December before, the January after)",
                ));
            }
            if days[..i].contains(d) {
                return Err(Error::invalid(at(), "is listed twice"));
            }
        }
    }
    for (i, d) in working_weekends.iter().enumerate() {
        let at = format!("working_weekends[{i}]");
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            return Err(Error::invalid(at, "is not a Saturday or Sunday"));
        }
        if holidays.contains(d) {
            return Err(Error::invalid(at, "is also a holiday"));
        }
    }
    Ok(())
}

/// Characters that reorder text on screen (bidi embeddings, overrides and isolates): refused
/// in every text, since they can make a name or title display as something else.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn fields(cmd: &mut Command) -> Result<()> {
    match cmd {
        Command::CreateUnit(c) => text("name", &mut c.name, MAX_NAME, false),
        Command::RegisterWorkUnit(c) => {
            text("name", &mut c.name, MAX_NAME, false)?;
            text(
                "party_organisation",
                &mut c.party_organisation,
                MAX_NAME,
                false,
            )
        }
        Command::RegisterOrganisation(c) => {
            text("name", &mut c.name, MAX_NAME, false)?;
            text("contact_name", &mut c.contact_name, MAX_NAME, false)?;
            phone("contact_phone", &mut c.contact_phone)
        }
        Command::DefineCategory(c) => {
            code("code", &mut c.code)?;
            text("name_zh", &mut c.name_zh, MAX_NAME, false)?;
            text("name_en", &mut c.name_en, MAX_NAME, false)
        }
        Command::IssueCertificate(c) => {
            text("name", &mut c.name, MAX_NAME, false)?;
            opt_phone("phone", &mut c.phone)?;
            opt_id_number("id_number", &mut c.id_number)?;
            text("number", &mut c.number, MAX_NAME, false)
        }
        Command::ReissueCertificate(c) => text("number", &mut c.number, MAX_NAME, false),
        Command::ReportMember(c) => {
            text("commitment", &mut c.commitment, MAX_TEXT, true)?;
            list("skills", &mut c.skills, |f, s| text(f, s, MAX_NAME, false))?;
            c.skills.dedup();
            Ok(())
        }
        Command::AcceptReport(c) => opt_text("note", &mut c.note, MAX_REASON, true),
        Command::ReturnReport(c) => text("reason", &mut c.reason, MAX_REASON, true),
        Command::RegisterResident(c) => {
            text("name", &mut c.name, MAX_NAME, false)?;
            opt_phone("phone", &mut c.phone)?;
            opt_id_number("id_number", &mut c.id_number)?;
            opt_text("address", &mut c.address, MAX_TITLE, false)?;
            groups("groups", &mut c.groups)
        }
        Command::UpdateResident(c) => {
            text("name", &mut c.name, MAX_NAME, false)?;
            opt_phone("phone", &mut c.phone)?;
            opt_id_number("id_number", &mut c.id_number)?;
            opt_text("address", &mut c.address, MAX_TITLE, false)?;
            groups("groups", &mut c.groups)
        }
        Command::DraftNeed(c) => {
            opt_text("institution", &mut c.institution, MAX_NAME, false)?;
            match (c.resident.is_some(), c.institution.is_some()) {
                (true, true) => {
                    return Err(Error::invalid(
                        "institution",
                        "give a resident or an institution, not both",
                    ))
                }
                (false, false) => {
                    return Err(Error::invalid(
                        "resident",
                        "give a resident or an institution",
                    ))
                }
                (false, true) if !c.beneficiaries.is_empty() => {
                    return Err(Error::invalid(
                        "beneficiaries",
                        "an institution's need has no further beneficiaries",
                    ))
                }
                _ => {}
            }
            text("title", &mut c.title, MAX_TITLE, false)?;
            text("description", &mut c.description, MAX_TEXT, true)?;
            code("category", &mut c.category)?;
            opt_text("place", &mut c.place, MAX_TITLE, false)?;
            point("location", &c.location)?;
            fen("estimated_cost_fen", c.estimated_cost_fen)
        }
        Command::RejectNeed(c) => text("reason", &mut c.reason, MAX_REASON, true),
        Command::WithdrawNeed(c) => text("reason", &mut c.reason, MAX_REASON, true),
        Command::ReleaseClaim(c) => text("reason", &mut c.reason, MAX_REASON, true),
        Command::SendBackClaim(c) => text("reason", &mut c.reason, MAX_REASON, true),
        Command::CompleteClaim(c) => fulfilment(&mut c.fulfilment),
        Command::FormTeam(c) => text("name", &mut c.name, MAX_NAME, false),
        Command::LogHours(c) => {
            if c.minutes == 0 || c.minutes > 24 * 60 {
                return Err(Error::invalid("minutes", "must be 1 to 1440"));
            }
            text("description", &mut c.description, MAX_TEXT, true)
        }
        Command::RejectHours(c) => text("reason", &mut c.reason, MAX_REASON, true),
        Command::RecordActivity(c) => {
            text("title", &mut c.title, MAX_TITLE, false)?;
            opt_text("place", &mut c.place, MAX_TITLE, false)?;
            point("location", &c.location)?;
            roster("roster", &mut c.roster)?;
            if !c.roster.is_empty() {
                from_roster(
                    "participants",
                    &mut c.participants,
                    roster_person_times(&c.roster),
                )?;
            }
            count("participants", c.participants)?;
            count("people_reached", c.people_reached)
        }
        Command::AssignRole(c) => text("scope", &mut c.scope, MAX_NAME, false),
        Command::EndPairing(c) => text("reason", &mut c.reason, MAX_REASON, true),
        Command::OfferNeed(c) => opt_text("note", &mut c.note, MAX_REASON, true),
        Command::DeclineOffer(c) => text("reason", &mut c.reason, MAX_REASON, true),
        Command::AcceptOffer(_) | Command::LapseOffer(_) => Ok(()),
        Command::RegisterHousehold(_) | Command::SetHousehold(_) => Ok(()),
        Command::NextOccurrence(_) | Command::IssueServiceCertificate(_) => Ok(()),
        Command::RequestCorrection(c) => text("reason", &mut c.reason, MAX_REASON, true),
        Command::AnswerCorrection(c) => text("answer", &mut c.answer, MAX_REASON, true),
        Command::SetWorkingCalendar(c) => calendar(c.year, &c.holidays, &c.working_weekends),
        Command::SubmitNeed(_)
        | Command::PublishNeed(_)
        | Command::ExpireNeed(_)
        | Command::RecordFeedback(_)
        | Command::ClaimNeed(_)
        | Command::StartWork(_)
        | Command::ExtendClaim(_)
        | Command::VerifyClaim(_)
        | Command::WarnClaimDue(_)
        | Command::LapseClaim(_)
        | Command::AppointCaptain(_)
        | Command::JoinTeam(_)
        | Command::LeaveTeam(_)
        | Command::ApproveHours(_)
        | Command::EndRole(_)
        | Command::StartPairing(_)
        | Command::EraseResident(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_need_a_valid_check_digit_and_date() {
        let mut ok = "52020119900307003x".to_string();
        id_number("id", &mut ok).unwrap();
        assert_eq!(ok, "52020119900307003X");
        let mut bad = "520201199003070011".to_string();
        assert!(matches!(
            id_number("id", &mut bad),
            Err(Error::Invalid { .. })
        ));
        let mut bad_date = "520201199013070011".to_string();
        let e = id_number("id", &mut bad_date).unwrap_err();
        assert_eq!(e, Error::invalid("id", "has an impossible birth date"));
    }

    #[test]
    fn phones_are_cleaned_and_checked() {
        let mut p = "138 1234-5678".to_string();
        phone("p", &mut p).unwrap();
        assert_eq!(p, "13812345678");
        for bad in ["12812345678", "1381234567", "abc", "", "0858"] {
            let mut b = bad.to_string();
            assert!(phone("p", &mut b).is_err(), "{bad}");
        }
        let mut land = "0858-8221234".to_string();
        phone("p", &mut land).unwrap();
        assert_eq!(land, "08588221234");
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        let mut t = "  书包 ".to_string();
        text("t", &mut t, 10, false).unwrap();
        assert_eq!(t, "书包");
        let mut blank = " \t ".to_string();
        assert_eq!(
            text("t", &mut blank, 10, false),
            Err(Error::invalid("t", "must not be empty"))
        );
        let mut nul = "a\0b".to_string();
        assert!(text("t", &mut nul, 10, true).is_err());
        let mut long = "字".repeat(11);
        assert!(text("t", &mut long, 10, false).is_err());
        let mut lines = "a\nb".to_string();
        assert!(text("t", &mut lines, 10, false).is_err());
        assert!(text("t", &mut lines, 10, true).is_ok());
    }
}

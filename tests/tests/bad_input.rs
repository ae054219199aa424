//! Bad input at the edge: every command with user-supplied fields is fed values that must be
//! refused, and each refusal is checked three ways:
//! - the error is exactly [`Error::Invalid`] naming the expected field (as named in the
//!   command, e.g. `phone`, `fulfilment.items[0].count`);
//! - nothing was written: the whole store's dump (records and event log) is the
//!   same before and after;
//! - for personal data (names, phones, ID numbers) the error's text does not repeat the value.
//!
//! Every command is run by an actor allowed to run it, so the refusal is about the input, not
//! permissions. The last tests check the positive side of normalisation: trimming, phone
//! clean-up, upper-casing the `X` check digit, blank optional fields becoming `None`, values
//! exactly at the limits, and emoji / Chinese text round-tripping unchanged.

use chrono::{DateTime, Duration, Utc};
use needbridge::command::*;
use needbridge::model::*;
use needbridge::rules::validate::{
    MAX_COUNT, MAX_FEN, MAX_LIST, MAX_NAME, MAX_REASON, MAX_TEXT, MAX_TITLE,
};
use needbridge::{Actor, Error};
use needbridge_acceptance::{id_number, member, staff, t0, Backend, World};

/// One megabyte, in characters (all ASCII, so also in bytes).
const ONE_MB: usize = 1 << 20;

/// A world built on a memory store the test keeps a handle to, so it can compare the whole
/// state before and after a refused command.
struct Bench {
    w: World,
}

/// A fresh fixture world on a fresh store of the backend.
fn bench(b: Backend) -> Bench {
    Bench { w: World::on(b) }
}

/// An error's text, cut short so a failure never prints a megabyte.
fn short(e: &Error) -> String {
    let s = format!("{e:?}");
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s
    }
}

/// A value's description for a failure message, cut short.
fn label(v: &str) -> String {
    if v.chars().count() > 40 {
        format!(
            "<{} chars starting {:?}>",
            v.chars().count(),
            v.chars().take(12).collect::<String>()
        )
    } else {
        format!("{v:?}")
    }
}

impl Bench {
    /// Runs `cmd` as `actor`; asserts it is refused as `Invalid { field }` and that the store
    /// (records and event log) did not change. Returns the error for further checks.
    #[track_caller]
    fn refuse<C: Execute>(&self, actor: &Actor, cmd: C, field: &str, what: &str) -> Error {
        let before = self.w.dump();
        let result = self.w.hub.run(actor, cmd);
        let after = self.w.dump();
        let err = match result {
            Ok(_) => panic!("{what}: expected Invalid {{ field: {field:?} }}, but it was accepted"),
            Err(e) => e,
        };
        match &err {
            Error::Invalid { field: f, .. } => {
                assert_eq!(f, field, "{what}: wrong field in {}", short(&err));
            }
            other => panic!(
                "{what}: expected Invalid {{ field: {field:?} }}, got {}",
                short(other)
            ),
        }
        assert!(
            before == after,
            "{what}: a refused command changed the store (field {field:?})"
        );
        err
    }

    /// [`Bench::refuse`] for each value, building the command with `make`.
    #[track_caller]
    fn refuse_each<C: Execute>(
        &self,
        actor: &Actor,
        field: &str,
        values: &[String],
        make: impl Fn(String) -> C,
    ) -> Vec<Error> {
        values
            .iter()
            .map(|v| {
                self.refuse(
                    actor,
                    make(v.clone()),
                    field,
                    &format!("{field} = {}", label(v)),
                )
            })
            .collect()
    }
}

/// Asserts the error's text (and its debug form) does not repeat `value`, nor its trimmed,
/// upper-cased or cleaned-up forms, nor any run of two or more characters between its control
/// characters.
#[track_caller]
fn assert_no_leak(err: &Error, value: &str) {
    let shown = err.to_string();
    let debug = format!("{err:?}");
    let cleaned: String = value.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let mut candidates = vec![
        value.to_string(),
        value.trim().to_string(),
        value.trim().to_ascii_uppercase(),
        cleaned,
    ];
    candidates.extend(
        value
            .split(|c: char| c.is_control())
            .filter(|s| s.trim().chars().count() >= 2)
            .map(|s| s.trim().to_string()),
    );
    for c in candidates.iter().filter(|c| c.chars().count() >= 2) {
        assert!(
            !shown.contains(c.as_str()) && !debug.contains(c.as_str()),
            "error text repeats the submitted value {}: {}",
            label(c),
            short(err)
        );
    }
}

// ------------------------------------------------------------------ bad value sets

/// Values a required single-line text field of at most `max` characters must refuse.
fn bad_line(max: usize) -> Vec<String> {
    vec![
        String::new(),
        "   ".into(),
        " \t \r\n ".into(),
        "\u{3000}\u{3000}".into(), // ideographic spaces only
        "字".repeat(max + 1),
        "a".repeat(max + 1),
        format!("  {}  ", "字".repeat(max + 1)),
        "a".repeat(ONE_MB),
        "张\0三".into(),
        "\0".into(),
        "名字\u{7}".into(),      // BEL
        "a\u{1b}[31mb".into(),   // ESC
        "a\u{7f}b".into(),       // DEL
        "a\u{9b}b".into(),       // C1 CSI
        "张\u{202E}三李".into(), // right-to-left override: displays reordered
        "a\u{2066}b".into(),     // left-to-right isolate
        "第一行\n第二行".into(),
        "a\tb".into(),
        "a\rb".into(),
    ]
}

/// Values a required multi-line text field of at most `max` characters must refuse.
fn bad_text(max: usize) -> Vec<String> {
    vec![
        String::new(),
        "   ".into(),
        "\n\n\t\r\n".into(),
        "\u{3000}".into(),
        "字".repeat(max + 1),
        "a".repeat(max + 1),
        "a".repeat(ONE_MB),
        "第一行\n\0第二行".into(),
        "a\u{1b}b".into(),
        "a\u{7f}b".into(),
        "a\u{8}b".into(),      // backspace
        "书包\u{202D}".into(), // left-to-right override
    ]
}

/// Values an optional text field (where blank means "none") must refuse.
fn bad_opt_text(max: usize, multiline: bool) -> Vec<String> {
    let mut v = vec![
        "字".repeat(max + 1),
        "a".repeat(ONE_MB),
        "a\0b".into(),
        "a\u{1b}b".into(),
    ];
    if !multiline {
        v.push("a\nb".into());
    }
    v
}

/// Malformed phone numbers (mobile: 11 digits `1[3-9]…`; landline: `0` + 9 to 11 digits).
fn bad_phones() -> Vec<String> {
    [
        "12812345678",            // mobile prefix 12
        "11012345678",            // mobile prefix 11
        "23812345678",            // starts with 2
        "1381234567",             // 10 digits
        "138123456789",           // 12 digits
        "+8613812345678",         // country code
        "138abcd5678",            // letters
        "１３８１２３４５６７８", // full-width digits
        "138.1234.5678",          // dots
        "(0858)8221234",          // brackets
        "0858",                   // area code only
        "0858-123",               // landline too short
        "0858-8221-23456",        // landline too long
        "138\u{0}12345678",       // NUL
        "138 1234 5678 ext 9",    // extension
        "---",                    // nothing but separators
        "- - -",                  // nothing but separators
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Malformed resident ID numbers: wrong check digit, wrong length, impossible birth date,
/// letters in the wrong places.
fn bad_ids() -> Vec<String> {
    let valid = id_number("19900307", 1);
    let wrong_check = {
        let last = valid.chars().last().unwrap();
        let other = if last == '0' { '1' } else { '0' };
        format!("{}{other}", &valid[..17])
    };
    let x_instead = if valid.ends_with('X') {
        format!("{}0", &valid[..17])
    } else {
        format!("{}X", &valid[..17])
    };
    let lower_x_wrong = if valid.ends_with('X') {
        format!("{}1", &valid[..17])
    } else {
        format!("{}x", &valid[..17])
    };
    vec![
        wrong_check,
        x_instead,
        lower_x_wrong,
        valid[..17].to_string(),         // 17 characters
        format!("{valid}0"),             // 19 characters
        "520201900307001".into(),        // the old 15-digit format
        format!(" {} 0 ", &valid[..17]), // 19 characters inside the spaces
        id_number("19901301", 1),        // month 13
        id_number("19900230", 1),        // 30 February
        id_number("19000229", 1),        // 1900 is not a leap year
        id_number("19900000", 1),        // month and day zero
        id_number("18991231", 1),        // before 1900
        "52020119900307001A".into(),
        "5202011990O3070011".into(), // letter O for zero
        "X20201199003070011".into(),
        "一二三四五六".into(),                         // 18 bytes, 6 characters
        "５２０２０１１９９００３０７００１Ｘ".into(), // full-width
        format!("{}\u{0}", &valid[..17]),
    ]
}

/// A valid ID number whose check character is `X`.
fn id_with_x() -> String {
    (0..1000)
        .map(|seq| id_number("19800101", seq))
        .find(|id| id.ends_with('X'))
        .expect("some sequence number gives an X check digit")
}

/// A valid resident registration at committee A, to vary one field at a time.
fn resident_cmd(w: &World) -> RegisterResident {
    RegisterResident {
        committee: w.committee_a,
        grid: Some(w.grid_a),
        name: "张三".into(),
        phone: Some("13912340000".into()),
        id_number: Some(id_number("19500101", 7)),
        address: Some("5栋1单元".into()),
        groups: vec![ResidentGroup::Elderly],
        household: None,
    }
}

/// A valid update of `resident_a`, to vary one field at a time.
fn update_cmd(w: &World) -> UpdateResident {
    UpdateResident {
        resident: w.resident_a,
        name: "陈大爷".into(),
        phone: Some("13912345678".into()),
        id_number: Some(id_number("19360815", 1)),
        address: None,
        groups: vec![ResidentGroup::EmptyNestElderly],
    }
}

/// A valid certificate from the fixture's work unit, to vary one field at a time.
fn certificate_cmd(w: &World) -> IssueCertificate {
    IssueCertificate {
        work_unit: w.work_unit,
        name: "钱明".into(),
        phone: Some("13800009999".into()),
        id_number: Some(id_number("19880808", 9)),
        number: "BD-2026-999".into(),
        deadline: t0() + Duration::days(30),
    }
}

/// A valid draft at committee A for `resident_a`, to vary one field at a time.
fn draft_cmd(w: &World) -> DraftNeed {
    DraftNeed {
        committee: w.committee_a,
        grid: Some(w.grid_a),
        resident: Some(w.resident_a),
        institution: None,
        title: "理发".into(),
        description: "上门理发".into(),
        category: "companionship".into(),
        channel: Channel::Family,
        scale: Scale::Individual,
        estimated_cost_fen: 0,
        wanted_by: t0() + Duration::days(20),
        beneficiaries: Vec::new(),
        recurrence: None,
        place: None,
        location: None,
    }
}

/// A valid fulfilment record, to vary one field at a time.
fn fulfilment() -> Fulfilment {
    Fulfilment {
        money_fen: 100,
        items: vec![Item {
            count: 1,
            description: "书包".into(),
        }],
        minutes: 30,
        people_served: 1,
        evidence: vec!["photo-9".into()],
        note: String::new(),
        roster: Vec::new(),
    }
}

/// A valid activity at committee A, to vary one field at a time.
fn activity_cmd(w: &World) -> RecordActivity {
    RecordActivity {
        committee: w.committee_a,
        kind: ActivityKind::Patrol,
        title: "夜间巡逻".into(),
        channel: Channel::Grid,
        team: Some(w.team_a),
        held_at: t0() - Duration::hours(1),
        participants: 5,
        people_reached: 100,
        grid: None,
        place: None,
        roster: Vec::new(),
        location: None,
    }
}

/// Times that are not in the future at the fixture's clock (`t0()`).
fn not_future() -> Vec<DateTime<Utc>> {
    vec![
        t0(),
        t0() - Duration::seconds(1),
        t0() - Duration::days(365),
        DateTime::<Utc>::UNIX_EPOCH,
    ]
}

// ------------------------------------------------------------------ structure

/// `CreateUnit` refuses bad names, and a parent of the wrong level (or none for a
/// non-district).
fn create_unit_refuses_bad_names_and_parents(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    let admin = w.admin();
    b.refuse_each(&admin, "name", &bad_line(MAX_NAME), |name| CreateUnit {
        kind: UnitKind::Grid,
        name,
        parent: Some(w.committee_a),
    });
    for (kind, parent) in [
        (UnitKind::Grid, w.community),
        (UnitKind::Grid, w.grid_a),
        (UnitKind::Committee, w.district),
        (UnitKind::Community, w.committee_a),
        (UnitKind::District, w.district),
    ] {
        b.refuse(
            &admin,
            CreateUnit {
                kind,
                name: "第二网格".into(),
                parent: Some(parent),
            },
            "parent",
            &format!("a {kind} under the wrong parent"),
        );
    }
    b.refuse(
        &Actor::System,
        CreateUnit {
            kind: UnitKind::Community,
            name: "无上级社区".into(),
            parent: None,
        },
        "parent",
        "a community without parent",
    );
}

/// `RegisterWorkUnit` refuses bad names and party-organisation names.
fn register_work_unit_refuses_bad_names(b: Backend) {
    let b = bench(b);
    let admin = b.w.admin();
    b.refuse_each(&admin, "name", &bad_line(MAX_NAME), |name| {
        RegisterWorkUnit {
            name,
            party_organisation: "机关党支部".into(),
        }
    });
    b.refuse_each(
        &admin,
        "party_organisation",
        &bad_line(MAX_NAME),
        |party_organisation| RegisterWorkUnit {
            name: "区民政局".into(),
            party_organisation,
        },
    );
}

/// `RegisterOrganisation` refuses bad names, contact names and phones, and a district that
/// is not a district; contact data never shows in the error.
fn register_organisation_refuses_bad_fields(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    let admin = w.admin();
    let org = |name: String, contact_name: String, contact_phone: String, district| {
        RegisterOrganisation {
            name,
            kind: OrganisationKind::SocialOrganisation,
            contact_name,
            contact_phone,
            district,
        }
    };
    b.refuse_each(&admin, "name", &bad_line(MAX_NAME), |n| {
        org(n, "周主任".into(), "13985009999".into(), w.district)
    });
    let names = bad_line(MAX_NAME);
    for (e, v) in b
        .refuse_each(&admin, "contact_name", &names, |n| {
            org("夕阳红协会".into(), n, "13985009999".into(), w.district)
        })
        .iter()
        .zip(&names)
    {
        assert_no_leak(e, v);
    }
    let mut phones = bad_phones();
    phones.extend([String::new(), "   ".into()]);
    for (e, v) in b
        .refuse_each(&admin, "contact_phone", &phones, |p| {
            org("夕阳红协会".into(), "周主任".into(), p, w.district)
        })
        .iter()
        .zip(&phones)
    {
        assert_no_leak(e, v);
    }
    b.refuse(
        &admin,
        org(
            "夕阳红协会".into(),
            "周主任".into(),
            "13985009999".into(),
            w.community,
        ),
        "district",
        "a community as district",
    );
}

/// `DefineCategory` refuses codes that are not 1–40 of `a-z0-9_` starting with a letter
/// (uppercase, spaces, a leading digit, …) and bad labels.
fn define_category_refuses_bad_codes_and_labels(b: Backend) {
    let b = bench(b);
    let admin = b.w.admin();
    let codes: Vec<String> = [
        "",
        "   ",
        "Food",
        "FOOD",
        "food Aid",
        "food aid",
        "food\taid",
        "1food",
        "9",
        "_food",
        "food-aid",
        "food.aid",
        "食品",
        "café",
        "food\0",
        &"a".repeat(41),
        &"a".repeat(ONE_MB),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    b.refuse_each(&admin, "code", &codes, |code| DefineCategory {
        code,
        name_zh: "食品".into(),
        name_en: "Food".into(),
        parent: None,
        committee: None,
    });
    b.refuse_each(&admin, "name_zh", &bad_line(MAX_NAME), |name_zh| {
        DefineCategory {
            code: "food".into(),
            name_zh,
            name_en: "Food".into(),
            parent: None,
            committee: None,
        }
    });
    b.refuse_each(&admin, "name_en", &bad_line(MAX_NAME), |name_en| {
        DefineCategory {
            code: "food".into(),
            name_zh: "食品".into(),
            name_en,
            parent: None,
            committee: None,
        }
    });
}

// ------------------------------------------------------------------ members

/// `IssueCertificate` refuses bad names, phones, ID numbers, certificate numbers and a
/// deadline that is not in the future; personal data never shows in the error.
fn issue_certificate_refuses_bad_fields(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    let sec = w.secretary();
    let names = bad_line(MAX_NAME);
    let errs = b.refuse_each(&sec, "name", &names, |name| IssueCertificate {
        name,
        ..certificate_cmd(w)
    });
    errs.iter()
        .zip(&names)
        .for_each(|(e, v)| assert_no_leak(e, v));
    let phones = bad_phones();
    let errs = b.refuse_each(&sec, "phone", &phones, |p| IssueCertificate {
        phone: Some(p),
        ..certificate_cmd(w)
    });
    errs.iter()
        .zip(&phones)
        .for_each(|(e, v)| assert_no_leak(e, v));
    let ids = bad_ids();
    let errs = b.refuse_each(&sec, "id_number", &ids, |id| IssueCertificate {
        id_number: Some(id),
        ..certificate_cmd(w)
    });
    errs.iter()
        .zip(&ids)
        .for_each(|(e, v)| assert_no_leak(e, v));
    b.refuse_each(&sec, "number", &bad_line(MAX_NAME), |number| {
        IssueCertificate {
            number,
            ..certificate_cmd(w)
        }
    });
    for deadline in not_future() {
        b.refuse(
            &sec,
            IssueCertificate {
                deadline,
                ..certificate_cmd(w)
            },
            "deadline",
            &format!("deadline {deadline}"),
        );
    }
}

/// `ReissueCertificate` (for a returned member) refuses a bad number and a deadline that is
/// not in the future.
fn reissue_certificate_refuses_bad_number_and_past_deadline(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    w.hub
        .run(
            &w.staff_a(),
            ReturnReport {
                member: w.reported,
                reason: "住址不在本社区".into(),
            },
        )
        .unwrap();
    let sec = w.secretary();
    let later = t0() + Duration::days(30);
    b.refuse_each(&sec, "number", &bad_line(MAX_NAME), |number| {
        ReissueCertificate {
            member: w.reported,
            number,
            deadline: later,
        }
    });
    for deadline in not_future() {
        b.refuse(
            &sec,
            ReissueCertificate {
                member: w.reported,
                number: "BD-2026-100".into(),
                deadline,
            },
            "deadline",
            &format!("deadline {deadline}"),
        );
    }
}

/// `ReportMember` refuses a bad commitment, more than 50 skills, bad skill entries (naming
/// the entry), and a unit that is not a residents' committee.
fn report_member_refuses_bad_commitment_skills_and_committee(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    let me = member(w.certified);
    let report = |commitment: String, skills: Vec<String>, committee| ReportMember {
        member: w.certified,
        committee,
        commitment,
        skills,
    };
    b.refuse_each(&me, "commitment", &bad_text(MAX_TEXT), |c| {
        report(c, vec!["厨师".into()], w.committee_a)
    });
    let too_many: Vec<String> = (0..=MAX_LIST).map(|i| format!("技能{i}")).collect();
    b.refuse(
        &me,
        report("服务".into(), too_many, w.committee_a),
        "skills",
        "51 skills",
    );
    b.refuse(
        &me,
        report("服务".into(), vec!["x".into(); ONE_MB / 8], w.committee_a),
        "skills",
        "131072 skills",
    );
    b.refuse_each(&me, "skills[0]", &bad_line(MAX_NAME), |s| {
        report("服务".into(), vec![s], w.committee_a)
    });
    b.refuse_each(&me, "skills[2]", &bad_line(MAX_NAME), |s| {
        report(
            "服务".into(),
            vec!["厨师".into(), "电工".into(), s],
            w.committee_a,
        )
    });
    for (actor, unit, what) in [
        (me, w.grid_a, "a grid as committee"),
        (me, w.community, "a community as committee"),
        (me, w.district, "a district as committee"),
        (w.staff_a(), w.grid_a, "staff: a grid as committee"),
    ] {
        b.refuse(
            &actor,
            report("服务".into(), vec![], unit),
            "committee",
            what,
        );
    }
}

/// `AcceptReport` refuses a bad note; `ReturnReport` refuses a bad reason.
fn deciding_a_report_refuses_bad_notes_and_reasons(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    let st = w.staff_a();
    let mut notes = bad_opt_text(MAX_REASON, true);
    notes.push("字".repeat(MAX_TEXT + 1));
    b.refuse_each(&st, "note", &notes, |note| AcceptReport {
        member: w.reported,
        note: Some(note),
    });
    b.refuse_each(&st, "reason", &bad_text(MAX_REASON), |reason| {
        ReturnReport {
            member: w.reported,
            reason,
        }
    });
}

// ------------------------------------------------------------------ residents

/// `RegisterResident` refuses bad names, phones, ID numbers, addresses, no groups, a unit
/// that is not a committee, and a grid that is not under the committee; personal data never
/// shows in the error.
fn register_resident_refuses_bad_fields(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    let grid_b = w
        .hub
        .run(
            &w.admin(),
            CreateUnit {
                kind: UnitKind::Grid,
                name: "明湖第一网格".into(),
                parent: Some(w.committee_b),
            },
        )
        .unwrap()
        .id;
    let st = w.staff_a();
    let names = bad_line(MAX_NAME);
    let errs = b.refuse_each(&st, "name", &names, |name| RegisterResident {
        name,
        ..resident_cmd(w)
    });
    errs.iter()
        .zip(&names)
        .for_each(|(e, v)| assert_no_leak(e, v));
    let phones = bad_phones();
    let errs = b.refuse_each(&st, "phone", &phones, |p| RegisterResident {
        phone: Some(p),
        ..resident_cmd(w)
    });
    errs.iter()
        .zip(&phones)
        .for_each(|(e, v)| assert_no_leak(e, v));
    let ids = bad_ids();
    let errs = b.refuse_each(&st, "id_number", &ids, |id| RegisterResident {
        id_number: Some(id),
        ..resident_cmd(w)
    });
    errs.iter()
        .zip(&ids)
        .for_each(|(e, v)| assert_no_leak(e, v));
    let addresses = bad_opt_text(MAX_TITLE, false);
    let errs = b.refuse_each(&st, "address", &addresses, |a| RegisterResident {
        address: Some(a),
        ..resident_cmd(w)
    });
    errs.iter()
        .zip(&addresses)
        .for_each(|(e, v)| assert_no_leak(e, v));
    b.refuse(
        &st,
        RegisterResident {
            groups: vec![],
            ..resident_cmd(w)
        },
        "groups",
        "no groups",
    );
    for (actor, unit, what) in [
        (st, w.grid_a, "a grid as committee"),
        (staff(w.community), w.community, "a community as committee"),
        (staff(w.community), w.grid_a, "community staff: a grid"),
    ] {
        b.refuse(
            &actor,
            RegisterResident {
                committee: unit,
                grid: None,
                ..resident_cmd(w)
            },
            "committee",
            what,
        );
    }
    for (grid, what) in [
        (grid_b, "a grid of committee B"),
        (w.committee_a, "the committee itself"),
        (w.committee_b, "another committee"),
        (w.community, "the community"),
    ] {
        b.refuse(
            &st,
            RegisterResident {
                grid: Some(grid),
                ..resident_cmd(w)
            },
            "grid",
            what,
        );
    }
}

/// `UpdateResident` refuses bad names, phones, ID numbers, addresses and no groups; the
/// resident stays as it was and personal data never shows in the error.
fn update_resident_refuses_bad_fields(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    let st = w.staff_a();
    let names = bad_line(MAX_NAME);
    let errs = b.refuse_each(&st, "name", &names, |name| UpdateResident {
        name,
        ..update_cmd(w)
    });
    errs.iter()
        .zip(&names)
        .for_each(|(e, v)| assert_no_leak(e, v));
    let phones = bad_phones();
    let errs = b.refuse_each(&st, "phone", &phones, |p| UpdateResident {
        phone: Some(p),
        ..update_cmd(w)
    });
    errs.iter()
        .zip(&phones)
        .for_each(|(e, v)| assert_no_leak(e, v));
    let ids = bad_ids();
    let errs = b.refuse_each(&st, "id_number", &ids, |id| UpdateResident {
        id_number: Some(id),
        ..update_cmd(w)
    });
    errs.iter()
        .zip(&ids)
        .for_each(|(e, v)| assert_no_leak(e, v));
    b.refuse_each(&st, "address", &bad_opt_text(MAX_TITLE, false), |a| {
        UpdateResident {
            address: Some(a),
            ..update_cmd(w)
        }
    });
    b.refuse(
        &st,
        UpdateResident {
            groups: vec![],
            ..update_cmd(w)
        },
        "groups",
        "no groups",
    );
}

// ------------------------------------------------------------------ needs

/// `DraftNeed` (by staff and by an accepted member) refuses bad titles, descriptions,
/// category codes (malformed or unknown), negative or huge costs, a wanted-by date not in
/// the future, a resident of another committee, a grid not under the committee and a unit
/// that is not a committee.
fn draft_need_refuses_bad_fields(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    let grid_b = w
        .hub
        .run(
            &w.admin(),
            CreateUnit {
                kind: UnitKind::Grid,
                name: "明湖第一网格".into(),
                parent: Some(w.committee_b),
            },
        )
        .unwrap()
        .id;
    for actor in [w.staff_a(), member(w.member_a)] {
        b.refuse_each(&actor, "title", &bad_line(MAX_TITLE), |title| DraftNeed {
            title,
            ..draft_cmd(w)
        });
        b.refuse_each(&actor, "description", &bad_text(MAX_TEXT), |description| {
            DraftNeed {
                description,
                ..draft_cmd(w)
            }
        });
        let categories: Vec<String> = [
            "",
            "  ",
            "Companionship",
            "COMPANIONSHIP",
            "compan ionship",
            "1companionship",
            "companion-ship",
            "陪伴关爱",
            &"a".repeat(41),
            "no_such_category",
            "companionship2",
            "festival",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        b.refuse_each(&actor, "category", &categories, |category| DraftNeed {
            category,
            ..draft_cmd(w)
        });
        for cost in [-1, -100, i64::MIN, MAX_FEN + 1, i64::MAX] {
            b.refuse(
                &actor,
                DraftNeed {
                    estimated_cost_fen: cost,
                    ..draft_cmd(w)
                },
                "estimated_cost_fen",
                &format!("cost {cost}"),
            );
        }
        for wanted_by in not_future() {
            b.refuse(
                &actor,
                DraftNeed {
                    wanted_by,
                    ..draft_cmd(w)
                },
                "wanted_by",
                &format!("wanted_by {wanted_by}"),
            );
        }
        b.refuse(
            &actor,
            DraftNeed {
                resident: Some(w.resident_b),
                ..draft_cmd(w)
            },
            "resident",
            "a resident held by committee B",
        );
        for (grid, what) in [
            (grid_b, "a grid of committee B"),
            (w.committee_a, "the committee itself"),
            (w.community, "the community"),
        ] {
            b.refuse(
                &actor,
                DraftNeed {
                    grid: Some(grid),
                    ..draft_cmd(w)
                },
                "grid",
                what,
            );
        }
        b.refuse(
            &actor,
            DraftNeed {
                committee: w.grid_a,
                grid: None,
                ..draft_cmd(w)
            },
            "committee",
            "a grid as committee",
        );
    }
}

/// `RejectNeed` and `WithdrawNeed` refuse bad reasons.
fn need_reasons_are_checked(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    let st = w.staff_a();
    b.refuse_each(&st, "reason", &bad_text(MAX_REASON), |reason| RejectNeed {
        need: w.need_submitted,
        reason,
    });
    b.refuse_each(&st, "reason", &bad_text(MAX_REASON), |reason| {
        WithdrawNeed {
            need: w.need_open,
            reason,
        }
    });
}

// ------------------------------------------------------------------ claims

/// `ClaimNeed` refuses a promised date not in the future or after the need's wanted-by
/// date, a member claiming a collective need, and a team of another committee.
fn claim_need_refuses_bad_dates_and_claimants(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    let me = member(w.loner_a);
    let wanted_by = w.hub.need(&w.staff_a(), w.need_open).unwrap().wanted_by;
    let mut dates = not_future();
    dates.extend([
        wanted_by + Duration::seconds(1),
        wanted_by + Duration::days(365),
    ]);
    for promised_by in dates {
        b.refuse(
            &me,
            ClaimNeed {
                need: w.need_open,
                claimant: Claimant::Member(w.loner_a),
                promised_by,
            },
            "promised_by",
            &format!("promised_by {promised_by}"),
        );
    }
    b.refuse(
        &me,
        ClaimNeed {
            need: w.need_collective,
            claimant: Claimant::Member(w.loner_a),
            promised_by: t0() + Duration::days(5),
        },
        "claimant",
        "a member claiming a collective need",
    );
    b.refuse(
        &member(w.captain_a),
        ClaimNeed {
            need: w.need_b,
            claimant: Claimant::Team(w.team_a),
            promised_by: t0() + Duration::days(5),
        },
        "claimant",
        "team A claiming a need of committee B",
    );
}

/// `ExtendClaim` refuses a date that is not later than the current promised date, or not in
/// the future.
fn extend_claim_refuses_earlier_dates(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    let me = member(w.member_a);
    let current = w.hub.claim(&me, w.claim_active).unwrap().promised_by;
    for promised_by in [
        current,
        current - Duration::seconds(1),
        current - Duration::days(5),
        t0(),
        t0() - Duration::days(1),
    ] {
        b.refuse(
            &me,
            ExtendClaim {
                claim: w.claim_active,
                promised_by,
            },
            "promised_by",
            &format!("promised_by {promised_by}"),
        );
    }
    // Past the promised date (not yet lapsed): later than the current date but still past.
    w.clock.set(current + Duration::days(2));
    b.refuse(
        &me,
        ExtendClaim {
            claim: w.claim_active,
            promised_by: current + Duration::days(1),
        },
        "promised_by",
        "later than the current promised date but in the past",
    );
}

/// `ReleaseClaim` (by the claimant) and `SendBackClaim` (by staff) refuse bad reasons.
fn claim_reasons_are_checked(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    b.refuse_each(
        &member(w.member_a),
        "reason",
        &bad_text(MAX_REASON),
        |reason| ReleaseClaim {
            claim: w.claim_active,
            reason,
        },
    );
    b.refuse_each(&w.staff_a(), "reason", &bad_text(MAX_REASON), |reason| {
        SendBackClaim {
            claim: w.claim_done,
            reason,
        }
    });
}

/// `CompleteClaim` refuses a fulfilment with negative or huge money, items with count 0 or
/// over the maximum, more than 50 items or evidence entries, bad item descriptions, bad
/// evidence entries, too many people or minutes, and a bad note.
fn complete_claim_refuses_bad_fulfilment(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    let me = member(w.member_a);
    let complete = |fulfilment: Fulfilment| CompleteClaim {
        claim: w.claim_active,
        fulfilment,
    };
    let item = |count: u32| Item {
        count,
        description: "书包".into(),
    };
    for money in [-1, i64::MIN, MAX_FEN + 1, i64::MAX] {
        b.refuse(
            &me,
            complete(Fulfilment {
                money_fen: money,
                ..fulfilment()
            }),
            "fulfilment.money_fen",
            &format!("money {money}"),
        );
    }
    b.refuse(
        &me,
        complete(Fulfilment {
            items: vec![item(0)],
            ..fulfilment()
        }),
        "fulfilment.items[0].count",
        "item count 0",
    );
    b.refuse(
        &me,
        complete(Fulfilment {
            items: vec![item(2), item(0)],
            ..fulfilment()
        }),
        "fulfilment.items[1].count",
        "second item count 0",
    );
    for count in [MAX_COUNT + 1, u32::MAX] {
        b.refuse(
            &me,
            complete(Fulfilment {
                items: vec![item(count)],
                ..fulfilment()
            }),
            "fulfilment.items[0].count",
            &format!("item count {count}"),
        );
    }
    b.refuse(
        &me,
        complete(Fulfilment {
            items: (0..=MAX_LIST).map(|_| item(1)).collect(),
            ..fulfilment()
        }),
        "fulfilment.items",
        "51 items",
    );
    b.refuse_each(
        &me,
        "fulfilment.items[0].description",
        &bad_line(MAX_TITLE),
        |description| {
            complete(Fulfilment {
                items: vec![Item {
                    count: 1,
                    description,
                }],
                ..fulfilment()
            })
        },
    );
    b.refuse(
        &me,
        complete(Fulfilment {
            evidence: (0..=MAX_LIST).map(|i| format!("photo-{i}")).collect(),
            ..fulfilment()
        }),
        "fulfilment.evidence",
        "51 evidence entries",
    );
    b.refuse_each(&me, "fulfilment.evidence[0]", &bad_line(MAX_REASON), |e| {
        complete(Fulfilment {
            evidence: vec![e],
            ..fulfilment()
        })
    });
    b.refuse_each(&me, "fulfilment.evidence[1]", &bad_line(MAX_REASON), |e| {
        complete(Fulfilment {
            evidence: vec!["photo-1".into(), e],
            ..fulfilment()
        })
    });
    for people in [MAX_COUNT + 1, u32::MAX] {
        b.refuse(
            &me,
            complete(Fulfilment {
                people_served: people,
                ..fulfilment()
            }),
            "fulfilment.people_served",
            &format!("people {people}"),
        );
    }
    for minutes in [1_000_001, u32::MAX] {
        b.refuse(
            &me,
            complete(Fulfilment {
                minutes,
                ..fulfilment()
            }),
            "fulfilment.minutes",
            &format!("minutes {minutes}"),
        );
    }
    let notes: Vec<String> = vec![
        "字".repeat(MAX_TEXT + 1),
        "a".repeat(ONE_MB),
        "完成\0".into(),
        "a\u{1b}b".into(),
    ];
    b.refuse_each(&me, "fulfilment.note", &notes, |note| {
        complete(Fulfilment {
            note,
            ..fulfilment()
        })
    });
}

// ------------------------------------------------------------------ teams, hours, activities

/// `FormTeam` refuses bad names and a unit that is not a committee.
fn form_team_refuses_bad_names_and_non_committees(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    let st = w.staff_a();
    let team = |committee, name: String| FormTeam {
        committee,
        kind: TeamKind::LegalAid,
        name,
        channel: Channel::Community,
        grid: None,
    };
    b.refuse_each(&st, "name", &bad_line(MAX_NAME), |n| team(w.committee_a, n));
    b.refuse(
        &st,
        team(w.grid_a, "法律援助队".into()),
        "committee",
        "a grid as committee",
    );
    b.refuse(
        &staff(w.community),
        team(w.community, "法律援助队".into()),
        "committee",
        "a community as committee",
    );
}

/// `LogHours` refuses 0 or more than 1440 minutes, a bad description and a service time in
/// the future.
fn log_hours_refuses_bad_minutes_text_and_future_times(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    let me = member(w.member_a);
    let log = |minutes, description: String, served_at| LogHours {
        member: w.member_a,
        served_at,
        minutes,
        description,
        pairing: None,
    };
    let past = t0() - Duration::hours(3);
    for minutes in [0, 1441, 24 * 60 * 7, u32::MAX] {
        b.refuse(
            &me,
            log(minutes, "陪老人散步".into(), past),
            "minutes",
            &format!("minutes {minutes}"),
        );
    }
    b.refuse_each(&me, "description", &bad_text(MAX_TEXT), |d| {
        log(60, d, past)
    });
    for served_at in [
        t0() + Duration::seconds(1),
        t0() + Duration::days(1),
        t0() + Duration::days(3650),
    ] {
        b.refuse(
            &me,
            log(60, "陪老人散步".into(), served_at),
            "served_at",
            &format!("served_at {served_at}"),
        );
    }
}

/// `RejectHours` refuses bad reasons.
fn reject_hours_refuses_bad_reasons(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    b.refuse_each(&w.staff_a(), "reason", &bad_text(MAX_REASON), |reason| {
        RejectHours {
            hours: w.hours_pending,
            reason,
        }
    });
}

/// `RecordActivity` (by staff and by the team's captain) refuses bad titles, counts over the
/// maximum, a time in the future, a team of another committee and a unit that is not a
/// committee.
fn record_activity_refuses_bad_fields(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    for actor in [w.staff_a(), member(w.captain_a)] {
        b.refuse_each(&actor, "title", &bad_line(MAX_TITLE), |title| {
            RecordActivity {
                title,
                ..activity_cmd(w)
            }
        });
        for n in [MAX_COUNT + 1, u32::MAX] {
            b.refuse(
                &actor,
                RecordActivity {
                    participants: n,
                    ..activity_cmd(w)
                },
                "participants",
                &format!("participants {n}"),
            );
            b.refuse(
                &actor,
                RecordActivity {
                    people_reached: n,
                    ..activity_cmd(w)
                },
                "people_reached",
                &format!("people_reached {n}"),
            );
        }
        for held_at in [t0() + Duration::seconds(1), t0() + Duration::days(30)] {
            b.refuse(
                &actor,
                RecordActivity {
                    held_at,
                    ..activity_cmd(w)
                },
                "held_at",
                &format!("held_at {held_at}"),
            );
        }
    }
    // Only staff: team A's captain may not record for committee A with team B at all, which
    // is a permission matter, not an input one.
    b.refuse(
        &w.staff_a(),
        RecordActivity {
            team: Some(w.team_b),
            ..activity_cmd(w)
        },
        "team",
        "a team of committee B",
    );
    b.refuse(
        &w.staff_a(),
        RecordActivity {
            committee: w.grid_a,
            team: None,
            ..activity_cmd(w)
        },
        "committee",
        "a grid as committee",
    );
}

// ------------------------------------------------------------------ roles, pairings

/// `AssignRole` refuses a bad scope.
fn assign_role_refuses_bad_scope(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    b.refuse_each(&w.staff_a(), "scope", &bad_line(MAX_NAME), |scope| {
        AssignRole {
            member: w.loner_a,
            kind: RoleKind::CourtyardHead,
            scope,
            grid: None,
        }
    });
}

/// `EndPairing` refuses bad reasons.
fn end_pairing_refuses_bad_reasons(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    b.refuse_each(&w.staff_a(), "reason", &bad_text(MAX_REASON), |reason| {
        EndPairing {
            pairing: w.pairing,
            reason,
        }
    });
}

/// An ID number whose birth date lies in the future is as impossible as 30 February.
fn id_number_born_in_the_future_is_refused(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    for birth in ["29990101", "21000101"] {
        let id = id_number(birth, 1);
        let e = b.refuse(
            &w.staff_a(),
            RegisterResident {
                id_number: Some(id.clone()),
                ..resident_cmd(w)
            },
            "id_number",
            &format!("born {birth}"),
        );
        assert_no_leak(&e, &id);
    }
}

// ------------------------------------------------------------------ leaks, explicitly

/// Errors about personal data name the field and a general reason, never the value: checked
/// here on values that look most like real data, across every command that carries them.
fn errors_do_not_repeat_personal_data(b: Backend) {
    let b = bench(b);
    let w = &b.w;
    let st = w.staff_a();
    let phone = "139-8500-12"; // a real-looking number, one digit short
    let id = {
        let v = id_number("19560412", 42);
        let last = if v.ends_with('7') { '8' } else { '7' };
        format!("{}{last}", &v[..17])
    };
    let name = format!("王秀英{}", "英".repeat(MAX_NAME));
    let ctrl_name = "王秀英\u{0}";
    let cases: Vec<(Error, &str)> = vec![
        (
            b.refuse(
                &st,
                RegisterResident {
                    phone: Some(phone.into()),
                    ..resident_cmd(w)
                },
                "phone",
                "resident phone",
            ),
            phone,
        ),
        (
            b.refuse(
                &st,
                RegisterResident {
                    id_number: Some(id.clone()),
                    ..resident_cmd(w)
                },
                "id_number",
                "resident id",
            ),
            &id,
        ),
        (
            b.refuse(
                &st,
                RegisterResident {
                    name: name.clone(),
                    ..resident_cmd(w)
                },
                "name",
                "resident name",
            ),
            &name,
        ),
        (
            b.refuse(
                &st,
                UpdateResident {
                    name: ctrl_name.into(),
                    ..update_cmd(w)
                },
                "name",
                "resident name with NUL",
            ),
            ctrl_name,
        ),
        (
            b.refuse(
                &w.secretary(),
                IssueCertificate {
                    phone: Some(phone.into()),
                    ..certificate_cmd(w)
                },
                "phone",
                "member phone",
            ),
            phone,
        ),
        (
            b.refuse(
                &w.secretary(),
                IssueCertificate {
                    id_number: Some(id.clone()),
                    ..certificate_cmd(w)
                },
                "id_number",
                "member id",
            ),
            &id,
        ),
        (
            b.refuse(
                &w.secretary(),
                IssueCertificate {
                    name: ctrl_name.into(),
                    ..certificate_cmd(w)
                },
                "name",
                "member name",
            ),
            ctrl_name,
        ),
        (
            b.refuse(
                &w.admin(),
                RegisterOrganisation {
                    name: "夕阳红协会".into(),
                    kind: OrganisationKind::SocialOrganisation,
                    contact_name: "周主任".into(),
                    contact_phone: phone.into(),
                    district: w.district,
                },
                "contact_phone",
                "contact phone",
            ),
            phone,
        ),
    ];
    for (e, v) in &cases {
        assert_no_leak(e, v);
    }
}

// ------------------------------------------------------------------ normalisation

/// Surrounding whitespace (ASCII and ideographic) is trimmed in the stored record, for
/// names, titles, descriptions, codes, ID numbers and optional texts.
fn surrounding_whitespace_is_trimmed(b: Backend) {
    let w = World::on(b);
    let st = w.staff_a();
    let id = id_number("19500101", 7);
    let r = w
        .hub
        .run(
            &st,
            RegisterResident {
                name: "  \u{3000}张三\t ".into(),
                id_number: Some(format!("  {id}\n")),
                address: Some(" 5栋1单元  ".into()),
                ..resident_cmd(&w)
            },
        )
        .unwrap();
    let stored = w.hub.resident(&st, r.id).unwrap();
    assert_eq!(stored.name, "张三");
    assert_eq!(stored.id_number.as_deref(), Some(id.as_str()));
    assert_eq!(stored.address.as_deref(), Some("5栋1单元"));
    let n = w
        .hub
        .run(
            &st,
            DraftNeed {
                title: "\t 理发 ".into(),
                description: "\n上门理发\n第二行\n\n".into(),
                category: "  companionship ".into(),
                ..draft_cmd(&w)
            },
        )
        .unwrap();
    let stored = w.hub.need(&st, n.id).unwrap();
    assert_eq!(stored.title, "理发");
    assert_eq!(stored.description, "上门理发\n第二行");
    assert_eq!(stored.category, "companionship");
    let k = w
        .hub
        .run(
            &w.admin(),
            DefineCategory {
                code: " food_aid  ".into(),
                name_zh: " 食品援助 ".into(),
                name_en: "  Food aid ".into(),
                parent: None,
                committee: None,
            },
        )
        .unwrap();
    let stored = w
        .hub
        .categories()
        .unwrap()
        .into_iter()
        .find(|c| c.id == k.id)
        .unwrap();
    assert_eq!(
        (
            stored.code.as_str(),
            stored.name_zh.as_str(),
            stored.name_en.as_str()
        ),
        ("food_aid", "食品援助", "Food aid")
    );
    let t = w
        .hub
        .run(
            &st,
            FormTeam {
                committee: w.committee_a,
                kind: TeamKind::LegalAid,
                name: "   法律援助队   ".into(),
                channel: Channel::Community,
                grid: None,
            },
        )
        .unwrap();
    assert_eq!(w.hub.team(&st, t.id).unwrap().name, "法律援助队");
    let m = w
        .hub
        .run(
            &w.secretary(),
            IssueCertificate {
                name: " 钱明 ".into(),
                number: " BD-2026-999 ".into(),
                ..certificate_cmd(&w)
            },
        )
        .unwrap();
    let stored = w.hub.member(&w.secretary(), m.id).unwrap();
    assert_eq!(stored.name, "钱明");
    assert_eq!(stored.certificate.number, "BD-2026-999");
}

/// Spaces and dashes are removed from phone numbers (mobile and landline) before storing.
fn phone_spaces_and_dashes_are_removed(b: Backend) {
    let w = World::on(b);
    let st = w.staff_a();
    for (given, stored) in [
        ("139 1234-5678", "13912345678"),
        (" 139-1234-5678 ", "13912345678"),
        ("0858-822 1234", "08588221234"),
        ("010-12345678", "01012345678"),
    ] {
        let r = w
            .hub
            .run(
                &st,
                RegisterResident {
                    phone: Some(given.into()),
                    ..resident_cmd(&w)
                },
            )
            .unwrap();
        assert_eq!(
            w.hub.resident(&st, r.id).unwrap().phone.as_deref(),
            Some(stored),
            "{given:?}"
        );
    }
    let o = w
        .hub
        .run(
            &w.admin(),
            RegisterOrganisation {
                name: "夕阳红协会".into(),
                kind: OrganisationKind::SocialOrganisation,
                contact_name: "周主任".into(),
                contact_phone: "139 8500-9999".into(),
                district: w.district,
            },
        )
        .unwrap();
    assert_eq!(o.contact_phone, "13985009999");
    let m = w
        .hub
        .run(
            &w.secretary(),
            IssueCertificate {
                phone: Some("138-0000-9999".into()),
                ..certificate_cmd(&w)
            },
        )
        .unwrap();
    assert_eq!(
        w.hub.member(&w.secretary(), m.id).unwrap().phone.as_deref(),
        Some("13800009999")
    );
}

/// A lowercase `x` check character is stored upper-cased.
fn lowercase_x_check_digit_is_upper_cased(b: Backend) {
    let w = World::on(b);
    let st = w.staff_a();
    let id = id_with_x();
    let lower = id.to_ascii_lowercase();
    assert!(lower.ends_with('x'));
    let r = w
        .hub
        .run(
            &st,
            RegisterResident {
                id_number: Some(lower.clone()),
                ..resident_cmd(&w)
            },
        )
        .unwrap();
    assert_eq!(
        w.hub.resident(&st, r.id).unwrap().id_number.as_deref(),
        Some(id.as_str())
    );
    let m = w
        .hub
        .run(
            &w.secretary(),
            IssueCertificate {
                id_number: Some(lower),
                ..certificate_cmd(&w)
            },
        )
        .unwrap();
    assert_eq!(
        w.hub
            .member(&w.secretary(), m.id)
            .unwrap()
            .id_number
            .as_deref(),
        Some(id.as_str())
    );
}

/// Blank optional fields (phone, ID number, address, note) are stored as `None`.
fn blank_optional_fields_become_none(b: Backend) {
    let w = World::on(b);
    let st = w.staff_a();
    let r = w
        .hub
        .run(
            &st,
            RegisterResident {
                phone: Some("   ".into()),
                id_number: Some("\t".into()),
                address: Some("\u{3000} ".into()),
                ..resident_cmd(&w)
            },
        )
        .unwrap();
    let stored = w.hub.resident(&st, r.id).unwrap();
    assert_eq!(
        (stored.phone, stored.id_number, stored.address),
        (None, None, None)
    );
    w.hub
        .run(
            &st,
            AcceptReport {
                member: w.reported,
                note: Some("  \n ".into()),
            },
        )
        .unwrap();
    let ledger = w.hub.ledger(&w.secretary(), w.work_unit).unwrap();
    let entry = ledger.iter().find(|e| e.member == w.reported).unwrap();
    assert_eq!(entry.note, None);
}

/// Emoji (including joined sequences and skin tones) and Chinese text round-trip exactly,
/// and values exactly at the character limits are accepted even when each character takes
/// several bytes.
fn emoji_and_chinese_text_round_trip_exactly(b: Backend) {
    let w = World::on(b);
    let st = w.staff_a();
    let name = "陈大爷👴🏽";
    let r = w
        .hub
        .run(
            &st,
            RegisterResident {
                name: name.into(),
                address: Some("钟山区荷城街道🏠5栋".into()),
                ..resident_cmd(&w)
            },
        )
        .unwrap();
    let stored = w.hub.resident(&st, r.id).unwrap();
    assert_eq!(stored.name, name);
    assert_eq!(stored.address.as_deref(), Some("钟山区荷城街道🏠5栋"));
    let title = "🎒书包 for 小明 👨‍👩‍👧 ❤️";
    let description = "给留守儿童买书包📚\n颜色：蓝色🔵\t尺寸：中号\r\n谢谢！🙏";
    let n = w
        .hub
        .run(
            &st,
            DraftNeed {
                title: title.into(),
                description: description.into(),
                ..draft_cmd(&w)
            },
        )
        .unwrap();
    let stored = w.hub.need(&st, n.id).unwrap();
    assert_eq!(stored.title, title);
    assert_eq!(stored.description, description);
    let long_name = "字".repeat(MAX_NAME);
    let long_title = "😀".repeat(MAX_TITLE);
    let long_text = "鑫".repeat(MAX_TEXT);
    let r = w
        .hub
        .run(
            &st,
            RegisterResident {
                name: format!("  {long_name}  "),
                ..resident_cmd(&w)
            },
        )
        .unwrap();
    assert_eq!(w.hub.resident(&st, r.id).unwrap().name, long_name);
    let n = w
        .hub
        .run(
            &st,
            DraftNeed {
                title: long_title.clone(),
                description: long_text.clone(),
                ..draft_cmd(&w)
            },
        )
        .unwrap();
    let stored = w.hub.need(&st, n.id).unwrap();
    assert_eq!((stored.title, stored.description), (long_title, long_text));
}

/// Values exactly at the numeric and list limits are accepted: cost `MAX_FEN`, 1 and 1440
/// minutes, 50 skills, 50 items and 50 evidence entries, counts of `MAX_COUNT`, a service
/// time of exactly now.
fn values_at_the_limits_are_accepted(b: Backend) {
    let w = World::on(b);
    let st = w.staff_a();
    let n = w
        .hub
        .run(
            &st,
            DraftNeed {
                estimated_cost_fen: MAX_FEN,
                ..draft_cmd(&w)
            },
        )
        .unwrap();
    assert_eq!(n.estimated_cost_fen, MAX_FEN);
    for minutes in [1, 24 * 60] {
        let h = w
            .hub
            .run(
                &member(w.member_a),
                LogHours {
                    member: w.member_a,
                    served_at: t0(),
                    minutes,
                    description: "值班".into(),
                    pairing: None,
                },
            )
            .unwrap();
        assert_eq!(h.minutes, minutes);
    }
    let skills: Vec<String> = (0..MAX_LIST).map(|i| format!("技能{i}")).collect();
    let m = w
        .hub
        .run(
            &member(w.certified),
            ReportMember {
                member: w.certified,
                committee: w.committee_a,
                commitment: "每周服务".into(),
                skills: skills.clone(),
            },
        )
        .unwrap();
    assert_eq!(m.skills, skills);
    let f = Fulfilment {
        money_fen: MAX_FEN,
        items: (0..MAX_LIST)
            .map(|i| Item {
                count: if i == 0 { MAX_COUNT } else { 1 },
                description: format!("物品{i}"),
            })
            .collect(),
        minutes: 1_000_000,
        people_served: MAX_COUNT,
        evidence: (0..MAX_LIST).map(|i| format!("photo-{i}")).collect(),
        note: String::new(),
        roster: Vec::new(),
    };
    let c = w
        .hub
        .run(
            &member(w.member_a),
            CompleteClaim {
                claim: w.claim_active,
                fulfilment: f.clone(),
            },
        )
        .unwrap();
    assert_eq!(c.fulfilment, Some(f));
    let a = w
        .hub
        .run(
            &st,
            RecordActivity {
                held_at: t0(),
                participants: MAX_COUNT,
                people_reached: MAX_COUNT,
                ..activity_cmd(&w)
            },
        )
        .unwrap();
    assert_eq!((a.participants, a.people_reached), (MAX_COUNT, MAX_COUNT));
}

needbridge_acceptance::conformance!(
    create_unit_refuses_bad_names_and_parents,
    register_work_unit_refuses_bad_names,
    register_organisation_refuses_bad_fields,
    define_category_refuses_bad_codes_and_labels,
    issue_certificate_refuses_bad_fields,
    reissue_certificate_refuses_bad_number_and_past_deadline,
    report_member_refuses_bad_commitment_skills_and_committee,
    deciding_a_report_refuses_bad_notes_and_reasons,
    register_resident_refuses_bad_fields,
    update_resident_refuses_bad_fields,
    draft_need_refuses_bad_fields,
    need_reasons_are_checked,
    claim_need_refuses_bad_dates_and_claimants,
    extend_claim_refuses_earlier_dates,
    claim_reasons_are_checked,
    complete_claim_refuses_bad_fulfilment,
    form_team_refuses_bad_names_and_non_committees,
    log_hours_refuses_bad_minutes_text_and_future_times,
    reject_hours_refuses_bad_reasons,
    record_activity_refuses_bad_fields,
    assign_role_refuses_bad_scope,
    end_pairing_refuses_bad_reasons,
    id_number_born_in_the_future_is_refused,
    errors_do_not_repeat_personal_data,
    surrounding_whitespace_is_trimmed,
    phone_spaces_and_dashes_are_removed,
    lowercase_x_check_digit_is_upper_cased,
    blank_optional_fields_become_none,
    emoji_and_chinese_text_round_trip_exactly,
    values_at_the_limits_are_accepted,
);

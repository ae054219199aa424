//! Masking that hides (issue 14, hole 1): residents with names and addresses of every length
//! from 1 to 40 (adults and children), members and organisation contacts, read by every
//! actor who is not entitled through every path — `resident`, `residents`, the committee
//! ledger (rows, CSV, XLSX), the ledger frame, `events_since`, `member`, the work unit's
//! ledger, `organisations` — never show more than the documented part of a value
//! (docs/PERMISSIONS.md, `needbridge::rules::privacy`). Entitled actors still see full values.

use needbridge::command::*;
use needbridge::export::{to_xlsx, ExportOptions, Language, PersonalData};
use needbridge::frame::{Column, FrameKind};
use needbridge::model::*;
use needbridge::report::Period;
use needbridge::store::{Event, Record};
use needbridge::Actor;
use needbridge_acceptance::{id_number, member, staff, Backend, World};
use std::collections::HashSet;
use std::io::Read;

/// One person's original values.
#[derive(Debug, Clone)]
struct Person {
    id: ResidentId,
    /// The need drafted for them.
    need: NeedId,
    name: String,
    phone: Option<String>,
    id_number: Option<String>,
    address: Option<String>,
    child: bool,
}

/// The masked values the documented rules give: (name, phone, ID number, address).
fn expected(p: &Person) -> (String, Option<String>, Option<String>, Option<String>) {
    (
        mask_name(&p.name, p.child),
        p.phone.as_deref().map(|v| mask_phone(v, p.child)),
        p.id_number.as_deref().map(|v| mask_id(v, p.child)),
        p.address.as_ref().map(|_| "***".to_string()),
    )
}

// The rules of docs/PERMISSIONS.md, written out again here (not calling the core) so that a
// change to the core's masks has to be a change to this test too.

fn mask_name(name: &str, child: bool) -> String {
    let first = name.chars().next().unwrap();
    if child || name.chars().count() < 2 {
        "***".into()
    } else {
        format!("{first}**")
    }
}

fn mask_phone(phone: &str, child: bool) -> String {
    if child || phone.len() < 11 {
        "***".into()
    } else {
        format!("{}****{}", &phone[..3], &phone[phone.len() - 4..])
    }
}

fn mask_id(id: &str, child: bool) -> String {
    if child {
        "***".into()
    } else {
        format!("{}**********{}", &id[..6], &id[id.len() - 2..])
    }
}

/// Every pair of adjacent characters in a text, and every character.
struct Grams {
    pairs: HashSet<(char, char)>,
    chars: HashSet<char>,
}

impl Grams {
    fn of(text: &str) -> Grams {
        let c: Vec<char> = text.chars().collect();
        Grams {
            pairs: c.windows(2).map(|w| (w[0], w[1])).collect(),
            chars: c.into_iter().collect(),
        }
    }

    /// A part of `original` the text shows: for a one-character original, the character
    /// itself; otherwise two adjacent characters of it, at least one not ASCII (so that ids,
    /// times and JSON keys cannot match by chance). Any longer run of the original in the
    /// text holds such a pair, so this finds every run of two or more characters.
    fn leak(&self, original: &str) -> Option<String> {
        let c: Vec<char> = original.chars().collect();
        if c.len() == 1 {
            return self.chars.contains(&c[0]).then(|| original.to_string());
        }
        c.windows(2)
            .find(|w| !(w[0].is_ascii() && w[1].is_ascii()) && self.pairs.contains(&(w[0], w[1])))
            .map(|w| w.iter().collect())
    }
}

/// Fails when `text` (a whole export, frame or event feed) holds any part of a person's
/// name or address (two adjacent characters, or a one-character value), or a whole phone
/// or ID number.
fn assert_hides(what: &str, people: &[Person], text: &str) {
    let grams = Grams::of(text);
    for p in people {
        for v in [Some(&p.name), p.address.as_ref()].into_iter().flatten() {
            if let Some(s) = grams.leak(v) {
                panic!("{what} shows {s:?} of {v:?}");
            }
        }
        for v in [&p.phone, &p.id_number].into_iter().flatten() {
            assert!(!text.contains(v.as_str()), "{what} shows {v:?}");
        }
    }
}

/// Fails unless `r` is `p` masked exactly as documented.
fn assert_masked(what: &str, p: &Person, r: &Resident) {
    assert!(r.masked, "{what}: {p:?}");
    let (name, phone, id, address) = expected(p);
    assert_eq!(
        (&r.name, &r.phone, &r.id_number, &r.address),
        (&name, &phone, &id, &address),
        "{what}: {p:?}"
    );
    if p.name.chars().count() == 1 {
        assert!(!r.name.contains(&p.name), "{what}: {p:?}");
    }
}

/// Fails unless `r` is `p` in full.
fn assert_full(what: &str, p: &Person, r: &Resident) {
    assert!(!r.masked, "{what}");
    assert_eq!(
        (&r.name, &r.phone, &r.id_number, &r.address),
        (&p.name, &p.phone, &p.id_number, &p.address),
        "{what}"
    );
}

/// Characters of CJK Extension A, which nothing else in the world uses: `n` of them from
/// `start`.
fn rare(start: usize, n: usize) -> impl Iterator<Item = char> {
    (start..start + n).map(|i| char::from_u32(0x3400 + i as u32).unwrap())
}

/// A valid phone: a 10- or 12-digit landline or an 11-digit mobile, by `k`.
fn phone(k: usize) -> String {
    match k % 3 {
        0 => format!("0858{:06}", 100_000 + k),
        1 => format!("139{:08}", 10_000_000 + k * 7),
        _ => format!("0858{:08}", 10_000_000 + k * 13),
    }
}

/// Registers, at committee A, residents with names and addresses of every length from 1 to
/// 40, adults and children, and the issue's own examples (`犇`, `幸福里3号`); each with a
/// drafted need so that they are in the committee ledger. The first is the example adult.
fn register(w: &World) -> Vec<Person> {
    let mut specs: Vec<(String, Option<String>, bool)> = vec![
        ("犇".into(), Some("幸福里3号".into()), false),
        ("犇".into(), Some("幸福里3号".into()), true),
    ];
    let mut next = 0;
    for len in 1..=40 {
        for child in [false, true] {
            let name: String = if len % 4 == 3 {
                // Mixed: rare characters and ASCII letters.
                rare(next, len)
                    .enumerate()
                    .map(|(i, c)| {
                        if i % 2 == 1 {
                            (b'A' + (i % 26) as u8) as char
                        } else {
                            c
                        }
                    })
                    .collect()
            } else {
                rare(next, len).collect()
            };
            next += len;
            let address: String = rare(next, len)
                .enumerate()
                .map(|(i, c)| {
                    if i % 3 == 2 {
                        char::from(b'0' + (i % 10) as u8)
                    } else {
                        c
                    }
                })
                .collect();
            next += len;
            specs.push((name, Some(address), child));
        }
    }
    specs
        .into_iter()
        .enumerate()
        .map(|(k, (name, address, child))| {
            let groups = if child {
                vec![ResidentGroup::LeftBehindChild]
            } else {
                vec![ResidentGroup::Elderly]
            };
            let phone = Some(phone(k));
            let id_number = Some(id_number(
                if child { "20150304" } else { "19400101" },
                100 + k as u32,
            ));
            let id = w
                .hub
                .run(
                    &w.staff_a(),
                    RegisterResident {
                        committee: w.committee_a,
                        grid: None,
                        name: name.clone(),
                        phone: phone.clone(),
                        id_number: id_number.clone(),
                        address: address.clone(),
                        groups,
                        household: None,
                    },
                )
                .unwrap()
                .id;
            let need = w
                .hub
                .run(
                    &w.staff_a(),
                    DraftNeed {
                        committee: w.committee_a,
                        grid: None,
                        resident: Some(id),
                        institution: None,
                        title: "生活帮扶".into(),
                        description: "居民需求".into(),
                        category: "festival_goods".into(),
                        channel: Channel::Family,
                        scale: Scale::Individual,
                        estimated_cost_fen: 10_000,
                        wanted_by: needbridge_acceptance::t0() + chrono::Duration::days(30),
                        beneficiaries: Vec::new(),
                        recurrence: None,
                        place: None,
                        location: None,
                    },
                )
                .unwrap()
                .id;
            Person {
                id,
                need,
                name,
                phone,
                id_number,
                address,
                child,
            }
        })
        .collect()
}

/// Every event `actor` may read.
fn events(w: &World, actor: &Actor) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::new();
    loop {
        let after = out.last().map_or(0, |e| e.seq);
        let page = w.hub.events_since(actor, after, 1000).unwrap();
        if page.is_empty() {
            return out;
        }
        out.extend(page);
    }
}

/// The text of every file in an XLSX workbook.
fn unzip(xlsx: &[u8]) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut all = String::new();
    for i in 0..z.len() {
        z.by_index(i).unwrap().read_to_string(&mut all).unwrap();
    }
    all
}

fn text_column(f: &needbridge::frame::Frame, name: &str) -> Vec<Option<String>> {
    match f.columns.iter().find(|(n, _)| n == name).map(|(_, c)| c) {
        Some(Column::Text(v)) | Some(Column::Code(v)) => v.clone().into(),
        other => panic!("{name}: {other:?}"),
    }
}

/// Residents of every length, through every read, export, frame and event, for every
/// actor who is not entitled; and in full for those who are.
fn residents_are_masked_at_every_length_everywhere(b: Backend) {
    let w = World::on(b);
    let people = register(&w);
    let by_id = |id: ResidentId| people.iter().find(|p| p.id == id);
    let by_need = |n: NeedId| people.iter().find(|p| p.need == n);

    // The member doing the example's need sees it in full; other members do not.
    let example = &people[0];
    let need = example.need;
    w.hub.run(&w.staff_a(), PublishNeed { need }).unwrap();
    w.hub
        .run(
            &member(w.loner_a),
            ClaimNeed {
                need,
                claimant: Claimant::Member(w.loner_a),
                promised_by: needbridge_acceptance::t0() + chrono::Duration::days(10),
            },
        )
        .unwrap();
    assert_full(
        "the member doing the need",
        example,
        &w.hub.resident(&member(w.loner_a), example.id).unwrap(),
    );

    let unentitled = [
        w.admin(),
        staff(w.committee_b),
        member(w.member_a),
        member(w.member_b),
        w.secretary(),
        w.contact(),
    ];
    // One resident.
    for actor in &unentitled {
        for p in &people {
            let r = w.hub.resident(actor, p.id).unwrap();
            assert_masked(&format!("resident for {actor:?}"), p, &r);
        }
    }
    // Residents of a unit (the admin oversees committee A and the district).
    for unit in [w.committee_a, w.community, w.district] {
        let rs = w.hub.residents(&w.admin(), unit).unwrap();
        for p in &people {
            let r = rs.iter().find(|r| r.id == p.id).unwrap();
            assert_masked("residents for the admin", p, r);
        }
        let json = serde_json::to_string(&rs).unwrap();
        assert_hides("residents for the admin", &people, &json);
    }
    // The committee ledger: masked for the admin, and by default for the staff too.
    for actor in [w.admin(), w.staff_a()] {
        let rows = w
            .hub
            .committee_ledger(&actor, w.committee_a, Period::ALL, PersonalData::Masked)
            .unwrap();
        let mine: Vec<_> = rows
            .iter()
            .filter_map(|r| Some((r, by_need(r.need)?)))
            .collect();
        assert_eq!(mine.len(), people.len());
        for (r, p) in mine {
            assert_eq!(r.resident, mask_name(&p.name, p.child), "ledger {actor:?}");
        }
        assert_hides(
            "ledger rows",
            &people,
            &serde_json::to_string(&rows).unwrap(),
        );
        for language in [Language::Zh, Language::En] {
            let t = w
                .hub
                .committee_ledger_table(
                    &actor,
                    w.committee_a,
                    Period::ALL,
                    ExportOptions {
                        language,
                        personal_data: PersonalData::Masked,
                        ..ExportOptions::default()
                    },
                )
                .unwrap();
            assert_hides("ledger CSV", &people, &t.to_csv(language));
            let xlsx = to_xlsx(&[&t], language).unwrap();
            let xml = unzip(&xlsx);
            assert!(xml.contains("生活帮扶"), "the XLSX is read as text");
            assert_hides("ledger XLSX", &people, &xml);
        }
        // The ledger frame.
        let f = w
            .hub
            .frame(&actor, FrameKind::Ledger, w.committee_a)
            .unwrap();
        let needs = text_column(&f, "need");
        let residents = text_column(&f, "resident");
        let mut mine = 0;
        for (n, r) in needs.iter().zip(&residents) {
            let n: NeedId = n.as_deref().unwrap().parse().unwrap();
            if let Some(p) = by_need(n) {
                assert_eq!(r.as_deref(), Some(mask_name(&p.name, p.child).as_str()));
                mine += 1;
            }
        }
        assert_eq!(mine, people.len());
        assert_hides("ledger frame", &people, &serde_json::to_string(&f).unwrap());
    }
    // The event log, for the district admin (and a neighbour's staff, who see none of it).
    for actor in [w.admin(), staff(w.committee_b)] {
        let es = events(&w, &actor);
        let mut seen = 0;
        for e in &es {
            for r in &e.changes {
                if let Record::Resident(r) = r {
                    if by_id(r.id).is_some() {
                        assert_withheld("an event's record", r);
                        seen += 1;
                    }
                }
            }
            if let Command::RegisterResident(c) = &e.command {
                assert_eq!(
                    (c.name.as_str(), &c.phone, &c.id_number, &c.address),
                    ("", &None, &None, &None),
                    "an event's command"
                );
            }
        }
        if actor == w.admin() {
            assert!(seen >= people.len(), "the admin reads every registration");
        }
        assert_hides("events", &people, &serde_json::to_string(&es).unwrap());
    }

    // Entitled: the holding committee's staff (and the community's), in every read; and
    // in full exports and events.
    for actor in [w.staff_a(), staff(w.community)] {
        for p in &people {
            assert_full("staff", p, &w.hub.resident(&actor, p.id).unwrap());
        }
        let rs = w.hub.residents(&actor, w.committee_a).unwrap();
        for p in &people {
            assert_full("staff list", p, rs.iter().find(|r| r.id == p.id).unwrap());
        }
    }
    let full = w
        .hub
        .committee_ledger(&w.staff_a(), w.committee_a, Period::ALL, PersonalData::Full)
        .unwrap();
    for p in &people {
        assert!(full.iter().any(|r| r.resident == p.name), "{p:?}");
    }
    // The log holds no resident's personal data at all, whoever reads it (ADR 0002).
    for actor in [w.staff_a(), Actor::System] {
        let es = events(&w, &actor);
        for e in &es {
            for r in &e.changes {
                if let Record::Resident(r) = r {
                    assert_withheld("an event's record, read by its committee", r);
                }
            }
        }
        assert_hides("events", &people, &serde_json::to_string(&es).unwrap());
    }
}

/// Fails unless `r` is a resident as the audit log keeps it: personal fields withheld.
fn assert_withheld(what: &str, r: &Resident) {
    assert!(r.masked, "{what}");
    assert_eq!(
        (r.name.as_str(), &r.phone, &r.id_number, &r.address),
        ("", &None, &None, &None),
        "{what}"
    );
}

/// Members' phones and ID numbers and organisation contacts' names and phones, of every
/// kind the validation accepts, masked for those not entitled and in full for those who are.
fn members_and_contacts_are_masked_as_documented(b: Backend) {
    let w = World::on(b);
    let secretary = w.secretary();
    let mut members = Vec::new();
    for k in 0..3 {
        let (p, id) = (phone(k), id_number("19700101", 500 + k as u32));
        let m = w
            .hub
            .run(
                &secretary,
                IssueCertificate {
                    work_unit: w.work_unit,
                    name: format!("党员{k}"),
                    phone: Some(p.clone()),
                    id_number: Some(id.clone()),
                    number: format!("BD-M-{k}"),
                    deadline: needbridge_acceptance::t0() + chrono::Duration::days(30),
                },
            )
            .unwrap()
            .id;
        w.hub
            .run(
                &member(m),
                ReportMember {
                    member: m,
                    committee: w.committee_a,
                    commitment: "服务".into(),
                    skills: vec![],
                },
            )
            .unwrap();
        w.hub
            .run(
                &w.staff_a(),
                AcceptReport {
                    member: m,
                    note: None,
                },
            )
            .unwrap();
        members.push((m, p, id));
    }
    for (m, p, id) in &members {
        for actor in [member(w.member_b), staff(w.committee_b), w.contact()] {
            let got = w.hub.member(&actor, *m).unwrap();
            assert_eq!(
                (got.phone.as_deref(), got.id_number.as_deref()),
                (
                    Some(mask_phone(p, false).as_str()),
                    Some(mask_id(id, false).as_str())
                ),
                "member for {actor:?}"
            );
        }
        for actor in [member(*m), secretary, w.staff_a(), w.admin()] {
            let got = w.hub.member(&actor, *m).unwrap();
            assert_eq!(
                (got.phone.as_ref(), got.id_number.as_ref()),
                (Some(p), Some(id))
            );
        }
    }
    // The work unit's ledger, masked by default even for its secretary.
    let rows = w
        .hub
        .work_unit_ledger(&secretary, w.work_unit, Period::ALL, PersonalData::Masked)
        .unwrap();
    for (m, p, _) in &members {
        let r = rows.iter().find(|r| r.member == *m).unwrap();
        assert_eq!(r.phone.as_deref(), Some(mask_phone(p, false).as_str()));
    }
    // Certificates in the admin's event log: only the work unit sees them in full.
    let mut seen = 0;
    for e in events(&w, &w.admin()) {
        if let Command::IssueCertificate(c) = &e.command {
            if let Some(k) = c.number.strip_prefix("BD-M-") {
                let (_, p, id) = &members[k.parse::<usize>().unwrap()];
                assert_eq!(
                    (c.phone.clone(), c.id_number.clone()),
                    (Some(mask_phone(p, false)), Some(mask_id(id, false)))
                );
                seen += 1;
            }
            let json = serde_json::to_string(c).unwrap();
            for (_, p, id) in &members {
                assert!(!json.contains(p.as_str()) && !json.contains(id.as_str()));
            }
        }
    }
    assert_eq!(seen, members.len());
    // Organisation contacts with a one-character name and a landline, and a longer name.
    let admin = w.admin();
    for (name, phone) in [("犇", "085812345678"), ("欧阳娜娜", "13985004321")] {
        w.hub
            .run(
                &admin,
                RegisterOrganisation {
                    name: format!("{name}的公司"),
                    kind: OrganisationKind::Enterprise,
                    contact_name: name.into(),
                    contact_phone: phone.into(),
                    district: w.district,
                },
            )
            .unwrap();
        for actor in [member(w.member_a), w.staff_a(), secretary, w.contact()] {
            let o = w
                .hub
                .organisations(&actor)
                .unwrap()
                .into_iter()
                .find(|o| o.name == format!("{name}的公司"))
                .unwrap();
            assert_eq!(
                (o.contact_name, o.contact_phone),
                (mask_name(name, false), mask_phone(phone, false)),
                "{actor:?}"
            );
        }
        let o = w
            .hub
            .organisations(&admin)
            .unwrap()
            .into_iter()
            .find(|o| o.name == format!("{name}的公司"))
            .unwrap();
        assert_eq!(
            (o.contact_name.as_str(), o.contact_phone.as_str()),
            (name, phone)
        );
    }
    assert_eq!(mask_name("犇", false), "***");
}

needbridge_acceptance::conformance!(
    residents_are_masked_at_every_length_everywhere,
    members_and_contacts_are_masked_as_documented,
);

//! Volunteer service records and certificates as the Ministry of Civil Affairs' 2020 rules ask
//! of a committee that recruits volunteers: each record holds the activity's name, date, place,
//! content, the hours actually given, the organising unit and the person in charge, and whether
//! it was entered within 10 working days; a member reads their own and asks for corrections;
//! a certificate over a period shows the service time and content with a number anyone can
//! check against the store, and prints as a table (XLSX, CSV).

use chrono::Duration;
use needbridge::command::*;
use needbridge::export::{to_xlsx, ExportOptions, Language};
use needbridge::model::*;
use needbridge::report::Period;
use needbridge::{Error, ErrorKind};
use needbridge_acceptance::{member, staff, Backend, World};

fn patrol(w: &World, held_days_ago: i64, minutes: u32) -> Activity {
    w.hub
        .run(
            &w.staff_a(),
            RecordActivity {
                committee: w.committee_a,
                kind: ActivityKind::Patrol,
                title: "背街小巷夜间巡防".into(),
                channel: Channel::Grid,
                team: Some(w.team_a),
                held_at: w.hub.now() - Duration::days(held_days_ago) - Duration::hours(2),
                participants: 0,
                people_reached: 50,
                grid: None,
                place: Some("凤凰路背街小巷".into()),
                roster: vec![
                    RosterLine::member(w.member_a, minutes),
                    RosterLine::helpers(HelperKind::Resident, 3, 60),
                ],
                location: None,
            },
        )
        .unwrap()
}

fn records_certificates_and_corrections(b: Backend) {
    let w = World::on(b);
    let on_time = patrol(&w, 0, 120);
    let late = patrol(&w, 20, 90);
    w.hub
        .run(
            &w.staff_a(),
            ApproveHours {
                hours: w.hours_pending,
            },
        )
        .unwrap();

    let mine = w
        .hub
        .service_records(&member(w.member_a), w.member_a, Period::ALL)
        .unwrap();
    assert_eq!(mine.len(), 3, "{mine:#?}");
    let of = |id: uuid::Uuid| mine.iter().find(|r| r.source_id == id).unwrap();
    let p = of(on_time.id.0);
    assert_eq!(p.source, ServiceSource::Activity);
    assert_eq!((p.minutes, p.entered_late), (120, false));
    assert_eq!(p.place.as_deref(), Some("凤凰路背街小巷"));
    assert_eq!(p.organiser, w.committee_a);
    assert_eq!(p.organiser_name, "凤凰社区居委会");
    assert!(p.in_charge.is_some(), "the team's captain is in charge");
    assert!(
        of(late.id.0).entered_late,
        "entered 20 days (14 working days) later"
    );
    let h = of(w.hours_pending.0);
    assert_eq!((h.source, h.minutes), (ServiceSource::Hours, 90));
    // Only the member, their work unit and those over their committee read them.
    assert!(w
        .hub
        .service_records(&w.secretary(), w.member_a, Period::ALL)
        .is_ok());
    for outsider in [member(w.loner_a), staff(w.committee_b)] {
        assert_eq!(
            w.hub
                .service_records(&outsider, w.member_a, Period::ALL)
                .unwrap_err()
                .kind(),
            ErrorKind::Forbidden
        );
    }

    // A certificate over all time from committee A.
    let issue = |who: MemberId| IssueServiceCertificate {
        member: who,
        committee: w.committee_a,
        since: None,
        until: None,
    };
    assert_eq!(
        w.hub
            .run(&staff(w.committee_b), issue(w.member_a))
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
    match w.hub.run(&w.staff_a(), issue(w.loner_a)) {
        Err(Error::Invalid { field, .. }) => assert_eq!(field, "member"),
        other => panic!("expected Invalid member, got {other:?}"),
    }
    let cert = w.hub.run(&w.staff_a(), issue(w.member_a)).unwrap();
    assert_eq!((cert.minutes, cert.records), (120 + 90 + 90, 3));
    assert!(cert.number.starts_with("ZY"), "{}", cert.number);
    assert!(cert.content.contains(&"巡防".to_string()));
    let second = w.hub.run(&w.staff_a(), issue(w.member_a)).unwrap();
    assert_ne!(second.number, cert.number, "numbers are unique");

    // Anyone checks the number against the store.
    let check = w
        .hub
        .check_service_certificate(&member(w.loner_a), &cert.number)
        .unwrap()
        .unwrap();
    assert!(check.unchanged);
    assert_eq!((check.minutes, check.records), (cert.minutes, cert.records));
    assert_eq!(
        check.certificate, None,
        "who and what only for those entitled"
    );
    let own = w
        .hub
        .check_service_certificate(&member(w.member_a), &cert.number)
        .unwrap()
        .unwrap();
    assert_eq!(own.certificate, Some(cert.clone()));
    assert!(w
        .hub
        .check_service_certificate(&member(w.loner_a), "ZY00000000-2026-999999")
        .unwrap()
        .is_none());
    // A later record inside the period: the certificate no longer matches the store.
    patrol(&w, 1, 30);
    let check = w
        .hub
        .check_service_certificate(&member(w.loner_a), &cert.number)
        .unwrap()
        .unwrap();
    assert!(!check.unchanged);
    assert_eq!(check.minutes_now, cert.minutes + 30);

    // The certificate as a table to print and file.
    let t = w
        .hub
        .service_certificate_table(&member(w.member_a), &cert.number, ExportOptions::default())
        .unwrap();
    assert_eq!(t.rows.len(), 4 + 1, "each record, then the total");
    assert!(t.name.0.contains(&cert.number));
    assert!(t.to_csv(Language::Zh).contains(&cert.number));
    assert!(!to_xlsx(&[&t], Language::Zh).unwrap().is_empty());
    assert_eq!(
        w.hub
            .service_certificate_table(&member(w.loner_a), &cert.number, ExportOptions::default())
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );

    // The member asks for a correction; the committee answers once.
    let ask = |who: MemberId, source_id: uuid::Uuid| RequestCorrection {
        member: who,
        source: ServiceSource::Activity,
        source_id,
        reason: "实际巡防了三个小时".into(),
    };
    assert_eq!(
        w.hub
            .run(&member(w.loner_a), ask(w.member_a, late.id.0))
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
    match w
        .hub
        .run(&member(w.member_a), ask(w.member_a, uuid::Uuid::now_v7()))
    {
        Err(Error::Invalid { field, .. }) => assert_eq!(field, "source_id"),
        other => panic!("expected Invalid source_id, got {other:?}"),
    }
    let asked = w
        .hub
        .run(&member(w.member_a), ask(w.member_a, late.id.0))
        .unwrap();
    assert_eq!(
        (asked.status, asked.committee),
        (CorrectionStatus::Open, w.committee_a)
    );
    let answer = |accepted| AnswerCorrection {
        correction: asked.id,
        accepted,
        answer: "已核实，按签到记录更正".into(),
    };
    assert_eq!(
        w.hub
            .run(&member(w.member_a), answer(true))
            .unwrap_err()
            .kind(),
        ErrorKind::Forbidden
    );
    let done = w.hub.run(&w.staff_a(), answer(true)).unwrap();
    assert_eq!(done.status, CorrectionStatus::Accepted);
    assert_eq!(
        w.hub.run(&w.staff_a(), answer(false)).unwrap_err().kind(),
        ErrorKind::IllegalState
    );
    assert_eq!(
        w.hub.corrections(&w.staff_a(), w.committee_a).unwrap(),
        vec![done.clone()]
    );
    assert_eq!(
        w.hub
            .corrections(&member(w.member_a), w.committee_a)
            .unwrap(),
        vec![done]
    );
    assert!(w
        .hub
        .corrections(&member(w.loner_a), w.committee_a)
        .unwrap()
        .is_empty());
}

/// The working calendar (the State Council's holidays and working weekends, kept by a district
/// admin) decides what "within 10 working days" means: holidays are not counted, working
/// weekends are.
fn the_working_calendar_counts_holidays(b: Backend) {
    use chrono::{Datelike, NaiveDate, Weekday};
    use std::collections::BTreeMap;
    let w = World::on(b);
    let late = patrol(&w, 20, 90);
    let late_now = |hub: &needbridge::Hub| {
        hub.service_records(&member(w.member_a), w.member_a, Period::ALL)
            .unwrap()
            .into_iter()
            .find(|r| r.source_id == late.id.0)
            .unwrap()
            .entered_late
    };
    assert!(late_now(&w.hub), "20 days later, weekends only skipped");
    // The days counted: after the day served, up to the day entered (Beijing time).
    let china = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let day = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&china).date_naive();
    let (from, to) = (day(late.held_at), day(late.recorded_at));
    let days: Vec<NaiveDate> = from.iter_days().skip(1).take_while(|d| *d <= to).collect();
    let weekend = |d: &NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    let weekdays: Vec<NaiveDate> = days.iter().copied().filter(|d| !weekend(d)).collect();
    assert!(weekdays.len() > 10);
    // Holidays leave exactly ten working days: in time.
    let holidays = &weekdays[..weekdays.len() - 10];
    let set = |holidays: &[NaiveDate], worked: &[NaiveDate]| {
        let mut by_year: BTreeMap<i32, (Vec<NaiveDate>, Vec<NaiveDate>)> = BTreeMap::new();
        for d in holidays {
            by_year.entry(d.year()).or_default().0.push(*d);
        }
        for d in worked {
            by_year.entry(d.year()).or_default().1.push(*d);
        }
        for (year, (holidays, working_weekends)) in by_year {
            w.hub
                .run(
                    &w.admin(),
                    SetWorkingCalendar {
                        year,
                        holidays,
                        working_weekends,
                    },
                )
                .unwrap();
        }
    };
    set(holidays, &[]);
    assert!(!late_now(&w.hub), "ten working days: in time");
    // A weekend day worked instead makes it eleven: late again.
    let saturday = *days.iter().find(|d| weekend(d)).unwrap();
    set(holidays, &[saturday]);
    assert!(late_now(&w.hub), "eleven working days: late");
    // Setting a year again replaces it: one entry a year, in year order, for anyone to read.
    let years = w.hub.working_calendar(&member(w.loner_a)).unwrap();
    let mut want: Vec<i32> = days.iter().map(|d| d.year()).collect();
    want.dedup();
    want.retain(|y| holidays.iter().chain([&saturday]).any(|d| d.year() == *y));
    assert_eq!(years.iter().map(|y| y.year).collect::<Vec<_>>(), want);
    let this = years.iter().find(|y| y.year == saturday.year()).unwrap();
    assert!(this.working_weekends == vec![saturday]);

    // Only a district admin (or the system) sets it; bad input names the field, writes nothing.
    let year = saturday.year();
    let cmd = |holidays: Vec<NaiveDate>, working_weekends: Vec<NaiveDate>| SetWorkingCalendar {
        year,
        holidays,
        working_weekends,
    };
    for actor in [w.staff_a(), member(w.member_a), w.secretary()] {
        assert_eq!(
            w.hub.run(&actor, cmd(vec![], vec![])).unwrap_err().kind(),
            ErrorKind::Forbidden
        );
    }
    let jan = |d| NaiveDate::from_ymd_opt(year, 1, d).unwrap();
    let monday = (1..=7)
        .map(jan)
        .find(|d| d.weekday() == Weekday::Mon)
        .unwrap();
    let sunday = monday + Duration::days(6);
    let other_year = NaiveDate::from_ymd_opt(year + 1, 2, 1).unwrap();
    for (bad, field) in [
        (cmd(vec![other_year], vec![]), "holidays[0]"),
        (cmd(vec![monday, monday], vec![]), "holidays[1]"),
        (cmd(vec![], vec![monday]), "working_weekends[0]"),
        (cmd(vec![sunday], vec![sunday]), "working_weekends[0]"),
        (
            SetWorkingCalendar {
                year: 1999,
                ..cmd(vec![], vec![])
            },
            "year",
        ),
    ] {
        match w.hub.run(&w.admin(), bad) {
            Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected Invalid {field}, got {other:?}"),
        }
    }
    assert_eq!(w.hub.working_calendar(&w.admin()).unwrap(), years);
    assert!(late_now(&w.hub), "nothing was written");
}

needbridge_acceptance::conformance!(
    records_certificates_and_corrections,
    the_working_calendar_counts_holidays
);

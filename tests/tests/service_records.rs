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

needbridge_acceptance::conformance!(records_certificates_and_corrections);

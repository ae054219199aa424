//! Ledgers and their exports: what a work unit and a committee see, with personal data masked
//! by default and in full only for those entitled.

use needbridge::export::{to_xlsx, ExportOptions, Language, PersonalData};
use needbridge::model::*;
use needbridge::report::Period;
use needbridge::{Actor, ErrorKind};
use needbridge_acceptance::{member, staff, Backend, World};

/// The work unit's ledger: one row per certified member, their report and their work.
fn work_unit_ledger_rows(b: Backend) {
    let w = World::on(b);
    let rows = w
        .hub
        .work_unit_ledger(
            &w.secretary(),
            w.work_unit,
            Period::ALL,
            PersonalData::Masked,
        )
        .unwrap();
    assert_eq!(rows.len(), 6);
    let a = rows.iter().find(|r| r.member == w.member_a).unwrap();
    assert_eq!(a.state, CertificateState::Accepted);
    assert_eq!(
        a.committee.as_ref().map(|c| c.1.as_str()),
        Some("凤凰社区居委会")
    );
    assert_eq!((a.claims, a.completed, a.verified, a.teams), (1, 0, 0, 1));
    assert_eq!(
        a.phone.as_deref(),
        Some("138****0001"),
        "masked by default, even for the secretary"
    );
    let cert = rows.iter().find(|r| r.member == w.certified).unwrap();
    assert_eq!(
        (cert.state, cert.committee.clone()),
        (CertificateState::Issued, None)
    );
    let full = w
        .hub
        .work_unit_ledger(&w.secretary(), w.work_unit, Period::ALL, PersonalData::Full)
        .unwrap();
    assert_eq!(
        full.iter()
            .find(|r| r.member == w.member_a)
            .unwrap()
            .phone
            .as_deref(),
        Some("13800000001")
    );
    // A district admin may read it, but not in full for members who never reported anywhere.
    assert!(w
        .hub
        .work_unit_ledger(&w.admin(), w.work_unit, Period::ALL, PersonalData::Masked)
        .is_ok());
    let e = w
        .hub
        .work_unit_ledger(&w.admin(), w.work_unit, Period::ALL, PersonalData::Full)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    for a in [w.staff_a(), member(w.member_a), w.contact()] {
        let e = w
            .hub
            .work_unit_ledger(&a, w.work_unit, Period::ALL, PersonalData::Masked)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Forbidden);
    }
}

/// The committee's ledger: each need with its latest claim; residents masked by default.
fn committee_ledger_rows(b: Backend) {
    let w = World::on(b);
    let rows = w
        .hub
        .committee_ledger(
            &w.staff_a(),
            w.committee_a,
            Period::ALL,
            PersonalData::Masked,
        )
        .unwrap();
    assert_eq!(rows.len(), 7);
    let v = rows.iter().find(|r| r.need == w.need_verified).unwrap();
    assert_eq!(
        v.claimant,
        Some(("organisation".into(), "六盘水某建材有限公司".into()))
    );
    assert_eq!(
        (v.money_fen, v.items, v.claim_status),
        (Some(30_000), Some(3), Some(ClaimStatus::Verified))
    );
    assert_eq!(v.resident, "陈**");
    let child = rows.iter().find(|r| r.need == w.need_open).unwrap();
    assert_eq!(child.resident, "***");
    assert_eq!(child.claimant, None);
    let full = w
        .hub
        .committee_ledger(&w.staff_a(), w.committee_a, Period::ALL, PersonalData::Full)
        .unwrap();
    assert!(full.iter().any(|r| r.resident == "刘小明"));
    let e = w
        .hub
        .committee_ledger(&w.admin(), w.committee_a, Period::ALL, PersonalData::Full)
        .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Forbidden,
        "admins oversee but do not hold residents"
    );
    assert!(w
        .hub
        .committee_ledger(&w.admin(), w.committee_a, Period::ALL, PersonalData::Masked)
        .is_ok());
    let e = w
        .hub
        .committee_ledger(
            &staff(w.committee_b),
            w.committee_a,
            Period::ALL,
            PersonalData::Masked,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
}

/// Exports: Chinese headers by default, English on request, masked unless asked and
/// entitled, and never a resident's full data in a default export.
fn exports(b: Backend) {
    let w = World::on(b);
    let opts = ExportOptions::default();
    let t = w
        .hub
        .committee_ledger_table(&w.staff_a(), w.committee_a, Period::ALL, opts)
        .unwrap();
    let csv = t.to_csv(Language::Zh);
    assert!(csv.starts_with("\u{FEFF}需求,类别,"));
    assert!(!csv.contains("陈大爷") && !csv.contains("刘小明"));
    assert_eq!(csv.lines().count(), 8, "header and seven needs");
    let en = t.to_csv(Language::En);
    assert!(en.starts_with("\u{FEFF}Need,Category,"));
    let full = ExportOptions {
        language: Language::En,
        personal_data: PersonalData::Full,
    };
    let t2 = w
        .hub
        .committee_ledger_table(&w.staff_a(), w.committee_a, Period::ALL, full)
        .unwrap();
    assert!(t2.to_csv(Language::En).contains("陈大爷"));
    let m = w
        .hub
        .work_unit_ledger_table(&w.secretary(), w.work_unit, Period::ALL, opts)
        .unwrap();
    assert!(m.to_csv(Language::Zh).contains("138****0001"));
    let xlsx = to_xlsx(&[&m, &t], Language::Zh).unwrap();
    assert_eq!(&xlsx[..2], b"PK");
    let e = w
        .hub
        .committee_ledger_table(
            &Actor::DistrictAdmin {
                district: w.district,
            },
            w.committee_a,
            Period::ALL,
            full,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
}

needbridge_acceptance::conformance!(work_unit_ledger_rows, committee_ledger_rows, exports);

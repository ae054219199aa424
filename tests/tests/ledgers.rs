//! Ledgers and their exports: what a work unit and a committee see, with personal data masked
//! by default and in full only for those entitled.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use needbridge::command::*;
use needbridge::export::{
    to_xlsx, to_xlsx_with, ExportOptions, Language, PersonalData, Table, Values,
};
use needbridge::model::*;
use needbridge::report::{NeedFigures, Period, ReportScope};
use needbridge::{Actor, ErrorKind};
use needbridge_acceptance::{member, staff, Backend, World};
use xlsx::{Book, Val};

/// The work unit's ledger: one row per certified member, their report and their work.
fn work_unit_ledger_rows(b: Backend) {
    let w = World::on(b);
    let ledger = |w: &World| {
        w.hub
            .work_unit_ledger(
                &w.secretary(),
                w.work_unit,
                Period::ALL,
                PersonalData::Masked,
            )
            .unwrap()
    };
    let rows = ledger(&w);
    assert_eq!(rows.len(), 6);
    let a = rows.iter().find(|r| r.member == w.member_a).unwrap();
    assert_eq!(a.state, CertificateState::Accepted);
    assert_eq!(
        a.committee.as_ref().map(|c| c.1.as_str()),
        Some("凤凰社区居委会")
    );
    assert_eq!((a.claims, a.completed, a.verified, a.teams), (1, 0, 0, 1));
    // Everything the member did is credited: the team's claim (team_a's one), roles, pairings
    // (the fixture's with resident_a), set against the commitment the member signed.
    assert_eq!(a.team_claims, 1, "team_a claimed need_done");
    assert_eq!(a.pairings, 1);
    let signed = w.hub.member(&w.secretary(), w.member_a).unwrap().commitment;
    assert_eq!(a.commitment, signed.map(|c| c.text));
    assert!(a.commitment.is_some());
    w.hub
        .run(
            &w.staff_a(),
            AssignRole {
                member: w.member_a,
                kind: RoleKind::HouseholdHead,
                scope: "5栋2单元".into(),
                grid: None,
            },
        )
        .unwrap();
    w.hub
        .run(
            &w.staff_a(),
            StartPairing {
                member: w.member_a,
                resident: w.child_a,
            },
        )
        .unwrap();
    let after = ledger(&w);
    let a2 = after.iter().find(|r| r.member == w.member_a).unwrap();
    assert!(
        a2.roles.contains(&RoleKind::HouseholdHead),
        "{:?}",
        a2.roles
    );
    assert_eq!(a2.roles.len(), a.roles.len() + 1);
    assert_eq!(a2.pairings, a.pairings + 1);
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
        ..ExportOptions::default()
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

/// The Excel serial date of a local date and time: days since 1899-12-30, computed here
/// independently of the core.
fn serial(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> f64 {
    let t = NaiveDate::from_ymd_opt(y, mo, d)
        .unwrap()
        .and_hms_opt(h, mi, 0)
        .unwrap();
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    (t - epoch).num_seconds() as f64 / 86_400.0
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// The world, plus a need claimed by `loner_a` (孙丽) at 2026-03-01 16:30 UTC (00:30 on
/// 2 March in Beijing), completed with 123.45 yuan, two towels and 90 minutes and verified;
/// and `member_a`'s 90 logged minutes approved. Returns the need.
fn claimed_at_half_past_midnight(w: &World) -> NeedId {
    let staff_a = w.staff_a();
    w.hub
        .run(
            &staff_a,
            ApproveHours {
                hours: w.hours_pending,
            },
        )
        .unwrap();
    w.clock.set(at(2026, 3, 1, 16, 30));
    let need = w
        .hub
        .run(
            &staff_a,
            DraftNeed {
                committee: w.committee_a,
                grid: None,
                resident: Some(w.resident_a),
                institution: None,
                title: "助浴".into(),
                description: "每周助浴一次".into(),
                category: "elder_care".into(),
                channel: Channel::Courtyard,
                scale: Scale::Individual,
                estimated_cost_fen: 10_000,
                wanted_by: at(2026, 4, 30, 0, 0),
                beneficiaries: Vec::new(),
                recurrence: None,
                place: None,
                location: None,
            },
        )
        .unwrap()
        .id;
    w.hub.run(&staff_a, PublishNeed { need }).unwrap();
    let claim = w
        .hub
        .run(
            &member(w.loner_a),
            ClaimNeed {
                need,
                claimant: Claimant::Member(w.loner_a),
                promised_by: at(2026, 3, 20, 0, 0),
            },
        )
        .unwrap()
        .id;
    let fulfilment = Fulfilment {
        money_fen: 12_345,
        items: vec![Item {
            count: 2,
            description: "毛巾".into(),
        }],
        minutes: 90,
        people_served: 1,
        evidence: vec![],
        note: String::new(),
        roster: Vec::new(),
    };
    w.hub
        .run(&member(w.loner_a), CompleteClaim { claim, fulfilment })
        .unwrap();
    w.hub.run(&staff_a, VerifyClaim { claim }).unwrap();
    need
}

/// Every code of every vocabulary a ledger shows.
fn codes() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    out.extend(CertificateState::ALL.iter().map(|v| v.as_str()));
    out.extend(Channel::ALL.iter().map(|v| v.as_str()));
    out.extend(Scale::ALL.iter().map(|v| v.as_str()));
    out.extend(NeedStatus::ALL.iter().map(|v| v.as_str()));
    out.extend(ClaimStatus::ALL.iter().map(|v| v.as_str()));
    out.extend(ResidentGroup::ALL.iter().map(|v| v.as_str()));
    out.extend(ClaimantKind::ALL.iter().map(|v| v.as_str()));
    out.extend(Feedback::ALL.iter().map(|v| v.as_str()));
    out.extend(["festival_goods", "elder_care"]);
    out
}

/// The ledgers as an office files them: labels not codes, yuan, hours, local Excel dates,
/// team names, sheets named after the work unit and the committee, a frozen header, pages
/// set up to print, and a cover that says what the workbook is.
fn ledger_workbook_is_ready_to_file(b: Backend) {
    let w = World::on(b);
    claimed_at_half_past_midnight(&w);
    let period = Period {
        from: Some(at(2025, 12, 31, 16, 0)),
        to: Some(at(2026, 3, 31, 16, 0)),
    };
    let opts = ExportOptions::default();
    let m = w
        .hub
        .work_unit_ledger_table(&w.secretary(), w.work_unit, period, opts)
        .unwrap();
    let t = w
        .hub
        .committee_ledger_table(&w.staff_a(), w.committee_a, period, opts)
        .unwrap();
    let book = Book::read(&to_xlsx_with(&[&m, &t], &opts).unwrap());
    assert_eq!(book.names(), ["封面", "区财政局", "凤凰社区居委会"]);

    // The committee's sheet.
    let s = book.sheet("凤凰社区居委会");
    assert_eq!(
        s.texts(0),
        [
            "需求",
            "类别",
            "渠道",
            "规模",
            "状态",
            "服务对象",
            "群体",
            "登记时间(北京时间)",
            "发布时间(北京时间)",
            "认领方类型",
            "认领方",
            "认领状态",
            "认领时间(北京时间)",
            "承诺日期(北京时间)",
            "完成时间(北京时间)",
            "结束时间(北京时间)",
            "金额(元)",
            "物品",
            "服务时长(小时)",
            "服务人数",
            "评价",
        ]
    );
    let r = s.row_where("需求", "助浴");
    for (column, label) in [
        ("类别", "养老服务"),
        ("渠道", "进院落"),
        ("规模", "个人项目（微心愿）"),
        ("状态", "已验收"),
        ("服务对象", "陈**"),
        ("群体", "空巢老人"),
        ("认领方类型", "在职党员"),
        ("认领方", "孙丽"),
        ("认领状态", "已验收"),
    ] {
        assert_eq!(s.text(r, column), label, "{column}");
    }
    // 2026-03-01 16:30 UTC is 00:30 on 2 March in Beijing: a real date, not text.
    let claimed = serial(2026, 3, 2, 0, 30);
    for column in [
        "认领时间(北京时间)",
        "完成时间(北京时间)",
        "登记时间(北京时间)",
    ] {
        assert_eq!(
            s.number(r, column),
            (claimed, "yyyy-mm-dd hh:mm".to_string()),
            "{column}"
        );
    }
    assert_eq!(s.number(r, "金额(元)"), (123.45, "0.00".into()));
    assert_eq!(s.number(r, "服务时长(小时)"), (1.5, "0.00".into()));
    assert_eq!(s.number(r, "物品").0, 2.0);
    let v = s.row_where("需求", "米面油");
    assert_eq!(s.text(v, "认领方类型"), "企业或社会组织");
    assert_eq!(s.text(v, "认领方"), "六盘水某建材有限公司");
    assert_eq!(s.number(v, "金额(元)"), (300.0, "0.00".into()));
    assert_eq!(s.number(v, "服务时长(小时)"), (1.0, "0.00".into()));
    assert_eq!(s.text(s.row_where("需求", "书包"), "群体"), "留守儿童");
    assert_eq!(s.text(s.row_where("需求", "书包"), "服务对象"), "***");
    // No code anywhere.
    let codes = codes();
    for sheet in [&s, &book.sheet("区财政局")] {
        for text in sheet.all_texts() {
            assert!(
                !codes.contains(&text.as_str()),
                "a code in a ledger: {text}"
            );
        }
    }

    // The work unit's sheet: states by label, teams by name, hours, masked phones.
    let s = book.sheet("区财政局");
    assert_eq!(
        s.texts(0)[11..16],
        ["金额(元)", "物品", "服务时长(小时)", "服务队", "队伍活动"]
    );
    let wang = s.row_where("姓名", "王芳");
    assert_eq!(s.text(wang, "状态"), "已接收");
    assert_eq!(s.text(wang, "电话"), "138****0001");
    assert_eq!(s.text(wang, "报到社区"), "凤凰社区居委会");
    assert_eq!(s.text(wang, "服务队"), "凤凰居家养老服务队");
    assert_eq!(s.number(wang, "服务时长(小时)"), (1.5, "0.00".into()));
    assert_eq!(
        (8..11).map(|c| s.number_at(wang, c).0).collect::<Vec<_>>(),
        [1.0, 0.0, 0.0],
        "claims, completed, verified"
    );
    let sun = s.row_where("姓名", "孙丽");
    assert_eq!(s.number(sun, "金额(元)"), (123.45, "0.00".into()));
    assert_eq!(s.get(sun, "服务队"), None, "in no team");
    assert_eq!(
        s.text(s.row_where("姓名", "赵强"), "服务队"),
        "凤凰居家养老服务队"
    );
    assert_eq!(s.text(s.row_where("姓名", "吴敏"), "状态"), "逾期未报到");
    assert_eq!(s.text(s.row_where("姓名", "郑涛"), "状态"), "已报到待审核");

    // Every data sheet: a frozen header row with a filter, widths, pages to print.
    for name in ["区财政局", "凤凰社区居委会"] {
        let s = book.sheet(name);
        assert!(s.frozen_header(), "{name}: frozen header");
        assert!(s.xml.contains("<autoFilter ref=\"A1:"), "{name}: filter");
        assert!(s.xml.contains("customWidth=\"1\""), "{name}: widths");
        assert!(s.prints_landscape_one_page_wide(), "{name}: page setup");
        assert!(
            book.workbook.contains(&format!(
                "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{}\">",
                book.index(name)
            )),
            "{name}: header row repeated on every page"
        );
    }
    assert!(!book.files.keys().any(|f| f.contains("chart")), "no chart");
    // The cover of the two: the fields they share, and a list of the sheets.
    let c = book.sheet("封面");
    assert_eq!(c.field("标题"), Val::Text("共 2 张表，见下表".into()));
    assert_eq!(c.field("范围"), Val::Text("各表不同，见下表".into()));
    assert_eq!(
        c.field("统计期间起"),
        Val::Num(serial(2026, 1, 1, 0, 0), "yyyy-mm-dd hh:mm".into())
    );
    assert_eq!(
        c.field("统计期间止（不含）"),
        Val::Num(serial(2026, 4, 1, 0, 0), "yyyy-mm-dd hh:mm".into())
    );
    assert_eq!(c.field("导出人"), Val::Text("各表不同，见下表".into()));
    assert_eq!(
        c.field("导出时间"),
        Val::Num(serial(2026, 3, 2, 0, 30), "yyyy-mm-dd hh:mm".into())
    );
    assert_eq!(c.field("个人信息"), Val::Text("已脱敏".into()));
    assert_eq!(c.field("时区"), Val::Text("北京时间（UTC+08:00）".into()));
    let list = c.row_where("工作表", "凤凰社区居委会");
    assert_eq!(c.text(list, "内容"), "凤凰社区居委会 需求认领台账");
    assert_eq!(c.text(list, "范围"), "居委会：凤凰社区居委会");
    assert_eq!(c.number(list, "行数").0, t.rows.len() as f64);
    assert_eq!(c.text(list, "个人信息"), "已脱敏");
    let list = c.row_where("工作表", "区财政局");
    assert_eq!(c.text(list, "范围"), "单位：区财政局");

    // One ledger: the cover names its scope, who exported it, and that it is masked.
    let one = Book::read(&to_xlsx_with(&[&t], &opts).unwrap());
    let c = one.sheet("封面");
    assert_eq!(
        c.field("标题"),
        Val::Text("凤凰社区居委会 需求认领台账".into())
    );
    assert_eq!(c.field("范围"), Val::Text("居委会：凤凰社区居委会".into()));
    assert_eq!(
        c.field("导出人"),
        Val::Text("社区工作人员（凤凰社区居委会）".into())
    );
    assert_eq!(c.field("个人信息"), Val::Text("已脱敏".into()));
    let all_time = w
        .hub
        .work_unit_ledger_table(&w.admin(), w.work_unit, Period::ALL, opts)
        .unwrap();
    let c = Book::read(&to_xlsx_with(&[&all_time], &opts).unwrap()).sheet("封面");
    assert_eq!(c.field("统计期间起"), Val::Text("不限".into()));
    assert_eq!(c.field("导出人"), Val::Text("区级管理员（钟山区）".into()));
    assert_eq!(c.field("范围"), Val::Text("单位：区财政局".into()));

    // In full, for the staff who hold the residents: the cover says so.
    let full = ExportOptions {
        personal_data: PersonalData::Full,
        ..opts
    };
    let t = w
        .hub
        .committee_ledger_table(&w.staff_a(), w.committee_a, period, full)
        .unwrap();
    let book = Book::read(&to_xlsx_with(&[&t], &full).unwrap());
    assert_eq!(
        book.sheet("封面").field("个人信息"),
        Val::Text("完整（仅供有权查看的人员使用）".into())
    );
    let s = book.sheet("凤凰社区居委会");
    assert_eq!(s.text(s.row_where("需求", "助浴"), "服务对象"), "陈大爷");
}

/// English on request; another time zone; codes for programs; CSV the same as XLSX.
fn ledger_languages_zones_and_codes(b: Backend) {
    let w = World::on(b);
    claimed_at_half_past_midnight(&w);
    let en = ExportOptions::in_language(Language::En);
    let t = w
        .hub
        .committee_ledger_table(&w.staff_a(), w.committee_a, Period::ALL, en)
        .unwrap();
    let book = Book::read(&to_xlsx_with(&[&t], &en).unwrap());
    assert_eq!(book.names(), ["Cover", "凤凰社区居委会"]);
    let s = book.sheet("凤凰社区居委会");
    let r = s.row_where("Need", "助浴");
    for (column, label) in [
        ("Category", "Elder care"),
        ("Channel", "Into courtyards"),
        ("Scale", "Individual (small project)"),
        ("Status", "Verified"),
        ("Groups", "Empty-nest elderly"),
        ("Claimant kind", "Member"),
        ("Claim status", "Verified"),
    ] {
        assert_eq!(s.text(r, column), label, "{column}");
    }
    assert_eq!(
        s.number(r, "Claimed at (UTC+08:00)").0,
        serial(2026, 3, 2, 0, 30)
    );
    assert_eq!(s.number(r, "Money (yuan)"), (123.45, "0.00".into()));
    assert_eq!(s.number(r, "Service time (hours)"), (1.5, "0.00".into()));
    let c = book.sheet("Cover");
    assert_eq!(
        c.field("Scope"),
        Val::Text("Residents' committee: 凤凰社区居委会".into())
    );
    assert_eq!(
        c.field("Exported by"),
        Val::Text("Staff (凤凰社区居委会)".into())
    );
    assert_eq!(c.field("Personal data"), Val::Text("Masked".into()));
    assert_eq!(c.field("Time zone"), Val::Text("UTC+08:00".into()));

    // Another zone: UTC itself, and a half-hour zone west of it.
    let utc = ExportOptions {
        utc_offset_minutes: 0,
        ..ExportOptions::default()
    };
    let s = Book::read(&to_xlsx_with(&[&t], &utc).unwrap()).sheet("凤凰社区居委会");
    let r = s.row_where("需求", "助浴");
    assert_eq!(s.number(r, "认领时间(UTC)").0, serial(2026, 3, 1, 16, 30));
    let west = ExportOptions {
        utc_offset_minutes: -210,
        ..ExportOptions::default()
    };
    let csv = t.to_csv_with(&west).unwrap();
    assert!(csv.contains("认领时间(UTC-03:30)"));
    assert!(csv.contains(",2026-03-01 13:00,"));
    let e = to_xlsx_with(
        &[&t],
        &ExportOptions {
            utc_offset_minutes: 900,
            ..ExportOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);

    // CSV: the same labels and units as the XLSX.
    let csv = t.to_csv(Language::Zh);
    assert!(csv.contains("金额(元)") && csv.contains("服务时长(小时)"));
    let line = csv.lines().find(|l| l.starts_with("助浴,")).unwrap();
    assert_eq!(
        line,
        "助浴,养老服务,进院落,个人项目（微心愿）,已验收,陈**,空巢老人,2026-03-02 00:30,\
         2026-03-02 00:30,在职党员,孙丽,已验收,2026-03-02 00:30,2026-03-20 08:00,\
         2026-03-02 00:30,2026-03-02 00:30,123.45,2,1.50,1,"
    );
    // Codes, fen, minutes and UTC for programs, in CSV and XLSX alike.
    let codes = ExportOptions {
        values: Values::Codes,
        ..ExportOptions::default()
    };
    let csv = t.to_csv_with(&codes).unwrap();
    let line = csv.lines().find(|l| l.starts_with("助浴,")).unwrap();
    assert_eq!(
        line,
        "助浴,elder_care,courtyard,individual,verified,陈**,empty_nest_elderly,\
         2026-03-01 16:30:00Z,2026-03-01 16:30:00Z,member,孙丽,verified,2026-03-01 16:30:00Z,\
         2026-03-20 00:00:00Z,2026-03-01 16:30:00Z,2026-03-01 16:30:00Z,12345,2,90,1,"
    );
    assert!(
        csv.contains("金额(分)") && csv.contains("服务时长(分钟)") && csv.contains("认领时间(UTC)")
    );
    let book = Book::read(&to_xlsx_with(&[&t], &codes).unwrap());
    let s = book.sheet("凤凰社区居委会");
    let r = s.row_where("需求", "助浴");
    assert_eq!(s.text(r, "状态"), "verified");
    assert_eq!(s.number(r, "金额(分)"), (12_345.0, "General".into()));
    assert_eq!(s.number(r, "服务时长(分钟)"), (90.0, "General".into()));
    assert_eq!(
        s.number(r, "认领时间(UTC)"),
        (serial(2026, 3, 1, 16, 30), "yyyy-mm-dd hh:mm:ss".into())
    );
}

/// Two committees of one name in two communities, a name too long for Excel and with
/// characters Excel forbids: sheet names stay unique and say which is which.
fn sheet_names_are_unique_without_running_numbers(b: Backend) {
    let w = World::on(b);
    let admin = w.admin();
    let unit = |kind, name: &str, parent| {
        w.hub
            .run(
                &admin,
                CreateUnit {
                    kind,
                    name: name.into(),
                    parent: Some(parent),
                },
            )
            .unwrap()
            .id
    };
    let dewu = unit(UnitKind::Community, "德坞街道", w.district);
    let namesake = unit(UnitKind::Committee, "凤凰社区居委会", dewu);
    let long = unit(
        UnitKind::Committee,
        "德坞街道[试点]/新区:凤凰新村社区居民委员会党群服务中心暨新时代文明实践站",
        dewu,
    );
    let opts = ExportOptions::default();
    let tables: Vec<Table> = [w.committee_a, namesake, long, w.committee_b]
        .iter()
        .map(|u| {
            w.hub
                .committee_ledger_table(&admin, *u, Period::ALL, opts)
                .unwrap()
        })
        .collect();
    let refs: Vec<&Table> = tables.iter().collect();
    let book = Book::read(&to_xlsx_with(&refs, &opts).unwrap());
    let names = book.names();
    assert_eq!(
        names[..3],
        [
            "封面",
            "凤凰社区居委会（荷城街道）",
            "凤凰社区居委会（德坞街道）"
        ]
    );
    assert_eq!(names[4], "明湖社区居委会");
    let long = &names[3];
    assert!(long.chars().count() <= 31, "{long}");
    assert!(long.starts_with("德坞街道试点新区凤凰新村"), "{long}");
    assert!(long.chars().count() == 31, "cut to Excel's limit: {long}");
    assert!(!long.contains(['[', ']', '/', ':']), "{long}");
    // The same table twice is the only case a number tells apart.
    // (Its community, then its short id, tried first.)
    let twice = Book::read(&to_xlsx(&[&tables[3], &tables[3]], Language::Zh).unwrap());
    let names = twice.names();
    let id = needbridge::ledger::short_id(w.committee_b.0);
    assert_eq!(
        names[1..],
        [
            format!("明湖社区居委会（{id}）"),
            format!("明湖社区居委会（{id}）（2）")
        ]
    );
}

/// The expected row of a breakdown: every figure, money in yuan and minutes in hours.
fn figures(f: &NeedFigures) -> Vec<f64> {
    vec![
        f.needs_collected as f64,
        f.needs_published as f64,
        f.needs_rejected as f64,
        f.needs_claimed as f64,
        f.needs_done as f64,
        f.needs_verified as f64,
        f.claims_by_members as f64,
        f.claims_by_teams as f64,
        f.claims_by_organisations as f64,
        f.collective_claims as f64,
        f.claims_completed as f64,
        f.claims_verified as f64,
        f.claims_released as f64,
        f.money_fen as f64 / 100.0,
        f.items as f64,
        f.minutes as f64 / 60.0,
        f.people_served as f64,
    ]
}

/// The district report as a workbook: a summary and every breakdown, figure for figure the
/// same as `Hub::report`, by label, printable, with a chart per committee.
fn report_workbook_matches_the_report(b: Backend) {
    let w = World::on(b);
    w.record_patrol();
    w.a_month_later();
    claimed_at_half_past_midnight(&w);
    let admin = w.admin();
    let scope = ReportScope::Unit(w.district);
    let report = w.hub.report(&admin, scope, Period::ALL).unwrap();
    let tables = w.hub.report_tables(&admin, scope, Period::ALL).unwrap();
    let refs: Vec<&Table> = tables.iter().collect();
    let opts = ExportOptions::default();
    let book = Book::read(&to_xlsx_with(&refs, &opts).unwrap());
    assert_eq!(
        book.names(),
        [
            "封面",
            "汇总",
            "按居委会",
            "按类别",
            "按渠道",
            "按月份",
            "按认领方",
            "活动",
            "活动（按渠道）",
            "受助群体",
            "三长"
        ]
    );
    let d = &report.data;
    // The summary.
    let s = book.sheet("汇总");
    let value = |label: &str| s.number(s.row_where("指标", label), "数值");
    assert_eq!(value("居委会").0, d.committees as f64);
    assert_eq!(value("报到党员").0, d.members_reported as f64);
    assert_eq!(value("接收报到").0, d.members_accepted as f64);
    assert_eq!(value("收集需求").0, d.needs.needs_collected as f64);
    assert_eq!(value("验收需求").0, d.needs.needs_verified as f64);
    assert_eq!(value("集体项目认领").0, d.needs.collective_claims as f64);
    assert_eq!(
        value("投入金额(元)"),
        (d.needs.money_fen as f64 / 100.0, "0.00".into())
    );
    assert_eq!(
        value("服务时长(小时)"),
        (d.needs.minutes as f64 / 60.0, "0.00".into())
    );
    assert_eq!(value("志愿服务队").0, d.teams as f64);
    assert_eq!(value("受助居民").0, d.residents_helped as f64);
    assert_eq!(value("结对帮扶").0, d.pairings as f64);
    assert_eq!(value("登记服务时长(小时)").0, d.hours_minutes as f64 / 60.0);
    assert_eq!(d.needs.money_fen, 30_000 + 12_345);

    // Each breakdown: a row per key, by label, every figure the report's.
    let check = |sheet: &str, label: &str, first: usize, f: &NeedFigures, skip: usize| {
        let s = book.sheet(sheet);
        let r = s.row_where(s.texts(0)[0].as_str(), label);
        let got: Vec<f64> = (first..s.texts(0).len())
            .map(|c| s.number_at(r, c).0)
            .collect();
        assert_eq!(got, figures(f)[skip..], "{sheet}: {label}");
    };
    assert_eq!(book.sheet("按居委会").rows() - 1, d.by_committee.len());
    for (id, f) in &d.by_committee {
        let name = &report.committee_names[id];
        check("按居委会", name, 2, f, 0);
        let s = book.sheet("按居委会");
        assert_eq!(s.text(s.row_where("居委会", name), "所属社区"), "荷城街道");
    }
    assert_eq!(book.sheet("按类别").rows() - 1, d.by_category.len());
    check("按类别", "节日物资", 1, &d.by_category["festival_goods"], 0);
    check("按类别", "养老服务", 1, &d.by_category["elder_care"], 0);
    assert_eq!(book.sheet("按渠道").rows() - 1, d.by_channel.len());
    check("按渠道", "进家庭", 1, &d.by_channel["family"], 0);
    check("按渠道", "进院落", 1, &d.by_channel["courtyard"], 0);
    assert_eq!(book.sheet("按月份").rows() - 1, d.by_month.len());
    check("按月份", "2026年1月", 1, &d.by_month["2026-01"], 0);
    check("按月份", "2026年2月", 1, &d.by_month["2026-02"], 0);
    check("按月份", "2026年3月", 1, &d.by_month["2026-03"], 0);
    assert_eq!(book.sheet("按认领方").rows() - 1, d.by_claimant.len());
    check("按认领方", "在职党员", 1, &d.by_claimant["member"], 2);
    check("按认领方", "志愿服务队", 1, &d.by_claimant["team"], 2);
    check(
        "按认领方",
        "企业或社会组织",
        1,
        &d.by_claimant["organisation"],
        2,
    );
    let s = book.sheet("活动");
    let r = s.row_where("活动类型", "巡防");
    let patrol = &d.activities["patrol"];
    assert_eq!(
        (1..4).map(|c| s.number_at(r, c).0).collect::<Vec<_>>(),
        [
            patrol.count as f64,
            patrol.participants as f64,
            patrol.people_reached as f64
        ]
    );
    let s = book.sheet("活动（按渠道）");
    for (code, a) in &d.activities_by_channel {
        let label = Channel::from_code(code).unwrap().labels().0;
        let r = s.row_where("渠道", label);
        assert_eq!(s.number_at(r, 1).0, a.count as f64, "{code}");
    }
    assert_eq!(
        d.activities_by_channel
            .values()
            .map(|a| a.count)
            .sum::<u64>(),
        d.activities.values().map(|a| a.count).sum::<u64>()
    );
    let s = book.sheet("受助群体");
    assert_eq!(
        s.number(s.row_where("群体", "空巢老人"), "受助居民").0,
        d.helped["empty_nest_elderly"] as f64
    );
    let s = book.sheet("三长");
    assert_eq!(
        s.number(s.row_where("类型", "楼长"), "在任人数").0,
        d.three_heads["building_head"] as f64
    );

    // Printable: every sheet landscape, one page wide, its header repeated; a chart.
    for name in &book.names()[1..] {
        let s = book.sheet(name);
        assert!(s.frozen_header(), "{name}");
        assert!(s.prints_landscape_one_page_wide(), "{name}");
    }
    assert!(book.files.contains_key("xl/charts/chart1.xml"));
    assert!(book.files["xl/charts/chart1.xml"].contains("各居委会需求办理情况"));
    assert!(book.sheet("按居委会").xml.contains("<drawing "));
    // The cover: the district, the admin, no personal data.
    let c = book.sheet("封面");
    assert_eq!(c.field("范围"), Val::Text("区：钟山区".into()));
    assert_eq!(c.field("导出人"), Val::Text("区级管理员（钟山区）".into()));
    assert_eq!(c.field("个人信息"), Val::Text("不含个人信息".into()));
    assert_eq!(c.field("统计期间起"), Val::Text("不限".into()));

    // English labels, and the same figures.
    let en = ExportOptions::in_language(Language::En);
    let book = Book::read(&to_xlsx_with(&refs, &en).unwrap());
    assert_eq!(book.names()[1..3], ["Summary", "By committee"]);
    let s = book.sheet("By claimant");
    let r = s.row_where("Claimant kind", "Enterprise or social organisation");
    assert_eq!(
        s.number(r, "Money (yuan)").0,
        d.by_claimant["organisation"].money_fen as f64 / 100.0
    );
    let s = book.sheet("By month");
    s.row_where("Month (UTC)", "2026-02");

    // Who may: as for the report.
    let e = w
        .hub
        .report_tables(
            &staff(w.committee_b),
            ReportScope::Unit(w.committee_a),
            Period::ALL,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    // A work unit's report, for its secretary.
    let tables = w
        .hub
        .report_tables(
            &w.secretary(),
            ReportScope::WorkUnit(w.work_unit),
            Period::ALL,
        )
        .unwrap();
    let refs: Vec<&Table> = tables.iter().collect();
    let c = Book::read(&to_xlsx_with(&refs, &opts).unwrap()).sheet("封面");
    assert_eq!(c.field("范围"), Val::Text("单位：区财政局".into()));
    assert_eq!(
        c.field("导出人"),
        Val::Text("单位党组织书记（区财政局）".into())
    );
}

needbridge_acceptance::conformance!(
    work_unit_ledger_rows,
    committee_ledger_rows,
    exports,
    ledger_workbook_is_ready_to_file,
    ledger_languages_zones_and_codes,
    sheet_names_are_unique_without_running_numbers,
    report_workbook_matches_the_report,
);

/// Just enough of an XLSX reader to check what an office would see: sheet names, cells
/// (shared strings, numbers with their number formats), and the sheets' XML.
mod xlsx {
    use std::collections::BTreeMap;
    use std::io::Read;

    /// A cell's value: text, or a number with its number format.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Val {
        Text(String),
        Num(f64, String),
    }

    pub struct Book {
        pub files: BTreeMap<String, String>,
        pub workbook: String,
        sheets: Vec<(String, String)>,
        strings: Vec<String>,
        formats: Vec<String>,
    }

    /// The value of `name="…"` in a tag.
    fn attr(tag: &str, name: &str) -> Option<String> {
        let pat = format!(" {name}=\"");
        let i = tag.find(&pat)? + pat.len();
        let j = tag[i..].find('"')? + i;
        Some(unescape(&tag[i..j]))
    }

    fn unescape(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&")
    }

    /// Every `<tag …>` (its text up to `>`), and what follows up to `</tag>` if not empty.
    fn elements<'a>(xml: &'a str, tag: &str) -> Vec<(&'a str, &'a str)> {
        let open = format!("<{tag} ");
        let open2 = format!("<{tag}>");
        let close = format!("</{tag}>");
        let mut out = Vec::new();
        let mut rest = xml;
        loop {
            let i = match (rest.find(&open), rest.find(&open2)) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => break,
            };
            let end = rest[i..].find('>').unwrap() + i;
            let head = &rest[i..=end];
            if head.ends_with("/>") {
                out.push((head, ""));
                rest = &rest[end + 1..];
            } else {
                let c = rest[end..].find(&close).unwrap() + end;
                out.push((head, &rest[end + 1..c]));
                rest = &rest[c + close.len()..];
            }
        }
        out
    }

    /// The text of every `<t>` in an element.
    fn text_of(xml: &str) -> String {
        elements(xml, "t")
            .iter()
            .map(|(_, t)| unescape(t))
            .collect()
    }

    impl Book {
        pub fn read(bytes: &[u8]) -> Book {
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            let mut files = BTreeMap::new();
            for i in 0..z.len() {
                let mut f = z.by_index(i).unwrap();
                let mut s = String::new();
                if f.read_to_string(&mut s).is_ok() {
                    files.insert(f.name().unwrap().to_string(), s);
                }
            }
            let workbook = files["xl/workbook.xml"].clone();
            let rels = &files["xl/_rels/workbook.xml.rels"];
            let targets: BTreeMap<String, String> = elements(rels, "Relationship")
                .iter()
                .map(|(h, _)| (attr(h, "Id").unwrap(), attr(h, "Target").unwrap()))
                .collect();
            let sheets = elements(&workbook, "sheet")
                .iter()
                .map(|(h, _)| {
                    let target = &targets[&attr(h, "r:id").unwrap()];
                    (
                        attr(h, "name").unwrap(),
                        files[&format!("xl/{target}")].clone(),
                    )
                })
                .collect();
            let strings = files
                .get("xl/sharedStrings.xml")
                .map(|x| elements(x, "si").iter().map(|(_, b)| text_of(b)).collect())
                .unwrap_or_default();
            let styles = &files["xl/styles.xml"];
            let custom: BTreeMap<String, String> = elements(styles, "numFmt")
                .iter()
                .map(|(h, _)| (attr(h, "numFmtId").unwrap(), attr(h, "formatCode").unwrap()))
                .collect();
            let xfs = &elements(styles, "cellXfs")[0].1;
            let formats = elements(xfs, "xf")
                .iter()
                .map(|(h, _)| {
                    let id = attr(h, "numFmtId").unwrap_or_else(|| "0".into());
                    match id.as_str() {
                        "0" => "General".to_string(),
                        "1" => "0".to_string(),
                        "2" => "0.00".to_string(),
                        _ => custom.get(&id).cloned().unwrap_or(id),
                    }
                })
                .collect();
            Book {
                files,
                workbook,
                sheets,
                strings,
                formats,
            }
        }

        pub fn names(&self) -> Vec<String> {
            self.sheets.iter().map(|(n, _)| n.clone()).collect()
        }

        /// The sheet's position (0 is the first).
        pub fn index(&self, name: &str) -> usize {
            self.sheets.iter().position(|(n, _)| n == name).unwrap()
        }

        pub fn sheet(&self, name: &str) -> Sheet {
            let xml = self
                .sheets
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("no sheet {name}: {:?}", self.names()))
                .1
                .clone();
            let mut cells = BTreeMap::new();
            for (head, body) in elements(&xml, "c") {
                let r = attr(head, "r").unwrap();
                let col = r
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase())
                    .fold(0usize, |a, c| a * 26 + (c as usize - 'A' as usize + 1))
                    - 1;
                let row: usize = r
                    .trim_start_matches(|c: char| c.is_ascii_uppercase())
                    .parse::<usize>()
                    .unwrap()
                    - 1;
                let v = elements(body, "v").first().map(|(_, v)| v.to_string());
                let style: usize = attr(head, "s").map_or(0, |s| s.parse().unwrap());
                let val = match (attr(head, "t").as_deref(), v) {
                    (Some("s"), Some(v)) => {
                        Val::Text(self.strings[v.parse::<usize>().unwrap()].clone())
                    }
                    (Some("inlineStr"), _) => Val::Text(text_of(body)),
                    (Some("str"), Some(v)) => Val::Text(unescape(&v)),
                    (_, Some(v)) => Val::Num(v.parse().unwrap(), self.formats[style].clone()),
                    (_, None) => continue,
                };
                cells.insert((row, col), val);
            }
            Sheet { xml, cells }
        }
    }

    pub struct Sheet {
        pub xml: String,
        cells: BTreeMap<(usize, usize), Val>,
    }

    impl Sheet {
        pub fn rows(&self) -> usize {
            self.cells.keys().map(|(r, _)| r + 1).max().unwrap_or(0)
        }

        /// The texts of a row, up to its last cell (empty cells as "").
        pub fn texts(&self, row: usize) -> Vec<String> {
            let last = self
                .cells
                .keys()
                .filter(|(r, _)| *r == row)
                .map(|(_, c)| *c)
                .max()
                .map_or(0, |c| c + 1);
            (0..last)
                .map(|c| match self.cells.get(&(row, c)) {
                    Some(Val::Text(t)) => t.clone(),
                    Some(Val::Num(n, _)) => n.to_string(),
                    None => String::new(),
                })
                .collect()
        }

        pub fn all_texts(&self) -> Vec<String> {
            self.cells
                .values()
                .filter_map(|v| match v {
                    Val::Text(t) => Some(t.clone()),
                    Val::Num(..) => None,
                })
                .collect()
        }

        /// The column headed `header` in the first row (or, on a cover, the row of a list
        /// header).
        fn column(&self, row_of_header: usize, header: &str) -> usize {
            self.texts(row_of_header)
                .iter()
                .position(|h| h == header)
                .unwrap_or_else(|| panic!("no column {header}: {:?}", self.texts(row_of_header)))
        }

        /// The row of the header that `header` is in (the first row for a data sheet).
        fn header_row(&self, header: &str) -> usize {
            (0..self.rows())
                .find(|r| self.texts(*r).iter().any(|t| t == header))
                .unwrap_or_else(|| panic!("no header {header}"))
        }

        /// The first row below the header whose `column` reads `text`.
        pub fn row_where(&self, column: &str, text: &str) -> usize {
            let h = self.header_row(column);
            let c = self.column(h, column);
            (h + 1..self.rows())
                .find(|r| self.cells.get(&(*r, c)) == Some(&Val::Text(text.into())))
                .unwrap_or_else(|| panic!("no row with {column} = {text}"))
        }

        /// The cell of `row` in the column headed `column` in the nearest header above it.
        pub fn get(&self, row: usize, column: &str) -> Option<Val> {
            let h = (0..row)
                .rev()
                .find(|r| self.texts(*r).iter().any(|t| t == column))
                .unwrap_or_else(|| panic!("no header {column} above row {row}"));
            let c = self.column(h, column);
            self.cells.get(&(row, c)).cloned()
        }

        pub fn text(&self, row: usize, column: &str) -> String {
            match self.get(row, column) {
                Some(Val::Text(t)) => t,
                other => panic!("{column}: not text: {other:?}"),
            }
        }

        pub fn number(&self, row: usize, column: &str) -> (f64, String) {
            match self.get(row, column) {
                Some(Val::Num(n, f)) => (n, f),
                other => panic!("{column}: not a number: {other:?}"),
            }
        }

        pub fn number_at(&self, row: usize, col: usize) -> (f64, String) {
            match self.cells.get(&(row, col)) {
                Some(Val::Num(n, f)) => (*n, f.clone()),
                other => panic!("({row}, {col}): not a number: {other:?}"),
            }
        }

        /// A cover's field: the cell right of its label.
        pub fn field(&self, label: &str) -> Val {
            let r = (0..self.rows())
                .find(|r| self.cells.get(&(*r, 0)) == Some(&Val::Text(label.into())))
                .unwrap_or_else(|| panic!("no field {label}"));
            self.cells[&(r, 1)].clone()
        }

        pub fn frozen_header(&self) -> bool {
            self.xml.contains("<pane ySplit=\"1\" topLeftCell=\"A2\"")
                && self.xml.contains("state=\"frozen\"")
        }

        pub fn prints_landscape_one_page_wide(&self) -> bool {
            self.xml.contains("<pageSetUpPr fitToPage=\"1\"/>")
                && self.xml.contains("orientation=\"landscape\"")
                && self.xml.contains("fitToHeight=\"0\"")
        }
    }
}

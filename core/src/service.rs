//! Volunteer service records and their certificates, as the Ministry of Civil Affairs' 2020
//! rules ask of a residents' committee that recruits volunteers (《志愿服务记录与证明出具办法
//! （试行）》): what one record holds (Art 7: the activity's name, date, place, content, the
//! hours actually given, the organising unit and the person in charge), whether it was entered
//! in time (within 10 working days), and the certificate as a table to print or file (Arts
//! 14–15). Pure: the Hub gathers the records from the store (`hub/service.rs`).
//!
//! Hours come from rosters (with their sign-in and sign-out where taken), approved logged hours
//! and pairing visits — and from a member's own claim, where the member who claimed is the one
//! person named. A team's or organisation's typed total never credits anyone.

use crate::export::{About, Cell, Column, Measure, Table};
use crate::model::*;
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How many working days a committee has to enter a record (Art 8).
pub const ENTRY_WORKING_DAYS: i64 = 10;

/// One volunteer service record of a member (志愿服务记录).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(schemars::JsonSchema))]
pub struct ServiceRecord {
    /// Where it comes from.
    pub source: ServiceSource,
    /// The id of the activity, claim or hours behind it.
    pub source_id: uuid::Uuid,
    /// The activity's name (活动名称): the activity's title, the need's title, or what the
    /// logged hours were.
    pub name: String,
    /// When the service was done (服务日期).
    pub served_at: DateTime<Utc>,
    /// Where (地点), if recorded.
    pub place: Option<String>,
    /// What was done (服务内容).
    pub content: String,
    /// The hours actually given (实际服务时长), in minutes.
    pub minutes: u64,
    /// The organising unit (组织单位): the committee.
    pub organiser: UnitId,
    /// Its name.
    pub organiser_name: String,
    /// The person in charge (负责人): the captain of the team that did it, masked as the
    /// reader may see members; `None` when the committee itself organised it.
    pub in_charge: Option<String>,
    /// When the record was entered.
    pub entered_at: DateTime<Utc>,
    /// Whether it was entered more than [`ENTRY_WORKING_DAYS`] working days after the service.
    pub entered_late: bool,
}

/// Which days are working days: Monday to Friday but the holidays, and the weekend days worked
/// instead, as the working calendar's years say ([`CalendarYear`]); a year the calendar lacks
/// counts Monday to Friday.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    off: BTreeSet<NaiveDate>,
    on: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// The calendar of these years.
    pub fn new(years: &[CalendarYear]) -> Self {
        WorkingCalendar {
            off: years
                .iter()
                .flat_map(|y| y.holidays.iter().copied())
                .collect(),
            on: years
                .iter()
                .flat_map(|y| y.working_weekends.iter().copied())
                .collect(),
        }
    }

    /// Whether `day` is a working day.
    pub fn is_working(&self, day: NaiveDate) -> bool {
        self.on.contains(&day)
            || (!self.off.contains(&day) && !matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
    }
}

/// Working days (in the district's zone, as `calendar` says) from the day after `from` up to
/// and including the day of `to`.
pub fn working_days_between(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: FixedOffset,
    calendar: &WorkingCalendar,
) -> i64 {
    let (a, b) = (
        from.with_timezone(&zone).date_naive(),
        to.with_timezone(&zone).date_naive(),
    );
    if b <= a {
        return 0;
    }
    let mut n = 0;
    let mut d = a;
    while d < b {
        d += Duration::days(1);
        if calendar.is_working(d) {
            n += 1;
        }
    }
    n
}

/// Whether a record served at `served` and entered at `entered` was entered late.
pub fn entered_late(
    served: DateTime<Utc>,
    entered: DateTime<Utc>,
    zone: FixedOffset,
    calendar: &WorkingCalendar,
) -> bool {
    working_days_between(served, entered, zone, calendar) > ENTRY_WORKING_DAYS
}

/// What a certificate says the service was: the records' distinct contents in order, at
/// most 20.
pub fn contents(records: &[ServiceRecord]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in records {
        if !out.contains(&r.content) && out.len() < 20 {
            out.push(r.content.clone());
        }
    }
    out
}

/// A certificate as a table to print or file: one row per record, the total, and on the cover
/// the member, the issuer, the number and the date. `member_name` as the reader may see it.
pub fn certificate_table(
    c: &ServiceCertificate,
    member_name: &str,
    issuer_name: &str,
    records: &[ServiceRecord],
    about: About,
) -> Table {
    let col = |zh, en, m| Column::new((zh, en), m);
    let hours = crate::export::hours(c.minutes);
    let title_zh = format!(
        "志愿服务记录证明 第{}号：{member_name}，{issuer_name}出具，服务时长合计{hours}小时",
        c.number
    );
    let title_en = format!(
        "Certificate of volunteer service No. {}: {member_name}, issued by {issuer_name}, \
         {hours} hours in all",
        c.number
    );
    let mut t = Table::with_columns(
        (&title_zh, &title_en),
        ("志愿服务记录证明", "Service certificate"),
        vec![
            col("活动名称", "Activity", Measure::Plain),
            col("服务日期", "Date", Measure::Time),
            col("地点", "Place", Measure::Plain),
            col("服务内容", "Content", Measure::Plain),
            col("服务时长", "Service time", Measure::Duration),
            col("组织单位", "Organised by", Measure::Plain),
            col("负责人", "In charge", Measure::Plain),
            col("记录时间", "Entered", Measure::Time),
        ],
    );
    for r in records {
        t.rows.push(vec![
            Cell::Text(r.name.clone()),
            Cell::time(Some(r.served_at)),
            Cell::text(r.place.clone()),
            Cell::Text(r.content.clone()),
            Cell::Minutes(r.minutes),
            Cell::Text(r.organiser_name.clone()),
            Cell::text(r.in_charge.clone()),
            Cell::time(Some(r.entered_at)),
        ]);
    }
    t.rows.push(vec![
        Cell::Text("合计 / Total".into()),
        Cell::Text(String::new()),
        Cell::Text(String::new()),
        Cell::Text(format!("证明编号 {}", c.number)),
        Cell::Minutes(c.minutes),
        Cell::Text(issuer_name.to_string()),
        Cell::Text(String::new()),
        Cell::time(Some(c.issued_at)),
    ]);
    t.about = Some(about);
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ten_working_days_skip_weekends() {
        let z = FixedOffset::east_opt(8 * 3600).unwrap();
        // Friday 2026-01-02, 10:00 in Beijing.
        let fri = z
            .with_ymd_and_hms(2026, 1, 2, 10, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let none = WorkingCalendar::default();
        assert_eq!(
            working_days_between(fri, fri + Duration::days(3), z, &none),
            1
        );
        // Ten working days later is Friday 2026-01-16: in time; the Monday after is late.
        assert!(!entered_late(fri, fri + Duration::days(14), z, &none));
        assert!(entered_late(fri, fri + Duration::days(17), z, &none));
        assert_eq!(
            working_days_between(fri + Duration::days(1), fri, z, &none),
            0
        );
    }

    #[test]
    fn holidays_are_skipped_and_working_weekends_counted() {
        let z = FixedOffset::east_opt(8 * 3600).unwrap();
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        // A week off from Thursday 1 October, Sunday 11 October worked instead.
        let cal = WorkingCalendar::new(&[CalendarYear {
            id: CalendarYearId::new(),
            year: 2026,
            holidays: (1..=8).map(|d| day(10, d)).collect(),
            working_weekends: vec![day(10, 11)],
            set_at: Utc::now(),
        }]);
        assert!(!cal.is_working(day(10, 1)) && !cal.is_working(day(10, 3)));
        assert!(cal.is_working(day(10, 9)) && cal.is_working(day(10, 11)));
        assert!(!cal.is_working(day(10, 10)), "a Saturday not worked");
        assert!(cal.is_working(day(9, 30)) && !cal.is_working(day(9, 27)));
        // Served on Wednesday 30 September: Fri 9, Sun 11, Mon 12 … Thu 15 are six working
        // days; without the calendar, 1, 2, 5, 6, 7, 8, 9, 12, 13, 14, 15 are eleven.
        let served = z
            .with_ymd_and_hms(2026, 9, 30, 10, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let entered = served + Duration::days(15);
        assert_eq!(working_days_between(served, entered, z, &cal), 6);
        let none = WorkingCalendar::default();
        assert_eq!(working_days_between(served, entered, z, &none), 11);
        assert!(entered_late(served, entered, z, &none));
        assert!(!entered_late(served, entered, z, &cal));
    }
}

//! Tables for people: ledgers and reports as CSV (UTF-8 with a byte-order mark, so spreadsheet
//! programs read Chinese correctly) and XLSX (feature `xlsx`), ready for an office to file.
//!
//! A [`Table`] is data: bilingual titles and headers, and [`Cell`]s that say what they hold
//! (a code with its labels, money in fen, a duration in minutes, a UTC time). How they are
//! written is chosen when exporting, by [`ExportOptions`]:
//!
//! - **language**: Chinese (the default) or English, for titles, headers, labels and the cover;
//! - **values**: [`Values::Labels`] (the default) shows every code as its label, money in yuan
//!   with two decimals, durations in hours and times in the district's time zone;
//!   [`Values::Codes`] keeps the stable codes, fen, minutes and UTC, for programs;
//! - **time zone**: a fixed offset from UTC in minutes, `+480` (China Standard Time, 北京时间)
//!   by default. China has kept no daylight-saving time since 1991, so a fixed offset is exact
//!   there; a district elsewhere sets its own offset (and must change it with its seasons).
//!
//! In XLSX, money and hours are numbers with a `0.00` format and times are real Excel dates
//! (`yyyy-mm-dd hh:mm`), never text. Every workbook starts with a cover sheet ("封面",
//! "Cover": what the export covers, its period, who exported it and when, whether personal
//! data is masked, the time zone and units, and a list of its sheets); every other sheet has
//! a bold, frozen header row with a filter, columns as wide as their contents, and a page
//! set up to print (landscape, A4, one page wide, the header row repeated on every page, the
//! title and page numbers in the margins). Sheet names are unique without running numbers:
//! see [`sheet_names`].
//!
//! Cells that a spreadsheet would run as a formula (text starting with `=`, `+`, `-`, `@`)
//! are written as text, with a leading `'`.

use crate::error::{Error, Result};
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The language of titles, headers, labels and the cover sheet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// 中文 (the default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Language {
    /// The half of a `(中文, English)` pair in this language.
    pub fn pick<'a>(&self, pair: (&'a str, &'a str)) -> &'a str {
        match self {
            Language::Zh => pair.0,
            Language::En => pair.1,
        }
    }

    fn of<'a>(&self, pair: &'a (String, String)) -> &'a str {
        self.pick((&pair.0, &pair.1))
    }
}

/// Whether personal data appears in full.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalData {
    /// Masked for everyone (the default, whoever exports).
    #[default]
    Masked,
    /// In full — refused with `Forbidden` unless the actor is entitled to every row.
    Full,
}

/// How values are written: for people, or for programs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Values {
    /// For people (the default): every code as its label in the chosen language, money in
    /// yuan with two decimals, durations in hours, times in the chosen time zone.
    #[default]
    Labels,
    /// For programs: the stable snake_case codes, money in fen, durations in minutes, times
    /// in UTC (ISO-8601 text in CSV, `…Z`; Excel dates in UTC in XLSX). Headers and the
    /// cover stay in the chosen language and name these units.
    Codes,
}

/// China Standard Time (北京时间), UTC+08:00, in minutes: the default time zone of exports.
pub const CHINA_STANDARD_TIME: i32 = 480;

/// How to export. Every field has a default (`ExportOptions::default()`: Chinese, masked,
/// labels, UTC+08:00), and a missing field reads as its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportOptions {
    /// Language of titles, headers, labels and the cover.
    pub language: Language,
    /// Personal data in full or masked.
    pub personal_data: PersonalData,
    /// Labels, yuan, hours and local times (for people), or codes, fen, minutes and UTC.
    pub values: Values,
    /// The district's time zone as minutes east of UTC, from -720 (UTC-12:00) to 840
    /// (UTC+14:00); [`CHINA_STANDARD_TIME`] (480) by default. A fixed offset: see the module
    /// docs.
    pub utc_offset_minutes: i32,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            language: Language::Zh,
            personal_data: PersonalData::Masked,
            values: Values::Labels,
            utc_offset_minutes: CHINA_STANDARD_TIME,
        }
    }
}

impl ExportOptions {
    /// The default options in `language`.
    pub fn in_language(language: Language) -> ExportOptions {
        ExportOptions {
            language,
            ..ExportOptions::default()
        }
    }

    /// The time zone times are shown in: the offset, or `Invalid { field:
    /// "utc_offset_minutes" }` when it lies outside -720..=840.
    pub fn zone(&self) -> Result<FixedOffset> {
        let m = self.utc_offset_minutes;
        if !(-720..=840).contains(&m) {
            return Err(Error::invalid(
                "utc_offset_minutes",
                "must be minutes east of UTC from -720 to 840",
            ));
        }
        FixedOffset::east_opt(m * 60).ok_or_else(|| {
            Error::invalid(
                "utc_offset_minutes",
                "must be minutes east of UTC from -720 to 840",
            )
        })
    }
}

/// The options checked, with the zone times are written in (UTC for [`Values::Codes`]).
struct Render {
    lang: Language,
    values: Values,
    zone: FixedOffset,
    offset_minutes: i32,
}

impl Render {
    fn new(o: &ExportOptions) -> Result<Render> {
        let zone = o.zone()?;
        Ok(match o.values {
            Values::Labels => Render {
                lang: o.language,
                values: o.values,
                zone,
                offset_minutes: o.utc_offset_minutes,
            },
            Values::Codes => Render {
                lang: o.language,
                values: o.values,
                zone: FixedOffset::east_opt(0).expect("UTC"),
                offset_minutes: 0,
            },
        })
    }

    fn labels(&self) -> bool {
        self.values == Values::Labels
    }

    /// The zone as people read it: `北京时间` / `UTC+08:00`, or `UTC`.
    fn zone_name(&self) -> String {
        let m = self.offset_minutes;
        if m == 0 {
            return "UTC".into();
        }
        let text = format!(
            "UTC{}{:02}:{:02}",
            if m < 0 { '-' } else { '+' },
            m.abs() / 60,
            m.abs() % 60
        );
        if m == CHINA_STANDARD_TIME && self.lang == Language::Zh {
            "北京时间".into()
        } else {
            text
        }
    }

    fn local(&self, t: DateTime<Utc>) -> chrono::NaiveDateTime {
        t.with_timezone(&self.zone).naive_local()
    }
}

/// One cell. Cells say what they hold; [`ExportOptions`] decide how it is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text, written as it is.
    Text(String),
    /// A whole number (a count).
    Int(i64),
    /// A time: in the chosen zone (an Excel date in XLSX), or ISO-8601 UTC for
    /// [`Values::Codes`].
    Time(DateTime<Utc>),
    /// A code of a vocabulary (or several, already joined) with its labels: the label in the
    /// chosen language, or the code for [`Values::Codes`].
    Code {
        /// The stable code (`left_behind_child`).
        code: String,
        /// The Chinese label (`留守儿童`).
        zh: String,
        /// The English label (`Left-behind child`).
        en: String,
    },
    /// Money in fen: yuan with two decimals, or fen for [`Values::Codes`].
    Money(i64),
    /// A duration in minutes: hours with two decimals, or minutes for [`Values::Codes`].
    Minutes(u64),
}

impl Cell {
    /// Text, or empty for `None`.
    pub fn text(s: Option<impl Into<String>>) -> Cell {
        s.map_or(Cell::Empty, |s| Cell::Text(s.into()))
    }
    /// A time, or empty for `None`.
    pub fn time(t: Option<DateTime<Utc>>) -> Cell {
        t.map_or(Cell::Empty, Cell::Time)
    }
    /// A count.
    pub fn int(n: impl TryInto<i64>) -> Cell {
        Cell::Int(n.try_into().unwrap_or(i64::MAX))
    }
    /// A code with its labels `(中文, English)`.
    pub fn code(code: impl Into<String>, label: (&str, &str)) -> Cell {
        Cell::Code {
            code: code.into(),
            zh: label.0.into(),
            en: label.1.into(),
        }
    }

    /// The cell as text (CSV, and the width of an XLSX column).
    fn display(&self, r: &Render) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => defuse(s),
            Cell::Int(n) => n.to_string(),
            Cell::Time(t) if r.labels() => r.local(*t).format("%Y-%m-%d %H:%M").to_string(),
            Cell::Time(t) => t.format("%Y-%m-%d %H:%M:%SZ").to_string(),
            Cell::Code { zh, en, .. } if r.labels() => defuse(r.lang.pick((zh, en))),
            Cell::Code { code, .. } => defuse(code),
            Cell::Money(fen) if r.labels() => yuan(*fen),
            Cell::Money(fen) => fen.to_string(),
            Cell::Minutes(m) if r.labels() => hours(*m),
            Cell::Minutes(m) => m.to_string(),
        }
    }
}

/// Fen as yuan with two decimals, exactly (`30000` → `300.00`, `-5` → `-0.05`).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Minutes as hours with two decimals, rounded half up (`90` → `1.50`, `20` → `0.33`).
pub fn hours(minutes: u64) -> String {
    let hundredths = (u128::from(minutes) * 100 + 30) / 60;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Keeps a spreadsheet from treating text as a formula.
fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// What a column's cells measure: decides the unit its header names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Text, labels and counts: no unit.
    #[default]
    Plain,
    /// Money: `(元)` / `(yuan)`, or `(分)` / `(fen)` for codes.
    Money,
    /// Durations: `(小时)` / `(hours)`, or `(分钟)` / `(minutes)` for codes.
    Duration,
    /// Times: the zone, `(北京时间)` / `(UTC+08:00)`, or `(UTC)` for codes.
    Time,
}

/// A column: its header in both languages (without the unit) and what it measures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// The Chinese header.
    pub zh: String,
    /// The English header.
    pub en: String,
    /// What its cells measure.
    pub measure: Measure,
}

impl Column {
    /// A column headed `(中文, English)` measuring `measure`.
    pub fn new(header: (&str, &str), measure: Measure) -> Column {
        Column {
            zh: header.0.into(),
            en: header.1.into(),
            measure,
        }
    }

    fn header(&self, r: &Render) -> String {
        let name = r.lang.pick((&self.zh, &self.en));
        let unit = match (self.measure, r.labels()) {
            (Measure::Plain, _) => return name.to_string(),
            (Measure::Money, true) => r.lang.pick(("元", "yuan")).to_string(),
            (Measure::Money, false) => r.lang.pick(("分", "fen")).to_string(),
            (Measure::Duration, true) => r.lang.pick(("小时", "hours")).to_string(),
            (Measure::Duration, false) => r.lang.pick(("分钟", "minutes")).to_string(),
            (Measure::Time, _) => r.zone_name(),
        };
        match r.lang {
            Language::Zh => format!("{name}({unit})"),
            Language::En => format!("{name} ({unit})"),
        }
    }
}

/// Where a table comes from: what the cover sheet says about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct About {
    /// What it covers, `(中文, English)`: `居委会：凤凰社区居委会`.
    pub scope: (String, String),
    /// The period's start (inclusive), if any.
    pub from: Option<DateTime<Utc>>,
    /// The period's end (exclusive), if any.
    pub to: Option<DateTime<Utc>>,
    /// Who exported it, `(中文, English)`: `社区工作人员（凤凰社区居委会）`.
    pub exported_by: (String, String),
    /// When it was made (the Hub's clock).
    pub exported_at: DateTime<Utc>,
    /// Whether personal data in it is masked; `None` when it holds none (a report's
    /// figures).
    pub personal_data: Option<PersonalData>,
}

/// A clustered column chart of some columns of a table, drawn below it in XLSX.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chart {
    /// Its title, `(中文, English)`.
    pub title: (String, String),
    /// The column whose cells name the categories (one group of bars per row).
    pub categories: usize,
    /// The columns drawn, one series each, named by their headers.
    pub series: Vec<usize>,
}

/// A table with bilingual titles and headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Its title `(中文, English)`: printed at the top of every page, listed on the cover.
    pub name: (String, String),
    /// The sheet name it wants `(中文, English)`, before [`sheet_names`] makes it fit and
    /// unique (the unit's or work unit's name for a ledger).
    pub sheet: (String, String),
    /// What tells it apart from another table that wants the same sheet name, most
    /// meaningful first (a committee's community, then a short id): see [`sheet_names`].
    pub qualifiers: Vec<(String, String)>,
    /// The columns.
    pub columns: Vec<Column>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
    /// Where it comes from (the cover sheet), when known.
    pub about: Option<About>,
    /// A chart of it, if any (XLSX only).
    pub chart: Option<Chart>,
}

impl Table {
    /// A table with plain columns headed by `(中文, English)` pairs, wanting a sheet named
    /// like its title.
    pub fn new(name: (&str, &str), columns: &[(&str, &str)]) -> Table {
        Table::with_columns(
            name,
            name,
            columns
                .iter()
                .map(|c| Column::new(*c, Measure::Plain))
                .collect(),
        )
    }

    /// A table titled `name` wanting the sheet name `sheet`, with `columns`.
    pub fn with_columns(name: (&str, &str), sheet: (&str, &str), columns: Vec<Column>) -> Table {
        Table {
            name: (name.0.into(), name.1.into()),
            sheet: (sheet.0.into(), sheet.1.into()),
            qualifiers: Vec::new(),
            columns,
            rows: Vec::new(),
            about: None,
            chart: None,
        }
    }

    /// The headers as `options` write them (with units: `金额(元)`, `Money (fen)`, …).
    pub fn headers(&self, options: &ExportOptions) -> Vec<String> {
        let r = Render {
            lang: options.language,
            values: options.values,
            zone: FixedOffset::east_opt(0).expect("UTC"),
            offset_minutes: match options.values {
                Values::Labels => options.utc_offset_minutes,
                Values::Codes => 0,
            },
        };
        self.columns.iter().map(|c| c.header(&r)).collect()
    }

    /// The table name in `lang`.
    pub fn title(&self, lang: Language) -> &str {
        lang.of(&self.name)
    }

    /// RFC 4180 CSV with a UTF-8 byte-order mark and CRLF line ends, in `lang` with the
    /// other options' defaults (labels, yuan, hours, UTC+08:00).
    pub fn to_csv(&self, lang: Language) -> String {
        let r = Render::new(&ExportOptions::in_language(lang)).expect("the default zone");
        self.csv(&r)
    }

    /// RFC 4180 CSV as `options` say (`Invalid` for an offset out of range). CSV has no
    /// cover: the headers name the units and the time zone.
    pub fn to_csv_with(&self, options: &ExportOptions) -> Result<String> {
        Ok(self.csv(&Render::new(options)?))
    }

    fn csv(&self, r: &Render) -> String {
        fn field(s: &str) -> String {
            if s.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        }
        let mut out = String::from("\u{FEFF}");
        let line =
            |cells: Vec<String>| cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(",");
        out.push_str(&line(self.columns.iter().map(|c| c.header(r)).collect()));
        out.push_str("\r\n");
        for row in &self.rows {
            out.push_str(&line(row.iter().map(|c| c.display(r)).collect()));
            out.push_str("\r\n");
        }
        out
    }
}

/// The cover sheet's name, `(中文, English)`; no table takes it.
pub const COVER: (&str, &str) = ("封面", "Cover");

/// Excel's limit on a sheet name's length, in characters.
const SHEET_NAME_MAX: usize = 31;

/// The sheet name of each table in a workbook, in `lang`: each table's [`Table::sheet`],
/// without the characters Excel forbids (`[ ] : * ? / \`, leading or trailing `'`), cut to
/// Excel's 31 characters, and unique (as Excel compares them, ignoring case, and apart from
/// the cover's name). Tables that want the same name are told apart by their
/// [`Table::qualifiers`], in order, in brackets (`凤凰社区居委会（荷城街道）`), the name cut
/// so the qualifier fits; only tables alike in every qualifier (the same table twice) fall
/// back to a number, `（2）`.
pub fn sheet_names(tables: &[&Table], lang: Language) -> Vec<String> {
    let key = |s: &str| s.to_lowercase();
    let cover = key(lang.pick(COVER));
    let reserved = |k: &str| k == cover || k == "history";
    let bracket = |q: &str| match lang {
        Language::Zh => format!("（{q}）"),
        Language::En => format!(" ({q})"),
    };
    let fallback = lang.pick(("表", "Sheet"));
    let bases: Vec<String> = tables
        .iter()
        .map(|t| {
            let b = clean(lang.of(&t.sheet));
            if b.is_empty() {
                fallback.to_string()
            } else {
                b
            }
        })
        .collect();
    let mut names: Vec<String> = bases.iter().map(|b| fit(b, "")).collect();
    let mut level = vec![0usize; tables.len()];
    loop {
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        for n in &names {
            *count.entry(key(n)).or_default() += 1;
        }
        let mut progressed = false;
        for i in 0..tables.len() {
            let k = key(&names[i]);
            if count[&k] < 2 && !reserved(&k) {
                continue;
            }
            if let Some(q) = tables[i].qualifiers.get(level[i]) {
                let q = clean(lang.of(q));
                level[i] += 1;
                progressed = true;
                if !q.is_empty() {
                    names[i] = fit(&bases[i], &bracket(&q));
                }
            }
        }
        if !progressed {
            break;
        }
    }
    // The last resort: a number, for tables alike in every qualifier.
    let mut taken: std::collections::BTreeSet<String> = names.iter().map(|n| key(n)).collect();
    let mut seen = std::collections::BTreeSet::new();
    for name in names.iter_mut() {
        let k = key(name);
        if !reserved(&k) && seen.insert(k) {
            continue;
        }
        let mut n = 2;
        loop {
            let candidate = fit(name, &bracket(&n.to_string()));
            let ck = key(&candidate);
            if !taken.contains(&ck) && !reserved(&ck) {
                taken.insert(ck.clone());
                seen.insert(ck);
                *name = candidate;
                break;
            }
            n += 1;
        }
    }
    names
}

/// A sheet name without what Excel forbids.
fn clean(s: &str) -> String {
    let s: String = s
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c) && !c.is_control())
        .collect();
    s.trim().trim_matches('\'').trim().to_string()
}

/// `base` + `suffix` in 31 characters, cutting `base` (and `suffix` if it alone is longer).
fn fit(base: &str, suffix: &str) -> String {
    let suffix: String = suffix.chars().take(SHEET_NAME_MAX - 1).collect();
    let room = SHEET_NAME_MAX - suffix.chars().count();
    let cut: String = base.chars().take(room).collect();
    let cut = cut.trim_end().trim_end_matches('\'');
    format!("{cut}{suffix}")
}

/// A workbook with a cover sheet and one sheet per table, as XLSX bytes, in `lang` with the
/// other options' defaults (labels, yuan, hours, UTC+08:00).
#[cfg(feature = "xlsx")]
pub fn to_xlsx(tables: &[&Table], lang: Language) -> Result<Vec<u8>> {
    to_xlsx_with(tables, &ExportOptions::in_language(lang))
}

/// A workbook with a cover sheet and one sheet per table, as `options` say, as XLSX bytes
/// (see the module docs for what every sheet has).
#[cfg(feature = "xlsx")]
pub fn to_xlsx_with(tables: &[&Table], options: &ExportOptions) -> Result<Vec<u8>> {
    xlsx::write(tables, &Render::new(options)?)
}

#[cfg(feature = "xlsx")]
mod xlsx {
    use super::*;
    use rust_xlsxwriter::{
        Chart as XChart, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
    };

    fn x(e: XlsxError) -> Error {
        Error::Storage {
            message: format!("writing xlsx: {e}"),
        }
    }

    /// The Excel serial date (days since 1899-12-30, the fraction the time of day) of `t` in
    /// `zone`; `None` before 1900-03-01, where Excel's calendar is wrong.
    pub(super) fn excel_serial(t: DateTime<Utc>, zone: FixedOffset) -> Option<f64> {
        let local = t.with_timezone(&zone).naive_local();
        let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
        let seconds = (local - epoch).num_seconds();
        let serial = seconds as f64 / 86_400.0;
        (serial >= 61.0).then_some(serial)
    }

    /// How wide text looks, in Excel's character units: CJK and full-width characters count
    /// two.
    fn text_width(s: &str) -> f64 {
        s.chars()
            .map(|c| {
                let u = c as u32;
                let wide = (0x1100..=0x115F).contains(&u)
                    || (0x2E80..=0xA4CF).contains(&u)
                    || (0xAC00..=0xD7A3).contains(&u)
                    || (0xF900..=0xFAFF).contains(&u)
                    || (0xFE30..=0xFE4F).contains(&u)
                    || (0xFF00..=0xFF60).contains(&u)
                    || (0xFFE0..=0xFFE6).contains(&u)
                    || u >= 0x20000;
                if wide {
                    2.0
                } else {
                    1.0
                }
            })
            .sum()
    }

    /// The formats of a workbook.
    struct Formats {
        title: Format,
        header: Format,
        label: Format,
        date: Format,
        decimal: Format,
    }

    /// A date, or `None` before 1900-03-01.
    fn serial(r: &Render, t: DateTime<Utc>) -> Option<f64> {
        excel_serial(t, r.zone)
    }

    pub(super) fn write(tables: &[&Table], r: &Render) -> Result<Vec<u8>> {
        let names = sheet_names(tables, r.lang);
        let f = Formats {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_background_color("D9E1F2")
                .set_border_bottom(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            label: Format::new().set_bold(),
            date: Format::new().set_num_format(if r.labels() {
                "yyyy-mm-dd hh:mm"
            } else {
                "yyyy-mm-dd hh:mm:ss"
            }),
            decimal: Format::new().set_num_format("0.00"),
        };
        let mut wb = Workbook::new();
        cover(wb.add_worksheet(), tables, &names, r, &f)?;
        for (t, name) in tables.iter().zip(&names) {
            let ws = wb.add_worksheet();
            sheet(ws, t, name, r, &f)?;
        }
        wb.save_to_buffer().map_err(x)
    }

    fn write_cell(
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        cell: &Cell,
        r: &Render,
        f: &Formats,
    ) -> Result<()> {
        match cell {
            Cell::Empty => {}
            Cell::Int(n) => {
                ws.write_number(row, col, *n as f64).map_err(x)?;
            }
            Cell::Time(t) => match serial(r, *t) {
                Some(s) => {
                    ws.write_number_with_format(row, col, s, &f.date)
                        .map_err(x)?;
                }
                None => {
                    ws.write_string(row, col, cell.display(r)).map_err(x)?;
                }
            },
            Cell::Money(fen) if r.labels() => {
                ws.write_number_with_format(row, col, *fen as f64 / 100.0, &f.decimal)
                    .map_err(x)?;
            }
            Cell::Money(fen) => {
                ws.write_number(row, col, *fen as f64).map_err(x)?;
            }
            Cell::Minutes(m) if r.labels() => {
                ws.write_number_with_format(row, col, *m as f64 / 60.0, &f.decimal)
                    .map_err(x)?;
            }
            Cell::Minutes(m) => {
                ws.write_number(row, col, *m as f64).map_err(x)?;
            }
            Cell::Text(_) | Cell::Code { .. } => {
                ws.write_string(row, col, cell.display(r)).map_err(x)?;
            }
        }
        Ok(())
    }

    /// Text for a page header or footer (`&` doubled).
    fn margin_text(s: &str) -> String {
        s.replace('&', "&&")
    }

    fn print_setup(ws: &mut Worksheet, title: &str, r: &Render, repeat_header: bool) -> Result<()> {
        ws.set_landscape();
        ws.set_paper_size(9); // A4
        ws.set_print_fit_to_pages(1, 0);
        ws.set_print_gridlines(true);
        if repeat_header {
            ws.set_repeat_rows(0, 0).map_err(x)?;
        }
        ws.set_header(format!("&C&\"-,Bold\"{}", margin_text(title)));
        ws.set_footer(r.lang.pick(("&C第 &P 页，共 &N 页", "&CPage &P of &N")));
        Ok(())
    }

    fn sheet(ws: &mut Worksheet, t: &Table, name: &str, r: &Render, f: &Formats) -> Result<()> {
        ws.set_name(name).map_err(x)?;
        let headers: Vec<String> = t.columns.iter().map(|c| c.header(r)).collect();
        let mut widths: Vec<f64> = headers.iter().map(|h| text_width(h) * 1.1).collect();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &f.header)
                .map_err(x)?;
        }
        for (i, row) in t.rows.iter().enumerate() {
            let i = i as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                write_cell(ws, i, c as u16, cell, r, f)?;
                if let Some(w) = widths.get_mut(c) {
                    *w = w.max(text_width(&cell.display(r)));
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, (w + 2.0).clamp(6.0, 60.0))
                .map_err(x)?;
        }
        ws.set_freeze_panes(1, 0).map_err(x)?;
        if !t.columns.is_empty() {
            ws.autofilter(0, 0, t.rows.len() as u32, t.columns.len() as u16 - 1)
                .map_err(x)?;
        }
        print_setup(ws, t.title(r.lang), r, true)?;
        if let Some(chart) = &t.chart {
            draw(ws, t, chart, name, r)?;
        }
        Ok(())
    }

    fn draw(ws: &mut Worksheet, t: &Table, chart: &Chart, name: &str, r: &Render) -> Result<()> {
        let n = t.rows.len() as u32;
        let ok = |c: usize| c < t.columns.len();
        if n == 0 || !ok(chart.categories) || !chart.series.iter().all(|c| ok(*c)) {
            return Ok(());
        }
        let mut c = XChart::new_column();
        c.title().set_name(r.lang.of(&chart.title));
        let cat = chart.categories as u16;
        for s in &chart.series {
            let s = *s as u16;
            c.add_series()
                .set_name((name, 0, s))
                .set_categories((name, 1, cat, n, cat))
                .set_values((name, 1, s, n, s));
        }
        c.set_width((n * 48 + 240).clamp(640, 2400));
        c.set_height(360);
        ws.insert_chart(n + 2, 0, &c).map_err(x)?;
        Ok(())
    }

    /// One value for every table that knows it, or `None` when they differ or none knows.
    fn common<T: PartialEq + Clone>(
        tables: &[&Table],
        get: impl Fn(&About) -> T,
    ) -> Option<Option<T>> {
        let mut out: Option<T> = None;
        for t in tables {
            let Some(a) = &t.about else { continue };
            let v = get(a);
            match &out {
                None => out = Some(v),
                Some(o) if *o == v => {}
                Some(_) => return None,
            }
        }
        Some(out)
    }

    /// What the cover says of personal data: `None` when a table does not say.
    fn personal_label(p: Option<Option<PersonalData>>) -> (&'static str, &'static str) {
        match p {
            Some(Some(PersonalData::Masked)) => ("已脱敏", "Masked"),
            Some(Some(PersonalData::Full)) => (
                "完整（仅供有权查看的人员使用）",
                "In full (for entitled readers only)",
            ),
            Some(None) => ("不含个人信息", "None (figures only)"),
            None => ("未说明", "Not stated"),
        }
    }

    fn cover(
        ws: &mut Worksheet,
        tables: &[&Table],
        names: &[String],
        r: &Render,
        f: &Formats,
    ) -> Result<()> {
        let l = r.lang;
        ws.set_name(l.pick(COVER)).map_err(x)?;
        let varies = l.pick(("各表不同，见下表", "Varies: see the list below"));
        let unknown = l.pick(("未说明", "Not stated"));
        let open = l.pick(("不限", "Open"));
        ws.write_string_with_format(0, 0, l.pick(("导出说明", "About this export")), &f.title)
            .map_err(x)?;
        let mut row = 2u32;
        let mut field = |ws: &mut Worksheet, label: (&str, &str), value: Cell| -> Result<()> {
            ws.write_string_with_format(row, 0, l.pick(label), &f.label)
                .map_err(x)?;
            write_cell(ws, row, 1, &value, r, f)?;
            row += 1;
            Ok(())
        };
        let text = |s: &str| Cell::Text(s.to_string());
        let title = match tables {
            [t] => text(t.title(l)),
            _ => Cell::Text(match l {
                Language::Zh => format!("共 {} 张表，见下表", tables.len()),
                Language::En => format!("{} tables: see the list below", tables.len()),
            }),
        };
        field(ws, ("标题", "Title"), title)?;
        let pair = |v: Option<Option<(String, String)>>| match v {
            None => text(varies),
            Some(None) => text(unknown),
            Some(Some(p)) => text(l.of(&p)),
        };
        field(
            ws,
            ("范围", "Scope"),
            pair(common(tables, |a| a.scope.clone())),
        )?;
        let time = |v: Option<Option<Option<DateTime<Utc>>>>| match v {
            None => text(varies),
            Some(None) => text(unknown),
            Some(Some(None)) => text(open),
            Some(Some(Some(t))) => Cell::Time(t),
        };
        field(
            ws,
            ("统计期间起", "Period from"),
            time(common(tables, |a| a.from)),
        )?;
        field(
            ws,
            ("统计期间止（不含）", "Period to (exclusive)"),
            time(common(tables, |a| a.to)),
        )?;
        field(
            ws,
            ("导出人", "Exported by"),
            pair(common(tables, |a| a.exported_by.clone())),
        )?;
        field(
            ws,
            ("导出时间", "Exported at"),
            time(common(tables, |a| Some(a.exported_at))),
        )?;
        let personal = if tables.iter().all(|t| t.about.is_some()) {
            common(tables, |a| a.personal_data)
        } else {
            Some(None)
        };
        field(
            ws,
            ("个人信息", "Personal data"),
            match personal {
                None => text(varies),
                Some(None) => text(l.pick(personal_label(None))),
                Some(Some(p)) => text(l.pick(personal_label(Some(p)))),
            },
        )?;
        let zone = match r.values {
            Values::Labels if r.offset_minutes == CHINA_STANDARD_TIME && l == Language::Zh => {
                "北京时间（UTC+08:00）".to_string()
            }
            _ => r.zone_name(),
        };
        field(ws, ("时区", "Time zone"), Cell::Text(zone))?;
        let values = match r.values {
            Values::Labels => l.pick((
                "名称与状态为文字；金额单位为元；时长单位为小时",
                "Labels; money in yuan; durations in hours",
            )),
            Values::Codes => l.pick((
                "名称与状态为代码；金额单位为分；时长单位为分钟",
                "Codes; money in fen; durations in minutes",
            )),
        };
        field(ws, ("数值", "Values"), text(values))?;
        row += 1;
        let heads = [
            ("工作表", "Sheet"),
            ("内容", "Contents"),
            ("范围", "Scope"),
            ("行数", "Rows"),
            ("个人信息", "Personal data"),
        ];
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, l.pick(*h), &f.header)
                .map_err(x)?;
        }
        for (t, name) in tables.iter().zip(names) {
            row += 1;
            ws.write_string(row, 0, name).map_err(x)?;
            ws.write_string(row, 1, t.title(l)).map_err(x)?;
            if let Some(a) = &t.about {
                ws.write_string(row, 2, l.of(&a.scope)).map_err(x)?;
            }
            ws.write_number(row, 3, t.rows.len() as f64).map_err(x)?;
            ws.write_string(
                row,
                4,
                l.pick(personal_label(t.about.as_ref().map(|a| a.personal_data))),
            )
            .map_err(x)?;
        }
        let mut widths = [16.0f64, 30.0, 20.0, 6.0, 10.0];
        for t in tables {
            widths[1] = widths[1].max(text_width(t.title(l)));
            if let Some(a) = &t.about {
                widths[2] = widths[2].max(text_width(l.of(&a.scope)));
                widths[1] = widths[1].max(text_width(l.of(&a.exported_by)));
            }
        }
        for name in names {
            widths[0] = widths[0].max(text_width(name));
        }
        widths[1] = widths[1].max(text_width(values));
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, (w + 2.0).min(60.0))
                .map_err(x)?;
        }
        print_setup(ws, l.pick(("导出说明", "About this export")), r, false)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn csv_quotes_and_defuses() {
        let mut t = Table::new(("台账", "Ledger"), &[("姓名", "Name"), ("件数", "Count")]);
        t.rows
            .push(vec![Cell::Text("王, \"芳\"".into()), Cell::Int(100)]);
        t.rows
            .push(vec![Cell::Text("=HYPERLINK(\"x\")".into()), Cell::Empty]);
        let csv = t.to_csv(Language::Zh);
        assert_eq!(
            csv,
            "\u{FEFF}姓名,件数\r\n\"王, \"\"芳\"\"\",100\r\n\"'=HYPERLINK(\"\"x\"\")\",\r\n"
        );
        assert!(t.to_csv(Language::En).starts_with("\u{FEFF}Name,Count\r\n"));
    }

    fn measured() -> Table {
        let mut t = Table::with_columns(
            ("台账", "Ledger"),
            ("台账", "Ledger"),
            vec![
                Column::new(("状态", "Status"), Measure::Plain),
                Column::new(("金额", "Money"), Measure::Money),
                Column::new(("服务时长", "Service"), Measure::Duration),
                Column::new(("认领时间", "Claimed at"), Measure::Time),
            ],
        );
        t.rows.push(vec![
            Cell::code("verified", ("已验收", "Verified")),
            Cell::Money(30_005),
            Cell::Minutes(100),
            Cell::Time(Utc.with_ymd_and_hms(2026, 3, 1, 16, 30, 0).unwrap()),
        ]);
        t
    }

    #[test]
    fn csv_shows_labels_yuan_hours_and_local_times_by_default() {
        let t = measured();
        assert_eq!(
            t.to_csv(Language::Zh),
            "\u{FEFF}状态,金额(元),服务时长(小时),认领时间(北京时间)\r\n\
             已验收,300.05,1.67,2026-03-02 00:30\r\n"
        );
        assert_eq!(
            t.to_csv(Language::En),
            "\u{FEFF}Status,Money (yuan),Service (hours),Claimed at (UTC+08:00)\r\n\
             Verified,300.05,1.67,2026-03-02 00:30\r\n"
        );
        let codes = ExportOptions {
            values: Values::Codes,
            ..ExportOptions::default()
        };
        assert_eq!(
            t.to_csv_with(&codes).unwrap(),
            "\u{FEFF}状态,金额(分),服务时长(分钟),认领时间(UTC)\r\n\
             verified,30005,100,2026-03-01 16:30:00Z\r\n"
        );
        let west = ExportOptions {
            utc_offset_minutes: -330,
            language: Language::En,
            ..ExportOptions::default()
        };
        assert!(t
            .to_csv_with(&west)
            .unwrap()
            .contains("Claimed at (UTC-05:30)\r\nVerified,300.05,1.67,2026-03-01 11:00\r\n"));
        for bad in [-721, 841, i32::MIN] {
            let o = ExportOptions {
                utc_offset_minutes: bad,
                ..ExportOptions::default()
            };
            match t.to_csv_with(&o) {
                Err(Error::Invalid { field, .. }) => assert_eq!(field, "utc_offset_minutes"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn yuan_and_hours_are_exact() {
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(-5), "-0.05");
        assert_eq!(yuan(110_000_000), "1100000.00");
        assert_eq!(yuan(i64::MIN), "-92233720368547758.08");
        assert_eq!(hours(0), "0.00");
        assert_eq!(hours(90), "1.50");
        assert_eq!(hours(20), "0.33");
        assert_eq!(hours(1), "0.02");
        assert_eq!(hours(u64::MAX), "307445734561825860.25");
    }

    #[cfg(feature = "xlsx")]
    #[test]
    fn excel_serials_are_local_days_since_1899_12_30() {
        use xlsx::excel_serial;
        let cst = FixedOffset::east_opt(480 * 60).unwrap();
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 16, 30, 0).unwrap();
        // 2026-03-02 is day 46083; 00:30 is 1/48 of a day.
        assert_eq!(excel_serial(t, cst), Some(46083.0 + 1.0 / 48.0));
        let t = Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(excel_serial(t, cst), None);
    }

    fn named(sheet: &str, qualifiers: &[&str]) -> Table {
        let mut t = Table::new((sheet, sheet), &[("列", "Column")]);
        t.qualifiers = qualifiers
            .iter()
            .map(|q| (q.to_string(), q.to_string()))
            .collect();
        t
    }

    #[test]
    fn sheet_names_are_unique_fit_and_meaningful() {
        let a = named("凤凰社区居委会", &["荷城街道", "#aaaaaa"]);
        let b = named("凤凰社区居委会", &["德坞街道", "#bbbbbb"]);
        let c = named("凤凰社区居委会", &["德坞街道", "#cccccc"]);
        let d = named("明湖社区居委会", &["荷城街道"]);
        assert_eq!(
            sheet_names(&[&a, &b, &c, &d], Language::Zh),
            [
                "凤凰社区居委会（荷城街道）",
                "凤凰社区居委会（#bbbbbb）",
                "凤凰社区居委会（#cccccc）",
                "明湖社区居委会"
            ]
        );
        assert_eq!(
            sheet_names(&[&a, &b], Language::En),
            ["凤凰社区居委会 (荷城街道)", "凤凰社区居委会 (德坞街道)"]
        );
        // Forbidden characters, Excel's length, case, the cover's name.
        let long = named(
            "Bureau of [Finance]: Zhongshan District / Liupanshui City",
            &["#123456"],
        );
        let upper = named("BUREAU OF FINANCE ZHONGSHAN DISTRICT LIUPANSHUI", &["x"]);
        let cover = named("Cover", &[]);
        let empty = named("'[]'", &[]);
        let names = sheet_names(&[&long, &upper, &cover, &empty], Language::En);
        assert_eq!(
            names,
            [
                "Bureau of Finance Zho (#123456)",
                "BUREAU OF FINANCE ZHONGSHAN (x)",
                "Cover (2)",
                "Sheet"
            ]
        );
        assert!(names.iter().all(|n| n.chars().count() <= 31));
        // The same table twice: the last resort.
        assert_eq!(
            sheet_names(&[&d, &d], Language::Zh),
            [
                "明湖社区居委会（荷城街道）",
                "明湖社区居委会（荷城街道）（2）"
            ]
        );
    }

    #[cfg(feature = "xlsx")]
    #[test]
    fn xlsx_is_a_zip_workbook() {
        let mut t = Table::new(("台账", "Ledger"), &[("姓名", "Name")]);
        t.rows.push(vec![Cell::Text("王芳".into())]);
        let bytes = to_xlsx(&[&t, &t], Language::Zh).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert!(bytes.len() > 1000);
        let mut m = measured();
        m.chart = Some(Chart {
            title: ("图".into(), "Chart".into()),
            categories: 0,
            series: vec![1, 2],
        });
        assert!(to_xlsx_with(&[&m], &ExportOptions::default()).is_ok());
    }
}

//! Tables for people: ledgers as CSV (UTF-8 with a byte-order mark, so spreadsheet programs
//! read Chinese correctly) and XLSX (feature `xlsx`), with Chinese column headers by default
//! and English on request. Cells that a spreadsheet would run as a formula (starting with `=`,
//! `+`, `-`, `@`) are written as text.

#[cfg(feature = "xlsx")]
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The language of headers and sheet names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// 中文 (the default).
    #[default]
    Zh,
    /// English.
    En,
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

/// How to export.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportOptions {
    /// Header language.
    pub language: Language,
    /// Personal data in full or masked.
    pub personal_data: PersonalData,
}

/// One cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A whole number (fen, counts, minutes).
    Int(i64),
    /// A time (written as ISO-8601 UTC).
    Time(DateTime<Utc>),
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

    fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => defuse(s),
            Cell::Int(n) => n.to_string(),
            Cell::Time(t) => t.format("%Y-%m-%d %H:%M:%SZ").to_string(),
        }
    }
}

/// Keeps a spreadsheet from treating text as a formula.
fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// A table with bilingual headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Its name (中文, English): the sheet name in a workbook.
    pub name: (String, String),
    /// Column headers (中文, English).
    pub columns: Vec<(String, String)>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with headers given as `(中文, English)` pairs.
    pub fn new(name: (&str, &str), columns: &[(&str, &str)]) -> Table {
        Table {
            name: (name.0.into(), name.1.into()),
            columns: columns
                .iter()
                .map(|(z, e)| (z.to_string(), e.to_string()))
                .collect(),
            rows: Vec::new(),
        }
    }

    /// The headers in `lang`.
    pub fn headers(&self, lang: Language) -> Vec<&str> {
        self.columns
            .iter()
            .map(|(z, e)| {
                if lang == Language::Zh {
                    z.as_str()
                } else {
                    e.as_str()
                }
            })
            .collect()
    }

    /// The table name in `lang`.
    pub fn title(&self, lang: Language) -> &str {
        if lang == Language::Zh {
            &self.name.0
        } else {
            &self.name.1
        }
    }

    /// RFC 4180 CSV with a UTF-8 byte-order mark and CRLF line ends.
    pub fn to_csv(&self, lang: Language) -> String {
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
        out.push_str(&line(
            self.headers(lang).into_iter().map(String::from).collect(),
        ));
        out.push_str("\r\n");
        for r in &self.rows {
            out.push_str(&line(r.iter().map(Cell::display).collect()));
            out.push_str("\r\n");
        }
        out
    }
}

/// A workbook with one sheet per table (bold headers, frozen header row), as XLSX bytes.
#[cfg(feature = "xlsx")]
pub fn to_xlsx(tables: &[&Table], lang: Language) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let x = |e: rust_xlsxwriter::XlsxError| Error::Storage {
        message: format!("writing xlsx: {e}"),
    };
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    for (i, t) in tables.iter().enumerate() {
        let ws = wb.add_worksheet();
        let name: String = t
            .title(lang)
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(25)
            .collect();
        ws.set_name(format!(
            "{name}{}",
            if i > 0 {
                format!(" {}", i + 1)
            } else {
                String::new()
            }
        ))
        .map_err(x)?;
        for (c, h) in t.headers(lang).iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .map_err(x)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Empty => {}
                    Cell::Int(n) => {
                        ws.write_number(r, c, *n as f64).map_err(x)?;
                    }
                    other => {
                        ws.write_string(r, c, other.display()).map_err(x)?;
                    }
                }
            }
        }
        ws.set_freeze_panes(1, 0).map_err(x)?;
        ws.autofit();
    }
    wb.save_to_buffer().map_err(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses() {
        let mut t = Table::new(("台账", "Ledger"), &[("姓名", "Name"), ("金额", "Fen")]);
        t.rows
            .push(vec![Cell::Text("王, \"芳\"".into()), Cell::Int(100)]);
        t.rows
            .push(vec![Cell::Text("=HYPERLINK(\"x\")".into()), Cell::Empty]);
        let csv = t.to_csv(Language::Zh);
        assert_eq!(
            csv,
            "\u{FEFF}姓名,金额\r\n\"王, \"\"芳\"\"\",100\r\n\"'=HYPERLINK(\"\"x\"\")\",\r\n"
        );
        assert!(t.to_csv(Language::En).starts_with("\u{FEFF}Name,Fen\r\n"));
    }

    #[cfg(feature = "xlsx")]
    #[test]
    fn xlsx_is_a_zip_workbook() {
        let mut t = Table::new(("台账", "Ledger"), &[("姓名", "Name")]);
        t.rows.push(vec![Cell::Text("王芳".into())]);
        let bytes = to_xlsx(&[&t, &t], Language::Zh).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert!(bytes.len() > 1000);
    }
}

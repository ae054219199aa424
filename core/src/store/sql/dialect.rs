//! What the SQL dialects share and where they differ: numbered migrations, placeholders
//! and a few functions ([`Dialect`]), SQL text with its parameters ([`Sql`]), and the
//! connection the shared code runs statements on ([`SqlIo`]).

use super::codec::{OwnedRow, RowGet, Val};
use crate::error::StoreError;

/// A numbered migration: `(version, name, sql)`.
pub(crate) type Migration = (u32, &'static str, &'static str);

/// The migrations to apply to a database at version `have`, up to `upto`; refuses a database
/// whose version is newer than every migration known.
pub(crate) fn pending(
    migrations: &'static [Migration],
    have: u32,
    upto: u32,
) -> Result<Vec<&'static Migration>, crate::Error> {
    let latest = migrations.last().map_or(0, |m| m.0);
    if have > latest {
        return Err(crate::Error::Storage {
            message: format!(
                "the database has schema version {have}, newer than this needbridge supports \
                 ({latest}); open it with a newer needbridge"
            ),
        });
    }
    Ok(migrations
        .iter()
        .filter(|m| m.0 > have && m.0 <= upto)
        .collect())
}

/// What differs between SQL dialects.
pub(crate) trait Dialect: Sync {
    /// The dialect's name (`sqlite`, `postgres`): keys the statement texts built once.
    fn name(&self) -> &'static str;
    /// The `n`th (1-based) placeholder.
    fn ph(&self, n: usize) -> String;
    /// The `n`th placeholder in report queries, which scan ranges once per call and may plan
    /// with the bound values (default: [`Dialect::ph`]).
    fn report_ph(&self, n: usize) -> String {
        self.ph(n)
    }
    /// `col` written so the planner will not use an index for it (SQLite `+col`); the
    /// default leaves the choice to the planner.
    fn no_index(&self, col: &str) -> String {
        col.to_string()
    }
    /// `expr` (a column of ids or text) read as text (default: a `CAST`).
    fn as_text(&self, expr: &str) -> String {
        format!("CAST({expr} AS TEXT)")
    }
    /// An expression that lower-cases ASCII letters only (like [`super::fold_text`]).
    fn fold(&self, expr: &str) -> String;
    /// An expression true when `needle` occurs in `hay`.
    fn contains(&self, hay: &str, needle: &str) -> String;
}

/// Builds SQL text and its parameters.
pub(crate) struct Sql<'d> {
    pub text: String,
    pub params: Vec<Val>,
    pub(super) dialect: &'d dyn Dialect,
    pub(super) report: bool,
    /// Scopes are tested row by row ([`Dialect::no_index`]) instead of through the committee
    /// index: for reads of most of a table, where a scan in id order beats an index walk and
    /// a sort.
    pub(super) scan: bool,
    /// Rows of a scan limited to this range of SQLite rowids (both ends included): the
    /// halves of a table read in parallel ([`columns_split`]).
    pub(super) rowids: Option<(i64, i64)>,
}

impl<'d> Sql<'d> {
    pub(crate) fn new(dialect: &'d dyn Dialect) -> Self {
        Self {
            text: String::new(),
            params: Vec::new(),
            dialect,
            report: false,
            scan: false,
            rowids: None,
        }
    }
    /// A report query (placeholders from [`Dialect::report_ph`]).
    pub(crate) fn for_report(dialect: &'d dyn Dialect) -> Self {
        Self {
            report: true,
            ..Self::new(dialect)
        }
    }
    /// Adds a parameter and returns its placeholder.
    pub(crate) fn bind(&mut self, v: Val) -> String {
        self.params.push(v);
        let n = self.params.len();
        if self.report {
            self.dialect.report_ph(n)
        } else {
            self.dialect.ph(n)
        }
    }
}

/// Runs SQL for the shared code (cells, reports, frames): one implementation per backend
/// connection.
pub(crate) trait SqlIo {
    /// The dialect to write placeholders in.
    fn dialect(&self) -> &'static dyn Dialect;
    /// Runs a query and returns its rows.
    fn rows(&mut self, q: &Sql<'_>) -> Result<Vec<OwnedRow>, StoreError>;
    /// Runs a statement and returns the rows it changed.
    fn exec(&mut self, q: &Sql<'_>) -> Result<u64, StoreError>;
    /// Runs a query and hands each row to `f` (without collecting them).
    fn for_each(
        &mut self,
        q: &Sql<'_>,
        f: &mut dyn FnMut(&dyn RowGet) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
}

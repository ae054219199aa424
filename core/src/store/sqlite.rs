//! The SQLite backend: the embedded default (`Hub::open(path)`), through rusqlite with SQLite
//! compiled in.
//!
//! - WAL journal, foreign keys on (checked at commit), a busy timeout, `synchronous=FULL` by
//!   default ([`Synchronous::Normal`] for bulk loads trades the last commits on power loss for
//!   speed; a crash of the process alone loses nothing in either mode).
//! - One writer connection: write transactions in this process queue on a mutex and start with
//!   `BEGIN IMMEDIATE`, so they are serial; other processes wait up to the busy timeout and
//!   then get [`StoreError::Serialization`], which the Hub retries.
//! - Reader connections from a small pool, each read transaction one consistent snapshot.
//! - The schema is the numbered migrations in `core/src/store/sqlite/`, applied on open in
//!   one transaction and recorded in `schema_migrations`; a database from a newer needbridge
//!   is refused untouched.
//! - Encryption at rest ([`SqliteStore::open_encrypted`], [`Key`]): the SQLite compiled in is
//!   SQLCipher; every connection is keyed first and the key checked by a read before anything
//!   is written (see `sqlite/cipher.rs` and docs/adr/0001-sqlcipher-encryption-at-rest.md).

use super::sql::{self, Dialect, OwnedRow, RowGet, Val};
use super::{Event, Kind, Page, Query, Record, Store, Tx};
use crate::error::{Error, StoreError};
use crate::report::cells::Cells as ReportCells;
use chrono::{DateTime, Utc};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags, ToSql};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use uuid::Uuid;

mod cipher;
pub use cipher::Key;

/// The schema version that adds the report cells, filled from the rows when applied.
/// Versions whose upgrade (re)fills the report cells from the records: 3 created them, 9 added
/// the feedback dimension and the released stream, 12 the households helped, 15 the
/// rejected needs.
const CELLS_VERSIONS: [u32; 4] = [3, 9, 12, 15];

/// The numbered migrations: `(version, name, sql)`.
pub const MIGRATIONS: &[(u32, &str, &str)] = &[
    (1, "tables", include_str!("sqlite/0001_tables.sql")),
    (2, "indexes", include_str!("sqlite/0002_indexes.sql")),
    (
        3,
        "report_cells",
        include_str!("sqlite/0003_report_cells.sql"),
    ),
    (
        4,
        "page_indexes",
        include_str!("sqlite/0004_page_indexes.sql"),
    ),
    (
        5,
        "personal_data_out_of_log",
        include_str!("sqlite/0005_personal_data_out_of_log.sql"),
    ),
    (
        6,
        "lighter_event_log",
        include_str!("sqlite/0006_lighter_event_log.sql"),
    ),
    (7, "sync", include_str!("sqlite/0007_sync.sql")),
    (
        8,
        "committee_categories",
        include_str!("sqlite/0008_committee_categories.sql"),
    ),
    (
        9,
        "refill_report_cells",
        include_str!("sqlite/0009_refill_report_cells.sql"),
    ),
    (10, "rosters", include_str!("sqlite/0010_rosters.sql")),
    (11, "offers", include_str!("sqlite/0011_offers.sql")),
    (12, "households", include_str!("sqlite/0012_households.sql")),
    (
        13,
        "recurring_needs",
        include_str!("sqlite/0013_recurring_needs.sql"),
    ),
    (
        14,
        "service_certificates",
        include_str!("sqlite/0014_service_certificates.sql"),
    ),
    (
        15,
        "grids_and_rejections",
        include_str!("sqlite/0015_grids_and_rejections.sql"),
    ),
    (16, "places", include_str!("sqlite/0016_places.sql")),
    (
        17,
        "institution_needs",
        include_str!("sqlite/0017_institution_needs.sql"),
    ),
    (
        18,
        "working_calendar",
        include_str!("sqlite/0018_working_calendar.sql"),
    ),
    (
        19,
        "rostered_claims",
        include_str!("sqlite/0019_rostered_claims.sql"),
    ),
];

/// How hard SQLite works to make each commit durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// `synchronous=FULL`: a commit survives power loss (the default).
    #[default]
    Full,
    /// `synchronous=NORMAL`: faster; in WAL mode a commit survives a crash of the process,
    /// but the last commits may be lost on power loss. For bulk loads.
    Normal,
}

/// Options for opening a SQLite database.
///
/// The key of an encrypted database is not an option: it is an argument of
/// [`SqliteStore::open_encrypted_with`] (so that these options stay plain, copyable values
/// that can be logged, and a secret is never among them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Durability of commits.
    pub synchronous: Synchronous,
    /// How long a write waits for another process's write lock before the Hub retries.
    pub busy_timeout: Duration,
    /// Opens the file read-only (`SQLITE_OPEN_READONLY`): nothing can be written through this
    /// store, by any path — the Hub refuses commands up front ([`Store::is_read_only`]), and
    /// SQLite itself refuses any write. For analysts reading a portal's file, a copy on
    /// read-only media, or a file this user may only read. The file must exist and have the
    /// current schema (a read-only open cannot migrate: [`Error::IllegalState`] otherwise).
    pub read_only: bool,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(5),
            read_only: false,
        }
    }
}

/// A SQLite [`Store`].
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    options: SqliteOptions,
    /// The key every new connection is opened with (`None`: a plain file).
    key: Option<Key>,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

struct SqliteDialect;

impl Dialect for SqliteDialect {
    fn name(&self) -> &'static str {
        "sqlite"
    }
    fn ph(&self, n: usize) -> String {
        // `+?N`, not `?N`: the bundled SQLite is built with STAT4, which re-prepares a
        // statement on every new binding of a parameter compared with an indexed column (its
        // value might change the plan). A unary plus is a no-op on the value, keeps the index
        // usable, and keeps the cached statement prepared (the claim bench,
        // benches/suite/claim.rs, found ~30 % of a command's time in re-preparing).
        format!("+?{n}")
    }
    fn report_ph(&self, n: usize) -> String {
        format!("?{n}")
    }
    fn as_text(&self, expr: &str) -> String {
        // Ids and text are stored as TEXT already: a CAST would only cost a step per value.
        expr.to_string()
    }
    fn no_index(&self, col: &str) -> String {
        format!("+{col}")
    }
    fn fold(&self, expr: &str) -> String {
        // SQLite's lower() folds ASCII letters only (no ICU), exactly like fold_text.
        format!("lower({expr})")
    }
    fn contains(&self, hay: &str, needle: &str) -> String {
        format!("instr({hay}, {needle}) > 0")
    }
}

impl sql::ReportDialect for SqliteDialect {
    fn month(&self, expr: &str) -> String {
        format!("substr({expr}, 1, 7)")
    }
}

fn err(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) =>
        {
            StoreError::Serialization(e.to_string())
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

impl ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Val::Text(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Val::Int(Some(n)) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(*n)),
            Val::Id(Some(u)) => ToSqlOutput::Owned(rusqlite::types::Value::Text(u.to_string())),
            Val::Time(Some(t)) => {
                ToSqlOutput::Owned(rusqlite::types::Value::Text(sql::format_time(t)))
            }
            Val::Text(None) | Val::Int(None) | Val::Id(None) | Val::Time(None) => {
                ToSqlOutput::Owned(rusqlite::types::Value::Null)
            }
        })
    }
}

struct Row<'a, 'b>(&'a rusqlite::Row<'b>);

impl Row<'_, '_> {
    /// Column `i` as borrowed text.
    fn str_ref(&self, i: usize) -> Result<Option<&str>, StoreError> {
        match self.0.get_ref(i).map_err(err)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map(Some)
                .map_err(|_| StoreError::Backend("text that is not UTF-8".into())),
            _ => Err(StoreError::Backend("expected text".into())),
        }
    }
}

impl RowGet for Row<'_, '_> {
    fn text(&self, i: usize) -> Result<Option<String>, StoreError> {
        self.0.get(i).map_err(err)
    }
    fn push_text(&self, i: usize, out: &mut sql::RawTexts) -> Result<(), StoreError> {
        match self.0.get_ref(i).map_err(err)? {
            ValueRef::Null => out.push(None),
            ValueRef::Text(t) => out.push(Some(t)),
            _ => return Err(StoreError::Backend("expected text".into())),
        }
        Ok(())
    }
    fn int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        self.0.get(i).map_err(err)
    }
    fn id(&self, i: usize) -> Result<Option<Uuid>, StoreError> {
        match self.str_ref(i)? {
            Some(s) => Uuid::parse_str(s)
                .map(Some)
                .map_err(|_| StoreError::Backend("unreadable uuid".into())),
            None => Ok(None),
        }
    }
    fn time(&self, i: usize) -> Result<Option<DateTime<Utc>>, StoreError> {
        // The form the store writes straight from the bytes; any other through the general
        // parser.
        if let Ok(ValueRef::Text(t)) = self.0.get_ref(i) {
            if let Some(t) = sql::parse_stored_time(t) {
                return Ok(Some(t));
            }
        }
        match self.str_ref(i)? {
            Some(s) => sql::parse_time(s).map(Some),
            None => Ok(None),
        }
    }
}

fn owned(row: &rusqlite::Row<'_>, n: usize) -> Result<OwnedRow, StoreError> {
    let mut v = Vec::with_capacity(n);
    for i in 0..n {
        v.push(match row.get_ref(i).map_err(err)? {
            ValueRef::Null => Val::Text(None),
            ValueRef::Integer(x) => Val::Int(Some(x)),
            ValueRef::Text(t) => Val::Text(Some(String::from_utf8_lossy(t).into_owned())),
            ValueRef::Real(_) | ValueRef::Blob(_) => {
                return Err(StoreError::Backend("unexpected column type".into()))
            }
        });
    }
    Ok(OwnedRow(v))
}

/// Runs the report-cell SQL on a connection.
struct LiteIo<'c>(&'c Connection);

/// [`LiteIo`] on a connection borrowed exclusively, so that it can move to another thread
/// (a `Connection` is `Send`, not `Sync`).
struct SendIo<'c>(&'c mut Connection);

impl sql::SqlIo for SendIo<'_> {
    fn dialect(&self) -> &'static dyn sql::Dialect {
        &SqliteDialect
    }
    fn rows(&mut self, q: &sql::Sql<'_>) -> Result<Vec<OwnedRow>, StoreError> {
        LiteIo(self.0).rows(q)
    }
    fn for_each(
        &mut self,
        q: &sql::Sql<'_>,
        f: &mut dyn FnMut(&dyn RowGet) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        LiteIo(self.0).for_each(q, f)
    }
    fn exec(&mut self, q: &sql::Sql<'_>) -> Result<u64, StoreError> {
        LiteIo(self.0).exec(q)
    }
}

impl sql::SqlIo for LiteIo<'_> {
    fn dialect(&self) -> &'static dyn sql::Dialect {
        &SqliteDialect
    }
    fn rows(&mut self, q: &sql::Sql<'_>) -> Result<Vec<OwnedRow>, StoreError> {
        let mut stmt = self.0.prepare_cached(&q.text).map_err(err)?;
        let n = stmt.column_count();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(q.params.iter()))
            .map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(err)? {
            out.push(owned(row, n)?);
        }
        Ok(out)
    }
    fn for_each(
        &mut self,
        q: &sql::Sql<'_>,
        f: &mut dyn FnMut(&dyn RowGet) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.0.prepare_cached(&q.text).map_err(err)?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(q.params.iter()))
            .map_err(err)?;
        while let Some(row) = rows.next().map_err(err)? {
            f(&Row(row))?;
        }
        Ok(())
    }
    fn exec(&mut self, q: &sql::Sql<'_>) -> Result<u64, StoreError> {
        let n = self
            .0
            .prepare_cached(&q.text)
            .map_err(err)?
            .execute(rusqlite::params_from_iter(q.params.iter()))
            .map_err(err)?;
        Ok(n as u64)
    }
}

fn configure(
    conn: &Connection,
    options: &SqliteOptions,
    encrypted: bool,
) -> Result<(), StoreError> {
    // Every statement the store issues stays prepared (rusqlite keeps 16 by default; the
    // queries, writes and report-cell upkeep use more than that).
    conn.set_prepared_statement_cache_capacity(256);
    let sync = match options.synchronous {
        Synchronous::Full => "FULL",
        Synchronous::Normal => "NORMAL",
    };
    // Reads of whole tables (frames, exports) go through the OS page cache by memory map
    // instead of a `pread` per page, and each connection keeps 8 MiB of pages of its own.
    // SQLCipher never reads an encrypted file's pages through the map (each page must be
    // decrypted into the cache), so an encrypted file is not mapped at all.
    // `secure_delete` zeroes the space a deleted or rewritten row leaves (erased residents'
    // data must not linger in free space; see `Store::purge` for the WAL).
    let mmap = if encrypted { 0 } else { 268_435_456 };
    // A read-only connection leaves the journal mode as the file has it (setting it writes).
    let wal = if options.read_only {
        ""
    } else {
        "PRAGMA journal_mode = WAL;"
    };
    conn.execute_batch(&format!(
        "{wal} PRAGMA foreign_keys = ON; PRAGMA synchronous = {sync}; \
         PRAGMA mmap_size = {mmap}; PRAGMA cache_size = -8192; PRAGMA secure_delete = ON;"
    ))
    .map_err(err)
}

/// A new connection: keyed first (when `key` is set) and the key checked by a read before
/// any statement that could write, then configured.
fn open_conn(path: &Path, options: &SqliteOptions, key: Option<&Key>) -> Result<Connection, Error> {
    let flags = if options.read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
    };
    let conn =
        Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(err)?;
    conn.busy_timeout(options.busy_timeout).map_err(err)?;
    cipher::key_and_check(&conn, path, key)?;
    configure(&conn, options, key.is_some())?;
    Ok(conn)
}

/// The newest schema version.
fn latest() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// The schema version recorded in the database (0 for a new file).
fn current_version(conn: &Connection) -> Result<u32, StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version     INTEGER PRIMARY KEY NOT NULL,
            name        TEXT NOT NULL,
            applied_at  TEXT NOT NULL
        )",
    )
    .map_err(err)?;
    conn.query_row(
        "SELECT coalesce(max(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )
    .map_err(err)
}

/// A read-only open: the file's schema must be `want` (it cannot be migrated read-only).
fn check_version(conn: &Connection, want: u32) -> Result<(), Error> {
    let have: u32 = conn
        .query_row(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )
        .unwrap_or(0);
    if have > want {
        // What a writable open answers too.
        sql::pending(MIGRATIONS, have, want)?;
    }
    if have != want {
        return Err(Error::IllegalState {
            entity: "database".into(),
            state: if have == 0 {
                "not_a_hub"
            } else {
                "outdated_schema"
            }
            .into(),
            action: "open read-only (open it writable once to create or upgrade it)".into(),
        });
    }
    Ok(())
}

/// Applies the migrations after the database's version, up to `upto`, in one transaction.
///
/// When there are any, foreign keys are off while they run (SQLite's way to rebuild a table
/// other tables refer to; `PRAGMA foreign_keys` cannot change inside a transaction) and every
/// reference is checked with `PRAGMA foreign_key_check` before the upgrade commits. An open
/// with nothing to upgrade checks nothing (and does not scan the tables).
fn migrate(conn: &Connection, upto: u32) -> Result<(), Error> {
    if current_version(conn)? >= upto {
        // Up to date, or newer than this library: `migrate_in` refuses the latter.
        return migrate_in(conn, upto);
    }
    conn.execute_batch("PRAGMA foreign_keys = OFF")
        .map_err(err)?;
    let result = migrate_in(conn, upto);
    conn.execute_batch("PRAGMA foreign_keys = ON")
        .map_err(err)?;
    result
}

fn migrate_in(conn: &Connection, upto: u32) -> Result<(), Error> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
    let result = (|| {
        let have = current_version(conn)?;
        let pending = sql::pending(MIGRATIONS, have, upto)?;
        if pending.is_empty() {
            // Another process upgraded it first.
            return Ok(());
        }
        for (version, name, sql) in pending {
            conn.execute_batch(sql).map_err(err)?;
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                rusqlite::params![version, name, sql::format_time(&Utc::now())],
            )
            .map_err(err)?;
        }
        if CELLS_VERSIONS.iter().any(|v| have < *v && upto >= *v) {
            sql::cells::fill_on_upgrade(&mut LiteIo(conn), upto)?;
        }
        let dangling: Option<String> = conn
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(err(e)),
            })?;
        if let Some(table) = dangling {
            return Err(StoreError::Backend(format!(
                "a row of {table} refers to a missing row after the upgrade"
            ))
            .into());
        }
        Ok(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT").map_err(|e| err(e).into()),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `path` with default options, and brings
    /// its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// Opens with explicit options.
    pub fn open_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self, Error> {
        Self::open_at(path.as_ref(), options, None, latest())
    }

    /// Opens (creating if missing) the database at `path`, encrypted at rest with `key`, with
    /// default options, and brings its schema up to date.
    ///
    /// A new file is created encrypted. The key is applied first on every connection the
    /// store opens (the writer, and each reader when it is opened) and checked by reading the
    /// schema before anything is written, so a refused key leaves the file byte for byte as it
    /// was. Refused — [`Error::Invalid`] with field `key` and a reason that names neither the
    /// key nor any data — when the key is wrong or the file is not encrypted; opening an
    /// encrypted file without a key ([`SqliteStore::open`]) is refused the same way. An
    /// existing plain file is encrypted with [`SqliteStore::encrypt`].
    pub fn open_encrypted(path: impl AsRef<Path>, key: Key) -> Result<Self, Error> {
        Self::open_encrypted_with(path, key, SqliteOptions::default())
    }

    /// [`SqliteStore::open_encrypted`] with explicit options.
    pub fn open_encrypted_with(
        path: impl AsRef<Path>,
        key: Key,
        options: SqliteOptions,
    ) -> Result<Self, Error> {
        Self::open_at(path.as_ref(), options, Some(key), latest())
    }

    fn open_at(
        path: &Path,
        options: SqliteOptions,
        key: Option<Key>,
        version: u32,
    ) -> Result<Self, Error> {
        let writer = open_conn(path, &options, key.as_ref())?;
        if options.read_only {
            check_version(&writer, version)?;
        } else {
            migrate(&writer, version)?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            options,
            key,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Changes the key of the encrypted database at `path` from `old` to `new`.
    ///
    /// An operation on a **closed** database: no Hub or other connection may have the file
    /// open, in this process or another ([`Error::IllegalState`] when one is detected — any
    /// store that has the file open holds it in WAL mode, which this needs to leave). `old` is
    /// checked first ([`Error::Invalid`] for `key`, nothing changed). The data is copied into
    /// a new file beside the original with SQLCipher's `sqlcipher_export`, which then takes
    /// the original's place by an atomic rename: a crash at any point leaves either the old
    /// file with the old key or the new file with the new key, and needs free space for one
    /// copy. The old file's WAL is folded in first, and no `-wal`/`-shm` file is left.
    pub fn rekey(path: impl AsRef<Path>, old: &Key, new: &Key) -> Result<(), Error> {
        cipher::change_key(path.as_ref(), Some(old), Some(new))
    }

    /// Encrypts the existing plain database at `path` with `key`, in place (the same copy
    /// and atomic rename as [`SqliteStore::rekey`], with the same conditions: a closed
    /// database). Refused ([`Error::Invalid`] for `key`) when the file is already encrypted.
    pub fn encrypt(path: impl AsRef<Path>, key: &Key) -> Result<(), Error> {
        cipher::change_key(path.as_ref(), None, Some(key))
    }

    /// Decrypts the encrypted database at `path` into a plain one, in place (as
    /// [`SqliteStore::rekey`]; a closed database).
    pub fn decrypt(path: impl AsRef<Path>, key: &Key) -> Result<(), Error> {
        cipher::change_key(path.as_ref(), Some(key), None)
    }

    /// Whether this store's file is encrypted.
    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// A reader connection from the pool, or a new one.
    fn reader(&self) -> Result<Connection, StoreError> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match pooled {
            Some(c) => Ok(c),
            None => open_conn(&self.path, &self.options, self.key.as_ref())
                .map_err(|e| StoreError::Backend(e.to_string())),
        }
    }

    /// Two readers in read transactions on one snapshot: each starts its transaction while
    /// this store holds the write lock (the writer mutex for this process, `BEGIN IMMEDIATE`
    /// for others), so no commit can fall between the two. `None` where the lock is not free
    /// at once — a write under way here or in another process, a read-only file: a read never
    /// waits for a writer; it is read by one connection instead.
    fn pinned_readers(&self) -> Result<Option<(Connection, Connection)>, StoreError> {
        let writer = match self.writer.try_lock() {
            Ok(w) => w,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return Ok(None),
        };
        let _ = writer.busy_timeout(Duration::ZERO);
        let locked = writer.execute_batch("BEGIN IMMEDIATE").is_ok();
        let _ = writer.busy_timeout(self.options.busy_timeout);
        if !locked {
            return Ok(None);
        }
        let pinned = (|| -> Result<(Connection, Connection), StoreError> {
            let (a, b) = (self.reader()?, self.reader()?);
            for c in [&a, &b] {
                c.execute_batch("BEGIN").map_err(err)?;
                // The first read starts the read transaction (its snapshot).
                c.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
                    .map_err(err)?;
            }
            Ok((a, b))
        })();
        let _ = writer.execute_batch("ROLLBACK");
        pinned.map(Some)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32, Error> {
        let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        Ok(current_version(&conn)?)
    }
}

enum Conn<'a> {
    Writer(MutexGuard<'a, Connection>),
    Reader(Option<Connection>, &'a Mutex<Vec<Connection>>),
}

impl Conn<'_> {
    fn get(&self) -> &Connection {
        match self {
            Conn::Writer(g) => g,
            Conn::Reader(c, _) => c.as_ref().expect("reader connection present until drop"),
        }
    }
}

struct SqliteTx<'a> {
    conn: Conn<'a>,
    /// A second reader on the same snapshot ([`Store::begin_read_wide`]), which reads half
    /// of a table scan on another thread.
    helper: Option<Connection>,
    open: bool,
    writable: bool,
    /// What this transaction already knows (see [`sql::memo::Memo`]).
    memo: sql::memo::Memo,
}

impl Drop for SqliteTx<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.get().execute_batch("ROLLBACK");
        }
        if let Conn::Reader(c, pool) = &mut self.conn {
            let mut pool = pool.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(h) = self.helper.take() {
                // A reader that cannot end its transaction is not reused.
                if h.execute_batch("ROLLBACK").is_ok() {
                    pool.push(h);
                }
            }
            if let Some(c) = c.take() {
                pool.push(c);
            }
        }
    }
}

impl SqliteTx<'_> {
    fn load_children(&self, r: &mut Record) -> Result<(), StoreError> {
        let kind = r.kind();
        let (Some(q), Some((_, _, cols))) = (
            sql::children_sql(kind, &SqliteDialect),
            sql::child_table(kind),
        ) else {
            return Ok(());
        };
        let mut stmt = self.conn.get().prepare_cached(&q).map_err(err)?;
        let mut rows = stmt.query([Val::Id(Some(r.id()))]).map_err(err)?;
        let mut got = Vec::new();
        while let Some(row) = rows.next().map_err(err)? {
            got.push(owned(row, cols.len())?);
        }
        let refs: Vec<&dyn RowGet> = got.iter().map(|r| r as &dyn RowGet).collect();
        sql::attach(r, &refs)
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        super::check_writable(self.writable)
    }
}

impl Tx for SqliteTx<'_> {
    fn get(&mut self, kind: Kind, id: Uuid) -> Result<Option<Record>, StoreError> {
        let q = sql::get_sql(kind, &SqliteDialect);
        let mut rec = {
            let mut stmt = self.conn.get().prepare_cached(&q).map_err(err)?;
            let mut rows = stmt.query([Val::Id(Some(id))]).map_err(err)?;
            match rows.next().map_err(err)? {
                Some(row) => sql::decode(kind, &Row(row))?,
                None => {
                    if self.writable {
                        self.memo.got(kind, id, None);
                    }
                    return Ok(None);
                }
            }
        };
        self.load_children(&mut rec)?;
        if self.writable {
            self.memo.got(kind, id, Some(sql::encode(&rec)));
        }
        Ok(Some(rec))
    }

    fn put(&mut self, record: &Record) -> Result<(), StoreError> {
        self.check_writable()?;
        let kind = record.kind();
        let (vals, children) = sql::encode(record);
        let conn = self.conn.get();
        let plan = self.memo.plan_put(kind, record.id(), &vals, &children);
        match &plan.update {
            None => {
                conn.prepare_cached(&sql::upsert_sql(kind, &SqliteDialect))
                    .map_err(err)?
                    .execute(rusqlite::params_from_iter(vals.iter()))
                    .map_err(err)?;
            }
            Some(changed) if !changed.is_empty() => {
                let mut p = vec![&vals[0]];
                p.extend(changed.iter().map(|&i| &vals[i]));
                conn.prepare_cached(&sql::update_sql(kind, &SqliteDialect, changed))
                    .map_err(err)?
                    .execute(rusqlite::params_from_iter(p))
                    .map_err(err)?;
            }
            Some(_) => {}
        }
        let parent = Val::Id(Some(record.id()));
        if let (true, Some(del)) = (
            plan.delete_children,
            sql::delete_children_sql(kind, &SqliteDialect),
        ) {
            conn.prepare_cached(&del)
                .map_err(err)?
                .execute([&parent])
                .map_err(err)?;
        }
        if let (true, Some(ins)) = (
            plan.insert_children,
            sql::insert_child_sql(kind, &SqliteDialect),
        ) {
            let mut stmt = conn.prepare_cached(&ins).map_err(err)?;
            for (pos, row) in children.rows().into_iter().enumerate() {
                let mut p = vec![parent.clone(), Val::Int(Some(pos as i64))];
                p.extend(row);
                stmt.execute(rusqlite::params_from_iter(p.iter()))
                    .map_err(err)?;
            }
        }
        self.memo.put_done(record, vals, children);
        Ok(())
    }

    fn delete(&mut self, kind: Kind, id: Uuid) -> Result<(), StoreError> {
        self.check_writable()?;
        let conn = self.conn.get();
        let key = Val::Id(Some(id));
        if let Some(del) = sql::delete_children_sql(kind, &SqliteDialect) {
            conn.prepare_cached(&del)
                .map_err(err)?
                .execute([&key])
                .map_err(err)?;
        }
        conn.prepare_cached(&sql::delete_sql(kind, &SqliteDialect))
            .map_err(err)?
            .execute([&key])
            .map_err(err)?;
        self.memo.deleted(kind, id);
        Ok(())
    }

    fn side_get(&mut self, space: &str, key: &str) -> Result<Option<String>, StoreError> {
        let mut stmt = self
            .conn
            .get()
            .prepare_cached(&sql::side_get_sql(&SqliteDialect))
            .map_err(err)?;
        let mut rows = stmt.query(rusqlite::params![space, key]).map_err(err)?;
        match rows.next().map_err(err)? {
            Some(row) => Ok(Some(row.get(0).map_err(err)?)),
            None => Ok(None),
        }
    }

    fn side_put(&mut self, space: &str, key: &str, value: &str) -> Result<(), StoreError> {
        self.check_writable()?;
        self.conn
            .get()
            .prepare_cached(&sql::side_put_sql(&SqliteDialect))
            .map_err(err)?
            .execute(rusqlite::params![space, key, value])
            .map_err(err)?;
        Ok(())
    }

    fn forget_events(&mut self, before: u64) -> Result<(), StoreError> {
        self.check_writable()?;
        let before = before.min(self.last_seq()?);
        self.conn
            .get()
            .prepare_cached("DELETE FROM events WHERE seq < ?1")
            .map_err(err)?
            .execute([i64::try_from(before).unwrap_or(i64::MAX)])
            .map_err(err)?;
        Ok(())
    }

    fn side_delete(&mut self, space: &str, key: &str) -> Result<(), StoreError> {
        self.check_writable()?;
        self.conn
            .get()
            .prepare_cached(&sql::side_delete_sql(&SqliteDialect))
            .map_err(err)?
            .execute(rusqlite::params![space, key])
            .map_err(err)?;
        Ok(())
    }

    fn side_scan(
        &mut self,
        space: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .get()
            .prepare_cached(&sql::side_scan_sql(&SqliteDialect, after.is_some()))
            .map_err(err)?;
        let params = sql::side_scan_params(space, after, limit);
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(err)? {
            out.push((row.get(0).map_err(err)?, row.get(1).map_err(err)?));
        }
        Ok(out)
    }

    fn side_spaces(&mut self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .get()
            .prepare_cached(&sql::side_spaces_sql(&SqliteDialect))
            .map_err(err)?;
        let mut rows = stmt.query([]).map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(err)? {
            out.push(row.get(0).map_err(err)?);
        }
        Ok(out)
    }

    fn query(&mut self, query: &Query, page: &Page) -> Result<Vec<Record>, StoreError> {
        let kind = query.kind();
        let q = sql::select_for(query, page, &SqliteDialect, &mut LiteIo(self.conn.get()))?;
        let mut out = Vec::new();
        {
            let mut stmt = self.conn.get().prepare_cached(&q.text).map_err(err)?;
            let mut rows = stmt
                .query(rusqlite::params_from_iter(q.params.iter()))
                .map_err(err)?;
            while let Some(row) = rows.next().map_err(err)? {
                out.push(sql::decode(kind, &Row(row))?);
            }
        }
        for r in &mut out {
            self.load_children(r)?;
        }
        Ok(out)
    }

    fn count(&mut self, query: &Query) -> Result<u64, StoreError> {
        let q = sql::count_sql(query, &SqliteDialect);
        let n: i64 = self
            .conn
            .get()
            .prepare_cached(&q.text)
            .map_err(err)?
            .query_row(rusqlite::params_from_iter(q.params.iter()), |r| r.get(0))
            .map_err(err)?;
        Ok(n as u64)
    }

    fn last_seq(&mut self) -> Result<u64, StoreError> {
        if let Some(n) = self.memo.last_seq {
            return Ok(n);
        }
        let n: i64 = self
            .conn
            .get()
            .prepare_cached("SELECT coalesce(max(seq), 0) FROM events")
            .map_err(err)?
            .query_row([], |r| r.get(0))
            .map_err(err)?;
        self.memo.last_seq = Some(n as u64);
        Ok(n as u64)
    }

    fn append_event(&mut self, event: &Event) -> Result<(), StoreError> {
        self.check_writable()?;
        super::check_next_seq(self.last_seq()?, event)?;
        let vals = sql::event_vals(event)?;
        self.conn
            .get()
            .prepare_cached(&format!(
                "INSERT INTO events ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                sql::EVENT_COLS
            ))
            .map_err(err)?
            .execute(rusqlite::params_from_iter(vals.iter()))
            .map_err(err)?;
        self.memo.last_seq = Some(event.seq);
        Ok(())
    }

    fn events_since(&mut self, after: u64, limit: u32) -> Result<Vec<Event>, StoreError> {
        let mut stmt = self
            .conn
            .get()
            .prepare_cached(&format!(
                "SELECT {} FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                sql::EVENT_COLS
            ))
            .map_err(err)?;
        let mut rows = stmt
            .query(rusqlite::params![after as i64, i64::from(limit)])
            .map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(err)? {
            out.push(sql::decode_event(&Row(row))?);
        }
        Ok(out)
    }

    fn report(
        &mut self,
        request: &crate::report::ReportRequest,
    ) -> Result<Option<crate::report::ReportData>, StoreError> {
        sql::report(request, &SqliteDialect, &mut LiteIo(self.conn.get())).map(Some)
    }

    fn keeps_report_cells(&self) -> bool {
        true
    }

    fn add_report_cells(&mut self, delta: &ReportCells) -> Result<(), StoreError> {
        self.check_writable()?;
        sql::cells::add(&mut LiteIo(self.conn.get()), delta)
    }

    fn columns(
        &mut self,
        query: &Query,
    ) -> Result<Option<Vec<(String, crate::frame::Column)>>, StoreError> {
        let io = &mut LiteIo(self.conn.get());
        match &mut self.helper {
            Some(h) => sql::columns_split(query, &SqliteDialect, io, &mut SendIo(h)),
            None => sql::columns(query, &SqliteDialect, io),
        }
    }

    fn replace_report_cells(&mut self, cells: &ReportCells) -> Result<(), StoreError> {
        self.check_writable()?;
        sql::cells::replace(&mut LiteIo(self.conn.get()), cells)
    }

    fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        self.open = false;
        if let Err(e) = self.conn.get().execute_batch("COMMIT") {
            let _ = self.conn.get().execute_batch("ROLLBACK");
            return Err(err(e));
        }
        Ok(())
    }
}

impl Store for SqliteStore {
    /// Copies every committed page into the database file and truncates the WAL, whose
    /// older frames may still hold what later commits overwrote (rows are zeroed in place by
    /// `secure_delete`). Needs no reader to be inside a transaction at that moment: when one
    /// is, returns `Serialization` and leaves the WAL for a later call.
    fn purge(&self) -> Result<(), StoreError> {
        let guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let (busy, _, _): (i64, i64, i64) = guard
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(err)?;
        if busy != 0 {
            return Err(StoreError::Serialization(
                "a reader holds the WAL; purge again later".into(),
            ));
        }
        Ok(())
    }

    fn begin_write(&self) -> Result<Box<dyn Tx + '_>, StoreError> {
        let guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        guard.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
        Ok(Box::new(SqliteTx {
            conn: Conn::Writer(guard),
            helper: None,
            open: true,
            writable: true,
            memo: Default::default(),
        }))
    }

    fn begin_read(&self) -> Result<Box<dyn Tx + '_>, StoreError> {
        let conn = self.reader()?;
        conn.execute_batch("BEGIN").map_err(err)?;
        Ok(Box::new(SqliteTx {
            conn: Conn::Reader(Some(conn), &self.readers),
            helper: None,
            open: true,
            writable: false,
            memo: Default::default(),
        }))
    }

    fn begin_read_wide(&self) -> Result<Box<dyn Tx + '_>, StoreError> {
        let Some((a, b)) = self.pinned_readers()? else {
            return self.begin_read();
        };
        Ok(Box::new(SqliteTx {
            conn: Conn::Reader(Some(a), &self.readers),
            helper: Some(b),
            open: true,
            writable: false,
            memo: Default::default(),
        }))
    }

    fn backend_name(&self) -> &'static str {
        "sqlite"
    }
    fn is_read_only(&self) -> bool {
        self.options.read_only
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(conn: &Connection) -> Vec<(String, String, String)> {
        let mut stmt = conn
            .prepare(
                "SELECT type, name, coalesce(sql, '') FROM sqlite_master \
                 WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("needbridge-{}-{name}", Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("db.sqlite")
    }

    #[test]
    fn upgrading_from_every_earlier_version_equals_a_fresh_schema() {
        let fresh = SqliteStore::open(temp("fresh")).unwrap();
        let want = schema(&fresh.writer.lock().unwrap());
        assert!(want.iter().any(|(_, n, _)| n == "claims_one_live_per_need"));
        for from in 0..MIGRATIONS.len() as u32 {
            let path = temp(&format!("from{from}"));
            let old = SqliteStore::open_at(&path, SqliteOptions::default(), None, from).unwrap();
            assert_eq!(old.schema_version().unwrap(), from);
            drop(old);
            let upgraded = SqliteStore::open(&path).unwrap();
            assert_eq!(upgraded.schema_version().unwrap(), MIGRATIONS.len() as u32);
            assert_eq!(
                schema(&upgraded.writer.lock().unwrap()),
                want,
                "upgrade from {from}"
            );
        }
    }

    #[test]
    fn pinned_readers_share_one_snapshot() {
        let store = SqliteStore::open(temp("pinned")).unwrap();
        let other = Connection::open(store.path()).unwrap();
        other
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let count = |c: &Connection| -> i64 {
            c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
                .unwrap()
        };
        let before = count(&other);
        let (a, b) = store
            .pinned_readers()
            .unwrap()
            .expect("the write lock is free");
        // A commit after the pinning is seen by neither reader, however long they read.
        other.execute("INSERT INTO t VALUES (2)", []).unwrap();
        assert_eq!((count(&a), count(&b)), (before, before));
        assert_eq!(count(&other), before + 1);
        // While another connection holds the write lock, or a write transaction of this
        // store is open, no pair is pinned — at once, not after the busy timeout (5 s): one
        // reader reads alone.
        drop((a, b));
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let t = std::time::Instant::now();
        assert!(store.pinned_readers().unwrap().is_none());
        assert!(store.begin_read_wide().is_ok());
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
        other.execute_batch("ROLLBACK").unwrap();
        let w = store.begin_write().unwrap();
        assert!(store.pinned_readers().unwrap().is_none());
        drop(w);
        assert!(store.pinned_readers().unwrap().is_some());
        // The writer keeps its own busy timeout.
        let timeout: i64 = store
            .writer
            .lock()
            .unwrap()
            .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
            .unwrap();
        assert_eq!(timeout, 5000);
    }

    #[test]
    fn a_newer_database_is_refused_untouched() {
        let path = temp("newer");
        drop(SqliteStore::open(&path).unwrap());
        {
            let c = Connection::open(&path).unwrap();
            c.execute(
                "INSERT INTO schema_migrations VALUES (99, 'future', 'x')",
                [],
            )
            .unwrap();
        }
        let e = SqliteStore::open(&path).unwrap_err();
        assert!(
            matches!(e, Error::Storage { ref message } if message.contains("newer")),
            "{e}"
        );
        let c = Connection::open(&path).unwrap();
        let n: i64 = c
            .query_row("SELECT max(version) FROM schema_migrations", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 99);
    }

    #[test]
    fn a_read_only_store_reads_and_sqlite_refuses_its_writes() {
        let path = temp("read-only");
        let read_only = SqliteOptions {
            read_only: true,
            ..Default::default()
        };
        // A missing file is not created.
        assert!(SqliteStore::open_with(&path, read_only).is_err());
        assert!(!path.exists());
        let unit = crate::Hub::open(&path)
            .unwrap()
            .run(
                &crate::Actor::System,
                crate::command::CreateUnit {
                    kind: crate::model::UnitKind::District,
                    name: "钟山区".into(),
                    parent: None,
                },
            )
            .map(Record::Unit)
            .unwrap();
        let s = SqliteStore::open_with(&path, read_only).unwrap();
        assert!(s.is_read_only());
        let mut tx = s.begin_read().unwrap();
        assert_eq!(tx.get(unit.kind(), unit.id()).unwrap(), Some(unit.clone()));
        drop(tx);
        // Beneath the Hub's refusal: SQLite's own (the connection is SQLITE_OPEN_READONLY).
        let written = s.begin_write().and_then(|mut tx| {
            tx.put(&unit)?;
            tx.commit()
        });
        assert!(written.is_err(), "a read-only store wrote");
    }

    #[test]
    fn pragmas_are_set() {
        let s = SqliteStore::open_with(
            temp("pragmas"),
            SqliteOptions {
                synchronous: Synchronous::Normal,
                busy_timeout: Duration::from_millis(250),
                ..Default::default()
            },
        )
        .unwrap();
        let c = s.writer.lock().unwrap();
        let mode: String = c
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let fk: i64 = c
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        let busy: i64 = c
            .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
            .unwrap();
        assert_eq!((mode.as_str(), fk, sync, busy), ("wal", 1, 1, 250));
        drop(c);
        let s = SqliteStore::open(temp("pragmas-default")).unwrap();
        let sync: i64 = s
            .writer
            .lock()
            .unwrap()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "FULL by default");
    }
}

//! The PostgreSQL backend, for portals with many processes: the `postgres` crate with an
//! r2d2 connection pool.
//!
//! - Write transactions are `SERIALIZABLE`. Writers of one schema also hold a session
//!   advisory lock from before their snapshot until after commit, so they run one after
//!   another and do not abort each other; a serialization failure (SQLSTATE 40001, or a
//!   deadlock or uniqueness race with a writer that bypassed the lock) surfaces as
//!   [`StoreError::Serialization`] and the Hub retries.
//! - Read transactions are `REPEATABLE READ READ ONLY`: one consistent snapshot.
//! - The schema is the numbered migrations in `core/src/store/postgres/` (PostgreSQL types:
//!   `uuid`, `timestamptz`, `bigint`, `jsonb`), applied on connect and recorded in
//!   `schema_migrations`, exactly as for SQLite. The schema is the connection's
//!   `search_path` schema (`public` unless the URL sets `options=-csearch_path=…`).

use super::sql::{self, Dialect, OwnedRow, RowGet, Val};
use super::{Event, Kind, Page, Query, Record, Store, Tx};
use crate::error::{Error, StoreError};
use crate::report::cells::Cells as ReportCells;
use chrono::{DateTime, Utc};
use postgres::error::SqlState;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::NoTls;
use std::collections::HashMap;
use uuid::Uuid;

type Pool = r2d2::Pool<Manager>;
type Conn = r2d2::PooledConnection<Manager>;

/// A pooled connection with its own prepared-statement cache: each distinct SQL text is
/// parsed and planned by the server once per connection, then only bound and executed.
pub struct PgConn {
    client: postgres::Client,
    cache: HashMap<String, postgres::Statement>,
    /// When the server last answered on this connection.
    used: std::time::Instant,
}

/// A pooled connection the server answered on this recently is handed out without a test
/// round trip (one per transaction otherwise); an older one is tested first.
const TRUSTED_FOR: std::time::Duration = std::time::Duration::from_secs(10);

impl PgConn {
    fn prepare(&mut self, sql: &str) -> Result<postgres::Statement, postgres::Error> {
        self.used = std::time::Instant::now();
        if let Some(s) = self.cache.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql)?;
        self.cache.insert(sql.to_string(), s.clone());
        Ok(s)
    }
    fn query(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, postgres::Error> {
        let s = self.prepare(sql)?;
        self.client.query(&s, params)
    }
    fn query_one(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<postgres::Row, postgres::Error> {
        let s = self.prepare(sql)?;
        self.client.query_one(&s, params)
    }
    fn execute(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        let s = self.prepare(sql)?;
        self.client.execute(&s, params)
    }
    fn batch_execute(&mut self, sql: &str) -> Result<(), postgres::Error> {
        self.used = std::time::Instant::now();
        self.client.batch_execute(sql)
    }
}

/// The r2d2 connection manager: opens [`PgConn`]s from a parsed configuration.
pub struct Manager {
    config: postgres::Config,
}

impl r2d2::ManageConnection for Manager {
    type Connection = PgConn;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgConn, postgres::Error> {
        Ok(PgConn {
            client: self.config.connect(NoTls)?,
            cache: HashMap::new(),
            used: std::time::Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut PgConn) -> Result<(), postgres::Error> {
        if conn.used.elapsed() < TRUSTED_FOR {
            return Ok(());
        }
        conn.client.simple_query("").map(|_| ())?;
        conn.used = std::time::Instant::now();
        Ok(())
    }

    fn has_broken(&self, conn: &mut PgConn) -> bool {
        conn.client.is_closed()
    }
}

/// The numbered migrations: `(version, name, sql)`.
pub const MIGRATIONS: &[(u32, &str, &str)] = &[
    (1, "tables", include_str!("postgres/0001_tables.sql")),
    (2, "indexes", include_str!("postgres/0002_indexes.sql")),
    (
        3,
        "report_cells",
        include_str!("postgres/0003_report_cells.sql"),
    ),
    (
        4,
        "page_indexes",
        include_str!("postgres/0004_page_indexes.sql"),
    ),
    (
        5,
        "personal_data_out_of_log",
        include_str!("postgres/0005_personal_data_out_of_log.sql"),
    ),
    (
        6,
        "lighter_event_log",
        include_str!("postgres/0006_lighter_event_log.sql"),
    ),
    (7, "sync", include_str!("postgres/0007_sync.sql")),
    (
        8,
        "committee_categories",
        include_str!("postgres/0008_committee_categories.sql"),
    ),
    (
        9,
        "refill_report_cells",
        include_str!("postgres/0009_refill_report_cells.sql"),
    ),
    (10, "rosters", include_str!("postgres/0010_rosters.sql")),
    (11, "offers", include_str!("postgres/0011_offers.sql")),
    (
        12,
        "households",
        include_str!("postgres/0012_households.sql"),
    ),
    (
        13,
        "recurring_needs",
        include_str!("postgres/0013_recurring_needs.sql"),
    ),
    (
        14,
        "service_certificates",
        include_str!("postgres/0014_service_certificates.sql"),
    ),
    (
        15,
        "grids_and_rejections",
        include_str!("postgres/0015_grids_and_rejections.sql"),
    ),
    (16, "places", include_str!("postgres/0016_places.sql")),
    (
        17,
        "institution_needs",
        include_str!("postgres/0017_institution_needs.sql"),
    ),
    (
        18,
        "working_calendar",
        include_str!("postgres/0018_working_calendar.sql"),
    ),
    (
        19,
        "rostered_claims",
        include_str!("postgres/0019_rostered_claims.sql"),
    ),
];

/// The advisory lock every writer (and the migrator) of the current schema holds.
/// The schema version that adds the report cells, filled from the rows when applied.
/// Versions whose upgrade (re)fills the report cells from the records: 3 created them, 9 added
/// the feedback dimension and the released stream, 12 the households helped, 15 the
/// rejected needs.
const CELLS_VERSIONS: [u32; 4] = [3, 9, 12, 15];

const LOCK: &str = "SELECT pg_advisory_lock(hashtext('needbridge:' || current_schema()))";
const UNLOCK: &str = "SELECT pg_advisory_unlock(hashtext('needbridge:' || current_schema()))";

/// Options for connecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostgresOptions {
    /// Most connections the pool opens.
    pub pool_size: u32,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self { pool_size: 8 }
    }
}

/// A PostgreSQL [`Store`].
pub struct PostgresStore {
    pool: Pool,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("pool", &self.pool.state())
            .finish()
    }
}

struct PgDialect;

impl Dialect for PgDialect {
    fn name(&self) -> &'static str {
        "postgres"
    }
    fn ph(&self, n: usize) -> String {
        format!("${n}")
    }
    fn fold(&self, expr: &str) -> String {
        format!("translate({expr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')")
    }
    fn contains(&self, hay: &str, needle: &str) -> String {
        format!("strpos({hay}, {needle}) > 0")
    }
}

/// Unique constraints that only a concurrent writer bypassing the advisory lock can trip:
/// a retry resolves them. Any other uniqueness failure is a real error.
const RACE_CONSTRAINTS: &[&str] = &["events_pkey", "events_id_key", "claims_one_live_per_need"];

impl sql::ReportDialect for PgDialect {
    fn month(&self, expr: &str) -> String {
        format!("to_char({expr} AT TIME ZONE 'UTC', 'YYYY-MM')")
    }
}

fn err(e: postgres::Error) -> StoreError {
    let race = e.code().is_some_and(|c| {
        *c == SqlState::T_R_SERIALIZATION_FAILURE
            || *c == SqlState::T_R_DEADLOCK_DETECTED
            || (*c == SqlState::UNIQUE_VIOLATION
                && e.as_db_error()
                    .and_then(|d| d.constraint())
                    .is_some_and(|n| RACE_CONSTRAINTS.contains(&n)))
    });
    if race {
        StoreError::Serialization(db_message(&e))
    } else {
        StoreError::Backend(db_message(&e))
    }
}

/// The server's message without its detail (which may quote row values).
fn db_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

fn pool_err(e: r2d2::Error) -> StoreError {
    StoreError::Backend(format!("connection pool: {e}"))
}

impl ToSql for Val {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Val::Text(v) => v.to_sql_checked(ty, out),
            Val::Int(v) => v.to_sql_checked(ty, out),
            Val::Id(v) => v.to_sql_checked(ty, out),
            Val::Time(v) => v.to_sql_checked(ty, out),
        }
    }
    fn accepts(_ty: &Type) -> bool {
        // Each variant checks its own type in to_sql.
        true
    }
    to_sql_checked!();
}

struct Row<'a>(&'a postgres::Row);

impl RowGet for Row<'_> {
    fn text(&self, i: usize) -> Result<Option<String>, StoreError> {
        self.0.try_get(i).map_err(err)
    }
    fn int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        self.0.try_get(i).map_err(err)
    }
    fn id(&self, i: usize) -> Result<Option<Uuid>, StoreError> {
        self.0.try_get(i).map_err(err)
    }
    fn time(&self, i: usize) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.0.try_get(i).map_err(err)
    }
}

fn owned(row: &postgres::Row) -> Result<OwnedRow, StoreError> {
    let mut v = Vec::with_capacity(row.len());
    for (i, c) in row.columns().iter().enumerate() {
        v.push(match *c.type_() {
            Type::UUID => Val::Id(row.try_get(i).map_err(err)?),
            Type::INT8 => Val::Int(row.try_get(i).map_err(err)?),
            Type::TIMESTAMPTZ => Val::Time(row.try_get(i).map_err(err)?),
            _ => Val::Text(row.try_get(i).map_err(err)?),
        });
    }
    Ok(OwnedRow(v))
}

/// What the report-cell code needs of a connection: a pooled one, or the migration's
/// transaction.
trait PgRun {
    fn rows(
        &mut self,
        sql: &str,
        p: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, postgres::Error>;
    fn exec(&mut self, sql: &str, p: &[&(dyn ToSql + Sync)]) -> Result<u64, postgres::Error>;
}

impl PgRun for PgConn {
    fn rows(
        &mut self,
        sql: &str,
        p: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, postgres::Error> {
        self.query(sql, p)
    }
    fn exec(&mut self, sql: &str, p: &[&(dyn ToSql + Sync)]) -> Result<u64, postgres::Error> {
        self.execute(sql, p)
    }
}

impl PgRun for postgres::Transaction<'_> {
    fn rows(
        &mut self,
        sql: &str,
        p: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, postgres::Error> {
        self.query(sql, p)
    }
    fn exec(&mut self, sql: &str, p: &[&(dyn ToSql + Sync)]) -> Result<u64, postgres::Error> {
        self.execute(sql, p)
    }
}

/// Runs the report-cell SQL on a connection.
struct PgIo<'c, C: PgRun>(&'c mut C);

impl<C: PgRun> sql::SqlIo for PgIo<'_, C> {
    fn dialect(&self) -> &'static dyn Dialect {
        &PgDialect
    }
    fn rows(&mut self, q: &sql::Sql<'_>) -> Result<Vec<OwnedRow>, StoreError> {
        let rows = self.0.rows(&q.text, &params(&q.params)).map_err(err)?;
        rows.iter().map(owned).collect()
    }
    fn exec(&mut self, q: &sql::Sql<'_>) -> Result<u64, StoreError> {
        self.0.exec(&q.text, &params(&q.params)).map_err(err)
    }
    fn for_each(
        &mut self,
        q: &sql::Sql<'_>,
        f: &mut dyn FnMut(&dyn RowGet) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        for r in self.0.rows(&q.text, &params(&q.params)).map_err(err)? {
            f(&Row(&r))?;
        }
        Ok(())
    }
}

fn params(vals: &[Val]) -> Vec<&(dyn ToSql + Sync)> {
    vals.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

fn current_version(c: &mut impl postgres::GenericClient) -> Result<u32, StoreError> {
    c.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version     BIGINT PRIMARY KEY NOT NULL,
            name        TEXT NOT NULL,
            applied_at  TIMESTAMPTZ NOT NULL
        )",
    )
    .map_err(err)?;
    let v: i64 = c
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .map_err(err)?
        .get(0);
    Ok(v as u32)
}

fn migrate(c: &mut postgres::Client, upto: u32) -> Result<(), Error> {
    c.batch_execute(LOCK).map_err(err)?;
    let result = (|| -> Result<(), Error> {
        let mut tx = c.transaction().map_err(err)?;
        let have = current_version(&mut tx)?;
        for (version, name, sql) in sql::pending(MIGRATIONS, have, upto)? {
            tx.batch_execute(sql).map_err(err)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())",
                &[&i64::from(*version), name],
            )
            .map_err(err)?;
        }
        if CELLS_VERSIONS.iter().any(|v| have < *v && upto >= *v) {
            sql::cells::fill_on_upgrade(&mut PgIo(&mut tx), upto)?;
        }
        tx.commit().map_err(err)?;
        Ok(())
    })();
    let _ = c.batch_execute(UNLOCK);
    result
}

impl PostgresStore {
    /// Connects (`url` in libpq key-value form or as a `postgresql://` URL) and brings the
    /// schema up to date.
    pub fn connect(url: &str) -> Result<Self, Error> {
        Self::connect_with(url, PostgresOptions::default())
    }

    /// Connects with explicit options.
    pub fn connect_with(url: &str, options: PostgresOptions) -> Result<Self, Error> {
        let latest = MIGRATIONS.last().map_or(0, |m| m.0);
        Self::connect_at_version(url, options, latest)
    }

    /// Connects and migrates only up to `version` (for upgrade tests and staged rollouts).
    #[doc(hidden)]
    pub fn connect_at_version(
        url: &str,
        options: PostgresOptions,
        version: u32,
    ) -> Result<Self, Error> {
        let config: postgres::Config =
            url.parse().map_err(|e: postgres::Error| Error::Invalid {
                field: "url".into(),
                reason: format!("not a PostgreSQL connection string: {e}"),
            })?;
        let manager = Manager { config };
        let pool = r2d2::Pool::builder()
            .max_size(options.pool_size.max(1))
            .min_idle(Some(0))
            .connection_timeout(std::time::Duration::from_secs(15))
            .build(manager)
            .map_err(|e| Error::from(pool_err(e)))?;
        {
            let mut c = pool.get().map_err(|e| Error::from(pool_err(e)))?;
            migrate(&mut c.client, version)?;
        }
        Ok(Self { pool })
    }

    /// The schema version of the database.
    pub fn schema_version(&self) -> Result<u32, Error> {
        let mut c = self.pool.get().map_err(pool_err)?;
        Ok(current_version(&mut c.client)?)
    }

    /// Runs `f` on a pooled connection outside any transaction (tests inspect the catalog).
    #[doc(hidden)]
    pub fn with_client<T>(&self, f: impl FnOnce(&mut postgres::Client) -> T) -> Result<T, Error> {
        let mut c = self.pool.get().map_err(pool_err)?;
        Ok(f(&mut c.client))
    }
}

struct PgTx {
    conn: Conn,
    open: bool,
    locked: bool,
    writable: bool,
    /// What this transaction already knows (see [`sql::memo::Memo`]).
    memo: sql::memo::Memo,
}

impl Drop for PgTx {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.batch_execute("ROLLBACK");
        }
        if self.locked {
            let _ = self.conn.batch_execute(UNLOCK);
        }
    }
}

impl PgTx {
    fn load_children(&mut self, r: &mut Record) -> Result<(), StoreError> {
        let Some(q) = sql::children_sql(r.kind(), &PgDialect) else {
            return Ok(());
        };
        let stmt: &str = &q;
        let rows = self
            .conn
            .query(stmt, &[&Val::Id(Some(r.id()))])
            .map_err(err)?;
        let got: Vec<OwnedRow> = rows.iter().map(owned).collect::<Result<_, _>>()?;
        let refs: Vec<&dyn RowGet> = got.iter().map(|r| r as &dyn RowGet).collect();
        sql::attach(r, &refs)
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        super::check_writable(self.writable)
    }
}

impl Tx for PgTx {
    fn get(&mut self, kind: Kind, id: Uuid) -> Result<Option<Record>, StoreError> {
        let stmt: &str = &sql::get_sql(kind, &PgDialect);
        let rows = self.conn.query(stmt, &[&Val::Id(Some(id))]).map_err(err)?;
        let Some(row) = rows.first() else {
            if self.writable {
                self.memo.got(kind, id, None);
            }
            return Ok(None);
        };
        let mut rec = sql::decode(kind, &Row(row))?;
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
        let plan = self.memo.plan_put(kind, record.id(), &vals, &children);
        match &plan.update {
            None => {
                let stmt: &str = &sql::upsert_sql(kind, &PgDialect);
                self.conn.execute(stmt, &params(&vals)).map_err(err)?;
            }
            Some(changed) if !changed.is_empty() => {
                let mut p = vec![vals[0].clone()];
                p.extend(changed.iter().map(|&i| vals[i].clone()));
                let stmt: &str = &sql::update_sql(kind, &PgDialect, changed);
                self.conn.execute(stmt, &params(&p)).map_err(err)?;
            }
            Some(_) => {}
        }
        let parent = Val::Id(Some(record.id()));
        if let (true, Some(del)) = (
            plan.delete_children,
            sql::delete_children_sql(kind, &PgDialect),
        ) {
            let del: &str = &del;
            self.conn.execute(del, &[&parent]).map_err(err)?;
        }
        if let (true, Some(ins)) = (
            plan.insert_children,
            sql::insert_child_sql(kind, &PgDialect),
        ) {
            let ins: &str = &ins;
            for (pos, row) in children.rows().into_iter().enumerate() {
                let mut p = vec![parent.clone(), Val::Int(Some(pos as i64))];
                p.extend(row);
                self.conn.execute(ins, &params(&p)).map_err(err)?;
            }
        }
        self.memo.put_done(record, vals, children);
        Ok(())
    }

    fn delete(&mut self, kind: Kind, id: Uuid) -> Result<(), StoreError> {
        self.check_writable()?;
        let key = Val::Id(Some(id));
        if let Some(del) = sql::delete_children_sql(kind, &PgDialect) {
            let del: &str = &del;
            self.conn.execute(del, &[&key]).map_err(err)?;
        }
        let stmt: &str = &sql::delete_sql(kind, &PgDialect);
        self.conn.execute(stmt, &[&key]).map_err(err)?;
        self.memo.deleted(kind, id);
        Ok(())
    }

    fn side_get(&mut self, space: &str, key: &str) -> Result<Option<String>, StoreError> {
        let stmt: &str = &sql::side_get_sql(&PgDialect);
        let rows = self.conn.query(stmt, &[&space, &key]).map_err(err)?;
        match rows.first() {
            Some(row) => Ok(Some(row.try_get(0).map_err(err)?)),
            None => Ok(None),
        }
    }

    fn side_put(&mut self, space: &str, key: &str, value: &str) -> Result<(), StoreError> {
        self.check_writable()?;
        let stmt: &str = &sql::side_put_sql(&PgDialect);
        self.conn
            .execute(stmt, &[&space, &key, &value])
            .map_err(err)?;
        Ok(())
    }

    fn forget_events(&mut self, before: u64) -> Result<(), StoreError> {
        self.check_writable()?;
        let before = i64::try_from(before.min(self.last_seq()?)).unwrap_or(i64::MAX);
        self.conn
            .execute("DELETE FROM events WHERE seq < $1", &[&before])
            .map_err(err)?;
        Ok(())
    }

    fn side_delete(&mut self, space: &str, key: &str) -> Result<(), StoreError> {
        self.check_writable()?;
        let stmt: &str = &sql::side_delete_sql(&PgDialect);
        self.conn.execute(stmt, &[&space, &key]).map_err(err)?;
        Ok(())
    }

    fn side_scan(
        &mut self,
        space: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let stmt: &str = &sql::side_scan_sql(&PgDialect, after.is_some());
        let p = sql::side_scan_params(space, after, limit);
        let rows = self.conn.query(stmt, &params(&p)).map_err(err)?;
        rows.iter()
            .map(|r| Ok((r.try_get(0).map_err(err)?, r.try_get(1).map_err(err)?)))
            .collect()
    }

    fn side_spaces(&mut self) -> Result<Vec<String>, StoreError> {
        let stmt: &str = &sql::side_spaces_sql(&PgDialect);
        let rows = self.conn.query(stmt, &[]).map_err(err)?;
        rows.iter().map(|r| r.try_get(0).map_err(err)).collect()
    }

    fn query(&mut self, query: &Query, page: &Page) -> Result<Vec<Record>, StoreError> {
        let kind = query.kind();
        let q = sql::select_for(query, page, &PgDialect, &mut PgIo(&mut *self.conn))?;
        let stmt: &str = &q.text;
        let rows = self.conn.query(stmt, &params(&q.params)).map_err(err)?;
        let mut out: Vec<Record> = rows
            .iter()
            .map(|r| sql::decode(kind, &Row(r)))
            .collect::<Result<_, _>>()?;
        for r in &mut out {
            self.load_children(r)?;
        }
        Ok(out)
    }

    fn count(&mut self, query: &Query) -> Result<u64, StoreError> {
        let q = sql::count_sql(query, &PgDialect);
        let stmt: &str = &q.text;
        let n: i64 = self
            .conn
            .query_one(stmt, &params(&q.params))
            .map_err(err)?
            .get(0);
        Ok(n as u64)
    }

    fn last_seq(&mut self) -> Result<u64, StoreError> {
        if let Some(n) = self.memo.last_seq {
            return Ok(n);
        }
        let stmt: &str = "SELECT coalesce(max(seq), 0) FROM events";
        let n: i64 = self.conn.query_one(stmt, &[]).map_err(err)?.get(0);
        self.memo.last_seq = Some(n as u64);
        Ok(n as u64)
    }

    fn append_event(&mut self, event: &Event) -> Result<(), StoreError> {
        self.check_writable()?;
        super::check_next_seq(self.last_seq()?, event)?;
        let vals = sql::event_vals(event)?;
        let stmt: &str = &format!(
            "INSERT INTO events ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, CAST($8::text AS jsonb))",
            sql::EVENT_COLS
        );
        self.conn.execute(stmt, &params(&vals)).map_err(err)?;
        self.memo.last_seq = Some(event.seq);
        Ok(())
    }

    fn events_since(&mut self, after: u64, limit: u32) -> Result<Vec<Event>, StoreError> {
        let cols = sql::EVENT_COLS.replace("payload", "payload::text");
        let stmt: &str = &format!("SELECT {cols} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2");
        let rows = self
            .conn
            .query(stmt, &[&(after as i64), &i64::from(limit)])
            .map_err(err)?;
        rows.iter().map(|r| sql::decode_event(&Row(r))).collect()
    }

    fn report(
        &mut self,
        request: &crate::report::ReportRequest,
    ) -> Result<Option<crate::report::ReportData>, StoreError> {
        sql::report(request, &PgDialect, &mut PgIo(&mut *self.conn)).map(Some)
    }

    fn keeps_report_cells(&self) -> bool {
        true
    }

    fn add_report_cells(&mut self, delta: &ReportCells) -> Result<(), StoreError> {
        self.check_writable()?;
        sql::cells::add(&mut PgIo(&mut *self.conn), delta)
    }

    fn columns(
        &mut self,
        query: &Query,
    ) -> Result<Option<Vec<(String, crate::frame::Column)>>, StoreError> {
        sql::columns(query, &PgDialect, &mut PgIo(&mut *self.conn))
    }

    fn replace_report_cells(&mut self, cells: &ReportCells) -> Result<(), StoreError> {
        self.check_writable()?;
        sql::cells::replace(&mut PgIo(&mut *self.conn), cells)
    }

    fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        self.open = false;
        if let Err(e) = self.conn.batch_execute("COMMIT") {
            let _ = self.conn.batch_execute("ROLLBACK");
            return Err(err(e));
        }
        Ok(())
    }
}

impl Store for PostgresStore {
    fn begin_write(&self) -> Result<Box<dyn Tx + '_>, StoreError> {
        let mut conn = self.pool.get().map_err(pool_err)?;
        conn.batch_execute(LOCK).map_err(err)?;
        let mut tx = PgTx {
            conn,
            open: false,
            locked: true,
            writable: true,
            memo: Default::default(),
        };
        tx.conn
            .batch_execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
            .map_err(err)?;
        tx.open = true;
        Ok(Box::new(tx))
    }

    fn begin_read(&self) -> Result<Box<dyn Tx + '_>, StoreError> {
        let mut conn = self.pool.get().map_err(pool_err)?;
        conn.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .map_err(err)?;
        Ok(Box::new(PgTx {
            conn,
            open: true,
            locked: false,
            writable: false,
            memo: Default::default(),
        }))
    }

    fn backend_name(&self) -> &'static str {
        "postgres"
    }
}

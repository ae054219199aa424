//! Shared fixtures for needbridge's acceptance tests: the [`World`] fixture on any of the
//! [`Backend`]s every conformance test runs on, and the [`conformance!`] macro that runs a
//! test on each. The fixture itself, the invariants and [`TempDir`] are the conformance kit's
//! (`needbridge::testing`, re-exported here); this crate adds the three built-in backends.

use needbridge::store::memory::MemoryStore;
use needbridge::store::postgres::PostgresStore;
use needbridge::store::sqlite::SqliteStore;
use needbridge::Store;
use std::path::PathBuf;
use std::sync::Arc;

pub use needbridge::testing::{id_number, invariants, member, staff, t0, TempDir};

/// A storage backend a conformance test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The in-memory store.
    Memory,
    /// SQLite, a fresh file in a temp directory.
    Sqlite,
    /// PostgreSQL: a fresh schema in the database named by `NEEDBRIDGE_PG_URL`.
    Postgres,
}

/// Whether PostgreSQL tests must run (CI, or `scripts/test.sh`): then a missing server fails
/// them loudly instead of skipping.
pub fn postgres_required() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
        || std::env::var_os("NEEDBRIDGE_REQUIRE_PG").is_some()
}

/// The PostgreSQL connection string from `NEEDBRIDGE_PG_URL`, if set. When it is not set and
/// [`postgres_required`], panics; otherwise prints that the test is skipped.
pub fn postgres_url() -> Option<String> {
    match std::env::var("NEEDBRIDGE_PG_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ if postgres_required() => panic!(
            "NEEDBRIDGE_PG_URL is not set but PostgreSQL tests are required here: \
             run them through scripts/test.sh (it starts a private server)"
        ),
        _ => {
            eprintln!("skipped: NEEDBRIDGE_PG_URL is not set (scripts/test.sh sets it)");
            None
        }
    }
}

/// `url` with its `search_path` set to `schema`.
pub fn with_schema(url: &str, schema: &str) -> String {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}options=-csearch_path%3D{schema}")
    } else {
        format!("{url} options='-csearch_path={schema}'")
    }
}

/// Creates a fresh, empty schema in the test database and returns a connection string
/// that uses it.
pub fn fresh_postgres_schema(url: &str) -> String {
    let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    let mut c =
        postgres::Client::connect(url, postgres::NoTls).expect("connect to NEEDBRIDGE_PG_URL");
    c.batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("create schema");
    with_schema(url, &schema)
}

/// A fresh, empty store of one backend, and whatever keeps it alive.
pub struct Fresh {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The SQLite file's directory, removed on drop.
    pub dir: Option<TempDir>,
    /// The PostgreSQL connection string of the fresh schema.
    pub url: Option<String>,
    /// The SQLite file.
    pub path: Option<PathBuf>,
}

impl Fresh {
    /// What a child process needs to open the same store: the SQLite file's path or the
    /// PostgreSQL connection string.
    pub fn target(&self) -> String {
        match (&self.path, &self.url) {
            (Some(p), _) => p.display().to_string(),
            (None, Some(u)) => u.clone(),
            (None, None) => panic!("a memory store cannot be shared with another process"),
        }
    }

    /// Opens the same store anew (what a restarted process would see).
    pub fn reopen(&self) -> Arc<dyn Store> {
        match (&self.path, &self.url) {
            (Some(p), _) => Arc::new(SqliteStore::open(p).expect("reopen sqlite")),
            (None, Some(u)) => Arc::new(PostgresStore::connect(u).expect("reconnect postgres")),
            (None, None) => self.store.clone(),
        }
    }
}

impl Backend {
    /// The backend's name.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Memory => "memory",
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// A fresh, empty store. For PostgreSQL, a new schema; panics when the server is not
    /// configured (callers check [`postgres_url`] first through [`conformance!`]).
    pub fn fresh(&self) -> Fresh {
        match self {
            Backend::Memory => Fresh {
                store: Arc::new(MemoryStore::new()),
                dir: None,
                url: None,
                path: None,
            },
            Backend::Sqlite => {
                let dir = TempDir::new("sqlite");
                let path = dir.join("needbridge.db");
                let store = SqliteStore::open(&path).expect("open sqlite");
                Fresh {
                    store: Arc::new(store),
                    dir: Some(dir),
                    url: None,
                    path: Some(path),
                }
            }
            Backend::Postgres => {
                let url = fresh_postgres_schema(&postgres_url().expect("NEEDBRIDGE_PG_URL"));
                let store = PostgresStore::connect(&url).expect("connect postgres");
                Fresh {
                    store: Arc::new(store),
                    dir: None,
                    url: Some(url),
                    path: None,
                }
            }
        }
    }
}

/// Runs each named test function `fn(Backend)` on every backend: generates modules
/// `memory`, `sqlite` and `postgres` with one `#[test]` each. PostgreSQL tests skip (with a
/// message) only when no server is configured and [`postgres_required`] is false.
#[macro_export]
macro_rules! conformance {
    ($($name:ident),+ $(,)?) => {
        mod memory {
            $(#[test] fn $name() { super::$name($crate::Backend::Memory) })+
        }
        mod sqlite {
            $(#[test] fn $name() { super::$name($crate::Backend::Sqlite) })+
        }
        mod postgres {
            $(#[test] fn $name() {
                if $crate::postgres_url().is_some() { super::$name($crate::Backend::Postgres) }
            })+
        }
    };
}

/// The kit's fixture ([`needbridge::testing::World`], which it dereferences to) on one of
/// the [`Backend`]s, with what keeps its store alive.
pub struct World {
    world: needbridge::testing::World,
    /// Keeps a SQLite file's directory alive.
    pub dir: Option<TempDir>,
    /// The PostgreSQL connection string of the world's schema (PostgreSQL worlds only).
    pub pg_url: Option<String>,
}

impl std::ops::Deref for World {
    type Target = needbridge::testing::World;
    fn deref(&self) -> &Self::Target {
        &self.world
    }
}

impl World {
    /// Builds the world on a fresh in-memory store.
    pub fn memory() -> World {
        World::on(Backend::Memory)
    }

    /// Builds the world on a fresh store of `backend`.
    pub fn on(backend: Backend) -> World {
        let fresh = backend.fresh();
        let mut w = World::build(fresh.store);
        w.dir = fresh.dir;
        w.pg_url = fresh.url;
        w
    }

    /// Builds the world on `store` (which must be empty).
    pub fn build(store: Arc<dyn Store>) -> World {
        World {
            world: needbridge::testing::World::build(store),
            dir: None,
            pg_url: None,
        }
    }
}

/// The README's quick start, compiled and run as a doc test so it cannot rot.
#[doc = include_str!("../../README.md")]
#[allow(dead_code)]
mod readme {}

/// Records by kind and id, as a comparison of two states wants them.
pub type RecordMap =
    std::collections::BTreeMap<(needbridge::model::Kind, uuid::Uuid), needbridge::Record>;

/// Every record `store` holds (a device's view, say).
pub fn records_of(store: &dyn Store) -> RecordMap {
    needbridge::store::dump(store)
        .expect("dump")
        .records
        .into_values()
        .flat_map(|m| m.into_values())
        .map(|r| ((r.kind(), r.id()), r))
        .collect()
}

/// The portal's complete snapshot of `actor`'s scope, as a fresh app would receive it: what
/// a device's view must equal once it has nothing pending.
pub fn sync_snapshot(portal: &needbridge::Hub, actor: &needbridge::Actor) -> RecordMap {
    use needbridge::sync::{self, Change, ClientId, PullRequest};
    let mut out = RecordMap::new();
    let mut req = PullRequest {
        protocol: sync::PROTOCOL,
        schema: sync::SCHEMA,
        client: ClientId(uuid::Uuid::now_v7()),
        cookie: None,
        limit: 0,
        pending_from: None,
    };
    loop {
        let res = sync::pull(portal, actor, &req).expect("pull");
        assert!(!res.reset, "a fresh pull is never reset");
        for c in &res.changes {
            if let Change::Put { record } = c {
                out.insert((record.kind(), record.id()), record.clone());
            }
        }
        if !res.snapshot || !res.more {
            return out;
        }
        req.cookie = res.cookie;
    }
}

/// A copy of `w`'s records in a fresh store of backend `b`, put in reverse id order (as a
/// restore may write them), its report cells rebuilt from them (as after an upgrade or a
/// restore) and, with `events`, the log appended; and a Hub on it. Keep the [`Fresh`] alive.
pub fn rebuilt_copy(w: &World, b: Backend, events: bool) -> (Fresh, needbridge::Hub) {
    let snap = w.dump();
    let fresh = b.fresh();
    {
        let mut tx = fresh.store.begin_write().unwrap();
        for records in snap.records.values() {
            for r in records.values().rev() {
                tx.put(r).unwrap();
            }
        }
        needbridge::store::rebuild_report_cells(&mut *tx).unwrap();
        if events {
            for e in &snap.events {
                tx.append_event(e).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let hub = needbridge::Hub::new(fresh.store.clone()).unwrap();
    (fresh, hub)
}

/// The command that would draft `n` again as it is (for tests that vary one field).
pub fn draft_again(n: &needbridge::model::Need) -> needbridge::command::DraftNeed {
    needbridge::command::DraftNeed {
        committee: n.committee,
        grid: n.grid,
        resident: n.resident,
        institution: n.institution.clone(),
        title: n.title.clone(),
        description: n.description.clone(),
        category: n.category.clone(),
        channel: n.channel,
        scale: n.scale,
        estimated_cost_fen: n.estimated_cost_fen,
        wanted_by: n.wanted_by,
        beneficiaries: n.beneficiaries.clone(),
        recurrence: n.recurrence,
        place: n.place.clone(),
        location: n.location,
    }
}

//! The conformance kit (feature `testing`): what a [`Store`] must do, as tests anyone can
//! run against their own backend.
//!
//! A backend author adds needbridge with the `testing` feature as a dev-dependency and
//! invokes [`store_conformance_tests!`](crate::store_conformance_tests) once in an
//! integration test, with an expression that opens a fresh, empty store — and, for the
//! durability, race and crash checks, a function that opens the same store again from a
//! text locator (a file path, a connection string):
//!
//! ```ignore
//! // tests/conformance.rs of a crate with a `Store` of its own
//! use needbridge::testing::{Fresh, TempDir};
//!
//! fn fresh() -> Fresh {
//!     let dir = TempDir::new("my-store");
//!     let path = dir.join("db");
//!     Fresh::new(MyStore::open(&path).unwrap())
//!         .with_locator(path.display().to_string())
//!         .keep(dir)
//! }
//!
//! needbridge::store_conformance_tests! {
//!     fresh: fresh(),
//!     reopen: |path: &str| MyStore::open(path).unwrap(),
//! }
//! ```
//!
//! That makes one `#[test]` per check of [`checks`]: the `Store` / `Tx` contract written in
//! [`crate::store`] (records round-trip, reads see the transaction's own writes, a rollback
//! or a refused command writes nothing, events are gap-free and ordered, queries select
//! exactly what [`Query::matches`](crate::store::Query::matches) defines, reports and frames
//! equal the reference computation, committed changes survive a reopen, deletes and the side
//! table where the backend has them), the
//! [race harness](race) and the [crash harness](crash). docs/TESTING-A-STORE.md walks through
//! it.
//!
//! The kit depends on no backend: the fixture ([`World`]) is built through the
//! [`Hub`](crate::Hub) on
//! whatever store the factory opens, and the reference it compares with is the in-memory
//! store every build of needbridge has.

pub mod checks;
pub mod crash;
pub mod invariants;
pub mod race;
mod world;

pub use world::{id_number, member, staff, t0, World};

use crate::Store;
use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;

/// A fresh, empty store opened by a backend's factory, and whatever keeps it alive.
pub struct Fresh {
    /// The store.
    pub store: Arc<dyn Store>,
    /// What [`Kit::with_reopen`]'s function needs to open this same store again, in this
    /// process or another one (a file path, a connection string); `None` when the store
    /// cannot be reopened (an in-memory store).
    pub locator: Option<String>,
    keep: Vec<Box<dyn Any>>,
}

impl Fresh {
    /// A fresh store that cannot be reopened (add [`Fresh::with_locator`] if it can).
    pub fn new(store: impl Store + 'static) -> Fresh {
        Fresh {
            store: Arc::new(store),
            locator: None,
            keep: Vec::new(),
        }
    }

    /// The text that reopens this store (see [`Fresh::locator`]).
    pub fn with_locator(mut self, locator: impl Into<String>) -> Fresh {
        self.locator = Some(locator.into());
        self
    }

    /// Keeps `guard` (a [`TempDir`], a database to drop afterwards) alive as long as the
    /// store is used; it is dropped after the check.
    pub fn keep(mut self, guard: impl Any) -> Fresh {
        self.keep.push(Box::new(guard));
        self
    }
}

impl std::fmt::Debug for Fresh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fresh")
            .field("backend", &self.store.backend_name())
            .field("locator", &self.locator)
            .finish_non_exhaustive()
    }
}

/// What a factory expression may evaluate to: a [`Fresh`], any [`Store`] (which then cannot
/// be reopened), or an `Option<Fresh>` whose `None` skips the check (a server that is not
/// configured here; print why before returning it).
pub trait IntoFresh {
    /// The fresh store, or `None` to skip.
    fn into_fresh(self) -> Option<Fresh>;
}

impl IntoFresh for Fresh {
    fn into_fresh(self) -> Option<Fresh> {
        Some(self)
    }
}

impl IntoFresh for Option<Fresh> {
    fn into_fresh(self) -> Option<Fresh> {
        self
    }
}

impl<S: Store + 'static> IntoFresh for S {
    fn into_fresh(self) -> Option<Fresh> {
        Some(Fresh::new(self))
    }
}

type Reopen = Arc<dyn Fn(&str) -> Arc<dyn Store> + Send + Sync>;

/// A backend as the kit sees it: how to open a fresh store and, optionally, how to open the
/// same store again from its [`Fresh::locator`]. Built by
/// [`store_conformance_tests!`](crate::store_conformance_tests); build one by hand to run a
/// single check with [`run`].
pub struct Kit {
    fresh: Box<dyn Fn() -> Option<Fresh>>,
    reopen: Option<Reopen>,
    test: Option<String>,
}

impl Kit {
    /// A kit whose stores come from `fresh`, called once for each store a check needs.
    pub fn new<F, T>(fresh: F) -> Kit
    where
        F: Fn() -> T + 'static,
        T: IntoFresh,
    {
        Kit {
            fresh: Box::new(move || fresh().into_fresh()),
            reopen: None,
            test: None,
        }
    }

    /// How to open the same store again from its locator: a new handle in this process
    /// (durability and race checks) or in a child process (crash check).
    pub fn with_reopen<F, S>(mut self, reopen: F) -> Kit
    where
        F: Fn(&str) -> S + Send + Sync + 'static,
        S: Store + 'static,
    {
        self.reopen = Some(Arc::new(move |locator: &str| -> Arc<dyn Store> {
            Arc::new(reopen(locator))
        }));
        self
    }

    /// A fresh, empty store, or `None` when the factory skips.
    pub fn fresh(&self) -> Option<Fresh> {
        (self.fresh)()
    }

    /// A new handle to the store `fresh` opened, when the kit can reopen it.
    pub fn reopen(&self, fresh: &Fresh) -> Option<Arc<dyn Store>> {
        let locator = fresh.locator.as_deref()?;
        Some((self.reopen.as_ref()?)(locator))
    }

    /// Opens a store from a locator (the crash harness's child does).
    fn reopen_locator(&self, locator: &str) -> Option<Arc<dyn Store>> {
        Some((self.reopen.as_ref()?)(locator))
    }

    /// The libtest name of the running check (`module::check`), for a child process to run
    /// the same test; set by [`run`].
    fn test_name(&self) -> Option<&str> {
        self.test.as_deref()
    }
}

impl std::fmt::Debug for Kit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kit")
            .field("reopen", &self.reopen.is_some())
            .field("test", &self.test)
            .finish_non_exhaustive()
    }
}

/// A check: what it is given is a kit and a fresh store from it.
pub type Check = fn(&Kit, Fresh);

/// Runs one check: opens a fresh store and hands it over, or prints that the check is
/// skipped when the factory returned `None`. `module` is the `module_path!()` of the test
/// and `name` its function's name; in a child process started by the [crash harness](crash),
/// runs the child's part instead (and never returns).
pub fn run(mut kit: Kit, module: &str, name: &str, check: Check) {
    // libtest names a test by its path without the crate's name.
    let path = match module.split_once("::") {
        Some((_, rest)) => format!("{rest}::{name}"),
        None => name.to_string(),
    };
    kit.test = Some(path);
    crash::child_if_asked(&kit);
    match kit.fresh() {
        Some(fresh) => check(&kit, fresh),
        None => eprintln!("skipped {name}: the factory opened no store here"),
    }
}

/// A small deterministic generator (xorshift), so that runs are reproducible by seed.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A fresh directory under the system temp dir, removed when dropped: where a file-based
/// store can live for one check.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// Creates it; `tag` goes into its name.
    pub fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!(
            "needbridge-test-{tag}-{}",
            uuid::Uuid::now_v7().simple()
        ));
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
    /// A path inside it.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Generates one `#[test]` per check of [`needbridge::testing::checks`](crate::testing::checks)
/// against a backend: the conformance kit's entry point.
///
/// - `fresh:` an expression evaluated for every store a check needs, giving a fresh, empty
///   store: a [`Fresh`](crate::testing::Fresh), any [`Store`](crate::Store), or an
///   `Option<Fresh>` whose `None` skips (see [`IntoFresh`](crate::testing::IntoFresh)).
/// - `reopen:` (optional) a function `Fn(&str) -> impl Store` opening the same store again
///   from [`Fresh::locator`](crate::testing::Fresh::locator). Without it (or without a
///   locator) the durability and crash checks are skipped, and the race runs its threads on
///   one shared handle.
///
/// Invoke it once per module (it defines a function `__needbridge_store_kit` and the tests);
/// several backends in one file each get a module of their own.
///
/// ```ignore
/// needbridge::store_conformance_tests! {
///     fresh: needbridge::store::memory::MemoryStore::new(),
/// }
/// ```
#[macro_export]
macro_rules! store_conformance_tests {
    (fresh: $fresh:expr $(, reopen: $reopen:expr)? $(,)?) => {
        fn __needbridge_store_kit() -> $crate::testing::Kit {
            #[allow(unused_mut)]
            let mut kit = $crate::testing::Kit::new(|| $fresh);
            $(kit = kit.with_reopen($reopen);)?
            kit
        }
        $crate::__store_conformance_each!(
            world_is_as_described,
            records_and_events_round_trip,
            reads_see_own_writes,
            rollback_writes_nothing,
            refused_commands_write_nothing,
            events_are_gap_free_and_ordered,
            queries_match_the_definition,
            rewrites_in_one_transaction_round_trip,
            nasty_text_round_trips,
            limits_round_trip,
            reports_equal_the_reference,
            repeated_claims_count_once,
            restored_stores_report_the_same,
            frames_equal_the_reference,
            committed_changes_survive_reopen,
            deletes_remove_records,
            side_table_round_trips,
            deletes_and_side_values_survive_reopen,
            forgotten_events_keep_the_numbering,
            district_work_round_trips,
            racing_handles_claim_once,
            crash_loses_no_acknowledged_change,
        );
    };
}

/// One `#[test]` per named check (used by `store_conformance_tests!`).
#[doc(hidden)]
#[macro_export]
macro_rules! __store_conformance_each {
    ($($check:ident),+ $(,)?) => {
        $(
            #[test]
            fn $check() {
                $crate::testing::run(
                    __needbridge_store_kit(),
                    module_path!(),
                    stringify!($check),
                    $crate::testing::checks::$check,
                );
            }
        )+
    };
}

//! The conformance kit on SQLite, invoked exactly as a backend author outside needbridge
//! would: a fresh file in a temp directory per store, reopened from its path (by other
//! threads in the race, by a child process in the crash harness).

use needbridge::store::sqlite::SqliteStore;
use needbridge::testing::{Fresh, TempDir};

fn fresh() -> Fresh {
    let dir = TempDir::new("kit-sqlite");
    let path = dir.join("needbridge.db");
    let store = SqliteStore::open(&path).expect("open sqlite");
    Fresh::new(store)
        .with_locator(path.display().to_string())
        .keep(dir)
}

needbridge::store_conformance_tests! {
    fresh: fresh(),
    reopen: |path: &str| SqliteStore::open(path).expect("reopen sqlite"),
}

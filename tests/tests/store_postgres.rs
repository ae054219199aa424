//! The conformance kit on PostgreSQL, invoked exactly as a backend author outside
//! needbridge would: a fresh schema per store in the database `NEEDBRIDGE_PG_URL` names,
//! reopened from its connection string. Without a server each check prints that it is
//! skipped — unless `CI` or `NEEDBRIDGE_REQUIRE_PG` is set, when it fails.

use needbridge::store::postgres::PostgresStore;
use needbridge::testing::Fresh;
use needbridge_acceptance::{fresh_postgres_schema, postgres_url};

fn fresh() -> Option<Fresh> {
    let url = fresh_postgres_schema(&postgres_url()?);
    let store = PostgresStore::connect(&url).expect("connect postgres");
    Some(Fresh::new(store).with_locator(url))
}

needbridge::store_conformance_tests! {
    fresh: fresh(),
    reopen: |url: &str| PostgresStore::connect(url).expect("reconnect postgres"),
}

//! Storage-level conformance specific to needbridge's SQL backends: the PostgreSQL schema
//! upgrades from every earlier version to the same schema as a fresh one, and a newer schema
//! is refused. What every backend must do (awkward values round-trip exactly or are refused
//! with nothing written, counts, pages, rewrites in one transaction) is the conformance
//! kit's (`needbridge::testing::checks`), run on each backend by `store_*.rs`.

use needbridge::Error;

/// PostgreSQL: upgrading from every earlier schema version gives the same schema as a fresh
/// database, and a database from a newer needbridge is refused untouched.
#[test]
fn postgres_upgrades_equal_a_fresh_schema() {
    use needbridge::store::postgres::{PostgresOptions, PostgresStore, MIGRATIONS};
    let Some(base) = needbridge_acceptance::postgres_url() else {
        return;
    };
    let catalog = |s: &PostgresStore| -> Vec<String> {
        s.with_client(|c| {
            let mut out = Vec::new();
            for r in c
                .query(
                    "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') \
                     FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1",
                    &[],
                )
                .unwrap()
            {
                out.push(r.get::<_, String>(0));
            }
            for r in c
                .query("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname", &[])
                .unwrap()
            {
                let def: String = r.get(0);
                out.push(def.replace(&format!("{}.", current(c)), ""));
            }
            for r in c
                .query(
                    "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint \
                     WHERE connamespace = current_schema()::regnamespace ORDER BY 1",
                    &[],
                )
                .unwrap()
            {
                out.push(r.get::<_, String>(0));
            }
            out
        })
        .unwrap()
    };
    fn current(c: &mut ::postgres::Client) -> String {
        c.query_one("SELECT current_schema()", &[]).unwrap().get(0)
    }
    let fresh =
        PostgresStore::connect(&needbridge_acceptance::fresh_postgres_schema(&base)).unwrap();
    let want = catalog(&fresh);
    assert!(
        want.iter().any(|l| l.contains("claims_one_live_per_need")),
        "{want:?}"
    );
    for from in 0..MIGRATIONS.len() as u32 {
        let url = needbridge_acceptance::fresh_postgres_schema(&base);
        let old =
            PostgresStore::connect_at_version(&url, PostgresOptions::default(), from).unwrap();
        assert_eq!(old.schema_version().unwrap(), from);
        drop(old);
        let upgraded = PostgresStore::connect(&url).unwrap();
        assert_eq!(upgraded.schema_version().unwrap(), MIGRATIONS.len() as u32);
        assert_eq!(catalog(&upgraded), want, "upgrade from version {from}");
    }
    let url = needbridge_acceptance::fresh_postgres_schema(&base);
    let s = PostgresStore::connect(&url).unwrap();
    s.with_client(|c| {
        c.batch_execute("INSERT INTO schema_migrations VALUES (99, 'future', now())")
            .unwrap()
    })
    .unwrap();
    drop(s);
    let e = PostgresStore::connect(&url).unwrap_err();
    assert!(
        matches!(e, Error::Storage { ref message } if message.contains("newer")),
        "{e}"
    );
    let s = PostgresStore::connect_at_version(&url, PostgresOptions::default(), 0);
    assert!(s.is_err(), "still refused");
}

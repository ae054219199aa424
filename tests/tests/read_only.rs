//! A read-only Hub: every read as on any Hub, every write refused before it begins
//! (`IllegalState`, state `read_only`), and on SQLite the file opened `SQLITE_OPEN_READONLY`
//! so nothing beneath the Hub can write either.

use needbridge::command::CreateUnit;
use needbridge::model::UnitKind;
use needbridge::testing::TempDir;
use needbridge::{Actor, Error, Hub};

fn district() -> CreateUnit {
    CreateUnit {
        kind: UnitKind::District,
        name: "钟山区".into(),
        parent: None,
    }
}

fn refused_as_read_only(r: Result<impl std::fmt::Debug, Error>, what: &str) {
    match r {
        Err(Error::IllegalState {
            entity,
            state,
            action,
        }) => {
            assert_eq!((entity.as_str(), state.as_str()), ("hub", "read_only"));
            assert_eq!(action, what);
        }
        other => panic!("{what}: expected the read-only refusal, got {other:?}"),
    }
}

#[test]
fn a_read_only_sqlite_hub_reads_and_writes_nothing() {
    let dir = TempDir::new("read-only");
    let path = dir.join("district.db");
    let writer = Hub::open(&path).unwrap();
    let unit = writer.run(&Actor::System, district()).unwrap();
    let events = writer.events_since(&Actor::System, 0, 1000).unwrap();
    drop(writer);
    let before = std::fs::read(&path).unwrap();

    let hub = Hub::open_read_only(&path).unwrap();
    assert!(hub.is_read_only());
    assert_eq!(hub.units(&Actor::System, None, None).unwrap(), vec![unit]);
    refused_as_read_only(hub.run(&Actor::System, district()), "create_unit");
    refused_as_read_only(hub.tick(), "tick");
    refused_as_read_only(
        needbridge::sync::serve_push(&hub, &Actor::System, b"{}"),
        "sync_push",
    );
    assert_eq!(hub.events_since(&Actor::System, 0, 1000).unwrap(), events);
    drop(hub);
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file changed");
}

#[test]
fn a_read_only_open_neither_creates_nor_migrates() {
    let dir = TempDir::new("read-only-missing");
    let missing = dir.join("typo.db");
    assert!(Hub::open_read_only(&missing).is_err());
    assert!(!missing.exists(), "a read-only open created the file");
    // A SQLite file that is not a Hub's: refused, not turned into one.
    let other = dir.join("other.db");
    std::fs::write(&other, b"").unwrap();
    match Hub::open_read_only(&other) {
        Err(Error::IllegalState { entity, state, .. }) => {
            assert_eq!((entity.as_str(), state.as_str()), ("database", "not_a_hub"));
        }
        other => panic!("expected IllegalState, got {other:?}"),
    }
    assert_eq!(std::fs::read(&other).unwrap(), b"");
}

#[test]
fn any_hub_can_be_made_read_only() {
    let hub = Hub::in_memory();
    let unit = hub.run(&Actor::System, district()).unwrap();
    let hub = hub.into_read_only();
    refused_as_read_only(hub.run(&Actor::System, district()), "create_unit");
    assert_eq!(hub.units(&Actor::System, None, None).unwrap(), vec![unit]);
}

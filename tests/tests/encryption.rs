//! Encryption at rest (issue 14): a SQLite store opened with a key keeps no resident's name,
//! phone or ID number readable in its file or its WAL, reads everything back with the key,
//! refuses a wrong or missing key with a typed error without touching the file, and can be
//! rekeyed, encrypted in place and decrypted.

use needbridge::store::memory::MemorySnapshot;
use needbridge::store::sqlite::{Key, SqliteStore};
use needbridge::store::{dump, Store};
use needbridge::{Error, ErrorKind};
use needbridge_acceptance::{id_number, TempDir, World};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn key() -> Key {
    Key::passphrase("correct horse battery staple").unwrap()
}

fn other_key() -> Key {
    Key::passphrase("a different passphrase").unwrap()
}

/// The residents' and members' personal data the World writes, as the bytes SQLite stores.
fn personal_data() -> Vec<String> {
    let mut v: Vec<String> = ["陈大爷", "刘小明", "黄奶奶", "王芳", "赵强", "孙丽", "周杰"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.push("13912345678".into());
    v.push("钟山区荷城街道凤凰社区5栋2单元301".into());
    v.extend((1..=3).map(|n| id_number("19360815", n)));
    v.extend((1..=6).map(|n| format!("1380000{n:04}")));
    v.extend((1..=6).map(|n| id_number("19850101", n)));
    v
}

/// The personal data found in `file` (empty when the file does not exist).
fn found_in(file: &Path) -> Vec<String> {
    let bytes = std::fs::read(file).unwrap_or_default();
    personal_data()
        .into_iter()
        .filter(|needle| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .collect()
}

fn wal(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}-wal", path.display()))
}

/// Every file of the directory, by name, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Writes the World into a new store at `path` (encrypted with `key` when set) and returns
/// its dump; the store stays open for as long as the returned World lives.
fn world_at(path: &Path, key: Option<Key>) -> (World, MemorySnapshot) {
    let store: Arc<dyn Store> = Arc::new(match key {
        Some(k) => SqliteStore::open_encrypted(path, k).unwrap(),
        None => SqliteStore::open(path).unwrap(),
    });
    let w = World::build(store);
    let snap = dump(&*w.store).unwrap();
    (w, snap)
}

fn assert_key_refused(e: Error, why: &str) {
    assert_eq!(e.kind(), ErrorKind::Invalid, "{why}: {e}");
    let Error::Invalid { field, reason } = &e else {
        unreachable!()
    };
    assert_eq!(field, "key", "{why}: {e}");
    for secret in ["correct horse", "different passphrase"] {
        assert!(!reason.contains(secret), "{why}: the key is in the error");
    }
}

#[test]
fn an_encrypted_store_keeps_no_personal_data_in_its_file_or_wal_and_reads_back() {
    let dir = TempDir::new("enc-scan");

    // The scan can fail: the same World written in plain SQLite shows the data.
    let plain = dir.join("plain.db");
    let (w, _) = world_at(&plain, None);
    let mut seen = found_in(&plain);
    seen.extend(found_in(&wal(&plain)));
    for needle in personal_data() {
        assert!(seen.contains(&needle), "the plain store shows {needle}");
    }
    drop(w);

    let path = dir.join("encrypted.db");
    let (w, before) = world_at(&path, Some(key()));
    // While the store is open, most pages are in the WAL, not yet checkpointed.
    let wal_len = std::fs::metadata(wal(&path)).map(|m| m.len()).unwrap_or(0);
    assert!(wal_len > 0, "the WAL holds the writes");
    assert_eq!(found_in(&path), Vec::<String>::new(), "main file, open");
    assert_eq!(found_in(&wal(&path)), Vec::<String>::new(), "WAL, open");
    // A checkpoint moves the pages into the main file, still encrypted.
    drop(w);
    assert_eq!(found_in(&path), Vec::<String>::new(), "main file, closed");
    assert_eq!(found_in(&wal(&path)), Vec::<String>::new(), "WAL, closed");
    assert_ne!(&std::fs::read(&path).unwrap()[..16], b"SQLite format 3\0");

    let again = SqliteStore::open_encrypted(&path, key()).unwrap();
    assert!(again.is_encrypted());
    assert!(dump(&again).unwrap() == before, "everything reads back");
    // And through the Hub's own door.
    drop(again);
    let hub = needbridge::Hub::open_encrypted(&path, key()).unwrap();
    assert_eq!(hub.backend_name(), "sqlite");
}

#[test]
fn a_raw_key_works_like_a_passphrase() {
    let dir = TempDir::new("enc-raw");
    let path = dir.join("raw.db");
    let raw = [0x5au8; 32];
    let (w, before) = world_at(&path, Some(Key::raw(raw)));
    drop(w);
    assert_eq!(found_in(&path), Vec::<String>::new());
    let again = SqliteStore::open_encrypted(&path, Key::raw_slice(&raw).unwrap()).unwrap();
    assert!(dump(&again).unwrap() == before);
    drop(again);
    let mut wrong = raw;
    wrong[31] ^= 1;
    let e = SqliteStore::open_encrypted(&path, Key::raw(wrong)).unwrap_err();
    assert_key_refused(e, "raw key off by one bit");
    assert_eq!(
        format!("{:?}", Key::raw(raw)),
        "Key(<redacted>)",
        "Debug never shows the key"
    );
    for (bad, why) in [
        (Key::passphrase(""), "empty"),
        (Key::passphrase("x'0011'"), "a raw-key literal"),
        (Key::raw_slice(&[1; 31]), "31 bytes"),
    ] {
        assert_key_refused(bad.unwrap_err(), why);
    }
}

#[test]
fn a_wrong_or_missing_key_is_a_typed_error_and_leaves_the_file_as_it_was() {
    let dir = TempDir::new("enc-wrong");
    let path = dir.join("needbridge.db");
    let (w, before) = world_at(&path, Some(key()));

    // With the store still open (its WAL not checkpointed), then closed.
    for open in [true, false] {
        let files_before = files(&dir.0);
        let e = SqliteStore::open_encrypted(&path, other_key()).unwrap_err();
        assert_key_refused(e, "wrong key");
        assert!(matches!(
            needbridge::Hub::open_encrypted(&path, other_key()),
            Err(Error::Invalid { .. })
        ));
        let e = SqliteStore::open(&path).unwrap_err();
        assert_key_refused(e.clone(), "no key");
        assert!(e.to_string().contains("encrypted"), "{e}");
        assert!(
            files(&dir.0) == files_before,
            "the refused opens changed no file (store open: {open})"
        );
        if open {
            drop(dump(&*w.store).unwrap());
        }
    }
    drop(w);
    let files_before = files(&dir.0);
    let _ = SqliteStore::open_encrypted(&path, other_key()).unwrap_err();
    let _ = SqliteStore::open(&path).unwrap_err();
    assert!(
        files(&dir.0) == files_before,
        "byte-identical after the refusals"
    );
    let again = SqliteStore::open_encrypted(&path, key()).unwrap();
    assert!(
        dump(&again).unwrap() == before,
        "the right key still opens it"
    );

    // A key for a plain file.
    let plain = dir.join("plain.db");
    drop(world_at(&plain, None));
    let plain_before = std::fs::read(&plain).unwrap();
    let e = SqliteStore::open_encrypted(&plain, key()).unwrap_err();
    assert_key_refused(e.clone(), "key on a plain file");
    assert!(e.to_string().contains("not encrypted"), "{e}");
    assert_eq!(std::fs::read(&plain).unwrap(), plain_before);
    SqliteStore::open(&plain).unwrap();
}

#[test]
fn rekeying_refuses_the_old_key_and_opens_with_the_new() {
    let dir = TempDir::new("enc-rekey");
    let path = dir.join("needbridge.db");
    let (w, before) = world_at(&path, Some(key()));

    // Not while the store is open.
    let e = SqliteStore::rekey(&path, &key(), &other_key()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IllegalState, "{e}");
    drop(w);
    // Not with a wrong old key; nothing changes.
    let files_before = files(&dir.0);
    let e = SqliteStore::rekey(&path, &other_key(), &key()).unwrap_err();
    assert_key_refused(e, "wrong old key");
    assert!(files(&dir.0) == files_before);

    SqliteStore::rekey(&path, &key(), &other_key()).unwrap();
    let names: Vec<String> = files(&dir.0).into_keys().collect();
    assert_eq!(
        names,
        vec!["needbridge.db".to_string()],
        "no copy or WAL left"
    );
    assert_key_refused(
        SqliteStore::open_encrypted(&path, key()).unwrap_err(),
        "old key after rekey",
    );
    let again = SqliteStore::open_encrypted(&path, other_key()).unwrap();
    assert!(dump(&again).unwrap() == before);
    drop(again);
    assert_eq!(found_in(&path), Vec::<String>::new());

    // Rekeyed to a raw key and back: still everything.
    let raw = Key::raw([9; 32]);
    SqliteStore::rekey(&path, &other_key(), &raw).unwrap();
    SqliteStore::rekey(&path, &raw, &key()).unwrap();
    let again = SqliteStore::open_encrypted(&path, key()).unwrap();
    assert!(dump(&again).unwrap() == before);
}

#[test]
fn a_plain_file_is_encrypted_in_place_and_decrypted_back() {
    let dir = TempDir::new("enc-inplace");
    let path = dir.join("needbridge.db");
    let (w, before) = world_at(&path, None);
    drop(w);
    assert!(!found_in(&path).is_empty(), "plain before");

    // Encrypting an encrypted file, or with the store open, is refused.
    let (w2, _) = world_at(&dir.join("other.db"), Some(key()));
    assert_key_refused(
        SqliteStore::encrypt(dir.join("other.db"), &key()).unwrap_err(),
        "already encrypted",
    );
    drop(w2);

    SqliteStore::encrypt(&path, &key()).unwrap();
    assert_eq!(found_in(&path), Vec::<String>::new(), "encrypted in place");
    assert_key_refused(SqliteStore::open(&path).unwrap_err(), "no key after");
    let again = SqliteStore::open_encrypted(&path, key()).unwrap();
    assert!(dump(&again).unwrap() == before);
    drop(again);

    SqliteStore::decrypt(&path, &key()).unwrap();
    let plain = SqliteStore::open(&path).unwrap();
    assert!(dump(&plain).unwrap() == before, "decrypted back");
    drop(plain);
    assert!(!found_in(&path).is_empty(), "plain again");
    assert!(matches!(
        SqliteStore::encrypt(dir.join("missing.db"), &key()),
        Err(Error::NotFound { .. })
    ));
}

//! Encryption at rest (docs/adr/0001-sqlcipher-encryption-at-rest.md): the host's [`Key`],
//! keying and checking every connection the store opens, and changing the key of a file
//! ([`SqliteStore::rekey`](super::SqliteStore::rekey), [`encrypt`](super::SqliteStore::encrypt),
//! [`decrypt`](super::SqliteStore::decrypt)).
//!
//! The SQLite compiled in is SQLCipher 4 (OpenSSL's crypto vendored). Without a key it reads
//! and writes plain SQLite files exactly like SQLite; with one, every page of the database
//! and of its WAL is encrypted (AES-256-CBC) and authenticated (HMAC-SHA512), and temporary
//! tables and sorts stay in memory.

use super::{err, StoreError};
use crate::error::Error;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// A host-supplied secret that encrypts a SQLite database at rest.
///
/// Two forms:
/// - [`Key::passphrase`]: any non-empty text; SQLCipher derives the 256-bit key from it with
///   PBKDF2-HMAC-SHA512 (256,000 iterations) and a random salt kept in the file. Opening a
///   store costs one derivation per connection (tens of milliseconds on a phone).
/// - [`Key::raw`]: 32 random bytes the host keeps (for example in the Android Keystore or the
///   iOS Keychain); no derivation, so opening is fast.
///
/// The key is never logged nor put in an error; `Debug` shows `Key(<redacted>)`. The copy a
/// `Key` holds is overwritten with zeros when it is dropped (SQLCipher keeps its own copy of
/// the derived key while a connection is open).
#[derive(Clone)]
pub struct Key {
    /// What SQLCipher is handed: the passphrase's bytes, or `x'…'` with 64 hex digits.
    material: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

impl Key {
    /// A passphrase, from which SQLCipher derives the key. Refused ([`Error::Invalid`] for
    /// `key`) when empty — an empty key would mean no encryption — or when it is written
    /// like SQLCipher's raw-key literal `x'…'` (use [`Key::raw`] for raw keys).
    pub fn passphrase(passphrase: impl Into<String>) -> Result<Self, Error> {
        let material = Zeroizing::new(passphrase.into().into_bytes());
        if material.is_empty() {
            return Err(Error::invalid("key", "is empty"));
        }
        let m = &material[..];
        if m.len() >= 3 && matches!(m[0], b'x' | b'X') && m[1] == b'\'' && m.ends_with(b"'") {
            return Err(Error::invalid(
                "key",
                "a passphrase may not be written like a raw-key literal x'…': pass raw keys \
                 as 32 bytes",
            ));
        }
        Ok(Key { material })
    }

    /// A raw 256-bit key, used as it is (no key derivation).
    pub fn raw(key: [u8; 32]) -> Self {
        let key = Zeroizing::new(key);
        Self::raw_slice(&key[..]).expect("32 bytes")
    }

    /// A raw 256-bit key from a slice, which must be exactly 32 bytes long
    /// ([`Error::Invalid`] for `key` otherwise).
    pub fn raw_slice(key: &[u8]) -> Result<Self, Error> {
        if key.len() != 32 {
            return Err(Error::invalid("key", "a raw key is exactly 32 bytes"));
        }
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut material = Zeroizing::new(Vec::with_capacity(67));
        material.extend_from_slice(b"x'");
        for b in key {
            material.push(HEX[usize::from(b >> 4)]);
            material.push(HEX[usize::from(b & 15)]);
        }
        material.push(b'\'');
        Ok(Key { material })
    }

    /// The bytes handed to SQLCipher.
    fn material(&self) -> &[u8] {
        &self.material
    }
}

/// Why a key does not open the database at `path`, in words that name neither the key nor
/// any data. `keyed`: whether a key was given.
fn refused(path: &Path, keyed: bool) -> Error {
    // A plain SQLite file starts with this header; an encrypted one with its random salt.
    let plain = std::fs::File::open(path)
        .and_then(|mut f| {
            let mut head = [0u8; 16];
            std::io::Read::read_exact(&mut f, &mut head).map(|()| head)
        })
        .is_ok_and(|h| &h == b"SQLite format 3\0");
    let reason = match (keyed, plain) {
        (true, true) => {
            "the database is not encrypted: open it without a key, or encrypt the file first"
        }
        (true, false) => "does not open this database (wrong key, or not a needbridge database)",
        (false, _) => {
            "the database is encrypted (or is not a SQLite database): open it with its key"
        }
    };
    Error::invalid("key", reason)
}

/// SQLCipher logs warnings and errors (a failed page HMAC on a wrong key, …) to stderr, or
/// to logcat or the Apple console, unless told not to; a library writes nothing there, and
/// the host learns of every failure from the error it gets. The level is process-wide: set
/// once, on a connection of its own (its first open has run SQLCipher's initialisation,
/// which would otherwise set the default level again).
fn quiet_sqlcipher() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if let Ok(c) = Connection::open_in_memory() {
            let _ = c.execute_batch("PRAGMA cipher_log_level = NONE");
        }
    });
}

/// Keys a new connection (the first thing done on it) and checks the key by reading the
/// schema: nothing is written before that read succeeds, so a wrong key leaves the file as
/// it was. A refused key is [`Error::Invalid`] for `key`.
pub(super) fn key_and_check(
    conn: &Connection,
    path: &Path,
    key: Option<&Key>,
) -> Result<(), Error> {
    quiet_sqlcipher();
    if let Some(k) = key {
        conn.key(None::<&str>, k.material(), false)
            .map_err(|e| Error::from(err(e)))?;
    }
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())) {
        Ok(()) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(f, _)) if f.code == ErrorCode::NotADatabase => {
            Err(refused(path, key.is_some()))
        }
        Err(e) => Err(err(e).into()),
    }
}

/// The file `path` with `suffix` added to its name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes a copy of the closed database at `path`, read with `old`, encrypted with `new`
/// (plain when `None`), and puts it in place of the original by an atomic rename. See
/// [`SqliteStore::rekey`](super::SqliteStore::rekey) for the contract.
pub(super) fn change_key(path: &Path, old: Option<&Key>, new: Option<&Key>) -> Result<(), Error> {
    if !path.is_file() {
        return Err(Error::not_found("database", path.display()));
    }
    // CREATE: the attached copy is created with the main connection's flags.
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::from(err(e)))?;
    conn.busy_timeout(std::time::Duration::from_millis(500))
        .map_err(|e| Error::from(err(e)))?;
    key_and_check(&conn, path, old)?;
    // Leaving WAL mode needs the only connection to the file (every open connection holds a
    // shared lock on it in WAL mode), and folds the WAL into the file.
    let open_elsewhere = || {
        Error::illegal(
            "database",
            "open elsewhere",
            "change its key: close every Hub on it first",
        )
    };
    let mode: String = match conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0)) {
        Ok(m) => m,
        Err(e) => {
            return Err(match err(e) {
                StoreError::Serialization(_) => open_elsewhere(),
                other => other.into(),
            })
        }
    };
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(open_elsewhere());
    }
    let tmp = beside(path, &format!(".rekey-{}", uuid::Uuid::now_v7()));
    let result = (|| -> Result<(), Error> {
        let tmp_name = tmp
            .to_str()
            .ok_or_else(|| Error::invalid("path", "is not valid UTF-8"))?;
        // The new key is a bound parameter: it never appears in SQL text. An empty key
        // (not NULL, which would mean "the main database's key") makes a plain file.
        let new_material: &[u8] = new.map_or(&[], Key::material);
        conn.execute(
            "ATTACH DATABASE ?1 AS rekeyed KEY ?2",
            rusqlite::params![tmp_name, new_material],
        )
        .map_err(|e| Error::from(err(e)))?;
        let copied = (|| -> Result<(), StoreError> {
            conn.query_row("SELECT sqlcipher_export('rekeyed')", [], |_| Ok(()))
                .map_err(err)?;
            let count = |schema: &str| -> Result<i64, StoreError> {
                conn.query_row(
                    &format!("SELECT count(*) FROM {schema}.sqlite_master"),
                    [],
                    |r| r.get(0),
                )
                .map_err(err)
            };
            if count("main")? != count("rekeyed")? {
                return Err(StoreError::Backend(
                    "the re-encrypted copy does not have every table of the original".into(),
                ));
            }
            Ok(())
        })();
        let detached = conn.execute_batch("DETACH DATABASE rekeyed").map_err(err);
        copied?;
        detached?;
        std::fs::rename(&tmp, path).map_err(io)?;
        // The rename itself survives power loss once the directory is synced.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        // A WAL or shared-memory index of the old file must not be read with the new one.
        for suffix in ["-wal", "-shm"] {
            match std::fs::remove_file(beside(path, suffix)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
                _ => {}
            }
        }
        Ok(())
    })();
    drop(conn);
    if result.is_err() {
        for p in [tmp.clone(), beside(&tmp, "-journal")] {
            let _ = std::fs::remove_file(p);
        }
    }
    result
}

fn io(e: std::io::Error) -> Error {
    Error::Storage {
        message: format!("changing the database's key: {e}"),
    }
}

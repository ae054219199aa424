//! Where a claim's cost goes (issue 15), measured: the claim through the Hub, the hand-written
//! transaction with the same reads and writes (report cells, event payload), and the minimal
//! claim a portal developer writes by hand (`../suite/by_hand.rs`), each on its own world
//! built exactly like the suite's item 1 (`../suite/world.rs`).
//!
//! For each side, after `--warm` claims (caches and b-trees warm; default 100), the WAL is
//! checkpointed and truncated, then `--claims` claims (default 400) are made and measured:
//!
//! - **statements**: every statement any connection of the process runs, with its time, from
//!   a profile callback (`sqlite3_trace_v2`, `SQLITE_TRACE_PROFILE`) that an auto-extension
//!   installs on every connection opened — the Hub's own included;
//! - **pages**: the WAL frames the claims appended (automatic checkpoints are held off on
//!   every connection while recording, so the WAL holds every frame), grouped by commit, each
//!   page mapped to the table or index that owns it (`dbstat`);
//! - **bytes**: `write` bytes of the process (`/proc/self/io`), the events' and audit rows'
//!   sizes.
//!
//! ```sh
//! bash core/benches/claim-anatomy/run.sh [--claims 400] [--warm 100] [--sync FULL|NORMAL]
//! ```

#[allow(dead_code)]
#[path = "../../suite/by_hand.rs"]
mod by_hand;
#[allow(dead_code)]
#[path = "../../suite/world.rs"]
mod world;

use needbridge::store::sqlite::{SqliteOptions, SqliteStore, Synchronous};
use rusqlite::{ffi, Connection};
use std::collections::{BTreeMap, HashMap};
use std::ffi::{c_char, c_int, c_uint, c_void, CStr};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Whether statements are being recorded.
static RECORDING: AtomicBool = AtomicBool::new(false);
/// SQL text → (executions, nanoseconds).
static STATEMENTS: Mutex<BTreeMap<String, (u64, u64)>> = Mutex::new(BTreeMap::new());

thread_local! {
    /// Statement → when its run began (`SQLITE_TRACE_STMT`); SQLite's own profile times are
    /// whole milliseconds.
    static STARTED: std::cell::RefCell<HashMap<usize, Instant>> = Default::default();
}

unsafe extern "C" fn profile(
    mask: c_uint,
    _: *mut c_void,
    p: *mut c_void,
    _: *mut c_void,
) -> c_int {
    if mask == ffi::SQLITE_TRACE_STMT {
        if RECORDING.load(Ordering::Relaxed) {
            STARTED.with(|s| s.borrow_mut().insert(p as usize, Instant::now()));
        }
        return 0;
    }
    // Installed here, not when the connection opens: opening ends by installing SQLite's
    // default automatic checkpoint, after the auto-extensions ran.
    ffi::sqlite3_wal_hook(
        ffi::sqlite3_db_handle(p.cast()),
        Some(wal_hook),
        std::ptr::null_mut(),
    );
    if RECORDING.load(Ordering::Relaxed) {
        let sql = ffi::sqlite3_sql(p.cast());
        let sql = if sql.is_null() {
            String::from("?")
        } else {
            CStr::from_ptr(sql).to_string_lossy().into_owned()
        };
        let Some(t) = STARTED.with(|s| s.borrow_mut().remove(&(p as usize))) else {
            return 0;
        };
        let ns = t.elapsed().as_nanos() as u64;
        let mut s = STATEMENTS.lock().unwrap();
        let e = s.entry(sql).or_default();
        e.0 += 1;
        e.1 += ns;
    }
    0
}

/// SQLite's own automatic checkpoint (at 1,000 WAL frames, passive), skipped while
/// recording so that the WAL keeps every frame of the measured claims.
unsafe extern "C" fn wal_hook(
    _: *mut c_void,
    db: *mut ffi::sqlite3,
    name: *const c_char,
    frames: c_int,
) -> c_int {
    if frames >= 1000 && !RECORDING.load(Ordering::Relaxed) {
        ffi::sqlite3_wal_checkpoint(db, name);
    }
    ffi::SQLITE_OK
}

unsafe extern "C" fn on_open(
    db: *mut ffi::sqlite3,
    _: *mut *mut c_char,
    _: *const ffi::sqlite3_api_routines,
) -> c_int {
    ffi::sqlite3_trace_v2(
        db,
        ffi::SQLITE_TRACE_STMT | ffi::SQLITE_TRACE_PROFILE,
        Some(profile),
        std::ptr::null_mut(),
    );
    ffi::SQLITE_OK
}

/// Bytes this process has written (`/proc/self/io`, `wchar`).
fn written() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("wchar: ").map(|v| v.trim().parse().ok()))
        })
        .flatten()
        .unwrap_or(0)
}

/// The WAL's transactions: the page numbers each commit wrote.
fn wal_commits(path: &Path) -> (u32, Vec<Vec<u32>>) {
    let wal = std::fs::read(path).unwrap_or_default();
    if wal.len() < 32 {
        return (0, Vec::new());
    }
    let be = |b: &[u8]| u32::from_be_bytes(b.try_into().unwrap());
    let page_size = be(&wal[8..12]);
    let salt = &wal[16..24];
    let frame = 24 + page_size as usize;
    let mut commits = Vec::new();
    let mut pages = Vec::new();
    let mut at = 32;
    while at + frame <= wal.len() && &wal[at + 8..at + 16] == salt {
        pages.push(be(&wal[at..at + 4]));
        if be(&wal[at + 4..at + 8]) != 0 {
            commits.push(std::mem::take(&mut pages));
        }
        at += frame;
    }
    (page_size, commits)
}

/// Page number → the table or index that owns it.
fn owners(path: &Path) -> HashMap<u32, String> {
    let c = Connection::open(path).expect("open");
    let mut s = c
        .prepare("SELECT name, pageno FROM dbstat")
        .expect("dbstat");
    let rows = s
        .query_map([], |r| Ok((r.get::<_, u32>(1)?, r.get::<_, String>(0)?)))
        .expect("dbstat");
    rows.map(|r| r.expect("row")).collect()
}

/// One side measured.
struct Side {
    name: &'static str,
    seconds: f64,
    bytes: u64,
    page_size: u32,
    commits: Vec<Vec<u32>>,
    owners: HashMap<u32, String>,
    statements: BTreeMap<String, (u64, u64)>,
    /// (what, average bytes) of the log rows a claim appends.
    log: Vec<(String, f64)>,
}

fn measure(
    name: &'static str,
    path: &Path,
    warm: usize,
    claims: usize,
    mut run: impl FnMut(Range<usize>) -> f64,
    log: &str,
) -> Side {
    run(0..warm);
    let c = Connection::open(path).expect("open");
    let (busy, _, _): (i64, i64, i64) = c
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .expect("checkpoint");
    assert_eq!(busy, 0, "checkpoint blocked");
    STATEMENTS.lock().unwrap().clear();
    let w0 = written();
    RECORDING.store(true, Ordering::SeqCst);
    let seconds = run(warm..warm + claims);
    RECORDING.store(false, Ordering::SeqCst);
    let bytes = written() - w0;
    let statements = std::mem::take(&mut *STATEMENTS.lock().unwrap());
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    if std::env::var_os("KEEP").is_some() {
        std::fs::copy(&wal, format!("{}-wal.copy", path.display())).expect("copy");
    }
    let (page_size, commits) = wal_commits(&wal);
    assert!(
        commits.len() >= claims,
        "{name}: {} commits in the WAL for {claims} claims",
        commits.len()
    );
    let log = c
        .prepare(log)
        .expect("log query")
        .query_map([claims as i64], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("log")
        .map(|r| r.expect("row"))
        .collect();
    Side {
        name,
        seconds,
        bytes,
        page_size,
        commits,
        owners: owners(path),
        statements,
        log,
    }
}

fn report(s: &Side, claims: usize) {
    let n = claims as f64;
    let frames: usize = s.commits.iter().map(Vec::len).sum();
    println!("\n## {}\n", s.name);
    println!(
        "{:.0} claims/s ({:.0} µs a claim, tracing on); {} commits; {:.1} WAL frames a claim \
         ({:.1} KiB of WAL at {} B pages); {:.1} KiB written a claim (wchar)",
        n / s.seconds,
        s.seconds / n * 1e6,
        s.commits.len(),
        frames as f64 / n,
        frames as f64 * f64::from(s.page_size + 24) / 1024.0 / n,
        s.page_size,
        s.bytes as f64 / 1024.0 / n
    );
    for (what, bytes) in &s.log {
        println!("log row: {what}: {bytes:.0} B");
    }
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for p in s.commits.iter().flatten() {
        *by.entry(s.owners.get(p).map_or("(free or new)", String::as_str))
            .or_default() += 1;
    }
    let mut by: Vec<_> = by.into_iter().collect();
    by.sort_by_key(|b| std::cmp::Reverse(b.1));
    println!("\n| b-tree | pages a claim |\n|---|---|");
    for (name, k) in &by {
        println!("| {name} | {:.2} |", *k as f64 / n);
    }
    let mut st: Vec<_> = s.statements.iter().collect();
    st.sort_by_key(|b| std::cmp::Reverse(b.1 .1));
    let (count, ns) = st.iter().fold((0, 0), |(c, t), (_, (k, x))| (c + k, t + x));
    println!(
        "\n{:.1} statements a claim, {:.0} µs a claim inside them ({:.0} % of the claim)\n",
        count as f64 / n,
        ns as f64 / 1e3 / n,
        ns as f64 / 1e9 / s.seconds * 100.0
    );
    println!("| statement | a claim | µs each | µs a claim |\n|---|---|---|---|");
    for (sql, (k, t)) in st {
        let sql: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        let params = sql.matches('?').count();
        let short: String = sql.chars().take(100).collect();
        let more = if short.len() < sql.len() {
            format!("… ({params} params)")
        } else {
            String::new()
        };
        println!(
            "| `{short}{more}` | {:.2} | {:.1} | {:.1} |",
            *k as f64 / n,
            *t as f64 / 1e3 / *k as f64,
            *t as f64 / 1e3 / n
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let claims: usize = arg("--claims").map_or(400, |s| s.parse().expect("--claims"));
    let warm: usize = arg("--warm").map_or(100, |s| s.parse().expect("--warm"));
    let sync = match arg("--sync").as_deref() {
        None | Some("FULL") => Synchronous::Full,
        Some("NORMAL") => Synchronous::Normal,
        Some(x) => panic!("--sync FULL|NORMAL, not {x}"),
    };
    // SAFETY: `on_open` has the entry point's signature and only calls SQLite on the
    // connection it is given.
    assert_eq!(unsafe { ffi::sqlite3_auto_extension(Some(on_open)) }, 0);
    let dir = std::env::temp_dir().join(format!("claim-anatomy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let open = |file: &str| {
        let path = dir.join(file);
        let store = SqliteStore::open_with(
            &path,
            SqliteOptions {
                synchronous: sync,
                ..Default::default()
            },
        )
        .expect("open");
        (
            path.clone(),
            world::world(world::hub_on(store), 8, warm + claims),
        )
    };
    let events = "SELECT 'events row (need_claimed): payload', avg(length(CAST(payload AS BLOB))) \
                  FROM (SELECT payload FROM events WHERE kind = 'need_claimed' \
                  ORDER BY seq DESC LIMIT ?1) \
                  UNION ALL SELECT 'events row (need_claimed): all columns', \
                  avg(length(CAST(payload AS BLOB)) + length(id) + length(at) + length(actor_type) \
                  + length(actor_id) + length(kind) + length(committee) + 8) \
                  FROM (SELECT * FROM events WHERE kind = 'need_claimed' \
                  ORDER BY seq DESC LIMIT ?1)";
    let audit = "SELECT 'audit row: all columns', avg(length(at) + length(actor) + length(kind) \
                 + length(need) + length(claim) + 8) \
                 FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?1)";
    let mut sides = Vec::new();
    {
        let (path, w) = open("hub.db");
        sides.push(measure(
            "Hub",
            &path,
            warm,
            claims,
            |r| world::through_hub(&w, r),
            events,
        ));
    }
    {
        let (path, w) = open("hand.db");
        let conn = by_hand::sqlite_hand(&path, sync);
        sides.push(measure(
            "hand-written, same reads and writes",
            &path,
            warm,
            claims,
            |r| by_hand::sqlite_by_hand(&conn, &w, r),
            events,
        ));
    }
    {
        // The hand-written claim with the store's connection settings (`store/sqlite.rs`,
        // `configure`): memory map, 8 MiB cache, `secure_delete`.
        let (path, w) = open("hand-store-pragmas.db");
        let conn = by_hand::sqlite_hand(&path, sync);
        conn.execute_batch(
            "PRAGMA mmap_size = 268435456; PRAGMA cache_size = -8192; PRAGMA secure_delete = ON;",
        )
        .expect("pragmas");
        sides.push(measure(
            "hand-written, the store's pragmas (ablation)",
            &path,
            warm,
            claims,
            |r| by_hand::sqlite_by_hand(&conn, &w, r),
            events,
        ));
    }
    {
        // What the events' two secondary indexes cost: the same hand-written claim on a world
        // whose events table keeps only its `seq` key (no UNIQUE id, no `events_committee`).
        let (path, w) = open("hand-lean-events.db");
        let conn = by_hand::sqlite_hand(&path, sync);
        conn.execute_batch(
            "DROP INDEX events_committee;
             CREATE TABLE events_lean (seq INTEGER PRIMARY KEY NOT NULL, id TEXT NOT NULL,
                 at TEXT NOT NULL, actor_type TEXT NOT NULL, actor_id TEXT, kind TEXT NOT NULL,
                 committee TEXT, payload TEXT NOT NULL);
             INSERT INTO events_lean SELECT * FROM events;
             DROP TABLE events;
             ALTER TABLE events_lean RENAME TO events;",
        )
        .expect("lean events");
        sides.push(measure(
            "hand-written, events without secondary indexes (ablation)",
            &path,
            warm,
            claims,
            |r| by_hand::sqlite_by_hand(&conn, &w, r),
            events,
        ));
    }
    {
        let (path, w) = open("minimal.db");
        let conn = by_hand::sqlite_minimal_conn(&path, sync);
        sides.push(measure(
            "minimal by hand",
            &path,
            warm,
            claims,
            |r| by_hand::sqlite_minimal(&conn, &w, r),
            audit,
        ));
    }
    println!(
        "# Claim anatomy: {claims} claims a side after {warm}, synchronous={}",
        match sync {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        }
    );
    for s in &sides {
        report(s, claims);
    }
    if std::env::var_os("KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

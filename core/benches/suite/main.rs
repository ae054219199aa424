//! The benchmark suite (issue 7): every speed and memory target of needbridge measured side
//! by side with its baseline in one run on one machine, printed as a table of absolute
//! figures and ratios and written to `target/bench-suite.json`.
//!
//! ```sh
//! bash scripts/bench.sh            # full: 1M needs, PostgreSQL, Python; see docs/BENCHMARKS.md
//! bash scripts/bench.sh --quick    # the same items at small sizes, under 2 minutes
//! # or directly (PostgreSQL only when NEEDBRIDGE_PG_URL is set):
//! cargo bench -p needbridge --features postgres --bench suite -- [--quick] [--no-pg]
//!     [--python PATH | --no-python] [--only 1,2,…]
//! ```
//!
//! Items (the numbers of issue 7):
//! 1. `ClaimNeed` through the Hub vs a hand-written rusqlite transaction, FULL and NORMAL, and
//!    vs the minimal claim a portal developer writes by hand (aim >= 0.8); and through the Hub
//!    on an encrypted file vs a plain one (the cost of the key).
//! 2. The same on PostgreSQL vs a hand-written `postgres` transaction.
//! 3. 1, 2 and 8 threads racing to claim the same needs, on every backend: throughput, and
//!    no need claimed twice (asserted).
//! 4. The district report at 100k and 1M needs (quick: 10k), SQLite and PostgreSQL, cold
//!    (a fresh process) and warm.
//! 5. The same figures by pandas (`read_sql` + `groupby`) — Python bench.
//! 6. Project-library pages at 1M needs (quick: 10k): p50 and p99.
//! 7. Python per-call overhead for the claim command, and `hub.frame("claims")` vs
//!    `pd.read_sql` — Python bench.
//! 8. Peak memory of the in-memory store holding the 1M district (quick: 100k), and the
//!    stripped mobile library's size.
//! 9. Sync (issue 16): the portal's cost per pushed mutation vs the same command run
//!    directly (SQLite, PostgreSQL); a phone's first sync of one committee and an incremental
//!    pull; the phone's file per need.

mod by_hand;
mod claim;
mod contention;
mod memory;
mod pages;
mod python;
#[allow(dead_code)]
#[path = "../report.rs"]
mod report;
mod sync;
mod world;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One row of the result table.
pub struct Line {
    /// The item of issue 7 it answers.
    pub item: u8,
    /// What was measured.
    pub what: String,
    /// needbridge's figure.
    pub value: f64,
    /// Its unit.
    pub unit: &'static str,
    /// The baseline's name and figure (same unit), when there is one.
    pub baseline: Option<(String, f64)>,
    /// The compared ratio (see `how`).
    pub ratio: Option<f64>,
    /// The target as text, e.g. `>= 0.70`.
    pub target: Option<String>,
    /// Whether the target is met.
    pub met: Option<bool>,
    /// Further figures for the JSON.
    pub extra: serde_json::Value,
}

impl Line {
    /// A figure with nothing to compare it with.
    pub fn plain(item: u8, what: impl Into<String>, value: f64, unit: &'static str) -> Self {
        Line {
            item,
            what: what.into(),
            value,
            unit,
            baseline: None,
            ratio: None,
            target: None,
            met: None,
            extra: serde_json::Value::Null,
        }
    }
    /// A throughput (higher is better) compared with a baseline: ratio = value / baseline,
    /// met when at least `min`.
    pub fn ratio_at_least(
        item: u8,
        what: impl Into<String>,
        value: f64,
        unit: &'static str,
        base: &str,
        base_value: f64,
        min: f64,
    ) -> Self {
        let ratio = value / base_value;
        let target = format!("ratio >= {min}");
        Line::plain(item, what, value, unit).against(base, base_value, ratio, ratio >= min, target)
    }
    /// A time (lower is better) compared with a baseline: ratio = baseline / value (how many
    /// times faster), met when at least `min`.
    pub fn faster_at_least(
        item: u8,
        what: impl Into<String>,
        value: f64,
        unit: &'static str,
        base: &str,
        base_value: f64,
        min: f64,
    ) -> Self {
        let ratio = base_value / value;
        let target = format!("{min}x faster");
        Line::plain(item, what, value, unit).against(base, base_value, ratio, ratio >= min, target)
    }
    /// The line compared with a baseline, `ratio` judged by the caller (`met`).
    pub fn against(
        self,
        base: &str,
        base_value: f64,
        ratio: f64,
        met: bool,
        target: String,
    ) -> Self {
        Line {
            baseline: Some((base.to_string(), base_value)),
            ratio: Some(ratio),
            target: Some(target),
            met: Some(met),
            ..self
        }
    }
    /// A figure with an upper limit.
    pub fn at_most(
        item: u8,
        what: impl Into<String>,
        value: f64,
        unit: &'static str,
        max: f64,
    ) -> Self {
        Line {
            ratio: Some(value / max),
            target: Some(format!("<= {max} {unit}")),
            met: Some(value <= max),
            ..Line::plain(item, what, value, unit)
        }
    }
    /// Adds figures to the JSON.
    pub fn extra(mut self, v: serde_json::Value) -> Self {
        self.extra = v;
        self
    }
}

/// The workspace's `target/` directory.
pub fn target_dir() -> PathBuf {
    report::target_dir()
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf()
}

static SCHEMAS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Creates a fresh schema in the database `url` names; returns a URL that uses it.
pub fn fresh_schema(url: &str, prefix: &str) -> String {
    let schema = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
    let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    c.batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("create schema");
    SCHEMAS.lock().unwrap().push(schema.clone());
    report::with_schema(url, &schema)
}

/// Drops every schema [`fresh_schema`] made.
pub fn drop_schemas(url: &str) {
    let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    for s in SCHEMAS.lock().unwrap().drain(..) {
        c.batch_execute(&format!("DROP SCHEMA {s} CASCADE"))
            .expect("drop schema");
    }
}

/// The run's sizes.
pub struct Sizes {
    /// Quick mode.
    pub quick: bool,
    /// Claims per side, item 1.
    pub claims: usize,
    /// Claims per side, item 2.
    pub pg_claims: usize,
    /// Needs the threads race for, item 3.
    pub race_needs: usize,
    /// District sizes (needs), item 4.
    pub reports: Vec<u64>,
    /// District size for library pages, item 6.
    pub pages: u64,
    /// District size held in memory, item 8.
    pub memory: u64,
    /// District size for the Python bench, items 5 and 7.
    pub python: u64,
}

fn fmt(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn print(lines: &[Line]) {
    println!();
    println!(
        "{:<2} {:<58} {:>12} {:<9} {:>12} {:<22} {:>8}  {:<16} met",
        "#", "measure", "needbridge", "unit", "baseline", "(what)", "ratio", "target"
    );
    for l in lines {
        let (bn, bv) = match &l.baseline {
            Some((n, v)) => (n.as_str(), fmt(*v)),
            None => ("", String::new()),
        };
        println!(
            "{:<2} {:<58} {:>12} {:<9} {:>12} {:<22} {:>8}  {:<16} {}",
            l.item,
            l.what,
            fmt(l.value),
            l.unit,
            bv,
            bn,
            l.ratio.map(fmt).unwrap_or_default(),
            l.target.clone().unwrap_or_default(),
            match l.met {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "",
            }
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Hidden children this program re-executes itself as.
    if let Some(i) = args.iter().position(|a| a == "--cold") {
        report::cold_child(&args[i + 1..]);
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--memory-child") {
        memory::child(&args[i + 1..]);
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let no_pg = args.iter().any(|a| a == "--no-pg");
    let no_python = args.iter().any(|a| a == "--no-python");
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let only: Option<Vec<u8>> =
        arg("--only").map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect());
    let wants = |item: u8| only.as_ref().is_none_or(|o| o.contains(&item));
    let python = if no_python {
        None
    } else {
        arg("--python").map(PathBuf::from).or_else(|| {
            let venv = workspace().join(".venv/bin/python");
            venv.exists().then_some(venv)
        })
    };
    let pg_url = std::env::var("NEEDBRIDGE_PG_URL")
        .ok()
        .filter(|s| !s.is_empty() && !no_pg);
    let sizes = if quick {
        Sizes {
            quick,
            claims: 300,
            pg_claims: 150,
            race_needs: 120,
            reports: vec![10_000],
            pages: 10_000,
            memory: 100_000,
            python: 10_000,
        }
    } else {
        Sizes {
            quick,
            claims: 3_000,
            pg_claims: 1_000,
            race_needs: 1_000,
            reports: vec![100_000, 1_000_000],
            pages: 1_000_000,
            memory: 1_000_000,
            python: 1_000_000,
        }
    };
    let started = std::time::Instant::now();
    let dir = std::env::temp_dir().join(format!("needbridge-suite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut lines: Vec<Line> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut note_pg = |what: &str| skipped.push(format!("{what}: NEEDBRIDGE_PG_URL is not set"));

    if wants(1) {
        println!(
            "[1] claim command on SQLite, {} claims per side",
            sizes.claims
        );
        lines.extend(claim::sqlite(&dir, sizes.claims));
        println!(
            "[1] claim command on SQLite with and without a key, {} claims per side",
            sizes.claims
        );
        lines.push(claim::sqlite_encrypted(&dir, sizes.claims));
    }
    if wants(2) {
        match &pg_url {
            Some(url) => {
                println!(
                    "[2] claim command on PostgreSQL, {} claims per side",
                    sizes.pg_claims
                );
                lines.push(claim::postgres(url, sizes.pg_claims));
            }
            None => note_pg("item 2"),
        }
    }
    if wants(3) {
        println!("[3] threads racing for {} needs", sizes.race_needs);
        lines.extend(contention::run(&dir, sizes.race_needs, pg_url.as_deref()));
        if pg_url.is_none() {
            note_pg("item 3 on PostgreSQL");
        }
    }
    let mut report_files = Vec::new();
    if wants(4) {
        for &n in &sizes.reports {
            println!("[4] district report at {n} needs");
            let (l, file) = report_lines(n, pg_url.as_deref());
            lines.extend(l);
            report_files.push((n, file));
        }
        if pg_url.is_none() {
            note_pg("item 4 on PostgreSQL");
        }
    }
    if wants(6) {
        println!("[6] library pages at {} needs", sizes.pages);
        lines.extend(pages::run(sizes.pages, sizes.quick));
    }
    if wants(5) || wants(7) {
        match &python {
            Some(py) => {
                println!("[5, 7] Python bench ({})", py.display());
                lines.extend(python::run(py, &dir, &sizes, wants(5), wants(7)));
            }
            None => skipped.push(
                "items 5 and 7: no Python with needbridge (make .venv as scripts/test.sh does, \
                 or pass --python)"
                    .into(),
            ),
        }
    }
    if wants(8) {
        println!("[8] memory and size");
        lines.extend(memory::run(sizes.memory, sizes.quick));
    }
    if wants(9) {
        println!("[9] sync: push, pull, the phone's file");
        lines.extend(sync::push(
            &dir,
            sizes.claims,
            sizes.pg_claims,
            pg_url.as_deref(),
        ));
        if pg_url.is_none() {
            skipped.push("item 9 push on PostgreSQL: NEEDBRIDGE_PG_URL is not set".into());
        }
        lines.extend(sync::pull(&dir, sizes.quick));
    }
    let _ = std::fs::remove_dir_all(&dir);

    print(&lines);
    for s in &skipped {
        println!("skipped: {s}");
    }
    let missed: Vec<&Line> = lines.iter().filter(|l| l.met == Some(false)).collect();
    println!(
        "{} figures, {} with targets, {} missed; {:.0} s",
        lines.len(),
        lines.iter().filter(|l| l.met.is_some()).count(),
        missed.len(),
        started.elapsed().as_secs_f64()
    );
    let json = serde_json::json!({
        "benchmark": "needbridge suite (issue 7)",
        "mode": if quick { "quick" } else { "full" },
        "measured_at": chrono::Utc::now().to_rfc3339(),
        "machine": machine(),
        "seconds": started.elapsed().as_secs_f64(),
        "skipped": skipped,
        "results": lines.iter().map(|l| serde_json::json!({
            "item": l.item,
            "measure": l.what,
            "value": l.value,
            "unit": l.unit,
            "baseline": l.baseline.as_ref().map(|(n, _)| n),
            "baseline_value": l.baseline.as_ref().map(|(_, v)| v),
            "ratio": l.ratio,
            "target": l.target,
            "met": l.met,
            "extra": l.extra,
        })).collect::<Vec<_>>(),
    });
    let out = target_dir().join(if quick {
        "bench-suite-quick.json"
    } else {
        "bench-suite.json"
    });
    std::fs::write(&out, serde_json::to_string_pretty(&json).expect("json")).expect("write");
    println!("wrote {}", out.display());
}

/// Cores and memory of this machine (Linux `/proc`), for the JSON.
fn machine() -> serde_json::Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpu
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string());
    let mem = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let total = mem
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .map(|l| l.trim().to_string());
    serde_json::json!({
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu": model,
        "memory": total,
        "os": std::env::consts::OS,
    })
}

/// Item 4 at one size: SQLite (cached file) and PostgreSQL (loaded, measured, dropped).
fn report_lines(n: u64, pg: Option<&str>) -> (Vec<Line>, PathBuf) {
    let opts = report::Opts {
        sizes: vec![n],
        warm_runs: 5,
        check: false,
        regen: false,
        sqlite: true,
        pg: pg.is_some(),
        pg_budget: 1_800,
        keep_pg: false,
        load_only: false,
    };
    let mut rows = vec![report::sqlite_size(n, &opts)];
    if let Some(url) = pg {
        rows.push(report::pg_size(n, url, &opts));
    }
    let mut out = Vec::new();
    for r in &rows {
        let label = |what: &str| format!("report {what}, {} {}k needs", r.backend, n / 1000);
        let at_1m_sqlite = r.backend == "sqlite" && n >= 1_000_000;
        if !r.note.is_empty() {
            out.push(Line::plain(4, label(&r.note), f64::NAN, "ms"));
            continue;
        }
        let extra = serde_json::json!({
            "cold_open_ms": r.cold_open_ms, "cold_report_ms": r.cold_report_ms,
            "cold_wall_ms": r.cold_wall_ms, "cold_nocache_ms": r.cold_nocache_ms,
            "warm_all_ms": r.warm_all_ms, "warm_committee_ms": r.warm_committee_ms,
            "rows_path_ms": r.rows_path_ms, "needs_collected": r.needs_collected,
            "claims": r.claims, "bytes": r.bytes, "load_ms": r.load_ms,
        });
        if at_1m_sqlite {
            out.push(
                Line::at_most(4, label("cold (fresh process)"), r.cold_ms, "ms", 1000.0)
                    .extra(extra),
            );
            out.push(Line::at_most(4, label("warm"), r.warm_ms, "ms", 100.0));
        } else {
            out.push(Line::plain(4, label("cold (fresh process)"), r.cold_ms, "ms").extra(extra));
            out.push(Line::plain(4, label("warm"), r.warm_ms, "ms"));
        }
    }
    let file = report::target_dir()
        .join("bench-data")
        .join(format!("report-{n}.db"));
    (out, file)
}

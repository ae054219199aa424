//! Item 8: the peak memory of the in-memory store holding the generated district (a child
//! process loads it and reads its own high-water mark), and the size of the stripped mobile
//! library.

use super::report;
use super::Line;
use std::process::Command;

/// A line of `/proc/self/status` in KiB (Linux; 0 elsewhere).
fn status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The hidden child: `--memory-child N`: loads the district of N needs into a memory store.
pub fn child(args: &[String]) {
    let n: u64 = args[0].parse().expect("--memory-child N");
    let before = status_kib("VmHWM:");
    let store = needbridge::store::memory::MemoryStore::new();
    let loaded = report::load(&store, n, "memory", None).unwrap_or_else(|_| panic!("load"));
    let after = status_kib("VmHWM:");
    let rss = status_kib("VmRSS:");
    println!(
        "MEM before_kib={before} hwm_kib={after} rss_kib={rss} records={} needs={} claims={}",
        loaded.records, loaded.needs, loaded.claims
    );
    drop(store);
}

pub fn run(n: u64, quick: bool) -> Vec<Line> {
    let mut out = Vec::new();
    let exe = std::env::current_exe().expect("exe");
    let o = Command::new(exe)
        .args(["--memory-child", &n.to_string()])
        .output()
        .expect("spawn");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "memory child failed: {text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("MEM "))
        .expect("MEM line");
    let get = |k: &str| -> u64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let mib = get("hwm_kib") as f64 / 1024.0;
    let file = report::target_dir()
        .join("bench-data")
        .join(format!("report-{n}.db"));
    let file_mib = std::fs::metadata(&file)
        .ok()
        .map(|m| m.len() as f64 / 1048576.0);
    println!(
        "  memory store, {n} needs ({} records): peak {mib:.0} MiB",
        get("records")
    );
    out.push(
        Line::plain(
            8,
            format!("peak memory, in-memory store, {}k needs", n / 1000),
            mib,
            "MiB",
        )
        .extra(serde_json::json!({
            "records": get("records"), "needs": get("needs"), "claims": get("claims"),
            "process_before_kib": get("before_kib"), "rss_after_kib": get("rss_kib"),
            "sqlite_file_mib": file_mib,
        })),
    );
    // The mobile library: built here in full mode (about a minute), measured if present.
    let lib = report::target_dir().join("mobile/libneedbridge_mobile.so");
    if !quick {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let ok = Command::new(cargo)
            .current_dir(super::workspace())
            .args([
                "build",
                "-q",
                "-p",
                "needbridge-mobile",
                "--profile",
                "mobile",
            ])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "building the mobile library failed");
    }
    match std::fs::metadata(&lib) {
        Ok(m) => out.push(Line::at_most(
            8,
            "mobile cdylib, stripped (x86_64 Linux)",
            m.len() as f64 / 1048576.0,
            "MiB",
            // 6 MiB until the app's side of sync (issue 16; docs/adr/0013).
            6.5,
        )),
        Err(_) => {
            println!("  mobile library not built (full mode builds it; scripts/mobile-test.sh too)")
        }
    }
    out
}

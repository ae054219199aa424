//! Items 5 and 7 through `bindings-python/benches/bench.py` (run with the given Python, which
//! must import `needbridge` and pandas), plus the Rust side of item 7's per-call comparison:
//! the same claims on the same world shape through the Rust Hub, in the same run.

use super::world::{through_hub, world};
use super::{report, Line, Sizes};
use needbridge::Hub;
use std::path::Path;
use std::process::Command;

/// Rust claims per second on the world the Python bench builds (default policies:
/// `claims / 2` members holding two claims each).
fn rust_claims(backend: &str, dir: &Path, claims: usize) -> f64 {
    let hub = match backend {
        "memory" => Hub::in_memory(),
        _ => Hub::open(dir.join("rust-claims.db")).expect("open"),
    };
    let w = world(hub, (claims / 2).max(1), claims);
    claims as f64 / through_hub(&w, 0..claims)
}

pub fn run(py: &Path, dir: &Path, sizes: &Sizes, five: bool, seven: bool) -> Vec<Line> {
    let (db, district) = report::cached_sqlite(sizes.python);
    let claims = if sizes.quick { 300 } else { 2_000 };
    let items = match (five, seven) {
        (true, true) => "5,7",
        (true, false) => "5",
        _ => "7",
    };
    let script = super::workspace().join("bindings-python/benches/bench.py");
    let out = Command::new(py)
        .arg(&script)
        .args(["--db", db.to_str().expect("utf-8 path")])
        .args(["--district", &district.to_string()])
        .args(["--claims", &claims.to_string()])
        .args(["--items", items])
        .args(["--dir", dir.to_str().expect("utf-8 path")])
        .output()
        .expect("run the Python bench");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the Python bench failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value =
        serde_json::from_str(text.lines().last().unwrap_or("{}")).expect("bench JSON");
    let mut lines = Vec::new();
    for r in doc["results"].as_array().cloned().unwrap_or_default() {
        let measure = r["measure"].as_str().unwrap_or("?").to_string();
        let item = r["item"].as_u64().unwrap_or(0) as u8;
        if let (Some(v), Some(b)) = (r["value_ms"].as_f64(), r["baseline_ms"].as_f64()) {
            let what = if item == 5 {
                format!("{measure}, {}k needs", sizes.python / 1000)
            } else {
                measure
            };
            lines.push(
                Line::faster_at_least(
                    item,
                    what,
                    v,
                    "ms",
                    r["baseline"].as_str().unwrap_or("?"),
                    b,
                    r["target_x"].as_f64().unwrap_or(1.0),
                )
                .extra(r.clone()),
            );
        } else if let Some(py_rate) = r["value_per_s"].as_f64() {
            let backend = r["backend"].as_str().unwrap_or("memory");
            let rust = rust_claims(backend, dir, claims);
            // The time per call from Python over the time in Rust.
            let ratio = rust / py_rate;
            println!(
                "  claim, {backend}: Python {py_rate:.0}/s, Rust {rust:.0}/s: {ratio:.2}x the time"
            );
            lines.push(
                Line {
                    baseline: Some(("Rust Hub, same calls".into(), rust)),
                    ratio: Some(ratio),
                    target: Some("time <= 1.2x Rust".into()),
                    met: Some(ratio <= 1.2),
                    ..Line::plain(7, measure, py_rate, "claims/s")
                }
                .extra(r.clone()),
            );
        }
    }
    lines
}

//! Items 5 and 7 through `bindings-python/benches/bench.py` (run with the given Python, which
//! must import `needbridge` and pandas), plus the Rust side of item 7's per-call comparison:
//! the same claims on the same world shape through the Rust Hub, in the same run.

use super::world::{through_hub, world};
use super::{report, Line, Sizes};
use needbridge::Hub;
use std::path::Path;
use std::process::Command;

/// Item 7a on one backend: the Python bench serves claims (`--serve-claims`) on its world
/// while this process claims on the same world shape through the Rust Hub (default policies:
/// `claims / 2` members holding two claims each), alternating in rounds so the disk's slow
/// spells hit both; returns (Python claims/s, Rust claims/s, median of the rounds' time ratios).
fn claims_side_by_side(
    py: &Path,
    script: &Path,
    backend: &str,
    dir: &Path,
    claims: usize,
) -> (f64, f64, f64, Vec<f64>) {
    use std::io::{BufRead, BufReader, Write};
    use std::process::Stdio;
    let mut child = Command::new(py)
        .arg(script)
        .args(["--serve-claims", backend])
        .args(["--claims", &claims.to_string()])
        .args(["--dir", dir.to_str().expect("utf-8 path")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the Python bench");
    let mut input = child.stdin.take().expect("stdin");
    let mut output = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut next = || -> String {
        output
            .next()
            .expect("the Python bench stopped")
            .expect("read the Python bench")
    };
    let hub = match backend {
        "memory" => Hub::in_memory(),
        _ => Hub::open(dir.join("rust-claims.db")).expect("open"),
    };
    let w = world(hub, (claims / 2).max(1), claims);
    assert_eq!(next(), "READY");
    // Twenty rounds: a round's ratio wanders with the disk's `fsync` (0.94–1.39 on SQLite
    // in one run of ten), and the median of more rounds wanders less.
    const ROUNDS: usize = 20;
    let (mut tp, mut tr, mut ratios) = (0.0, 0.0, Vec::new());
    for r in 0..ROUNDS {
        let (a, b) = (r * claims / ROUNDS, (r + 1) * claims / ROUNDS);
        writeln!(input, "{a} {b}").expect("ask the Python bench");
        let p: f64 = next().trim().parse().expect("seconds");
        let t = through_hub(&w, a..b);
        tp += p;
        tr += t;
        ratios.push(p / t);
    }
    writeln!(input, "quit").expect("stop the Python bench");
    assert!(
        child.wait().expect("wait").success(),
        "the Python bench failed"
    );
    (
        claims as f64 / tp,
        claims as f64 / tr,
        report::median(ratios.clone()),
        ratios,
    )
}

pub fn run(py: &Path, dir: &Path, sizes: &Sizes, five: bool, seven: bool) -> Vec<Line> {
    let (db, district) = report::cached_sqlite(sizes.python);
    let claims = if sizes.quick { 300 } else { 4_000 };
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
        }
    }
    if seven {
        for backend in ["memory", "sqlite"] {
            let (py_rate, rust, ratio, rounds) =
                claims_side_by_side(py, &script, backend, dir, claims);
            println!(
                "  claim, {backend}: Python {py_rate:.0}/s, Rust {rust:.0}/s: {ratio:.2}x the time"
            );
            lines.push(
                Line::plain(
                    7,
                    format!("claim from Python, {backend}"),
                    py_rate,
                    "claims/s",
                )
                .against(
                    "Rust Hub, same calls",
                    rust,
                    ratio,
                    ratio <= 1.2,
                    "time <= 1.2x Rust".into(),
                )
                .extra(serde_json::json!({
                    "claims": claims, "round_time_ratios": rounds,
                    "ratio_of_totals": rust / py_rate,
                })),
            );
        }
    }
    lines
}

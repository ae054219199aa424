//! Writes `bindings/description.json` (the core described as data, see
//! `needbridge::describe`) from the core's types; with `--check`, fails when the committed file
//! differs from what the core produces now.
//!
//! ```text
//! cargo run -p needbridge --no-default-features --features describe --bin needbridge-describe [-- --check]
//! ```

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bindings/description.json");
    let mut text = serde_json::to_string_pretty(&needbridge::describe::description())
        .expect("a JSON value serializes");
    text.push('\n');
    if std::env::args().any(|a| a == "--check") {
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "bindings/description.json is out of date: run cargo run -p needbridge \
             --no-default-features --features describe --bin needbridge-describe"
        );
        return ExitCode::FAILURE;
    }
    if let Err(e) = std::fs::create_dir_all(path.parent().expect("a parent"))
        .and_then(|()| std::fs::write(&path, text))
    {
        eprintln!("cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    println!("wrote bindings/description.json");
    ExitCode::SUCCESS
}

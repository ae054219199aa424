#!/usr/bin/env bash
# The main job: the district example on the embedded SQLite default (README "Two commands").
# Makes sure the pinned Rust toolchain is there, then runs
#   cargo run -p needbridge-examples --example district -- [DB]
# writing DB (default district.db), district-ledgers.xlsx and district-report.xlsx in the
# current directory.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bash "$repo/scripts/toolchain.sh" >/dev/null
exec cargo run --locked -q --manifest-path "$repo/Cargo.toml" -p needbridge-examples --example district -- "$@"

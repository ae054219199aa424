#!/usr/bin/env bash
# Where a claim's cost goes: see src/main.rs. Arguments are passed on (e.g. --claims 400).
# Builds with the workspace's lock file (copied) in the workspace's target directory unless
# CARGO_TARGET_DIR says otherwise, so the bundled SQLite already built there is reused.
set -euo pipefail
cd "$(dirname "$0")"
cp ../../../Cargo.lock Cargo.lock
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$(cd ../../.. && pwd)/target}"
exec cargo run -q --release -- "$@"

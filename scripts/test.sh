#!/usr/bin/env bash
# Runs every test needbridge has, installing what the tests need first.
# Usage: scripts/test.sh            (from anywhere; CI runs it through .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain"
cargo --version
rustc --version
# rustfmt and clippy ship with the rustup toolchain; add them if this machine lacks them.
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  rustup component add rustfmt clippy
fi

step "format"
cargo fmt --all -- --check

step "lint (clippy, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "docs build without warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked -q

step "Rust tests on memory, SQLite and a private PostgreSQL server"
# with-postgres.sh installs PostgreSQL if missing, starts a throw-away cluster on a unix
# socket, exports NEEDBRIDGE_PG_URL, runs the command and always stops the server.
# NEEDBRIDGE_REQUIRE_PG makes a missing server fail the PostgreSQL tests instead of
# skipping them.
NEEDBRIDGE_REQUIRE_PG=1 bash scripts/with-postgres.sh cargo test --workspace --locked

step "examples run"
example_dir=$(mktemp -d)
cargo run -q -p needbridge-examples --example seed_flow --locked -- "$example_dir/seed_flow.db" >/dev/null
# The main job checks every figure of the seed's report and exits non-zero on a mismatch.
cargo run -q -p needbridge-examples --example district --locked -- "$example_dir/district.db" >/dev/null
rm -rf "$example_dir"

step "all tests passed"

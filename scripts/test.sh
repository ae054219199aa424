#!/usr/bin/env bash
# Runs every test needbridge has, installing what the tests need first.
# Usage: scripts/test.sh            (from anywhere; CI runs it through .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
# shellcheck source=scripts/apt.sh
. scripts/apt.sh

step() { printf '\n==> %s\n' "$*"; }

step "toolchain (pinned by rust-toolchain.toml, with rustfmt and clippy)"
bash scripts/toolchain.sh
cargo --version

step "format"
cargo fmt --all -- --check

step "lint (clippy, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings
# The core's optional features the workspace build leaves off (`describe`: the description
# the bindings are generated from).
cargo clippy -p needbridge --all-features --all-targets --locked -- -D warnings

step "docs build without warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked -q

step "Rust tests on memory, SQLite and a private PostgreSQL server"
# with-postgres.sh installs PostgreSQL if missing, starts a throw-away cluster on a unix
# socket, exports NEEDBRIDGE_PG_URL, runs the command and always stops the server.
# NEEDBRIDGE_REQUIRE_PG makes a missing server fail the PostgreSQL tests instead of
# skipping them.
NEEDBRIDGE_REQUIRE_PG=1 bash scripts/with-postgres.sh cargo test --workspace --locked

step "Python package: wheel built by maturin, installed into a venv, pytest on every backend"
# A venv at .venv with maturin, pytest and mypy (for stubtest); Debian needs python3-venv.
if [ ! -x .venv/bin/python ]; then
  if ! python3 -m venv .venv 2>/dev/null; then
    rm -rf .venv
    apt_install python3-venv
    python3 -m venv .venv
  fi
fi
.venv/bin/pip install -q --disable-pip-version-check -c scripts/constraints.txt maturin pytest mypy pandas pyarrow polars matplotlib
python3 bindings-python/gen_models.py --check
rm -rf target/wheels
.venv/bin/maturin build -q --locked --profile dev -m bindings-python/Cargo.toml -o target/wheels
.venv/bin/pip install -q --disable-pip-version-check --force-reinstall --no-deps target/wheels/needbridge-*.whl
# The stubs of the native module cannot drift from it.
(cd bindings-python && ../.venv/bin/python -m mypy.stubtest needbridge._native && ../.venv/bin/python -m mypy python/needbridge)
(cd bindings-python && NEEDBRIDGE_REQUIRE_PG=1 bash ../scripts/with-postgres.sh ../.venv/bin/python -m pytest -q tests)

step "mobile bindings: Kotlin and Java on the JVM, Swift where available, library size"
bash scripts/mobile-test.sh

step "examples run"
example_dir=$(mktemp -d)
cargo run -q -p needbridge-examples --example seed_flow --locked -- "$example_dir/seed_flow.db" >/dev/null
# The main job checks every figure of the seed's report and exits non-zero on a mismatch.
(cd "$example_dir" && bash "$repo/scripts/example.sh" district.db >/dev/null)
test -s "$example_dir/district-ledgers.xlsx" && test -s "$example_dir/district-report.xlsx"
# The analyst's script on the main job's database: the report, and a PNG chart.
.venv/bin/python bindings-python/examples/analyst.py "$example_dir/district.db" "$example_dir/needs.png" >/dev/null
test -s "$example_dir/needs.png"
rm -rf "$example_dir"

step "all tests passed"

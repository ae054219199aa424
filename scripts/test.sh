#!/usr/bin/env bash
# Runs every test needbridge has, installing what the tests need first.
# Usage: scripts/test.sh            (from anywhere; CI runs it through .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

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

step "dist: the manylinux2014 wheel (auditwheel show) and the sdist"
# The same script as a release (scripts/dist.sh), unoptimised for time; the Python tests below
# run on this wheel. (The jar: built and run by plain `java` in the mobile step.)
bash scripts/dist.sh --profile dev --out target/dist --no-jar

step "Python package: the wheel installed into .venv, stubtest, mypy, pytest on every backend"
python3 bindings-python/gen_models.py --check
.venv/bin/pip install -q --disable-pip-version-check --force-reinstall --no-deps target/dist/needbridge-*.whl
# The stubs of the native module cannot drift from it.
(cd bindings-python && ../.venv/bin/python -m mypy.stubtest needbridge._native && ../.venv/bin/python -m mypy python/needbridge)
(cd bindings-python && NEEDBRIDGE_REQUIRE_PG=1 bash ../scripts/with-postgres.sh ../.venv/bin/python -m pytest -q tests)

step "Python: pip install './bindings-python[pandas]' into a fresh venv, as a new user does"
# maturin's build backend compiles the package from this checkout (release by default: dev
# here, for time), pip installs pandas for the extra; then the typed portal example runs.
fresh=$(mktemp -d)
python3 -m venv "$fresh/venv"
PIP_CONSTRAINT="$repo/scripts/constraints.txt" MATURIN_PEP517_ARGS="--profile dev" \
  CARGO_TARGET_DIR="$repo/target" "$fresh/venv/bin/pip" install -q --disable-pip-version-check \
  "./bindings-python[pandas]"
(cd "$fresh" && venv/bin/python "$repo/bindings-python/examples/strict_portal.py" >/dev/null)
rm -rf "$fresh"

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

#!/usr/bin/env bash
# Runs the benchmark suite (docs/BENCHMARKS.md): every target of issue 7 side by side with its
# baseline in one run, a table of ratios on stdout, JSON in target/bench-suite*.json.
#
# Usage: scripts/bench.sh [--quick] [--no-pg] [--no-python] [--only 1,2,...]
#   --quick   small sizes, under 2 minutes once built (the full run generates and reuses a
#             1M-need SQLite district under target/bench-data/ and loads PostgreSQL at 100k
#             and 1M: expect about an hour the first time)
#
# Installs what it needs like scripts/test.sh: the venv at .venv (scripts/venv.sh), the
# Python package built in release mode, and a private PostgreSQL server (scripts/with-postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ " $* " != *" --no-python "* ]]; then
  bash scripts/venv.sh
  rm -rf target/wheels-release
  .venv/bin/maturin build -q --locked --release -m bindings-python/Cargo.toml -o target/wheels-release
  .venv/bin/pip install -q --disable-pip-version-check --force-reinstall --no-deps target/wheels-release/needbridge-*.whl
fi

if [[ " $* " == *" --no-pg "* ]]; then
  exec cargo bench -q -p needbridge --features postgres,sync --locked --bench suite -- "$@"
fi
exec bash scripts/with-postgres.sh cargo bench -q -p needbridge --features postgres,sync --locked --bench suite -- "$@"

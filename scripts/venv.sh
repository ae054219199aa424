#!/usr/bin/env bash
# The Python tools of the tests, benchmarks and dist builds, in a venv at .venv, at the
# versions pinned in scripts/constraints.txt: maturin (builds the wheel), ziglang (its C
# compiler and linker for manylinux2014), auditwheel (checks the wheel's platform tag), pytest,
# mypy (also stubtest), pandas, pyarrow, polars, matplotlib, openpyxl (reads exports back). Debian needs python3-venv (root).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/apt.sh
. scripts/apt.sh
if [ ! -x .venv/bin/python ]; then
  if ! python3 -m venv .venv 2>/dev/null; then
    rm -rf .venv
    apt_install python3-venv
    python3 -m venv .venv
  fi
fi
.venv/bin/pip install -q --disable-pip-version-check -c scripts/constraints.txt \
  maturin ziglang auditwheel pytest mypy pandas pyarrow polars matplotlib openpyxl

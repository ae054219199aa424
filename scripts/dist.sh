#!/usr/bin/env bash
# Builds what needbridge ships into one folder:
#   - the Python wheel for Linux x86_64, tagged manylinux2014 (manylinux_2_17: glibc 2.17, so
#     RHEL/CentOS 7+, Debian 9+, Kylin-class servers), built by maturin with zig as the C
#     compiler and linker against glibc 2.17's symbols, and checked by `auditwheel show`;
#   - the Python sdist (`pip install needbridge-*.tar.gz` builds it with a Rust toolchain);
#   - the JVM jar with the linux-x86_64 native library and its loader (scripts/jar.sh).
#
#   scripts/dist.sh                          release builds into dist/
#   scripts/dist.sh --profile dev --out DIR  quick unoptimised builds (scripts/test.sh does
#                                            this: same steps, same checks, with --no-jar:
#                                            scripts/mobile-test.sh builds the jar and runs the
#                                            Java example against it)
#
# Tools: maturin, ziglang and auditwheel in .venv at the versions in scripts/constraints.txt.
# The wheel is built in target/zig (zig compiles the bundled C — SQLite, OpenSSL — differently
# from the host compiler, so it keeps its own artefacts instead of invalidating target/).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
profile=release
out=dist
jar=1
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-jar) jar=""; shift ;;
    *) echo "usage: scripts/dist.sh [--profile release|dev] [--out DIR] [--no-jar]" >&2; exit 2 ;;
  esac
done
say() { printf '  dist: %s\n' "$*"; }
bash scripts/toolchain.sh >/dev/null
bash scripts/venv.sh
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/needbridge-*.whl "$out"/needbridge-*.tar.gz "$out"/needbridge-*.jar

say "Python wheel (manylinux2014, profile $profile)"
# maturin finds zig through `python -m ziglang` of the first python on PATH: the venv's.
PATH="$repo/.venv/bin:$PATH" CARGO_TARGET_DIR="$repo/target/zig" \
  maturin build -q --locked --profile "$profile" --zig --compatibility manylinux2014 \
  -m bindings-python/Cargo.toml -o "$out"
wheel=$(ls "$out"/needbridge-*manylinux_2_17_x86_64*.whl)
# auditwheel reads the symbols the native module needs and names the oldest platform they
# allow: it must be manylinux_2_17 (glibc 2.17), not a newer one the wheel's name might hide.
shown=$(.venv/bin/auditwheel show "$wheel")
grep -q 'consistent with the following platform tag:' <<<"$shown" \
  && grep -q '"manylinux_2_17_x86_64"' <<<"$shown" \
  || { echo "$shown" >&2; echo "dist: the wheel is not manylinux_2_17" >&2; exit 1; }
say "auditwheel: $(basename "$wheel") is manylinux_2_17_x86_64"

say "Python sdist"
.venv/bin/maturin sdist -m bindings-python/Cargo.toml -o "$out" >/dev/null 2>&1
sdist=$(ls "$out"/needbridge-*.tar.gz)
# The sdist builds on its own: the core crate it depends on by path, the lock file and the
# typed package must be inside.
listing=$(tar tzf "$sdist")
for f in Cargo.lock pyproject.toml core/Cargo.toml core/src/lib.rs \
  bindings-python/src/lib.rs python/needbridge/py.typed python/needbridge/_native.pyi; do
  grep -q "/$f\$" <<<"$listing" || { echo "dist: $f missing from $(basename "$sdist")" >&2; exit 1; }
done

if [ -n "$jar" ]; then
  say "JVM jar"
  if [ "$profile" = dev ]; then
    cargo build -q --locked -p needbridge-mobile --features portal
    lib="${CARGO_TARGET_DIR:-target}/debug/libneedbridge_mobile.so"
  else
    cargo build -q --locked -p needbridge-mobile --features portal --release
    lib="${CARGO_TARGET_DIR:-target}/release/libneedbridge_mobile.so"
  fi
  bash scripts/jar.sh --lib "$lib" --out "$out" >/dev/null
fi

say "in $out:"
(cd "$out" && ls -l needbridge-* | awk '{printf "    %-72s %6.1f MiB\n", $9, $5 / 1048576}')

#!/usr/bin/env bash
# The offline-sync example end to end: the Python portal (examples/sync/portal.py) on a
# loopback HTTP server, the Kotlin app (examples/sync/App.kt) with two phones on the JVM.
# Needs what scripts/test.sh installs first (the Python package in .venv; the Kotlin compiler,
# JNA and the JVM bindings that scripts/mobile-test.sh builds); run by scripts/mobile-test.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${CARGO_TARGET_DIR:-target}
kotlin_tools="$target/tools/node_modules/kotlin-compiler"
jna=/usr/share/java/jna.jar
kt="$target/bindings/jvm/kotlin/org/needbridge/needbridge.kt"
for need in .venv/bin/python "$kotlin_tools/bin/kotlinc" "$jna" "$kt"; do
  [ -e "$need" ] || { echo "sync example: $need is missing (run scripts/test.sh)" >&2; exit 1; }
done
work=$(mktemp -d)
portal_pid=""
trap '[ -n "$portal_pid" ] && kill "$portal_pid" 2>/dev/null; rm -rf "$work"' EXIT
.venv/bin/python examples/sync/portal.py "$work" > "$work/portal.log" 2>&1 &
portal_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/portal.properties" ] && break
  kill -0 "$portal_pid" 2>/dev/null || { cat "$work/portal.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/portal.properties" ] || { echo "sync example: the portal did not start" >&2; exit 1; }
# Compiler messages go to stderr (the caller may discard stdout); no jar, no run.
"$kotlin_tools/bin/kotlinc" -nowarn -cp "$jna" "$kt" examples/sync/App.kt -d "$work/app.jar" 2>&1 \
  | grep -v '^warning' >&2 || true
[ -s "$work/app.jar" ] || { echo "sync example: examples/sync/App.kt did not compile" >&2; exit 1; }
java -Djna.library.path="$target/debug" \
  -cp "$work/app.jar:$jna:$kotlin_tools/lib/kotlin-stdlib.jar" AppKt "$work"

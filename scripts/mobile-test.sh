#!/usr/bin/env bash
# The mobile bindings: generated sources checked, Kotlin and Java tests and the Kotlin quick
# start on the JVM, the self-contained jar (scripts/jar.sh) with examples/java run against it
# alone, Swift tests where `swift` exists, and the size of the stripped library.
# Installs what it needs: the Kotlin compiler (npm `kotlin-compiler`, 2.x) under
# target/tools, JNA (Debian `libjna-java`). Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/apt.sh
. scripts/apt.sh
target=${CARGO_TARGET_DIR:-target}
say() { printf '  mobile: %s\n' "$*"; }

python3 bindings-mobile/gen_mobile.py --check
# The phones' library (no `portal` feature): the Swift package's checked-in sources equal
# what uniffi generates from it.
cargo build -q --locked -p needbridge-mobile
lib="$target/debug/libneedbridge_mobile.so"
gen="$target/bindings"
bash bindings-mobile/generate.sh "$lib" "$gen" >/dev/null
git diff --exit-code -- bindings-mobile/swift/Sources \
  || { echo "bindings-mobile/swift/Sources is stale: run bindings-mobile/generate.sh and commit" >&2; exit 1; }
# The JVM's (a portal's): the same with the portal's side of sync (`servePush`, …), which the
# tests need to answer the phones. Its bindings are the phones' plus those methods.
cargo build -q --locked -p needbridge-mobile --features portal
jvmgen="$gen/jvm"
bash bindings-mobile/generate.sh "$lib" "$jvmgen" --no-package >/dev/null

# Tools: Kotlin 2.x from npm (Debian's kotlin 1.3 cannot compile uniffi's Kotlin), JNA.
tools="$target/tools"
kotlinc="$tools/node_modules/kotlin-compiler/bin/kotlinc"
if [ ! -x "$kotlinc" ]; then
  say "installing the Kotlin compiler (npm kotlin-compiler)"
  command -v npm >/dev/null || apt_install npm
  mkdir -p "$tools"
  npm install --silent --prefix "$tools" kotlin-compiler@2.4.20 >/dev/null
fi
command -v java >/dev/null && command -v javac >/dev/null || apt_install default-jdk-headless
jna=/usr/share/java/jna.jar
[ -f "$jna" ] || apt_install libjna-java
stdlib="$tools/node_modules/kotlin-compiler/lib/kotlin-stdlib.jar"
jvm=(java -Djna.library.path="$target/debug")

say "Kotlin: compile the bindings, the tests and the quick start"
out="$target/kotlin-test"
rm -rf "$out" && mkdir -p "$out"
"$kotlinc" -nowarn -cp "$jna" "$jvmgen/kotlin/org/needbridge/needbridge.kt" \
  bindings-mobile/tests/kotlin/NeedbridgeTest.kt bindings-mobile/tests/kotlin/SyncTest.kt \
  examples/kotlin/QuickStart.kt -d "$out/test.jar" 2>&1 \
  | grep -v '^warning' || true
"${jvm[@]}" -cp "$out/test.jar:$jna:$stdlib" NeedbridgeTestKt
"${jvm[@]}" -cp "$out/test.jar:$jna:$stdlib" SyncTestKt
"${jvm[@]}" -cp "$out/test.jar:$jna:$stdlib" QuickStartKt >/dev/null

say "Java: javac against the Kotlin jar"
javac -d "$out/java" -cp "$out/test.jar:$jna:$stdlib" bindings-mobile/tests/java/JavaPortalTest.java
"${jvm[@]}" -cp "$out/java:$out/test.jar:$jna:$stdlib" JavaPortalTest

# A Java portal without Rust: the self-contained jar (scripts/jar.sh, from the portal build
# above), and examples/java/Portal.java compiled and run against it alone, from an empty
# directory (no -Djna.library.path, no other jar).
say "Java: the self-contained jar and examples/java/Portal.java against it alone"
jar=$(bash scripts/jar.sh --lib "$lib" --out "$target/jar")
say "jar: $jar ($(numfmt --to=iec "$(stat -c %s "$jar")"), debug library)"
portal=$(mktemp -d)
trap 'rm -rf "$portal"' EXIT
cp examples/java/Portal.java "$portal/"
abs_jar=$(realpath "$jar")
(cd "$portal" && javac -cp "$abs_jar" Portal.java && java -cp "$abs_jar:." Portal) >"$portal/out.txt" \
  || { cat "$portal/out.txt" >&2; echo "examples/java/Portal.java failed" >&2; exit 1; }
for want in "claimed: CLAIMED" "needs verified: 1, money: 580.00 yuan" "refused: field=phone" \
  "shown: “手机号码”填写有误，请检查后重试。"; do
  grep -qF "$want" "$portal/out.txt" \
    || { cat "$portal/out.txt" >&2; echo "Portal.java did not print: $want" >&2; exit 1; }
done

# The offline-sync example: the Python portal over loopback HTTP, the Kotlin app's two phones.
if [ -x .venv/bin/python ] && .venv/bin/python -c "import needbridge" 2>/dev/null; then
  say "example: offline sync (Python portal over HTTP, Kotlin app with two phones)"
  bash examples/sync/run.sh >/dev/null
else
  say "example: offline sync SKIPPED (no Python package in .venv: scripts/test.sh builds it first)"
fi

if command -v swift >/dev/null; then
  say "Swift: swift test"
  libdir=$(cd "$target/debug" && pwd)
  (cd bindings-mobile/swift && swift test -Xlinker -L"$libdir")
  # The sync test needs a portal: a copy of the package with the Swift generated from the
  # JVM's library (`portal`), the sync test added.
  say "Swift: swift test, sync (the package with the portal's side)"
  pkg="$target/swift-portal"
  rm -rf "$pkg" && cp -r bindings-mobile/swift "$pkg" && rm -rf "$pkg/.build"
  cp "$jvmgen/swift/NeedBridge.swift" "$pkg/Sources/NeedBridge/NeedBridge.swift"
  cp "$jvmgen/swift/needbridgeFFI.h" "$pkg/Sources/needbridgeFFI/needbridgeFFI.h"
  cp bindings-mobile/swift/PortalTests/*.swift "$pkg/Tests/NeedBridgeTests/"
  (cd "$pkg" && swift test -Xlinker -L"$libdir")
else
  say "Swift: no swift on PATH here — Swift tests SKIPPED (the Swift sources were generated and checked)"
fi

say "size: the stripped x86_64 cdylib (profile mobile, the phones' features)"
cargo build -q --locked -p needbridge-mobile --profile mobile
so="$target/mobile/libneedbridge_mobile.so"
bytes=$(stat -c %s "$so")
# 8 MiB: 6 MiB until the app's side of sync (its serde readers of every record and command:
# +0.63 MiB), 6.5 MiB until issue 18's domain (rosters, offers, households, recurring needs,
# service records, places: +0.65 MiB); docs/adr/0018, bindings-mobile/README.md "Size". The portal's
# side is not in the phones' build.
limit=$((8 * 1024 * 1024))
say "$(numfmt --to=iec "$bytes") ($bytes bytes; limit $limit)"
[ "$bytes" -lt "$limit" ] || { echo "the mobile library is $bytes bytes, over the 8 MiB limit" >&2; exit 1; }

#!/usr/bin/env bash
# A self-contained jar for JVM portals (plain Java or Kotlin): needbridge without building Rust.
#
#   scripts/jar.sh [--lib path/to/libneedbridge_mobile.so] [--out DIR]
#
# --lib  the Linux x86_64 library, built with `--features portal` (the portal's side of sync:
#        servePush/servePull/syncRejected). Default: builds the debug one
#        (`cargo build -p needbridge-mobile --features portal`). scripts/dist.sh passes a
#        release build.
# --out  where to write the jar (default: $CARGO_TARGET_DIR/jar, or target/jar).
#
# Writes DIR/needbridge-<version>.jar and prints its path (the only line on stdout). The jar
# holds, so that `javac -cp needbridge.jar` and `java -cp needbridge.jar:. Main` are all a
# portal needs (no -Djna.library.path, no other jar):
#   org/needbridge/…                     the Kotlin bindings generated from that library and compiled
#   linux-x86-64/libneedbridge_mobile.so the library, stripped (JNA loads it from the classpath)
#   com/sun/jna/…                        JNA (Debian libjna-java), with its dispatch library at
#                                        com/sun/jna/linux-x86-64/libjnidispatch.so (Debian's build
#                                        links the host's libffi.so.8: Debian 12, Ubuntu 22.04,
#                                        RHEL 9 and later have it)
#   kotlin/…                             the Kotlin standard library (npm kotlin-compiler)
#   META-INF/licenses/{jna,kotlin,needbridge}/  their license notices
# Linux x86_64 only: another platform's library goes at JNA's resource path for it
# (`darwin-aarch64/libneedbridge_mobile.dylib`, …) and is not built here.
# Needs: cargo, a JDK (javac, jar), binutils (strip); installs the Kotlin compiler (npm) and
# JNA (apt) as scripts/mobile-test.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/apt.sh
. scripts/apt.sh
target=${CARGO_TARGET_DIR:-target}
lib=""
out="$target/jar"
while [ $# -gt 0 ]; do
  case "$1" in
    --lib) lib=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "jar.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$lib" ]; then
  cargo build -q --locked -p needbridge-mobile --features portal >&2
  lib="$target/debug/libneedbridge_mobile.so"
fi
[ -f "$lib" ] || { echo "jar.sh: no library at $lib" >&2; exit 2; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)

tools="$target/tools"
kotlinc="$tools/node_modules/kotlin-compiler/bin/kotlinc"
if [ ! -x "$kotlinc" ]; then
  command -v npm >/dev/null || apt_install npm >&2
  mkdir -p "$tools"
  npm install --silent --prefix "$tools" kotlin-compiler@2.4.20 >/dev/null
fi
command -v javac >/dev/null && command -v jar >/dev/null || apt_install default-jdk-headless >&2
jna=/usr/share/java/jna.jar
[ -f "$jna" ] || apt_install libjna-java >&2
dispatch=$(find /usr/lib -name 'libjnidispatch*.so' 2>/dev/null | head -1)
[ -n "$dispatch" ] || { echo "jar.sh: JNA's libjnidispatch.so not found (apt install libjna-jni)" >&2; exit 2; }
kotlin="$tools/node_modules/kotlin-compiler"

work="$target/jar-build"
rm -rf "$work" && mkdir -p "$work/classes" "$work/gen"
# The bindings from this very library: uniffi checks at load that they match it.
bash bindings-mobile/generate.sh "$lib" "$work/gen" --no-package >/dev/null
"$kotlinc" -nowarn -cp "$jna" "$work/gen/kotlin/org/needbridge/needbridge.kt" -d "$work/classes" 2>&1 \
  | { grep -v '^warning' || true; } >&2
c="$work/classes"
stdlib=$(realpath "$kotlin/lib/kotlin-stdlib.jar")
(cd "$c" && jar xf "$jna" && jar xf "$stdlib")
# Licenses under META-INF/licenses; no other jar's manifest, signatures or module descriptor.
mkdir -p "$c/META-INF/licenses/jna" "$c/META-INF/licenses/kotlin" "$c/META-INF/licenses/needbridge"
mv "$c/META-INF/AL2.0" "$c/META-INF/LGPL2.1" "$c/META-INF/LICENSE" "$c/META-INF/licenses/jna/"
cp "$kotlin/license/LICENSE.txt" "$kotlin/license/NOTICE.txt" "$c/META-INF/licenses/kotlin/"
cp "$kotlin/license/COPYRIGHT.txt" "$c/META-INF/licenses/kotlin/" 2>/dev/null || true
printf 'needbridge %s: Apache-2.0 (see the repository).\nIt bundles SQLite/SQLCipher (public domain; BSD-style, Zetetic LLC) and OpenSSL (Apache-2.0).\n' \
  "$version" >"$c/META-INF/licenses/needbridge/NOTICE.txt"
rm -rf "$c/META-INF/MANIFEST.MF" "$c/META-INF/versions" "$c"/META-INF/*.SF "$c"/META-INF/*.RSA "$c"/META-INF/*.DSA
mkdir -p "$c/linux-x86-64" "$c/com/sun/jna/linux-x86-64"
strip --strip-unneeded -o "$c/linux-x86-64/libneedbridge_mobile.so" "$lib"
cp "$dispatch" "$c/com/sun/jna/linux-x86-64/libjnidispatch.so"
cat >"$work/manifest.txt" <<EOF
Implementation-Title: needbridge
Implementation-Version: $version
Implementation-Vendor: needbridge
EOF
mkdir -p "$out"
jarfile="$out/needbridge-$version.jar"
rm -f "$jarfile"
jar --create --file "$jarfile" --manifest "$work/manifest.txt" -C "$c" .
rm -rf "$work"
echo "$jarfile"

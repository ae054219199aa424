#!/usr/bin/env bash
# The Android library (AAR) of needbridge: the phones' build (no `portal` feature, profile
# `mobile`) for arm64-v8a, armeabi-v7a and x86_64, with the Kotlin bindings generated from it.
#
#   scripts/build-aar.sh [--out DIR]        (default DIR: $CARGO_TARGET_DIR/aar, or target/aar)
#
# Writes DIR/needbridge-<version>.aar and prints its path:
#   AndroidManifest.xml                    package org.needbridge, minSdk 24
#   classes.jar                            the Kotlin bindings, compiled against JNA
#   jni/<abi>/libneedbridge_mobile.so      the library for each ABI (stripped by the profile)
#   R.txt                                  empty (no resources)
# JNA is not inside: the app depends on JNA's own AAR, which brings libjnidispatch.so for each
# ABI — `implementation("net.java.dev.jna:jna:5.14.0@aar")` — and keeps
# `-keep class com.sun.jna.** { *; }` and `-keep class org.needbridge.** { *; }` for R8.
#
# Needs the Android NDK (ANDROID_NDK_HOME or ANDROID_NDK_ROOT), cargo-ndk (`cargo install
# cargo-ndk`), the Rust targets (`rustup target add aarch64-linux-android
# armv7-linux-androideabi x86_64-linux-android`), a JDK, and an android.jar is not needed (the
# bindings use JNA only). Exits 2 with what is missing when a tool is absent. Built and tested
# where the toolchains exist; not in this repository's CI (no NDK there).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
out="$target/aar"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-aar.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

missing=()
ndk=${ANDROID_NDK_HOME:-${ANDROID_NDK_ROOT:-}}
[ -n "$ndk" ] && [ -d "$ndk" ] || missing+=("the Android NDK (set ANDROID_NDK_HOME)")
cargo ndk --version >/dev/null 2>&1 || missing+=("cargo-ndk (cargo install cargo-ndk)")
installed=$(rustup target list --installed 2>/dev/null || true)
for t in aarch64-linux-android armv7-linux-androideabi x86_64-linux-android; do
  grep -qx "$t" <<<"$installed" || missing+=("the Rust target $t (rustup target add $t)")
done
command -v javac >/dev/null && command -v jar >/dev/null || missing+=("a JDK (javac, jar)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "build-aar.sh: cannot build the AAR here; missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 2
fi

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
work="$target/aar-build"
rm -rf "$work" && mkdir -p "$work/aar/jni" "$work/classes" "$work/gen"
cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -o "$work/aar/jni" \
  build --locked -p needbridge-mobile --profile mobile

# The Kotlin from the phones' library (a host build of the same crate and features: the
# bindings are the same for every ABI; uniffi checks them against the library at load).
cargo build -q --locked -p needbridge-mobile --profile mobile
bash bindings-mobile/generate.sh "$target/mobile/libneedbridge_mobile.so" "$work/gen" --no-package >/dev/null
tools="$target/tools"
kotlinc="$tools/node_modules/kotlin-compiler/bin/kotlinc"
if [ ! -x "$kotlinc" ]; then
  mkdir -p "$tools"
  npm install --silent --prefix "$tools" kotlin-compiler@2.4.20 >/dev/null
fi
jna=/usr/share/java/jna.jar
[ -f "$jna" ] || { echo "build-aar.sh: JNA's jar is needed to compile the bindings (apt install libjna-java)" >&2; exit 2; }
"$kotlinc" -nowarn -jvm-target 1.8 -cp "$jna" "$work/gen/kotlin/org/needbridge/needbridge.kt" -d "$work/classes"
jar --create --file "$work/aar/classes.jar" -C "$work/classes" .
cat >"$work/aar/AndroidManifest.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="org.needbridge">
    <uses-sdk android:minSdkVersion="24" />
</manifest>
EOF
: >"$work/aar/R.txt"
mkdir -p "$out"
aar="$out/needbridge-$version.aar"
rm -f "$aar"
(cd "$work/aar" && jar --create --no-manifest --file "$(realpath -m "$OLDPWD/$aar")" .)
rm -rf "$work"
echo "$aar"

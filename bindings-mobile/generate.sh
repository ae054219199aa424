#!/usr/bin/env bash
# Generates the Kotlin and Swift bindings from the built library (uniffi "library mode"):
#   bindings-mobile/generate.sh [path/to/libneedbridge_mobile.so] [out-dir] [--no-package]
# Kotlin goes to OUT/kotlin (package org.needbridge); Swift to OUT/swift and, unless
# --no-package, the Swift package's Sources (module NeedBridge, FFI module needbridgeFFI).
# Generate what an app ships from the library it ships: the phones' library is built without
# the `portal` feature, so its bindings have no `servePush`/`servePull`/`syncRejected`; a JVM
# portal's library (`--features portal`) has them, and so do the bindings made from it.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
lib=${1:-$target/debug/libneedbridge_mobile.so}
out=${2:-$target/bindings}
cargo build -q --locked -p uniffi-bindgen
bindgen="$target/debug/uniffi-bindgen"
rm -rf "$out/kotlin" "$out/swift"
"$bindgen" generate --library "$lib" --language kotlin --out-dir "$out/kotlin" --no-format >/dev/null
"$bindgen" generate --library "$lib" --language swift --out-dir "$out/swift" --no-format >/dev/null
if [ "${3:-}" = --no-package ]; then
  echo "generated: $out/kotlin/org/needbridge/needbridge.kt, $out/swift"
  exit 0
fi
pkg=bindings-mobile/swift/Sources
mkdir -p "$pkg/NeedBridge" "$pkg/needbridgeFFI"
cp "$out/swift/NeedBridge.swift" "$pkg/NeedBridge/NeedBridge.swift"
cp "$out/swift/needbridgeFFI.h" "$pkg/needbridgeFFI/needbridgeFFI.h"
# SwiftPM wants the module map named module.modulemap next to the header.
cp "$out/swift/needbridgeFFI.modulemap" "$pkg/needbridgeFFI/module.modulemap"
echo "generated: $out/kotlin/org/needbridge/needbridge.kt, $pkg/NeedBridge/NeedBridge.swift"

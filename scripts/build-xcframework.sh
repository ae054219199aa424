#!/usr/bin/env bash
# Builds NeedBridgeFFI.xcframework (iOS device + simulator, size-tuned `mobile` profile) and
# refreshes the Swift package's generated sources. macOS with Xcode and rustup only.
#   scripts/build-xcframework.sh        → target/NeedBridgeFFI.xcframework
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname)" != "Darwin" ] || ! command -v xcodebuild >/dev/null; then
  echo "build-xcframework: needs macOS with Xcode (xcodebuild); nothing built" >&2
  exit 2
fi
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
rustup target add "${targets[@]}"
for t in "${targets[@]}"; do
  cargo build --locked -p needbridge-mobile --profile mobile --target "$t"
done
out=target/xcframework
rm -rf "$out" target/NeedBridgeFFI.xcframework
mkdir -p "$out/sim" "$out/headers"
lipo -create target/aarch64-apple-ios-sim/mobile/libneedbridge_mobile.a \
  target/x86_64-apple-ios/mobile/libneedbridge_mobile.a -output "$out/sim/libneedbridge_mobile.a"
bash bindings-mobile/generate.sh target/aarch64-apple-ios/mobile/libneedbridge_mobile.a "$out/gen"
cp bindings-mobile/swift/Sources/needbridgeFFI/needbridgeFFI.h "$out/headers/"
cp bindings-mobile/swift/Sources/needbridgeFFI/module.modulemap "$out/headers/"
xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/mobile/libneedbridge_mobile.a -headers "$out/headers" \
  -library "$out/sim/libneedbridge_mobile.a" -headers "$out/headers" \
  -output target/NeedBridgeFFI.xcframework
echo "built target/NeedBridgeFFI.xcframework"

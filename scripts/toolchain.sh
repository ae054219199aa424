#!/usr/bin/env bash
# Makes sure rustup has the toolchain rust-toolchain.toml pins (with rustfmt and clippy).
# Sourced or run by scripts/test.sh and scripts/example.sh before any cargo command.
#
# 1. Already installed: nothing to do.
# 2. An installed toolchain (say `stable`) IS that release (same `rustc --version`): it is
#    registered under the pinned name with a symlink in $RUSTUP_HOME/toolchains. This is for
#    machines that cannot reach static.rust-lang.org (rustup refuses `toolchain link` for names
#    that look like releases, so the symlink is the only offline way); the compiler is exactly
#    the pinned one, so nothing is weakened.
# 3. Otherwise `rustup toolchain install` (needs the network).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want=$(sed -n 's/^channel *= *"\([^"]*\)".*/\1/p' "$root/rust-toolchain.toml")
[ -n "$want" ] || { echo "toolchain: no channel in rust-toolchain.toml" >&2; exit 1; }
command -v rustup >/dev/null || {
  echo "toolchain: needbridge needs rustup (https://rustup.rs) to use the pinned Rust $want" >&2
  exit 1
}
home=${RUSTUP_HOME:-$HOME/.rustup}
# Run rustup from / so that this repository's pin does not apply to the checks themselves.
installed=$(cd / && rustup toolchain list | sed 's/ .*//')
if ! grep -q "^$want-" <<<"$installed"; then
  host=$(cd / && rustup show 2>/dev/null | sed -n 's/^Default host: //p')
  linked=""
  for tc in $installed; do
    if [ "$(cd / && rustup run "$tc" rustc --version 2>/dev/null | awk '{print $2}')" = "$want" ] \
      && [ -d "$home/toolchains/$tc" ]; then
      ln -sfn "$home/toolchains/$tc" "$home/toolchains/$want-$host"
      echo "toolchain: registered the installed '$tc' (rustc $want) as the pinned $want"
      linked=1
      break
    fi
  done
  if [ -z "$linked" ]; then
    echo "toolchain: installing Rust $want (pinned by rust-toolchain.toml)"
    (cd / && rustup toolchain install "$want" --profile minimal --component rustfmt,clippy)
  fi
fi
# rustfmt and clippy: the pin lists them, but a toolchain registered above may lack them.
(cd "$root" && { cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1; }) \
  || (cd / && rustup component add --toolchain "$want" rustfmt clippy)
(cd "$root" && rustc --version)

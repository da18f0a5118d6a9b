#!/usr/bin/env bash
# Machine setup for the wasm member's e2e; idempotent, and quick once done.
# - A standard library for wasm32-unknown-unknown: the rustup target, or where
#   rustup cannot download it, Debian's rustc-web (the same Rust release line)
#   with its std sources, which the e2e builds with -Zbuild-std.
# - wasm-bindgen-cli at exactly the wasm-bindgen version the generated crates
#   lock, in $CACHE_DIR/wasm-bindgen-cli-<version>/bin (it brings
#   wasm-bindgen-test-runner, which runs #[wasm_bindgen_test] tests in Node).
# - binaryen's wasm-opt from the npm registry, in $CACHE_DIR/binaryen-<version>.
#   Debian's binaryen (108) is too old: its output of current wasm-bindgen
#   modules exports the wrong table and fails to instantiate.
#
# Usage: wasm.sh [WASM_BINDGEN_VERSION]   (default: the pin in lib/versions.ts)
# The e2e runs it again with the version Cargo.lock holds when that differs.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib.sh
mkdir -p "$CACHE_DIR"

BINARYEN_VERSION=132.0.0
version=${1:-$(sed -nE "s/^ *'?wasm-bindgen'?: \{ version: '([0-9.]+)'.*/\1/p" lib/versions.ts)}
if [ -z "$version" ]; then
  echo "wasm.sh: no wasm-bindgen version given, and none found in lib/versions.ts" >&2
  exit 1
fi

# --- wasm32 standard library ---------------------------------------------------
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "wasm32-unknown-unknown: rustup target installed"
elif timeout 600 rustup target add wasm32-unknown-unknown; then
  echo "wasm32-unknown-unknown: rustup target added"
else
  echo "rustup cannot add wasm32-unknown-unknown here: installing Debian's rustc-web and its std sources"
  packages=(rustc-web cargo-web rust-web-src lld-22)
  missing=()
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  sources=$(ls -d /usr/src/rustc-*/library 2>/dev/null | head -1)
  [ -n "$sources" ] || { echo "wasm.sh: rust-web-src installed no std sources under /usr/src" >&2; exit 1; }
  echo "wasm32-unknown-unknown: $(/usr/bin/rustc --version) with std sources in $sources"
fi

# --- wasm-bindgen-cli -----------------------------------------------------------
root="$CACHE_DIR/wasm-bindgen-cli-$version"
if [ "$("$root/bin/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $version" ]; then
  # --locked builds what upstream tested. A registry that lacks one of those
  # locked versions (seen: a webpki-roots release missing) gets a fresh
  # resolution of the same wasm-bindgen-cli version instead.
  if ! cargo install wasm-bindgen-cli --version "$version" --locked --root "$root"; then
    echo "wasm.sh: the --locked install failed; installing wasm-bindgen-cli $version with fresh dependency resolution"
    cargo install wasm-bindgen-cli --version "$version" --root "$root"
  fi
fi
"$root/bin/wasm-bindgen" --version
"$root/bin/wasm-bindgen-test-runner" --version

# --- wasm-opt -------------------------------------------------------------------
binaryen="$CACHE_DIR/binaryen-$BINARYEN_VERSION"
if [ ! -x "$binaryen/node_modules/.bin/wasm-opt" ]; then
  npm install --no-save --no-audit --no-fund --prefix "$binaryen" "binaryen@$BINARYEN_VERSION" >/dev/null
fi
"$binaryen/node_modules/.bin/wasm-opt" --version

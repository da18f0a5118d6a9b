#!/usr/bin/env bash
# cargo-deny, which the e2e runs offline against the RustSec snapshot on every
# generated combination. Built once (about 10 minutes on 2 cores) into
# $CACHE_DIR/cargo-deny-<version>; quick when it is there. The version is the
# `cargo-deny` pin of lib/versions.ts, the same one the generated CI installs.
#
# Usage: deny.sh [CARGO_DENY_VERSION]   (default: the pin in lib/versions.ts)
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib.sh
mkdir -p "$CACHE_DIR"

version=${1:-$(sed -nE "s/^ *'?cargo-deny'?: \{ version: '([0-9.]+)'.*/\1/p" lib/versions.ts)}
if [ -z "$version" ]; then
  echo "deny.sh: no cargo-deny version given, and none found in lib/versions.ts" >&2
  exit 1
fi

root="$CACHE_DIR/cargo-deny-$version"
if [ "$("$root/bin/cargo-deny" --version 2>/dev/null)" != "cargo-deny $version" ]; then
  cargo install cargo-deny --version "$version" --locked --root "$root"
fi
"$root/bin/cargo-deny" --version

#!/usr/bin/env bash
# sqlx-cli, which the e2e runs on the service member's checked-queries
# combinations (`cargo sqlx prepare --check` against the real servers) and
# `npm run sqlx:prepare` uses to write templates/service/sqlx/. Built once into
# $CACHE_DIR/sqlx-cli-<version>, with the three drivers and rustls only; quick
# when it is there. The version is the `sqlx-cli` pin of lib/versions.ts (the
# one the generated CI installs), which follows the sqlx pin: the offline data
# format belongs to the sqlx version.
#
# Usage: sqlx.sh [SQLX_CLI_VERSION]   (default: the pin in lib/versions.ts)
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib.sh
mkdir -p "$CACHE_DIR"

version=${1:-$(sed -nE "s/^ *'?sqlx-cli'?: \{ version: '([0-9.]+)'.*/\1/p" lib/versions.ts)}
if [ -z "$version" ]; then
  echo "sqlx.sh: no sqlx-cli version given, and none found in lib/versions.ts" >&2
  exit 1
fi

root="$CACHE_DIR/sqlx-cli-$version"
if [ "$("$root/bin/sqlx" --version 2>/dev/null)" != "sqlx-cli $version" ]; then
  cargo install sqlx-cli --version "$version" --locked --root "$root" \
    --no-default-features --features sqlite,postgres,mysql,rustls
fi
"$root/bin/sqlx" --version

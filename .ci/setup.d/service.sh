#!/usr/bin/env bash
# What the service member's e2e needs besides the database servers (started by
# .ci/services): the psql and mariadb clients, which create and drop each run's
# database. Idempotent; quick when both are there.
set -euo pipefail

missing=()
command -v psql >/dev/null || missing+=(postgresql-client)
command -v mariadb >/dev/null || command -v mysql >/dev/null || missing+=(mariadb-client)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing: ${missing[*]} (install them to run the service member's PostgreSQL/MySQL e2e)"
    exit 1
  fi
fi
echo "psql: $(psql --version)"
echo "mariadb: $( (command -v mariadb >/dev/null && mariadb --version) || mysql --version)"

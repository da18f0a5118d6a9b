#!/usr/bin/env bash
# What `npm run bench` needs beyond the members' own setup: wrk (Debian
# package), which loads the generated service in the runtime benchmark.
# Idempotent; quick when it is there. The benchmarks are not part of the tests:
# without wrk they still run and report the runtime section as skipped.
set -euo pipefail

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "wrk is missing (apt-get install wrk): npm run bench will skip the service runtime figures"
    exit 0
  fi
fi
echo "wrk: $(wrk --version 2>&1 | head -1)"

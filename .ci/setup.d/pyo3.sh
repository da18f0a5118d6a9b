#!/usr/bin/env bash
# What the pyo3 member's e2e needs: Python 3 with venv and its shared library
# (`cargo test` links the crate against libpython), maturin in a tools venv, and
# a wheelhouse of pytest, mypy and NumPy (for the generated NumPy tests) so each
# combination's fresh venv installs offline in seconds. Idempotent; quick when
# everything is there.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib.sh
dir="$CACHE_DIR/pyo3"

# The libpython that pyo3's build script will link: python3's own LDLIBRARY in LIBDIR.
has_libpython() {
  python3 - <<'PY' 2>/dev/null
import os, sys, sysconfig
lib = os.path.join(sysconfig.get_config_var("LIBDIR") or "", sysconfig.get_config_var("LDLIBRARY") or "")
sys.exit(0 if os.path.exists(lib) and lib.endswith(".so") else 1)
PY
}
if ! command -v python3 >/dev/null || ! python3 -c 'import ensurepip, venv' 2>/dev/null || ! has_libpython; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-dev python3-venv >/dev/null
  fi
  has_libpython || { echo "python3 needs its shared library (python3-dev, or a Python built with --enable-shared)"; exit 1; }
fi
echo "python: $(python3 --version), $(python3 -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')"

# The floor the generated pyproject.toml requires: the maturin pin of lib/versions.ts.
maturin=$(sed -nE "s/^ *'?maturin'?: \{ version: '([0-9.]+)'.*/\1/p" lib/versions.ts)
[ -n "$maturin" ] || { echo "pyo3.sh: no maturin version found in lib/versions.ts" >&2; exit 1; }
if ! "$dir/tools/bin/python" - "$maturin" <<'PY' 2>/dev/null; then
import subprocess, sys
have = subprocess.run([sys.prefix + "/bin/maturin", "--version"], capture_output=True, text=True).stdout.split()[-1]
sys.exit(0 if tuple(map(int, have.split("."))) >= tuple(map(int, sys.argv[1].split("."))) else 1)
PY
  [ -x "$dir/tools/bin/pip" ] || python3 -m venv "$dir/tools"
  "$dir/tools/bin/pip" install --quiet --upgrade pip "maturin>=$maturin,<2"
fi
echo "maturin: $("$dir/tools/bin/maturin" --version)"

# Wheels differ per Python version (mypy and NumPy are compiled): one wheelhouse per version.
wheelhouse="$dir/wheelhouse/$(python3 -c 'import sys; print(f"py{sys.version_info[0]}.{sys.version_info[1]}")')"
if ! ls "$wheelhouse"/pytest-*.whl "$wheelhouse"/mypy-*.whl "$wheelhouse"/numpy-*.whl >/dev/null 2>&1; then
  "$dir/tools/bin/pip" download --quiet --dest "$wheelhouse" pytest mypy numpy
fi
echo "wheelhouse: $(ls "$wheelhouse" | wc -l) wheels in $wheelhouse"

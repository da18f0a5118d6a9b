# Shared by .ci scripts: timed steps, so the CI budget stays visible.
CACHE_DIR="${RUST_PATTERNS_CACHE:-$HOME/.cache/generator-rust-patterns}"
export CACHE_DIR
RUN_STARTED=${RUN_STARTED:-$(date +%s)}
export RUN_STARTED

# step NAME COMMAND...: runs a command, then prints its duration and the total so far.
step() {
  local name=$1; shift
  local t0; t0=$(date +%s)
  echo "::: $name"
  "$@"
  local t1; t1=$(date +%s)
  printf '::: %-40s %5ss   (total %ss)\n' "$name" "$((t1 - t0))" "$((t1 - RUN_STARTED))"
}

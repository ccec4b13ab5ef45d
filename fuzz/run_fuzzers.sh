#!/usr/bin/env bash
# Runs every libFuzzer target of BUILD for SECONDS each, from its seed corpus
# (fuzz/corpus/<target>/) plus what earlier runs found (BUILD/fuzz/corpus/).
# A crash, a sanitizer report, a leak or an input slower than 10 s stops the
# target with its input saved under BUILD/fuzz/artifacts/; this script then
# exits non-zero. Prints one line per target: executions, exec/s, coverage
# (edges) and features, and the corpus size.
set -euo pipefail
build=${1:?usage: run_fuzzers.sh BUILD SECONDS}
seconds=${2:?usage: run_fuzzers.sh BUILD SECONDS}
here=$(cd "$(dirname "$0")" && pwd)
status=0
# FUZZ_TARGETS="fuzz_nifti fuzz_config" runs only those (e.g. two shells in parallel).
for target in ${FUZZ_TARGETS:-fuzz_nifti fuzz_dataset fuzz_parsers fuzz_config fuzz_checkpoint}; do
  binary="$build/fuzz/$target"
  [ -x "$binary" ] || { echo "$target: not built ($binary)"; exit 1; }
  corpus="$build/fuzz/corpus/$target" artifacts="$build/fuzz/artifacts/$target/"
  mkdir -p "$corpus" "$artifacts"
  log="$build/fuzz/$target.log"
  started=$SECONDS
  if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
       -artifact_prefix="$artifacts" "$corpus" "$here/corpus/$target" >"$log" 2>&1; then
    result=ok
  else
    result="FAILED (see $log and $artifacts)"
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo ?)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo ?)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || echo 'cov: ?')
  echo "$target: $result, $((SECONDS - started)) s, $runs runs, $rate exec/s, $cov, corpus $(ls "$corpus" | wc -l)"
done
exit $status

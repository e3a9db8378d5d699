#!/usr/bin/env bash
# Runs the libFuzzer harnesses of build/fuzz (the `fuzz` preset) side by
# side, each for SECONDS, starting from its seeds in fuzz/corpus/<name>.
#   scripts/run-fuzzers.sh SECONDS [CORPUS_DIR]
# New inputs go to CORPUS_DIR/<name> (kept between runs; `make fuzz` uses
# build/fuzz/corpus), or to a temporary directory when none is given (the
# smoke run of `make test`). Crashes are saved in build/fuzz/artifacts/.
# Exit status 0 when no harness failed; otherwise the failing input and the
# harness's message are printed.
set -euo pipefail
seconds=${1:?usage: run-fuzzers.sh SECONDS [CORPUS_DIR]}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/fuzz/fuzz
artifacts=$root/build/fuzz/artifacts
mkdir -p "$artifacts"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
corpus_root=${2:-$tmp/corpus}

declare -A pids
for name in api options playbook; do
  corpus=$corpus_root/$name
  mkdir -p "$corpus"
  args=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/$name-" -timeout=30)
  [ -f "$root/fuzz/$name.dict" ] && args+=(-dict="$root/fuzz/$name.dict")
  # The option parser warns on stderr for every malformed value: hide the
  # target's stderr (libFuzzer keeps its own).
  [ "$name" = options ] && args+=(-close_fd_mask=2)
  [ "$name" = playbook ] && args+=(-max_len=8192)
  "$bin/hakmem_${name}_fuzz" "${args[@]}" "$corpus" "$root/fuzz/corpus/$name" >"$tmp/$name.log" 2>&1 &
  pids[$name]=$!
done

status=0
for name in api options playbook; do
  if wait "${pids[$name]}"; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$name.log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$tmp/$name.log")
    echo "fuzz $name: ok, $runs runs in ${seconds}s ($rate exec/s)"
  else
    status=1
    echo "fuzz $name: FAILED" >&2
    # The failure's own report first (hakmem's line, the harness's check,
    # the sanitizer's stack), then the end of the log (the input).
    first=$(grep -n -m1 -E '^hakmem: |^api_fuzz: |^options_fuzz: |^playbook_fuzz: |ERROR: (libFuzzer|AddressSanitizer)' \
              "$tmp/$name.log" | cut -d: -f1 || true)
    [ -n "$first" ] && sed -n "$((first > 3 ? first - 3 : 1)),$((first + 30))p" "$tmp/$name.log" >&2
    echo "..." >&2
    tail -n 25 "$tmp/$name.log" >&2
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$tmp/$name.log" | tail -n 1)
    if [ -n "$crash" ]; then
      echo "--- rerun of $crash with the harness's stderr:" >&2
      "$bin/hakmem_${name}_fuzz" "$crash" 2>&1 | grep -v '^INFO:' | head -n 40 >&2 || true
    fi
  fi
done
exit $status

#!/usr/bin/env bash
# The golden instruction-count test: the fast path must not get slower.
#
# Runs pair_loop (malloc+free of one size), churn_loop (free a random one
# of LIVE blocks, malloc 16..1024 B) and remote_loop (malloc by the main
# thread, free by another: the remote-free path) under callgrind with libhakmem.so
# preloaded, each with N operations and with 0, and compares
# (Ir(N) - Ir(0)) / N with the counts recorded in golden_counts.txt. A count
# more than TOLERANCE above its record fails the test, printing measured
# against recorded for every case. Instruction counts are exact and
# repeatable: this is not a timing test.
#
# usage: golden_test.sh --pair-loop PATH --churn-loop PATH --remote-loop PATH
#                       --hakmem-lib PATH [--counts FILE] [--update]
#   --update  prints the measured counts as golden_counts.txt lines instead
#             of comparing (to update the file deliberately; see its header)
#
# Exit status: 0 pass, 1 fail, 77 valgrind missing (ctest: SKIP_RETURN_CODE).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
counts="$here/golden_counts.txt"
pair_loop= churn_loop= remote_loop= hakmem_lib= update=0
while [ $# -gt 0 ]; do
  case "$1" in
    --pair-loop) pair_loop=$2; shift 2 ;;
    --churn-loop) churn_loop=$2; shift 2 ;;
    --remote-loop) remote_loop=$2; shift 2 ;;
    --hakmem-lib) hakmem_lib=$2; shift 2 ;;
    --counts) counts=$2; shift 2 ;;
    --update) update=1; shift ;;
    *) echo "golden_test.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

if ! command -v valgrind >/dev/null; then
  echo "golden_test.sh: SKIPPED: valgrind not found (make deps installs it; apt-get install -y valgrind)"
  exit 77
fi
for f in "$pair_loop" "$churn_loop" "$remote_loop" "$hakmem_lib" "$counts"; do
  [ -f "$f" ] || { echo "golden_test.sh: missing $f" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The environment is fixed (env -i): options left in the caller's
# environment must not change what is measured. And nothing that depends on
# time may run inside the loop, or the counts would move from run to run:
#   - telemetry off: its sampler is seeded from the clock and its rate
#     controller reads CPU time (on, the counts moved by up to 0.3 per
#     operation between runs; a sample costs ~1,500 instructions);
#   - a purge delay of an hour and no purge thread: releases of free pages
#     depend on how much time passed, and under callgrind a lot does.
golden_env=(HAKMEM_TELEMETRY=0 HAKMEM_PURGE_DELAY_MS=3600000 HAKMEM_PURGE_THREAD=0)

# Total instructions of one run, checking that hakmem served malloc.
instructions() {  # program args...
  local out="$work/run"
  if ! env -i "${golden_env[@]}" LD_PRELOAD="$hakmem_lib" valgrind --tool=callgrind --callgrind-out-file="$out.cg" \
        "$@" 2>"$out.log"; then
    echo "golden_test.sh: valgrind failed: $*" >&2; cat "$out.log" >&2; exit 2
  fi
  local from; from=$(sed -n 's/^malloc from: //p' "$out.log")
  if [ "$(readlink -f "$from")" != "$(readlink -f "$hakmem_lib")" ]; then
    echo "golden_test.sh: malloc served by '$from', not $hakmem_lib" >&2; exit 2
  fi
  awk '/^(totals|summary):/ { print $2; exit }' "$out.cg"
}

# One case: instructions per operation over n operations.
per_op() {  # kind param n
  local full base
  case "$1" in
    pair) full=$(instructions "$pair_loop" "$3" "$2"); base=$(instructions "$pair_loop" 0 "$2") ;;
    churn) full=$(instructions "$churn_loop" "$3" "$2"); base=$(instructions "$churn_loop" 0 "$2") ;;
    remote) full=$(instructions "$remote_loop" "$3" "$2"); base=$(instructions "$remote_loop" 0 "$2") ;;
    *) echo "golden_test.sh: unknown kind $1 in $counts" >&2; exit 2 ;;
  esac
  awk -v f="$full" -v b="$base" -v n="$3" 'BEGIN { printf "%.2f", (f - b) / n }'
}

tolerance=$(awk '$1 == "tolerance" { print $2 }' "$counts")
[ -n "$tolerance" ] || { echo "golden_test.sh: no tolerance line in $counts" >&2; exit 2; }
failed=0
printf '%-6s %6s %10s %9s %9s  %s\n' kind param ops measured recorded verdict
# Lines: kind param ops recorded (instructions per operation).
while read -r kind param ops recorded; do
  case "$kind" in pair|churn|remote) ;; *) continue ;; esac
  measured=$(per_op "$kind" "$param" "$ops")
  if [ "$update" = 1 ]; then
    printf '%s %s %s %s\n' "$kind" "$param" "$ops" "$measured"; continue
  fi
  verdict=$(awk -v m="$measured" -v r="$recorded" -v t="$tolerance" \
    'BEGIN { if (m > r + t) print "FAIL (+" sprintf("%.2f", m - r) ")"; else if (m < r - 2 * t) print "ok (faster: lower the record)"; else print "ok" }')
  printf '%-6s %6s %10s %9s %9s  %s\n' "$kind" "$param" "$ops" "$measured" "$recorded" "$verdict"
  case "$verdict" in FAIL*) failed=1 ;; esac
done < "$counts"

if [ "$failed" = 1 ]; then
  echo "golden_test.sh: FAILED: instructions per operation rose above the record (+$tolerance allowed)."
  echo "If the rise is deliberate, update $counts (golden_test.sh --update) and give the reason in the commit message."
  exit 1
fi

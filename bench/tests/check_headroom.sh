#!/usr/bin/env bash
# check_headroom.sh HAKMEM_BENCH OUT_DIR: a tiny --headroom run must pass
# every run and leave headroom.md with the best-strategy table and a row for
# the scenario, and headroom.csv / headroom_runs.csv with one row per
# strategy and per run.
set -euo pipefail
bench=$1
out=$2
rm -rf "$out"
"$bench" --headroom --tiny --rounds 2 --scenario vm --out "$out" >"$out.stdout" 2>"$out.stderr" || {
  cat "$out.stdout" "$out.stderr"; echo "check_headroom: hakmem-bench --headroom failed" >&2; exit 1; }
for f in headroom.md headroom.csv headroom_runs.csv; do
  [ -s "$out/$f" ] || { echo "check_headroom: $out/$f missing or empty" >&2; exit 1; }
done
grep -q '^## Best fixed strategy per scenario' "$out/headroom.md" || { echo "check_headroom: best table missing" >&2; exit 1; }
grep -Eq '^\| vm \| [^-|]' "$out/headroom.md" || { echo "check_headroom: no best strategy for vm" >&2; exit 1; }
strategies=$(grep -c '^vm,' "$out/headroom.csv")
runs=$(($(wc -l <"$out/headroom_runs.csv") - 1))
# Every strategy but the default has a summary row; a round is the
# candidates plus a default run before, between every two and after; then
# 2 x 2 confirmation rounds of D B D.
[ "$strategies" -ge 16 ] || { echo "check_headroom: headroom.csv has $strategies rows for vm" >&2; exit 1; }
per_round=$((strategies + (strategies + 1) / 2 + 1))
expected=$((2 * per_round + 4 * 3))
[ "$runs" -eq "$expected" ] || { echo "check_headroom: $runs runs, expected $expected" >&2; exit 1; }
confirmed=$(grep -c '^vm,[^,]*,confirm,' "$out/headroom_runs.csv")
[ "$confirmed" -eq 12 ] || { echo "check_headroom: $confirmed confirmation runs, expected 12" >&2; exit 1; }
grep -q '^## The best, confirmed' "$out/headroom.md" || { echo "check_headroom: confirmed table missing" >&2; exit 1; }
# Every run sees its own strategy: the runs file names each one.
grep -q '^vm,delay=0,main,' "$out/headroom_runs.csv" || { echo "check_headroom: delay=0 never ran" >&2; exit 1; }
echo "check_headroom: $strategies strategies, $runs runs, outputs in $out"

#!/usr/bin/env bash
# check_outputs.sh HAKMEM_BENCH OUT_DIR: a small run must leave every output
# file in OUT_DIR, the CSV with one row per scenario and allocator, the JSON
# well-formed, and (when gnuplot is installed) an SVG plot.
set -euo pipefail
bench=$1
out=$2
rm -rf "$out"
"$bench" --tiny --rounds 2 --scenario json,edge --allocators glibc --out "$out" >"$out.stdout" 2>"$out.stderr" || {
  cat "$out.stdout" "$out.stderr"; echo "check_outputs: hakmem-bench failed" >&2; exit 1; }
for f in summary.md summary.csv runs.csv results.json; do
  [ -s "$out/$f" ] || { echo "check_outputs: $out/$f missing or empty" >&2; exit 1; }
done
grep -q '^| json | 1.00 (1) |$' "$out/summary.md" || { echo "check_outputs: ratio table row missing" >&2; exit 1; }
rows=$(($(wc -l <"$out/summary.csv") - 1))
[ "$rows" -eq 2 ] || { echo "check_outputs: summary.csv has $rows rows, expected 2" >&2; exit 1; }
runs=$(($(wc -l <"$out/runs.csv") - 1))
[ "$runs" -eq 4 ] || { echo "check_outputs: runs.csv has $runs rows, expected 4" >&2; exit 1; }
if command -v python3 >/dev/null; then
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["runs"]) == 4 and d["meta"]["seed"] == 42' \
    "$out/results.json" || { echo "check_outputs: results.json is not the expected JSON" >&2; exit 1; }
fi
if command -v gnuplot >/dev/null; then
  grep -q '<svg' "$out/ratio.svg" || { echo "check_outputs: ratio.svg missing" >&2; exit 1; }
fi
echo "check_outputs: all outputs present in $out"

#!/usr/bin/env bash
# check_learner.sh HAKMEM_BENCH OUT_DIR: a small --learner run on a phase
# scenario (30 tiny phases, 10 ms epochs, so the learner plays a few
# epochs) must pass every run, read every learner's account from its stats
# file, and leave learner.md with the verdict table, learner.csv with a row
# per variant, learner_runs.csv with a row per run and (with gnuplot) the
# ELO cost-over-time plot.
set -euo pipefail
bench=$1
out=$2
rm -rf "$out"
"$bench" --learner --tiny --rounds 1 --iterations 30 --learn-epoch-ms 10 --scenario phases-fast --out "$out" \
  >"$out.stdout" 2>"$out.stderr" || {
  cat "$out.stdout" "$out.stderr"; echo "check_learner: hakmem-bench --learner failed" >&2; exit 1; }
for f in learner.md learner.csv learner_runs.csv; do
  [ -s "$out/$f" ] || { echo "check_learner: $out/$f missing or empty" >&2; exit 1; }
done
grep -q '^## Learners against the best fixed strategy (epoch 10 ms)' "$out/learner.md" ||
  { echo "check_learner: summary table missing" >&2; exit 1; }
grep -Eq '^\| phases-fast \| [^|]+ \| [0-9.]+ \|' "$out/learner.md" ||
  { echo "check_learner: no row for phases-fast" >&2; exit 1; }
# The control, 7 fixed strategies, ucb1, elo and elo+pb: 11 rows besides the default.
variants=$(grep -c '^phases-fast,' "$out/learner.csv")
[ "$variants" -eq 11 ] || { echo "check_learner: learner.csv has $variants rows, expected 11" >&2; exit 1; }
# D a b c d D e f g h D i j k D: 11 variants and 4 default runs (the
# training run of elo+pb is not scored).
runs=$(($(wc -l <"$out/learner_runs.csv") - 1))
[ "$runs" -eq 15 ] || { echo "check_learner: $runs runs, expected 15" >&2; exit 1; }
# The learners' playbooks are the runner's: elo+pb's was trained before the
# round (and the training did not fail), elo's was its own.
[ -s "$out/playbooks/phases_fast.elo_pb_10ms.warm.playbook" ] ||
  { echo "check_learner: elo+pb's playbook was not trained" >&2; exit 1; }
! grep -q 'WARNING: the training run' "$out.stderr" || { cat "$out.stderr"; exit 1; }
ls "$out"/playbooks/phases_fast.elo_10ms.r1.p*.playbook >/dev/null ||
  { echo "check_learner: elo ran without a playbook of its own" >&2; exit 1; }
# Every learner's account was read (epochs column filled).
for mode in ucb1 elo elo+pb; do
  grep -Eq "^phases-fast,${mode//+/\\+}@10ms,1,[0-9]+,1,([^,]*,){6}[0-9]+,[0-9]+," "$out/learner_runs.csv" ||
    { echo "check_learner: no learner account for $mode" >&2; exit 1; }
done
if command -v gnuplot >/dev/null; then
  grep -q '<svg' "$out/elo-phases-fast.svg" || { echo "check_learner: elo-phases-fast.svg missing" >&2; exit 1; }
fi
echo "check_learner: $variants variants, $runs runs, outputs in $out"

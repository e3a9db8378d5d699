// hakmem-bench --learner: the proof of issue 10. On each scenario, hakmem
// runs with its default strategy, with a handful of fixed neighbours of it
// and with its learner (HAKMEM_LEARN=ucb1 and =elo), the same seeded work,
// in interleaved rounds paired with default runs exactly as --headroom's
// (headroom_plan.h, headroom_score.h): composite cost and its parts as
// ratios to the default, regret against the best fixed strategy in
// hindsight, the learner's own CPU share, and a plot of ELO's cost over
// time with its strategy switches.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "headroom_score.h"
#include "learner_trace.h"
#include "learner_variants.h"
#include "options.h"
#include "report.h"

namespace hakbench {

// One run: the headroom record (candidate = index into the variants) and,
// for a learner, what its stats file said.
struct LearnerRun {
  HeadroomRun run;
  LearnerTrace trace;
  std::string stats_json;  // the HAKMEM_STATS_JSON file of the run
};

// A learner variant's figures on one scenario.
struct LearnerScore {
  size_t variant = 0;
  // (learner composite / best fixed composite) - 1, of medians: > 0 the
  // learner lost to the best fixed strategy in hindsight.
  double regret = 0;
  double vs_default = 0;  // learner composite - 1: > 0 worse than the default
  Summary cpu_share;      // learner cpu_ns / the process's user+sys, per run
  Summary switches;       // strategy installs per run
  Summary epochs;
  // Seconds from the run's first epoch to the first epoch whose champion is
  // not the one it started with (the default), over the runs where the
  // title changed hands at all (`title_runs` of `runs`): how fast the
  // learner acted on what it measured or on what its playbook knew.
  Summary first_title_s;
  size_t title_runs = 0, runs = 0;
  // Runs that took a strategy from the playbook, and that crowned one.
  size_t suggested_runs = 0, crowned_runs = 0;
};

struct ScenarioLearner {
  std::string scenario;
  ScenarioHeadroom h;     // per variant composite and parts (h.scores[0] empty)
  size_t best_fixed = 0;  // index of the best fixed strategy (0: the default)
  double best_fixed_composite = 1;
  // The control's (the default run as a variant) largest distance from 1
  // over the rounds: differences below it are noise.
  double noise = 0;
  std::vector<LearnerScore> learners;
  std::string plot;       // the ELO cost-over-time SVG, if drawn
};

struct LearnerReport {
  Meta meta;
  std::string library;
  std::vector<std::string> scenarios;
  std::vector<LearnerVariant> variants;
  std::vector<LearnerRun> runs;
  std::vector<ScenarioLearner> results;
};

// The scenario size --learner runs: the size asked for, except json, vm
// and mixed one size up from quick (quick runs are shorter than a learner's
// first match).
RunSize learner_run_size(const std::string& scenario, RunSize asked);

// Runs every scenario under every variant; stats files go to `dir`/stats.
std::vector<LearnerRun> run_learner(const std::string& scenario_exe, const Options& options,
                                    const std::string& hakmem_lib, const std::vector<LearnerVariant>& variants,
                                    const std::string& dir);

// Scores report.runs into report.results (pure).
void score_learner(LearnerReport& report);

// learner.md (also printed), learner.csv (scenario x variant) and
// learner_runs.csv (one row per run).
void write_learner_markdown(const LearnerReport& report, std::ostream& out);
bool write_learner_csv(const LearnerReport& report, const std::string& dir, std::string* error);

// elo-<scenario>.svg per scenario, from the first ELO run's history; sets
// results[i].plot. Returns false (with `error`) when gnuplot is missing.
bool write_learner_plots(LearnerReport& report, const std::string& dir, std::string* error);

}  // namespace hakbench

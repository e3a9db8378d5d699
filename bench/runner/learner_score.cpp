// Scoring of --learner: the headroom arithmetic (headroom_score.h) gives
// every variant's composite and parts as medians of paired ratios to the
// default; on top, the best fixed strategy in hindsight (the default
// included, at 1), each learner's regret against it and its own CPU share.
#include <cmath>

#include "learner.h"

namespace hakbench {

namespace {

ScenarioLearner score_one(const LearnerReport& report, const std::string& scenario) {
  ScenarioLearner s;
  s.scenario = scenario;
  std::vector<HeadroomRun> runs;
  for (const LearnerRun& lr : report.runs)
    if (lr.run.scenario == scenario) runs.push_back(lr.run);
  std::vector<bool> control;
  for (const LearnerVariant& v : report.variants) control.push_back(v.c.is_control);
  s.h = score_scenario(scenario, runs, control);
  s.noise = s.h.noise;
  for (size_t v = 1; v < report.variants.size(); ++v) {
    const CandidateScore& c = s.h.scores[v];
    if (!report.variants[v].fixed() || report.variants[v].c.is_control || c.failed || c.rounds == 0) continue;
    if (c.composite.median < s.best_fixed_composite) {
      s.best_fixed_composite = c.composite.median;
      s.best_fixed = v;
    }
  }
  for (size_t v = 1; v < report.variants.size(); ++v) {
    if (report.variants[v].fixed()) continue;
    LearnerScore l;
    l.variant = v;
    const CandidateScore& c = s.h.scores[v];
    const bool usable = !c.failed && c.rounds > 0;
    l.regret = usable ? c.composite.median / s.best_fixed_composite - 1 : std::nan("");
    l.vs_default = usable ? c.composite.median - 1 : std::nan("");
    std::vector<double> share, switches, epochs;
    for (const LearnerRun& lr : report.runs) {
      if (lr.run.scenario != scenario || lr.run.candidate != v || !lr.run.m.ok || !lr.trace.found) continue;
      if (lr.run.m.cpu_s > 0) share.push_back(lr.trace.cpu_ns * 1e-9 / lr.run.m.cpu_s);
      switches.push_back(lr.trace.switches);
      epochs.push_back(lr.trace.epochs);
    }
    l.cpu_share = summarize(share);
    l.switches = summarize(switches);
    l.epochs = summarize(epochs);
    s.learners.push_back(l);
  }
  return s;
}

}  // namespace

void score_learner(LearnerReport& report) {
  report.results.clear();
  for (const auto& scenario : report.scenarios) report.results.push_back(score_one(report, scenario));
}

}  // namespace hakbench

// Scoring of --learner: the headroom arithmetic (headroom_score.h) gives
// every variant's composite and parts as medians of paired ratios to the
// default; on top, the best fixed strategy in hindsight (the default
// included, at 1), each learner's regret against it and its own CPU share.
#include <cmath>

#include "learner.h"

namespace hakbench {

namespace {

// Seconds to the first change of champion in a learner's history, or NaN.
double first_title_s(const LearnerTrace& t) {
  if (t.history.empty()) return std::nan("");
  for (const LearnerEpoch& e : t.history)
    if (e.champion != t.history.front().champion) return (e.t_ms - t.history.front().t_ms) / 1000;
  return std::nan("");
}

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
    std::vector<double> share, switches, epochs, title;
    for (const LearnerRun& lr : report.runs) {
      if (lr.run.scenario != scenario || lr.run.candidate != v || !lr.run.m.ok || !lr.trace.found) continue;
      if (lr.run.m.cpu_s > 0) share.push_back(lr.trace.cpu_ns * 1e-9 / lr.run.m.cpu_s);
      switches.push_back(lr.trace.switches);
      epochs.push_back(lr.trace.epochs);
      ++l.runs;
      l.suggested_runs += lr.trace.playbook_suggestions > 0;
      l.crowned_runs += lr.trace.playbook_crowns > 0;
      const double t = first_title_s(lr.trace);
      if (!std::isnan(t)) title.push_back(t), ++l.title_runs;
    }
    l.first_title_s = summarize(title);
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

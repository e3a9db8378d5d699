// The headroom measurement loop: per scenario, rounds of
// D a b D c d D ... (headroom_plan.h), then confirmation rounds D B D of the
// best strategy found (twice as many, cheap: 3 runs each). Each run is its
// own process with the candidate's HAKMEM_* variables and nothing else
// inherited from HAKMEM_*.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "headroom.h"
#include "headroom_plan.h"
#include "runner.h"
#include "spawn.h"
#include "strategy_grid.h"

namespace hakbench {

namespace {

std::vector<std::string> scenario_argv(const std::string& exe, const Options& o, const std::string& scenario) {
  std::vector<std::string> argv = {exe,      "--scenario", scenario, "--size", run_size_name(o.size), "--seed",
                                   std::to_string(o.seed), "--threads", std::to_string(o.threads)};
  if (o.iterations) {
    argv.push_back("--iterations");
    argv.push_back(std::to_string(o.iterations));
  }
  return argv;
}

void progress(size_t done, size_t total, double elapsed, const HeadroomRun& r, int rounds) {
  static const bool tty = ::isatty(STDERR_FILENO);
  char line[256];
  const int mins = static_cast<int>(elapsed) / 60, secs = static_cast<int>(elapsed) % 60;
  char what[64] = "FAILED";
  if (r.m.ok) std::snprintf(what, sizeof what, "cpu %.3f s, %.0f faults", r.m.cpu_s, r.m.faults);
  std::snprintf(line, sizeof line, "[%5zu/%zu %3d:%02d] %-13s %-18s %s %d/%d  %s", done, total, mins, secs,
                r.scenario.c_str(), strategy_grid()[r.candidate].name.c_str(), r.confirm ? "confirm" : "round",
                r.round, r.confirm ? confirm_rounds(rounds) : rounds, what);
  if (tty)
    std::cerr << "\r" << line << "\033[K" << (done == total ? "\n" : "") << std::flush;
  else
    std::cerr << line << "\n";
}

}  // namespace

int confirm_rounds(int rounds) { return 2 * rounds; }

std::vector<HeadroomRun> run_headroom(const std::string& exe, const Options& o, const std::string& lib) {
  const auto& grid = strategy_grid();
  const Target target{"hakmem", lib};
  const double timeout = timeout_for(o);
  const size_t per_round = round_order(grid.size(), 1, o.rounds).size();
  const size_t per_scenario = static_cast<size_t>(o.rounds) * per_round + static_cast<size_t>(confirm_rounds(o.rounds)) * 3;
  const size_t total = o.scenarios.size() * per_scenario;
  const double start = now_s();
  size_t done = 0;
  std::vector<HeadroomRun> runs;
  std::vector<bool> control;
  for (const Candidate& g : grid) control.push_back(g.is_control);
  for (const auto& scenario : o.scenarios) {
    std::string checksum;  // same seed, same data: every strategy must agree
    ChildSpec spec;
    spec.argv = scenario_argv(exe, o, scenario);
    spec.preload = lib;
    spec.timeout_s = timeout;
    spec.clear_env_prefix = "HAKMEM_";
    spec.rss_sample_ms = kHeadroomRssSampleMs;
    auto run_round = [&](const std::vector<size_t>& order, int round, bool confirm) {
      for (size_t pos = 0; pos < order.size(); ++pos) {
        const Candidate& c = grid[order[pos]];
        spec.env = c.env;
        const ChildResult child = run_child(spec);
        const RunRecord rec = judge_run(scenario, target, round, child, checksum);
        if (rec.ok && checksum.empty()) checksum = rec.result.checksum;
        HeadroomRun r;
        r.scenario = scenario;
        r.candidate = order[pos];
        r.round = round;
        r.position = pos;
        r.confirm = confirm;
        r.wall_s = child.wall_s;
        r.rss_samples = child.rss_samples;
        r.failure = rec.failure;
        r.m.ok = rec.ok;
        r.m.cpu_s = rec.values[kUserS] + rec.values[kSysS];
        r.m.faults = rec.values[kMinorFaults];
        r.m.peak_rss_kb = rec.values[kPeakRssKb];
        r.m.mean_rss_kb = child.mean_rss_kb;
        progress(++done, total, now_s() - start, r, o.rounds);
        if (!rec.ok)
          std::cerr << "\nhakmem-bench: FAILED " << scenario << " under hakmem with " << describe_env(c) << " ("
                    << (confirm ? "confirmation " : "") << "round " << round << "): " << rec.failure << "\n";
        runs.push_back(std::move(r));
      }
    };
    for (int round = 1; round <= o.rounds; ++round) run_round(round_order(grid.size(), round, o.rounds), round, false);
    const size_t best = score_scenario(scenario, runs, control).best;
    if (best)
      for (int round = 1; round <= confirm_rounds(o.rounds); ++round) run_round({0, best, 0}, round, true);
    else
      done += static_cast<size_t>(confirm_rounds(o.rounds)) * 3;  // nothing to confirm
    // A line per scenario as it finishes, so a long run can be read early.
    const ScenarioHeadroom h = score_scenario(scenario, runs, control);
    if (h.best) {
      char line[256];
      std::snprintf(line, sizeof line,
                    "hakmem-bench: %s: best %s, composite %.3f, confirmed %.3f; control %.3f (noise %.3f)\n",
                    scenario.c_str(), grid[h.best].name.c_str(), h.scores[h.best].composite.median,
                    h.confirmed.composite.median, h.control ? h.scores[h.control].composite.median : 1.0, h.noise);
      std::cerr << (::isatty(STDERR_FILENO) ? "\n" : "") << line;
    }
  }
  return runs;
}

void score_headroom(HeadroomReport& report) {
  std::vector<bool> control;
  for (const Candidate& g : strategy_grid()) control.push_back(g.is_control);
  report.results.clear();
  for (const auto& s : report.scenarios) report.results.push_back(score_scenario(s, report.runs, control));
}

}  // namespace hakbench

// The --learner measurement loop: per scenario, rounds of D a b c D d e f D
// ... (headroom_plan.h: candidates rotated from round to round, each paired
// with the default runs around it). Each run is its own process with the
// variant's HAKMEM_* variables and nothing else inherited from HAKMEM_*,
// plus HAKMEM_STATS_JSON so a learner's own account (CPU, history) can be
// read back. Every variant writes the file, so its cost is paired away.
//
// The playbook is the runner's, never the user's (~/.cache/hakmem would
// carry what earlier bench runs learned into this one, and differently for
// each round): a learner runs with HAKMEM_PLAYBOOK set to a file under
// `dir`/playbooks. An ordinary learner gets an empty file of its own, as
// the first run of a program would; a warm one (elo+pb) a file per scenario
// that one unscored training run fills before the first round and every
// warm run of the rounds before adds to, as the program's later runs would.
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "headroom.h"
#include "headroom_plan.h"
#include "learner.h"
#include "runner.h"
#include "spawn.h"

namespace hakbench {

namespace {

// Four variants between default runs: the phase scenarios take 10-20 s a
// run, and a default after every two would make a third of all runs
// defaults. Linear drift still cancels (the mean of the two defaults).
constexpr size_t kPerDefault = 4;

std::vector<std::string> learner_scenario_argv(const std::string& exe, const Options& o, const std::string& scenario) {
  std::vector<std::string> argv = {exe,      "--scenario", scenario, "--size", run_size_name(learner_run_size(scenario, o.size)),
                                   "--seed", std::to_string(o.seed), "--threads", std::to_string(o.threads)};
  if (o.iterations) {
    argv.push_back("--iterations");
    argv.push_back(std::to_string(o.iterations));
  }
  return argv;
}

std::string slug(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

void progress(size_t done, size_t total, double elapsed, const LearnerRun& lr, const std::string& name, int rounds) {
  static const bool tty = ::isatty(STDERR_FILENO);
  const HeadroomRun& r = lr.run;
  char what[96] = "FAILED";
  if (r.m.ok) {
    int n = std::snprintf(what, sizeof what, "cpu %.3f s, %.0f faults, rss %.0f MiB", r.m.cpu_s, r.m.faults,
                          r.m.mean_rss_kb / 1024);
    if (lr.trace.found && n > 0)
      std::snprintf(what + n, sizeof what - static_cast<size_t>(n), ", %.0f switches", lr.trace.switches);
  }
  char line[256];
  const int mins = static_cast<int>(elapsed) / 60, secs = static_cast<int>(elapsed) % 60;
  std::snprintf(line, sizeof line, "[%4zu/%zu %3d:%02d] %-13s %-12s round %d/%d  %s", done, total, mins, secs,
                r.scenario.c_str(), name.c_str(), r.round, rounds, what);
  if (tty)
    std::cerr << "\r" << line << "\033[K" << (done == total ? "\n" : "") << std::flush;
  else
    std::cerr << line << "\n";
}

// The playbook a learner variant runs with (learner_variants.h, warm).
std::string playbook_for(const std::string& dir, const std::string& scenario, const LearnerVariant& v, int round,
                         size_t pos) {
  std::string base = dir + "/" + slug(scenario) + "." + slug(v.c.name);
  return v.warm ? base + ".warm.playbook" : base + ".r" + std::to_string(round) + ".p" + std::to_string(pos) + ".playbook";
}

void fresh_playbook(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  std::filesystem::remove(path + ".lock", ec);
}

}  // namespace

RunSize learner_run_size(const std::string& scenario, RunSize asked) {
  // Quick json, vm and mixed last 0.2-0.4 s: a few epochs, not one match.
  // Their full sizes take 2-3 s of CPU; fragmentation's takes 18 s, so it
  // stays quick (0.5 s), the others were not needed for the proof.
  for (const char* longer : {"json", "vm", "mixed"})
    if (scenario == longer && asked == RunSize::kQuick) return RunSize::kFull;
  return asked;
}

std::vector<LearnerRun> run_learner(const std::string& exe, const Options& o, const std::string& lib,
                                    const std::vector<LearnerVariant>& variants, const std::string& dir) {
  const Target target{"hakmem", lib};
  const double timeout = timeout_for(o);
  const std::string stats_dir = dir + "/stats", playbook_dir = dir + "/playbooks";
  std::error_code ec;
  std::filesystem::create_directories(stats_dir, ec);
  std::filesystem::create_directories(playbook_dir, ec);
  const size_t per_round = round_order(variants.size(), 1, o.rounds, kPerDefault).size();
  const size_t total = o.scenarios.size() * per_round * static_cast<size_t>(o.rounds);
  const double start = now_s();
  size_t done = 0;
  std::vector<LearnerRun> runs;
  for (const auto& scenario : o.scenarios) {
    std::string checksum;  // same seed, same data: every strategy must agree
    ChildSpec spec;
    spec.argv = learner_scenario_argv(exe, o, scenario);
    spec.preload = lib;
    spec.timeout_s = timeout;
    spec.clear_env_prefix = "HAKMEM_";
    spec.rss_sample_ms = kHeadroomRssSampleMs;
    for (const LearnerVariant& v : variants) {
      if (!v.warm) continue;
      // The training run: what the program's earlier runs would have left.
      const std::string playbook = playbook_for(playbook_dir, scenario, v, 0, 0);
      fresh_playbook(playbook);
      spec.env = v.c.env;
      spec.env.emplace_back("HAKMEM_PLAYBOOK", playbook);
      const ChildResult child = run_child(spec);
      const bool ok = child.started && !child.timed_out && child.signal == 0 && child.exit_code == 0;
      // A failed training run leaves the warm runs starting cold: say so
      // (they are still measured, as what they are).
      if (!ok || !std::filesystem::exists(playbook, ec))
        std::cerr << "hakmem-bench: WARNING: the training run of " << v.c.name << " on " << scenario
                  << " left no playbook (exit " << child.exit_code << ", signal " << child.signal << ")\n";
    }
    for (int round = 1; round <= o.rounds; ++round) {
      const std::vector<size_t> order = round_order(variants.size(), round, o.rounds, kPerDefault);
      for (size_t pos = 0; pos < order.size(); ++pos) {
        const LearnerVariant& v = variants[order[pos]];
        LearnerRun lr;
        lr.stats_json = stats_dir + "/" + slug(scenario) + "." + slug(v.c.name) + ".r" + std::to_string(round) + ".p" +
                        std::to_string(pos) + ".json";
        std::filesystem::remove(lr.stats_json, ec);
        spec.env = v.c.env;
        spec.env.emplace_back("HAKMEM_STATS_JSON", lr.stats_json);
        if (!v.fixed()) {
          const std::string playbook = playbook_for(playbook_dir, scenario, v, round, pos);
          if (!v.warm) fresh_playbook(playbook);
          spec.env.emplace_back("HAKMEM_PLAYBOOK", playbook);
        }
        const ChildResult child = run_child(spec);
        const RunRecord rec = judge_run(scenario, target, round, child, checksum);
        if (rec.ok && checksum.empty()) checksum = rec.result.checksum;
        HeadroomRun& r = lr.run;
        r.scenario = scenario;
        r.candidate = order[pos];
        r.round = round;
        r.position = pos;
        r.wall_s = child.wall_s;
        r.rss_samples = child.rss_samples;
        r.failure = rec.failure;
        r.m.ok = rec.ok;
        r.m.cpu_s = rec.values[kUserS] + rec.values[kSysS];
        r.m.faults = rec.values[kMinorFaults];
        r.m.peak_rss_kb = rec.values[kPeakRssKb];
        r.m.mean_rss_kb = child.mean_rss_kb;
        if (!v.fixed()) {
          lr.trace = read_learner_trace(lr.stats_json);
          // A learner run whose library wrote no learner account measured
          // nothing about learning: fail it rather than score a default.
          if (r.m.ok && (!lr.trace.found || lr.trace.mode != v.learn)) {
            r.m.ok = false;
            r.failure = "no learner account in " + lr.stats_json + " (HAKMEM_LEARN=" + v.learn + " not in effect)";
          }
        }
        progress(++done, total, now_s() - start, lr, v.c.name, o.rounds);
        if (!r.m.ok)
          std::cerr << "\nhakmem-bench: FAILED " << scenario << " under hakmem with " << describe_env(v.c)
                    << " (round " << round << "): " << r.failure << "\n";
        runs.push_back(std::move(lr));
      }
    }
  }
  return runs;
}

}  // namespace hakbench

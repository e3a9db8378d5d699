// The measurement loop: every scenario, every round, every allocator in
// turn (A B C D E, A B C D E, ...), so slow drift of a shared machine hits
// all allocators alike. Each run is checked before it counts.
#pragma once

#include <string>
#include <vector>

#include "options.h"
#include "report.h"
#include "resolve.h"
#include "spawn.h"

namespace hakbench {

struct Plan {
  std::string scenario_exe;
  Options options;
  std::vector<Target> targets;
};

// Runs the plan, printing a progress line per run and the details of every
// failure to stderr.
std::vector<RunRecord> run_plan(const Plan& plan);

// Judges one finished child: parses its result line and checks exit status,
// data verification, the allocator identity and, when `expected_checksum`
// is not empty, that the checksum matches other runs of the scenario.
RunRecord judge_run(const std::string& scenario, const Target& target, int round,
                    const ChildResult& child, const std::string& expected_checksum);

// The scenario program's command line for one run of `scenario`.
std::vector<std::string> scenario_argv(const std::string& scenario_exe, const Options& options,
                                       const std::string& scenario);

// Per-run time limit for a run size unless --timeout is given.
double timeout_for(const Options& options);

}  // namespace hakbench

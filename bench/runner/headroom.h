// hakmem-bench --headroom: hakmem under every fixed strategy of the grid
// (strategy_grid.h) on each scenario, in paired, interleaved rounds, scored
// on the composite cost (headroom_score.h). The answer to "how much can a
// learner that picks among these strategies gain over the default?".
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "headroom_score.h"
#include "options.h"
#include "report.h"

namespace hakbench {

// Resident-set sampling period of the headroom runs. Quick runs last
// 50 ms to 1 s, so 2 ms gives tens to hundreds of samples; reading
// /proc/PID/statm costs the parent microseconds and the child nothing.
inline constexpr int kHeadroomRssSampleMs = 2;

struct HeadroomReport {
  Meta meta;
  std::string library;
  std::vector<std::string> scenarios;
  std::vector<HeadroomRun> runs;
  std::vector<ScenarioHeadroom> results;  // per scenario, after scoring
};

// Confirmation rounds (D B D) per scenario for `rounds` main rounds.
int confirm_rounds(int rounds);

// Runs every scenario of `options` under every strategy of the grid, then
// the best of them again in confirmation rounds; each run is judged like a
// normal bench run (verification, identity, checksum). Progress and
// failures go to stderr, with each scenario's best when done.
std::vector<HeadroomRun> run_headroom(const std::string& scenario_exe, const Options& options,
                                      const std::string& hakmem_lib);

// Scores every scenario of report.runs into report.results.
void score_headroom(HeadroomReport& report);

// headroom.md (also printed), headroom.csv (one row per scenario and
// candidate) and headroom_runs.csv (one row per run).
void write_headroom_markdown(const HeadroomReport& report, std::ostream& out);
bool write_headroom_csv(const HeadroomReport& report, const std::string& dir, std::string* error);

}  // namespace hakbench

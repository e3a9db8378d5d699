// The fixed strategies the headroom mode (`hakmem-bench --headroom`) runs
// hakmem under: the default, the default again as a noise control, each
// Strategy knob moved one or two steps either way alone, and a few
// combinations. A learner can never beat the best strategy in its own set,
// so this table is also the first guess at the learner's candidates.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hakbench {

struct Candidate {
  std::string name;  // short label for tables, e.g. "delay=0"
  // HAKMEM_* variables set for the child, in addition to nothing else: the
  // headroom runner removes every inherited HAKMEM_* variable, so the default
  // candidate (no settings) runs the library's built-in defaults.
  std::vector<std::pair<std::string, std::string>> env;
  bool is_default = false;  // the reference every ratio is taken against
  bool is_control = false;  // the default run again: its ratio is the noise floor
  std::string why;          // the reason for this step, printed in --headroom's legend
};

// The grid, default first and control second; see strategy_grid.cpp for why
// each step.
const std::vector<Candidate>& strategy_grid();

// "HAKMEM_PURGE_DELAY_MS=0 HAKMEM_LARGE_CACHE=256m", or "(defaults)".
std::string describe_env(const Candidate& c);

}  // namespace hakbench

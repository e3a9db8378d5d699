// hakmem-bench's command line: what to run, how often, where to write.
// Parsing is pure (no I/O, no exit) so the unit tests can drive it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hakbench {

// tiny exists for ctest; quick is the default; full is the sizes.
enum class RunSize { kTiny, kQuick, kFull };
const char* run_size_name(RunSize s);

struct Options {
  RunSize size = RunSize::kQuick;
  std::vector<std::string> scenarios;   // in suite order; default: the whole suite
  std::vector<std::string> allocators;  // in the order given; default: all known
  bool allocators_given = false;        // explicit: a missing one is an error, not a skip
  int rounds = 5;
  int threads = 8;
  uint64_t iterations = 0;  // 0: each scenario's default for the size
  uint64_t seed = 42;
  std::string out_dir;     // empty: bench/results/<timestamp>-<size>/
  std::string hakmem_lib;  // empty: $HAKMEM_BENCH_LIB, else the build's libhakmem
  double timeout_s = 0;    // per run; 0: by size (see runner.cpp)
  bool help = false;
  bool list = false;
  bool headroom = false;  // hakmem under the fixed-strategy grid (headroom.h)
  bool learner = false;   // fixed strategies against HAKMEM_LEARN (learner.h)
  // --learner: the HAKMEM_LEARN_EPOCH_MS values to run ELO and UCB1 with.
  std::vector<int> learn_epoch_ms = {100};
  // --learner: the fixed strategies to run by name (empty: all of them).
  std::vector<std::string> learner_fixed;
};

struct ParseResult {
  Options options;
  std::string error;  // empty when parsing succeeded
  bool ok() const { return error.empty(); }
};

// args excludes argv[0]. Accepts "--opt value" and "--opt=value".
ParseResult parse_options(const std::vector<std::string>& args);
std::string usage_text();

// The default suite, in order; `corrupt` is runnable by name but hidden.
const std::vector<std::string>& suite_scenarios();
const std::vector<std::string>& hidden_scenarios();
// The phase-changing scenarios of the learner's proof: runnable by name and
// the default of --learner, not in the default suite (10-20 s each).
const std::vector<std::string>& phase_scenarios();
const std::vector<std::string>& known_allocators();

}  // namespace hakbench

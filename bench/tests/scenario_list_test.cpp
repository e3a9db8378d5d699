// The runner's list of scenarios (options.cpp) and the scenario program's
// registry (scenarios/registry.cpp) must name the same scenarios in the
// same order: the runner validates names before it starts any process.
// The program lists the suite, then the phase scenarios of --learner.
#include <gtest/gtest.h>

#include <sstream>

#include "options.h"
#include "spawn.h"

namespace hakbench {
namespace {

TEST(ScenarioList, RunnerAndScenarioProgramAgree) {
  const ChildResult r = run_child({HAKMEM_BENCH_SCENARIO_EXE, "--list"}, "", 30);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> names;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) names.push_back(line.substr(0, line.find(' ')));
  std::vector<std::string> expected = suite_scenarios();
  expected.insert(expected.end(), phase_scenarios().begin(), phase_scenarios().end());
  EXPECT_EQ(names, expected);
}

TEST(ScenarioList, UnknownScenarioIsRejectedByTheScenarioProgram) {
  const ChildResult r = run_child({HAKMEM_BENCH_SCENARIO_EXE, "--scenario", "nosuch"}, "", 30);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("usage"), std::string::npos);
}

}  // namespace
}  // namespace hakbench

// hakmem-bench's command line: defaults, every option, and the errors that
// must print usage and exit non-zero.
#include "options.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hakbench {
namespace {

ParseResult parse(std::vector<std::string> args) { return parse_options(args); }

TEST(Options, NoArgumentsMeansQuickSuiteOfAllScenariosAndAllocatorsFiveRounds) {
  const ParseResult r = parse({});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.options.size, RunSize::kQuick);
  EXPECT_EQ(r.options.scenarios, suite_scenarios());
  EXPECT_EQ(r.options.allocators, known_allocators());
  EXPECT_FALSE(r.options.allocators_given);
  EXPECT_EQ(r.options.rounds, 5);
  EXPECT_EQ(r.options.threads, 8);
  EXPECT_EQ(r.options.seed, 42u);
  EXPECT_EQ(r.options.iterations, 0u);
}

TEST(Options, SuiteHasTheFourteenScenariosAndTheSixMultithreadedOnesAndHidesCorrupt) {
  EXPECT_EQ(suite_scenarios().size(), 20u);
  for (const char* s : {"handoff", "server", "server-sized", "falseshare-active", "falseshare-passive", "workingset"})
    EXPECT_NE(std::find(suite_scenarios().begin(), suite_scenarios().end(), s), suite_scenarios().end()) << s;
  EXPECT_EQ(hidden_scenarios(), std::vector<std::string>{"corrupt"});
}

TEST(Options, FullAndTinySelectTheSize) {
  EXPECT_EQ(parse({"--full"}).options.size, RunSize::kFull);
  EXPECT_EQ(parse({"--tiny"}).options.size, RunSize::kTiny);
  EXPECT_EQ(parse({"--full", "--quick"}).options.size, RunSize::kQuick);
}

TEST(Options, ScenarioListRunsInSuiteOrderWithoutDuplicates) {
  const ParseResult r = parse({"--scenario", "vm,json,vm"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.options.scenarios, (std::vector<std::string>{"json", "vm"}));
}

TEST(Options, HiddenScenarioIsRunnableByName) {
  const ParseResult r = parse({"--scenario=corrupt"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.options.scenarios, std::vector<std::string>{"corrupt"});
}

TEST(Options, AllocatorListKeepsTheGivenOrderAndMarksItExplicit) {
  const ParseResult r = parse({"--allocators", "hakmem,glibc"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.options.allocators, (std::vector<std::string>{"hakmem", "glibc"}));
  EXPECT_TRUE(r.options.allocators_given);
}

TEST(Options, NumbersAreParsedInBothSpellings) {
  const ParseResult r = parse({"--rounds", "7", "--threads=3", "--iterations", "1000", "--seed", "0x10",
                               "--timeout", "2.5", "--out", "/tmp/x", "--hakmem-lib=/tmp/libhakmem.so"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.options.rounds, 7);
  EXPECT_EQ(r.options.threads, 3);
  EXPECT_EQ(r.options.iterations, 1000u);
  EXPECT_EQ(r.options.seed, 16u);
  EXPECT_DOUBLE_EQ(r.options.timeout_s, 2.5);
  EXPECT_EQ(r.options.out_dir, "/tmp/x");
  EXPECT_EQ(r.options.hakmem_lib, "/tmp/libhakmem.so");
}

TEST(Options, UnknownOptionIsAnError) {
  const ParseResult r = parse({"--fast"});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("--fast"), std::string::npos);
}

TEST(Options, UnknownScenarioIsAnErrorNamingIt) {
  const ParseResult r = parse({"--scenario", "json,nosuch"});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("nosuch"), std::string::npos);
}

TEST(Options, UnknownAllocatorIsAnError) { EXPECT_FALSE(parse({"--allocators", "ptmalloc3"}).ok()); }

TEST(Options, MissingOrBadValuesAreErrors) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--rounds"}, {"--rounds", "0"}, {"--rounds", "-1"}, {"--rounds", "x"}, {"--threads", "0"},
           {"--iterations", "0"}, {"--seed", "-5"}, {"--scenario", ""}, {"--scenario", ","},
           {"--timeout", "0"}, {"--out", ""}, {"--quick=1"}})
    EXPECT_FALSE(parse(args).ok()) << args[0];
}

TEST(Options, UsageNamesEveryScenarioAndOption) {
  const std::string u = usage_text();
  for (const auto& s : suite_scenarios()) EXPECT_NE(u.find(s), std::string::npos) << s;
  for (const char* o : {"--quick", "--full", "--scenario", "--allocators", "--rounds", "--threads",
                        "--iterations", "--seed", "--out", "--hakmem-lib"})
    EXPECT_NE(u.find(o), std::string::npos) << o;
  EXPECT_EQ(u.find("corrupt"), std::string::npos);
}

}  // namespace
}  // namespace hakbench

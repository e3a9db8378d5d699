// HAKMEM_* variables that name no option: one warning each at start,
// naming the closest option from the table (policy/unknown_options.h).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstring>
#include <string>
#include <vector>

#include "policy/options.h"
#include "policy/unknown_options.h"
#include "probe_run.h"

namespace {

using hakmem::Option;
using hakmem::option_closest;
using hakmem::option_name;
using hakmem::option_name_distance;

int Distance(const char* a, const char* b) { return option_name_distance(a, strlen(a), b); }
const char* Closest(const char* name) { return option_name(option_closest(name, strlen(name))); }

TEST(OptionNameDistance, CountsInsertionsDeletionsAndSubstitutions) {
    EXPECT_EQ(Distance("HAKMEM_VERBOSE", "HAKMEM_VERBOSE"), 0);
    EXPECT_EQ(Distance("HAKMEM_VERBOS", "HAKMEM_VERBOSE"), 1);
    EXPECT_EQ(Distance("HAKMEM_VERBOSEE", "HAKMEM_VERBOSE"), 1);
    EXPECT_EQ(Distance("HAKMEM_VERBUSE", "HAKMEM_VERBOSE"), 1);
    EXPECT_EQ(Distance("kitten", "sitting"), 3);
    EXPECT_EQ(Distance("", "abc"), 3);
}

TEST(OptionNameDistance, CutsVeryLongNamesInsteadOfOverflowing) {
    std::string huge(10000, 'X');
    EXPECT_EQ(option_name_distance(huge.c_str(), huge.size(), ""), int(hakmem::kMaxOptionNameLength));
}

TEST(OptionClosest, NamesTheOptionATypoMeant) {
    EXPECT_STREQ(Closest("HAKMEM_PURGE_DELAY"), "HAKMEM_PURGE_DELAY_MS");
    EXPECT_STREQ(Closest("HAKMEM_SHOWSTATS"), "HAKMEM_SHOW_STATS");
    EXPECT_STREQ(Closest("HAKMEM_STAT_JSON"), "HAKMEM_STATS_JSON");
    EXPECT_STREQ(Closest("HAKMEM_TELEMETRY"), "HAKMEM_TELEMETRY");
}

TEST(OptionsWarnUnknown, CountsEachUnknownNameOnceAndNeverAKnownOne) {
    const char* env[] = {"PATH=/bin", "HAKMEM_VERBOSE=0", "HAKMEM_PURGE_DELAY=0", "HAKMEM_NOPE=1",
                         "HAKMEM_PURGE_DELAY=5", "HAKMEM_TEST_SEED=3", "HAKMEM_BENCH_LIB=x", nullptr};
    EXPECT_EQ(hakmem::options_warn_unknown(env), 2);
    EXPECT_EQ(hakmem::options_warn_unknown(nullptr), 0);
}

// ---- seen from a fresh process --------------------------------------------

using hakt::ProbeRun;
using hakt::RunProbe;

using hakt::Lines;

TEST(UnknownOptionWarning, AProcessPrintsOneLineNamingTheVariableAndTheClosestOption) {
    ProbeRun run = RunProbe(HAKMEM_SECURE_PROBE, {"HAKMEM_PURGE_DELAY=0"});
    ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) << run.err;
    std::vector<std::string> lines = Lines(run.err);
    ASSERT_EQ(lines.size(), 1u) << run.err;
    EXPECT_EQ(lines[0], "hakmem: warning: HAKMEM_PURGE_DELAY is not a hakmem option (ignored); "
                        "closest: HAKMEM_PURGE_DELAY_MS");
    EXPECT_EQ(run.fields["purge_delay_ms"], "250") << "the unknown variable changed the purge delay";
}

TEST(UnknownOptionWarning, AVariableSetTwiceIsWarnedAboutOnceAndKnownOnesNever) {
    ProbeRun run = RunProbe(HAKMEM_SECURE_PROBE,
                            {"HAKMEM_NO_SUCH_MODE=elo", "HAKMEM_NO_SUCH_MODE=elo", "HAKMEM_PURGE_DELAY_MS=7"});
    ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) << run.err;
    std::vector<std::string> lines = Lines(run.err);
    ASSERT_EQ(lines.size(), 1u) << run.err;
    EXPECT_NE(lines[0].find("HAKMEM_NO_SUCH_MODE is not a hakmem option"), std::string::npos) << lines[0];
    EXPECT_EQ(run.fields["purge_delay_ms"], "7");
}

TEST(UnknownOptionWarning, ControlBytesInTheNameArePrintedAsQuestionMarks) {
    ProbeRun run = RunProbe(HAKMEM_SECURE_PROBE, {"HAKMEM_\x1b[31mRED=1"});
    ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) << run.err;
    EXPECT_EQ(run.err.find('\x1b'), std::string::npos) << "an escape byte reached the terminal";
    EXPECT_NE(run.err.find("HAKMEM_?[31mRED is not a hakmem option"), std::string::npos) << run.err;
}

TEST(UnknownOptionWarning, AProcessWithOnlyKnownOptionsPrintsNothing) {
    ProbeRun run = RunProbe(HAKMEM_SECURE_PROBE, {"HAKMEM_PURGE_DELAY_MS=7", "HAKMEM_TELEMETRY=off"});
    ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) << run.err;
    EXPECT_EQ(run.err, "");
}

}  // namespace

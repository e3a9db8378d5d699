// The large-block options: each HAKMEM_* value reaches the Strategy, and a
// malformed one falls back to its default with one warning naming it.
#include <spawn.h>

#include <map>
#include <string>

#include "large_test_support.h"
#include "probe_run.h"

namespace hakt {
namespace {

// The option probe (a fresh process, so options are read anew) with one
// extra environment variable.
ProbeRun RunOptionProbe(const std::string& assignment) { return RunProbe(HAKMEM_LARGE_OPTION_PROBE, {assignment}); }

struct Case {
    const char* assignment;
    const char* field;
    const char* expected;  // the value the Strategy must hold
    bool warns;
};

class LargeOptionsTest : public ::testing::TestWithParam<Case> {};

TEST_P(LargeOptionsTest, TheValueReachesTheStrategyOrFallsBackToTheDefaultWithAWarning) {
    const Case& c = GetParam();
    ProbeRun run = RunOptionProbe(c.assignment);
    ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) << run.err;
    EXPECT_EQ(run.fields[c.field], c.expected) << c.assignment;
    std::string name(c.assignment, std::strchr(c.assignment, '=') - c.assignment);
    size_t warnings = 0;
    for (const std::string& line : Lines(run.err))
        if (line.find("warning") != std::string::npos && line.find(name) != std::string::npos &&
            line.find("default") != std::string::npos)
            ++warnings;
    EXPECT_EQ(warnings, c.warns ? 1u : 0u) << "stderr:\n" << run.err;
}

const Case kCases[] = {
    {"HAKMEM_MMAP_THRESHOLD=16M", "mmap_threshold", "16777216", false},
    {"HAKMEM_MMAP_THRESHOLD=1048576", "mmap_threshold", "1048576", false},
    {"HAKMEM_MMAP_THRESHOLD=lots", "mmap_threshold", "33554432", true},
    {"HAKMEM_MMAP_THRESHOLD=12Q", "mmap_threshold", "33554432", true},
    {"HAKMEM_MMAP_THRESHOLD=-5", "mmap_threshold", "33554432", true},
    {"HAKMEM_LARGE_CACHE=256MiB", "large_cache_max", "268435456", false},
    {"HAKMEM_LARGE_CACHE=0", "large_cache_max", "0", false},
    {"HAKMEM_LARGE_CACHE=99999999999999999999", "large_cache_max", "67108864", true},
    {"HAKMEM_LARGE_CACHE=4T", "large_cache_max", "67108864", true},
    {"HAKMEM_PURGE_BATCH=1m", "purge_batch_bytes", "1048576", false},
    {"HAKMEM_PURGE_BATCH=", "purge_batch_bytes", "4194304", true},
    {"HAKMEM_HUGE_PAGES=off", "huge_pages", "0", false},
    {"HAKMEM_HUGE_PAGES=on", "huge_pages", "1", false},
    {"HAKMEM_HUGE_PAGES=large", "huge_pages", "2", false},
    {"HAKMEM_HUGE_PAGES=always", "huge_pages", "2", true},
    {"HAKMEM_HUGE_PAGES=7", "huge_pages", "2", true},
    {"HAKMEM_PURGE_THREAD=off", "purge_thread", "0", false},
    {"HAKMEM_PURGE_THREAD=maybe", "purge_thread", "1", true},
    {"HAKMEM_PURGE_DELAY_MS=soon", "purge_delay_ms", "250", true},
};

INSTANTIATE_TEST_SUITE_P(Each, LargeOptionsTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) {
                             std::string name;
                             for (const char* s = info.param.assignment; *s; ++s)
                                 name += std::isalnum(static_cast<unsigned char>(*s)) ? *s : '_';
                             return name + "_" + std::to_string(info.index);
                         });

TEST(LargeStrategyTest, OutOfRangeValuesAreRefusedAndChangeNothing) {
    hak_strategy_t before = GetStrategy();
    hak_strategy_t s = before;
    s.huge_pages = 3;
    EXPECT_EQ(hak_set_strategy(&s), HAK_E_INVALID);
    s = before;
    s.purge_thread = 2;
    EXPECT_EQ(hak_set_strategy(&s), HAK_E_INVALID);
    s = before;
    s.large_cache_max = uint64_t{1} << 50;
    EXPECT_EQ(hak_set_strategy(&s), HAK_E_INVALID);
    hak_strategy_t after = GetStrategy();
    EXPECT_EQ(std::memcmp(&before, &after, sizeof before), 0);
}

TEST(LargeStrategyTest, AnOlderClientsStrategyLeavesTheLargeFieldsAlone) {
    hak_strategy_t before = GetStrategy();
    hak_strategy_t changed = before;
    changed.large_cache_max = 16 * MiB;
    ASSERT_EQ(hak_set_strategy(&changed), HAK_OK);
    // A client built against ABI 1.0 knows only the fields up to reserved0.
    hak_strategy_t old = GetStrategy();
    old.struct_size = offsetof(hak_strategy_t, reserved0) + sizeof old.reserved0;
    old.purge_delay_ms = 500;
    ASSERT_EQ(hak_set_strategy(&old), HAK_OK);
    hak_strategy_t now = GetStrategy();
    EXPECT_EQ(now.purge_delay_ms, 500u);
    EXPECT_EQ(now.large_cache_max, 16 * MiB);
    hak_set_strategy(&before);
}

}  // namespace
}  // namespace hakt

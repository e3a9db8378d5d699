// The segment cache (core/segment.cpp) hands a segment back with the
// huge-page mode in force when it is taken, not the one it was mapped
// under: a program reuses most of its segments from the cache, so a
// Strategy installed mid-run (hak_set_strategy, the learner) must reach
// them there. The clock is stopped, so nothing purges or unmaps the cached
// segment between a free and the next take.
#include <gtest/gtest.h>

#include "core/heap.h"
#include "core/segment.h"
#include "large/strategy_install.h"
#include "os/os_memory.h"
#include "policy/strategy.h"
#include "test_clock.h"

namespace hakmem {
namespace {

// A heap no thread uses: segment_alloc only records it as the owner.
Heap g_heap;

void InstallHuge(HugePages mode) {
    StrategyValues st = strategy_snapshot();
    st.huge_pages = static_cast<uint32_t>(mode);
    if (st.segment_cache_max < 1) st.segment_cache_max = 1;
    ASSERT_EQ(strategy_install(st), 0);
}

TEST(SegmentCache, ASegmentTakenFromTheCacheGetsTheHugePageModeInForceThen) {
    hakt::TestClock clock;
    const StrategyValues saved = strategy_snapshot();
    InstallHuge(HugePages::kLargeOnly);
    Segment* seg = segment_alloc(&g_heap, SegmentKind::kSmall);
    ASSERT_NE(seg, nullptr);
    EXPECT_EQ(seg->huge_advised, 0) << "mapped under the default: no advice";
    segment_free(seg);

    InstallHuge(HugePages::kOn);
    uint64_t calls = os::os_counters().huge_advice_calls;
    Segment* again = segment_alloc(&g_heap, SegmentKind::kSmall);
    ASSERT_EQ(again, seg) << "the cache hands back the most recently freed segment";
    EXPECT_EQ(again->huge_advised, 1);
    EXPECT_EQ(os::os_counters().huge_advice_calls, calls + 1);
    segment_free(again);

    calls = os::os_counters().huge_advice_calls;
    again = segment_alloc(&g_heap, SegmentKind::kMedium);
    ASSERT_EQ(again, seg);
    EXPECT_EQ(os::os_counters().huge_advice_calls, calls) << "already advised: no second madvise";
    segment_free(again);

    InstallHuge(HugePages::kLargeOnly);
    calls = os::os_counters().huge_advice_calls;
    again = segment_alloc(&g_heap, SegmentKind::kSmall);
    ASSERT_EQ(again, seg);
    EXPECT_EQ(again->huge_advised, 0) << "the advice taken back";
    EXPECT_EQ(os::os_counters().huge_advice_calls, calls + 1);
    segment_free(again);
    ASSERT_EQ(strategy_install(saved), 0);
}

}  // namespace
}  // namespace hakmem

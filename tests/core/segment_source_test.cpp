// segment_alloc takes a resident mapping from the large-block cache when
// its own cache is empty (core/segment.h, SegmentSource): the memory a freed
// large block left resident holds small blocks at once instead of waiting
// out the purge delay while a new segment faults in fresh pages. Its pages
// count that memory as touched, so a purge releases it later. Mappings with
// little resident, or freed too recently, stay for large requests. The
// clock is stopped and moved by the tests: nothing purges the cached
// mapping between its free and the take.
#include <gtest/gtest.h>

#include <cstring>

#include "core/heap.h"
#include "core/segment.h"
#include "core/segment_map.h"
#include "hakmem/hakmem.h"
#include "large/large_cache.h"
#include "large/strategy_install.h"
#include "policy/strategy.h"
#include "rare_sampling.h"
#include "test_clock.h"

namespace hakmem {
namespace {

constexpr size_t kKiB = 1024;

// A heap no thread uses: segment_alloc only records it as the owner.
Heap g_heap;

// No cached segments (so segment_alloc asks the source) and a large cache
// that keeps what the test frees.
class SegmentSourceTest : public hakt::RareSamplingTest {
protected:
    void SetUp() override {
        hakt::RareSamplingTest::SetUp();
        saved_ = strategy_snapshot();
        StrategyValues st = saved_;
        st.segment_cache_max = 0;
        st.large_cache_max = 64 << 20;
        st.mmap_threshold = 32 << 20;
        ASSERT_EQ(strategy_install(st), 0);
        hak_collect(1);  // an empty large cache: only the test's mappings in it
    }
    void TearDown() override {
        ASSERT_EQ(strategy_install(saved_), 0);
        hakt::RareSamplingTest::TearDown();
    }

    // A large block of `bytes`, written, then freed into the large cache
    // and left there for `age_ms`: its mapping.
    Segment* CachedMapping(size_t bytes, uint64_t age_ms) {
        void* p = hak_malloc(bytes);
        EXPECT_NE(p, nullptr);
        std::memset(p, 0x5A, bytes);
        Segment* mapping = segment_of(p);
        hak_free(p);
        clock_.Advance(age_ms);
        return mapping;
    }
    static uint64_t MinAge() { return strategy_snapshot().purge_delay_ms / 16; }

    // A new segment does not take `mapping`, which serves the next large
    // request of `bytes` instead.
    static void ExpectLeftForLargeRequests(Segment* mapping, size_t bytes, const char* why) {
        Segment* seg = segment_alloc(&g_heap, SegmentKind::kSmall);
        ASSERT_NE(seg, nullptr);
        EXPECT_NE(seg, mapping) << why;
        void* again = hak_malloc(bytes);
        EXPECT_EQ(segment_of(again), mapping) << "the cached block serves the next large request";
        hak_free(again);
        segment_free(seg);
    }

    hakt::TestClock clock_;
    StrategyValues saved_{};
};

// A block whose mapping fills its 4 MiB slot: it becomes a segment as it
// is, with no mremap, so nothing else in the process can change the outcome.
TEST_F(SegmentSourceTest, AResidentLargeMappingBecomesTheNextSegment) {
    Segment* mapping = CachedMapping(kSegmentSize - kLargeHeaderSize, MinAge());
    uint64_t counted = large_cache_stats().to_segments;
    Segment* seg = segment_alloc(&g_heap, SegmentKind::kSmall);
    ASSERT_NE(seg, nullptr);
    EXPECT_EQ(seg, mapping) << "a new mapping, with 4 MiB resident in the large cache";
    EXPECT_EQ(large_cache_stats().to_segments, counted + 1) << "hak_stats_t.large_cache_to_segments counts it";
    EXPECT_EQ(seg->mapping_size, kSegmentSize);
    EXPECT_EQ(seg->kind, SegmentKind::kSmall);
    EXPECT_EQ(seg->cookie, segment_cookie(seg));
    EXPECT_TRUE(segment_map_contains(seg));
    EXPECT_EQ(seg->used_pages, 0u);
    // All of it was written: every page counts its whole area as touched.
    for (unsigned i = 0; i < seg->page_count; ++i) {
        size_t size = 0;
        page_area(seg, &seg->pages[i], &size);
        EXPECT_EQ(seg->pages[i].in_use, 0) << "page " << i;
        EXPECT_EQ(seg->pages[i].touched, size) << "page " << i;
    }
    segment_free(seg);
}

// A shorter mapping grows in place to 4 MiB; only its resident part counts
// as touched. The growth needs the rest of its slot free, which the address
// hint of its mmap asks for but cannot promise (under ASan, the sanitizer's
// own mappings sometimes land there): then the mapping is given up, and the
// test says so instead of checking.
TEST_F(SegmentSourceTest, AShorterMappingGrowsAndOnlyItsResidentPartCountsAsTouched) {
    Segment* mapping = CachedMapping(1024 * kKiB, MinAge());
    Segment* seg = segment_alloc(&g_heap, SegmentKind::kSmall);
    ASSERT_NE(seg, nullptr);
    size_t touched = 0;
    for (unsigned i = 0; i < seg->page_count; ++i) touched += seg->pages[i].touched;
    // Nothing touched and the cached mapping gone: it could not grow, was
    // unmapped, and the segment is a fresh mapping (possibly at its address).
    if (touched == 0 && (seg == mapping || !segment_map_contains(mapping))) {
        segment_free(seg);
        GTEST_SKIP() << "another mapping took the rest of the block's 4 MiB slot: it could not grow";
    }
    EXPECT_EQ(seg, mapping) << "a new mapping, with 1 MiB resident in the large cache";
    EXPECT_EQ(seg->mapping_size, kSegmentSize);
    EXPECT_GE(touched + kSegmentHeaderSize, 1024 * kKiB);
    EXPECT_LE(touched, 1040 * kKiB);
    EXPECT_EQ(seg->pages[seg->page_count - 1].touched, 0u);
    segment_free(seg);
}

TEST_F(SegmentSourceTest, AMappingFreedJustNowStaysForLargeRequests) {
    Segment* mapping = CachedMapping(1024 * kKiB, MinAge() - 1);
    ExpectLeftForLargeRequests(mapping, 1024 * kKiB, "cached for less than a sixteenth of the purge delay");
}

TEST_F(SegmentSourceTest, AMappingWithLittleResidentStaysForLargeRequests) {
    Segment* mapping = CachedMapping(128 * kKiB, MinAge());
    ExpectLeftForLargeRequests(mapping, 128 * kKiB, "128 KiB resident: below the 256 KiB worth a segment");
}

}  // namespace
}  // namespace hakmem

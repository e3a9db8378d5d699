// realloc of large blocks: contents kept through every kind of resize, and
// no copy where the mapping can grow, shrink or move instead.
#include <vector>

#include "large_test_support.h"

namespace hakt {
namespace {

using LargeReallocTest = LargeTest;

TEST_F(LargeReallocTest, ASequenceOfGrowsAndShrinksKeepsTheContents) {
    const size_t sizes[] = {100 * KiB, 3 * MiB, 20 * MiB, 200 * KiB, 70 * KiB, 5 * MiB, 40 * MiB, 4 * KiB, 9 * MiB};
    void* p = hak_malloc(Opaque(sizes[0]));
    FillPattern(p, sizes[0], 7);
    size_t valid = sizes[0];
    for (size_t i = 1; i < sizeof sizes / sizeof sizes[0]; ++i) {
        void* q = hak_realloc(p, Opaque(sizes[i]));
        ASSERT_NE(q, nullptr) << "to " << sizes[i];
        size_t keep = valid < sizes[i] ? valid : sizes[i];
        ASSERT_EQ(CheckPattern(q, keep, 7), SIZE_MAX) << "step " << i << ": " << valid << " -> " << sizes[i];
        EXPECT_GE(hak_usable_size(q), sizes[i]);
        FillPattern(q, sizes[i], 7);  // the pattern is positional: the grown part extends it
        valid = sizes[i];
        p = q;
    }
    hak_free(p);
}

TEST_F(LargeReallocTest, GrowingALargeBlockNeverCopiesIt) {
    void* p = hak_malloc(Opaque(size_t{1} * MiB));
    FillPattern(p, MiB, 11);
    size_t size = MiB;
    hak_stats_t before = Stats();
    for (int i = 0; i < 12; ++i) {
        size += size / 2;
        void* q = hak_realloc(p, size);
        ASSERT_NE(q, nullptr);
        ASSERT_EQ(CheckPattern(q, MiB, 11), SIZE_MAX) << "after growing to " << size;
        p = q;
    }
    hak_stats_t after = Stats();
    EXPECT_EQ(after.large_realloc_in_place - before.large_realloc_in_place, 12u)
        << "each grow in place or by moving the mapping";
    EXPECT_EQ(after.large_allocs, before.large_allocs) << "no new block, so no copy";
    hak_free(p);
}

TEST_F(LargeReallocTest, AMovedBlockIsAValidBlockAtItsNewAddress) {
    // Two neighbours: the first cannot grow where it is once the second sits
    // right after it (both in 4 MiB slots), so it moves.
    void* a = hak_malloc(Opaque(4 * MiB - 8 * KiB));
    void* b = hak_malloc(Opaque(4 * MiB - 8 * KiB));
    FillPattern(a, 4 * MiB - 8 * KiB, 21);
    void* moved = hak_realloc(a, Opaque(12 * MiB));
    ASSERT_NE(moved, nullptr);
    EXPECT_EQ(CheckPattern(moved, 4 * MiB - 8 * KiB, 21), SIZE_MAX);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(moved) % 4096, 0u);
    EXPECT_GE(hak_usable_size(moved), 12 * MiB);
    Touch(static_cast<char*>(moved) + 4 * MiB, 8 * MiB);
    ChildResult r = RunInChild([moved] {
        hak_free(moved);  // no "invalid pointer" report
        return 0;
    });
    EXPECT_TRUE(r.ExitedWith(0)) << r.Describe();
    EXPECT_EQ(r.err.find("invalid"), std::string::npos) << r.err;
    hak_free(moved);
    hak_free(b);
}

TEST_F(LargeReallocTest, ShrinkingALargeBlockReturnsItsTail) {
    void* p = hak_malloc(Opaque(16 * MiB));
    Touch(p, 16 * MiB);
    FillPattern(p, 256 * KiB, 5);
    hak_stats_t before = Stats();
    void* q = hak_realloc(p, Opaque(size_t{256} * KiB));
    hak_stats_t after = Stats();
    EXPECT_EQ(q, p) << "in place";
    EXPECT_EQ(CheckPattern(q, 256 * KiB, 5), SIZE_MAX);
    EXPECT_EQ(after.munmap_calls, before.munmap_calls + 1) << "the tail is unmapped";
    EXPECT_GE(after.munmap_bytes - before.munmap_bytes, 15 * MiB);
    hak_free(q);
}

TEST_F(LargeReallocTest, AlignedLargeBlocksKeepTheirContentsThroughRealloc) {
    for (size_t alignment : {size_t{64} * KiB, size_t{2} * MiB, size_t{8} * MiB}) {
        void* p = hak_aligned_alloc(alignment, Opaque(3 * MiB));
        ASSERT_NE(p, nullptr);
        ASSERT_TRUE(IsAligned(p, alignment));
        FillPattern(p, 3 * MiB, alignment);
        void* q = hak_realloc(p, Opaque(30 * MiB));
        ASSERT_NE(q, nullptr);
        EXPECT_EQ(CheckPattern(q, 3 * MiB, alignment), SIZE_MAX);
        hak_free(q);
    }
}

TEST_F(LargeReallocTest, ShrinkingBelowTheLargeRangeMovesToASmallBlock) {
    void* p = hak_malloc(Opaque(size_t{200} * KiB));
    FillPattern(p, 32 * KiB, 9);
    void* q = hak_realloc(p, Opaque(size_t{32} * KiB));
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(CheckPattern(q, 32 * KiB, 9), SIZE_MAX);
    EXPECT_LT(hak_usable_size(q), 64 * KiB + 1);
    hak_free(q);
}

}  // namespace
}  // namespace hakt

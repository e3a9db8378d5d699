// Alignment: the default 16 bytes for every size, and requested alignments
// from 16 bytes to 8 MiB through every aligned entry point.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "hakmem_test_support.h"

namespace {

using hakt::KiB;
using hakt::MiB;
using hakt::Opaque;

class Alignment : public ::testing::TestWithParam<const hakt::Api*> {
protected:
    const hakt::Api& api() const { return *GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Api, Alignment, ::testing::ValuesIn(hakt::AllApis()),
                         [](const auto& info) { return std::string(info.param->name); });

// Sizes 0..4 MiB: every size up to 2 KiB, then each power of two and its
// neighbours, then steps of an eighth in between (so every size class is hit).
std::vector<size_t> SizesUpToFourMebibytes() {
    std::vector<size_t> sizes;
    for (size_t s = 0; s <= 2 * KiB; ++s) sizes.push_back(s);
    for (size_t p = 2 * KiB; p <= 4 * MiB; p *= 2) {
        for (size_t k = 0; k < 8; ++k) {
            size_t s = p + p / 8 * k;
            if (s > 4 * MiB) break;
            sizes.push_back(s - 1);
            sizes.push_back(s);
            sizes.push_back(s + 1);
        }
    }
    sizes.push_back(4 * MiB);
    return sizes;
}

TEST_P(Alignment, EveryBlockIsSixteenByteAlignedForSizesUpToFourMebibytes) {
    struct Live {
        void* p;
        size_t size;
    };
    std::vector<Live> live;
    for (size_t size : SizesUpToFourMebibytes()) {
        void* p = api().malloc(Opaque(size));
        ASSERT_NE(p, nullptr) << "malloc(" << size << ")";
        ASSERT_TRUE(hakt::IsAligned(p, 16)) << "malloc(" << size << ") = " << p;
        ASSERT_GE(api().usable_size(p), size) << "malloc(" << size << ")";
        void* c = api().calloc(1, Opaque(size));
        ASSERT_NE(c, nullptr) << "calloc(1, " << size << ")";
        ASSERT_TRUE(hakt::IsAligned(c, 16)) << "calloc(1, " << size << ") = " << c;
        // Touch both ends of each block.
        if (size) {
            static_cast<char*>(p)[0] = 1;
            static_cast<char*>(p)[size - 1] = 2;
        }
        api().free(c);
        // Keep the small and medium ones live so later blocks come from
        // partly used pages, not only fresh ones.
        if (size <= 64 * KiB) live.push_back({p, size});
        else api().free(p);
    }
    for (const Live& l : live) {
        if (l.size == 1) {
            EXPECT_EQ(static_cast<char*>(l.p)[0], 2) << "block " << l.p << " of size 1 changed";
        } else if (l.size > 1) {
            EXPECT_EQ(static_cast<char*>(l.p)[0], 1) << "block " << l.p << " of size " << l.size << " changed";
            EXPECT_EQ(static_cast<char*>(l.p)[l.size - 1], 2) << "block " << l.p << " of size " << l.size << " changed";
        }
        api().free(l.p);
    }
}

TEST_P(Alignment, ReallocResultsAreSixteenByteAligned) {
    void* p = nullptr;
    for (size_t size = 1; size <= 4 * MiB; size = size * 3 / 2 + 1) {
        p = api().realloc(p, Opaque(size));
        ASSERT_NE(p, nullptr);
        ASSERT_TRUE(hakt::IsAligned(p, 16)) << "realloc to " << size << " = " << p;
    }
    for (size_t size = 4 * MiB; size > 0; size /= 3) {
        p = api().realloc(p, Opaque(size));
        ASSERT_NE(p, nullptr);
        ASSERT_TRUE(hakt::IsAligned(p, 16)) << "realloc to " << size << " = " << p;
    }
    api().free(p);
}

// Requested alignments 16 B .. 1 MiB and 2, 4, 8 MiB, small and large sizes,
// through aligned_alloc, posix_memalign and memalign.
TEST_P(Alignment, RequestedAlignmentsUpToEightMebibytesAreHonouredForSmallAndLargeSizes) {
    for (size_t alignment = 16; alignment <= 8 * MiB; alignment *= 2) {
        const size_t sizes[] = {1, 24, 200, alignment / 2 + 1, alignment - 16, alignment, alignment + 1,
                                2 * alignment + 100, 300 * KiB + 1};
        for (size_t size : sizes) {
            if (size == 0) continue;
            SCOPED_TRACE("alignment " + std::to_string(alignment) + " size " + std::to_string(size));
            void* a = api().aligned_alloc(Opaque(alignment), Opaque(size));
            ASSERT_NE(a, nullptr) << "aligned_alloc";
            EXPECT_TRUE(hakt::IsAligned(a, alignment)) << "aligned_alloc gave " << a;
            EXPECT_GE(api().usable_size(a), size);
            static_cast<char*>(a)[0] = 1;
            static_cast<char*>(a)[size - 1] = 1;

            void* pm = nullptr;
            ASSERT_EQ(api().posix_memalign(&pm, Opaque(alignment), Opaque(size)), 0) << "posix_memalign";
            EXPECT_TRUE(hakt::IsAligned(pm, alignment)) << "posix_memalign gave " << pm;
            EXPECT_GE(api().usable_size(pm), size);
            static_cast<char*>(pm)[0] = 1;
            static_cast<char*>(pm)[size - 1] = 1;

            void* m = api().memalign(Opaque(alignment), Opaque(size));
            ASSERT_NE(m, nullptr) << "memalign";
            EXPECT_TRUE(hakt::IsAligned(m, alignment)) << "memalign gave " << m;
            EXPECT_GE(api().usable_size(m), size);
            static_cast<char*>(m)[0] = 1;
            static_cast<char*>(m)[size - 1] = 1;

            if (api().free_aligned_sized) api().free_aligned_sized(a, alignment, size);
            else api().free(a);
            api().free(pm);
            api().free(m);
        }
    }
}

// A zero-byte request still gets a block of its own that can be written and
// freed (glibc gives 16 bytes or more; the secure build gives exactly none,
// and faults on any access). A large block of zero bytes once
// started where its mapping ended: aligned to 4 MiB, that was the header of
// the next segment, which the fast path of free() then overwrote (found by
// fuzz/api_fuzz).
TEST_P(Alignment, ZeroByteAlignedBlocksLieInsideTheirOwnMemory) {
    for (size_t alignment = 16; alignment <= 8 * MiB; alignment *= 2) {
        SCOPED_TRACE("alignment " + std::to_string(alignment));
        void* blocks[3] = {api().memalign(Opaque(alignment), Opaque(size_t{0})),
                           api().aligned_alloc(Opaque(alignment), Opaque(size_t{0})), nullptr};
        ASSERT_EQ(api().posix_memalign(&blocks[2], Opaque(alignment), Opaque(size_t{0})), 0);
        for (void* p : blocks) {
            ASSERT_NE(p, nullptr);
            EXPECT_TRUE(hakt::IsAligned(p, alignment)) << p;
            size_t usable = api().usable_size(p);
#if !HAKMEM_TEST_SECURE
            EXPECT_GE(usable, 1u) << p;
#endif
            memset(p, 0xab, usable);
        }
        EXPECT_NE(blocks[0], blocks[1]);
        EXPECT_NE(blocks[1], blocks[2]);
        EXPECT_NE(blocks[0], blocks[2]);
        for (void* p : blocks) api().free(p);
    }
}

TEST_P(Alignment, ManyLiveAlignedBlocksAreAlignedAndDoNotOverlap) {
    struct Block {
        uintptr_t begin, end;
        void* p;
    };
    std::vector<Block> blocks;
    const size_t cases[][2] = {{32, 8},   {32, 48},   {64, 48},       {128, 100},    {256, 256},
                               {4096, 1}, {4096, 100}, {64 * KiB, 1000}, {1 * MiB, 16}, {2 * MiB, 3 * MiB}};
    for (const auto& c : cases) {
        int count = c[0] >= 1 * MiB ? 4 : 64;
        for (int i = 0; i < count; ++i) {
            void* p = api().memalign(Opaque(c[0]), Opaque(c[1]));
            ASSERT_NE(p, nullptr);
            ASSERT_TRUE(hakt::IsAligned(p, c[0])) << "memalign(" << c[0] << ", " << c[1] << ") = " << p;
            auto b = reinterpret_cast<uintptr_t>(p);
            blocks.push_back({b, b + api().usable_size(p), p});
        }
    }
    std::sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) { return a.begin < b.begin; });
    for (size_t i = 1; i < blocks.size(); ++i)
        EXPECT_LE(blocks[i - 1].end, blocks[i].begin) << "aligned blocks overlap at " << blocks[i].p;
    for (const Block& b : blocks) api().free(b.p);
}

TEST_P(Alignment, AlignmentsBelowSixteenStillGiveSixteenByteAlignedBlocks) {
    for (size_t alignment : {size_t{1}, size_t{2}, size_t{4}, size_t{8}}) {
        for (size_t size : {size_t{1}, size_t{7}, size_t{64}}) {
            void* a = api().aligned_alloc(alignment, Opaque(size));
            void* m = api().memalign(alignment, Opaque(size));
            ASSERT_NE(a, nullptr);
            ASSERT_NE(m, nullptr);
            EXPECT_TRUE(hakt::IsAligned(a, 16)) << a;
            EXPECT_TRUE(hakt::IsAligned(m, 16)) << m;
            api().free(a);
            api().free(m);
        }
    }
}

}  // namespace

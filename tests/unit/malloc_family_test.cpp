// The malloc family's contract, glibc edge cases included, checked against
// every entry-point family this build has: hak_* always, and the malloc
// family itself when the override is compiled in.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <set>
#include <vector>

#include "hakmem_test_support.h"

namespace {

using hakt::KiB;
using hakt::MiB;
using hakt::Opaque;

class MallocFamily : public ::testing::TestWithParam<const hakt::Api*> {
protected:
    const hakt::Api& api() const { return *GetParam(); }
    size_t page() const { return size_t(sysconf(_SC_PAGESIZE)); }
};

std::string ApiName(const ::testing::TestParamInfo<const hakt::Api*>& info) { return info.param->name; }

INSTANTIATE_TEST_SUITE_P(Api, MallocFamily, ::testing::ValuesIn(hakt::AllApis()), ApiName);

// ---- malloc and free --------------------------------------------------------

TEST_P(MallocFamily, MallocOfZeroReturnsAUniqueFreeablePointer) {
    std::vector<void*> blocks;
    for (int i = 0; i < 100; ++i) {
        void* p = api().malloc(Opaque(size_t{0}));
        ASSERT_NE(p, nullptr) << "malloc(0) #" << i;
        EXPECT_TRUE(hakt::IsAligned(p, 16)) << p;
        blocks.push_back(p);
    }
    std::set<void*> distinct(blocks.begin(), blocks.end());
    EXPECT_EQ(distinct.size(), blocks.size()) << "malloc(0) returned the same pointer twice while both were live";
    for (void* p : blocks) api().free(p);
}

TEST_P(MallocFamily, FreeOfNullDoesNothingAndPrintsNothing) {
    testing::internal::CaptureStderr();
    api().free(nullptr);
    if (api().free_sized) api().free_sized(nullptr, 0);
    if (api().free_aligned_sized) api().free_aligned_sized(nullptr, 64, 0);
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(err, "");
    EXPECT_EQ(api().usable_size(nullptr), 0u) << "malloc_usable_size(NULL) is 0 in glibc";
}

TEST_P(MallocFamily, FreeLeavesErrnoUnchanged) {
    // glibc >= 2.33 guarantees this (and POSIX.1-2024 requires it).
    for (size_t size : {size_t{16}, size_t{1000}, 100 * KiB, 8 * MiB}) {
        void* p = api().malloc(Opaque(size));
        ASSERT_NE(p, nullptr);
        std::memset(p, 1, size);
        errno = 1234;
        api().free(p);
        EXPECT_EQ(errno, 1234) << "free() of a " << size << "-byte block changed errno";
    }
}

TEST_P(MallocFamily, UsableSizeIsAtLeastTheRequestAndWritableUpToIt) {
    std::vector<size_t> sizes;
    for (size_t s = 0; s <= 1024; ++s) sizes.push_back(s);
    for (size_t s = 1024; s <= 4 * MiB; s += s / 4) sizes.push_back(s);
    for (size_t size : sizes) {
        // Several blocks of one size live at once: if usable sizes overlapped a
        // neighbour, filling them all would break another block's pattern.
        constexpr int kBlocks = 4;
        void* p[kBlocks];
        size_t usable[kBlocks];
        for (int i = 0; i < kBlocks; ++i) {
            p[i] = api().malloc(Opaque(size));
            ASSERT_NE(p[i], nullptr) << "malloc(" << size << ")";
            usable[i] = api().usable_size(p[i]);
            ASSERT_GE(usable[i], size) << "usable size below the request for malloc(" << size << ")";
            hakt::FillPattern(p[i], usable[i], size * kBlocks + i);
        }
        for (int i = 0; i < kBlocks; ++i) {
            ASSERT_EQ(hakt::CheckPattern(p[i], usable[i], size * kBlocks + i), SIZE_MAX)
                << "block " << i << " of size " << size << " (usable " << usable[i] << ") was overwritten";
            EXPECT_EQ(api().usable_size(p[i]), usable[i]) << "usable size changed while the block was live";
        }
        for (int i = 0; i < kBlocks; ++i) api().free(p[i]);
    }
}

// ---- calloc -------------------------------------------------------------------

TEST_P(MallocFamily, CallocZeroesMemoryEvenWhenItReusesDirtyBlocks) {
    for (size_t size : {size_t{1}, size_t{16}, size_t{100}, size_t{1000}, 4 * KiB, 64 * KiB, 1 * MiB, 8 * MiB}) {
        for (int round = 0; round < 3; ++round) {
            // Dirty a batch of blocks of this size, free them, then calloc
            // the same size: whatever is reused must come back zeroed.
            std::vector<void*> dirty;
            for (int i = 0; i < 8; ++i) {
                void* p = api().malloc(Opaque(size));
                ASSERT_NE(p, nullptr);
                std::memset(p, 0xA5, api().usable_size(p));
                dirty.push_back(p);
            }
            for (void* p : dirty) api().free(p);
            std::vector<void*> clean;
            for (int i = 0; i < 8; ++i) {
                void* q = api().calloc(Opaque(size), 1);
                ASSERT_NE(q, nullptr) << "calloc(" << size << ", 1)";
                ASSERT_TRUE(hakt::IsAllZero(q, size)) << "calloc(" << size << ", 1) returned non-zero bytes";
                std::memset(q, 0x5A, size);
                clean.push_back(q);
            }
            for (void* q : clean) api().free(q);
        }
    }
    void* q = api().calloc(Opaque(size_t{1000}), 24);
    ASSERT_NE(q, nullptr);
    EXPECT_GE(api().usable_size(q), 24000u);
    EXPECT_TRUE(hakt::IsAllZero(q, 24000));
    api().free(q);
}

TEST_P(MallocFamily, CallocOfZeroElementsReturnsAFreeablePointer) {
    void* a = api().calloc(Opaque(size_t{0}), 8);
    void* b = api().calloc(Opaque(size_t{8}), 0);
    void* c = api().calloc(Opaque(size_t{0}), 0);
    EXPECT_NE(a, nullptr);
    EXPECT_NE(b, nullptr);
    EXPECT_NE(c, nullptr);
    EXPECT_NE(a, b);
    EXPECT_NE(b, c);
    api().free(a);
    api().free(b);
    api().free(c);
}

TEST_P(MallocFamily, CallocOverflowReturnsNullWithEnomem) {
    const size_t cases[][2] = {
        {SIZE_MAX / 2 + 1, 2},
        {2, SIZE_MAX / 2 + 1},
        {SIZE_MAX, SIZE_MAX},
        {size_t{1} << 32, size_t{1} << 32},
        {SIZE_MAX / 16 + 1, 16},
    };
    for (const auto& c : cases) {
        errno = 0;
        void* p = api().calloc(Opaque(c[0]), Opaque(c[1]));
        EXPECT_EQ(p, nullptr) << "calloc(" << c[0] << ", " << c[1] << ")";
        EXPECT_EQ(errno, ENOMEM) << "calloc(" << c[0] << ", " << c[1] << ")";
        if (p) api().free(p);
    }
}

// ---- realloc ------------------------------------------------------------------

TEST_P(MallocFamily, ReallocOfNullBehavesLikeMalloc) {
    for (size_t size : {size_t{0}, size_t{1}, size_t{100}, 5 * KiB, 300 * KiB, 3 * MiB}) {
        void* p = api().realloc(nullptr, Opaque(size));
        ASSERT_NE(p, nullptr) << "realloc(NULL, " << size << ")";
        EXPECT_TRUE(hakt::IsAligned(p, 16));
        EXPECT_GE(api().usable_size(p), size);
        hakt::FillPattern(p, size, size);
        EXPECT_EQ(hakt::CheckPattern(p, size, size), SIZE_MAX);
        api().free(p);
    }
}

TEST_P(MallocFamily, ReallocToZeroFreesTheBlockAndReturnsNull) {
    for (size_t size : {size_t{16}, size_t{100}, 40 * KiB, 2 * MiB}) {
        void* p = api().malloc(Opaque(size));
        ASSERT_NE(p, nullptr);
        hak_stats_t before, after;
        ASSERT_TRUE(hakt::ReadStats(&before));
        void* r = api().realloc(p, Opaque(size_t{0}));
        ASSERT_TRUE(hakt::ReadStats(&after));
        EXPECT_EQ(r, nullptr) << "glibc's realloc(p, 0) frees p and returns NULL";
        if (r != nullptr) {
            api().free(r);
        } else {
            EXPECT_GE(after.frees, before.frees + 1) << "realloc(p, 0) returned NULL without freeing p";
            EXPECT_LT(after.bytes_current, before.bytes_current) << "realloc(p, 0) kept the block's bytes live";
        }
    }
}

TEST_P(MallocFamily, ReallocWithinTheSizeClassKeepsTheBlockInPlace) {
    for (size_t size : {size_t{24}, size_t{100}, size_t{200}, size_t{1000}, size_t{3000}, size_t{12000}}) {
        void* p = api().malloc(Opaque(size));
        ASSERT_NE(p, nullptr);
        size_t usable = api().usable_size(p);
        hakt::FillPattern(p, size, 7);
        void* q = api().realloc(p, Opaque(size - 1));
        ASSERT_NE(q, nullptr);
        EXPECT_EQ(q, p) << "shrinking a " << size << "-byte block by one byte moved it";
        EXPECT_EQ(hakt::CheckPattern(q, size - 1, 7), SIZE_MAX);
        void* r = api().realloc(q, Opaque(usable));
        ASSERT_NE(r, nullptr);
        EXPECT_EQ(r, q) << "growing a block to its own usable size (" << usable << ") moved it";
        EXPECT_EQ(hakt::CheckPattern(r, size - 1, 7), SIZE_MAX);
        api().free(r);
    }
}

TEST_P(MallocFamily, ReallocShrinkKeepsTheContents) {
    const size_t cases[][2] = {{100, 10}, {5 * KiB, 100}, {100 * KiB, 5 * KiB}, {1 * MiB, 100}, {8 * MiB, 3 * MiB}, {8 * MiB, 64}};
    for (const auto& c : cases) {
        void* p = api().malloc(Opaque(c[0]));
        ASSERT_NE(p, nullptr);
        hakt::FillPattern(p, c[0], c[0]);
        void* q = api().realloc(p, Opaque(c[1]));
        ASSERT_NE(q, nullptr) << "realloc " << c[0] << " -> " << c[1];
        EXPECT_GE(api().usable_size(q), c[1]);
        EXPECT_EQ(hakt::CheckPattern(q, c[1], c[0]), SIZE_MAX) << "realloc " << c[0] << " -> " << c[1] << " lost data";
        api().free(q);
    }
}

TEST_P(MallocFamily, ReallocGrowKeepsTheContents) {
    const size_t cases[][2] = {{1, 17},         {16, 32},         {100, 1000},      {1000, 70 * KiB},
                               {100, 2 * MiB},  {64 * KiB, 1 * MiB}, {2 * MiB, 16 * MiB}, {3 * MiB, 3 * MiB + 1}};
    for (const auto& c : cases) {
        void* p = api().malloc(Opaque(c[0]));
        ASSERT_NE(p, nullptr);
        hakt::FillPattern(p, c[0], c[1]);
        void* q = api().realloc(p, Opaque(c[1]));
        ASSERT_NE(q, nullptr) << "realloc " << c[0] << " -> " << c[1];
        EXPECT_TRUE(hakt::IsAligned(q, 16));
        EXPECT_GE(api().usable_size(q), c[1]);
        EXPECT_EQ(hakt::CheckPattern(q, c[0], c[1]), SIZE_MAX) << "realloc " << c[0] << " -> " << c[1] << " lost data";
        std::memset(q, 0x11, c[1]);  // the whole new size is writable
        api().free(q);
    }
}

TEST_P(MallocFamily, ReallocFailureReturnsNullWithEnomemAndLeavesTheBlockUntouched) {
    for (size_t size : {size_t{64}, 200 * KiB, 4 * MiB}) {
        void* p = api().malloc(Opaque(size));
        ASSERT_NE(p, nullptr);
        hakt::FillPattern(p, size, 99);
        for (size_t huge : {SIZE_MAX, SIZE_MAX - 4096, size_t(PTRDIFF_MAX) + 1}) {
            errno = 0;
            void* q = api().realloc(p, Opaque(huge));
            EXPECT_EQ(q, nullptr) << "realloc(p, " << huge << ")";
            EXPECT_EQ(errno, ENOMEM);
            if (q) {
                p = q;
                break;
            }
        }
        EXPECT_EQ(hakt::CheckPattern(p, size, 99), SIZE_MAX) << "a failed realloc changed the original block";
        api().free(p);
    }
}

// ---- reallocarray -----------------------------------------------------------------

TEST_P(MallocFamily, ReallocarrayOfNullAllocatesAndResizesLikeRealloc) {
    auto* p = static_cast<uint32_t*>(api().reallocarray(nullptr, Opaque(size_t{100}), sizeof(uint32_t)));
    ASSERT_NE(p, nullptr);
    EXPECT_GE(api().usable_size(p), 400u);
    for (uint32_t i = 0; i < 100; ++i) p[i] = i * 2654435761u;
    p = static_cast<uint32_t*>(api().reallocarray(p, Opaque(size_t{100000}), sizeof(uint32_t)));
    ASSERT_NE(p, nullptr);
    EXPECT_GE(api().usable_size(p), 400000u);
    for (uint32_t i = 0; i < 100; ++i) ASSERT_EQ(p[i], i * 2654435761u) << "element " << i;
    p[99999] = 5;
    p = static_cast<uint32_t*>(api().reallocarray(p, Opaque(size_t{10}), sizeof(uint32_t)));
    ASSERT_NE(p, nullptr);
    for (uint32_t i = 0; i < 10; ++i) ASSERT_EQ(p[i], i * 2654435761u) << "element " << i;
    api().free(p);
}

TEST_P(MallocFamily, ReallocarrayOverflowReturnsNullWithEnomemAndLeavesTheBlockUntouched) {
    void* p = api().malloc(Opaque(size_t{256}));
    ASSERT_NE(p, nullptr);
    hakt::FillPattern(p, 256, 5);
    const size_t cases[][2] = {{SIZE_MAX / 2 + 1, 2}, {2, SIZE_MAX / 2 + 1}, {size_t{1} << 33, size_t{1} << 33}, {SIZE_MAX, SIZE_MAX}};
    for (const auto& c : cases) {
        errno = 0;
        void* q = api().reallocarray(p, Opaque(c[0]), Opaque(c[1]));
        EXPECT_EQ(q, nullptr) << "reallocarray(p, " << c[0] << ", " << c[1] << ")";
        EXPECT_EQ(errno, ENOMEM);
        if (q) p = q;
    }
    EXPECT_EQ(hakt::CheckPattern(p, 256, 5), SIZE_MAX) << "a failed reallocarray changed the original block";
    EXPECT_GE(api().usable_size(p), 256u);
    api().free(p);
    errno = 0;
    EXPECT_EQ(api().reallocarray(nullptr, Opaque(SIZE_MAX / 2 + 1), 2), nullptr);
    EXPECT_EQ(errno, ENOMEM);
}

// ---- aligned allocation -------------------------------------------------------------

TEST_P(MallocFamily, PosixMemalignRejectsInvalidAlignmentsWithEinvalAndLeavesOutUntouched) {
    // Not a power of two, or not a multiple of sizeof(void*).
    for (size_t alignment : {size_t{0}, size_t{1}, size_t{2}, size_t{4}, size_t{3}, size_t{12}, size_t{24}, size_t{48},
                             size_t{4097}, size_t{3} * sizeof(void*), SIZE_MAX, SIZE_MAX / 2 + 2}) {
        void* sentinel = reinterpret_cast<void*>(uintptr_t{0xDEADBEEF});
        void* out = sentinel;
        int rc = api().posix_memalign(&out, Opaque(alignment), 64);
        EXPECT_EQ(rc, EINVAL) << "posix_memalign alignment " << alignment;
        EXPECT_EQ(out, sentinel) << "posix_memalign wrote *out on failure (alignment " << alignment << ")";
        if (rc == 0 && out != sentinel) api().free(out);
    }
}

TEST_P(MallocFamily, PosixMemalignHonoursValidAlignments) {
    for (size_t alignment = sizeof(void*); alignment <= 1 * MiB; alignment *= 2) {
        for (size_t size : {size_t{0}, size_t{1}, size_t{100}, alignment, alignment + 1}) {
            void* out = nullptr;
            ASSERT_EQ(api().posix_memalign(&out, Opaque(alignment), Opaque(size)), 0)
                << "alignment " << alignment << " size " << size;
            ASSERT_NE(out, nullptr);
            EXPECT_TRUE(hakt::IsAligned(out, alignment)) << out << " alignment " << alignment;
            EXPECT_GE(api().usable_size(out), size);
            if (size) std::memset(out, 0x77, size);
            api().free(out);
        }
    }
}

TEST_P(MallocFamily, PosixMemalignOfAHugeSizeReturnsEnomemAndLeavesOutUntouched) {
    for (size_t size : {SIZE_MAX, SIZE_MAX - 4096, size_t(PTRDIFF_MAX) + 1}) {
        void* sentinel = reinterpret_cast<void*>(uintptr_t{0xDEADBEEF});
        void* out = sentinel;
        int rc = api().posix_memalign(&out, 64, Opaque(size));
        EXPECT_EQ(rc, ENOMEM) << "posix_memalign size " << size;
        EXPECT_EQ(out, sentinel);
        if (rc == 0) api().free(out);
    }
}

TEST_P(MallocFamily, AlignedAllocAndMemalignReturnBlocksWithTheRequestedAlignment) {
    for (size_t alignment = 1; alignment <= 1 * MiB; alignment *= 2) {
        for (size_t size : {size_t{1}, size_t{40}, alignment, 3 * alignment}) {
            void* a = api().aligned_alloc(Opaque(alignment), Opaque(size));
            ASSERT_NE(a, nullptr) << "aligned_alloc(" << alignment << ", " << size << ")";
            EXPECT_TRUE(hakt::IsAligned(a, alignment)) << a;
            EXPECT_GE(api().usable_size(a), size);
            std::memset(a, 0x33, size);
            void* m = api().memalign(Opaque(alignment), Opaque(size));
            ASSERT_NE(m, nullptr) << "memalign(" << alignment << ", " << size << ")";
            EXPECT_TRUE(hakt::IsAligned(m, alignment)) << m;
            EXPECT_GE(api().usable_size(m), size);
            std::memset(m, 0x44, size);
            api().free(a);
            api().free(m);
        }
    }
}

TEST_P(MallocFamily, MemalignRoundsANonPowerOfTwoAlignmentUpToAPowerOfTwo) {
    // glibc's memalign: "If the alignment is not a power of two, round up".
    const size_t cases[][2] = {{24, 32}, {48, 64}, {100, 128}, {3000, 4096}, {5000, 8192}};
    for (const auto& c : cases) {
        void* p = api().memalign(Opaque(c[0]), 80);
        ASSERT_NE(p, nullptr) << "memalign(" << c[0] << ", 80)";
        EXPECT_TRUE(hakt::IsAligned(p, c[1])) << "memalign(" << c[0] << ") gave " << p;
        api().free(p);
    }
}

TEST_P(MallocFamily, VallocReturnsPageAlignedBlocks) {
    for (size_t size : {size_t{0}, size_t{1}, size_t{100}, page(), page() + 1, 10 * page(), 3 * MiB}) {
        void* p = api().valloc(Opaque(size));
        ASSERT_NE(p, nullptr) << "valloc(" << size << ")";
        EXPECT_TRUE(hakt::IsAligned(p, page())) << p;
        EXPECT_GE(api().usable_size(p), size);
        std::memset(p, 0x12, size);
        api().free(p);
    }
}

TEST_P(MallocFamily, PvallocReturnsPageAlignedBlocksWithUsableSizeRoundedUpToWholePages) {
    const size_t pg = page();
    for (size_t size : {size_t{1}, size_t{100}, pg - 1, pg, pg + 1, 3 * pg + 5, 2 * MiB + 1}) {
        size_t rounded = (size + pg - 1) / pg * pg;
        void* p = api().pvalloc(Opaque(size));
        ASSERT_NE(p, nullptr) << "pvalloc(" << size << ")";
        EXPECT_TRUE(hakt::IsAligned(p, pg)) << p;
        EXPECT_GE(api().usable_size(p), rounded) << "pvalloc(" << size << ") must be usable up to " << rounded;
        std::memset(p, 0x21, rounded);
        api().free(p);
    }
    errno = 0;
    EXPECT_EQ(api().pvalloc(Opaque(SIZE_MAX - 100)), nullptr) << "rounding SIZE_MAX-100 up to a page overflows";
    EXPECT_EQ(errno, ENOMEM);
}

// ---- sized frees ----------------------------------------------------------------------

TEST_P(MallocFamily, FreeSizedReleasesBlocksOfEverySize) {
    if (!api().free_sized) GTEST_FAIL() << "free_sized is not exported by this build (see OverrideExportsTheC23SizedFrees)";
    std::vector<size_t> sizes = {0, 1, 8, 16, 100, 1000, 4096, 20000, 100 * KiB, 1 * MiB, 5 * MiB};
    hak_stats_t before, after;
    ASSERT_TRUE(hakt::ReadStats(&before));
    for (int round = 0; round < 10; ++round) {
        for (size_t size : sizes) {
            void* p = api().malloc(Opaque(size));
            ASSERT_NE(p, nullptr);
            std::memset(p, 0x5C, size);
            api().free_sized(p, size);
        }
    }
    ASSERT_TRUE(hakt::ReadStats(&after));
    EXPECT_GE(after.frees - before.frees, 10 * sizes.size());
    // The memory really came back: allocating the same sizes again works and is distinct.
    std::vector<void*> live;
    for (size_t size : sizes) live.push_back(api().malloc(size));
    std::set<void*> distinct(live.begin(), live.end());
    EXPECT_EQ(distinct.size(), live.size());
    for (size_t i = 0; i < live.size(); ++i) api().free_sized(live[i], sizes[i]);
}

TEST_P(MallocFamily, FreeAlignedSizedReleasesAlignedBlocks) {
    if (!api().free_aligned_sized)
        GTEST_FAIL() << "free_aligned_sized is not exported by this build (see OverrideExportsTheC23SizedFrees)";
    hak_stats_t before, after;
    ASSERT_TRUE(hakt::ReadStats(&before));
    size_t calls = 0;
    for (size_t alignment = 16; alignment <= 2 * MiB; alignment *= 4) {
        for (size_t size : {alignment, 2 * alignment, 5 * alignment}) {
            void* p = api().aligned_alloc(alignment, Opaque(size));
            ASSERT_NE(p, nullptr);
            ASSERT_TRUE(hakt::IsAligned(p, alignment));
            std::memset(p, 0x6D, size);
            api().free_aligned_sized(p, alignment, size);
            ++calls;
        }
    }
    ASSERT_TRUE(hakt::ReadStats(&after));
    EXPECT_GE(after.frees - before.frees, calls);
}

// ---- huge requests -------------------------------------------------------------------------

TEST_P(MallocFamily, HugeRequestsReturnNullWithEnomem) {
    const size_t huge[] = {SIZE_MAX, SIZE_MAX - 4096, size_t(PTRDIFF_MAX) + 1, size_t(PTRDIFF_MAX)};
    for (size_t size : huge) {
        SCOPED_TRACE("size " + std::to_string(size));
        errno = 0;
        EXPECT_EQ(api().malloc(Opaque(size)), nullptr);
        EXPECT_EQ(errno, ENOMEM) << "malloc";
        errno = 0;
        EXPECT_EQ(api().calloc(1, Opaque(size)), nullptr);
        EXPECT_EQ(errno, ENOMEM) << "calloc";
        errno = 0;
        EXPECT_EQ(api().realloc(nullptr, Opaque(size)), nullptr);
        EXPECT_EQ(errno, ENOMEM) << "realloc(NULL, ...)";
        errno = 0;
        EXPECT_EQ(api().aligned_alloc(64, Opaque(size & ~size_t{63})), nullptr);
        EXPECT_EQ(errno, ENOMEM) << "aligned_alloc";
        errno = 0;
        EXPECT_EQ(api().memalign(2 * MiB, Opaque(size)), nullptr);
        EXPECT_EQ(errno, ENOMEM) << "memalign";
        errno = 0;
        EXPECT_EQ(api().valloc(Opaque(size)), nullptr);
        EXPECT_EQ(errno, ENOMEM) << "valloc";
        errno = 0;
        EXPECT_EQ(api().pvalloc(Opaque(size)), nullptr);
        EXPECT_EQ(errno, ENOMEM) << "pvalloc";
    }
    // After all those failures, ordinary allocation still works.
    void* p = api().malloc(Opaque(size_t{100}));
    ASSERT_NE(p, nullptr);
    api().free(p);
}

// ---- live blocks never overlap ---------------------------------------------------------------

TEST_P(MallocFamily, LiveBlocksOfMixedSizesNeverOverlap) {
    std::mt19937_64 rng(hakt::TestSeed("LiveBlocksOfMixedSizesNeverOverlap"));
    struct Block {
        uintptr_t begin, end;
    };
    std::vector<Block> blocks;
    std::vector<void*> ptrs;
    for (int i = 0; i < 3000; ++i) {
        size_t size = hakt::SkewedSize(rng, 2 * MiB);
        void* p = api().malloc(size);
        ASSERT_NE(p, nullptr);
        auto b = reinterpret_cast<uintptr_t>(p);
        blocks.push_back({b, b + std::max<size_t>(api().usable_size(p), 1)});
        ptrs.push_back(p);
    }
    std::sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) { return a.begin < b.begin; });
    for (size_t i = 1; i < blocks.size(); ++i)
        ASSERT_LE(blocks[i - 1].end, blocks[i].begin)
            << "block [" << std::hex << blocks[i - 1].begin << ", " << blocks[i - 1].end << ") overlaps block at "
            << blocks[i].begin;
    for (void* p : ptrs) api().free(p);
}

// ---- the override and hak_* share one heap ----------------------------------------------------
#if HAKMEM_TEST_OVERRIDE

TEST(Override, MallocAndHakFreeAreInterchangeable) {
    void* a = ::malloc(Opaque(size_t{100}));
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(hak_usable_size(a), malloc_usable_size(a));
    EXPECT_GE(hak_usable_size(a), 100u);
    hak_free(a);
    void* b = hak_malloc(Opaque(size_t{3000}));
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(malloc_usable_size(b), hak_usable_size(b));
    b = ::realloc(b, Opaque(size_t{70000}));
    ASSERT_NE(b, nullptr);
    ::free(b);
    void* c = ::aligned_alloc(4096, Opaque(size_t{4096}));
    ASSERT_NE(c, nullptr);
    hak_free_aligned_sized(c, 4096, 4096);
}

TEST(Override, MallocIsCountedInHakmemStatistics) {
    hak_stats_t before, after;
    ASSERT_TRUE(hakt::ReadStats(&before));
    constexpr int kCalls = 500;
    std::vector<void*> v;
    for (int i = 0; i < kCalls; ++i) v.push_back(::malloc(Opaque(size_t(i * 7))));
    ASSERT_TRUE(hakt::ReadStats(&after));
    EXPECT_GE(after.allocs - before.allocs, uint64_t(kCalls)) << "malloc() is not served by hakmem";
    for (void* p : v) ::free(p);
}

TEST(Override, OverrideExportsTheC23SizedFrees) {
    EXPECT_NE(::free_sized, nullptr) << "free_sized is not exported by the override";
    EXPECT_NE(::free_aligned_sized, nullptr) << "free_aligned_sized is not exported by the override";
}

#endif  // HAKMEM_TEST_OVERRIDE

}  // namespace

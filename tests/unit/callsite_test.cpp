// Call-site allocation (hak_alloc_at / hak_free_at, HAK_SITE) and the C99
// header contract.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "hakmem_test_support.h"

extern "C" int hakmem_c_api_smoke(void);

namespace {

using hakt::MiB;
using hakt::Opaque;

TEST(CApi, TheHeaderCompilesAsC99AndEveryFunctionWorksFromC) {
    EXPECT_EQ(hakmem_c_api_smoke(), 0) << "c_api_smoke.c: the numbered check that failed";
}

TEST(CallSite, HakSiteIsTaggedAndPointsAtARecordOfThisFileAndLine) {
    const int line = __LINE__ + 1;
    hak_callsite_t site = HAK_SITE();
    ASSERT_NE(site & HAK_SITE_STATIC_TAG, 0u);
    const auto* info = reinterpret_cast<const hak_site_info_t*>(site & ~HAK_SITE_STATIC_TAG);
    EXPECT_EQ(info->struct_size, sizeof(hak_site_info_t));
    EXPECT_EQ(info->magic, HAK_SITE_MAGIC);
    EXPECT_EQ(info->line, uint32_t(line));
    EXPECT_NE(std::string(info->file).find("callsite_test.cpp"), std::string::npos);
    // One id per source line: the same expression evaluated twice is the same site.
    std::set<hak_callsite_t> ids;
    for (int i = 0; i < 3; ++i) ids.insert(HAK_SITE());
    EXPECT_EQ(ids.size(), 1u);
    EXPECT_NE(HAK_SITE(), site) << "two lines must have two ids";
}

TEST(CallSite, AllocAtReturnsAlignedUsableBlocksForEveryKindOfSite) {
    const hak_callsite_t sites[] = {HAK_SITE(), HAK_SITE_UNKNOWN,
                                    reinterpret_cast<hak_callsite_t>(__builtin_return_address(0))};
    for (hak_callsite_t site : sites) {
        for (size_t size : {size_t{0}, size_t{1}, size_t{100}, size_t{5000}, size_t{200000}, 3 * MiB}) {
            void* p = hak_alloc_at(Opaque(size), site);
            ASSERT_NE(p, nullptr) << "hak_alloc_at(" << size << ", " << site << ")";
            EXPECT_TRUE(hakt::IsAligned(p, 16));
            EXPECT_GE(hak_usable_size(p), size);
            hakt::FillPattern(p, size, size);
            EXPECT_EQ(hakt::CheckPattern(p, size, size), SIZE_MAX);
            hak_free_at(p, size, site);
        }
    }
}

TEST(CallSite, FreeAtAcceptsAnUnknownSizeAndAnyFreeFunctionReleasesAllocAtBlocks) {
    hak_stats_t before, after;
    ASSERT_TRUE(hakt::ReadStats(&before));
    void* a = hak_alloc_at(Opaque(size_t{300}), HAK_SITE());
    void* b = hak_alloc_at(Opaque(size_t{300}), HAK_SITE());
    void* c = hak_malloc(Opaque(size_t{300}));
    void* d = hak_alloc_at(Opaque(size_t{300}), HAK_SITE_UNKNOWN);
    ASSERT_TRUE(a && b && c && d);
    hak_free_at(a, 0, HAK_SITE_UNKNOWN);  // size 0 = unknown
    hak_free(b);
    hak_free_at(c, 300, HAK_SITE());
    hak_free_sized(d, 300);
    ASSERT_TRUE(hakt::ReadStats(&after));
    EXPECT_GE(after.allocs - before.allocs, 4u);
    EXPECT_GE(after.frees - before.frees, 4u);
    hak_free_at(nullptr, 0, HAK_SITE());  // like free(NULL)
}

TEST(CallSite, AllocAtOfZeroIsUniqueAndHugeSizesFailWithEnomem) {
    void* a = hak_alloc_at(Opaque(size_t{0}), HAK_SITE());
    void* b = hak_alloc_at(Opaque(size_t{0}), HAK_SITE());
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_NE(a, b);
    hak_free_at(a, 0, HAK_SITE());
    hak_free_at(b, 0, HAK_SITE());
    for (size_t size : {SIZE_MAX, SIZE_MAX - 4096, size_t(PTRDIFF_MAX) + 1}) {
        errno = 0;
        EXPECT_EQ(hak_alloc_at(Opaque(size), HAK_SITE()), nullptr) << size;
        EXPECT_EQ(errno, ENOMEM) << size;
    }
}

// Many blocks from a handful of sites, all live at once: whatever per-site
// policy the allocator learns, blocks must stay distinct and intact.
TEST(CallSite, BlocksFromManySitesStayDistinctAndIntact) {
    const hak_callsite_t sites[] = {HAK_SITE(), HAK_SITE(), HAK_SITE(), HAK_SITE(), HAK_SITE_UNKNOWN};
    struct Block {
        void* p;
        size_t size;
        hak_callsite_t site;
    };
    std::vector<Block> blocks;
    for (int round = 0; round < 4; ++round) {
        for (int i = 0; i < 2000; ++i) {
            hak_callsite_t site = sites[i % 5];
            size_t size = size_t(16 + (i * 37) % (i % 5 == 1 ? 60000 : 600));
            void* p = hak_alloc_at(Opaque(size), site);
            ASSERT_NE(p, nullptr);
            hakt::FillPattern(p, size, blocks.size());
            blocks.push_back({p, size, site});
        }
        // Free every other block of this round in a scattered order.
        for (size_t i = blocks.size() - 2000; i < blocks.size(); i += 2) {
            ASSERT_EQ(hakt::CheckPattern(blocks[i].p, blocks[i].size, i), SIZE_MAX) << "block " << i;
            hak_free_at(blocks[i].p, blocks[i].size, blocks[i].site);
            blocks[i].p = nullptr;
        }
    }
    std::vector<uintptr_t> live;
    for (size_t i = 0; i < blocks.size(); ++i) {
        if (!blocks[i].p) continue;
        ASSERT_EQ(hakt::CheckPattern(blocks[i].p, blocks[i].size, i), SIZE_MAX) << "block " << i;
        live.push_back(reinterpret_cast<uintptr_t>(blocks[i].p));
    }
    std::sort(live.begin(), live.end());
    EXPECT_EQ(std::adjacent_find(live.begin(), live.end()), live.end()) << "a live address was handed out twice";
    for (const Block& b : blocks)
        if (b.p) hak_free_at(b.p, 0, b.site);
}

}  // namespace

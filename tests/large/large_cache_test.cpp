// The mapping cache: reuse without system calls, its bound, the mmap
// threshold, batched release, calloc on reused memory and huge pages.
#include <random>
#include <vector>

#include "core/corruption.h"
#include "large_test_support.h"

namespace hakt {
namespace {

using LargeCacheTest = LargeTest;

TEST_F(LargeCacheTest, AFreedLargeBlockIsHandedOutAgainWithNoNewMapping) {
    void* p = hak_malloc(Opaque(size_t{1} * MiB));
    ASSERT_NE(p, nullptr);
    Touch(p, MiB);
    hak_free(p);
    hak_stats_t before = Stats();
    void* q = hak_malloc(Opaque(size_t{1} * MiB));
    hak_stats_t after = Stats();
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q, p) << "the block just freed fits best";
    EXPECT_EQ(after.mmap_calls, before.mmap_calls);
    EXPECT_EQ(after.mremap_calls, before.mremap_calls);
    EXPECT_EQ(after.large_cache_hits, before.large_cache_hits + 1);
    EXPECT_EQ(after.large_cache_misses, before.large_cache_misses);
    // Still resident: writing it again faults no page in.
    uint64_t faults = Stats().page_faults_minor;
    Touch(q, MiB, 0x33);
    EXPECT_LT(Stats().page_faults_minor - faults, 16u);
    hak_free(q);
}

TEST_F(LargeCacheTest, ASmallerRequestReusesALargerCachedBlock) {
    void* p = hak_malloc(Opaque(3 * MiB));
    Touch(p, 3 * MiB);
    hak_free(p);
    hak_stats_t before = Stats();
    void* q = hak_malloc(Opaque(2 * MiB));
    hak_stats_t after = Stats();
    EXPECT_EQ(q, p);
    EXPECT_EQ(after.mmap_calls, before.mmap_calls);
    EXPECT_GE(hak_usable_size(q), 2 * MiB);
    EXPECT_LT(hak_usable_size(q), 2 * MiB + 4 * KiB) << "usable size follows the request, not the mapping";
    hak_free(q);
}

TEST_F(LargeCacheTest, ALargerRequestGrowsACachedBlockInPlace) {
    void* p = hak_malloc(Opaque(size_t{300} * KiB));
    Touch(p, 300 * KiB);
    hak_free(p);
    hak_stats_t before = Stats();
    void* q = hak_malloc(Opaque(size_t{900} * KiB));
    hak_stats_t after = Stats();
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(after.mmap_calls, before.mmap_calls);
    EXPECT_EQ(after.large_cache_hits, before.large_cache_hits + 1);
    if (q == p) {
        EXPECT_EQ(after.mremap_calls, before.mremap_calls + 1);
    }
    Touch(q, 900 * KiB);
    hak_free(q);
}

TEST_F(LargeCacheTest, TheCacheNeverHoldsMoreThanItsBound) {
    constexpr uint64_t kBound = 8 * MiB;
    Update([](hak_strategy_t* s) { s->large_cache_max = kBound; });
    std::mt19937_64 rng(TestSeed("TheCacheNeverHoldsMoreThanItsBound"));
    std::vector<std::pair<void*, size_t>> live;
    for (int i = 0; i < 400 / kSlowdown; ++i) {
        if (live.size() < 24 && (live.empty() || rng() % 3 != 0)) {
            size_t size = 64 * KiB + 1 + rng() % (3 * MiB);
            void* p = hak_malloc(size);
            ASSERT_NE(p, nullptr);
            Touch(p, size);
            live.emplace_back(p, size);
        } else {
            size_t k = rng() % live.size();
            hak_free(live[k].first);
            live[k] = live.back();
            live.pop_back();
        }
        hak_stats_t s = Stats();
        ASSERT_LE(s.large_cache_bytes, kBound) << "after operation " << i;
        // Released mappings kept for reuse: address space only, up to 4x the bound.
        ASSERT_LE(s.large_cache_purged_bytes, 4 * kBound) << "after operation " << i;
    }
    for (auto& [p, size] : live) hak_free(p);
    EXPECT_LE(Stats().large_cache_bytes, kBound);
}

TEST_F(LargeCacheTest, ReleasesAreBatchedAndFewerThanOnePerFreedBlock) {
    // A 4 MiB cache overflowing block after block: it releases its oldest
    // blocks at least a batch (2 MiB here, as the bound is small) at a time.
    Update([](hak_strategy_t* s) { s->large_cache_max = 4 * MiB; s->purge_batch_bytes = 2 * MiB; });
    constexpr int kBlocks = 64;
    std::vector<void*> blocks;
    for (int i = 0; i < kBlocks; ++i) {
        blocks.push_back(hak_malloc(Opaque(size_t{256} * KiB)));
        Touch(blocks.back(), 256 * KiB);
    }
    hak_stats_t before = Stats();
    for (void* p : blocks) hak_free(p);
    hak_stats_t after = Stats();
    uint64_t releases = (after.madvise_calls - before.madvise_calls) + (after.munmap_calls - before.munmap_calls);
    EXPECT_GT(after.purge_batches, before.purge_batches);
    EXPECT_LE(releases * 4, uint64_t{kBlocks}) << "a system call per freed block is what batching avoids";
    EXPECT_LE(after.large_cache_bytes, 4 * MiB);
}

TEST_F(LargeCacheTest, BlocksAboveTheMmapThresholdBypassTheCache) {
    Update([](hak_strategy_t* s) { s->mmap_threshold = 1 * MiB; });
    void* p = hak_malloc(Opaque(2 * MiB));
    hak_stats_t before = Stats();
    hak_free(p);
    hak_stats_t after = Stats();
    EXPECT_EQ(after.munmap_calls, before.munmap_calls + 1);
    EXPECT_EQ(after.large_cache_bytes, before.large_cache_bytes);
    // The threshold is read on every call: raised again, the next free caches.
    Update([](hak_strategy_t* s) { s->mmap_threshold = 32 * MiB; });
    p = hak_malloc(Opaque(2 * MiB));
    before = Stats();
    hak_free(p);
    after = Stats();
    EXPECT_EQ(after.munmap_calls, before.munmap_calls);
    EXPECT_GT(after.large_cache_bytes, before.large_cache_bytes);
}

TEST_F(LargeCacheTest, AZeroCacheBoundUnmapsEveryFreedBlock) {
    Update([](hak_strategy_t* s) { s->large_cache_max = 0; });
    void* p = hak_malloc(Opaque(size_t{512} * KiB));
    hak_stats_t before = Stats();
    hak_free(p);
    EXPECT_EQ(Stats().munmap_calls, before.munmap_calls + 1);
    EXPECT_EQ(Stats().large_cache_bytes, 0u);
}

TEST_F(LargeCacheTest, CallocOfAReusedBlockIsZero) {
    for (size_t size : {size_t{100} * KiB, size_t{1} * MiB, size_t{5} * MiB}) {
        void* p = hak_malloc(Opaque(size));
        Touch(p, size, 0xFF);
        hak_free(p);
        auto* q = static_cast<unsigned char*>(hak_calloc(1, Opaque(size + 8 * KiB)));
        ASSERT_NE(q, nullptr);
        EXPECT_TRUE(IsAllZero(q, size + 8 * KiB)) << "size " << size;
        hak_free(q);
    }
}

// Found by fuzz/api_fuzz: a MADV_FREE purge leaves a cached mapping not
// resident but possibly still holding old bytes; a later MADV_DONTNEED purge
// of a smaller block in it must not call the whole mapping clean.
TEST_F(LargeCacheTest, CallocAfterAPurgeModeSwitchIsZero) {
    Update([](hak_strategy_t* s) {
        s->purge_delay_ms = 0;
        s->purge_mode = 1;  // MADV_FREE
    });
    const size_t big = 3 * MiB;
    auto* p = static_cast<unsigned char*>(hak_malloc(Opaque(big)));
    Touch(p, big, 0xAB);
    hak_free(p);
    hak_collect(0);
    void* q = hak_malloc(Opaque(size_t{1} * MiB));  // reuses the mapping
    Update([](hak_strategy_t* s) { s->purge_mode = 0; });  // MADV_DONTNEED
    hak_free(q);
    auto* r = static_cast<unsigned char*>(hak_calloc(1, Opaque(big)));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(FirstNonZero(r, big), SIZE_MAX) << "calloc returned old bytes (same mapping: " << (r == p) << ")";
    hak_free(r);
}

TEST_F(LargeCacheTest, CallocOfABlockThatWasGrownThenShrunkInPlaceIsZero) {
    // realloc shrinks in place; the bytes past the new end were written
    // before the shrink and must still count as dirty when the mapping is
    // reused by calloc.
    void* p = hak_malloc(Opaque(size_t{2} * MiB));
    Touch(p, 2 * MiB, 0xEE);
    void* q = hak_realloc(p, Opaque(size_t{1900} * KiB));  // a small shrink: stays in place, tail kept
    ASSERT_EQ(q, p);
    hak_free(q);
    auto* r = static_cast<unsigned char*>(hak_calloc(1, Opaque(size_t{2} * MiB)));
    ASSERT_NE(r, nullptr);
    EXPECT_TRUE(IsAllZero(r, 2 * MiB));
    hak_free(r);
}

TEST_F(LargeCacheTest, ADoubleFreeOfACachedBlockIsReportedAndIgnoredInReportMode) {
    ChildResult r = RunInChild([] {
        hakmem::on_error_override(hakmem::OnError::kReport);
        void* p = hak_malloc(Opaque(size_t{1} * MiB));
        hak_free(p);
        hak_free(p);  // p is in the cache now
        void* q = hak_malloc(Opaque(size_t{1} * MiB));
        void* r2 = hak_malloc(Opaque(size_t{1} * MiB));
        return q != r2 ? 0 : 1;  // the cache did not hand the same block out twice
    });
    EXPECT_TRUE(r.ExitedWith(0)) << r.Describe();
    EXPECT_NE(r.err.find("invalid pointer"), std::string::npos) << r.err;
}

// smaps shows MADV_HUGEPAGE as "hg" in the mapping's VmFlags.
bool MappingHasHugeAdvice(const void* p) {
    FILE* f = std::fopen("/proc/self/smaps", "r");
    if (!f) return false;
    char line[512];
    bool inside = false, found = false;
    auto at = reinterpret_cast<uintptr_t>(p);
    while (std::fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (std::sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && std::strchr(line, '-') == line + std::strcspn(line, "-")) {
            inside = at >= lo && at < hi;
            continue;
        }
        if (inside && std::strncmp(line, "VmFlags:", 8) == 0) {
            found = std::strstr(line, " hg") != nullptr;
            break;
        }
    }
    std::fclose(f);
    return found;
}

TEST_F(LargeCacheTest, HugePageAdviceFollowsTheStrategy) {
    void* p = hak_malloc(Opaque(8 * MiB));
    EXPECT_TRUE(MappingHasHugeAdvice(p)) << "huge_pages = large: blocks of 2 MiB and more are advised";
    hak_free(p);
    Update([](hak_strategy_t* s) { s->huge_pages = 0; });
    void* q = hak_malloc(Opaque(8 * MiB));  // likely the same mapping, re-advised
    EXPECT_FALSE(MappingHasHugeAdvice(q));
    Touch(q, 8 * MiB);
    hak_free(q);
}

}  // namespace
}  // namespace hakt

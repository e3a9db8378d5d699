// The sampled path end to end through hak_alloc_at / hak_free_at: per-site
// estimates against the exact values of a known workload, size quantiles,
// lifetimes (also across threads), live and peak bytes, site ids, and the
// site table's overflow entry.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "telemetry_test_support.h"

#if defined(HAKMEM_TEST_TSAN)
#define HAKMEM_TEST_TSAN_ENABLED 1
#else
#define HAKMEM_TEST_TSAN_ENABLED 0
#endif

namespace {

using hakt::Opaque;
using telt::FakeSite;
using telt::SampledTest;
using telt::SiteStats;

using TelemetryEstimates = SampledTest;

// Exact counts and bytes of a synthetic workload: three sites of fixed sizes
// (small, medium, large) and one of mixed sizes. Each estimate must be within
// 6 standard deviations of the exact value (sd from the Horvitz-Thompson
// variance, telt::CountSd/BytesSd): a false failure has odds below 1e-8.
TEST_F(TelemetryEstimates, CountsAndBytesAreWithinSixStandardDeviationsOfTheExactValues) {
    struct Workload {
        hak_callsite_t site;
        std::vector<size_t> sizes;
    };
    std::mt19937_64 rng(5);
    std::vector<Workload> work = {
        {FakeSite(1, 0), std::vector<size_t>(1000000, 64)},
        {FakeSite(1, 1), std::vector<size_t>(100000, 1000)},
        {FakeSite(1, 2), std::vector<size_t>(300, 100 * 1024)},
        {FakeSite(1, 3), {}},
    };
    for (int i = 0; i < 200000; ++i) work[3].sizes.push_back(16 + rng() % 2000);
    for (const auto& w : work)
        for (size_t size : w.sizes) hak_free_at(hak_alloc_at(Opaque(size), w.site), size, w.site);

    for (const auto& w : work) {
        hak_site_stats_t s = SiteStats(w.site);
        double count = double(w.sizes.size()), bytes = 0;
        for (size_t size : w.sizes) bytes += double(size);
        double count_bound = 6 * telt::CountSd(w.sizes) + 1, bytes_bound = 6 * telt::BytesSd(w.sizes) + 16;
        std::printf("site %llx: %llu samples, allocs %llu (exact %.0f, bound %.0f), bytes %llu (exact %.0f, bound %.0f)\n",
                    (unsigned long long)w.site, (unsigned long long)s.samples, (unsigned long long)s.allocs, count,
                    count_bound, (unsigned long long)s.bytes, bytes, bytes_bound);
        EXPECT_GT(s.samples, 0u);
        EXPECT_NEAR(double(s.allocs), count, count_bound);
        EXPECT_NEAR(double(s.bytes), bytes, bytes_bound);
        EXPECT_EQ(s.freed_samples, s.samples) << "every block was freed";
        EXPECT_EQ(s.live_bytes, 0u);
    }
}

TEST_F(TelemetryEstimates, SizeQuantilesOfASiteMatchItsKnownSizeDistribution) {
    // Sizes uniform on 1..1000: by count, P50 = 500, P95 = 950, P99 = 990.
    // Samples favour large sizes (p grows with s); their 1/p weights undo it.
    const hak_callsite_t site = FakeSite(2, 0);
    std::mt19937_64 rng(11);
    for (int i = 0; i < 400000; ++i) {
        size_t size = 1 + rng() % 1000;
        hak_free_at(hak_alloc_at(Opaque(size), site), size, site);
    }
    hak_site_stats_t s = SiteStats(site);
    ASSERT_GT(s.samples, 10000u);
    std::printf("size p50 %llu p95 %llu p99 %llu from %llu samples\n", (unsigned long long)s.size_p50,
                (unsigned long long)s.size_p95, (unsigned long long)s.size_p99, (unsigned long long)s.samples);
    EXPECT_NEAR(double(s.size_p50), 500, 25);
    EXPECT_NEAR(double(s.size_p95), 950, 15);
    EXPECT_NEAR(double(s.size_p99), 990, 10);
}

TEST_F(TelemetryEstimates, LiveBytesFollowTheSampledBlocksAndPeakKeepsTheHighWaterMark) {
    const hak_callsite_t site = FakeSite(3, 0);
    constexpr size_t kSize = 4096, kBlocks = 4000;
    std::vector<void*> blocks;
    for (size_t i = 0; i < kBlocks; ++i) blocks.push_back(hak_alloc_at(Opaque(kSize), site));
    double bound = 6 * telt::BytesSd(std::vector<size_t>(kBlocks, kSize));
    hak_site_stats_t full = SiteStats(site);
    EXPECT_NEAR(double(full.live_bytes), double(kSize * kBlocks), bound);
    EXPECT_EQ(full.peak_live_bytes, full.live_bytes);
    for (size_t i = 0; i < kBlocks / 2; ++i) hak_free_at(blocks[i], kSize, site);
    hak_site_stats_t half = SiteStats(site);
    EXPECT_NEAR(double(half.live_bytes), double(kSize * kBlocks / 2), bound);
    EXPECT_EQ(half.peak_live_bytes, full.peak_live_bytes);
    for (size_t i = kBlocks / 2; i < kBlocks; ++i) hak_free_at(blocks[i], kSize, site);
    hak_site_stats_t none = SiteStats(site);
    EXPECT_EQ(none.live_bytes, 0u) << "each free subtracts exactly what its allocation added";
    EXPECT_EQ(none.peak_live_bytes, full.peak_live_bytes);
    EXPECT_EQ(none.freed_samples, none.samples);
}

TEST_F(TelemetryEstimates, LifetimesAreMeasuredForSampledBlocksFreedByAnotherThread) {
    // Small blocks (from the sampled heap) and large ones (record in the
    // block's header), allocated here and freed by a thread that first waits
    // 30 ms: every lifetime is at least that.
    const hak_callsite_t small_site = FakeSite(4, 0), large_site = FakeSite(4, 1);
    std::vector<std::pair<void*, hak_callsite_t>> blocks;
    // Lifetimes start at the allocations: so does the bound (under ASan on a
    // loaded machine the allocations alone took over 60 ms).
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 20000; ++i) blocks.push_back({hak_alloc_at(Opaque(size_t{128}), small_site), small_site});
    for (int i = 0; i < 40; ++i) blocks.push_back({hak_alloc_at(Opaque(size_t{256 * 1024}), large_site), large_site});
    std::thread([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        for (auto& [p, site] : blocks) hak_free_at(p, 0, site);
    }).join();
    uint64_t elapsed = uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::steady_clock::now() - start).count());
    for (hak_callsite_t site : {small_site, large_site}) {
        hak_site_stats_t s = SiteStats(site);
        ASSERT_GT(s.samples, 0u) << std::hex << site;
        EXPECT_EQ(s.freed_samples, s.samples);
        EXPECT_EQ(s.live_bytes, 0u);
        EXPECT_GE(s.lifetime_p50_ns, 30000000u);
        EXPECT_LE(s.lifetime_p99_ns, elapsed + 60000000u) << "lifetimes end at the free";
        EXPECT_LE(s.lifetime_p50_ns, s.lifetime_p95_ns);
        EXPECT_LE(s.lifetime_p95_ns, s.lifetime_p99_ns);
    }
}

TEST_F(TelemetryEstimates, SampledBlocksWorkLikeAnyOtherBlock) {
    // Sample every allocation: the realloc, calloc and usable-size paths all
    // meet sampled blocks.
    hakmem::telemetry_set_sample_bytes(1, true);
    const hak_callsite_t site = FakeSite(5, 0);
    std::vector<void*> blocks;
    for (size_t size : {size_t{8}, size_t{100}, size_t{3000}, size_t{70000}, size_t{1} << 20}) {
        auto* p = static_cast<unsigned char*>(hak_alloc_at(Opaque(size), site));
        ASSERT_NE(p, nullptr);
        EXPECT_GE(hak_usable_size(p), size);
        hakt::FillPattern(p, size, size);
        auto* q = static_cast<unsigned char*>(hak_realloc(p, size * 3));
        ASSERT_NE(q, nullptr);
        EXPECT_EQ(hakt::CheckPattern(q, size, size), SIZE_MAX);
        void* z = hak_calloc(1, size);
        ASSERT_TRUE(hakt::IsAllZero(z, size));
        blocks.push_back(q);
        blocks.push_back(z);
    }
    for (void* p : blocks) hak_free(p);
    hak_site_stats_t s = SiteStats(site);
    EXPECT_EQ(s.samples, 5u) << "p(8 bytes at T=1) = 1 - e^-8: every allocation sampled";
    EXPECT_EQ(s.freed_samples, 5u);
    hak_stats_t st{};
    st.struct_size = sizeof st;
    ASSERT_EQ(hak_get_stats(&st), HAK_OK);
    EXPECT_EQ(st.telemetry_sample_bytes, 1u);
}

TEST_F(TelemetryEstimates, ManySampledBlocksLiveAtOnceAreAllTracked) {
    // Thousands of live sampled small blocks grow the address table several
    // times; freed in random order, every one is found again.
    hakmem::telemetry_set_sample_bytes(1, true);
    const hak_callsite_t site = FakeSite(6, 0);
    std::vector<void*> blocks;
    for (int i = 0; i < 6000; ++i) blocks.push_back(hak_alloc_at(Opaque(size_t{48}), site));
    std::shuffle(blocks.begin(), blocks.end(), std::mt19937_64(1));
    for (void* p : blocks) hak_free_at(p, 48, site);
    hak_site_stats_t s = SiteStats(site);
    EXPECT_EQ(s.samples, 6000u);
    EXPECT_EQ(s.freed_samples, 6000u);
    EXPECT_EQ(s.live_bytes, 0u);
}

// Sampled blocks of all threads come from one heap: were they packed like
// any class, two threads' small blocks would share cache lines (false
// sharing, issue 11). Each sampled block owns the lines it touches.
TEST_F(TelemetryEstimates, SampledBlocksOfTwoThreadsNeverShareACacheLine) {
    constexpr int kBlocks = 300;
    struct Span { uintptr_t first_line, last_line; };
    static Span spans[2][kBlocks];
    static void* blocks[2][kBlocks];
    std::atomic<int> ready{0};
    auto work = [&](int t) {
        hak_free(hak_malloc(1));  // the thread's heap, then sample every allocation
        hakmem::telemetry_set_sample_bytes(1, true);
        ready.fetch_add(1);
        while (ready.load() < 2) {}
        for (int i = 0; i < kBlocks; ++i) {
            size_t n = size_t{8} + static_cast<size_t>(i % 5) * 20;  // 8..88 bytes
            auto* p = static_cast<unsigned char*>(hak_alloc_at(Opaque(n), FakeSite(7, 0)));
            blocks[t][i] = p;
            uintptr_t u = reinterpret_cast<uintptr_t>(p);
            spans[t][i] = {u / 64, (u + hak_usable_size(p) - 1) / 64};
        }
    };
    std::thread a(work, 0), b(work, 1);
    a.join();
    b.join();
    hak_site_stats_t s = SiteStats(FakeSite(7, 0));
    // Each change of the rate restarts the other thread's sampling at its
    // next sample (a fresh countdown, not a sample): depending on how the two
    // changes interleave, one or two allocations are not sampled. The check
    // below needs almost all of them sampled, not an exact count.
    EXPECT_GE(s.samples, 2u * kBlocks - 4) << "all allocations but the restarts were sampled";
    for (const Span& x : spans[0])
        for (const Span& y : spans[1])
            ASSERT_TRUE(x.last_line < y.first_line || y.last_line < x.first_line)
                << "lines " << x.first_line << "-" << x.last_line << " and " << y.first_line << "-" << y.last_line;
    for (auto& per_thread : blocks)
        for (void* p : per_thread) hak_free(p);
}

// Two call sites through hak_malloc: the site is the return address of the
// call, so it is stable across calls and differs between the two.
__attribute__((noinline)) void* AllocHereA(size_t n) {
    void* p = hak_malloc(n);
    hakt::Escape(p);  // no tail call: the return address stays in this function
    return p;
}
__attribute__((noinline)) void* AllocHereB(size_t n) {
    void* p = hak_malloc(n);
    hakt::Escape(p);
    return p;
}

// Site statistics without allocating (a std::vector would itself be sampled
// at T = 1 in builds where the override serves it).
struct SiteSnapshot {
    hak_site_stats_t sites[4096];
    size_t n = 0;
    void Take() {
        sites[0].struct_size = sizeof sites[0];
        n = 4096;
        EXPECT_EQ(hak_get_site_stats(sites, &n), HAK_OK);
    }
    uint64_t SamplesOf(hak_callsite_t site) const {
        for (size_t i = 0; i < n; ++i)
            if (sites[i].site == site) return sites[i].samples;
        return 0;
    }
};
SiteSnapshot g_before, g_after;

TEST_F(TelemetryEstimates, SiteIdsAreStableAndDistinctForDistinctCallSites) {
    hakmem::telemetry_set_sample_bytes(1, true);
    g_before.Take();
    hak_callsite_t static_a = 0, static_b = 0;
    for (int i = 0; i < 3; ++i) {
        static_a = HAK_SITE();
        hak_free(hak_alloc_at(Opaque(size_t{64}), static_a));
        static_b = HAK_SITE();
        hak_free(hak_alloc_at(Opaque(size_t{64}), static_b));
        hak_free(AllocHereA(Opaque(size_t{64})));
        hak_free(AllocHereB(Opaque(size_t{64})));
    }
    g_after.Take();
    EXPECT_NE(static_a, static_b);
    // Exactly four sites gained samples, three each: one per HAK_SITE() line
    // and one per call of hak_malloc, each inside its own function.
    auto a_lo = reinterpret_cast<uintptr_t>(&AllocHereA), b_lo = reinterpret_cast<uintptr_t>(&AllocHereB);
    hak_callsite_t in_a = 0, in_b = 0;
    int changed = 0;
    for (size_t i = 0; i < g_after.n; ++i) {
        const hak_site_stats_t& s = g_after.sites[i];
        uint64_t gained = s.samples - g_before.SamplesOf(s.site);
        if (gained == 0) continue;
        ++changed;
        if (!HAKMEM_TEST_TSAN_ENABLED) {
            EXPECT_EQ(gained, 3u) << std::hex << s.site;
        }
        if (s.site > a_lo && s.site < a_lo + 512 && !(b_lo > a_lo && s.site >= b_lo)) in_a = s.site;
        if (s.site > b_lo && s.site < b_lo + 512 && !(a_lo > b_lo && s.site >= a_lo)) in_b = s.site;
    }
    EXPECT_EQ(g_after.SamplesOf(static_a) - g_before.SamplesOf(static_a), 3u) << "one HAK_SITE() line is one site";
    EXPECT_EQ(g_after.SamplesOf(static_b) - g_before.SamplesOf(static_b), 3u);
#if defined(HAKMEM_TEST_TSAN)
    // TSan's function entry/exit hooks keep hak_malloc from tail-calling the
    // slow path, so every hak_malloc site is the same address inside it.
    GTEST_SKIP() << "return-address sites need the tail call TSan instrumentation removes";
#endif
    EXPECT_EQ(changed, 4);
    EXPECT_NE(in_a, 0u) << "a site inside AllocHereA";
    EXPECT_NE(in_b, 0u) << "a site inside AllocHereB";
    EXPECT_NE(in_a, in_b);
}

// In a child process: filling the site table would leave no room for the
// other tests' sites.
TEST(TelemetryOverflow, AFullSiteTableFoldsNewSitesIntoTheOverflowEntryAndCountsThem) {
    auto child = hakt::RunInChild([] {
        hak_free(hak_malloc(1));  // the thread's heap, so the rate below applies at once
        hakmem::telemetry_set_sample_bytes(1, true);  // every allocation sampled
        hak_stats_t before{};
        before.struct_size = sizeof before;
        hak_get_stats(&before);
        constexpr uint32_t kSites = 3000;
        for (uint32_t i = 0; i < kSites; ++i) {
            hak_callsite_t site = FakeSite(8, i);
            hak_free_at(hak_alloc_at(Opaque(size_t{64}), site), 64, site);
        }
        hak_stats_t after{};
        after.struct_size = sizeof after;
        hak_get_stats(&after);
        uint64_t folded = after.telemetry_folded_samples - before.telemetry_folded_samples;
        hak_site_stats_t overflow{};
        uint32_t kept = 0;
        for (const auto& s : telt::AllSites()) {
            if (s.site == HAK_SITE_OVERFLOW) overflow = s;
            if (s.site >= FakeSite(8, 0) && s.site <= FakeSite(8, kSites - 1)) kept += s.samples == 1;
        }
        std::fprintf(stderr, "sites %llu, folded %llu, overflow samples %llu, kept %u\n",
                     (unsigned long long)after.telemetry_sites, (unsigned long long)folded,
                     (unsigned long long)overflow.samples, kept);
        // Other allocations of the process (the test's own, where the
        // override serves them) may fold too: hence >= on the totals.
        bool ok = after.telemetry_sites <= 2048 && folded >= kSites - 2048 && overflow.samples >= folded &&
                  kept < kSites && kept + folded >= kSites;
        return ok ? 0 : 1;
    });
    EXPECT_TRUE(child.ExitedWith(0)) << child.Describe();
}

}  // namespace

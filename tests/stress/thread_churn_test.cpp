// Thread churn: thousands of short-lived threads each allocate and free, and
// leave some blocks for the main thread to free after they have exited. The
// memory of exited threads must be reused, so the footprint after all of them
// stays close to the footprint after the first hundred.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "hakmem_test_support.h"

namespace {

using hakt::Block;
using hakt::KiB;
using hakt::MiB;

struct Leftovers {
    std::mutex mutex;
    std::vector<Block> blocks;
};

void ShortLivedThread(const hakt::Api& api, uint64_t seed, Leftovers& leftovers, hakt::Failures& failures) {
    std::mt19937_64 rng(seed);
    std::vector<Block> mine;
    const int count = 48 + int(rng() % 32);
    for (int i = 0; i < count; ++i) {
        Block b;
        b.size = i == 0 && rng() % 16 == 0 ? 2 * MiB + size_t(rng() % 4096)  // now and then a large block
                 : i == 1                   ? 100 * KiB
                                            : 16 + size_t(rng() % (8 * KiB));
        b.p = api.malloc(b.size);
        if (!b.p) {
            failures.Add("malloc failed in a short-lived thread");
            return;
        }
        b.id = seed * 1000 + uint64_t(i);
        hakt::FillPattern(b.p, b.size, b.id);
        mine.push_back(b);
    }
    // Free most in scrambled order, leave four for the main thread.
    std::shuffle(mine.begin(), mine.end(), rng);
    std::vector<Block> leave(mine.end() - 4, mine.end());
    mine.resize(mine.size() - 4);
    for (const Block& b : mine) {
        size_t bad = hakt::CheckPattern(b.p, b.size, b.id);
        if (bad != SIZE_MAX) failures.Add(hakt::DescribeCorruption(b, bad, "in its own thread"));
        api.free(b.p);
    }
    std::lock_guard<std::mutex> lock(leftovers.mutex);
    leftovers.blocks.insert(leftovers.blocks.end(), leave.begin(), leave.end());
}

void FreeLeftovers(const hakt::Api& api, Leftovers& leftovers, hakt::Failures& failures) {
    std::vector<Block> blocks;
    {
        std::lock_guard<std::mutex> lock(leftovers.mutex);
        blocks.swap(leftovers.blocks);
    }
    for (const Block& b : blocks) {
        size_t bad = hakt::CheckPattern(b.p, b.size, b.id);
        if (bad != SIZE_MAX) failures.Add(hakt::DescribeCorruption(b, bad, "after its thread exited"));
        api.free(b.p);
    }
}

struct Footprint {
    uint64_t mapped, rss, threads_active;
};
Footprint Measure() {
    hak_stats_t s;
    EXPECT_TRUE(hakt::ReadStats(&s)) << "hak_get_stats is not available";
    return {s.bytes_mapped, hakt::ProcessRss(), s.threads_active};
}

TEST(ThreadChurn, ThousandsOfShortLivedThreadsKeepMemoryBounded) {
    const hakt::Api& api = hakt::StressApi();
    const uint64_t seed = hakt::TestSeed("ThreadChurn");
    const int total = 3000 / hakt::kSlowdown;
    constexpr int kConcurrent = 4;  // threads alive at once
    constexpr int kWarmup = 100;
    Leftovers leftovers;
    hakt::Failures failures;
    Footprint warm{};
    int started = 0;
    while (started < total) {
        std::vector<std::thread> batch;
        for (int i = 0; i < kConcurrent && started < total; ++i, ++started)
            batch.emplace_back([&, n = started] { ShortLivedThread(api, seed + uint64_t(n), leftovers, failures); });
        for (auto& t : batch) t.join();
        // Some leftovers are freed at once, the rest a few batches later, so
        // frees land in heaps whose threads are long gone.
        if (started % (kConcurrent * 4) == 0) FreeLeftovers(api, leftovers, failures);
        if (started == kWarmup) {
            FreeLeftovers(api, leftovers, failures);
            warm = Measure();
        }
    }
    FreeLeftovers(api, leftovers, failures);
    Footprint end = Measure();
    EXPECT_EQ(failures.count(), 0) << failures.Describe() << "seed " << seed;
    std::printf("[  CHURN   ] after %d threads: mapped %.1f MiB, rss %.1f MiB, heaps %llu; after %d: mapped %.1f MiB, "
                "rss %.1f MiB, heaps %llu\n",
                kWarmup, double(warm.mapped) / MiB, double(warm.rss) / MiB, (unsigned long long)warm.threads_active,
                total, double(end.mapped) / MiB, double(end.rss) / MiB, (unsigned long long)end.threads_active);
    EXPECT_LE(end.mapped, warm.mapped + 64 * MiB)
        << "hakmem's mapped memory grew with the number of threads that have exited";
#if !defined(HAKMEM_TEST_TSAN)  // TSan's shadow memory makes RSS meaningless here
    EXPECT_LE(end.rss, warm.rss + 64 * MiB) << "RSS grew with the number of threads that have exited";
#endif
    EXPECT_LE(end.threads_active, warm.threads_active + 8)
        << "heaps of exited threads are still counted as active";
}

// Threads that exit while holding blocks, with nobody freeing them for a
// while: their memory must stay valid and be freeable later from anywhere.
TEST(ThreadChurn, BlocksOfExitedThreadsStayValidAndCanBeFreedFromOtherThreads) {
    const hakt::Api& api = hakt::StressApi();
    const uint64_t seed = hakt::TestSeed("ThreadChurnOrphans");
    const int total = 400 / hakt::kSlowdown;
    Leftovers leftovers;
    hakt::Failures failures;
    for (int n = 0; n < total; n += 4) {
        std::vector<std::thread> batch;
        for (int i = 0; i < 4; ++i)
            batch.emplace_back([&, k = n + i] { ShortLivedThread(api, seed + uint64_t(k), leftovers, failures); });
        for (auto& t : batch) t.join();
    }
    // All leftovers are orphans now; free them from a few fresh threads.
    std::vector<Block> all;
    all.swap(leftovers.blocks);
    std::vector<std::thread> freers;
    for (int f = 0; f < 4; ++f) {
        freers.emplace_back([&, f] {
            for (size_t i = size_t(f); i < all.size(); i += 4) {
                size_t bad = hakt::CheckPattern(all[i].p, all[i].size, all[i].id);
                if (bad != SIZE_MAX) failures.Add(hakt::DescribeCorruption(all[i], bad, "as an orphan"));
                api.free(all[i].p);
            }
        });
    }
    for (auto& t : freers) t.join();
    EXPECT_EQ(failures.count(), 0) << failures.Describe() << "seed " << seed;
}

// Threads that come and go four at a time, each allocating and freeing only
// its own small blocks: heaps of exited threads go back to a pool and are
// reused at once. A heap handed to two threads at the same time (the pool
// bug: the exiting thread marked its heap free twice, once outside the
// pool's lock, so a second thread could take it while the first new owner
// used it) shows as a block changing under its owner or a corrupt free list.
TEST(ThreadChurn, HeapsOfExitedThreadsAreNeverSharedByTwoNewThreads) {
    const hakt::Api& api = hakt::StressApi();
    const uint64_t seed = hakt::TestSeed("ThreadChurnPool");
    const int total = 3000 / hakt::kSlowdown;
    hakt::Failures failures;
    for (int started = 0; started < total;) {
        std::vector<std::thread> batch;
        for (int i = 0; i < 4; ++i, ++started) {
            batch.emplace_back([&, n = started] {
                std::mt19937_64 rng(seed + uint64_t(n));
                std::vector<Block> mine;
                for (int k = 0, count = 48 + int(rng() % 32); k < count; ++k) {
                    Block b;
                    b.size = 16 + size_t(rng() % (8 * KiB));
                    b.p = api.malloc(b.size);
                    if (b.p == nullptr) return failures.Add("malloc failed");
                    b.id = (seed + uint64_t(n)) * 1000 + uint64_t(k);
                    hakt::FillPattern(b.p, b.size, b.id);
                    mine.push_back(b);
                }
                std::shuffle(mine.begin(), mine.end(), rng);
                for (const Block& b : mine) {
                    size_t bad = hakt::CheckPattern(b.p, b.size, b.id);
                    if (bad != SIZE_MAX) failures.Add(hakt::DescribeCorruption(b, bad, "in its own thread"));
                    api.free(b.p);
                }
            });
        }
        for (auto& t : batch) t.join();
    }
    EXPECT_EQ(failures.count(), 0) << failures.Describe() << "seed " << seed;
}

}  // namespace

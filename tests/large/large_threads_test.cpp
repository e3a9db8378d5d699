// Large blocks across threads: allocated on one thread, resized and freed
// on another, while the cache, its releases and the purge thread run.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "large_test_support.h"

namespace hakt {
namespace {

// Writes the pattern into the first and last 4 KiB and one word per page:
// enough to catch a block handed out twice or released while live, without
// making the test about memset speed.
void Stamp(void* p, size_t n, uint64_t id) {
    auto* b = static_cast<unsigned char*>(p);
    size_t edge = n < 4 * KiB ? n : 4 * KiB;
    FillPattern(b, edge, id);
    FillPattern(b + n - edge, edge, id ^ 1);
    for (size_t off = 4 * KiB; off + 8 <= n - edge; off += 4 * KiB) {
        uint64_t w = PatternWord(id, off);
        std::memcpy(b + off, &w, 8);
    }
}
size_t Check(const void* p, size_t n, uint64_t id) {
    auto* b = static_cast<const unsigned char*>(p);
    size_t edge = n < 4 * KiB ? n : 4 * KiB;
    if (size_t bad = CheckPattern(b, edge, id); bad != SIZE_MAX) return bad;
    if (size_t bad = CheckPattern(b + n - edge, edge, id ^ 1); bad != SIZE_MAX) return n - edge + bad;
    for (size_t off = 4 * KiB; off + 8 <= n - edge; off += 4 * KiB) {
        uint64_t w;
        std::memcpy(&w, b + off, 8);
        if (w != PatternWord(id, off)) return off;
    }
    return SIZE_MAX;
}

using Queue = BlockQueue;  // tests/support: unbounded by default

using LargeThreadsTest = LargeTest;

TEST_F(LargeThreadsTest, LargeBlocksFreedAndResizedByOtherThreadsStayIntactAndTheCacheBounded) {
    constexpr uint64_t kBound = 16 * MiB;
    Update([](hak_strategy_t* s) {
        s->large_cache_max = kBound;
        s->purge_delay_ms = 20;  // the purge thread runs throughout
        s->purge_batch_bytes = 2 * MiB;
    });
    const uint64_t seed = TestSeed("LargeBlocksFreedAndResizedByOtherThreads");
    constexpr int kPairs = 3;
    const int kBlocks = 600 / kSlowdown;
    Queue queues[kPairs];
    Failures failures;
    std::atomic<bool> bound_exceeded{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kPairs; ++t) {
        threads.emplace_back([&, t] {  // producer
            std::mt19937_64 rng(seed + t);
            for (int i = 0; i < kBlocks; ++i) {
                size_t size = 64 * KiB + 1 + rng() % (rng() % 4 == 0 ? 6 * MiB : 512 * KiB);
                uint64_t id = (uint64_t(t) << 32) | uint64_t(i);
                void* p = hak_malloc(size);
                if (p == nullptr) { failures.Add("malloc failed"); continue; }
                Stamp(p, size, id);
                queues[(t + i) % kPairs].Push(Block{p, size, id});
            }
        });
        threads.emplace_back([&, t] {  // consumer: checks, sometimes resizes, frees
            std::mt19937_64 rng(seed ^ (0x9E37u + t));
            Block b;
            while (queues[t].Pop(&b)) {
                if (size_t bad = Check(b.p, b.size, b.id); bad != SIZE_MAX)
                    failures.Add(DescribeCorruption(b, bad, "before free"));
                if (rng() % 4 == 0) {
                    size_t size = 64 * KiB + 1 + rng() % (8 * MiB);
                    void* q = hak_realloc(b.p, size);
                    if (q == nullptr) { failures.Add("realloc failed"); hak_free(b.p); continue; }
                    size_t keep = b.size < size ? b.size : size;
                    size_t edge = keep < 4 * KiB ? keep : 4 * KiB;
                    if (size_t bad = CheckPattern(q, edge, b.id); bad != SIZE_MAX)
                        failures.Add(DescribeCorruption(b, bad, "after realloc"));
                    b.p = q;
                }
                hak_free(b.p);
                hak_stats_t s;
                if (ReadStats(&s) && s.large_cache_bytes > kBound) bound_exceeded = true;
            }
        });
    }
    for (int t = 0; t < kPairs; ++t) threads[2 * t].join();
    for (auto& q : queues) q.Close();
    for (int t = 0; t < kPairs; ++t) threads[2 * t + 1].join();
    EXPECT_EQ(failures.count(), 0) << failures.Describe();
    EXPECT_FALSE(bound_exceeded.load());
    hak_stats_t s = Stats();
    EXPECT_GT(s.large_cache_hits, 0u);
    EXPECT_LE(s.large_cache_bytes, kBound);
}

TEST_F(LargeThreadsTest, ThreadsChangingTheStrategyWhileOthersAllocateLeaveEveryBlockIntact) {
    std::atomic<bool> stop{false};
    Failures failures;
    std::thread changer([&] {
        std::mt19937_64 rng(1);
        while (!stop) {
            hak_strategy_t s = GetStrategy();
            s.large_cache_max = (rng() % 4) * 8 * MiB;
            s.mmap_threshold = (rng() % 2) ? 32 * MiB : 256 * KiB;
            s.huge_pages = uint32_t(rng() % 3);
            s.purge_delay_ms = rng() % 50;
            hak_set_strategy(&s);
            hak_collect(int(rng() % 2));
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    });
    std::vector<std::thread> workers;
    for (int t = 0; t < 3; ++t) {
        workers.emplace_back([&, t] {
            std::mt19937_64 rng(100 + t);
            std::vector<Block> live;
            for (int i = 0; i < 1500 / kSlowdown; ++i) {
                if (live.size() < 8 && rng() % 2) {
                    size_t size = 64 * KiB + 1 + rng() % (2 * MiB);
                    uint64_t id = (uint64_t(t) << 32) | uint64_t(i);
                    void* p = hak_malloc(size);
                    if (!p) { failures.Add("malloc failed"); continue; }
                    Stamp(p, size, id);
                    live.push_back(Block{p, size, id});
                } else if (!live.empty()) {
                    size_t k = rng() % live.size();
                    if (size_t bad = Check(live[k].p, live[k].size, live[k].id); bad != SIZE_MAX)
                        failures.Add(DescribeCorruption(live[k], bad, "before free"));
                    hak_free(live[k].p);
                    live[k] = live.back();
                    live.pop_back();
                }
            }
            for (Block& b : live) hak_free(b.p);
        });
    }
    for (auto& w : workers) w.join();
    stop = true;
    changer.join();
    EXPECT_EQ(failures.count(), 0) << failures.Describe();
}

}  // namespace
}  // namespace hakt

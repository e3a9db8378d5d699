// Remote frees racing the release of their page: producer threads, created
// and joined in rounds of three, allocate blocks from 16 B to 600 KiB and
// hand them to two consumer threads that free them, while a collector
// thread keeps sweeping the abandoned segments of exited producers. With no
// segment cache, a segment is unmapped the moment its last block comes
// home, so a freeing thread that touched the page after publishing its
// block (the bug this guards: reading the page's full flag after the push)
// faults.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "hakmem_test_support.h"

namespace {

using hakt::Block;
using hakt::KiB;

using hakt::BlockQueue;

void PushAll(BlockQueue& queue, std::vector<Block>& batch) {
    for (const Block& b : batch) queue.Push(b);
    batch.clear();
}

// Mixed sizes: mostly small, some medium, a few large (up to 600 KiB).
size_t MixedSize(std::mt19937_64& rng) {
    uint64_t r = rng() % 100;
    if (r < 70) return 16 + size_t(rng() % 512);
    if (r < 95) return 1 * KiB + size_t(rng() % (63 * KiB));
    return 64 * KiB + size_t(rng() % (536 * KiB));
}

// Writes the first and last words only: the test is about metadata races,
// and touching 600 KiB blocks whole would slow the rounds ten times.
void Stamp(const Block& b) {
    auto* w = static_cast<uint64_t*>(b.p);
    w[0] = b.id;
    std::memcpy(static_cast<char*>(b.p) + b.size - 8, &b.id, 8);
}
bool StampIntact(const Block& b) {
    uint64_t tail;
    std::memcpy(&tail, static_cast<char*>(b.p) + b.size - 8, 8);
    return static_cast<uint64_t*>(b.p)[0] == b.id && tail == b.id;
}

// Sizes whose classes keep blocks in a freeing thread's foreign cache
// (core/foreign_cache.h: multiples of 64 up to 1 KiB), so consumers keep
// the blocks they free, and reuse them, while the producers that own them
// exit and their segments are swept and unmapped.
size_t KeptSize(std::mt19937_64& rng) {
    static constexpr size_t kSizes[] = {64, 128, 192, 256, 320, 448, 512, 640, 768, 1024};
    return kSizes[rng() % (sizeof(kSizes) / sizeof(kSizes[0]))];
}

// Allocates a block of `size` with a random id and stamps it; false when
// malloc failed.
bool NewBlock(const hakt::Api& api, size_t size, std::mt19937_64& rng, Block& b) {
    b.size = size;
    b.p = api.malloc(size);
    if (b.p == nullptr) return false;
    b.id = rng();
    Stamp(b);
    return true;
}

// What the producers hand over and the consumers share.
struct Handover {
    BlockQueue queue;
    hakt::Failures failures;
    std::atomic<uint64_t> freed{0};
};

// A consumer's step: takes the next block, checks it and frees it; false
// once the producers are done and the queue is empty.
bool FreeNext(const hakt::Api& api, Handover& h) {
    Block b;
    if (!h.queue.Pop(&b)) return false;
    if (!StampIntact(b)) h.failures.Add(hakt::DescribeCorruption(b, 0, "before its remote free"));
    api.free(b.p);
    h.freed.fetch_add(1, std::memory_order_relaxed);
    return true;
}

// The pattern: with no segment cache (and the Strategy changed further by
// tune), two consumers run consume(c, seed, h) and a collector sweeps,
// while producers, created and joined in rounds of three, each allocate 200
// blocks of size_of(rng) and hand them over in batches of 16 while still
// allocating. Bounded in rounds and in time (whichever ends first): the
// crash this guards came within a few hundred rounds, in under 3 s.
template <class SizeOf, class Consume, class Tune>
void RunHandover(const char* seed_name, int max_rounds, SizeOf size_of, Consume consume, Tune tune) {
    const hakt::Api& api = hakt::StressApi();
    hak_strategy_t saved, changed;
    ASSERT_TRUE(hakt::GetStrategy(&saved)) << "hak_get_strategy is not available";
    changed = saved;
    changed.segment_cache_max = 0;
    tune(changed);
    ASSERT_TRUE(hakt::SetStrategy(changed)) << "hak_set_strategy is not available";
    const uint64_t seed = hakt::TestSeed(seed_name);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
    Handover h;
    std::vector<std::thread> consumers;
    for (int c = 0; c < 2; ++c) consumers.emplace_back([&, c] { consume(c, seed, h); });
    std::atomic<bool> stop{false};
    std::thread collector([&] {
        while (!stop.load(std::memory_order_relaxed)) hakt::Collect(1);
    });
    int rounds = 0;
    uint64_t allocated = 0;
    for (; rounds < max_rounds && std::chrono::steady_clock::now() < deadline; ++rounds) {
        std::vector<std::thread> producers;
        for (int p = 0; p < 3; ++p) {
            producers.emplace_back([&, p] {
                std::mt19937_64 rng(seed ^ (uint64_t(rounds) << 8) ^ uint64_t(p));
                std::vector<Block> batch;
                for (int i = 0; i < 200; ++i) {
                    Block b;
                    if (!NewBlock(api, size_of(rng), rng, b)) {
                        h.failures.Add("malloc failed in a producer");
                        return;
                    }
                    batch.push_back(b);
                    if (batch.size() == 16) PushAll(h.queue, batch);  // hand over while still allocating
                }
                PushAll(h.queue, batch);
            });
        }
        for (auto& t : producers) t.join();
        allocated += 3 * 200;
    }
    h.queue.Close();
    for (auto& t : consumers) t.join();
    stop = true;
    collector.join();
    hakt::SetStrategy(saved);
    std::printf("[  ROUNDS  ] %d rounds, %llu blocks freed remotely\n", rounds, (unsigned long long)h.freed.load());
    EXPECT_EQ(h.failures.count(), 0) << h.failures.Describe() << "seed " << seed;
    EXPECT_EQ(h.freed.load(), allocated);
}

template <class SizeOf, class Consume>
void RunHandover(const char* seed_name, int max_rounds, SizeOf size_of, Consume consume) {
    RunHandover(seed_name, max_rounds, size_of, consume, [](hak_strategy_t&) {});
}

// A consumer that only frees.
void FreeAll(const hakt::Api& api, Handover& h) {
    while (FreeNext(api, h)) {
    }
}

TEST(RemoteFreeUnmap, ConsumersFreeBlocksOfProducerThreadsThatComeAndGoWhileSegmentsAreUnmapped) {
    const hakt::Api& api = hakt::StressApi();
    RunHandover("RemoteFreeUnmap", 600 / hakt::kSlowdown, MixedSize, [&](int, uint64_t, Handover& h) { FreeAll(api, h); });
}

// The same, while the producers' new segments are made of the mappings of
// large blocks the consumers just freed (core/segment.h, SegmentSource): a
// purge delay under 16 ms lets a mapping become a segment as soon as it is
// cached, so the memory of a large block a consumer frees holds the next
// producer's small blocks, which the consumers then free remotely while
// that producer exits and its segment is swept and unmapped.
TEST(RemoteFreeUnmap, ProducersMakeSegmentsOfFreedLargeBlocksThatConsumersEmptyAfterTheyExit) {
    const hakt::Api& api = hakt::StressApi();
    hak_stats_t before, after;
    ASSERT_TRUE(hakt::ReadStats(&before));
    RunHandover(
        "RemoteFreeUnmapLarge", 600 / hakt::kSlowdown, MixedSize, [&](int, uint64_t, Handover& h) { FreeAll(api, h); },
        [](hak_strategy_t& s) { s.purge_delay_ms = 15; });
    ASSERT_TRUE(hakt::ReadStats(&after));
    uint64_t taken = after.large_cache_to_segments - before.large_cache_to_segments;
    std::printf("[  SEGMENT ] %llu segments made of cached large blocks\n", (unsigned long long)taken);
    EXPECT_GT(taken, 0u) << "no new segment was made of a cached large block: the test missed its case";
}

TEST(RemoteFreeUnmap, ConsumersThatAllocateReuseBlocksOfProducersThatExitAndNeverGetOneTwice) {
    const hakt::Api& api = hakt::StressApi();
    auto size_of = [](std::mt19937_64& rng) { return rng() % 4 == 0 ? MixedSize(rng) : KeptSize(rng); };
    RunHandover("RemoteFreeUnmapKept", 400 / hakt::kSlowdown, size_of, [&](int c, uint64_t seed, Handover& h) {
        std::mt19937_64 rng(seed ^ (0xc0ffeeull + uint64_t(c)));
        // A consumer's own blocks: allocated (often from its foreign cache)
        // after each free, stamped, checked when they are freed 64 steps
        // later. A block handed out twice fails a stamp.
        std::vector<Block> own(64);
        auto drop = [&](Block& mine) {
            if (mine.p == nullptr) return;
            if (!StampIntact(mine)) h.failures.Add(hakt::DescribeCorruption(mine, 0, "in a consumer's own block"));
            api.free(mine.p);
            mine.p = nullptr;
        };
        for (size_t next = 0; FreeNext(api, h); ++next) {
            Block& mine = own[next % own.size()];
            drop(mine);
            if (!NewBlock(api, KeptSize(rng), rng, mine)) {
                h.failures.Add("malloc failed in a consumer");
                break;
            }
        }
        for (Block& mine : own) drop(mine);
    });
}

}  // namespace

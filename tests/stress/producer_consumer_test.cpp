// Producer/consumer: blocks allocated on one thread are verified, sometimes
// reallocated, and freed on another. Every block carries a pattern derived
// from its id, so a cross-thread free that corrupts a neighbour, or a block
// handed out twice, shows up as a pattern mismatch.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "hakmem_test_support.h"

namespace {

using hakt::Block;
using hakt::KiB;
using hakt::MiB;

using hakt::BlockQueue;

void Produce(const hakt::Api& api, BlockQueue& queue, uint64_t seed, int count, std::atomic<uint64_t>& next_id,
             size_t max_size, hakt::Failures& failures) {
    std::mt19937_64 rng(seed);
    for (int i = 0; i < count; ++i) {
        Block b;
        b.size = hakt::SkewedSize(rng, max_size);
        b.p = rng() % 8 == 0 ? api.calloc(1, b.size) : api.malloc(b.size);
        if (!b.p) {
            failures.Add("allocation of " + std::to_string(b.size) + " bytes failed");
            return;
        }
        b.id = next_id.fetch_add(1, std::memory_order_relaxed);
        hakt::FillPattern(b.p, b.size, b.id);
        queue.Push(b);
    }
}

void Consume(const hakt::Api& api, BlockQueue& queue, uint64_t seed, hakt::Failures& failures,
             std::atomic<uint64_t>& consumed) {
    std::mt19937_64 rng(seed);
    Block b;
    while (queue.Pop(&b)) {
        size_t bad = hakt::CheckPattern(b.p, b.size, b.id);
        if (bad != SIZE_MAX) failures.Add(hakt::DescribeCorruption(b, bad, "when received"));
        if (rng() % 4 == 0) {
            // Reallocate a block another thread allocated, then check what moved.
            size_t new_size = b.size / 2 + size_t(rng() % (b.size + 64));
            void* q = api.realloc(b.p, new_size);
            if (q == nullptr && new_size != 0) {
                failures.Add("realloc of a remote block failed");
                continue;
            }
            if (q == nullptr) {  // realloc(p, 0) freed it
                consumed.fetch_add(1, std::memory_order_relaxed);
                continue;
            }
            size_t keep = std::min(b.size, new_size);
            bad = hakt::CheckPattern(q, keep, b.id);
            if (bad != SIZE_MAX) failures.Add(hakt::DescribeCorruption({q, keep, b.id}, bad, "after remote realloc"));
            b.p = q;
            b.size = new_size;
            hakt::FillPattern(b.p, b.size, b.id);
        }
        api.free(b.p);
        consumed.fetch_add(1, std::memory_order_relaxed);
    }
}

TEST(ProducerConsumer, BlocksFreedOnAnotherThreadKeepTheirContentsAndNeverOverlap) {
    const hakt::Api& api = hakt::StressApi();
    const uint64_t seed = hakt::TestSeed("ProducerConsumer");
    constexpr int kProducers = 2, kConsumers = 2;
    const int per_producer = 150000 / hakt::kSlowdown;
    BlockQueue queue(2048);
    hakt::Failures failures;
    std::atomic<uint64_t> next_id{1}, consumed{0};
    std::vector<std::thread> producers, consumers;
    for (int c = 0; c < kConsumers; ++c)
        consumers.emplace_back([&, c] { Consume(api, queue, seed + 100 + c, failures, consumed); });
    for (int p = 0; p < kProducers; ++p)
        producers.emplace_back([&, p] { Produce(api, queue, seed + p, per_producer, next_id, 1 * MiB, failures); });
    for (auto& t : producers) t.join();
    queue.Close();
    for (auto& t : consumers) t.join();
    EXPECT_EQ(failures.count(), 0) << failures.Describe() << "seed " << seed;
    EXPECT_EQ(consumed.load(), uint64_t(kProducers) * per_producer);
}

// The producers have exited (their heaps are gone or abandoned) before any
// of their blocks is freed.
TEST(ProducerConsumer, BlocksOutliveTheThreadsThatAllocatedThem) {
    const hakt::Api& api = hakt::StressApi();
    const uint64_t seed = hakt::TestSeed("ProducerConsumerOutlive");
    constexpr int kProducers = 4, kConsumers = 2;
    const int per_producer = 20000 / hakt::kSlowdown;
    hakt::Failures failures;
    std::atomic<uint64_t> next_id{1}, consumed{0};
    for (int round = 0; round < 3; ++round) {
        BlockQueue queue(size_t(kProducers) * per_producer);
        std::vector<std::thread> producers;
        for (int p = 0; p < kProducers; ++p)
            producers.emplace_back(
                [&, p] { Produce(api, queue, seed + 10 * round + p, per_producer, next_id, 64 * KiB, failures); });
        for (auto& t : producers) t.join();
        // Allocate on the main thread while the orphaned blocks are live, so
        // reuse of the exited threads' memory is exercised too.
        std::vector<Block> mine;
        for (int i = 0; i < 5000 / hakt::kSlowdown; ++i) {
            Block b{api.malloc(size_t(i % 3000)), size_t(i % 3000), next_id.fetch_add(1)};
            ASSERT_NE(b.p, nullptr);
            hakt::FillPattern(b.p, b.size, b.id);
            mine.push_back(b);
        }
        queue.Close();
        std::vector<std::thread> consumers;
        for (int c = 0; c < kConsumers; ++c)
            consumers.emplace_back([&, c] { Consume(api, queue, seed + 1000 + c, failures, consumed); });
        for (auto& t : consumers) t.join();
        for (const Block& b : mine) {
            size_t bad = hakt::CheckPattern(b.p, b.size, b.id);
            if (bad != SIZE_MAX) failures.Add(hakt::DescribeCorruption(b, bad, "on the main thread"));
            api.free(b.p);
        }
    }
    EXPECT_EQ(failures.count(), 0) << failures.Describe() << "seed " << seed;
    EXPECT_EQ(consumed.load(), uint64_t(3) * kProducers * per_producer);
}

}  // namespace

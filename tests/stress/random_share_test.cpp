// Many threads allocate, free and reallocate at random, and hand a share of
// their blocks to each other; receivers verify, sometimes reallocate, and
// free. Patterns derived from each block's id catch any overlap or stray write.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "hakmem_test_support.h"

namespace {

using hakt::Block;
using hakt::KiB;
using hakt::MiB;

struct Inbox {
    std::mutex mutex;
    std::vector<Block> blocks;
};

struct Shared {
    const hakt::Api* api;
    std::vector<Inbox> inboxes;
    std::atomic<uint64_t> next_id{1};
    std::atomic<uint64_t> allocated{0}, freed{0};
    hakt::Failures failures;
    explicit Shared(int threads) : inboxes(size_t(threads)) {}
};

bool Verify(Shared& sh, const Block& b, const char* when) {
    size_t bad = hakt::CheckPattern(b.p, b.size, b.id);
    if (bad == SIZE_MAX) return true;
    sh.failures.Add(hakt::DescribeCorruption(b, bad, when));
    return false;
}

void Release(Shared& sh, const Block& b) {
    sh.api->free(b.p);
    sh.freed.fetch_add(1, std::memory_order_relaxed);
}

void Worker(Shared& sh, int self, uint64_t seed, int ops, size_t max_size) {
    const hakt::Api& api = *sh.api;
    std::mt19937_64 rng(seed);
    std::vector<Block> live;
    const int threads = int(sh.inboxes.size());
    auto drain = [&](bool keep_some) {
        std::vector<Block> got;
        {
            std::lock_guard<std::mutex> lock(sh.inboxes[size_t(self)].mutex);
            got.swap(sh.inboxes[size_t(self)].blocks);
        }
        for (Block& b : got) {
            if (!Verify(sh, b, "when received")) continue;
            if (keep_some && rng() % 3 == 0) {
                // Adopt a remote block: reallocate it and keep it.
                size_t new_size = 1 + size_t(rng() % (2 * b.size + 64));
                void* q = api.realloc(b.p, new_size);
                if (!q) {
                    sh.failures.Add("realloc of a received block failed");
                    continue;
                }
                Block nb{q, std::min(b.size, new_size), b.id};
                Verify(sh, nb, "after realloc of a received block");
                nb.size = new_size;
                hakt::FillPattern(nb.p, nb.size, nb.id);
                live.push_back(nb);
            } else {
                Release(sh, b);
            }
        }
    };
    for (int op = 0; op < ops; ++op) {
        uint64_t r = rng() % 100;
        if (r < 40 || live.empty()) {
            Block b;
            b.size = hakt::SkewedSize(rng, max_size);
            b.p = api.malloc(b.size);
            if (!b.p) {
                sh.failures.Add("malloc(" + std::to_string(b.size) + ") failed");
                return;
            }
            b.id = sh.next_id.fetch_add(1, std::memory_order_relaxed);
            sh.allocated.fetch_add(1, std::memory_order_relaxed);
            hakt::FillPattern(b.p, b.size, b.id);
            live.push_back(b);
            if (live.size() > 512) {  // keep the footprint bounded
                size_t i = rng() % live.size();
                Verify(sh, live[i], "before free");
                Release(sh, live[i]);
                live[i] = live.back();
                live.pop_back();
            }
        } else if (r < 75) {
            size_t i = rng() % live.size();
            Verify(sh, live[i], "before free");
            Release(sh, live[i]);
            live[i] = live.back();
            live.pop_back();
        } else if (r < 85) {
            size_t i = rng() % live.size();
            Block& b = live[i];
            if (!Verify(sh, b, "before realloc")) continue;
            size_t new_size = hakt::SkewedSize(rng, max_size) + 1;
            void* q = api.realloc(b.p, new_size);
            if (!q) {
                sh.failures.Add("realloc failed");
                return;
            }
            b.p = q;
            Block prefix{q, std::min(b.size, new_size), b.id};
            Verify(sh, prefix, "after realloc");
            b.size = new_size;
            hakt::FillPattern(b.p, b.size, b.id);
        } else if (r < 95) {
            // Hand a block to another thread.
            size_t i = rng() % live.size();
            int to = int(rng() % uint64_t(threads - 1));
            if (to >= self) ++to;
            {
                std::lock_guard<std::mutex> lock(sh.inboxes[size_t(to)].mutex);
                sh.inboxes[size_t(to)].blocks.push_back(live[i]);
            }
            live[i] = live.back();
            live.pop_back();
        } else {
            drain(true);
        }
    }
    drain(false);
    for (const Block& b : live) {
        Verify(sh, b, "at thread end");
        Release(sh, b);
    }
}

TEST(RandomShare, ThreadsSharingBlocksAtRandomNeverCorruptEachOther) {
    const uint64_t seed = hakt::TestSeed("RandomShare");
    constexpr int kThreads = 4;
    const int ops = 200000 / hakt::kSlowdown;
    Shared sh(kThreads);
    sh.api = &hakt::StressApi();
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] { Worker(sh, t, seed + uint64_t(t) * 7919, ops, 256 * KiB); });
    for (auto& t : threads) t.join();
    // Blocks sent to a thread after its last drain are still in its inbox.
    for (Inbox& in : sh.inboxes) {
        for (const Block& b : in.blocks) {
            Verify(sh, b, "left in an inbox");
            Release(sh, b);
        }
        in.blocks.clear();
    }
    EXPECT_EQ(sh.failures.count(), 0) << sh.failures.Describe() << "seed " << seed;
    EXPECT_EQ(sh.allocated.load(), sh.freed.load()) << "test bookkeeping: every block must be freed exactly once";
}

TEST(RandomShare, SmallBlocksCrossThreadsAtHighRate) {
    // Tiny blocks only: stresses the remote-free list of small pages.
    const uint64_t seed = hakt::TestSeed("RandomShareSmall");
    constexpr int kThreads = 4;
    const int ops = 300000 / hakt::kSlowdown;
    Shared sh(kThreads);
    sh.api = &hakt::StressApi();
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] { Worker(sh, t, seed + uint64_t(t) * 104729, ops, 128); });
    for (auto& t : threads) t.join();
    for (Inbox& in : sh.inboxes) {
        for (const Block& b : in.blocks) {
            Verify(sh, b, "left in an inbox");
            Release(sh, b);
        }
        in.blocks.clear();
    }
    EXPECT_EQ(sh.failures.count(), 0) << sh.failures.Describe() << "seed " << seed;
    EXPECT_EQ(sh.allocated.load(), sh.freed.load());
}

}  // namespace

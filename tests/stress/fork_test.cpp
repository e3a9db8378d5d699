// fork() while other threads are in the middle of allocating. The child
// inherits whatever locks and per-thread state those threads held; it must
// still be able to use blocks from before the fork, free blocks owned by
// threads that do not exist in the child, allocate heavily and exit 0.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "hakmem_test_support.h"

#if defined(HAKMEM_TEST_TSAN)
// hakmem may start its background purge thread in the child (a forked child
// is single-threaded, so that is allowed). TSan refuses any thread started
// after a multi-threaded fork unless told otherwise; this binary tells it.
// The test's own code never starts threads in the child under TSan.
extern "C" const char* __tsan_default_options() { return "die_after_fork=0"; }
#endif

namespace {

using hakt::Block;
using hakt::KiB;
using hakt::MiB;

// Allocates and frees random sizes (small, medium and large, so every lock
// and slow path is busy) until told to stop.
void BusyAllocator(const hakt::Api& api, uint64_t seed, const std::atomic<bool>& stop, std::vector<Block>* pinned,
                   std::mutex* pinned_mutex) {
    std::mt19937_64 rng(seed);
    // Blocks this thread owns that stay live across the fork; the child frees them.
    {
        std::vector<Block> mine;
        for (int i = 0; i < 64; ++i) {
            Block b{nullptr, size_t(16 + i * 97), seed * 100 + uint64_t(i)};
            b.p = api.malloc(b.size);
            if (!b.p) continue;
            hakt::FillPattern(b.p, b.size, b.id);
            mine.push_back(b);
        }
        std::lock_guard<std::mutex> lock(*pinned_mutex);
        pinned->insert(pinned->end(), mine.begin(), mine.end());
    }
    std::vector<void*> live;
    while (!stop.load(std::memory_order_relaxed)) {
        uint64_t r = rng() % 100;
        size_t size = r < 2 ? 1 * MiB + size_t(rng() % (3 * MiB)) : hakt::SkewedSize(rng, 256 * KiB);
        void* p = api.malloc(size);
        if (p && size) static_cast<char*>(p)[size - 1] = 1;
        live.push_back(p);
        if (live.size() > 64 || rng() % 2) {
            size_t i = size_t(rng() % live.size());
            api.free(live[i]);
            live[i] = live.back();
            live.pop_back();
        }
    }
    for (void* p : live) api.free(p);
}

// The child's work. Returns its exit status: 0 when all is well.
int ChildWork(const hakt::Api& api, const std::vector<Block>& inherited, uint64_t seed) {
    // Blocks from before the fork, including those of threads that are not
    // in the child, are intact and can be freed here.
    for (const Block& b : inherited) {
        if (hakt::CheckPattern(b.p, b.size, b.id) != SIZE_MAX) {
            std::fprintf(stderr, "child: inherited block %p corrupted\n", b.p);
            return 3;
        }
        api.free(b.p);
    }
    auto churn = [&api](uint64_t s, int ops) -> int {
        std::mt19937_64 rng(s);
        std::vector<Block> live;
        for (int op = 0; op < ops; ++op) {
            if (live.size() < 256 && (live.empty() || rng() % 2)) {
                Block b;
                b.size = rng() % 100 == 0 ? 2 * MiB + size_t(rng() % MiB) : hakt::SkewedSize(rng, 512 * KiB);
                b.p = api.malloc(b.size);
                if (!b.p) {
                    std::fprintf(stderr, "child: malloc(%zu) failed\n", b.size);
                    return 4;
                }
                b.id = s * 1000000 + uint64_t(op);
                hakt::FillPattern(b.p, b.size, b.id);
                live.push_back(b);
            } else {
                size_t i = size_t(rng() % live.size());
                if (hakt::CheckPattern(live[i].p, live[i].size, live[i].id) != SIZE_MAX) {
                    std::fprintf(stderr, "child: block %p of %zu bytes corrupted\n", live[i].p, live[i].size);
                    return 5;
                }
                api.free(live[i].p);
                live[i] = live.back();
                live.pop_back();
            }
        }
        for (const Block& b : live) {
            if (hakt::CheckPattern(b.p, b.size, b.id) != SIZE_MAX) {
                std::fprintf(stderr, "child: block %p of %zu bytes corrupted\n", b.p, b.size);
                return 5;
            }
            api.free(b.p);
        }
        return 0;
    };
    if (int rc = churn(seed, 30000 / hakt::kSlowdown)) return rc;
#if !defined(HAKMEM_TEST_TSAN)  // TSan cannot start threads after a multi-threaded fork
    // Threads started in the child get working heaps too.
    std::atomic<int> thread_rc{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&, t] {
            if (int rc = churn(seed + 1 + uint64_t(t), 10000)) thread_rc = rc;
        });
    for (auto& t : threads) t.join();
    if (thread_rc) return 10 + thread_rc;
#endif
    return 0;
}

TEST(Fork, AChildForkedWhileThreadsAllocateCanAllocateFreelyAndExitCleanly) {
    const hakt::Api& api = hakt::StressApi();
    const uint64_t seed = hakt::TestSeed("Fork");
    const int rounds = hakt::kSlowdown > 1 ? 3 : 6;
    for (int round = 0; round < rounds; ++round) {
        std::atomic<bool> stop{false};
        std::vector<Block> pinned;
        std::mutex pinned_mutex;
        std::vector<std::thread> threads;
        for (int t = 0; t < 3; ++t)
            threads.emplace_back(
                [&, t] { BusyAllocator(api, seed + uint64_t(round * 10 + t), stop, &pinned, &pinned_mutex); });
        // Blocks of the forking thread itself.
        std::vector<Block> inherited;
        for (int i = 0; i < 100; ++i) {
            Block b{api.malloc(size_t(i * 211)), size_t(i * 211), uint64_t(round) * 1000 + uint64_t(i)};
            ASSERT_NE(b.p, nullptr);
            hakt::FillPattern(b.p, b.size, b.id);
            inherited.push_back(b);
        }
        // Let the workers get going so the fork lands mid-allocation.
        for (int wait = 0; wait < 500; ++wait) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10 + round * 3));
            std::lock_guard<std::mutex> lock(pinned_mutex);
            if (pinned.size() >= 3 * 60) break;
        }
        std::vector<Block> all = inherited;
        {
            std::lock_guard<std::mutex> lock(pinned_mutex);
            all.insert(all.end(), pinned.begin(), pinned.end());
        }
        hakt::ChildResult r = hakt::RunInChild(
            [&] {
                int rc = ChildWork(api, all, seed + uint64_t(round) * 7);
                std::fflush(nullptr);
                std::exit(rc);  // the normal exit path, atexit handlers included
                return rc;
            },
            120);
        stop = true;
        for (auto& t : threads) t.join();
        EXPECT_TRUE(r.ExitedWith(0)) << "round " << round << ": " << r.Describe();
        // The parent's copies are untouched by the child and are freed here.
        for (const Block& b : all) {
            EXPECT_EQ(hakt::CheckPattern(b.p, b.size, b.id), SIZE_MAX) << "parent block " << b.p;
            api.free(b.p);
        }
        if (HasFailure()) break;
    }
}

// The fork lands while a thread is inside the large-block path (mmap-backed
// allocations) and another is freeing across threads.
TEST(Fork, ForkDuringLargeAllocationsAndRemoteFreesLeavesAWorkingChild) {
    const hakt::Api& api = hakt::StressApi();
    const int rounds = hakt::kSlowdown > 1 ? 3 : 8;
    for (int round = 0; round < rounds; ++round) {
        std::atomic<bool> stop{false};
        std::mutex m;
        std::vector<void*> handoff;
        std::thread large([&] {
            while (!stop.load(std::memory_order_relaxed)) {
                void* p = api.malloc(4 * MiB + 123);
                if (p) static_cast<char*>(p)[0] = 1;
                std::lock_guard<std::mutex> lock(m);
                handoff.push_back(p);
            }
        });
        std::thread remote([&] {
            while (!stop.load(std::memory_order_relaxed)) {
                std::vector<void*> got;
                {
                    std::lock_guard<std::mutex> lock(m);
                    got.swap(handoff);
                }
                for (void* p : got) api.free(p);
                void* q = api.malloc(64);
                api.free(q);
            }
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(5 + round));
        hakt::ChildResult r = hakt::RunInChild(
            [&] {
                for (int i = 0; i < 200; ++i) {
                    void* p = api.malloc(size_t(1 + i % 5) * MiB);
                    void* q = api.malloc(size_t(i) * 33);
                    if (!p || !q) {
                        std::fprintf(stderr, "child: allocation failed\n");
                        return 2;
                    }
                    std::memset(p, 3, MiB);
                    api.free(p);
                    api.free(q);
                }
                std::fflush(nullptr);
                std::exit(0);
                return 0;
            },
            120);
        stop = true;
        large.join();
        remote.join();
        for (void* p : handoff) api.free(p);
        EXPECT_TRUE(r.ExitedWith(0)) << "round " << round << ": " << r.Describe();
        if (HasFailure()) break;
    }
}

}  // namespace

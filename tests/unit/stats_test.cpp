// hak_get_stats and hak_print_stats: versioned struct handling and counters.
// Statistics are process-wide and the harness also allocates (through the
// override, when it is on), so counters are compared as deltas with >=.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

#include "hakmem_test_support.h"

namespace {

using hakt::KiB;
using hakt::MiB;
using hakt::Opaque;

constexpr unsigned char kGuard = 0xAB;
constexpr uint64_t kGuardWord = 0xABABABABABABABABull;

hak_stats_t Stats() {
    hak_stats_t s;
    EXPECT_TRUE(hakt::ReadStats(&s));
    return s;
}

TEST(Stats, GetStatsWithTheCurrentStructSizeFillsEveryField) {
    void* keep = hak_malloc(Opaque(size_t{1000}));
    ASSERT_NE(keep, nullptr);
    hak_stats_t s;
    std::memset(&s, kGuard, sizeof s);
    s.struct_size = sizeof s;
    ASSERT_EQ(hak_get_stats(&s), HAK_OK);
    EXPECT_EQ(s.struct_size, sizeof s) << "the library must not change struct_size";
    // No field may still hold the 0xAB fill: every one was written.
    const uint64_t* fields[] = {&s.allocs,       &s.frees,        &s.bytes_current, &s.bytes_peak,
                                &s.mmap_calls,   &s.munmap_calls, &s.madvise_calls, &s.bytes_mapped,
                                &s.bytes_purged, &s.large_allocs, &s.segments_reclaimed, &s.rss_bytes,
                                &s.threads_active};
    for (const uint64_t* f : fields)
        EXPECT_NE(*f, kGuardWord) << "field at offset " << (reinterpret_cast<const char*>(f) - reinterpret_cast<const char*>(&s))
                                  << " was not filled";
    EXPECT_GE(s.allocs, 1u);
    EXPECT_GE(s.bytes_current, 1000u) << "a 1000-byte block is live";
    EXPECT_GE(s.mmap_calls, 1u);
    EXPECT_GE(s.bytes_mapped, s.bytes_current) << "live bytes must live in mapped memory";
    EXPECT_GE(s.threads_active, 1u);
    EXPECT_GT(s.rss_bytes, 0u);
    uint64_t rss = hakt::ProcessRss();
    EXPECT_LE(s.rss_bytes, 4 * rss + 64 * MiB) << "rss_bytes is far above /proc/self/statm's " << rss;
    EXPECT_GE(4 * s.rss_bytes + 64 * MiB, rss) << "rss_bytes is far below /proc/self/statm's " << rss;
    hak_free(keep);
}

TEST(Stats, AllocsAndFreesRiseByAtLeastTheCallsMade) {
    constexpr int kCalls = 2000;
    std::vector<void*> blocks;
    blocks.reserve(kCalls);
    hak_stats_t before = Stats();
    for (int i = 0; i < kCalls; ++i) blocks.push_back(hak_malloc(Opaque(size_t(i % 500) * 3)));
    hak_stats_t mid = Stats();
    for (void* p : blocks) hak_free(p);
    hak_stats_t after = Stats();
    EXPECT_GE(mid.allocs - before.allocs, uint64_t(kCalls));
    EXPECT_GE(after.frees - mid.frees, uint64_t(kCalls));
}

TEST(Stats, EveryAllocationEntryPointIsCounted) {
    hak_stats_t before = Stats();
    void* p[9];
    p[0] = hak_malloc(10);
    p[1] = hak_calloc(3, 10);
    p[2] = hak_realloc(nullptr, 10);
    p[3] = hak_reallocarray(nullptr, 2, 10);
    p[4] = hak_aligned_alloc(64, 64);
    ASSERT_EQ(hak_posix_memalign(&p[5], 128, 10), 0);
    p[6] = hak_memalign(256, 10);
    p[7] = hak_valloc(10);
    p[8] = hak_alloc_at(10, HAK_SITE());
    hak_stats_t mid = Stats();
    EXPECT_GE(mid.allocs - before.allocs, 9u);
    for (void* q : p) {
        ASSERT_NE(q, nullptr);
        hak_free(q);
    }
    hak_stats_t after = Stats();
    EXPECT_GE(after.frees - mid.frees, 9u);
}

TEST(Stats, BytesCurrentRisesByWhatIsHeldAndFallsWhenItIsFreed) {
    constexpr int kBlocks = 200;
    constexpr size_t kSize = 1000;
    hak_stats_t before = Stats();
    std::vector<void*> blocks;
    for (int i = 0; i < kBlocks; ++i) blocks.push_back(hak_malloc(Opaque(kSize)));
    void* big = hak_malloc(Opaque(6 * MiB));
    ASSERT_NE(big, nullptr);
    hak_stats_t held = Stats();
    const uint64_t held_bytes = uint64_t(kBlocks) * kSize + 6 * MiB;
    EXPECT_GE(held.bytes_current, before.bytes_current + held_bytes);
    EXPECT_GE(held.bytes_mapped, held_bytes);
    for (void* p : blocks) hak_free(p);
    hak_free(big);
    hak_stats_t after = Stats();
    EXPECT_LE(after.bytes_current + held_bytes, held.bytes_current)
        << "bytes_current did not fall by the " << held_bytes << " bytes just freed";
}

TEST(Stats, LargeAllocationsAreCountedOnTheLargePathAndRaiseThePeak) {
    hak_stats_t before = Stats();
    void* p = hak_malloc(Opaque(64 * MiB));
    ASSERT_NE(p, nullptr);
    std::memset(p, 1, 64 * MiB);
    hak_stats_t held = Stats();
    EXPECT_GE(held.large_allocs - before.large_allocs, 1u) << "a 64 MiB block must take the large-block path";
    EXPECT_GE(held.bytes_mapped, 64 * MiB);
    EXPECT_GE(held.bytes_peak, 64 * MiB) << "the peak must include a live 64 MiB block";
    EXPECT_GE(held.bytes_peak, held.bytes_current) << "peak below current right after a slow-path allocation";
    hak_free(p);
    hak_stats_t after = Stats();
    EXPECT_GE(after.bytes_peak, held.bytes_peak) << "the peak is a high-water mark and never falls";
}

TEST(Stats, CountsMadeByAThreadThatHasExitedAreKept) {
    constexpr int kCalls = 3000;
    hak_stats_t before = Stats();
    std::thread t([] {
        std::vector<void*> v;
        v.reserve(kCalls);
        for (int i = 0; i < kCalls; ++i) v.push_back(hak_malloc(Opaque(size_t(16 + i % 200))));
        for (void* p : v) hak_free(p);
    });
    t.join();
    hak_stats_t after = Stats();
    EXPECT_GE(after.allocs - before.allocs, uint64_t(kCalls)) << "an exited thread's allocations were lost";
    EXPECT_GE(after.frees - before.frees, uint64_t(kCalls)) << "an exited thread's frees were lost";
}

TEST(Stats, FreesOfBlocksFromAnotherThreadAreCounted) {
    constexpr int kCalls = 1000;
    std::vector<void*> blocks(kCalls);
    std::thread t([&] {
        for (int i = 0; i < kCalls; ++i) blocks[i] = hak_malloc(Opaque(size_t(32 + i % 100)));
    });
    t.join();
    hak_stats_t before = Stats();
    for (void* p : blocks) hak_free(p);
    hak_stats_t after = Stats();
    EXPECT_GE(after.frees - before.frees, uint64_t(kCalls));
}

TEST(Stats, ThreadsActiveCountsLiveThreadsAndFallsWhenTheyExit) {
    constexpr int kThreads = 4;
    std::mutex m;
    std::condition_variable cv;
    int ready = 0;
    bool release = false;
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&] {
            void* p = hak_malloc(Opaque(size_t{64}));
            std::unique_lock<std::mutex> lock(m);
            ++ready;
            cv.notify_all();
            cv.wait(lock, [&] { return release; });
            lock.unlock();
            hak_free(p);
        });
    }
    {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return ready == kThreads; });
    }
    hak_stats_t during = Stats();
    {
        std::lock_guard<std::mutex> lock(m);
        release = true;
    }
    cv.notify_all();
    for (auto& t : threads) t.join();
    hak_stats_t after = Stats();
    EXPECT_GE(during.threads_active, uint64_t(kThreads)) << "four threads that allocated are live";
    EXPECT_LE(after.threads_active + kThreads, during.threads_active)
        << "thread heaps stayed active after their threads exited";
}

// An older client's struct ends at `frees`: the library writes only that far.
TEST(Stats, AnOlderSmallerStructIsFilledOnlyUpToItsSize) {
    hak_free(hak_malloc(Opaque(size_t{10})));  // at least one alloc to count
    alignas(hak_stats_t) unsigned char buf[sizeof(hak_stats_t) + 64];
    std::memset(buf, kGuard, sizeof buf);
    const size_t old_size = offsetof(hak_stats_t, frees);
    size_t struct_size = old_size;
    std::memcpy(buf, &struct_size, sizeof struct_size);
    ASSERT_EQ(hak_get_stats(reinterpret_cast<hak_stats_t*>(buf)), HAK_OK);
    size_t got_size;
    std::memcpy(&got_size, buf, sizeof got_size);
    EXPECT_EQ(got_size, old_size) << "struct_size was changed";
    uint64_t allocs;
    std::memcpy(&allocs, buf + offsetof(hak_stats_t, allocs), sizeof allocs);
    EXPECT_NE(allocs, kGuardWord) << "allocs (inside the old struct) was not filled";
    EXPECT_GE(allocs, 1u);
    for (size_t i = old_size; i < sizeof buf; ++i)
        ASSERT_EQ(buf[i], kGuard) << "byte " << i << " past the caller's struct_size (" << old_size << ") was written";
}

TEST(Stats, AStructSizeOfJustTheHeaderIsAcceptedAndNothingElseIsWritten) {
    alignas(hak_stats_t) unsigned char buf[sizeof(hak_stats_t) + 64];
    std::memset(buf, kGuard, sizeof buf);
    size_t struct_size = sizeof(size_t);
    std::memcpy(buf, &struct_size, sizeof struct_size);
    EXPECT_EQ(hak_get_stats(reinterpret_cast<hak_stats_t*>(buf)), HAK_OK);
    for (size_t i = sizeof(size_t); i < sizeof buf; ++i)
        ASSERT_EQ(buf[i], kGuard) << "byte " << i << " past struct_size was written";
}

TEST(Stats, AStructSizeTooSmallForTheHeaderOrANullPointerIsRejected) {
    EXPECT_EQ(hak_get_stats(nullptr), HAK_E_INVALID);
    for (size_t struct_size : {size_t{0}, size_t{1}, sizeof(size_t) - 1}) {
        alignas(hak_stats_t) unsigned char buf[sizeof(hak_stats_t) + 16];
        std::memset(buf, kGuard, sizeof buf);
        std::memcpy(buf, &struct_size, sizeof struct_size);
        EXPECT_EQ(hak_get_stats(reinterpret_cast<hak_stats_t*>(buf)), HAK_E_INVALID) << "struct_size " << struct_size;
        for (size_t i = sizeof(size_t); i < sizeof buf; ++i)
            ASSERT_EQ(buf[i], kGuard) << "a rejected call wrote byte " << i << " (struct_size " << struct_size << ")";
    }
}

TEST(Stats, PrintStatsWritesASummaryMentioningHakmemToStderr) {
    void* p = hak_malloc(Opaque(size_t{100}));
    testing::internal::CaptureStderr();
    hak_print_stats();
    std::string err = testing::internal::GetCapturedStderr();
    hak_free(p);
    ASSERT_FALSE(err.empty()) << "hak_print_stats printed nothing";
    EXPECT_NE(err.find("hakmem"), std::string::npos) << err;
    EXPECT_EQ(err.back(), '\n') << "the summary should end with a newline";
}

}  // namespace

// The foreign cache (core/foreign_cache.h): a thread keeps blocks of other
// threads' pages it freed, of classes whose blocks span whole cache lines,
// and reuses them for its own next allocations. These tests pin down what
// that may and may not do: which blocks are kept, that none is kept for
// ever (thread exit, a thread that never allocates the class), and that a
// second free of a kept block is still reported, whoever makes it.
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "core/corruption.h"
#include "hakmem/hakmem.h"
#include "hakmem_test_support.h"
#include "rare_sampling.h"

namespace {

class ForeignCache : public hakt::RareSamplingTest {};

// A thread that runs `fn` after making its heap (a first allocation of a
// class the tests do not use), so its frees can be kept.
template <class F>
void OnThreadWithHeap(F&& fn) {
    std::thread t([&] {
        void* warm = hak_malloc(8);
        fn();
        hak_free(warm);
    });
    t.join();
}

// Another thread frees a block of `size` this thread allocated, then
// allocates one of the same size: returns both (freed, then got).
std::pair<void*, void*> FreeThenAllocateOnAnotherThread(size_t size) {
    void* keep = hak_malloc(size);  // the owner's page stays in use
    void* a = hak_malloc(size);
    void* b = nullptr;
    OnThreadWithHeap([&] {
        hak_free(a);
        b = hak_malloc(size);
        hak_free(b);
    });
    hak_free(keep);
    return {a, b};
}

TEST_F(ForeignCache, AThreadReusesAnotherThreadsBlockItJustFreed) {
    for (size_t size : {size_t{64}, size_t{192}, size_t{256}, size_t{1000}}) {  // classes of 64, 192, 256, 1024 B
        auto [freed, got] = FreeThenAllocateOnAnotherThread(size);
        EXPECT_EQ(got, freed) << "size " << size << ": the freeing thread did not get its freed block back";
    }
}

TEST_F(ForeignCache, BlocksThatShareACacheLineAreNeverKept) {
    // Their neighbours in the line may be another thread's: reusing them
    // here would have two threads write one line (false sharing).
    for (size_t size : {size_t{16}, size_t{48}, size_t{80}, size_t{144}, size_t{480}}) {
        auto [freed, got] = FreeThenAllocateOnAnotherThread(size);
        EXPECT_NE(got, freed) << "size " << size << ": a block smaller than its lines was reused by the freeing thread";
    }
}

// `count` blocks of `size` the main thread allocates, as a set.
std::vector<void*> Allocate(size_t count, size_t size) {
    std::vector<void*> v;
    for (size_t i = 0; i < count; ++i) v.push_back(hak_malloc(size));
    return v;
}
// How many of `freed` are among `got`: an owner that allocates several
// pages' worth after a free gets back every block that came home (it
// collects its pages' remote lists before it carves or maps more).
size_t CountIn(const std::vector<void*>& got, const std::vector<void*>& freed) {
    std::set<void*> s(freed.begin(), freed.end());
    return static_cast<size_t>(std::count_if(got.begin(), got.end(), [&](void* p) { return s.count(p) != 0; }));
}

TEST_F(ForeignCache, BlocksKeptByAThreadGoHomeWhenItExits) {
    // 32 blocks of 256 B: fewer than a cache holds (16 KiB), so all are kept.
    constexpr size_t kCount = 32, kSize = 256;
    void* keep = hak_malloc(kSize);
    std::vector<void*> mine = Allocate(kCount, kSize);
    OnThreadWithHeap([&] {
        for (void* p : mine) hak_free(p);
    });
    // The owner gets every one back (collected from its pages' remote lists).
    std::vector<void*> again = Allocate(kCount * 64, kSize);
    EXPECT_EQ(CountIn(again, mine), kCount) << "blocks kept by an exited thread did not come back to their owner";
    for (void* p : again) hak_free(p);
    hak_free(keep);
}

TEST_F(ForeignCache, AThreadThatOnlyFreesAClassKeepsNoneOfItsBlocksForLong) {
    // A pipeline's consumer: it frees far more of the class than a cache
    // holds and allocates none. Once its cache has filled without a block
    // reused, it sends them home at once, while it is still alive.
    constexpr size_t kCount = 1024, kSize = 64;
    void* keep = hak_malloc(kSize);
    std::vector<void*> mine = Allocate(kCount, kSize);
    std::mutex m;
    std::condition_variable cv;
    bool freed = false, done = false;
    std::thread consumer([&] {
        void* warm = hak_malloc(8);
        for (void* p : mine) hak_free(p);
        std::unique_lock<std::mutex> lock(m);
        freed = true;
        cv.notify_all();
        cv.wait(lock, [&] { return done; });  // alive while the owner allocates
        lock.unlock();
        hak_free(warm);
    });
    {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return freed; });
    }
    std::vector<void*> again = Allocate(kCount * 8, kSize);
    {
        std::lock_guard<std::mutex> lock(m);
        done = true;
        cv.notify_all();
    }
    consumer.join();
    EXPECT_EQ(CountIn(again, mine), kCount) << "a consumer that never allocates the class still holds its blocks";
    for (void* p : again) hak_free(p);
    hak_free(keep);
}

// Child exit codes of the double-free cases.
constexpr int kHandedOutTwice = 31;

int NoBlockHandedOutTwice(size_t size) {
    std::vector<void*> got = Allocate(4096, size);
    std::vector<void*> sorted = got;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return kHandedOutTwice;
    for (void* p : got) hak_free(p);
    return 0;
}

TEST_F(ForeignCache, ASecondFreeOfAKeptBlockByTheSameThreadIsReported) {
    auto r = hakt::RunInChild([] {
        hakmem::on_error_override(hakmem::OnError::kReport);
        void* keep = hak_malloc(256);
        void* a = hak_malloc(256);
        OnThreadWithHeap([&] {
            hak_free(a);
            hak_free(a);
        });
        hak_free(keep);
        return NoBlockHandedOutTwice(256);
    });
    EXPECT_TRUE(r.ExitedWith(0)) << r.Describe() << "\n" << r.err;
    EXPECT_EQ(hakt::Lines(r.err).size(), 1u) << r.err;
}

TEST_F(ForeignCache, AFreeByTheOwnerOfABlockAnotherThreadKeptIsReported) {
    // The owner's slow path finds the marked block on none of its page's
    // lists; the kept block's third word says where it is.
    auto r = hakt::RunInChild([] {
        hakmem::on_error_override(hakmem::OnError::kReport);
        void* keep = hak_malloc(512);
        void* a = hak_malloc(512);
        std::mutex m;
        std::condition_variable cv;
        int step = 0;
        std::thread other([&] {
            void* warm = hak_malloc(8);
            hak_free(a);  // kept here
            std::unique_lock<std::mutex> lock(m);
            step = 1;
            cv.notify_all();
            cv.wait(lock, [&] { return step == 2; });
            lock.unlock();
            hak_free(warm);
        });
        {
            std::unique_lock<std::mutex> lock(m);
            cv.wait(lock, [&] { return step == 1; });
        }
        hak_free(a);  // the double free, while the other thread still keeps it
        {
            std::lock_guard<std::mutex> lock(m);
            step = 2;
            cv.notify_all();
        }
        other.join();  // its exit sends the block home, once
        hak_free(keep);
        return NoBlockHandedOutTwice(512);
    });
    EXPECT_TRUE(r.ExitedWith(0)) << r.Describe() << "\n" << r.err;
    EXPECT_EQ(hakt::Lines(r.err).size(), 1u) << r.err;
}

}  // namespace

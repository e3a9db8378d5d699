// The checked build's invariant checker: a segment whose bookkeeping is
// broken must stop the program at the next refill with a message naming the
// broken invariant, not run on and corrupt memory later. Each test breaks a
// segment on purpose in a forked child.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "core/heap.h"
#include "core/segment.h"
#include "hakmem/hakmem.h"
#include "hakmem_test_support.h"

namespace {

// Allocates a block, lets `corrupt` break its segment, then forces a refill
// (a size class this thread has no page for yet). Returns 0 if nothing
// stopped the child.
template <class Corrupt>
hakt::ChildResult BreakSegmentThenRefill(Corrupt corrupt) {
    return hakt::RunInChild([&] {
        // A thread of its own: its heap has exactly the segments this test made.
        int code = 0;
        std::thread t([&] {
            void* p = hak_malloc(32);
            if (p == nullptr) {
                code = 40;
                return;
            }
            corrupt(hakmem::segment_of(p));
            void* q = hak_malloc(48);  // first block of another class: a refill
            hak_free(q);
            hak_free(p);
        });
        t.join();
        return code;
    });
}

TEST(Invariants, ASegmentWhoseUsedPagesIsWrongAbortsAtTheNextRefillNamingUsedPages) {
#if !HAKMEM_CHECKED
    GTEST_SKIP() << "the invariant checker runs in the checked build only (debug and asan presets)";
#else
    auto r = BreakSegmentThenRefill([](hakmem::Segment* seg) { seg->used_pages++; });
    EXPECT_TRUE(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGABRT) << r.Describe();
    EXPECT_NE(r.err.find("assertion failed at"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("used_pages"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("invariants.cpp:"), std::string::npos) << "file:line expected\n" << r.err;
#endif
}

TEST(Invariants, ASegmentOwnedByAnotherHeapAbortsAtTheNextRefillOfTheHeapListingIt) {
#if !HAKMEM_CHECKED
    GTEST_SKIP() << "the invariant checker runs in the checked build only (debug and asan presets)";
#else
    static hakmem::Heap other;  // never used: only its address is stored
    auto r = BreakSegmentThenRefill([](hakmem::Segment* seg) { seg->heap.store(&other); });
    EXPECT_TRUE(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGABRT) << r.Describe();
    EXPECT_NE(r.err.find("segment owned by the heap checking it"), std::string::npos) << r.err;
#endif
}

TEST(Invariants, ASegmentWithAWrongUsedPagesAbortsAtThreadExit) {
#if !HAKMEM_CHECKED
    GTEST_SKIP() << "the invariant checker runs in the checked build only (debug and asan presets)";
#else
    auto r = hakt::RunInChild([] {
        void* p = nullptr;
        // No allocation after the corruption: only thread exit can see it.
        std::thread t([&] {
            p = hak_malloc(32);
            hakmem::segment_of(p)->used_pages++;
        });
        t.join();
        return 0;
    });
    EXPECT_TRUE(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGABRT) << r.Describe();
    EXPECT_NE(r.err.find("used_pages"), std::string::npos) << r.err;
#endif
}

TEST(Invariants, AHealthySegmentPassesEveryCheck) {
    auto r = BreakSegmentThenRefill([](hakmem::Segment*) {});
    EXPECT_TRUE(r.ExitedWith(0)) << r.Describe();
}

}  // namespace

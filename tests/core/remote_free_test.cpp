// The remote free's one rule: once its block is published, the freeing
// thread never touches the page or the segment again (the owner or the
// abandoned-segment sweep may free and unmap it the next instant). The
// checked build calls a hook right after the publishing CAS; the test makes
// the whole segment inaccessible there, so any later access faults.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <thread>

#include "core/remote_free.h"
#include "core/segment.h"
#include "hakmem/hakmem.h"
#include "hakmem_test_support.h"

namespace {

#if HAKMEM_CHECKED
void ProtectSegment(const hakmem::Page* page) {
    mprotect(hakmem::segment_of(page), hakmem::kSegmentSize, PROT_NONE);
}
#endif

TEST(RemoteFree, TheFreeingThreadNeverTouchesTheSegmentAfterPublishingItsBlock) {
#if !HAKMEM_CHECKED
    GTEST_SKIP() << "the post-publish hook exists in the checked build only (debug and asan presets)";
#else
    for (size_t size : {size_t{16}, size_t{1024}, size_t{20000}}) {
        void* keep = hak_malloc(size);  // the page stays in use and not full
        void* p = hak_malloc(size);
        ASSERT_NE(p, nullptr);
        hakmem::Segment* seg = hakmem::segment_of(p);
        auto r = hakt::RunInChild([&] {
            hakmem::g_after_remote_push = ProtectSegment;
            int restored = -1;
            std::thread other([&] {
                // Copies on this thread's stack: with the override, the
                // std::thread state holding this lambda (and its captures)
                // may itself live in the protected segment.
                void* block = p;
                hakmem::Segment* segment = seg;
                int* result = &restored;
                hak_free(block);
                hakmem::g_after_remote_push = nullptr;
                // At once, in this thread: its exit frees (the thread's own
                // state, glibc's TLS vector) may live in the same segment.
                *result = mprotect(segment, hakmem::kSegmentSize, PROT_READ | PROT_WRITE);
            });
            other.join();
            return restored == 0 ? 0 : 40;
        });
        EXPECT_TRUE(r.ExitedWith(0)) << "size " << size << ": " << r.Describe() << "\n" << r.err;
        hak_free(p);
        hak_free(keep);
    }
#endif
}

}  // namespace

// How a heap spends resident memory on its pages (core/page.cpp,
// core/heap_refill.cpp): a page carves blocks as they are needed, blocks
// above 8 KiB one at a time, and a new page takes a free page that is still
// resident, from any of the heap's segments, before it touches a fresh one.
// Each test runs on a thread of its own (a heap with no pages yet), with the
// clock stopped (no purge) and telemetry sampling once per TiB
// (rare_sampling.h: a sampled block would not come from the pages followed),
// except where a test follows a sampled block.
#include <gtest/gtest.h>

#include <cstdint>

#include "core/segment.h"
#include "core/size_class.h"
#include "fresh_thread.h"
#include "hakmem/hakmem.h"
#include "hakmem_test_support.h"
#include "rare_sampling.h"
#include "telemetry/telemetry.h"
#include "test_clock.h"

namespace {

using hakt::OnFreshThread;
using hakt::PageOf;

class PageReuse : public hakt::RareSamplingTest {
protected:
    hakt::TestClock clock_;
};

TEST_F(PageReuse, APageOfBlocksAbove8KiBCarvesOnlyTheBlocksItHandsOut) {
    OnFreshThread([] {
        void* a = hak_malloc(20000);  // class 20480, a medium page of 25 blocks
        ASSERT_NE(a, nullptr);
        hakmem::Page* page = PageOf(a);
        EXPECT_EQ(page->block_size, 20480u);
        // Carving writes a block's first words: a block carved ahead of use
        // would cost a fault and a resident page.
        EXPECT_EQ(page->capacity, 1u) << "blocks carved for one allocation of 20000 B";
        void* b = hak_malloc(20000);
        EXPECT_EQ(PageOf(b), page);
        EXPECT_EQ(page->capacity, 2u) << "blocks carved for two allocations of 20000 B";
        // Smaller blocks are still carved about 8 KiB at a time.
        void* c = hak_malloc(1000);  // class 1024
        EXPECT_EQ(PageOf(c)->capacity, 8u) << "blocks of 1 KiB carved for the first one";
        hak_free(a);
        hak_free(b);
        hak_free(c);
    });
}

TEST_F(PageReuse, ANewPageTakesAResidentFreePageOfAnySegmentBeforeAFreshOne) {
    OnFreshThread([] {
        // One block of each of 10 medium classes (10 KiB .. 40 KiB): a medium
        // segment has 8 pages, so the ninth class starts a second segment.
        constexpr unsigned kClasses = 10;
        const unsigned first = hakmem::class_of(10000);
        void* blocks[kClasses];
        for (unsigned i = 0; i < kClasses; ++i) {
            blocks[i] = hak_malloc(hakmem::class_size(first + i));
            ASSERT_NE(blocks[i], nullptr);
        }
        hakmem::Segment* seg_a = hakmem::segment_of(blocks[0]);
        hakmem::Segment* seg_b = hakmem::segment_of(blocks[8]);
        ASSERT_EQ(hakmem::segment_of(blocks[7]), seg_a);
        ASSERT_NE(seg_b, seg_a) << "the ninth medium class should need a second segment";
        // Free a page in each segment, the second segment's last, so the
        // second segment is searched first and its page is reused by the
        // next new page.
        hakmem::Page* freed_a = PageOf(blocks[3]);
        hakmem::Page* freed_b = PageOf(blocks[8]);
        hak_free(blocks[3]);
        hak_free(blocks[8]);
        blocks[3] = blocks[8] = nullptr;
        // Two new classes: the first takes one resident page, and the second
        // must take the other, in the other segment, not a fresh page of the
        // segment searched first.
        void* c = hak_malloc(hakmem::class_size(first + kClasses));
        void* d = hak_malloc(hakmem::class_size(first + kClasses + 1));
        hakmem::Page* got_c = PageOf(c);
        hakmem::Page* got_d = PageOf(d);
        EXPECT_TRUE((got_c == freed_a && got_d == freed_b) || (got_c == freed_b && got_d == freed_a))
            << "new pages took a fresh page while a freed, still-resident page waited in another segment";
        hak_free(c);
        hak_free(d);
        for (void* p : blocks) hak_free(p);
    });
}

// The sampled heap serves one block per sample, a few per MiB allocated,
// spread over many classes: its pages carve only the block a sample takes,
// not 8 KiB ahead of it (each carved block costs a fault and resident memory).
TEST_F(PageReuse, ASampledBlocksPageCarvesOnlyThatBlock) {
    OnFreshThread([] {
        hakmem::telemetry_set_sample_bytes(1, true);  // the next allocation is sampled
        void* a = hak_malloc(3000);
        hakmem::telemetry_set_sample_bytes(uint64_t{1} << 40, true);
        ASSERT_EQ(hakmem::segment_of(a)->heap.load(), &hakmem::g_sampled_heap) << "the allocation was not sampled";
        hakmem::Page* page = PageOf(a);
        EXPECT_EQ(page->free, nullptr) << "blocks carved ahead of the sample";
        EXPECT_EQ(page->capacity, page->live()) << "blocks carved ahead of the samples";
        hak_free(a);
    });
}

}  // namespace

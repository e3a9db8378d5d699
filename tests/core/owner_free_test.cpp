// The owner's free fast path (core/alloc.h dealloc_or) takes the block out
// of its page's count before it tests anything else (the decrement's flags
// are the page test). Every free it does not complete must leave the count
// as the block's state says: a rejected double free as it was, a free into
// a full page counted once, a page's last block counted out once. A count
// one too low would release a page that still holds a live block.
// Each test runs on a thread of its own (a heap with no pages yet), with
// heap errors reported instead of aborting and telemetry sampling once per
// TiB (rare_sampling.h: a sampled block would not come from the page followed).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/corruption.h"
#include "core/page.h"
#include "fresh_thread.h"
#include "hakmem/hakmem.h"
#include "rare_sampling.h"

namespace {

using hakt::OnFreshThread;
using hakt::PageOf;

// A size class nothing else of the test allocates (gtest's capture of
// stderr allocates on this thread, in small classes of its own).
constexpr size_t kSize = 2800;

class OwnerFree : public hakt::RareSamplingTest {
protected:
    void SetUp() override {
        hakt::RareSamplingTest::SetUp();
        saved_ = hakmem::on_error_mode();
        hakmem::on_error_override(hakmem::OnError::kReport);
    }
    void TearDown() override {
        hakmem::on_error_override(saved_);
        hakt::RareSamplingTest::TearDown();
    }

    // Frees p a second time and returns what hakmem printed.
    static std::string FreeAgain(void* p) {
        ::testing::internal::CaptureStderr();
        hak_free(p);
        return ::testing::internal::GetCapturedStderr();
    }

private:
    hakmem::OnError saved_ = hakmem::OnError::kAbort;
};

TEST_F(OwnerFree, ARejectedDoubleFreeLeavesThePageCountAsItWas) {
    OnFreshThread([] {
        void* a = hak_malloc(kSize);
        void* b = hak_malloc(kSize);
        void* c = hak_malloc(kSize);
        hakmem::Page* page = PageOf(a);
        ASSERT_EQ(PageOf(b), page);
        ASSERT_EQ(PageOf(c), page);
        ASSERT_EQ(page->live(), 3u);
        hak_free(a);
        EXPECT_EQ(page->live(), 2u);
        std::string err = FreeAgain(a);
        EXPECT_NE(err.find("double free"), std::string::npos) << "reported: " << err;
        EXPECT_EQ(page->used, 2u) << "the rejected free changed the page's count";
        hak_free(b);
        hak_free(c);
    });
}

TEST_F(OwnerFree, APagesLastBlockIsCountedOutOnceAndItsDoubleFreeIsRejected) {
    OnFreshThread([] {
        void* a = hak_malloc(kSize);
        hakmem::Page* page = PageOf(a);
        ASSERT_EQ(page->live(), 1u);
        hak_free(a);
        // The only page of its small class: kept, with no live block.
        EXPECT_EQ(page->used, 0u);
        EXPECT_TRUE(page->in_use);
        std::string err = FreeAgain(a);
        EXPECT_NE(err.find("double free"), std::string::npos) << "reported: " << err;
        EXPECT_EQ(page->used, 0u) << "the rejected free changed the page's count";
        // The block comes back once, not twice (the page hands out its
        // carved blocks before the freed ones).
        void* b = hak_malloc(kSize);
        void* c = hak_malloc(kSize);
        void* d = hak_malloc(kSize);
        EXPECT_EQ((b == a) + (c == a) + (d == a), 1) << "a handed out " << (b == a) + (c == a) + (d == a) << " times";
        EXPECT_EQ(page->live(), 3u);
        hak_free(b);
        hak_free(c);
        hak_free(d);
    });
}

TEST_F(OwnerFree, AFreeIntoAFullPageCountsTheBlockOutOnce) {
    OnFreshThread([] {
        std::vector<void*> blocks{hak_malloc(kSize)};
        hakmem::Page* page = PageOf(blocks[0]);
        while (PageOf(blocks.back()) == page && blocks.size() < 100000) blocks.push_back(hak_malloc(kSize));
        ASSERT_NE(PageOf(blocks.back()), page) << "no second page after " << blocks.size() << " blocks";
        ASSERT_TRUE(page->in_full()) << "the exhausted page is not on the full list";
        uint32_t live = page->live();
        EXPECT_EQ(live, page->reserved);
        hak_free(blocks[0]);
        EXPECT_FALSE(page->in_full());
        EXPECT_EQ(page->used, live - 1);
        for (size_t i = 1; i < blocks.size(); ++i) hak_free(blocks[i]);
    });
}

}  // namespace

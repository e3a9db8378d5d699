// Invalid frees. hakmem's policy is report-and-ignore: a free of a pointer it
// never returned (or already freed) prints one line on stderr naming the
// pointer as 0x... and the program carries on. Each case runs in a forked
// child so a crash or corrupted heap cannot spill into other tests.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <csignal>

#include <algorithm>
#include <set>
#include <vector>

#include "hakmem_test_support.h"

namespace {

using hakt::MiB;
using hakt::Opaque;

// What a child's exit status means (the child cannot use gtest assertions).
const char* ChildCodeMeaning(const hakt::ChildResult& r) {
    if (r.timed_out || !WIFEXITED(r.status)) return "";
    switch (WEXITSTATUS(r.status)) {
    case 0: return "";
    case 10: return " (an allocation failed afterwards)";
    case 11: return " (blocks allocated afterwards overlap or were corrupted)";
    case 20: return " (the free wrote into the stack buffer it was given)";
    case 21: return " (the block was freed: malloc handed out the same address while it was live)";
    case 22: return " (the free wrote into the live block: its contents changed)";
    case 23: return " (malloc handed out memory inside the live block)";
    case 24: return " (the free wrote into the live block: its contents changed)";
    case 25: return " (the free wrote into the foreign mapping)";
    case 30: return " (malloc failed)";
    case 31: return " (the double-freed block was handed out twice)";
    default: return "";
    }
}

class InvalidFree : public ::testing::TestWithParam<const hakt::Api*> {
protected:
    const hakt::Api& api() const { return *GetParam(); }

    // The child must exit 0 and have printed exactly one line naming `bad`.
    void ExpectOneReportNaming(const hakt::ChildResult& r, const void* bad) {
        EXPECT_TRUE(r.ExitedWith(0)) << ChildCodeMeaning(r) << " " << r.Describe();
        auto lines = hakt::Lines(r.err);
        EXPECT_EQ(lines.size(), 1u) << "expected exactly one line on stderr, got:\n" << r.err;
        EXPECT_TRUE(hakt::MentionsPointer(r.err, bad)) << "stderr does not name " << bad << " as 0x...:\n" << r.err;
    }

    // After a report the heap must still work: allocate and free a spread of
    // sizes, checking patterns. Returns 0 when all is well.
    int HeapStillWorks() {
        std::vector<std::pair<void*, size_t>> blocks;
        for (int i = 0; i < 400; ++i) {
            size_t size = size_t(i) * 131 % 20000 + (i % 100 == 0 ? 2 * MiB : 0);
            void* p = api().malloc(size);
            if (!p) return 10;
            hakt::FillPattern(p, size, uint64_t(i));
            blocks.push_back({p, size});
        }
        for (size_t i = 0; i < blocks.size(); ++i) {
            if (hakt::CheckPattern(blocks[i].first, blocks[i].second, i) != SIZE_MAX) return 11;
            api().free(blocks[i].first);
        }
        return 0;
    }
};

INSTANTIATE_TEST_SUITE_P(Api, InvalidFree, ::testing::ValuesIn(hakt::AllApis()),
                         [](const auto& info) { return std::string(info.param->name); });

TEST_P(InvalidFree, ValidAllocationTrafficPrintsNothing) {
    auto r = hakt::RunInChild([&] { return HeapStillWorks(); });
    EXPECT_TRUE(r.ExitedWith(0)) << ChildCodeMeaning(r) << " " << r.Describe();
    EXPECT_EQ(r.err, "") << "valid frees produced output";
}

TEST_P(InvalidFree, FreeOfAStackPointerIsReportedOnOneLineAndIgnored) {
    alignas(64) char stack_buffer[256];
    void* bad = Opaque(static_cast<void*>(stack_buffer + 64));
    auto r = hakt::RunInChild([&] {
        std::memset(stack_buffer, 0x3C, sizeof stack_buffer);
        api().free(bad);
        for (unsigned char c : stack_buffer)
            if (c != 0x3C) return 20;  // the allocator wrote into memory it does not own
        return HeapStillWorks();
    });
    ExpectOneReportNaming(r, bad);
}

TEST_P(InvalidFree, FreeOfAMisalignedPointerIntoABlockIsReportedAndTheBlockStaysValid) {
    void* block = api().malloc(Opaque(size_t{64}));
    ASSERT_NE(block, nullptr);
    void* bad = Opaque(static_cast<void*>(static_cast<char*>(block) + 1));
    auto r = hakt::RunInChild([&] {
        hakt::FillPattern(block, 64, 1);
        api().free(bad);
        // The block was not freed: nothing else may be handed its memory.
        std::vector<void*> others;
        for (int i = 0; i < 256; ++i) {
            void* p = api().malloc(64);
            if (p == nullptr) return 10;
            if (p == block) return 21;
            std::memset(p, 0, 64);
            others.push_back(p);
        }
        if (hakt::CheckPattern(block, 64, 1) != SIZE_MAX) return 22;
        for (void* p : others) api().free(p);
        api().free(block);
        return HeapStillWorks();
    });
    ExpectOneReportNaming(r, bad);
    api().free(block);
}

// The owner's free fast path does not check that a 16-aligned pointer is a
// block start (that costs a division per free); the checked build, the
// remote-free path and misaligned pointers are checked (docs/ARCHITECTURE.md).
TEST_P(InvalidFree, FreeOfAnAlignedInteriorPointerIsReportedAndTheBlockStaysValid) {
#if !HAKMEM_TEST_CHECKED
    GTEST_SKIP() << "interior-pointer detection on the owner's fast path is a checked-build feature";
#endif
    void* block = api().malloc(Opaque(size_t{256}));
    ASSERT_NE(block, nullptr);
    void* bad = Opaque(static_cast<void*>(static_cast<char*>(block) + 64));
    auto r = hakt::RunInChild([&] {
        hakt::FillPattern(block, 256, 2);
        api().free(bad);
        std::vector<void*> others;
        for (int i = 0; i < 256; ++i) {
            void* p = api().malloc(Opaque(size_t(64 + i % 64)));
            auto a = reinterpret_cast<uintptr_t>(p), b = reinterpret_cast<uintptr_t>(block);
            if (a >= b && a < b + 256) return 23;  // handed out memory inside the live block
            others.push_back(p);
        }
        if (hakt::CheckPattern(block, 256, 2) != SIZE_MAX) return 24;
        for (void* p : others) api().free(p);
        api().free(block);
        return HeapStillWorks();
    });
    ExpectOneReportNaming(r, bad);
    api().free(block);
}

TEST_P(InvalidFree, FreeOfMemoryHakmemNeverMappedIsReported) {
    const size_t len = 1 * MiB;
    void* region = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(region, MAP_FAILED);
    void* bad = static_cast<char*>(region) + 4096;
    auto r = hakt::RunInChild([&] {
        std::memset(region, 0x17, len);
        api().free(bad);
        const auto* b = static_cast<const unsigned char*>(region);
        for (size_t i = 0; i < len; ++i)
            if (b[i] != 0x17) return 25;
        return HeapStillWorks();
    });
#if HAKMEM_TEST_CHECKED
    ExpectOneReportNaming(r, bad);
#else
    // The release fast path reads the header at the pointer's 4 MiB boundary
    // before any check (a bitmap lookup per free is not cheap enough), so a
    // pointer into memory hakmem never mapped may fault there. What must
    // never happen is a silent success that wrote into the foreign mapping.
    bool faulted = !WIFEXITED(r.status) && WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGSEGV;
    if (!faulted) ExpectOneReportNaming(r, bad);
#endif
    munmap(region, len);
}

TEST_P(InvalidFree, DoubleFreeOfASmallBlockIsReportedAndIgnored) {
    auto r = hakt::RunInChild([&] {
        void* p = api().malloc(Opaque(size_t{32}));
        if (!p) return 30;
        api().free(p);
        api().free(p);
        // Had the second free been honoured, p would sit twice on a free list
        // and two live blocks would share it.
        std::vector<void*> blocks;
        for (int i = 0; i < 512; ++i) {
            blocks.push_back(api().malloc(32));
            if (blocks.back() == nullptr) return 10;
        }
        std::vector<void*> sorted = blocks;
        std::sort(sorted.begin(), sorted.end());
        if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return 31;
        for (void* q : blocks) api().free(q);
        return HeapStillWorks();
    });
    EXPECT_TRUE(r.ExitedWith(0)) << ChildCodeMeaning(r) << " " << r.Describe();
    auto lines = hakt::Lines(r.err);
    EXPECT_EQ(lines.size(), 1u) << "expected exactly one line on stderr, got:\n" << r.err;
    EXPECT_FALSE(hakt::HexNumbers(r.err).empty()) << "the report does not name the pointer as 0x...:\n" << r.err;
}

// The parent can name the pointer when the block comes from before the fork.
TEST_P(InvalidFree, DoubleFreeReportNamesTheFreedPointer) {
    void* p = api().malloc(Opaque(size_t{48}));
    ASSERT_NE(p, nullptr);
    auto r = hakt::RunInChild([&] {
        api().free(p);
        api().free(p);
        return HeapStillWorks();
    });
    ExpectOneReportNaming(r, p);
    api().free(p);
}

TEST_P(InvalidFree, DoubleFreeOfALargeBlockIsReportedAndIgnored) {
    void* p = api().malloc(Opaque(8 * MiB));
    ASSERT_NE(p, nullptr);
    auto r = hakt::RunInChild([&] {
        std::memset(p, 1, 8 * MiB);
        api().free(p);
        api().free(p);
        return HeapStillWorks();
    });
    ExpectOneReportNaming(r, p);
    api().free(p);
}

}  // namespace

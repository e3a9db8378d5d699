// C++ operator new and delete in every replaceable form. Only meaningful when
// the override is compiled in: otherwise they are libstdc++'s, not hakmem's.
#include <gtest/gtest.h>

#include <memory>
#include <new>
#include <string>
#include <vector>

#include "hakmem_test_support.h"

#if HAKMEM_TEST_OVERRIDE

namespace {

using hakt::KiB;
using hakt::MiB;
using hakt::Opaque;

// Runs alloc(), checks the block came from hakmem (counted in its stats and
// known to hak_usable_size), then runs release() and checks it was counted.
template <class Alloc, class Release>
void ExpectServedByHakmem(const char* what, size_t size, size_t alignment, Alloc alloc, Release release) {
    SCOPED_TRACE(std::string(what) + " size " + std::to_string(size) + " alignment " + std::to_string(alignment));
    hak_stats_t s0, s1, s2;
    ASSERT_TRUE(hakt::ReadStats(&s0));
    void* p = alloc();
    ASSERT_TRUE(hakt::ReadStats(&s1));
    ASSERT_NE(p, nullptr);
    EXPECT_GE(s1.allocs - s0.allocs, 1u) << "the allocation was not served by hakmem";
    EXPECT_TRUE(hakt::IsAligned(p, alignment)) << p;
    EXPECT_GE(hak_usable_size(p), size);
    if (size) std::memset(p, 0x5A, size);
    release(p);
    ASSERT_TRUE(hakt::ReadStats(&s2));
    EXPECT_GE(s2.frees - s1.frees, 1u) << "the release was not seen by hakmem";
}

const size_t kSizes[] = {0, 1, 24, 1000, 64 * KiB + 3, 3 * MiB};

TEST(CxxOperators, PlainNewAndDeleteAreServedByHakmem) {
    for (size_t n : kSizes) {
        ExpectServedByHakmem("new/delete", n, 16, [&] { return ::operator new(Opaque(n)); },
                             [](void* p) { ::operator delete(p); });
        ExpectServedByHakmem("new[]/delete[]", n, 16, [&] { return ::operator new[](Opaque(n)); },
                             [](void* p) { ::operator delete[](p); });
    }
}

TEST(CxxOperators, SizedDeleteIsServedByHakmem) {
    for (size_t n : kSizes) {
        ExpectServedByHakmem("new/sized delete", n, 16, [&] { return ::operator new(Opaque(n)); },
                             [n](void* p) { ::operator delete(p, n); });
        ExpectServedByHakmem("new[]/sized delete[]", n, 16, [&] { return ::operator new[](Opaque(n)); },
                             [n](void* p) { ::operator delete[](p, n); });
    }
}

TEST(CxxOperators, NothrowNewAndDeleteAreServedByHakmem) {
    for (size_t n : kSizes) {
        ExpectServedByHakmem("nothrow new", n, 16, [&] { return ::operator new(Opaque(n), std::nothrow); },
                             [](void* p) { ::operator delete(p, std::nothrow); });
        ExpectServedByHakmem("nothrow new[]", n, 16, [&] { return ::operator new[](Opaque(n), std::nothrow); },
                             [](void* p) { ::operator delete[](p, std::nothrow); });
    }
}

TEST(CxxOperators, AlignedNewAndEveryAlignedDeleteHonourTheAlignment) {
    for (size_t a = 16; a <= 1 * MiB; a *= 4) {
        const auto al = std::align_val_t{a};
        for (size_t n : {size_t{1}, a, 3 * a + 8}) {
            ExpectServedByHakmem("aligned new/delete", n, a, [&] { return ::operator new(Opaque(n), al); },
                                 [al](void* p) { ::operator delete(p, al); });
            ExpectServedByHakmem("aligned new[]/delete[]", n, a, [&] { return ::operator new[](Opaque(n), al); },
                                 [al](void* p) { ::operator delete[](p, al); });
            ExpectServedByHakmem("aligned new/sized aligned delete", n, a,
                                 [&] { return ::operator new(Opaque(n), al); },
                                 [al, n](void* p) { ::operator delete(p, n, al); });
            ExpectServedByHakmem("aligned new[]/sized aligned delete[]", n, a,
                                 [&] { return ::operator new[](Opaque(n), al); },
                                 [al, n](void* p) { ::operator delete[](p, n, al); });
            ExpectServedByHakmem("aligned nothrow new", n, a,
                                 [&] { return ::operator new(Opaque(n), al, std::nothrow); },
                                 [al](void* p) { ::operator delete(p, al, std::nothrow); });
            ExpectServedByHakmem("aligned nothrow new[]", n, a,
                                 [&] { return ::operator new[](Opaque(n), al, std::nothrow); },
                                 [al](void* p) { ::operator delete[](p, al, std::nothrow); });
        }
    }
}

TEST(CxxOperators, NewOfZeroBytesReturnsUniquePointers) {
    void* a = ::operator new(Opaque(size_t{0}));
    void* b = ::operator new(Opaque(size_t{0}));
    void* c = ::operator new[](Opaque(size_t{0}));
    EXPECT_NE(a, nullptr);
    EXPECT_NE(a, b);
    EXPECT_NE(b, c);
    ::operator delete(a);
    ::operator delete(b);
    ::operator delete[](c);
}

TEST(CxxOperators, NewOfAHugeSizeThrowsBadAlloc) {
    for (size_t n : {SIZE_MAX, SIZE_MAX - 4096, size_t(PTRDIFF_MAX) + 1}) {
        EXPECT_THROW(hakt::Escape(::operator new(Opaque(n))), std::bad_alloc) << n;
        EXPECT_THROW(hakt::Escape(::operator new[](Opaque(n))), std::bad_alloc) << n;
        EXPECT_THROW(hakt::Escape(::operator new(Opaque(n), std::align_val_t{64})), std::bad_alloc) << n;
        EXPECT_THROW(hakt::Escape(::operator new[](Opaque(n), std::align_val_t{4096})), std::bad_alloc) << n;
    }
}

TEST(CxxOperators, NothrowNewOfAHugeSizeReturnsNullptr) {
    for (size_t n : {SIZE_MAX, SIZE_MAX - 4096, size_t(PTRDIFF_MAX) + 1}) {
        EXPECT_EQ(::operator new(Opaque(n), std::nothrow), nullptr) << n;
        EXPECT_EQ(::operator new[](Opaque(n), std::nothrow), nullptr) << n;
        EXPECT_EQ(::operator new(Opaque(n), std::align_val_t{64}, std::nothrow), nullptr) << n;
        EXPECT_EQ(::operator new[](Opaque(n), std::align_val_t{64}, std::nothrow), nullptr) << n;
    }
}

int g_handler_calls = 0;
void CountingHandler() {
    // Give up on the third call by uninstalling itself: operator new must
    // then throw std::bad_alloc.
    if (++g_handler_calls == 3) std::set_new_handler(nullptr);
}
struct HandlerGaveUp : std::bad_alloc {};
void ThrowingHandler() {
    ++g_handler_calls;
    throw HandlerGaveUp();
}

// [new.delete.single]: on failure, operator new calls the installed
// new_handler and retries until the handler gives up.
TEST(CxxOperators, NewCallsTheNewHandlerUntilItGivesUp) {
    g_handler_calls = 0;
    std::set_new_handler(CountingHandler);
    EXPECT_THROW(hakt::Escape(::operator new(Opaque(SIZE_MAX - 4096))), std::bad_alloc);
    EXPECT_EQ(g_handler_calls, 3) << "the new_handler was not called until it uninstalled itself";
    std::set_new_handler(nullptr);

    g_handler_calls = 0;
    std::set_new_handler(ThrowingHandler);
    EXPECT_THROW(hakt::Escape(::operator new[](Opaque(SIZE_MAX - 4096))), HandlerGaveUp);
    EXPECT_EQ(g_handler_calls, 1);
    g_handler_calls = 0;
    EXPECT_THROW(hakt::Escape(::operator new(Opaque(SIZE_MAX - 4096), std::align_val_t{256})), HandlerGaveUp);
    EXPECT_EQ(g_handler_calls, 1) << "aligned new must call the new_handler too";
    std::set_new_handler(nullptr);
}

TEST(CxxOperators, NothrowNewCallsTheNewHandlerAndReturnsNullptrWhenItThrows) {
    g_handler_calls = 0;
    std::set_new_handler(ThrowingHandler);
    EXPECT_EQ(::operator new(Opaque(SIZE_MAX - 4096), std::nothrow), nullptr);
    EXPECT_EQ(g_handler_calls, 1);
    std::set_new_handler(nullptr);
}

struct alignas(256) OverAligned {
    unsigned char bytes[300];
};

TEST(CxxOperators, NewExpressionsForOverAlignedTypesUseAlignedAllocation) {
    std::vector<std::unique_ptr<OverAligned>> objects;
    for (int i = 0; i < 100; ++i) {
        objects.push_back(std::make_unique<OverAligned>());
        EXPECT_TRUE(hakt::IsAligned(objects.back().get(), 256)) << objects.back().get();
    }
    auto* array = new OverAligned[7];
    EXPECT_TRUE(hakt::IsAligned(array, 256)) << array;
    delete[] array;
}

TEST(CxxOperators, StandardContainersRunOnHakmem) {
    hak_stats_t before, after;
    ASSERT_TRUE(hakt::ReadStats(&before));
    std::vector<std::string> strings;
    for (int i = 0; i < 5000; ++i) strings.push_back(std::string(size_t(i % 300), char('a' + i % 26)));
    size_t total = 0;
    for (const auto& s : strings) total += s.size();
    ASSERT_TRUE(hakt::ReadStats(&after));
    EXPECT_GE(after.allocs - before.allocs, 4000u) << "std::string/std::vector did not allocate through hakmem";
    EXPECT_GT(total, 0u);
}

}  // namespace

#endif  // HAKMEM_TEST_OVERRIDE

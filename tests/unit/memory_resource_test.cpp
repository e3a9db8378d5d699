// The C++ adapters (include/hakmem/memory_resource.hpp): hakmem as a
// std::pmr::memory_resource and as a standard allocator, with the standard
// containers, over-aligned types, call-site tags and propagation rules.
#include <gtest/gtest.h>

#include <hakmem/memory_resource.hpp>

#include <cstdint>
#include <list>
#include <map>
#include <memory_resource>
#include <new>
#include <string>
#include <vector>

#include "hakmem_test_support.h"

namespace {

bool IsAligned(const void* p, size_t alignment) { return reinterpret_cast<uintptr_t>(p) % alignment == 0; }

struct alignas(64) CacheLine {
    int value;
};
struct alignas(4096) PageAligned {
    char bytes[100];
};

// ---- hakmem::memory_resource ----------------------------------------------

TEST(MemoryResource, ServesPmrVectorsStringsAndMapsWithHakmemBlocks) {
    hakmem::memory_resource r;
    std::pmr::map<std::pmr::string, std::pmr::vector<int>> m{&r};
    for (int i = 0; i < 500; ++i) {
        std::pmr::string key{"a key long enough to leave the small-string buffer #", &r};
        key += std::to_string(i);
        m[key].assign(size_t(i % 37) + 1, i);
    }
    ASSERT_EQ(m.size(), 500u);
    for (const auto& [key, values] : m) {
        EXPECT_EQ(m.get_allocator().resource(), &r);
        EXPECT_EQ(values.get_allocator().resource(), &r) << "uses-allocator construction passes the resource on";
        // The strings' and vectors' buffers are hakmem blocks.
        EXPECT_GE(hak_usable_size(key.data()), key.size());
        EXPECT_GE(hak_usable_size(values.data()), values.size() * sizeof(int));
    }
}

TEST(MemoryResource, HonoursEveryPowerOfTwoAlignmentUpTo2MiB) {
    hakmem::memory_resource r;
    for (size_t alignment = 1; alignment <= 2 * hakt::MiB; alignment *= 2) {
        for (size_t size : {size_t{1}, size_t{24}, alignment, alignment + 8, size_t{100000}}) {
            void* p = r.allocate(size, alignment);
            ASSERT_NE(p, nullptr);
            EXPECT_TRUE(IsAligned(p, alignment)) << "size " << size << " alignment " << alignment;
            EXPECT_GE(hak_usable_size(p), size);
            hakt::FillPattern(p, size, alignment);
            EXPECT_EQ(hakt::CheckPattern(p, size, alignment), SIZE_MAX);
            r.deallocate(p, size, alignment);
        }
    }
}

TEST(MemoryResource, AZeroByteRequestGetsADistinctBlock) {
    hakmem::memory_resource r;
    void* a = r.allocate(0);
    void* b = r.allocate(0);
    EXPECT_NE(a, nullptr);
    EXPECT_NE(a, b);
    r.deallocate(a, 0);
    r.deallocate(b, 0);
}

TEST(MemoryResource, PmrVectorsOfOverAlignedTypesAreAligned) {
    hakmem::memory_resource r;
    std::pmr::vector<CacheLine> lines{&r};
    std::pmr::vector<PageAligned> pages{&r};
    for (int i = 0; i < 300; ++i) {
        lines.push_back({i});
        pages.push_back({});
        ASSERT_TRUE(IsAligned(lines.data(), 64));
        ASSERT_TRUE(IsAligned(pages.data(), 4096));
    }
    EXPECT_EQ(lines[299].value, 299);
}

TEST(MemoryResource, IsTheUpstreamOfAPoolResource) {
    hakmem::memory_resource r;
    std::pmr::unsynchronized_pool_resource pool{&r};
    EXPECT_EQ(pool.upstream_resource(), &r);
    {
        std::pmr::map<int, std::pmr::string> m{&pool};
        for (int i = 0; i < 20000; ++i) m.emplace(i, std::pmr::string(size_t(i % 50) + 20, 'x'));
        EXPECT_EQ(m.size(), 20000u);
        EXPECT_EQ(m.at(19999).size(), size_t(19999 % 50) + 20);
        std::pmr::vector<CacheLine> aligned{&pool};
        aligned.resize(1000);
        EXPECT_TRUE(IsAligned(aligned.data(), 64));
    }
    pool.release();  // hands every chunk back to hakmem, with its size and alignment
}

TEST(MemoryResource, EveryHakmemResourceEqualsEveryOtherAndNoForeignOne) {
    hakmem::memory_resource a, b{HAK_SITE()};
    EXPECT_TRUE(a.is_equal(b));
    EXPECT_TRUE(a == *hakmem::default_resource());
    EXPECT_FALSE(a.is_equal(*std::pmr::new_delete_resource()));
    std::pmr::monotonic_buffer_resource mono{&a};
    EXPECT_FALSE(a.is_equal(mono));
    // Equal resources: one frees what the other allocated, and a container
    // move-assigned between them takes the buffer instead of copying it.
    void* p = a.allocate(100, 32);
    b.deallocate(p, 100, 32);
    std::pmr::vector<int> v{{1, 2, 3}, &a}, w{&b};
    const int* data = v.data();
    w = std::move(v);
    EXPECT_EQ(w.data(), data);
}

TEST(MemoryResource, DefaultResourceIsOneInstance) {
    EXPECT_EQ(hakmem::default_resource(), hakmem::default_resource());
    EXPECT_EQ(hakmem::default_resource()->site(), HAK_SITE_UNKNOWN);
}

TEST(MemoryResource, AnImpossibleRequestThrowsBadAlloc) {
    hakmem::memory_resource r;
    EXPECT_THROW((void)r.allocate(SIZE_MAX / 2), std::bad_alloc);
    EXPECT_THROW((void)r.allocate(SIZE_MAX / 2, 4096), std::bad_alloc);
}

// ---- hakmem::site_allocator -----------------------------------------------

template <class T>
using SiteVector = std::vector<T, hakmem::site_allocator<T>>;

TEST(SiteAllocator, MeetsTheAllocatorRequirementsOfStandardContainers) {
    hakmem::site_allocator<int> alloc{HAK_SITE()};
    SiteVector<int> v{alloc};
    std::list<std::string, hakmem::site_allocator<std::string>> l{alloc};  // rebinds to the node type
    std::map<int, int, std::less<int>, hakmem::site_allocator<std::pair<const int, int>>> m{alloc};
    std::basic_string<char, std::char_traits<char>, hakmem::site_allocator<char>> s{alloc};
    for (int i = 0; i < 1000; ++i) {
        v.push_back(i);
        l.push_back(std::to_string(i));
        m[i] = 2 * i;
        s += 'a' + char(i % 26);
    }
    EXPECT_EQ(v[999], 999);
    EXPECT_EQ(l.back(), "999");
    EXPECT_EQ(m[500], 1000);
    EXPECT_EQ(s.size(), 1000u);
    EXPECT_GE(hak_usable_size(v.data()), 1000 * sizeof(int));
    EXPECT_GE(hak_usable_size(s.data()), s.size());
    EXPECT_EQ(v.get_allocator().site(), alloc.site());
    EXPECT_EQ(hakmem::site_allocator<double>(alloc).site(), alloc.site()) << "rebinding keeps the site";
}

TEST(SiteAllocator, AlignsOverAlignedTypes) {
    SiteVector<CacheLine> lines{hakmem::site_allocator<CacheLine>{HAK_SITE()}};
    SiteVector<PageAligned> pages;
    for (int i = 0; i < 100; ++i) {
        lines.push_back({i});
        pages.emplace_back();
        ASSERT_TRUE(IsAligned(lines.data(), 64));
        ASSERT_TRUE(IsAligned(pages.data(), 4096));
    }
}

TEST(SiteAllocator, AllocatorsAreAlwaysEqualAndTheSiteStaysWithTheContainer) {
    using A = hakmem::site_allocator<int>;
    static_assert(std::allocator_traits<A>::is_always_equal::value);
    static_assert(!std::allocator_traits<A>::propagate_on_container_copy_assignment::value);
    static_assert(!std::allocator_traits<A>::propagate_on_container_move_assignment::value);
    static_assert(!std::allocator_traits<A>::propagate_on_container_swap::value);
    static_assert(std::is_same_v<hakmem::allocator<int>, A>);
    A first{HAK_SITE()}, second{HAK_SITE()};
    ASSERT_NE(first.site(), second.site());
    EXPECT_TRUE(first == second);
    EXPECT_FALSE(first != hakmem::site_allocator<char>{});

    SiteVector<int> a{{1, 2, 3}, first}, b{second};
    const int* data = a.data();
    b = std::move(a);  // equal allocators: the buffer moves, the site does not
    EXPECT_EQ(b.data(), data);
    EXPECT_EQ(b.get_allocator().site(), second.site());
    SiteVector<int> c{first};
    c = b;  // a copy: c keeps its own site
    EXPECT_EQ(c.get_allocator().site(), first.site());
    EXPECT_EQ(c, b);
    c.swap(b);
    EXPECT_EQ(c.get_allocator().site(), first.site());
    EXPECT_EQ(b.get_allocator().site(), second.site());
}

TEST(SiteAllocator, AnImpossibleCountThrowsBadAlloc) {
    hakmem::site_allocator<uint64_t> alloc;
    EXPECT_THROW((void)alloc.allocate(SIZE_MAX / 4), std::bad_alloc);
    EXPECT_THROW((void)alloc.allocate(SIZE_MAX / 16), std::bad_alloc);
}

// The point of the site: the container's allocations are a site of their
// own in telemetry. 64 MiB through it gives about 128 samples at the
// default rate of one per 512 KiB: that none lands on the site has a
// probability below e^-100.
TEST(SiteAllocator, AContainersAllocationsAppearAsItsOwnSiteInTelemetry) {
    hakmem::site_allocator<char> alloc{HAK_SITE()};
    for (int i = 0; i < 256; ++i) {
        SiteVector<char> v{alloc};
        v.resize(256 * 1024);
        v[i] = 1;
    }
    std::vector<hak_site_stats_t> sites(4096);
    sites[0].struct_size = sizeof(hak_site_stats_t);
    size_t count = sites.size();
    ASSERT_EQ(hak_get_site_stats(sites.data(), &count), HAK_OK);
    bool found = false;
    for (size_t i = 0; i < count; ++i)
        if (sites[i].site == alloc.site()) found = sites[i].bytes > 0;
    EXPECT_TRUE(found) << "the site_allocator's HAK_SITE() is not among " << count << " sites";
}

TEST(MemoryResource, ASiteTaggedResourceAppearsAsItsOwnSiteInTelemetry) {
    hakmem::memory_resource r{HAK_SITE()};
    for (int i = 0; i < 256; ++i) {
        std::pmr::vector<char> v{&r};
        v.resize(256 * 1024);
        v[i] = 1;
    }
    std::vector<hak_site_stats_t> sites(4096);
    sites[0].struct_size = sizeof(hak_site_stats_t);
    size_t count = sites.size();
    ASSERT_EQ(hak_get_site_stats(sites.data(), &count), HAK_OK);
    bool found = false;
    for (size_t i = 0; i < count; ++i)
        if (sites[i].site == r.site()) found = sites[i].bytes > 0;
    EXPECT_TRUE(found) << "the resource's HAK_SITE() is not among " << count << " sites";
}

}  // namespace

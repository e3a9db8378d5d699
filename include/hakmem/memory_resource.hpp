// hakmem for C++ containers, header-only over the hak_* C ABI:
//
//   hakmem::memory_resource    a std::pmr::memory_resource (every std::pmr
//                              container, and as the upstream of
//                              std::pmr::unsynchronized_pool_resource...)
//   hakmem::default_resource() one process-wide instance of it
//   hakmem::site_allocator<T>  a standard allocator (std::vector<T,
//                              hakmem::site_allocator<T>>...)
//   hakmem::allocator<T>       the same allocator, for the usual name
//
// Both can be given a call site, HAK_SITE() at the container's declaration,
// so that the container's allocations appear as one site of their own in
// telemetry (HAKMEM_SHOW_STATS, HAKMEM_STATS_JSON, hak_get_site_stats)
// rather than as the library code that called malloc:
//
//   hakmem::memory_resource arena{HAK_SITE()};
//   std::pmr::vector<int> v{&arena};
//   std::vector<int, hakmem::site_allocator<int>> w{hakmem::site_allocator<int>{HAK_SITE()}};
//
// Alignment: up to alignof(std::max_align_t) (16 bytes; every hakmem block
// has it) blocks come from hak_alloc_at with the site; larger alignments
// from hak_aligned_alloc, which records the caller's address as the site
// instead. Deallocation passes size and alignment back (hak_free_sized,
// hak_free_aligned_sized). Failure throws std::bad_alloc (std::abort when
// compiled without exceptions).
//
// Every hakmem allocator and resource can free what any other allocated
// (they all use the process's one hakmem heap), so they all compare equal:
// containers move and swap their memory without copying it. The site stays
// with the container it was declared for: it does not propagate on copy or
// move assignment or swap.
#ifndef HAKMEM_MEMORY_RESOURCE_HPP
#define HAKMEM_MEMORY_RESOURCE_HPP

#include <cstddef>
#include <cstdlib>
#include <limits>
#include <memory_resource>
#include <new>
#include <type_traits>

#include "hakmem/hakmem.h"

namespace hakmem {
namespace detail {

// What hak_malloc guarantees, as malloc does.
inline constexpr std::size_t kMallocAlignment = alignof(std::max_align_t);

[[noreturn]] inline void throw_bad_alloc() {
#if defined(__cpp_exceptions)
    throw std::bad_alloc();
#else
    std::abort();
#endif
}

inline void* allocate(std::size_t bytes, std::size_t alignment, hak_callsite_t site) {
    void* p;
    if (alignment > kMallocAlignment)
        p = hak_aligned_alloc(alignment, bytes);
    else if (site != HAK_SITE_UNKNOWN)
        p = hak_alloc_at(bytes, site);
    else
        p = hak_malloc(bytes);
    if (p == nullptr) throw_bad_alloc();
    return p;
}

inline void deallocate(void* p, std::size_t bytes, std::size_t alignment) noexcept {
    if (alignment > kMallocAlignment)
        hak_free_aligned_sized(p, alignment, bytes);
    else
        hak_free_sized(p, bytes);
}

}  // namespace detail

class memory_resource : public std::pmr::memory_resource {
public:
    memory_resource() noexcept = default;
    // Tags every allocation with `site` (HAK_SITE()).
    explicit memory_resource(hak_callsite_t site) noexcept : site_(site) {}
    hak_callsite_t site() const noexcept { return site_; }

protected:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        return detail::allocate(bytes, alignment, site_);
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
        detail::deallocate(p, bytes, alignment);
    }
    // Any hakmem resource frees what another allocated.
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
#if defined(__cpp_rtti) || defined(__GXX_RTTI)
        return this == &other || dynamic_cast<const memory_resource*>(&other) != nullptr;
#else
        return this == &other;
#endif
    }

private:
    hak_callsite_t site_ = HAK_SITE_UNKNOWN;
};

// One process-wide hakmem resource (no site), like std::pmr::new_delete_resource().
// It is never destroyed, so containers may use it during static destruction.
inline memory_resource* default_resource() noexcept {
    alignas(memory_resource) static unsigned char storage[sizeof(memory_resource)];
    static memory_resource* const instance = ::new (static_cast<void*>(storage)) memory_resource();
    return instance;
}

template <class T>
class site_allocator {
public:
    using value_type = T;
    using size_type = std::size_t;
    using difference_type = std::ptrdiff_t;
    using is_always_equal = std::true_type;
    // The site belongs to the container's declaration, not to its contents.
    using propagate_on_container_copy_assignment = std::false_type;
    using propagate_on_container_move_assignment = std::false_type;
    using propagate_on_container_swap = std::false_type;

    site_allocator() noexcept = default;
    explicit site_allocator(hak_callsite_t site) noexcept : site_(site) {}
    template <class U>
    site_allocator(const site_allocator<U>& other) noexcept : site_(other.site()) {}

    [[nodiscard]] T* allocate(std::size_t n) {
        if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) detail::throw_bad_alloc();
        return static_cast<T*>(detail::allocate(n * sizeof(T), alignof(T), site_));
    }
    void deallocate(T* p, std::size_t n) noexcept { detail::deallocate(p, n * sizeof(T), alignof(T)); }

    hak_callsite_t site() const noexcept { return site_; }

private:
    hak_callsite_t site_ = HAK_SITE_UNKNOWN;
};

template <class T, class U>
bool operator==(const site_allocator<T>&, const site_allocator<U>&) noexcept {
    return true;
}
template <class T, class U>
bool operator!=(const site_allocator<T>&, const site_allocator<U>&) noexcept {
    return false;
}

template <class T>
using allocator = site_allocator<T>;

}  // namespace hakmem

#endif  // HAKMEM_MEMORY_RESOURCE_HPP

#include "api/alloc_ops.h"

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/heap.h"
#include "core/secure.h"
#include "dispatch/dispatch.h"
#include "large/large.h"
#include "os/os_memory.h"

namespace hakmem {
namespace {
bool is_pow2(size_t x) { return x != 0 && (x & (x - 1)) == 0; }
// glibc refuses any request above PTRDIFF_MAX: pointer differences inside
// the block must stay representable.
bool too_big(size_t size) { return size > static_cast<size_t>(PTRDIFF_MAX); }
}  // namespace

void* calloc_impl(size_t count, size_t size, uintptr_t site) {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total) || too_big(total)) {
        errno = ENOMEM;
        return nullptr;
    }
    void* p = alloc(total, site);
    if (p == nullptr || total == 0) return p;  // (the secure build's zero-size block is not readable)
    Segment* seg = segment_of(p);
    if (seg->kind == SegmentKind::kLarge) {
        // Only what may be dirty: a fresh mapping, and the part of a cached
        // one that was never written (or was purged), read as zero already.
        size_t dirty = large_dirty_bytes(seg, p);
        memset(p, 0, dirty < total ? dirty : total);
    } else {
        memset(p, 0, total);
    }
    return p;
}

void* realloc_impl(void* p, size_t size, uintptr_t site) {
    if (p == nullptr) return alloc(size, site);
    if constexpr (kSecure) {
        if (size != 0 && secure_zero_owns(p)) {  // a malloc(0) block: nothing to copy
            void* q = alloc(size, site);
            if (q != nullptr) dealloc(p);
            return q;
        }
    }
    if (size == 0) {  // glibc: frees the block and returns NULL
        dealloc(p);
        return nullptr;
    }
    if (too_big(size)) {
        errno = ENOMEM;
        return nullptr;
    }
    Page* page;  // the block's page, found once by the validation (nullptr: a large block)
    if (!free_pointer_valid(p, &page)) {  // reported
        errno = EINVAL;
        return nullptr;
    }
    size_t usable;
    if (page == nullptr) {
        Segment* seg = segment_of(p);
        usable = large_usable(seg, p);
        // In place, or the mapping moved with mremap: no copy either way.
        if (void* q = large_realloc(seg, p, size)) return q;
    } else {
        auto* block = static_cast<Block*>(p);
        size_t slot = page->block_size - kTailBytes;
        // Fits its size class, and shrinking would not save half.
        if (size <= slot && size >= slot / 2) {
            if constexpr (kSecure) secure::resize(block, page, size);
            return p;
        }
        usable = small_usable_size(p, page);
    }
    void* q = alloc(size, site);
    if (q == nullptr) return nullptr;  // the old block stays valid
    memcpy(q, p, size < usable ? size : usable);
    dealloc(p);
    return q;
}

void* reallocarray_impl(void* p, size_t count, size_t size, uintptr_t site) {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return nullptr;
    }
    return realloc_impl(p, total, site);
}

int posix_memalign_impl(void** out, size_t alignment, size_t size, uintptr_t site) {
    if (!is_pow2(alignment) || alignment % sizeof(void*) != 0) return EINVAL;
    if (too_big(size) || alignment > (size_t{1} << 62)) return ENOMEM;
    int saved = errno;
    void* p = alloc_aligned(size, alignment, site);
    if (p == nullptr) return ENOMEM;
    errno = saved;
    *out = p;
    return 0;
}

void* aligned_alloc_impl(size_t alignment, size_t size, uintptr_t site) {
    // glibc (2.38 on) rejects an alignment that is not a power of two.
    if (!is_pow2(alignment)) {
        errno = EINVAL;
        return nullptr;
    }
    return memalign_impl(alignment, size, site);
}

void* memalign_impl(size_t alignment, size_t size, uintptr_t site) {
    // glibc: an alignment above SIZE_MAX / 2 + 1 is EINVAL; one that is not a
    // power of two is rounded up to the next power of two.
    if (alignment > SIZE_MAX / 2 + 1) {
        errno = EINVAL;
        return nullptr;
    }
    if (!is_pow2(alignment)) alignment = alignment < 16 ? 16 : size_t{1} << (64 - __builtin_clzll(alignment));
    if (too_big(size)) {
        errno = ENOMEM;
        return nullptr;
    }
    return alloc_aligned(size, alignment, site);
}

void* valloc_impl(size_t size, uintptr_t site) { return memalign_impl(os::kPageSize, size, site); }

void* pvalloc_impl(size_t size, uintptr_t site) {
    if (size > SIZE_MAX - os::kPageSize) {
        errno = ENOMEM;
        return nullptr;
    }
    size_t rounded = size == 0 ? os::kPageSize : os::align_up(size, os::kPageSize);
    return memalign_impl(os::kPageSize, rounded, site);
}

}  // namespace hakmem

#include "core/alloc.h"

#include <cerrno>

#include "large/large.h"

namespace hakmem {

void* alloc_slow(size_t size, uintptr_t site) {
    (void)site;  // the seam for call-site sampling
    Heap* heap = thread_heap_get();
    if (__builtin_expect(heap == nullptr, 0)) {
        errno = ENOMEM;
        return nullptr;
    }
    if (size <= kMaxSmallSize) return heap_alloc_small_slow(heap, size, class_of(size));
    return large_alloc(heap, size, 0, false);
}

void* alloc_slow_caller(size_t size) {
    return alloc_slow(size, reinterpret_cast<uintptr_t>(__builtin_return_address(0)));
}

void* alloc_aligned(size_t size, size_t alignment, uintptr_t site) {
    if (alignment <= 16) return alloc(size, site);
    Heap* heap = thread_heap_get();
    if (heap == nullptr) {
        errno = ENOMEM;
        return nullptr;
    }
    // Pages start 4 KiB-aligned, so every block of a class whose size is a
    // multiple of the alignment is aligned: pick the first such class.
    if (alignment <= 4096 && size <= kMaxSmallSize) {
        size_t want = size < alignment ? alignment : size;
        for (unsigned cls = class_of(want); cls < kNumClasses; ++cls) {
            if (class_size(cls) % alignment == 0) return heap_alloc_small_slow(heap, want, cls);
        }
    }
    return large_alloc(heap, size, alignment, false);
}

size_t usable_size(const void* p) {
    if (p == nullptr) return 0;
    Segment* seg = segment_of(p);
    if (seg->kind == SegmentKind::kLarge) return large_usable(seg, p);
    return page_of(seg, p)->block_size;
}

}  // namespace hakmem

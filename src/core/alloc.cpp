#include "core/alloc.h"

#include <cerrno>

#include "large/large.h"
#include "telemetry/telemetry.h"

namespace hakmem {

namespace {

void* alloc_unsampled(Heap* heap, size_t size) {
    if (size <= kMaxSmallSize) return heap_alloc_small_slow(heap, size, class_of(size));
    return large_alloc(heap, size, 0, false);
}

__attribute__((noinline, cold)) void* alloc_sampled(Heap* heap, size_t size, uintptr_t site) {
    if (void* p = telemetry_sample_alloc(heap, size, site)) return p;
    return alloc_unsampled(heap, size);
}

// A thread's first allocation: make its heap, then start over.
__attribute__((noinline, cold)) void* alloc_first(size_t size, uintptr_t site) {
    if (thread_heap_get() == nullptr) {
        errno = ENOMEM;
        return nullptr;
    }
    return alloc_slow(size, site);
}

}  // namespace

// Only tail calls, so no frame: the common case costs what the dispatch
// alone did before the sampling countdown was added.
void* alloc_slow(size_t size, uintptr_t site) {
    Heap* heap = t_heap;
    if (__builtin_expect(heap == &g_empty_heap, 0)) return alloc_first(size, site);
    // The sampling countdown: a negative value means the fast path already
    // subtracted this size and it ran out; otherwise (page empty, size above
    // the table, or no fast path) subtract it here. Unsigned arithmetic: a
    // size above PTRDIFF_MAX, which fails anyway, must not overflow.
    int64_t countdown = heap->sample_countdown;
    if (countdown >= 0)
        heap->sample_countdown = countdown = static_cast<int64_t>(static_cast<uint64_t>(countdown) - size);
    if (__builtin_expect(countdown < 0, 0)) return alloc_sampled(heap, size, site);
    return alloc_unsampled(heap, size);
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
    // A pointer hakmem never returned is reported, never read through.
    if (p == nullptr || !free_pointer_valid(const_cast<void*>(p))) return 0;
    Segment* seg = segment_of(p);
    if (seg->kind == SegmentKind::kLarge) return large_usable(seg, p);
    return page_of(seg, p)->block_size;
}

}  // namespace hakmem

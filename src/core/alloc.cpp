#include "core/alloc.h"

#include <cerrno>

#include "large/large.h"
#include "telemetry/telemetry.h"

namespace hakmem {

namespace {

void* alloc_unsampled(Heap* heap, size_t size) {
    if (size <= kMaxSmallSize - kTailBytes) return heap_alloc_small_slow(heap, size, class_of(size + kTailBytes));
    return large_alloc(heap, size, 0);
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

// Secure build: malloc(0) gets a no-access block, counted like any allocation.
__attribute__((noinline, cold)) void* alloc_zero() {
    bool shared = false;
    HeapCounters& c = counters_for(t_heap, &shared);
    if (shared) c.allocs[0].add_shared(1); else c.allocs[0].add(1);
    return secure_zero_alloc();
}

// Only tail calls, so no frame: the common case costs what the dispatch
// alone did before the sampling countdown was added.
void* alloc_slow(size_t size, uintptr_t site) {
    if constexpr (kSecure) {
        if (size == 0) return alloc_zero();
    }
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
    if (alignment <= 4096 && size <= kMaxSmallSize - kTailBytes) {
        size_t want = size + kTailBytes < alignment ? alignment : size + kTailBytes;
        for (unsigned cls = class_of(want); cls < kNumClasses; ++cls) {
            if (class_size(cls) % alignment == 0) return heap_alloc_small_slow(heap, kSecure ? size : want, cls);
        }
    }
    return large_alloc(heap, size, alignment);
}

size_t usable_size(const void* p) {
    // A pointer hakmem never returned is reported, never read through.
    if (p == nullptr) return 0;
    if constexpr (kSecure) {
        if (secure_zero_owns(p)) return 0;
    }
    if (!free_pointer_valid(const_cast<void*>(p))) return 0;
    return usable_size_valid(p);
}

size_t usable_slot(const void* p) {
    Segment* seg = segment_of(p);
    return page_of(seg, p)->block_size - kTailBytes;
}

size_t usable_size_valid(const void* p) {
    Segment* seg = segment_of(p);
    if (seg->kind == SegmentKind::kLarge) return large_usable(seg, p);
    Page* page = page_of(seg, p);
    if constexpr (kSecure) return secure::usable(static_cast<Block*>(const_cast<void*>(p)), page);
    return page->block_size;
}

}  // namespace hakmem

// The slow paths of malloc and free, where a request is routed: small and
// medium blocks to core, large ones to large/, sampled ones to telemetry/
// (dispatch/dispatch.h has the call tree).
#include "dispatch/dispatch.h"

#include <cerrno>

#include "core/foreign_cache.h"
#include "core/remote_free.h"
#include "dispatch/process_init.h"
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

// The calling thread's heap, setting up the process on its first call.
Heap* heap_of_caller() {
    if (Heap* heap = t_heap; heap != &g_empty_heap) return heap;
    process_init();
    return thread_heap_get();
}

// A thread's first allocation: make its heap, then start over.
__attribute__((noinline, cold)) void* alloc_first(size_t size, uintptr_t site) {
    if (heap_of_caller() == nullptr) {
        errno = ENOMEM;
        return nullptr;
    }
    return alloc_slow(size, site);
}

// Secure build: malloc(0) gets a no-access block, counted like any allocation.
__attribute__((noinline, cold)) void* alloc_zero() {
    bool shared = false;
    HeapCounters& c = counters_for(t_heap, &shared);
    if (shared) c.allocs[0].add_shared(1); else c.allocs[0].add(1);
    return secure_zero_alloc();
}

}  // namespace

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
    Heap* heap = heap_of_caller();
    if (heap == nullptr) {
        errno = ENOMEM;
        return nullptr;
    }
    // The first class whose blocks are all aligned (core/size_class.h).
    if (alignment <= 4096 && size <= kMaxSmallSize - kTailBytes) {
        size_t want = size + kTailBytes < alignment ? alignment : size + kTailBytes;
        unsigned cls = class_of_multiple(want, alignment);
        if (cls < kNumClasses) return heap_alloc_small_slow(heap, kSecure ? size : want, cls);
    }
    return large_alloc(heap, size, alignment);
}

namespace {
// A validated pointer into `seg`: a large block, or a small or medium one of
// `page` (sampled, or another thread's).
__attribute__((always_inline)) inline void free_in_segment(Segment* seg, Page* page, void* p) {
    // A sampled block (telemetry/sampled_heap.h): its heap is never a thread's.
    Heap* owner = seg->heap.load(std::memory_order_relaxed);
    if (__builtin_expect(owner == &g_sampled_heap, 0)) {
        telemetry_free_small(static_cast<Block*>(p));
        return;
    }
    // Kept for this thread's next allocations unless its owner has exited
    // (an abandoned segment: null), which a cached block would keep mapped.
    if (__builtin_expect(owner != nullptr, 1)) return foreign_cache_free(page, static_cast<Block*>(p));
    heap_free_remote(page, static_cast<Block*>(p));
}

void free_large(Segment* seg, void* p) {
    // A sampled large block keeps its record in its header: taken before
    // the mapping goes back (large_free reports a p that is not the start).
    if (__builtin_expect(seg->large_sample.sampled != 0, 0) && p == large_block(seg)) telemetry_free_large(seg);
    large_free(seg, p);
}
}  // namespace

void free_generic(void* p) {
    if (p == nullptr) return;  // the fast path's segment-map test sends null here
    if constexpr (kSecure) {
        if (secure_zero_owns(p)) {
            bool shared = false;
            HeapCounters& c = counters_for(t_heap, &shared);
            if (shared) c.frees[0].add_shared(1); else c.frees[0].add(1);
            return secure_zero_free(p);
        }
    }
    if (!free_pointer_valid(p)) return;
    Segment* seg = segment_of(p);
    if (seg->kind == SegmentKind::kLarge) return free_large(seg, p);
    free_in_segment(seg, page_of(seg, p), p);
}

void free_foreign(void* p, Segment* seg) {
    if (!segment_header_valid(seg, p)) return;
    if (seg->kind == SegmentKind::kLarge) return free_large(seg, p);
    Page* page = small_block_page(seg, p);
    if (page == nullptr) return;  // reported
    free_in_segment(seg, page, p);
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

size_t usable_size_valid(const void* p) {
    Segment* seg = segment_of(p);
    if (seg->kind == SegmentKind::kLarge) return large_usable(seg, p);
    return small_usable_size(p);
}

}  // namespace hakmem

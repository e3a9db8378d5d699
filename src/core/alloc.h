// The fast paths of malloc and free, inlined into every entry point of the
// API (hak_* and the malloc override alike), and the out-of-line slow
// paths they fall into.
//
// malloc fast path: TLS heap -> class table -> queue head page -> pop.
// No initialization check (an uninitialized thread's heap is g_empty_heap,
// whose pages have no free block), no lock, no atomic read-modify-write.
//
// free fast path: mask -> segment -> owned by this thread's heap? -> push
// on the page's local_free. Everything else (remote frees, large blocks,
// the page's last block, a full page, a double free) goes to the slow path.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/invariants.h"
#include "core/thread_heap.h"

namespace hakmem {

// Any allocation the fast path does not serve. `site` is the call site
// (return address or hak_callsite_t), carried to the slow path for
// sampling. Returns nullptr with errno = ENOMEM on failure.
__attribute__((noinline)) void* alloc_slow(size_t size, uintptr_t site);
// The same, taking the site from its own return address: the fast path
// tail-calls it, so that is the caller of malloc, and the fast path need
// not load it.
__attribute__((noinline)) void* alloc_slow_caller(size_t size);
// A block aligned to `alignment` (power of two). Slow path only.
void* alloc_aligned(size_t size, size_t alignment, uintptr_t site);

// The malloc fast path. On a miss it tail-calls `slow(size)`, so a slow
// function that reads its own return address sees the caller of the entry
// point (malloc, operator new), and the fast path needs no frame.
template <class Slow>
__attribute__((always_inline)) inline void* alloc_or(size_t size, Slow slow) {
    Heap* heap = t_heap;
    if (__builtin_expect(size <= kTableMaxSize, 1)) {
        size_t index = direct_index(size);
        Page* page = heap->direct[index];
        Block* block = page->free;
        // Telemetry's byte countdown: one subtract and one branch. When it
        // turns negative this allocation is sampled (alloc_slow sees the
        // negative countdown). Only after the pop check, so g_empty_heap's
        // countdown is never written.
        if (__builtin_expect(block != nullptr, 1) &&
            __builtin_expect((heap->sample_countdown -= static_cast<int64_t>(size)) >= 0, 1)) {
            page->free = block->next;
            page->used++;
            heap->counters.direct_allocs[index].add(1);
            return block;
        }
    }
    return slow(size);
}

// malloc and friends: with an explicit site, or (kCallerSite) the caller's.
template <bool kCallerSite = false>
__attribute__((always_inline)) inline void* alloc(size_t size, uintptr_t site = 0) {
    if constexpr (kCallerSite) return alloc_or(size, alloc_slow_caller);
    return alloc_or(size, [site](size_t n) { return alloc_slow(n, site); });
}

__attribute__((always_inline)) inline void dealloc(void* p) {
    if (__builtin_expect(p == nullptr, 0)) return;
    if constexpr (kCheckedBuild) {
        if (!free_pointer_valid(p)) return;
    } else if (__builtin_expect((reinterpret_cast<uintptr_t>(p) & 15) != 0, 0)) {
        // A misaligned pointer is never a block: report it (generic path)
        // rather than link it into a free list. Interior pointers that are
        // 16-aligned are caught here only in the checked build.
        heap_free_generic(p);
        return;
    }
    Segment* seg = segment_of(p);
    Heap* heap = t_heap;
    if (__builtin_expect(seg->heap.load(std::memory_order_relaxed) == heap, 1)) {
        Page* page = page_of(seg, p);
        auto* block = static_cast<Block*>(p);
        uint32_t used = page->used;
        // Signed: the full bit makes it negative, so full pages go slow, as
        // do frees into a page with no live block and the immediate double free.
        if (__builtin_expect(static_cast<int32_t>(used) > 0 && block != page->local_free, 1)) {
            block->next = page->local_free;
            page->local_free = block;
            page->used = --used;
            unsigned cls = page->size_class;
            heap->counters.frees[cls].add(1);
            // The last block: the page is released unless it is the only page
            // of a small class (kept, so alloc/free of one block does not
            // churn; heap_purge releases its memory if it stays empty). An
            // in-use page with live blocks is always in its class queue here
            // (not full), so no neighbours means it is alone in the queue.
            if (__builtin_expect(used != 0, 1) ||
                (page->prev == nullptr && page->next == nullptr && page->block_size <= kMaxSmallPageBlock))
                return;
            heap_page_retire(heap, block);
            return;
        }
        heap_free_local_slow(heap, block);
        return;
    }
    heap_free_generic(p);
}

// Usable size of a block returned by hakmem (0 for nullptr).
size_t usable_size(const void* p);

}  // namespace hakmem

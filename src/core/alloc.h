// The fast paths of malloc and free: core's part, inlined into every entry
// point of the API (hak_* and the malloc override alike) through
// dispatch/dispatch.h, which binds them to the slow paths they fall into.
// Core knows nothing of those slow paths (sampling, large blocks, frees of
// other threads): a miss calls the function it was handed, as a tail call.
//
// malloc fast path: TLS heap -> class table -> queue head page -> pop.
// No initialization check (an uninitialized thread's heap is g_empty_heap,
// whose pages have no free block), no lock, no atomic read-modify-write.
//
// free fast path: segment map -> segment -> owned by this thread's heap? ->
// not marked free? -> push on the page's local_free. Everything else (null,
// pointers hakmem never mapped, remote frees, large blocks, the page's last
// block, a full page, a double free) goes to a slow path.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/block.h"
#include "core/invariants.h"
#include "core/segment_map.h"
#include "core/thread_heap.h"

namespace hakmem {

// The malloc fast path. On a miss it tail-calls `slow(size)`, so a slow
// function that reads its own return address sees the caller of the entry
// point (malloc, operator new), and the fast path needs no frame.
template <class Slow>
__attribute__((always_inline)) inline void* alloc_or(size_t size, Slow slow) {
    Heap* heap = t_heap;
    // The secure build serves size + its tail word, and sends malloc(0) to
    // the slow path (a no-access block); in the default build kTailBytes is 0.
    if (__builtin_expect(kSecure ? size - 1 < kTableMaxSize - kTailBytes : size <= kTableMaxSize, 1)) {
        size_t index = direct_index(size + kTailBytes);
        Page* page = heap->direct[index];
        Block* block = page->free;
#if defined(__x86_64__)
        // The block in rax, the return register: GCC otherwise pops it in
        // another register and copies it before the return (1 instruction).
        asm("" : "+a"(block));
#endif
        // The sampling byte countdown: one subtract and one branch. When it
        // turns negative this allocation is sampled (the slow path sees the
        // negative countdown). Only after the pop check, so g_empty_heap's
        // countdown is never written.
        if (__builtin_expect(block != nullptr, 1) &&
            __builtin_expect((heap->sample_countdown -= static_cast<int64_t>(size)) >= 0, 1)) {
            page->free = block_next(block, page);
            block_hand_out(block, page, size);
            page->used++;
            heap->counters.direct_allocs[index].add(1);
            return block;
        }
    }
    return slow(size);
}

// The owner's free of a block the fast path checked (page->used already
// counts it out): links it on the page's local_free and counts it. False
// when the secure build's checks reject the free (reported; the count is put
// back and the block stays as it was).
__attribute__((always_inline)) inline bool free_push(Heap* heap, Page* page, Block* block, const Segment* seg) {
    if constexpr (kSecure) {
        if (!secure::check_and_fill_free(block, page)) {
            page->used++;
            return false;
        }
    }
    block_set_free(block, page->local_free, page, seg);
    page->local_free = block;
    heap->counters.frees[page->size_class].add(1);
    return true;
}

// The free fast path. A pointer it does not serve goes to `generic(p)`
// (null, pointers whose chunk holds no segment) or, when a segment's header
// is known to be mapped there but the calling thread does not own it,
// `foreign(p, seg)` (remote, large, sampled, invalid), which need not test
// the segment map again.
template <class Generic, class Foreign>
__attribute__((always_inline)) inline void dealloc_or(void* p, Generic generic, Foreign foreign) {
    if constexpr (kCheckedBuild) {
        if (p == nullptr || !free_pointer_valid(p)) return;
    }
    // Null, misaligned pointers, and pointers whose 4 MiB chunk holds no
    // segment (globals, the stack, foreign mappings, large blocks aligned to
    // 4 MiB) go to the generic path, which reports what is not ours: the
    // header read below is then always of a live segment. Interior pointers
    // that are 16-aligned are caught here only in the checked build.
    if (__builtin_expect(!segment_map_may_own(p), 0)) {
        generic(p);
        return;
    }
    // No small or medium block starts at a segment's first byte (the header
    // is there), so masking p finds the same segment as segment_of's p - 1,
    // one instruction shorter.
    auto* seg = reinterpret_cast<Segment*>(reinterpret_cast<uintptr_t>(p) & ~kSegmentMask);
    Heap* heap = t_heap;
#if defined(__x86_64__)
    // seg in rsi, where the foreign tail call passes it: GCC otherwise keeps
    // it elsewhere and copies it before that jump (one instruction on every
    // remote free).
    asm("" : "+S"(seg));
#endif
    if (__builtin_expect(seg->heap.load(std::memory_order_relaxed) == heap, 1)) {
        Page* page = page_of(seg, p);
        // One register for the page: without this GCC addresses the page's
        // fields from the segment and the index and builds the page pointer
        // the decrement needs a second time (2 instructions).
        asm("" : "+r"(page));
        auto* block = static_cast<Block*>(p);
        // The decrement comes first: its flags are the page test, one
        // read-modify-write and a branch where a load, a test and a store
        // were (4 instructions per free). Signed, so the full bit and a page
        // with no live block fail it, and so does the page's last block (0),
        // which heap_free_owner_rare frees in turn; it puts the count back
        // for every other case.
        if (__builtin_expect(page_used_dec_positive(page), 1) &&
            __builtin_expect(!block_marked_free(block, page, seg), 1)) {
            free_push(heap, page, block, seg);
            return;
        }
        heap_free_owner_rare(heap, page, block);
        return;
    }
    foreign(p, seg);
}

// The usable size of a small or medium block free_pointer_valid accepted
// (the requested size in the secure build).
size_t small_usable_size(const void* p);
// The same, for a caller that already has the block's page.
inline size_t small_usable_size(const void* p, const Page* page) {
    if constexpr (kSecure) return secure::usable(static_cast<Block*>(const_cast<void*>(p)), page);
    return page->block_size;
}

}  // namespace hakmem

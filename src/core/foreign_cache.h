// The foreign cache: blocks of other threads' pages that this thread freed,
// kept to serve its own next allocations of their class instead of being
// pushed back to their owners at once.
//
// Why: when threads hand objects around (a server's sessions, a pipeline's
// messages), most frees are remote. Pushed to its owner, a block costs a CAS
// on a line the owner's collect then pulls back, and the owner's collect
// reads the block again (two cache misses per block). The freeing thread has
// just used the block: kept here, it is reused while still in this core's
// cache, as thread caches do in tcmalloc and jemalloc.
//
// Only classes served by the malloc fast table (<= 1 KiB) whose size is a
// multiple of 64: such a block spans whole cache lines of its own, so
// reusing it on this thread puts no other thread's block in a line it
// writes (the false-sharing rule of issue 11; smaller blocks go home).
// The secure build keeps none (its free slots are checked by their owner).
//
// Each class's cache is a Page in the heap used only as a free list: while
// it holds blocks, heap->direct[] points at it, so the malloc fast path pops
// from it unchanged. Its counts: `reserved` is its limit (0: keeps none),
// `used` the room left (the fast path's `used++` on a pop gives one back),
// `capacity` the blocks pushed since it was last emptied. When it runs dry
// the slow path points direct[] back at the class queue. A page names its
// class's cache in Page::foreign_slot, 0 for classes that keep none (the
// cache of class 0 has no room, ever, nor has any in g_empty_heap), so a
// free tests one counter to know whether to keep the block.
//
// A cached block still counts as live in its own page (page->used), so that
// page and its segment stay mapped until the block is reused or flushed:
// when the cache is full, on the heap's periodic tick (the purge check of
// the refill path), at thread exit, and by hak_collect / malloc_trim.
// Blocks of abandoned segments (their thread has exited) are never kept.
// A thread that frees a class but does not allocate it (the consumer of a
// pipeline) would only delay its pushes: a cache that fills with no block
// reused since it was last emptied stops keeping blocks until the next tick.
//
// Double frees: a cached block carries the free mark, so a second free by
// any non-owner is reported (foreign_cache_push's test, page_free_remote's
// for a block sent home), and a third word,
// kForeignTag ^ its address, lets the owner's slow path, which finds the
// block on none of its page's lists, tell a cached block from user data
// that happens to equal the mark.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/block.h"
#include "core/heap.h"
#include "core/remote_free.h"
#include "core/thread_heap.h"

namespace hakmem {

inline constexpr uintptr_t kForeignTag = 0x68616b6d656d4643;  // "hakmemFC"

// Blocks each class may keep (HAKMEM_FOREIGN_CACHE bytes per class; 0 in
// classes that keep none). Set at process start.
extern uint32_t g_foreign_limit[kForeignClasses];

// Empties the class's cache: every block goes to its owner's page.
void foreign_cache_flush(Heap* heap, unsigned cls);
// Every class, limits back to HAKMEM_FOREIGN_CACHE (thread exit, the heap's
// periodic tick, hak_collect).
void foreign_cache_flush_all(Heap* heap);
// The cache just got its first block: the fast path's table points at it.
void foreign_cache_activate(Heap* heap, unsigned cls);
// Reads HAKMEM_FOREIGN_CACHE into g_foreign_limit (process start).
void foreign_cache_init();

// Whether `block` (free-marked, on none of its page's lists) sits in a
// thread's foreign cache: the owner's test of a double free.
inline bool foreign_cache_holds(const Block* block, const Page* page) {
    if (!foreign_class_keeps(page->size_class)) return false;
    const auto* words = reinterpret_cast<const uintptr_t*>(block);
    return words[2] == (kForeignTag ^ reinterpret_cast<uintptr_t>(block));
}

// The cache `heap` keeps blocks of `page`'s class in (the class-0 cache, with
// no room, for classes that keep none).
__attribute__((always_inline)) inline Page* foreign_cache_of(Heap* heap, const Page* page) {
    return &heap->foreign[page->foreign_slot];
}

// Keeps `block` (of `page`, a live thread's heap's, validated) in `cache`,
// `heap`'s cache for its class, which has room. Counts the free.
__attribute__((always_inline)) inline void foreign_cache_push(Heap* heap, Page* cache, Page* page, Block* block) {
    if (__builtin_expect(block_marked_free(block, page), 0)) return report_remote_double_free(block);
    Block* head = cache->free;
    block_set_free(block, head, page);
    reinterpret_cast<uintptr_t*>(block)[2] = kForeignTag ^ reinterpret_cast<uintptr_t>(block);
    cache->free = block;
    cache->used--;
    cache->capacity++;
    heap->counters.frees[cache->size_class].add(1);
    if (head == nullptr) foreign_cache_activate(heap, cache->size_class);
}

// The same for a cache that is on but has no room: emptied first, or, if
// none of its blocks was reused, left off and the block freed home.
__attribute__((cold, noinline)) void foreign_cache_push_full(Heap* heap, Page* page, Block* block);

// Frees `block` (of `page`, validated, of another heap whose thread is
// alive: a remote free): kept in the calling thread's cache when its class
// keeps any and there is room, else pushed to its owner.
__attribute__((always_inline)) inline void foreign_cache_free(Page* page, Block* block) {
    Heap* heap = t_heap;
    Page* cache = foreign_cache_of(heap, page);
    if (__builtin_expect(cache->used != 0, 1)) return foreign_cache_push(heap, cache, page, block);
    if (cache->reserved != 0) return foreign_cache_push_full(heap, page, block);
    heap_free_remote(page, block);
}

}  // namespace hakmem

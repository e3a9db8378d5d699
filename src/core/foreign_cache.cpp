// The foreign cache's rare paths: flushing blocks home, switching the fast
// path's table to a cache, and the per-class limits (core/foreign_cache.h).
#include "core/foreign_cache.h"

#include "core/heap_lists.h"
#include "policy/options.h"

namespace hakmem {

uint32_t g_foreign_limit[kForeignClasses];

void foreign_cache_init() {
    const uint64_t bytes = static_cast<uint64_t>(option_get(Option::kForeignCache));
    for (unsigned cls = 0; cls < kForeignClasses; ++cls) {
        if (!foreign_class_keeps(cls)) continue;
        // At least two blocks when on at all: one to hand out, one coming in.
        uint64_t blocks = bytes / class_size(cls);
        g_foreign_limit[cls] = bytes == 0 ? 0 : static_cast<uint32_t>(blocks < 2 ? 2 : blocks);
    }
}

void foreign_cache_flush(Heap* heap, unsigned cls) {
    Page* cache = &heap->foreign[cls];
    Block* block = cache->free;
    cache->free = nullptr;
    cache->used = cache->reserved;
    cache->capacity = 0;
    if (heap->foreign_direct[cls]) queue_head_changed(heap, cls);
    while (block != nullptr) {
        Block* next = block->next;  // read before the push hands the block over
        // Still live in its page (page->used counts it), so the page and
        // its segment are mapped: validated when it was cached.
        page_push_remote(page_of(segment_of(block), block), block);
        block = next;
    }
}

void foreign_cache_push_full(Heap* heap, Page* page, Block* block) {
    Page* cache = foreign_cache_of(heap, page);
    // As many pushes as its room since it was emptied: no block was reused,
    // this thread frees the class but does not allocate it (a consumer).
    bool reused = cache->capacity != cache->reserved;
    if (!reused) {
        cache->reserved = 0;
        heap->foreign_dirty = 1;  // back on at the next tick
    }
    foreign_cache_flush(heap, cache->size_class);
    if (reused) return foreign_cache_push(heap, cache, page, block);
    heap_free_remote(page, block);
}

void foreign_cache_flush_all(Heap* heap) {
    if (!heap->foreign_dirty) return;
    heap->foreign_dirty = 0;
    for (unsigned cls = 0; cls < kForeignClasses; ++cls) {
        heap->foreign[cls].reserved = g_foreign_limit[cls];
        foreign_cache_flush(heap, cls);
    }
}

void foreign_cache_activate(Heap* heap, unsigned cls) {
    heap->foreign_dirty = 1;
    queue_head_changed(heap, cls);
}

}  // namespace hakmem

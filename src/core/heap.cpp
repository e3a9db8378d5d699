// The heap itself: the empty heap every thread starts with, a pooled heap's
// reset, and the counters a thread without a heap writes. The heap's work is
// split by job:
//   core/heap_lists.h      its class queues, full list, segment lists, purge list
//   core/heap_refill.cpp   malloc's slow path: pages into the heap and back
//   core/heap_free.cpp     free's slow paths and pointer validation
//   core/remote_free.cpp   frees by other threads
//   core/heap_purge.cpp    returning free pages' memory after the purge delay
//   core/heap_abandon.cpp  segments handed between exiting and living threads
#include "core/heap.h"

#include "core/foreign_cache.h"
#include "core/heap_lists.h"
#include "os/os_lock.h"

namespace hakmem {

constinit Heap g_empty_heap{&g_empty_page};
HeapCounters g_orphan_counters;

void heap_init(Heap* heap) {
    // Empty (flushed when the heap's last thread exited): a Page used only
    // as a free list, with its class for the fast path's counters.
    heap->foreign_dirty = 0;
    for (unsigned c = 0; c < kForeignClasses; ++c) {
        Page& cache = heap->foreign[c];
        cache.free = nullptr;
        cache.reserved = cache.used = g_foreign_limit[c];
        cache.capacity = 0;
        cache.size_class = static_cast<uint8_t>(c);
        cache.block_size = static_cast<uint32_t>(class_size(c));
    }
    for (unsigned c = 0; c < kNumClasses; ++c) {
        heap_class_queue(heap, c).clear();
        queue_head_changed(heap, c);
    }
    heap->full.clear();
    heap->segments[0].clear();
    heap->segments[1].clear();
    {
        // The heap is already in the registry: heap_decay_all (the purge
        // thread) may be reading its purge list.
        os::Guard<os::SpinLock> guard(heap->purge_lock);
        heap->purge.clear();
    }
    heap->purge_due_ms = 0;
    heap->remote_pending.store(0, std::memory_order_relaxed);
    heap->in_use = 1;
}

}  // namespace hakmem

// Segments between threads: a thread that exits abandons its segments (with
// their live blocks and still-resident free pages), and a thread that needs
// a page adopts one of the right kind before it maps a new segment
// (docs/ARCHITECTURE.md, "Thread heaps and thread exit").
#include "core/heap_internal.h"
#include "core/heap_lists.h"
#include "core/invariants.h"
#include "os/os_clock.h"
#include "os/os_lock.h"

namespace hakmem {

void heap_adopt_segment(Heap* heap, Segment* seg) {
    seg->heap.store(heap, std::memory_order_release);
    IntrusiveList<Segment>& segments = heap_segment_list(heap, seg->kind);
    segments.push_front(seg);
    heap->counters.segments_reclaimed.add(1);
    uint64_t now = os::now_ms();
    for (unsigned i = 0; i < seg->page_count; ++i) {
        Page* page = &seg->pages[i];
        if (!page->in_use) {
            os::Guard<os::SpinLock> guard(heap->purge_lock);
            page->purge_pending = 0;
            if (page->touched && !page->purged) purge_list_append(heap, page, now);
            continue;
        }
        page_collect(page);
        page->used &= ~kPageFullBit;
        page_remote_clear_full(page);
        if (page->live() == 0) {
            bool last = seg->used_pages == 1;
            page_free_to_segment(heap, page);
            if (last) return;  // the segment went back to the cache
            continue;
        }
        queue_push_front(heap, page);
        if (page->free == nullptr && page->capacity == page->reserved && !page_to_full(heap, page)) page_collect(page);
    }
    if (seg->used_pages == seg->page_count) {
        segments.remove(seg);
        segments.push_back(seg);
    }
}

void heap_abandon(Heap* heap) {
    if (heap->remote_pending.load(std::memory_order_acquire)) unfull_remote_pages(heap);
    // Release every page with no live block; clear the full state of the rest.
    Page* lists[kNumClasses + 1];
    for (unsigned c = 0; c < kNumClasses; ++c) lists[c] = heap->pages[c] == &g_empty_page ? nullptr : heap->pages[c];
    lists[kNumClasses] = heap->full.front();
    for (Page* head : lists) {
        for (Page* page = head; page != nullptr;) {
            Page* next = page->next;
            page_collect(page);
            page->used &= ~kPageFullBit;
            page_remote_clear_full(page);
            page->next = page->prev = nullptr;
            if (page->live() == 0) page_free_to_segment(heap, page);
            page = next;
        }
    }
    // Every page's links were cleared above: forget the lists whole.
    for (unsigned c = 0; c < kNumClasses; ++c) {
        heap_class_queue(heap, c).clear();
        queue_head_changed(heap, c);
    }
    heap->full.clear();
    {
        // Free pages keep their memory: a thread that adopts the segment
        // soon reuses it without faults; if none does, the abandoned-segment
        // sweep releases it after the purge delay (segments_decay).
        os::Guard<os::SpinLock> guard(heap->purge_lock);
        while (Page* page = heap->purge.front()) purge_list_remove(heap, page);
    }
    // The segments as the exiting thread leaves them (checked build): the
    // last moment their owner is known.
    check_heap(heap);
    for (IntrusiveList<Segment>& segments : heap->segments) {
        while (Segment* seg = segments.front()) {
            segments.remove(seg);
            segment_abandon(seg);
        }
    }
    // Not `in_use = 0` here: the heap goes back to the pool only under the
    // registry lock (thread_exit). Clearing it here too let another thread
    // take the heap in between, and the exiting thread's second clear then
    // pooled it again while that thread used it: two threads on one heap.
}

}  // namespace hakmem

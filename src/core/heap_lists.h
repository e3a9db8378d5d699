// The lists a heap keeps its pages and segments on, all IntrusiveLists
// (core/intrusive_list.h) threaded through Page::next/prev and
// Segment::next/prev:
//   class queues (heap->pages[cls], tails[cls]) - pages of a class with a
//       free block or room to carve; the head is what malloc pops from,
//       mirrored in heap->direct[]; g_empty_page when the queue is empty
//   the full list (heap->full)       - pages with no free block
//   segment lists (heap->segments[]) - owned segments by kind, those with a
//       free page first
//   the purge list (heap->purge)     - free pages waiting for the purge delay,
//       oldest first; under heap->purge_lock
// Owner only, except the purge list. Inline: these run on every refill and
// every page that fills or empties.
#pragma once
#include "core/heap.h"
#include "core/remote_free.h"

namespace hakmem {

// ---- class queues and the full list --------------------------------------

// A class queue: empty, its front is the never-written g_empty_page, which
// has no free block (core/intrusive_list.h, kEnd).
using PageQueue = IntrusiveListRef<Page, &Page::next, &Page::prev, &g_empty_page>;
inline PageQueue heap_class_queue(Heap* heap, unsigned cls) { return {heap->pages[cls], heap->tails[cls]}; }

// Every change of a class queue's head ends here: the fast path's table,
// which points at the class's foreign cache instead while that holds blocks
// (core/foreign_cache.h).
inline void queue_head_changed(Heap* heap, unsigned cls) {
    Page* head = heap->pages[cls];  // g_empty_page when empty
    if (cls < kForeignClasses) {
        bool foreign = heap->foreign[cls].free != nullptr;
        heap->foreign_direct[cls] = foreign;
        if (foreign) head = &heap->foreign[cls];
    }
    for (unsigned i = g_size_classes.direct_first[cls]; i < g_size_classes.direct_end[cls]; ++i) heap->direct[i] = head;
}

inline void queue_push_front(Heap* heap, Page* page) {
    unsigned cls = page->size_class;
    heap_class_queue(heap, cls).push_front(page);
    queue_head_changed(heap, cls);
}

// Pages that come back from the full list go to the back: they usually have
// only a block or two free, and at the front each would be used up by the
// next allocation and sent back to the full list (churn benchmark: an
// unfull/full round trip on almost every operation).
inline void queue_push_back(Heap* heap, Page* page) {
    unsigned cls = page->size_class;
    PageQueue queue = heap_class_queue(heap, cls);
    bool was_empty = queue.empty();
    queue.push_back(page);
    if (was_empty) queue_head_changed(heap, cls);
}

inline void queue_remove(Heap* heap, Page* page) {
    unsigned cls = page->size_class;
    bool was_head = page->prev == nullptr;
    heap_class_queue(heap, cls).remove(page);
    if (was_head) queue_head_changed(heap, cls);
}

inline void page_unfull(Heap* heap, Page* page) {
    heap->full.remove(page);
    page->used &= ~kPageFullBit;
    page_remote_clear_full(page);
    queue_push_back(heap, page);
}

// A page with no free block leaves its class queue so the slow path does
// not scan it again; remote frees to it then raise heap->remote_pending.
// Returns false, leaving the page in its queue, when remote frees are
// already waiting: one CAS on thread_free decides (core/remote_free.cpp).
inline bool page_to_full(Heap* heap, Page* page) {
    if (!page_remote_set_full(page)) return false;
    queue_remove(heap, page);
    page->used |= kPageFullBit;
    heap->full.push_front(page);
    return true;
}

// Pages on the full list that remote frees reached go back to their queues.
inline void unfull_remote_pages(Heap* heap) {
    heap->remote_pending.store(0, std::memory_order_relaxed);
    for (Page* page = heap->full.front(); page != nullptr;) {
        Page* next = page->next;
        if (page_has_remote_frees(page)) page_unfull(heap, page);
        page = next;
    }
}

// ---- segments of a heap ----------------------------------------------------

inline IntrusiveList<Segment>& heap_segment_list(Heap* heap, SegmentKind kind) {
    return heap->segments[kind == SegmentKind::kSmall ? 0 : 1];
}

// ---- the purge list: free pages whose memory is released after a delay ----
// Caller holds heap->purge_lock.

inline void purge_list_remove(Heap* heap, Page* page) {
    heap->purge.remove(page);
    page->purge_pending = 0;
}

inline void purge_list_append(Heap* heap, Page* page, uint64_t now) {
    page->retire_time = now;
    page->purge_pending = 1;
    heap->purge.push_back(page);
}

}  // namespace hakmem

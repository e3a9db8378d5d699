// The heap's refill: finding or making a page when a class queue runs dry,
// and the way back, a page with no live block returning to its segment.
//
// Code overview (allocation):
//   alloc fast path (core/alloc.h)  - pop heap->direct[i]->free
//   heap_alloc_small_slow           - pop the queue head, or heap_find_page:
//     heap_find_page                - unfull pages that got remote frees,
//                                     purge due pages (every 8th call), then
//     queue_find                    - collect frees into the queue's pages,
//                                     extend them, move full ones away, then
//     heap_new_page                 - a free page of an owned segment (a
//                                     resident one first), an
//                                     adopted abandoned segment, or a new one
#include <cerrno>

#include "core/block.h"
#include "core/foreign_cache.h"
#include "core/heap_counters.h"
#include "core/heap_internal.h"
#include "core/heap_lists.h"
#include "core/invariants.h"
#include "os/background.h"
#include "os/os_clock.h"
#include "os/os_lock.h"
#include "policy/strategy.h"

namespace hakmem {

namespace {

Page* segment_find_free_page(Segment* seg) {
    Page* fallback = nullptr;
    for (unsigned i = 0; i < seg->page_count; ++i) {
        Page* p = &seg->pages[i];
        if (p->in_use) continue;
        if (!p->purged && p->touched) return p;  // still resident: no page faults on reuse
        if (fallback == nullptr) fallback = p;
    }
    return fallback;
}

// The free page a new page takes: a still-resident one from any of the
// heap's segments of the kind that have a free page (they come first in the
// list, so the walk stops at the first full one), else the first segment's
// best. A page freed in another segment than the first would otherwise stay
// resident but unused until the purge delay, while a fresh page is touched
// (workingset: 1 MiB of peak RSS).
Page* segments_find_free_page(Segment* first) {
    Page* fallback = nullptr;
    for (Segment* seg = first; seg != nullptr && seg->used_pages < seg->page_count; seg = seg->next) {
        Page* page = segment_find_free_page(seg);
        if (!page->purged && page->touched) return page;
        if (fallback == nullptr) fallback = page;
    }
    return fallback;
}

// Walks the class queue: collects frees into the head page, extends it, or
// moves it to the full list, until a page has a free block (or none is left).
// Inlined into heap_find_page: a call here cost 16 instructions per refill
// (callgrind, pair loop at 1 KiB: 2 per malloc+free pair).
__attribute__((always_inline)) inline Page* queue_find(Heap* heap, unsigned cls) {
    for (;;) {
        Page* page = heap->pages[cls];
        if (page == &g_empty_page) return nullptr;
        if (page->free != nullptr || page_collect(page)) return page;
        if (page->capacity < page->reserved) {
            page_extend(page, heap->carve_one);
            return page;
        }
        page_to_full(heap, page);  // or, if remote frees came meanwhile, collect them next round
    }
}

Page* heap_new_page(Heap* heap, unsigned cls) {
    SegmentKind kind = class_size(cls) <= kMaxSmallPageBlock ? SegmentKind::kSmall : SegmentKind::kMedium;
    IntrusiveList<Segment>& segments = heap_segment_list(heap, kind);
    Segment* seg = segments.front();
    if (seg == nullptr || seg->used_pages == seg->page_count) {
        if (Segment* adopted = segment_take_abandoned(kind)) {
            heap_adopt_segment(heap, adopted);
            if (Page* page = queue_find(heap, cls)) return page;
            seg = segments.front();
        }
    }
    if (seg == nullptr || seg->used_pages == seg->page_count) {
        seg = segment_alloc(heap, kind);
        if (seg == nullptr) return nullptr;
        segments.push_front(seg);
        counters_sample_peak();
    }
    Page* page;
    {
        // Under the lock: heap_decay_all may be releasing this segment's free pages.
        os::Guard<os::SpinLock> guard(heap->purge_lock);
        page = segments_find_free_page(seg);
        if (page->purge_pending) purge_list_remove(heap, page);
    }
    seg = segment_of(page);
    size_t size = 0;
    uint8_t* area = page_area(seg, page, &size);
    page_init(page, cls, area, size);
    if (++seg->used_pages == seg->page_count) {
        segments.remove(seg);
        segments.push_back(seg);
    }
    page_extend(page, heap->carve_one);
    queue_push_front(heap, page);
    return page;
}

// Finds a page of class `cls` with a free block, or makes one.
__attribute__((noinline)) Page* heap_find_page(Heap* heap, unsigned cls) {
    if (heap->remote_pending.load(std::memory_order_acquire)) unfull_remote_pages(heap);
    // The clock is read every 8th call: a refill comes every few KiB of
    // allocation, so this still looks several times per purge delay while
    // allocating, and the vDSO call stays off most refills (callgrind: the
    // clock was half of a refill's instructions).
    if ((++heap->slow_calls & 7) == 0) {
        uint64_t now = os::now_ms();
        if (now >= heap->purge_due_ms) {
            foreign_cache_flush_all(heap);  // no block pins its page longer than a tick
            heap_purge(heap, false);
            segments_decay(false);
            uint64_t delay = strategy_snapshot().purge_delay_ms;
            heap->purge_due_ms = now + (delay / 4 > 1 ? delay / 4 : 1);
        }
    }
    check_heap(heap);
    if (Page* page = queue_find(heap, cls)) return page;
    return heap_new_page(heap, cls);
}

}  // namespace

void page_free_to_segment(Heap* heap, Page* page) {
    Segment* seg = segment_of(page);
    page_wait_notifier(page);
    page->in_use = 0;
    page->free = page->local_free = nullptr;
    page->used = 0;
    IntrusiveList<Segment>& segments = heap_segment_list(heap, seg->kind);
    bool was_full = seg->used_pages == seg->page_count;
    if (--seg->used_pages == 0) {
        {
            os::Guard<os::SpinLock> guard(heap->purge_lock);
            for (unsigned i = 0; i < seg->page_count; ++i)
                if (seg->pages[i].purge_pending) purge_list_remove(heap, &seg->pages[i]);
        }
        segments.remove(seg);
        segment_free(seg);
        return;
    }
    if (page->touched) {
        os::Guard<os::SpinLock> guard(heap->purge_lock);
        purge_list_append(heap, page, os::now_ms());
        // The purge thread releases it if this thread makes no more calls.
        os::background_request(page->retire_time, strategy_snapshot().purge_delay_ms, page->touched);
    }
    if (was_full || seg->prev != nullptr) {
        segments.remove(seg);
        segments.push_front(seg);
    }
}

void* heap_alloc_small_slow(Heap* heap, size_t size, unsigned cls) {
    // The class's foreign cache ran dry under the fast path: its table
    // entries go back to the class queue.
    if (heap->foreign_direct[cls] && heap->foreign[cls].free == nullptr) queue_head_changed(heap, cls);
    Page* page = heap->pages[cls];  // g_empty_page (no free block) when empty
    Block* block = page->free;
    if (block == nullptr) {
        page = heap_find_page(heap, cls);
        if (page == nullptr) {
            errno = ENOMEM;
            return nullptr;
        }
        block = page->free;
    }
    page->free = block_next(block, page);
    block_hand_out(block, page, size);
    page->used++;
    heap->counters.allocs[cls].add(1);
    return block;
}

}  // namespace hakmem

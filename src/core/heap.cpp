// The heap's slow paths: finding or making a page when a class queue runs
// dry, moving pages between the class queues, the full list and the
// segments, releasing free pages after the purge delay, and handing
// segments between threads when one exits.
//
// Code overview (allocation):
//   alloc fast path (core/alloc.h) - pop heap->pages[cls]->free
//   heap_alloc_small_slow          - pop, or heap_find_page:
//     heap_find_page               - collect frees into the queue's pages,
//                                    extend them, retire full ones, then
//     heap_new_page                - a free page of an owned segment, an
//                                    adopted abandoned segment, or a new one
#include "core/heap.h"

#include <cerrno>

#include "core/block.h"
#include "core/corruption.h"
#include "core/heap_counters.h"
#include "core/invariants.h"
#include "core/remote_free.h"
#include "core/segment_map.h"
#include "core/thread_heap.h"
#include "os/background.h"
#include "os/os_clock.h"
#include "os/os_memory.h"
#include "os/os_print.h"
#include "policy/strategy.h"

namespace hakmem {

constinit Heap g_empty_heap{&g_empty_page};
HeapCounters g_orphan_counters;

HeapCounters& counters_for(Heap* heap, bool* shared) {
    *shared = heap == &g_empty_heap;
    return *shared ? g_orphan_counters : heap->counters;
}

namespace {

// ---- class queues and the full list (doubly linked, owner-only) ----------

void queue_push_front(Heap* heap, Page* page) {
    unsigned cls = page->size_class;
    Page* head = heap->pages[cls];
    page->prev = nullptr;
    page->next = head == &g_empty_page ? nullptr : head;
    if (page->next) page->next->prev = page;
    else heap->tails[cls] = page;
    set_queue_head(heap, cls, page);
}

// Pages that come back from the full list go to the back: they usually have
// only a block or two free, and at the front each would be used up by the
// next allocation and sent back to the full list (churn benchmark: an
// unfull/full round trip on almost every operation).
void queue_push_back(Heap* heap, Page* page) {
    unsigned cls = page->size_class;
    if (heap->pages[cls] == &g_empty_page) {
        queue_push_front(heap, page);
        return;
    }
    Page* tail = heap->tails[cls];
    page->next = nullptr;
    page->prev = tail;
    tail->next = page;
    heap->tails[cls] = page;
}

void queue_remove(Heap* heap, Page* page) {
    unsigned cls = page->size_class;
    if (page->prev) page->prev->next = page->next;
    else set_queue_head(heap, cls, page->next ? page->next : &g_empty_page);
    if (page->next) page->next->prev = page->prev;
    else heap->tails[cls] = page->prev;
    page->next = page->prev = nullptr;
}

void list_push(Page** head, Page* page) {
    page->prev = nullptr;
    page->next = *head;
    if (*head) (*head)->prev = page;
    *head = page;
}

void list_remove(Page** head, Page* page) {
    if (page->prev) page->prev->next = page->next; else *head = page->next;
    if (page->next) page->next->prev = page->prev;
    page->next = page->prev = nullptr;
}

void page_unfull(Heap* heap, Page* page) {
    list_remove(&heap->full_head, page);
    page->used &= ~kPageFullBit;
    page_remote_clear_full(page);
    queue_push_back(heap, page);
}

// A page with no free block leaves its class queue so the slow path does
// not scan it again; remote frees to it then raise heap->remote_pending.
// Returns false, leaving the page in its queue, when remote frees are
// already waiting: one CAS on thread_free decides (core/remote_free.cpp).
bool page_to_full(Heap* heap, Page* page) {
    if (!page_remote_set_full(page)) return false;
    queue_remove(heap, page);
    page->used |= kPageFullBit;
    list_push(&heap->full_head, page);
    return true;
}

void unfull_remote_pages(Heap* heap) {
    heap->remote_pending.store(0, std::memory_order_relaxed);
    for (Page* page = heap->full_head; page != nullptr;) {
        Page* next = page->next;
        if (page_has_remote_frees(page)) page_unfull(heap, page);
        page = next;
    }
}

// ---- segments of a heap ----------------------------------------------------

int kind_index(SegmentKind kind) { return kind == SegmentKind::kSmall ? 0 : 1; }

void seg_list_remove(Heap* heap, Segment* seg) {
    Segment** head = &heap->segments[kind_index(seg->kind)];
    if (seg->prev) seg->prev->next = seg->next; else *head = seg->next;
    if (seg->next) seg->next->prev = seg->prev;
    seg->next = seg->prev = nullptr;
}

void seg_list_push_front(Heap* heap, Segment* seg) {
    Segment** head = &heap->segments[kind_index(seg->kind)];
    seg->prev = nullptr;
    seg->next = *head;
    if (*head) (*head)->prev = seg;
    *head = seg;
}

// Segments with a free page stay in front, so heap_new_page looks at one.
void seg_list_push_back(Heap* heap, Segment* seg) {
    Segment** head = &heap->segments[kind_index(seg->kind)];
    seg->next = nullptr;
    if (*head == nullptr) { seg->prev = nullptr; *head = seg; return; }
    Segment* t = *head;
    while (t->next) t = t->next;
    t->next = seg;
    seg->prev = t;
}

// ---- the purge list: free pages whose memory is released after a delay ----

void purge_list_remove(Heap* heap, Page* page) {
    if (page->prev) page->prev->next = page->next; else heap->purge_head = page->next;
    if (page->next) page->next->prev = page->prev; else heap->purge_tail = page->prev;
    page->next = page->prev = nullptr;
    page->purge_pending = 0;
}

void purge_list_append(Heap* heap, Page* page, uint64_t now) {
    page->retire_time = now;
    page->purge_pending = 1;
    page->next = nullptr;
    page->prev = heap->purge_tail;
    if (heap->purge_tail) heap->purge_tail->next = page; else heap->purge_head = page;
    heap->purge_tail = page;
}

// The page has no live block: give it back to its segment, and the segment
// back to the cache when it was the last page in use.
void page_free_to_segment(Heap* heap, Page* page) {
    Segment* seg = segment_of(page);
    page_wait_notifier(page);
    page->in_use = 0;
    page->free = page->local_free = nullptr;
    page->used = 0;
    bool was_full = seg->used_pages == seg->page_count;
    if (--seg->used_pages == 0) {
        {
            os::Guard<os::SpinLock> guard(heap->purge_lock);
            for (unsigned i = 0; i < seg->page_count; ++i)
                if (seg->pages[i].purge_pending) purge_list_remove(heap, &seg->pages[i]);
        }
        seg_list_remove(heap, seg);
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
        seg_list_remove(heap, seg);
        seg_list_push_front(heap, seg);
    }
}

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

void adopt_segment(Heap* heap, Segment* seg);
Page* queue_find(Heap* heap, unsigned cls);
void retire(Heap* heap, Page* page);

Page* heap_new_page(Heap* heap, unsigned cls) {
    SegmentKind kind = class_size(cls) <= kMaxSmallPageBlock ? SegmentKind::kSmall : SegmentKind::kMedium;
    Segment* seg = heap->segments[kind_index(kind)];
    if (seg == nullptr || seg->used_pages == seg->page_count) {
        if (Segment* adopted = segment_take_abandoned(kind)) {
            adopt_segment(heap, adopted);
            if (Page* page = queue_find(heap, cls)) return page;
            seg = heap->segments[kind_index(kind)];
        }
    }
    if (seg == nullptr || seg->used_pages == seg->page_count) {
        seg = segment_alloc(heap, kind);
        if (seg == nullptr) return nullptr;
        seg_list_push_front(heap, seg);
        counters_sample_peak();
    }
    Page* page;
    {
        // Under the lock: heap_decay may be releasing this segment's free pages.
        os::Guard<os::SpinLock> guard(heap->purge_lock);
        page = segment_find_free_page(seg);
        if (page->purge_pending) purge_list_remove(heap, page);
    }
    size_t size = 0;
    uint8_t* area = page_area(seg, page, &size);
    page_init(page, cls, area, size);
    if (++seg->used_pages == seg->page_count) {
        seg_list_remove(heap, seg);
        seg_list_push_back(heap, seg);
    }
    page_extend(page);
    queue_push_front(heap, page);
    return page;
}

// Takes over a segment an exited thread left with live blocks.
void adopt_segment(Heap* heap, Segment* seg) {
    seg->heap.store(heap, std::memory_order_release);
    seg_list_push_front(heap, seg);
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
        seg_list_remove(heap, seg);
        seg_list_push_back(heap, seg);
    }
}

// Walks the class queue: collects frees into the head page, extends it, or
// moves it to the full list, until a page has a free block (or none is left).
Page* queue_find(Heap* heap, unsigned cls) {
    for (;;) {
        Page* page = heap->pages[cls];
        if (page == &g_empty_page) return nullptr;
        if (page->free != nullptr || page_collect(page)) return page;
        if (page->capacity < page->reserved) {
            page_extend(page);
            return page;
        }
        page_to_full(heap, page);  // or, if remote frees came meanwhile, collect them next round
    }
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

void heap_init(Heap* heap) {
    for (unsigned c = 0; c < kNumClasses; ++c) set_queue_head(heap, c, &g_empty_page);
    heap->full_head = nullptr;
    heap->segments[0] = heap->segments[1] = nullptr;
    {
        // The heap is already in the registry: heap_decay_all (the purge
        // thread) may be reading its purge list.
        os::Guard<os::SpinLock> guard(heap->purge_lock);
        heap->purge_head = heap->purge_tail = nullptr;
    }
    heap->purge_due_ms = 0;
    heap->remote_pending.store(0, std::memory_order_relaxed);
    heap->in_use = 1;
}

void* heap_alloc_small_slow(Heap* heap, size_t size, unsigned cls) {
    Page* page = heap->pages[cls];
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

namespace {
bool list_holds(const Page* page, const Block* list, const Block* block) {
    for (uint32_t n = 0; list != nullptr && n <= page->capacity; list = block_next(list, page), ++n)
        if (list == block) return true;
    return false;
}

// The owner confirms a free mark against the page's three lists (it may
// walk thread_free: only it ever unlinks blocks from there), so user data
// that happens to equal the mark is never reported.
bool page_holds_free_block(const Page* page, const Block* block) {
    return list_holds(page, page->free, block) || list_holds(page, page->local_free, block) ||
           list_holds(page, remote_list(page->thread_free.load(std::memory_order_acquire)), block);
}
}  // namespace

void heap_free_local_slow(Heap* heap, Block* block) {
    Page* page = page_of(segment_of(block), block);
    if (block_marked_free(block, page) && page_holds_free_block(page, block)) {
        heap_corruption(block, "double free");
        return;
    }
    if (page->live() == 0) {  // nothing live in the page: not a block we handed out
        heap_corruption(block, "double free or invalid pointer (its page has no live block)");
        return;
    }
    if constexpr (kSecure) {
        if (!secure::check_and_fill_free(block, page)) return;
    }
    block_set_free(block, page->local_free, page);
    page->local_free = block;
    page->used--;
    heap->counters.frees[page->size_class].add(1);
    if (page->in_full()) page_unfull(heap, page);
    if (page->live() == 0 && !(page->prev == nullptr && page->next == nullptr && page->block_size <= kMaxSmallPageBlock))
        retire(heap, page);
}

void heap_page_retire(Heap* heap, Block* block) {
    retire(heap, page_of(segment_of(block), block));
    os::background_poll();  // the end of a free: a safe point to start the purge thread
}

namespace {
void retire(Heap* heap, Page* page) {
    queue_remove(heap, page);
    page_free_to_segment(heap, page);
}
}  // namespace

bool free_pointer_valid(void* p) {
    Segment* seg = segment_of(p);
    if ((reinterpret_cast<uintptr_t>(p) & 15) != 0 || !segment_map_contains(seg) ||
        seg->cookie != segment_cookie(seg)) {
        heap_corruption(p, "invalid pointer (not allocated by hakmem)");
        return false;
    }
    if (seg->kind == SegmentKind::kLarge) return true;  // large_free checks the block start
    Page* page = page_of(seg, p);
    auto* u = static_cast<uint8_t*>(p);
    // Only fields fixed when the page was set up are read here (capacity
    // changes under the owner while we run; reading it would race).
    if (!page->in_use || u < page->start || u >= page->start + size_t{page->reserved} * page->block_size ||
        (u - page->start) % page->block_size != 0) {
        heap_corruption(p, "invalid pointer (not a block start)");
        return false;
    }
    return true;
}

void heap_free_remote(Block* block) {
    Page* page = page_of(segment_of(block), block);
    bool shared = false;
    HeapCounters& c = counters_for(t_heap, &shared);
    if (shared) c.frees[page->size_class].add_shared(1); else c.frees[page->size_class].add(1);
    page_free_remote(page, block);  // the last touch of page and segment
}

namespace {
// Releases the due pages of one heap's purge list. Caller holds purge_lock.
size_t purge_due_pages(Heap* heap, uint64_t now, const StrategyValues& st, bool force) {
    size_t released = 0;
    while (heap->purge_head != nullptr && (force || now - heap->purge_head->retire_time >= st.purge_delay_ms)) {
        Page* page = heap->purge_head;
        purge_list_remove(heap, page);
        released += page->touched;
        page_release_memory(segment_of(page), page, st.purge());
    }
    return released;
}

// The empty page each small class keeps (see dealloc) gives its memory back
// once it has been seen empty for a purge delay: its blocks are forgotten
// and carved again on next use.
void purge_kept_pages(Heap* heap, uint64_t now, const StrategyValues& st, bool force) {
    for (unsigned cls = 0; cls < kNumClasses; ++cls) {
        Page* page = heap->pages[cls];
        if (page == &g_empty_page || page->live() != 0 || page->next != nullptr || page->touched == 0) {
            if (page != &g_empty_page) page->retire_time = 0;
            continue;
        }
        if (page->retire_time == 0 && !force) {
            page->retire_time = now;
            continue;
        }
        if (!force && now - page->retire_time < st.purge_delay_ms) continue;
        page->free = page->local_free = nullptr;
        page->capacity = 0;
        page->retire_time = 0;
        page_release_memory(segment_of(page), page, st.purge());
    }
}
}  // namespace

void heap_purge(Heap* heap, bool force) {
    uint64_t now = os::now_ms();
    const StrategyValues st = strategy_snapshot();
    {
        os::Guard<os::SpinLock> guard(heap->purge_lock);
        purge_due_pages(heap, now, st, force);
    }
    purge_kept_pages(heap, now, st, force);
}

size_t heap_decay_all(bool force) {
    uint64_t now = os::now_ms();
    const StrategyValues st = strategy_snapshot();
    size_t released = 0;
    for (Heap* heap = heap_registry_head(); heap != nullptr; heap = heap->registry_next) {
        // try_lock: the owner holds it only briefly; this heap's turn comes again.
        if (!heap->purge_lock.try_lock()) continue;
        released += purge_due_pages(heap, now, st, force);
        heap->purge_lock.unlock();
    }
    return released;
}

void heap_abandon(Heap* heap) {
    if (heap->remote_pending.load(std::memory_order_acquire)) unfull_remote_pages(heap);
    // Release every page with no live block; clear the full state of the rest.
    Page* lists[kNumClasses + 1];
    for (unsigned c = 0; c < kNumClasses; ++c) lists[c] = heap->pages[c] == &g_empty_page ? nullptr : heap->pages[c];
    lists[kNumClasses] = heap->full_head;
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
    for (unsigned c = 0; c < kNumClasses; ++c) set_queue_head(heap, c, &g_empty_page);
    heap->full_head = nullptr;
    {
        // Free pages keep their memory: a thread that adopts the segment
        // soon reuses it without faults; if none does, the abandoned-segment
        // sweep releases it after the purge delay (segments_decay).
        os::Guard<os::SpinLock> guard(heap->purge_lock);
        while (heap->purge_head != nullptr) purge_list_remove(heap, heap->purge_head);
    }
    // The segments as the exiting thread leaves them (checked build): the
    // last moment their owner is known.
    check_heap(heap);
    for (Segment*& head : heap->segments) {
        while (head != nullptr) {
            Segment* seg = head;
            head = seg->next;
            seg->next = seg->prev = nullptr;
            segment_abandon(seg);
        }
    }
    // Not `in_use = 0` here: the heap goes back to the pool only under the
    // registry lock (thread_exit). Clearing it here too let another thread
    // take the heap in between, and the exiting thread's second clear then
    // pooled it again while that thread used it: two threads on one heap.
}

}  // namespace hakmem

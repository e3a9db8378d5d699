// Returning a heap's free memory after the purge delay: the pages on its
// purge list (any thread, under purge_lock: the purge thread's
// heap_decay_all), and the empty page each small class keeps (owner only).
#include "core/heap_lists.h"
#include "core/thread_heap.h"
#include "os/os_clock.h"
#include "os/os_lock.h"
#include "policy/strategy.h"

namespace hakmem {

namespace {
// Releases the due pages of one heap's purge list. Caller holds purge_lock.
size_t purge_due_pages(Heap* heap, uint64_t now, const StrategyValues& st, bool force) {
    size_t released = 0;
    while (Page* page = heap->purge.front()) {
        if (!force && now - page->retire_time < st.purge_delay_ms) break;  // oldest first: the rest are younger
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

}  // namespace hakmem

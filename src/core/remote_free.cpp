// Frees by a thread that does not own the page, and the owner's side of
// the handshake that lets such a free wake it when the page is full.
//
// The whole protocol lives in Page::thread_free, one word: the list of
// remotely freed blocks in the high bits, kRemoteFull and kRemoteNotifying
// in the low ones (core/page.h). One CAS both pushes the block and reads
// whether the page is full, so the freeing thread decides everything before
// its block becomes visible. A plain push is then final: the thread never
// touches the page again, because the owner (or the abandoned-segment
// sweep) may collect the block, free the page and unmap the segment the
// next instant. Only the one push that finds kRemoteFull goes on: it swaps
// the flag for kRemoteNotifying, which keeps the page from being released
// (page_wait_notifier) while it reads the owner and raises remote_pending.
#include "core/remote_free.h"

#include "core/block.h"
#include "core/corruption.h"
#include "core/heap.h"
#include "os/os_lock.h"

namespace hakmem {

#if HAKMEM_CHECKED
void (*g_after_remote_push)(const Page*) = nullptr;
#endif

void page_remote_notify_owner(Page* page) {
    // kRemoteFull was set by the owner that now holds the segment (or one
    // that abandoned it since, whose pooled heap a store cannot hurt).
    if (Heap* owner = segment_of(page)->heap.load(std::memory_order_acquire))
        owner->remote_pending.store(1, std::memory_order_release);
    page->thread_free.fetch_and(~kRemoteNotifying, std::memory_order_release);
}

void report_remote_double_free(Block* block) { heap_corruption(block, "double free (from another thread)"); }

bool page_remote_set_full(Page* page) {
    for (unsigned spins = 0;; ++spins) {
        uintptr_t expected = 0;
        if (page->thread_free.compare_exchange_strong(expected, kRemoteFull, std::memory_order_acq_rel,
                                                      std::memory_order_acquire))
            return true;
        if (remote_list(expected) != nullptr) return false;  // frees are waiting: collect them
        // Only a notifier's bit is left (its block was already collected).
        os::spin_pause(spins);
    }
}

void page_remote_clear_full(Page* page) { page->thread_free.fetch_and(~kRemoteFull, std::memory_order_acq_rel); }

void page_wait_notifier(Page* page) {
    for (unsigned spins = 0; page->thread_free.load(std::memory_order_acquire) & kRemoteNotifying; ++spins)
        os::spin_pause(spins);
}

}  // namespace hakmem

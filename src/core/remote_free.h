// Frees from threads that do not own the page, and the owner's side of the
// full-page handshake (the protocol is described in remote_free.cpp).
#pragma once
#include "core/block.h"
#include "core/heap.h"
#include "core/page.h"
#include "core/thread_heap.h"

namespace hakmem {

#if HAKMEM_CHECKED
// Called right after a remote free published its block on a page that was
// not full (checked builds; tests only).
extern void (*g_after_remote_push)(const Page*);
#endif

// The rare parts of page_free_remote, out of line: the push that found
// kRemoteFull wakes the owner, then clears kRemoteNotifying; the report of
// a block that still carries the free mark.
__attribute__((cold, noinline)) void page_remote_notify_owner(Page* page);
__attribute__((cold, noinline)) void report_remote_double_free(Block* block);

// Publishes a free block on its page's thread_free list (marking it free),
// waking the owner if the page is on its full list. After it returns the
// caller must not touch the page or its segment. Inline: it is most of a
// remote free, and a call cost more than its push.
__attribute__((always_inline)) inline void page_push_remote(Page* page, Block* block) {
    uintptr_t word = page->thread_free.load(std::memory_order_relaxed);
    uintptr_t desired;
    do {
        block_set_free(block, remote_list(word), page);
        uintptr_t flags = (word & kRemoteFull) ? kRemoteNotifying : (word & kRemoteFlags);
        desired = reinterpret_cast<uintptr_t>(block) | flags;
    } while (!page->thread_free.compare_exchange_weak(word, desired, std::memory_order_acq_rel,
                                                     std::memory_order_relaxed));
#if HAKMEM_CHECKED
    // Tests make the segment inaccessible here, proving the rest of the
    // path leaves it alone unless it holds kRemoteNotifying.
    if (g_after_remote_push != nullptr && (word & kRemoteFull) == 0) g_after_remote_push(page);
#endif
    if (__builtin_expect((word & kRemoteFull) == 0, 1)) return;  // published: hands off the page
    page_remote_notify_owner(page);
}

// A block freed by a thread that does not own the page: reports a double
// free (the block still carries the free mark) instead of pushing it.
__attribute__((always_inline)) inline void page_free_remote(Page* page, Block* block) {
    if (__builtin_expect(block_marked_free(block, page), 0)) return report_remote_double_free(block);
    if constexpr (kSecure) {
        if (!secure::check_and_fill_free(block, page)) return;
    }
    page_push_remote(page, block);
}
// Owner: the page has no free block. Publishes kRemoteFull and returns true,
// or returns false when remote frees are already waiting (collect them).
bool page_remote_set_full(Page* page);
// Owner: the page left the full list; remote frees stop waking the owner.
void page_remote_clear_full(Page* page);
// Before a page with no live block is released or reinitialised: waits out
// a remote thread still waking the owner (a few instructions).
void page_wait_notifier(Page* page);

// Frees a small or medium block of `page`, already validated
// (free_pointer_valid or small_block_page), of a heap other than the
// calling thread's: a remote free, counted in the caller's counters. After
// it the caller must not touch the block's page.
__attribute__((always_inline)) inline void heap_free_remote(Page* page, Block* block) {
    bool shared = false;
    HeapCounters& c = counters_for(t_heap, &shared);
    if (shared) c.frees[page->remote_class].add_shared(1); else c.frees[page->remote_class].add(1);
    page_free_remote(page, block);  // the last touch of page and segment
}

}  // namespace hakmem

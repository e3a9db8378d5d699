#include "core/invariants.h"

#if HAKMEM_CHECKED
#include <cstdlib>

#include "core/block.h"
#include "os/os_print.h"

namespace hakmem {
namespace {

[[noreturn]] void fail(const char* what, const void* where) {
    os::print_line("invariant broken: %s (%p)", what, where);
    abort();
}

// Counts a list, checking every block lies on a block boundary of the
// carved part of the page. Bounded by capacity so a cycle is caught.
uint32_t count_list(const Page* page, const Block* b) {
    uint32_t n = 0;
    const uint8_t* end = page->start + size_t{page->capacity} * page->block_size;
    for (; b != nullptr; b = block_next(b, page)) {
        auto* u = reinterpret_cast<const uint8_t*>(b);
        if (u < page->start || u >= end || (u - page->start) % page->block_size != 0)
            fail("free-list block outside its page", b);
        if (!block_marked_free(b, page)) fail("free-list block without the free mark", b);
        if (++n > page->capacity) fail("free list longer than the page (cycle?)", page);
    }
    return n;
}

}  // namespace

void check_page(const Page* page) {
    if (!page->in_use) fail("page in a list but not in use", page);
    if (page->capacity > page->reserved) fail("capacity above reserved", page);
    uint32_t free_blocks = count_list(page, page->free) + count_list(page, page->local_free);
    // Remote frees not yet collected still count as live, so live + the
    // owner's free lists never exceed what was carved.
    if (page->live() + free_blocks > page->capacity) fail("live + free blocks exceed capacity", page);
    // A notifier may have swapped kRemoteFull for kRemoteNotifying, so only
    // this direction holds at every instant.
    if (!page->in_full() && (page->thread_free.load(std::memory_order_relaxed) & kRemoteFull))
        fail("remote full flag set on a page outside the full list", page);
}

void check_heap(const Heap* heap) {
    for (unsigned cls = 0; cls < kNumClasses; ++cls) {
        const Page* prev = nullptr;
        for (const Page* p = heap->pages[cls]; p != &g_empty_page && p != nullptr; p = p->next) {
            if (p->prev != prev) fail("class queue links broken", p);
            if (p->size_class != cls) fail("page in the queue of another class", p);
            if (p->in_full()) fail("full page in a class queue", p);
            check_page(p);
            prev = p;
        }
        if (prev != nullptr && heap->tails[cls] != prev) fail("class queue tail is not its last page", heap);
        for (unsigned i = g_size_classes.direct_first[cls]; i < g_size_classes.direct_end[cls]; ++i)
            if (heap->direct[i] != heap->pages[cls]) fail("direct entry differs from its class queue head", heap);
    }
    for (const Page* p = heap->full_head; p != nullptr; p = p->next) {
        if (!p->in_full()) fail("page on the full list without the full bit", p);
        check_page(p);
    }
}

}  // namespace hakmem
#endif

#include "core/invariants.h"

#if HAKMEM_CHECKED
#include <cstdlib>

#include "core/block.h"
#include "core/segment.h"
#include "os/os_print.h"

namespace hakmem {

void assert_fail(const char* file, int line, const char* cond, const char* what) {
    os::print_line("assertion failed at %s:%d: %s (%s)", file, line, cond, what);
    abort();
}

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
        if (heap->tails[cls] != prev) fail("class queue tail is not its last page", heap);
        for (unsigned i = g_size_classes.direct_first[cls]; i < g_size_classes.direct_end[cls]; ++i)
            if (heap->direct[i] != heap->pages[cls] && !(cls < kForeignClasses && heap->direct[i] == &heap->foreign[cls]))
                fail("direct entry is neither its class queue head nor its foreign cache", heap);
    }
    for (const Page* p = heap->full.front(); p != nullptr; p = p->next) {
        if (!p->in_full()) fail("page on the full list without the full bit", p);
        check_page(p);
    }
    for (unsigned k = 0; k < 2; ++k) {
        const Segment* prev = nullptr;
        for (const Segment* seg = heap->segments[k].front(); seg != nullptr; seg = seg->next) {
            HAK_ASSERT(1, seg->prev == prev, "heap segment list links");
            HAK_ASSERT(1, seg->kind == (k == 0 ? SegmentKind::kSmall : SegmentKind::kMedium),
                       "segment on the list of its kind");
            check_segment(seg, heap);
            prev = seg;
        }
    }
}

void check_segment(const Segment* seg, const Heap* owner) {
    HAK_ASSERT(1, seg->cookie == segment_cookie(seg), "segment cookie");
    if (owner != nullptr)
        HAK_ASSERT(1, seg->heap.load(std::memory_order_relaxed) == owner, "segment owned by the heap checking it");
    if (seg->kind == SegmentKind::kLarge) return;
    const bool small = seg->kind == SegmentKind::kSmall;
    HAK_ASSERT(1, seg->page_shift == (small ? kSmallPageShift : kMediumPageShift), "page size of the segment's kind");
    HAK_ASSERT(1, seg->page_count == kSegmentSize >> seg->page_shift, "page count of the segment's kind");
    // page_area only computes an address; it takes non-const pointers.
    auto* s = const_cast<Segment*>(seg);
    uint32_t in_use = 0;
    for (unsigned i = 0; i < seg->page_count; ++i) {
        const Page* p = &seg->pages[i];
        if (!p->in_use) continue;
        ++in_use;
        HAK_ASSERT(2, p->size_class < kNumClasses, "in-use page has a size class");
        HAK_ASSERT(2, p->block_size == class_size(p->size_class), "block size matches the page's size class");
        HAK_ASSERT(2, (p->block_size <= kMaxSmallPageBlock) == small, "page's class belongs to the segment's kind");
        size_t area_size = 0;
        const uint8_t* area = page_area(s, const_cast<Page*>(p), &area_size);
        HAK_ASSERT(2, p->start >= area && p->start < area + area_size, "page start inside its page area");
        HAK_ASSERT(2, p->capacity <= p->reserved, "page capacity <= reserved");
        HAK_ASSERT(2, size_t{p->reserved} * p->block_size <= area_size - static_cast<size_t>(p->start - area),
                   "reserved blocks inside the page area");
    }
    HAK_ASSERT(2, in_use == seg->used_pages, "segment used_pages equals its pages in use");
}

}  // namespace hakmem
#endif

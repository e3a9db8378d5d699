// The heap's free slow paths: the owner's free into a full page or of a
// marked block (a double free, or user data that looks like the mark), the
// owner's free of a page's last block, the validation every pointer from
// outside passes, and the counting side of a remote free (the push itself
// is core/remote_free.cpp).
#include "core/alloc.h"
#include "core/block.h"
#include "core/corruption.h"
#include "core/foreign_cache.h"
#include "core/heap_internal.h"
#include "core/heap_lists.h"
#include "core/remote_free.h"
#include "core/segment_map.h"
#include "core/thread_heap.h"
#include "os/background.h"

namespace hakmem {

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

// The page's last live block was freed: out of its queue, back to its segment.
void retire(Heap* heap, Page* page) {
    queue_remove(heap, page);
    page_free_to_segment(heap, page);
}
}  // namespace

void heap_free_local_slow(Heap* heap, Block* block) {
    Page* page = page_of(segment_of(block), block);
    if (block_marked_free(block, page) && (page_holds_free_block(page, block) || foreign_cache_holds(block, page))) {
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

void heap_free_owner_rare(Heap* heap, Page* page, Block* block) {
    if (page->used == 0 && !block_marked_free(block, page)) {
        if (!free_push(heap, page, block, reinterpret_cast<const Segment*>(free_mark_of(page)))) return;
        // Kept if it is its small class's only page, so alloc/free of one
        // block does not churn (heap_purge releases its memory if it stays
        // empty). A page with live blocks until now was in its class queue
        // (not full), so no neighbours means it is alone there.
        if (page->prev == nullptr && page->next == nullptr && page->block_size <= kMaxSmallPageBlock) return;
        retire(heap, page);
        os::background_poll();  // the end of a free: a safe point to start the purge thread
        return;
    }
    page->used++;
    heap_free_local_slow(heap, block);
}

void report_invalid_pointer(void* p) { heap_corruption(p, "invalid pointer (not allocated by hakmem)"); }
void report_not_a_block_start(void* p) { heap_corruption(p, "invalid pointer (not a block start)"); }

bool free_pointer_valid(void* p, Page** page) {
    *page = nullptr;
    Segment* seg = segment_of(p);
    if ((reinterpret_cast<uintptr_t>(p) & 15) != 0 || !segment_map_contains(seg)) {
        report_invalid_pointer(p);
        return false;
    }
    if (!segment_header_valid(seg, p)) return false;
    if (seg->kind == SegmentKind::kLarge) return true;  // large_free checks the block start
    *page = small_block_page(seg, p);
    return *page != nullptr;
}

bool free_pointer_valid(void* p) {
    Page* page;
    return free_pointer_valid(p, &page);
}

}  // namespace hakmem

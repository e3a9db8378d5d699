#include "core/page.h"

#include "core/corruption.h"
#include "core/size_class.h"

namespace hakmem {

Page g_empty_page{};

namespace {
// Blocks carved per extension: about 8 KiB worth (at least 4 blocks), so a
// page touches memory roughly as fast as it is used instead of all at once.
constexpr size_t kExtendBytes = 8 * 1024;
constexpr uint32_t kMinExtendBlocks = 4;

// The block at which a list starting at `head` loops (Floyd): on a remote
// list that is the block freed twice. Only called on a list known to loop.
Block* cycle_entry(Block* head) {
    Block* slow = head;
    Block* fast = head;
    do {
        slow = slow->next;
        fast = fast->next->next;
    } while (slow != fast);
    for (slow = head; slow != fast; slow = slow->next, fast = fast->next) {}
    return slow;
}
}  // namespace

void page_init(Page* page, unsigned cls, uint8_t* area, size_t area_size) {
    page->free = nullptr;
    page->local_free = nullptr;
    page->used = 0;
    page->block_size = static_cast<uint32_t>(class_size(cls));
    page->capacity = 0;
    page->reserved = static_cast<uint32_t>(area_size / page->block_size);
    page->start = area;
    page->thread_free.store(0, std::memory_order_relaxed);
    page->size_class = static_cast<uint8_t>(cls);
    page->in_use = 1;
    page->next = page->prev = nullptr;
    page->retire_time = 0;
}

void page_extend(Page* page) {
    uint32_t n = static_cast<uint32_t>(kExtendBytes / page->block_size);
    if (n < kMinExtendBlocks) n = kMinExtendBlocks;
    if (n > page->reserved - page->capacity) n = page->reserved - page->capacity;
    const size_t bs = page->block_size;
    uint8_t* first = page->start + page->capacity * bs;
    uint8_t* last = first + (n - 1) * bs;
    // Carved blocks carry the free mark too, so a free of one that was never
    // handed out is caught like a double free.
    for (uint8_t* b = first; b < last; b += bs) block_set_free(reinterpret_cast<Block*>(b), reinterpret_cast<Block*>(b + bs), page);
    block_set_free(reinterpret_cast<Block*>(last), nullptr, page);
    page->free = reinterpret_cast<Block*>(first);
    page->capacity += n;
    uint32_t touched = static_cast<uint32_t>(page->capacity * bs);
    if (touched > page->touched) page->touched = touched;
    page->purged = 0;
}

bool page_collect(Page* page) {
    bool got = false;
    if (page->local_free != nullptr) {
        // Owner frees go behind whatever is left so recently freed (cache-hot)
        // blocks are reused first only once the current list is used up.
        if (page->free == nullptr) {
            page->free = page->local_free;
        } else {
            Block* tail = page->free;
            for (uint32_t n = 1; tail->next; tail = tail->next) {
                if (++n > page->capacity) {
                    heap_corruption(cycle_entry(page->free), "free list corrupted (loops)");
                    tail->next = nullptr;  // report mode: cut the loop, leak the rest
                    break;
                }
            }
            tail->next = page->local_free;
        }
        page->local_free = nullptr;
        got = true;
    }
    if (remote_list(page->thread_free.load(std::memory_order_relaxed)) != nullptr) {
        // Keep the flags (a notifier may be mid-way); take the list.
        Block* list = remote_list(page->thread_free.fetch_and(kRemoteFlags, std::memory_order_acquire));
        // Every block on the list is counted live until now, so a list
        // longer than the live count loops: a double free the mark missed
        // (the block was written after its first free). Never walk it twice.
        const uint32_t live = page->live();
        uint32_t n = 1;
        Block* tail = list;
        while (tail->next) {
            if (++n > live) {
                heap_corruption(cycle_entry(list), "double free (remote)");
                // Report mode: drop the list (its blocks leak) rather than
                // hand a block out twice.
                return got;
            }
            tail = tail->next;
        }
        tail->next = page->free;
        page->free = list;
        page->used -= n;
        got = true;
    }
    return got;
}

}  // namespace hakmem

#include "core/page.h"

#include "core/block.h"
#include "core/corruption.h"
#include "core/foreign_class.h"
#include "core/size_class.h"

namespace hakmem {

Page g_empty_page{};

namespace {
// Blocks carved per extension: about 8 KiB worth, so a page touches memory
// roughly as fast as it is used instead of all at once. Blocks above 8 KiB
// are carved one at a time: carving writes each block's first words, so
// every block carved ahead of use costs a page fault and a resident page
// that may never be needed (it was at least 4 blocks: 1.4 MiB more peak RSS
// on `workingset`, 4 threads with 8-32 KiB blocks in every medium class).
// The secure build still carves 4, so their order can be shuffled.
constexpr size_t kExtendBytes = 8 * 1024;
constexpr uint32_t kMinExtendBlocks = kSecure ? 4 : 1;

// The block at which a list starting at `head` loops (Floyd): on a remote
// list that is the block freed twice. Only called on a list known to loop.
Block* cycle_entry(Block* head, const Page* page) {
    Block* slow = head;
    Block* fast = head;
    do {
        slow = block_next(slow, page);
        fast = block_next(block_next(fast, page), page);
        if (fast == nullptr || slow == nullptr) return head;  // secure build: a bad link ended it
    } while (slow != fast);
    for (slow = head; slow != fast; slow = block_next(slow, page), fast = block_next(fast, page)) {}
    return slow;
}

// Secure build: carved blocks go on the list in random order, so the
// address of the next block cannot be predicted from the last one.
void link_carved_shuffled(Page* page, uint8_t* first, uint32_t n) {
    constexpr uint32_t kMaxCarve = 8 * 1024 / 16;
    uint16_t order[kMaxCarve];
    for (uint32_t i = 0; i < n; ++i) order[i] = static_cast<uint16_t>(i);
    uint64_t r = page->list_key ^ (uint64_t{page->capacity} * 0x9E3779B97F4A7C15ull);
    for (uint32_t i = n - 1; i > 0; --i) {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        uint32_t j = static_cast<uint32_t>(r % (i + 1));
        uint16_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    const size_t bs = page->block_size;
    Block* next = nullptr;
    for (uint32_t i = 0; i < n; ++i) {
        auto* b = reinterpret_cast<Block*>(first + order[i] * bs);
        secure::init_free_slot(b, page);
        block_set_free(b, next, page);
        next = b;
    }
    page->free = next;
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
    page->remote_class = page->size_class;
    page->foreign_slot = static_cast<uint8_t>(foreign_slot_of(cls));
    page->area_bytes = page->reserved * page->block_size;
    page->in_use = 1;
    page->next = page->prev = nullptr;
    page->retire_time = 0;
    page->div_magic = UINT64_MAX / page->block_size + 1;
    if constexpr (kSecure) page->list_key = secure_page_key();
}

void page_extend(Page* page, bool one) {
    uint32_t n = one ? 1 : static_cast<uint32_t>(kExtendBytes / page->block_size);
    if (n < kMinExtendBlocks) n = kMinExtendBlocks;
    if (n > page->reserved - page->capacity) n = page->reserved - page->capacity;
    const size_t bs = page->block_size;
    uint8_t* first = page->start + page->capacity * bs;
    uint8_t* last = first + (n - 1) * bs;
    // Carved blocks carry the free mark too, so a free of one that was never
    // handed out is caught like a double free.
    if constexpr (kSecure) {
        link_carved_shuffled(page, first, n);
    } else {
        for (uint8_t* b = first; b < last; b += bs) block_set_free(reinterpret_cast<Block*>(b), reinterpret_cast<Block*>(b + bs), page);
        block_set_free(reinterpret_cast<Block*>(last), nullptr, page);
        page->free = reinterpret_cast<Block*>(first);
    }
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
        if (page->free == nullptr && !kSecure) {
            page->free = page->local_free;
        } else if (page->free == nullptr) {
            // Secure build: reversed, so the block freed last is reused last
            // (a freed block waits for every other free block of its page).
            Block* reversed = nullptr;
            uint32_t n = 0;
            for (Block* b = page->local_free; b != nullptr && ++n <= page->capacity;) {
                Block* next = block_next(b, page);
                block_set_next(b, reversed, page);
                reversed = b;
                b = next;
            }
            page->free = reversed;
        } else {
            Block* tail = page->free;
            for (uint32_t n = 1; Block* next = block_next(tail, page); tail = next) {
                if (++n > page->capacity) {
                    heap_corruption(cycle_entry(page->free, page), "free list corrupted (loops)");
                    break;  // report mode: the loop is cut below, the rest leaks
                }
            }
            block_set_next(tail, page->local_free, page);
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
        while (Block* next = block_next(tail, page)) {
            if (++n > live) {
                heap_corruption(cycle_entry(list, page), "double free (remote)");
                // Report mode: drop the list (its blocks leak) rather than
                // hand a block out twice.
                return got;
            }
            tail = next;
        }
        block_set_next(tail, page->free, page);
        page->free = list;
        page->used -= n;
        got = true;
    }
    return got;
}

}  // namespace hakmem

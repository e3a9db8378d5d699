#include "core/page.h"

#include "core/size_class.h"

namespace hakmem {

Page g_empty_page{};

namespace {
// Blocks carved per extension: about 8 KiB worth (at least 4 blocks), so a
// page touches memory roughly as fast as it is used instead of all at once.
constexpr size_t kExtendBytes = 8 * 1024;
constexpr uint32_t kMinExtendBlocks = 4;
}  // namespace

void page_init(Page* page, unsigned cls, uint8_t* area, size_t area_size) {
    page->free = nullptr;
    page->local_free = nullptr;
    page->used = 0;
    page->block_size = static_cast<uint32_t>(class_size(cls));
    page->capacity = 0;
    page->reserved = static_cast<uint32_t>(area_size / page->block_size);
    page->start = area;
    page->thread_free.store(nullptr, std::memory_order_relaxed);
    page->full.store(0, std::memory_order_relaxed);
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
    for (uint8_t* b = first; b < last; b += bs) reinterpret_cast<Block*>(b)->next = reinterpret_cast<Block*>(b + bs);
    reinterpret_cast<Block*>(last)->next = nullptr;
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
            while (tail->next) tail = tail->next;
            tail->next = page->local_free;
        }
        page->local_free = nullptr;
        got = true;
    }
    if (page->thread_free.load(std::memory_order_relaxed) != nullptr) {
        Block* list = page->thread_free.exchange(nullptr, std::memory_order_acquire);
        uint32_t n = 1;
        Block* tail = list;
        while (tail->next) { tail = tail->next; ++n; }
        tail->next = page->free;
        page->free = list;
        page->used -= n;
        got = true;
    }
    return got;
}

void page_free_remote(Page* page, Block* block) {
    Block* head = page->thread_free.load(std::memory_order_relaxed);
    do {
        block->next = head;
    } while (!page->thread_free.compare_exchange_weak(head, block, std::memory_order_seq_cst,
                                                      std::memory_order_relaxed));
}

}  // namespace hakmem

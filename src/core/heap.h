// A thread's heap: the class queues its fast paths read, its segments, and
// its counters. Only the owning thread writes a heap, except for two
// atomics other threads may set (remote_pending) or read (counters, merged
// on read by the stats layer).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "core/foreign_class.h"
#include "core/intrusive_list.h"
#include "core/page.h"
#include "core/segment.h"
#include "core/size_class.h"
#include "os/os_lock.h"

namespace hakmem {

// A per-thread counter: written only by its owner, read by anyone. The
// owner's increment is one plain `add` to memory on x86-64 (no lock
// prefix); an aligned 8-byte store is atomic there, so readers on other
// threads see either the old or the new value. Elsewhere it is a relaxed
// load and store. Readers use a relaxed atomic load.
struct Counter {
    uint64_t raw = 0;
    __attribute__((always_inline)) void add(uint64_t n) {
#if defined(__x86_64__)
        asm volatile("addq %1, %0" : "+m"(raw) : "er"(n));
#else
        __atomic_store_n(&raw, __atomic_load_n(&raw, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
#endif
    }
    // For counters several threads may write (the orphan counters).
    void add_shared(uint64_t n) { __atomic_fetch_add(&raw, n, __ATOMIC_RELAXED); }
    uint64_t get() const { return __atomic_load_n(&raw, __ATOMIC_RELAXED); }
};

struct HeapCounters {
    Counter direct_allocs[kDirectSlots];  // fast-path allocations by direct index (sizes <= 1 KiB)
    Counter allocs[kNumClasses];          // all other small/medium allocations, by class
    Counter frees[kNumClasses];
    Counter large_allocs;
    Counter large_frees;
    Counter large_bytes_allocated;
    Counter large_bytes_freed;
    Counter segments_reclaimed;
};

struct Heap {
    constexpr Heap() = default;
    // The empty heap: every queue is empty, its head and every direct entry
    // the never-written empty page.
    constexpr explicit Heap(Page* empty, bool carve_one_block = false) : carve_one(carve_one_block) {
        for (Page*& p : pages) p = empty;
        for (Page*& p : direct) p = empty;
    }

    // Bytes the owner may still allocate before the next telemetry sample
    // (telemetry/sampler.h). The malloc fast path subtracts the size after a
    // successful pop check and goes to the slow path when it turns negative;
    // at rest it is >= 0. Never written in g_empty_heap (no pop succeeds).
    int64_t sample_countdown = 0;
    // The queue head of the class of each size up to 1 KiB, so the fast path
    // goes from size to page with one load; &g_empty_page when the queue is
    // empty (kept equal to pages[] by core/heap_lists.h).
    Page* direct[kDirectSlots] = {};
    // The lists below are core/heap_lists.h's; Page::next/prev link a page
    // into one of them at a time (class queue, full list or purge list).
    // Class queues: each class's pages with free blocks or room to carve,
    // heads and tails in two arrays (heap_class_queue makes the list).
    Page* pages[kNumClasses] = {};      // heads; &g_empty_page when empty
    Page* tails[kNumClasses] = {};      // nullptr when empty
    HeapCounters counters;
    // Blocks of other heaps this thread freed, one free list per class,
    // each in a Page the fast path pops from while direct[] points at it
    // (core/foreign_cache.h). Owner only.
    Page foreign[kForeignClasses] = {};
    // 1 while the class's direct[] entries point at its foreign cache: the
    // slow path's one-byte test of "the cache ran dry, point them back".
    uint8_t foreign_direct[kNumClasses] = {};
    // A cache got blocks, or was turned off, since the last flush of all:
    // the heap's periodic tick skips the flush otherwise.
    uint8_t foreign_dirty = 0;
    IntrusiveList<Page> full;           // pages with no free block
    IntrusiveList<Segment> segments[2]; // owned small / medium segments; those with a free page first
    // Free pages waiting for the purge delay, oldest first. Under purge_lock:
    // besides the owner, heap_decay_all (another thread) may release them.
    os::SpinLock purge_lock;
    IntrusiveList<Page> purge;
    uint64_t purge_due_ms = 0;          // next time the purge list needs a look
    uint64_t slow_calls = 0;            // refills, to read the clock on every 8th only
    // Pages carve one block per extend instead of about 8 KiB of them: the
    // sampled heap's, whose blocks come one per sample (see telemetry/sampled_heap.cpp).
    bool carve_one = false;
    std::atomic<uint8_t> remote_pending{0};  // a remote free hit a full page
    std::atomic<uint8_t> in_use{0};     // owned by a live thread (read by the stats merge)
    Heap* registry_next = nullptr;      // every heap ever made (heaps are pooled, never unmapped)
    // A slot for the telemetry layer's per-thread state (its sampler and
    // sketch queue, telemetry/thread_telemetry.h), made on the first sample;
    // stays with the heap when it is pooled and reused. Core only stores it
    // (opaque: core names nothing of the layers above it).
    std::atomic<void*> telemetry{nullptr};
};

// The heap of threads that have not allocated yet: every class queue is
// empty (its head g_empty_page), so the first malloc falls into the slow path, which
// creates the thread's real heap. Never written.
extern Heap g_empty_heap;

// Small/medium allocation once the fast path found no block (or the size is
// above the fast table). Precondition: size <= kMaxSmallSize, heap is real.
void* heap_alloc_small_slow(Heap* heap, size_t size, unsigned cls);
// The owner freed `block` into a full page, or freed it twice (also the
// sampled heap's free, which has only the block).
void heap_free_local_slow(Heap* heap, Block* block);
// The owner's free fast path decremented `page->used` and did not free the
// block: the count reached 0 (the page's last block: freed here, and the
// page goes back to its segment unless it is its small class's only page),
// or the page is full, holds no live block, or the block carries the free
// mark (the count is put back and heap_free_local_slow decides).
void heap_free_owner_rare(Heap* heap, Page* page, Block* block);
// Releases free pages older than the purge delay (all with force), and
// the memory of each class's kept empty page once it has stayed empty that
// long. Owner only.
void heap_purge(Heap* heap, bool force);
// Releases the due free pages of every heap; any thread (the decay of
// memory while the program makes no allocator calls). Returns the bytes released.
size_t heap_decay_all(bool force);
// Hands every segment to the abandoned list (thread exit).
void heap_abandon(Heap* heap);
// Initializes a heap struct to an empty, owned state.
void heap_init(Heap* heap);

// Counts frees and large allocations of threads that have no heap (a thread
// that only frees, or one past its heap's teardown). Shared: add_shared only.
extern HeapCounters g_orphan_counters;
// The counters the calling thread should write: its heap's, or the orphans'.
inline HeapCounters& counters_for(Heap* heap, bool* shared) {
    *shared = heap == &g_empty_heap;
    return *shared ? g_orphan_counters : heap->counters;
}

// Checks that `p` is a block hakmem handed out, without reading memory that
// may be unmapped (segment map first); reports and returns false if not.
// The owner's free fast path makes only its cheap part (alignment and the
// segment map: segment_map_may_own); the rest (the header's cookie, the
// block start) is paid by the foreign-free path (below), the generic path
// (dispatch/), realloc, usable_size and the checked build.
bool free_pointer_valid(void* p);
// The same, also giving the block's page (nullptr for a large block), so a
// caller that needs the block's size (realloc) does not look it up again.
bool free_pointer_valid(void* p, Page** page);
// The reports of free_pointer_valid and the two halves below (cold).
__attribute__((cold, noinline)) void report_invalid_pointer(void* p);
__attribute__((cold, noinline)) void report_not_a_block_start(void* p);
// The two halves of that check for a pointer whose segment header is known
// to be mapped (segment_map_may_own passed; `seg` = p & ~kSegmentMask):
// the header is a live segment's (its cookie), and, for a small or medium
// segment, `p` is a block start of a page in use: its page, else nullptr.
// Both report what fails. Inline: they are most of a remote free.
inline bool segment_header_valid(const Segment* seg, void* p) {
    if (__builtin_expect(seg->cookie == segment_cookie(seg), 1)) return true;
    report_invalid_pointer(p);
    return false;
}
inline Page* small_block_page(Segment* seg, void* p) {
    Page* page = page_of(seg, p);
    // One unsigned compare covers both ends of the page's blocks. Only
    // fields fixed when the page was set up are read (capacity changes under
    // the owner while we run; reading it would race), all on the page's
    // second cache line (core/page.h).
    uint64_t offset = static_cast<uint64_t>(static_cast<uint8_t*>(p) - page->start);
    if (__builtin_expect(page->in_use && offset < page->area_bytes &&
                             offset_is_block_start(page, offset), 1))
        return page;
    report_not_a_block_start(p);
    return nullptr;
}

}  // namespace hakmem

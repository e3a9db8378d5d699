// Segment lifetime: allocation from the OS or the segment cache, the cache
// itself (bounded by the Strategy, purged after the purge delay), and the
// abandoned list through which exited threads hand segments to live ones.
#include "core/segment.h"

#include <atomic>
#include <cstring>

#include "core/intrusive_list.h"
#include "core/remote_free.h"
#include "core/secure.h"
#include "core/segment_map.h"
#include "os/background.h"
#include "os/os_clock.h"
#include "os/os_lock.h"
#include "os/os_memory.h"
#include "policy/strategy.h"

namespace hakmem {
namespace {

// A list of segments under one lock, oldest first, with its length.
struct SegmentList {
    os::Lock lock;
    IntrusiveList<Segment> list;
    size_t count = 0;
    std::atomic<size_t> approx_count{0};  // count, readable without the lock

    Segment* front() const { return list.front(); }
    Segment* back() const { return list.back(); }
    void push_back(Segment* s) {
        list.push_back(s);
        approx_count.store(++count, std::memory_order_relaxed);
    }
    void remove(Segment* s) {
        list.remove(s);
        approx_count.store(--count, std::memory_order_relaxed);
    }
};

SegmentList g_cache;      // empty segments kept mapped for reuse
SegmentList g_abandoned;  // segments of exited threads with live blocks

void segment_release_to_os(Segment* seg) {
    segment_map_set(seg, false);
    seg->cookie = 0;
    os::unmap(seg, seg->mapping_size);
}

void segment_init(Segment* seg, Heap* heap, SegmentKind kind) {
    seg->cookie = segment_cookie(seg);
    seg->kind = kind;
    segment_set_page_shift(seg, kind == SegmentKind::kSmall ? kSmallPageShift : kMediumPageShift);
    seg->page_count = static_cast<uint16_t>(kSegmentSize >> seg->page_shift);
    seg->used_pages = 0;
    seg->next = seg->prev = nullptr;
    seg->purged = 0;
    for (unsigned i = 0; i < seg->page_count; ++i) {
        Page* p = &seg->pages[i];
        p->in_use = 0;
        p->purged = 0;
        p->touched = 0;
        p->used = 0;
        p->free = p->local_free = nullptr;
        p->thread_free.store(0, std::memory_order_relaxed);
    }
    seg->heap.store(heap, std::memory_order_release);
}

std::atomic<SegmentSource> g_source{nullptr};

// A segment made from a mapping whose first `resident` bytes may be
// resident: its pages there count them as touched, so a page the heap frees
// releases them after the purge delay, and a new page takes these before
// untouched ones (heap_new_page prefers resident free pages).
void segment_mark_resident(Segment* seg, size_t resident) {
    for (unsigned i = 0; i < seg->page_count; ++i) {
        size_t size = 0;
        uint8_t* area = page_area(seg, &seg->pages[i], &size);
        size_t start = static_cast<size_t>(area - reinterpret_cast<uint8_t*>(seg));
        if (start >= resident) break;
        size_t bytes = resident - start < size ? resident - start : size;
        seg->pages[i].touched = static_cast<uint32_t>(bytes);
    }
}

}  // namespace

uint8_t* page_area(Segment* seg, Page* page, size_t* size) {
    size_t index = static_cast<size_t>(page - seg->pages);
    size_t page_size = size_t{1} << seg->page_shift;
    uint8_t* start = reinterpret_cast<uint8_t*>(seg) + index * page_size;
    *size = page_size;
    if (index == 0) {
        start += kSegmentHeaderSize;
        *size -= kSegmentHeaderSize;
    }
    if (kSecure && index + 1 == seg->page_count) *size -= os::kPageSize;  // the guard page
    return start;
}

void segment_set_source(SegmentSource source) { g_source.store(source, std::memory_order_release); }

Segment* segment_alloc(Heap* heap, SegmentKind kind) {
    Segment* seg = nullptr;
    {
        os::LockGuard guard(g_cache.lock);
        // The most recently freed is the most likely still resident.
        if ((seg = g_cache.back()) != nullptr) g_cache.remove(seg);
    }
    size_t resident = 0;  // bytes from the start that hold old data (a mapping from the source)
    // Secure build: a segment's last OS page is a guard page, which a large
    // mapping does not have where a segment needs it.
    SegmentSource source = kSecure ? nullptr : g_source.load(std::memory_order_acquire);
    if (seg == nullptr && source != nullptr && (seg = source()) != nullptr) {
        // Its header held a large block's header and data: every field
        // starts from zero, as in a fresh mapping, except the mapping's own.
        resident = seg->large_resident;
        uint8_t huge = seg->huge_advised;
        std::memset(static_cast<void*>(seg), 0, sizeof(Segment));
        seg->mapping_size = kSegmentSize;
        seg->huge_advised = huge;
    }
    if (seg == nullptr) {
        seg = static_cast<Segment*>(os::map_aligned(kSegmentSize, kSegmentSize));
        if (seg == nullptr) return nullptr;
        seg->mapping_size = kSegmentSize;
        // Secure build: the segment's last OS page faults on access, so an
        // overflow off the end of the last page stops there.
        if (kSecure && !os::protect(reinterpret_cast<uint8_t*>(seg) + kSegmentSize - os::kPageSize, os::kPageSize, false)) {
            os::unmap(seg, kSegmentSize);
            return nullptr;
        }
        segment_map_set(seg, true);
    }
    // HAKMEM_HUGE_PAGES=on advises small and medium segments too, and the
    // mode is the one in force now, also for a segment taken from the cache:
    // a program reuses most of its segments from there, so a Strategy
    // installed mid-run (hak_set_strategy, the learner) would otherwise
    // reach few of them (measured: the learner holding huge=on from 1 s of
    // phases-fast faulted 144.6k times, huge=on fixed 128.6k; advised at
    // each take, 134.9k).
    bool huge = strategy_snapshot().huge() == HugePages::kOn;
    if (huge != (seg->huge_advised != 0)) {
        os::advise_huge(seg, kSegmentSize, huge);
        seg->huge_advised = huge;
    }
    segment_init(seg, heap, kind);
    if (resident != 0) segment_mark_resident(seg, resident);
    return seg;
}

namespace {
// segment_free and segment_cache_purge with the caller's Strategy snapshot,
// so that segments_decay uses one for its whole run.
void cache_purge(bool force, const StrategyValues& st) {
    // Cached segments older than the purge delay give their memory back
    // (madvise, keeping the address range for cheap reuse); the oldest are
    // unmapped when the Strategy shrinks the cache.
    uint64_t now = os::now_ms(), delay = st.purge_delay_ms, max = st.segment_cache_max;
    os::PurgeMode mode = st.purge();
    Segment* to_unmap = nullptr;
    {
        os::LockGuard guard(g_cache.lock);
        while (g_cache.count > max || (force && g_cache.front() != nullptr)) {
            Segment* s = g_cache.front();
            g_cache.remove(s);
            s->next = to_unmap;
            to_unmap = s;
        }
        for (Segment* s = g_cache.front(); s != nullptr; s = s->next) {
            if (s->purged || now - s->free_time < delay) continue;
            // Keep the header page resident: it is rewritten on reuse anyway.
            os::purge(reinterpret_cast<uint8_t*>(s) + kSegmentHeaderSize, kSegmentSize - kSegmentHeaderSize, mode);
            s->purged = 1;
        }
    }
    while (to_unmap != nullptr) {
        Segment* next = to_unmap->next;
        segment_release_to_os(to_unmap);
        to_unmap = next;
    }
}

void free_segment(Segment* seg, const StrategyValues& st) {
    seg->heap.store(nullptr, std::memory_order_release);
    {
        os::LockGuard guard(g_cache.lock);
        if (g_cache.count < st.segment_cache_max) {
            seg->free_time = os::now_ms();
            seg->purged = 0;
            g_cache.push_back(seg);
            os::background_request(seg->free_time, st.purge_delay_ms, kSegmentSize);
            seg = nullptr;
        }
    }
    if (seg != nullptr) segment_release_to_os(seg);
    cache_purge(false, st);
}
}  // namespace

void segment_free(Segment* seg) { free_segment(seg, strategy_snapshot()); }
void segment_cache_purge(bool force) { cache_purge(force, strategy_snapshot()); }

void segment_abandon(Segment* seg) {
    seg->heap.store(nullptr, std::memory_order_release);
    uint64_t now = os::now_ms();
    {
        os::LockGuard guard(g_abandoned.lock);
        seg->free_time = now;  // abandoned since
        g_abandoned.push_back(seg);
    }
    // If no thread adopts it, the purge thread sweeps it after the delay.
    os::background_request(now, strategy_snapshot().purge_delay_ms, kSegmentSize);
}

void page_release_memory(Segment* seg, Page* page, os::PurgeMode mode) {
    size_t size = 0;
    uint8_t* area = page_area(seg, page, &size);
    size_t touched = os::align_up(page->touched, os::kPageSize);
    if (touched > size) touched = size;
    if (touched) os::purge(area, touched, mode);
    page->touched = 0;
    page->purged = 1;
}

namespace {
// Without an owner the sweeper acts as one for the segment it holds (under
// the abandoned list's lock, which adoption also takes). Returns true when
// no page is left in use.
bool sweep_abandoned(Segment* seg, uint64_t now, const StrategyValues& st, bool force) {
    for (unsigned i = 0; i < seg->page_count; ++i) {
        Page* page = &seg->pages[i];
        if (!page->in_use) continue;
        page_collect(page);
        if (page->live() != 0) continue;
        // Every block is back (live counts remote frees not yet collected),
        // so no other thread can push to this page any more; one may still
        // be waking its former owner.
        page_wait_notifier(page);
        page->in_use = 0;
        page->free = page->local_free = nullptr;
        page->used = 0;
        --seg->used_pages;
    }
    if (seg->used_pages == 0) return true;
    if (force || now - seg->free_time >= st.purge_delay_ms) {
        for (unsigned i = 0; i < seg->page_count; ++i) {
            Page* page = &seg->pages[i];
            if (!page->in_use && page->touched && !page->purged) page_release_memory(seg, page, st.purge());
        }
    }
    return false;
}
}  // namespace

void segments_decay(bool force) {
    uint64_t now = os::now_ms();
    const StrategyValues st = strategy_snapshot();  // one strategy for the whole sweep
    Segment* empty = nullptr;
    if (g_abandoned.approx_count.load(std::memory_order_relaxed) != 0 &&
        (force ? (g_abandoned.lock.lock(), true) : g_abandoned.lock.try_lock())) {
        for (Segment* s = g_abandoned.front(); s != nullptr;) {
            Segment* next = s->next;
            if (sweep_abandoned(s, now, st, force)) {
                g_abandoned.remove(s);
                s->next = empty;
                empty = s;
            }
            s = next;
        }
        g_abandoned.lock.unlock();
    }
    while (empty != nullptr) {
        Segment* next = empty->next;
        free_segment(empty, st);
        empty = next;
    }
    cache_purge(force, st);
}

Segment* segment_take_abandoned(SegmentKind kind) {
    // try_lock: another thread is already adopting; a fresh segment is fine.
    if (g_abandoned.approx_count.load(std::memory_order_relaxed) == 0 || !g_abandoned.lock.try_lock()) return nullptr;
    Segment* found = nullptr;
    for (Segment* s = g_abandoned.front(); s != nullptr; s = s->next) {
        if (s->kind == kind) { found = s; break; }
    }
    if (found) g_abandoned.remove(found);
    g_abandoned.lock.unlock();
    return found;
}

void segment_locks_acquire() {
    g_cache.lock.lock();
    g_abandoned.lock.lock();
}
void segment_locks_release() {
    g_abandoned.lock.unlock();
    g_cache.lock.unlock();
}
void segment_locks_reset_in_child() {
    g_cache.lock.reset_in_child();
    g_abandoned.lock.reset_in_child();
}

}  // namespace hakmem

#include "large/large.h"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/corruption.h"
#include "core/heap_counters.h"
#include "core/secure.h"
#include "core/segment_map.h"
#include "core/size_class.h"
#include "core/thread_heap.h"
#include "large/large_cache.h"
#include "os/background.h"
#include "os/os_clock.h"
#include "os/os_memory.h"
#include "policy/strategy.h"

namespace hakmem {
namespace {

// Where the block starts in its mapping. At least one OS page for the
// header; for an alignment A the block sits at offset A, so it is aligned
// because the mapping is 4 MiB-aligned. Alignments above 4 MiB put the
// block 4 MiB in and align the mapping so that address is A-aligned
// (segment_of masks p - 1, which finds the header 4 MiB below).
size_t block_offset(size_t alignment) {
    if (alignment <= kLargeHeaderSize) return kLargeHeaderSize;
    return alignment < kSegmentSize ? alignment : kSegmentSize;
}

void count(Heap* heap, bool alloc, size_t bytes) {
    bool shared = false;
    HeapCounters& c = counters_for(heap, &shared);
    Counter& n = alloc ? c.large_allocs : c.large_frees;
    Counter& b = alloc ? c.large_bytes_allocated : c.large_bytes_freed;
    if (shared) { n.add_shared(1); b.add_shared(bytes); }
    else { n.add(1); b.add(bytes); }
}

// A block resized in place (realloc) stays one allocation: only its bytes change.
void count_resize(size_t old_usable, size_t new_usable) {
    if (old_usable == new_usable) return;
    bool shared = false;
    HeapCounters& c = counters_for(t_heap, &shared);
    bool grew = new_usable > old_usable;
    Counter& b = grew ? c.large_bytes_allocated : c.large_bytes_freed;
    size_t delta = grew ? new_usable - old_usable : old_usable - new_usable;
    if (shared) b.add_shared(delta); else b.add(delta);
}

std::atomic<uint64_t> g_realloc_in_place{0};

constexpr size_t kHugePageSize = size_t{2} << 20;
// Secure build: each mapping's last OS page is a guard page, and the block
// reaches it (its usable size is the rest of the mapping), so an overflow
// off the block's end faults at once. A guarded mapping is two VMAs, which
// mremap cannot grow: large_cache_take opens the guard, grows the mapping
// and guards its new end; realloc copies.
constexpr size_t kGuardBytes = kSecure ? os::kPageSize : 0;

// Huge pages as the Strategy asks (re-checked whenever a cached mapping is
// reused, so a change applies to the next block). One madvise per mapping:
// the flag moves with the mapping on mremap.
void sync_huge(Segment* seg, const StrategyValues& st) {
    bool want = st.huge() != HugePages::kOff && seg->mapping_size >= kHugePageSize;
    if (want == (seg->huge_advised != 0)) return;
    os::advise_huge(seg, seg->mapping_size, want);
    seg->huge_advised = want;
}

// A new mapping of `need` bytes (header and block). Mappings start on a
// 4 MiB boundary (segment_of needs it), and os::map_aligned's address hint
// leaves the rest of their last 4 MiB slot free: a cached mapping can later
// grow in place up to the end of that slot (large_cache_take).
Segment* map_new(size_t need, size_t alignment) {
    size_t align = alignment > kSegmentSize ? alignment : kSegmentSize;
    size_t align_offset = alignment > kSegmentSize ? kSegmentSize : 0;
    auto* seg = static_cast<Segment*>(os::map_aligned(need, align, align_offset));
    if (seg == nullptr) return nullptr;
    if (kSecure && !os::protect(reinterpret_cast<uint8_t*>(seg) + need - kGuardBytes, kGuardBytes, false)) {
        os::unmap(seg, need);
        return nullptr;
    }
    seg->mapping_size = need;
    seg->large_resident = kLargeHeaderSize;
    seg->large_dirty = kLargeHeaderSize;
    seg->huge_advised = 0;
    segment_map_set(seg, true);
    return seg;
}

// Blocks that may live in the cache: up to the mmap threshold, and aligned
// at most to 4 MiB (larger alignments need a mapping placed for them).
bool cacheable(size_t usable, size_t offset, const StrategyValues& st) {
    return offset < kSegmentSize && usable <= st.mmap_threshold && st.large_cache_max != 0;
}

// The cache's decay, when due, done by whichever large call comes first (the
// background thread does it when the program makes none).
void decay_if_due(uint64_t now) {
    uint64_t due = large_cache_next_due();
    if (due != 0 && now >= due) large_cache_decay(now, false);
}

}  // namespace

void* large_alloc(Heap* heap, size_t size, size_t alignment) {
    size_t offset = block_offset(alignment);
    if (size > SIZE_MAX / 2 - offset - kSegmentSize) {
        errno = ENOMEM;
        return nullptr;
    }
    // A safe point to start the background thread: nothing held, nothing half-done.
    os::background_poll();
    uint64_t now = os::now_ms();
    decay_if_due(now);
    const StrategyValues st = strategy_snapshot();  // one strategy for the whole allocation
    // Zero bytes get a page too: a block of none would start where its
    // mapping ends, which for a 4 MiB offset is the next segment's header.
    size_t need = os::align_up(offset + (size != 0 ? size : 1), os::kPageSize) + kGuardBytes;
    Segment* seg = cacheable(need - offset, offset, st) ? large_cache_take(need) : nullptr;
    bool fresh = seg == nullptr;
    if (fresh && (seg = map_new(need, alignment)) == nullptr) {
        errno = ENOMEM;
        return nullptr;
    }
    seg->cookie = segment_cookie(seg);
    seg->heap.store(nullptr, std::memory_order_relaxed);
    seg->kind = SegmentKind::kLarge;
    segment_set_page_shift(seg, kLargePageShift);
    seg->page_count = 0;
    seg->used_pages = 1;
    seg->large_offset = offset;
    // Secure build: the block reaches the guard page at the mapping's end.
    seg->large_usable = (kSecure ? seg->mapping_size : need) - offset - kGuardBytes;
    seg->large_sample.sampled = 0;  // telemetry marks sampled blocks after this returns
    sync_huge(seg, st);
    count(heap, true, seg->large_usable);
    // The peak is a merge over every heap (~4,500 instructions): sampled
    // where mapped memory grows, and on one in 16 reuses of a cached
    // mapping. Sampling every reuse was a fifth of all instructions of the
    // vm benchmark (callgrind). Every stats read samples it too.
    bool shared = false;
    if (fresh || (counters_for(heap, &shared).large_allocs.get() & 15) == 0) counters_sample_peak();
    return reinterpret_cast<uint8_t*>(seg) + offset;
}

void large_free(Segment* seg, void* p) {
    if (static_cast<uint8_t*>(p) != reinterpret_cast<uint8_t*>(seg) + seg->large_offset) {
        heap_corruption(p, "invalid pointer (inside a large block)");
        return;
    }
    count(t_heap, false, seg->large_usable);
    // The whole block may have been written: resident and dirty from now on.
    size_t end = seg->large_offset + seg->large_usable;
    if (seg->large_resident < end) seg->large_resident = end;
    if (seg->large_dirty < end) seg->large_dirty = end;
    size_t resident = seg->large_resident;
    seg->cookie = 0;  // a second free of p is reported as invalid
    uint64_t now = os::now_ms();
    const StrategyValues st = strategy_snapshot();  // one strategy for the whole free
    if (cacheable(seg->large_usable, seg->large_offset, st) && large_cache_put(seg, now, st)) {
        // seg may already be someone else's block: only `resident` from here.
        os::background_request(now, st.purge_delay_ms, resident);
    } else {
        segment_map_set(seg, false);
        os::unmap(seg, seg->mapping_size);
    }
    decay_if_due(now);
    // The end of a free: a safe point to start the background thread.
    os::background_poll();
}

size_t large_usable(Segment* seg, const void* p) {
    const uint8_t* end = reinterpret_cast<uint8_t*>(seg) + seg->large_offset + seg->large_usable;
    return static_cast<size_t>(end - static_cast<const uint8_t*>(p));
}

size_t large_dirty_bytes(Segment* seg, const void* p) {
    const uint8_t* end = reinterpret_cast<uint8_t*>(seg) + seg->large_dirty;
    return end > static_cast<const uint8_t*>(p) ? static_cast<size_t>(end - static_cast<const uint8_t*>(p)) : 0;
}

void* large_realloc(Segment* seg, void* p, size_t size) {
    size_t offset = seg->large_offset;
    if (static_cast<uint8_t*>(p) != reinterpret_cast<uint8_t*>(seg) + offset || size <= kMaxSmallSize ||
        size > SIZE_MAX / 2 - offset - kSegmentSize)
        return nullptr;
    size_t need = os::align_up(offset + size, os::kPageSize);
    size_t old_usable = seg->large_usable;
    if constexpr (kSecure) {
        // The block already reaches the guard page: it fits or it moves by copy.
        return need - offset <= old_usable ? p : nullptr;
    }
    // The block as it was may have been written whole: a shrink must not
    // forget that (calloc of this mapping later relies on large_dirty).
    size_t old_end = offset + old_usable;
    if (seg->large_resident < old_end) seg->large_resident = old_end;
    if (seg->large_dirty < old_end) seg->large_dirty = old_end;
    if (need <= seg->mapping_size) {
        // Within the mapping. A shrink that leaves a large tail (1 MiB and a
        // quarter of the block) unmaps it: the program asked for less memory.
        size_t tail = seg->mapping_size - need;
        if (need < old_end && tail >= (size_t{1} << 20) && tail >= need / 4 &&
            os::unmap(reinterpret_cast<uint8_t*>(seg) + need, tail)) {
            seg->mapping_size = need;
            if (seg->large_resident > need) seg->large_resident = need;
            if (seg->large_dirty > need) seg->large_dirty = need;
        }
        seg->large_usable = need - offset;
        count_resize(old_usable, seg->large_usable);
        g_realloc_in_place.fetch_add(1, std::memory_order_relaxed);
        return p;
    }
    // Grow the mapping where it is (with a quarter more, so a block grown in
    // small steps does not make a system call each time), else move it.
    size_t roomy = os::align_up(need + need / 4, os::kPageSize);
    Segment* moved = nullptr;
    if (os::remap_in_place(seg, seg->mapping_size, roomy) != nullptr) {
        seg->mapping_size = roomy;
        moved = seg;
    } else if (offset < kSegmentSize) {
        // A move keeps 4 MiB alignment only (larger alignments copy): map
        // an aligned target and move the pages onto it.
        void* target = os::map_aligned(roomy, kSegmentSize);
        if (target == nullptr) return nullptr;
        segment_map_set(seg, false);
        moved = static_cast<Segment*>(os::remap_to(seg, seg->mapping_size, roomy, target));
        if (moved == nullptr) {
            os::unmap(target, roomy);
            segment_map_set(seg, true);
            return nullptr;
        }
        moved->mapping_size = roomy;
        moved->cookie = segment_cookie(moved);
        segment_map_set(moved, true);
    } else {
        return nullptr;
    }
    moved->large_usable = need - offset;
    sync_huge(moved, strategy_snapshot());
    count_resize(old_usable, moved->large_usable);
    g_realloc_in_place.fetch_add(1, std::memory_order_relaxed);
    return reinterpret_cast<uint8_t*>(moved) + offset;
}

uint64_t large_realloc_in_place_count() { return g_realloc_in_place.load(std::memory_order_relaxed); }

}  // namespace hakmem

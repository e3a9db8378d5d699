#include "large/large.h"

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/heap_counters.h"
#include "core/segment_map.h"
#include "core/thread_heap.h"
#include "os/os_memory.h"

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

}  // namespace

void* large_alloc(Heap* heap, size_t size, size_t alignment, bool zero) {
    (void)zero;  // a fresh mapping is zero-filled
    size_t offset = block_offset(alignment);
    if (size > SIZE_MAX / 2 - offset - kSegmentSize) {
        errno = ENOMEM;
        return nullptr;
    }
    size_t mapping = os::align_up(offset + size, os::kPageSize);
    size_t align = alignment > kSegmentSize ? alignment : kSegmentSize;
    size_t align_offset = alignment > kSegmentSize ? kSegmentSize : 0;
    auto* seg = static_cast<Segment*>(os::map_aligned(mapping, align, align_offset));
    if (seg == nullptr) {
        errno = ENOMEM;
        return nullptr;
    }
    seg->cookie = segment_cookie(seg);
    seg->heap.store(nullptr, std::memory_order_relaxed);
    seg->kind = SegmentKind::kLarge;
    seg->page_shift = kLargePageShift;
    seg->page_count = 0;
    seg->used_pages = 1;
    seg->mapping_size = mapping;
    seg->large_offset = offset;
    seg->large_usable = mapping - offset;
    seg->large_zeroed = 1;
    segment_map_set(seg, true);
    count(heap, true, seg->large_usable);
    counters_sample_peak();
    return reinterpret_cast<uint8_t*>(seg) + offset;
}

void large_free(Segment* seg, void* p) {
    if (static_cast<uint8_t*>(p) != reinterpret_cast<uint8_t*>(seg) + seg->large_offset) {
        report_invalid_free(p, "invalid pointer (inside a large block)");
        return;
    }
    count(t_heap, false, seg->large_usable);
    segment_map_set(seg, false);
    seg->cookie = 0;
    os::unmap(seg, seg->mapping_size);
}

size_t large_usable(Segment* seg, const void* p) {
    const uint8_t* end = reinterpret_cast<uint8_t*>(seg) + seg->mapping_size;
    return static_cast<size_t>(end - static_cast<const uint8_t*>(p));
}

bool large_resize_in_place(Segment* seg, void* p, size_t size) {
    // The mapping is whole pages: growing within the last page, or shrinking
    // by less than half, needs no copy.
    size_t usable = large_usable(seg, p);
    return size <= usable && size >= usable / 2;
}

}  // namespace hakmem

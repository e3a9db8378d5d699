// Segments: 4 MiB-aligned regions from the OS that hold pages. Because a
// segment is aligned to its size, the metadata of any pointer is found in
// O(1) by masking: segment_of(p), then the page index from the offset.
//
// Kinds (one page size per segment, so the index is a single shift):
//   small  - 64 pages of 64 KiB, blocks up to 8 KiB (>= 8 blocks per page)
//   medium -  8 pages of 512 KiB, blocks up to 64 KiB (>= 8 blocks per page)
//   large  - one block above 64 KiB; the mapping is as long as the block
//
// Layout: the Segment header (with the page table) sits at the start of the
// mapping; page 0's blocks start after it, at an offset that is a multiple
// of 4 KiB so aligned allocations up to 4 KiB can be served from pages.
//
// segment_of() masks p - 1, not p: a large block aligned to 4 MiB or more
// starts exactly on a 4 MiB boundary, so its header is placed 4 MiB before
// it (in the same mapping) and p - 1 finds it. Every other block starts
// strictly inside its segment, so p - 1 is in the same segment as p.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "core/page.h"
#include "os/os_memory.h"

namespace hakmem {

struct Heap;

inline constexpr unsigned kSegmentShift = 22;
inline constexpr size_t kSegmentSize = size_t{1} << kSegmentShift;
inline constexpr uintptr_t kSegmentMask = kSegmentSize - 1;
inline constexpr unsigned kSmallPageShift = 16;
inline constexpr unsigned kMediumPageShift = 19;
inline constexpr size_t kMaxSmallPageBlock = 8 * 1024;
inline constexpr unsigned kMaxPagesPerSegment = kSegmentSize >> kSmallPageShift;
inline constexpr unsigned kLargePageShift = 63;  // large segments have one page: index is always 0
inline constexpr size_t kLargeHeaderSize = 4096;

enum class SegmentKind : uint8_t { kSmall, kMedium, kLarge };

// Telemetry's record of a sampled block (telemetry/ writes and reads it;
// core only stores it): in the header of a large block, in a side table for
// the others. sampled == 0: not a sampled block.
struct SampleRecord {
    uint32_t sampled;
    uint32_t site;       // index in telemetry's site table
    uint64_t size;       // requested bytes
    uint64_t alloc_ns;   // when it was allocated (os::now_ns)
    uint64_t interval;   // the mean sampling interval it was drawn at: its weight
};

struct Segment {
    uint64_t cookie;             // segment_cookie(this) while live: checked before trusting a foreign pointer
    std::atomic<Heap*> heap;     // owning heap; nullptr when abandoned, cached or large
    uint32_t page_shift;         // set with page_base by segment_set_page_shift
    SegmentKind kind;
    uint8_t purged;              // (segment cache) memory released
    uint16_t page_count;
    uint32_t used_pages;
    size_t mapping_size;         // bytes mapped at this address
    Segment* next;               // heap's segment list, abandoned list or cache
    Segment* prev;
    uint64_t free_time;          // when it entered the cache
    // &pages[0] minus (this >> page_shift) pages: page_of adds the page of
    // p >> page_shift to it, one subtraction fewer than indexing pages by
    // (p - this) >> page_shift (the segment is aligned to its pages, so the
    // two agree). An address, never dereferenced as it is.
    uintptr_t page_base;
    // Large blocks only.
    size_t large_offset;         // block starts at this + large_offset
    size_t large_usable;         // usable bytes of the block
    SampleRecord large_sample;   // telemetry (cleared by large_alloc)
    size_t large_resident;       // (large/) bytes from the segment start that may be resident
    size_t large_dirty;          // (large/) bytes from the segment start that may be non-zero
    uint8_t huge_advised;        // MADV_HUGEPAGE applied to the mapping (large/: a large block's; segment_alloc: a segment's)
    Page pages[kMaxPagesPerSegment];
};

// The byte offset where page 0's blocks start (header rounded to 4 KiB).
inline constexpr size_t kSegmentHeaderSize = (sizeof(Segment) + 4095) & ~size_t{4095};
static_assert(offsetof(Segment, pages) <= kLargeHeaderSize, "large header must fit one OS page");

__attribute__((always_inline)) inline Segment* segment_of(const void* p) {
    return reinterpret_cast<Segment*>((reinterpret_cast<uintptr_t>(p) - 1) & ~kSegmentMask);
}
__attribute__((always_inline)) inline Page* page_of(Segment* seg, const void* p) {
    return reinterpret_cast<Page*>(seg->page_base + (reinterpret_cast<uintptr_t>(p) >> seg->page_shift) * sizeof(Page));
}
inline void segment_set_page_shift(Segment* seg, unsigned shift) {
    seg->page_shift = shift;
    seg->page_base = reinterpret_cast<uintptr_t>(seg->pages) - (reinterpret_cast<uintptr_t>(seg) >> shift) * sizeof(Page);
}
// What a live segment's `cookie` holds. Inline: every foreign free (remote,
// large, invalid) checks it, and a call cost more than the XOR.
inline uint64_t segment_cookie(const Segment* seg) { return reinterpret_cast<uintptr_t>(seg) ^ 0x9E3779B97F4A7C15ull; }

// The byte range of page `page` inside its segment.
uint8_t* page_area(Segment* seg, Page* page, size_t* size);

// A fresh (or cached) small/medium segment owned by `heap`; nullptr on OOM.
Segment* segment_alloc(Heap* heap, SegmentKind kind);

// Where segment_alloc looks when its own cache is empty, before it maps a
// new segment: a mapping of exactly kSegmentSize bytes at a 4 MiB boundary,
// live in the segment map, whose first `large_resident` bytes may be
// resident and hold old data, or nullptr. large/ hands over its cache of
// freed large blocks (dispatch/process_init.cpp), so that memory an
// outgrown buffer left resident holds small blocks at once instead of
// waiting out the purge delay while new segments fault in fresh pages.
using SegmentSource = Segment* (*)();
void segment_set_source(SegmentSource source);
// Returns an empty small/medium segment to the cache (or the OS).
void segment_free(Segment* seg);
// Releases cached segments older than the purge delay (all if force).
void segment_cache_purge(bool force);
// The segments' share of returning memory, for any thread: sweeps the
// abandoned segments (collects their remote frees, frees pages and whole
// segments left with no live block, releases free pages' memory once the
// segment has been abandoned for the purge delay), then segment_cache_purge.
void segments_decay(bool force);
// Returns the memory of a free page's touched blocks to the OS (`mode`: the
// caller's Strategy snapshot).
void page_release_memory(Segment* seg, Page* page, os::PurgeMode mode);

// Segments of exited threads, waiting for a live heap to adopt them.
void segment_abandon(Segment* seg);
Segment* segment_take_abandoned(SegmentKind kind);

// Fork handlers (api/init.cpp).
void segment_locks_acquire();
void segment_locks_release();
void segment_locks_reset_in_child();

}  // namespace hakmem

// Blocks above the small/medium range (64 KiB), and aligned blocks whose
// alignment pages cannot give: each gets its own mapping, headed by a
// Segment header of kind kLarge so segment_of() finds it like any block.
//
// Up to the Strategy's mmap threshold a freed block's mapping goes to the
// mapping cache (large/large_cache.h) and serves a later block without a
// system call; above it, or when the cache is full, it is unmapped. Memory
// the cache holds longer than the purge delay is released in batches by the
// decay job on the background thread (periodic/decay_job.h). realloc
// resizes in place or moves the mapping with mremap, never copying.
// docs/ARCHITECTURE.md, "Large blocks".
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/heap.h"

namespace hakmem {

// A block of at least `size` bytes aligned to `alignment` (a power of two,
// 0 for the default 16). nullptr + ENOMEM on failure. Not zero-filled: calloc
// clears what large_dirty_bytes reports.
void* large_alloc(Heap* heap, size_t size, size_t alignment);
// Frees the block at `p` (reported unless p is its start). A sampled
// block's record (Segment::large_sample) is the caller's to take first.
void large_free(Segment* seg, void* p);
// Where the block of a large segment starts.
inline void* large_block(Segment* seg) { return reinterpret_cast<uint8_t*>(seg) + seg->large_offset; }
// Usable bytes from p to the end of its block.
size_t large_usable(Segment* seg, const void* p);
// Bytes from p on that may be non-zero (a reused mapping): what calloc clears.
size_t large_dirty_bytes(Segment* seg, const void* p);
// realloc of a large block to `size` (> kMaxSmallSize) without copying: in
// place when its mapping covers `size` (a large shrink unmaps the tail), by
// growing the mapping in place, or by moving it (page tables, not bytes) to
// a new 4 MiB-aligned address. Returns the block, moved or not; nullptr when
// the caller must allocate and copy (the block is then unchanged).
void* large_realloc(Segment* seg, void* p, size_t size);
// How many reallocs large_realloc served (stats).
uint64_t large_realloc_in_place_count();

}  // namespace hakmem

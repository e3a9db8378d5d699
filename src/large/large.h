// Blocks above the small/medium range (64 KiB), and aligned blocks whose
// alignment pages cannot give: each gets its own mapping, headed by a
// Segment header of kind kLarge so segment_of() finds it like any block.
//
// For now a freed large block is unmapped at once; the mapping cache with
// batched, delayed madvise is the next step (see docs/ARCHITECTURE.md).
#pragma once
#include <cstddef>

#include "core/heap.h"

namespace hakmem {

// A block of at least `size` bytes aligned to `alignment` (a power of two,
// 0 for the default 16). Zero-filled when `zero`. nullptr + ENOMEM on failure.
void* large_alloc(Heap* heap, size_t size, size_t alignment, bool zero);
void large_free(Segment* seg, void* p);
// Usable bytes from p to the end of its block.
size_t large_usable(Segment* seg, const void* p);
// Resizes in place when the mapping already covers `size`; false otherwise.
bool large_resize_in_place(Segment* seg, void* p, size_t size);

}  // namespace hakmem

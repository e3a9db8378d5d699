// Functions the heap's files share, grouped by the file that owns them (the
// heap's public functions are in core/heap.h, its lists in core/heap_lists.h).
#pragma once
#include "core/heap.h"

namespace hakmem {

// ---- core/heap_refill.cpp: pages into and out of a heap ----
// The page has no live block and is on no list: give it back to its
// segment, and the segment back to the cache when it was the last page in use.
void page_free_to_segment(Heap* heap, Page* page);

// ---- core/heap_abandon.cpp: segments between threads ----
// Takes over a segment an exited thread left with live blocks.
void heap_adopt_segment(Heap* heap, Segment* seg);

}  // namespace hakmem

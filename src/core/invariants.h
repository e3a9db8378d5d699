// Invariant checks for the checked build (HAKMEM_CHECKED=1, the debug and
// asan presets): page, segment and heap consistency verified on every
// refill (heap_find_page) and at thread exit (heap_abandon). In other
// builds the calls compile to nothing. HAK_ASSERT (core/assert.h) is the
// levelled assertion for checks inline in other files.
#pragma once
#include "core/assert.h"
#include "core/heap.h"

namespace hakmem {

#if HAKMEM_CHECKED
inline constexpr bool kCheckedBuild = true;
#else
inline constexpr bool kCheckedBuild = false;
#endif

#if HAKMEM_CHECKED
// Aborts with a message naming the broken invariant.
void check_page(const Page* page);
// Also checks every segment on heap->segments[] (check_segment).
void check_heap(const Heap* heap);
// A small/medium segment: cookie, kind and page geometry, used_pages equal
// to the pages in use, each in-use page's class, block size and bounds; with
// `owner`, that the segment's heap is `owner`. A large segment: its cookie.
void check_segment(const Segment* seg, const Heap* owner = nullptr);
#else
inline void check_page(const Page*) {}
inline void check_heap(const Heap*) {}
inline void check_segment(const Segment*, const Heap* = nullptr) {}
#endif

}  // namespace hakmem

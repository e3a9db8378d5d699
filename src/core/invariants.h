// Invariant checks for the checked build (HAKMEM_CHECKED=1, the debug and
// asan presets): page and heap consistency verified on every slow path.
// In other builds the calls compile to nothing.
#pragma once
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
void check_heap(const Heap* heap);
#else
inline void check_page(const Page*) {}
inline void check_heap(const Heap*) {}
#endif

}  // namespace hakmem

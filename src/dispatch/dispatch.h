// The dispatch layer's interface: malloc and free as the API calls them.
// Above core, large and telemetry, this is the one place that decides
// whether a request is a small or medium block (core), a large block
// (large/) or a sampled one (telemetry/), and where a freed pointer that the
// owner's fast path did not take belongs (docs/ARCHITECTURE.md, "Layers").
//
// Code overview:
//   alloc()   core's fast path (core/alloc.h alloc_or), tail-calling on a miss
//     alloc_slow / alloc_slow_caller       dispatch.cpp
//       first call of a thread: process_init, thread_heap_get, start over
//       countdown ran out -> telemetry_sample_alloc       telemetry/
//       size <= kMaxSmallSize -> heap_alloc_small_slow   core/heap_refill.cpp
//       else -> large_alloc                               large/
//   dealloc() core's fast path (core/alloc.h dealloc_or), on a miss
//     free_generic (no segment in p's chunk, null)   dispatch.cpp
//       validate (free_pointer_valid), then as free_foreign
//     free_foreign (a segment the thread does not own)  dispatch.cpp
//       cookie -> large_free | block start (small_block_page) ->
//       telemetry_free_small | heap_free_remote (another thread's heap)
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/alloc.h"

namespace hakmem {

// Any allocation the fast path does not serve. `site` is the call site
// (return address or hak_callsite_t), carried to the slow path for
// sampling. Returns nullptr with errno = ENOMEM on failure.
__attribute__((noinline)) void* alloc_slow(size_t size, uintptr_t site);
// The same, taking the site from its own return address: the fast path
// tail-calls it, so that is the caller of malloc, and the fast path need
// not load it.
__attribute__((noinline)) void* alloc_slow_caller(size_t size);
// A block aligned to `alignment` (power of two). Slow path only.
void* alloc_aligned(size_t size, size_t alignment, uintptr_t site);
// Frees `p`, which the owner's free fast path did not take: null, a pointer
// hakmem never returned (reported), a large or sampled block, or a block of
// another thread's heap.
__attribute__((noinline)) void free_generic(void* p);
// Frees `p`, which lies in a chunk the segment map says starts a segment
// (`seg`, its header) that the calling thread does not own: a remote free,
// a large or sampled block, or an invalid pointer (reported). The fast
// path's miss for every free of another thread's block, so it skips what
// that fast path proved (alignment, the segment map).
__attribute__((noinline)) void free_foreign(void* p, Segment* seg);

// malloc and friends: with an explicit site, or (kCallerSite) the caller's.
template <bool kCallerSite = false>
__attribute__((always_inline)) inline void* alloc(size_t size, uintptr_t site = 0) {
    if constexpr (kCallerSite) return alloc_or(size, alloc_slow_caller);
    return alloc_or(size, [site](size_t n) { return alloc_slow(n, site); });
}

__attribute__((always_inline)) inline void dealloc(void* p) { dealloc_or(p, free_generic, free_foreign); }

// Usable size of a block returned by hakmem (0 for nullptr).
size_t usable_size(const void* p);
// The same for a pointer free_pointer_valid accepted.
size_t usable_size_valid(const void* p);

}  // namespace hakmem

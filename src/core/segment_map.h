// A byte map of the 4 MiB address chunks where a live hakmem segment starts.
// It answers "is this pointer's segment ours?" without touching the
// (possibly unmapped) memory the pointer names: every free path checks it
// before reading a header, so free() of a global, a stack address or any
// pointer hakmem never mapped is reported instead of faulting.
//
// Bytes, not bits: the owner's free fast path tests it, and a byte costs one
// shift and one compare there (a bit needs two more shifts and a bt).
// 2^47 bytes of user address space / 4 MiB = 2^25 entries = 32 MiB of .bss
// address space, of which only the pages for chunks in use are ever written
// (resident); reads of untouched pages map the shared zero page.
#pragma once
#include <cstdint>

#include "core/segment.h"

namespace hakmem {

inline constexpr unsigned kAddressBits = 47;
inline constexpr uint64_t kSegmentMapEntries = uint64_t{1} << (kAddressBits - kSegmentShift);
// Bits that must be clear in any pointer hakmem hands out: the 16-byte
// alignment of every block, and the address-space limit of the map.
inline constexpr uintptr_t kNotABlockBits = ~((uintptr_t{1} << kAddressBits) - 1) | 15;

// Hidden on the declaration too: in the shared library the fast path then
// addresses it RIP-relative, with no GOT load.
extern uint8_t g_segment_map[kSegmentMapEntries] __attribute__((visibility("hidden")));

// Marks or clears the segment starting at `segment`.
void segment_map_set(const void* segment, bool live);

// True when a live segment header starts at `segment` (4 MiB-aligned).
inline bool segment_map_contains(const void* segment) {
    uint64_t chunk = reinterpret_cast<uintptr_t>(segment) >> kSegmentShift;
    return chunk < kSegmentMapEntries && __atomic_load_n(&g_segment_map[chunk], __ATOMIC_ACQUIRE) != 0;
}

// The free fast path's test: `p` is 16-aligned, below the address limit, and
// its 4 MiB chunk starts a live segment, so reading p's segment header
// (p & ~kSegmentMask) is safe. Null fails too (chunk 0 is never a segment).
// One test, one shift, one byte compare. It does not say p is a block start.
__attribute__((always_inline)) inline bool segment_map_may_own(const void* p) {
    uintptr_t u = reinterpret_cast<uintptr_t>(p);
    // Other threads set and clear entries as segments come and go. A block
    // the caller may free keeps its segment's entry set, so a stale value
    // only ever concerns a pointer that is no live block, and either value
    // is safe there (set: the segment's header is still mapped until the
    // entry is cleared; clear: the generic path checks again). A relaxed
    // atomic load is the same byte load on x86-64, but GCC does not fold it
    // into the compare, which cost 2 instructions per free (callgrind pair
    // loop 67.3 -> 69.3): the plain load is used where no race detector
    // watches, the atomic one under TSan.
#if defined(__SANITIZE_THREAD__)
    return (u & kNotABlockBits) == 0 && __atomic_load_n(&g_segment_map[u >> kSegmentShift], __ATOMIC_RELAXED) != 0;
#else
    return (u & kNotABlockBits) == 0 && g_segment_map[u >> kSegmentShift] != 0;
#endif
}

}  // namespace hakmem

#include "core/segment_map.h"

namespace hakmem {

uint8_t g_segment_map[kSegmentMapEntries];

void segment_map_set(const void* segment, bool live) {
    uint64_t chunk = reinterpret_cast<uintptr_t>(segment) >> kSegmentShift;
    if (chunk >= kSegmentMapEntries) return;
    __atomic_store_n(&g_segment_map[chunk], static_cast<uint8_t>(live ? 1 : 0), __ATOMIC_RELEASE);
}

}  // namespace hakmem

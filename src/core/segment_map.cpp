#include "core/segment_map.h"

#include <atomic>

#include "core/segment.h"

namespace hakmem {
namespace {
constexpr unsigned kAddressBits = 47;
constexpr uint64_t kChunks = uint64_t{1} << (kAddressBits - kSegmentShift);
std::atomic<uint64_t> g_bits[kChunks / 64];
}  // namespace

void segment_map_set(const void* segment, bool live) {
    uint64_t chunk = reinterpret_cast<uintptr_t>(segment) >> kSegmentShift;
    if (chunk >= kChunks) return;
    uint64_t bit = uint64_t{1} << (chunk % 64);
    if (live)
        g_bits[chunk / 64].fetch_or(bit, std::memory_order_release);
    else
        g_bits[chunk / 64].fetch_and(~bit, std::memory_order_release);
}

bool segment_map_contains(const void* segment) {
    uint64_t chunk = reinterpret_cast<uintptr_t>(segment) >> kSegmentShift;
    if (chunk >= kChunks) return false;
    return (g_bits[chunk / 64].load(std::memory_order_acquire) >> (chunk % 64)) & 1;
}

}  // namespace hakmem

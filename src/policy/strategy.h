// The runtime Strategy: every policy value of the allocator in one place.
// Slow paths read it (relaxed loads) each time they need a value, so a new
// strategy - from HAKMEM_* options at start, hak_set_strategy(), or later the
// learner - takes effect on the next slow-path call. Never a compile-time
// constant: the fast paths do not depend on any of these.
#pragma once
#include <atomic>
#include <cstdint>

#include "os/os_memory.h"

struct hak_strategy;

namespace hakmem {

// Transparent huge pages (hak_strategy_t::huge_pages).
enum class HugePages : uint32_t { kOff = 0, kOn = 1, kLargeOnly = 2 };

struct Strategy {
    std::atomic<uint64_t> purge_delay_ms{250};
    std::atomic<uint64_t> segment_cache_max{8};
    std::atomic<uint32_t> purge_mode{0};
    // Large blocks (large/): see docs/OPTIONS.md for each.
    std::atomic<uint64_t> mmap_threshold{uint64_t{32} << 20};
    std::atomic<uint64_t> large_cache_max{uint64_t{64} << 20};
    std::atomic<uint64_t> purge_batch_bytes{uint64_t{4} << 20};
    std::atomic<uint32_t> huge_pages{static_cast<uint32_t>(HugePages::kLargeOnly)};
    std::atomic<uint32_t> purge_thread{1};

    uint64_t purge_delay() const { return purge_delay_ms.load(std::memory_order_relaxed); }
    uint64_t segment_cache() const { return segment_cache_max.load(std::memory_order_relaxed); }
    os::PurgeMode purge() const { return static_cast<os::PurgeMode>(purge_mode.load(std::memory_order_relaxed)); }
    uint64_t mmap_limit() const { return mmap_threshold.load(std::memory_order_relaxed); }
    uint64_t large_cache() const { return large_cache_max.load(std::memory_order_relaxed); }
    uint64_t purge_batch() const { return purge_batch_bytes.load(std::memory_order_relaxed); }
    HugePages huge() const { return static_cast<HugePages>(huge_pages.load(std::memory_order_relaxed)); }
};

Strategy& strategy();
void strategy_init_from_options();

// The C ABI view (hak_strategy_t), honouring the caller's struct_size.
int strategy_export(hak_strategy* out);
int strategy_import(const hak_strategy* in);

}  // namespace hakmem

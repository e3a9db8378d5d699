// The Strategy's fields, written once. Everything that handles a field by
// name is generated from this list: StrategyValues and its publication
// (strategy.h/.cpp), its HAKMEM_* option (Option enum and table,
// options.h/.cpp), validation, the copy to and from hak_strategy_t honouring
// struct_size (strategy.cpp, which also checks this list against the public
// struct at compile time), and the "strategy" object of the JSON report
// (stats/stats_json.cpp). The public header spells the fields out again: it is
// the ABI, and plain C.
//
// A row: X(type, name, option, env_name, kind, default, min, max, names, doc)
//   type, name  the member of hak_strategy_t, in the struct's order (new
//               fields are appended there and here)
//   option      its Option enumerator; env_name the variable that sets it
//   kind        how the option parses: kInt, kSize (k/m/g suffixes), kBool,
//               kEnum (value i is names[i])
//   min, max    the range options and hak_set_strategy accept
//
// The defaults and why:
//  - purge delay 250 ms: long enough that a program cycling through a phase
//    reuses its pages without faults, short enough that RSS visibly falls
//    within a second after a burst.
//  - 8 cached segments (32 MiB of address space, purged after the delay, so
//    not resident): absorbs thread churn without an mmap per new thread.
//  - MADV_DONTNEED: RSS falls immediately and is measurable; MADV_FREE
//    leaves pages counted in RSS until the kernel is under pressure.
//  - mmap threshold 32 MiB: the largest blocks of the seqaccess and
//    randaccess benchmarks (16 MiB) still reuse cached mappings; above it a
//    block is rare enough that one mmap and munmap do not matter next to
//    touching its memory.
//  - large cache 64 MiB resident: on the vm benchmark (6 live blocks of
//    256 KiB..8 MiB) the cache settles at about 12 mappings that are reused
//    with almost no page faults; 32 MiB costs 40% more faults, and peak RSS
//    stays below mimalloc's either way (docs/ARCHITECTURE.md, Large blocks).
//  - purge batch 4 MiB: releases happen in chunks of at least this much,
//    so a cache that overflows by one block does not cost a system call.
//  - huge pages for large blocks only: large blocks are written whole, so a
//    2 MiB page wastes nothing there; small pages are purged 64 KiB at a
//    time, which would split huge pages.
//  - purge thread on: RSS falls after a burst even if the program stops
//    calling the allocator; off for programs that must stay single-threaded
//    (unshare(CLONE_NEWUSER) fails in a multi-threaded process).
// Byte-valued fields go up to 1 TiB, which stands for "unlimited".
//
// Not in the Strategy: the telemetry sampling interval (HAKMEM_SAMPLE_BYTES).
// It is per thread and adaptive - each thread doubles or halves its own
// interval from the cost it measures (telemetry/sampler.h) - so there is no
// one process-wide value to publish; the option only fixes its start.
#pragma once
#include <cstdint>

namespace hakmem {
inline constexpr const char* kPurgeModeNames[] = {"dontneed", "free", nullptr};
inline constexpr const char* kHugePageNames[] = {"off", "on", "large", nullptr};
inline constexpr int64_t kStrategyMiB = int64_t{1} << 20;
inline constexpr int64_t kStrategyTiB = int64_t{1} << 40;
}  // namespace hakmem

// clang-format off
#define HAKMEM_STRATEGY_FIELDS(X)                                                                   \
    X(uint64_t, purge_delay_ms, kPurgeDelayMs, "HAKMEM_PURGE_DELAY_MS", kInt,                       \
      250, 0, 3600 * 1000, nullptr, "ms before free memory is released")                            \
    X(uint64_t, segment_cache_max, kSegmentCacheMax, "HAKMEM_SEGMENT_CACHE", kInt,                  \
      8, 0, 1024, nullptr, "free 4 MiB segments kept for reuse")                                    \
    X(uint32_t, purge_mode, kPurgeMode, "HAKMEM_PURGE_MODE", kEnum,                                 \
      0, 0, 1, ::hakmem::kPurgeModeNames, "how memory is released: dontneed | free")                \
    X(uint64_t, mmap_threshold, kMmapThreshold, "HAKMEM_MMAP_THRESHOLD", kSize,                     \
      32 * ::hakmem::kStrategyMiB, 0, ::hakmem::kStrategyTiB, nullptr,                              \
      "bytes; larger blocks bypass the large cache (mmap/munmap each)")                             \
    X(uint64_t, large_cache_max, kLargeCache, "HAKMEM_LARGE_CACHE", kSize,                          \
      64 * ::hakmem::kStrategyMiB, 0, ::hakmem::kStrategyTiB, nullptr,                              \
      "bytes of freed large blocks kept resident for reuse (0 = no cache)")                         \
    X(uint64_t, purge_batch_bytes, kPurgeBatch, "HAKMEM_PURGE_BATCH", kSize,                        \
      4 * ::hakmem::kStrategyMiB, 0, ::hakmem::kStrategyTiB, nullptr,                               \
      "bytes collected before released memory goes to the OS in one batch")                         \
    X(uint32_t, huge_pages, kHugePages, "HAKMEM_HUGE_PAGES", kEnum,                                 \
      2, 0, 2, ::hakmem::kHugePageNames, "transparent huge pages: off | on | large")                \
    X(uint32_t, purge_thread, kPurgeThread, "HAKMEM_PURGE_THREAD", kBool,                           \
      1, 0, 1, nullptr, "a background thread releases memory after the purge delay")

// Members of hak_strategy_t that are not Strategy fields (padding made
// explicit): X(type, name). The compile-time layout check counts them.
#define HAKMEM_STRATEGY_ABI_RESERVED(X) X(uint32_t, reserved0)
// clang-format on

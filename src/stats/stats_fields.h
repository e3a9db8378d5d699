// The fields of hak_stats_t, written once. Generated from this list: the
// copy into the caller's struct honouring struct_size and the compile-time
// check of the list against the public struct (stats.cpp), the
// HAKMEM_SHOW_STATS summary (stats.cpp), and the "stats" object of the JSON
// report (stats_json.cpp). Where each value comes from is stats.cpp's
// collect(), one assignment per field. The public header spells the fields
// out again: it is the ABI, and plain C.
//
// A row: X(name, unit, line, label) - every field is a uint64_t member of
// hak_stats_t, in the struct's order (new fields are appended there and here).
//   unit   how the summary shows it: kCount (a number), kKiB (bytes, shown
//          in KiB), kOnOff
//   line   which summary line it is on (StatsLine in stats.cpp)
//   label  its words in the summary
#pragma once

// clang-format off
#define HAKMEM_STATS_FIELDS(X)                                              \
    X(allocs,                   kCount, kBlocks,    "allocs")              \
    X(frees,                    kCount, kBlocks,    "frees")               \
    X(bytes_current,            kKiB,   kBlocks,    "live")                \
    X(bytes_peak,               kKiB,   kBlocks,    "peak live")           \
    X(mmap_calls,               kCount, kOs,        "mmap")                \
    X(munmap_calls,             kCount, kOs,        "munmap")              \
    X(madvise_calls,            kCount, kOs,        "madvise")             \
    X(bytes_mapped,             kKiB,   kOs,        "mapped")              \
    X(bytes_purged,             kKiB,   kOs,        "purged")              \
    X(large_allocs,             kCount, kBlocks,    "large allocs")        \
    X(segments_reclaimed,       kCount, kBlocks,    "segments reclaimed")  \
    X(rss_bytes,                kKiB,   kProcess,   "RSS")                 \
    X(threads_active,           kCount, kBlocks,    "threads")             \
    X(telemetry_samples,        kCount, kTelemetry, "samples")             \
    X(telemetry_sampled_frees,  kCount, kTelemetry, "sampled frees")       \
    X(telemetry_sites,          kCount, kTelemetry, "sites")               \
    X(telemetry_folded_samples, kCount, kTelemetry, "folded samples")      \
    X(telemetry_sample_bytes,   kCount, kTelemetry, "bytes per sample")    \
    X(mmap_bytes,               kKiB,   kOs,        "mapped in total")     \
    X(munmap_bytes,             kKiB,   kOs,        "unmapped in total")   \
    X(mremap_calls,             kCount, kOs,        "mremap")              \
    X(madvise_ranges,           kCount, kOs,        "madvise ranges")      \
    X(purge_batches,            kCount, kOs,        "purge batches")       \
    X(large_cache_hits,         kCount, kLarge,     "hits")                \
    X(large_cache_misses,       kCount, kLarge,     "misses")              \
    X(large_cache_bytes,        kKiB,   kLarge,     "cached")              \
    X(large_cache_purged_bytes, kKiB,   kLarge,     "cached released")     \
    X(large_cache_purged,       kKiB,   kLarge,     "purged")              \
    X(large_realloc_in_place,   kCount, kLarge,     "reallocs without copy")\
    X(page_faults_minor,        kCount, kProcess,   "minor faults")        \
    X(page_faults_major,        kCount, kProcess,   "major faults")        \
    X(purge_thread_running,     kOnOff, kProcess,   "purge thread")        \
    X(purge_thread_wakeups,     kCount, kProcess,   "purge thread runs")   \
    X(large_cache_to_segments,  kCount, kLarge,     "became segments")
// clang-format on

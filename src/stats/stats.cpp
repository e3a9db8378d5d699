#include "stats/stats.h"

#include <cstring>

#include "core/heap_counters.h"
#include "hakmem/hakmem.h"
#include "os/os_memory.h"
#include "os/os_print.h"

namespace hakmem {
namespace {

hak_stats_t collect() {
    counters_sample_peak();
    MergedCounters m = counters_merge();
    os::OsCounters os = os::os_counters();
    hak_stats_t s{};
    s.struct_size = sizeof s;
    s.allocs = m.allocs;
    s.frees = m.frees;
    s.bytes_current = m.bytes_current;
    s.bytes_peak = counters_peak_bytes();
    if (s.bytes_peak < s.bytes_current) s.bytes_peak = s.bytes_current;
    s.mmap_calls = os.mmap_calls;
    s.munmap_calls = os.munmap_calls;
    s.madvise_calls = os.madvise_calls;
    s.bytes_mapped = os.bytes_mapped;
    s.bytes_purged = os.bytes_purged;
    s.large_allocs = m.large_allocs;
    s.segments_reclaimed = m.segments_reclaimed;
    s.rss_bytes = os::resident_bytes();
    s.threads_active = m.threads_active;
    return s;
}

}  // namespace

int stats_export(hak_stats* out) {
    if (out == nullptr || out->struct_size < sizeof(size_t)) return HAK_E_INVALID;
    hak_stats_t s = collect();
    size_t caller_size = out->struct_size;
    // An older client's smaller struct is filled only as far as it reaches.
    memcpy(out, &s, caller_size < sizeof s ? caller_size : sizeof s);
    out->struct_size = caller_size;
    return HAK_OK;
}

void stats_print() {
    hak_stats_t s = collect();
    constexpr unsigned long long kKiB = 1024;
    os::print_raw(
        "hakmem stats: allocs %llu, frees %llu, live %llu KiB (peak %llu KiB), large allocs %llu\n"
        "hakmem stats: mmap %llu, munmap %llu, madvise %llu, mapped %llu KiB, purged %llu KiB, RSS %llu KiB, "
        "threads %llu, segments reclaimed %llu\n",
        (unsigned long long)s.allocs, (unsigned long long)s.frees, (unsigned long long)s.bytes_current / kKiB,
        (unsigned long long)s.bytes_peak / kKiB, (unsigned long long)s.large_allocs,
        (unsigned long long)s.mmap_calls, (unsigned long long)s.munmap_calls, (unsigned long long)s.madvise_calls,
        (unsigned long long)s.bytes_mapped / kKiB, (unsigned long long)s.bytes_purged / kKiB,
        (unsigned long long)s.rss_bytes / kKiB, (unsigned long long)s.threads_active,
        (unsigned long long)s.segments_reclaimed);
}

}  // namespace hakmem

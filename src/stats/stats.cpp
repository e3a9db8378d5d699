#include "stats/stats.h"

#include <cstring>
#include <sys/resource.h>

#include "core/heap_counters.h"
#include "hakmem/hakmem.h"
#include "large/large.h"
#include "large/large_cache.h"
#include "os/background.h"
#include "os/os_memory.h"
#include "os/os_print.h"
#include "os/purge_batch.h"
#include "telemetry/telemetry.h"

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
    TelemetryCounters t = telemetry_counters();
    s.telemetry_samples = t.samples;
    s.telemetry_sampled_frees = t.sampled_frees;
    s.telemetry_sites = t.sites;
    s.telemetry_folded_samples = t.folded_samples;
    s.telemetry_sample_bytes = t.sample_bytes;
    // The large path and the OS: process-wide counters of slow paths (global
    // relaxed atomics; the large cache's are kept under its lock anyway).
    s.mmap_bytes = os.mmap_bytes;
    s.munmap_bytes = os.munmap_bytes;
    s.mremap_calls = os.mremap_calls;
    s.madvise_ranges = os.purge_ranges;
    s.purge_batches = os::purge_batch_counters().flushes;
    LargeCacheStats lc = large_cache_stats();
    s.large_cache_hits = lc.hits;
    s.large_cache_misses = lc.misses;
    s.large_cache_bytes = lc.resident_bytes;
    s.large_cache_purged_bytes = lc.purged_bytes;
    s.large_cache_purged = lc.released_bytes;
    s.large_realloc_in_place = large_realloc_in_place_count();
    rusage ru{};
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        s.page_faults_minor = static_cast<uint64_t>(ru.ru_minflt);
        s.page_faults_major = static_cast<uint64_t>(ru.ru_majflt);
    }
    os::BackgroundCounters bg = os::background_counters();
    s.purge_thread_running = bg.running;
    s.purge_thread_wakeups = bg.wakeups;
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
    using ull = unsigned long long;
    os::print_raw(
        "hakmem stats: mapped %llu KiB in, %llu KiB out, mremap %llu, madvise ranges %llu in %llu batches, "
        "page faults %llu minor, %llu major\n"
        "hakmem stats: large cache %llu hits, %llu misses, %llu KiB cached (%llu KiB released address space), "
        "%llu KiB purged, %llu reallocs without copy, purge thread %s (%llu runs)\n",
        (ull)s.mmap_bytes / kKiB, (ull)s.munmap_bytes / kKiB, (ull)s.mremap_calls, (ull)s.madvise_ranges,
        (ull)s.purge_batches, (ull)s.page_faults_minor, (ull)s.page_faults_major, (ull)s.large_cache_hits,
        (ull)s.large_cache_misses, (ull)s.large_cache_bytes / kKiB, (ull)s.large_cache_purged_bytes / kKiB,
        (ull)s.large_cache_purged / kKiB, (ull)s.large_realloc_in_place, s.purge_thread_running ? "on" : "off",
        (ull)s.purge_thread_wakeups);
}

}  // namespace hakmem

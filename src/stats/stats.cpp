#include "stats/stats.h"

#include <cstddef>
#include <cstdio>
#include <sys/resource.h>
#include <type_traits>

#include "core/heap_counters.h"
#include "hakmem/hakmem.h"
#include "large/large.h"
#include "large/large_cache.h"
#include "os/background.h"
#include "os/os_memory.h"
#include "os/os_print.h"
#include "os/purge_batch.h"
#include "stats/stats_fields.h"
#include "telemetry/telemetry.h"

namespace hakmem {
namespace {

// ---- the list against the public struct -----------------------------------
// Every field is a uint64_t, in the struct's order, and together with
// struct_size they are the whole struct: a member added to hak_stats_t but
// not to stats_fields.h (or the other way round) fails to compile here.
#define HAKMEM_CHECK_TYPE(name, ...) \
    static_assert(std::is_same_v<decltype(hak_stats_t::name), uint64_t>, #name ": not a uint64_t in hakmem.h");
HAKMEM_STATS_FIELDS(HAKMEM_CHECK_TYPE)
#undef HAKMEM_CHECK_TYPE
#define HAKMEM_SIZE_OF(name, ...) +sizeof(uint64_t)
static_assert(sizeof(size_t) HAKMEM_STATS_FIELDS(HAKMEM_SIZE_OF) == sizeof(hak_stats_t),
              "hak_stats_t has members stats/stats_fields.h does not list");
#undef HAKMEM_SIZE_OF
constexpr size_t kFieldOffsets[] = {
#define HAKMEM_OFFSET_OF(name, ...) offsetof(hak_stats_t, name),
    HAKMEM_STATS_FIELDS(HAKMEM_OFFSET_OF)
#undef HAKMEM_OFFSET_OF
};
constexpr bool offsets_follow_the_struct() {
    for (size_t i = 0; i < sizeof kFieldOffsets / sizeof kFieldOffsets[0]; ++i)
        if (kFieldOffsets[i] != sizeof(size_t) + i * sizeof(uint64_t)) return false;
    return true;
}
static_assert(offsets_follow_the_struct(), "stats/stats_fields.h lists the fields out of the struct's order");

// ---- the summary's layout -----------------------------------------------------
enum class StatsUnit { kCount, kKiB, kOnOff };
enum class StatsLine { kBlocks, kOs, kLarge, kTelemetry, kProcess };
struct LineTitle {
    StatsLine line;
    const char* title;
};
// The first line names hakmem alone: it is what a reader looks for.
constexpr LineTitle kLines[] = {{StatsLine::kBlocks, ""},
                                {StatsLine::kOs, " (os)"},
                                {StatsLine::kLarge, " (large cache)"},
                                {StatsLine::kTelemetry, " (telemetry)"},
                                {StatsLine::kProcess, " (process)"}};

template <class Append>
void append_field(Append& append, const char* sep, const char* label, StatsUnit unit, uint64_t v) {
    using ull = unsigned long long;
    switch (unit) {
        case StatsUnit::kCount: append("%s%s %llu", sep, label, (ull)v); break;
        case StatsUnit::kKiB: append("%s%s %llu KiB", sep, label, (ull)(v / 1024)); break;
        case StatsUnit::kOnOff: append("%s%s %s", sep, label, v ? "on" : "off"); break;
    }
}

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
    s.large_cache_to_segments = lc.to_segments;
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
    // An older client's smaller struct is filled only as far as it reaches:
    // each whole field that fits.
    size_t size = out->struct_size;
#define HAKMEM_EXPORT(name, ...) \
    if (offsetof(hak_stats_t, name) + sizeof s.name <= size) out->name = s.name;
    HAKMEM_STATS_FIELDS(HAKMEM_EXPORT)
#undef HAKMEM_EXPORT
    return HAK_OK;
}

// The summary: one line per StatsLine, each field as "label value".
void stats_print(int fd) {
    hak_stats_t s = collect();
    for (const LineTitle& line : kLines) {
        char text[768];
        size_t len = 0;
        auto append = [&](const char* fmt, auto... args) {
            int n = snprintf(text + len, sizeof text - len, fmt, args...);
            if (n > 0) len += static_cast<size_t>(n) < sizeof text - len ? static_cast<size_t>(n) : sizeof text - len - 1;
        };
        append("hakmem stats%s:", line.title);
        const char* sep = " ";
#define HAKMEM_SUMMARY(name, unit, on_line, label)                       \
        if (StatsLine::on_line == line.line) {                         \
            append_field(append, sep, label, StatsUnit::unit, s.name);  \
            sep = ", ";                                                 \
        }
        HAKMEM_STATS_FIELDS(HAKMEM_SUMMARY)
#undef HAKMEM_SUMMARY
        os::print_to(fd, "%s\n", text);
    }
}

}  // namespace hakmem

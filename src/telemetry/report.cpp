#include "telemetry/report.h"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include "os/os_file.h"
#include "os/os_lock.h"
#include "os/os_print.h"
#include "telemetry/json_file.h"
#include "telemetry/sampled_heap.h"
#include "telemetry/site_stats.h"
#include "telemetry/telemetry.h"

namespace hakmem {
namespace {

using telemetry::kOverflowSite;
using telemetry::SiteTable;

// ---- ranking (fold lock held) --------------------------------------------

struct Rank {
    uint64_t bytes;
    uint32_t index;
};
Rank g_ranks[SiteTable::kEntries];  // scratch, used under the fold lock only

// Sites with at least one sample, most bytes first. Bytes are read once
// into the scratch array so the sort sees values that do not change.
uint32_t rank_sites() {
    if (!telemetry::site_stats_ready()) return 0;
    uint32_t n = 0;
    for (uint32_t i = 0; i < SiteTable::kEntries; ++i) {
        telemetry::SiteCounters& c = telemetry::site_counters(i);
        if (c.samples.load(std::memory_order_relaxed) == 0) continue;
        g_ranks[n++] = Rank{c.bytes.load(std::memory_order_relaxed), i};
    }
    std::sort(g_ranks, g_ranks + n, [](const Rank& a, const Rank& b) {
        return a.bytes != b.bytes ? a.bytes > b.bytes : a.index < b.index;
    });
    return n;
}

// The report's copy of the sites, so that naming them (dladdr, which takes
// the loader's lock, whose holder may be allocating) runs without the fold
// lock. Guarded by g_report_lock, which no allocation path takes.
os::Lock g_report_lock;
hak_site_stats_t g_rows[SiteTable::kEntries];

uint32_t snapshot_sites(uint32_t max) {
    uint32_t n = 0;
    telemetry::with_folded_sites([&] {
        n = std::min(rank_sites(), max);
        for (uint32_t i = 0; i < n; ++i) {
            g_rows[i].struct_size = sizeof g_rows[i];
            telemetry::site_summary(g_ranks[i].index, &g_rows[i]);
        }
    });
    return n;
}

// ---- naming a site ---------------------------------------------------------

struct SiteName {
    char location[320];  // file:line, symbol+0xoff, or module+0xoff
    char module[256];    // the object file holding the address ("" if none)
    uintptr_t module_offset;
};

const char* base_name(const char* path) {
    const char* slash = strrchr(path, '/');
    return slash != nullptr ? slash + 1 : path;
}

void name_site(uintptr_t site, SiteName* out) {
    out->location[0] = out->module[0] = 0;
    out->module_offset = 0;
    if (site == HAK_SITE_UNKNOWN) {
        snprintf(out->location, sizeof out->location, "(unknown site)");
        return;
    }
    if (site == HAK_SITE_OVERFLOW) {
        snprintf(out->location, sizeof out->location, "(other sites: table full)");
        return;
    }
    Dl_info info;
    if ((site & HAK_SITE_STATIC_TAG) != 0) {
        // A HAK_SITE() record: trust it only inside a loaded object (a record
        // of an unloaded library would be unmapped) and with its magic.
        const auto* rec = reinterpret_cast<const hak_site_info_t*>(site & ~HAK_SITE_STATIC_TAG);
        if (dladdr(rec, &info) != 0 && rec->magic == HAK_SITE_MAGIC && rec->file != nullptr) {
            snprintf(out->location, sizeof out->location, "%s:%u", rec->file, rec->line);
            snprintf(out->module, sizeof out->module, "%s", info.dli_fname ? info.dli_fname : "");
            out->module_offset = reinterpret_cast<uintptr_t>(rec) - reinterpret_cast<uintptr_t>(info.dli_fbase);
            return;
        }
        snprintf(out->location, sizeof out->location, "site 0x%llx", static_cast<unsigned long long>(site));
        return;
    }
    // A return address: look up the byte before it, which belongs to the call
    // instruction (a call at the very end of a function returns to the next).
    if (dladdr(reinterpret_cast<void*>(site - 1), &info) == 0 || info.dli_fname == nullptr) {
        snprintf(out->location, sizeof out->location, "0x%llx", static_cast<unsigned long long>(site));
        return;
    }
    snprintf(out->module, sizeof out->module, "%s", info.dli_fname);
    out->module_offset = site - reinterpret_cast<uintptr_t>(info.dli_fbase);
    if (info.dli_sname != nullptr && info.dli_saddr != nullptr) {
        snprintf(out->location, sizeof out->location, "%s+0x%llx", info.dli_sname,
                 static_cast<unsigned long long>(site - reinterpret_cast<uintptr_t>(info.dli_saddr)));
    } else {
        snprintf(out->location, sizeof out->location, "%s+0x%llx", base_name(info.dli_fname),
                 static_cast<unsigned long long>(out->module_offset));
    }
}

// ---- the table --------------------------------------------------------------

// `v` in at most 5 characters with a unit: 1023, 12K, 431M, 2G.
void scaled(char* buf, size_t n, uint64_t v, const char* const* units, const uint64_t* steps) {
    unsigned u = 0;
    while (units[u + 1] != nullptr && v >= steps[u] * 10) v /= steps[u], ++u;
    snprintf(buf, n, "%llu%s", static_cast<unsigned long long>(v), units[u]);
}
void bytes_text(char* buf, size_t n, uint64_t v) {
    static const char* const kUnits[] = {"", "K", "M", "G", "T", nullptr};
    static const uint64_t kSteps[] = {1024, 1024, 1024, 1024};
    scaled(buf, n, v, kUnits, kSteps);
}
void count_text(char* buf, size_t n, uint64_t v) {
    static const char* const kUnits[] = {"", "k", "M", "G", "T", nullptr};
    static const uint64_t kSteps[] = {1000, 1000, 1000, 1000};
    scaled(buf, n, v, kUnits, kSteps);
}
void time_text(char* buf, size_t n, uint64_t ns, uint64_t samples) {
    if (samples == 0) {
        snprintf(buf, n, "-");
        return;
    }
    static const char* const kUnits[] = {"ns", "us", "ms", "s", nullptr};
    static const uint64_t kSteps[] = {1000, 1000, 1000};
    scaled(buf, n, ns, kUnits, kSteps);
}

constexpr uint32_t kPrintedSites = 20;

// ---- JSON ---------------------------------------------------------------------

void write_site(JsonFile& j, const hak_site_stats_t& r, bool last) {
    SiteName name;
    name_site(r.site, &name);
    j.format("    {\"site\": \"0x%llx\", \"location\": ", static_cast<unsigned long long>(r.site));
    j.string(name.location);
    j.raw(", \"module\": ");
    j.string(name.module);
    j.format(", \"module_offset\": \"0x%llx\", ", static_cast<unsigned long long>(name.module_offset));
    j.field("samples", r.samples);
    j.field("allocs", r.allocs);
    j.field("bytes", r.bytes);
    j.field("live_bytes", r.live_bytes);
    j.field("peak_live_bytes", r.peak_live_bytes);
    j.field("size_p50", r.size_p50);
    j.field("size_p95", r.size_p95);
    j.field("size_p99", r.size_p99);
    j.field("freed_samples", r.freed_samples);
    j.field("lifetime_p50_ns", r.lifetime_p50_ns);
    j.field("lifetime_p95_ns", r.lifetime_p95_ns);
    j.field("lifetime_p99_ns", r.lifetime_p99_ns, true);
    j.raw(last ? "}\n" : "},\n");
}


}  // namespace

int telemetry_site_stats(hak_site_stats_t* out, size_t* count) {
    if (out == nullptr || count == nullptr || out->struct_size < sizeof(size_t)) return HAK_E_INVALID;
    size_t stride = out->struct_size;
    size_t filled = 0;
    if (telemetry::site_stats_ready()) {
        telemetry::with_folded_sites([&] {
            uint32_t n = rank_sites();
            for (; filled < *count && filled < n; ++filled) {
                auto* e = reinterpret_cast<hak_site_stats_t*>(reinterpret_cast<char*>(out) + filled * stride);
                e->struct_size = stride;
                telemetry::site_summary(g_ranks[filled].index, e);
            }
        });
    }
    *count = filled;
    return HAK_OK;
}

void telemetry_print_sites(int fd) {
    if (!telemetry_enabled() || !telemetry::site_stats_ready()) {
        os::print_to(fd, "hakmem telemetry: off\n");
        return;
    }
    TelemetryCounters tc = telemetry_counters();
    char interval[16];
    bytes_text(interval, sizeof interval, tc.sample_bytes);
    os::print_to(fd, "hakmem telemetry: %llu samples (1 per %sB allocated%s), %llu sites, %llu folded samples\n",
                 static_cast<unsigned long long>(tc.samples), interval, tc.adaptive ? " or less often, adaptive" : "",
                 static_cast<unsigned long long>(tc.sites), static_cast<unsigned long long>(tc.folded_samples));
    os::LockGuard guard(g_report_lock);
    uint32_t n = snapshot_sites(SiteTable::kEntries);
    if (n == 0) return;
    os::print_to(fd, "hakmem sites: %6s %6s %6s %6s %6s %6s %6s %6s  %s\n", "bytes", "count", "size50", "size95",
                 "life50", "life95", "live", "peak", "site");
    for (uint32_t i = 0; i < n && i < kPrintedSites; ++i) {
        const hak_site_stats_t& r = g_rows[i];
        char b[16], c[16], s50[16], s95[16], l50[16], l95[16], live[16], peak[16];
        bytes_text(b, sizeof b, r.bytes);
        count_text(c, sizeof c, r.allocs);
        bytes_text(s50, sizeof s50, r.size_p50);
        bytes_text(s95, sizeof s95, r.size_p95);
        time_text(l50, sizeof l50, r.lifetime_p50_ns, r.freed_samples);
        time_text(l95, sizeof l95, r.lifetime_p95_ns, r.freed_samples);
        bytes_text(live, sizeof live, r.live_bytes);
        bytes_text(peak, sizeof peak, r.peak_live_bytes);
        SiteName name;
        name_site(r.site, &name);
        os::print_to(fd, "hakmem sites: %6s %6s %6s %6s %6s %6s %6s %6s  %s\n", b, c, s50, s95, l50, l95, live,
                     peak, name.location);
    }
    if (n > kPrintedSites)
        os::print_to(fd, "hakmem sites: ... %u more (HAKMEM_STATS_JSON has all)\n", n - kPrintedSites);
}

// The report is written through os::replace_file: a fresh temporary file
// beside the final one, renamed over it, so readers never see a partial
// write and concurrent writers (threads, or processes sharing the path) all
// succeed. The temporary name is unpredictable and created exclusively:
// with a fixed `<path>.tmp.<pid>` opened with O_TRUNC, a symlink planted
// there redirected the write to any file the process could write, and two
// threads truncated each other's output.
int telemetry_write_json(const char* path, JsonHead head) {
    if (path == nullptr || *path == 0) return HAK_E_INVALID;
    os::ReplaceResult r = os::replace_file(path, [head](int fd) {
        JsonFile j(fd);
        j.format("{\n  \"hakmem_abi\": \"%u.%u\",\n  \"pid\": %d,\n", HAKMEM_ABI_VERSION_MAJOR,
                 HAKMEM_ABI_VERSION_MINOR, static_cast<int>(getpid()));
        if (head != nullptr) head(j);
        j.format("  \"telemetry\": {\"enabled\": %s, \"adaptive\": %s, \"live_sampled_small_blocks\": %llu, "
                 "\"dropped_sketch_values\": %llu},\n",
                 telemetry_enabled() ? "true" : "false", telemetry_counters().adaptive ? "true" : "false",
                 static_cast<unsigned long long>(telemetry::sampled_heap_live_records()),
                 static_cast<unsigned long long>(telemetry::site_stats_ready() ? telemetry::sketch_values_dropped()
                                                                               : 0));
        j.raw("  \"sites\": [\n");
        if (telemetry::site_stats_ready()) {
            os::LockGuard guard(g_report_lock);
            uint32_t n = snapshot_sites(SiteTable::kEntries);
            for (uint32_t i = 0; i < n; ++i) write_site(j, g_rows[i], i + 1 == n);
        }
        j.raw("  ]\n}\n");
        return j.flush();
    });
    return r == os::ReplaceResult::kOk ? HAK_OK : r == os::ReplaceResult::kBadPath ? HAK_E_INVALID : HAK_E_IO;
}

void telemetry_report_lock() { g_report_lock.lock(); }
void telemetry_report_unlock() { g_report_lock.unlock(); }
void telemetry_report_reset_in_child() { g_report_lock.reset_in_child(); }

}  // namespace hakmem

#include "telemetry/heap_profile.h"

#include <algorithm>
#include <new>

#include "hakmem/hakmem.h"
#include "os/os_file.h"
#include "os/os_memory.h"
#include "telemetry/fastmath.h"
#include "telemetry/file_writer.h"
#include "telemetry/proc_maps.h"
#include "telemetry/site_stats.h"
#include "telemetry/telemetry.h"

namespace hakmem {
namespace telemetry {
namespace {

struct Line {
    uintptr_t address;
    ProfileCounts inuse, alloc;
};

// What one write needs besides the stack: mapped from the OS for the
// write (about 100 KiB) and unmapped after it, so concurrent writers share
// nothing and no lock is held across fork.
struct Scratch {
    CodeRanges code;
    Line lines[SiteTable::kEntries];
};

double fixed_to_count(int64_t fixed) { return static_cast<double>(fixed) / (1 << kCountFractionBits); }

// The address pprof looks up for a site. A return address (inside code)
// becomes the byte before it, which belongs to the call instruction: pprof
// takes a stack's first frame as a program counter and does not adjust it,
// and a return address can be the first byte of the next line or function.
// An explicit id (hak_alloc_at: a HAK_SITE() record, tagged, or any integer)
// is written as it is, the same value as the JSON report's "site".
uintptr_t profile_address(uintptr_t site, const CodeRanges& code) {
    if ((site & HAK_SITE_STATIC_TAG) == 0 && site != 0 && code.contains(site - 1)) return site - 1;
    return site;
}

// The lines of every sampled site, most live bytes first. Counters are
// read once each, so the header's totals are the sums of the lines.
size_t collect_lines(Scratch& s, uint64_t period) {
    if (!site_stats_ready()) return 0;
    size_t n = 0;
    for (uint32_t i = 0; i < SiteTable::kEntries; ++i) {
        SiteCounters& c = site_counters(i);
        if (c.samples.load(std::memory_order_relaxed) == 0) continue;
        uintptr_t site = i == kOverflowSite ? HAK_SITE_OVERFLOW : site_table().site_at(i);
        // Live before allocated: with threads still allocating, what is
        // live when read was allocated before the allocations are read.
        int64_t live_fixed = c.live_allocs_fixed.load(std::memory_order_relaxed);
        int64_t live_bytes = c.live_bytes.load(std::memory_order_relaxed);
        uint64_t allocs_fixed = c.allocs_fixed.load(std::memory_order_relaxed);
        uint64_t bytes = c.bytes.load(std::memory_order_relaxed);
        Line line{profile_address(site, s.code), {}, {}};
        line.inuse = profile_counts(fixed_to_count(live_fixed), static_cast<double>(live_bytes), period);
        line.alloc =
            profile_counts(fixed_to_count(static_cast<int64_t>(allocs_fixed)), static_cast<double>(bytes), period);
        if (line.alloc.objects == 0 && line.inuse.objects == 0) continue;
        s.lines[n++] = line;
    }
    std::sort(s.lines, s.lines + n, [](const Line& a, const Line& b) {
        if (a.inuse.bytes != b.inuse.bytes) return a.inuse.bytes > b.inuse.bytes;
        if (a.alloc.bytes != b.alloc.bytes) return a.alloc.bytes > b.alloc.bytes;
        return a.address < b.address;
    });
    return n;
}

void write_counts(FileWriter& out, const ProfileCounts& inuse, const ProfileCounts& alloc) {
    out.format("%llu: %llu [%llu: %llu] @", static_cast<unsigned long long>(inuse.objects),
               static_cast<unsigned long long>(inuse.bytes), static_cast<unsigned long long>(alloc.objects),
               static_cast<unsigned long long>(alloc.bytes));
}

bool write_profile(int fd, Scratch& s) {
    uint64_t period = telemetry_sample_bytes();
    s.code.load_self();  // unreadable: every site is written as it is
    size_t n = collect_lines(s, period);
    ProfileCounts inuse{0, 0}, alloc{0, 0};
    for (size_t i = 0; i < n; ++i) {
        inuse.objects += s.lines[i].inuse.objects, inuse.bytes += s.lines[i].inuse.bytes;
        alloc.objects += s.lines[i].alloc.objects, alloc.bytes += s.lines[i].alloc.bytes;
    }
    FileWriter out(fd);
    out.raw("heap profile: ");
    write_counts(out, inuse, alloc);
    out.format(" heap_v2/%llu\n", static_cast<unsigned long long>(period));
    for (size_t i = 0; i < n; ++i) {
        write_counts(out, s.lines[i].inuse, s.lines[i].alloc);
        out.format(" 0x%016llx\n", static_cast<unsigned long long>(s.lines[i].address));
    }
    out.raw("\nMAPPED_LIBRARIES:\n");
    if (!copy_self_maps(out)) out.fail();
    return out.flush();
}

}  // namespace

ProfileCounts profile_counts(double est_objects, double est_bytes, uint64_t period) {
    if (!(est_objects > 0) || !(est_bytes > 0) || period == 0) return ProfileCounts{0, 0};
    double q = fastmath::one_minus_exp_neg(est_bytes / est_objects / static_cast<double>(period));
    uint64_t objects = fastmath::round_u64(est_objects * q);
    // Less than half a sample at R: nothing pprof could un-sample (a count
    // of 0 with bytes is refused by pprof).
    if (objects == 0) return ProfileCounts{0, 0};
    return ProfileCounts{objects, fastmath::round_u64(est_bytes * q)};
}

}  // namespace telemetry

int telemetry_write_heap_profile(const char* path) {
    if (path == nullptr || *path == 0) return HAK_E_INVALID;
    void* mem = os::map(sizeof(telemetry::Scratch));
    if (mem == nullptr) return HAK_E_IO;
    auto* scratch = new (mem) telemetry::Scratch;  // a fresh mapping is zero: nothing to clear
    os::ReplaceResult r = os::replace_file(path, [scratch](int fd) { return telemetry::write_profile(fd, *scratch); });
    os::unmap(mem, sizeof(telemetry::Scratch));
    return r == os::ReplaceResult::kOk ? HAK_OK : r == os::ReplaceResult::kBadPath ? HAK_E_INVALID : HAK_E_IO;
}

}  // namespace hakmem

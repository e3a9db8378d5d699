// How hakmem maps onto glibc's mallinfo fields. glibc splits its memory
// into one sbrk arena and separate mmapped chunks; every hakmem block,
// small or large, lives in memory mapped for it, so it is all one "arena":
//   arena    = bytes mapped from the OS now (segments and large mappings,
//              including free and purged pages: address space hakmem holds)
//   uordblks = bytes in live blocks (usable sizes)
//   fordblks = arena - uordblks: free blocks, free pages, cached mappings
//              and metadata
//   keepcost = freed large blocks kept resident in the cache: what
//              malloc_trim returns at once beyond the small pages
//   hblks, hblkhd = 0: large mappings are already inside `arena`; counting
//              them again would make arena + hblkhd (a common "total")
//              count them twice
//   ordblks, smblks, usmblks, fsmblks = 0: hakmem keeps no free-chunk
//              lists to count, and glibc itself always reports usmblks 0
// malloc_trim(pad) is hak_collect(1); pad is ignored, since hakmem has no
// top of heap to leave padding at.
#include "api/mallinfo.h"

#include <cerrno>
#include <climits>

#include "hakmem/hakmem.h"
#include "os/os_memory.h"
#include "os/os_print.h"
#include "stats/stats.h"

namespace hakmem {
namespace {

hak_stats_t current_stats() {
    hak_stats_t s{};
    s.struct_size = sizeof s;
    stats_export(&s);
    return s;
}

int clamp_int(size_t v) { return v > static_cast<size_t>(INT_MAX) ? INT_MAX : static_cast<int>(v); }

// Bytes hakmem has given back to the OS so far (purged or unmapped).
uint64_t released_bytes() {
    os::OsCounters c = os::os_counters();
    return c.bytes_purged + c.munmap_bytes;
}

}  // namespace

struct mallinfo2 mallinfo2_impl() {
    hak_stats_t s = current_stats();
    struct mallinfo2 mi{};
    mi.arena = s.bytes_mapped;
    mi.uordblks = s.bytes_current;
    mi.fordblks = s.bytes_mapped > s.bytes_current ? s.bytes_mapped - s.bytes_current : 0;
    mi.keepcost = s.large_cache_bytes;
    return mi;
}

struct mallinfo mallinfo_impl() {
    // glibc truncates to int; clamping at least keeps the values positive
    // and ordered for a heap above 2 GiB.
    struct mallinfo2 m = mallinfo2_impl();
    struct mallinfo mi{};
    mi.arena = clamp_int(m.arena);
    mi.uordblks = clamp_int(m.uordblks);
    mi.fordblks = clamp_int(m.fordblks);
    mi.keepcost = clamp_int(m.keepcost);
    return mi;
}

int malloc_trim_impl(size_t) {
    // glibc returns 1 when memory was released. The purge thread may
    // release something at the same moment and make this 1 as well: still
    // true of the call's effect on the process.
    uint64_t before = released_bytes();
    hak_collect(1);
    return released_bytes() > before ? 1 : 0;
}

void malloc_stats_impl() {
    // glibc's layout, one arena; written with write(2) like the rest of
    // hakmem's diagnostics (no stdio buffer, no allocation).
    struct mallinfo2 m = mallinfo2_impl();
    using ull = unsigned long long;
    os::print_raw(
        "Arena 0:\n"
        "system bytes     = %10llu\n"
        "in use bytes     = %10llu\n"
        "Total (incl. mmap):\n"
        "system bytes     = %10llu\n"
        "in use bytes     = %10llu\n"
        "max mmap regions = %10llu\n"
        "max mmap bytes   = %10llu\n",
        (ull)m.arena, (ull)m.uordblks, (ull)m.arena, (ull)m.uordblks, (ull)m.hblks, (ull)m.hblkhd);
}

int malloc_info_impl(int options, FILE* fp) {
    // The manual page's contract: -1 with errno EINVAL. (glibc 2.36 itself
    // returns EINVAL as the value and leaves errno alone; callers that test
    // for nonzero work with both.)
    if (options != 0 || fp == nullptr) {
        errno = EINVAL;
        return -1;
    }
    // The statistics are taken first: fprintf may call malloc (ours), which
    // is fine here because no hakmem lock is held while it runs. glibc's
    // element names, so its parsers read this; hakmem keeps no size
    // histogram (<sizes> is empty) and no peak of mapped bytes (max = current).
    struct mallinfo2 m = mallinfo2_impl();
    const size_t free_bytes = m.fordblks, mapped = m.arena;
    fprintf(fp, "<malloc version=\"1\">\n<heap nr=\"0\">\n<sizes>\n</sizes>\n");
    fprintf(fp, "<total type=\"fast\" count=\"0\" size=\"0\"/>\n<total type=\"rest\" count=\"0\" size=\"%zu\"/>\n",
            free_bytes);
    fprintf(fp, "<system type=\"current\" size=\"%zu\"/>\n<system type=\"max\" size=\"%zu\"/>\n", mapped, mapped);
    fprintf(fp, "<aspace type=\"total\" size=\"%zu\"/>\n<aspace type=\"mprotect\" size=\"%zu\"/>\n</heap>\n", mapped,
            mapped);
    fprintf(fp, "<total type=\"fast\" count=\"0\" size=\"0\"/>\n<total type=\"rest\" count=\"0\" size=\"%zu\"/>\n",
            free_bytes);
    fprintf(fp, "<total type=\"mmap\" count=\"0\" size=\"0\"/>\n");
    fprintf(fp, "<system type=\"current\" size=\"%zu\"/>\n<system type=\"max\" size=\"%zu\"/>\n", mapped, mapped);
    fprintf(fp, "<aspace type=\"total\" size=\"%zu\"/>\n<aspace type=\"mprotect\" size=\"%zu\"/>\n</malloc>\n", mapped,
            mapped);
    return 0;
}

}  // namespace hakmem

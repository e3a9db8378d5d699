// The hak_* C ABI: each function one line into namespace hakmem.
#include "hakmem/hakmem.h"

#include <unistd.h>

#include "api/alloc_ops.h"
#include "api/report.h"
#include "api/init.h"
#include "core/foreign_cache.h"
#include "core/heap.h"
#include "core/segment.h"
#include "dispatch/dispatch.h"
#include "large/large_cache.h"
#include "large/strategy_install.h"
#include "os/os_clock.h"
#include "os/os_print.h"
#include "policy/strategy.h"
#include "learn/learner_report.h"
#include "stats/stats.h"
#include "stats/stats_json.h"
#include "telemetry/heap_profile.h"
#include "telemetry/report.h"
#include "telemetry/telemetry.h"

using namespace hakmem;

HAK_LINK_LIBRARY_INIT;

// The report's parts from the layers below api: the stats layer's and the
// learner's (which sits above stats, so stats cannot call it).
void hakmem::report_summary_part(int fd) { learner_print(fd); }
void hakmem::report_json_objects(JsonFile& j) {
    stats_write_json(j);
    learner_write_json(j);
}

extern "C" {

HAK_API void* hak_malloc(size_t size) { return alloc<true>(size); }
HAK_API void hak_free(void* p) { dealloc(p); }
HAK_API void* hak_calloc(size_t n, size_t size) { return calloc_impl(n, size, HAK_RETURN_ADDRESS()); }
HAK_API void* hak_realloc(void* p, size_t size) { return realloc_impl(p, size, HAK_RETURN_ADDRESS()); }
HAK_API void* hak_reallocarray(void* p, size_t n, size_t size) { return reallocarray_impl(p, n, size, HAK_RETURN_ADDRESS()); }
HAK_API void* hak_aligned_alloc(size_t alignment, size_t size) { return aligned_alloc_impl(alignment, size, HAK_RETURN_ADDRESS()); }
HAK_API int hak_posix_memalign(void** out, size_t alignment, size_t size) { return posix_memalign_impl(out, alignment, size, HAK_RETURN_ADDRESS()); }
HAK_API void* hak_memalign(size_t alignment, size_t size) { return memalign_impl(alignment, size, HAK_RETURN_ADDRESS()); }
HAK_API void* hak_valloc(size_t size) { return valloc_impl(size, HAK_RETURN_ADDRESS()); }
HAK_API void* hak_pvalloc(size_t size) { return pvalloc_impl(size, HAK_RETURN_ADDRESS()); }
HAK_API size_t hak_usable_size(const void* p) { return usable_size(p); }
HAK_API void hak_free_sized(void* p, size_t) { dealloc(p); }
HAK_API void hak_free_aligned_sized(void* p, size_t, size_t) { dealloc(p); }

HAK_API void* hak_alloc_at(size_t size, hak_callsite_t site) { return alloc(size, site); }
HAK_API void hak_free_at(void* p, size_t, hak_callsite_t) { dealloc(p); }

HAK_API uint32_t hak_abi_version(void) { return HAKMEM_ABI_VERSION; }

HAK_API int hak_check_abi_version(uint32_t client) {
    if (HAKMEM_ABI_MAJOR_OF(client) == HAKMEM_ABI_VERSION_MAJOR) return HAK_OK;
    os::print_line("error: ABI mismatch: client built for hakmem ABI %u.%u, library provides %u.%u",
                   HAKMEM_ABI_MAJOR_OF(client), HAKMEM_ABI_MINOR_OF(client), HAKMEM_ABI_VERSION_MAJOR,
                   HAKMEM_ABI_VERSION_MINOR);
    return HAK_E_ABI_MISMATCH;
}

HAK_API int hak_get_stats(hak_stats_t* out) { return stats_export(out); }
HAK_API void hak_print_stats(void) {
    stats_print(STDERR_FILENO);
    learner_print(STDERR_FILENO);
    telemetry_print_sites(STDERR_FILENO);
}
HAK_API int hak_get_site_stats(hak_site_stats_t* out, size_t* count) { return telemetry_site_stats(out, count); }
HAK_API int hak_write_stats_json(const char* path) { return telemetry_write_json(path, report_json_objects); }
HAK_API int hak_get_strategy(hak_strategy_t* out) { return strategy_export(strategy_snapshot(), out); }
HAK_API int hak_set_strategy(const hak_strategy_t* in) { return strategy_install_abi(in); }
HAK_API int hak_get_learner_stats(hak_learner_stats_t* out) { return learner_export(out); }
HAK_API int hak_write_heap_profile(const char* path) { return telemetry_write_heap_profile(path); }

HAK_API void hak_collect(int force) {
    if (t_heap != &g_empty_heap) {
        foreign_cache_flush_all(t_heap);
        heap_purge(t_heap, force != 0);
    }
    segments_decay(force != 0);
    large_cache_decay(os::now_ms(), force != 0);
    telemetry_collect(force != 0);
}

}  // extern "C"

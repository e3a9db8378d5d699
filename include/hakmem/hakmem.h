/*
 * hakmem: a self-tuning memory allocator for C and C++ on Linux.
 *
 * This is the whole public C ABI. It compiles as C99 and as C++.
 * Every struct that crosses the ABI starts with `struct_size`, so fields can be
 * appended in later minor versions without breaking older clients: the library
 * reads and writes only as far as the caller's struct_size reaches.
 */
#ifndef HAKMEM_HAKMEM_H
#define HAKMEM_HAKMEM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(HAKMEM_BUILDING_LIBRARY)
#define HAK_API __attribute__((visibility("default")))
#else
#define HAK_API
#endif

/* ---- ABI version -------------------------------------------------------
 * A client is compatible when its major version equals the library's; a
 * newer minor version only appends functions and struct fields. */
#define HAKMEM_ABI_VERSION_MAJOR 1
#define HAKMEM_ABI_VERSION_MINOR 4
#define HAKMEM_ABI_VERSION ((uint32_t)((HAKMEM_ABI_VERSION_MAJOR << 16) | HAKMEM_ABI_VERSION_MINOR))
#define HAKMEM_ABI_MAJOR_OF(v) ((uint32_t)(v) >> 16)
#define HAKMEM_ABI_MINOR_OF(v) ((uint32_t)(v) & 0xFFFFu)

/* Error codes returned by hak_* functions that report a status. */
#define HAK_OK 0
#define HAK_E_ABI_MISMATCH (-1) /* client major version differs from the library's */
#define HAK_E_INVALID (-2)      /* a NULL pointer or a struct_size too small to hold the header */

/* The library's ABI version (HAKMEM_ABI_VERSION of the build). */
HAK_API uint32_t hak_abi_version(void);

/* Checks a client's HAKMEM_ABI_VERSION. Returns HAK_OK when compatible; on a
 * major mismatch prints one line naming both versions to stderr and returns
 * HAK_E_ABI_MISMATCH. Typical use: hak_check_abi_version(HAKMEM_ABI_VERSION). */
HAK_API int hak_check_abi_version(uint32_t client_version);

/* ---- Allocation ---------------------------------------------------------
 * Same semantics as the C functions they mirror (glibc's edge cases). */
HAK_API void* hak_malloc(size_t size);
HAK_API void hak_free(void* ptr);
HAK_API void* hak_calloc(size_t count, size_t size);
HAK_API void* hak_realloc(void* ptr, size_t size);
HAK_API void* hak_reallocarray(void* ptr, size_t count, size_t size);
HAK_API void* hak_aligned_alloc(size_t alignment, size_t size);
HAK_API int hak_posix_memalign(void** out, size_t alignment, size_t size);
HAK_API void* hak_memalign(size_t alignment, size_t size);
HAK_API void* hak_valloc(size_t size);
HAK_API void* hak_pvalloc(size_t size);
HAK_API size_t hak_usable_size(const void* ptr);
HAK_API void hak_free_sized(void* ptr, size_t size);
HAK_API void hak_free_aligned_sized(void* ptr, size_t alignment, size_t size);

/* ---- Call sites ---------------------------------------------------------
 * A call site identifies where an allocation comes from. 0 = unknown site.
 * Through the malloc override the site is the caller's return address. */
typedef uintptr_t hak_callsite_t;
#define HAK_SITE_UNKNOWN ((hak_callsite_t)0)

/* A stable id for the calling source line, made once per call site so it
 * costs only a constant at run time. The id is the address of a static
 * record naming the file and line, tagged with HAK_SITE_STATIC_TAG so it can
 * be told from a return address and symbolized as file:line. */
typedef struct hak_site_info {
    uint32_t struct_size; /* sizeof(hak_site_info_t) of the client that made it */
    uint32_t magic;       /* HAK_SITE_MAGIC */
    const char* file;
    uint32_t line;
} hak_site_info_t;
#define HAK_SITE_MAGIC 0x48534954u /* "HSIT" */
#define HAK_SITE_STATIC_TAG ((hak_callsite_t)1 << 62)
#define HAK_SITE()                                                                   \
    (__extension__({                                                                 \
        static const hak_site_info_t hak_site_info_ = {sizeof(hak_site_info_t), HAK_SITE_MAGIC, __FILE__, __LINE__}; \
        (hak_callsite_t)(uintptr_t)&hak_site_info_ | HAK_SITE_STATIC_TAG;            \
    }))

HAK_API void* hak_alloc_at(size_t size, hak_callsite_t site);
/* size 0 = unknown size. */
HAK_API void hak_free_at(void* ptr, size_t size, hak_callsite_t site);

/* ---- Statistics ---------------------------------------------------------
 * Counted per thread, merged on read. Set struct_size = sizeof(hak_stats_t)
 * before the call; the library fills only as many bytes as that. */
typedef struct hak_stats {
    size_t struct_size;
    uint64_t allocs;           /* successful allocations (all entry points) */
    uint64_t frees;            /* frees of non-NULL pointers */
    uint64_t bytes_current;    /* bytes in live blocks (usable size) */
    uint64_t bytes_peak;       /* high-water mark of bytes_current (sampled on slow paths) */
    uint64_t mmap_calls;       /* OS mappings made */
    uint64_t munmap_calls;     /* OS mappings released */
    uint64_t madvise_calls;    /* purge calls (MADV_DONTNEED / MADV_FREE) */
    uint64_t bytes_mapped;     /* bytes currently mapped from the OS */
    uint64_t bytes_purged;     /* bytes returned with madvise, cumulative */
    uint64_t large_allocs;     /* allocations served by the large-block path */
    uint64_t segments_reclaimed; /* segments of exited threads adopted by others */
    uint64_t rss_bytes;        /* resident set size of the process (from /proc) */
    uint64_t threads_active;   /* thread heaps in use */
    /* Call-site telemetry (ABI 1.1). */
    uint64_t telemetry_samples;        /* allocations sampled */
    uint64_t telemetry_sampled_frees;  /* sampled blocks freed (lifetimes measured) */
    uint64_t telemetry_sites;          /* distinct call sites seen (the table holds up to 2048) */
    uint64_t telemetry_folded_samples; /* samples of sites that found the table full (counted under HAK_SITE_OVERFLOW) */
    uint64_t telemetry_sample_bytes;   /* configured mean bytes between samples */
    /* OS calls, the large-block cache and page faults (ABI 1.1). */
    uint64_t mmap_bytes;               /* bytes mapped, cumulative */
    uint64_t munmap_bytes;             /* bytes unmapped, cumulative */
    uint64_t mremap_calls;             /* mappings grown, shrunk or moved (large realloc, cache reuse) */
    uint64_t madvise_ranges;           /* ranges purged; above madvise_calls when batched into one call */
    uint64_t purge_batches;            /* batched releases (each one or a few system calls) */
    uint64_t large_cache_hits;         /* large allocations served from a cached mapping (no mmap) */
    uint64_t large_cache_misses;       /* large allocations that needed a new mapping */
    uint64_t large_cache_bytes;        /* bytes of freed large blocks cached and possibly resident now */
    uint64_t large_cache_purged_bytes; /* bytes of cached mappings already released (address space only) */
    uint64_t large_cache_purged;       /* bytes the large cache released with madvise, cumulative */
    uint64_t large_realloc_in_place;   /* large reallocs without a copy (in place or mremap) */
    uint64_t page_faults_minor;        /* getrusage(RUSAGE_SELF) of the whole process */
    uint64_t page_faults_major;
    uint64_t purge_thread_running;     /* 1 while the background purge thread exists */
    uint64_t purge_thread_wakeups;     /* its runs */
    /* ABI 1.4. */
    uint64_t large_cache_to_segments;  /* cached mappings that became segments of small blocks */
} hak_stats_t;

HAK_API int hak_get_stats(hak_stats_t* out);
/* Writes a short human-readable summary to stderr (what HAKMEM_SHOW_STATS=1 prints at exit). */
HAK_API void hak_print_stats(void);

/* ---- Call-site telemetry ------------------------------------------------
 * With HAKMEM_TELEMETRY on (the default) a sample of allocations, chosen by
 * bytes (on average one per HAKMEM_SAMPLE_BYTES allocated, so an allocation
 * of s bytes is sampled with probability 1 - exp(-s/T)), is recorded per
 * call site. Counts and bytes are estimates: each sample stands for 1/p
 * allocations. Quantiles are over allocations (weighted the same way). */
#define HAK_SITE_OVERFLOW (~(hak_callsite_t)0) /* the entry of sites that found the site table full */
#define HAK_E_IO (-3)                          /* a file could not be written */

typedef struct hak_site_stats {
    size_t struct_size;
    hak_callsite_t site;        /* HAK_SITE_UNKNOWN, a return address, a HAK_SITE() id or HAK_SITE_OVERFLOW */
    uint64_t samples;           /* sampled allocations */
    uint64_t allocs;            /* estimated allocations */
    uint64_t bytes;             /* estimated bytes allocated (requested sizes) */
    uint64_t live_bytes;        /* estimated bytes in live blocks */
    uint64_t peak_live_bytes;   /* high-water mark of live_bytes */
    uint64_t size_p50;          /* requested size quantiles, bytes */
    uint64_t size_p95;
    uint64_t size_p99;
    uint64_t freed_samples;     /* sampled blocks freed: the lifetimes measured */
    uint64_t lifetime_p50_ns;   /* allocation-to-free time quantiles of freed blocks */
    uint64_t lifetime_p95_ns;
    uint64_t lifetime_p99_ns;
} hak_site_stats_t;

/* The sites with the most estimated bytes, in decreasing order. `out` is an
 * array of *count elements, each out[0].struct_size bytes long: set
 * out[0].struct_size = sizeof(hak_site_stats_t) (an older, smaller struct is
 * filled only as far as it reaches, and is the array's stride). On return
 * *count is the number of elements filled (at most the number of sites).
 * HAK_E_INVALID for a NULL argument or a struct_size below sizeof(size_t). */
HAK_API int hak_get_site_stats(hak_site_stats_t* out, size_t* count);
/* Writes the statistics and every site as JSON (what HAKMEM_STATS_JSON=path
 * writes at exit), atomically: to a new temporary file beside `path`
 * (created exclusively, never through a link) renamed onto it. "%p" in
 * `path` becomes the process id (docs/OPTIONS.md, "The JSON file").
 * HAK_E_IO when the file cannot be written. */
HAK_API int hak_write_stats_json(const char* path);

/* ---- Strategy -----------------------------------------------------------
 * The allocator's policy values. They are read on slow paths only, so a
 * new strategy takes effect on the next slow-path call of each thread. */
typedef struct hak_strategy {
    size_t struct_size;
    uint64_t purge_delay_ms;     /* empty pages and segments stay mapped this long before release */
    uint64_t segment_cache_max;  /* free segments kept mapped for reuse */
    uint32_t purge_mode;         /* 0 = MADV_DONTNEED, 1 = MADV_FREE */
    uint32_t reserved0;
    /* Appended in ABI 1.1: large blocks (docs/OPTIONS.md). */
    uint64_t mmap_threshold;     /* blocks above this many bytes bypass the large cache (own mmap, munmap on free) */
    uint64_t large_cache_max;    /* bytes of freed large blocks kept resident for reuse; 0 = no cache */
    uint64_t purge_batch_bytes;  /* memory leaving the cache is released in batches of at least this many bytes */
    uint32_t huge_pages;         /* transparent huge pages: 0 = off, 1 = on, 2 = large blocks only */
    uint32_t purge_thread;       /* 1 = a background thread releases free memory after the purge delay */
} hak_strategy_t;

HAK_API int hak_get_strategy(hak_strategy_t* out);
/* Validates and installs a strategy; HAK_E_INVALID when a value is out of range. */
HAK_API int hak_set_strategy(const hak_strategy_t* in);

/* Returns unused memory to the OS now: with force != 0 everything that is
 * free, otherwise only what has waited longer than the purge delay. */
HAK_API void hak_collect(int force);

/* ---- Learner (ABI 1.2) ---------------------------------------------------
 * The online learner (HAKMEM_LEARN=elo|ucb1, docs/OPTIONS.md): its state
 * and its candidate strategies with their records. */
#define HAK_LEARNER_OFF 0
#define HAK_LEARNER_ELO 1
#define HAK_LEARNER_UCB1 2
#define HAK_LEARNER_MAX_CANDIDATES 16

typedef struct hak_learner_candidate {
    double rating;              /* ELO rating (UCB1: the discounted mean reward x 1000) */
    uint32_t wins, losses, draws;
    uint32_t is_default;        /* the strategy the process started with */
    hak_strategy_t strategy;
} hak_learner_candidate_t;

typedef struct hak_learner_stats {
    size_t struct_size;
    uint32_t mode;              /* HAK_LEARNER_* */
    uint32_t frozen;            /* 1 after hak_set_strategy: the program took control */
    uint64_t epochs;            /* epochs scored */
    uint64_t matches;           /* ELO: matches played; UCB1: blocks pulled */
    uint64_t switches;          /* strategy installs by the learner */
    uint64_t champion_changes;  /* ELO: new champions; UCB1: arm changes */
    uint64_t phase_changes;     /* workload changes detected */
    uint64_t cpu_ns;            /* the learner's own CPU time */
    uint32_t champion;          /* index into candidate[]: the best so far (UCB1: most pulled) */
    uint32_t current;           /* index into candidate[]: running now */
    uint32_t candidates;        /* entries of candidate[] filled */
    uint32_t reserved0;
    hak_learner_candidate_t candidate[HAK_LEARNER_MAX_CANDIDATES];
} hak_learner_stats_t;

/* Fills *out as far as out->struct_size reaches. HAK_E_INVALID for a bad header. */
HAK_API int hak_get_learner_stats(hak_learner_stats_t* out);

/* ---- Heap profile (ABI 1.3) ----------------------------------------------
 * Writes telemetry's samples as a heap profile in gperftools' text format,
 * which pprof and google-pprof read (what HAKMEM_HEAP_PROFILE=path writes
 * at exit): per call site, the live heap (pprof's default, -inuse_space)
 * and every allocation since the start (-alloc_space), with the sampling
 * interval recorded (heap_v2) so pprof scales the samples, then the
 * process's memory map for symbols. Written atomically like
 * hak_write_stats_json ("%p" = pid). HAK_OK, HAK_E_INVALID for a NULL or
 * empty path, HAK_E_IO when the file cannot be written. Empty (no sites)
 * with HAKMEM_TELEMETRY off. docs/OPTIONS.md, "The heap profile". */
HAK_API int hak_write_heap_profile(const char* path);

#ifdef __cplusplus
}
#endif

#endif /* HAKMEM_HAKMEM_H */

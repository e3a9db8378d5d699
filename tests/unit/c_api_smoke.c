/* The public header must compile as C99 and its API must work from C.
 * hakmem_c_api_smoke() exercises every hak_* function once from C and
 * returns 0, or the number of the first check that failed. */
#include <hakmem/hakmem.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

int hakmem_c_api_smoke(void);

int hakmem_c_api_smoke(void) {
    hak_stats_t stats;
    hak_strategy_t strategy;
    void* p;
    void* q = NULL;
    hak_callsite_t site = HAK_SITE();

    if (hak_check_abi_version(HAKMEM_ABI_VERSION) != HAK_OK) return 1;
    if (hak_abi_version() != HAKMEM_ABI_VERSION) return 2;

    p = hak_malloc(100);
    if (p == NULL || ((uintptr_t)p & 15u) != 0) return 3;
    memset(p, 1, 100);
    p = hak_realloc(p, 1000);
    if (p == NULL || hak_usable_size(p) < 1000) return 4;
    hak_free(p);

    p = hak_calloc(10, 10);
    if (p == NULL) return 5;
    hak_free_sized(p, 100);
    p = hak_reallocarray(NULL, 10, 10);
    if (p == NULL) return 6;
    hak_free(p);
    p = hak_aligned_alloc(64, 128);
    if (p == NULL || ((uintptr_t)p & 63u) != 0) return 7;
    hak_free_aligned_sized(p, 64, 128);
    if (hak_posix_memalign(&q, 256, 10) != 0 || q == NULL || ((uintptr_t)q & 255u) != 0) return 8;
    hak_free(q);
    p = hak_memalign(32, 10);
    if (p == NULL) return 9;
    hak_free(p);
    p = hak_valloc(10);
    if (p == NULL) return 10;
    hak_free(p);
    p = hak_pvalloc(10);
    if (p == NULL) return 11;
    hak_free(p);

    if ((site & HAK_SITE_STATIC_TAG) == 0) return 12;
    p = hak_alloc_at(48, site);
    if (p == NULL) return 13;
    hak_free_at(p, 48, site);
    p = hak_alloc_at(48, HAK_SITE_UNKNOWN);
    if (p == NULL) return 14;
    hak_free_at(p, 0, HAK_SITE_UNKNOWN);

    memset(&stats, 0, sizeof stats);
    stats.struct_size = sizeof stats;
    if (hak_get_stats(&stats) != HAK_OK || stats.allocs == 0) return 15;

    memset(&strategy, 0, sizeof strategy);
    strategy.struct_size = sizeof strategy;
    if (hak_get_strategy(&strategy) != HAK_OK) return 16;
    if (hak_set_strategy(&strategy) != HAK_OK) return 17;
    hak_collect(0);

    errno = 0;
    if (hak_malloc(SIZE_MAX) != NULL || errno != ENOMEM) return 18;
    return 0;
}

/* Prints the Strategy hakmem built from the environment, one field per
 * line, for large_options_test (which runs it with HAKMEM_* set). */
#include <hakmem/hakmem.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    hak_strategy_t s;
    memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    if (hak_get_strategy(&s) != HAK_OK) return 1;
    printf("mmap_threshold=%llu\n", (unsigned long long)s.mmap_threshold);
    printf("large_cache_max=%llu\n", (unsigned long long)s.large_cache_max);
    printf("purge_batch_bytes=%llu\n", (unsigned long long)s.purge_batch_bytes);
    printf("huge_pages=%u\n", s.huge_pages);
    printf("purge_thread=%u\n", s.purge_thread);
    printf("purge_delay_ms=%llu\n", (unsigned long long)s.purge_delay_ms);
    return 0;
}

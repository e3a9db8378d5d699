/* Run by options_test, setuid or not, with HAKMEM_* set: prints whether the
 * process is in secure-execution mode and the purge delay hakmem took, then
 * exits (when hakmem honours HAKMEM_STATS_JSON, the file is written now). */
#include <hakmem/hakmem.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

/* In sanitizer builds: LeakSanitizer cannot inspect a setuid process (it is
 * not dumpable) and fails the run at exit. The probe leaks nothing anyway. */
int __lsan_is_turned_off(void) { return 1; }

int main(void) {
    hak_strategy_t s;
    memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    if (hak_get_strategy(&s) != HAK_OK) return 1;
    printf("at_secure=%lu\n", getauxval(AT_SECURE));
    printf("purge_delay_ms=%llu\n", (unsigned long long)s.purge_delay_ms);
    return 0;
}

/* Run by exit_report_test with HAKMEM_SHOW_STATS set: allocates, then
 * closes stderr as coreutils do before exit (close_stdout, from atexit).
 * With PROBE_REOPEN=path it then opens that file, which takes descriptor 2,
 * and writes its own line there: the report must not land in it.
 * PROBE_KEEP_STDERR=1 leaves stderr open (to see the report's warnings). */
#include <hakmem/hakmem.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    /* hak_* rather than malloc: sanitizer builds have no malloc override,
     * and this call is what links hakmem (and its exit report) in there. */
    char* volatile p = hak_malloc(1000);
    memset(p, 1, 1000);
    hak_free(p);
    if (getenv("PROBE_KEEP_STDERR") == NULL) close(2);
    const char* reopen = getenv("PROBE_REOPEN");
    if (reopen != NULL) {
        int fd = open(reopen, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd != 2) return 3;
        if (write(fd, "program data\n", 13) != 13) return 4;
    }
    printf("closed=1\n");
    return 0;
}

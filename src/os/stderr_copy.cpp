#include "os/stderr_copy.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hakmem::os {
namespace {

// Well above the descriptors a program opens early and that some programs
// assume are theirs (3, 4, ...), and below the usual soft limit of 1024.
constexpr int kHighFd = 512;

enum class Kept { kNotAsked, kNoStderr, kKept };
Kept g_kept = Kept::kNotAsked;
int g_fd = -1;  // the copy, or -1 if the duplicate failed
dev_t g_dev;
ino_t g_ino;

bool is_original(int fd) {
    struct stat st;
    return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == g_dev && st.st_ino == g_ino;
}

}  // namespace

void stderr_keep() {
    if (g_kept != Kept::kNotAsked) return;
    struct stat st;
    if (fstat(STDERR_FILENO, &st) != 0) {
        g_kept = Kept::kNoStderr;  // a descriptor 2 opened later is the program's file
        return;
    }
    g_dev = st.st_dev;
    g_ino = st.st_ino;
    int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, kHighFd);
    // EINVAL: a descriptor limit at or below kHighFd; any free one will do.
    if (fd < 0) fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    g_fd = fd;
    g_kept = Kept::kKept;
}

int stderr_for_report() {
    if (g_kept == Kept::kNotAsked) return STDERR_FILENO;
    if (g_kept == Kept::kNoStderr) return -1;
    if (is_original(g_fd)) return g_fd;
    if (is_original(STDERR_FILENO)) return STDERR_FILENO;
    return -1;
}

void stderr_forget_for_testing() {
    if (g_fd >= 0) close(g_fd);
    g_fd = -1;
    g_kept = Kept::kNotAsked;
}

}  // namespace hakmem::os

#include "os/os_file.h"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace hakmem::os {
namespace {

std::atomic<uint64_t> g_file_counter{0};

uint64_t random_bits(uint64_t counter) {
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof r)) return r;
    // No entropy yet (early boot): the clock still makes the name hard to
    // guess in advance, and O_EXCL keeps it safe when guessed.
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    r = static_cast<uint64_t>(ts.tv_nsec) ^ (static_cast<uint64_t>(ts.tv_sec) << 30) ^ (counter * 0x9e3779b97f4a7c15u);
    return r * 0xbf58476d1ce4e5b9u;
}

}  // namespace

int create_unique_file(const char* base, char* path, size_t n) {
    constexpr int kAttempts = 64;
    const int pid = static_cast<int>(getpid());
    const long tid = syscall(SYS_gettid);
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        uint64_t counter = g_file_counter.fetch_add(1, std::memory_order_relaxed);
        int k = snprintf(path, n, "%s.tmp.%d.%ld.%llu.%016llx", base, pid, tid,
                         static_cast<unsigned long long>(counter),
                         static_cast<unsigned long long>(random_bits(counter)));
        if (k < 0 || static_cast<size_t>(k) >= n) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0) return fd;
        if (errno != EEXIST && errno != EINTR) return -1;
    }
    errno = EEXIST;
    return -1;
}

bool expand_pid_path(const char* path, char* out, size_t n) {
    size_t len = 0;
    for (const char* s = path; *s; ++s) {
        if (s[0] == '%' && s[1] == 'p') {
            int k = snprintf(out + len, n - len, "%d", static_cast<int>(getpid()));
            if (k < 0 || static_cast<size_t>(k) >= n - len) return false;
            len += static_cast<size_t>(k);
            ++s;
            continue;
        }
        if (len + 1 >= n) return false;
        out[len++] = *s;
    }
    out[len] = 0;
    return len > 0;
}

ReplaceResult replace_file(const char* path, FileFill fill, void* arg) {
    char final_path[4096], tmp_path[4096 + 80];
    if (path == nullptr || !expand_pid_path(path, final_path, sizeof final_path)) return ReplaceResult::kBadPath;
    int fd = create_unique_file(final_path, tmp_path, sizeof tmp_path);
    if (fd < 0) return ReplaceResult::kIoError;
    bool ok = fill(fd, arg);
    // On disk before the rename, so a crash leaves the old file or the
    // complete new one, not an empty file under the final name.
    ok = fsync(fd) == 0 && ok;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp_path, final_path) != 0) {
        unlink(tmp_path);
        return ReplaceResult::kIoError;
    }
    return ReplaceResult::kOk;
}

}  // namespace hakmem::os

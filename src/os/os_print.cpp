#include "os/os_print.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace hakmem::os {
namespace {

void write_all(int fd, const char* buf, size_t len) {
    int saved = errno;
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        buf += n;
        len -= static_cast<size_t>(n);
    }
    errno = saved;
}

}  // namespace

void print_line(const char* fmt, ...) {
    char buf[512];
    constexpr char kPrefix[] = "hakmem: ";
    size_t pos = sizeof kPrefix - 1;
    memcpy(buf, kPrefix, pos);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + pos, sizeof buf - pos - 1, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    pos += static_cast<size_t>(n) < sizeof buf - pos - 1 ? static_cast<size_t>(n) : sizeof buf - pos - 2;
    buf[pos++] = '\n';
    write_all(STDERR_FILENO, buf, pos);
}

namespace {

void vprint_to(int fd, const char* fmt, va_list ap) {
    char buf[1024];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    if (n <= 0) return;
    write_all(fd, buf, static_cast<size_t>(n) < sizeof buf ? static_cast<size_t>(n) : sizeof buf - 1);
}

}  // namespace

void print_raw(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprint_to(STDERR_FILENO, fmt, ap);
    va_end(ap);
}

void print_to(int fd, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprint_to(fd, fmt, ap);
    va_end(ap);
}

}  // namespace hakmem::os

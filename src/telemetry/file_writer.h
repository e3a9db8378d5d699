// Text formatted into a fixed buffer and written to a file descriptor with
// write(2), so writing a report never allocates (it may run at exit, or from
// a program's own thread at any time). The JSON report (json_file.h) and the
// heap profile (heap_profile.cpp) write through it.
#pragma once
#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace hakmem {

class FileWriter {
public:
    explicit FileWriter(int fd) : fd_(fd) {}
    bool ok() const { return ok_; }
    void raw(const char* s) { put(s, strlen(s)); }
    // A line longer than 511 bytes is cut there.
    void format(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
        char tmp[512];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
        va_end(ap);
        if (n > 0) put(tmp, static_cast<size_t>(n) < sizeof tmp ? static_cast<size_t>(n) : sizeof tmp - 1);
    }
    void put(const char* s, size_t n) {
        while (n > 0) {
            if (len_ == sizeof buf_ && !flush()) return;
            size_t k = std::min(n, sizeof buf_ - len_);
            memcpy(buf_ + len_, s, k);
            len_ += k, s += k, n -= k;
        }
    }
    // Writes what is buffered; false once any write failed.
    bool flush() {
        const char* p = buf_;
        while (len_ > 0 && ok_) {
            ssize_t n = write(fd_, p, len_);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) ok_ = false;
            else p += n, len_ -= static_cast<size_t>(n);
        }
        len_ = 0;
        return ok_;
    }
    // Marks the output failed (a source that could not be read).
    void fail() { ok_ = false; }

private:
    int fd_;
    bool ok_ = true;
    size_t len_ = 0;
    char buf_[4096];
};

}  // namespace hakmem

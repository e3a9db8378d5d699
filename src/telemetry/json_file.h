// The JSON report's writer: text formatted into a fixed buffer and written
// to a file descriptor with write(2), so writing a report never allocates
// (it may run at exit, or from a program's own thread at any time).
#pragma once
#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace hakmem {

class JsonFile {
public:
    explicit JsonFile(int fd) : fd_(fd) {}
    bool ok() const { return ok_; }
    void raw(const char* s) { put(s, strlen(s)); }
    void format(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
        char tmp[512];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
        va_end(ap);
        if (n > 0) put(tmp, static_cast<size_t>(n) < sizeof tmp ? static_cast<size_t>(n) : sizeof tmp - 1);
    }
    void string(const char* s) {
        raw("\"");
        for (; *s; ++s) {
            unsigned char c = static_cast<unsigned char>(*s);
            if (c == '"' || c == '\\') {
                char esc[2] = {'\\', static_cast<char>(c)};
                put(esc, 2);
            } else if (c < 0x20) {
                format("\\u%04x", c);
            } else {
                put(s, 1);
            }
        }
        raw("\"");
    }
    void field(const char* name, uint64_t v, bool last = false) {
        format("\"%s\": %llu%s", name, static_cast<unsigned long long>(v), last ? "" : ", ");
    }
    // One object of counters, members separated by commas:
    // object_begin("stats"); member(...)...; object_end();
    void object_begin(const char* name) {
        format("  \"%s\": {", name);
        first_ = true;
    }
    void member(const char* name, uint64_t v) {
        format("%s\"%s\": %llu", first_ ? "" : ", ", name, static_cast<unsigned long long>(v));
        first_ = false;
    }
    void object_end() { raw("},\n"); }
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

private:
    void put(const char* s, size_t n) {
        while (n > 0) {
            if (len_ == sizeof buf_ && !flush()) return;
            size_t k = std::min(n, sizeof buf_ - len_);
            memcpy(buf_ + len_, s, k);
            len_ += k, s += k, n -= k;
        }
    }
    int fd_;
    bool ok_ = true;
    bool first_ = true;
    size_t len_ = 0;
    char buf_[4096];
};

}  // namespace hakmem

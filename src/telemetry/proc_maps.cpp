#include "telemetry/proc_maps.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include "telemetry/file_writer.h"

namespace hakmem::telemetry {
namespace {

constexpr const char* kSelfMaps = "/proc/self/maps";

// read(2) that retries on EINTR.
ssize_t read_some(int fd, char* buf, size_t n) {
    for (;;) {
        ssize_t k = read(fd, buf, n);
        if (k >= 0 || errno != EINTR) return k;
    }
}

// A hexadecimal number at *s, advancing past it. False when there is none.
bool parse_hex(const char*& s, const char* end, uintptr_t* out) {
    uintptr_t v = 0;
    const char* start = s;
    for (; s < end; ++s) {
        unsigned digit;
        if (*s >= '0' && *s <= '9') digit = static_cast<unsigned>(*s - '0');
        else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f') digit = static_cast<unsigned>((*s | 0x20) - 'a' + 10);
        else break;
        v = v << 4 | digit;
    }
    *out = v;
    return s != start;
}

}  // namespace

// "begin-end perms offset dev inode path": only the first three fields matter.
void CodeRanges::add_line(const char* line, size_t len) {
    const char* s = line;
    const char* end = line + len;
    uintptr_t begin, limit;
    if (!parse_hex(s, end, &begin) || s == end || *s++ != '-' || !parse_hex(s, end, &limit)) return;
    if (end - s < 4 || *s++ != ' ' || s[2] != 'x') return;
    if (n_ == kMaxRanges || limit <= begin) return;
    if (n_ > 0 && begin < ranges_[n_ - 1].end) return;  // the kernel lists them in order; keep the search valid
    ranges_[n_++] = Range{begin, limit};
}

bool CodeRanges::load(int fd) {
    // Only a line's first ~40 bytes are parsed; the rest (the path) is skipped.
    char line[64];
    size_t len = 0;
    char buf[4096];
    for (;;) {
        ssize_t k = read_some(fd, buf, sizeof buf);
        if (k < 0) return false;
        if (k == 0) break;
        for (ssize_t i = 0; i < k; ++i) {
            if (buf[i] == '\n') {
                add_line(line, len);
                len = 0;
            } else if (len < sizeof line) {
                line[len++] = buf[i];
            }
        }
    }
    if (len > 0) add_line(line, len);
    return true;
}

bool CodeRanges::load_self() {
    int fd = open(kSelfMaps, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = load(fd);
    close(fd);
    return ok;
}

bool CodeRanges::contains(uintptr_t address) const {
    size_t lo = 0, hi = n_;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (address < ranges_[mid].begin) hi = mid;
        else if (address >= ranges_[mid].end) lo = mid + 1;
        else return true;
    }
    return false;
}

bool copy_self_maps(FileWriter& out) {
    int fd = open(kSelfMaps, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[4096];
    ssize_t k;
    while ((k = read_some(fd, buf, sizeof buf)) > 0) out.put(buf, static_cast<size_t>(k));
    close(fd);
    return k == 0;
}

}  // namespace hakmem::telemetry

// libFuzzer harness for the playbook file reader (learn/playbook_file.cpp).
//
// The input is a playbook file: whatever a disk, another program or a
// hand edit left at the path. It is read through playbook_read (the code
// playbook_load and playbook_flush run, from a memfd). Checks:
//   - no crash, no read outside the buffers (ASan, UBSan);
//   - a file read as valid gives entries with finite numbers and a valid
//     strategy, each of which formats to a line that parses back to the
//     same fields bit for bit;
//   - those entries, written as a whole file by playbook_write, read back
//     as valid with the same entries (what a flush writes, the next load
//     reads);
//   - every whitespace-separated token's value that parses as a double
//     formats and parses back to the same bits.
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "learn/playbook_file.h"

namespace {

using hakmem::learn::PlaybookEntry;
using hakmem::learn::ReadResult;
using hakmem::learn::ReadStatus;

[[noreturn]] void fail(const char* what) {
    fprintf(stderr, "playbook_fuzz: %s\n", what);
    abort();
}

bool same(const PlaybookEntry& a, const PlaybookEntry& b) {
    return memcmp(&a.signature, &b.signature, sizeof a.signature) == 0 && a.strategy == b.strategy &&
           memcmp(&a.rating, &b.rating, sizeof a.rating) == 0 && a.wins == b.wins && a.losses == b.losses &&
           a.draws == b.draws && a.helpful == b.helpful && a.harmful == b.harmful && a.last_seen == b.last_seen;
}

hakmem::learn::PlaybookReader g_reader;

void collect(const PlaybookEntry& e, void* ctx) { static_cast<std::vector<PlaybookEntry>*>(ctx)->push_back(e); }

int memfd_with(const void* data, size_t size) {
    int fd = memfd_create("playbook", MFD_CLOEXEC);
    if (fd < 0) fail("memfd_create");
    if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size)) fail("write to memfd");
    lseek(fd, 0, SEEK_SET);
    return fd;
}

ReadResult read_all(int fd, std::vector<PlaybookEntry>* out) {
    return hakmem::learn::playbook_read(fd, g_reader, collect, out);
}

void check_doubles(const char* s, size_t n) {
    size_t i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '=' || s[i] == ',')) ++i;
        size_t start = i;
        while (i < n && s[i] != ' ' && s[i] != '\n' && s[i] != '=' && s[i] != ',') ++i;
        double v, back;
        if (i > start && hakmem::learn::playbook_parse_double(s + start, i - start, &v) && std::isfinite(v)) {
            char buf[32];
            size_t k = hakmem::learn::playbook_format_double(v, buf, sizeof buf);
            if (k == 0 || !hakmem::learn::playbook_parse_double(buf, k, &back))
                fail("a parsed double does not format back");
            if (memcmp(&v, &back, sizeof v) != 0) fail("a double changed in a round trip");
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > hakmem::learn::kPlaybookMaxFileBytes + 1) return -1;
    check_doubles(reinterpret_cast<const char*>(data), size);

    std::vector<PlaybookEntry> entries;
    int fd = memfd_with(data, size);
    ReadResult r = read_all(fd, &entries);
    close(fd);
    if (r.status != ReadStatus::kOk) return 0;
    if (r.entries != entries.size()) fail("the entry count differs from the entries given");

    char line[hakmem::learn::kPlaybookMaxLine];
    for (const PlaybookEntry& e : entries) {
        for (double v : e.signature.v)
            if (!std::isfinite(v)) fail("a non-finite signature was read");
        if (!std::isfinite(e.rating)) fail("a non-finite rating was read");
        if (!hakmem::strategy_valid(e.strategy)) fail("an invalid strategy was read");
        size_t n = hakmem::learn::playbook_format_entry(e, line, sizeof line);
        if (n == 0) fail("a valid entry does not format");
        PlaybookEntry back{};
        if (!hakmem::learn::playbook_parse_entry(line, n - 1, &back)) fail("a formatted entry does not parse");
        if (!same(e, back)) fail("an entry changed in a round trip");
    }

    int out = memfd_create("playbook-out", MFD_CLOEXEC);
    if (out < 0) fail("memfd_create");
    if (!hakmem::learn::playbook_write(out, entries.data(), entries.size())) fail("playbook_write failed");
    // Entries that omit fields are written out whole: many short lines may
    // grow past the size a reader accepts, which is then right to refuse.
    if (static_cast<size_t>(lseek(out, 0, SEEK_END)) > hakmem::learn::kPlaybookMaxFileBytes) {
        close(out);
        return 0;
    }
    lseek(out, 0, SEEK_SET);
    std::vector<PlaybookEntry> again;
    ReadResult r2 = read_all(out, &again);
    close(out);
    if (r2.status != ReadStatus::kOk) fail("a written playbook does not read back");
    if (again.size() != entries.size()) fail("a written playbook reads back with another entry count");
    for (size_t i = 0; i < again.size(); ++i)
        if (!same(again[i], entries[i])) fail("a written playbook reads back with other entries");
    return 0;
}

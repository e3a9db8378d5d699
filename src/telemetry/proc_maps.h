// The process's own memory map (/proc/self/maps), as the heap profile needs
// it: which addresses are code (a call site that is a return address lies in
// an executable mapping; an explicit site id does not), and a verbatim copy
// for pprof, which finds each address's object file and offset in it.
// Read with read(2) into fixed buffers: nothing allocates.
#pragma once
#include <cstddef>
#include <cstdint>

namespace hakmem {
class FileWriter;
}

namespace hakmem::telemetry {

// The executable mappings, in address order. 16 KiB: the heap profile maps
// one from the OS for each write rather than keep it.
class CodeRanges {
public:
    // More executable mappings than this (each loaded object has one or
    // two) are ignored: an address in them counts as no code.
    static constexpr size_t kMaxRanges = 1024;

    // Reads the map from `fd` (a /proc/<pid>/maps text). False when it
    // cannot be read; the ranges read until then are kept.
    bool load(int fd);
    // load() on /proc/self/maps.
    bool load_self();
    bool contains(uintptr_t address) const;
    size_t size() const { return n_; }

private:
    struct Range {
        uintptr_t begin, end;
    };
    void add_line(const char* line, size_t len);
    Range ranges_[kMaxRanges];
    size_t n_ = 0;
};

// Copies /proc/self/maps to `out`. False when it cannot be read.
bool copy_self_maps(FileWriter& out);

}  // namespace hakmem::telemetry

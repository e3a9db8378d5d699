// A batch of page ranges to give back to the OS together.
//
// Memory leaving a cache is not released range by range as it goes: the
// ranges are collected here and released in one go, sorted by address with
// adjacent ranges merged, through os::purge_ranges (one process_madvise
// for the whole batch where the kernel supports it, else one madvise per
// merged range). Whoever fills a batch decides when to flush it: the large
// cache flushes once the batch holds the Strategy's purge_batch_bytes, on the
// purge delay, or on hak_collect(force).
//
// Not thread-safe: a batch has one owner at a time (a local of the thread
// that flushes it). Never allocates.
#pragma once
#include <cstddef>
#include <cstdint>

#include "os/os_memory.h"

namespace hakmem::os {

class PurgeBatch {
public:
    // 64 ranges: 1 KiB on the stack, and the most one process_madvise call
    // takes here (the kernel allows 1024; 64 already amortizes the call).
    static constexpr size_t kCapacity = 64;

    bool empty() const { return count_ == 0; }
    bool full() const { return count_ == kCapacity; }
    size_t size() const { return count_; }
    size_t bytes() const { return bytes_; }

    // Adds [p, p+size) (page-aligned). Precondition: !full(). Empty ranges are ignored.
    void add(void* p, size_t size);
    // Releases every range and empties the batch. Returns the system calls made.
    size_t flush(PurgeMode mode);

private:
    Range ranges_[kCapacity];
    size_t count_ = 0;
    size_t bytes_ = 0;
};

// Process-wide totals over every flush (relaxed atomics: flushes are rare).
struct PurgeBatchCounters {
    uint64_t flushes;
    uint64_t ranges;    // ranges added
    uint64_t merged;    // ranges saved by merging adjacent ones
    uint64_t calls;     // system calls the flushes made
    uint64_t bytes;
};
PurgeBatchCounters purge_batch_counters();

}  // namespace hakmem::os

// Merging the per-thread counters on read: the sum over every heap ever
// created (the registry is append-only, so it is walked without a lock),
// the heaps outside the registry that an upper layer registered, and the
// orphan counters of heap-less threads.
#pragma once
#include <cstdint>

namespace hakmem {

struct Heap;

struct MergedCounters {
    uint64_t allocs;
    uint64_t frees;
    uint64_t bytes_current;  // usable bytes of live blocks
    uint64_t large_allocs;
    uint64_t segments_reclaimed;
    uint64_t threads_active;
};

MergedCounters counters_merge();
// Counts `heap`, which is no thread's (telemetry's sampled heap), in every
// merge from now on. Idempotent; at most kMaxExtraHeaps heaps.
void counters_register_heap(const Heap* heap);
inline constexpr unsigned kMaxExtraHeaps = 2;
// Samples bytes_current into the peak; called where memory grows (new
// segment, large block) and on every stats read, so the peak is exact to
// within one segment per thread.
void counters_sample_peak();
uint64_t counters_peak_bytes();

}  // namespace hakmem

// What the learner reads about the process, once per epoch, and what it
// makes of two readings: an epoch's cost (learn/cost.h) and the workload's
// signature (for change detection and the playbook).
//
// The readings are system calls (getrusage, /proc/self/statm) and a merge of
// every heap's counters (a few thousand instructions): once per epoch, on
// the background thread, never on malloc or free. Tests replace the source
// (set_signal_source_for_testing) to drive the learner with synthetic
// workloads.
#pragma once
#include <cstdint>

#include "learn/cost.h"

namespace hakmem::learn {

struct Signals {
    uint64_t now_ms = 0;
    uint64_t cpu_ns = 0;        // process user + system time
    uint64_t minor_faults = 0;
    uint64_t os_calls = 0;      // mmap + munmap + madvise + mremap by hakmem
    uint64_t allocs = 0;        // allocations so far, every size
    uint64_t large_allocs = 0;
    uint64_t live_bytes = 0;    // usable bytes of live blocks
    uint64_t rss_bytes = 0;
};

using SignalSource = Signals (*)(uint64_t now_ms);

// Reads the real signals (or the test source).
Signals read_signals(uint64_t now_ms);
// For tests: nullptr restores the real source.
void set_signal_source_for_testing(SignalSource source);

// Allocations an epoch needs before its cpu and faults per allocation count:
// below it they are mostly the process's other work (and the learner's own).
inline constexpr uint64_t kMinActiveAllocs = 1000;

// The cost of the epoch between two readings. Memory is the mean of the
// overhead (RSS beyond live bytes) at both ends.
EpochCost epoch_cost(const Signals& start, const Signals& end);

// A cheap description of the workload of an epoch, scale-free by taking
// logarithms: the allocation rate, the live heap, the share of large
// allocations, and the live heap's growth. Close signatures are the same
// workload for the change detector and the playbook.
inline constexpr unsigned kSignatureDims = 4;
struct Signature {
    double v[kSignatureDims];
};
Signature epoch_signature(const Signals& start, const Signals& end);
// How much each dimension counts in the distance between two signatures.
// The growth does not: it says where in its cycle a phased workload was
// when the signature was taken, not which workload it is. Measured on
// phases-fast (docs/BENCHMARKS.md, 2026-12-03 evening): at the eight
// lookups of one run the growth ranged from 1.6 to 9.5 and in the entries
// earlier runs had written from 1.9 to 5.5; counting it, 5 of the 8
// lookups were within the learner's distance (1.5) of an entry, without it
// 7. It is still computed and kept in the playbook's file.
inline constexpr double kSignatureWeights[kSignatureDims] = {1, 1, 1, 0};
// The squared distance (weighted by kSignatureWeights).
double signature_distance2(const Signature& a, const Signature& b);

}  // namespace hakmem::learn

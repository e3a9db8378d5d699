// Per-site statistics: what each call site allocates, estimated from the
// samples (weights from telemetry/sampler.h).
//
// Design. Keeping a full set of sketches per thread and per site, merged on
// read, would cost threads x sites x ~6 KiB. Instead the sampled path stays
// lock-free with two kinds of state:
//  - counters (samples, estimated allocations and bytes, live allocations,
//    live and peak live bytes, sampled frees) are atomics in one cache line per site, updated
//    with relaxed read-modify-writes at the time of the sample, so live and
//    peak are exact with respect to the samples' order;
//  - sketch values (a sampled size, a lifetime) go to the sampling thread's
//    EventQueue (telemetry/event_queue.h). The t-digests of each site are
//    global and only the holder of the fold lock touches them: a thread
//    whose queue is full folds it (try_lock, never waits), and every reader
//    folds all queues first, so reads see every sample (merge on read).
// The storage (counters and digests for SiteTable::kEntries sites) is one
// mapping from the OS made at init; a site's pages become resident when it
// is first sampled.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "hakmem/hakmem.h"
#include "telemetry/event_queue.h"
#include "telemetry/site_table.h"
#include "telemetry/tdigest.h"

namespace hakmem::telemetry {

// Estimated allocation counts are kept in fixed point: a weight of 1.4 must
// not round to 1 on every sample.
inline constexpr unsigned kCountFractionBits = 10;

struct alignas(64) SiteCounters {
    std::atomic<uint64_t> samples;
    std::atomic<uint64_t> allocs_fixed;   // estimated allocations << kCountFractionBits
    std::atomic<uint64_t> bytes;          // estimated bytes allocated (requested sizes)
    std::atomic<int64_t> live_bytes;      // estimated bytes of live blocks
    std::atomic<uint64_t> peak_live_bytes;
    std::atomic<uint64_t> frees;          // sampled blocks freed
    std::atomic<int64_t> live_allocs_fixed;  // estimated live blocks << kCountFractionBits (the heap profile)
};
static_assert(sizeof(SiteCounters) == 64, "a site's counters stay in one cache line");

struct SiteSketches {
    TDigest size;      // requested bytes, weighted by 1/p
    TDigest lifetime;  // ns from allocation to free, weighted by 1/p
};

// Everything a sampled allocation or free knows about its block.
struct SampleValues {
    uint32_t site;
    uint64_t size;
    double weight;        // 1/p(size)
    uint64_t est_allocs_fixed;  // round(weight << kCountFractionBits)
    uint64_t est_bytes;   // round(weight * size): added to live bytes at the
                          // allocation, subtracted at the free
};
SampleValues sample_values(uint32_t site, uint64_t size, uint64_t interval);

// Maps the storage; false on OOM (telemetry then stays off).
bool site_stats_init();
bool site_stats_ready();

SiteTable& site_table();
SiteCounters& site_counters(uint32_t site);

// The sampled path. `queue` is the calling thread's, or nullptr for a thread
// without a heap (the value then goes in under the fold lock).
void record_alloc(const SampleValues& v, EventQueue* queue);
void record_free(const SampleValues& v, uint64_t lifetime_ns, EventQueue* queue);

// Values dropped because a queue was full while another thread folded.
uint64_t sketch_values_dropped();

// ---- reading ------------------------------------------------------------
void fold_lock();
void fold_unlock();
void fold_lock_reset_in_child();
// Folds every thread's queue into the digests. Fold lock held.
void fold_all_queues();
// Fills `out` (caller's struct_size honoured) for site `index`. Fold lock held.
void site_summary(uint32_t index, hak_site_stats_t* out);

// Runs f() with the fold lock held, after folding every queue.
template <typename F>
void with_folded_sites(F&& f) {
    fold_lock();
    fold_all_queues();
    f();
    fold_unlock();
}

}  // namespace hakmem::telemetry

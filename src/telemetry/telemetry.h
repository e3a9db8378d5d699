// Call-site telemetry: the layer's interface (docs/ARCHITECTURE.md,
// "Telemetry").
//
// Code overview:
//   alloc fast path (core/alloc.h)  heap->sample_countdown -= size; < 0 ->
//   alloc_slow (dispatch/dispatch.cpp) -> telemetry_sample_alloc   telemetry.cpp
//       sampled_heap_alloc | large_alloc + header record        sampled_heap.cpp
//       record_alloc: site counters, size -> thread's queue      site_stats.cpp
//   free_generic (dispatch/dispatch.cpp): seg->heap == &g_sampled_heap ->
//       telemetry_free_small -> sampled_heap_free, record_free
//   free_generic, a large block with seg->large_sample.sampled ->
//       telemetry_free_large -> record_free, then large_free
//   hak_get_site_stats / HAKMEM_SHOW_STATS / HAKMEM_STATS_JSON  report.cpp
//   HAKMEM_HEAP_PROFILE / hak_write_heap_profile (pprof)      heap_profile.cpp
//
// The dispatch layer above calls the three hooks below, all on paths that
// are already slow, and knows g_sampled_heap (one compare in free_generic).
// Core and large know nothing of telemetry but what they store for it: the
// countdown the fast path keeps, the opaque Heap::telemetry slot and a large
// block's Segment::large_sample record.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/heap.h"

namespace hakmem {

// The heap of sampled small blocks (telemetry/sampled_heap.h).
extern Heap g_sampled_heap;

// A countdown that never runs out in practice (2^62 bytes): telemetry off.
inline constexpr int64_t kNeverSample = int64_t{1} << 62;

// Called by alloc_slow when heap->sample_countdown went negative: sets a new
// countdown and returns a sampled block of `size` bytes, or nullptr when this
// allocation is not sampled after all (telemetry off, the thread's first
// countdown, out of memory) and the caller should allocate it normally.
__attribute__((noinline)) void* telemetry_sample_alloc(Heap* heap, size_t size, uintptr_t site);
// Frees a block of g_sampled_heap (free_generic, after validation).
__attribute__((noinline)) void telemetry_free_small(Block* block);
// Records the free of a sampled large block (free_generic, before large_free).
__attribute__((noinline)) void telemetry_free_large(Segment* seg);

// Reads the options (after options_init); maps the site storage when on.
void telemetry_init();
bool telemetry_enabled();
// Mean sampling interval in bytes for new countdowns; fixed = no rate control.
// The calling thread draws a new countdown at once, every other thread at
// its next sample. Used by options and tests.
void telemetry_set_sample_bytes(uint64_t bytes, bool fixed);
uint64_t telemetry_sample_bytes();
void telemetry_collect(bool force);

struct TelemetryCounters {
    uint64_t samples;          // sampled allocations
    uint64_t sampled_frees;    // sampled blocks freed
    uint64_t sites;            // distinct sites in the table
    uint64_t folded_samples;   // samples of sites the full table folded into the overflow entry
    uint64_t sample_bytes;     // configured mean interval
    bool adaptive;             // the interval may grow to keep the cost in budget
};
TelemetryCounters telemetry_counters();

// Fork handlers (api/init.cpp), taken in this order before the core's locks.
void telemetry_fork_prepare();
void telemetry_fork_parent();
void telemetry_fork_child();

}  // namespace hakmem

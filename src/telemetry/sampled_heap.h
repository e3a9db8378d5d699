// Where sampled blocks live, so that their frees are recognised without a
// lookup on any other free.
//
// Small and medium sampled blocks come from g_sampled_heap: an ordinary Heap
// that is never any thread's t_heap, guarded by one lock (sampled
// allocations are rare: one per ~T bytes allocated). Since its segments'
// `heap` is never the freeing thread's heap, every free of a sampled block
// misses the free fast path and reaches free_generic (dispatch/), where one compare
// (seg->heap == &g_sampled_heap) sends it here; unsampled frees pay nothing.
// The lock holder acts as the heap's owner, so frees from any thread are
// local frees into it. Each block's SampleRecord is kept in a side table
// keyed by address (open addressing, grown by doubling from the OS, under
// the same lock).
//
// The sampled heap may adopt abandoned segments like any heap; their blocks
// then have no record and are freed without telemetry.
//
// Large sampled blocks keep their record in their segment header
// (Segment::large_sample) and need neither the lock nor the table.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/heap.h"

namespace hakmem::telemetry {

// A block of `size` bytes (<= kMaxSmallSize) from the sampled heap, with its
// record stored; nullptr when out of memory or when the record table is at
// its limit (the caller then allocates unsampled).
void* sampled_heap_alloc(size_t size, const SampleRecord& record);
// Frees a block of the sampled heap; returns whether it had a record (*out).
bool sampled_heap_free(Block* block, SampleRecord* out);
// Live sampled small blocks with a record.
uint64_t sampled_heap_live_records();
void sampled_heap_collect(bool force);

void sampled_heap_lock();
void sampled_heap_unlock();
void sampled_heap_reset_in_child();

}  // namespace hakmem::telemetry

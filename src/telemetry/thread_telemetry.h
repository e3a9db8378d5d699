// A thread's telemetry state, hung off its heap (Heap::telemetry): the
// sampler and the queue of sketch values. Heaps are pooled and never
// unmapped, so this lives as long as the heap and passes with it to the next
// thread; readers find every queue by walking the heap registry.
#pragma once
#include <cstdint>

#include "core/heap.h"
#include "telemetry/event_queue.h"
#include "telemetry/sampler.h"

namespace hakmem::telemetry {

struct ThreadTelemetry {
    Sampler sampler;
    uint64_t gap_mean = 0;       // the mean the current countdown was drawn with: the next sample's weight
    uint32_t config_epoch = 0;   // telemetry_set_sample_bytes() calls seen
    EventQueue queue;
};

// The heap's state, created on first use by the heap's owner; nullptr on OOM.
ThreadTelemetry* thread_telemetry(Heap* heap);
// Existing state only (readers).
inline ThreadTelemetry* thread_telemetry_if_any(Heap* heap) {
    return static_cast<ThreadTelemetry*>(heap->telemetry.load(std::memory_order_acquire));
}

}  // namespace hakmem::telemetry

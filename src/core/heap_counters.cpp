#include "core/heap_counters.h"

#include <atomic>

#include "core/thread_heap.h"
#include "os/os_lock.h"

namespace hakmem {
namespace {
std::atomic<uint64_t> g_peak_bytes{0};
// Heaps outside the registry (counters_register_heap); append-only.
std::atomic<const Heap*> g_extra_heaps[kMaxExtraHeaps] = {};
os::SpinLock g_extra_lock;  // serializes registrations (init only)

void add_heap(const HeapCounters& c, MergedCounters* m, int64_t* bytes) {
    uint64_t allocs[kNumClasses];
    for (unsigned cls = 0; cls < kNumClasses; ++cls) allocs[cls] = c.allocs[cls].get();
    for (unsigned i = 0; i < kDirectSlots; ++i) allocs[g_size_classes.small_class[i]] += c.direct_allocs[i].get();
    for (unsigned cls = 0; cls < kNumClasses; ++cls) {
        uint64_t a = allocs[cls], f = c.frees[cls].get();
        m->allocs += a;
        m->frees += f;
        *bytes += (static_cast<int64_t>(a) - static_cast<int64_t>(f)) * static_cast<int64_t>(class_size(cls));
    }
    m->allocs += c.large_allocs.get();
    m->frees += c.large_frees.get();
    m->large_allocs += c.large_allocs.get();
    m->segments_reclaimed += c.segments_reclaimed.get();
    *bytes += static_cast<int64_t>(c.large_bytes_allocated.get()) - static_cast<int64_t>(c.large_bytes_freed.get());
}
}  // namespace

MergedCounters counters_merge() {
    MergedCounters m{};
    int64_t bytes = 0;
    add_heap(g_orphan_counters, &m, &bytes);
    for (const auto& slot : g_extra_heaps)
        if (const Heap* h = slot.load(std::memory_order_acquire)) add_heap(h->counters, &m, &bytes);
    for (Heap* h = heap_registry_head(); h != nullptr; h = h->registry_next) {
        add_heap(h->counters, &m, &bytes);
        if (h->in_use) m.threads_active++;
    }
    // Counters of different threads are read at slightly different times, so
    // a free counted before its allocation can make the sum dip below zero.
    m.bytes_current = bytes > 0 ? static_cast<uint64_t>(bytes) : 0;
    return m;
}

void counters_register_heap(const Heap* heap) {
    os::Guard<os::SpinLock> guard(g_extra_lock);
    for (auto& slot : g_extra_heaps) {
        const Heap* h = slot.load(std::memory_order_relaxed);
        if (h == heap) return;
        if (h == nullptr) {
            slot.store(heap, std::memory_order_release);
            return;
        }
    }
}

void counters_sample_peak() {
    uint64_t now = counters_merge().bytes_current;
    uint64_t peak = g_peak_bytes.load(std::memory_order_relaxed);
    while (now > peak && !g_peak_bytes.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
}

uint64_t counters_peak_bytes() { return g_peak_bytes.load(std::memory_order_relaxed); }

}  // namespace hakmem

#include "telemetry/site_stats.h"

#include <cstring>
#include <new>
#include <type_traits>

#include "core/thread_heap.h"
#include "os/os_lock.h"
#include "os/os_memory.h"
#include "telemetry/fastmath.h"
#include "telemetry/sampler.h"
#include "telemetry/thread_telemetry.h"

namespace hakmem::telemetry {
namespace {

struct Storage {
    SiteTable table;
    SiteCounters counters[SiteTable::kEntries];
    SiteSketches sketches[SiteTable::kEntries];
};

static_assert(std::is_trivially_destructible_v<Storage>);

std::atomic<Storage*> g_storage{nullptr};
os::Lock g_fold_lock;
std::atomic<uint64_t> g_dropped{0};

Storage& storage() { return *g_storage.load(std::memory_order_acquire); }

// Fold lock held.
void apply(const SketchEvent& e) {
    SiteSketches& s = storage().sketches[e.site];
    (e.sketch == Sketch::kSize ? s.size : s.lifetime).add(static_cast<double>(e.value), e.weight);
}

void enqueue(const SketchEvent& e, EventQueue* queue) {
    if (queue != nullptr && queue->push(e)) return;
    if (queue == nullptr) {
        os::LockGuard guard(g_fold_lock);
        apply(e);
        return;
    }
    // Full: fold our own queue if nobody else is folding; never wait.
    if (!g_fold_lock.try_lock()) {
        g_dropped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    queue->drain(apply);
    apply(e);
    g_fold_lock.unlock();
}

uint64_t quantile_u64(TDigest& d, double q) {
    double v = d.quantile(q);
    return fastmath::round_u64(v);
}

}  // namespace

SampleValues sample_values(uint32_t site, uint64_t size, uint64_t interval) {
    double weight = 1.0 / sample_probability(size, interval);
    return SampleValues{site, size, weight, fastmath::round_u64(weight * (1 << kCountFractionBits)),
                        fastmath::round_u64(weight * static_cast<double>(size))};
}

bool site_stats_init() {
    if (g_storage.load(std::memory_order_acquire) != nullptr) return true;
    // All-zero bytes are an empty table, zero counters and empty sketches,
    // and a fresh mapping is zero-filled: use it as is instead of running the
    // constructors, which would make all of it resident at once.
    void* mem = os::map(sizeof(Storage));
    if (mem == nullptr) return false;
    g_storage.store(std::launder(reinterpret_cast<Storage*>(mem)), std::memory_order_release);
    return true;
}

bool site_stats_ready() { return g_storage.load(std::memory_order_acquire) != nullptr; }

SiteTable& site_table() { return storage().table; }
SiteCounters& site_counters(uint32_t site) { return storage().counters[site]; }

void record_alloc(const SampleValues& v, EventQueue* queue) {
    SiteCounters& c = site_counters(v.site);
    c.samples.fetch_add(1, std::memory_order_relaxed);
    c.allocs_fixed.fetch_add(v.est_allocs_fixed, std::memory_order_relaxed);
    c.live_allocs_fixed.fetch_add(static_cast<int64_t>(v.est_allocs_fixed), std::memory_order_relaxed);
    c.bytes.fetch_add(v.est_bytes, std::memory_order_relaxed);
    int64_t live = c.live_bytes.fetch_add(static_cast<int64_t>(v.est_bytes), std::memory_order_relaxed) +
                   static_cast<int64_t>(v.est_bytes);
    uint64_t peak = c.peak_live_bytes.load(std::memory_order_relaxed);
    while (live > 0 && static_cast<uint64_t>(live) > peak &&
           !c.peak_live_bytes.compare_exchange_weak(peak, static_cast<uint64_t>(live), std::memory_order_relaxed)) {
    }
    enqueue(SketchEvent{v.site, Sketch::kSize, v.weight, v.size}, queue);
}

void record_free(const SampleValues& v, uint64_t lifetime_ns, EventQueue* queue) {
    SiteCounters& c = site_counters(v.site);
    c.frees.fetch_add(1, std::memory_order_relaxed);
    c.live_allocs_fixed.fetch_sub(static_cast<int64_t>(v.est_allocs_fixed), std::memory_order_relaxed);
    c.live_bytes.fetch_sub(static_cast<int64_t>(v.est_bytes), std::memory_order_relaxed);
    enqueue(SketchEvent{v.site, Sketch::kLifetime, v.weight, lifetime_ns}, queue);
}

uint64_t sketch_values_dropped() { return g_dropped.load(std::memory_order_relaxed); }

void fold_all_queues() {
    for (Heap* h = heap_registry_head(); h != nullptr; h = h->registry_next) {
        if (ThreadTelemetry* t = thread_telemetry_if_any(h)) t->queue.drain(apply);
    }
}

void site_summary(uint32_t index, hak_site_stats_t* out) {
    SiteCounters& c = site_counters(index);
    SiteSketches& s = storage().sketches[index];
    hak_site_stats_t r{};
    r.struct_size = sizeof r;
    r.site = index == kOverflowSite ? HAK_SITE_OVERFLOW : site_table().site_at(index);
    r.samples = c.samples.load(std::memory_order_relaxed);
    r.allocs = (c.allocs_fixed.load(std::memory_order_relaxed) + (1u << (kCountFractionBits - 1))) >> kCountFractionBits;
    r.bytes = c.bytes.load(std::memory_order_relaxed);
    int64_t live = c.live_bytes.load(std::memory_order_relaxed);
    r.live_bytes = live > 0 ? static_cast<uint64_t>(live) : 0;
    r.peak_live_bytes = c.peak_live_bytes.load(std::memory_order_relaxed);
    r.size_p50 = quantile_u64(s.size, 0.50);
    r.size_p95 = quantile_u64(s.size, 0.95);
    r.size_p99 = quantile_u64(s.size, 0.99);
    r.freed_samples = c.frees.load(std::memory_order_relaxed);
    r.lifetime_p50_ns = quantile_u64(s.lifetime, 0.50);
    r.lifetime_p95_ns = quantile_u64(s.lifetime, 0.95);
    r.lifetime_p99_ns = quantile_u64(s.lifetime, 0.99);
    size_t n = out->struct_size < sizeof r ? out->struct_size : sizeof r;
    size_t caller_size = out->struct_size;
    memcpy(out, &r, n);
    out->struct_size = caller_size;
}

void fold_lock() { g_fold_lock.lock(); }
void fold_unlock() { g_fold_lock.unlock(); }
void fold_lock_reset_in_child() { g_fold_lock.reset_in_child(); }

}  // namespace hakmem::telemetry

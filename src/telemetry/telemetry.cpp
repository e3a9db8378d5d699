// The sampled path: what happens when a thread's byte countdown runs out,
// and when a sampled block is freed. See telemetry/telemetry.h for the
// call tree and telemetry/sampler.h for the sampling model.
#include "telemetry/telemetry.h"

#include <atomic>
#include <new>
#include <pthread.h>

#include "core/heap_counters.h"
#include "core/secure.h"
#include "core/thread_heap.h"
#include "large/large.h"
#include "os/os_clock.h"
#include "os/os_memory.h"
#include "policy/options.h"
#include "telemetry/report.h"
#include "telemetry/sampled_heap.h"
#include "telemetry/site_stats.h"
#include "telemetry/thread_telemetry.h"

namespace hakmem {
namespace telemetry {
namespace {

std::atomic<bool> g_enabled{false};
std::atomic<uint64_t> g_sample_bytes{kDefaultSampleBytes};
std::atomic<bool> g_fixed{false};
std::atomic<uint32_t> g_config_epoch{1};
std::atomic<uint64_t> g_samples{0};
std::atomic<uint64_t> g_sampled_frees{0};
std::atomic<uint64_t> g_folded{0};

uint64_t thread_id() { return static_cast<uint64_t>(pthread_self()); }

// Picks up a new configuration (telemetry_set_sample_bytes) at the thread's
// next sample. Returns true when it did.
bool refresh_config(ThreadTelemetry* t) {
    uint32_t epoch = g_config_epoch.load(std::memory_order_acquire);
    if (t->config_epoch == epoch) return false;
    t->config_epoch = epoch;
    t->sampler.configure(g_sample_bytes.load(std::memory_order_relaxed), g_fixed.load(std::memory_order_relaxed),
                         os::now_ns() ^ reinterpret_cast<uintptr_t>(t));
    return true;
}

void draw_countdown(Heap* heap, ThreadTelemetry* t) {
    t->gap_mean = t->sampler.mean;
    heap->sample_countdown = t->sampler.next_interval();
}

uint32_t site_index(uintptr_t site) {
    bool folded = false;
    uint32_t index = site_table().find_or_insert(site, &folded);
    if (folded) g_folded.fetch_add(1, std::memory_order_relaxed);
    return index;
}

void account(Heap* heap, uint64_t start_ns, bool is_sample) {
    ThreadTelemetry* t = heap == &g_empty_heap ? nullptr : thread_telemetry_if_any(heap);
    if (t == nullptr) return;
    t->sampler.account(os::now_ns() - start_ns, is_sample, thread_id(), os::thread_cpu_ns);
}

// The freeing thread's queue (nullptr for a thread without a heap).
EventQueue* queue_of_caller() {
    Heap* heap = t_heap;
    if (heap == &g_empty_heap) return nullptr;
    ThreadTelemetry* t = thread_telemetry(heap);
    return t != nullptr ? &t->queue : nullptr;
}

void record_sampled_free(const SampleRecord& r, uint64_t now_ns) {
    SampleValues v = sample_values(r.site, r.size, r.interval);
    record_free(v, now_ns > r.alloc_ns ? now_ns - r.alloc_ns : 0, queue_of_caller());
    g_sampled_frees.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

ThreadTelemetry* thread_telemetry(Heap* heap) {
    auto* t = static_cast<ThreadTelemetry*>(heap->telemetry.load(std::memory_order_relaxed));
    if (__builtin_expect(t != nullptr, 1)) return t;
    void* mem = os::map(sizeof(ThreadTelemetry));
    if (mem == nullptr) return nullptr;
    t = new (mem) ThreadTelemetry();
    heap->telemetry.store(t, std::memory_order_release);  // readers walk the registry for queues
    return t;
}

}  // namespace telemetry

using namespace telemetry;

void* telemetry_sample_alloc(Heap* heap, size_t size, uintptr_t site) {
    if (!g_enabled.load(std::memory_order_relaxed)) {
        heap->sample_countdown = kNeverSample;
        return nullptr;
    }
    ThreadTelemetry* t = thread_telemetry(heap);
    if (t == nullptr) {
        heap->sample_countdown = kNeverSample;
        return nullptr;
    }
    // A thread's first countdown is 0 (a fresh heap): that point is not a
    // sample, only the start of the thread's sampling (sampling it would give
    // every thread's first allocation a weight of ~T/size). Likewise after a
    // change of the interval: sampling restarts with a fresh countdown.
    uint64_t interval = t->gap_mean;
    bool restart = refresh_config(t);
    draw_countdown(heap, t);
    if (restart) return nullptr;

    uint64_t start = os::now_ns();
    uint32_t index = site_index(site);
    SampleRecord record{1, index, size, start, interval};
    // The time charged to telemetry: all of it for a small block (the
    // sampled heap replaces a fast-path pop), but not a large block's
    // allocation, which happens sampled or not.
    uint64_t charged_from = start;
    void* p;
    if (size <= kMaxSmallSize - kTailBytes) {
        p = sampled_heap_alloc(size, record);
    } else {
        p = large_alloc(heap, size, 0);
        if (p != nullptr) segment_of(p)->large_sample = record;
        charged_from = os::now_ns();
    }
    if (p == nullptr) return nullptr;
    record_alloc(sample_values(index, size, interval), &t->queue);
    g_samples.fetch_add(1, std::memory_order_relaxed);
    account(heap, charged_from, true);
    return p;
}

void telemetry_free_small(Block* block) {
    uint64_t start = os::now_ns();
    SampleRecord r;
    if (sampled_heap_free(block, &r)) record_sampled_free(r, start);
    account(t_heap, start, false);
}

void telemetry_free_large(Segment* seg) {
    uint64_t start = os::now_ns();
    record_sampled_free(seg->large_sample, start);
    seg->large_sample.sampled = 0;
    account(t_heap, start, false);
}

void telemetry_init() {
    // The sampled heap is no thread's, so not in the heap registry: its
    // blocks count in the stats through this.
    counters_register_heap(&g_sampled_heap);
    bool on = option_get(Option::kTelemetry) != 0;
    int64_t bytes = option_get(Option::kSampleBytes);
    telemetry_set_sample_bytes(bytes > 0 ? static_cast<uint64_t>(bytes) : kDefaultSampleBytes, bytes > 0);
    if (on && !site_stats_init()) on = false;
    g_enabled.store(on, std::memory_order_release);
}

bool telemetry_enabled() { return g_enabled.load(std::memory_order_relaxed); }

void telemetry_set_sample_bytes(uint64_t bytes, bool fixed) {
    g_sample_bytes.store(bytes > 0 ? bytes : kDefaultSampleBytes, std::memory_order_relaxed);
    g_fixed.store(fixed, std::memory_order_relaxed);
    g_config_epoch.fetch_add(1, std::memory_order_release);
    // The calling thread draws a countdown at the new rate now; the others
    // restart at their next sample.
    Heap* heap = t_heap;
    if (heap == &g_empty_heap || !g_enabled.load(std::memory_order_relaxed)) return;
    if (ThreadTelemetry* t = thread_telemetry(heap)) {
        refresh_config(t);
        draw_countdown(heap, t);
    }
}

uint64_t telemetry_sample_bytes() { return g_sample_bytes.load(std::memory_order_relaxed); }

void telemetry_collect(bool force) { sampled_heap_collect(force); }

TelemetryCounters telemetry_counters() {
    TelemetryCounters c{};
    c.samples = g_samples.load(std::memory_order_relaxed);
    c.sampled_frees = g_sampled_frees.load(std::memory_order_relaxed);
    c.sites = site_stats_ready() ? site_table().size() : 0;
    c.folded_samples = g_folded.load(std::memory_order_relaxed);
    c.sample_bytes = telemetry_sample_bytes();
    c.adaptive = !g_fixed.load(std::memory_order_relaxed);
    return c;
}

void telemetry_fork_prepare() {
    telemetry_report_lock();
    fold_lock();
    sampled_heap_lock();
}
void telemetry_fork_parent() {
    sampled_heap_unlock();
    fold_unlock();
    telemetry_report_unlock();
}
void telemetry_fork_child() {
    sampled_heap_reset_in_child();
    fold_lock_reset_in_child();
    telemetry_report_reset_in_child();
}

}  // namespace hakmem

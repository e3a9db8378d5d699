// A thread's queue of sketch updates: the values (a sampled size, a sampled
// object's lifetime) that still have to go into their site's t-digests.
//
// Single producer, single consumer, fixed size. The producer is the thread
// that owns the queue's heap; it never waits: when the queue is full it
// folds the queue itself if the fold lock is free, and otherwise drops the
// value (counted). The consumer is whoever holds the fold lock
// (telemetry/site_stats.cpp): the producer when its queue fills, or a reader
// merging every queue before it reports.
#pragma once
#include <atomic>
#include <cstdint>

namespace hakmem::telemetry {

enum class Sketch : uint32_t { kSize = 0, kLifetime = 1 };

struct SketchEvent {
    uint32_t site;    // index in the site table
    Sketch sketch;
    double weight;    // the sample's weight, 1/p(size)
    uint64_t value;   // bytes or nanoseconds
};

class EventQueue {
public:
    static constexpr uint32_t kSize = 256;  // a power of two

    // Producer only. False when full.
    bool push(const SketchEvent& e) {
        uint32_t h = head_.load(std::memory_order_relaxed);
        if (h - tail_.load(std::memory_order_acquire) == kSize) return false;
        events_[h & (kSize - 1)] = e;
        head_.store(h + 1, std::memory_order_release);
        return true;
    }

    // Consumer only (fold lock held): calls f(event) for each queued event.
    template <typename F>
    void drain(F&& f) {
        uint32_t t = tail_.load(std::memory_order_relaxed);
        uint32_t h = head_.load(std::memory_order_acquire);
        for (; t != h; ++t) f(events_[t & (kSize - 1)]);
        tail_.store(t, std::memory_order_release);
    }

private:
    std::atomic<uint32_t> head_{0};
    std::atomic<uint32_t> tail_{0};
    SketchEvent events_[kSize];
};

}  // namespace hakmem::telemetry

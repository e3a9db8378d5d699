#include "os/purge_batch.h"

#include <atomic>

namespace hakmem::os {
namespace {
std::atomic<uint64_t> g_flushes{0}, g_ranges{0}, g_merged{0}, g_calls{0}, g_bytes{0};
}  // namespace

void PurgeBatch::add(void* p, size_t size) {
    if (size == 0) return;
    ranges_[count_++] = Range{p, size};
    bytes_ += size;
}

size_t PurgeBatch::flush(PurgeMode mode) {
    if (count_ == 0) return 0;
    // Insertion sort: at most 64 ranges, usually a handful, often in order.
    for (size_t i = 1; i < count_; ++i) {
        Range r = ranges_[i];
        size_t j = i;
        auto at = [](const Range& x) { return reinterpret_cast<uintptr_t>(x.start); };
        for (; j > 0 && at(ranges_[j - 1]) > at(r); --j) ranges_[j] = ranges_[j - 1];
        ranges_[j] = r;
    }
    size_t merged = 0;
    for (size_t i = 1; i < count_; ++i) {
        Range& last = ranges_[merged];
        if (static_cast<uint8_t*>(last.start) + last.size == ranges_[i].start) {
            last.size += ranges_[i].size;
        } else {
            ranges_[++merged] = ranges_[i];
        }
    }
    size_t n = merged + 1;
    size_t calls = purge_ranges(ranges_, n, mode);
    g_flushes.fetch_add(1, std::memory_order_relaxed);
    g_ranges.fetch_add(count_, std::memory_order_relaxed);
    g_merged.fetch_add(count_ - n, std::memory_order_relaxed);
    g_calls.fetch_add(calls, std::memory_order_relaxed);
    g_bytes.fetch_add(bytes_, std::memory_order_relaxed);
    count_ = 0;
    bytes_ = 0;
    return calls;
}

PurgeBatchCounters purge_batch_counters() {
    auto get = [](const std::atomic<uint64_t>& c) { return c.load(std::memory_order_relaxed); };
    return PurgeBatchCounters{get(g_flushes), get(g_ranges), get(g_merged), get(g_calls), get(g_bytes)};
}

}  // namespace hakmem::os

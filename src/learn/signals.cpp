#include "learn/signals.h"

#include <atomic>
#include <cmath>
#include <sys/resource.h>

#include "core/heap_counters.h"
#include "os/os_memory.h"

namespace hakmem::learn {
namespace {

std::atomic<SignalSource> g_source{nullptr};

Signals real_signals(uint64_t now_ms) {
    Signals s;
    s.now_ms = now_ms;
    rusage ru{};
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        auto ns = [](const timeval& t) {
            return static_cast<uint64_t>(t.tv_sec) * 1000000000u + static_cast<uint64_t>(t.tv_usec) * 1000u;
        };
        s.cpu_ns = ns(ru.ru_utime) + ns(ru.ru_stime);
        s.minor_faults = static_cast<uint64_t>(ru.ru_minflt);
    }
    os::OsCounters os = os::os_counters();
    s.os_calls = os.mmap_calls + os.munmap_calls + os.madvise_calls + os.mremap_calls;
    MergedCounters c = counters_merge();
    s.allocs = c.allocs;
    s.large_allocs = c.large_allocs;
    s.live_bytes = c.bytes_current;
    s.rss_bytes = os::resident_bytes();
    return s;
}

uint64_t delta(uint64_t a, uint64_t b) { return b > a ? b - a : 0; }  // counters never run backwards; be safe

double overhead(const Signals& s) { return s.rss_bytes > s.live_bytes ? double(s.rss_bytes - s.live_bytes) : 0.0; }

}  // namespace

Signals read_signals(uint64_t now_ms) {
    SignalSource source = g_source.load(std::memory_order_acquire);
    return source != nullptr ? source(now_ms) : real_signals(now_ms);
}

void set_signal_source_for_testing(SignalSource source) { g_source.store(source, std::memory_order_release); }

EpochCost epoch_cost(const Signals& start, const Signals& end) {
    EpochCost c;
    c.memory = (overhead(start) + overhead(end)) / 2;
    uint64_t allocs = delta(start.allocs, end.allocs);
    if (allocs >= kMinActiveAllocs) {
        c.active = true;
        c.cpu = static_cast<double>(delta(start.cpu_ns, end.cpu_ns)) / static_cast<double>(allocs);
        uint64_t kernel = delta(start.minor_faults, end.minor_faults) + delta(start.os_calls, end.os_calls);
        c.faults = static_cast<double>(kernel) / static_cast<double>(allocs);
    }
    return c;
}

Signature epoch_signature(const Signals& start, const Signals& end) {
    double seconds = static_cast<double>(delta(start.now_ms, end.now_ms)) / 1000.0;
    double allocs = static_cast<double>(delta(start.allocs, end.allocs));
    double large = static_cast<double>(delta(start.large_allocs, end.large_allocs));
    double live = static_cast<double>(end.live_bytes);
    double growth = static_cast<double>(end.live_bytes) - static_cast<double>(start.live_bytes);
    Signature s;
    s.v[0] = std::log2(1.0 + (seconds > 0 ? allocs / seconds : 0.0));
    s.v[1] = std::log2(1.0 + live);
    // A share, scaled so that "all large" weighs like a 16x rate change.
    s.v[2] = 4.0 * (allocs > 0 ? large / allocs : 0.0);
    // Signed log of the growth rate per second.
    double rate = seconds > 0 ? growth / seconds : 0.0;
    s.v[3] = rate >= 0 ? std::log2(1.0 + rate) : -std::log2(1.0 - rate);
    return s;
}

double signature_distance2(const Signature& a, const Signature& b) {
    double sum = 0;
    for (unsigned i = 0; i < kSignatureDims; ++i) {
        double d = kSignatureWeights[i] * (a.v[i] - b.v[i]);
        sum += d * d;
    }
    return sum;
}

}  // namespace hakmem::learn

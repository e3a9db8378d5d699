// A cheap monotonic clock for purge decisions. CLOCK_MONOTONIC_COARSE is a
// vDSO read of a few nanoseconds with tick resolution (1-4 ms), plenty for
// delays measured in tens of milliseconds.
//
// Tests replace the millisecond clock (set_clock_for_testing) so that purge
// delays and periodic jobs can be tested by moving time forward instead of
// sleeping through it. Every decision about "free for the purge delay" reads
// now_ms(), so one hook covers the heaps, the segments, the large cache and
// the background thread. The production cost is one relaxed load and a
// not-taken branch, on slow paths only (the fast paths never read the clock).
#pragma once
#include <atomic>
#include <cstdint>
#include <ctime>

namespace hakmem::os {

using ClockNowMs = uint64_t (*)();
// Null: the real clock. Set only by set_clock_for_testing.
extern std::atomic<ClockNowMs> g_clock_now_ms;

inline uint64_t coarse_now_ms() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}
inline uint64_t now_ms() {
    ClockNowMs fake = g_clock_now_ms.load(std::memory_order_relaxed);
    if (__builtin_expect(fake != nullptr, 0)) return fake();
    return coarse_now_ms();
}
// For tests only: now_ms() returns fake() from here on (nullptr restores the
// real clock). A fake clock must never go backwards, nor start behind the
// real one: ages are computed as now - then, unsigned, from times recorded
// before the switch. Moving it does not wake the background thread, which
// sleeps on real time: call os::background_wake() after moving it.
void set_clock_for_testing(ClockNowMs fake);

// Nanoseconds of CLOCK_MONOTONIC (vDSO, ~20 ns): telemetry's timestamps.
inline uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}
// CPU time of the calling thread in nanoseconds. A system call (~0.3 us):
// read rarely.
inline uint64_t thread_cpu_ns() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}
}  // namespace hakmem::os

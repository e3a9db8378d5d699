// A cheap monotonic clock for purge decisions. CLOCK_MONOTONIC_COARSE is a
// vDSO read of a few nanoseconds with tick resolution (1-4 ms), plenty for
// delays measured in tens of milliseconds.
#pragma once
#include <cstdint>
#include <ctime>

namespace hakmem::os {
inline uint64_t now_ms() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}
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

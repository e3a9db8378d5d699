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
}  // namespace hakmem::os

// Process memory figures from /proc/self/status, read without allocating so
// the numbers are not disturbed by the act of measuring.
#pragma once

#include <cstddef>

namespace hakbench {

struct MemStat {
  size_t rss_kb = 0;  // VmRSS: resident now
  size_t hwm_kb = 0;  // VmHWM: resident peak
};

MemStat read_memstat();

}  // namespace hakbench

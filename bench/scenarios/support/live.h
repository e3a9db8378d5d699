// Live-byte accounting: the bytes the scenario currently holds, and the peak.
// The runner sets the peak against peak RSS to show allocator overhead.
#pragma once

#include <cstddef>

namespace hakbench {

struct Live {
  size_t bytes = 0;
  size_t peak = 0;

  void add(size_t n) {
    bytes += n;
    if (bytes > peak) peak = bytes;
  }
  void sub(size_t n) { bytes -= n; }
  void resize(size_t from, size_t to) {
    sub(from);
    add(to);
  }
};

}  // namespace hakbench

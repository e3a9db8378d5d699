// Per-thread state for the multi-threaded scenarios.
//
// Each thread gets its own Run: its own PRNG stream (so what a thread asks
// for does not depend on how the threads interleave), its own verifier and
// op count. Each Run sits in cache lines of its own: threads counting their
// ops side by side would otherwise share a line, and the scenario would
// measure its own bookkeeping. At the end the verifiers and counts are added
// into the main Run; sums commute, so the checksum does not depend on which
// thread checked which block, only on which blocks were written.
#pragma once

#include <cstddef>
#include <thread>
#include <vector>

#include "scenario.h"

namespace hakbench {

class ThreadRuns {
 public:
  // n Runs seeded from run's PRNG (one draw per thread).
  ThreadRuns(Run& run, unsigned n);

  Run& operator[](unsigned i) { return slots_[i].run; }

  // Adds the threads' verifiers and op counts into run. Live bytes are left
  // to the scenario: a block freed by another thread than the one that
  // allocated it makes per-thread live counts meaningless.
  void merge_into(Run& run) const;
  // The sum of the threads' peak live bytes: an upper bound of the peak of
  // their sum, for scenarios whose threads free only their own blocks.
  size_t live_peak_sum() const;

 private:
  struct alignas(64) Slot {
    Slot(const Config& cfg, uint64_t salt) : run(cfg, salt) {}
    Run run;
  };
  std::vector<Slot> slots_;
};

// Runs body(i) on threads i = 0..n-1 and waits for all of them.
template <class Body>
void run_threads(unsigned n, Body body) {
  std::vector<std::thread> pool;
  pool.reserve(n);
  for (unsigned i = 0; i < n; ++i) pool.emplace_back(body, i);
  for (auto& t : pool) t.join();
}

}  // namespace hakbench

// Per-thread Runs for the multi-threaded scenarios; see thread_runs.h.
#include "thread_runs.h"

namespace hakbench {

ThreadRuns::ThreadRuns(Run& run, unsigned n) {
  slots_.reserve(n);
  for (unsigned t = 0; t < n; ++t) slots_.emplace_back(run.cfg, mix64(run.rng.next() + t));
}

void ThreadRuns::merge_into(Run& run) const {
  for (const Slot& s : slots_) {
    run.verify.merge(s.run.verify);
    run.ops += s.run.ops;
  }
}

size_t ThreadRuns::live_peak_sum() const {
  size_t sum = 0;
  for (const Slot& s : slots_) sum += s.run.live.peak;
  return sum;
}

}  // namespace hakbench

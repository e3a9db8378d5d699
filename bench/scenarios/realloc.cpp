// Scenario `realloc`: half of all operations are realloc, growing (x1.25..4)
// and shrinking (/1.25..4) blocks between 8 B and 256 KiB; the other half
// malloc into empty slots and free occupied ones.
//
// Why: string builders, vectors and buffers resize constantly. An allocator
// can grow in place, move cheaply (mremap for large blocks), or copy; it can
// shrink in place or keep the slack. Every resize checks the copied prefix.
#include <vector>

#include "support/scenario.h"

namespace hakbench {

namespace {

using Block = TaggedBlock;

constexpr size_t kSlots = 1024;
constexpr size_t kMin = 8;
constexpr size_t kMax = 256 * 1024;

size_t resized(Rng& rng, size_t size) {
  const double factor = 1.25 + 2.75 * rng.unit();
  const double next = rng.chance(0.5) ? static_cast<double>(size) * factor
                                      : static_cast<double>(size) / factor;
  const auto n = static_cast<size_t>(next);
  return n < kMin ? kMin : (n > kMax ? kMax : n);
}

}  // namespace

void run_realloc(Run& run) {
  const uint64_t ops = run.cfg.scaled(10'000, 400'000, 4'000'000);
  std::vector<Block> slots(kSlots);
  uint64_t tag = 0;
  for (uint64_t i = 0; i < ops; ++i) {
    Block& b = slots[run.rng.below(kSlots)];
    if (run.rng.chance(0.5)) {
      // realloc; on an empty slot it is realloc(NULL, n), i.e. malloc.
      const size_t n = b.p ? resized(run.rng, b.size) : run.rng.log_uniform(kMin, 4096);
      if (b.p) run.verify.check(b.p, b.size, b.tag);
      b.p = run.resize(b.p, b.size, n);
      if (b.size != 0) run.verify.check_prefix(b.p, b.size, b.size < n ? b.size : n, b.tag);
      b.size = n;
      b.tag = ++tag;
      run.verify.stamp(b.p, b.size, b.tag);
    } else if (b.p != nullptr) {
      run.verify.check(b.p, b.size, b.tag);
      run.release(b.p, b.size);
      b = Block{};
    } else {
      b.size = run.rng.log_uniform(kMin, 4096);
      b.tag = ++tag;
      b.p = run.alloc(b.size);
      run.verify.stamp(b.p, b.size, b.tag);
    }
  }
  for (Block& b : slots) {
    if (b.p == nullptr) continue;
    run.verify.check(b.p, b.size, b.tag);
    run.release(b.p, b.size);
  }
}

}  // namespace hakbench

// Scenario `lifetime`: 70% of blocks die young (within a few allocations),
// 25% live for thousands of allocations, 5% live to the end.
//
// Why: the generational shape of most programs. Short-lived blocks should
// recycle through a hot cache; medium ones churn a larger working set; the
// permanent 5% are scattered through pages the short-lived traffic also
// uses, so they pin memory unless the allocator segregates them well.
#include <vector>

#include "support/scenario.h"

namespace hakbench {

namespace {

using Block = TaggedBlock;

constexpr size_t kShortSlots = 16;     // freed within ~16 short allocations
constexpr size_t kMediumSlots = 4096;  // random replacement: ~16k allocations

void replace(Run& run, Block& slot, const Block& b) {
  if (slot.p != nullptr) {
    run.verify.check(slot.p, slot.size, slot.tag);
    run.release(slot.p, slot.size);
  }
  slot = b;
}

}  // namespace

void run_lifetime(Run& run) {
  const uint64_t allocations = run.cfg.scaled(10'000, 300'000, 3'000'000);
  std::vector<Block> short_lived(kShortSlots), medium(kMediumSlots), permanent;
  permanent.reserve(allocations / 16);
  size_t next_short = 0;
  for (uint64_t i = 0; i < allocations; ++i) {
    Block b{nullptr, run.rng.skewed(16, 4096, 3.0), i + 1};
    b.p = run.alloc(b.size);
    run.verify.stamp(b.p, b.size, b.tag);
    const uint64_t r = run.rng.below(100);
    if (r < 70) {
      replace(run, short_lived[next_short], b);
      next_short = (next_short + 1) % kShortSlots;
    } else if (r < 95) {
      replace(run, medium[run.rng.below(kMediumSlots)], b);
    } else {
      permanent.push_back(b);
    }
  }
  for (auto* set : {&short_lived, &medium, &permanent})
    for (Block& b : *set) replace(run, b, Block{});
}

}  // namespace hakbench

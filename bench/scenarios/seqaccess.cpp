// Scenario `seqaccess`: large blocks (1..16 MiB) written front to back right
// after allocation, read back front to back, then freed; three in flight.
//
// Why: buffers for files, images and network payloads are streamed through.
// The allocator's part is the first touch: fresh mappings fault every page
// (unless it hands out huge pages or recycles hot memory), and its choice of
// alignment decides whether transparent huge pages can back the block.
#include <vector>

#include "support/scenario.h"

namespace hakbench {

namespace {
using Block = TaggedBlock;
}  // namespace

void run_seqaccess(Run& run) {
  const uint64_t blocks = run.cfg.scaled(6, 32, 320);
  std::vector<Block> slots(3);
  for (uint64_t i = 0; i < blocks; ++i) {
    Block& s = slots[i % slots.size()];
    if (s.p != nullptr) {
      // The read pass: every byte, in address order.
      run.verify.check(s.p, s.size, s.tag, Verifier::Mode::kFull);
      run.release(s.p, s.size);
    }
    s.size = run.rng.log_uniform(1u << 20, 16u << 20);
    s.tag = i + 1;
    s.p = run.alloc(s.size);
    run.verify.stamp(s.p, s.size, s.tag, Verifier::Mode::kFull);  // the write pass
  }
  for (Block& s : slots) {
    if (s.p == nullptr) continue;
    run.verify.check(s.p, s.size, s.tag, Verifier::Mode::kFull);
    run.release(s.p, s.size);
  }
}

}  // namespace hakbench

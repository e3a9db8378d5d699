// Scenario `corrupt` (hidden, not in the default suite): overwrites one byte
// of a live block on purpose, as an allocator that handed the same memory to
// two owners would. It exists so the tests can prove that a broken
// allocator makes the run fail loudly instead of producing a number.
#include <vector>

#include "support/scenario.h"

namespace hakbench {

void run_corrupt(Run& run) {
  struct Block {
    void* p;
    size_t size;
    uint64_t tag;
  };
  std::vector<Block> blocks;
  for (uint64_t i = 0; i < 1000; ++i) {
    Block b{nullptr, run.rng.log_uniform(64, 4096), i + 1};
    b.p = run.alloc(b.size);
    run.verify.stamp(b.p, b.size, b.tag);
    blocks.push_back(b);
  }
  static_cast<unsigned char*>(blocks[500].p)[17] ^= 0x5A;  // the "other owner"
  for (const Block& b : blocks) {
    run.verify.check(b.p, b.size, b.tag);
    run.release(b.p, b.size);
  }
}

}  // namespace hakbench

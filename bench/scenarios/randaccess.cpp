// Scenario `randaccess`: like seqaccess, but the block is written and read
// one cache line at a time in a scattered order.
//
// Why: hash tables, graphs and VM heaps touch large blocks randomly. Here the
// TLB dominates: a block backed by 2 MiB pages costs a fraction of the misses
// of one backed by 4 KiB pages, and first-touch faults arrive in random
// order (no sequential readahead of zero pages to hide them).
#include <cstring>
#include <vector>

#include "support/scenario.h"

namespace hakbench {

namespace {

constexpr size_t kLine = 64;
// A prime larger than any block's line count (16 MiB / 64 = 262144), so
// i -> i * kStride mod lines is a permutation that jumps across the block.
constexpr uint64_t kWriteStride = 1'000'003;
constexpr uint64_t kReadStride = 1'500'007;

using Block = TaggedBlock;

void write_scattered(Run& run, const Block& b) {
  const uint64_t lines = b.size / kLine;
  uint64_t sum = 0;
  for (uint64_t i = 0, at = 0; i < lines; ++i, at = (at + kWriteStride) % lines) {
    const uint64_t w = pattern_word(b.tag, at);
    std::memcpy(static_cast<char*>(b.p) + at * kLine, &w, 8);
    sum += w;
  }
  run.verify.seal(sum);
}

void check_scattered(Run& run, const Block& b) {
  const uint64_t lines = b.size / kLine;
  uint64_t sum = 0, want_sum = 0;
  for (uint64_t i = 0, at = 0; i < lines; ++i, at = (at + kReadStride) % lines) {
    uint64_t got;
    std::memcpy(&got, static_cast<const char*>(b.p) + at * kLine, 8);
    sum += got;
    want_sum += pattern_word(b.tag, at);
  }
  run.verify.unseal(sum, want_sum, b.tag);
}

}  // namespace

void run_randaccess(Run& run) {
  const uint64_t blocks = run.cfg.scaled(6, 32, 320);
  std::vector<Block> slots(3);
  for (uint64_t i = 0; i < blocks; ++i) {
    Block& s = slots[i % slots.size()];
    if (s.p != nullptr) {
      check_scattered(run, s);
      run.release(s.p, s.size);
    }
    s.size = run.rng.log_uniform(1u << 20, 16u << 20);
    s.tag = i + 1;
    s.p = run.alloc(s.size);
    write_scattered(run, s);
  }
  for (Block& s : slots) {
    if (s.p == nullptr) continue;
    check_scattered(run, s);
    run.release(s.p, s.size);
  }
}

}  // namespace hakbench

// Scenario `alignment`: posix_memalign and aligned_alloc at 64 B (cache
// line), 4 KiB (page) and 2 MiB (huge page), 256 blocks alive at a time.
//
// Why: SIMD code and lock-free structures want cache-line alignment, I/O
// buffers (O_DIRECT) page alignment, and runtimes that manage huge pages
// 2 MiB. Over-aligned requests are where allocators waste the most memory
// (padding, or a whole mapping per block) and some are slow. Every pointer
// is checked for its alignment and its contents.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "support/scenario.h"

namespace hakbench {

namespace {

using Block = TaggedBlock;

constexpr size_t kLive = 256;

}  // namespace

void run_alignment(Run& run) {
  const uint64_t iterations = run.cfg.scaled(3'000, 100'000, 1'000'000);
  std::vector<Block> live(kLive);
  for (uint64_t i = 0; i < iterations; ++i) {
    Block& b = live[run.rng.below(kLive)];
    if (b.p != nullptr) {
      run.verify.check(b.p, b.size, b.tag);
      run.release(b.p, b.size);
      b = Block{};
    }
    // 2 MiB requests are rare: each may cost a fresh mapping of 512 pages.
    const uint64_t r = run.rng.below(1000);
    size_t align, size;
    if (r < 600) {
      align = 64;
      size = run.rng.skewed(16, 1024, 2.0);
    } else if (r < 996) {
      align = 4096;
      size = run.rng.log_uniform(4096, 64 * 1024);
    } else {
      align = 2u << 20;
      size = run.rng.log_uniform(2u << 20, 6u << 20);
    }
    void* p = nullptr;
    ++run.ops;
    if (i % 2 == 0) {
      if (posix_memalign(&p, align, size) != 0) p = nullptr;
    } else {
      // C11 asks for size to be a multiple of the alignment.
      size = (size + align - 1) / align * align;
      p = aligned_alloc(align, size);
    }
    if (p == nullptr) Run::out_of_memory(i % 2 ? "aligned_alloc" : "posix_memalign", size);
    if (reinterpret_cast<uintptr_t>(p) % align != 0) run.verify.fail("pointer not aligned as requested");
    run.live.add(size);
    b = Block{p, size, i + 1};
    run.verify.stamp(b.p, b.size, b.tag);
  }
  for (Block& b : live) {
    if (b.p == nullptr) continue;
    run.verify.check(b.p, b.size, b.tag);
    run.release(b.p, b.size);
  }
}

}  // namespace hakbench

// Scenario `fragmentation`: alternating alloc/free patterns that leave holes.
//
// Why: each generation allocates a run of blocks from one size band, then
// frees every other one, and later most survivors of older generations die.
// The holes are too small or in the wrong size class for the next band, so
// an allocator that cannot reuse or return partially used pages keeps RSS
// far above what the program holds. The figure to read is frag_ratio =
// (peak RSS - RSS at start) / peak live bytes.
#include <iterator>
#include <vector>

#include "support/memstat.h"
#include "support/scenario.h"

namespace hakbench {

namespace {

using Block = TaggedBlock;

// Bands cycle small -> large -> small so freed space of one band is asked
// for again only after other bands moved in next to it.
constexpr size_t kBands[][2] = {
    {16, 128}, {128, 1024}, {1024, 8192}, {8192, 65536}, {48, 384}, {384, 3072}, {3072, 24576},
};

void free_block(Run& run, Block& b) {
  run.verify.check(b.p, b.size, b.tag);
  run.release(b.p, b.size);
  b.p = nullptr;
}

}  // namespace

void run_fragmentation(Run& run) {
  const uint64_t generations = run.cfg.scaled(4, 10, 21);
  const size_t budget = run.cfg.size == Size::kTiny    ? (1u << 20)
                        : run.cfg.size == Size::kQuick ? (8u << 20)
                                                       : (128u << 20);
  const MemStat start = read_memstat();
  std::vector<std::vector<Block>> gens;
  uint64_t tag = 0;
  for (uint64_t g = 0; g < generations; ++g) {
    const auto& band = kBands[g % std::size(kBands)];
    std::vector<Block> gen;
    for (size_t bytes = 0; bytes < budget;) {
      Block b{nullptr, run.rng.log_uniform(band[0], band[1]), ++tag};
      b.p = run.alloc(b.size);
      run.verify.stamp(b.p, b.size, b.tag);
      bytes += b.size;
      gen.push_back(b);
    }
    // Every other block dies: holes between live neighbours.
    for (size_t i = 1; i < gen.size(); i += 2) free_block(run, gen[i]);
    // Generation g-2 loses three of every four survivors.
    if (g >= 2) {
      auto& old = gens[g - 2];
      for (size_t i = 0; i < old.size(); i += 2)
        if ((i / 2) % 4 != 0 && old[i].p != nullptr) free_block(run, old[i]);
    }
    gens.push_back(std::move(gen));
  }
  const MemStat peak = read_memstat();
  for (auto& gen : gens)
    for (Block& b : gen)
      if (b.p != nullptr) free_block(run, b);
  const MemStat end = read_memstat();
  const double peak_live_kb = static_cast<double>(run.live.peak) / 1024.0;
  const double grown_kb = static_cast<double>(peak.hwm_kb - start.rss_kb);
  run.metric("frag_ratio", peak_live_kb > 0 ? grown_kb / peak_live_kb : 0);
  run.metric("peak_live_kb", peak_live_kb);
  run.metric("peak_rss_growth_kb", grown_kb);
  // What the allocator kept after everything was freed.
  run.metric("rss_after_free_kb", static_cast<double>(end.rss_kb));
}

}  // namespace hakbench

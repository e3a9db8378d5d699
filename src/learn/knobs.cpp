#include "learn/knobs.h"

namespace hakmem::learn {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

// The grids hold the defaults and the neighbours the headroom measurement
// (docs/BENCHMARKS.md, hakmem-bench --headroom, 2026-12-02) found harmless
// or helpful. Left out because they cost 1.2x to 145x wherever large blocks
// are reused, which even a 10% exploration share cannot afford: purge delay
// 0, large cache 0 and 16 MiB, mmap threshold 1 MiB and 8 MiB, and huge
// pages off (1.6-1.9x on seqaccess, randaccess, alignment).
constexpr uint64_t kPurgeDelays[] = {10, 50, 250, 1000, 4000};
constexpr uint64_t kSegmentCaches[] = {2, 8, 32, 128};
constexpr uint64_t kPurgeModes[] = {0, 1};
constexpr uint64_t kMmapThresholds[] = {32 * kMiB, 128 * kMiB};
constexpr uint64_t kLargeCaches[] = {64 * kMiB, 256 * kMiB, 1024 * kMiB};
constexpr uint64_t kPurgeBatches[] = {1 * kMiB, 4 * kMiB, 16 * kMiB};
// 1 = on (every segment), 2 = large blocks only (the default). On cut
// faults to 0.54-0.79 on mir, mixed, fragmentation and lifetime.
constexpr uint64_t kHugePages[] = {1, 2};

template <unsigned N>
constexpr Knob wide(const char* name, uint64_t StrategyValues::*field, const uint64_t (&grid)[N]) {
    return Knob{name, field, nullptr, grid, N};
}
template <unsigned N>
constexpr Knob narrow(const char* name, uint32_t StrategyValues::*field, const uint64_t (&grid)[N]) {
    return Knob{name, nullptr, field, grid, N};
}

const Knob kKnobs[] = {
    wide("purge_delay_ms", &StrategyValues::purge_delay_ms, kPurgeDelays),
    wide("segment_cache_max", &StrategyValues::segment_cache_max, kSegmentCaches),
    narrow("purge_mode", &StrategyValues::purge_mode, kPurgeModes),
    wide("mmap_threshold", &StrategyValues::mmap_threshold, kMmapThresholds),
    wide("large_cache_max", &StrategyValues::large_cache_max, kLargeCaches),
    wide("purge_batch_bytes", &StrategyValues::purge_batch_bytes, kPurgeBatches),
    narrow("huge_pages", &StrategyValues::huge_pages, kHugePages),
};

}  // namespace

unsigned knob_count() { return sizeof kKnobs / sizeof kKnobs[0]; }
const Knob& knob(unsigned i) { return kKnobs[i]; }

uint64_t knob_get(const Knob& k, const StrategyValues& v) { return k.wide != nullptr ? v.*k.wide : v.*k.narrow; }

void knob_set(const Knob& k, StrategyValues* v, uint64_t value) {
    if (k.wide != nullptr) v->*k.wide = value;
    else v->*k.narrow = static_cast<uint32_t>(value);
}

unsigned knob_index(const Knob& k, const StrategyValues& v) {
    uint64_t value = knob_get(k, v);
    unsigned best = 0;
    for (unsigned i = 1; i < k.steps; ++i) {
        uint64_t d_best = value > k.grid[best] ? value - k.grid[best] : k.grid[best] - value;
        uint64_t d_i = value > k.grid[i] ? value - k.grid[i] : k.grid[i] - value;
        if (d_i < d_best) best = i;
    }
    return best;
}

StrategyValues mutate(const StrategyValues& base, Rng& rng) {
    const Knob& k = kKnobs[rng.below(knob_count())];
    unsigned i = knob_index(k, base);
    bool up = rng.below(2) == 1;
    if (i == 0) up = true;
    if (i + 1 == k.steps) up = false;
    StrategyValues next = base;
    knob_set(k, &next, k.grid[up ? i + 1 : i - 1]);
    return next;
}

}  // namespace hakmem::learn

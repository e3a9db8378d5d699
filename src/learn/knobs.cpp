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

// The priors: how likely a step is to move the cost, from the headroom
// measurement (docs/BENCHMARKS.md, 2026-12-02) and the learner benchmark's
// phase scenarios. 1 is "within the noise wherever measured":
//  - huge pages on (a step down this grid): 3. The one gain beyond the
//    noise on the stationary scenarios (mir, mixed, fragmentation,
//    lifetime: composite 0.84-0.91) and a loss on json and realloc (1.11,
//    1.19): it matters both ways, which is what a match is for.
//  - purge delay longer: 2, and doubled (across_phases) once the workload
//    changes phase: the one real gain on the phase scenarios (delay 1 s:
//    0.78 on phases-slow, 0.95 on phases-mid; a loss of 1.23-1.32 on
//    phases-fast), while on the stationary scenarios 1 s and 10 s stayed
//    within the noise. What a phase frees is what the delay keeps for the
//    next one, so a changing workload is where it matters.
//  - large cache larger: 2. The large cache decides every large-block
//    reuse (smaller cost vm, mixed and webserver 3-40x); larger stayed in
//    the noise at quick sizes, but it is the safe side of a knob that
//    matters, for programs whose large blocks outgrow 64 MiB.
//  - purge delay shorter: 1 (50 ms cost 1.01-1.23); segment cache, purge
//    mode, mmap threshold (no scenario has a block near 32 MiB), purge
//    batch: 1, within +-5% everywhere.
// Why not a signal of the running program (e.g. "faults dominate the
// cost"): the cost's parts have different units and are compared only as
// relative differences (learn/cost.h), so which part "dominates" has no
// scale-free meaning; whether the workload changes phase does (the change
// detector's alarms), and that is the one signal used here.
template <unsigned N>
constexpr Knob wide(const char* name, uint64_t StrategyValues::*field, const uint64_t (&grid)[N], double up,
                    double down, bool across_phases = false) {
    return Knob{name, field, nullptr, grid, N, up, down, across_phases};
}
template <unsigned N>
constexpr Knob narrow(const char* name, uint32_t StrategyValues::*field, const uint64_t (&grid)[N], double up,
                      double down) {
    return Knob{name, nullptr, field, grid, N, up, down, false};
}

const Knob kKnobs[] = {
    wide("purge_delay_ms", &StrategyValues::purge_delay_ms, kPurgeDelays, 2, 1, /*across_phases=*/true),
    wide("segment_cache_max", &StrategyValues::segment_cache_max, kSegmentCaches, 1, 1),
    narrow("purge_mode", &StrategyValues::purge_mode, kPurgeModes, 1, 1),
    wide("mmap_threshold", &StrategyValues::mmap_threshold, kMmapThresholds, 1, 1),
    wide("large_cache_max", &StrategyValues::large_cache_max, kLargeCaches, 2, 1),
    wide("purge_batch_bytes", &StrategyValues::purge_batch_bytes, kPurgeBatches, 1, 1),
    narrow("huge_pages", &StrategyValues::huge_pages, kHugePages, /*large only=*/1, /*on=*/3),
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

unsigned neighbours(const StrategyValues& base, StrategyValues* out, unsigned max) {
    unsigned n = 0;
    for (const Knob& k : kKnobs) {
        unsigned i = knob_index(k, base);
        if (i > 0 && n < max) out[n] = base, knob_set(k, &out[n++], k.grid[i - 1]);
        if (i + 1 < k.steps && n < max) out[n] = base, knob_set(k, &out[n++], k.grid[i + 1]);
    }
    return n;
}

double move_prior(const StrategyValues& from, const StrategyValues& to, bool phase_changing) {
    double sum = 0;
    for (const Knob& k : kKnobs) {
        int steps = static_cast<int>(knob_index(k, to)) - static_cast<int>(knob_index(k, from));
        double weight = steps > 0 ? k.prior_up : k.prior_down;
        if (phase_changing && k.across_phases) weight *= 2;
        sum += (steps > 0 ? steps : -steps) * weight;
    }
    return sum;
}

}  // namespace hakmem::learn

// The learner's settings: what HAKMEM_LEARN_* options set (learn/learner.cpp
// reads them) and what the unit tests vary.
#pragma once
#include <cstdint>
#include <ctime>

#include "learn/cost.h"
#include "policy/strategy.h"

namespace hakmem::learn {

inline uint64_t unix_seconds() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<uint64_t>(ts.tv_sec);
}

struct LearnerConfig {
    // Epoch length. 100 ms: long enough for getrusage's tick-granular CPU
    // times to mean something, short enough for a few matches a minute.
    uint32_t epoch_ms = 100;
    uint32_t candidates = 8;        // K
    uint32_t survivors = 4;         // M
    double epsilon = 0.2;           // share of random challengers
    double explore_share = 0.10;    // challenger epochs at most this share of all epochs
    double margin = 0.03;           // |paired difference| below this is a draw
    // A difference beyond the margin decides a match only beyond this many
    // times its noise estimate (learn/match.h); otherwise the match is
    // close and gets another A B B A cycle, up to max_cycles, then is a
    // draw. 2: about two standard deviations of a cycle's difference. On
    // synthetic landscapes (tests/learn/selection_test.cpp, 20 seeds) the
    // title changed hands without a better strategy in 8% of matches
    // instead of 30% under +-15% noise per epoch, and in 1% instead of 23%
    // when the workload's cost steps between phases; a real 10% step was
    // climbed somewhat slower (half the first 15000 epochs on the best
    // instead of 60%) and held as well (94%). 2 cycles: one more look at a
    // close match (3 cycles climbed slower and let more steps through).
    double noise_factor = 2.0;
    uint32_t max_cycles = 2;
    uint32_t scored_per_block = 2;  // scored epochs per block of a match
    uint32_t default_every = 4;     // a non-default champion meets the default every n-th match
    CostWeights weights;
    uint64_t seed = 0x853c49e6748fea9bull;
    // The playbook file (learn/playbook.h), or nullptr for none. Not owned:
    // it must outlive the learner (learner_init passes a static buffer).
    const char* playbook = nullptr;
    // Scored epochs between playbook flushes (600 x 100 ms = a minute), so a
    // long run keeps what it learned even if it never exits normally.
    uint32_t flush_every = 600;
    // Unix seconds, for the playbook's last_seen (tests count instead).
    uint64_t (*unix_clock)() = &unix_seconds;
};

// Epochs to discard after switching from strategy `from` to `to`: the
// epoch in which the switch happened (the install's trims and whatever it
// makes due land in it), plus however long memory freed under `from` keeps
// being treated otherwise than `to` would have treated it. That is governed
// by the purge rule alone, and the purge decisions read the delay when they
// look (core/heap_purge.cpp, core/segment.cpp, large/large_cache.cpp: free
// time + the current delay), so:
//  - same delay and mode: nothing carries over; one epoch.
//  - a longer delay: what was freed between the two delays before the
//    switch is already purged and `to` would still hold it: `to.delay -
//    from.delay` of carry-over.
//  - a shorter delay: what `to` would have purged already is purged by the
//    background run the install asks for `to.delay` later
//    (large/strategy_install.cpp): at most `to.delay`.
//  - another purge mode: pages released with MADV_FREE stay resident until
//    reused or reclaimed, whatever the new mode; the longer delay's worth is
//    a bound that at least covers the delays.
// Other knobs (cache sizes, batch, mmap threshold) act at the install (a
// lowered cache bound is trimmed at once) or on the next allocations: the
// switch epoch covers them. Huge pages are the exception no burn-in fixes:
// the mode is applied when a segment is taken (mapped, or reused from the
// segment cache), and segments outlive the blocks of a match, so its two
// sides share most of them and differ little (docs/BENCHMARKS.md,
// 2026-12-03 evening: a run that kept the default after an opening match
// against huge=on faulted nearly as little as huge=on: 0.84 against 0.82
// of the default's faults).
inline uint32_t burn_in_epochs(const StrategyValues& from, const StrategyValues& to, uint32_t epoch_ms) {
    uint64_t a = from.purge_delay_ms, b = to.purge_delay_ms;
    uint64_t carry = 0;
    if (from.purge_mode != to.purge_mode) carry = a > b ? a : b;
    else if (b > a) carry = b - a;
    else if (b < a) carry = b;
    uint64_t epochs = (carry + epoch_ms - 1) / (epoch_ms > 0 ? epoch_ms : 1) + 1;
    // Beyond 20 epochs a match takes too long to finish in most programs;
    // strategies with multi-second delays are then judged partly drained.
    return epochs > 20 ? 20 : static_cast<uint32_t>(epochs);
}

}  // namespace hakmem::learn

// The Strategy knobs the learner may turn, each with the grid of values it
// moves along. A mutation moves one knob one step of its grid.
//
// Each knob also carries a prior: how likely a step of it, up or down its
// grid, is to change the cost at all. It orders the challengers nobody has
// tried yet (learn/population.h), because a short-lived program sees only a
// few matches and should not spend them on knobs that rarely matter
// (learn/knobs.cpp gives the measurement behind each prior).
//
// Left out: purge_thread (the learner runs on that thread). The grids are
// what the headroom measurement (docs/BENCHMARKS.md) found worth trying
// around the defaults (learn/knobs.cpp says what was dropped and why).
#pragma once
#include <cstdint>

#include "learn/rng.h"
#include "policy/strategy.h"

namespace hakmem::learn {

struct Knob {
    const char* name;
    uint64_t StrategyValues::*wide;    // a uint64_t field, or nullptr
    uint32_t StrategyValues::*narrow;  // a uint32_t field, or nullptr
    const uint64_t* grid;              // ascending
    unsigned steps;
    double prior_up, prior_down;       // per grid step up and down
    bool across_phases;                // governs memory kept from one phase for the next
};

unsigned knob_count();
const Knob& knob(unsigned i);
uint64_t knob_get(const Knob& k, const StrategyValues& v);
void knob_set(const Knob& k, StrategyValues* v, uint64_t value);
// The grid index nearest to the knob's value in v.
unsigned knob_index(const Knob& k, const StrategyValues& v);

// `base` with one knob (chosen at random) moved one step (up or down at
// random, the other way at an end of the grid).
StrategyValues mutate(const StrategyValues& base, Rng& rng);

// Every strategy one knob one step of its grid from `base`, at most `max`
// of them (2 x knob_count() at most exist); returns how many were written.
unsigned neighbours(const StrategyValues& base, StrategyValues* out, unsigned max);

// How likely the move from `from` to `to` is to change the cost: over the
// knobs, the grid steps moved times the knob's prior for that direction,
// doubled for knobs that act across phases once the workload has been seen
// to change phase. 0 for the same strategy.
double move_prior(const StrategyValues& from, const StrategyValues& to, bool phase_changing);

}  // namespace hakmem::learn

// The Strategy knobs the learner may turn, each with the grid of values it
// moves along. A mutation moves one knob one step of its grid.
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

}  // namespace hakmem::learn

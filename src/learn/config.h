// The learner's settings: what HAKMEM_LEARN_* options set (learn/learner.cpp
// reads them) and what the unit tests vary.
#pragma once
#include <cstdint>

#include "learn/cost.h"

namespace hakmem::learn {

struct LearnerConfig {
    // Epoch length. 100 ms: long enough for getrusage's tick-granular CPU
    // times to mean something, short enough for a few matches a minute.
    uint32_t epoch_ms = 100;
    uint32_t candidates = 8;        // K
    uint32_t survivors = 4;         // M
    double epsilon = 0.2;           // share of random challengers
    double explore_share = 0.10;    // challenger epochs at most this share of all epochs
    double margin = 0.03;           // |paired difference| below this is a draw
    uint32_t scored_per_block = 2;  // scored epochs per block of a match
    uint32_t default_every = 4;     // a non-default champion meets the default every n-th match
    CostWeights weights;
    uint64_t seed = 0x853c49e6748fea9bull;
};

// Epochs to discard after switching between strategies with these purge
// delays: the longer delay's worth of draining, plus the epoch in which
// the switch happened.
inline uint32_t burn_in_epochs(uint64_t delay_a_ms, uint64_t delay_b_ms, uint32_t epoch_ms) {
    uint64_t delay = delay_a_ms > delay_b_ms ? delay_a_ms : delay_b_ms;
    uint64_t epochs = (delay + epoch_ms - 1) / (epoch_ms > 0 ? epoch_ms : 1) + 1;
    // Beyond 20 epochs a match takes too long to finish in most programs;
    // strategies with multi-second delays are then judged partly drained.
    return epochs > 20 ? 20 : static_cast<uint32_t>(epochs);
}

}  // namespace hakmem::learn

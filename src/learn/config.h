// The learner's settings: what HAKMEM_LEARN_* options set (learn/learner.cpp
// reads them) and what the unit tests vary.
#pragma once
#include <cstdint>
#include <ctime>

#include "learn/cost.h"

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

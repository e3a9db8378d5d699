// The baseline (HAKMEM_LEARN=ucb1): UCB1 over the same initial candidates,
// the prior prototype's design, so the tournament is compared with it on the
// same work.
//
// Each pull runs one candidate for a block: the burn-in after a switch
// (learn/config.h), then `scored_per_block` scored epochs. Its reward is how
// much cheaper the block was than a running reference of every scored block
// (the paired difference of learn/cost.h, sign flipped), so rewards are
// scale-free like the tournament's. Discounted (each pull multiplies every
// arm's past counts by gamma) because the workload is not stationary.
#pragma once
#include <cstdint>

#include "learn/config.h"
#include "learn/cost.h"
#include "learn/population.h"
#include "learn/rng.h"

namespace hakmem::learn {

class Ucb1 {
public:
    void init(const StrategyValues& defaults, const LearnerConfig& config);
    const StrategyValues& current() const { return pop_.at(arm_).strategy; }
    unsigned current_index() const { return arm_; }
    void on_epoch(const EpochCost& cost);
    void reopen() {}  // the discount forgets on its own
    const Population& population() const { return pop_; }
    // The arm pulled most (discounted): UCB1's current favourite.
    unsigned leader() const;
    uint64_t pulls() const { return pulls_; }
    uint64_t switches() const { return switches_; }
    // An arm's discounted pull count and mean reward (for reports and tests).
    double count(unsigned arm) const { return count_[arm]; }
    double mean_reward(unsigned arm) const { return count_[arm] > 0 ? reward_[arm] / count_[arm] : 0; }

private:
    unsigned choose() const;

    LearnerConfig config_;
    Population pop_;
    Rng rng_;
    unsigned arm_ = 0;
    uint32_t epoch_in_block_ = 0, burn_in_ = 0;
    CostSum block_;
    EpochCost reference_;
    bool have_reference_ = false;
    double count_[kMaxCandidates] = {};
    double reward_[kMaxCandidates] = {};
    uint64_t pulls_ = 0, switches_ = 0;
};

}  // namespace hakmem::learn

#include "learn/ucb1.h"

#include <cmath>

namespace hakmem::learn {
namespace {
// 0.98: a pull's weight halves after about 35 pulls (a minute or two of
// blocks), long enough to average noise, short enough to follow phases.
constexpr double kGamma = 0.98;
// Rewards are relative cost differences of a few percent; the classic
// sqrt(2 ln n / n_i) bonus is scaled to that range, or UCB1 would explore
// forever on differences this small.
constexpr double kExploration = 0.05;
// The reference follows the scored blocks with this weight per block.
constexpr double kReferenceWeight = 0.1;

EpochCost blend(const EpochCost& ref, const EpochCost& x, double w) {
    EpochCost r = ref;
    r.memory += w * (x.memory - ref.memory);
    if (x.active) {
        if (!ref.active) {
            r.cpu = x.cpu, r.faults = x.faults, r.active = true;
        } else {
            r.cpu += w * (x.cpu - ref.cpu);
            r.faults += w * (x.faults - ref.faults);
        }
    }
    return r;
}
}  // namespace

void Ucb1::init(const StrategyValues& defaults, const LearnerConfig& config) {
    config_ = config;
    rng_ = Rng(config.seed);
    pop_.init(defaults, config.candidates, rng_);
    arm_ = 0;
    epoch_in_block_ = burn_in_ = 0;
    block_.clear();
    have_reference_ = false;
    for (unsigned i = 0; i < kMaxCandidates; ++i) count_[i] = reward_[i] = 0;
    pulls_ = switches_ = 0;
}

unsigned Ucb1::choose() const {
    double total = 0;
    for (unsigned i = 0; i < pop_.size(); ++i) {
        if (count_[i] < 1e-9) return i;  // every arm once first
        total += count_[i];
    }
    unsigned best = 0;
    double best_index = -1e300;
    for (unsigned i = 0; i < pop_.size(); ++i) {
        double index = reward_[i] / count_[i] + kExploration * std::sqrt(2.0 * std::log(total) / count_[i]);
        if (index > best_index) best_index = index, best = i;
    }
    return best;
}

unsigned Ucb1::leader() const {
    unsigned best = 0;
    for (unsigned i = 1; i < pop_.size(); ++i)
        if (count_[i] > count_[best]) best = i;
    return best;
}

void Ucb1::on_epoch(const EpochCost& cost) {
    if (epoch_in_block_++ >= burn_in_) block_.add(cost);
    if (epoch_in_block_ < burn_in_ + (config_.scored_per_block > 0 ? config_.scored_per_block : 1)) return;
    EpochCost mean = block_.mean();
    if (!have_reference_) reference_ = mean, have_reference_ = true;
    double reward = -paired_difference(reference_, mean, config_.weights);
    reference_ = blend(reference_, mean, kReferenceWeight);
    for (unsigned i = 0; i < pop_.size(); ++i) count_[i] *= kGamma, reward_[i] *= kGamma;
    count_[arm_] += 1;
    reward_[arm_] += reward;
    ++pulls_;
    unsigned next = choose();
    burn_in_ = next == arm_ ? 0 : burn_in_epochs(pop_.at(arm_).strategy, pop_.at(next).strategy, config_.epoch_ms);
    if (next != arm_) ++switches_;
    arm_ = next;
    epoch_in_block_ = 0;
    block_.clear();
}

}  // namespace hakmem::learn

#include "learn/match.h"

#include <cmath>

namespace hakmem::learn {

void Match::start_cycle() {
    block_ = epoch_ = 0;
    running_ = true;
    for (CostSum& b : blocks_) b.clear();
}

void Match::start(const MatchPlan& plan, const CostWeights& w) {
    plan_ = plan;
    weights_ = w;
    if (plan_.scored == 0) plan_.scored = 1;
    sums_[0].clear();
    sums_[1].clear();
    noise_sum_ = 0;
    cycles_ = 0;
    start_cycle();
}

void Match::extend() {
    if (!running_ && cycles_ > 0) start_cycle();
}

bool Match::scored() const { return epoch_ >= burn_in(); }

bool Match::finish_epoch(const EpochCost& cost) {
    if (!running_) return false;
    if (scored()) {
        blocks_[block_].add(cost);
        sums_[side()].add(cost);
    }
    uint32_t block_length = plan_.scored + burn_in();
    if (++epoch_ < block_length) return false;
    epoch_ = 0;
    if (++block_ < 4) return false;
    // The cycle's noise: how far apart each side's two blocks are.
    double a = std::fabs(paired_difference(blocks_[0].mean(), blocks_[3].mean(), weights_));
    double b = std::fabs(paired_difference(blocks_[1].mean(), blocks_[2].mean(), weights_));
    noise_sum_ += (a + b) / 2;
    ++cycles_;
    block_ = 0;
    running_ = false;
    return true;
}

MatchOutcome Match::outcome(double margin, double noise_factor) const {
    MatchOutcome o;
    o.difference = paired_difference(sums_[kChampion].mean(), sums_[kChallenger].mean(), weights_);
    if (cycles_ > 0) o.noise = noise_sum_ / cycles_ / std::sqrt(static_cast<double>(cycles_));
    double size = std::fabs(o.difference);
    if (size <= margin) return o;  // a draw: within the margin
    if (size <= noise_factor * o.noise) {
        o.close = true;  // beyond the margin, within the noise: a draw unless extended
        return o;
    }
    o.result = o.difference < 0 ? MatchResult::kWin : MatchResult::kLoss;
    return o;
}

}  // namespace hakmem::learn

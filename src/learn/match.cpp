#include "learn/match.h"

namespace hakmem::learn {

void Match::start(const MatchPlan& plan) {
    plan_ = plan;
    if (plan_.scored == 0) plan_.scored = 1;
    block_ = epoch_ = 0;
    running_ = true;
    sums_[0].clear();
    sums_[1].clear();
}

bool Match::scored() const { return epoch_ >= burn_in(); }

bool Match::finish_epoch(const EpochCost& cost) {
    if (!running_) return false;
    if (scored()) sums_[side()].add(cost);
    uint32_t block_length = plan_.scored + burn_in();
    if (++epoch_ < block_length) return false;
    epoch_ = 0;
    if (++block_ < 4) return false;
    block_ = 0;
    running_ = false;
    return true;
}

MatchResult Match::result(double margin, const CostWeights& w, double* difference) const {
    double d = paired_difference(sums_[kChampion].mean(), sums_[kChallenger].mean(), w);
    if (difference != nullptr) *difference = d;
    if (d < -margin) return MatchResult::kWin;
    if (d > margin) return MatchResult::kLoss;
    return MatchResult::kDraw;
}

}  // namespace hakmem::learn

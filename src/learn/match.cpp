#include "learn/match.h"

#include <cmath>

namespace hakmem::learn {
namespace {

// How far apart two blocks of one side are, in the parts the match
// compares (memory, and cpu and faults when both sides have them): the
// weighted relative difference, as paired_difference has it, except that
// cpu and faults of a pair where one block has no active epoch are
// unknown and count as the largest relative difference, 2. Otherwise a
// side whose cpu comes from one block only (a burst in one, idle time or
// another phase in the other) would look noiseless.
double spread(const EpochCost& x, const EpochCost& y, bool compares_activity, const CostWeights& w) {
    double signed_sum = w.memory * relative_difference(x.memory, y.memory), unknown = 0;
    double weight = w.memory;
    if (compares_activity) {
        if (x.active && y.active)
            signed_sum += w.cpu * relative_difference(x.cpu, y.cpu) + w.faults * relative_difference(x.faults, y.faults);
        else
            unknown = 2 * (w.cpu + w.faults);
        weight += w.cpu + w.faults;
    }
    return weight > 0 ? (std::fabs(signed_sum) + unknown) / weight : 0;
}

}  // namespace

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
    cycles_ = 0;
    start_cycle();
}

void Match::extend() {
    if (!running_ && cycles_ > 0 && cycles_ < kMaxCycles) start_cycle();
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
    // Kept for the noise estimate, which needs to know which parts the
    // pooled comparison uses (outcome()).
    for (unsigned i = 0; i < 4; ++i) cycle_blocks_[cycles_][i] = blocks_[i].mean();
    ++cycles_;
    block_ = 0;
    running_ = false;
    return true;
}

MatchOutcome Match::outcome(double margin, double noise_factor) const {
    MatchOutcome o;
    EpochCost a = sums_[kChampion].mean(), b = sums_[kChallenger].mean();
    o.difference = paired_difference(a, b, weights_);
    // Each cycle's noise: how far apart each side's two blocks are; over
    // the cycles, their mean over the square root of their number.
    bool compares_activity = a.active && b.active;
    double sum = 0;
    for (uint32_t c = 0; c < cycles_; ++c) {
        const EpochCost* k = cycle_blocks_[c];
        sum += (spread(k[0], k[3], compares_activity, weights_) + spread(k[1], k[2], compares_activity, weights_)) / 2;
    }
    if (cycles_ > 0) o.noise = sum / cycles_ / std::sqrt(static_cast<double>(cycles_));
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

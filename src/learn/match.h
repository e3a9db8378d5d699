// One match: the champion (A) against a challenger (B) in four blocks of
// epochs, A B B A, so that a workload drifting linearly over the match
// weighs on both sides alike (a switchback experiment inside one process).
//
// After each switch (the starts of the second and fourth blocks) the first
// `burn_in` epochs are run but not scored: memory freed under the previous
// strategy is still draining for up to its purge delay, and would be billed
// to the new one. The third block continues B, so it needs none.
//
// The result compares the mean cost of B's scored epochs with A's by the
// paired, scale-free difference of learn/cost.h: a win for B when B is
// cheaper by more than `margin`, a loss when dearer by more, else a draw.
#pragma once
#include <cstdint>

#include "learn/cost.h"
#include "learn/elo.h"

namespace hakmem::learn {

class Match {
public:
    enum Side : uint8_t { kChampion = 0, kChallenger = 1 };

    void start(uint32_t burn_in, uint32_t scored_per_block);
    bool running() const { return running_; }
    // The side the next epoch runs.
    Side side() const { return kPattern[block_]; }
    // Whether the next epoch is scored (not burn-in).
    bool scored() const;
    // The cost of the epoch that just ran on side(). Returns true when that
    // was the match's last epoch.
    bool finish_epoch(const EpochCost& cost);
    // The challenger's result and the paired difference (negative: the
    // challenger is cheaper). Only once the match is over.
    MatchResult result(double margin, const CostWeights& w, double* difference) const;
    // Epochs a whole match takes, and how many of them run the challenger.
    uint32_t length() const { return 4 * scored_ + 2 * burn_in_; }
    uint32_t challenger_epochs() const { return 2 * scored_ + burn_in_; }

private:
    static constexpr Side kPattern[4] = {kChampion, kChallenger, kChallenger, kChampion};
    bool switched_block() const { return block_ == 1 || block_ == 3; }

    uint32_t burn_in_ = 0, scored_ = 1;
    uint32_t block_ = 0, epoch_ = 0;  // epoch within the block
    bool running_ = false;
    CostSum sums_[2];
};

}  // namespace hakmem::learn

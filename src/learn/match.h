// One match: the champion (A) against a challenger (B) in four blocks of
// epochs, A B B A, so that a workload drifting linearly over the match
// weighs on both sides alike (a switchback experiment inside one process).
//
// After each switch (the starts of the second and fourth blocks) the first
// epochs are run but not scored: memory freed under the previous strategy
// may still be treated by its purge rule, and would be billed to the new
// one. The two switches need different burn-ins (learn/config.h,
// burn_in_epochs: switching to a longer delay carries over more than
// switching back), so the plan has one for each. The third block continues
// B, so it needs none.
//
// The result compares the mean cost of B's scored epochs with A's by the
// paired, scale-free difference of learn/cost.h: a win for B when B is
// cheaper by more than `margin`, a loss when dearer by more, else a draw.
#pragma once
#include <cstdint>

#include "learn/cost.h"
#include "learn/elo.h"

namespace hakmem::learn {

// The shape of a match: burn-ins after the switch to the challenger (A to
// B) and back (B to A), and scored epochs per block.
struct MatchPlan {
    uint32_t burn_in_challenger = 0;
    uint32_t burn_in_champion = 0;
    uint32_t scored = 1;
    // Epochs a whole match takes, and how many of them run the challenger.
    uint32_t length() const { return 4 * scored + burn_in_challenger + burn_in_champion; }
    uint32_t challenger_epochs() const { return 2 * scored + burn_in_challenger; }
};

class Match {
public:
    enum Side : uint8_t { kChampion = 0, kChallenger = 1 };

    void start(const MatchPlan& plan);
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
    const MatchPlan& plan() const { return plan_; }

private:
    static constexpr Side kPattern[4] = {kChampion, kChallenger, kChallenger, kChampion};
    // The burn-in of the current block (0 unless it follows a switch).
    uint32_t burn_in() const {
        return block_ == 1 ? plan_.burn_in_challenger : block_ == 3 ? plan_.burn_in_champion : 0;
    }

    MatchPlan plan_;
    uint32_t block_ = 0, epoch_ = 0;  // epoch within the block
    bool running_ = false;
    CostSum sums_[2];
};

}  // namespace hakmem::learn

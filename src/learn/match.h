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
// The outcome compares the mean cost of B's scored epochs with A's by the
// paired, scale-free difference of learn/cost.h. A difference beyond the
// margin decides the match only if it is also beyond the noise: a cycle's
// noise is estimated from the two blocks each side ran, which would cost
// the same but for the noise (the mean of |A1 vs A2| and |B1 vs B2|, about
// 1.1 standard deviations of the cycle's difference if blocks are
// independent; a drift of the workload inflates it, which only makes the
// test cautious; a part one block lacks, cpu and faults of a block with no
// active epoch, counts as the largest difference). Not beyond
// `noise_factor` times that, the match is *close*: the caller may extend
// it by another A B B A cycle (extend()),
// pooling the epochs, whose noise shrinks as one over the square root of
// the cycles; else it is a draw. So a challenger that "wins" by noise does
// not take the title, and a real gain that one cycle could not resolve
// gets another look.
#pragma once
#include <cstdint>

#include "learn/cost.h"
#include "learn/elo.h"

namespace hakmem::learn {

// The shape of a match: burn-ins after the switch to the challenger (A to
// B) and back (B to A), and scored epochs per block. Each cycle has this
// shape.
struct MatchPlan {
    uint32_t burn_in_challenger = 0;
    uint32_t burn_in_champion = 0;
    uint32_t scored = 1;
    // Epochs a cycle takes, and how many of them run the challenger.
    uint32_t length() const { return 4 * scored + burn_in_challenger + burn_in_champion; }
    uint32_t challenger_epochs() const { return 2 * scored + burn_in_challenger; }
};

struct MatchOutcome {
    MatchResult result = MatchResult::kDraw;  // the challenger's; a draw unless decided
    double difference = 0;  // paired difference, negative: the challenger is cheaper
    double noise = 0;       // the estimated noise of `difference`
    bool close = false;     // beyond the margin but not beyond the noise: worth another cycle
};

class Match {
public:
    enum Side : uint8_t { kChampion = 0, kChallenger = 1 };
    // Cycles a match can pool (extend() refuses more).
    static constexpr uint32_t kMaxCycles = 4;

    // A new match: one cycle, nothing pooled; costs compared with weights `w`.
    void start(const MatchPlan& plan, const CostWeights& w);
    // Another cycle of the match that just ended, pooled with its cycles.
    void extend();
    bool running() const { return running_; }
    // The side the next epoch runs.
    Side side() const { return kPattern[block_]; }
    // Whether the next epoch is scored (not burn-in).
    bool scored() const;
    // The cost of the epoch that just ran on side(). Returns true when that
    // was the cycle's last epoch.
    bool finish_epoch(const EpochCost& cost);
    // The outcome over the cycles so far. Only once a cycle is over.
    MatchOutcome outcome(double margin, double noise_factor) const;
    const MatchPlan& plan() const { return plan_; }
    uint32_t cycles() const { return cycles_; }  // completed

private:
    static constexpr Side kPattern[4] = {kChampion, kChallenger, kChallenger, kChampion};
    // The burn-in of the current block (0 unless it follows a switch).
    uint32_t burn_in() const {
        return block_ == 1 ? plan_.burn_in_challenger : block_ == 3 ? plan_.burn_in_champion : 0;
    }
    void start_cycle();

    MatchPlan plan_;
    uint32_t block_ = 0, epoch_ = 0;  // epoch within the block
    bool running_ = false;
    CostSum blocks_[4];  // the current cycle's blocks
    CostSum sums_[2];    // every cycle's, per side
    CostWeights weights_;
    EpochCost cycle_blocks_[kMaxCycles][4];  // each completed cycle's block means
    uint32_t cycles_ = 0;
};

}  // namespace hakmem::learn

// The ELO tournament (HAKMEM_LEARN=elo): a champion runs; now and then a
// challenger, chosen epsilon-greedily from the population, meets it in a
// match (learn/match.h); the result updates both ratings, a winner becomes
// champion, and the population is culled and refilled with mutations of the
// survivors (learn/population.h).
//
// Which challenger comes first matters in a short-lived program, which sees
// a few matches: among candidates of equal rating (all untried ones) the
// population names the move most likely to matter (learn/knobs.h), purge
// delay moves first once the workload has been seen to change phase.
//
// A match whose result is beyond the margin but not beyond its noise is
// extended by another cycle (learn/match.h) when the budget next allows a
// match, and the challenger keeps its place as the next one; at
// max_cycles, or when a phase change comes first, it is a draw.
//
// Exploration costs little by construction: a match starts only when the
// challenger's epochs, added to all those run so far, stay within
// `explore_share` of all epochs since the tournament (re)opened. A phase
// change reopens it (the next match may start at once).
#pragma once
#include <cstdint>

#include "learn/config.h"
#include "learn/match.h"
#include "learn/population.h"
#include "learn/rng.h"

namespace hakmem::learn {

class Tournament {
public:
    void init(const StrategyValues& defaults, const LearnerConfig& config);

    // The strategy the next epoch runs, and its candidate index.
    const StrategyValues& current() const { return pop_.at(current_index()).strategy; }
    unsigned current_index() const;
    // The epoch that just ran (on current()) cost this.
    void on_epoch(const EpochCost& cost);
    // A phase change: the next match starts at once (at most once per
    // kReopenSpacing epochs; otherwise the exploration budget decides). The
    // first one also re-chooses the next challenger, since the moves likely
    // to matter are then others; a close match waiting for its next cycle
    // then ends a draw rather than take that match.
    void reopen();
    // A strategy to try next (from the playbook): put in the population and
    // named the next challenger.
    void suggest(const StrategyValues& s, double rating);
    // A strategy that won the title for this workload in earlier runs (a
    // trusted playbook entry): put in the population and made champion at
    // once, without a match. The strategy it replaced is named the next
    // challenger, so the title is defended, at the exploration budget's
    // pace, against what held it here. Not during a match.
    void crown(const StrategyValues& s, double rating);

    const Population& population() const { return pop_; }
    bool in_match() const { return match_.running(); }
    // Decided matches, and cycles added to close ones.
    uint64_t matches() const { return matches_; }
    uint64_t extensions() const { return extensions_; }
    uint64_t champion_changes() const { return champion_changes_; }
    double last_difference() const { return last_difference_; }

private:
    // Chooses the next challenger and plans its match (the burn-ins, which
    // size it, depend on the two strategies).
    void plan_next();
    bool may_start_match() const;
    // Records the running match's result and plans the next.
    void decide(MatchResult result);

    LearnerConfig config_;
    Population pop_;
    Match match_;
    Rng rng_;
    unsigned challenger_ = 0;       // of the running match
    unsigned next_ = 0;             // of the next match
    MatchPlan next_plan_;
    int suggested_ = -1;
    bool next_suggested_ = false;  // next_ is the playbook's
    uint64_t epochs_ = 0, challenger_epochs_ = 0;  // since the tournament (re)opened
    bool reopened_ = true;
    bool phase_changing_ = false;  // a phase change was seen
    static constexpr uint64_t kReopenSpacing = 100;
    uint64_t last_reopen_ = 0;
    bool extending_ = false;  // the last match was close: its next cycle is the next match
    uint64_t matches_ = 0, champion_changes_ = 0, extensions_ = 0;
    double last_difference_ = 0;
};

}  // namespace hakmem::learn

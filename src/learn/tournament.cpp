#include "learn/tournament.h"

namespace hakmem::learn {

void Tournament::init(const StrategyValues& defaults, const LearnerConfig& config) {
    config_ = config;
    rng_ = Rng(config.seed);
    pop_.init(defaults, config.candidates, rng_);
    epochs_ = challenger_epochs_ = 0;
    last_reopen_ = 0;
    reopened_ = true;
    phase_changing_ = false;
    extending_ = false;
    matches_ = champion_changes_ = extensions_ = 0;
    suggested_ = -1;
    plan_next();
}

unsigned Tournament::current_index() const {
    return match_.running() && match_.side() == Match::kChallenger ? challenger_ : pop_.champion();
}

void Tournament::plan_next() {
    next_suggested_ = suggested_ >= 0 && static_cast<unsigned>(suggested_) != pop_.champion();
    if (next_suggested_) {
        next_ = static_cast<unsigned>(suggested_);
    } else {
        next_ = pop_.pick_challenger(config_.epsilon, config_.default_every, rng_, phase_changing_);
    }
    suggested_ = -1;
    const StrategyValues& a = pop_.at(pop_.champion()).strategy;
    const StrategyValues& b = pop_.at(next_).strategy;
    next_plan_.burn_in_challenger = burn_in_epochs(a, b, config_.epoch_ms);
    next_plan_.burn_in_champion = burn_in_epochs(b, a, config_.epoch_ms);
    next_plan_.scored = config_.scored_per_block > 0 ? config_.scored_per_block : 1;
}

bool Tournament::may_start_match() const {
    if (reopened_) return true;
    // Only the challenger's epochs are exploration: a burn-in back on the
    // champion costs nothing but the match's length.
    uint64_t length = next_plan_.length(), challenger = next_plan_.challenger_epochs();
    return static_cast<double>(challenger_epochs_ + challenger) <= config_.explore_share * static_cast<double>(epochs_ + length);
}

void Tournament::decide(MatchResult result) {
    unsigned before = pop_.champion();
    pop_.record(challenger_, result);
    ++matches_;
    if (pop_.champion() != before) ++champion_changes_;
    pop_.cull(config_.survivors, rng_);
    plan_next();
}

void Tournament::on_epoch(const EpochCost& cost) {
    ++epochs_;
    if (match_.running()) {
        if (match_.side() == Match::kChallenger) ++challenger_epochs_;
        if (match_.finish_epoch(cost)) {
            MatchOutcome o = match_.outcome(config_.margin, config_.noise_factor);
            last_difference_ = o.difference;
            if (o.close && match_.cycles() < config_.max_cycles && match_.cycles() < Match::kMaxCycles) {
                // Another cycle against the same challenger, paid from the
                // budget like a match of its own.
                extending_ = true;
                next_ = challenger_;
                next_plan_ = match_.plan();
            } else {
                decide(o.result);
            }
        }
        return;
    }
    if (extending_ && reopened_) {
        // The workload changed since the close cycle: the match ends a draw
        // and the free match goes to the move likeliest to matter now.
        extending_ = false;
        decide(MatchResult::kDraw);
    }
    if (!extending_ && next_ == pop_.champion()) plan_next();  // the champion changed hands: choose again
    if (next_ == pop_.champion() || !may_start_match()) return;
    if (extending_) {
        match_.extend();
        extending_ = false;
        ++extensions_;
    } else {
        challenger_ = next_;
        match_.start(next_plan_, config_.weights);
    }
    reopened_ = false;
}

void Tournament::reopen() {
    bool first = !phase_changing_;
    phase_changing_ = true;
    // A workload that keeps changing would otherwise buy a match at every
    // change: at most one unbudgeted match per kReopenSpacing epochs.
    if (!(epochs_ >= last_reopen_ + kReopenSpacing || last_reopen_ == 0)) return;
    reopened_ = true;
    last_reopen_ = epochs_ == 0 ? 1 : epochs_;
    // The moves likely to matter are others now.
    if (first && !match_.running() && !extending_ && !next_suggested_ && next_ != pop_.default_index()) plan_next();
}

void Tournament::crown(const StrategyValues& s, double rating) {
    if (extending_) {
        extending_ = false;
        decide(MatchResult::kDraw);
    }
    unsigned previous = pop_.champion();
    unsigned crowned = pop_.adopt(s, rating);
    if (crowned == previous) return;
    pop_.set_champion(crowned);
    ++champion_changes_;
    suggested_ = static_cast<int>(previous);
    if (!match_.running()) plan_next();
}

void Tournament::suggest(const StrategyValues& s, double rating) {
    // The playbook's strategy goes first: a close match still waiting for
    // its next cycle ends as a draw.
    if (extending_) {
        extending_ = false;
        decide(MatchResult::kDraw);
    }
    suggested_ = static_cast<int>(pop_.adopt(s, rating));
    reopened_ = true;
    if (!match_.running()) plan_next();
}

}  // namespace hakmem::learn

// The candidate strategies of the tournament and their records.
//
// K candidates (kMaxCandidates at most), the default among them and never
// evicted, the others at first the default's one-step neighbours that are
// most likely to matter (learn/knobs.h, move_prior). After each match the
// top M by rating survive, among those that won more than they drew or
// lost; any other candidate that has played is replaced by a mutation (one
// knob, one step: learn/knobs.h) of the champion or of a survivor, so the
// search keeps moving around what works without ever holding more than K.
#pragma once
#include <cstdint>

#include "learn/elo.h"
#include "learn/rng.h"
#include "policy/strategy.h"

namespace hakmem::learn {

inline constexpr unsigned kMaxCandidates = 16;

struct Candidate {
    StrategyValues strategy{};
    double rating = kEloInitial;
    uint32_t wins = 0, losses = 0, draws = 0;
    uint32_t generation = 0;  // bumped when the slot gets a new strategy
    bool is_default = false;
    uint32_t played() const { return wins + losses + draws; }
};

class Population {
public:
    // The default plus k - 1 distinct one-step neighbours of it: those with
    // the highest prior, ties in random order (random mutations fill up if
    // the default has fewer neighbours).
    void init(const StrategyValues& defaults, unsigned k, Rng& rng);

    unsigned size() const { return size_; }
    const Candidate& at(unsigned i) const { return c_[i]; }
    unsigned champion() const { return champion_; }
    unsigned default_index() const { return 0; }
    void set_champion(unsigned i) { champion_ = i; }

    // The next challenger: with probability epsilon any other candidate,
    // else the best-rated one other than the champion; among equal ratings
    // (all untried candidates have the initial one) the least played, then
    // the move from the champion most likely to matter (learn/knobs.h,
    // move_prior, with `phase_changing` as the tournament has seen the
    // workload). When the champion is not the default, every
    // `default_every`-th call names the default, so a champion that is
    // worse than the default is found out.
    unsigned pick_challenger(double epsilon, unsigned default_every, Rng& rng, bool phase_changing = false);

    // Records a match of challenger against the champion: ratings and
    // counters; a win makes the challenger the champion.
    void record(unsigned challenger, MatchResult result);

    // Keeps the top `m` by rating of those with more wins than draws and
    // losses (and the default and the champion); every other candidate that
    // has played is replaced by a mutation of the champion or a survivor,
    // not already present. Returns how many were replaced.
    unsigned cull(unsigned m, Rng& rng);

    // Puts `s` in the population (a playbook entry): replaces the lowest-rated
    // replaceable candidate, or returns the index of an equal strategy.
    unsigned adopt(const StrategyValues& s, double rating);

    // Index of a candidate with strategy s, or -1.
    int find(const StrategyValues& s) const;

private:
    bool replaceable(unsigned i) const { return i != 0 && i != champion_; }
    StrategyValues fresh_mutation(const StrategyValues& base, Rng& rng) const;

    Candidate c_[kMaxCandidates];
    unsigned size_ = 0;
    unsigned champion_ = 0;
    unsigned picks_ = 0;
};

}  // namespace hakmem::learn

#include "learn/population.h"

#include "learn/knobs.h"

namespace hakmem::learn {

StrategyValues Population::fresh_mutation(const StrategyValues& base, Rng& rng) const {
    // A few tries for a strategy not already present; a duplicate is
    // harmless (it only wastes a slot until culled), so give up quietly.
    StrategyValues s = mutate(base, rng);
    for (int tries = 0; tries < 16 && find(s) >= 0; ++tries) s = mutate(base, rng);
    return s;
}

void Population::init(const StrategyValues& defaults, unsigned k, Rng& rng) {
    if (k < 2) k = 2;
    if (k > kMaxCandidates) k = kMaxCandidates;
    size_ = 0;
    c_[size_++] = Candidate{defaults, kEloInitial, 0, 0, 0, 0, true};
    // The neighbours shuffled, then ordered by prior (insertion sort, which
    // keeps the shuffled order among equal priors).
    StrategyValues near[2 * kMaxCandidates];
    double prior[2 * kMaxCandidates];
    unsigned n = neighbours(defaults, near, 2 * kMaxCandidates);
    for (unsigned i = n; i > 1; --i) {
        unsigned j = rng.below(i);
        StrategyValues t = near[i - 1];
        near[i - 1] = near[j];
        near[j] = t;
    }
    for (unsigned i = 0; i < n; ++i) {
        StrategyValues s = near[i];
        double p = move_prior(defaults, s, false);
        unsigned j = i;
        for (; j > 0 && prior[j - 1] < p; --j) near[j] = near[j - 1], prior[j] = prior[j - 1];
        near[j] = s, prior[j] = p;
    }
    for (unsigned i = 0; i < n && size_ < k; ++i) {
        Candidate c;
        c.strategy = near[i];
        c_[size_++] = c;
    }
    while (size_ < k) {
        Candidate c;
        c.strategy = fresh_mutation(defaults, rng);
        c_[size_++] = c;
    }
    champion_ = 0;
    picks_ = 0;
}

int Population::find(const StrategyValues& s) const {
    for (unsigned i = 0; i < size_; ++i)
        if (c_[i].strategy == s) return static_cast<int>(i);
    return -1;
}

unsigned Population::pick_challenger(double epsilon, unsigned default_every, Rng& rng, bool phase_changing) {
    ++picks_;
    if (champion_ != 0 && default_every != 0 && picks_ % default_every == 0) return 0;
    if (size_ < 2) return champion_;
    if (rng.unit() < epsilon) {
        unsigned i = rng.below(size_ - 1);
        return i >= champion_ ? i + 1 : i;
    }
    // Best rated; among equal ratings the least played, so that fresh
    // candidates get their first match before old ones get their tenth,
    // and among those the likeliest to matter.
    const StrategyValues& champion = c_[champion_].strategy;
    unsigned best = champion_ == 0 ? 1 : 0;
    double best_prior = move_prior(champion, c_[best].strategy, phase_changing);
    for (unsigned i = 0; i < size_; ++i) {
        if (i == champion_) continue;
        const Candidate& c = c_[i];
        const Candidate& b = c_[best];
        double prior = move_prior(champion, c.strategy, phase_changing);
        bool better = c.rating > b.rating ||
                      (c.rating == b.rating &&
                       (c.played() < b.played() || (c.played() == b.played() && prior > best_prior)));
        if (better) best = i, best_prior = prior;
    }
    return best;
}

void Population::record(unsigned challenger, MatchResult result) {
    Candidate& ch = c_[challenger];
    Candidate& champ = c_[champion_];
    elo_update(&ch.rating, &champ.rating, result);
    switch (result) {
        case MatchResult::kWin: ++ch.wins, ++champ.losses; break;
        case MatchResult::kLoss: ++ch.losses, ++champ.wins; break;
        case MatchResult::kDraw: ++ch.draws, ++champ.draws; break;
    }
    if (result == MatchResult::kWin) champion_ = challenger;
}

unsigned Population::cull(unsigned m, Rng& rng) {
    // Survivors: the m best rated among those that have not failed (a
    // candidate that drew or lost more than it won is no better than the
    // champion, and holding on to it would fill the population with
    // variants of knobs that do not matter), plus the default and the
    // champion. Ranked by insertion into a small sorted index.
    unsigned order[kMaxCandidates], n = 0;
    for (unsigned i = 0; i < size_; ++i) {
        const Candidate& c = c_[i];
        if (c.played() > 0 && c.wins <= c.losses + c.draws && i != champion_) continue;
        unsigned j = n++;
        while (j > 0 && c_[order[j - 1]].rating < c.rating) {
            order[j] = order[j - 1];
            --j;
        }
        order[j] = i;
    }
    bool survives[kMaxCandidates] = {};
    for (unsigned r = 0; r < n && r < m; ++r) survives[order[r]] = true;
    survives[0] = survives[champion_] = true;
    unsigned survivors[kMaxCandidates], n_survivors = 0;
    for (unsigned i = 0; i < size_; ++i)
        if (survives[i]) survivors[n_survivors++] = i;
    unsigned replaced = 0;
    for (unsigned i = 0; i < size_; ++i) {
        if (survives[i] || c_[i].played() == 0) continue;
        // Half the new candidates are the champion's neighbours: the search
        // moves on from what wins now.
        unsigned parent = rng.below(2) == 0 ? champion_ : survivors[rng.below(n_survivors)];
        uint32_t generation = c_[i].generation + 1;
        c_[i] = Candidate{};
        c_[i].strategy = fresh_mutation(c_[parent].strategy, rng);
        c_[i].generation = generation;
        ++replaced;
    }
    return replaced;
}

unsigned Population::adopt(const StrategyValues& s, double rating) {
    int existing = find(s);
    if (existing >= 0) return static_cast<unsigned>(existing);
    unsigned worst = 0;
    for (unsigned i = 0; i < size_; ++i)
        if (replaceable(i) && (worst == 0 || c_[i].rating < c_[worst].rating)) worst = i;
    if (worst == 0) return champion_;  // nothing replaceable (a population of two)
    uint32_t generation = c_[worst].generation + 1;
    c_[worst] = Candidate{};
    c_[worst].strategy = s;
    c_[worst].rating = rating;
    c_[worst].generation = generation;
    return worst;
}

}  // namespace hakmem::learn

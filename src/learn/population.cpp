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

unsigned Population::pick_challenger(double epsilon, unsigned default_every, Rng& rng) {
    ++picks_;
    if (champion_ != 0 && default_every != 0 && picks_ % default_every == 0) return 0;
    if (size_ < 2) return champion_;
    if (rng.unit() < epsilon) {
        unsigned i = rng.below(size_ - 1);
        return i >= champion_ ? i + 1 : i;
    }
    // Best rated; among equal ratings the least played, so that fresh
    // candidates get their first match before old ones get their tenth.
    unsigned best = champion_ == 0 ? 1 : 0;
    for (unsigned i = 0; i < size_; ++i) {
        if (i == champion_) continue;
        const Candidate& c = c_[i];
        const Candidate& b = c_[best];
        if (c.rating > b.rating || (c.rating == b.rating && c.played() < b.played())) best = i;
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

// ELO ratings: the tournament's memory of which strategy beat which.
//
// A match is decided elsewhere, by a paired cost difference against a margin
// (learn/match.h), because ELO alone throws away how large a difference was.
// The rating then orders candidates for the next challenge and for survival.
#pragma once
#include <cmath>

namespace hakmem::learn {

inline constexpr double kEloInitial = 1500.0;
// 32: a decisive win moves two equal ratings 16 points each, so about ten
// consistent results separate a good strategy from the pack; a smaller K
// needs more matches than a short-lived program gives us.
inline constexpr double kEloK = 32.0;

// From the challenger's side.
enum class MatchResult { kWin, kDraw, kLoss };

// The probability that a player rated `a` beats one rated `b`.
inline double elo_expected(double a, double b) { return 1.0 / (1.0 + std::pow(10.0, (b - a) / 400.0)); }

// Updates both ratings after a match; the sum of the two is unchanged.
inline void elo_update(double* challenger, double* champion, MatchResult result, double k = kEloK) {
    double score = result == MatchResult::kWin ? 1.0 : result == MatchResult::kDraw ? 0.5 : 0.0;
    double delta = k * (score - elo_expected(*challenger, *champion));
    *challenger += delta;
    *champion -= delta;
}

}  // namespace hakmem::learn

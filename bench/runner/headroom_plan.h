// The order of runs in one headroom round, and which default runs each
// candidate is paired with. Pure functions, so the unit tests can check the
// design: every candidate once per round, each between two default runs,
// positions rotated from round to round.
#pragma once

#include <cstddef>
#include <vector>

namespace hakbench {

// Indices into the strategy grid for one round: 0 is the default, which
// opens the round, follows every `per_default` candidates and closes the
// round: 0 a b 0 c d 0 ... 0. The candidates 1..count-1 are rotated by
// (round - 1) * m / rounds (m = count - 1), so over the rounds each one
// takes positions spread over the whole round and no candidate always runs
// right after a fresh default or late in a tiring round.
std::vector<size_t> round_order(size_t count, int round, int rounds, size_t per_default = 2);

// For position i of `order` (not a default), the positions of the nearest
// default run before and after it. The candidate's reference value is the
// mean of those two runs, which cancels a linear drift across the pair.
struct Neighbours {
  size_t before = 0;
  size_t after = 0;
};
Neighbours default_neighbours(const std::vector<size_t>& order, size_t i);

}  // namespace hakbench

// The arithmetic of the report: median and spread over rounds, ratios to
// the baseline allocator, ranks per scenario and the medal count.
#pragma once

#include <string>
#include <vector>

namespace hakbench {

struct Summary {
  double median = 0;
  double min = 0;
  double max = 0;
  int count = 0;
};

// Median (mean of the middle two for an even count), min and max.
// An empty input gives count 0 and zeros.
Summary summarize(std::vector<double> values);

// value / baseline, or NaN when either is missing or the baseline is not
// positive (a ratio to zero says nothing).
double ratio(double value, double baseline);

// Competition ranking, lower is better: {3, 1, 3, 2} -> {3, 1, 3, 2};
// ties share a rank and the next rank is skipped ({1, 1, 3}). NaN values
// (failed or missing) get rank 0, meaning unranked.
std::vector<int> rank_ascending(const std::vector<double>& values);

struct Medals {
  std::string allocator;
  int gold = 0;
  int silver = 0;
  int bronze = 0;
};

// ranks[s][a]: rank of allocator a in scenario s. Sorted by gold, then
// silver, then bronze, then the given order.
std::vector<Medals> medal_table(const std::vector<std::string>& allocators,
                                const std::vector<std::vector<int>>& ranks);

}  // namespace hakbench

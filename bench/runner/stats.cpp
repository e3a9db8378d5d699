#include "stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hakbench {

Summary summarize(std::vector<double> values) {
  Summary s;
  s.count = static_cast<int>(values.size());
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  s.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  s.min = values.front();
  s.max = values.back();
  return s;
}

double ratio(double value, double baseline) {
  if (std::isnan(value) || std::isnan(baseline) || !(baseline > 0))
    return std::numeric_limits<double>::quiet_NaN();
  return value / baseline;
}

std::vector<int> rank_ascending(const std::vector<double>& values) {
  std::vector<int> ranks(values.size(), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) continue;
    int better = 0;
    for (double v : values)
      if (!std::isnan(v) && v < values[i]) ++better;
    ranks[i] = better + 1;
  }
  return ranks;
}

std::vector<Medals> medal_table(const std::vector<std::string>& allocators,
                                const std::vector<std::vector<int>>& ranks) {
  std::vector<Medals> table;
  for (const auto& a : allocators) table.push_back(Medals{a, 0, 0, 0});
  for (const auto& scenario : ranks) {
    for (size_t a = 0; a < scenario.size() && a < table.size(); ++a) {
      if (scenario[a] == 1) ++table[a].gold;
      if (scenario[a] == 2) ++table[a].silver;
      if (scenario[a] == 3) ++table[a].bronze;
    }
  }
  std::stable_sort(table.begin(), table.end(), [](const Medals& x, const Medals& y) {
    if (x.gold != y.gold) return x.gold > y.gold;
    if (x.silver != y.silver) return x.silver > y.silver;
    return x.bronze > y.bronze;
  });
  return table;
}

}  // namespace hakbench

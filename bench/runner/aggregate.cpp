// From runs to the summary: medians over rounds, ratios to the baseline,
// ranks per scenario and the medal table.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "report.h"

namespace hakbench {

const MetricInfo& metric_info(int metric) {
  static const MetricInfo info[kMetricCount] = {
      {"ns_per_op", "ns/op"},
      {"user_s", "user s"},
      {"sys_s", "sys s"},
      {"peak_rss_kb", "peak RSS KiB"},
      {"minor_faults", "minor faults"},
  };
  return info[metric];
}

void aggregate(Report& report) {
  const size_t na = report.allocators.size();
  const auto nan = std::numeric_limits<double>::quiet_NaN();
  auto& allocs = report.allocators;
  if (std::find(allocs.begin(), allocs.end(), report.meta.baseline) == allocs.end())
    report.meta.baseline = allocs.empty() ? "" : allocs.front();
  const size_t base = static_cast<size_t>(
      std::find(allocs.begin(), allocs.end(), report.meta.baseline) - allocs.begin());

  report.cells.clear();
  for (const auto& s : report.scenarios) {
    for (const auto& a : allocs) {
      Cell c;
      c.scenario = s;
      c.allocator = a;
      std::array<std::vector<double>, kMetricCount> values;
      std::vector<double> live;
      std::map<std::string, std::vector<double>> figures;
      std::vector<std::string> figure_order;
      for (const RunRecord& r : report.runs) {
        if (r.scenario != s || r.allocator != a) continue;
        c.ran = true;
        if (!r.ok) {
          c.failed = true;
          continue;
        }
        for (int m = 0; m < kMetricCount; ++m) values[m].push_back(r.values[m]);
        live.push_back(static_cast<double>(r.result.peak_live_bytes) / 1024.0);
        for (const auto& [name, v] : r.result.metrics) {
          if (!figures.count(name)) figure_order.push_back(name);
          figures[name].push_back(v);
        }
      }
      for (int m = 0; m < kMetricCount; ++m) c.metric[m] = summarize(values[m]);
      c.peak_live_kb = summarize(live);
      for (const auto& name : figure_order) c.figures.emplace_back(name, summarize(figures[name]));
      report.cells.push_back(std::move(c));
    }
  }

  std::vector<std::vector<int>> ranks;
  for (size_t s = 0; s < report.scenarios.size(); ++s) {
    Cell* row = &report.cells[s * na];
    auto usable = [](const Cell& c) { return c.ran && !c.failed && c.metric[kNsPerOp].count > 0; };
    std::vector<double> speed;
    for (size_t a = 0; a < na; ++a) {
      for (int m = 0; m < kMetricCount; ++m) {
        const bool both = usable(row[a]) && base < na && usable(row[base]);
        row[a].ratio[m] = both ? ratio(row[a].metric[m].median, row[base].metric[m].median) : nan;
      }
      speed.push_back(usable(row[a]) ? row[a].metric[kNsPerOp].median : nan);
    }
    const std::vector<int> r = rank_ascending(speed);
    for (size_t a = 0; a < na; ++a) row[a].rank = r[a];
    ranks.push_back(r);
  }
  report.medals = medal_table(allocs, ranks);
}

}  // namespace hakbench

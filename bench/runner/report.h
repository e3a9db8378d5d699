// The data of one hakmem-bench invocation: every run, and per scenario and
// allocator the summary the tables show. Filled by runner.cpp (runs) and
// aggregate.cpp (cells, ranks, medals); read by the writers.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "result_line.h"
#include "stats.h"

namespace hakbench {

// The figures measured for every run. Lower is better for all of them.
enum Metric { kNsPerOp, kUserS, kSysS, kPeakRssKb, kMinorFaults, kMetricCount };

struct MetricInfo {
  const char* key;    // CSV/JSON name
  const char* label;  // table header
};
const MetricInfo& metric_info(int metric);

struct RunRecord {
  std::string scenario;
  std::string allocator;
  int round = 0;
  bool ok = false;
  std::string failure;    // why the run does not count, when !ok
  ScenarioResult result;  // as reported by the scenario (if it got that far)
  std::array<double, kMetricCount> values{};
  double wall_s = 0;
};

struct Cell {
  std::string scenario;
  std::string allocator;
  bool failed = false;  // any round failed: the cell is not ranked
  bool ran = false;     // at least one run recorded
  std::array<Summary, kMetricCount> metric{};
  std::array<double, kMetricCount> ratio{};  // median / baseline median (NaN if none)
  int rank = 0;                              // by median ns/op; 0 = unranked
  Summary peak_live_kb;
  std::vector<std::pair<std::string, Summary>> figures;  // scenario-specific metrics
};

struct Meta {
  std::string date;
  std::string host;
  std::string kernel;
  std::string thp;  // /sys/kernel/mm/transparent_hugepage/enabled
  int cpus = 0;
  std::string size;
  int rounds = 0;
  uint64_t seed = 0;
  int threads = 0;
  uint64_t iterations = 0;
  std::string baseline;  // allocator the ratios are relative to
  std::vector<std::pair<std::string, std::string>> libraries;  // allocator -> preloaded file
  std::vector<std::string> skipped;                            // one line each
};

struct Report {
  Meta meta;
  std::vector<std::string> scenarios;
  std::vector<std::string> allocators;
  std::vector<RunRecord> runs;
  std::vector<Cell> cells;  // scenario-major: cells[s * allocators.size() + a]
  std::vector<Medals> medals;

  const Cell& cell(size_t s, size_t a) const { return cells[s * allocators.size() + a]; }
};

// Builds cells, ratios, ranks and medals from runs. The baseline is
// meta.baseline if it is among the allocators, else the first allocator
// (meta.baseline is updated to say which).
void aggregate(Report& report);

}  // namespace hakbench

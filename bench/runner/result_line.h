// The scenario process's one-line JSON result, parsed. The format is
// written by scenarios/main.cpp; this reader accepts exactly that shape
// (one flat object of strings, numbers and booleans, plus a flat "metrics"
// object of numbers) and reports what it did not understand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hakbench {

struct ScenarioResult {
  std::string scenario;
  std::string size;
  std::string malloc_lib;
  std::string checksum;
  uint64_t seed = 0;
  uint64_t ops = 0;
  uint64_t elapsed_ns = 0;
  uint64_t failures = 0;
  uint64_t peak_live_bytes = 0;
  uint64_t rss_start_kb = 0;
  uint64_t rss_hwm_kb = 0;
  bool verified = false;
  std::vector<std::pair<std::string, double>> metrics;
};

// Parses the last line of `output` that starts with '{'.
std::optional<ScenarioResult> parse_result_line(const std::string& output, std::string* error);

}  // namespace hakbench

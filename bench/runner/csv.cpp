// summary.csv and runs.csv: one header row, comma-separated, numbers
// unformatted, for spreadsheets and scripts comparing runs.
#include <cmath>
#include <fstream>
#include <sstream>

#include "writers.h"

namespace hakbench {

namespace {

std::string num(double v) {
  if (std::isnan(v)) return "";
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

// Quotes a field when it holds a comma, quote or newline.
std::string field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

bool save(const std::string& path, const std::string& text, std::string* error) {
  std::ofstream f(path);
  f << text;
  if (!f) {
    if (error) *error = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace

bool write_csv(const Report& r, const std::string& dir, std::string* error) {
  std::ostringstream summary;
  summary << "scenario,allocator,failed,rank";
  for (int m = 0; m < kMetricCount; ++m) {
    const std::string k = metric_info(m).key;
    summary << "," << k << "_median," << k << "_min," << k << "_max," << k << "_ratio";
  }
  summary << ",peak_live_kb_median,rounds\n";
  for (const Cell& c : r.cells) {
    if (!c.ran) continue;
    summary << field(c.scenario) << "," << field(c.allocator) << "," << (c.failed ? 1 : 0) << "," << c.rank;
    for (int m = 0; m < kMetricCount; ++m)
      summary << "," << num(c.metric[m].median) << "," << num(c.metric[m].min) << ","
              << num(c.metric[m].max) << "," << num(c.ratio[m]);
    summary << "," << num(c.peak_live_kb.median) << "," << c.metric[kNsPerOp].count << "\n";
  }

  std::ostringstream runs;
  runs << "scenario,allocator,round,ok";
  for (int m = 0; m < kMetricCount; ++m) runs << "," << metric_info(m).key;
  runs << ",ops,elapsed_ns,peak_live_bytes,checksum,malloc_lib,wall_s,failure\n";
  for (const RunRecord& run : r.runs) {
    runs << field(run.scenario) << "," << field(run.allocator) << "," << run.round << "," << (run.ok ? 1 : 0);
    for (int m = 0; m < kMetricCount; ++m) runs << "," << (run.ok ? num(run.values[m]) : "");
    runs << "," << run.result.ops << "," << run.result.elapsed_ns << "," << run.result.peak_live_bytes << ","
         << field(run.result.checksum) << "," << field(run.result.malloc_lib) << "," << num(run.wall_s) << ","
         << field(run.failure) << "\n";
  }
  return save(dir + "/summary.csv", summary.str(), error) && save(dir + "/runs.csv", runs.str(), error);
}

}  // namespace hakbench

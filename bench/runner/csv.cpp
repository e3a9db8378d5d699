// summary.csv and runs.csv: one header row, comma-separated, numbers
// unformatted, for spreadsheets and scripts comparing runs.
#include <cmath>
#include <fstream>
#include <sstream>

#include "writers.h"

namespace hakbench {

std::string csv_number(double v) {
  if (std::isnan(v)) return "";
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

// Quotes a field when it holds a comma, quote or newline.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

bool save_text(const std::string& path, const std::string& text, std::string* error) {
  std::ofstream f(path);
  f << text;
  if (!f) {
    if (error) *error = "cannot write " + path;
    return false;
  }
  return true;
}

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
    summary << csv_field(c.scenario) << "," << csv_field(c.allocator) << "," << (c.failed ? 1 : 0) << "," << c.rank;
    for (int m = 0; m < kMetricCount; ++m)
      summary << "," << csv_number(c.metric[m].median) << "," << csv_number(c.metric[m].min) << ","
              << csv_number(c.metric[m].max) << "," << csv_number(c.ratio[m]);
    summary << "," << csv_number(c.peak_live_kb.median) << "," << c.metric[kNsPerOp].count << "\n";
  }

  std::ostringstream runs;
  runs << "scenario,allocator,round,ok";
  for (int m = 0; m < kMetricCount; ++m) runs << "," << metric_info(m).key;
  runs << ",ops,elapsed_ns,peak_live_bytes,checksum,malloc_lib,wall_s,failure\n";
  for (const RunRecord& run : r.runs) {
    runs << csv_field(run.scenario) << "," << csv_field(run.allocator) << "," << run.round << "," << (run.ok ? 1 : 0);
    for (int m = 0; m < kMetricCount; ++m) runs << "," << (run.ok ? csv_number(run.values[m]) : "");
    runs << "," << run.result.ops << "," << run.result.elapsed_ns << "," << run.result.peak_live_bytes << ","
         << csv_field(run.result.checksum) << "," << csv_field(run.result.malloc_lib) << "," << csv_number(run.wall_s)
         << "," << csv_field(run.failure) << "\n";
  }
  return save_text(dir + "/summary.csv", summary.str(), error) && save_text(dir + "/runs.csv", runs.str(), error);
}

}  // namespace hakbench

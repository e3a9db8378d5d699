// results.json: everything in the report, for tools that track numbers
// across commits.
#include <cmath>
#include <fstream>
#include <sstream>

#include "writers.h"

namespace hakbench {

namespace {

std::string str(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) >= 0x20) {
      out += c;
    }
  }
  return out + "\"";
}

std::string num(double v) {
  if (std::isnan(v) || std::isinf(v)) return "null";
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

std::string summary(const Summary& s) {
  return "{\"median\":" + num(s.median) + ",\"min\":" + num(s.min) + ",\"max\":" + num(s.max) +
         ",\"count\":" + std::to_string(s.count) + "}";
}

}  // namespace

bool write_json(const Report& r, const std::string& dir, std::string* error) {
  std::ostringstream o;
  const Meta& m = r.meta;
  o << "{\n\"meta\":{\"date\":" << str(m.date) << ",\"host\":" << str(m.host) << ",\"kernel\":" << str(m.kernel)
    << ",\"thp\":" << str(m.thp) << ",\"cpus\":" << m.cpus << ",\"size\":" << str(m.size)
    << ",\"rounds\":" << m.rounds << ",\"seed\":" << m.seed << ",\"threads\":" << m.threads
    << ",\"iterations\":" << m.iterations << ",\"baseline\":" << str(m.baseline) << ",\"libraries\":{";
  for (size_t i = 0; i < m.libraries.size(); ++i)
    o << (i ? "," : "") << str(m.libraries[i].first) << ":" << str(m.libraries[i].second);
  o << "},\"skipped\":[";
  for (size_t i = 0; i < m.skipped.size(); ++i) o << (i ? "," : "") << str(m.skipped[i]);
  o << "]},\n\"runs\":[\n";
  for (size_t i = 0; i < r.runs.size(); ++i) {
    const RunRecord& run = r.runs[i];
    o << (i ? ",\n" : "") << "{\"scenario\":" << str(run.scenario) << ",\"allocator\":" << str(run.allocator)
      << ",\"round\":" << run.round << ",\"ok\":" << (run.ok ? "true" : "false");
    for (int k = 0; k < kMetricCount; ++k) o << ",\"" << metric_info(k).key << "\":" << (run.ok ? num(run.values[k]) : "null");
    o << ",\"ops\":" << run.result.ops << ",\"elapsed_ns\":" << run.result.elapsed_ns
      << ",\"peak_live_bytes\":" << run.result.peak_live_bytes << ",\"checksum\":" << str(run.result.checksum)
      << ",\"malloc_lib\":" << str(run.result.malloc_lib) << ",\"verified\":" << (run.result.verified ? "true" : "false")
      << ",\"wall_s\":" << num(run.wall_s) << ",\"failure\":" << str(run.failure) << ",\"metrics\":{";
    for (size_t k = 0; k < run.result.metrics.size(); ++k)
      o << (k ? "," : "") << str(run.result.metrics[k].first) << ":" << num(run.result.metrics[k].second);
    o << "}}";
  }
  o << "\n],\n\"summary\":[\n";
  bool first = true;
  for (const Cell& c : r.cells) {
    if (!c.ran) continue;
    o << (first ? "" : ",\n") << "{\"scenario\":" << str(c.scenario) << ",\"allocator\":" << str(c.allocator)
      << ",\"failed\":" << (c.failed ? "true" : "false") << ",\"rank\":" << c.rank;
    first = false;
    for (int k = 0; k < kMetricCount; ++k)
      o << ",\"" << metric_info(k).key << "\":" << summary(c.metric[k]) << ",\"" << metric_info(k).key
        << "_ratio\":" << num(c.ratio[k]);
    o << ",\"peak_live_kb\":" << summary(c.peak_live_kb) << ",\"figures\":{";
    for (size_t k = 0; k < c.figures.size(); ++k)
      o << (k ? "," : "") << str(c.figures[k].first) << ":" << summary(c.figures[k].second);
    o << "}}";
  }
  o << "\n],\n\"medals\":[";
  for (size_t i = 0; i < r.medals.size(); ++i)
    o << (i ? "," : "") << "{\"allocator\":" << str(r.medals[i].allocator) << ",\"gold\":" << r.medals[i].gold
      << ",\"silver\":" << r.medals[i].silver << ",\"bronze\":" << r.medals[i].bronze << "}";
  o << "]\n}\n";
  std::ofstream f(dir + "/results.json");
  f << o.str();
  if (!f) {
    if (error) *error = "cannot write " + dir + "/results.json";
    return false;
  }
  return true;
}

}  // namespace hakbench

// A reader for the few fields of the learner object, not a JSON parser: the
// writer (src/stats/learner_report.cpp) emits flat `"key": number` pairs and
// one history record per `{...}`, never nested beyond that.
#include "learner_trace.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hakbench {

namespace {

// The number after `"key":` within [from, to), or `fallback`.
double number_at(const std::string& s, const std::string& key, size_t from, size_t to, double fallback = 0) {
  const std::string pattern = "\"" + key + "\":";
  const size_t at = s.find(pattern, from);
  if (at == std::string::npos || at >= to) return fallback;
  const char* start = s.c_str() + at + pattern.size();
  char* end = nullptr;
  const double v = std::strtod(start, &end);
  return end == start ? fallback : v;
}

std::string string_at(const std::string& s, const std::string& key, size_t from, size_t to) {
  const std::string pattern = "\"" + key + "\": \"";
  const size_t at = s.find(pattern, from);
  if (at == std::string::npos || at >= to) return "";
  const size_t start = at + pattern.size();
  const size_t end = s.find('"', start);
  return end == std::string::npos ? "" : s.substr(start, end - start);
}

}  // namespace

LearnerTrace parse_learner_trace(const std::string& s) {
  LearnerTrace t;
  const size_t begin = s.find("\"learner\":");
  if (begin == std::string::npos) return t;
  const size_t history = s.find("\"history\":", begin);
  if (history == std::string::npos) return t;
  const size_t end = s.find("]}", history);
  if (end == std::string::npos) return t;
  t.found = true;
  t.mode = string_at(s, "mode", begin, history);
  // The counts come before the candidates, whose strategies have no keys of
  // these names.
  t.cpu_ns = number_at(s, "cpu_ns", begin, history);
  t.epochs = number_at(s, "epochs", begin, history);
  t.matches = number_at(s, "matches", begin, history);
  t.switches = number_at(s, "switches", begin, history);
  t.playbook_suggestions = number_at(s, "playbook_suggestions", begin, history);
  t.playbook_crowns = number_at(s, "playbook_crowns", begin, history);
  size_t at = s.find('{', history);
  while (at != std::string::npos && at < end) {
    const size_t close = s.find('}', at);
    if (close == std::string::npos || close > end) break;
    LearnerEpoch e;
    e.t_ms = number_at(s, "t_ms", at, close);
    e.candidate = static_cast<int>(number_at(s, "candidate", at, close));
    e.champion = static_cast<int>(number_at(s, "champion", at, close));
    e.in_match = number_at(s, "match", at, close) != 0;
    e.change = number_at(s, "change", at, close) != 0;
    e.cpu_ns_per_alloc = number_at(s, "cpu_ns_per_alloc", at, close);
    e.faults_per_alloc = number_at(s, "faults_per_alloc", at, close);
    e.overhead_bytes = number_at(s, "overhead_bytes", at, close);
    t.history.push_back(e);
    at = s.find('{', close);
  }
  return t;
}

LearnerTrace read_learner_trace(const std::string& path) {
  std::ifstream f(path);
  if (!f) return LearnerTrace{};
  std::ostringstream text;
  text << f.rdbuf();
  return parse_learner_trace(text.str());
}

}  // namespace hakbench

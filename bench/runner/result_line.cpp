#include "result_line.h"

#include <cstdlib>
#include <map>

namespace hakbench {

namespace {

// A minimal JSON reader for the one shape we emit. Values are kept as text
// (strings unescaped) and converted by the caller.
class Reader {
 public:
  explicit Reader(const std::string& s) : s_(s) {}

  bool object(std::map<std::string, std::string>& out, std::map<std::string, double>* nested) {
    skip();
    if (!eat('{')) return false;
    skip();
    if (eat('}')) return true;
    for (;;) {
      std::string key;
      skip();
      if (!string(key)) return false;
      skip();
      if (!eat(':')) return false;
      skip();
      if (peek() == '{') {
        if (nested == nullptr) return false;  // only one level of nesting
        std::map<std::string, std::string> inner;
        if (!object(inner, nullptr)) return false;
        for (const auto& [k, v] : inner) {
          char* end = nullptr;
          const double d = std::strtod(v.c_str(), &end);
          if (v.empty() || *end != '\0') return false;
          (*nested)[k] = d;
        }
      } else {
        std::string value;
        if (peek() == '"') {
          if (!string(value)) return false;
        } else {
          while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '}' && s_[pos_] != ' ')
            value += s_[pos_++];
          if (value.empty()) return false;
        }
        out[key] = value;
      }
      skip();
      if (eat('}')) return true;
      if (!eat(',')) return false;
    }
  }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  void skip() {
    while (peek() == ' ' || peek() == '\t') ++pos_;
  }
  bool string(std::string& out) {
    if (!eat('"')) return false;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (pos_ >= s_.size()) return false;
        c = s_[pos_++];
      }
      out += c;
    }
    return false;
  }

  const std::string& s_;
  size_t pos_ = 0;
};

bool to_u64(const std::map<std::string, std::string>& m, const char* key, uint64_t& out) {
  const auto it = m.find(key);
  if (it == m.end() || it->second.empty()) return false;
  char* end = nullptr;
  out = std::strtoull(it->second.c_str(), &end, 10);
  return *end == '\0';
}

}  // namespace

std::optional<ScenarioResult> parse_result_line(const std::string& output, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<ScenarioResult> {
    if (error) *error = why;
    return std::nullopt;
  };
  // Last line that looks like a JSON object.
  std::string line;
  size_t start = 0;
  while (start < output.size()) {
    size_t nl = output.find('\n', start);
    if (nl == std::string::npos) nl = output.size();
    if (nl > start && output[start] == '{') line = output.substr(start, nl - start);
    start = nl + 1;
  }
  if (line.empty()) return fail("no result line on the scenario's stdout");

  std::map<std::string, std::string> fields;
  std::map<std::string, double> metrics;
  Reader reader(line);
  if (!reader.object(fields, &metrics)) return fail("malformed result line: " + line);

  ScenarioResult r;
  for (const char* key : {"scenario", "size", "malloc_lib", "checksum", "verified"})
    if (!fields.count(key)) return fail(std::string("result line lacks \"") + key + "\"");
  r.scenario = fields["scenario"];
  r.size = fields["size"];
  r.malloc_lib = fields["malloc_lib"];
  r.checksum = fields["checksum"];
  r.verified = fields["verified"] == "true";
  struct {
    const char* key;
    uint64_t* out;
  } numbers[] = {{"seed", &r.seed},
                 {"ops", &r.ops},
                 {"elapsed_ns", &r.elapsed_ns},
                 {"failures", &r.failures},
                 {"peak_live_bytes", &r.peak_live_bytes},
                 {"rss_start_kb", &r.rss_start_kb},
                 {"rss_hwm_kb", &r.rss_hwm_kb}};
  for (const auto& n : numbers)
    if (!to_u64(fields, n.key, *n.out)) return fail(std::string("result line lacks number \"") + n.key + "\"");
  for (const auto& [k, v] : metrics) r.metrics.emplace_back(k, v);
  return r;
}

}  // namespace hakbench

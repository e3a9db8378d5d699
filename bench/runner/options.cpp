#include "options.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace hakbench {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    const size_t end = comma == std::string::npos ? s.size() : comma;
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool parse_u64(const std::string& s, uint64_t& out) {
  if (s.empty() || s[0] == '-') return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtoull(s.c_str(), &end, 0);
  return errno == 0 && *end == '\0';
}

bool parse_positive_int(const std::string& s, int max, int& out) {
  uint64_t v = 0;
  if (!parse_u64(s, v) || v < 1 || v > static_cast<uint64_t>(max)) return false;
  out = static_cast<int>(v);
  return true;
}

}  // namespace

const char* run_size_name(RunSize s) {
  return s == RunSize::kTiny ? "tiny" : s == RunSize::kQuick ? "quick" : "full";
}

const std::vector<std::string>& suite_scenarios() {
  static const std::vector<std::string> v = {
      "json",      "mir",      "vm",        "mixed",      "multithread", "fragmentation", "longrun",
      "webserver", "lifetime", "seqaccess", "randaccess", "realloc",     "edge",          "alignment",
      // The multi-threaded patterns of issue 11.
      "handoff", "server", "server-sized", "falseshare-active", "falseshare-passive", "workingset"};
  return v;
}

const std::vector<std::string>& phase_scenarios() {
  static const std::vector<std::string> v = {"phases-fast", "phases-mid", "phases-slow"};
  return v;
}

const std::vector<std::string>& hidden_scenarios() {
  static const std::vector<std::string> v = {"corrupt"};
  return v;
}

const std::vector<std::string>& known_allocators() {
  static const std::vector<std::string> v = {"glibc", "mimalloc", "jemalloc", "tcmalloc", "hakmem", "hakmem-secure"};
  return v;
}

std::string usage_text() {
  std::string s =
      "usage: hakmem-bench [options]\n"
      "Runs allocation scenarios under glibc, mimalloc, jemalloc, tcmalloc, hakmem and\n"
      "hakmem-secure (libhakmem_secure, the hardened build)\n"
      "(each run its own process, allocator chosen with LD_PRELOAD) and reports\n"
      "ns/op, CPU time, peak RSS and page faults with ratios to mimalloc.\n"
      "\n"
      "  --quick              small sizes, minutes for the whole suite (default)\n"
      "  --full               the full sizes (longrun alone takes 60 s per run)\n"
      "  --tiny               test sizes, milliseconds per run\n"
      "  --scenario LIST      comma-separated scenarios (default: all)\n"
      "  --allocators LIST    comma-separated allocators (default: all installed)\n"
      "  --rounds N           rounds per scenario and allocator (default 5)\n"
      "  --threads N          threads for the multithread scenario (default 8)\n"
      "  --iterations N       override each scenario's main loop count\n"
      "  --seed N             PRNG seed (default 42)\n"
      "  --out DIR            write results to DIR (default bench/results/<time>-<size>)\n"
      "  --hakmem-lib PATH    libhakmem.so to preload (default: $HAKMEM_BENCH_LIB,\n"
      "                       else the one from this build)\n"
      "  --timeout SEC        kill a run after SEC seconds (default 120, full 1800)\n"
      "  --headroom           run hakmem alone under a grid of fixed strategies (the\n"
      "                       HAKMEM_* knobs) and report, per scenario, how far the best\n"
      "                       beats the default on 0.4 CPU + 0.3 faults + 0.3 mean RSS;\n"
      "                       --allocators is ignored\n"
      "  --learner            run hakmem alone with its default strategy, a handful of\n"
      "                       fixed neighbours of it, HAKMEM_LEARN=ucb1 and =elo, and\n"
      "                       report composite cost, regret and the learner's CPU;\n"
      "                       default scenarios: json,vm,mixed,fragmentation and\n"
      "                       phases-fast,phases-mid,phases-slow (json, vm and mixed\n"
      "                       at --full under --quick); --allocators is ignored\n"
      "  --learn-epoch-ms LIST  --learner: HAKMEM_LEARN_EPOCH_MS values (default 100)\n"
      "  --fixed LIST         --learner: only these fixed strategies (default: all six)\n"
      "  --list               list scenarios and allocators, then exit\n"
      "  --help               this text\n"
      "\nscenarios:";
  for (const auto& n : suite_scenarios()) s += " " + n;
  s += "\nphase scenarios (--learner):";
  for (const auto& n : phase_scenarios()) s += " " + n;
  s += "\nallocators:";
  for (const auto& n : known_allocators()) s += " " + n;
  s += "\n";
  return s;
}

ParseResult parse_options(const std::vector<std::string>& args) {
  ParseResult r;
  Options& o = r.options;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::string value;
    bool has_value = false;
    if (const size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    // Fetches the option's value from "=value" or the next argument.
    auto take = [&]() -> bool {
      if (has_value) return true;
      if (i + 1 >= args.size()) return false;
      value = args[++i];
      return true;
    };
    auto fail = [&](const std::string& why) {
      r.error = why;
      return r;
    };
    const bool flag = arg == "--quick" || arg == "--full" || arg == "--tiny" || arg == "--list" ||
                      arg == "--headroom" || arg == "--learner" || arg == "--help" || arg == "-h";
    if (flag && has_value) return fail("option " + arg + " takes no value");

    if (arg == "--quick") {
      o.size = RunSize::kQuick;
    } else if (arg == "--full") {
      o.size = RunSize::kFull;
    } else if (arg == "--tiny") {
      o.size = RunSize::kTiny;
    } else if (arg == "--list") {
      o.list = true;
    } else if (arg == "--headroom") {
      o.headroom = true;
    } else if (arg == "--learner") {
      o.learner = true;
    } else if (arg == "--learn-epoch-ms") {
      if (!take()) return fail("--learn-epoch-ms needs a value");
      o.learn_epoch_ms.clear();
      for (const auto& e : split_list(value)) {
        int ms = 0;
        if (!parse_positive_int(e, 60000, ms) || ms < 10) return fail("--learn-epoch-ms needs values from 10 to 60000");
        o.learn_epoch_ms.push_back(ms);
      }
      if (o.learn_epoch_ms.empty()) return fail("--learn-epoch-ms needs at least one value");
    } else if (arg == "--fixed") {
      if (!take()) return fail("--fixed needs a value");
      o.learner_fixed = split_list(value);
      if (o.learner_fixed.empty()) return fail("--fixed needs at least one strategy");
    } else if (arg == "--help" || arg == "-h") {
      o.help = true;
    } else if (arg == "--scenario" || arg == "--scenarios") {
      if (!take()) return fail(arg + " needs a value");
      std::vector<std::string> want = split_list(value);
      if (want.empty()) return fail(arg + " needs at least one scenario");
      for (const auto& w : want) {
        if (w == "all") continue;
        if (!contains(suite_scenarios(), w) && !contains(hidden_scenarios(), w) && !contains(phase_scenarios(), w))
          return fail("unknown scenario '" + w + "'");
      }
      // Run in suite order whatever order they were named in; "all" is the suite.
      o.scenarios.clear();
      for (const auto& s : suite_scenarios())
        if (contains(want, s) || contains(want, "all")) o.scenarios.push_back(s);
      for (const auto& s : phase_scenarios())
        if (contains(want, s)) o.scenarios.push_back(s);
      for (const auto& s : hidden_scenarios())
        if (contains(want, s)) o.scenarios.push_back(s);
    } else if (arg == "--allocators" || arg == "--allocator") {
      if (!take()) return fail(arg + " needs a value");
      o.allocators.clear();
      for (const auto& a : split_list(value)) {
        if (!contains(known_allocators(), a)) return fail("unknown allocator '" + a + "'");
        if (!contains(o.allocators, a)) o.allocators.push_back(a);
      }
      if (o.allocators.empty()) return fail(arg + " needs at least one allocator");
      o.allocators_given = true;
    } else if (arg == "--rounds") {
      if (!take() || !parse_positive_int(value, 1000, o.rounds))
        return fail("--rounds needs a number from 1 to 1000");
    } else if (arg == "--threads") {
      if (!take() || !parse_positive_int(value, 1024, o.threads))
        return fail("--threads needs a number from 1 to 1024");
    } else if (arg == "--iterations") {
      if (!take() || !parse_u64(value, o.iterations) || o.iterations == 0)
        return fail("--iterations needs a positive number");
    } else if (arg == "--seed") {
      if (!take() || !parse_u64(value, o.seed)) return fail("--seed needs a non-negative number");
    } else if (arg == "--out") {
      if (!take() || value.empty()) return fail("--out needs a directory");
      o.out_dir = value;
    } else if (arg == "--hakmem-lib") {
      if (!take() || value.empty()) return fail("--hakmem-lib needs a path");
      o.hakmem_lib = value;
    } else if (arg == "--timeout") {
      char* end = nullptr;
      if (!take()) return fail("--timeout needs seconds");
      o.timeout_s = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(o.timeout_s > 0)) return fail("--timeout needs positive seconds");
    } else {
      return fail("unknown option '" + args[i] + "'");
    }
  }
  if (o.scenarios.empty() && o.learner)
    o.scenarios = {"json", "vm", "mixed", "fragmentation", "phases-fast", "phases-mid", "phases-slow"};
  if (o.scenarios.empty()) o.scenarios = suite_scenarios();
  if (o.allocators.empty()) o.allocators = known_allocators();
  return r;
}

}  // namespace hakbench

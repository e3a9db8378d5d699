// hakmem-bench-scenario: runs one scenario in this process, under whatever
// allocator LD_PRELOAD put in front of glibc, and prints one JSON line on
// stdout for the runner:
//
//   {"scenario":"json","seed":42,...,"ops":N,"elapsed_ns":N,"verified":true,
//    "checksum":"0x...","peak_live_bytes":N,"malloc_lib":"/usr/lib/.../libmimalloc.so.2",
//    "metrics":{...}}
//
// Exit status: 0 ok, 2 usage, 3 data verification failed, 4 out of memory.
// Diagnostics go to stderr; stdout carries only the result line.
#include <time.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "support/malloc_origin.h"
#include "support/memstat.h"
#include "support/scenario.h"

namespace hakbench {
namespace {

const char* g_running = "?";

void usage(FILE* out) {
  std::fprintf(out,
               "usage: hakmem-bench-scenario --scenario NAME [--size tiny|quick|full]\n"
               "         [--iterations N] [--threads N] [--seed N]\n"
               "       hakmem-bench-scenario --list\n"
               "Runs one benchmark scenario in this process (the allocator is whatever\n"
               "LD_PRELOAD provides) and prints a JSON result line. Normally started by\n"
               "hakmem-bench.\n");
}

bool parse_u64(const char* s, uint64_t& out) {
  if (s == nullptr || *s == '\0') return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtoull(s, &end, 0);
  return errno == 0 && *end == '\0' && s[0] != '-';
}

uint64_t fnv1a(const char* s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (; *s; ++s) h = (h ^ static_cast<unsigned char>(*s)) * 0x100000001B3ull;
  return h;
}

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

const char* size_name(Size s) {
  return s == Size::kTiny ? "tiny" : s == Size::kQuick ? "quick" : "full";
}

int main_impl(int argc, char** argv) {
  Config cfg;
  const Scenario* scenario = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    uint64_t n = 0;
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      return 0;
    } else if (arg == "--list") {
      for (const Scenario& s : scenarios())
        if (!s.hidden) std::printf("%-19s %s\n", s.name, s.summary);
      return 0;
    } else if (arg == "--scenario" && value) {
      scenario = find_scenario(value);
      if (scenario == nullptr) {
        std::fprintf(stderr, "hakmem-bench-scenario: unknown scenario '%s'\n", value);
        usage(stderr);
        return 2;
      }
    } else if (arg == "--size" && value) {
      const std::string v = value;
      if (v == "tiny") cfg.size = Size::kTiny;
      else if (v == "quick") cfg.size = Size::kQuick;
      else if (v == "full") cfg.size = Size::kFull;
      else {
        std::fprintf(stderr, "hakmem-bench-scenario: bad --size '%s'\n", value);
        usage(stderr);
        return 2;
      }
    } else if (arg == "--iterations" && parse_u64(value, n)) {
      cfg.iterations = n;
    } else if (arg == "--threads" && parse_u64(value, n) && n >= 1 && n <= 1024) {
      cfg.threads = static_cast<int>(n);
    } else if (arg == "--seed" && parse_u64(value, n)) {
      cfg.seed = n;
    } else {
      std::fprintf(stderr, "hakmem-bench-scenario: bad option '%s'\n", arg.c_str());
      usage(stderr);
      return 2;
    }
    ++i;  // every option but the flags above takes a value
  }
  if (scenario == nullptr) {
    usage(stderr);
    return 2;
  }

  g_running = scenario->name;
  set_verifier_context(scenario->name);
  const MemStat base = read_memstat();
  Run run(cfg, fnv1a(scenario->name));
  const uint64_t t0 = now_ns();
  scenario->run(run);
  const uint64_t elapsed = now_ns() - t0 - run.excluded_ns;
  const MemStat end = read_memstat();
  const bool verified = run.verify.ok();
  if (run.verify.failures() == 0 && !verified)
    std::fprintf(stderr,
                 "hakmem-bench: VERIFY FAILED in %s: checksum of data read back (%#" PRIx64
                 ") differs from data written (%#" PRIx64 ")\n",
                 scenario->name, run.verify.checksum(), run.verify.expected());

  std::string metrics;
  for (const auto& [name, value] : run.metrics) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s\"%s\":%.6g", metrics.empty() ? "" : ",", name.c_str(), value);
    metrics += buf;
  }
  std::printf(
      "{\"scenario\":\"%s\",\"seed\":%" PRIu64 ",\"size\":\"%s\",\"iterations\":%" PRIu64
      ",\"threads\":%d,\"ops\":%" PRIu64 ",\"elapsed_ns\":%" PRIu64
      ",\"verified\":%s,\"failures\":%" PRIu64 ",\"checksum\":\"%#018" PRIx64
      "\",\"peak_live_bytes\":%zu,\"rss_start_kb\":%zu,\"rss_hwm_kb\":%zu"
      ",\"malloc_lib\":\"%s\",\"metrics\":{%s}}\n",
      scenario->name, cfg.seed, size_name(cfg.size), cfg.iterations, cfg.threads, run.ops, elapsed,
      verified ? "true" : "false", run.verify.failures(), run.verify.checksum(), run.live.peak,
      base.rss_kb, end.hwm_kb, json_escape(malloc_origin()).c_str(), metrics.c_str());
  std::fflush(stdout);
  return verified ? 0 : 3;
}

}  // namespace

void Run::out_of_memory(const char* call, size_t n) {
  std::fprintf(stderr, "hakmem-bench: %s(%zu) returned NULL in scenario %s\n", call, n, g_running);
  std::exit(4);
}

}  // namespace hakbench

int main(int argc, char** argv) { return hakbench::main_impl(argc, argv); }

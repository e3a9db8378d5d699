// What a scenario is: a function that drives the allocator through one
// workload and fills in a Run. main.cpp times it, adds memory figures and
// prints the result line the runner parses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "live.h"
#include "rng.h"
#include "verifier.h"

namespace hakbench {

// A block a scenario holds: where, how big, and the tag its pattern was
// stamped with (Verifier::stamp/check).
struct TaggedBlock {
  void* p = nullptr;
  size_t size = 0;
  uint64_t tag = 0;
};

// tiny: ctest (milliseconds); quick: the default suite, well under a second
// per run so 14 scenarios x 5 allocators x 5 rounds fit in minutes; full: the
// sizes the issue describes (longrun really takes 60 s).
enum class Size { kTiny, kQuick, kFull };

struct Config {
  uint64_t seed = 42;
  Size size = Size::kQuick;
  uint64_t iterations = 0;  // 0: the scenario's default for `size`
  int threads = 8;

  // The scenario's main loop count: --iterations if given, else by size.
  uint64_t scaled(uint64_t tiny, uint64_t quick, uint64_t full) const {
    if (iterations != 0) return iterations;
    return size == Size::kTiny ? tiny : size == Size::kQuick ? quick : full;
  }
};

// What a scenario accumulates while it runs.
struct Run {
  explicit Run(const Config& c, uint64_t salt) : cfg(c), rng(c.seed ^ mix64(salt)) {}

  const Config& cfg;
  Rng rng;
  Verifier verify;
  Live live;
  uint64_t ops = 0;         // malloc-family calls (malloc, calloc, realloc, free, ...)
  uint64_t excluded_ns = 0;  // time the scenario deliberately idles (longrun pacing)
  std::vector<std::pair<std::string, double>> metrics;  // scenario-specific figures

  void metric(std::string name, double value) { metrics.emplace_back(std::move(name), value); }

  // The allocator calls, counted. A NULL from malloc is a failure of the run
  // (none of the scenarios asks for more than the machine has).
  void* alloc(size_t n) {
    ++ops;
    void* p = std::malloc(n);
    if (p == nullptr) out_of_memory("malloc", n);
    live.add(n);
    return p;
  }
  void* resize(void* p, size_t from, size_t to) {
    ++ops;
    void* q = std::realloc(p, to);
    if (q == nullptr) out_of_memory("realloc", to);
    live.resize(from, to);
    return q;
  }
  void release(void* p, size_t n) {
    ++ops;
    live.sub(n);
    std::free(p);
  }
  [[noreturn]] static void out_of_memory(const char* call, size_t n);
};

struct Scenario {
  const char* name;
  const char* summary;  // one line for --list and the docs
  void (*run)(Run&);
  bool hidden;  // runnable by name but not part of the default suite (corrupt)
};

// All scenarios in suite order (registry.cpp).
const std::vector<Scenario>& scenarios();
const Scenario* find_scenario(const std::string& name);

}  // namespace hakbench

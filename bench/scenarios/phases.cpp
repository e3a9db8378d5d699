// Scenarios `phases-fast`, `phases-mid`, `phases-slow`: a program that
// changes what it does, cycling through three phases:
//
//   (a) large-block reuse: the vm workload (256 KiB..8 MiB blocks, every
//       page written, churned): wants large blocks cached, not purged;
//   (b) bursts followed by idle time: 32 MiB of 1..128 KiB blocks allocated,
//       written and freed at once, then a sleep: memory held while idle is
//       pure overhead, but purging it costs a fault per page next burst;
//   (c) steady small allocation: the json workload: no purge decisions at
//       all, only the fast path's CPU.
//
// Why: issue 10's learner claims to adapt the Strategy to the phase a
// program is in; the best fixed strategy differs per phase, so a learner
// can beat every fixed one only here, and only if it adapts faster than the
// phases change. The period is varied: ~0.3 s (faster than a learner can
// finish a match: it should keep a safe strategy), ~2 s and ~6 s.
//
// Each phase is a fixed amount of work (calibrated below to take about the
// period on the benchmark machine) plus, in (b), fixed sleeps: the same seed
// gives the same requests and checksum under every allocator and strategy,
// whatever the load. Sleeps are reported as excluded time.
#include <time.h>

#include <vector>

#include "workloads.h"

namespace hakbench {

namespace {

// Work rates of the phases in steady state under hakmem's defaults on the
// benchmark machine (2 cores; CPU seconds of 5 k against 40 k vm steps and
// 1 M against 6 M json steps): steps per second. A strategy that caches
// large blocks badly makes the vm phase last 10-70 times longer.
constexpr double kVmStepsPerS = 50'000;
constexpr double kJsonStepsPerS = 4'500'000;
// One burst: 32 MiB in 1..128 KiB blocks, every page written, all freed
// (~40 ms); then this long idle, longer than the default purge delay
// (250 ms) so the strategy's purge decision shows.
constexpr size_t kBurstBytes = 32u << 20;
constexpr double kIdleS = 0.4;
constexpr double kBurstS = 0.04;

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

void idle(Run& run, double seconds) {
  const uint64_t before = now_ns();
  const auto ns = static_cast<uint64_t>(seconds * 1e9);
  timespec ts{static_cast<time_t>(ns / 1'000'000'000u), static_cast<long>(ns % 1'000'000'000u)};
  while (nanosleep(&ts, &ts) != 0) {
  }
  run.excluded_ns += now_ns() - before;
}

void burst(Run& run, std::vector<TaggedBlock>& blocks, uint64_t& tag) {
  const size_t bytes = run.cfg.size == Size::kTiny ? kBurstBytes / 32 : kBurstBytes;
  size_t total = 0;
  while (total < bytes) {
    TaggedBlock b;
    b.size = run.rng.log_uniform(1024, 128 * 1024);
    b.tag = ++tag;
    b.p = run.alloc(b.size);
    run.verify.stamp(b.p, b.size, b.tag);
    blocks.push_back(b);
    total += b.size;
  }
  for (const TaggedBlock& b : blocks) {
    run.verify.check(b.p, b.size, b.tag);
    run.release(b.p, b.size);
  }
  blocks.clear();
}

struct Shape {
  double period_s;  // one phase, quick and full
  uint64_t phases;  // quick; full runs three times as many, tiny three
};

// One phase, (a), (b) or (c), of about `period_s` seconds.
void run_phase(Run& run, int which, double period_s, std::vector<TaggedBlock>& blocks, uint64_t& tag) {
  switch (which) {
    case 0: {
      VmWorkload vm(run);
      const auto steps = static_cast<uint64_t>(kVmStepsPerS * period_s) + 1;
      for (uint64_t i = 0; i < steps; ++i) vm.step();
      vm.finish();
      break;
    }
    case 1: {
      // Bursts of ~kBurstS and idle gaps of kIdleS (shorter when the phase
      // is: a fast phase is one burst and the rest of the period idle).
      const double idle_s = period_s < kBurstS + kIdleS ? period_s * 0.8 : kIdleS;
      uint64_t bursts = static_cast<uint64_t>(period_s / (kBurstS + idle_s));
      if (bursts == 0) bursts = 1;
      for (uint64_t i = 0; i < bursts; ++i) {
        burst(run, blocks, tag);
        idle(run, idle_s);
      }
      break;
    }
    default: {
      JsonWorkload json(run);
      const auto steps = static_cast<uint64_t>(kJsonStepsPerS * period_s) + 1;
      for (uint64_t i = 0; i < steps; ++i) json.step();
      json.finish();
      break;
    }
  }
}

void run_phases(Run& run, const Shape& shape) {
  const bool tiny = run.cfg.size == Size::kTiny;
  // tiny (ctest): a few milliseconds per phase, one cycle.
  const double period = tiny ? 0.005 : shape.period_s;
  const uint64_t phases = run.cfg.scaled(3, shape.phases, 3 * shape.phases);
  std::vector<TaggedBlock> blocks;
  blocks.reserve(kBurstBytes / 1024 + 1);
  uint64_t tag = run.rng.next();
  for (uint64_t p = 0; p < phases; ++p) run_phase(run, static_cast<int>(p % 3), period, blocks, tag);
  run.metric("phase_period_ms", period * 1e3);
  run.metric("phases", static_cast<double>(phases));
}

}  // namespace

// ~10-18 s each under --quick: long enough for a learner with 100 ms epochs
// to play a few dozen matches, short enough to run every strategy in rounds.
void run_phases_fast(Run& run) { run_phases(run, Shape{0.3, 30}); }
void run_phases_mid(Run& run) { run_phases(run, Shape{2.0, 6}); }
void run_phases_slow(Run& run) { run_phases(run, Shape{6.0, 3}); }

}  // namespace hakbench

// Scenario `mixed`: json, mir and vm interleaved in one heap, with a phase
// change halfway.
//
// Why: real processes are not one workload. Small-object pages, medium size
// classes and large mappings compete for the same address space, and a
// program that switches phase (parse input, then compile and run it) leaves
// the previous phase's free memory behind. An allocator tuned for phase one
// must adapt, and should not keep phase one's footprint forever.
#include "workloads.h"

namespace hakbench {

namespace {
// Shares of steps (json, mir; vm is the rest). A vm step costs hundreds of
// page faults, a json step tens of nanoseconds, hence the small vm shares.
struct Mix {
  double json;
  double mir;
};
constexpr Mix kParsePhase{0.80, 0.195};    // mostly small objects
constexpr Mix kCompilePhase{0.15, 0.82};   // mostly medium, more large
}  // namespace

void run_mixed(Run& run) {
  JsonWorkload json(run);
  MirWorkload mir(run);
  VmWorkload vm(run, 4);
  const uint64_t steps = run.cfg.scaled(10'000, 120'000, 1'200'000);
  for (uint64_t i = 0; i < steps; ++i) {
    const Mix& mix = i < steps / 2 ? kParsePhase : kCompilePhase;
    const double u = run.rng.unit();
    if (u < mix.json)
      json.step();
    else if (u < mix.json + mix.mir)
      mir.step();
    else
      vm.step();
  }
  json.finish();
  mir.finish();
  vm.finish();
}

}  // namespace hakbench

// Scenario `vm`: the large-object heap of a language VM.
//
// Why: VMs allocate arenas, big arrays and strings of 256 KiB..8 MiB, write
// all of them, and replace them continuously. This is the mmap/munmap and
// page-fault path: an allocator that returns memory to the OS eagerly pays a
// fault per page on every reuse, one that never does bloats. Every page of
// every block is written (Verifier touches one word per 4 KiB).
#include "workloads.h"

namespace hakbench {

VmWorkload::VmWorkload(Run& run, size_t slots) : run_(run), next_tag_(run.rng.next()) {
  slots_.resize(slots);
}

void VmWorkload::step() {
  Slot& s = slots_[run_.rng.below(slots_.size())];
  if (s.p != nullptr) {
    run_.verify.check(s.p, s.size, s.tag);
    run_.release(s.p, s.size);
  }
  s.size = run_.rng.log_uniform(256 * 1024, 8 * 1024 * 1024);
  s.tag = next_tag_++;
  s.p = run_.alloc(s.size);
  run_.verify.stamp(s.p, s.size, s.tag);
}

void VmWorkload::finish() {
  for (Slot& s : slots_) {
    if (s.p == nullptr) continue;
    run_.verify.check(s.p, s.size, s.tag);
    run_.release(s.p, s.size);
    s.p = nullptr;
  }
}

void run_vm(Run& run) {
  VmWorkload vm(run);
  const uint64_t steps = run.cfg.scaled(100, 1'000, 10'000);
  for (uint64_t i = 0; i < steps; ++i) vm.step();
  vm.finish();
}

}  // namespace hakbench

// Scenario `workingset`: four threads, each keeping its own working set of
// 1024 blocks and replacing a random one at a time with a new block of
// 4 B-32 KiB, log-uniform (as many 4-8 B blocks as 16-32 KiB ones, half of
// them under ~360 B).
//
// Why: most threads of a real program mostly allocate for themselves, across
// many size classes at once; a thread's live set is spread over dozens of
// classes of small and medium blocks, and each replacement picks a class at
// random, so the allocator's per-thread caches, its page of each class and
// its medium-size path are all exercised with nothing handed between
// threads. Four threads on the 2-core bench machine: threads migrate, so a
// thread's heap is touched from both cores over the run. Issue 11: one of
// the patterns where hakmem trailed mimalloc.
//
// A fixed number of replacements per thread (the same work under every
// allocator, not a fixed time); blocks are stamped one word per cache line
// (Verifier::Mode::kLines) so the writes touch every line without turning
// 32 KiB blocks into a memset benchmark.
#include <vector>

#include "support/scenario.h"
#include "support/thread_runs.h"

namespace hakbench {

namespace {

constexpr unsigned kThreads = 4;
constexpr size_t kWorkingSet = 1024;
constexpr size_t kMinSize = 4;
constexpr size_t kMaxSize = 32 * 1024;
constexpr Verifier::Mode kStamp = Verifier::Mode::kLines;

void fill(Run& run, TaggedBlock& b, uint64_t tag) {
  b.size = run.rng.log_uniform(kMinSize, kMaxSize);
  b.tag = tag;
  b.p = run.alloc(b.size);
  run.verify.stamp(b.p, b.size, b.tag, kStamp);
}

void drop(Run& run, const TaggedBlock& b) {
  run.verify.check(b.p, b.size, b.tag, kStamp);
  run.release(b.p, b.size);
}

void keep_working_set(Run& run, unsigned id, uint64_t replacements) {
  std::vector<TaggedBlock> set(kWorkingSet);
  uint64_t tag = static_cast<uint64_t>(id + 1) << 48;
  for (TaggedBlock& b : set) fill(run, b, ++tag);
  for (uint64_t i = 0; i < replacements; ++i) {
    TaggedBlock& b = set[run.rng.below(kWorkingSet)];
    drop(run, b);
    fill(run, b, ++tag);
  }
  for (const TaggedBlock& b : set) drop(run, b);
}

}  // namespace

void run_workingset(Run& run) {
  const uint64_t replacements = run.cfg.scaled(2'000, 300'000, 3'000'000);  // per thread
  ThreadRuns runs(run, kThreads);
  run_threads(kThreads, [&](unsigned t) { keep_working_set(runs[t], t, replacements); });
  runs.merge_into(run);
  run.live.peak = runs.live_peak_sum();  // each thread frees only its own blocks
}

}  // namespace hakbench

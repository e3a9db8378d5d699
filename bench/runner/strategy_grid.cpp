// The headroom grid, in one place. A full factorial over seven knobs is
// thousands of strategies; a default-centred design (one knob moved at a
// time, plus a few combinations) costs ~20 and still shows which knobs move
// which scenario. Defaults (src/policy/strategy_fields.h): purge delay
// 250 ms, segment cache 8, MADV_DONTNEED, mmap threshold 32 MiB, large cache
// 64 MiB, purge batch 4 MiB, huge pages for large blocks, purge thread on.
//
// Not varied:
//  - mmap threshold above 32 MiB: no scenario allocates a block over 16 MiB
//    (seqaccess, randaccess; vm stops at 8 MiB), so a higher threshold is
//    the default under another name.
//  - the purge thread: it exists for programs that must stay single-threaded,
//    not for tuning; with it off, purging just moves into allocator calls.
#include "strategy_grid.h"

namespace hakbench {

namespace {

Candidate make(std::string name, std::vector<std::pair<std::string, std::string>> env, std::string why) {
  Candidate c;
  c.name = std::move(name);
  c.env = std::move(env);
  c.why = std::move(why);
  return c;
}

std::vector<Candidate> build() {
  std::vector<Candidate> g;
  Candidate def = make("default", {}, "the library's built-in strategy: every ratio is against it");
  def.is_default = true;
  g.push_back(def);
  Candidate control = make("default (control)", {}, "the default again: its ratio to the default is the noise floor");
  control.is_control = true;
  g.push_back(control);

  // Purge delay, 250 ms: the knob the issue threads argue about most. 0 is
  // mimalloc's eager extreme (least memory, a fault per reuse); 50 ms is
  // shorter than most quick runs' phases; 1 s outlasts every quick run's
  // phase; 10 s never purges within a quick run (an upper bound on reuse).
  g.push_back(make("delay=0", {{"HAKMEM_PURGE_DELAY_MS", "0"}}, "purge at once: least memory, most faults"));
  g.push_back(make("delay=50ms", {{"HAKMEM_PURGE_DELAY_MS", "50"}}, "a fifth of the default"));
  g.push_back(make("delay=1s", {{"HAKMEM_PURGE_DELAY_MS", "1000"}}, "four times the default"));
  g.push_back(make("delay=10s", {{"HAKMEM_PURGE_DELAY_MS", "10000"}}, "never purges within a quick run"));

  // Large-block cache, 64 MiB resident: 32 MiB already cost vm 40% more
  // faults, so the steps are x4 either way and off.
  g.push_back(make("lcache=0", {{"HAKMEM_LARGE_CACHE", "0"}}, "no large cache: every large free released"));
  g.push_back(make("lcache=16m", {{"HAKMEM_LARGE_CACHE", "16m"}}, "a quarter of the default"));
  g.push_back(make("lcache=256m", {{"HAKMEM_LARGE_CACHE", "256m"}}, "four times the default: holds all of vm"));

  // mmap threshold, 32 MiB: lower only (see above). 8 MiB sends the upper
  // half of seqaccess/randaccess blocks to mmap/munmap; 1 MiB most of vm's.
  g.push_back(make("mmap=8m", {{"HAKMEM_MMAP_THRESHOLD", "8m"}}, "a quarter: the largest blocks bypass the cache"));
  g.push_back(make("mmap=1m", {{"HAKMEM_MMAP_THRESHOLD", "1m"}}, "1/32: most large blocks mmap/munmap each"));

  // Segment cache, 8 free 4 MiB segments: matters for phase changes and
  // thread churn (mixed, multithread, fragmentation).
  g.push_back(make("segcache=0", {{"HAKMEM_SEGMENT_CACHE", "0"}}, "free segments unmapped at once"));
  g.push_back(make("segcache=2", {{"HAKMEM_SEGMENT_CACHE", "2"}}, "a quarter of the default"));
  g.push_back(make("segcache=32", {{"HAKMEM_SEGMENT_CACHE", "32"}}, "four times the default"));

  // Huge pages, "large": the two other modes (the machine's THP is
  // `madvise`, so these decide whether any huge page is used).
  g.push_back(make("huge=off", {{"HAKMEM_HUGE_PAGES", "off"}}, "no MADV_HUGEPAGE at all"));
  g.push_back(make("huge=on", {{"HAKMEM_HUGE_PAGES", "on"}}, "small/medium segments advised too"));

  // Purge mode, MADV_DONTNEED: the other one.
  g.push_back(make("purge=free", {{"HAKMEM_PURGE_MODE", "free"}},
                   "MADV_FREE: pages stay until memory pressure, reuse without a fault"));

  // Purge batch, 4 MiB: x4 either way (fewer, larger madvise calls vs
  // releasing closer to the cache bound).
  g.push_back(make("batch=1m", {{"HAKMEM_PURGE_BATCH", "1m"}}, "a quarter: smaller, more frequent releases"));
  g.push_back(make("batch=16m", {{"HAKMEM_PURGE_BATCH", "16m"}}, "four times: fewer, larger releases"));

  // Combinations that look promising from the single steps' rationale:
  // the two ends of the memory/faults trade, and MADV_FREE with a longer
  // delay (reuse without faults, released lazily).
  g.push_back(make("hoard", {{"HAKMEM_PURGE_DELAY_MS", "1000"}, {"HAKMEM_LARGE_CACHE", "256m"}},
                   "keep more, longer: fewest faults"));
  g.push_back(make("lean", {{"HAKMEM_PURGE_DELAY_MS", "50"}, {"HAKMEM_LARGE_CACHE", "16m"}},
                   "keep less, shorter: least memory"));
  g.push_back(make("free+delay=1s", {{"HAKMEM_PURGE_MODE", "free"}, {"HAKMEM_PURGE_DELAY_MS", "1000"}},
                   "lazy release, late"));
  return g;
}

}  // namespace

const std::vector<Candidate>& strategy_grid() {
  static const std::vector<Candidate> g = build();
  return g;
}

std::string describe_env(const Candidate& c) {
  if (c.env.empty()) return "(defaults)";
  std::string s;
  for (const auto& [k, v] : c.env) s += (s.empty() ? "" : " ") + k + "=" + v;
  return s;
}

}  // namespace hakbench

// Scenario `longrun`: a steady-state server heap over time. Full size is
// 1 M allocations paced over 60 s; quick and tiny keep the shape, shorter.
//
// Why: a service's live set is flat, so its RSS must be flat too. Growth
// under a constant live set means the allocator leaks address space to
// fragmentation, never reuses some free lists, or caches without bound.
// The figure to read is rss_drift_pct: RSS at the end against RSS a quarter
// of the way in (after warm-up), in percent.
//
// The run is paced with sleeps so it spans wall-clock time the way a real
// service does (time-based purging in the allocator gets its chance to run).
// The sleeps are reported as excluded time, so ns/op is still allocator time.
#include <time.h>

#include <vector>

#include "support/memstat.h"
#include "support/scenario.h"

namespace hakbench {

namespace {

using Block = TaggedBlock;

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

// A server mix: mostly small, some buffers, rare large payloads.
size_t request_size(Rng& rng) {
  const uint64_t r = rng.below(100);
  if (r < 80) return rng.skewed(16, 512, 2.0);
  if (r < 98) return rng.log_uniform(512, 16 * 1024);
  return rng.log_uniform(16 * 1024, 256 * 1024);
}

constexpr int kSlices = 100;  // pacing and RSS sampling points

}  // namespace

void run_longrun(Run& run) {
  const uint64_t allocations = run.cfg.scaled(4'000, 60'000, 1'000'000);
  const uint64_t duration_ns = run.cfg.size == Size::kTiny    ? 50'000'000u
                               : run.cfg.size == Size::kQuick ? 300'000'000u
                                                              : 60'000'000'000u;
  // The live set: a fixed number of slots, each allocation replacing a
  // random one, so the expected live bytes are constant after warm-up. The
  // slot count keeps ~60 generations of turnover in every size: a quarter of
  // the way in, the heap has long been in its steady state.
  const size_t slots = run.cfg.size == Size::kFull ? 16384 : run.cfg.size == Size::kQuick ? 1024 : 64;
  std::vector<Block> live(slots);
  std::vector<size_t> rss_kb(kSlices), live_kb(kSlices);
  const uint64_t start = now_ns();
  uint64_t done = 0;
  for (int slice = 0; slice < kSlices; ++slice) {
    const uint64_t until = allocations * static_cast<uint64_t>(slice + 1) / kSlices;
    for (; done < until; ++done) {
      Block& b = live[run.rng.below(slots)];
      if (b.p != nullptr) {
        run.verify.check(b.p, b.size, b.tag);
        run.release(b.p, b.size);
      }
      b.size = request_size(run.rng);
      b.tag = done + 1;
      b.p = run.alloc(b.size);
      run.verify.stamp(b.p, b.size, b.tag);
    }
    rss_kb[slice] = read_memstat().rss_kb;
    live_kb[slice] = run.live.bytes / 1024;
    // Sleep until this slice's share of the duration has passed.
    const uint64_t target = start + duration_ns * static_cast<uint64_t>(slice + 1) / kSlices;
    const uint64_t before = now_ns();
    if (before < target) {
      const uint64_t wait = target - before;
      timespec ts{static_cast<time_t>(wait / 1'000'000'000u), static_cast<long>(wait % 1'000'000'000u)};
      nanosleep(&ts, nullptr);
      run.excluded_ns += now_ns() - before;
    }
  }
  for (Block& b : live) {
    if (b.p == nullptr) continue;
    run.verify.check(b.p, b.size, b.tag);
    run.release(b.p, b.size);
  }
  const double quarter = static_cast<double>(rss_kb[kSlices / 4]);
  const double end = static_cast<double>(rss_kb[kSlices - 1]);
  size_t max_kb = 0;
  for (size_t kb : rss_kb) max_kb = kb > max_kb ? kb : max_kb;
  run.metric("rss_drift_pct", quarter > 0 ? 100.0 * (end - quarter) / quarter : 0);
  // The same for the bytes the scenario holds: RSS drift well beyond this is
  // the allocator's.
  const double live_quarter = static_cast<double>(live_kb[kSlices / 4]);
  const double live_end = static_cast<double>(live_kb[kSlices - 1]);
  run.metric("live_drift_pct", live_quarter > 0 ? 100.0 * (live_end - live_quarter) / live_quarter : 0);
  run.metric("rss_quarter_kb", quarter);
  run.metric("rss_end_kb", end);
  run.metric("rss_max_kb", static_cast<double>(max_kb));
}

}  // namespace hakbench

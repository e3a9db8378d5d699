// Scenario `multithread`: --threads threads (8 by default) allocating in
// rounds of 1000+ blocks, a quarter of which are freed by another thread.
//
// Why: servers hand buffers between threads (a request parsed on one, its
// response freed on another). Cross-thread frees are where thread-caching
// allocators differ most: some return the block to its owner lock-free, some
// take a lock, some let the freeing thread keep it (and bloat). Contention on
// a shared arena shows up here as system time and wall time.
#include <mutex>
#include <vector>

#include "support/scenario.h"
#include "support/thread_runs.h"

namespace hakbench {

namespace {

constexpr size_t kBlocksPerRound = 1024;
constexpr double kRemoteShare = 0.25;  // freed by the next thread in the ring

using Block = TaggedBlock;

// A thread's mailbox of blocks other threads want it to free. Batched: one
// lock per round per sender, like a real work queue, so the benchmark
// measures the allocator's remote free and not our mutex.
struct Inbox {
  std::mutex lock;
  std::vector<Block> blocks;
};

void drain(Run& run, Inbox& inbox, std::vector<Block>& scratch) {
  scratch.clear();
  {
    std::lock_guard<std::mutex> g(inbox.lock);
    scratch.swap(inbox.blocks);
  }
  for (const Block& b : scratch) {
    run.verify.check(b.p, b.size, b.tag);
    ++run.ops;
    std::free(b.p);  // live bytes were already taken off by the sender
  }
}

void worker(Run& run, unsigned id, uint64_t rounds, std::vector<Inbox>& inboxes) {
  Inbox& next = inboxes[(id + 1) % inboxes.size()];
  std::vector<Block> mine(kBlocksPerRound), outgoing, scratch;
  outgoing.reserve(kBlocksPerRound);
  uint64_t tag = static_cast<uint64_t>(id) << 48;
  for (uint64_t r = 0; r < rounds; ++r) {
    for (Block& b : mine) {
      b.size = run.rng.skewed(16, 2048, 2.0);
      b.tag = ++tag;
      b.p = run.alloc(b.size);
      run.verify.stamp(b.p, b.size, b.tag);
    }
    outgoing.clear();
    for (const Block& b : mine) {
      if (run.rng.chance(kRemoteShare)) {
        outgoing.push_back(b);
        run.live.sub(b.size);  // the receiver accounts the free
      } else {
        run.verify.check(b.p, b.size, b.tag);
        run.release(b.p, b.size);
      }
    }
    {
      std::lock_guard<std::mutex> g(next.lock);
      next.blocks.insert(next.blocks.end(), outgoing.begin(), outgoing.end());
    }
    drain(run, inboxes[id], scratch);
  }
}

}  // namespace

void run_multithread(Run& run) {
  const unsigned threads = run.cfg.threads > 0 ? static_cast<unsigned>(run.cfg.threads) : 1;
  const uint64_t rounds = run.cfg.scaled(5, 50, 1'000);
  std::vector<Inbox> inboxes(threads);
  ThreadRuns runs(run, threads);
  run_threads(threads, [&](unsigned t) { worker(runs[t], t, rounds, inboxes); });
  // Blocks sent after their receiver finished are freed here.
  std::vector<Block> scratch;
  for (auto& inbox : inboxes) drain(run, inbox, scratch);
  // Peak live is the sum of per-thread peaks: an upper bound, since a shared
  // counter would add the contention this scenario is measuring.
  runs.merge_into(run);
  run.live.peak += runs.live_peak_sum();
  run.metric("threads", threads);
}

}  // namespace hakbench

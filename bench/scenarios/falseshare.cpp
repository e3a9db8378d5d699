// Scenarios `falseshare-active` and `falseshare-passive`: two threads (one
// per core of the bench machine) each take a small object, write every word
// of it thousands of times, check it and free it, round after round.
//
// Why: two cores writing to one cache line take turns owning it, so every
// write waits for the line to come back from the other core. A program
// cannot see where its objects lie; the allocator decides whether two
// threads' objects share a line. Issue 11: one of the patterns where hakmem
// trailed mimalloc.
//  - active: each thread allocates its own objects (8-64 B, random). An
//    allocator that serves several threads from one run of memory hands
//    neighbouring blocks to different threads.
//  - passive: the main thread allocates the workers' first objects (16 B),
//    two that lie in one cache line, and hands one to each worker. Round one
//    shares a line under every allocator; afterwards each worker frees its
//    object and allocates another of the same size. An allocator that lets
//    the freeing thread reuse a block it freed (a per-thread cache of
//    remote frees) keeps giving the worker the line it shares with the
//    other worker; one that returns the block to its owner does not.
// Both do the same writes under every allocator, so the time is the cost of
// where the objects were placed. The metric shared_rounds_pct says how
// often a worker's new object started in the line where the other worker's
// current one did (sampled once a round, so it depends on the interleaving;
// the checksum does not).
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>

#include "support/scenario.h"
#include "support/thread_runs.h"

namespace hakbench {

namespace {

// Two workers: on the 2-core bench machine both run at once, which is when
// sharing a line costs; more would take turns on the cores.
constexpr unsigned kWorkers = 2;
constexpr size_t kPassiveSize = 16;  // several to a 64-byte line in every allocator
constexpr uint64_t kPasses = 2'000;  // writes of every word per object
constexpr uintptr_t kLine = 64;
// Objects the main thread allocates in a row to find two in one line.
constexpr unsigned kCandidates = 8;

uintptr_t line_of(const void* p) { return reinterpret_cast<uintptr_t>(p) / kLine; }

// The line where each worker's current object starts, each entry in a line
// of its own: read and written once a round, thousands of writes apart.
struct alignas(64) Published {
  std::atomic<uintptr_t> line{0};
};
using Board = std::array<Published, kWorkers>;

// Publishes this worker's object; true if the other's starts in its line.
bool shares_line(Board& board, unsigned id, const void* p) {
  board[id].line.store(line_of(p), std::memory_order_relaxed);
  return board[(id + 1) % kWorkers].line.load(std::memory_order_relaxed) == line_of(p);
}

// Writes every word of the object kPasses times: each pass loads and stores
// every word through a volatile pointer, so the compiler keeps them all. The
// object starts stamped (its pattern) and ends stamped: the words are first
// moved kPasses below the pattern, then counted back up.
void hammer(void* p, size_t n) {
  volatile uint64_t* w = static_cast<uint64_t*>(p);
  const size_t words = n / 8;
  for (size_t j = 0; j < words; ++j) w[j] = w[j] - kPasses;
  for (uint64_t pass = 0; pass < kPasses; ++pass)
    for (size_t j = 0; j < words; ++j) w[j] = w[j] + 1;
}

TaggedBlock new_object(Run& run, size_t size, uint64_t tag) {
  TaggedBlock b{run.alloc(size), size, tag};
  run.verify.stamp(b.p, b.size, b.tag);
  return b;
}

// A worker's rounds: the first on `first` if given (the main thread's
// object, freed here by another thread than its owner), then on objects of
// its own of size_of(rng). Returns the rounds that shared a line.
template <class SizeOf>
uint64_t work(Run& run, unsigned id, uint64_t rounds, Board& board, const TaggedBlock* first,
              SizeOf size_of) {
  uint64_t tag = static_cast<uint64_t>(id + 1) << 48;
  uint64_t shared = 0;
  for (uint64_t r = 0; r < rounds; ++r) {
    const TaggedBlock b = r == 0 && first != nullptr ? *first : new_object(run, size_of(run.rng), ++tag);
    shared += shares_line(board, id, b.p);
    hammer(b.p, b.size);
    run.verify.check(b.p, b.size, b.tag);
    if (r == 0 && first != nullptr) {
      ++run.ops;
      std::free(b.p);  // the main thread's live count had it
    } else {
      run.release(b.p, b.size);
    }
  }
  return shared;
}

// Runs the workers, merges their Runs and reports how often they shared.
template <class SizeOf>
void run_workers(Run& run, uint64_t rounds, const TaggedBlock* given, SizeOf size_of) {
  ThreadRuns runs(run, kWorkers);
  Board board;
  std::array<uint64_t, kWorkers> shared{};
  run_threads(kWorkers, [&](unsigned t) {
    shared[t] = work(runs[t], t, rounds, board, given != nullptr ? &given[t] : nullptr, size_of);
  });
  runs.merge_into(run);
  // Each worker holds one object at a time (the main thread held the
  // passive workers' first ones).
  if (runs.live_peak_sum() > run.live.peak) run.live.peak = runs.live_peak_sum();
  uint64_t shared_rounds = 0;
  for (uint64_t n : shared) shared_rounds += n;
  run.metric("shared_rounds_pct", 100.0 * static_cast<double>(shared_rounds) / static_cast<double>(kWorkers * rounds));
}

// Rounds per worker: about 0.3 s of writes at quick size on the bench
// machine when nothing is shared, three times that when every round is.
uint64_t rounds_for(const Run& run) { return run.cfg.scaled(20, 60'000, 600'000); }

}  // namespace

void run_falseshare_active(Run& run) {
  const uint64_t rounds = rounds_for(run);
  run_workers(run, rounds, nullptr, [](Rng& rng) { return 8 * rng.between(1, 8); });
}

void run_falseshare_passive(Run& run) {
  const uint64_t rounds = rounds_for(run);
  // Two objects in one line, from up to kCandidates allocated in a row
  // (consecutive small blocks of one page: every allocator has some); the
  // others are freed at once. An allocator that spreads its blocks apart
  // gets the first two and given_shared_line 0.
  std::array<void*, kCandidates> row{};
  unsigned first = 0, second = 1;
  bool found = false;
  for (unsigned i = 0; i < kCandidates && !found; ++i) {
    row[i] = run.alloc(kPassiveSize);
    for (unsigned j = 0; j < i && !found; ++j)
      if (line_of(row[j]) == line_of(row[i])) first = j, second = i, found = true;
  }
  std::array<TaggedBlock, kWorkers> given;
  given[0] = {row[first], kPassiveSize, 1};
  given[1] = {row[second], kPassiveSize, 2};
  for (unsigned i = 0; i < kCandidates; ++i)
    if (row[i] != nullptr && i != first && i != second) run.release(row[i], kPassiveSize);
  for (const TaggedBlock& b : given) run.verify.stamp(b.p, b.size, b.tag);
  run.metric("given_shared_line", found ? 1 : 0);
  run_workers(run, rounds, given.data(), [](Rng&) { return kPassiveSize; });
}

}  // namespace hakbench

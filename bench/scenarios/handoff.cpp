// Scenario `handoff`: a pipeline. Two producer threads fill batches of
// 2048-4096 blocks of 64 B (each block written) and pass every batch through
// a queue; two consumer threads check every block of a batch and free it.
//
// Why: a stage that allocates messages and a later stage that frees them (a
// parser feeding workers, a log writer draining a queue) sends every block
// back across threads, thousands at a time, and the freeing threads never
// allocate. An allocator pays here for however it routes a remote free
// (locked arena, owner's lock-free list, the freeing thread's cache spilling
// back) and for how fast the producer finds its blocks again before asking
// for fresh memory. Issue 11: one of the patterns where hakmem trailed
// mimalloc.
//
// The queue is a mutex and a condition variable over a fixed ring of batch
// pointers: one lock per batch of thousands of blocks, and no allocation at
// all after the batches are set up, so what is timed is the allocator.
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "support/scenario.h"
#include "support/thread_runs.h"

namespace hakbench {

namespace {

constexpr unsigned kProducers = 2;
constexpr unsigned kConsumers = 2;
constexpr size_t kBlockSize = 64;
constexpr size_t kMaxBatchBlocks = 4096;
// Batches that exist at once. A producer waits for an empty one when all are
// full or being drained, so memory stays bounded (8 x 256 KiB) whichever
// side is faster, and each side can run a few batches ahead of the other.
constexpr size_t kBatches = 8;

struct Batch {
  void* blocks[kMaxBatchBlocks];
  size_t count = 0;
  uint64_t first_tag = 0;  // block i carries tag first_tag + i
};

// A blocking FIFO of batch pointers. Never holds more than kBatches, so push
// never waits. Aligned so that the two queues do not share a cache line.
class alignas(64) BatchQueue {
 public:
  void push(Batch* b) {
    {
      std::lock_guard<std::mutex> g(lock_);
      ring_[(head_ + count_) % kBatches] = b;
      ++count_;
    }
    ready_.notify_one();
  }
  // The oldest batch; nullptr once the queue is closed and empty.
  Batch* pop() {
    std::unique_lock<std::mutex> g(lock_);
    ready_.wait(g, [&] { return count_ > 0 || closed_; });
    if (count_ == 0) return nullptr;
    Batch* b = ring_[head_];
    head_ = (head_ + 1) % kBatches;
    --count_;
    return b;
  }
  void close() {
    {
      std::lock_guard<std::mutex> g(lock_);
      closed_ = true;
    }
    ready_.notify_all();
  }

 private:
  std::mutex lock_;
  std::condition_variable ready_;
  Batch* ring_[kBatches] = {};
  size_t head_ = 0;
  size_t count_ = 0;
  bool closed_ = false;
};

struct Pipeline {
  BatchQueue full;   // producers -> consumers
  BatchQueue empty;  // consumers -> producers
  std::atomic<unsigned> producers_left{kProducers};
};

void produce(Run& run, unsigned id, uint64_t batches, Pipeline& line) {
  uint64_t next_tag = static_cast<uint64_t>(id + 1) << 48;
  for (uint64_t i = 0; i < batches; ++i) {
    Batch* b = line.empty.pop();
    b->count = run.rng.between(kMaxBatchBlocks / 2, kMaxBatchBlocks);
    b->first_tag = next_tag;
    for (size_t k = 0; k < b->count; ++k) {
      b->blocks[k] = run.alloc(kBlockSize);
      run.verify.stamp(b->blocks[k], kBlockSize, next_tag++);
    }
    line.full.push(b);
  }
  if (line.producers_left.fetch_sub(1) == 1) line.full.close();
}

void consume(Run& run, Pipeline& line) {
  while (Batch* b = line.full.pop()) {
    for (size_t k = 0; k < b->count; ++k) {
      run.verify.check(b->blocks[k], kBlockSize, b->first_tag + k);
      ++run.ops;
      std::free(b->blocks[k]);
    }
    line.empty.push(b);
  }
}

}  // namespace

void run_handoff(Run& run) {
  const uint64_t batches = run.cfg.scaled(4, 300, 3'000);  // per producer
  std::vector<Batch> storage(kBatches);
  Pipeline line;
  for (Batch& b : storage) line.empty.push(&b);
  ThreadRuns runs(run, kProducers + kConsumers);
  run_threads(kProducers + kConsumers, [&](unsigned t) {
    if (t < kProducers) produce(runs[t], t, batches, line);
    else consume(runs[t], line);
  });
  runs.merge_into(run);
  // At most every batch full at once: an upper bound, as a shared live
  // counter would add contention the scenario does not ask for.
  run.live.peak = kBatches * kMaxBatchBlocks * kBlockSize;
}

}  // namespace hakbench

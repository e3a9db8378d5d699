// Scenarios `server` and `server-sized`: four threads share one array of
// 4096 slots and keep replacing a random slot's block with a new one of
// 10-1000 B (atomic exchange: the thread frees whatever block it took out).
// A thread looks at up to four random slots for one holding another
// thread's block, so most frees are of a block another thread allocated
// (metric remote_free_pct: 84-96% in a quick run; less when the machine is
// busy, as a thread that runs alone for a while finds only its own blocks).
//
// Why: a server's objects (sessions, cache entries, connection buffers) are
// created by whichever thread serves a request and destroyed by whichever
// thread serves a later one. Unlike `multithread`, where a block goes to a
// known neighbour in batches, here every free is a lone remote free to a
// random owner, interleaved with the freeing thread's own allocations.
// Issue 11: one of the patterns where hakmem trailed mimalloc.
//
// `server-sized` frees through sized `operator delete(p, n)` (allocating with
// `operator new`) instead of free, for allocators that use the size to skip
// looking it up. Not C23's free_sized: glibc 2.36 does not have it, and a
// program built where the C library does would call the C library's
// free_sized on blocks of a preloaded allocator that does not export it
// (Debian's mimalloc 2.0.9, jemalloc 5.3 and tcmalloc 2.10 do not), which
// crashes or measures the wrong allocator. All of them export their own
// sized delete; under glibc it is libstdc++'s, which calls free. So the same
// call is correct, and each allocator's own, under every allocator.
//
// Each block carries its tag in its first word, which is how the thread that
// takes it out knows what to check; its size is a function of the tag, so a
// thread's allocations (sizes and tags) are the same whatever the
// interleaving. The rest is stamped one word per cache line
// (Verifier::Mode::kLines). Which thread frees which block depends on the
// interleaving, but every block is checked exactly once, so the checksum
// (the sum over all blocks) does not.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "support/scenario.h"
#include "support/thread_runs.h"

namespace hakbench {

namespace {

constexpr unsigned kThreads = 4;
constexpr size_t kSlots = 4096;
constexpr size_t kMinSize = 10;  // >= 8: room for the tag word
constexpr size_t kMaxSize = 1000;
constexpr Verifier::Mode kStamp = Verifier::Mode::kLines;
constexpr int kOwnerShift = 48;  // tag = (thread + 1) << 48 | sequence
// A slot holds a block's address with the index of the thread that put it
// there in the low bits: blocks of 8 B or more are at least 8-aligned.
constexpr uintptr_t kOwnerMask = 7;
static_assert(kThreads <= kOwnerMask + 1);
// Random slots looked at for another thread's block before taking the last.
constexpr int kDraws = 4;

using Slots = std::vector<std::atomic<uintptr_t>>;

// Uniform in [kMinSize, kMaxSize], fixed by the tag.
size_t size_of_tag(uint64_t tag) { return kMinSize + mix64(tag) % (kMaxSize - kMinSize + 1); }

struct PlainFree {
  static void* get(size_t n) { return std::malloc(n); }
  static void put(void* p, size_t) { std::free(p); }
};
struct SizedDelete {
  static void* get(size_t n) { return ::operator new(n, std::nothrow); }
  static void put(void* p, size_t n) { ::operator delete(p, n); }
};

// Writes the tag word and the pattern of the rest.
template <class Calls>
void* make_block(Run& run, uint64_t tag) {
  const size_t n = size_of_tag(tag);
  ++run.ops;
  void* p = Calls::get(n);
  if (p == nullptr) Run::out_of_memory("allocation", n);
  std::memcpy(p, &tag, 8);
  run.verify.seal(tag);
  run.verify.stamp(static_cast<char*>(p) + 8, n - 8, tag, kStamp);
  return p;
}

// Checks a block taken out of a slot and frees it; returns its tag.
template <class Calls>
uint64_t drop_block(Run& run, void* p) {
  uint64_t tag;
  std::memcpy(&tag, p, 8);
  // The tag word cannot be checked against anything but itself; a damaged
  // one fails the pattern check below, and a block seen twice or never
  // leaves the verifier's sums unequal.
  run.verify.unseal(tag, tag, tag);
  const size_t n = size_of_tag(tag);
  run.verify.check(static_cast<const char*>(p) + 8, n - 8, tag, kStamp);
  ++run.ops;
  Calls::put(p, n);
  return tag;
}

// A slot that is empty or holds another thread's block, among kDraws random
// ones; the last one drawn if all held ours. Only this thread puts its
// blocks in, so a slot seen holding another's still does at the exchange.
std::atomic<uintptr_t>& pick_slot(Run& run, Slots& slots, uintptr_t self) {
  for (int draw = 1;; ++draw) {
    std::atomic<uintptr_t>& slot = slots[run.rng.below(kSlots)];
    const uintptr_t v = slot.load(std::memory_order_relaxed);
    if (v == 0 || (v & kOwnerMask) != self || draw == kDraws) return slot;
  }
}

void* block_of(uintptr_t slot_value) { return reinterpret_cast<void*>(slot_value & ~kOwnerMask); }

// One thread's share of the work; returns how many of its frees were of
// another thread's blocks.
template <class Calls>
uint64_t serve(Run& run, unsigned id, uint64_t replacements, Slots& slots) {
  const uint64_t owner = id + 1;
  uint64_t tag = owner << kOwnerShift;
  uint64_t remote_frees = 0;
  for (uint64_t i = 0; i < replacements; ++i) {
    void* fresh = make_block<Calls>(run, ++tag);
    const auto address = reinterpret_cast<uintptr_t>(fresh);
    if ((address & kOwnerMask) != 0) {
      run.verify.fail("a block of 8 B or more is not 8-byte aligned");
      std::_Exit(3);
    }
    // acq_rel: the stamp above is published with the block, and the stamp
    // of the block taken out is visible before it is checked.
    const uintptr_t old = pick_slot(run, slots, id).exchange(address | id, std::memory_order_acq_rel);
    if (old != 0 && drop_block<Calls>(run, block_of(old)) >> kOwnerShift != owner) ++remote_frees;
  }
  return remote_frees;
}

template <class Calls>
void run_server_with(Run& run) {
  const uint64_t replacements = run.cfg.scaled(2'000, 400'000, 4'000'000);  // per thread
  Slots slots(kSlots);
  for (auto& s : slots) s.store(0, std::memory_order_relaxed);
  ThreadRuns runs(run, kThreads);
  std::vector<uint64_t> remote(kThreads, 0);
  run_threads(kThreads, [&](unsigned t) { remote[t] = serve<Calls>(runs[t], t, replacements, slots); });
  runs.merge_into(run);
  // The blocks left in the array are the steady-state live set: the bytes
  // the scenario holds at the end stand for its peak (a shared counter
  // would add contention the scenario does not ask for).
  uint64_t remote_frees = 0, frees = run.ops - kThreads * replacements;
  for (uint64_t r : remote) remote_frees += r;
  size_t held = 0;
  for (auto& s : slots) {
    const uintptr_t v = s.load(std::memory_order_acquire);
    if (v == 0) continue;
    void* p = block_of(v);
    uint64_t tag;
    std::memcpy(&tag, p, 8);
    held += size_of_tag(tag);
    drop_block<Calls>(run, p);
  }
  run.live.peak = held;
  run.metric("remote_free_pct", frees > 0 ? 100.0 * static_cast<double>(remote_frees) / static_cast<double>(frees) : 0);
}

}  // namespace

void run_server(Run& run) { run_server_with<PlainFree>(run); }
void run_server_sized(Run& run) { run_server_with<SizedDelete>(run); }

}  // namespace hakbench

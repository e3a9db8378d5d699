// hakmem-micro: the allocator's fast paths in isolation (issue 2, core
// speed). Links no allocator; run it with LD_PRELOAD to pick one:
//
//   LD_PRELOAD=build/release/src/libhakmem.so build/release/bench/micro/hakmem-micro
//
// BM_MallocFree: one malloc and one free of the same size, back to back:
//   the thread-cache hit path, 16 B to 1 KiB.
// BM_Churn: N blocks live, each iteration frees a random one and allocates
//   a random size in its place: free-list reuse with a working set that no
//   longer fits a single page.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {

void BM_MallocFree(benchmark::State& state) {
  const auto size = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    void* p = std::malloc(size);
    benchmark::DoNotOptimize(p);  // the pointer escapes: the pair cannot be elided
    std::free(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MallocFree)->Arg(16)->Arg(32)->Arg(64)->Arg(128)->Arg(256)->Arg(512)->Arg(1024);

// xorshift: cheaper than <random> so the benchmark measures the allocator.
inline uint64_t next(uint64_t& s) {
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

void BM_Churn(benchmark::State& state) {
  const auto live = static_cast<size_t>(state.range(0));
  std::vector<void*> slots(live);
  uint64_t rng = 0x9E3779B97F4A7C15ull;
  for (auto& p : slots) p = std::malloc(16 + next(rng) % 1009);
  for (auto _ : state) {
    void*& slot = slots[next(rng) % live];
    std::free(slot);
    slot = std::malloc(16 + next(rng) % 1009);  // 16..1024 B
    benchmark::DoNotOptimize(slot);
  }
  for (void* p : slots) std::free(p);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Churn)->Arg(64)->Arg(1024)->Arg(16384);

}  // namespace

BENCHMARK_MAIN();

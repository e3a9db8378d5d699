/*
 * churn_loop: LIVE blocks of 16..1024 B stay live; each of N steps frees a
 * random one and allocates a random size in its place (BM_Churn of
 * micro_bench.cpp, without Google Benchmark, so callgrind counts only this).
 * golden_test.sh runs it with N and with N=0 and divides the difference in
 * instructions by N: one free plus one malloc from a working set of LIVE
 * blocks, plus the ~10 instructions of xorshift and slot arithmetic per
 * step (the same in every build, so a change in the count is the allocator).
 *
 *   churn_loop N LIVE
 *
 * Like pair_loop, it prints on stderr the library that serves malloc.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* xorshift: deterministic, so every run (and every build) sees the same sizes. */
static uint64_t next(uint64_t* s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: churn_loop N LIVE\n");
    return 2;
  }
  const unsigned long n = strtoul(argv[1], NULL, 10);
  const size_t live = strtoul(argv[2], NULL, 10);
  if (live == 0) return 2;

  /* The table and the fill are in both runs, so they cancel out. */
  void** slots = malloc(live * sizeof(void*));
  if (slots == NULL) return 1;
  uint64_t rng = 0x9E3779B97F4A7C15ull;
  for (size_t i = 0; i < live; ++i) slots[i] = malloc(16 + next(&rng) % 1009);

  for (unsigned long i = 0; i < n; ++i) {
    void** slot = &slots[next(&rng) % live];
    free(*slot);
    *(void* volatile*)slot = malloc(16 + next(&rng) % 1009); /* 16..1024 B; volatile: kept */
  }
  for (size_t i = 0; i < live; ++i) free(slots[i]);
  free(slots);

  Dl_info info;
  void* sym = dlsym(RTLD_DEFAULT, "malloc");
  fprintf(stderr, "malloc from: %s\n", sym && dladdr(sym, &info) && info.dli_fname ? info.dli_fname : "unknown");
  return 0;
}

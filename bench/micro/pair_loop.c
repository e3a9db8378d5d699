/*
 * pair_loop: N malloc+free pairs of one size, nothing else. callgrind.sh
 * runs it under `valgrind --tool=callgrind` with N and with N=0 and divides
 * the difference in instructions by N: the instruction cost of one pair,
 * without startup, libc init or the allocator's own initialisation.
 *
 *   pair_loop N [SIZE]     (SIZE defaults to 64)
 *
 * It prints, on stderr, the library that serves malloc, so the script can
 * check that LD_PRELOAD took effect under valgrind.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: pair_loop N [SIZE]\n");
    return 2;
  }
  const unsigned long n = strtoul(argv[1], NULL, 10);
  const size_t size = argc > 2 ? strtoul(argv[2], NULL, 10) : 64;

  /* One block allocated before the loop in both runs, so the allocator's
   * first-call setup is part of the baseline and cancels out. It stays live
   * during the loop: otherwise every free empties the page and allocators
   * that retire empty pages (mimalloc: ~90 instructions per free) are
   * measured on that slow path instead of the fast path, which is not what
   * a program with any other live block of the size sees. */
  void* volatile warm = malloc(size);

  for (unsigned long i = 0; i < n; ++i) {
    void* volatile p = malloc(size); /* volatile: the pair cannot be elided */
    free(p);
  }
  free(warm);

  Dl_info info;
  void* sym = dlsym(RTLD_DEFAULT, "malloc");
  fprintf(stderr, "malloc from: %s\n", sym && dladdr(sym, &info) && info.dli_fname ? info.dli_fname : "unknown");
  return 0;
}

/* A shared library that defines no malloc. Preloaded in place of hakmem it
 * leaves glibc serving malloc, which the runner must catch and report
 * instead of presenting glibc's numbers under hakmem's name. */
int hakmem_bench_not_an_allocator(void) { return 42; }

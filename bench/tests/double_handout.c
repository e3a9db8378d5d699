/* A broken allocator for the bench tests (bench.double_handout_*): it hands
 * one block to two owners, and the multi-threaded scenarios must catch it
 * (a failed verification, not a number).
 *
 * Every 101st malloc of a thread other than the main one returns that
 * thread's previous block again, unless the thread has freed it since or it
 * is too small for the request. The first malloc of a thread is never
 * repeated and the main thread's never are, so the scenarios' own
 * bookkeeping (vectors, thread states) stays sound and only their blocks get
 * two owners.
 *
 * Blocks come from glibc (__libc_malloc), at least 1 KiB so that most
 * requests fit in the previous block, and are never freed: a block with two
 * owners is freed twice. */
#define _GNU_SOURCE
#include <stddef.h>
#include <unistd.h>

extern void* __libc_malloc(size_t n);

static __thread unsigned long calls;
static __thread void* previous;
static __thread size_t previous_size;
static __thread int is_main = -1;

void* malloc(size_t n) {
  if (is_main < 0) is_main = gettid() == getpid();
  if (!is_main && ++calls % 101 == 0 && previous != NULL && n <= previous_size) return previous;
  previous_size = n < 1024 ? 1024 : n;
  previous = __libc_malloc(previous_size);
  return previous;
}

void free(void* p) {
  if (p == previous) previous = NULL;
}

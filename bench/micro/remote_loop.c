/* Remote frees, counted by callgrind (golden_test.sh, kind "remote").
 *
 * usage: remote_loop N SIZE
 *
 * The main thread allocates N blocks of SIZE and stays alive (their owner);
 * a second thread frees them all, each a free by a thread that does not own
 * the block's page: the path of a producer/consumer hand-off. The threads
 * run one after the other (join), so the count is deterministic. Run with
 * N and with 0: the difference over N is one malloc plus one remote free.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void** blocks;
static unsigned long count;

static void* free_all(void* arg) {
  (void)arg;
  for (unsigned long i = 0; i < count; ++i) free(blocks[i]);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: remote_loop N SIZE\n");
    return 2;
  }
  count = strtoul(argv[1], NULL, 10);
  const size_t size = strtoul(argv[2], NULL, 10);
  /* The table is allocated in both runs (one block), so it cancels out. */
  blocks = malloc((count > 0 ? count : 1) * sizeof(void*));
  if (blocks == NULL) return 1;
  for (unsigned long i = 0; i < count; ++i) blocks[i] = malloc(size);

  pthread_t t;
  if (pthread_create(&t, NULL, free_all, NULL) != 0) return 1;
  pthread_join(t, NULL);
  free(blocks);

  Dl_info info;
  void* sym = dlsym(RTLD_DEFAULT, "malloc");
  fprintf(stderr, "malloc from: %s\n", sym && dladdr(sym, &info) && info.dli_fname ? info.dli_fname : "unknown");
  return 0;
}

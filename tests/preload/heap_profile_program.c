/* A program whose heap profile has a known answer, for the case
 * heap_profile_pprof of preload_driver.py: three functions allocate from one
 * call site each, in known amounts, and the program exits holding what they
 * kept.
 *   hp_keeps_most   keeps 24 MiB live to the end (6144 blocks of 4 KiB)
 *   hp_keeps_some   keeps 6 MiB live to the end (6144 blocks of 1 KiB)
 *   hp_churns_most  allocates and frees 192 MiB (98304 blocks of 2 KiB)
 * So the live heap's top site is hp_keeps_most, the allocations' top site
 * hp_churns_most. Built with -fno-builtin so every malloc is a call. */
#include <stdio.h>
#include <stdlib.h>

#define KEPT_BLOCKS 6144
#define CHURNED_BLOCKS 98304

static void* g_most[KEPT_BLOCKS];
static void* g_some[KEPT_BLOCKS];
static void* volatile g_sink;

/* Each malloc's return address, the call site telemetry records, lies in
 * the function that called it: the store after the call keeps the call
 * from being a tail call. */
__attribute__((noinline)) void hp_keeps_most(void) {
    for (int i = 0; i < KEPT_BLOCKS; ++i) g_most[i] = malloc(4096);
}

__attribute__((noinline)) void hp_keeps_some(void) {
    for (int i = 0; i < KEPT_BLOCKS; ++i) g_some[i] = malloc(1024);
}

__attribute__((noinline)) void hp_churns_most(void) {
    for (int i = 0; i < CHURNED_BLOCKS; ++i) {
        g_sink = malloc(2048);
        free(g_sink);
    }
}

int main(void) {
    hp_keeps_some();
    hp_churns_most();
    hp_keeps_most();
    for (int i = 0; i < KEPT_BLOCKS; ++i)
        if (g_most[i] == NULL || g_some[i] == NULL) return 1;
    printf("kept %d + %d blocks\n", KEPT_BLOCKS, KEPT_BLOCKS);
    return 0; /* exits holding 30 MiB: the live heap at exit */
}

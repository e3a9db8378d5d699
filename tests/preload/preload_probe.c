/* Run with libhakmem.so in LD_PRELOAD: checks from inside the process that
 * every malloc-family (and C++ operator) symbol resolves into libhakmem and
 * that calls through the override are counted by hakmem's statistics.
 * Not linked to hakmem: it finds hak_get_stats with dlsym, as a program that
 * knows nothing of hakmem would be served by it.
 * Exit status: 0 all good, 2 hakmem not loaded, 3 a symbol resolves elsewhere,
 * 4 calls not counted, 5 an allocation failed. */
#define _GNU_SOURCE
#include <hakmem/hakmem.h>

#include <dlfcn.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*get_stats_fn)(hak_stats_t*);
typedef size_t (*usable_fn)(const void*);

/* Called through volatile pointers so the compiler cannot elide them. */
static void* (*volatile p_malloc)(size_t) = malloc;
static void* (*volatile p_calloc)(size_t, size_t) = calloc;
static void* (*volatile p_realloc)(void*, size_t) = realloc;
static int (*volatile p_posix_memalign)(void**, size_t, size_t) = posix_memalign;
static void* (*volatile p_aligned_alloc)(size_t, size_t) = aligned_alloc;
static void (*volatile p_free)(void*) = free;

static int names_hakmem(const char* symbol, int required) {
    void* addr = dlsym(RTLD_DEFAULT, symbol);
    Dl_info info;
    if (addr == NULL) {
        if (required) fprintf(stderr, "probe: %s is not defined in the process\n", symbol);
        return !required;
    }
    if (dladdr(addr, &info) == 0 || info.dli_fname == NULL) {
        fprintf(stderr, "probe: dladdr failed for %s\n", symbol);
        return 0;
    }
    if (strstr(info.dli_fname, "libhakmem") == NULL) {
        fprintf(stderr, "probe: %s resolves to %s, not libhakmem\n", symbol, info.dli_fname);
        return 0;
    }
    return 1;
}

int main(int argc, char** argv) {
    enum { N = 10000 };
    static void* blocks[N];
    const char* c_symbols[] = {"malloc",         "free",          "calloc",  "realloc", "reallocarray",
                               "posix_memalign", "aligned_alloc", "memalign", "valloc",  "pvalloc",
                               "malloc_usable_size"};
    /* operator new/delete in every form (Itanium mangling, 64-bit size_t). */
    const char* cxx_symbols[] = {"_Znwm",  "_Znam",  "_ZnwmRKSt9nothrow_t", "_ZnamRKSt9nothrow_t",
                                 "_ZnwmSt11align_val_t", "_ZnamSt11align_val_t",
                                 "_ZnwmSt11align_val_tRKSt9nothrow_t", "_ZnamSt11align_val_tRKSt9nothrow_t",
                                 "_ZdlPv", "_ZdaPv", "_ZdlPvm", "_ZdaPvm", "_ZdlPvRKSt9nothrow_t",
                                 "_ZdaPvRKSt9nothrow_t", "_ZdlPvSt11align_val_t", "_ZdaPvSt11align_val_t",
                                 "_ZdlPvmSt11align_val_t", "_ZdaPvmSt11align_val_t",
                                 "_ZdlPvSt11align_val_tRKSt9nothrow_t", "_ZdaPvSt11align_val_tRKSt9nothrow_t"};
    get_stats_fn get_stats = (get_stats_fn)dlsym(RTLD_DEFAULT, "hak_get_stats");
    usable_fn usable = (usable_fn)dlsym(RTLD_DEFAULT, "hak_usable_size");
    hak_stats_t before, after;
    size_t i;
    int ok = 1;
    (void)argc;
    (void)argv;

    if (get_stats == NULL || usable == NULL) {
        fprintf(stderr, "probe: hak_get_stats not found: hakmem is not loaded\n");
        return 2;
    }
    for (i = 0; i < sizeof c_symbols / sizeof *c_symbols; ++i) ok &= names_hakmem(c_symbols[i], 1);
    for (i = 0; i < sizeof cxx_symbols / sizeof *cxx_symbols; ++i) ok &= names_hakmem(cxx_symbols[i], 1);
    if (!ok) return 3;

    memset(&before, 0, sizeof before);
    before.struct_size = sizeof before;
    after = before;
    if (get_stats(&before) != HAK_OK) return 2;
    for (i = 0; i < N; ++i) {
        size_t size = (i * 37) % 5000;
        switch (i % 5) {
        case 0: blocks[i] = p_malloc(size); break;
        case 1: blocks[i] = p_calloc(1, size); break;
        case 2: blocks[i] = p_realloc(NULL, size); break;
        case 3: blocks[i] = NULL; if (p_posix_memalign(&blocks[i], 64, size) != 0) blocks[i] = NULL; break;
        default: blocks[i] = p_aligned_alloc(32, size); break;
        }
        if (blocks[i] == NULL) {
            fprintf(stderr, "probe: allocation %zu of %zu bytes failed\n", i, size);
            return 5;
        }
        if (usable(blocks[i]) < size) {
            fprintf(stderr, "probe: hak_usable_size(%p) < %zu: block not from hakmem\n", blocks[i], size);
            return 4;
        }
    }
    if (get_stats(&after) != HAK_OK) return 2;
    if (after.allocs - before.allocs < N) {
        fprintf(stderr, "probe: %d allocations but hakmem counted only %llu\n", N,
                (unsigned long long)(after.allocs - before.allocs));
        return 4;
    }
    before = after;
    for (i = 0; i < N; ++i) p_free(blocks[i]);
    if (get_stats(&after) != HAK_OK) return 2;
    if (after.frees - before.frees < N) {
        fprintf(stderr, "probe: %d frees but hakmem counted only %llu\n", N,
                (unsigned long long)(after.frees - before.frees));
        return 4;
    }
    printf("probe ok: %d allocations and frees counted by hakmem\n", N);
    return 0;
}

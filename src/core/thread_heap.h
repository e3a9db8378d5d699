// The calling thread's heap (initial-exec TLS, one instruction to reach)
// and the heap lifecycle: creation on a thread's first allocation, the pool
// heaps come from, and teardown at thread exit.
#pragma once
#include "core/heap.h"

namespace hakmem {

// &g_empty_heap until the thread's first allocation reaches the slow path.
extern constinit thread_local Heap* t_heap __attribute__((tls_model("initial-exec")));

// The calling thread's heap, created on first use; nullptr only when the OS
// refuses memory for it. The caller has set the process up first
// (dispatch/process_init.h): core calls nothing above it.
Heap* thread_heap_get();
// The first of every heap ever created (live or pooled), linked through
// registry_next. Append-only and never unmapped: safe to walk without a lock.
Heap* heap_registry_head();
// Registers the thread-exit destructor; called once from process_init.
void thread_heap_init_key();

// Fork handlers.
void heap_registry_lock();
void heap_registry_unlock();
void heap_registry_reset_in_child();

}  // namespace hakmem

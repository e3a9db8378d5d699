// The decay job: memory that has been free for the purge delay goes back to
// the OS even while the program makes no allocator calls. A periodic job
// (periodic/periodic.h) run on every run of the background thread: core and
// large ask for it with os::background_request when they free memory.
// Allocator calls piggyback parts of the same work where they can (heap slow
// paths, large allocations and frees).
//
// One run releases, everything older than the purge delay:
//   - every heap's purge list (heap_decay_all; each under its purge lock);
//   - abandoned segments and the segment cache (segments_decay; lock-protected);
//   - the large mapping cache (large_cache_decay), in one batch.
// Not the one empty page each small class of a heap keeps: only its owner
// may touch its class queues (it releases it on its own next slow path).
#pragma once
#include <cstdint>

namespace hakmem {
// Adds the job to the periodic table (periodic_init).
void decay_job_register();
// One run at `now`; returns the next time it has work (0 = none).
uint64_t decay_run(uint64_t now);
}  // namespace hakmem

// Decay: memory that has been free for the purge delay goes back to the OS
// even while the program makes no allocator calls. This is the work the
// background thread (os/background.h) runs; allocator calls piggyback the
// same work where they can (heap slow paths, large allocations and frees).
//
// One run releases, everything older than the purge delay:
//   - the large mapping cache (large_cache_decay), in one batch;
//   - abandoned segments and the segment cache (segments_decay; lock-protected);
//   - every heap's purge list (heap_decay_all; each under its purge lock).
// Not the one empty page each small class of a heap keeps: only its owner
// may touch its class queues (it releases it on its own next slow path).
#pragma once
#include <cstdint>

namespace hakmem {
// Registers the work and lets the thread start (library constructor).
void decay_init();
// One run of the work at `now`; returns the next time it has work (0 = none).
uint64_t decay_run(uint64_t now);
}  // namespace hakmem

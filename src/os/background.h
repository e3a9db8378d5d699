// The background thread: deferred work (releasing memory that has stayed
// free for the purge delay) that must happen even when the program makes no
// further allocator calls.
//
// Nothing here knows what the work is: an upper layer registers one work
// function, and any layer asks for it to run at or after a time. The thread
// sleeps on a futex until the earliest requested time (indefinitely when
// nothing is pending), runs the work, and schedules the next run from the
// work's answer and from requests that arrived meanwhile.
//
// Start: lazily, by background_poll(), which callers place where a thread
// can be created safely - the end of a free or the start of an allocation,
// with no lock of hakmem held and every structure consistent, because
// pthread_create allocates through malloc (ours). It starts only after the
// library constructor ran (background_allow_start) and once 1 MiB of
// deferred memory has been requested, so a program that never frees much
// never gets a thread. If it cannot be created, the work is left to the
// allocator calls that run it anyway (piggybacking).
//
// fork(): the thread does not exist in the child; background_fork_child()
// forgets it, and the child's next poll starts its own.
#pragma once
#include <cstddef>
#include <cstdint>

namespace hakmem::os {

// The work: called on the background thread with the current time; returns
// the next time it wants to run (0 = only when asked again).
using BackgroundWork = uint64_t (*)(uint64_t now_ms);

// Both from the library constructor (api/init.cpp).
void background_set_work(BackgroundWork work);
void background_allow_start();
// Whether the thread may run (the Strategy's purge_thread). Turning it off
// leaves a running thread idle; turning it on lets the next poll start one.
void background_set_enabled(bool on);

// Asks for the work to run at or after now_ms + delay_ms (memory freed at
// now_ms with that purge delay); `bytes` of memory wait on it (counted
// toward the start threshold only). Never blocks, never allocates, never
// creates the thread: safe anywhere, with any lock held. Cost: a few relaxed
// loads; an atomic update when it is the earliest or latest request so far
// (once per 4 ms tick while frees stream in).
void background_request(uint64_t now_ms, uint64_t delay_ms, size_t bytes);
// Asks for the work to run at or after due_ms, an absolute time: for work
// on a schedule of its own (periodic jobs), not for freed memory. Same
// guarantees as background_request; no effect on the start threshold.
void background_request_at(uint64_t due_ms);
// Lets the next background_poll start the thread without waiting for 1 MiB
// of deferred memory: for work on a schedule of its own (the learner).
void background_want_thread();
// Makes a sleeping thread look at the clock again now: for tests that move
// the clock (os/os_clock.h), which the thread's futex timeout cannot see.
void background_wake();
// Starts the thread if it is wanted and not running. Only where creating a
// thread is safe (see above). One relaxed load once it runs.
void background_poll();

struct BackgroundCounters {
    uint64_t running;   // 1 while the thread exists
    uint64_t wakeups;   // runs of the work function on the thread
};
BackgroundCounters background_counters();

void background_fork_child();

}  // namespace hakmem::os

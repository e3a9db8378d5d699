// Periodic jobs: work that must run at or after a time whether or not the
// program makes another allocator call. Today that is the decay (releasing
// memory that stayed free for the purge delay, periodic/decay_job.h); the
// learner's epoch tick will be the second job. This is their one home: the
// jobs sit in a small fixed table (no allocation), and the one background
// thread (os/background.h) runs whichever are due.
//
// Scheduling. A job's run function gets the current time and returns the
// next time it wants to run (0: not until asked); periodic_schedule asks for
// an earlier time. A job registered `on_request` also runs on every run of
// the thread: that is how the decay is scheduled, because the layers below
// (core, large) ask for it with os::background_request, which cannot name a
// job of a layer above them. A spare decay run releases nothing early: it
// only looks at what is due.
//
// Runs are serialized (one lock): a job never runs concurrently with itself
// or another job, so a job may keep state without locks of its own. Jobs run
// on the background thread, or on a test's thread (periodic_run after moving
// the clock, os/os_clock.h). The lock is taken around fork (api/init.cpp).
#pragma once
#include <cstdint>

namespace hakmem {

// One run of a job at `now_ms`; returns the next time it wants to run (0 = none).
using PeriodicRun = uint64_t (*)(uint64_t now_ms);

// The table's size: the decay, the learner, and room for two more.
constexpr unsigned kMaxPeriodicJobs = 4;

// Adds a job (from the library constructor). `first_due` is its first time
// (0 = none; an on_request job runs on the thread's next run anyway).
// Returns its index, or -1 when the table is full.
int periodic_register(const char* name, PeriodicRun run, bool on_request, uint64_t first_due);
// Asks for `job` to run at or after `due` (an earlier time replaces a later
// one). Never blocks, never allocates: safe anywhere.
void periodic_schedule(int job, uint64_t due);
// Runs the jobs due at `now` (and every on_request job); returns the
// earliest next time any job wants (0 = none). The background thread's work.
uint64_t periodic_run(uint64_t now);

// Library constructor (api/init.cpp): registers the decay job, hands
// periodic_run to the background thread and lets the thread start.
void periodic_init();

// Fork handlers (api/init.cpp): no job is half-run in the child.
void periodic_fork_prepare();
void periodic_fork_parent();
void periodic_fork_child();

}  // namespace hakmem

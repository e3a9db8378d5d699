// Setting up the process on the first allocator call: the options, the
// Strategy, telemetry and the thread-exit key. Here, not in api/, because
// the first call may be a malloc from the dynamic loader before any
// constructor has run, and the slow path that sees it (dispatch) must not
// call up into api/: everything this runs lives below dispatch. The library
// constructor (api/init.cpp) calls it too, once the environment is set up.
#pragma once

namespace hakmem {

// Idempotent and cheap once done (one acquire load). Before `environ` is
// set it reads no options (defaults) and runs again on the next call.
void process_init();

// Fork handlers (api/init.cpp): the init lock, taken first of all.
void process_init_fork_prepare();
void process_init_fork_parent();
void process_init_fork_child();

}  // namespace hakmem

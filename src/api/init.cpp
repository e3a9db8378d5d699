// Process start, fork and exit.
//
// Start: hakmem must work from the very first malloc, which may come from
// the dynamic loader or libc before any constructor has run. Nothing here
// allocates; the first slow-path call runs process_init() (dispatch/), which
// reads the options (if the environment is not set up yet, defaults are
// used and the constructor reads the options again once it is).
//
// Fork: every global lock is taken before fork() and released (parent) or
// reset (child) after, so the child never inherits a lock held by a thread
// that does not exist in it.
#include <pthread.h>

#include "api/init.h"
#include "api/report.h"
#include "core/secure.h"
#include "core/segment.h"
#include "core/thread_heap.h"
#include "dispatch/process_init.h"
#include "hakmem/hakmem.h"
#include "large/large_cache.h"
#include "large/strategy_install.h"
#include "learn/playbook.h"
#include "os/background.h"
#include "os/os_lock.h"
#include "os/os_print.h"
#include "learn/learner.h"
#include "periodic/periodic.h"
#include "policy/options.h"
#include "policy/strategy.h"
#include "stats/exit_report.h"
#include "stats/stats.h"
#include "telemetry/telemetry.h"

extern "C" const char hakmem_library_init_linked = 1;

namespace hakmem {

namespace {

void fork_prepare() {
    process_init_fork_prepare();
    periodic_fork_prepare();  // first: a running job holds it while it takes the locks below
    learn::learner_fork_prepare();  // readers hold it briefly; the learner's job takes the playbook's below
    learn::playbook_fork_prepare();  // a flush holds it across file I/O only, no lock below
    strategy_install_fork_prepare();  // an install takes the caches' locks below
    telemetry_fork_prepare();  // its locks are held around calls into the core
    large_cache_fork_prepare();  // before the core's: a release holds it while calling into os/ only
    heap_registry_lock();
    segment_locks_acquire();
    secure_locks_acquire();
}
void fork_parent() {
    secure_locks_release();
    segment_locks_release();
    heap_registry_unlock();
    large_cache_fork_parent();
    telemetry_fork_parent();
    learn::playbook_fork_parent();
    learn::learner_fork_parent();
    periodic_fork_parent();
    strategy_install_fork_parent();
    process_init_fork_parent();
}
void fork_child() {
    secure_locks_reset_in_child();
    segment_locks_reset_in_child();
    heap_registry_reset_in_child();
    large_cache_fork_child();
    os::background_fork_child();  // the purge thread does not exist here; the next poll starts one
    telemetry_fork_child();
    learn::playbook_fork_child();
    learn::learner_fork_child();
    periodic_fork_child();
    strategy_install_fork_child();
    process_init_fork_child();
}

__attribute__((constructor(101))) void hakmem_constructor() {
    process_init();
    exit_report_prepare();  // now, while stderr is surely the one the program was started with
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    // From here on libc is up: the background thread may be started.
    periodic_init();
    learn::learner_init();
}

__attribute__((destructor(101))) void hakmem_destructor() {
    learn::learner_save();  // what the learner learned, into the playbook
    exit_report_write(&report_summary_part, &report_json_objects);
}

}  // namespace
}  // namespace hakmem

// Process start, fork and exit.
//
// Start: hakmem must work from the very first malloc, which may come from
// the dynamic loader or libc before any constructor has run. Nothing here
// allocates; the first slow-path call runs hakmem_init(), which reads the
// options (if the environment is not set up yet, defaults are used and the
// constructor reads the options again once it is).
//
// Fork: every global lock is taken before fork() and released (parent) or
// reset (child) after, so the child never inherits a lock held by a thread
// that does not exist in it.
#include <atomic>
#include <pthread.h>

#include "core/secure.h"
#include "core/segment.h"
#include "core/thread_heap.h"
#include "hakmem/hakmem.h"
#include "large/large_cache.h"
#include "large/strategy_install.h"
#include "os/background.h"
#include "os/os_lock.h"
#include "os/os_print.h"
#include "periodic/periodic.h"
#include "policy/options.h"
#include "policy/strategy.h"
#include "stats/exit_report.h"
#include "telemetry/telemetry.h"

extern char** environ;

namespace hakmem {
namespace {

std::atomic<int> g_init_state{0};  // 0 = not yet, 1 = done without environment, 2 = done
os::Lock g_init_lock;

void fork_prepare() {
    g_init_lock.lock();
    periodic_fork_prepare();  // first: a running job holds it while it takes the locks below
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
    periodic_fork_parent();
    strategy_install_fork_parent();
    g_init_lock.unlock();
}
void fork_child() {
    secure_locks_reset_in_child();
    segment_locks_reset_in_child();
    heap_registry_reset_in_child();
    large_cache_fork_child();
    os::background_fork_child();  // the purge thread does not exist here; the next poll starts one
    telemetry_fork_child();
    periodic_fork_child();
    strategy_install_fork_child();
    g_init_lock.reset_in_child();
}

}  // namespace

void hakmem_init() {
    if (g_init_state.load(std::memory_order_acquire) == 2) return;
    os::LockGuard guard(g_init_lock);
    int state = g_init_state.load(std::memory_order_relaxed);
    if (state == 2 || (state == 1 && environ == nullptr)) return;
    options_init();
    strategy_install(strategy_from_options());
    telemetry_init();
    thread_heap_init_key();
    g_init_state.store(environ != nullptr ? 2 : 1, std::memory_order_release);
}

namespace {

__attribute__((constructor(101))) void hakmem_constructor() {
    hakmem_init();
    exit_report_prepare();  // now, while stderr is surely the one the program was started with
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    // From here on libc is up: the background thread may be started.
    periodic_init();
}

__attribute__((destructor(101))) void hakmem_destructor() { exit_report_write(); }

}  // namespace
}  // namespace hakmem

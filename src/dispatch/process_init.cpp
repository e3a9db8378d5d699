#include "dispatch/process_init.h"

#include <atomic>

#include "core/foreign_cache.h"
#include "core/segment.h"
#include "core/thread_heap.h"
#include "large/large_cache.h"
#include "large/strategy_install.h"
#include "os/os_lock.h"
#include "policy/options.h"
#include "policy/strategy.h"
#include "telemetry/telemetry.h"

extern char** environ;

namespace hakmem {
namespace {
std::atomic<int> g_init_state{0};  // 0 = not yet, 1 = done without environment, 2 = done
os::Lock g_init_lock;
}  // namespace

void process_init() {
    if (g_init_state.load(std::memory_order_acquire) == 2) return;
    os::LockGuard guard(g_init_lock);
    int state = g_init_state.load(std::memory_order_relaxed);
    if (state == 2 || (state == 1 && environ == nullptr)) return;
    options_init();
    foreign_cache_init();
    segment_set_source(large_cache_take_segment);
    strategy_install(strategy_from_options());
    telemetry_init();
    thread_heap_init_key();
    g_init_state.store(environ != nullptr ? 2 : 1, std::memory_order_release);
}

void process_init_fork_prepare() { g_init_lock.lock(); }
void process_init_fork_parent() { g_init_lock.unlock(); }
void process_init_fork_child() { g_init_lock.reset_in_child(); }

}  // namespace hakmem

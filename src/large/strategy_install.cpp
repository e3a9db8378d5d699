#include "large/strategy_install.h"

#include <atomic>

#include "core/segment.h"
#include "hakmem/hakmem.h"
#include "large/large_cache.h"
#include "os/background.h"
#include "os/os_clock.h"
#include "os/os_lock.h"

namespace hakmem {
namespace {

// Serializes installs: strategy_publish needs one writer at a time, and the
// purge thread's state must end up matching the last strategy published.
os::Lock g_install_lock;
// Installs through hak_set_strategy so far (under g_install_lock).
std::atomic<uint64_t> g_abi_installs{0};

void install_locked(const StrategyValues& prev, const StrategyValues& next) {
    strategy_publish(next);
    os::background_set_enabled(next.purge_thread != 0);
    // Lowered bounds hold from now on, not from the next free that notices.
    if (next.segment_cache_max < prev.segment_cache_max) segment_cache_purge(false);
    if (next.large_cache_max < prev.large_cache_max) large_cache_decay(os::now_ms(), false);
    // Memory already waiting is due sooner: let the purge thread look again.
    if (next.purge_delay_ms < prev.purge_delay_ms) os::background_request(os::now_ms(), next.purge_delay_ms, 0);
}

}  // namespace

int strategy_install(const StrategyValues& next) {
    if (!strategy_valid(next)) return HAK_E_INVALID;
    os::LockGuard guard(g_install_lock);
    install_locked(strategy_snapshot(), next);
    return HAK_OK;
}

int strategy_install_abi(const hak_strategy* in) {
    os::LockGuard guard(g_install_lock);
    StrategyValues prev = strategy_snapshot(), next;
    int rc = strategy_import(in, prev, &next);
    if (rc == HAK_OK) {
        install_locked(prev, next);
        g_abi_installs.fetch_add(1, std::memory_order_release);
    }
    return rc;
}

uint64_t strategy_abi_installs() { return g_abi_installs.load(std::memory_order_acquire); }

bool strategy_install_learned(const StrategyValues& next, uint64_t seen) {
    if (!strategy_valid(next)) return false;
    os::LockGuard guard(g_install_lock);
    if (g_abi_installs.load(std::memory_order_relaxed) != seen) return false;
    install_locked(strategy_snapshot(), next);
    return true;
}

void strategy_install_fork_prepare() { g_install_lock.lock(); }
void strategy_install_fork_parent() { g_install_lock.unlock(); }
void strategy_install_fork_child() { g_install_lock.reset_in_child(); }

}  // namespace hakmem

#include "os/background.h"

#include <atomic>
#include <csignal>
#include <ctime>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "os/os_clock.h"

namespace hakmem::os {
namespace {

enum State : uint32_t { kNotStarted, kStarting, kRunning, kFailed };

// Below 1 MiB of deferred memory a thread is not worth its cost: what is
// left waits for the next allocator call.
constexpr size_t kStartBytes = size_t{1} << 20;
// Requests are rounded up to 4 ms (the coarse clock's tick).
constexpr uint64_t kGranularityMs = 4;
// The thread runs only purge bookkeeping and madvise: a small stack.
constexpr size_t kStackSize = 128 * 1024;

std::atomic<BackgroundWork> g_work{nullptr};
std::atomic<bool> g_allowed{false};
std::atomic<bool> g_enabled{true};
std::atomic<uint32_t> g_state{kNotStarted};
std::atomic<size_t> g_requested_bytes{0};
// Pending requests, summarized (0 = none):
//   g_due  - the earliest; the thread sleeps until it.
//   g_last - the latest. Requests between the two are not tracked one by
//            one: after a run at T with g_last > T, the thread runs again
//            a tick (a quarter of the requester's delay) later, until T
//            passes g_last. So a request is served at most a tick late.
// A request made while the thread runs finds g_due == 0 and lowers it.
std::atomic<uint64_t> g_due{0};
std::atomic<uint64_t> g_last{0};
std::atomic<uint64_t> g_tick{kGranularityMs};
std::atomic<uint32_t> g_futex{0};   // bumped by every wake-up
std::atomic<uint64_t> g_wakeups{0};

long futex(std::atomic<uint32_t>* word, int op, uint32_t value, const timespec* timeout) {
    return syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), op | FUTEX_PRIVATE_FLAG, value, timeout, nullptr, 0);
}

void wake() {
    g_futex.fetch_add(1, std::memory_order_release);
    if (g_state.load(std::memory_order_acquire) == kRunning) futex(&g_futex, FUTEX_WAKE, 1, nullptr);
}

// Lowers `slot` to `due` if that is earlier (or the slot is empty); true when it did.
bool lower(std::atomic<uint64_t>& slot, uint64_t due) {
    uint64_t cur = slot.load(std::memory_order_relaxed);
    while (cur == 0 || due < cur) {
        if (slot.compare_exchange_weak(cur, due, std::memory_order_acq_rel)) return true;
    }
    return false;
}

void* thread_main(void*) {
    for (;;) {
        uint32_t seq = g_futex.load(std::memory_order_acquire);
        uint64_t due = g_due.load(std::memory_order_acquire);
        if (due == 0 || !g_enabled.load(std::memory_order_relaxed)) {
            futex(&g_futex, FUTEX_WAIT, seq, nullptr);
            continue;
        }
        uint64_t now = now_ms();
        if (now < due) {
            // +1: the coarse clock may lag the futex timer by a tick.
            uint64_t ms = due - now + 1;
            timespec ts{static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1000000L};
            futex(&g_futex, FUTEX_WAIT, seq, &ts);
            continue;
        }
        if (!g_due.compare_exchange_strong(due, 0, std::memory_order_acq_rel)) continue;
        BackgroundWork work = g_work.load(std::memory_order_acquire);
        uint64_t next = work != nullptr ? work(now) : 0;
        g_wakeups.fetch_add(1, std::memory_order_relaxed);
        // Requests still ahead (the work cannot see those of other layers).
        if (g_last.load(std::memory_order_acquire) > now) {
            uint64_t tick = now + g_tick.load(std::memory_order_relaxed);
            if (next == 0 || tick < next) next = tick;
        }
        if (next != 0) lower(g_due, next);
    }
    return nullptr;
}

bool start_thread() {
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) return false;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, kStackSize);
    // Signals go to the program's threads, never to ours.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t thread;
    int rc = pthread_create(&thread, &attr, thread_main, nullptr);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    pthread_attr_destroy(&attr);
    if (rc != 0) return false;
    pthread_setname_np(thread, "hakmem-purge");
    return true;
}

}  // namespace

void background_set_work(BackgroundWork work) { g_work.store(work, std::memory_order_release); }
void background_allow_start() { g_allowed.store(true, std::memory_order_release); }

void background_set_enabled(bool on) {
    if (g_enabled.exchange(on, std::memory_order_acq_rel) != on) wake();
}

void background_request(uint64_t now_ms, uint64_t delay_ms, size_t bytes) {
    uint64_t due_ms = (now_ms + delay_ms + kGranularityMs - 1) / kGranularityMs * kGranularityMs;
    if (due_ms == 0) due_ms = kGranularityMs;
    uint64_t tick = delay_ms / 4 > kGranularityMs ? delay_ms / 4 : kGranularityMs;
    if (g_tick.load(std::memory_order_relaxed) != tick) g_tick.store(tick, std::memory_order_relaxed);
    uint64_t last = g_last.load(std::memory_order_relaxed);
    while (due_ms > last && !g_last.compare_exchange_weak(last, due_ms, std::memory_order_acq_rel)) {
    }
    if (lower(g_due, due_ms)) wake();
    if (g_state.load(std::memory_order_relaxed) == kNotStarted && bytes != 0 &&
        g_requested_bytes.load(std::memory_order_relaxed) < kStartBytes)
        g_requested_bytes.fetch_add(bytes, std::memory_order_relaxed);
}

void background_request_at(uint64_t due_ms) {
    due_ms = (due_ms + kGranularityMs - 1) / kGranularityMs * kGranularityMs;
    if (due_ms == 0) due_ms = kGranularityMs;
    if (lower(g_due, due_ms)) wake();
}

void background_wake() { wake(); }

void background_want_thread() { g_requested_bytes.store(kStartBytes, std::memory_order_relaxed); }

void background_poll() {
    if (__builtin_expect(g_state.load(std::memory_order_relaxed) != kNotStarted, 1)) return;
    if (!g_allowed.load(std::memory_order_acquire) || !g_enabled.load(std::memory_order_relaxed) ||
        g_requested_bytes.load(std::memory_order_relaxed) < kStartBytes)
        return;
    uint32_t expected = kNotStarted;
    if (!g_state.compare_exchange_strong(expected, kStarting, std::memory_order_acq_rel)) return;
    g_state.store(start_thread() ? kRunning : kFailed, std::memory_order_release);
}

BackgroundCounters background_counters() {
    return BackgroundCounters{g_state.load(std::memory_order_relaxed) == kRunning ? 1u : 0u,
                              g_wakeups.load(std::memory_order_relaxed)};
}

void background_fork_child() {
    uint32_t state = g_state.load(std::memory_order_relaxed);
    if (state == kRunning || state == kStarting) g_state.store(kNotStarted, std::memory_order_relaxed);
    g_futex.store(0, std::memory_order_relaxed);
}

}  // namespace hakmem::os

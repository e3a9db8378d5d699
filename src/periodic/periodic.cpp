#include "periodic/periodic.h"

#include <atomic>

#include "os/background.h"
#include "os/os_lock.h"
#include "periodic/decay_job.h"

namespace hakmem {
namespace {

struct Job {
    const char* name = nullptr;  // for a reader in a debugger; no report prints it yet
    std::atomic<PeriodicRun> run{nullptr};
    bool on_request = false;
    std::atomic<uint64_t> due{0};  // 0 = not scheduled
};

Job g_jobs[kMaxPeriodicJobs];
std::atomic<unsigned> g_count{0};
os::Lock g_run_lock;  // held while jobs run: one run at a time

// Lowers `slot` to `due` if that is earlier (or the slot is empty).
void lower(std::atomic<uint64_t>& slot, uint64_t due) {
    uint64_t cur = slot.load(std::memory_order_relaxed);
    while ((cur == 0 || due < cur) && !slot.compare_exchange_weak(cur, due, std::memory_order_acq_rel)) {
    }
}

uint64_t earlier(uint64_t a, uint64_t b) { return a == 0 ? b : (b == 0 || b > a ? a : b); }

}  // namespace

int periodic_register(const char* name, PeriodicRun run, bool on_request, uint64_t first_due) {
    os::LockGuard guard(g_run_lock);
    unsigned i = g_count.load(std::memory_order_relaxed);
    if (i == kMaxPeriodicJobs) return -1;
    g_jobs[i].name = name;
    g_jobs[i].on_request = on_request;
    g_jobs[i].due.store(first_due, std::memory_order_relaxed);
    g_jobs[i].run.store(run, std::memory_order_relaxed);
    g_count.store(i + 1, std::memory_order_release);
    if (first_due != 0) os::background_request_at(first_due);
    return static_cast<int>(i);
}

void periodic_schedule(int job, uint64_t due) {
    if (job < 0 || static_cast<unsigned>(job) >= g_count.load(std::memory_order_acquire) || due == 0) return;
    lower(g_jobs[job].due, due);
    os::background_request_at(due);
}

uint64_t periodic_run(uint64_t now) {
    os::LockGuard guard(g_run_lock);
    uint64_t next = 0;
    unsigned count = g_count.load(std::memory_order_acquire);
    for (unsigned i = 0; i < count; ++i) {
        Job& job = g_jobs[i];
        uint64_t due = job.due.load(std::memory_order_acquire);
        if (job.on_request || (due != 0 && due <= now)) {
            // Cleared before the run: a schedule made while it runs stays.
            if (due != 0 && due <= now) job.due.compare_exchange_strong(due, 0, std::memory_order_acq_rel);
            uint64_t wanted = job.run.load(std::memory_order_relaxed)(now);
            if (wanted != 0) lower(job.due, wanted);
        }
        next = earlier(next, job.due.load(std::memory_order_acquire));
    }
    return next;
}

void periodic_init() {
    decay_job_register();
    os::background_set_work(&periodic_run);
    os::background_allow_start();
}

void periodic_fork_prepare() { g_run_lock.lock(); }
void periodic_fork_parent() { g_run_lock.unlock(); }
void periodic_fork_child() { g_run_lock.reset_in_child(); }

}  // namespace hakmem

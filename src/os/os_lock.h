// The one lock type of hakmem's slow paths: a pthread mutex (statically
// initialized, so it needs no allocation and works before constructors run).
// Every global Lock is registered with the fork handlers in api/init.cpp.
#pragma once
#include <atomic>
#include <pthread.h>
#include <sched.h>

namespace hakmem::os {

// One step of a bounded wait for another thread's few instructions: spin
// briefly, then give the CPU away (the other thread may be preempted).
inline void spin_pause(unsigned spins) {
    if (spins < 64) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    } else {
        sched_yield();
    }
}

class Lock {
public:
    constexpr Lock() = default;
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;
    void lock() { pthread_mutex_lock(&m_); }
    bool try_lock() { return pthread_mutex_trylock(&m_) == 0; }
    void unlock() { pthread_mutex_unlock(&m_); }
    // In a fork child only: the mutex may have been held by a thread that no
    // longer exists; start it over unlocked.
    void reset_in_child() { m_ = PTHREAD_MUTEX_INITIALIZER; }

private:
    pthread_mutex_t m_ = PTHREAD_MUTEX_INITIALIZER;
};

// A short-hold lock for per-heap state another thread may visit (the
// decay of free pages): an atomic flag, yielding while contended. Reset in a
// fork child like Lock.
class SpinLock {
public:
    constexpr SpinLock() = default;
    SpinLock(const SpinLock&) = delete;
    SpinLock& operator=(const SpinLock&) = delete;
    void lock() {
        while (locked_.exchange(true, std::memory_order_acquire)) {
            while (locked_.load(std::memory_order_relaxed)) sched_yield();
        }
    }
    bool try_lock() { return !locked_.load(std::memory_order_relaxed) && !locked_.exchange(true, std::memory_order_acquire); }
    void unlock() { locked_.store(false, std::memory_order_release); }
    void reset_in_child() { locked_.store(false, std::memory_order_relaxed); }

private:
    std::atomic<bool> locked_{false};
};

template <class L>
class Guard {
public:
    explicit Guard(L& l) : l_(l) { l_.lock(); }
    ~Guard() { l_.unlock(); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

private:
    L& l_;
};

using LockGuard = Guard<Lock>;

}  // namespace hakmem::os

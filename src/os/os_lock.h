// The one lock type of hakmem's slow paths: a pthread mutex (statically
// initialized, so it needs no allocation and works before constructors run).
// Every global Lock is registered with the fork handlers in api/init.cpp.
#pragma once
#include <pthread.h>

namespace hakmem::os {

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

class LockGuard {
public:
    explicit LockGuard(Lock& l) : l_(l) { l_.lock(); }
    ~LockGuard() { l_.unlock(); }
    LockGuard(const LockGuard&) = delete;
    LockGuard& operator=(const LockGuard&) = delete;

private:
    Lock& l_;
};

}  // namespace hakmem::os

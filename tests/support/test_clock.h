// A clock the test moves by hand (os/os_clock.h's hook), so purge delays and
// periodic jobs are tested without sleeping through them. Needs the
// library's src/ on the include path and libhakmem.a linked.
//
// It starts at the real clock's time and only moves forward: the library
// compares times it recorded before the switch with the fake ones.
#ifndef HAKMEM_TEST_CLOCK_H
#define HAKMEM_TEST_CLOCK_H

#include <atomic>
#include <cstdint>

#include "os/background.h"
#include "os/os_clock.h"

namespace hakt {

class TestClock {
public:
    TestClock() {
        now_.store(hakmem::os::coarse_now_ms(), std::memory_order_relaxed);
        hakmem::os::set_clock_for_testing(&Read);
    }
    ~TestClock() {
        // Back to real time, which is behind the fake one: memory freed
        // meanwhile may then be released early (some ages are computed
        // unsigned), never kept for good. Only at the end of a test.
        hakmem::os::set_clock_for_testing(nullptr);
        hakmem::os::background_wake();
    }
    TestClock(const TestClock&) = delete;
    TestClock& operator=(const TestClock&) = delete;

    uint64_t Now() const { return now_.load(std::memory_order_relaxed); }
    // Moves time forward and lets the background thread (if it runs) see it.
    void Advance(uint64_t ms) {
        now_.fetch_add(ms, std::memory_order_relaxed);
        hakmem::os::background_wake();
    }

private:
    static uint64_t Read() { return now_.load(std::memory_order_relaxed); }
    static inline std::atomic<uint64_t> now_{0};
};

}  // namespace hakt

#endif

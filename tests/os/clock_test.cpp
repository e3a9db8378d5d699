// os::now_ms's test hook: tests move time forward instead of sleeping
// through purge delays, and the real clock comes back when they are done.
#include <gtest/gtest.h>

#include "os/os_clock.h"

namespace hakt {
namespace {

uint64_t g_fake_ms = 0;
uint64_t FakeNow() { return g_fake_ms; }

TEST(ClockTest, AFakeClockReplacesNowMsUntilItIsRemoved) {
    uint64_t real = hakmem::os::now_ms();
    g_fake_ms = real + 1000 * 1000;
    hakmem::os::set_clock_for_testing(&FakeNow);
    EXPECT_EQ(hakmem::os::now_ms(), g_fake_ms);
    g_fake_ms += 250;
    EXPECT_EQ(hakmem::os::now_ms(), g_fake_ms) << "moves only when the test moves it";
    hakmem::os::set_clock_for_testing(nullptr);
    uint64_t back = hakmem::os::now_ms();
    EXPECT_GE(back, real);
    EXPECT_LT(back, real + 60 * 1000) << "the real coarse clock again";
}

}  // namespace
}  // namespace hakt

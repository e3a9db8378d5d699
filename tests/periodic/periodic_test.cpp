// The periodic-job table (src/periodic): a job registered beside the decay
// runs when its time comes, asks for its next time, can be brought forward,
// and the table refuses jobs beyond its fixed size. The clock is the test's
// (support/test_clock.h): no sleeping.
#include <gtest/gtest.h>

#include <atomic>

#include "periodic/periodic.h"
#include "test_clock.h"

namespace hakt {
namespace {

std::atomic<int> g_runs{0};
std::atomic<uint64_t> g_last_run{0};
std::atomic<uint64_t> g_period{0};

// A job that runs every g_period ms (0: only when scheduled).
uint64_t CountingJob(uint64_t now) {
    g_runs.fetch_add(1);
    g_last_run.store(now);
    uint64_t period = g_period.load();
    return period == 0 ? 0 : now + period;
}

TEST(PeriodicTest, ASecondJobRunsWhenItsTimeComesAndThenWhenItAsks) {
    TestClock clock;
    uint64_t start = clock.Now();
    g_period = 50;
    int job = hakmem::periodic_register("test", &CountingJob, false, start + 100);
    ASSERT_GE(job, 0) << "the table has room beside the decay";
    hakmem::periodic_run(start + 99);
    EXPECT_EQ(g_runs.load(), 0) << "not before its first time";
    clock.Advance(100);
    uint64_t next = hakmem::periodic_run(clock.Now());
    EXPECT_EQ(g_runs.load(), 1);
    EXPECT_EQ(g_last_run.load(), start + 100);
    EXPECT_NE(next, 0u);
    EXPECT_LE(next, start + 150) << "the thread is told the job's next time";
    clock.Advance(20);
    hakmem::periodic_run(clock.Now());
    EXPECT_EQ(g_runs.load(), 1) << "its next time is 50 ms after the run";
    clock.Advance(30);
    hakmem::periodic_run(clock.Now());
    EXPECT_EQ(g_runs.load(), 2);
}

TEST(PeriodicTest, AJobWithNoTimeRunsOnlyOnceScheduled) {
    TestClock clock;
    g_period = 0;
    int job = hakmem::periodic_register("test", &CountingJob, false, 0);
    ASSERT_GE(job, 0);
    clock.Advance(60 * 1000);
    hakmem::periodic_run(clock.Now());
    EXPECT_EQ(g_runs.load(), 0);
    hakmem::periodic_schedule(job, clock.Now() + 10);
    hakmem::periodic_run(clock.Now() + 9);
    EXPECT_EQ(g_runs.load(), 0);
    clock.Advance(10);
    hakmem::periodic_run(clock.Now());
    EXPECT_EQ(g_runs.load(), 1);
    clock.Advance(1000);
    hakmem::periodic_run(clock.Now());
    EXPECT_EQ(g_runs.load(), 1) << "a schedule is one run";
}

TEST(PeriodicTest, TheTableHoldsAFixedNumberOfJobsAndRefusesMore) {
    g_period = 0;
    unsigned added = 0;
    while (hakmem::periodic_register("test", &CountingJob, false, 0) >= 0) {
        ++added;
        ASSERT_LT(added, hakmem::kMaxPeriodicJobs) << "the decay job holds one slot";
    }
    EXPECT_EQ(added, hakmem::kMaxPeriodicJobs - 1);
}

}  // namespace
}  // namespace hakt

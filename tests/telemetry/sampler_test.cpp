// telemetry/sampler.h: the intervals are exponential with the configured
// mean, an allocation of s bytes is sampled with probability 1 - exp(-s/T),
// and the rate controller backs off over budget and returns under it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "telemetry/sampler.h"

namespace {

using hakmem::telemetry::kBudget;
using hakmem::telemetry::kMaxRateFactor;
using hakmem::telemetry::kWindowSamples;
using hakmem::telemetry::sample_probability;
using hakmem::telemetry::Sampler;

TEST(Sampler, IntervalsAreExponentialWithTheConfiguredMean) {
    Sampler s;
    s.configure(4096, true, 12345);
    constexpr int kN = 400000;
    double sum = 0, sum_sq = 0;
    int above_mean = 0;
    for (int i = 0; i < kN; ++i) {
        double x = double(s.next_interval());
        sum += x;
        sum_sq += x * x;
        above_mean += x > 4096;
    }
    double mean = sum / kN, sd = std::sqrt(sum_sq / kN - mean * mean);
    // Exponential: sd == mean, P(X > mean) = 1/e. Bounds are 6 standard errors.
    EXPECT_NEAR(mean, 4096, 6 * 4096 / std::sqrt(kN));
    EXPECT_NEAR(sd, 4096, 0.02 * 4096);
    EXPECT_NEAR(double(above_mean) / kN, std::exp(-1.0), 6 * std::sqrt(0.23 / kN));
}

TEST(Sampler, AnAllocationOfSBytesIsSampledWithProbabilityOneMinusExpMinusSOverT) {
    // The countdown exactly as the allocator runs it, on a stream of one size.
    for (uint64_t size : {16u, 256u, 4096u, 16384u}) {
        Sampler s;
        s.configure(4096, true, 99 + size);
        int64_t countdown = s.next_interval();
        constexpr int kN = 300000;
        int sampled = 0;
        for (int i = 0; i < kN; ++i) {
            countdown -= int64_t(size);
            if (countdown < 0) {
                ++sampled;
                countdown = s.next_interval();
            }
        }
        double p = sample_probability(size, 4096);
        EXPECT_NEAR(p, -std::expm1(-double(size) / 4096), 1e-12);
        EXPECT_NEAR(double(sampled) / kN, p, 6 * std::sqrt(p * (1 - p) / kN)) << "size " << size;
    }
}

TEST(Sampler, TheRateBacksOffOverBudgetAndReturnsToTheBaseUnderIt) {
    Sampler s;
    s.configure(1000, false, 1);
    uint64_t cpu = 1000000;
    auto clock = [&] { return cpu; };
    auto window = [&](uint64_t spent_per_sample, uint64_t cpu_per_window) {
        for (unsigned i = 0; i < kWindowSamples; ++i) {
            if (i + 1 == kWindowSamples) cpu += cpu_per_window;
            s.account(spent_per_sample, true, 7, clock);
        }
    };
    window(0, 0);  // opens the first window for thread 7
    EXPECT_EQ(s.mean, 1000u);
    // 10% of the CPU time in the sampled path: far over budget, T doubles per window.
    for (int i = 0; i < 3; ++i) window(1000, kWindowSamples * 10000);
    EXPECT_EQ(s.mean, 8000u);
    for (int i = 0; i < 20; ++i) window(1000, kWindowSamples * 10000);
    EXPECT_EQ(s.mean, 1000u * kMaxRateFactor) << "the backoff is bounded";
    // Well under a quarter of the budget: T halves back to the base, not below.
    for (int i = 0; i < 20; ++i) window(1, kWindowSamples * 10000);
    EXPECT_EQ(s.mean, 1000u);
    // In budget (between a quarter and all of it): T stays.
    double share = kBudget / 2;
    window(uint64_t(share * 10000), kWindowSamples * 10000);
    EXPECT_EQ(s.mean, 1000u);
}

TEST(Sampler, AFixedRateIsNeverAdjustedAndAWindowOpenedByAnotherThreadIsRestarted) {
    Sampler s;
    s.configure(1000, true, 1);
    uint64_t cpu = 0;
    for (int w = 0; w < 10; ++w)
        for (unsigned i = 0; i < kWindowSamples; ++i) {
            cpu += 1000;
            s.account(1000000, true, 7, [&] { return cpu; });
        }
    EXPECT_EQ(s.mean, 1000u);

    Sampler t;
    t.configure(1000, false, 1);
    for (unsigned i = 0; i < kWindowSamples; ++i) t.account(0, true, 7, [] { return uint64_t(100); });
    // The next window is closed by thread 8 (a pooled heap changed hands): its
    // CPU clock is not comparable, so nothing is adjusted.
    for (unsigned i = 0; i < kWindowSamples; ++i) t.account(1000000, true, 8, [] { return uint64_t(200); });
    EXPECT_EQ(t.mean, 1000u);
}

}  // namespace

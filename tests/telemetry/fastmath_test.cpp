// telemetry/fastmath.h: the libm-free math of the sampler and the t-digest,
// checked against libm.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "telemetry/fastmath.h"

namespace {

namespace fm = hakmem::telemetry::fastmath;

TEST(FastMath, LnMatchesLibmToOnePartInABillionOverTheSamplerRange) {
    std::mt19937_64 rng(1);
    for (int i = 0; i < 100000; ++i) {
        double u = double((rng() >> 11) + 1) * 0x1.0p-53;  // what the sampler feeds it
        EXPECT_NEAR(fm::ln(u), std::log(u), 1e-9 * std::fabs(std::log(u)) + 1e-15) << u;
    }
    for (double x : {1e-300, 1e-10, 0.5, 1.0, 1.5, 2.0, 10.0, 1e10, 1e300})
        EXPECT_NEAR(fm::ln(x), std::log(x), 1e-9 * std::fabs(std::log(x)) + 1e-15) << x;
}

TEST(FastMath, OneMinusExpNegIsAccurateForTinyAndLargeArguments) {
    for (double x : {0.0, 1e-12, 1e-6, 3.9e-5, 1e-3, 0.01, 0.5, 1.0, 2.0, 10.0, 40.0, 700.0, 800.0}) {
        double want = -std::expm1(-x);
        EXPECT_NEAR(fm::one_minus_exp_neg(x), want, 1e-10 * want + 1e-300) << x;
    }
}

TEST(FastMath, AsinAndSinMatchLibmWhereTheScaleFunctionUsesThem) {
    for (double x = -1; x <= 1; x += 1.0 / 1024) EXPECT_NEAR(fm::asin(x), std::asin(x), 1e-7) << x;
    for (double x = -M_PI / 2; x <= M_PI / 2; x += M_PI / 1000) EXPECT_NEAR(fm::sin(x), std::sin(x), 1e-12) << x;
    for (double x : {0.0, 1e-300, 1e-8, 0.25, 2.0, 1e6, 1e300}) EXPECT_NEAR(fm::sqrt(x), std::sqrt(x), 1e-14 * std::sqrt(x));
}

TEST(FastMath, RoundsHalfUpAndClampsNegativesToZero) {
    EXPECT_EQ(fm::round_u64(0.49), 0u);
    EXPECT_EQ(fm::round_u64(0.5), 1u);
    EXPECT_EQ(fm::round_u64(1.4), 1u);
    EXPECT_EQ(fm::round_u64(-3.0), 0u);
    EXPECT_EQ(fm::round_u64(1e15 + 0.6), uint64_t(1e15) + 1);
}

}  // namespace

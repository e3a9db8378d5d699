// The few math functions telemetry needs, written out so that libhakmem.so
// does not depend on libm (it is linked as C, with no libm or libstdc++;
// see src/CMakeLists.txt). Accuracy is far beyond what sampling and
// sketching need (relative error below 1e-9 for ln and exp, 1e-4 for asin);
// tests/telemetry/fastmath_test.cpp checks them against libm.
#pragma once
#include <cstdint>
#include <cstring>

namespace hakmem::telemetry::fastmath {

inline constexpr double kLn2 = 0.69314718055994530942;
inline constexpr double kPi = 3.14159265358979323846;

// Natural logarithm of x > 0 (finite, normal).
inline double ln(double x) {
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
    bits = (bits & ((uint64_t{1} << 52) - 1)) | (uint64_t{1023} << 52);  // mantissa m in [1, 2)
    double m;
    memcpy(&m, &bits, sizeof m);
    if (m > 1.41421356237309504880) {  // m in [sqrt2/2, sqrt2): |t| below 0.172
        m /= 2;
        ++exponent;
    }
    // ln m = 2 atanh(t), t = (m - 1) / (m + 1): an odd series in t.
    double t = (m - 1) / (m + 1), t2 = t * t;
    double s = 1.0 / 15;
    for (double d : {13.0, 11.0, 9.0, 7.0, 5.0, 3.0, 1.0}) s = s * t2 + 1.0 / d;
    return 2 * t * s + exponent * kLn2;
}

// e^x for x <= 0 (0 below -700).
inline double exp_neg(double x) {
    if (x < -700) return 0;
    // x = -k ln2 + r with r in (-ln2, 0]; e^r by its Taylor series (r^15/15!
    // is below 1e-14), then scaled by 2^-k through the exponent bits.
    int k = static_cast<int>(-x / kLn2);
    double r = x + k * kLn2;
    // 1/n! for n = 15 down to 0: Horner with multiplications only (a
    // division per term cost more than the rest of a sample's weight).
    constexpr double kInvFactorial[] = {
        1.0 / 1307674368000.0, 1.0 / 87178291200.0, 1.0 / 6227020800.0, 1.0 / 479001600.0,
        1.0 / 39916800.0,      1.0 / 3628800.0,     1.0 / 362880.0,     1.0 / 40320.0,
        1.0 / 5040.0,          1.0 / 720.0,         1.0 / 120.0,        1.0 / 24.0,
        1.0 / 6.0,             1.0 / 2.0,           1.0,                1.0};
    double s = 0;
    for (double c : kInvFactorial) s = s * r + c;
    uint64_t bits = static_cast<uint64_t>(1023 - k) << 52;
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return s * scale;
}

// 1 - e^-x for x >= 0, accurate for tiny x as well (where 1 - exp_neg(-x)
// would cancel).
inline double one_minus_exp_neg(double x) {
    if (x < 1e-3) return x * (1 - x / 2 * (1 - x / 3 * (1 - x / 4 * (1 - x / 5))));
    return 1 - exp_neg(-x);
}

inline double sqrt(double x) {
    if (x <= 0) return 0;
    // Newton's method from the exponent-halved guess: 6 steps reach full precision.
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    bits = (bits >> 1) + (uint64_t{1023} << 51);
    double y;
    memcpy(&y, &bits, sizeof y);
    for (int i = 0; i < 6; ++i) y = (y + x / y) / 2;
    return y;
}

// asin(x) for x in [-1, 1] (Abramowitz & Stegun 4.4.46, |error| < 2e-8).
inline double asin(double x) {
    bool negative = x < 0;
    if (negative) x = -x;
    if (x > 1) x = 1;
    double p = -0.0012624911;
    for (double c : {0.0066700901, -0.0170881256, 0.0308918810, -0.0501743046, 0.0889789874, -0.2145988016,
                     1.5707963050})
        p = p * x + c;
    double r = kPi / 2 - sqrt(1 - x) * p;
    return negative ? -r : r;
}

// sin(x) for x in [-pi/2, pi/2] by its Taylor series (error below 1e-12).
inline double sin(double x) {
    // (-1)^n / (2n+1)! for n = 8 down to 0, in x^2.
    constexpr double kCoefficients[] = {1.0 / 355687428096000.0, -1.0 / 1307674368000.0, 1.0 / 6227020800.0,
                                        -1.0 / 39916800.0,       1.0 / 362880.0,          -1.0 / 5040.0,
                                        1.0 / 120.0,             -1.0 / 6.0,              1.0};
    double x2 = x * x, s = 0;
    for (double c : kCoefficients) s = s * x2 + c;
    return x * s;
}

// Nearest integer of x >= 0.
inline uint64_t round_u64(double x) { return x <= 0 ? 0 : static_cast<uint64_t>(x + 0.5); }

}  // namespace hakmem::telemetry::fastmath

// The byte-interval sampler: which allocations telemetry records, the
// weight each recorded one stands for, and the rate controller that keeps
// the cost of recording inside its budget.
//
// The model. Lay the bytes a thread allocates end to end on a line and put
// sample points on it as a Poisson process of rate 1/T (mean gap T bytes).
// An allocation is sampled when at least one point falls inside its bytes:
//
//     p(s) = 1 - exp(-s / T)                  for an allocation of s bytes.
//
// Spans of different allocations are disjoint, so these events are
// independent, and an allocation of s >= T is almost always sampled
// (p(T) = 0.63, p(4T) = 0.98): large allocations are not missed, small ones
// are sampled in proportion to their bytes.
//
// The implementation is a countdown: heap->sample_countdown holds the bytes
// to the next point, a draw of the exponential gap G (P(G > x) = e^(-x/T)).
// Each allocation subtracts its size; when the countdown goes negative the
// point fell inside this allocation, which is sampled, and a fresh gap is
// drawn from its end. Drawing afresh is exact because the exponential is
// memoryless: the distance from the end of the allocation to the next point
// is again exponential with mean T, whatever happened before. Integer
// countdowns floor(G) give P(floor(G) < s) = P(G < s) for integer s, so the
// probability above holds exactly.
//
// Estimates (Horvitz-Thompson). A sampled allocation of s bytes stands for
// w = 1/p(s) allocations and w*s bytes: summed over the samples of a site,
// these are unbiased estimates of its allocation count and bytes, since
// E[sum over sampled i of f_i/p_i] = sum over all i of f_i. For N allocations
// of size s the count estimate has relative standard error
// sqrt((1 - p)/(N p)) ~ 1/sqrt(expected samples), and expected samples are
// about N*s/T (bytes / T) while s << T.
//
// The weight uses the T the gap ending in the allocation was drawn with;
// when the controller changes T the next gap is drawn with the new value, so
// every sample keeps an exact weight.
//
// The rate controller. Every kWindowSamples samples a thread compares the
// time it spent recording samples (and sampled frees) with the CPU time it
// used in the window; above kBudget it doubles T (fewer samples), below a
// quarter of it halves T back towards the base rate. With
// HAKMEM_SAMPLE_BYTES=N the rate is fixed at T = N.
#pragma once
#include <cstdint>

#include "telemetry/fastmath.h"

namespace hakmem::telemetry {

// Mean sampling interval when HAKMEM_SAMPLE_BYTES is not set, and how far
// the controller may raise it. A sample (allocation and free) costs about
// 1,500 instructions; at 512 KiB that is 0.2 instructions per malloc(64)
// (+0.2% on a malloc/free pair, +0.03% on the json benchmark: see
// docs/ARCHITECTURE.md, Telemetry), while a site allocating 100 MiB still
// gets ~200 samples (7% standard error on its count).
inline constexpr uint64_t kDefaultSampleBytes = 512 * 1024;
inline constexpr uint64_t kMaxRateFactor = 64;
// Fraction of a thread's CPU time the sampled path may use. The other half
// of the 2% budget is left for the fast path's countdown and for the noise
// of the measurement.
inline constexpr double kBudget = 0.01;
inline constexpr unsigned kWindowSamples = 64;

// p(s) above: the probability that an allocation of `size` bytes is sampled
// at mean interval `mean`.
inline double sample_probability(uint64_t size, uint64_t mean) {
    return fastmath::one_minus_exp_neg(static_cast<double>(size) / static_cast<double>(mean));
}

// One thread's sampler state (lives in its ThreadTelemetry). Plain data:
// only the owning thread touches it.
struct Sampler {
    uint64_t rng = 0;          // xorshift64* state; 0 = not seeded yet
    uint64_t base = 0;         // the configured mean interval T0
    uint64_t mean = 0;         // the current mean interval T
    bool fixed = false;        // HAKMEM_SAMPLE_BYTES: no rate control
    // Rate control window.
    unsigned window_samples = 0;
    uint64_t window_spent_ns = 0;   // time in the sampled path this window
    uint64_t window_cpu_start = 0;  // thread CPU time at the window's start
    uint64_t owner = 0;             // the thread that opened the window

    void configure(uint64_t base_mean, bool fixed_rate, uint64_t seed) {
        base = mean = base_mean;
        fixed = fixed_rate;
        if (rng == 0) rng = seed | 1;
    }

    uint64_t next_random() {
        rng ^= rng >> 12;
        rng ^= rng << 25;
        rng ^= rng >> 27;
        return rng * 0x2545F4914F6CDD1Dull;
    }

    // A gap drawn from the exponential distribution with mean `mean`:
    // -T ln(U), U uniform in (0, 1] from 53 random bits.
    int64_t next_interval() {
        double u = static_cast<double>((next_random() >> 11) + 1) * 0x1.0p-53;
        double gap = -fastmath::ln(u) * static_cast<double>(mean);
        return gap < 0x1.0p62 ? static_cast<int64_t>(gap) : int64_t{1} << 62;
    }

    // Accounts `ns` spent recording; every kWindowSamples samples compares the
    // window's recording time with the thread's CPU time and adjusts `mean`.
    // `cpu_ns` is called at window boundaries only (a system call).
    template <typename CpuClock>
    void account(uint64_t ns, bool is_sample, uint64_t thread_id, CpuClock cpu_ns) {
        window_spent_ns += ns;
        if (!is_sample || ++window_samples < kWindowSamples) return;
        uint64_t now = cpu_ns();
        if (owner == thread_id && now > window_cpu_start && !fixed) {
            double used = static_cast<double>(now - window_cpu_start);
            double share = static_cast<double>(window_spent_ns) / used;
            if (share > kBudget && mean < base * kMaxRateFactor) mean *= 2;
            else if (share < kBudget / 4 && mean > base) mean /= 2;
        }
        owner = thread_id;  // a pooled heap changes threads: restart the window
        window_samples = 0;
        window_spent_ns = 0;
        window_cpu_start = now;
    }
};

}  // namespace hakmem::telemetry

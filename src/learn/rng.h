// The learner's random numbers: xorshift64*, seeded once. Enough for
// epsilon-greedy choices and mutations; nothing here needs more.
#pragma once
#include <cstdint>

namespace hakmem::learn {

class Rng {
public:
    explicit constexpr Rng(uint64_t seed = 0x9E3779B97F4A7C15ull) : state_(seed != 0 ? seed : 1) {}
    uint64_t next() {
        state_ ^= state_ >> 12;
        state_ ^= state_ << 25;
        state_ ^= state_ >> 27;
        return state_ * 0x2545F4914F6CDD1Dull;
    }
    // Uniform in [0, n); n > 0.
    uint32_t below(uint32_t n) { return static_cast<uint32_t>((next() >> 32) % n); }
    // Uniform in [0, 1).
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

private:
    uint64_t state_;
};

}  // namespace hakmem::learn

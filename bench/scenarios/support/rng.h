// Deterministic pseudo-random numbers for the scenarios.
//
// Every scenario draws all of its decisions (sizes, lifetimes, which block to
// free) from one of these, seeded from --seed, so a run is reproducible and
// every allocator sees exactly the same sequence of requests.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace hakbench {

// SplitMix64 finaliser: a cheap, well-mixed 64-bit hash. Used both to seed
// the generator and to derive the byte pattern written into blocks.
inline uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// xoshiro256**: fast, small state, good enough statistics for workload shapes.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& word : s_) word = seed = mix64(seed);
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n); n > 0. Lemire's multiply-shift, bias is negligible here.
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
  // Uniform in [lo, hi].
  uint64_t between(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }

  // Sizes in [lo, hi] with density falling as 1/size (log-uniform): as many
  // 64..128 B requests as 32..64 KiB ones, the usual shape of real programs.
  size_t log_uniform(size_t lo, size_t hi) {
    const double l = std::log(static_cast<double>(lo));
    const double h = std::log(static_cast<double>(hi) + 1.0);
    const auto v = static_cast<size_t>(std::exp(l + (h - l) * unit()));
    return v < lo ? lo : (v > hi ? hi : v);
  }
  // Sizes in [lo, hi] skewed towards lo: unit()^power puts most mass near 0.
  size_t skewed(size_t lo, size_t hi, double power) {
    return lo + static_cast<size_t>(static_cast<double>(hi - lo) * std::pow(unit(), power));
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace hakbench

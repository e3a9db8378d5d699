#include "os/os_random.h"

#include <sys/auxv.h>
#include <sys/random.h>
#include <time.h>

#include <atomic>
#include <cstring>

namespace hakmem::os {
namespace {
uint64_t mix(uint64_t x) {  // splitmix64's finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}
std::atomic<uint64_t> g_counter{0};
}  // namespace

uint64_t random_u64() {
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof seed)) {
        if (auto* at_random = reinterpret_cast<const uint8_t*>(getauxval(AT_RANDOM))) memcpy(&seed, at_random + 8, 8);
    }
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t n = g_counter.fetch_add(1, std::memory_order_relaxed);
    uint64_t v = mix(seed ^ mix(static_cast<uint64_t>(ts.tv_nsec) ^ (n << 32) ^ reinterpret_cast<uintptr_t>(&ts)));
    return v != 0 ? v : 0x9E3779B97F4A7C15ull;
}
}  // namespace hakmem::os

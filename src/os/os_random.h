// Secrets for the allocator's integrity checks (the free mark, and the
// secure build's list keys), without a system call that might not exist
// this early in process start: the kernel's 16 random bytes for the process
// (AT_RANDOM; libc uses the first 8 for its stack guard) when readable,
// mixed with getrandom(2) and the clock so two values never repeat.
#pragma once
#include <cstdint>

namespace hakmem::os {
// A non-zero 64-bit value, different on every call and every process.
uint64_t random_u64();
}  // namespace hakmem::os

// Reading the environment without allocating, safe before libc is fully up.
#pragma once

namespace hakmem::os {
// The value of environment variable `name`, or nullptr when unset or when the
// environment is not yet available. Scans `environ` directly.
const char* env_get(const char* name);

// True in a secure-execution process (setuid/setgid, file capabilities, or
// an LSM transition: the kernel's AT_SECURE). Its environment belongs to a
// less privileged user, so it must not steer the allocator (glibc ignores
// its MALLOC_* tunables there for the same reason). Reads the auxiliary
// vector, which the loader sets up before any code runs: safe from the
// first malloc.
bool secure_execution();
}  // namespace hakmem::os

// Reading the environment without allocating, safe before libc is fully up.
#pragma once

namespace hakmem::os {
// True in a secure-execution process (setuid/setgid, file capabilities, or
// an LSM transition: the kernel's AT_SECURE). Its environment belongs to a
// less privileged user, so it must not steer the allocator (glibc ignores
// its MALLOC_* tunables there for the same reason). Reads the auxiliary
// vector, which the loader sets up before any code runs: safe from the
// first malloc.
bool secure_execution();

// The value of `name` in the environment block `envp` (NULL-terminated
// "NAME=value" strings, e.g. environ; nullptr reads as empty), or nullptr
// when unset: the first match wins. Scans the block directly, no malloc.
const char* env_find(const char* const* envp, const char* name);
}  // namespace hakmem::os

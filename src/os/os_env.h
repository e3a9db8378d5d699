// Reading the environment without allocating, safe before libc is fully up.
#pragma once

namespace hakmem::os {
// The value of environment variable `name`, or nullptr when unset or when the
// environment is not yet available. Scans `environ` directly.
const char* env_get(const char* name);
// The same lookup in the environment block `envp` (NULL-terminated
// "NAME=value" strings; nullptr reads as empty): the first match wins.
const char* env_find(const char* const* envp, const char* name);
}  // namespace hakmem::os

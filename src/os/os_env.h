// Reading the environment without allocating, safe before libc is fully up.
#pragma once

namespace hakmem::os {
// The value of environment variable `name`, or nullptr when unset or when the
// environment is not yet available. Scans `environ` directly.
const char* env_get(const char* name);
}  // namespace hakmem::os

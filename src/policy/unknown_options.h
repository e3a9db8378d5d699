// HAKMEM_* variables that name no option (a typo, or an option of another
// version): one warning each at start, naming the closest option, so that
// `HAKMEM_PURGE_DELAY=0` does not silently change nothing. The known names
// come from the options table (option_name), never from a second list.
#pragma once
#include <cstddef>

#include "policy/options.h"

namespace hakmem {

// Levenshtein distance between the first `a_len` bytes of `a` and the
// string `b`, both cut at kMaxOptionNameLength bytes. Stack only.
constexpr size_t kMaxOptionNameLength = 63;
int option_name_distance(const char* a, size_t a_len, const char* b);

// The option whose variable name is closest to the `len` bytes at `name`.
Option option_closest(const char* name, size_t len);

// Prints one warning for each distinct HAKMEM_* name in `envp` (NULL-
// terminated "NAME=value" strings) that is no option, e.g.
//   hakmem: warning: HAKMEM_PURGE_DELAY is not a hakmem option (ignored); closest: HAKMEM_PURGE_DELAY_MS
// Names under HAKMEM_TEST_ and HAKMEM_BENCH_ belong to hakmem's own tests
// and benchmark tools and are skipped. Returns the number of warnings.
// Never allocates. The caller skips it in a secure-execution process.
int options_warn_unknown(const char* const* envp);

}  // namespace hakmem
